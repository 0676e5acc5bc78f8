"""Stores for commands run as real processes: a URL each, on SQLite and PostgreSQL."""

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from ecomrisk.store.engine import create_engine_for_url
from tests.conftest import _postgres_url_or_skip

StoreUrl = Callable[[], str]


def _with_schema(url: str, schema: str) -> str:
    """libpq's ``options`` in the URL put a process's connections in ``schema``."""
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def new_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreUrl]:
    """Makes URLs of new, empty stores (no schema yet), dropped afterwards."""
    made: list[str] = []
    if request.param == "sqlite":

        def sqlite_url() -> str:
            made.append(f"sqlite:///{tmp_path / f'store-{len(made)}.db'}")
            return made[-1]

        yield sqlite_url
        return
    base = _postgres_url_or_skip()
    admin = create_engine_for_url(base)

    def postgres_url() -> str:
        schema = f"p_{uuid.uuid4().hex[:12]}"
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        made.append(schema)
        return _with_schema(base, schema)

    try:
        yield postgres_url
    finally:
        with admin.begin() as connection:
            for schema in made:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _postgres_engine_for(url: str) -> Engine:
    """An engine in the schema a ``new_store_url`` PostgreSQL URL names."""
    base, _, options = url.partition("?options=-csearch_path%3D")
    return create_engine_for_url(base, connect_args={"options": f"-csearch_path={options}"})
