"""Feature dictionaries to the data frame the booster reads.

Numbers stay numbers, booleans become 0/1, a missing or infinite value is NaN. A text
feature (mode, country, port, HS chapter) stays text: the booster splits on its
levels natively and keeps them with the model (``booster.fit``).
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd


def model_columns(
    rows: Sequence[Mapping[str, Any]], names: Iterable[str]
) -> tuple[list[str], list[str]]:
    """(numeric, text) among ``names``: a feature is text when a row has a string for it;
    one that no row has a value for is left out."""
    numeric, text = [], []
    for name in sorted(names):
        values = [row.get(name) for row in rows]
        if any(isinstance(v, str) for v in values):
            text.append(name)
        elif any(v is not None for v in values):
            numeric.append(name)
    return numeric, text


def to_frame(
    rows: Sequence[Mapping[str, Any]], numeric: Sequence[str], text: Sequence[str]
) -> pd.DataFrame:
    columns: dict[str, Any] = {}
    for name in numeric:
        values = np.array(
            [np.nan if row.get(name) is None else float(row[name]) for row in rows],
            dtype=np.float64,
        )
        # An infinite ratio (a zero reference) says no more than a missing one.
        values[~np.isfinite(values)] = np.nan
        columns[name] = values
    for name in text:
        columns[name] = pd.Series(
            [None if row.get(name) is None else str(row[name]) for row in rows], dtype="object"
        )
    return pd.DataFrame(columns, index=range(len(rows)))
