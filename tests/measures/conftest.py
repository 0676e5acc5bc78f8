"""A synthetic world with known truth filed into a real store (SQLite and PostgreSQL)
through the ingestion path, with exam outcomes, one trusted filer, one enforcement
case released after detention, and some filings made late on purpose, so that
every measure has something to count.

The world's files stay beside the store: tests recompute each measure from them
in plain Python and compare."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from ecomrisk.demo import DemoReport, file_world, load_outcomes
from ecomrisk.enforcement import cases_repo
from ecomrisk.enforcement.lifecycle import Step
from ecomrisk.measures.compute import Context
from ecomrisk.reference.fx import bundled_rates
from ecomrisk.settings import Settings
from ecomrisk.simulate.output import write_world
from ecomrisk.simulate.scenario import load_scenario
from ecomrisk.simulate.world import generate
from ecomrisk.store import migrate
from ecomrisk.store.engine import create_engine_for_url
from ecomrisk.store.schema import outcomes, shipments
from ecomrisk.targeting import trusted_repo
from tests.conftest import postgres_schema

SHIPMENTS = 300
TRUSTED_FILER = "EXP-2"
LATE_EVERY = 5  # every fifth filing arrives in 2 hours: in advance, but after 4-hour deadlines
AFTER_EVERY = 7  # every seventh arrived yesterday: filed after arrival


@dataclass
class Filled:
    engine: Engine
    world: Path
    filings: list[dict[str, Any]]  # each with "filer"
    outcomes: list[dict[str, Any]]
    filed_at: datetime  # before the first filing was sent
    case_release: tuple[datetime, datetime]  # (arrival, release) of the one case
    context: Context


def _bend(world: Path, now: datetime) -> None:
    """Make some filings late, in the files themselves (they are the truth)."""
    for path in sorted((world / "filings").glob("*.ndjson")):
        lines = []
        for number, line in enumerate(path.read_text().splitlines()):
            filing = json.loads(line)
            if number % AFTER_EVERY == 3:
                filing["estimated_arrival"] = (now - timedelta(days=1)).isoformat()
            elif number % LATE_EVERY == 1:
                filing["estimated_arrival"] = (now + timedelta(hours=2)).isoformat()
            lines.append(json.dumps(filing))
        path.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="session")
def world_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("measures-world")
    base = load_scenario()
    data = base.model_dump()
    data.update(shipments=SHIPMENTS, seed=11, start=date.today() + timedelta(days=1))
    data["inspection"] = {**data["inspection"], "random_rate": 0.3, "targeted_rate": 0.15}
    # Six times the default schemes (not splitting, which multiplies parcels), so
    # that a few hundred shipments have seizures.
    for name, scheme in data["schemes"].items():
        if name != "splitting":
            scheme["rate"] *= 6
    write_world(generate(base.model_validate(data)), folder, "ndjson")
    _bend(folder, datetime.now(UTC))
    return folder


def _quiet(stage: str, done: int, total: int) -> None:
    pass


def _read(world: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    filings = []
    for path in sorted((world / "filings").glob("*.ndjson")):
        for line in path.read_text().splitlines():
            filings.append({**json.loads(line), "filer": path.stem})
    found = [json.loads(line) for line in (world / "outcomes.ndjson").read_text().splitlines()]
    return filings, found


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def measures_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """One migrated store per database for the whole module: filing the world is the
    slow part, and the tests only read it (or add what no other test reads)."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("measures-store") / "store.db"
        engine = create_engine_for_url(f"sqlite:///{path}")
        migrate.upgrade(engine)
        yield engine
        engine.dispose()
        return
    with postgres_schema() as engine:
        yield engine


@pytest.fixture(scope="module")
def filled(measures_store: Engine, world_files: Path) -> Filled:
    store = measures_store
    settings = Settings()
    filed_at = datetime.now(UTC)
    report = DemoReport(world_files)
    file_world(store, settings, world_files, report, _quiet)
    assert report.refused == 0
    load_outcomes(store, world_files, report, _quiet)
    with store.begin() as connection:
        trusted_repo.add(
            connection,
            "filer",
            TRUSTED_FILER,
            source="test",
            actor="t",
            valid_from=date.today() - timedelta(days=30),
        )
        # One detained shipment released later through its case.
        seized = connection.execute(
            select(outcomes.c.id, outcomes.c.shipment_id, shipments.c.estimated_arrival)
            .join(shipments, shipments.c.id == outcomes.c.shipment_id)
            .where(outcomes.c.action == "detain")
            .order_by(outcomes.c.id)
            .limit(1)
        ).first()
        if seized is None:
            seized = connection.execute(
                select(outcomes.c.id, outcomes.c.shipment_id, shipments.c.estimated_arrival)
                .join(shipments, shipments.c.id == outcomes.c.shipment_id)
                .where(outcomes.c.action != "release")
                .order_by(outcomes.c.id)
                .limit(1)
            ).one()
        arrival = seized.estimated_arrival
        case_id = cases_repo.open_case(
            connection,
            seized.shipment_id,
            Step.DETAIN,
            actor="t",
            outcome_id=seized.id,
            at=arrival + timedelta(hours=3),
        )
        released = arrival + timedelta(hours=50)
        cases_repo.add_step(connection, case_id, Step.RELEASE, actor="t", at=released)
    filings, found = _read(world_files)
    context = Context("USD", bundled_rates(), frozenset(settings.compliance_major_findings))
    return Filled(store, world_files, filings, found, filed_at, (arrival, released), context)
