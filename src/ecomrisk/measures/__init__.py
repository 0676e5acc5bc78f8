"""Performance measures with baselines and targets, and the supply-chain map.

Each measure is defined once (``catalogue``), computed per period from stored
data (``queries`` for the statements, ``compute`` for the arithmetic), compared
with the baseline and target programme managers set (``targets_repo``) on the
dashboard (``board``, ``plots``). ``flows`` and ``flow_plots`` draw the supply
chain as a Sankey and a map."""

from ecomrisk.measures.catalogue import MEASURES, Measure, UnknownMeasureError, measure
from ecomrisk.measures.compute import Context, Point, series

__all__ = ["MEASURES", "Context", "Measure", "Point", "UnknownMeasureError", "measure", "series"]
