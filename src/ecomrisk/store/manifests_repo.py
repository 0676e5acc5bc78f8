"""Manifests (a conveyance with its house bills), versioned like shipments.

Timeliness policy: a manifest filed after its mode's deadline (from the
jurisdiction profile) is ACCEPTED and flagged ``on_time = false``, with a
warning in the receipt and an audit entry. Refusing it would leave customs
blind to a truck that is arriving anyway; the late filing is a compliance
fact to record, not a reason to lose the data.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select, update

from ecomrisk import audit
from ecomrisk.domain.jurisdiction import JurisdictionProfile
from ecomrisk.domain.records import ManifestFiling
from ecomrisk.ingest.canonical import content_hash
from ecomrisk.store.schema import manifest_house_bills, manifests
from ecomrisk.store.shipments_repo import Rejection, deadline_hours


@dataclass(frozen=True)
class ManifestReceipt:
    filer_reference: str
    version: int
    content_hash: str
    received_at: datetime
    on_time: bool
    replayed: bool
    warnings: tuple[str, ...] = ()


def lateness_warning(filing: ManifestFiling, received_at: datetime, hours: float) -> str | None:
    lead = (filing.estimated_arrival - received_at).total_seconds() / 3600
    if lead >= hours:
        return None
    return (
        f"late: {filing.mode.value} manifest filed {lead:.2f} h before the estimated arrival; "
        f"the profile requires {hours:g} h"
    )


def write_manifest(
    connection: Connection,
    filer_id: int,
    filing: ManifestFiling,
    *,
    amend: bool,
    profile: JurisdictionProfile,
    actor: str,
    now: datetime | None = None,
) -> ManifestReceipt | Rejection:
    received_at = (now or datetime.now(UTC)).astimezone(UTC)
    reference = filing.filer_reference
    digest = content_hash(filing)
    versions = connection.execute(
        select(manifests)
        .where(manifests.c.filer_id == filer_id, manifests.c.filer_reference == reference)
        .order_by(manifests.c.version)
    ).all()
    current = versions[-1] if versions else None
    if current is None and amend:
        return Rejection(reference, "not_found", "nothing to amend: unknown filer_reference")
    if current is not None:
        same = [v for v in versions if v.content_hash == digest]
        if same and (not amend or current.content_hash == digest):
            v = same[-1]
            return ManifestReceipt(
                reference, v.version, v.content_hash, v.received_at, bool(v.on_time), True
            )
        if not amend:
            return Rejection(
                reference,
                "conflict",
                f"filer_reference {reference!r} is already filed (version {current.version}) "
                "with different content; send it as an amendment to change it",
            )
        connection.execute(
            update(manifests).where(manifests.c.id == current.id).values(is_current=False)
        )
    version = 1 if current is None else current.version + 1
    warning = lateness_warning(filing, received_at, deadline_hours(profile, filing.mode))
    manifest_id = connection.execute(
        manifests.insert()
        .values(
            filer_id=filer_id,
            filer_reference=reference,
            version=version,
            is_current=True,
            content_hash=digest,
            received_at=received_at,
            mode=filing.mode.value,
            conveyance_reference=filing.conveyance_reference,
            carrier=filing.carrier,
            port_of_arrival=filing.port_of_arrival,
            estimated_arrival=filing.estimated_arrival,
            country_of_departure=filing.country_of_departure,
            on_time=warning is None,
        )
        .returning(manifests.c.id)
    ).scalar_one()
    connection.execute(
        manifest_house_bills.insert(),
        [
            {
                "manifest_id": manifest_id,
                "house_bill": bill.house_bill,
                "shipment_reference": bill.shipment_reference,
                "pieces": bill.pieces,
                "weight_kg": bill.weight_kg,
            }
            for bill in filing.house_bills
        ],
    )
    audit.record(
        connection,
        actor=actor,
        action="manifest.late" if warning else "manifest.file",
        entity="manifest",
        entity_id=manifest_id,
        after={
            "filer_id": filer_id,
            "filer_reference": reference,
            "version": version,
            "house_bills": len(filing.house_bills),
            "on_time": warning is None,
        },
        at=received_at,
    )
    return ManifestReceipt(
        reference,
        version,
        digest,
        received_at,
        warning is None,
        False,
        (warning,) if warning else (),
    )


def manifest_versions(
    connection: Connection, filer_id: int, reference: str
) -> list[ManifestReceipt]:
    rows = connection.execute(
        select(manifests)
        .where(manifests.c.filer_id == filer_id, manifests.c.filer_reference == reference)
        .order_by(manifests.c.version)
    ).all()
    return [
        ManifestReceipt(
            r.filer_reference, r.version, r.content_hash, r.received_at, bool(r.on_time), False
        )
        for r in rows
    ]
