"""Shipment filings: submit, batch, amend, cancel, read back, list."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from ecomrisk.api.deps import (
    ConnectionDep,
    CurrentFiler,
    EngineDep,
    OnWrittenDep,
    ProfileDep,
    SettingsDep,
    WriterDep,
    actor,
)
from ecomrisk.api.ops import metrics
from ecomrisk.api.schemas import (
    BatchRefused,
    BatchRequest,
    BatchResult,
    ErrorBody,
    RecordErrorPublic,
    ShipmentPage,
    ShipmentPublic,
    ShipmentReceipt,
    ShipmentSummaryPublic,
)
from ecomrisk.api.writer import StoreWriter
from ecomrisk.domain.jurisdiction import JurisdictionProfile
from ecomrisk.domain.records import ShipmentFiling
from ecomrisk.ingest.bulk import REJECTION_STATUS
from ecomrisk.ingest.problems import FieldProblem, parse
from ecomrisk.ingest.validate import RecordError
from ecomrisk.store.filers_repo import Filer
from ecomrisk.store.group_write import FilingJob
from ecomrisk.store.shipments_query import MAX_PAGE, list_current, shipment_view
from ecomrisk.store.shipments_repo import (
    OnWritten,
    Receipt,
    Rejection,
    Submission,
    cancel_shipment,
    ingest_chunk,
    write_shipments,
)

router = APIRouter(prefix="/shipments", tags=["shipments"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing, invalid or revoked API key"},
    404: {"model": ErrorBody, "description": "No such filing of yours"},
    409: {"model": ErrorBody, "description": "Different content under a filed reference"},
    413: {"model": ErrorBody, "description": "Body too large"},
    422: {"model": ErrorBody, "description": "Invalid filing: every problem listed"},
}
REPLAYED: dict[int | str, dict[str, Any]] = {
    200: {"model": ShipmentReceipt, "description": "Identical to an earlier submission"}
}


def _counted(outcome: Receipt | Rejection) -> Receipt:
    """The receipt, counted in the metrics; a rejection is counted and raised (409/404)."""
    if isinstance(outcome, Rejection):
        metrics.count_filings(rejected=1)
        raise HTTPException(REJECTION_STATUS[outcome.kind], outcome.message)
    metrics.count_filings(replayed=1) if outcome.replayed else metrics.count_filings(accepted=1)
    return outcome


def receipt_or_error(outcome: Receipt | Rejection, response: Response) -> ShipmentReceipt:
    receipt = _counted(outcome)
    response.status_code = 200 if receipt.replayed else 201
    return ShipmentReceipt.of(receipt)


def receipt_response(outcome: Receipt | Rejection) -> Response:
    """The receipt encoded once, by its model: 201, or 200 for a replay. A route that
    returned the model instead would have FastAPI validate it again (in a worker
    thread, for a sync route) before encoding it."""
    receipt = _counted(outcome)
    return Response(
        ShipmentReceipt.of(receipt).model_dump_json(),
        status_code=200 if receipt.replayed else 201,
        media_type="application/json",
    )


async def file_one(
    writer: StoreWriter,
    filer: Filer,
    profile: JurisdictionProfile,
    submission: Submission,
    on_written: OnWritten,
) -> Receipt | Rejection:
    """Write one filing and decide it, in one transaction, in the writer thread (on
    SQLite with the filings queued beside it: api/writer.py)."""
    return await writer.file(FilingJob(filer.id, actor(filer), profile, submission, on_written))


# The single-filing routes are async: the body is validated on the event loop as
# before, and the one hop to a thread is the write itself (see api/writer.py).
# ``response_model`` documents the receipt the pre-encoded Response carries.
@router.post("", status_code=201, response_model=ShipmentReceipt, responses={**ERRORS, **REPLAYED})
async def submit_shipment(
    filing: ShipmentFiling,
    filer: CurrentFiler,
    profile: ProfileDep,
    on_written: OnWrittenDep,
    writer: WriterDep,
) -> Response:
    """File one shipment. Re-sending the same content returns the original receipt (200)."""
    outcome = await file_one(writer, filer, profile, Submission(filing), on_written)
    return receipt_response(outcome)


BATCH_ERRORS = {**ERRORS, 422: {"model": BatchRefused, "description": ERRORS[422]["description"]}}
MAX_ID = 2**63 - 1  # the largest id a database column holds


def cursor_id(cursor: str | None) -> int | None:
    """The id a paging cursor stands for; one no page gave out is refused (422)."""
    if cursor is None:
        return None
    if int(cursor) > MAX_ID:
        raise HTTPException(422, f"cursor {cursor!r} is not one a page of results gave out")
    return int(cursor)


@router.post("/batch", response_model=BatchResult, responses=BATCH_ERRORS)
def submit_batch(
    batch: BatchRequest,
    filer: CurrentFiler,
    engine: EngineDep,
    profile: ProfileDep,
    settings: SettingsDep,
    on_written: OnWrittenDep,
) -> BatchResult | JSONResponse:
    """File many shipments: every good one is stored and every bad one reported, unless
    ``all_or_nothing`` asks to refuse the whole batch when any record is refused."""
    if len(batch.shipments) > settings.max_batch_size:
        raise HTTPException(
            422,
            f"batch of {len(batch.shipments)} shipments; the maximum is "
            f"{settings.max_batch_size} (send bulk files to /api/v1/bulk)",
        )
    errors: list[RecordError] = []
    valid: list[tuple[int, Submission]] = []
    for index, raw in enumerate(batch.shipments):
        filing, problems = parse(ShipmentFiling, raw)
        if filing is None:
            reference = raw.get("filer_reference")
            ref = reference[:100] if isinstance(reference, str) else None
            errors.append(RecordError(f"index {index}", ref, 422, problems))
        else:
            valid.append((index, Submission(filing, batch.amend)))
    receipts: list[Receipt] = []
    if batch.all_or_nothing:
        if errors:
            return _refused(errors)
        with engine.connect() as connection, connection.begin() as transaction:
            outcomes = write_shipments(
                connection,
                filer.id,
                [s for _, s in valid],
                profile=profile,
                actor=actor(filer),
                on_written=on_written,
            )
            errors = _rejections(valid, outcomes)
            if errors:
                transaction.rollback()
                return _refused(errors)
        receipts = [o for o in outcomes if isinstance(o, Receipt)]
    else:
        size = settings.ingest_chunk_size
        for start in range(0, len(valid), size):
            part = valid[start : start + size]
            outcomes = ingest_chunk(
                engine,
                filer.id,
                [s for _, s in part],
                profile=profile,
                actor=actor(filer),
                on_written=on_written,
            )
            errors += _rejections(part, outcomes)
            receipts += [o for o in outcomes if isinstance(o, Receipt)]
    result = BatchResult(
        accepted=sum(not r.replayed for r in receipts),
        replayed=sum(r.replayed for r in receipts),
        rejected=len(errors),
        receipts=[ShipmentReceipt.of(r) for r in receipts],
        errors=[RecordErrorPublic.of(e) for e in sorted(errors, key=_index)],
    )
    metrics.count_filings(result.accepted, result.replayed, result.rejected)
    return result


def _index(error: RecordError) -> int:
    return int(error.position.removeprefix("index "))


def _rejections(
    valid: list[tuple[int, Submission]], outcomes: list[Receipt | Rejection]
) -> list[RecordError]:
    return [
        RecordError(
            f"index {index}",
            o.filer_reference,
            REJECTION_STATUS[o.kind],
            [FieldProblem("filer_reference", o.message, o.filer_reference)],
        )
        for (index, _), o in zip(valid, outcomes, strict=True)
        if isinstance(o, Rejection)
    ]


def _refused(errors: list[RecordError]) -> JSONResponse:
    """422 for the whole batch; each refused record is listed with its own status."""
    metrics.count_filings(rejected=len(errors))
    body = {
        "detail": f"batch refused (all_or_nothing): {len(errors)} records refused; nothing stored",
        "errors": [RecordErrorPublic.of(e) for e in sorted(errors, key=_index)],
    }
    return JSONResponse(status_code=422, content=jsonable_encoder(body))


@router.get("", responses=ERRORS)
def list_shipments(
    filer: CurrentFiler,
    connection: ConnectionDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    # At most 18 digits: any such id fits a 64-bit integer (a 20-digit cursor was a 500).
    cursor: Annotated[str | None, Query(max_length=18, pattern=r"^[0-9]+$")] = None,
) -> ShipmentPage:
    """Your filings (current versions), newest first, a page at a time."""
    page = list_current(connection, filer.id, limit=limit, before_id=cursor_id(cursor))
    next_cursor = str(page[-1].id) if len(page) == limit else None
    return ShipmentPage(items=[ShipmentSummaryPublic.of(s) for s in page], next_cursor=next_cursor)


@router.post("/{filer_reference:path}/cancel", responses={**ERRORS, **REPLAYED})
def cancel(
    filer_reference: str,
    filer: CurrentFiler,
    engine: EngineDep,
    response: Response,
    on_written: OnWrittenDep,
) -> ShipmentReceipt:
    """Cancel a filing: a new version with status ``cancelled``; repeating it is harmless."""
    with engine.begin() as connection:  # committed before the receipt is sent
        outcome = cancel_shipment(
            connection, filer.id, filer_reference, actor=actor(filer), on_written=on_written
        )
    return receipt_or_error(outcome, response)


@router.put(
    "/{filer_reference:path}",
    status_code=201,
    response_model=ShipmentReceipt,
    responses={**ERRORS, **REPLAYED},
)
async def amend_shipment(
    filer_reference: str,
    filing: ShipmentFiling,
    filer: CurrentFiler,
    profile: ProfileDep,
    on_written: OnWrittenDep,
    writer: WriterDep,
) -> Response:
    """Amend a filing: the new content becomes the next version; history is kept."""
    if filing.filer_reference != filer_reference:
        raise HTTPException(
            422, f"filer_reference in the body ({filing.filer_reference!r}) differs from the URL"
        )
    submission = Submission(filing, amend=True)
    return receipt_response(await file_one(writer, filer, profile, submission, on_written))


@router.get("/{filer_reference:path}", responses=ERRORS)
def get_shipment(
    filer_reference: str, filer: CurrentFiler, connection: ConnectionDep
) -> ShipmentPublic:
    """Receipt and status of one of your filings, with its version history."""
    view = shipment_view(connection, filer.id, filer_reference)
    if view is None:
        raise HTTPException(404, f"no filing of yours with filer_reference {filer_reference!r}")
    return ShipmentPublic.of(view)
