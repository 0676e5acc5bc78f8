"""Point-in-time encodings of entities: history counts and smoothed violation rates.

An importer's, declarant's or HS code's past is the strongest signal a customs
model has, and the easiest place to leak the label. Every function here takes a
plain data frame and returns new columns, one row per input row, computed so
that nothing a row could not have known at its own time goes in:

- :func:`history_counts` — how many earlier rows share the key (no labels used);
- :func:`history_rates` — how many earlier *labelled* rows share the key, how
  many of them were violations, and the rate shrunk towards the prior
  (``(positives + m x prior) / (labelled + m)``). "Earlier" means a strictly
  earlier time: rows of the same date never see each other's labels, nor their
  own. A row whose label is missing (not inspected, or a period whose outcomes
  are not known yet) counts as a row but teaches nothing about rates;
- :func:`out_of_fold_rates` — the same rates for a training set, each row
  encoded from the other folds only, with :func:`apply_rates` to encode later
  rows from the whole training set.

A key is a column name or a tuple of column names (a combination such as
importer x HS code). Rows whose key is missing get NaN, not a "missing" entity.
"""

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "Key",
    "apply_rates",
    "history_counts",
    "history_rates",
    "key_name",
    "out_of_fold_rates",
]

Key = str | tuple[str, ...]

DEFAULT_PRIOR_WEIGHT = 20.0
"""m in the smoothed rate: an entity needs about m labelled rows to outweigh the prior."""


def key_name(key: Key) -> str:
    """Column-name form of a key: ``"Importer ID"`` or ``"Importer ID+HS6"``."""
    return key if isinstance(key, str) else "+".join(key)


def _columns(key: Key) -> list[str]:
    return [key] if isinstance(key, str) else list(key)


def _check(frame: pd.DataFrame, names: Sequence[str]) -> None:
    missing = [name for name in names if name not in frame.columns]
    if missing:
        raise ValueError(f"frame: missing columns {missing}")


def _known_key(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    return frame[columns].notna().all(axis=1)


def _before(
    frame: pd.DataFrame, columns: list[str], time: str, values: pd.DataFrame
) -> pd.DataFrame:
    """Sums of ``values`` over rows with the same key and a strictly earlier ``time``."""
    keyed = frame[[*columns, time]].join(values)
    per_time = keyed.groupby([*columns, time], sort=True, dropna=True)[list(values.columns)].sum()
    # Running total per key up to and including each time, minus that time's own rows.
    running = per_time.groupby(level=list(range(len(columns))), sort=False).cumsum() - per_time
    return keyed[[*columns, time]].join(running, on=[*columns, time])[list(values.columns)]


def history_counts(frame: pd.DataFrame, keys: Sequence[Key], *, time: str) -> pd.DataFrame:
    """``n_<key>``: number of rows with the same key strictly before the row's ``time``."""
    _check(frame, [time, *(c for key in keys for c in _columns(key))])
    out = pd.DataFrame(index=frame.index)
    ones = pd.DataFrame({"n": np.ones(len(frame))}, index=frame.index)
    for key in keys:
        columns = _columns(key)
        counts = _before(frame, columns, time, ones)["n"]
        out[f"n_{key_name(key)}"] = counts.where(_known_key(frame, columns))
    return out


def _prior_before(frame: pd.DataFrame, time: str, label: str) -> pd.Series:
    """Share of violations among all labelled rows strictly before each row's time."""
    labelled = frame[label].notna()
    per_time = (
        pd.DataFrame(
            {
                "pos": frame[label].where(labelled, 0.0),
                "lab": labelled.astype(float),
                time: frame[time],
            }
        )
        .groupby(time, sort=True)[["pos", "lab"]]
        .sum()
    )
    before = per_time.cumsum() - per_time
    rate = (before["pos"] / before["lab"]).rename("prior")
    return frame[[time]].join(rate, on=time)["prior"]


def history_rates(
    frame: pd.DataFrame,
    keys: Sequence[Key],
    *,
    time: str,
    label: str,
    prior_weight: float = DEFAULT_PRIOR_WEIGHT,
    prior: float | None = None,
) -> pd.DataFrame:
    """Label history per key from strictly earlier rows.

    For each key: ``lab_<key>`` (labelled earlier rows), ``pos_<key>`` (violations
    among them) and ``rate_<key>`` (smoothed rate). ``label`` holds 0/1 or NaN
    (unknown). The prior is ``prior`` when given, else the violation rate of
    all labelled rows before the row's time (NaN before the first label).
    """
    _check(frame, [time, label, *(c for key in keys for c in _columns(key))])
    labels = pd.to_numeric(frame[label], errors="raise")
    if not labels.dropna().isin((0, 1)).all():
        raise ValueError(f"{label}: labels must be 0, 1 or missing")
    if prior_weight <= 0:
        raise ValueError(f"prior_weight: must be > 0, got {prior_weight}")
    base = (
        pd.Series(prior, index=frame.index)
        if prior is not None
        else _prior_before(frame.assign(**{label: labels}), time, label)
    )
    values = pd.DataFrame(
        {"pos": labels.fillna(0.0), "lab": labels.notna().astype(float)}, index=frame.index
    )
    out = pd.DataFrame(index=frame.index)
    for key in keys:
        columns, name = _columns(key), key_name(key)
        sums = _before(frame, columns, time, values).where(_known_key(frame, columns))
        out[f"lab_{name}"] = sums["lab"]
        out[f"pos_{name}"] = sums["pos"]
        out[f"rate_{name}"] = (sums["pos"] + prior_weight * base) / (sums["lab"] + prior_weight)
    return out


def _rate_table(frame: pd.DataFrame, columns: list[str], labels: pd.Series) -> pd.DataFrame:
    data = frame[columns].assign(_y=labels.to_numpy())
    data = data[data["_y"].notna()]
    return data.groupby(columns, dropna=True)["_y"].agg(pos="sum", lab="count")


def _encode_with(
    frame: pd.DataFrame, columns: list[str], table: pd.DataFrame, prior: float, m: float
) -> pd.DataFrame:
    joined = frame[columns].join(table, on=columns)[["lab", "pos"]].fillna(0.0)
    joined = joined.where(_known_key(frame, columns))
    joined["rate"] = (joined["pos"] + m * prior) / (joined["lab"] + m)
    return joined


def apply_rates(
    train: pd.DataFrame,
    frame: pd.DataFrame,
    keys: Sequence[Key],
    *,
    label: str,
    prior_weight: float = DEFAULT_PRIOR_WEIGHT,
) -> pd.DataFrame:
    """Encode ``frame`` with the label history of all of ``train`` (its labelled rows).

    For rows later than every training row: the same columns as :func:`history_rates`.
    """
    _check(train, [label, *(c for key in keys for c in _columns(key))])
    labels = pd.to_numeric(train[label], errors="raise")
    prior = float(labels.mean())
    out = pd.DataFrame(index=frame.index)
    for key in keys:
        columns, name = _columns(key), key_name(key)
        _check(frame, columns)
        encoded = _encode_with(
            frame, columns, _rate_table(train, columns, labels), prior, prior_weight
        )
        out[f"lab_{name}"], out[f"pos_{name}"], out[f"rate_{name}"] = (
            encoded["lab"],
            encoded["pos"],
            encoded["rate"],
        )
    return out


def out_of_fold_rates(
    frame: pd.DataFrame,
    keys: Sequence[Key],
    *,
    label: str,
    folds: int = 5,
    seed: int = 0,
    prior_weight: float = DEFAULT_PRIOR_WEIGHT,
) -> pd.DataFrame:
    """Label history for a training set: each row encoded from the other folds only.

    Rows are split into ``folds`` random folds (by ``seed``); a row's own label,
    and those of its fold, never reach its encoding. Counts are scaled by
    ``folds / (folds - 1)`` so they match what :func:`apply_rates` gives a later
    row, which sees the whole training set.
    """
    if folds < 2:
        raise ValueError(f"folds: must be >= 2, got {folds}")
    _check(frame, [label, *(c for key in keys for c in _columns(key))])
    labels = pd.to_numeric(frame[label], errors="raise")
    fold = np.random.default_rng(seed).integers(0, folds, size=len(frame))
    scale = folds / (folds - 1)
    out = pd.DataFrame(index=frame.index, columns=[], dtype=float)
    parts: list[pd.DataFrame] = []
    for k in range(folds):
        inside, outside = fold == k, fold != k
        fitted = frame[outside]
        prior = float(labels[outside].mean())
        part = pd.DataFrame(index=frame.index[inside])
        for key in keys:
            columns, name = _columns(key), key_name(key)
            table = _rate_table(fitted, columns, labels[outside]) * scale
            encoded = _encode_with(frame[inside], columns, table, prior, prior_weight)
            part[f"lab_{name}"], part[f"pos_{name}"], part[f"rate_{name}"] = (
                encoded["lab"],
                encoded["pos"],
                encoded["rate"],
            )
        parts.append(part)
    out = pd.concat(parts).reindex(frame.index)
    return out
