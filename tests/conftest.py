"""Shared fixtures. The ``store`` fixture runs a test once on SQLite and once on
PostgreSQL, each in a fresh, migrated database of its own."""

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from ecomrisk.engines.batch import BatchEngine, DuckDBEngine, SparkEngine
from ecomrisk.store import migrate
from ecomrisk.store.engine import create_engine_for_url

POSTGRES_URL_ENV = "ECOMRISK_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_ENV = "ECOMRISK_REQUIRE_POSTGRES"


def _postgres_url_or_skip() -> str:
    url = os.environ.get(POSTGRES_URL_ENV)
    required = os.environ.get(REQUIRE_POSTGRES_ENV) == "1"
    if not url:
        if required:
            pytest.fail(f"{REQUIRE_POSTGRES_ENV}=1 but {POSTGRES_URL_ENV} is not set")
        pytest.skip(f"PostgreSQL tests need {POSTGRES_URL_ENV} (CI sets it in .ci/run)")
    try:
        probe = create_engine_for_url(url)
        with probe.connect() as connection:
            connection.execute(text("SELECT 1"))
        probe.dispose()
    except Exception as error:  # any connection failure means: no server here
        if required:
            pytest.fail(f"PostgreSQL at {POSTGRES_URL_ENV} is unreachable: {error}")
        pytest.skip(f"PostgreSQL at {POSTGRES_URL_ENV} is unreachable: {error}")
    return url


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine_for_url(f"sqlite:///{tmp_path / 'store.db'}")
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@contextmanager
def _postgres_schema() -> Iterator[tuple[str, str]]:
    """A schema of its own on the test server, dropped afterwards: (server url, schema)."""
    url = _postgres_url_or_skip()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine_for_url(url)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield url, schema
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


StoreUrl = Callable[[], str]


def _with_schema(url: str, schema: str) -> str:
    """libpq's ``options`` in the URL put a process's connections in ``schema``."""
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def new_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreUrl]:
    """Makes URLs of new, empty stores (no schema yet), dropped afterwards: for
    commands run as real processes, on SQLite and PostgreSQL."""
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


def postgres_engine_for(url: str) -> Engine:
    """An engine in the schema a ``new_store_url`` PostgreSQL URL names."""
    base, _, options = url.partition("?options=-csearch_path%3D")
    return create_engine_for_url(base, connect_args={"options": f"-csearch_path={options}"})


@contextmanager
def postgres_schema() -> Iterator[Engine]:
    """A migrated PostgreSQL database in a schema of its own, dropped afterwards (the
    body of ``postgres_engine``, for fixtures of a wider scope)."""
    with _postgres_schema() as (url, schema):
        engine = create_engine_for_url(url, connect_args={"options": f"-csearch_path={schema}"})
        try:
            migrate.upgrade(engine)
            yield engine
        finally:
            engine.dispose()


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    """A migrated PostgreSQL database in a schema of its own, dropped afterwards."""
    with postgres_schema() as engine:
        yield engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> Engine:
    """A fresh migrated store, on each database ecomrisk supports."""
    engine: Engine = request.getfixturevalue(f"{request.param}_engine")
    return engine


@pytest.fixture(autouse=True)
def _clean_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts from the documented defaults, whatever the shell exports."""
    from ecomrisk.settings import get_settings

    for name in list(os.environ):
        test_variable = name.startswith("ECOMRISK_TEST_") or name == REQUIRE_POSTGRES_ENV
        if name.startswith("ECOMRISK_") and not test_variable:
            monkeypatch.delenv(name)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def spark_engine() -> BatchEngine:
    """Spark in local mode, one session per test process (xdist worker): its JVM
    takes seconds to start."""
    return SparkEngine("local[2]")


@pytest.fixture(params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def engine(request: pytest.FixtureRequest) -> BatchEngine:
    """A batch engine: each test using it runs on DuckDB and on Spark."""
    if request.param == "spark":
        spark: BatchEngine = request.getfixturevalue("spark_engine")
        return spark
    return DuckDBEngine()
