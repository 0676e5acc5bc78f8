"""Manifests: a conveyance with its house bills. Late ones are accepted and flagged."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response

from ecomrisk.api.deps import ConnectionDep, CurrentFiler, EngineDep, ProfileDep, actor
from ecomrisk.api.routes.shipments import ERRORS
from ecomrisk.api.schemas import ManifestPage, ManifestReceipt, ManifestSummaryPublic
from ecomrisk.domain.records import ManifestFiling
from ecomrisk.ingest.bulk import REJECTION_STATUS
from ecomrisk.store.manifests_repo import (
    cancel_manifest,
    list_current_manifests,
    manifest_versions,
    write_manifest,
)
from ecomrisk.store.shipments_query import MAX_PAGE
from ecomrisk.store.shipments_repo import Rejection

router = APIRouter(prefix="/manifests", tags=["manifests"])

ALREADY_CANCELLED: dict[int | str, dict[str, object]] = {
    200: {"model": ManifestReceipt, "description": "Already cancelled: the earlier receipt"}
}


def _respond(outcome: object, response: Response) -> ManifestReceipt:
    if isinstance(outcome, Rejection):
        raise HTTPException(REJECTION_STATUS[outcome.kind], outcome.message)
    receipt = ManifestReceipt.of(outcome)  # type: ignore[arg-type]
    response.status_code = 200 if receipt.replayed else 201
    return receipt


@router.post("", status_code=201, responses=ERRORS)
def submit_manifest(
    manifest: ManifestFiling,
    filer: CurrentFiler,
    engine: EngineDep,
    profile: ProfileDep,
    response: Response,
) -> ManifestReceipt:
    """File a manifest. One filed after its mode's deadline is stored with
    ``on_time: false`` and a warning."""
    # Committed here, before the receipt is sent: a receipt means the data is stored.
    with engine.begin() as connection:
        outcome = write_manifest(
            connection, filer.id, manifest, amend=False, profile=profile, actor=actor(filer)
        )
    return _respond(outcome, response)


@router.get("", responses=ERRORS)
def list_manifests(
    filer: CurrentFiler,
    connection: ConnectionDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    # At most 18 digits: any such id fits a 64-bit integer (a 20-digit cursor was a 500).
    cursor: Annotated[str | None, Query(max_length=18, pattern=r"^[0-9]+$")] = None,
) -> ManifestPage:
    """Your manifests (current versions), newest first, a page at a time."""
    page = list_current_manifests(
        connection, filer.id, limit=limit, before_id=int(cursor) if cursor else None
    )
    next_cursor = str(page[-1].id) if len(page) == limit else None
    return ManifestPage(items=[ManifestSummaryPublic.of(m) for m in page], next_cursor=next_cursor)


@router.post("/{filer_reference:path}/cancel", responses={**ERRORS, **ALREADY_CANCELLED})
def cancel(
    filer_reference: str, filer: CurrentFiler, engine: EngineDep, response: Response
) -> ManifestReceipt:
    """Cancel a manifest: a new version with status ``cancelled``; repeating it is harmless."""
    with engine.begin() as connection:  # committed before the receipt is sent
        outcome = cancel_manifest(connection, filer.id, filer_reference, actor=actor(filer))
    return _respond(outcome, response)


@router.put("/{filer_reference:path}", status_code=201, responses=ERRORS)
def amend_manifest(
    filer_reference: str,
    manifest: ManifestFiling,
    filer: CurrentFiler,
    engine: EngineDep,
    profile: ProfileDep,
    response: Response,
) -> ManifestReceipt:
    """Amend a manifest: the next version, history kept."""
    if manifest.filer_reference != filer_reference:
        raise HTTPException(
            422, f"filer_reference in the body ({manifest.filer_reference!r}) differs from the URL"
        )
    # Committed here, before the receipt is sent: a receipt means the data is stored.
    with engine.begin() as connection:
        outcome = write_manifest(
            connection, filer.id, manifest, amend=True, profile=profile, actor=actor(filer)
        )
    return _respond(outcome, response)


@router.get("/{filer_reference:path}", responses=ERRORS)
def get_manifest(
    filer_reference: str, filer: CurrentFiler, connection: ConnectionDep
) -> list[ManifestReceipt]:
    """Every version of one of your manifests, oldest first."""
    versions = manifest_versions(connection, filer.id, filer_reference)
    if not versions:
        raise HTTPException(404, f"no manifest of yours with filer_reference {filer_reference!r}")
    return [ManifestReceipt.of(v) for v in versions]
