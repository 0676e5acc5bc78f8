"""Keep the feature event log in step with the store, in the caller's transaction.

Call ``record_written_events`` with the versions a write just stored (the rows
the writer inserted, ``shipments_repo.Written``), ``record_shipment_events`` for
versions stored earlier (read back from the store: the same rows), and
``record_outcome_event`` after an outcome is stored; so the event log holds
exactly the stored data. The plural forms do many at once (history imports) in a
few statements.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, bindparam, select, update

from ecomrisk.reference.fx import RateTable
from ecomrisk.store.schema import (
    feature_events,
    outcome_events,
    outcomes,
    parties,
)
from ecomrisk.store.shipments_repo import Written, read_written

# Statements built once (every filing runs them): building and keying a statement
# in SQLAlchemy costs more than SQLite spends running it. ``sids`` expands to the
# versions of the call, one or many.
_PARTY_KEYS = select(
    parties.c.shipment_id,
    parties.c.role,
    parties.c.name,
    parties.c.name_norm,
    parties.c.address_norm,
    parties.c.phone_norm,
    parties.c.email_norm,
    parties.c.marketplace_seller_id,
).where(parties.c.shipment_id.in_(bindparam("sids", expanding=True)))
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
_OUTCOMES = (
    select(outcomes)
    .where(outcomes.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(outcomes.c.id)
)
_INSERT_OUTCOME_EVENT = outcome_events.insert()


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


def _keys_of(rows: Sequence[Mapping[str, Any]]) -> dict[str, str | None]:
    """The event keys of one shipment version from its party rows."""
    by_role = {row["role"]: row for row in rows}
    consignee, shipper, seller = (by_role.get(r) for r in ("consignee", "shipper", "seller"))

    def name(row: Mapping[str, Any] | None) -> str | None:
        return None if row is None else (row["name_norm"] or row["name"])

    return {
        "consignee_name": name(consignee),
        "consignee_address": consignee["address_norm"] if consignee else None,
        "consignee_phone": consignee["phone_norm"] if consignee else None,
        "consignee_email": consignee["email_norm"] if consignee else None,
        "shipper_name": name(shipper),
        "shipper_address": shipper["address_norm"] if shipper else None,
        # A marketplace seller id identifies a seller better than its name.
        "seller": (seller["marketplace_seller_id"] or name(seller)) if seller else None,
    }


def _party_keys(connection: Connection, sids: Sequence[int]) -> dict[int, dict[str, str | None]]:
    rows: dict[int, list[Mapping[str, Any]]] = {sid: [] for sid in sids}
    for row in connection.execute(_PARTY_KEYS, {"sids": list(sids)}):
        rows[row.shipment_id].append(dict(row._mapping))
    return {sid: _keys_of(party_rows) for sid, party_rows in rows.items()}


def record_written_events(
    connection: Connection, written: Sequence[Written], rates: RateTable, currency: str
) -> None:
    """Add the events of the versions just ``written`` (in order) and close the versions
    they supersede: built from the stored rows, one INSERT whatever their number."""
    if not written:
        return
    events = []
    for version in written:
        row = version.shipment
        received_s = epoch_seconds(row["received_at"])
        if row["version"] > 1:  # a first version supersedes nothing
            connection.execute(
                _SUPERSEDE,
                {
                    "filer": row["filer_id"],
                    "reference": row["filer_reference"],
                    "new_sid": version.sid,
                    "at_s": received_s,
                },
            )
        items = [(item["value"], item["currency"]) for item in version.items]
        events.append(
            {
                "sid": version.sid,
                "filer_id": row["filer_id"],
                "filer_reference": row["filer_reference"],
                "status": row["status"],
                "received_s": received_s,
                "superseded_s": None,
                "superseded_sid": None,
                "arrival_s": epoch_seconds(row["estimated_arrival"]),
                "value": declared_value(items, rates, currency),
                **_keys_of(version.parties),
            }
        )
    connection.execute(_INSERT_EVENT, events)


def record_shipment_events(
    connection: Connection, sids: Sequence[int], rates: RateTable, currency: str
) -> list[Written]:
    """Add the events of stored shipment versions ``sids`` (in order) and close the
    versions they supersede; returns the versions read, so a caller need not read
    them again."""
    written = read_written(connection, sids)
    record_written_events(connection, written, rates, currency)
    return written


def record_shipment_event(
    connection: Connection, sid: int, rates: RateTable, currency: str
) -> Written:
    """Add the event of stored shipment version ``sid`` and close the version it
    supersedes; returns the version read."""
    return record_shipment_events(connection, [sid], rates, currency)[0]


def record_outcome_events(connection: Connection, outcome_ids: Sequence[int]) -> None:
    if not outcome_ids:
        return
    stored = connection.execute(_OUTCOMES, {"ids": list(outcome_ids)}).all()
    keys = _party_keys(connection, sorted({o.shipment_id for o in stored}))
    connection.execute(
        _INSERT_OUTCOME_EVENT,
        [
            {
                "outcome_id": outcome.id,
                "sid": outcome.shipment_id,
                "recorded_s": epoch_seconds(outcome.recorded_at),
                "violation": int(outcome.result == "violation"),
                "seizure": int(outcome.action == "seize"),
                "consignee_address": keys[outcome.shipment_id]["consignee_address"],
                "shipper_name": keys[outcome.shipment_id]["shipper_name"],
                "shipper_address": keys[outcome.shipment_id]["shipper_address"],
                "seller": keys[outcome.shipment_id]["seller"],
            }
            for outcome in stored
        ],
    )


def record_outcome_event(connection: Connection, outcome_id: int) -> None:
    record_outcome_events(connection, [outcome_id])
