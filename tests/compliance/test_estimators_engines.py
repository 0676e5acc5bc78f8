"""The compliance report with its estimators' sums run on a batch engine (DuckDB or
Spark) equals the report computed in process."""

import random

import pytest

from ecomrisk.compliance.estimators import by_stratum
from ecomrisk.compliance.estimators_sql import by_stratum_on, sample_table
from ecomrisk.compliance.frame import Examined
from ecomrisk.compliance.report import compliance_report
from ecomrisk.engines.batch import BatchEngine

STRATA = ("mode=mail|trusted=no", "mode=express|trusted=no", "mode=mail|trusted=yes", "lone")


def _exams(count: int, seed: int) -> list[Examined]:
    rng = random.Random(seed)
    exams = []
    for i in range(count):
        stratum = STRATA[-1] if i == 0 else rng.choice(STRATA[:-1])  # one stratum of n = 1
        violation = rng.random() < 0.15
        exams.append(
            Examined(
                outcome_id=i,
                selection=rng.choice(["random"] * 4 + ["targeted"]),
                inclusion_probability=rng.choice([0.01, 0.02, 0.05, 1.0]),
                result="violation"
                if violation
                else rng.choice(["no_violation"] * 9 + ["inconclusive"]),
                finding_types=frozenset(
                    {"undervaluation"} if violation and rng.random() < 0.5 else set()
                ),
                revenue=round(rng.uniform(0, 400), 2) if violation else 0.0,
                currency="USD",
                stratum=stratum,
            )
        )
    return exams


def test_the_report_on_the_engine_equals_the_one_in_process(engine: BatchEngine) -> None:
    exams = _exams(600, seed=4)
    populations = {STRATA[0]: 40_000, STRATA[1]: 9_000, STRATA[3]: 3, "never sampled": 500}
    arguments = {
        "major": frozenset({"undervaluation"}),
        "revenue_of": lambda e: e.revenue,
        "currency": "USD",
    }
    local = compliance_report(exams, populations, **arguments)
    on_engine = compliance_report(exams, populations, **arguments, batch=engine)
    assert local.overall is not None
    assert len(local.strata) == 4
    _close(on_engine.as_json(), local.as_json())


def _close(got: object, expected: object) -> None:
    """Equal, numbers within 1e-9 relative (sums in another order round otherwise)."""
    if isinstance(expected, dict):
        assert isinstance(got, dict)
        assert got.keys() == expected.keys()
        for key in expected:
            _close(got[key], expected[key])
    elif isinstance(expected, list):
        assert isinstance(got, list)
        assert len(got) == len(expected)
        for a, b in zip(got, expected, strict=True):
            _close(a, b)
    elif isinstance(expected, float):
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)
    else:
        assert got == expected


def test_stratum_sums_give_the_in_process_means_and_variances(engine: BatchEngine) -> None:
    rng = random.Random(1)
    strata = [rng.choice("abc") for _ in range(300)]
    values = [rng.uniform(0, 50) if rng.random() < 0.3 else 0.0 for _ in strata]
    pi = [rng.choice([0.1, 0.25, 0.5]) for _ in strata]
    expected = by_stratum(strata, values, pi, {"a": 2000})
    (got,) = by_stratum_on(engine, sample_table(strata, pi, {"y": values}), {"a": 2000}).values()
    assert [(e.stratum, e.n, e.population) for e in got] == [
        (e.stratum, e.n, e.population) for e in expected
    ]
    for a, b in zip(got, expected, strict=True):
        assert a.mean == pytest.approx(b.mean, rel=1e-12)
        assert a.variance == pytest.approx(b.variance, rel=1e-9)
    with pytest.raises(ValueError, match="inclusion_probability"):
        by_stratum_on(engine, sample_table(["a"], [0.0], {"y": [1.0]}))
