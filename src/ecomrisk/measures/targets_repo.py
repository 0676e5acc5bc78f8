"""Baselines and targets of measures, as programme managers set them: one row per
measure, every change audited in the same transaction."""

import math
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection, select

from ecomrisk.audit import log
from ecomrisk.measures.catalogue import measure
from ecomrisk.store.schema import measure_targets

MAX_NOTE = 500


class TargetError(ValueError):
    """A baseline or target refused: the message names the field."""


@dataclass(frozen=True)
class Setting:
    measure: str
    baseline_from: str | None = None
    baseline_to: str | None = None  # exclusive
    target: float | None = None
    target_by: str | None = None
    note: str | None = None
    updated_by: str = ""


def _day(field: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise TargetError(f"{field}: {text!r} is not a date (YYYY-MM-DD)") from None


def get(connection: Connection, name: str) -> Setting | None:
    row = connection.execute(
        select(measure_targets).where(measure_targets.c.measure == name)
    ).first()
    if row is None:
        return None
    return Setting(
        row.measure,
        row.baseline_from,
        row.baseline_to,
        row.target,
        row.target_by,
        row.note,
        row.updated_by,
    )


def all_settings(connection: Connection) -> dict[str, Setting]:
    rows = connection.execute(select(measure_targets.c.measure)).scalars().all()
    return {name: s for name in rows if (s := get(connection, name)) is not None}


def _save(connection: Connection, new: Setting, actor: str) -> Setting:
    old = get(connection, new.measure)
    values = {**asdict(new), "updated_by": actor, "updated_at": datetime.now(UTC)}
    if old is None:
        connection.execute(measure_targets.insert().values(**values))
    else:
        connection.execute(
            measure_targets.update()
            .where(measure_targets.c.measure == new.measure)
            .values(**values)
        )
    saved = Setting(**{**asdict(new), "updated_by": actor})
    log.record(
        connection,
        actor=actor,
        action="measure_target_set",
        entity="measure",
        entity_id=new.measure,
        before=asdict(old) if old else None,
        after=asdict(saved),
    )
    return saved


def set_baseline(
    connection: Connection, name: str, since: str, until: str, *, actor: str
) -> Setting:
    """The baseline period [since, until) of measure ``name``."""
    measure(name)
    first, after = _day("from", since), _day("to", until)
    if after <= first:
        raise TargetError(f"to: {until} must come after from: {since}")
    old = get(connection, name) or Setting(name)
    new = Setting(
        **{**asdict(old), "baseline_from": first.isoformat(), "baseline_to": after.isoformat()}
    )
    return _save(connection, new, actor)


def set_target(
    connection: Connection,
    name: str,
    target: float,
    *,
    by: str | None = None,
    note: str | None = None,
    actor: str,
) -> Setting:
    """The value measure ``name`` should reach (by the day ``by``, if given)."""
    spec = measure(name)
    if not math.isfinite(target):
        raise TargetError(f"target: {target} is not a finite number")
    if spec.unit in ("share", "score") and not 0 <= target <= 1:
        raise TargetError(f"target: {target} must lie in [0, 1] for a {spec.unit}")
    if target < 0:
        raise TargetError(f"target: {target} must not be negative")
    if note is not None and len(note) > MAX_NOTE:
        raise TargetError(f"note: longer than {MAX_NOTE} characters")
    day = _day("by", by).isoformat() if by else None
    old = get(connection, name) or Setting(name)
    new = Setting(**{**asdict(old), "target": float(target), "target_by": day, "note": note})
    return _save(connection, new, actor)
