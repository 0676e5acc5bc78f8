"""The dashboard's content: each measure's series with its baseline (computed over
the baseline period) and target, and the CSV export of the same points."""

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection

from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.measures import compute, targets_repo
from ecomrisk.measures.catalogue import MEASURES, Measure, measure
from ecomrisk.measures.compute import ALL, Context, Point
from ecomrisk.measures.periods import Grain, Span, spans
from ecomrisk.reference.fx import bundled_rates
from ecomrisk.settings import Settings
from ecomrisk.store.fx_repo import latest_rates

DEFAULT_DAYS = 90  # the dashboard's window when none is asked for


def context_for(connection: Connection, settings: Settings) -> Context:
    profile = load_profile(settings.jurisdiction)
    return Context(
        currency=profile.currency,
        rates=latest_rates(connection) or bundled_rates(),
        major_findings=frozenset(settings.compliance_major_findings),
    )


def default_window(today: date | None = None) -> tuple[date, date]:
    """The last DEFAULT_DAYS days to the end of next month: shipments are filed
    before they arrive, so the flow of the coming weeks is already known."""
    today = today or datetime.now(UTC).date()
    ahead = (today.replace(day=28) + timedelta(days=35)).replace(day=1)
    return today - timedelta(days=DEFAULT_DAYS), ahead


@dataclass
class Row:
    measure: Measure
    points: list[Point]  # every group, every period
    setting: targets_repo.Setting | None = None
    baseline: Point | None = None  # the overall value over the baseline period

    @property
    def overall(self) -> list[Point]:
        return [p for p in self.points if p.group == ALL]

    @property
    def latest(self) -> Point | None:
        known = [p for p in self.overall if p.value is not None]
        return known[-1] if known else None

    @property
    def status(self) -> str:
        """Whether the latest value meets the target in the measure's good direction."""
        latest, target = self.latest, self.setting.target if self.setting else None
        if latest is None or latest.value is None or target is None:
            return ""
        if self.measure.good == "up":
            return "met" if latest.value >= target else "not met"
        if self.measure.good == "down":
            return "met" if latest.value <= target else "not met"
        return ""


@dataclass
class Board:
    since: date
    until: date
    grain: Grain
    rows: list[Row] = field(default_factory=list)


def baseline_of(
    connection: Connection, setting: targets_repo.Setting, context: Context
) -> Point | None:
    if not setting.baseline_from or not setting.baseline_to:
        return None
    span = Span(date.fromisoformat(setting.baseline_from), date.fromisoformat(setting.baseline_to))
    points = compute.series(connection, [setting.measure], [span], context)
    return next((p for p in points if p.group == ALL), None)


def build(
    connection: Connection,
    context: Context,
    since: date,
    until: date,
    grain: Grain,
    names: Sequence[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Board:
    chosen = [measure(n) for n in names] if names else list(MEASURES)
    periods = spans(since, until, grain)
    points = compute.series(connection, [m.name for m in chosen], periods, context, progress)
    settings = targets_repo.all_settings(connection)
    board = Board(since, until, grain)
    for m in chosen:
        setting = settings.get(m.name)
        baseline = baseline_of(connection, setting, context) if setting else None
        board.rows.append(Row(m, [p for p in points if p.measure == m.name], setting, baseline))
    return board


CSV_HEADER = ["measure", "period", "group", "value", "low", "high", "n", "unit", "note"]


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


def to_csv(board: Board) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in board.rows:
        for p in row.points:
            writer.writerow(
                [
                    p.measure,
                    p.period,
                    p.group,
                    _number(p.value),
                    _number(p.low),
                    _number(p.high),
                    p.n,
                    row.measure.unit,
                    p.note,
                ]
            )
        setting = row.setting
        if row.baseline is not None and setting is not None:
            b = row.baseline
            period = f"baseline {setting.baseline_from}/{setting.baseline_to}"
            values = [_number(b.value), _number(b.low), _number(b.high), b.n]
            writer.writerow([row.measure.name, period, ALL, *values, row.measure.unit, "baseline"])
        if setting is not None and setting.target is not None:
            period = f"target {setting.target_by or ''}".strip()
            values = [_number(setting.target), "", "", ""]
            writer.writerow([row.measure.name, period, ALL, *values, row.measure.unit, "target"])
    return out.getvalue()
