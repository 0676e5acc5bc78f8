"""The project's XGBoost routine on small synthetic data with a known signal."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from ecomrisk.risk.model import booster, metrics

FAST = booster.BoosterParams(
    max_depth=3, learning_rate=0.2, max_rounds=60, early_stopping_rounds=10
)


def _data(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """A numeric and a categorical driver of the label, plus a noise column."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "value": rng.normal(size=n),
            "origin": rng.choice(["CN", "US", "DE", "VN"], size=n),
            "noise": rng.normal(size=n),
        }
    )
    logit = 1.5 * frame["value"] + np.where(frame["origin"] == "CN", 1.5, -0.5) - 0.5
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return frame, y


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame, np.ndarray]:
    train, y = _data(3000, 1)
    valid, yv = _data(1500, 2)
    return train, y, valid, yv


def test_learns_a_known_signal_and_stops_early(data) -> None:  # type: ignore[no-untyped-def]
    train, y, valid, yv = data
    model = booster.fit(train, y, valid=(valid, yv), params=FAST, seed=0, nthread=1)
    assert model.categories == {"origin": ["CN", "DE", "US", "VN"]}
    assert model.best_score is not None
    assert model.best_iteration < FAST.max_rounds - 1
    probability = model.predict(valid)
    assert ((probability > 0) & (probability < 1)).all()
    assert metrics.auc(yv, probability) > 0.75
    importance = model.importance()
    assert importance["value"] > importance["noise"]
    assert importance["origin"] > importance["noise"]


def test_shuffled_labels_give_chance_level_precision(data) -> None:  # type: ignore[no-untyped-def]
    train, y, valid, yv = data
    rng = np.random.default_rng(5)
    model = booster.fit(train, rng.permutation(y), params=FAST, seed=0, nthread=1)
    score = model.predict(valid)
    base = yv.mean()
    # Chance: the share inspected holds about the base rate of violations (SE ~0.03 at 10 %).
    assert abs(metrics.precision_at(yv, score, 0.10) - base) < 0.1
    assert abs(metrics.auc(yv, score) - 0.5) < 0.05
    # The same model on the true labels does far better, so the check can fail.
    real = booster.fit(train, y, params=FAST, seed=0, nthread=1).predict(valid)
    assert metrics.precision_at(yv, real, 0.10) > base + 0.2


def test_same_seed_same_model(data) -> None:  # type: ignore[no-untyped-def]
    train, y, valid, yv = data
    params = booster.BoosterParams(max_depth=4, max_rounds=40, subsample=0.7, colsample_bytree=0.7)
    first = booster.fit(train, y, valid=(valid, yv), params=params, seed=11)
    second = booster.fit(train, y, valid=(valid, yv), params=params, seed=11)
    assert np.array_equal(first.predict(valid), second.predict(valid))
    assert first.to_bytes() == second.to_bytes()
    other = booster.fit(train, y, valid=(valid, yv), params=params, seed=12)
    assert not np.array_equal(first.predict(valid), other.predict(valid))


def test_contributions_sum_to_the_margin(data) -> None:  # type: ignore[no-untyped-def]
    train, y, valid, _ = data
    model = booster.fit(train, y, params=FAST, seed=0, nthread=1)
    contributions = model.contributions(valid.head(200))
    assert list(contributions.columns) == ["value", "origin", "noise", "bias"]
    margin = model.margin(valid.head(200))
    assert np.allclose(contributions.sum(axis=1).to_numpy(), margin, atol=1e-4)
    assert np.allclose(1 / (1 + np.exp(-margin)), model.predict(valid.head(200)), atol=1e-6)
    # The categorical driver moves CN rows up and the others down.
    cn = valid.head(200)["origin"] == "CN"
    assert contributions.loc[cn, "origin"].mean() > 0 > contributions.loc[~cn, "origin"].mean()


def test_round_trip_bytes_and_arrow_and_numpy_inputs(data) -> None:  # type: ignore[no-untyped-def]
    train, y, valid, _ = data
    model = booster.fit(train, y, params=FAST, seed=0, nthread=1)
    again = booster.Booster.from_bytes(model.to_bytes())
    assert np.array_equal(model.predict(valid), again.predict(valid))
    assert np.array_equal(model.predict(valid), model.predict(pa.Table.from_pandas(valid)))
    numeric = booster.fit(train[["value", "noise"]].to_numpy(), y, params=FAST, nthread=1)
    assert numeric.features == ["f0", "f1"]
    assert len(numeric.predict(valid[["value", "noise"]].to_numpy())) == len(valid)


def test_unseen_level_is_missing_not_an_error(data) -> None:  # type: ignore[no-untyped-def]
    train, y, valid, _ = data
    model = booster.fit(train, y, params=FAST, seed=0, nthread=1)
    odd = valid.head(5).assign(origin="ZZ")
    assert np.isfinite(model.predict(odd)).all()


def test_weights_and_regression() -> None:
    rng = np.random.default_rng(4)
    x = rng.uniform(0, 10, size=2000)
    frame = pd.DataFrame({"x": x})
    target = 3 * x + rng.normal(size=2000)
    model = booster.fit(frame, target, kind="regression", params=FAST, nthread=1)
    assert np.sqrt(np.mean((model.predict(frame) - target) ** 2)) < 2.0
    # A weight of zero on every positive row: the model never sees a positive.
    labels = (x > 5).astype(int)
    weighted = booster.fit(frame, labels, weight=1 - labels, params=FAST, nthread=1)
    assert weighted.predict(frame).max() < 0.1


def test_tune_picks_the_best_candidate_and_keeps_every_trial(data) -> None:  # type: ignore[no-untyped-def]
    train, y, valid, yv = data
    candidates = [
        booster.BoosterParams(max_depth=1, learning_rate=0.01),
        booster.BoosterParams(max_depth=3, learning_rate=0.2),
    ]
    budget = booster.BoosterParams(max_rounds=40, early_stopping_rounds=10)
    seen: list[tuple[int, int]] = []
    tuning = booster.tune(
        train,
        y,
        (valid, yv),
        candidates=candidates,
        base=budget,
        nthread=1,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert [t.params.max_depth for t in tuning.trials] == [1, 3]
    assert all(t.params.max_rounds == 40 for t in tuning.trials)
    assert tuning.best.params.max_depth == 3
    assert tuning.best.score == max(t.score for t in tuning.trials)
    assert metrics.auc(yv, tuning.model.predict(valid)) == pytest.approx(tuning.best.score)
    assert seen == [(1, 2), (2, 2)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"y": [0, 2, 1]}, "y: labels must be 0 or 1"),
        ({"y": [0, 1]}, "y: 2 values for 3 rows"),
        ({"weight": [1, -1, 1]}, "weight: must be >= 0"),
        ({"categorical": ["nope"]}, r"categorical: \['nope'\] are not columns"),
        (
            {"X": pd.DataFrame({"a": ["x", "y", "z"]}), "categorical": []},
            "column 'a' is not numeric",
        ),
        ({"valid": (pd.DataFrame({"b": [1.0]}), [1])}, r"valid: missing feature columns \['a'\]"),
        ({"X": pd.DataFrame({"a": [1.0, np.inf, 3.0]})}, "column 'a' has infinite values"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    arguments = {"X": pd.DataFrame({"a": [1.0, 2.0, 3.0]}), "y": [0, 1, 0], **kwargs}
    with pytest.raises(ValueError, match=message):
        booster.fit(arguments.pop("X"), arguments.pop("y"), params=FAST, **arguments)
