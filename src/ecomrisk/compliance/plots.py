"""Plots of a compliance report (matplotlib, Agg backend: no display needed)."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from ecomrisk.compliance.report import Report

# Strata beyond this many are left off the chart (the JSON has them all).
MAX_STRATA = 25


def plot_report(report: Report, path: Path) -> Path:
    """Compliance rate with its interval by stratum and overall, and the lift."""
    rows = sorted(report.strata, key=lambda s: -s.sampled)[:MAX_STRATA]
    if report.overall is not None:
        rows = [report.overall, *rows]
    height = 1.5 + 0.32 * max(len(rows), 1)
    figure, (rates, lift_axis) = plt.subplots(
        1, 2, figsize=(12, height), width_ratios=(3, 1), layout="constrained"
    )
    labels = [f"{r.stratum} (n={r.sampled})" for r in rows]
    estimates = [r.compliance.estimate for r in rows]
    errors = [
        [r.compliance.estimate - r.compliance.low for r in rows],
        [r.compliance.high - r.compliance.estimate for r in rows],
    ]
    positions = list(range(len(rows)))[::-1]
    colours = ["black"] + ["tab:blue"] * (len(rows) - 1) if report.overall else "tab:blue"
    rates.errorbar(estimates, positions, xerr=errors, fmt="none", ecolor="grey", capsize=3)
    rates.scatter(estimates, positions, c=colours, zorder=3)
    rates.set_yticks(positions, labels, fontsize=7)
    rates.set_xlabel(f"compliance rate ({report.confidence:.0%} interval)")
    rates.set_xlim(min([0.5, *(r.compliance.low for r in rows)]), 1.0)
    rates.set_title(f"Compliance from the random sample ({report.sampled} exams)")
    lift = report.lift
    if lift is not None and lift.estimate is not None and lift.low and lift.high:
        lift_axis.errorbar(
            [0],
            [lift.estimate],
            yerr=[[lift.estimate - lift.low], [lift.high - lift.estimate]],
            fmt="o",
            capsize=6,
            color="tab:red",
        )
        lift_axis.axhline(1.0, color="grey", linestyle=":")
        lift_axis.set_title(f"Lift of targeting: {lift.estimate:.1f}x")
    else:
        lift_axis.text(0.5, 0.5, "lift: not estimable\n(no hits or no random rate)", ha="center")
        lift_axis.set_title("Lift of targeting")
    lift_axis.set_xticks([])
    lift_axis.set_ylabel("targeted hit rate / random violation rate")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path
