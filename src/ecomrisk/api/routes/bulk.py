"""Bulk files (NDJSON or CSV) of any size, streamed to a temporary file, then
written chunk by chunk, each chunk in its own transaction."""

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool

from ecomrisk.api.deps import CurrentFiler, EngineDep, OnWrittenDep, ProfileDep, SettingsDep, actor
from ecomrisk.api.ops import metrics
from ecomrisk.api.routes.shipments import ERRORS
from ecomrisk.api.schemas import BulkResult, RecordErrorPublic
from ecomrisk.ingest.bulk import ingest_records
from ecomrisk.ingest.formats import records
from ecomrisk.ingest.validate import RecordKind

router = APIRouter(tags=["bulk"])

SPOOL_IN_MEMORY_BYTES = 8 * 1024 * 1024  # beyond this the upload goes to disk

CONTENT_TYPES = {
    "application/x-ndjson": "ndjson",
    "application/ndjson": "ndjson",
    "application/jsonl": "ndjson",
    "text/csv": "csv",
}


@contextmanager
def _spooled() -> Iterator[Callable[[int], None]]:
    """Counts this upload's spooled bytes in the metrics until it is done."""
    total = 0

    def grow(n: int) -> None:
        nonlocal total
        total += n
        metrics.BULK_SPOOLED.inc(n)

    try:
        yield grow
    finally:
        metrics.BULK_SPOOLED.dec(total)


@router.post("/bulk", responses={**ERRORS, 400: ERRORS[422] | {"description": "Unreadable file"}})
async def upload_bulk_file(
    request: Request,
    filer: CurrentFiler,
    engine: EngineDep,
    profile: ProfileDep,
    settings: SettingsDep,
    on_written: OnWrittenDep,
    file_format: Annotated[
        Literal["ndjson", "csv"] | None,
        Query(alias="format", description="Default: from Content-Type"),
    ] = None,
    kind: Annotated[RecordKind, Query(description="What each record is")] = RecordKind.SHIPMENT,
    amend: Annotated[bool, Query(description="Treat every record as an amendment")] = False,
) -> BulkResult:
    """Upload a file of filings as the raw request body. Good records are stored,
    bad ones listed. Safe to re-send after a failure: stored records are replays."""
    chosen = file_format or CONTENT_TYPES.get(
        request.headers.get("content-type", "").split(";")[0].strip().lower()
    )
    if chosen is None:
        raise HTTPException(
            415, "say the format: ?format=ndjson|csv or Content-Type application/x-ndjson|text/csv"
        )
    with (
        metrics.BULK_IN_PROGRESS.track_inprogress(),
        tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES) as spool,
        _spooled() as grow,
    ):
        async for piece in request.stream():
            spool.write(piece)
            grow(len(piece))
        spool.seek(0)

        def run() -> BulkResult:
            result = ingest_records(
                engine,
                filer.id,
                records(spool, chosen, settings.max_record_bytes),
                kind=kind,
                profile=profile,
                actor=actor(filer),
                chunk_size=settings.ingest_chunk_size,
                max_errors=settings.max_reported_errors,
                amend=amend,
                on_written=on_written,
            )
            metrics.count_filings(result.accepted, result.replayed, result.rejected)
            return BulkResult(
                records=result.records,
                accepted=result.accepted,
                replayed=result.replayed,
                rejected=result.rejected,
                errors=[RecordErrorPublic.of(e) for e in result.errors],
                errors_truncated=result.errors_truncated,
            )

        return await run_in_threadpool(run)
