"""Exchange-rate tables in the store: import one, read the one in force."""

from datetime import UTC, datetime

from sqlalchemy import Connection, delete, func, select

from ecomrisk.reference.fx import RateTable
from ecomrisk.store.schema import fx_rates


def save_rates(connection: Connection, table: RateTable) -> int:
    """Store a rate table (replacing one of the same date); returns the rows written."""
    as_of = table.as_of.isoformat()
    connection.execute(delete(fx_rates).where(fx_rates.c.as_of == as_of))
    now = datetime.now(UTC)
    rows = [
        {"as_of": as_of, "currency": c, "per_eur": r, "source": table.source, "imported_at": now}
        for c, r in sorted(table.per_eur.items())
    ]
    connection.execute(fx_rates.insert(), rows)
    return len(rows)


def latest_rates(connection: Connection) -> RateTable | None:
    """The most recent table in the store, or None before any import."""
    as_of = connection.execute(select(func.max(fx_rates.c.as_of))).scalar()
    if as_of is None:
        return None
    rows = connection.execute(select(fx_rates).where(fx_rates.c.as_of == as_of)).all()
    return RateTable(
        as_of=datetime.fromisoformat(as_of).date(),
        source=rows[0].source,
        per_eur={row.currency: row.per_eur for row in rows},
    )
