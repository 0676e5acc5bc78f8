"""A trained model as one artifact: a zip of its boosters (``Booster.to_bytes``)
and a ``model.json`` with everything else (columns, calibration, thresholds).

Loaded from the bytes stored in the registry, it scores feature dictionaries:
calibrated probability, expected revenue at risk and the top contributions.
"""

import io
import json
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import xgboost as xgb

from ecomrisk.domain.records import Reason
from ecomrisk.risk.model.assessment import DEFAULT_LANE_THRESHOLDS, ModelAssessment
from ecomrisk.risk.model.booster import Booster
from ecomrisk.risk.model.calibration import Calibration
from ecomrisk.risk.model.frame import to_frame
from ecomrisk.risk.model.wording import describe

ARTIFACT_FORMAT = "ecomrisk-model-v1"
TOP_CONTRIBUTIONS = 3  # feature reasons per decision


def _numpy_matrix(booster: Booster, rows: Sequence[Mapping[str, Any]]) -> xgb.DMatrix:
    codes = _codes(booster)
    out = np.full((len(rows), len(booster.features)), np.nan)
    for i, row in enumerate(rows):
        for j, name in enumerate(booster.features):
            value = row.get(name)
            if value is None:
                continue
            if name in codes:  # a level never seen in training stays missing
                out[i, j] = codes[name].get(str(value), np.nan)
            else:
                out[i, j] = float(value)
    return _dmatrix(booster, out)


def _arrow_matrix(booster: Booster, batch: pa.RecordBatch) -> xgb.DMatrix:
    """``_numpy_matrix`` of ``batch.to_pylist()``, a column at a time: a missing column
    or value is missing, a level is its code (an unseen one missing), a number its float."""
    out = np.full((batch.num_rows, len(booster.features)), np.nan)
    present = set(batch.schema.names)
    for j, name in enumerate(booster.features):
        if name not in present:
            continue
        column = batch.column(name)
        if name in booster.categories:
            levels = pa.array(booster.categories[name], pa.string())
            coded = pc.index_in(_as_strings(column), value_set=levels)
            out[:, j] = coded.cast(pa.float64()).to_numpy(zero_copy_only=False)
        else:
            out[:, j] = column.cast(pa.float64()).to_numpy(zero_copy_only=False)
    return _dmatrix(booster, out)


def _as_strings(column: pa.Array) -> pa.Array:
    """The column's values as ``str(value)`` would write them."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return column
    if pa.types.is_dictionary(column.type) and pa.types.is_string(column.type.value_type):
        return column.cast(pa.string())
    # Arrow spells other types unlike Python (true, not True; 1, not 1.0): ask Python.
    return pa.array([None if v is None else str(v) for v in column.to_pylist()], pa.string())


def _dmatrix(booster: Booster, out: np.ndarray) -> xgb.DMatrix:
    out[~np.isfinite(out)] = np.nan  # as in training (``frame.to_frame``)
    codes = _codes(booster)
    types = ["c" if name in codes else "q" for name in booster.features]
    return xgb.DMatrix(
        out, feature_names=booster.features, feature_types=types, enable_categorical=True, nthread=1
    )


def _codes(booster: Booster) -> dict[str, dict[str, int]]:
    cached: dict[str, dict[str, int]] | None = getattr(booster, "_ecomrisk_codes", None)
    if cached is None:
        cached = {n: {v: i for i, v in enumerate(vs)} for n, vs in booster.categories.items()}
        booster._ecomrisk_codes = cached  # type: ignore[attr-defined]
        booster.model.set_param({"nthread": 1})
    return cached


@dataclass
class TrainedModel:
    numeric: list[str]
    text: list[str]
    classifier: Booster
    calibration: Calibration
    revenue: Booster | None = None  # revenue given a violation
    revenue_constant: float = 0.0  # used when there were too few violations for a regressor
    thresholds: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_LANE_THRESHOLDS))
    label: str = "unregistered"

    # Scoring -------------------------------------------------------------
    # Rows go to XGBoost as a NumPy matrix (categorical levels as the booster's codes),
    # one thread: a pandas frame costs ~100 ms per call in XGBoost's categorical path,
    # too slow for one filing. A test holds this equal to ``Booster.predict``.

    def frame(self, rows: Sequence[Mapping[str, Any]]) -> Any:
        """The rows as the pandas frame training used."""
        return to_frame(rows, self.numeric, self.text)

    def _predict(self, booster: Booster, rows: Sequence[Mapping[str, Any]], **how: Any) -> Any:
        return booster.model.predict(_numpy_matrix(booster, rows), **how)

    def raw(self, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
        return np.asarray(self._predict(self.classifier, rows), dtype=float)

    def probability(self, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
        return self.calibration.apply(self.raw(rows))

    def revenue_given_violation(self, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
        if self.revenue is None:
            return np.full(len(rows), self.revenue_constant)
        return np.maximum(np.asarray(self._predict(self.revenue, rows), dtype=float), 0.0)

    def expected_revenue(self, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
        return self.probability(rows) * self.revenue_given_violation(rows)

    def contributions(self, features: Mapping[str, Any]) -> dict[str, float]:
        """Per feature, its SHAP contribution to the log-odds of a violation."""
        values = self._predict(self.classifier, [features], pred_contribs=True)[0]
        return dict(zip(self.classifier.features, (float(v) for v in values[:-1]), strict=True))

    def assess(self, features: Mapping[str, Any]) -> ModelAssessment:
        """Probability, expected revenue and reasons for one shipment."""
        return self.assess_many([features])[0]

    def assess_many(self, rows: Sequence[Mapping[str, Any]]) -> list[ModelAssessment]:
        """``assess`` of many rows at once: one matrix for the classifier's predictions
        and contributions, the same numbers as one by one."""
        if not rows:
            return []
        matrix = _numpy_matrix(self.classifier, rows)
        raw = np.asarray(self.classifier.model.predict(matrix), dtype=float)
        probabilities = self.calibration.apply(raw)
        revenues = probabilities * self.revenue_given_violation(rows)
        contributions = self.classifier.model.predict(matrix, pred_contribs=True)
        return [
            self._assessment(features, float(p), float(r), values[:-1])
            for features, p, r, values in zip(
                rows, probabilities, revenues, contributions, strict=True
            )
        ]

    def _assessment(
        self, features: Mapping[str, Any], probability: float, revenue: float, values: Any
    ) -> ModelAssessment:
        named = zip(self.classifier.features, map(float, values), strict=True)
        top = sorted(named, key=lambda kv: (-abs(kv[1]), kv[0]))[:TOP_CONTRIBUTIONS]
        reasons = [Reason(**r) for r in self._reasons(features, probability, revenue, top)]
        return ModelAssessment(self.label, probability, revenue, reasons, self.thresholds)

    def _reasons(
        self,
        features: Mapping[str, Any],
        probability: float,
        revenue: float,
        top: Iterable[tuple[str, float]],
    ) -> list[dict[str, Any]]:
        """The fields of each ``Reason``: the probability, then the top contributions
        (largest first) that still show at two decimals."""
        reasons = [
            {
                "kind": "model",
                "code": "model:score",
                "text": f"risk model {self.label}: probability of a violation {probability:.2f}, "
                f"expected revenue at risk {revenue:,.2f}",
                "weight": round(probability, 4),
            }
        ]
        reasons += [
            {
                "kind": "model",
                "code": f"model:{name}",
                "text": f"{describe(name, features)} ({value:+.2f})",
                "weight": round(value, 4),
            }
            for name, value in top
            if round(value, 2) != 0
        ]
        return reasons

    def assess_batch(self, batch: pa.RecordBatch) -> "BatchAssessment":
        """``assess_many(batch.to_pylist())`` a column at a time, for batch scoring:
        the same probabilities, revenues and reasons (as ``Reason`` fields), without
        a dictionary or a ``Reason`` per row. Only the reasons' words are made row by
        row, from the few values they name."""
        n = batch.num_rows
        if n == 0:
            return BatchAssessment(np.zeros(0), np.zeros(0), [])
        matrix = _arrow_matrix(self.classifier, batch)
        raw = np.asarray(self.classifier.model.predict(matrix), dtype=float)
        probabilities = self.calibration.apply(raw)
        if self.revenue is None:
            given = np.full(n, self.revenue_constant)
        else:
            predicted = self.revenue.model.predict(_arrow_matrix(self.revenue, batch))
            given = np.maximum(np.asarray(predicted, dtype=float), 0.0)
        revenues = probabilities * given
        contributions = self.classifier.model.predict(matrix, pred_contribs=True)
        names, values = _top_contributions(
            self.classifier.features, np.asarray(contributions[:, :-1], dtype=float)
        )
        columns = _Columns(batch)
        reasons = [
            self._reasons(_Row(columns, i), p, r, zip(row_names, row_values, strict=True))
            for i, (p, r, row_names, row_values) in enumerate(
                zip(probabilities.tolist(), revenues.tolist(), names, values.tolist(), strict=True)
            )
        ]
        return BatchAssessment(probabilities, revenues, reasons)

    # Storage -------------------------------------------------------------

    def to_bytes(self) -> bytes:
        meta = {
            "format": ARTIFACT_FORMAT,
            "numeric": self.numeric,
            "text": self.text,
            "calibration": self.calibration.to_json(),
            "revenue_constant": self.revenue_constant,
            "thresholds": self.thresholds,
        }
        buffer = io.BytesIO()
        # A fixed timestamp per member: the same model gives the same bytes.
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            members = {"model.json": json.dumps(meta, sort_keys=True).encode()}
            members["classifier.json"] = self.classifier.to_bytes()
            if self.revenue is not None:
                members["revenue.json"] = self.revenue.to_bytes()
            for name, data in members.items():
                archive.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), data)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes, label: str) -> "TrainedModel":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            meta = json.loads(archive.read("model.json"))
            if meta.get("format") != ARTIFACT_FORMAT:
                raise ValueError(f"model {label}: unknown artifact format {meta.get('format')!r}")
            names = archive.namelist()
            revenue = (
                Booster.from_bytes(archive.read("revenue.json"))
                if "revenue.json" in names
                else None
            )
            return cls(
                numeric=list(meta["numeric"]),
                text=list(meta["text"]),
                classifier=Booster.from_bytes(archive.read("classifier.json")),
                calibration=Calibration.from_json(meta["calibration"]),
                revenue=revenue,
                revenue_constant=float(meta["revenue_constant"]),
                thresholds={k: float(v) for k, v in meta["thresholds"].items()},
                label=label,
            )


def _top_contributions(
    features: Sequence[str], values: np.ndarray
) -> tuple[list[list[str]], np.ndarray]:
    """Per row, the ``TOP_CONTRIBUTIONS`` features of largest absolute contribution,
    ties by name: ``_assessment``'s ``sorted(key=(-abs, name))``. The columns are put
    in name order and sorted stably (few features a row, so a full sort costs little
    and, unlike ``argpartition``, keeps that tie order)."""
    by_name = np.argsort(np.asarray(features, dtype=object), kind="stable")
    ordered = values[:, by_name]
    top = np.argsort(-np.abs(ordered), axis=1, kind="stable")[:, :TOP_CONTRIBUTIONS]
    names = np.asarray(features, dtype=object)[by_name][top]
    return names.tolist(), np.take_along_axis(ordered, top, axis=1)


@dataclass(frozen=True)
class BatchAssessment:
    """``assess_batch``'s answer: a value per row in each column."""

    probability: np.ndarray
    expected_revenue: np.ndarray
    reasons: list[list[dict[str, Any]]]  # the fields of each row's ``Reason`` list


class _Columns:
    """A batch's columns as Python values (``to_pylist``), each converted the first
    time a reason's words ask for it."""

    def __init__(self, batch: pa.RecordBatch) -> None:
        self.batch, self.names = batch, batch.schema.names
        self.present = set(self.names)
        self.converted: dict[str, list[Any]] = {}

    def values(self, name: str) -> list[Any]:
        if name not in self.converted:
            self.converted[name] = self.batch.column(name).to_pylist()
        return self.converted[name]


class _Row(Mapping[str, Any]):
    """Row ``i`` of a batch, as the mapping ``describe`` reads (one row of ``to_pylist``)."""

    def __init__(self, columns: _Columns, i: int) -> None:
        self.columns, self.i = columns, i

    def __getitem__(self, name: str) -> Any:
        if name not in self.columns.present:
            raise KeyError(name)
        return self.columns.values(name)[self.i]

    def get(self, name: str, default: Any = None) -> Any:
        # What ``describe`` calls; without the KeyError of ``Mapping.get`` for an absent
        # column, which costs more than the rest of the lookup.
        if name not in self.columns.present:
            return default
        return self.columns.values(name)[self.i]

    def __iter__(self) -> Iterator[str]:
        return iter(self.columns.names)

    def __len__(self) -> int:
        return len(self.columns.names)
