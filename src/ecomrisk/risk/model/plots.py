"""Evaluation plots as PNG files (matplotlib, Agg: no display needed)."""

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

_COLOURS = {"random_sample": "tab:blue", "inspected": "tab:orange"}


def calibration_png(report: dict[str, Any], path: Path) -> Path:
    """Reliability diagram: mean predicted probability against the observed rate."""
    figure, axis = plt.subplots(figsize=(6, 5))
    axis.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfectly calibrated")
    for name, figures in report["populations"].items():
        curve = figures.get("calibration_curve") or []
        if curve:
            axis.plot(
                [b["predicted"] for b in curve],
                [b["observed"] for b in curve],
                marker="o",
                color=_COLOURS.get(name),
                label=f"{name} (n={figures['examples']}, Brier {figures['brier']:.3f})",
            )
    axis.set(
        xlabel="predicted probability of a violation",
        ylabel="observed share with a violation",
        xlim=(0, 1),
        ylim=(0, 1),
        title=f"Calibration of {report.get('model', 'the model')}",
    )
    axis.legend(loc="upper left", fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def precision_png(report: dict[str, Any], path: Path) -> Path:
    """Precision at 1, 2, 5 and 10 % inspected, per population."""
    figure, axis = plt.subplots(figsize=(6, 4))
    names = [n for n, f in report["populations"].items() if f.get("precision")]
    width = 0.8 / max(len(names), 1)
    for i, name in enumerate(names):
        figures = report["populations"][name]
        shares = list(figures["precision"])
        axis.bar(
            [j + i * width for j in range(len(shares))],
            [figures["precision"][s] for s in shares],
            width=width,
            color=_COLOURS.get(name),
            label=f"{name} (base rate {figures['violation_rate']:.1%})",
        )
        axis.set_xticks([j + width * (len(names) - 1) / 2 for j in range(len(shares))], shares)
    axis.set(
        xlabel="share inspected (top by model score)",
        ylabel="precision (share with a violation)",
        ylim=(0, 1),
        title=f"Precision at n % inspected: {report.get('model', 'the model')}",
    )
    axis.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
