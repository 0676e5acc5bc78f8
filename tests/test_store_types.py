"""Column types give back exactly what was stored, on every database."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select

from ecomrisk.store.schema import filers, fx_rates


def test_timestamps_come_back_aware_in_utc(store: Engine) -> None:
    plus_eight = datetime(2026, 3, 1, 18, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8)))
    with store.begin() as connection:
        connection.execute(
            filers.insert().values(
                code="F1", name="Filer", filer_type="marketplace", created_at=plus_eight
            )
        )
        stored = connection.execute(select(filers.c.created_at)).scalar_one()
    assert stored == plus_eight
    assert stored.tzinfo is not None
    assert stored.utcoffset() == timedelta(0)
    assert stored.hour == 10


def test_naive_timestamps_are_refused(store: Engine) -> None:
    with pytest.raises(Exception, match="naive datetime"), store.begin() as connection:
        connection.execute(
            filers.insert().values(
                code="F2", name="F", filer_type="broker", created_at=datetime(2026, 1, 1)
            )
        )


def test_money_keeps_every_digit(store: Engine) -> None:
    amount = Decimal("12345678901234.5678")
    with store.begin() as connection:
        connection.execute(
            fx_rates.insert().values(
                as_of="2026-01-01",
                currency="XAU",
                per_eur=amount,
                source="t",
                imported_at=datetime.now(UTC),
            )
        )
        assert connection.execute(select(fx_rates.c.per_eur)).scalar_one() == amount
