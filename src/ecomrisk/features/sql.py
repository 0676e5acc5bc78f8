"""Build the SQL of entity-history features. Strings only: no connection here.

One SELECT computes every feature for each row of ``targets`` (a relation with
the columns of ``feature_events``) from the relations ``feature_events`` and
``outcome_events``. The online path passes the single filing as ``targets``.
The batch path (``all_features_sql``) computes every filing of history at once:
the same expressions, except that counts over all history ("first seen") become
one running sum per key instead of a subquery per filing, which on a hot key
(a shipper with thousands of filings) would compare every pair. A parity test
holds both equal.
"""

from ecomrisk.engines.dialects import Dialect
from ecomrisk.features.definitions import (
    SECONDS_PER_DAY,
    Ever,
    Feature,
    OutcomeAggregate,
    Rolling,
    SameCustomsDay,
    ShipmentAggregate,
)

# History strictly before the filing: earlier in time, or as early and stored first.
_BEFORE = "(h.received_s < t.received_s OR (h.received_s = t.received_s AND h.sid < t.sid))"
# The version of each shipment that was current when the filing arrived.
_CURRENT_THEN = (
    "(h.superseded_s IS NULL OR h.superseded_s > t.received_s"
    " OR (h.superseded_s = t.received_s AND h.superseded_sid > t.sid))"
)
_OTHER_SHIPMENT = "NOT (h.filer_id = t.filer_id AND h.filer_reference = t.filer_reference)"


def _window_sql(
    window: SameCustomsDay | Rolling | Ever, dialect: Dialect, day_offset_s: int
) -> str:
    if isinstance(window, SameCustomsDay):
        day = dialect.int_div(f"{{alias}}.arrival_s + {day_offset_s}", str(SECONDS_PER_DAY))
        return f"{day.format(alias='h')} = {day.format(alias='t')}"
    if isinstance(window, Rolling):
        return f"h.received_s >= t.received_s - {window.days * SECONDS_PER_DAY}"
    return "1 = 1"


def _shipment_aggregate_sql(feature: ShipmentAggregate, dialect: Dialect, day_offset_s: int) -> str:
    conditions = [
        f"h.{feature.key} = t.{feature.key}",
        _BEFORE,
        _CURRENT_THEN,
        _OTHER_SHIPMENT,
        "h.status = 'active'",
        _window_sql(feature.window, dialect, day_offset_s),
    ]
    if feature.measure == "count":
        aggregate, own = "COUNT(*)", "1"
    elif feature.measure == "sum_value":
        aggregate, own = "COALESCE(SUM(h.value), 0)", "t.value"
    else:
        column = feature.distinct_of
        # Others' distinct values that differ from the filing's own, plus its own. The
        # test is in WHERE, not inside the aggregate: Spark refuses an aggregate that
        # mixes outer and inner columns, and a NULL own value matches no row either way.
        conditions.append(f"h.{column} <> t.{column}")
        aggregate = f"COUNT(DISTINCT h.{column})"
        own = f"CASE WHEN t.{column} IS NULL THEN 0 ELSE 1 END"
    where = " AND ".join(conditions)
    subquery = f"(SELECT {aggregate} FROM feature_events h WHERE {where})"
    total = f"{subquery} + {own}" if feature.include_self else subquery
    # A filing without the key (no phone, say) has no history for it.
    return f"CASE WHEN t.{feature.key} IS NULL THEN 0 ELSE {total} END"


def _outcome_aggregate_sql(feature: OutcomeAggregate) -> str:
    column = "violation" if feature.measure == "violations" else "seizure"
    conditions = [f"o.{feature.key} = t.{feature.key}", "o.recorded_s < t.received_s"]
    if isinstance(feature.window, Rolling):
        conditions.append(f"o.recorded_s >= t.received_s - {feature.window.days * SECONDS_PER_DAY}")
    subquery = (
        f"(SELECT COALESCE(SUM(o.{column}), 0) FROM outcome_events o "
        f"WHERE {' AND '.join(conditions)})"
    )
    return f"CASE WHEN t.{feature.key} IS NULL THEN 0 ELSE {subquery} END"


def feature_sql(feature: Feature, dialect: Dialect, day_offset_s: int) -> str:
    """The SQL expression of one feature, evaluated per row ``t`` of the targets."""
    if isinstance(feature, ShipmentAggregate):
        return _shipment_aggregate_sql(feature, dialect, day_offset_s)
    return _outcome_aggregate_sql(feature)


def features_sql(
    features: tuple[Feature, ...], dialect: Dialect, targets: str, day_offset_s: int
) -> str:
    """One SELECT giving ``sid`` and every feature for each row of ``targets``."""
    # One numeric type on every engine: counts and sums alike come back as floats.
    columns = ",\n  ".join(
        f"{dialect.as_double(feature_sql(f, dialect, day_offset_s))} AS {f.name}" for f in features
    )
    return f"SELECT t.sid AS sid,\n  {columns}\nFROM {targets} t\nORDER BY t.sid"


def _is_ever_count(feature: Feature) -> bool:
    return (
        isinstance(feature, ShipmentAggregate)
        and feature.measure == "count"
        and isinstance(feature.window, Ever)
    )


# A version's own order (received, then storage) and the order of the version that
# superseded it; a version superseded "before" it was received never counts.
_CHAINED = (
    "(superseded_s IS NULL OR superseded_s > received_s"
    " OR (superseded_s = received_s AND superseded_sid > sid))"
)


def _running_count_sql(feature: ShipmentAggregate, name: str) -> str:
    """Per filing t with the key: active versions h received before t and not yet
    superseded at t, as a running sum over marks ordered by (time, sid): +1 where a
    version starts, -1 where it is superseded, 0 at each filing. Ties: a supersession
    at t itself counts before t (that version is no longer current then), a start
    at t is t itself (not before it)."""
    key = feature.key
    active = f"status = 'active' AND {key} IS NOT NULL AND {_CHAINED}"
    return (
        f"{name}_marks AS (\n"
        f"  SELECT {key} AS k, received_s AS s1, sid AS s2, 1 AS mark, NULL AS target\n"
        f"  FROM feature_events WHERE {active}\n"
        f"  UNION ALL\n"
        f"  SELECT {key}, superseded_s, superseded_sid, -1, NULL\n"
        f"  FROM feature_events WHERE {active} AND superseded_s IS NOT NULL\n"
        f"  UNION ALL\n"
        f"  SELECT {key}, received_s, sid, 0, sid FROM feature_events WHERE {key} IS NOT NULL\n"
        f"),\n"
        f"{name} AS (\n"
        f"  SELECT target AS sid, n FROM (\n"
        f"    SELECT target, SUM(mark) OVER (PARTITION BY k ORDER BY s1, s2, mark\n"
        f"      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS n\n"
        f"    FROM {name}_marks) counted\n"
        f"  WHERE target IS NOT NULL\n"
        f")"
    )


def _ever_count_sql(feature: ShipmentAggregate, name: str) -> str:
    # The running sum counts every shipment; versions of the filing's own shipment
    # current at t (none when versions supersede in order) are taken off again.
    own_shipment = " AND ".join(
        [
            f"h.{feature.key} = t.{feature.key}",
            _BEFORE,
            _CURRENT_THEN,
            "h.filer_id = t.filer_id AND h.filer_reference = t.filer_reference",
            "h.status = 'active'",
        ]
    )
    total = f"{name}.n - (SELECT COUNT(*) FROM feature_events h WHERE {own_shipment})"
    if feature.include_self:
        total += " + 1"
    return f"CASE WHEN t.{feature.key} IS NULL THEN 0 ELSE {total} END"


def all_features_sql(features: tuple[Feature, ...], dialect: Dialect, day_offset_s: int) -> str:
    """One SELECT giving ``sid`` and every feature for every row of ``feature_events``."""
    ever = {f.name: f"ever_{i}" for i, f in enumerate(features) if _is_ever_count(f)}
    ctes = [
        _running_count_sql(f, ever[f.name])  # type: ignore[arg-type]
        for f in features
        if f.name in ever
    ]
    columns = []
    for f in features:
        expression = (
            _ever_count_sql(f, ever[f.name])  # type: ignore[arg-type]
            if f.name in ever
            else feature_sql(f, dialect, day_offset_s)
        )
        columns.append(f"{dialect.as_double(expression)} AS {f.name}")
    joins = "".join(f"\nLEFT JOIN {cte} ON {cte}.sid = t.sid" for cte in ever.values())
    head = "WITH " + ",\n".join(ctes) + "\n" if ctes else ""
    body = ",\n  ".join(columns)
    return f"{head}SELECT t.sid AS sid,\n  {body}\nFROM feature_events t{joins}\nORDER BY t.sid"
