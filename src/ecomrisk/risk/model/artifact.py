"""A trained model as one artifact: a zip of its boosters (XGBoost UBJSON) and a
``model.json`` with everything else (encoding, calibration, thresholds).

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
from ecomrisk.risk.model.calibration import Calibration
from ecomrisk.risk.model.frame import Frame
from ecomrisk.risk.model.wording import describe

ARTIFACT_FORMAT = "ecomrisk-model-v1"
TOP_CONTRIBUTIONS = 3  # feature reasons per decision


def _booster_bytes(booster: xgb.Booster) -> bytes:
    return bytes(booster.save_raw(raw_format="ubj"))


def _booster(raw: bytes) -> xgb.Booster:
    booster = xgb.Booster()
    booster.load_model(bytearray(raw))
    return booster


@dataclass
class TrainedModel:
    frame: Frame
    classifier: xgb.Booster
    calibration: Calibration
    revenue: xgb.Booster | None = None  # revenue given a violation
    revenue_constant: float = 0.0  # used when there were too few violations for a regressor
    thresholds: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_LANE_THRESHOLDS))
    label: str = "unregistered"

    # Scoring -------------------------------------------------------------

    def _dmatrix(self, rows: Sequence[Mapping[str, Any]]) -> xgb.DMatrix:
        return xgb.DMatrix(self.frame.matrix(rows), missing=np.nan)

    def raw(self, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
        return np.asarray(self.classifier.predict(self._dmatrix(rows)), dtype=float)

    def probability(self, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
        return self.calibration.apply(self.raw(rows))

    def revenue_given_violation(self, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
        if self.revenue is None:
            return np.full(len(rows), self.revenue_constant)
        return np.asarray(self.revenue.predict(self._dmatrix(rows)), dtype=float)

    def expected_revenue(self, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
        return self.probability(rows) * self.revenue_given_violation(rows)

    def contributions(self, features: Mapping[str, Any]) -> dict[str, float]:
        """Per feature, its SHAP contribution to the log-odds of a violation."""
        contribs = self.classifier.predict(self._dmatrix([features]), pred_contribs=True)[0]
        return self.frame.per_feature(contribs[:-1])  # the last column is the bias

    def assess(self, features: Mapping[str, Any]) -> ModelAssessment:
        probability = float(self.probability([features])[0])
        revenue = float(self.expected_revenue([features])[0])
        top = sorted(self.contributions(features).items(), key=lambda kv: (-abs(kv[1]), kv[0]))
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
            "frame": self.frame.to_json(),
            "calibration": self.calibration.to_json(),
            "revenue_constant": self.revenue_constant,
            "thresholds": self.thresholds,
        }
        buffer = io.BytesIO()
        # A fixed timestamp per member: the same model gives the same bytes.
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            members = {"model.json": json.dumps(meta, sort_keys=True).encode()}
            members["classifier.ubj"] = _booster_bytes(self.classifier)
            if self.revenue is not None:
                members["revenue.ubj"] = _booster_bytes(self.revenue)
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
            revenue = _booster(archive.read("revenue.ubj")) if "revenue.ubj" in names else None
            return cls(
                frame=Frame.from_json(meta["frame"]),
                classifier=_booster(archive.read("classifier.ubj")),
                calibration=Calibration.from_json(meta["calibration"]),
                revenue=revenue,
                revenue_constant=float(meta["revenue_constant"]),
                thresholds={k: float(v) for k, v in meta["thresholds"].items()},
                label=label,
            )
