"""The migrated database and the table definitions agree, on every database."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from ecomrisk.store import migrate
from ecomrisk.store.schema import metadata


def test_upgrade_reaches_head_and_is_idempotent(store: Engine) -> None:
    state = migrate.status(store)
    assert state.up_to_date
    assert state.current == state.head
    migrate.upgrade(store)  # a second run changes nothing and does not fail
    assert migrate.status(store).current == state.head


def test_migrations_create_exactly_the_schema(store: Engine) -> None:
    with store.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_every_table_exists(store: Engine) -> None:
    tables = set(inspect(store).get_table_names())
    assert set(metadata.tables) <= tables
