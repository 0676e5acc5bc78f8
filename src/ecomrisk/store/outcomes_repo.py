"""Exam outcomes in the store: recorded against the current version of a shipment."""

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from ecomrisk import audit
from ecomrisk.domain.records import Outcome
from ecomrisk.features.events import record_outcome_events
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


def _outcome_row(
    sid: int, outcome: Outcome, examiner: str | None, recorded_at: datetime
) -> dict[str, object]:
    return {
        "shipment_id": sid,
        "exam_type": outcome.exam_type.value,
        "result": outcome.result.value,
        "action": outcome.action.value,
        "examined_at": outcome.examined_at,
        "examiner": examiner,
        "selection": outcome.selection.value,
        "inclusion_probability": outcome.inclusion_probability,
        "msrp_seized": outcome.msrp_seized,
        "revenue_recovered": outcome.revenue_recovered,
        "currency": outcome.currency,
        "recorded_at": recorded_at,
    }


def record_outcomes(
    connection: Connection,
    entries: Sequence[tuple[int, Outcome, datetime | None]],
    *,
    actor: str,
    examiner: str | None = None,
) -> list[int]:
    """Store outcomes ``(shipment version id, outcome, recorded at)`` with their findings,
    feed the feature event log and audit them, in a few statements; returns the ids.
    ``recorded_at`` is when the result became known (None: now; history imports
    pass the exam time, so features see past outcomes only from then on)."""
    if not entries:
        return []
    now = datetime.now(UTC)
    ids = [
        int(row.id)
        for row in connection.execute(
            outcomes.insert().returning(outcomes.c.id, sort_by_parameter_order=True),
            [_outcome_row(sid, o, examiner, at or now) for sid, o, at in entries],
        )
    ]
    finding_rows = [
        {
            "outcome_id": outcome_id,
            "finding_type": f.finding_type.value,
            "corrected_value": f.corrected_value,
            "corrected_hs_code": f.corrected_hs_code,
            "note": f.note,
        }
        for outcome_id, (_, outcome, _) in zip(ids, entries, strict=True)
        for f in outcome.findings
    ]
    if finding_rows:
        connection.execute(findings.insert(), finding_rows)
    record_outcome_events(connection, ids)
    if len(entries) == 1:
        sid, outcome, _ = entries[0]
        after: object = outcome.model_dump(mode="json")
        entity_id: int | None = sid
    else:  # one entry for the batch, naming every outcome, as a bulk filing does
        after = {
            "outcomes": [
                {"shipment_id": sid, "outcome_id": oid, **o.model_dump(mode="json")}
                for oid, (sid, o, _) in zip(ids, entries, strict=True)
            ]
        }
        entity_id = None
    audit.record(
        connection,
        actor=actor,
        action="outcome.record",
        entity="shipment",
        entity_id=entity_id,
        after=after,
    )
    return ids


def record_outcome(
    connection: Connection,
    sid: int,
    outcome: Outcome,
    *,
    actor: str,
    examiner: str | None = None,
    recorded_at: datetime | None = None,
) -> int:
    """Store one outcome with its findings, feed the feature event log, and audit it
    (see ``record_outcomes``)."""
    return record_outcomes(
        connection, [(sid, outcome, recorded_at)], actor=actor, examiner=examiner
    )[0]
