"""A history of filings and outcomes, written as the store keeps them, for tests."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, insert

from ecomrisk.features.events import record_outcome_event, record_shipment_event
from ecomrisk.features.online import history_features
from ecomrisk.reference.fx import bundled_rates
from ecomrisk.store.schema import filers, line_items, outcomes, parties, shipments

US_DAY_OFFSET_S = -5 * 3600
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def filing_json(
    ref: str, arrival: datetime, value: str, currency: str, description: str
) -> dict[str, Any]:
    return {
        "filer_reference": ref,
        "mode": "express",
        "house_bill": ref,
        "port_of_arrival": "USJFK",
        "estimated_arrival": arrival.isoformat(),
        "country_of_export": "CN",
        "shipper": {"name": "shipper"},
        "consignee": {"name": "consignee"},
        "items": [
            {
                "description": description,
                "hs_code": "610910",
                "quantity": "1",
                "value": value,
                "currency": currency,
            }
        ],
    }


@dataclass
class History:
    """Writes shipment versions and outcomes the way ingestion stores them."""

    engine: Engine
    filer_id: int = 0
    versions: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        with self.engine.begin() as c:
            self.filer_id = c.execute(
                insert(filers).values(code="F", name="F", filer_type="marketplace", created_at=T0)
            ).inserted_primary_key[0]

    def file(
        self,
        ref: str,
        *,
        received: datetime,
        arrival: datetime | None = None,
        value: str = "100",
        currency: str = "USD",
        consignee: str = "ann lee",
        address: str | None = "1 main street springfield us",
        phone: str | None = "+15551234567",
        shipper: str = "acme trading",
        status: str = "active",
        description: str = "cotton t-shirt",
    ) -> int:
        version = self.versions.get(ref, 0) + 1
        with self.engine.begin() as c:
            if version > 1:
                c.execute(
                    shipments.update()
                    .where(shipments.c.filer_reference == ref)
                    .values(is_current=False)
                )
            sid = c.execute(
                insert(shipments).values(
                    filer_id=self.filer_id,
                    filer_reference=ref,
                    version=version,
                    is_current=True,
                    status=status,
                    content_hash=f"{ref}-{version}",
                    received_at=received,
                    mode="express",
                    house_bill=ref,
                    port_of_arrival="USJFK",
                    estimated_arrival=arrival or received + timedelta(hours=12),
                    country_of_export="CN",
                    filing=filing_json(
                        ref, arrival or received + timedelta(hours=12), value, currency, description
                    ),
                )
            ).inserted_primary_key[0]
            self._parties(c, sid, consignee, address, phone, shipper)
            c.execute(
                insert(line_items).values(
                    shipment_id=sid,
                    line_no=1,
                    description="thing",
                    hs_code="610910",
                    quantity=Decimal(1),
                    unit="pcs",
                    value=Decimal(value),
                    currency=currency,
                )
            )
            record_shipment_event(c, sid, bundled_rates(), "USD")
        self.versions[ref] = version
        return int(sid)

    def _parties(
        self,
        c: Connection,
        sid: int,
        consignee: str,
        address: str | None,
        phone: str | None,
        shipper: str,
    ) -> None:
        c.execute(
            insert(parties),
            [
                {
                    "shipment_id": sid,
                    "role": "consignee",
                    "name": consignee,
                    "name_norm": consignee,
                    "address_norm": address,
                    "phone_norm": phone,
                    "country": "US",
                },
                {
                    "shipment_id": sid,
                    "role": "shipper",
                    "name": shipper,
                    "name_norm": shipper,
                    "address_norm": "9 factory road shenzhen cn",
                    "phone_norm": None,
                    "country": "CN",
                },
            ],
        )

    def outcome(self, sid: int, *, recorded: datetime, violation: bool, seize: bool) -> None:
        with self.engine.begin() as c:
            oid = c.execute(
                insert(outcomes).values(
                    shipment_id=sid,
                    exam_type="physical",
                    result="violation" if violation else "no_violation",
                    action="seize" if seize else "release",
                    examined_at=recorded,
                    selection="targeted",
                    recorded_at=recorded,
                )
            ).inserted_primary_key[0]
            record_outcome_event(c, oid)

    def features(self, sid: int) -> dict[str, float]:
        with self.engine.connect() as c:
            return history_features(c, sid, US_DAY_OFFSET_S)
