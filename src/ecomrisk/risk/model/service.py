"""The model's jobs on a store: train and register, evaluate a version."""

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from ecomrisk.engines.batch import BatchEngine, SparkEngine
from ecomrisk.features.matrix import FeatureContext
from ecomrisk.risk.model import registry
from ecomrisk.risk.model.artifact import TrainedModel
from ecomrisk.risk.model.booster import Fitter, fit
from ecomrisk.risk.model.dataset import training_examples, training_examples_on
from ecomrisk.risk.model.evaluation import evaluate_examples
from ecomrisk.risk.model.training import train

Progress = Callable[[str, int, int], None]


def train_and_register(
    engine: Engine,
    context: FeatureContext,
    *,
    actor: str,
    since: datetime | None = None,
    until: datetime | None = None,
    seed: int = 0,
    calibration: str = "auto",
    progress: Progress | None = None,
    search: bool = True,
    batch: BatchEngine | None = None,
    export: Path | None = None,
) -> tuple[str, dict[str, Any]]:
    """Train on the shipments filed in [since, until) and store the model as a draft
    (``search``: with the tuning search, recorded in its details).

    ``batch``: build the training set on that engine (over ``export`` if given) and,
    on Spark, fit the trees with XGBoost's Spark training; else the store's SQL and
    XGBoost in process."""
    fitter: Fitter = fit
    if batch is None:
        examples = training_examples(engine, context, since, until)
    else:
        examples = training_examples_on(batch, engine, context, since, until, export)
        if isinstance(batch, SparkEngine):
            from ecomrisk.risk.model.spark_fit import spark_fitter

            fitter = spark_fitter(batch.master)
    model, details = train(
        examples,
        seed=seed,
        calibration=calibration,
        progress=progress,
        search=search,
        fitter=fitter,
    )
    details["engine"] = "local" if batch is None else batch.name
    details["window"]["requested"] = {
        "from": since.isoformat() if since else None,
        "to": until.isoformat() if until else None,
    }
    with engine.begin() as connection:
        label = registry.register(connection, model.to_bytes(), details, actor)
    return label, details


def evaluate_version(
    engine: Engine,
    context: FeatureContext,
    label: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    """Figures of a model version (default: the live one, else the newest) on the
    outcomes it never saw: those examined from its test slice on, or, with
    ``since``/``until``, every outcome of shipments filed in that window."""
    with engine.connect() as connection:
        if label is None:
            live = registry.with_status(connection, "live")
            every = registry.listing(connection)
            if not every:
                raise registry.ModelNotFoundError(
                    "no model trained yet: run `ecomrisk model train`"
                )
            stored = live[0] if live else max(every, key=lambda m: m.created_at)
        else:
            stored = registry.load(connection, label)
    model = TrainedModel.from_bytes(stored.artifact, stored.label)
    examples = training_examples(engine, context, since, until)
    if since is None and until is None:
        start = stored.details.get("slices", {}).get("test_examined_from")
        cut = datetime.fromisoformat(start) if start else None
        examples = [e for e in examples if cut is not None and e.examined_at >= cut]
        population = f"outcomes examined from {start} on (never seen in training)"
    else:
        population = "outcomes of shipments filed in the window (may include training data)"
    report = {"model": stored.label, "status": stored.status, "outcomes": population}
    report.update(evaluate_examples(model, examples))
    return report
