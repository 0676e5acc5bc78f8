"""The targeting simulation's chart as a PNG (matplotlib, Agg: no display needed)."""

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

_PANELS = (
    ("precision", "precision (violations / inspected)"),
    ("revenue", "revenue recovered (USD)"),
    ("new_scheme_found", "new-scheme shipments found"),
)


def simulation_png(report: dict[str, Any], path: Path) -> Path:
    """Per week and strategy: precision, revenue recovered, new-scheme shipments found."""
    figure, axes = plt.subplots(1, len(_PANELS), figsize=(15, 4.5))
    settings = report["settings"]
    for axis, (key, title) in zip(axes, _PANELS, strict=True):
        for name, figures in report["strategies"].items():
            weeks = figures["weeks"]
            axis.plot([w["week"] for w in weeks], [w[key] for w in weeks], marker="o", label=name)
        axis.axvspan(-0.5, settings["burn_in_weeks"] - 0.5, color="grey", alpha=0.15)
        if settings.get("new_scheme_start_week") is not None:
            axis.axvline(settings["new_scheme_start_week"] - 0.5, color="red", linestyle=":")
        axis.set(title=title, xlabel="week (grey: shared past; red: new scheme starts)")
        axis.grid(alpha=0.3)
    axes[0].legend()
    figure.suptitle(
        f"Targeting strategies at {settings['capacity_share']:.0%} capacity, "
        f"new scheme {settings['new_scheme']}"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
