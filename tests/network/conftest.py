"""A small synthetic world filed through the real ingestion path (each filing decided,
so its parties are linked as they arrive), on each database."""

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from ecomrisk.demo import DemoReport, _ensure_filers, screen, simulate_world
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.domain.records import Outcome
from ecomrisk.ingest.bulk import ingest_records
from ecomrisk.ingest.formats import records
from ecomrisk.ingest.validate import RecordKind
from ecomrisk.risk.context import decider
from ecomrisk.settings import Settings
from ecomrisk.store.outcomes_repo import OutcomeError, current_version_id, record_outcome

SHIPMENTS = 450


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("world")
    simulate_world(folder, SHIPMENTS, seed=11, progress=lambda *_: None)
    return folder


def _settings(engine: Engine) -> Settings:
    # The decider looks for a new link model and network build on every filing: the
    # tests resolve or build, then file at once (faster than the default 1 s refresh).
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False), decision_refresh_seconds=0
    )


FileWorld = Callable[[float, float], int]


def _filer(store: Engine, world: Path) -> FileWorld:
    """``file(start, stop)`` files that share [start, stop) of every filer's file."""
    settings = _settings(store)
    profile = load_profile(settings.jurisdiction)
    filer_ids = _ensure_filers(store, world)
    on_written = decider(store, settings).written

    def file(start: float, stop: float) -> int:
        filed = 0
        for code, filer_id in sorted(filer_ids.items()):
            path = world / "filings" / f"{code}.ndjson"
            if not path.exists():
                continue
            lines = path.read_bytes().splitlines(keepends=True)
            part = b"".join(lines[int(start * len(lines)) : int(stop * len(lines))])
            result = ingest_records(
                store,
                filer_id,
                records(io.BytesIO(part), "ndjson", settings.max_record_bytes),
                kind=RecordKind.SHIPMENT,
                profile=profile,
                actor="test",
                chunk_size=200,
                max_errors=0,
                on_written=on_written,
            )
            filed += result.accepted
        return filed

    return file


@pytest.fixture
def file_world(store: Engine, world: Path) -> FileWorld:
    """The world filed into the store of each database."""
    return _filer(store, world)


@pytest.fixture
def file_world_sqlite(sqlite_engine: Engine, world: Path) -> FileWorld:
    """The world filed into SQLite only: for tests of what sits above the store."""
    return _filer(sqlite_engine, world)


def history(store: Engine, world: Path) -> None:
    """The world's watch lists (stored parties screened), and the exam outcomes of the
    shipments filed so far."""
    screen(store, world, DemoReport(world))
    with store.begin() as connection:
        for line in (world / "outcomes.ndjson").read_text().splitlines():
            data = json.loads(line)
            try:
                sid = current_version_id(connection, data["filer"], data["filer_reference"])
            except OutcomeError:
                continue  # not filed in this part of the test
            outcome = Outcome.model_validate(data["outcome"])
            record_outcome(connection, sid, outcome, actor="test", recorded_at=outcome.examined_at)
