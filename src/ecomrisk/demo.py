"""The whole product end to end on the embedded default, as ``ecomrisk demo`` runs
it: a synthetic world is filed through the ingestion path (each filing decided as
it arrives), the inspection history and watch lists are loaded, parties
screened; then the network is resolved and built, the live rules backtested
(after the build, so that the network rule has scores to hit), a model trained
and promoted, history rescored with it, facilities set up, a
compliance design made and the targeting selection run for the first days.

Every stage is skipped when its result is in the store already, so running the
demo again on the same store neither fails nor duplicates anything."""

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select

from ecomrisk.compliance import designs_repo
from ecomrisk.compliance import service as compliance_service
from ecomrisk.compliance.frame import Period
from ecomrisk.compliance.strata import STRATIFIERS
from ecomrisk.domain.enums import ExamType, FilerType
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.domain.records import Outcome
from ecomrisk.ingest.bulk import ingest_records
from ecomrisk.ingest.formats import records
from ecomrisk.ingest.validate import RecordKind
from ecomrisk.risk import rulesets_repo
from ecomrisk.risk.backtest import BacktestReport, backtest
from ecomrisk.risk.context import decider, feature_context
from ecomrisk.risk.model import registry
from ecomrisk.risk.rescore import rescore
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
    network_runs,
    networks,
    outcomes,
    screening_hits,
    shipments,
    watchlist_versions,
    watchlists,
)
from ecomrisk.targeting import facilities_repo, runs_repo

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
    model: str | None = None
    model_auc: float | None = None
    model_problem: str | None = None  # why no model was trained (a world too small)
    networks: int = 0
    facilities: list[str] = field(default_factory=list)
    selected: dict[str, int] = field(default_factory=dict)  # "FACILITY DAY" -> picks
    selection_days: list[date] = field(default_factory=list)
    design: int | None = None
    rescored: int = 0


DEMO_DAYS = 60  # long enough for history features, trends and several selection days


def simulate_world(
    folder: Path, shipments: int, seed: int, progress: Progress, days: int | None = None
) -> None:
    """A world whose goods arrive from tomorrow on, so that filing it now is filing
    in advance, as the trade does (the scenario's own dates are history); ``days``
    long, else as long as the scenario."""
    base = load_scenario()
    start = date.today() + timedelta(days=1)
    changes: dict[str, object] = {"shipments": shipments, "seed": seed, "start": start}
    if days is not None:
        changes["days"] = days
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


SELECTION_DAYS = 3
# Share of a facility's average daily arrivals it can examine, per exam type: small
# enough that targeting has to choose, large enough for every reason to appear.
CAPACITY_SHARE = {ExamType.DOCUMENT_REVIEW: 0.04, ExamType.SCAN: 0.02, ExamType.PHYSICAL: 0.01}


def build_network(engine: Engine, report: DemoReport, progress: Progress) -> None:
    """Resolve parties into entities and build the link graph, once."""
    from ecomrisk.risk.network.build import build  # Splink and DuckDB only when needed
    from ecomrisk.risk.network.resolve import resolve

    with engine.connect() as connection:
        built = connection.execute(select(func.count()).select_from(network_runs)).scalar()
    if not built:
        resolve(engine, progress=progress)
        build(engine, progress=progress)
    with engine.connect() as connection:
        report.networks = int(
            connection.execute(select(func.count()).select_from(networks)).scalar() or 0
        )


def train_and_promote(
    engine: Engine, settings: Settings, report: DemoReport, progress: Progress, seed: int
) -> None:
    """Train a model on the exams and make it live, unless one is live already; a
    world too small for a model goes on deciding on rules alone, and says so."""
    from ecomrisk.risk.model.service import train_and_register  # XGBoost only when needed
    from ecomrisk.risk.model.training import TrainingError

    with engine.connect() as connection:
        live = registry.with_status(connection, "live")
    if live:
        stored = live[0]
    else:
        try:
            label, _ = train_and_register(
                engine, feature_context(engine, settings), actor=ACTOR, seed=seed, progress=progress
            )
        except TrainingError as error:
            report.model_problem = str(error)
            return
        with engine.begin() as connection:
            registry.set_status(connection, label, "live", ACTOR)
            stored = registry.load(connection, label)
    report.model = stored.label
    figures = stored.details.get("metrics", {}).get("populations", {}).get("random_sample", {})
    report.model_auc = figures.get("auc")


def set_up_facilities(engine: Engine, report: DemoReport) -> None:
    """A facility per port of arrival, with capacity in proportion to its arrivals."""
    with engine.begin() as connection:
        rows = connection.execute(
            select(
                shipments.c.port_of_arrival,
                func.count(),
                func.min(shipments.c.estimated_arrival),
                func.max(shipments.c.estimated_arrival),
            )
            .where(shipments.c.is_current)
            .group_by(shipments.c.port_of_arrival)
            .order_by(shipments.c.port_of_arrival)
        ).all()
        existing = {f.code for f in facilities_repo.list_all(connection)}
        for port, count, first, last in rows:
            report.facilities.append(port)
            if port in existing:
                continue
            days = max(1, (last - first).days + 1)
            capacity = {
                exam: max(1, round(count / days * share)) for exam, share in CAPACITY_SHARE.items()
            }
            facilities_repo.put(
                connection, port, actor=ACTOR, name=f"Port {port}", capacity=capacity, active=True
            )


def design_sample(engine: Engine, report: DemoReport) -> None:
    """A compliance sample design over the whole world, unless one is in force."""
    with engine.connect() as connection:
        report.design = designs_repo.latest_id(connection)
    if report.design is None:
        made = compliance_service.new_design(
            engine,
            Period(),
            STRATIFIERS,
            expected_rate=0.10,
            margin=0.03,
            confidence=0.95,
            allocation="overall",
            actor=ACTOR,
        )
        report.design = made.id


def select_first_days(
    engine: Engine, settings: Settings, report: DemoReport, progress: Progress, seed: int
) -> None:
    """The targeting selection of every facility for the world's first customs days
    (it arrives from tomorrow on)."""
    from ecomrisk.web.queue_source import customs_today

    profile = load_profile(settings.jurisdiction)
    first = customs_today(profile, datetime.now(UTC))
    report.selection_days = [first + timedelta(days=n) for n in range(1, SELECTION_DAYS + 1)]
    with engine.connect() as connection:
        chosen = facilities_repo.list_all(connection, active_only=True)
    jobs = [(f, day) for day in report.selection_days for f in chosen]
    for done, (facility, day) in enumerate(jobs, start=1):
        with engine.begin() as connection:
            if runs_repo.existing_run(connection, facility.id, day) is None:
                runs_repo.run(connection, facility, day, profile, settings, actor=ACTOR, seed=seed)
            picked = runs_repo.read(connection, facility, day)["summary"]["selected"]
        report.selected[f"{facility.code} {day}"] = int(picked)
        progress("targeting selection", done, len(jobs))


def run_product(
    engine: Engine, settings: Settings, report: DemoReport, progress: Progress, seed: int = 42
) -> None:
    """Everything after filing: network, backtest, model, rescoring, facilities, design,
    selection."""
    build_network(engine, report, progress)
    with engine.connect() as connection:
        live = rulesets_repo.with_status(connection, "live")[0]
    report.backtest = backtest(engine, live, feature_context(engine, settings))
    train_and_promote(engine, settings, report, progress, seed)
    report.rescored = rescore(
        engine,
        feature_context(engine, settings),
        progress=lambda done, total: progress("rescoring with the live model", done, total),
        chunk_rows=settings.score_chunk_size,
    )
    set_up_facilities(engine, report)
    design_sample(engine, report)
    select_first_days(engine, settings, report, progress, seed)


def run_demo(
    engine: Engine, settings: Settings, progress: Progress, shipments: int = 5_000, seed: int = 42
) -> DemoReport:
    world = settings.data_dir / "demo-world"
    report = DemoReport(world)
    already = (world / "manifest.json").exists() and json.loads(
        (world / "manifest.json").read_text()
    )["shipments"] == shipments
    if not already:
        simulate_world(world, shipments, seed, progress, DEMO_DAYS)
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
    return report
