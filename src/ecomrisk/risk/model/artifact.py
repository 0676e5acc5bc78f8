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

from ecomrisk.domain.records import Reason
from ecomrisk.risk.model.assessment import DEFAULT_LANE_THRESHOLDS, ModelAssessment
from ecomrisk.risk.model.booster import BIAS, Booster
from ecomrisk.risk.model.calibration import Calibration
from ecomrisk.risk.model.frame import to_frame
from ecomrisk.risk.model.wording import describe

ARTIFACT_FORMAT = "ecomrisk-model-v1"
TOP_CONTRIBUTIONS = 3  # feature reasons per decision


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

    def frame(self, rows: Sequence[Mapping[str, Any]]) -> Any:
        return to_frame(rows, self.numeric, self.text)

    def raw(self, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
        return self.classifier.predict(self.frame(rows))

    def probability(self, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
        return self.calibration.apply(self.raw(rows))

    def revenue_given_violation(self, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
        if self.revenue is None:
            return np.full(len(rows), self.revenue_constant)
        return np.maximum(self.revenue.predict(self.frame(rows)), 0.0)

    def expected_revenue(self, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
        return self.probability(rows) * self.revenue_given_violation(rows)

    def contributions(self, features: Mapping[str, Any]) -> dict[str, float]:
        """Per feature, its SHAP contribution to the log-odds of a violation."""
        row = self.classifier.contributions(self.frame([features])).iloc[0]
        return {name: float(v) for name, v in row.items() if name != BIAS}

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
