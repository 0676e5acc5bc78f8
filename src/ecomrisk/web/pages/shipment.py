"""The shipment page: every data element, versions, decision, hits, exams, cases;
recording an exam; claims; linking a counterfeit finding to its recordation."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection, select
from starlette.concurrency import run_in_threadpool

from ecomrisk.api.deps import EngineDep, SettingsDep
from ecomrisk.domain.enums import Action, ExamResult, ExamType, FindingType, Role, SelectionKind
from ecomrisk.enforcement import cases_repo
from ecomrisk.enforcement.lifecycle import CaseError, Deadlines, Step
from ecomrisk.reference import ipr
from ecomrisk.settings import Settings
from ecomrisk.store import claims_repo
from ecomrisk.store.outcomes_repo import record_outcome
from ecomrisk.store.schema import findings, outcomes, shipments
from ecomrisk.web import queue_source, shipment_view
from ecomrisk.web.auth import Officer, Reader, actor
from ecomrisk.web.exam_form import FINDING_ROWS, outcome_from_form
from ecomrisk.web.templating import render

router = APIRouter()

MAX_ID = 2**63 - 1
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]

# An exam whose action is one of these opens an enforcement case with that step.
CASE_OPENING = {Action.DETAIN: Step.DETAIN, Action.SEIZE: Step.SEIZE, Action.ABANDON: Step.ABANDON}


def periods(settings: Settings) -> Deadlines:
    return Deadlines(
        detention_notice_business_days=settings.detention_notice_business_days,
        detention_decision_days=settings.detention_decision_days,
        seizure_notice_days=settings.seizure_notice_days,
    )


def _page(
    request: Request, engine: Any, settings: Settings, sid: int, status: int = 200, **extra: Any
) -> Response:
    with engine.connect() as connection:
        page = shipment_view.load(connection, sid, periods(settings))
    if page is None:
        raise HTTPException(404, f"no shipment version {sid}")
    return render(
        request,
        "shipment.html",
        status,
        page=page,
        exam_types=list(ExamType),
        results=list(ExamResult),
        actions=list(Action),
        selections=list(SelectionKind),
        finding_types=list(FindingType),
        finding_rows=range(1, FINDING_ROWS + 1),
        form=extra.pop("form", {}),
        **extra,
    )


@router.get("/shipments/{sid}")
def shipment(
    request: Request, sid: IdPath, engine: EngineDep, settings: SettingsDep, session: Reader
) -> Response:
    """One filing at its current version, with everything known about it."""
    notice = {"exam": "Exam recorded.", "linked": "Finding linked.", "notice": "Notice recorded."}
    return _page(
        request, engine, settings, sid, notice=notice.get(request.query_params.get("done", ""))
    )


def _current(connection: Connection, sid: int) -> Any:
    asked = connection.execute(
        select(shipments.c.filer_id, shipments.c.filer_reference).where(shipments.c.id == sid)
    ).one_or_none()
    if asked is None:
        raise HTTPException(404, f"no shipment version {sid}")
    return connection.execute(
        select(shipments.c.id, shipments.c.filer_id, shipments.c.filer_reference).where(
            shipments.c.filer_id == asked.filer_id,
            shipments.c.filer_reference == asked.filer_reference,
            shipments.c.is_current,
        )
    ).one()


@router.post("/shipments/{sid}/exam")
async def record_exam(
    request: Request, sid: IdPath, engine: EngineDep, settings: SettingsDep, session: Officer
) -> Response:
    """Record an exam's result, findings and action (through the outcomes repository,
    so features see it); detain, seize and abandon open an enforcement case."""
    form = dict((await request.form()).items())
    outcome, problems, recordations = outcome_from_form(form)
    if outcome is None:
        return _page(request, engine, settings, sid, 422, problems=problems, form=form)

    def store() -> list[str]:
        try:
            with engine.begin() as connection:  # one transaction: all of it, or nothing
                current = _current(connection, sid)
                outcome_id = record_outcome(
                    connection,
                    current.id,
                    outcome,
                    actor=actor(session),
                    examiner=session.user.username,
                )
                finding_ids = connection.execute(
                    select(findings.c.id)
                    .where(findings.c.outcome_id == outcome_id)
                    .order_by(findings.c.id)
                ).scalars()
                for finding_id, recordation in zip(finding_ids, recordations, strict=True):
                    if recordation is not None:
                        ipr.link_finding(connection, finding_id, recordation, actor=actor(session))
                if outcome.action in CASE_OPENING:
                    cases_repo.open_case(
                        connection,
                        current.id,
                        CASE_OPENING[outcome.action],
                        actor=actor(session),
                        outcome_id=outcome_id,
                    )
        except (ipr.IprError, CaseError) as error:
            return [str(error)]
        return []

    failed = await run_in_threadpool(store)
    if failed:
        return _page(request, engine, settings, sid, 422, problems=failed, form=form)
    return RedirectResponse(f"/app/shipments/{sid}?done=exam", status_code=303)


def _claim_response(
    request: Request, engine: Any, sid: int, session: Any, problem: str | None
) -> Response:
    if request.headers.get("HX-Request"):
        with engine.connect() as connection:
            items, _ = queue_source.queue_page(
                connection, queue_source.QueueFilter(sid=sid), session.user.id, limit=1, offset=0
            )
        if items:
            # 200 even when refused: HTMX swaps only successful responses, and the
            # row redrawn shows who holds the claim.
            return render(request, "queue_row.html", item=items[0])
    if problem:
        raise HTTPException(409, problem)
    return RedirectResponse(f"/app/shipments/{sid}", status_code=303)


@router.post("/shipments/{sid}/claim")
def claim(request: Request, sid: IdPath, engine: EngineDep, session: Officer) -> Response:
    """Claim a shipment of the queue (one officer at a time)."""
    problem = None
    with engine.begin() as connection:
        current = _current(connection, sid)
        try:
            claims_repo.claim(
                connection,
                current.filer_id,
                current.filer_reference,
                session.user.id,
                actor=actor(session),
            )
        except claims_repo.ClaimError as error:
            problem = str(error)
    return _claim_response(request, engine, sid, session, problem)


@router.post("/shipments/{sid}/release-claim")
def release_claim(request: Request, sid: IdPath, engine: EngineDep, session: Officer) -> Response:
    """Give a claimed shipment back to the queue (a supervisor may release anyone's)."""
    problem = None
    with engine.begin() as connection:
        current = _current(connection, sid)
        try:
            claims_repo.release(
                connection,
                current.filer_id,
                current.filer_reference,
                session.user.id,
                actor=actor(session),
                may_release_others=Role.SUPERVISOR in session.user.roles,
            )
        except claims_repo.ClaimError as error:
            problem = str(error)
    return _claim_response(request, engine, sid, session, problem)


def _shipment_of_finding(connection: Connection, finding_id: int) -> int:
    sid = connection.execute(
        select(outcomes.c.shipment_id)
        .join(findings, findings.c.outcome_id == outcomes.c.id)
        .where(findings.c.id == finding_id)
    ).scalar()
    if sid is None:
        raise HTTPException(404, f"no finding {finding_id}")
    return int(sid)


@router.post("/findings/{finding_id}/recordation")
def link_recordation(
    finding_id: IdPath,
    engine: EngineDep,
    session: Officer,
    recordation_id: Annotated[int, Form(ge=1, le=MAX_ID)],
) -> Response:
    """Link a counterfeit finding to the IPR recordation it infringes."""
    with engine.begin() as connection:
        sid = _shipment_of_finding(connection, finding_id)
        try:
            ipr.link_finding(connection, finding_id, recordation_id, actor=actor(session))
        except ipr.IprError as error:
            raise HTTPException(422, str(error)) from None
    return RedirectResponse(f"/app/shipments/{sid}?done=linked", status_code=303)


@router.post("/findings/{finding_id}/notice")
def record_notice(
    finding_id: IdPath,
    engine: EngineDep,
    session: Officer,
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Record that the rights holder of the linked recordation was notified."""
    with engine.begin() as connection:
        sid = _shipment_of_finding(connection, finding_id)
        try:
            ipr.record_notice(connection, finding_id, note, actor=actor(session))
        except ipr.IprError as error:
            raise HTTPException(422, str(error)) from None
    return RedirectResponse(f"/app/shipments/{sid}?done=notice", status_code=303)
