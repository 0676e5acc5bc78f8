"""Enforcement cases in the store: opened after an exam, moved step by step, audited."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Select, func, select, update

from ecomrisk import audit
from ecomrisk.enforcement.lifecycle import (
    ALLOWED,
    CaseError,
    Deadlines,
    DeadlineState,
    Step,
    StepRecord,
    check_step,
    deadlines,
)
from ecomrisk.store.schema import case_steps, enforcement_cases, shipments

MAX_PAGE = 200


@dataclass(frozen=True)
class CaseStepView:
    step: Step
    at: datetime
    actor: str
    note: str | None


@dataclass(frozen=True)
class CaseView:
    id: int
    filer_id: int
    filer_reference: str
    shipment_id: int
    house_bill: str
    port_of_arrival: str
    outcome_id: int | None
    status: str
    opened_by: str
    opened_at: datetime
    steps: list[CaseStepView]
    deadlines: list[DeadlineState]

    @property
    def next_steps(self) -> tuple[Step, ...]:
        return ALLOWED[self.status]

    @property
    def overdue(self) -> bool:
        return any(d.overdue and d.open for d in self.deadlines)


def _steps(connection: Connection, case_id: int) -> list[CaseStepView]:
    rows = connection.execute(
        select(case_steps).where(case_steps.c.case_id == case_id).order_by(case_steps.c.id)
    ).all()
    return [CaseStepView(Step(r.step), r.at, r.actor, r.note) for r in rows]


def _records(steps: list[CaseStepView]) -> list[StepRecord]:
    return [StepRecord(s.step, s.at) for s in steps]


def _insert_step(
    connection: Connection, case_id: int, step: Step, actor: str, note: str | None, at: datetime
) -> None:
    connection.execute(
        case_steps.insert().values(case_id=case_id, step=step.value, at=at, actor=actor, note=note)
    )


def open_case(
    connection: Connection,
    sid: int,
    first_step: Step,
    *,
    actor: str,
    outcome_id: int | None = None,
    note: str | None = None,
    at: datetime | None = None,
) -> int:
    """Open a case on shipment version ``sid`` with its first step (detain, seize, abandon)."""
    at = at or datetime.now(UTC)
    status = check_step([], first_step)
    row = connection.execute(
        select(shipments.c.filer_id, shipments.c.filer_reference).where(shipments.c.id == sid)
    ).one_or_none()
    if row is None:
        raise CaseError(f"shipment: no shipment version {sid}")
    case_id = connection.execute(
        enforcement_cases.insert()
        .values(
            filer_id=row.filer_id,
            filer_reference=row.filer_reference,
            shipment_id=sid,
            outcome_id=outcome_id,
            status=status,
            opened_by=actor,
            opened_at=at,
        )
        .returning(enforcement_cases.c.id)
    ).scalar_one()
    _insert_step(connection, case_id, first_step, actor, note, at)
    audit.record(
        connection,
        actor=actor,
        action=f"case.{first_step.value}",
        entity="case",
        entity_id=case_id,
        before=None,
        after={"status": status, "shipment_id": sid, "outcome_id": outcome_id, "note": note},
        at=at,
    )
    return int(case_id)


def add_step(
    connection: Connection,
    case_id: int,
    step: Step,
    *,
    actor: str,
    note: str | None = None,
    at: datetime | None = None,
) -> str:
    """Record ``step`` on a case; returns the new status. CaseError when not allowed."""
    at = at or datetime.now(UTC)
    # Lock the case row first (PostgreSQL) so two officers cannot both move it.
    row = connection.execute(
        select(enforcement_cases.c.status)
        .where(enforcement_cases.c.id == case_id)
        .with_for_update()
    ).one_or_none()
    if row is None:
        raise CaseError(f"case: no case {case_id}")
    steps = _steps(connection, case_id)
    status = check_step(_records(steps), step)
    _insert_step(connection, case_id, step, actor, note, at)
    connection.execute(
        update(enforcement_cases).where(enforcement_cases.c.id == case_id).values(status=status)
    )
    audit.record(
        connection,
        actor=actor,
        action=f"case.{step.value}",
        entity="case",
        entity_id=case_id,
        before={"status": row.status},
        after={"status": status, "note": note},
        at=at,
    )
    return status


def _view(connection: Connection, r: Any, periods: Deadlines, now: datetime) -> CaseView:
    """``r``: a row of ``_query()``, the case with its shipment's columns."""
    steps = _steps(connection, r.id)
    return CaseView(
        id=r.id,
        filer_id=r.filer_id,
        filer_reference=r.filer_reference,
        shipment_id=r.shipment_id,
        house_bill=r.house_bill,
        port_of_arrival=r.port_of_arrival,
        outcome_id=r.outcome_id,
        status=r.status,
        opened_by=r.opened_by,
        opened_at=r.opened_at,
        steps=steps,
        deadlines=deadlines(_records(steps), periods, now),
    )


def _query() -> Select[Any]:
    return select(enforcement_cases, shipments.c.house_bill, shipments.c.port_of_arrival).join(
        shipments, shipments.c.id == enforcement_cases.c.shipment_id
    )


def get_case(
    connection: Connection, case_id: int, periods: Deadlines, now: datetime | None = None
) -> CaseView | None:
    row = connection.execute(_query().where(enforcement_cases.c.id == case_id)).one_or_none()
    return None if row is None else _view(connection, row, periods, now or datetime.now(UTC))


def cases_of_shipment(
    connection: Connection, filer_id: int, reference: str, periods: Deadlines
) -> list[CaseView]:
    rows = connection.execute(
        _query()
        .where(
            enforcement_cases.c.filer_id == filer_id,
            enforcement_cases.c.filer_reference == reference,
        )
        .order_by(enforcement_cases.c.id)
    ).all()
    now = datetime.now(UTC)
    return [_view(connection, r, periods, now) for r in rows]


def list_cases(
    connection: Connection,
    periods: Deadlines,
    *,
    status: str | None = None,
    facility: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[CaseView], int]:
    """A page of cases, newest first, and how many match in all."""
    query = _query()
    count = (
        select(func.count())
        .select_from(enforcement_cases)
        .join(shipments, shipments.c.id == enforcement_cases.c.shipment_id)
    )
    if status:
        query = query.where(enforcement_cases.c.status == status)
        count = count.where(enforcement_cases.c.status == status)
    if facility:
        query = query.where(shipments.c.port_of_arrival == facility)
        count = count.where(shipments.c.port_of_arrival == facility)
    rows = connection.execute(
        query.order_by(enforcement_cases.c.id.desc()).limit(min(limit, MAX_PAGE)).offset(offset)
    ).all()
    now = datetime.now(UTC)
    total = int(connection.execute(count).scalar_one())
    return [_view(connection, r, periods, now) for r in rows], total
