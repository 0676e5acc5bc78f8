"""XGBoost's Spark training (``xgboost.spark``) behind the same call as ``booster.fit``.

The data is checked and encoded exactly as for in-process training
(``booster.prepare``: categorical levels coded with the training levels), handed
to Spark as one frame with the validation rows flagged (early stopping on them),
and trained by ``SparkXGBClassifier`` / ``SparkXGBRegressor`` on ``num_workers``
Spark tasks (XGBoost's distributed ``hist``: each worker sketches and sums its
own rows). What comes back is the same ``Booster`` as ``fit`` returns: it scores,
explains and serialises like any other, online or in batch.

Not bit-identical to ``fit``: rows reach the workers in another order and are
split between them, so row subsampling draws other rows and the quantile sketch
merges per-worker summaries. The predictions agree closely (see the tests).
"""

import logging
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import xgboost as xgb

from ecomrisk.engines.spark import spark_session
from ecomrisk.risk.model.booster import (
    Booster,
    BoosterParams,
    Fitter,
    Frame,
    Kind,
    Prepared,
    Validation,
    kept_rounds,
    prepare,
)

LABEL, WEIGHT, VALID = "_label", "_weight", "_valid"
_SKLEARN_NAMES = {"eta": "learning_rate", "lambda": "reg_lambda", "alpha": "reg_alpha"}
_SET_ABOVE = ("seed", "verbosity", "nthread")

# XGBoost's Spark estimators log every parameter at INFO; a command shows its own progress.
logging.getLogger("XGBoost-PySpark").setLevel(logging.WARNING)


def _codes(x: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Numbers only, under plain names (Spark columns cannot hold ``:`` or ``.``):
    a categorical column as its level code, missing (code -1) as NaN."""
    columns = {}
    for i, column in enumerate(x.columns):
        series = x[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            codes = series.cat.codes.astype(np.float64)
            columns[names[i]] = codes.where(codes >= 0, np.nan)
        else:
            columns[names[i]] = series.astype(np.float64)
    return pd.DataFrame(columns, index=x.index)


def _frame(data: Prepared, names: list[str]) -> pd.DataFrame:
    parts = [(data.x, data.labels, data.weights, False)]
    if data.valid is not None:
        parts.append((*data.valid, True))
    frames = []
    for x, labels, weights, valid in parts:
        frame = _codes(x, names)
        frame[LABEL] = labels
        frame[WEIGHT] = np.ones(len(frame)) if weights is None else weights
        frame[VALID] = valid
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _estimator(
    kind: Kind, params: BoosterParams, seed: int, names: list[str], data: Prepared, workers: int
) -> Any:
    from xgboost.spark import SparkXGBClassifier, SparkXGBRegressor

    booster = params.xgb_params(kind, seed, None)
    settings: dict[str, Any] = {
        "features_col": names,
        "label_col": LABEL,
        "weight_col": WEIGHT,
        "feature_types": ["c" if f in data.categories else "q" for f in data.features],
        "n_estimators": params.max_rounds,
        "num_workers": workers,
        "random_state": seed,
        "verbosity": 0,
        "verbose": False,
        # The booster's own parameters under their scikit-learn names.
        **{_SKLEARN_NAMES.get(k, k): v for k, v in booster.items() if k not in _SET_ABOVE},
    }
    if data.valid is not None:
        settings["validation_indicator_col"] = VALID
        # Training and validation rows arrive one after the other: spread both over
        # every worker (a worker without validation rows fails to build its matrix).
        settings["force_repartition"] = True
        settings["early_stopping_rounds"] = params.early_stopping_rounds
    if kind == "binary":
        settings.pop("objective")  # the classifier sets binary:logistic itself
        return SparkXGBClassifier(**settings)
    return SparkXGBRegressor(**settings)


def _as_local(model: xgb.Booster, data: Prepared) -> xgb.Booster:
    """The trained booster under the real feature names and the types in-process
    training gives them, so ``Booster`` predicts with it as with its own."""
    model.feature_names = data.features
    sample = xgb.DMatrix(data.x.head(1), enable_categorical=True, feature_names=data.features)
    model.feature_types = sample.feature_types
    return model


def spark_fitter(master: str, num_workers: int | None = None) -> Fitter:
    """``booster.fit``, trained by XGBoost on the Spark session of ``master``;
    ``num_workers`` Spark tasks (default: the session's parallelism)."""

    def spark_fit(
        x: Frame,
        y: npt.ArrayLike,
        *,
        kind: Kind = "binary",
        weight: npt.ArrayLike | None = None,
        valid: Validation | None = None,
        categorical: list[str] | None = None,
        params: BoosterParams | None = None,
        seed: int = 0,
        nthread: int | None = None,  # Spark sets the threads: one per task
    ) -> Booster:
        params = params or BoosterParams()
        data = prepare(x, y, kind=kind, weight=weight, valid=valid, categorical=categorical)
        session = spark_session(master)
        workers = num_workers or session.sparkContext.defaultParallelism
        names = [f"f{i}" for i in range(len(data.features))]
        frame = session.createDataFrame(_frame(data, names))
        trained = _estimator(kind, params, seed, names, data, workers).fit(frame)
        model, best_iteration, best_score = kept_rounds(
            trained.get_booster(), data.valid is not None, params
        )
        return Booster(
            kind=kind,
            features=data.features,
            categories=data.categories,
            params=params,
            seed=seed,
            best_iteration=best_iteration,
            best_score=best_score,
            model=_as_local(model, data),
        )

    return spark_fit
