"""The targeting simulation over several seeds: mean and spread per strategy.

    .venv/bin/python bench/targeting_seeds.py [--seeds 3] [--scenario FILE]
                                              [--out FILE.json] [--plot FILE.png]

Seed k builds the shipped world (``targeting.toml``) with world seed
``scenario seed + k`` — other sellers, other shipments, another draw of who runs
the new scheme's lane — and runs ``ecomrisk simulate-targeting``'s simulation with
``--seed k``. Prints JSON: each strategy's totals (weeks after the shared past)
per seed, and their mean, minimum and maximum; ``--plot`` draws the new-scheme
shipments found per week (mean over seeds, range shaded). CPU seconds and the load
average are in the JSON: figures do not depend on load, time does.
"""

import argparse
import json
import os
import platform
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ecomrisk.cli._common import stage_progress
from ecomrisk.simulate.scenario import load_scenario
from ecomrisk.simulate.world import generate
from ecomrisk.targeting.simulated_flow import build_flow
from ecomrisk.targeting.simulation import Settings, simulate

MEASURES = ("new_scheme_found", "violations", "precision", "revenue")


def one_seed(scenario: Any, seed: int, advance: Any) -> dict[str, Any]:
    world_scenario = scenario.model_copy(update={"seed": scenario.seed + seed})
    new = sorted(n for n, s in scenario.schemes.items() if s.start_day is not None)[0]
    start = datetime(scenario.start.year, scenario.start.month, scenario.start.day, tzinfo=UTC)
    flow = build_flow(generate(world_scenario))
    return simulate(
        flow,
        start,
        new,
        Settings(seed=seed),
        progress=lambda done, total: advance(f"seed {seed}", done, total),
    )


def summary(reports: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in reports[0]["strategies"]:
        totals = [r["strategies"][name]["total"] for r in reports]
        weeks = [[w["new_scheme_found"] for w in r["strategies"][name]["weeks"]] for r in reports]
        out[name] = {
            "per_seed": {m: [t[m] for t in totals] for m in MEASURES},
            "mean": {m: round(statistics.fmean(t[m] for t in totals), 4) for m in MEASURES},
            "min": {m: min(t[m] for t in totals) for m in MEASURES},
            "max": {m: max(t[m] for t in totals) for m in MEASURES},
            "new_scheme_shipments": [t["new_scheme_shipments"] for t in totals],
            "first_week_found": [t["new_scheme_first_week_found"] for t in totals],
            "new_scheme_found_by_week": weeks,
        }
    return out


def plot(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for name, figures in result["strategies"].items():
        weeks = np.array(figures["new_scheme_found_by_week"], dtype=float)
        xs = np.arange(weeks.shape[1])
        (line,) = axes[0].plot(xs, weeks.mean(axis=0), marker="o", label=name)
        axes[0].fill_between(
            xs, weeks.min(axis=0), weeks.max(axis=0), alpha=0.15, color=line.get_color()
        )
        mean = figures["mean"]
        axes[1].scatter(
            mean["precision"], mean["new_scheme_found"], color=line.get_color(), label=name
        )
        axes[1].errorbar(
            mean["precision"],
            mean["new_scheme_found"],
            xerr=[
                [mean["precision"] - figures["min"]["precision"]],
                [figures["max"]["precision"] - mean["precision"]],
            ],
            yerr=[
                [mean["new_scheme_found"] - figures["min"]["new_scheme_found"]],
                [figures["max"]["new_scheme_found"] - mean["new_scheme_found"]],
            ],
            color=line.get_color(),
            alpha=0.5,
        )
    start_week = result["new_scheme_start_week"]
    axes[0].axvline(start_week - 0.5, color="red", linestyle=":", label="new scheme starts")
    axes[0].set(
        xlabel="week",
        ylabel="new-scheme shipments found",
        title="per week (mean, range over seeds)",
    )
    axes[0].legend(fontsize=8)
    axes[1].set(
        xlabel="precision (weeks after the past)",
        ylabel="new-scheme shipments found (of ~800)",
        title="what the new scheme costs and finds (mean, range)",
    )
    fig.suptitle(
        f"Targeting simulation, {len(result['seeds'])} seeds, new scheme {result['new_scheme']}"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=3, help="number of seeds (0, 1, ...)")
    parser.add_argument("--scenario", type=Path, help="scenario TOML (default: targeting.toml)")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument("--plot", type=Path, help="write a PNG here")
    args = parser.parse_args()
    if args.seeds < 1:
        parser.error("--seeds: must be at least 1")
    scenario = load_scenario(args.scenario, "targeting.toml")
    new = sorted(n for n, s in scenario.schemes.items() if s.start_day is not None)
    if not new:
        parser.error("the scenario has no scheme with a start_day")
    load_before, cpu, wall = os.getloadavg(), time.process_time(), time.perf_counter()
    with stage_progress(stderr=True) as advance:
        reports = [one_seed(scenario, seed, advance) for seed in range(args.seeds)]
    result = {
        "scenario": str(args.scenario or "targeting.toml"),
        "new_scheme": new[0],
        "new_scheme_start_week": (scenario.schemes[new[0]].start_day or 0) // 7,
        "seeds": list(range(args.seeds)),
        "world_seeds": [scenario.seed + k for k in range(args.seeds)],
        "capacity_share": Settings().capacity_share,
        "strategies": summary(reports),
        "cpu_seconds": round(time.process_time() - cpu, 1),
        "seconds": round(time.perf_counter() - wall, 1),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_1min_before_after": [
                round(load_before[0], 2),
                round(os.getloadavg()[0], 2),
            ],
        },
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    if args.plot:
        plot(result, args.plot)


if __name__ == "__main__":
    main()
