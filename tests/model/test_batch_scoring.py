"""The model scored on a batch engine (Spark: ``mapInArrow`` in its Python workers)
gives what it gives in process, row for row and in order."""

import pytest

from ecomrisk.engines.batch import BatchEngine
from ecomrisk.risk.model.artifact import TrainedModel
from ecomrisk.risk.model.batch_scoring import assess_on, input_table
from ecomrisk.risk.model.training import train
from tests.model.simulated import simulated_examples


@pytest.fixture(scope="module")
def model() -> TrainedModel:
    trained = train(simulated_examples(600, seed=3), seed=1)[0]
    return TrainedModel.from_bytes(trained.to_bytes(), "risk@1")


def test_assessments_on_the_engine_equal_those_in_process(
    model: TrainedModel, engine: BatchEngine
) -> None:
    # Missing and unseen levels too: they must stay missing on the way through Arrow.
    rows = [e.features for e in simulated_examples(300, seed=9)] + [{"mode": "truck"}, {}]
    assert assess_on(engine, model, rows) == model.assess_many(rows)


def test_the_input_table_holds_only_what_the_boosters_read(model: TrainedModel) -> None:
    rows = [{**e.features, "not_a_feature": 1} for e in simulated_examples(5, seed=1)]
    table = input_table(model, rows)
    assert "not_a_feature" not in table.column_names
    assert set(table.column_names) == set(model.classifier.features)
    assert assess_on_empty(model) == []


def assess_on_empty(model: TrainedModel) -> list[object]:
    from ecomrisk.engines.batch import DuckDBEngine

    return list(assess_on(DuckDBEngine(), model, []))
