"""Public benchmark: KCS synthetic customs declarations, through the product's path.

    .venv/bin/python bench/kcs.py [--data DIR] [--test FILE] [--seeds 5] [--threads 1]
                                  [--part all|valid|pseudo] [--rates oof|history] [--no-refit]
                                  [--direct] [--out FILE.json] [--plot FILE.png]

Each file (train, valid, ``--test``) is first imported with the shipped ``kcs``
mapping into a fresh SQLite store, by the code of ``ecomrisk history import``,
and read back with ``kcs_frame(engine)``: the benchmark measures what an agency
onboarding this history gets (rows the import rejects are not scored; their count
and the import's time are in the JSON). ``--direct`` reads the CSV files as they
are instead, only to compare the two paths. ``Critical Fraud`` is never read back.

Fits :func:`ecomrisk.risk.model.booster.fit` on the train file (2020), tunes
the small parameter search and early-stops on the valid file (2021 Q1), then
scores ``--test`` (default: the valid file; any later quarter with the same
columns). Prints JSON: Precision and Recall at 1, 2, 5, 10 % inspected, the
mean over the seeds and each seed's figure, beside the published baselines.
A later quarter is scored by the tuned model refitted on train + valid (the
tuned number of rounds, scaled to the larger set), one fit per seed;
``--no-refit`` scores it with the train-only model instead.

Labels of the period being scored are never used for features: its rows are
encoded from the history before it (train, and valid when scoring a later
quarter). Entity rates of the training rows are out of fold (``--rates oof``)
or from strictly earlier dates (``--rates history``). The pseudo-test repeats
the protocol one quarter earlier without touching any test file: fit on
Jan–Sep 2020, tune on Oct–Dec 2020, score 2021 Q1, as an estimate of how the
tuned set-up generalises.

Progress bars go to standard error, the JSON to standard output.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ecomrisk.cli._common import stage_progress
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.history import Importer, MappingError, SourceError, load_mapping
from ecomrisk.history.kcs import kcs_frame
from ecomrisk.history.pipeline import check_headers
from ecomrisk.history.readers import Source, file_format
from ecomrisk.reference.fx import bundled_rates
from ecomrisk.risk.model import booster, metrics
from ecomrisk.settings import Settings
from ecomrisk.store import migrate
from ecomrisk.store.engine import create_store_engine

sys.path.insert(0, str(Path(__file__).resolve().parent))
import kcs_features

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "customs-fraud-benchmark"
TRAIN, VALID = "df_syn_train_eng.csv", "df_syn_valid_eng.csv"
SHARES = metrics.DEFAULT_SHARES

# arXiv:2208.02484, Table 3, on the held-back quarter (Apr–Jun 2021).
BASELINES = {
    "Logistic Regression": {"5%": 0.258, "10%": 0.248},
    "Random Forest": {"5%": 0.364, "10%": 0.339},
    "CatBoost": {"5%": 0.621, "10%": 0.520},
    "XGBoost": {"5%": 0.675, "10%": 0.579},
    "LightGBM": {"5%": 0.762, "10%": 0.641},
}
GOAL = {"5%": 0.95, "10%": 0.87}
PSEUDO_SPLIT = "2020-10-01"  # fit Jan–Sep 2020, tune on Oct–Dec 2020, score 2021 Q1

# The search. A learning rate of 0.2 with 50 rounds of patience keeps a fit to
# about 15 s of one core: the benchmark runs 15 fits on a shared machine.
BUDGET = booster.BoosterParams(max_rounds=1500, early_stopping_rounds=50)
CANDIDATES = (
    booster.BoosterParams(max_depth=6, learning_rate=0.2),
    booster.BoosterParams(max_depth=4, learning_rate=0.2, min_child_weight=2.0),
    booster.BoosterParams(max_depth=8, learning_rate=0.2, colsample_bytree=0.6, reg_lambda=5.0),
)


Advance = Callable[[str, int, int], None]


def imported(path: Path, advance: Advance) -> tuple[pd.DataFrame, dict[str, Any]]:
    """``path`` imported with the shipped ``kcs`` mapping into a fresh store, read back."""
    with tempfile.TemporaryDirectory(prefix="kcs-store-") as folder:
        settings = Settings(data_dir=Path(folder))
        engine = create_store_engine(settings)
        migrate.upgrade(engine)
        importer = Importer(
            engine,
            load_mapping("kcs"),
            load_profile(settings.jurisdiction),
            bundled_rates(),
            chunk_size=settings.ingest_chunk_size,
        )
        source = importer.sources([path])[0]
        wall, cpu = time.perf_counter(), time.process_time()
        stage = f"import {path.name}"
        report = importer.run(
            source, Path(folder), lambda _r, done, total: advance(stage, done, total)
        )
        seconds, cpu_seconds = time.perf_counter() - wall, time.process_time() - cpu
        frame = kcs_frame(engine).drop(columns=["sid", "received_at"])
        engine.dispose()
    facts = {
        "rows": report.rows,
        "stored": report.new,
        "rejected": report.rejected,
        "rejected_reasons": dict(report.reasons.most_common(5)),
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu_seconds, 1),
        "rows_per_cpu_second": round(report.rows / cpu_seconds) if cpu_seconds else None,
    }
    return checked(frame, path), facts


def read(path: Path) -> pd.DataFrame:
    """One KCS file as it is (``--direct``)."""
    if not path.is_file():
        raise SystemExit(f"error: {path}: no such file")
    return checked(pd.read_csv(path, dtype={"Declaration ID": str}), path)


def checked(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """A missing column or a bad label is an error naming it."""
    missing = [c for c in kcs_features.REQUIRED if c not in frame.columns]
    if missing:
        raise SystemExit(f"error: {path}: missing columns {missing}")
    if not frame[kcs_features.LABEL].isin((0, 1)).all():
        raise SystemExit(f"error: {path}: column {kcs_features.LABEL!r} must be 0 or 1")
    return frame


@dataclass(frozen=True)
class Protocol:
    """Fit on ``fit``, early-stop and tune on ``stop`` (both labelled)."""

    name: str
    fit: pd.DataFrame
    stop: pd.DataFrame


def encode(
    history: pd.DataFrame, scored: pd.DataFrame, rates: str = "oof"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Features of history rows and of scored rows, the scored rows' labels hidden."""
    hidden = scored.assign(**{kcs_features.LABEL: np.nan})
    frame = pd.concat([history, hidden], ignore_index=True)
    encoded = kcs_features.features(frame, rates=rates)
    return encoded.iloc[: len(history)], encoded.iloc[len(history) :]


def score(y: np.ndarray, p: np.ndarray) -> float:
    """What the search maximises: mean of Precision@5% and @10% (the goal's figures)."""
    return (metrics.precision_at(y, p, 0.05) + metrics.precision_at(y, p, 0.10)) / 2


def figures(y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    result = metrics.at_inspected(y, p, SHARES)
    result["auc"] = metrics.auc(y, p)
    return result


def summary(per_seed: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean over seeds, and each seed's figure with min, max and standard deviation."""
    out: dict[str, Any] = {"mean": {}, "per_seed": {}, "spread": {}}
    for measure in ("precision", "recall"):
        out["mean"][measure], out["per_seed"][measure], out["spread"][measure] = {}, {}, {}
        for key in per_seed[0][measure]:
            values = [run[measure][key] for run in per_seed]
            out["mean"][measure][key] = round(statistics.fmean(values), 4)
            out["per_seed"][measure][key] = [round(v, 4) for v in values]
            out["spread"][measure][key] = {
                "min": round(min(values), 4),
                "max": round(max(values), 4),
                "std": round(statistics.pstdev(values), 4),
            }
    aucs = [run["auc"] for run in per_seed]
    out["mean"]["auc"], out["per_seed"]["auc"] = round(statistics.fmean(aucs), 4), aucs
    return out


@dataclass(frozen=True)
class Options:
    seeds: list[int]
    threads: int
    rates: str
    refit: bool
    score_stop: bool
    """Score the stop rows per seed (the valid figures); the pseudo-test does not need to."""


def run(
    protocol: Protocol,
    later: pd.DataFrame | None,
    options: Options,
    advance: Callable[[str, int, int], None],
) -> dict[str, Any]:
    """Tune on ``stop``; per seed, score ``stop`` and, if given, the ``later`` period.

    ``later`` is encoded from fit + stop rows (their labels known), its own labels
    hidden. With ``refit``, the later period is scored by a model refitted on fit +
    stop rows with the tuned number of rounds scaled to the larger set; otherwise
    by the model fitted on ``fit`` alone.
    """
    label, seeds = kcs_features.LABEL, options.seeds
    x_fit, x_stop = encode(protocol.fit, protocol.stop, options.rates)
    y_fit, y_stop = protocol.fit[label].to_numpy(), protocol.stop[label].to_numpy()
    stage = f"{protocol.name}: tuning"
    tuning = booster.tune(
        x_fit,
        y_fit,
        (x_stop, y_stop),
        categorical=kcs_features.CATEGORICAL,
        candidates=CANDIDATES,
        base=BUDGET,
        score=score,
        seed=seeds[0],
        nthread=options.threads,
        progress=lambda done, total: advance(stage, done, total),
    )
    chosen = tuning.best.params
    history = pd.concat([protocol.fit, protocol.stop], ignore_index=True)
    if later is not None:
        x_history, x_later = encode(history, later, options.rates)
        y_history, y_later = history[label].to_numpy(), later[label].to_numpy()
    refit_rounds = round((tuning.best.best_iteration + 1) * len(history) / len(protocol.fit))
    on_stop: list[dict[str, Any]] = []
    on_later: list[dict[str, Any]] = []
    rounds: list[int] = []
    importance: dict[str, float] = {}
    stage = f"{protocol.name}: seeds"
    for done, seed in enumerate(seeds, start=1):
        model = tuning.model
        if seed != seeds[0] and (options.score_stop or not options.refit):
            model = booster.fit(
                x_fit,
                y_fit,
                valid=(x_stop, y_stop),
                categorical=kcs_features.CATEGORICAL,
                params=chosen,
                seed=seed,
                nthread=options.threads,
            )
        if options.score_stop:
            on_stop.append(figures(y_stop, model.predict(x_stop)))
        rounds.append(model.best_iteration + 1)
        if later is not None:
            if options.refit:
                model = booster.fit(
                    x_history,
                    y_history,
                    categorical=kcs_features.CATEGORICAL,
                    params=replace(chosen, max_rounds=refit_rounds),
                    seed=seed,
                    nthread=options.threads,
                )
            on_later.append(figures(y_later, model.predict(x_later)))
        for name, gain in model.importance().items():
            importance[name] = importance.get(name, 0.0) + gain
        advance(stage, done, len(seeds))
    total = sum(importance.values()) or 1.0
    top = sorted(importance.items(), key=lambda kv: -kv[1])[:15]
    return {
        "fit_rows": len(protocol.fit),
        "stop_rows": len(protocol.stop),
        "on_stop": summary(on_stop) if on_stop else None,
        "on_later": summary(on_later) if on_later else None,
        "later_rows": None if later is None else len(later),
        "rounds_per_seed": rounds,
        "refit": {"rows": len(history), "rounds": refit_rounds}
        if later is not None and options.refit
        else None,
        "tuning": [
            {"params": _short(t.params), "score": round(t.score, 4), "rounds": t.best_iteration + 1}
            for t in tuning.trials
        ],
        "chosen": _short(chosen),
        "top_features_by_gain": {name: round(gain / total, 4) for name, gain in top},
    }


def _short(params: booster.BoosterParams) -> dict[str, Any]:
    """Only the parameters that differ from the defaults."""
    default = asdict(replace(booster.BoosterParams(), **_budget()))
    return {k: v for k, v in asdict(params).items() if default[k] != v}


def _budget() -> dict[str, Any]:
    return {"max_rounds": BUDGET.max_rounds, "early_stopping_rounds": BUDGET.early_stopping_rounds}


def plot(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    xs = [s * 100 for s in SHARES]
    for name in ("valid", "test", "pseudo_test"):
        if isinstance(result.get(name), dict):
            means = result[name]["mean"]["precision"]
            ax.plot(xs, [means[f"{x:g}%"] for x in xs], marker="o", label=f"ecomrisk, {name}")
    for name in ("LightGBM", "XGBoost"):
        ys = [BASELINES[name]["5%"], BASELINES[name]["10%"]]
        ax.plot(
            [5, 10], ys, linestyle="--", marker="x", label=f"{name} (published, held-back quarter)"
        )
    ax.axhline(result["fraud_rate_valid"], color="grey", linewidth=0.8, label="random inspection")
    ax.set(xlabel="share inspected (%)", ylabel="precision", ylim=(0, 1.05), xticks=xs)
    ax.set_title("KCS benchmark: Precision at n % inspected (mean of seeds)")
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", type=Path, default=DATA, help="folder with the train and valid files"
    )
    parser.add_argument("--test", type=Path, help="a later quarter, same columns (default: valid)")
    parser.add_argument("--seeds", type=int, default=5, help="number of seeds (0, 1, ...)")
    parser.add_argument("--threads", type=int, default=1, help="XGBoost threads per fit")
    parser.add_argument(
        "--part",
        choices=("all", "valid", "pseudo"),
        default="all",
        help="run the valid/test protocol, the pseudo-test, or both (two processes can split them)",
    )
    parser.add_argument(
        "--rates",
        choices=("oof", "history"),
        default="oof",
        help="entity rates of training rows: out of fold, or from earlier dates only",
    )
    parser.add_argument(
        "--no-refit",
        action="store_true",
        help="score a later period with the model fitted on train only (no refit on train+valid)",
    )
    parser.add_argument(
        "--direct",
        action="store_true",
        help="read the CSV files directly instead of importing them (to compare the paths)",
    )
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument("--plot", type=Path, help="write a PNG of precision at n %% here")
    args = parser.parse_args()
    if args.seeds < 1:
        parser.error("--seeds: must be at least 1")
    if args.threads < 1:
        parser.error("--threads: must be at least 1")

    started, load_before = time.perf_counter(), os.getloadavg()
    cpu_started = time.process_time()
    paths = [args.data / TRAIN, args.data / VALID, *([args.test] if args.test else [])]
    for path in paths:
        if not path.is_file():
            raise SystemExit(f"error: {path}: no such file")
    if not args.direct:
        try:  # every header against the mapping before any row is imported
            check_headers(load_mapping("kcs"), [Source(p, file_format(p)) for p in paths])
        except (MappingError, SourceError) as error:
            raise SystemExit(f"error: {error}") from None
    imports: dict[str, Any] = {}
    with stage_progress(stderr=True) as advance:
        if args.direct:
            frames = [read(path) for path in paths]
        else:
            frames = []
            for path in paths:
                frame, imports[str(path)] = imported(path, advance)
                frames.append(frame)
    train, valid = frames[0], frames[1]
    test = frames[2] if args.test else None
    seeds = list(range(args.seeds))
    dates = pd.to_datetime(train["Date"])
    result: dict[str, Any] = {
        "benchmark": "KCS synthetic customs declarations (arXiv:2208.02484)",
        "train": str(args.data / TRAIN),
        "valid": str(args.data / VALID),
        "test_file": str(args.test) if test is not None else "valid file (no --test given)",
        "seeds": seeds,
        "rates": args.rates,
        "refit": not args.no_refit,
        "fraud_rate_valid": round(float(valid[kcs_features.LABEL].mean()), 4),
        "path": "CSV read directly (--direct)"
        if args.direct
        else "ecomrisk history import --mapping kcs into a fresh store, read by kcs_frame",
        "imports": imports or None,
    }
    options = Options(seeds, args.threads, args.rates, not args.no_refit, score_stop=True)
    with stage_progress(stderr=True) as advance:
        if args.part in ("all", "valid"):
            main_run = run(Protocol("valid", train, valid), test, options, advance)
            result["valid"] = main_run.pop("on_stop")
            if test is not None:
                result["test"] = main_run.pop("on_later")
            result["model"] = main_run
        if args.part in ("all", "pseudo"):
            early, late = train[dates < PSEUDO_SPLIT], train[dates >= PSEUDO_SPLIT]
            if early.empty or late.empty:
                raise SystemExit(
                    f"error: pseudo-test: train rows needed before and after {PSEUDO_SPLIT}"
                )
            pseudo_options = replace(options, score_stop=False)
            pseudo = run(Protocol("pseudo-test", early, late), valid, pseudo_options, advance)
            result["pseudo_test"] = pseudo.pop("on_later")
            result["pseudo_test_model"] = pseudo
    result["published_baselines_on_held_back_quarter"] = BASELINES
    result["goal"] = {"precision": GOAL}
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["cpu_seconds"] = round(time.process_time() - cpu_started, 1)
    result["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_1min_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    if args.plot:
        plot(result, args.plot)


if __name__ == "__main__":
    main()
