"""Postal items: CN 23 fields, or an ITMATT-like JSON mapping. Stored as mail shipments,
so status, cancel and listing use the /shipments routes."""

from fastapi import APIRouter, HTTPException, Response

from ecomrisk.api.deps import CurrentFiler, OnWrittenDep, ProfileDep, WriterDep
from ecomrisk.api.routes.shipments import ERRORS, REPLAYED, file_one, receipt_response
from ecomrisk.api.schemas import ShipmentReceipt
from ecomrisk.domain.records import PostalItemFiling
from ecomrisk.ingest.itmatt import ItmattItem
from ecomrisk.ingest.problems import parse
from ecomrisk.store.shipments_repo import Submission

router = APIRouter(prefix="/postal-items", tags=["postal items"])


# Async, answering a pre-encoded receipt, as the single shipment routes (see there).
RECEIPT_RESPONSES = {**ERRORS, **REPLAYED}


@router.post("", status_code=201, response_model=ShipmentReceipt, responses=RECEIPT_RESPONSES)
async def submit_postal_item(
    item: PostalItemFiling,
    filer: CurrentFiler,
    profile: ProfileDep,
    on_written: OnWrittenDep,
    writer: WriterDep,
) -> Response:
    """File one postal item with its CN 23 declaration."""
    submission = Submission.of_postal(item)
    return receipt_response(await file_one(writer, filer, profile, submission, on_written))


@router.post(
    "/itmatt", status_code=201, response_model=ShipmentReceipt, responses=RECEIPT_RESPONSES
)
async def submit_itmatt(
    item: ItmattItem,
    filer: CurrentFiler,
    profile: ProfileDep,
    on_written: OnWrittenDep,
    writer: WriterDep,
) -> Response:
    """File one postal item given as an ITMATT-like JSON object (see docs/api.md)."""
    postal, problems = parse(PostalItemFiling, item.to_filing().model_dump())
    if postal is None:
        raise HTTPException(422, "; ".join(f"{p.path}: {p.problem}" for p in problems))
    submission = Submission.of_postal(postal)
    return receipt_response(await file_one(writer, filer, profile, submission, on_written))


@router.put(
    "/{filer_reference:path}",
    status_code=201,
    response_model=ShipmentReceipt,
    responses=RECEIPT_RESPONSES,
)
async def amend_postal_item(
    filer_reference: str,
    item: PostalItemFiling,
    filer: CurrentFiler,
    profile: ProfileDep,
    on_written: OnWrittenDep,
    writer: WriterDep,
) -> Response:
    """Amend a postal item: the next version, history kept."""
    if item.filer_reference != filer_reference:
        raise HTTPException(
            422, f"filer_reference in the body ({item.filer_reference!r}) differs from the URL"
        )
    submission = Submission.of_postal(item, amend=True)
    return receipt_response(await file_one(writer, filer, profile, submission, on_written))
