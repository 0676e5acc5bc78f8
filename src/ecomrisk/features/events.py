"""Keep the feature event log in step with the store, in the caller's transaction.

Call ``record_shipment_event`` after a shipment version and its parties and
items are written, and ``record_outcome_event`` after an outcome is; both read
back what was stored, so the event log holds exactly the stored data.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, select, update

from ecomrisk.reference.fx import RateTable
from ecomrisk.store.schema import (
    feature_events,
    line_items,
    outcome_events,
    outcomes,
    parties,
    shipments,
)

# Statements built once (every filing runs them): building and keying a statement
# in SQLAlchemy costs more than SQLite spends running it.
_PARTY_KEYS = select(
    parties.c.role,
    parties.c.name,
    parties.c.name_norm,
    parties.c.address_norm,
    parties.c.phone_norm,
    parties.c.email_norm,
    parties.c.marketplace_seller_id,
).where(parties.c.shipment_id == bindparam("sid"))
_VERSION = select(shipments).where(shipments.c.id == bindparam("sid"))
_ITEM_VALUES = select(line_items.c.value, line_items.c.currency).where(
    line_items.c.shipment_id == bindparam("sid")
)
_SUPERSEDE = (
    update(feature_events)
    .where(
        and_(
            feature_events.c.filer_id == bindparam("filer"),
            feature_events.c.filer_reference == bindparam("reference"),
            feature_events.c.superseded_sid.is_(None),
            feature_events.c.sid != bindparam("new_sid"),
        )
    )
    .values(superseded_s=bindparam("at_s"), superseded_sid=bindparam("new_sid"))
)
_INSERT_EVENT = feature_events.insert()


def epoch_seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def declared_value(items: list[tuple[Decimal, str]], rates: RateTable, currency: str) -> float:
    """Total of the item values in ``currency``; a currency without a rate counts as 0
    (ingestion refuses such filings, so this only guards history imports)."""
    total = Decimal(0)
    for value, item_currency in items:
        if rates.has(item_currency):
            total += rates.convert(value, item_currency, currency)
    return float(total)


def _party_keys(connection: Connection, sid: int) -> dict[str, str | None]:
    rows = connection.execute(_PARTY_KEYS, {"sid": sid}).all()
    by_role = {row.role: row for row in rows}
    consignee, shipper, seller = (by_role.get(r) for r in ("consignee", "shipper", "seller"))

    def name(row: object) -> str | None:
        return None if row is None else (row.name_norm or row.name)  # type: ignore[attr-defined]

    return {
        "consignee_name": name(consignee),
        "consignee_address": consignee.address_norm if consignee else None,
        "consignee_phone": consignee.phone_norm if consignee else None,
        "consignee_email": consignee.email_norm if consignee else None,
        "shipper_name": name(shipper),
        "shipper_address": shipper.address_norm if shipper else None,
        # A marketplace seller id identifies a seller better than its name.
        "seller": (seller.marketplace_seller_id or name(seller)) if seller else None,
    }


def record_shipment_event(
    connection: Connection, sid: int, rates: RateTable, currency: str
) -> Row[Any]:
    """Add the event of shipment version ``sid`` and close the version it supersedes;
    returns the stored shipment row, so a caller need not read it again."""
    version = connection.execute(_VERSION, {"sid": sid}).one()
    items = connection.execute(_ITEM_VALUES, {"sid": sid}).all()
    received_s = epoch_seconds(version.received_at)
    params = {"filer": version.filer_id, "reference": version.filer_reference}
    connection.execute(_SUPERSEDE, params | {"new_sid": sid, "at_s": received_s})
    connection.execute(
        _INSERT_EVENT,
        {
            "sid": sid,
            "filer_id": version.filer_id,
            "filer_reference": version.filer_reference,
            "status": version.status,
            "received_s": received_s,
            "superseded_s": None,
            "superseded_sid": None,
            "arrival_s": epoch_seconds(version.estimated_arrival),
            "value": declared_value([(i.value, i.currency) for i in items], rates, currency),
            **_party_keys(connection, sid),
        },
    )
    return version


def record_outcome_event(connection: Connection, outcome_id: int) -> None:
    outcome = connection.execute(select(outcomes).where(outcomes.c.id == outcome_id)).one()
    keys = _party_keys(connection, outcome.shipment_id)
    connection.execute(
        outcome_events.insert().values(
            outcome_id=outcome_id,
            sid=outcome.shipment_id,
            recorded_s=epoch_seconds(outcome.recorded_at),
            violation=int(outcome.result == "violation"),
            seizure=int(outcome.action == "seize"),
            consignee_address=keys["consignee_address"],
            shipper_name=keys["shipper_name"],
            shipper_address=keys["shipper_address"],
            seller=keys["seller"],
        )
    )
