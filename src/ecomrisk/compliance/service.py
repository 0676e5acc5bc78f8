"""The compliance jobs on a store, shared by ``ecomrisk compliance`` and the web
pages: make and store a sample design, report what the random sample measured."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine

from ecomrisk.compliance import designs_repo, frame
from ecomrisk.compliance.design import DesignError, StratumDesign
from ecomrisk.compliance.design import design as make_design
from ecomrisk.compliance.report import Report, compliance_report
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.engines.batch import BatchEngine
from ecomrisk.reference.fx import bundled_rates
from ecomrisk.settings import Settings
from ecomrisk.store.fx_repo import latest_rates

ALLOCATIONS = ("per_stratum", "overall")
INTERVALS = ("auto", "wilson", "exact")


@dataclass(frozen=True)
class NewDesign:
    id: int
    parameters: dict[str, Any]
    strata: list[StratumDesign]


def new_design(
    engine: Engine,
    period: frame.Period,
    by: Sequence[str],
    *,
    expected_rate: float,
    margin: float,
    confidence: float,
    allocation: str,
    actor: str,
) -> NewDesign:
    """Size the random sample by stratum for the period's population and store it
    (the newest design is the one in force); ``DesignError`` says what is wrong."""
    with engine.connect() as connection:
        populations = frame.populations(connection, period, by)
    if not populations:
        raise DesignError("no shipments in the period: nothing to design a sample for")
    strata = make_design(populations, expected_rate, margin, confidence, allocation)  # type: ignore[arg-type]
    parameters = {
        "margin": margin,
        "expected_rate": expected_rate,
        "confidence": confidence,
        "by": list(by),
        "allocation": allocation,
        "from": period.since.isoformat() if period.since else None,
        "to": period.until.isoformat() if period.until else None,
    }
    with engine.begin() as connection:
        design_id = designs_repo.save(connection, parameters, strata, actor)
    return NewDesign(design_id, parameters, strata)


def report(
    connection: Connection,
    settings: Settings,
    period: frame.Period,
    by: Sequence[str],
    *,
    confidence: float = 0.95,
    method: str = "auto",
    batch: BatchEngine | None = None,
) -> Report:
    """Compliance, major-violation rate and revenue gap by stratum, and the lift of
    targeting, from the random exams of shipments arriving in the period (``batch``:
    the estimators' sums on that engine)."""
    if method not in INTERVALS:
        raise ValueError(f"interval: {method!r} is not auto, wilson or exact")
    if not 0.5 <= confidence < 1:
        raise ValueError(f"confidence: {confidence} must lie in [0.5, 1)")
    profile = load_profile(settings.jurisdiction)
    populations = frame.populations(connection, period, by)
    exams = frame.examined(connection, period, by)
    rates = latest_rates(connection) or bundled_rates()

    def revenue(exam: frame.Examined) -> float:
        if not exam.revenue or exam.currency in (None, profile.currency):
            return exam.revenue
        return float(rates.convert(Decimal(str(exam.revenue)), exam.currency, profile.currency))

    return compliance_report(
        exams,
        populations,
        major=frozenset(settings.compliance_major_findings),
        revenue_of=revenue,
        currency=profile.currency,
        confidence=confidence,
        method=method,  # type: ignore[arg-type]
        batch=batch,
    )
