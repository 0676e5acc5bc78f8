"""Decision rows' JSON (``risk/decision_rows.py``): whatever is encoded reads back
equal, the fast way or, for what orjson would change, the standard library's."""

import json
import math

from hypothesis import given
from hypothesis import strategies as st

from ecomrisk.domain.records import Reason
from ecomrisk.risk.decision_rows import encode, reason_documents

scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats() | st.text()
documents = st.dictionaries(st.text(), scalars) | st.lists(st.dictionaries(st.text(), scalars))


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


@given(documents)
def test_every_document_reads_back_equal(document: object) -> None:
    assert _same(json.loads(encode(document)), document)


def test_non_finite_floats_are_kept() -> None:
    features = {"ratio": math.inf, "low": -math.inf, "value": 1.5}
    assert json.loads(encode(features)) == features
    assert math.isnan(json.loads(encode([{"w": math.nan}]))[0]["w"])


def test_nested_documents_take_the_exact_way() -> None:
    document = {"versions": {"model": "risk@1"}, "n": [1, 2.5]}
    assert json.loads(encode(document)) == document


@given(
    st.lists(
        st.builds(
            Reason,
            kind=st.sampled_from(["rule", "screening", "model", "network", "intelligence"]),
            code=st.text(min_size=1).map(str.strip).filter(bool),
            text=st.text(),
            weight=st.floats(allow_nan=False),
        )
    )
)
def test_reason_documents_are_their_dumps(reasons: list[Reason]) -> None:
    assert reason_documents(reasons) == [r.model_dump() for r in reasons]
