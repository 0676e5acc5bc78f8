"""Training on a batch engine: the training set built on DuckDB or Spark is the one the
store's SQL builds, and XGBoost's Spark training gives the model in-process training
gives (exactly on one worker; closely on two)."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine

from ecomrisk.engines.batch import BatchEngine, SparkEngine
from ecomrisk.engines.export import export_parquet
from ecomrisk.risk.context import feature_context
from ecomrisk.risk.model.dataset import training_examples, training_examples_on
from ecomrisk.risk.model.metrics import auc
from ecomrisk.risk.model.spark_fit import spark_fitter
from ecomrisk.risk.model.training import labels, time_slices, train
from ecomrisk.settings import Settings
from tests.model.simulated import simulated_examples
from tests.model.store_history import Filings

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _inspected_world(store: Engine) -> None:
    filings = Filings(store)
    for i in range(12):
        sid = filings.file(f"R{i}", T0 + timedelta(hours=3 * i))
        at = T0 + timedelta(hours=3 * i + 1)
        if i % 4 != 3:  # a quarter never examined: not in the training set
            selection = "random" if i % 3 == 0 else "targeted"
            filings.outcome(sid, at, violation=i % 2 == 0, selection=selection)
        if i % 5 == 0:  # a second exam of the same version: one example, merged
            filings.outcome(sid, at + timedelta(hours=1), violation=False)


def test_the_training_set_on_the_engine_is_the_stores(
    sqlite_engine: Engine, engine: BatchEngine, tmp_path: Path
) -> None:
    _inspected_world(sqlite_engine)
    context = feature_context(sqlite_engine, Settings())
    expected = training_examples(sqlite_engine, context)
    assert len(expected) == 9
    assert any(e.violation for e in expected)
    assert training_examples_on(engine, sqlite_engine, context) == expected
    # The same from the Parquet export, and within a window of filing times.
    export_parquet(sqlite_engine, tmp_path / "x")
    since, until = T0 + timedelta(hours=5), T0 + timedelta(hours=25)
    window = training_examples(sqlite_engine, context, since, until)
    assert 0 < len(window) < len(expected)
    on_export = training_examples_on(engine, sqlite_engine, context, since, until, tmp_path / "x")
    assert on_export == window


@pytest.mark.spark
def test_spark_training_gives_the_in_process_model(spark_engine: SparkEngine) -> None:
    examples = simulated_examples(1500, seed=3)
    rows = [e.features for e in simulated_examples(400, seed=9)]
    local, local_details = train(examples, seed=1)
    # One worker sees every row in the order given: the same histograms, the same
    # subsample draws, the same trees: probabilities equal up to float rounding.
    alone, alone_details = train(examples, seed=1, fitter=spark_fitter(spark_engine.master, 1))
    assert alone_details["best_iteration"] == local_details["best_iteration"]
    assert np.allclose(alone.probability(rows), local.probability(rows), rtol=0, atol=1e-9)
    assert np.allclose(alone.expected_revenue(rows), local.expected_revenue(rows), atol=1e-9)
    # Two workers split the rows: other subsample draws and a merged quantile sketch,
    # so other trees of the same quality. Measured on this data: mean |difference| of
    # probability 0.03, AUC 0.786 against 0.781; the bounds leave room for other seeds.
    split, _ = train(examples, seed=1, fitter=spark_fitter(spark_engine.master, 2))
    assert np.abs(split.probability(rows) - local.probability(rows)).mean() < 0.06
    test = time_slices(examples).test
    x = [e.features for e in test]
    local_auc = auc(labels(test), local.probability(x))
    assert auc(labels(test), split.probability(x)) == pytest.approx(local_auc, abs=0.03)
