"""The main job end to end on the embedded default, as ``ecomrisk demo`` runs it:
a synthetic world is filed through the ingestion path (each filing decided as it
arrives), the inspection history and watch lists are loaded, parties screened
and the live rules backtested against what the exams found."""

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select

from ecomrisk.domain.enums import FilerType
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.domain.records import Outcome
from ecomrisk.ingest.bulk import ingest_records
from ecomrisk.ingest.formats import records
from ecomrisk.ingest.validate import RecordKind
from ecomrisk.risk import rulesets_repo
from ecomrisk.risk.backtest import BacktestReport, backtest
from ecomrisk.risk.context import decider, feature_context
from ecomrisk.risk.screening import repo as screening_repo
from ecomrisk.risk.screening.lists import parse_list
from ecomrisk.settings import Settings
from ecomrisk.simulate.output import write_world
from ecomrisk.simulate.scenario import load_scenario
from ecomrisk.simulate.world import generate
from ecomrisk.store import filers_repo
from ecomrisk.store.outcomes_repo import current_version_id, record_outcome
from ecomrisk.store.schema import (
    decisions,
    filers,
    outcomes,
    screening_hits,
    watchlist_versions,
    watchlists,
)

ACTOR = "demo"
Progress = Callable[[str, int, int], None]


@dataclass
class DemoReport:
    world: Path
    filed: int = 0
    refused: int = 0
    outcomes: int = 0
    lanes: dict[str, int] = field(default_factory=dict)
    screening_hits: dict[str, int] = field(default_factory=dict)
    backtest: BacktestReport | None = None


def simulate_world(folder: Path, shipments: int, seed: int, progress: Progress) -> None:
    """A world whose goods arrive from tomorrow on, so that filing it now is filing
    in advance, as the trade does (the scenario's own dates are history)."""
    base = load_scenario()
    start = date.today() + timedelta(days=1)
    changes = {"shipments": shipments, "seed": seed, "start": start}
    scenario = base.model_validate({**base.model_dump(), **changes})
    write_world(generate(scenario, progress), folder, "ndjson", progress)


def _ensure_filers(engine: Engine, world: Path) -> dict[str, int]:
    ids = {}
    with engine.begin() as connection, (world / "filers.csv").open() as handle:
        for row in csv.DictReader(handle):
            existing = connection.execute(
                select(filers.c.id).where(filers.c.code == row["code"])
            ).scalar()
            if existing is None:
                filer, _ = filers_repo.create_filer(
                    connection,
                    code=row["code"],
                    name=row["name"],
                    filer_type=FilerType(row["filer_type"]),
                    actor=ACTOR,
                )
                existing = filer.id
            ids[row["code"]] = int(existing)
    return ids


def file_world(
    engine: Engine, settings: Settings, world: Path, report: DemoReport, progress: Progress
) -> None:
    """Every filing through the same path as a bulk upload: validated, stored, decided."""
    profile = load_profile(settings.jurisdiction)
    on_written = decider(engine, settings).written
    total = json.loads((world / "manifest.json").read_text())["shipments"]
    done = 0
    for code, filer_id in sorted(_ensure_filers(engine, world).items()):
        path = world / "filings" / f"{code}.ndjson"
        if not path.exists():
            continue
        before = done

        def advance(result: object, start: int = before) -> None:
            progress("filing and deciding", start + result.records, total)  # type: ignore[attr-defined]

        with path.open("rb") as stream:
            result = ingest_records(
                engine,
                filer_id,
                records(stream, "ndjson", settings.max_record_bytes),
                kind=RecordKind.SHIPMENT,
                profile=profile,
                actor=f"{ACTOR}:{code}",
                chunk_size=settings.ingest_chunk_size,
                max_errors=100,
                on_chunk=advance,
                on_written=on_written,
            )
        done += result.records
        report.filed += result.accepted + result.replayed
        report.refused += result.rejected


def load_outcomes(engine: Engine, world: Path, report: DemoReport, progress: Progress) -> None:
    lines = (world / "outcomes.ndjson").read_text().splitlines()
    with engine.begin() as connection:
        for number, line in enumerate(lines, start=1):
            data = json.loads(line)
            outcome = Outcome.model_validate(data["outcome"])
            sid = current_version_id(connection, data["filer"], data["filer_reference"])
            record_outcome(connection, sid, outcome, actor=ACTOR, recorded_at=outcome.examined_at)
            if number % 200 == 0 or number == len(lines):
                progress("recording exam outcomes", number, len(lines))
    report.outcomes = len(lines)


def screen(engine: Engine, world: Path, report: DemoReport) -> None:
    with engine.begin() as connection:
        for kind in ("csl", "uflpa"):
            path = world / "watchlists" / f"{kind}.csv"
            parsed = parse_list(kind, path.read_bytes(), str(path))
            screening_repo.import_list(connection, f"demo-{kind}", parsed, str(path), ACTOR)
        screening_repo.rescreen(connection)


def run_demo(
    engine: Engine, settings: Settings, progress: Progress, shipments: int = 5_000, seed: int = 42
) -> DemoReport:
    world = settings.data_dir / "demo-world"
    report = DemoReport(world)
    already = (world / "manifest.json").exists() and json.loads(
        (world / "manifest.json").read_text()
    )["shipments"] == shipments
    if not already:
        simulate_world(world, shipments, seed, progress)
    # Lists first: each filing's parties are screened as it is decided.
    screen(engine, world, report)
    file_world(engine, settings, world, report, progress)
    with engine.connect() as connection:
        recorded = connection.execute(select(func.count()).select_from(outcomes)).scalar() or 0
    if recorded:  # a second run: filing was a replay, the outcomes are there already
        report.outcomes = recorded
    else:
        load_outcomes(engine, world, report, progress)
    with engine.connect() as connection:
        report.screening_hits = {
            str(name): int(count)
            for name, count in connection.execute(
                select(watchlists.c.name, func.count())
                .select_from(screening_hits)
                .join(watchlist_versions, watchlist_versions.c.id == screening_hits.c.version_id)
                .join(watchlists, watchlists.c.id == watchlist_versions.c.watchlist_id)
                .group_by(watchlists.c.name)
            )
        }
        report.lanes = dict(
            connection.execute(
                select(decisions.c.lane, func.count())
                .where(decisions.c.kind == "live")
                .group_by(decisions.c.lane)
            ).all()
        )
        live = rulesets_repo.with_status(connection, "live")[0]
    report.backtest = backtest(engine, live, feature_context(engine, settings))
    return report
