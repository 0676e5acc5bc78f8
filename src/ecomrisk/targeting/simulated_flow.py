"""A synthetic world as a flow the targeting simulation can replay. Pure (in memory).

Every shipment is rendered to the filing a filer would send and its per-filing
features are computed by the product's own code (``shipment_features``), as at
filing time. Its exam result is drawn once, here, with the world's detection
rate: whichever strategy inspects a shipment then sees the same result, so
strategies differ only in what they choose, never in luck at the exam.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ecomrisk.domain.records import ShipmentFiling
from ecomrisk.features.shipment import shipment_features
from ecomrisk.reference.unit_values import bundled_unit_values
from ecomrisk.simulate.inspection import exam_outcome, targeting_weight
from ecomrisk.simulate.render import render
from ecomrisk.simulate.world import World

SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class Flow:
    """One row per shipment, in filing order."""

    day: np.ndarray  # customs day of filing, 0 = the scenario's first day
    shipper: list[str]  # the shipper's true entity id (the history features' key)
    features: list[dict[str, Any]]  # per-filing features, as the risk engine computes them
    rule_weight: np.ndarray  # what the world's past rules-based targeting looked at
    found: np.ndarray  # an exam would find a violation
    revenue: np.ndarray  # revenue an exam would recover (USD)
    scheme: list[str]  # the scheme that planted the shipment ("" when clean)

    @property
    def size(self) -> int:
        return len(self.day)


def build_flow(world: World, progress: Callable[[int, int], None] | None = None) -> Flow:
    """Render, featurise and draw the exam result of every shipment of ``world``."""
    start = world.scenario.start
    first = int(np.datetime64(start.isoformat(), "s").astype(np.int64))
    unit_values = bundled_unit_values(world.rates, world.profile.currency)
    order = np.argsort(world.plan.received, kind="stable")
    days, shippers, rows, weights, found, revenue, schemes = [], [], [], [], [], [], []
    seed = world.scenario.seed
    batch = 2_000
    for offset in range(0, len(order), batch):
        indices = order[offset : offset + batch]
        for shipment in world.shipments_at(indices):
            rng = random.Random(seed * 1_000_003 + shipment.index)
            filing, _truth = render(world, shipment, rng)
            parsed = ShipmentFiling.model_validate(filing)
            rows.append(
                shipment_features(
                    parsed, shipment.received, world.profile, world.rates, unit_values
                )
            )
            # Filed before the first day (for an early arrival): counted on the first day.
            days.append(max(0, (int(shipment.received.timestamp()) - first) // SECONDS_PER_DAY))
            shippers.append(shipment.shipper.id)
            weights.append(targeting_weight(shipment, shipment.declared_value))
            outcome = exam_outcome(world, shipment, "random", None, rng)
            found.append(outcome["result"] == "violation")
            revenue.append(float(outcome.get("revenue_recovered", 0.0)))
            schemes.append(shipment.schemes[0] if shipment.schemes else "")
        if progress is not None:
            progress(min(offset + batch, len(order)), len(order))
    return Flow(
        day=np.array(days, dtype=np.int64),
        shipper=shippers,
        features=rows,
        rule_weight=np.array(weights, dtype=float),
        found=np.array(found, dtype=bool),
        revenue=np.array(revenue, dtype=float),
        scheme=schemes,
    )
