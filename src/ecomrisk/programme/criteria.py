"""The programme's criteria: from a party's evidence to pass/fail per criterion. Pure.

Each criterion says what it measured (with the numbers behind it) and the
threshold it was held to, so a programme manager can check the advice.
"""

import tomllib
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ecomrisk.compliance.estimators import wilson


class Thresholds(BaseModel):
    """What a party must show; loaded from TOML, every value checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_history_days: int = Field(ge=0, le=36_500)
    min_shipments: int = Field(ge=0)
    min_random_exams: int = Field(ge=0)
    min_compliance_lower: float = Field(ge=0, le=1)
    confidence: float = Field(gt=0, lt=1)
    max_violations_365d: int = Field(ge=0)
    max_seizures_365d: int = Field(ge=0)
    min_quality_score: float = Field(ge=0, le=1)
    max_screening_score: float = Field(gt=0, le=1)
    max_network_risk: float = Field(ge=0, le=1)


def load_thresholds(path: str | None = None) -> Thresholds:
    """The thresholds of ``path``, or the bundled ones; a bad file names the key."""
    if path is None:
        text = resources.files("ecomrisk.programme").joinpath("criteria.toml").read_text("utf-8")
    else:
        text = Path(path).read_text("utf-8")
    return Thresholds.model_validate(tomllib.loads(text))


@dataclass(frozen=True)
class Evidence:
    """What the store says about one party (``evidence.gather`` reads it).

    ``None`` for a measure that does not apply to the party's role (a filer is
    not screened as a party; it has no entity in the network)."""

    first_filed: str | None  # ISO date
    days_of_history: int
    shipments: int
    random_exams: int
    random_violations: int
    violations_365d: int
    seizures_365d: int
    quality_score: float | None
    quality_filings: int
    screening_score: float | None
    screening_match: str | None
    network_risk: float | None
    network_node: str | None


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    passed: bool
    measured: str  # the evidence, in words
    threshold: str


@dataclass(frozen=True)
class Evaluation:
    criteria: list[Criterion]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.criteria)

    @property
    def failed(self) -> list[str]:
        return [c.code for c in self.criteria if not c.passed]

    def as_json(self) -> dict[str, Any]:
        return {"passed": self.passed, "criteria": [asdict(c) for c in self.criteria]}


def _compliance(e: Evidence, t: Thresholds) -> Criterion:
    compliant = e.random_exams - e.random_violations
    low, high = wilson(compliant, e.random_exams, t.confidence)
    enough = e.random_exams >= t.min_random_exams
    if e.random_exams:
        measured = (
            f"{compliant} of {e.random_exams} random exams compliant "
            f"({compliant / e.random_exams:.0%}, {t.confidence:.0%} interval {low:.0%}-{high:.0%})"
        )
    else:
        measured = "no random compliance-sample exams yet"
    return Criterion(
        "compliance",
        "Compliance in random samples",
        enough and low >= t.min_compliance_lower,
        measured,
        f"at least {t.min_random_exams} random exams and interval lower bound "
        f">= {t.min_compliance_lower:.0%}",
    )


def evaluate(e: Evidence, t: Thresholds) -> Evaluation:
    """Every criterion of the programme for the party with evidence ``e``."""
    since = f" (first filing {e.first_filed})" if e.first_filed else " (no filings)"
    quality = (
        Criterion(
            "data_quality",
            "Data quality",
            e.quality_score >= t.min_quality_score,
            f"mean score {e.quality_score:.2f} over {e.quality_filings} filings",
            f">= {t.min_quality_score:.2f}",
        )
        if e.quality_score is not None
        else Criterion(
            "data_quality", "Data quality", False, "no scored filings", f">= {t.min_quality_score}"
        )
    )
    screening = Criterion(
        "screening",
        "Screening status",
        e.screening_score is None or e.screening_score < t.max_screening_score,
        "not screened as a party (filer)"
        if e.screening_score is None
        else (
            f"best watch-list match {e.screening_score:.2f} ({e.screening_match})"
            if e.screening_match
            else "no watch-list hits"
        ),
        f"best match < {t.max_screening_score:.2f}",
    )
    network = Criterion(
        "network",
        "Network risk",
        e.network_risk is None or e.network_risk <= t.max_network_risk,
        "not in the network (filer)"
        if e.network_risk is None
        else f"risk {e.network_risk:.3f}" + (f" at {e.network_node}" if e.network_node else ""),
        f"<= {t.max_network_risk:.2f}",
    )
    return Evaluation(
        [
            Criterion(
                "history",
                "History length",
                e.days_of_history >= t.min_history_days,
                f"{e.days_of_history} days{since}",
                f">= {t.min_history_days} days",
            ),
            Criterion(
                "volume",
                "Volume",
                e.shipments >= t.min_shipments,
                f"{e.shipments} shipments",
                f">= {t.min_shipments}",
            ),
            _compliance(e, t),
            Criterion(
                "findings",
                "Findings and seizures",
                e.violations_365d <= t.max_violations_365d
                and e.seizures_365d <= t.max_seizures_365d,
                f"{e.violations_365d} violations, {e.seizures_365d} seizures in 365 days",
                f"<= {t.max_violations_365d} violations and <= {t.max_seizures_365d} seizures",
            ),
            quality,
            screening,
            network,
        ]
    )
