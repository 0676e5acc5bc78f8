"""Manifests (a conveyance with its house bills), versioned like shipments.

Timeliness policy: a manifest filed after its mode's deadline (from the
jurisdiction profile) is ACCEPTED and flagged ``on_time = false``, with a
warning in the receipt and an audit entry. Refusing it would leave customs
blind to a truck that is arriving anyway; the late filing is a compliance
fact to record, not a reason to lose the data.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Row, select, update

from ecomrisk import audit
from ecomrisk.domain.enums import ShipmentStatus
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
    status: str = ShipmentStatus.ACTIVE.value

    @classmethod
    def of_row(cls, row: Row, *, replayed: bool) -> "ManifestReceipt":
        return cls(
            row.filer_reference,
            row.version,
            row.content_hash,
            row.received_at,
            bool(row.on_time),
            replayed,
            status=row.status,
        )


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
            return ManifestReceipt.of_row(same[-1], replayed=True)
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
            status=ShipmentStatus.ACTIVE.value,
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


def cancel_manifest(
    connection: Connection,
    filer_id: int,
    reference: str,
    *,
    actor: str,
    now: datetime | None = None,
) -> ManifestReceipt | Rejection:
    """Add a cancelled version (a copy of the current manifest and its house bills);
    repeating it is harmless."""
    received_at = (now or datetime.now(UTC)).astimezone(UTC)
    current = connection.execute(
        select(manifests).where(
            manifests.c.filer_id == filer_id,
            manifests.c.filer_reference == reference,
            manifests.c.is_current,
        )
    ).one_or_none()
    if current is None:
        return Rejection(reference, "not_found", "nothing to cancel: unknown filer_reference")
    if current.status == ShipmentStatus.CANCELLED:
        return ManifestReceipt.of_row(current, replayed=True)
    connection.execute(
        update(manifests).where(manifests.c.id == current.id).values(is_current=False)
    )
    row = dict(current._mapping)
    del row["id"]
    row |= {
        "version": current.version + 1,
        "is_current": True,
        "status": ShipmentStatus.CANCELLED.value,
        "content_hash": hashlib.sha256(f"cancelled:{current.content_hash}".encode()).hexdigest(),
        "received_at": received_at,
    }
    new_id = connection.execute(
        manifests.insert().values(row).returning(manifests.c.id)
    ).scalar_one()
    # The cancelled version keeps its house bills, so every version reads whole on its own.
    bills = connection.execute(
        select(
            manifest_house_bills.c.house_bill,
            manifest_house_bills.c.shipment_reference,
            manifest_house_bills.c.pieces,
            manifest_house_bills.c.weight_kg,
        ).where(manifest_house_bills.c.manifest_id == current.id)
    ).all()
    if bills:
        connection.execute(
            manifest_house_bills.insert(),
            [dict(b._mapping) | {"manifest_id": new_id} for b in bills],
        )
    audit.record(
        connection,
        actor=actor,
        action="manifest.cancel",
        entity="manifest",
        entity_id=new_id,
        before={"version": current.version},
        after={"filer_id": filer_id, "filer_reference": reference, "version": row["version"]},
        at=received_at,
    )
    inserted = connection.execute(select(manifests).where(manifests.c.id == new_id)).one()
    return ManifestReceipt.of_row(inserted, replayed=False)


def manifest_versions(
    connection: Connection, filer_id: int, reference: str
) -> list[ManifestReceipt]:
    rows = connection.execute(
        select(manifests)
        .where(manifests.c.filer_id == filer_id, manifests.c.filer_reference == reference)
        .order_by(manifests.c.version)
    ).all()
    return [ManifestReceipt.of_row(r, replayed=False) for r in rows]


@dataclass(frozen=True)
class ManifestSummary:
    id: int
    filer_reference: str
    version: int
    status: str
    mode: str
    conveyance_reference: str
    estimated_arrival: datetime
    on_time: bool
    received_at: datetime


def list_current_manifests(
    connection: Connection, filer_id: int, *, limit: int, before_id: int | None
) -> list[ManifestSummary]:
    """Current versions, newest first; ``before_id`` is the keyset cursor."""
    query = (
        select(
            manifests.c.id,
            manifests.c.filer_reference,
            manifests.c.version,
            manifests.c.status,
            manifests.c.mode,
            manifests.c.conveyance_reference,
            manifests.c.estimated_arrival,
            manifests.c.on_time,
            manifests.c.received_at,
        )
        .where(manifests.c.filer_id == filer_id, manifests.c.is_current)
        .order_by(manifests.c.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        query = query.where(manifests.c.id < before_id)
    return [
        ManifestSummary(**(dict(r._mapping) | {"on_time": bool(r.on_time)}))
        for r in connection.execute(query)
    ]
