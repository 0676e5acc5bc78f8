"""A trained model as one artifact: a zip of its boosters (``Booster.to_bytes``)
and a ``model.json`` with everything else (columns, calibration, thresholds).

Loaded from the bytes stored in the registry, it scores feature dictionaries:
calibrated probability, expected revenue at risk and the top contributions.
"""

import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
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
    out[~np.isfinite(out)] = np.nan  # as in training (``frame.to_frame``)
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
        top = sorted(named, key=lambda kv: (-abs(kv[1]), kv[0]))
        reasons = [
            Reason(
                kind="model",
                code="model:score",
                text=f"risk model {self.label}: probability of a violation {probability:.2f}, "
                f"expected revenue at risk {revenue:,.2f}",
                weight=round(probability, 4),
            )
        ]
        reasons += [
            Reason(
                kind="model",
                code=f"model:{name}",
                text=f"{describe(name, features)} ({value:+.2f})",
                weight=round(value, 4),
            )
            for name, value in top[:TOP_CONTRIBUTIONS]
            if round(value, 2) != 0
        ]
        return ModelAssessment(self.label, probability, revenue, reasons, self.thresholds)

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
