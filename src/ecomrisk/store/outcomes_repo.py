"""Exam outcomes in the store: recorded against the current version of a shipment."""

from datetime import UTC, datetime

from sqlalchemy import Connection, select

from ecomrisk import audit
from ecomrisk.domain.records import Outcome
from ecomrisk.features.events import record_outcome_event
from ecomrisk.store.schema import filers, findings, outcomes, shipments


class OutcomeError(LookupError):
    """An outcome for a shipment the store does not have."""


def current_version_id(connection: Connection, filer_code: str, reference: str) -> int:
    sid = connection.execute(
        select(shipments.c.id)
        .join(filers, filers.c.id == shipments.c.filer_id)
        .where(
            filers.c.code == filer_code,
            shipments.c.filer_reference == reference,
            shipments.c.is_current,
        )
    ).scalar()
    if sid is None:
        raise OutcomeError(f"no shipment {reference!r} of filer {filer_code!r}")
    return int(sid)


def record_outcome(
    connection: Connection,
    sid: int,
    outcome: Outcome,
    *,
    actor: str,
    examiner: str | None = None,
    recorded_at: datetime | None = None,
) -> int:
    """Store an outcome with its findings, feed the feature event log, and audit it.
    ``recorded_at`` is when the result became known (default now; history imports
    pass the exam time, so features see past outcomes only from then on)."""
    outcome_id = connection.execute(
        outcomes.insert()
        .values(
            shipment_id=sid,
            exam_type=outcome.exam_type.value,
            result=outcome.result.value,
            action=outcome.action.value,
            examined_at=outcome.examined_at,
            examiner=examiner,
            selection=outcome.selection.value,
            inclusion_probability=outcome.inclusion_probability,
            msrp_seized=outcome.msrp_seized,
            revenue_recovered=outcome.revenue_recovered,
            currency=outcome.currency,
            recorded_at=recorded_at or datetime.now(UTC),
        )
        .returning(outcomes.c.id)
    ).scalar_one()
    if outcome.findings:
        connection.execute(
            findings.insert(),
            [
                {
                    "outcome_id": outcome_id,
                    "finding_type": f.finding_type.value,
                    "corrected_value": f.corrected_value,
                    "corrected_hs_code": f.corrected_hs_code,
                    "note": f.note,
                }
                for f in outcome.findings
            ],
        )
    record_outcome_event(connection, outcome_id)
    audit.record(
        connection,
        actor=actor,
        action="outcome.record",
        entity="shipment",
        entity_id=sid,
        after=outcome.model_dump(mode="json"),
    )
    return int(outcome_id)
