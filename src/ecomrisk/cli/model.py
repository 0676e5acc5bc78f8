"""``ecomrisk model``: train, evaluate, list and promote risk models."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy import Engine

from ecomrisk.cli._common import (
    ENGINE_OPTION,
    chosen_engine,
    console,
    err_console,
    fail,
    settings,
    stage_progress,
    store_engine,
)
from ecomrisk.risk.context import feature_context
from ecomrisk.risk.model import registry
from ecomrisk.store import migrate

app = typer.Typer(
    help="Risk models: train, evaluate, shadow, promote, roll back.", no_args_is_help=True
)

ACTOR = "cli"
_DAY = ["%Y-%m-%d"]


@contextmanager
def _store() -> Iterator[Engine]:
    """The store, refused with what to do when it is not migrated."""
    with store_engine() as engine:
        state = migrate.status(engine)
        if not state.up_to_date:
            raise fail(
                f"the store is at revision {state.current or '(empty)'}, not {state.head}: "
                "run `ecomrisk db upgrade` first"
            )
        yield engine


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)


@app.command()
def train(
    since: datetime = typer.Option(None, "--from", formats=_DAY, help="First filing day"),
    until: datetime = typer.Option(None, "--to", formats=_DAY, help="Day after the last"),
    seed: int = typer.Option(0, "--seed", help="Seed of every random draw in training"),
    calibration: str = typer.Option(
        "auto", "--calibration", help="auto, isotonic or platt (auto: isotonic on 1,000+)"
    ),
    search: bool = typer.Option(
        True,
        "--tune/--no-tune",
        help="Choose tree parameters by the small tuning search on the later slice",
    ),
    engine_name: str = ENGINE_OPTION,
    export: Path = typer.Option(
        None, "--export", help="Read the training set from this Parquet export"
    ),
) -> None:
    """Train on inspected shipments (features as of filing) and store the model as a draft.

    The training set is built on the batch engine; on Spark the trees are fitted by
    XGBoost's Spark training too."""
    if calibration not in ("auto", "isotonic", "platt"):
        raise fail(f"--calibration {calibration!r}: use auto, isotonic or platt")
    # XGBoost, scikit-learn and pandas load for the commands that need them only.
    from ecomrisk.risk.model.service import train_and_register
    from ecomrisk.risk.model.training import TrainingError

    batch = chosen_engine(engine_name)
    with _store() as engine:
        context = feature_context(engine, settings())
        try:
            with stage_progress() as advance:
                label, details = train_and_register(
                    engine,
                    context,
                    actor=ACTOR,
                    since=_utc(since),
                    until=_utc(until),
                    seed=seed,
                    calibration=calibration,
                    progress=advance,
                    search=search,
                    batch=batch,
                    export=export,
                )
        except TrainingError as error:
            raise fail(str(error)) from None
    slices = details["slices"]
    console.print(
        f"trained [bold]{label}[/] (draft) on {slices['fit']['examples']:,} outcomes, "
        f"calibrated ({details['calibration']}) on {slices['calibration']['examples']:,}, "
        f"tested on {slices['test']['examples']:,}"
    )
    if details.get("tuning"):
        best = details["tuning"]["best"] or "the default parameters"
        console.print(
            f"  tuning: {len(details['tuning']['trials'])} candidates, best {best}, "
            f"{details['best_iteration'] + 1} rounds"
        )
    for name, figures in details["metrics"].get("populations", {}).items():
        if figures.get("examples"):
            auc = figures.get("auc")
            console.print(
                f"  {name}: AUC {'-' if auc is None else f'{auc:.3f}'}, "
                f"precision@5% {figures['precision']['5%']:.2f}, Brier {figures['brier']:.3f} "
                f"(n={figures['examples']})"
            )
    console.print(
        f"next: ecomrisk model evaluate {label} --out DIR; ecomrisk model promote {label}"
    )


@app.command()
def evaluate(
    version: str = typer.Argument(
        None, help="NAME@VERSION (default: the live model, else the newest)"
    ),
    out: Path = typer.Option(None, "--out", help="Folder for evaluation.json and the PNG plots"),
    since: datetime = typer.Option(None, "--from", formats=_DAY, help="First filing day"),
    until: datetime = typer.Option(None, "--to", formats=_DAY, help="Day after the last"),
) -> None:
    """AUC; precision, recall, revenue at 1-10 %; calibration, Brier; by mode and facility."""
    from ecomrisk.risk.model.plots import calibration_png, precision_png
    from ecomrisk.risk.model.service import evaluate_version

    with _store() as engine:
        try:
            with console.status("scoring outcomes"):
                report = evaluate_version(
                    engine, feature_context(engine, settings()), version, _utc(since), _utc(until)
                )
        except registry.ModelRegistryError as error:
            raise fail(str(error)) from None
    text = json.dumps(report, indent=2)
    if out is not None:
        try:
            out.mkdir(parents=True, exist_ok=True)
            (out / "evaluation.json").write_text(text + "\n", "utf-8")
            calibration_png(report, out / "calibration.png")
            precision_png(report, out / "precision_at.png")
        except OSError as error:
            raise fail(f"--out {out}: cannot write: {error.strerror}") from None
    typer.echo(text)
    if out is not None:
        files = ("evaluation.json", "calibration.png", "precision_at.png")
        err_console.print(f"wrote {', '.join(str(out / f) for f in files)}", highlight=False)


@app.command("list")
def list_models() -> None:
    """List model versions, their status, window and test figures."""
    with _store() as engine, engine.connect() as connection:
        stored = registry.listing(connection)
    table = Table("model", "status", "trained", "filed from", "filed to", "AUC (random)", "by")
    for m in stored:
        window = m.details.get("window", {})
        figures = m.details.get("metrics", {}).get("populations", {}).get("random_sample", {})
        auc = figures.get("auc")
        table.add_row(
            m.label,
            m.status,
            f"{m.created_at:%Y-%m-%d %H:%M}",
            str(window.get("filed_from", ""))[:10],
            str(window.get("filed_to", ""))[:10],
            "-" if auc is None else f"{auc:.3f}",
            m.created_by,
        )
    console.print(table)


@app.command()
def show(version: str = typer.Argument(..., help="NAME@VERSION")) -> None:
    """Print a model version's metadata (window, features, metrics, code, seed) as JSON."""
    with _store() as engine, engine.connect() as connection:
        try:
            stored = registry.load(connection, version)
        except registry.ModelRegistryError as error:
            raise fail(str(error)) from None
    typer.echo(
        json.dumps(
            {
                "model": stored.label,
                "status": stored.status,
                "created_by": stored.created_by,
                "created_at": stored.created_at.isoformat(),
                "artifact_bytes": len(stored.artifact),
                **stored.details,
            },
            indent=2,
        )
    )


def _set(version: str, status: registry.Status) -> None:
    with _store() as engine, engine.begin() as connection:
        try:
            registry.set_status(connection, version, status, ACTOR)
        except registry.ModelRegistryError as error:
            raise fail(str(error)) from None
    console.print(f"{version} is now {status}")


@app.command()
def promote(version: str = typer.Argument(..., help="NAME@VERSION")) -> None:
    """Make a model live: every decision uses it (the live one is retired)."""
    _set(version, "live")


@app.command()
def shadow(version: str = typer.Argument(..., help="NAME@VERSION")) -> None:
    """Score a model beside the live one; its would-be decisions are stored as shadow."""
    _set(version, "shadow")


@app.command()
def retire(version: str = typer.Argument(..., help="NAME@VERSION")) -> None:
    """Stop using a model version."""
    _set(version, "retired")


@app.command()
def rollback() -> None:
    """Retire the live model and make the one live before it live again."""
    with _store() as engine, engine.begin() as connection:
        try:
            retired, restored = registry.rollback(connection, ACTOR)
        except registry.ModelRegistryError as error:
            raise fail(str(error)) from None
    console.print(f"{retired} retired; {restored} is live again")
