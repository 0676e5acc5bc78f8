"""Train the risk model from inspected shipments. Pure: examples in, model out.

Examples are ordered by exam time (when each label became known) and cut in
three: the oldest 60 % fit the trees, the next 20 % stop their training early
and then calibrate them, the latest 20 % are kept aside to measure the model
(``metrics`` in its registry entry). Every example weighs what it stands for
(``dataset.selection_weight``): a random-sample outcome 1/p, a targeted one 1.
"""

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np

from ecomrisk import __version__
from ecomrisk.features.registry import known_features
from ecomrisk.risk.model.artifact import TrainedModel
from ecomrisk.risk.model.booster import (
    DEFAULT_CANDIDATES,
    Booster,
    BoosterParams,
    Fitter,
    Tuning,
    fit,
    tune,
)
from ecomrisk.risk.model.calibration import fit_calibration
from ecomrisk.risk.model.dataset import Example, selection_weight
from ecomrisk.risk.model.evaluation import evaluate_examples
from ecomrisk.risk.model.frame import model_columns

MODEL_LOGIC_VERSION = "model-v1"  # bumped when training or scoring changes meaning
FIT_SHARE, CALIBRATION_SHARE = 0.6, 0.2  # the rest is the test slice
MIN_EXAMPLES = 50  # fewer inspected shipments than this cannot make a model
MIN_REVENUE_VIOLATIONS = 30  # fewer violations with revenue: a constant, not a regressor

CLASSIFIER_PARAMS = BoosterParams(
    max_depth=4, learning_rate=0.05, max_rounds=600, early_stopping_rounds=50, min_child_weight=2
)
REVENUE_PARAMS = BoosterParams(
    max_depth=3,
    learning_rate=0.05,
    max_rounds=300,
    early_stopping_rounds=30,
    objective="reg:tweedie",  # revenue is >= 0, often 0, skewed: a log-link Tweedie mean
    eval_metric="tweedie-nloglik@1.5",
)


class TrainingError(ValueError):
    """The data cannot make a model; the message says what is missing."""


@dataclass(frozen=True)
class Slices:
    fit: list[Example]
    calibration: list[Example]
    test: list[Example]


def time_slices(examples: Sequence[Example], test_slice: bool = True) -> Slices:
    """Oldest to newest by exam time: fit, calibration, test.

    Without ``test_slice`` the fit slice takes the test slice's share: for retraining a
    set-up already measured, where the newest outcomes (a scheme just found) should
    reach the trees now rather than two slices later.
    """
    ordered = sorted(examples, key=lambda e: (e.examined_at, e.sid))
    fit_share = FIT_SHARE if test_slice else 1 - CALIBRATION_SHARE
    a = int(len(ordered) * fit_share)
    b = int(len(ordered) * (fit_share + CALIBRATION_SHARE)) if test_slice else len(ordered)
    return Slices(ordered[:a], ordered[a:b], ordered[b:])


def weights(examples: Sequence[Example]) -> np.ndarray:
    return np.array([selection_weight(e.selection, e.inclusion_probability) for e in examples])


def labels(examples: Sequence[Example]) -> np.ndarray:
    return np.array([1.0 if e.violation else 0.0 for e in examples])


def _check(slices: Slices, total: int) -> None:
    if total < MIN_EXAMPLES:
        raise TrainingError(
            f"only {total} inspected shipments in the window: the model needs at least "
            f"{MIN_EXAMPLES} (record more exam outcomes or widen --from/--to)"
        )
    for name, part in (("fit", slices.fit), ("calibration", slices.calibration)):
        found = {e.violation for e in part}
        if found != {True, False}:
            what = "violations" if True not in found else "clean exams"
            raise TrainingError(f"the {name} slice has no {what}: a model needs both")


def _window(examples: Sequence[Example]) -> dict[str, str]:
    return {
        "filed_from": min(e.received_at for e in examples).isoformat(),
        "filed_to": max(e.received_at for e in examples).isoformat(),
        "examined_from": min(e.examined_at for e in examples).isoformat(),
        "examined_to": max(e.examined_at for e in examples).isoformat(),
    }


def _counts(part: Sequence[Example]) -> dict[str, int]:
    return {
        "examples": len(part),
        "violations": sum(e.violation for e in part),
        "random_sample": sum(e.selection == "random" for e in part),
    }


def _revenue_model(
    model: TrainedModel, slices: Slices, seed: int, fitter: Fitter
) -> tuple[Any | None, float]:
    """A regressor of revenue given a violation, or a weighted mean when too few."""
    fit_v = [e for e in slices.fit if e.violation]
    valid_v = [e for e in slices.calibration if e.violation]
    amounts = np.array([e.revenue for e in fit_v])
    w = weights(fit_v)
    constant = float(np.average(amounts, weights=w)) if len(fit_v) else 0.0
    if len(fit_v) < MIN_REVENUE_VIOLATIONS or not valid_v or not (amounts > 0).any():
        return None, constant
    regressor = fitter(
        model.frame([e.features for e in fit_v]),
        amounts,
        kind="regression",
        weight=w,
        valid=(
            model.frame([e.features for e in valid_v]),
            np.array([e.revenue for e in valid_v]),
            weights(valid_v),
        ),
        categorical=model.text,
        params=REVENUE_PARAMS,
        seed=seed,
        nthread=1,
    )
    return regressor, constant


def _changed(params: BoosterParams) -> dict[str, Any]:
    """The parameters of a candidate that differ from the classifier's defaults."""
    base = replace(
        BoosterParams(),
        max_rounds=CLASSIFIER_PARAMS.max_rounds,
        early_stopping_rounds=CLASSIFIER_PARAMS.early_stopping_rounds,
    )
    return {k: v for k, v in asdict(params).items() if getattr(base, k) != v}


def _tuning_details(search: Tuning) -> dict[str, Any]:
    return {
        "search": "booster.DEFAULT_CANDIDATES, early stopping and AUC on the calibration slice",
        "trials": [
            {"params": _changed(t.params), "auc": t.score, "best_iteration": t.best_iteration}
            for t in search.trials
        ],
        "best": _changed(search.best.params),
    }


def _classifier(
    model: TrainedModel, slices: Slices, seed: int, search: bool, fitter: Fitter
) -> tuple[Booster, dict[str, Any] | None]:
    """The trees, stopped early on the calibration slice (the one later in time);
    with ``search``, the best of the small tuning search there, scored by AUC."""
    x = model.frame([e.features for e in slices.fit])
    valid = (
        model.frame([e.features for e in slices.calibration]),
        labels(slices.calibration),
        weights(slices.calibration),
    )
    # nthread=1: the same seed gives the same trees on any machine's core count.
    if not search:
        booster = fitter(
            x,
            labels(slices.fit),
            weight=weights(slices.fit),
            valid=valid,
            categorical=model.text,
            params=CLASSIFIER_PARAMS,
            seed=seed,
            nthread=1,
        )
        return booster, None
    found = tune(
        x,
        labels(slices.fit),
        valid,
        weight=weights(slices.fit),
        categorical=model.text,
        candidates=DEFAULT_CANDIDATES,
        base=CLASSIFIER_PARAMS,  # the budget: rounds and early stopping of every candidate
        seed=seed,
        nthread=1,
        fitter=fitter,
    )
    return found.model, _tuning_details(found)


def train(
    examples: Sequence[Example],
    seed: int = 0,
    calibration: str = "auto",
    progress: Callable[[str, int, int], None] | None = None,
    search: bool = False,
    test_slice: bool = True,
    fitter: Fitter = fit,
) -> tuple[TrainedModel, dict[str, Any]]:
    """Fit, calibrate and measure a model; returns it and its registry details.

    ``search``: choose the trees' parameters by the tuning search (``booster.tune``)
    on the calibration slice instead of using ``CLASSIFIER_PARAMS``.
    ``test_slice``: keep the newest 20 % apart to measure the model (its ``metrics``);
    without it they are fitted and ``metrics`` is empty (see :func:`time_slices`).
    ``fitter`` fits every tree model (``booster.fit`` in process;
    ``spark_fit.spark_fitter`` on Spark).
    """

    def step(done: int) -> None:
        if progress is not None:
            progress("training the model", done, 4)

    slices = time_slices(examples, test_slice)
    _check(slices, len(examples))
    numeric, text = model_columns([e.features for e in slices.fit], known_features())
    model = TrainedModel(numeric, text, classifier=None, calibration=None)  # type: ignore[arg-type]
    step(0)
    model.classifier, tuning = _classifier(model, slices, seed, search, fitter)
    step(1)
    cal = slices.calibration
    model.calibration = fit_calibration(
        model.raw([e.features for e in cal]), labels(cal), weights(cal), calibration
    )
    step(2)
    model.revenue, model.revenue_constant = _revenue_model(model, slices, seed, fitter)
    step(3)
    details = {
        "window": _window(examples),
        "slices": {
            "fit": _counts(slices.fit),
            "calibration": _counts(slices.calibration),
            "test": _counts(slices.test),
            "test_examined_from": slices.test[0].examined_at.isoformat() if slices.test else None,
        },
        "features": {"numeric": numeric, "text": text},
        "selection_weights": "random sample 1/inclusion probability; targeted 1",
        "calibration": model.calibration.method,
        "revenue_model": "xgboost reg:tweedie" if model.revenue else "weighted mean",
        "best_iteration": model.classifier.best_iteration,
        "classifier_params": asdict(model.classifier.params),
        "tuning": tuning,
        "thresholds": model.thresholds,
        "seed": seed,
        "code": {"ecomrisk": __version__, "logic": MODEL_LOGIC_VERSION},
        "trained_at": datetime.now(UTC).isoformat(),
        "metrics": evaluate_examples(model, slices.test) if slices.test else {},
    }
    step(4)
    return model, details
