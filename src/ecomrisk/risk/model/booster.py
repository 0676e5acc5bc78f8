"""The project's one gradient-boosting routine (XGBoost), data-agnostic.

Everything that trains a tree model in ecomrisk goes through :func:`fit`: the
product model, the targeting simulation and the public benchmark. It takes a
pandas frame, an Arrow table or a numpy array (no store access), numeric and
categorical columns, optional sample weights and an optional validation set for
early stopping, and returns a :class:`Booster` that predicts, explains each row
(per-feature contributions that sum to the margin) and serialises to bytes.

Categorical columns use XGBoost's native categorical splits. Their levels are
fixed at fit time and kept with the model, so a level is coded the same way at
prediction; a level never seen in training is treated as missing.

Determinism: the same data, parameters, seed and thread count give the same
model and identical predictions (the ``hist`` tree method on CPU).

:func:`tune` is a small, documented search: a handful of parameter sets
(:data:`DEFAULT_CANDIDATES`), each fitted with early stopping on the validation
set and scored there; the best one wins. Tune on the validation set only.
"""

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd
import xgboost as xgb

from ecomrisk.risk.model.metrics import auc

__all__ = [
    "DEFAULT_CANDIDATES",
    "Booster",
    "BoosterParams",
    "Fitter",
    "Kind",
    "Prepared",
    "Trial",
    "Tuning",
    "fit",
    "kept_rounds",
    "prepare",
    "tune",
]

Kind = Literal["binary", "regression"]
"""``binary``: probability of the positive class; ``regression``: a number (e.g. revenue)."""

FORMAT_VERSION = 1
"""Version of the bytes written by :meth:`Booster.to_bytes`."""

BIAS = "bias"
"""Name of the contribution column that holds the model's base margin."""


@dataclass(frozen=True)
class BoosterParams:
    """Tree-model parameters; defaults suit tabular data of 10^3 to 10^6 rows.

    ``max_rounds`` is an upper bound: with a validation set, training stops
    after ``early_stopping_rounds`` rounds without improvement of ``eval_metric``
    and the model keeps the best round only.
    """

    max_depth: int = 6
    learning_rate: float = 0.05
    max_rounds: int = 2000
    early_stopping_rounds: int = 100
    min_child_weight: float = 1.0
    subsample: float = 0.8
    colsample_bytree: float = 0.8
    reg_lambda: float = 1.0
    reg_alpha: float = 0.0
    gamma: float = 0.0
    max_bin: int = 256
    max_cat_to_onehot: int = 4
    scale_pos_weight: float = 1.0
    objective: str | None = None
    """``None``: ``binary:logistic`` for binary, ``reg:squarederror`` for regression."""
    eval_metric: str | None = None
    """``None``: ``logloss`` for binary, ``rmse`` for regression."""

    def xgb_params(self, kind: Kind, seed: int, nthread: int | None) -> dict[str, Any]:
        objective = self.objective or (
            "binary:logistic" if kind == "binary" else "reg:squarederror"
        )
        metric = self.eval_metric or ("logloss" if kind == "binary" else "rmse")
        params: dict[str, Any] = {
            "objective": objective,
            "eval_metric": metric,
            "tree_method": "hist",
            "max_depth": self.max_depth,
            "eta": self.learning_rate,
            "min_child_weight": self.min_child_weight,
            "subsample": self.subsample,
            "colsample_bytree": self.colsample_bytree,
            "lambda": self.reg_lambda,
            "alpha": self.reg_alpha,
            "gamma": self.gamma,
            "max_bin": self.max_bin,
            "max_cat_to_onehot": self.max_cat_to_onehot,
            "seed": seed,
            "verbosity": 0,
        }
        if kind == "binary":
            params["scale_pos_weight"] = self.scale_pos_weight
        if nthread is not None:
            params["nthread"] = nthread
        return params


Frame: TypeAlias = Any
"""A pandas frame, a 2-D numpy array (columns ``f0``, ``f1``, ...) or a pyarrow Table.

Typed ``Any`` because pandas and pyarrow ship no type information here."""

Validation: TypeAlias = (
    tuple[Frame, npt.ArrayLike] | tuple[Frame, npt.ArrayLike, npt.ArrayLike | None]
)
"""``(X, y)`` or ``(X, y, weight)`` used for early stopping."""


def _as_frame(data: Frame) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, np.ndarray):
        if data.ndim != 2:
            raise ValueError(f"x: a numpy array must be 2-D, got {data.ndim}-D")
        return pd.DataFrame(data, columns=[f"f{i}" for i in range(data.shape[1])])
    if hasattr(data, "to_pandas"):  # pyarrow Table or RecordBatch
        return data.to_pandas()
    raise TypeError(f"x: expected a pandas DataFrame, numpy array or Arrow table, got {type(data)}")


def _is_categorical(series: pd.Series) -> bool:
    return bool(
        isinstance(series.dtype, pd.CategoricalDtype)
        or pd.api.types.is_object_dtype(series.dtype)
        or pd.api.types.is_string_dtype(series.dtype)
    )


def _vector(values: npt.ArrayLike, name: str, rows: int) -> npt.NDArray[np.float64]:
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    if len(array) != rows:
        raise ValueError(f"{name}: {len(array)} values for {rows} rows")
    if not np.isfinite(array).all():
        raise ValueError(f"{name}: contains missing or infinite values")
    return array


@dataclass
class Booster:
    """A fitted model: predict, explain, serialise. Build it with :func:`fit`."""

    kind: Kind
    features: list[str]
    categories: dict[str, list[str]]
    """Levels of each categorical feature, in code order, as seen in training."""
    params: BoosterParams
    seed: int
    best_iteration: int
    """Index of the last round kept (0-based); rounds after it were dropped."""
    best_score: float | None
    """Validation ``eval_metric`` at ``best_iteration`` (``None`` without validation)."""
    model: xgb.Booster = field(repr=False)

    def _matrix(self, data: Frame) -> xgb.DMatrix:
        frame = _as_frame(data)
        missing = [name for name in self.features if name not in frame.columns]
        if missing:
            raise ValueError(f"x: missing feature columns {missing}")
        return xgb.DMatrix(
            _encode(frame, self.features, self.categories),
            enable_categorical=True,
            feature_names=self.features,
        )

    def predict(self, data: Frame) -> npt.NDArray[np.float64]:
        """Probability of the positive class (binary) or the predicted value (regression)."""
        return np.asarray(self.model.predict(self._matrix(data)), dtype=np.float64)

    def margin(self, data: Frame) -> npt.NDArray[np.float64]:
        """Raw score before the link function (log-odds for binary)."""
        output = self.model.predict(self._matrix(data), output_margin=True)
        return np.asarray(output, dtype=np.float64)

    def contributions(self, data: Frame) -> pd.DataFrame:
        """Per-row contribution of each feature to the margin (SHAP values, ``pred_contribs``).

        Columns are the features plus ``bias``; each row sums to :meth:`margin`.
        A categorical feature gets one column, whatever its number of levels.
        """
        frame = _as_frame(data)
        values = self.model.predict(self._matrix(frame), pred_contribs=True)
        return pd.DataFrame(values, columns=[*self.features, BIAS], index=frame.index)

    def importance(self, kind: str = "total_gain") -> dict[str, float]:
        """Feature importance by ``kind`` (``total_gain``, ``gain``, ``weight``, ``cover``)."""
        scores = self.model.get_score(importance_type=kind)
        # Tree models give one number per feature (lists are for linear boosters).
        return {name: float(scores.get(name, 0.0)) for name in self.features}  # type: ignore[arg-type]

    def to_bytes(self) -> bytes:
        """The model and its metadata as JSON bytes (for a registry or a file)."""
        payload = {
            "format": FORMAT_VERSION,
            "kind": self.kind,
            "features": self.features,
            "categories": self.categories,
            "params": asdict(self.params),
            "seed": self.seed,
            "best_iteration": self.best_iteration,
            "best_score": self.best_score,
            "xgboost": xgb.__version__,
            "model": base64.b64encode(bytes(self.model.save_raw("json"))).decode("ascii"),
        }
        return json.dumps(payload).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> "Booster":
        """Read what :meth:`to_bytes` wrote."""
        payload = json.loads(data)
        if payload.get("format") != FORMAT_VERSION:
            raise ValueError(f"model bytes: unknown format {payload.get('format')!r}")
        model = xgb.Booster()
        model.load_model(bytearray(base64.b64decode(payload["model"])))
        return cls(
            kind=payload["kind"],
            features=list(payload["features"]),
            categories={k: list(v) for k, v in payload["categories"].items()},
            params=BoosterParams(**payload["params"]),
            seed=int(payload["seed"]),
            best_iteration=int(payload["best_iteration"]),
            best_score=payload["best_score"],
            model=model,
        )


def _encode(
    frame: pd.DataFrame, features: Sequence[str], categories: dict[str, list[str]]
) -> pd.DataFrame:
    """Numeric columns as float; categorical ones coded with the training levels."""
    columns: dict[str, pd.Series] = {}
    for name in features:
        series = frame[name]
        if name in categories:
            # Code -1 (missing) for NaN and for levels never seen in training.
            codes = pd.Index(categories[name]).get_indexer(series.astype("string"))
            columns[name] = pd.Series(
                pd.Categorical.from_codes(codes, categories=categories[name]), index=frame.index
            )
        else:
            try:
                values = pd.to_numeric(series, errors="raise").astype(np.float64)
            except (ValueError, TypeError) as error:
                raise ValueError(f"x: column {name!r} is not numeric ({error})") from None
            if np.isinf(values.to_numpy()).any():
                raise ValueError(f"x: column {name!r} has infinite values (use NaN for missing)")
            columns[name] = values
    return pd.DataFrame(columns, index=frame.index)


def _levels(series: pd.Series) -> list[str]:
    return sorted(series.dropna().astype("string").unique().tolist())


@dataclass(frozen=True)
class Prepared:
    """Checked, encoded training data: what any trainer of a :class:`Booster` starts from
    (:func:`fit` in process; ``spark_fit`` on Spark)."""

    x: pd.DataFrame  # numeric columns as float, categorical ones coded with ``categories``
    features: list[str]
    categories: dict[str, list[str]]
    labels: npt.NDArray[np.float64]
    weights: npt.NDArray[np.float64] | None
    valid: tuple[pd.DataFrame, npt.NDArray[np.float64], npt.NDArray[np.float64] | None] | None


def prepare(
    x: Frame,
    y: npt.ArrayLike,
    *,
    kind: Kind = "binary",
    weight: npt.ArrayLike | None = None,
    valid: Validation | None = None,
    categorical: Sequence[str] | None = None,
) -> Prepared:
    """Check and encode the data of :func:`fit` (same arguments, same errors)."""
    frame = _as_frame(x)
    if frame.shape[1] == 0:
        raise ValueError("x: no feature columns")
    if frame.shape[0] == 0:
        raise ValueError("x: no rows")
    features = [str(name) for name in frame.columns]
    frame.columns = pd.Index(features)
    if categorical is None:
        categorical = [name for name in features if _is_categorical(frame[name])]
    unknown = [name for name in categorical if name not in features]
    if unknown:
        raise ValueError(f"categorical: {unknown} are not columns of X")
    categories = {name: _levels(frame[name]) for name in categorical}

    labels = _vector(y, "y", len(frame))
    if kind == "binary" and not np.isin(labels, (0.0, 1.0)).all():
        raise ValueError("y: labels must be 0 or 1 for a binary model")
    weights = None if weight is None else _vector(weight, "weight", len(frame))
    if weights is not None and (weights < 0).any():
        raise ValueError("weight: must be >= 0")
    validation = None
    if valid is not None:
        vframe = _as_frame(valid[0])
        missing = [name for name in features if name not in vframe.columns]
        if missing:
            raise ValueError(f"valid: missing feature columns {missing}")
        vlabels = _vector(valid[1], "valid y", len(vframe))
        vweight = valid[2] if len(valid) == 3 else None
        validation = (
            _encode(vframe, features, categories),
            vlabels,
            None if vweight is None else _vector(vweight, "valid weight", len(vframe)),
        )
    return Prepared(
        _encode(frame, features, categories), features, categories, labels, weights, validation
    )


def kept_rounds(
    model: xgb.Booster, validated: bool, params: BoosterParams
) -> tuple[xgb.Booster, int, float | None]:
    """The model cut to its best round when early stopping chose one (so every later
    use, predict, contribs or bytes, agrees), with that round and its score."""
    if not validated:
        return model, params.max_rounds - 1, None
    best_iteration, best_score = int(model.best_iteration), float(model.best_score)
    return model[: best_iteration + 1], best_iteration, best_score


def fit(
    x: Frame,
    y: npt.ArrayLike,
    *,
    kind: Kind = "binary",
    weight: npt.ArrayLike | None = None,
    valid: Validation | None = None,
    categorical: Sequence[str] | None = None,
    params: BoosterParams | None = None,
    seed: int = 0,
    nthread: int | None = None,
) -> Booster:
    """Fit a binary classifier or a regressor.

    ``categorical`` names the categorical columns; by default every column of
    object, string or category dtype. All other columns must be numeric (NaN is
    missing). With ``valid``, training stops early on it and keeps the best round.
    """
    params = params or BoosterParams()
    data = prepare(x, y, kind=kind, weight=weight, valid=valid, categorical=categorical)
    dtrain = xgb.DMatrix(
        data.x,
        label=data.labels,
        weight=data.weights,
        enable_categorical=True,
        feature_names=data.features,
    )
    evals: list[tuple[xgb.DMatrix, str]] = []
    if data.valid is not None:
        vx, vlabels, vweights = data.valid
        dvalid = xgb.DMatrix(
            vx, label=vlabels, weight=vweights, enable_categorical=True, feature_names=data.features
        )
        evals = [(dvalid, "valid")]

    model = xgb.train(
        params.xgb_params(kind, seed, nthread),
        dtrain,
        num_boost_round=params.max_rounds,
        evals=evals,
        early_stopping_rounds=params.early_stopping_rounds if evals else None,
        verbose_eval=False,
    )
    model, best_iteration, best_score = kept_rounds(model, bool(evals), params)
    return Booster(
        kind=kind,
        features=data.features,
        categories=data.categories,
        params=params,
        seed=seed,
        best_iteration=best_iteration,
        best_score=best_score,
        model=model,
    )


Fitter: TypeAlias = Callable[..., Booster]
"""Anything called as :func:`fit` is (``spark_fit.spark_fitter`` trains on Spark)."""


DEFAULT_CANDIDATES: tuple[BoosterParams, ...] = (
    BoosterParams(),
    BoosterParams(max_depth=4, min_child_weight=2.0),
    BoosterParams(max_depth=8, min_child_weight=2.0, colsample_bytree=0.6),
    BoosterParams(max_depth=6, min_child_weight=5.0, subsample=0.7, reg_lambda=5.0),
    BoosterParams(max_depth=10, min_child_weight=10.0, colsample_bytree=0.5, reg_lambda=10.0),
    BoosterParams(max_depth=3, learning_rate=0.1),
)
"""The search: the default, shallower and deeper trees, and stronger regularisation."""

Score: TypeAlias = Callable[[npt.NDArray[np.float64], npt.NDArray[np.float64]], float]
"""``score(y_valid, prediction) -> float``; higher is better."""


@dataclass(frozen=True)
class Trial:
    params: BoosterParams
    score: float
    best_iteration: int


@dataclass(frozen=True)
class Tuning:
    """All trials of a search, in order, and the best of them."""

    trials: list[Trial]
    best: Trial
    model: Booster
    """The model fitted with the best parameters (on the seed given to :func:`tune`)."""


def tune(
    x: Frame,
    y: npt.ArrayLike,
    valid: Validation,
    *,
    kind: Kind = "binary",
    weight: npt.ArrayLike | None = None,
    categorical: Sequence[str] | None = None,
    candidates: Sequence[BoosterParams] = DEFAULT_CANDIDATES,
    score: Score | None = None,
    base: BoosterParams | None = None,
    seed: int = 0,
    nthread: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    fitter: Fitter = fit,
) -> Tuning:
    """Fit each candidate with early stopping on ``valid``; keep the best by ``score``.

    ``score`` defaults to AUC (binary) or minus the RMSE (regression). Candidates
    are used as given, except that ``base``, when given, supplies the budget and
    objective of every one (``max_rounds``, ``early_stopping_rounds``,
    ``objective``, ``eval_metric``), so a search runs with a shared budget.
    ``progress(done, total)`` is called after each candidate; ``fitter`` trains each
    (:func:`fit` in process by default).
    """
    if not candidates:
        raise ValueError("candidates: at least one parameter set is needed")
    if score is None:
        score = _default_score(kind)
    vlabels = np.asarray(valid[1], dtype=np.float64).reshape(-1)
    trials: list[Trial] = []
    best_model: Booster | None = None
    for done, candidate in enumerate(candidates, start=1):
        if base is not None:
            candidate = replace(
                candidate,
                max_rounds=base.max_rounds,
                early_stopping_rounds=base.early_stopping_rounds,
                objective=base.objective,
                eval_metric=base.eval_metric,
            )
        model = fitter(
            x,
            y,
            kind=kind,
            weight=weight,
            valid=valid,
            categorical=categorical,
            params=candidate,
            seed=seed,
            nthread=nthread,
        )
        trial = Trial(
            candidate, float(score(vlabels, model.predict(valid[0]))), model.best_iteration
        )
        trials.append(trial)
        if best_model is None or trial.score > max(t.score for t in trials[:-1]):
            best_model = model
        if progress is not None:
            progress(done, len(candidates))
    best = max(trials, key=lambda t: t.score)  # first of equals wins, as in the loop
    assert best_model is not None
    return Tuning(trials=trials, best=best, model=best_model)


def _default_score(kind: Kind) -> Score:
    if kind == "binary":
        return auc

    def negative_rmse(y: npt.NDArray[np.float64], p: npt.NDArray[np.float64]) -> float:
        return -float(np.sqrt(np.mean((y - p) ** 2)))

    return negative_rmse
