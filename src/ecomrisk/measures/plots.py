"""Plots of measures (matplotlib, Agg backend), rendered to PNG bytes on the server:
no JavaScript, so the app's Content-Security-Policy stays strict."""

import io
from datetime import date

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.dates import date2num
from matplotlib.figure import Figure

from ecomrisk.measures.board import Row
from ecomrisk.measures.compute import ALL

MAX_GROUPS = 6  # breakdown lines beside the overall one; the CSV has them all


def png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return buffer.getvalue()


def plot_row(row: Row, currency: str = "") -> bytes:
    """The measure over time (with its interval where it has one) against its
    baseline (dashed) and target (dotted); the largest groups as thin lines."""
    figure, axis = plt.subplots(figsize=(7, 2.8), layout="constrained")
    overall = list(row.overall)
    days = [float(date2num(date.fromisoformat(p.period))) for p in overall]
    values = [p.value if p.value is not None else float("nan") for p in overall]
    axis.plot(days, values, marker="o", markersize=3, color="black", label="overall")
    bands = [
        (d, p.low, p.high)
        for d, p in zip(days, overall, strict=True)
        if p.low is not None and p.high is not None
    ]
    if bands:
        axis.fill_between(
            [b[0] for b in bands],
            [float(b[1] or 0) for b in bands],
            [float(b[2] or 0) for b in bands],
            color="grey",
            alpha=0.25,
            label="interval",
        )
    groups: dict[str, float] = {}
    for p in row.points:
        if p.group != ALL and p.value is not None:
            groups[p.group] = groups.get(p.group, 0.0) + p.value
    for group in sorted(groups, key=lambda g: -groups[g])[:MAX_GROUPS]:
        mine = {p.period: p.value for p in row.points if p.group == group}
        axis.plot(days, [mine.get(p.period) or 0.0 for p in overall], linewidth=0.8, label=group)
    if row.baseline is not None and row.baseline.value is not None:
        axis.axhline(row.baseline.value, linestyle="--", color="tab:blue", label="baseline")
    if row.setting is not None and row.setting.target is not None:
        axis.axhline(row.setting.target, linestyle=":", color="tab:green", label="target")
    unit = currency if row.measure.unit == "money" else row.measure.unit
    axis.xaxis_date()
    axis.set_ylabel(unit)
    axis.set_title(row.measure.title, fontsize=10)
    axis.tick_params(labelsize=7)
    axis.legend(fontsize=6, loc="upper left", ncols=3)
    return png(figure)
