"""The model scored on a batch engine (Spark: ``mapInArrow`` in its Python workers)
gives what it gives in process, row for row and in order."""

import json
from dataclasses import replace

import numpy as np
import pyarrow as pa
import pytest

from ecomrisk.engines.batch import BatchEngine
from ecomrisk.risk.model.artifact import TrainedModel, _top_contributions
from ecomrisk.risk.model.batch_scoring import assess_on, assessment_function, input_table
from ecomrisk.risk.model.dataset import Example
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


def _richer(examples: list[Example]) -> list[Example]:
    """Simulated examples with features of every kind a filing has: counts (int),
    shares that may be missing, levels, a chapter the words quote."""
    rng = np.random.default_rng(11)
    out = []
    for e in examples:
        violation = float(e.violation)
        features = {
            **e.features,
            "shipper_history_count": int(rng.poisson(1 + 4 * (1 - violation))),
            "screening_max_score": float(rng.random() * (0.5 + violation)),
            "description_fit_min": None if rng.random() < 0.2 else float(rng.random()),
            "hs_chapter": str(rng.choice(["61", "62", "85", "95"])),
            "country_of_export": str(rng.choice(["CN", "VN", "TR"])),
        }
        out.append(replace(e, features=features))
    return out


def test_the_columnar_assessment_is_the_row_by_row_one() -> None:
    trained = train(_richer(simulated_examples(1500, seed=4)), seed=2)[0]
    model = TrainedModel.from_bytes(trained.to_bytes(), "risk@2")
    rows = [e.features for e in _richer(simulated_examples(2000, seed=8))]
    rows[0] = {**rows[0], "mode": "truck", "value_to_reference_min": float("inf")}
    rows[1] = {**rows[1], "hs_chapter": None, "screening_max_score": None}
    batch = pa.RecordBatch.from_pylist(rows)
    # Levels as Parquet may hand them over (dictionary-encoded), a column not filed at all.
    dictionary = batch.column("country_of_export").dictionary_encode()
    batch = batch.set_column(
        batch.schema.get_field_index("country_of_export"), "country_of_export", dictionary
    )
    batch = batch.drop_columns(["port_of_arrival"])

    expected = model.assess_many(batch.to_pylist())
    scored = assessment_function(model)(batch)

    assert scored.column("probability").to_pylist() == pytest.approx(
        [a.probability for a in expected], rel=1e-12, abs=1e-15
    )
    assert scored.column("expected_revenue").to_pylist() == pytest.approx(
        [a.expected_revenue for a in expected], rel=1e-12, abs=1e-12
    )
    reasons = [json.loads(r) for r in scored.column("reasons").to_pylist()]
    assert reasons == [[r.model_dump() for r in a.reasons] for a in expected]
    # Real reasons, not only the score: several features show in the words.
    named = {r["code"] for row in reasons for r in row[1:]}
    assert len(named) >= 4, named


def test_the_top_contributions_break_ties_by_name_as_the_row_by_row_sort() -> None:
    features = ["b", "a", "d", "c"]
    values = np.array([[0.5, -0.5, 0.1, 0.5], [0.0, 0.0, 0.0, 0.0], [-0.2, 0.3, -0.4, 0.1]])
    names, top = _top_contributions(features, values)
    for row, row_names, row_top in zip(values, names, top.tolist(), strict=True):
        named = zip(features, row.tolist(), strict=True)
        ranked = sorted(named, key=lambda kv: (-abs(kv[1]), kv[0]))[:3]
        assert list(zip(row_names, row_top, strict=True)) == ranked
    assert names[0] == ["a", "b", "c"]
