"""Feature dictionaries to the numeric matrix the trees read, and back to names.

Numbers stay numbers, booleans become 0/1, a missing value is NaN (XGBoost
learns where it goes). A text feature (mode, country, port, HS chapter) becomes
one 0/1 column per value seen often enough in training, so a value the model
never saw is simply none of them. Every column remembers its feature, so
contributions are added back up per feature for explanations.
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

MIN_LEVEL_COUNT = 5  # a value seen fewer times in training gets no column
MAX_LEVELS = 30  # per text feature: the most frequent values


@dataclass(frozen=True)
class Frame:
    """The encoding learnt from a training set: its columns and what each means."""

    numeric: tuple[str, ...]
    levels: dict[str, tuple[str, ...]]  # text feature -> values with a column

    @property
    def columns(self) -> list[str]:
        return [*self.numeric, *(f"{n}={v}" for n, vs in self.levels.items() for v in vs)]

    @property
    def column_features(self) -> list[str]:
        return [*self.numeric, *(n for n, vs in self.levels.items() for _ in vs)]

    @property
    def features(self) -> list[str]:
        return [*self.numeric, *self.levels]

    def matrix(self, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
        out = np.full((len(rows), len(self.columns)), np.nan, dtype=np.float32)
        for i, row in enumerate(rows):
            for j, name in enumerate(self.numeric):
                value = row.get(name)
                if value is not None:
                    out[i, j] = float(value)
            j = len(self.numeric)
            for name, values in self.levels.items():
                value = row.get(name)
                for level in values:
                    out[i, j] = 1.0 if value == level else 0.0
                    j += 1
        return out

    def per_feature(self, contributions: np.ndarray) -> dict[str, float]:
        """Column contributions (bias last dropped) summed per feature."""
        totals: dict[str, float] = {}
        for name, value in zip(self.column_features, contributions, strict=False):
            totals[name] = totals.get(name, 0.0) + float(value)
        return totals

    def to_json(self) -> dict[str, Any]:
        return {"numeric": list(self.numeric), "levels": {k: list(v) for k, v in self.levels.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Frame":
        return cls(
            tuple(data["numeric"]), {k: tuple(v) for k, v in dict(data["levels"]).items()}
        )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | bool)


def fit_frame(rows: Sequence[Mapping[str, Any]], names: Iterable[str]) -> Frame:
    """The encoding of ``names`` over training ``rows``: a feature is text when
    any row has a string for it."""
    numeric: list[str] = []
    levels: dict[str, tuple[str, ...]] = {}
    for name in sorted(names):
        values = [row.get(name) for row in rows]
        if any(isinstance(v, str) for v in values):
            counts = Counter(str(v) for v in values if v is not None)
            kept = [v for v, n in counts.most_common(MAX_LEVELS) if n >= MIN_LEVEL_COUNT]
            if kept:
                levels[name] = tuple(sorted(kept))
        elif any(_is_number(v) for v in values):
            numeric.append(name)
    return Frame(tuple(numeric), levels)
