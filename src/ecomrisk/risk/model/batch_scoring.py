"""The model applied to Arrow batches, so a batch engine can score where the rows
are (Spark: ``mapInArrow`` in its Python workers; DuckDB: batch by batch in
process). The same assessment as a live filing's ``TrainedModel.assess_many``,
computed a column at a time (``assess_batch``): the batch carries only the
model's input columns, and what comes back is the assessment (probability,
expected revenue, reasons) that ``decide`` takes.
"""

import json
from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ecomrisk.domain.records import Reason
from ecomrisk.engines.batch import BatchEngine, BatchFunction
from ecomrisk.risk.model.assessment import ModelAssessment

if TYPE_CHECKING:  # XGBoost loads with the first model, not with every command
    from ecomrisk.risk.model.artifact import TrainedModel

ASSESSMENT_SCHEMA = pa.schema(
    [
        ("probability", pa.float64()),
        ("expected_revenue", pa.float64()),
        ("reasons", pa.string()),  # JSON list of Reason
    ]
)


def _inputs(model: "TrainedModel") -> dict[str, pa.DataType]:
    """Each column the model's boosters read, typed as they read it."""
    boosters = [model.classifier, *([model.revenue] if model.revenue is not None else [])]
    types: dict[str, pa.DataType] = {}
    for booster in boosters:
        for name in booster.features:
            types[name] = pa.string() if name in booster.categories else pa.float64()
    return types


def _cell(value: Any, kind: pa.DataType) -> Any:
    if value is None:
        return None
    return str(value) if kind == pa.string() else float(value)


def input_table(model: "TrainedModel", rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """The model's input columns of ``rows``, with the types the boosters read them as
    (a level as its string, a number as a float: what ``assess_many`` does itself)."""
    columns = {
        name: pa.array([_cell(row.get(name), kind) for row in rows], kind)
        for name, kind in _inputs(model).items()
    }
    return pa.table(columns)


@cache
def _loaded(artifact: bytes, label: str) -> "TrainedModel":
    # Once per worker process: a worker scores many batches with the same model.
    from ecomrisk.risk.model.artifact import TrainedModel

    return TrainedModel.from_bytes(artifact, label)


def assessment_function(model: "TrainedModel") -> BatchFunction:
    """A picklable function from a batch of model inputs to their assessments."""
    artifact, label = model.to_bytes(), model.label

    def assess(batch: pa.RecordBatch) -> pa.RecordBatch:
        assessed = _loaded(artifact, label).assess_batch(batch)
        return pa.RecordBatch.from_arrays(
            [
                pa.array(assessed.probability, pa.float64()),
                pa.array(assessed.expected_revenue, pa.float64()),
                pa.array([json.dumps(reasons) for reasons in assessed.reasons], pa.string()),
            ],
            schema=ASSESSMENT_SCHEMA,
        )

    return assess


def assess_on(
    batch: BatchEngine, model: "TrainedModel", rows: Sequence[Mapping[str, Any]]
) -> list[ModelAssessment]:
    """``model.assess_many(rows)``, computed on the batch engine."""
    if not rows:
        return []
    scored = batch.map_batches(
        input_table(model, rows), assessment_function(model), ASSESSMENT_SCHEMA
    )
    return [
        ModelAssessment(
            model.label,
            probability,
            revenue,
            [Reason.model_validate(r) for r in json.loads(reasons)],
            model.thresholds,
        )
        for probability, revenue, reasons in zip(
            scored.column("probability").to_pylist(),
            scored.column("expected_revenue").to_pylist(),
            scored.column("reasons").to_pylist(),
            strict=True,
        )
    ]
