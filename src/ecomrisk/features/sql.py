"""Build the SQL of entity-history features. Strings only: no connection here.

One SELECT computes every feature for each row of ``targets`` (a relation with
the columns of ``feature_events``) from the relations ``feature_events`` and
``outcome_events``. The online path passes the single filing as ``targets``.
The batch path (``all_features_sql``) computes every filing of history at once:
the same values, but each feature as running sums per key (window functions over
marks where versions start and stop counting; distinct counts as a running count
per value, then a running sum of the values counting) instead of a subquery per
filing, which on a hot key (a shipper with thousands
of filings) compares every pair: measured at 100,000 filings 38 against 60 us a
filing, at 300,000 63 against 124 (the subqueries are cheaper below ~20,000). A
parity test holds both paths equal.
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
    if feature.up_to is not None:
        # The scan stops at the bound; min(others, up_to - 1) + 1 = min(total, up_to).
        limit = feature.up_to - 1 if feature.include_self else feature.up_to
        subquery = (
            f"(SELECT COUNT(*) FROM (SELECT 1 FROM feature_events h WHERE {where} "
            f"LIMIT {limit}) bounded)"
        )
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


# A version's own order (received, then storage) and the order of the version that
# superseded it; a version superseded "before" it was received never counts.
_CHAINED = (
    "(superseded_s IS NULL OR superseded_s > received_s"
    " OR (superseded_s = received_s AND superseded_sid > sid))"
)
# Running sums of declared values in exact decimals: a value added and taken off
# again leaves exactly nothing (floats would leave a rounding residue).
_EXACT = "DECIMAL(38, 10)"
_RUNNING = "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"


def _day_part(feature: ShipmentAggregate, dialect: Dialect, day_offset_s: int, arrival: str) -> str:
    """The partition of a version or filing by window: its customs day of arrival in a
    same-day window, one partition otherwise."""
    if isinstance(feature.window, SameCustomsDay):
        return dialect.int_div(f"{arrival} + {day_offset_s}", str(SECONDS_PER_DAY))
    return "0"


def _version_span(
    feature: ShipmentAggregate, dialect: Dialect, day_offset_s: int
) -> tuple[str, str, str, str]:
    """Where each active version of ``feature``'s key counts for later filings, as
    SQL over ``feature_events``: (its partition: 0, or the customs day of arrival in
    a same-day window; where it stops counting, in the (time, sid) order; the filter
    of versions that do stop; the filter of versions that count at all). A version
    stops counting where the next version supersedes it or, in a rolling window,
    where it grows too old for later filings (time + window + 1, sid -1: before any
    filing of that second), whichever comes first."""
    part = _day_part(feature, dialect, day_offset_s, "arrival_s")
    if isinstance(feature.window, Rolling):
        expiry = f"received_s + {feature.window.days * SECONDS_PER_DAY + 1}"
        first = f"superseded_s IS NOT NULL AND superseded_s < {expiry}"
        stop = (
            f"CASE WHEN {first} THEN superseded_s ELSE {expiry} END, "
            f"CASE WHEN {first} THEN superseded_sid ELSE -1 END"
        )
        stops = ""
    else:
        stop, stops = "superseded_s, superseded_sid", " AND superseded_s IS NOT NULL"
    active = f"status = 'active' AND {feature.key} IS NOT NULL AND {_CHAINED}"
    return part, stop, stops, active


def _shipment_marks_sql(
    feature: ShipmentAggregate, name: str, dialect: Dialect, day_offset_s: int
) -> str:
    """Per filing t with the key: the other shipments' active versions h received
    before t, still current at t and inside the window, as a running sum ordered by
    (time, sid, mark) over marks: +1 (or +value) where a version starts, -1 where it
    stops counting (``_version_span``), 0 at each filing. Ties: a supersession at t
    itself counts before t (that version is no longer current then), a start at t is
    t itself (not before it). A same-day window is a partition by the customs day of
    arrival. Versions of the filing's own shipment current at t (none when versions
    supersede in order) are taken off again (``_own_shipment_sql``)."""
    key = feature.key
    value = "1" if feature.measure == "count" else f"CAST(value AS {_EXACT})"
    part, stop, stops, active = _version_span(feature, dialect, day_offset_s)
    columns = f"{key} AS k, {part} AS d"
    return (
        f"{name}_marks AS (\n"
        f"  SELECT {columns}, received_s AS s1, sid AS s2, 1 AS mark, {value} AS v,\n"
        f"    CAST(NULL AS BIGINT) AS target\n"
        f"  FROM feature_events WHERE {active}\n"
        f"  UNION ALL\n"
        f"  SELECT {columns}, {stop}, -1, -{value}, NULL\n"
        f"  FROM feature_events WHERE {active}{stops}\n"
        f"  UNION ALL\n"
        f"  SELECT {columns}, received_s, sid, 0, 0, sid FROM feature_events\n"
        f"  WHERE {key} IS NOT NULL\n"
        f"),\n"
        f"{name} AS (\n"
        f"  SELECT target AS sid, n FROM (\n"
        f"    SELECT target,\n"
        f"      SUM(v) OVER (PARTITION BY k, d ORDER BY s1, s2, mark {_RUNNING}) AS n\n"
        f"    FROM {name}_marks) counted\n"
        f"  WHERE target IS NOT NULL\n"
        f")"
    )


def _distinct_marks_sql(
    feature: ShipmentAggregate, name: str, dialect: Dialect, day_offset_s: int
) -> str:
    """Per filing t with the key and a value x of ``distinct_of``: how many distinct
    values the other shipments' versions counting at t have (those ``features_sql``
    counts), without correlated subqueries, in three steps.

    1. Per (key, value), a running count of its versions counting at each point: the
       marks of ``_shipment_marks_sql`` (+1 start, -1 stop) partitioned by the value
       too, with a 0 mark at t in the partition of t's own value (``n``: is x itself
       among them?) and probes (below).
    2. Per key, a running sum of the steps of those counts: +1 where a value's count
       goes from 0 to 1, -1 where it goes back to 0; read at t, the values counting.
    3. At t: that sum, less t's own value (counted apart, once), less each value that
       counts only through versions of t's own shipment (out-of-order amendments; a
       probe at t per such value carries how many of its versions are t's own, and
       the value drops out when that is all of its count).
    A filing without a value counts nothing (``h.x <> t.x`` holds for no row)."""
    key, x = feature.key, feature.distinct_of
    part, stop, stops, active = _version_span(feature, dialect, day_offset_s)
    counting = f"{active} AND {x} IS NOT NULL"
    columns = f"{key} AS k, {part} AS d, {x} AS x"
    own = " AND ".join(
        [
            _OWN_VERSIONS,
            f"h.{key} = t.{key}",
            f"h.{x} <> t.{x}",
            _window_sql(feature.window, dialect, day_offset_s),
        ]
    )
    t_part = _day_part(feature, dialect, day_offset_s, "t.arrival_s")
    return (
        f"{name}_own AS (\n"
        f"  SELECT k, d, x, s1, s2, target, COUNT(*) AS own_n FROM (\n"
        f"    SELECT t.{key} AS k, {t_part} AS d, h.{x} AS x, t.received_s AS s1,\n"
        f"      t.sid AS s2, t.sid AS target\n"
        f"    FROM feature_events t JOIN feature_events h ON {own}) pairs\n"
        f"  GROUP BY k, d, x, s1, s2, target\n"
        f"),\n"
        f"{name}_marks AS (\n"
        f"  SELECT {columns}, received_s AS s1, sid AS s2, 1 AS mark,\n"
        f"    CAST(NULL AS BIGINT) AS target, CAST(0 AS BIGINT) AS own_n\n"
        f"  FROM feature_events WHERE {counting}\n"
        f"  UNION ALL\n"
        f"  SELECT {columns}, {stop}, -1, NULL, 0\n"
        f"  FROM feature_events WHERE {counting}{stops}\n"
        f"  UNION ALL\n"
        f"  SELECT {columns}, received_s, sid, 0, sid, 0 FROM feature_events\n"
        f"  WHERE {key} IS NOT NULL AND {x} IS NOT NULL\n"
        f"  UNION ALL\n"
        f"  SELECT k, d, x, s1, s2, 0, target, own_n FROM {name}_own\n"
        f"),\n"
        f"{name}_live AS (\n"
        f"  SELECT k, d, s1, s2, mark, target, own_n,\n"
        f"    SUM(mark) OVER (PARTITION BY k, d, x ORDER BY s1, s2, mark {_RUNNING}) AS n\n"
        f"  FROM {name}_marks\n"
        f"),\n"
        f"{name}_values AS (\n"
        f"  SELECT target, own_n, n, SUM(CASE WHEN mark = 1 AND n = 1 THEN 1\n"
        f"    WHEN mark = -1 AND n = 0 THEN -1 ELSE 0 END)\n"
        f"    OVER (PARTITION BY k, d ORDER BY s1, s2, mark {_RUNNING}) AS values_n\n"
        f"  FROM {name}_live\n"
        f"),\n"
        f"{name} AS (\n"
        f"  SELECT target AS sid,\n"
        f"    SUM(CASE WHEN own_n = 0 THEN values_n - (CASE WHEN n > 0 THEN 1 ELSE 0 END)\n"
        f"      WHEN n = own_n THEN -1 ELSE 0 END) AS n\n"
        f"  FROM {name}_values WHERE target IS NOT NULL GROUP BY target\n"
        f")"
    )


def _outcome_marks_sql(feature: OutcomeAggregate, name: str) -> str:
    """Per filing t with the key: outcomes recorded before t and inside the window, as
    a running sum ordered by (time, rank) over +n where an outcome is recorded (rank 2:
    after a filing of the same second, "before" is strict), -n where it leaves the
    window (time + window + 1, rank 0: before a filing of that second) and 0 at each
    filing (rank 1)."""
    key = feature.key
    column = "violation" if feature.measure == "violations" else "seizure"
    leaving = ""
    if isinstance(feature.window, Rolling):
        leaving = (
            f"  UNION ALL\n"
            f"  SELECT {key}, recorded_s + {feature.window.days * SECONDS_PER_DAY + 1}, 0,"
            f" -{column}, NULL\n"
            f"  FROM outcome_events WHERE {key} IS NOT NULL\n"
        )
    return (
        f"{name}_marks AS (\n"
        f"  SELECT {key} AS k, recorded_s AS s1, 2 AS mark, {column} AS v,"
        f" CAST(NULL AS BIGINT) AS target\n"
        f"  FROM outcome_events WHERE {key} IS NOT NULL\n"
        f"{leaving}"
        f"  UNION ALL\n"
        f"  SELECT {key}, received_s, 1, 0, sid FROM feature_events WHERE {key} IS NOT NULL\n"
        f"),\n"
        f"{name} AS (\n"
        f"  SELECT target AS sid, n FROM (\n"
        f"    SELECT target, SUM(v) OVER (PARTITION BY k ORDER BY s1, mark {_RUNNING}) AS n\n"
        f"    FROM {name}_marks) counted\n"
        f"  WHERE target IS NOT NULL\n"
        f")"
    )


# Each filing t joined to the versions h of its own shipment current at t (what the
# running sums counted but ``features_sql`` leaves out): an equi-join on the filer's
# reference, a shipment having few versions. As correlated subqueries, Spark joined
# every filing to every version (a nested loop over the time tests).
_OWN_VERSIONS = " AND ".join(
    [
        "h.filer_id = t.filer_id AND h.filer_reference = t.filer_reference",
        _BEFORE,
        _CURRENT_THEN,
        "h.status = 'active'",
    ]
)


def _own_shipment_sql(
    features: dict[str, ShipmentAggregate], dialect: Dialect, day_offset_s: int
) -> str:
    """What the running sums counted of each filing's own shipment: its other versions
    current at t (none when versions supersede in order), one column per feature,
    named as its running sum. One join of each version with the earlier versions of
    its shipment (a shipment has few), instead of a correlated subquery per feature."""
    columns = []
    for name, feature in features.items():
        where = f"h.{feature.key} = t.{feature.key}"
        if not isinstance(feature.window, Ever):
            where += f" AND {_window_sql(feature.window, dialect, day_offset_s)}"
        value = "1" if feature.measure == "count" else "h.value"
        columns.append(f"SUM(CASE WHEN {where} THEN {value} ELSE 0 END) AS {name}")
    return (
        f"own AS (\n"
        f"  SELECT t.sid AS sid,\n    {', '.join(columns)}\n"
        f"  FROM feature_events t JOIN feature_events h ON {_OWN_VERSIONS}\n"
        f"  GROUP BY t.sid\n"
        f")"
    )


def _distinct(feature: Feature) -> bool:
    return isinstance(feature, ShipmentAggregate) and feature.measure == "count_distinct"


def _windowed_value_sql(feature: Feature, name: str) -> str:
    total = f"{name}.n"
    missing = f"t.{feature.key} IS NULL"  # a filing without the key (no phone, say)
    if isinstance(feature, ShipmentAggregate) and _distinct(feature):
        missing += f" OR t.{feature.distinct_of} IS NULL"  # nor a value to count
        if feature.include_self:
            total += " + 1"
    elif isinstance(feature, ShipmentAggregate):
        taken = f"COALESCE(own.{name}, 0)"
        total += f" - {taken}" if feature.measure == "count" else f" - CAST({taken} AS {_EXACT})"
        if feature.include_self:
            total += " + 1" if feature.measure == "count" else f" + CAST(t.value AS {_EXACT})"
        if feature.up_to is not None:
            total = f"CASE WHEN {total} > {feature.up_to} THEN {feature.up_to} ELSE {total} END"
    return f"CASE WHEN {missing} THEN 0 ELSE {total} END"


def _marks_sql(feature: Feature, name: str, dialect: Dialect, day_offset_s: int) -> str:
    if isinstance(feature, OutcomeAggregate):
        return _outcome_marks_sql(feature, name)
    if _distinct(feature):
        return _distinct_marks_sql(feature, name, dialect, day_offset_s)
    return _shipment_marks_sql(feature, name, dialect, day_offset_s)


def all_features_sql(features: tuple[Feature, ...], dialect: Dialect, day_offset_s: int) -> str:
    """One SELECT giving ``sid`` and every feature for every row of ``feature_events``:
    the same values as ``features_sql`` over every filing, each feature computed as
    running sums (window functions) instead of a subquery per filing, which on a hot
    key (a shipper with thousands of filings) would compare every pair, and which
    Spark plans as many small joins."""
    if not features:
        return "SELECT t.sid AS sid FROM feature_events t ORDER BY t.sid"
    names = {f.name: f"w{i}" for i, f in enumerate(features)}
    ctes = [_marks_sql(f, names[f.name], dialect, day_offset_s) for f in features]
    joined = list(names.values())
    # Distinct counts take off the filing's own shipment themselves (their probes).
    shipment_sums = {
        names[f.name]: f for f in features if isinstance(f, ShipmentAggregate) and not _distinct(f)
    }
    if shipment_sums:
        ctes.append(_own_shipment_sql(shipment_sums, dialect, day_offset_s))
        joined.append("own")
    columns = [
        f"{dialect.as_double(_windowed_value_sql(f, names[f.name]))} AS {f.name}" for f in features
    ]
    joins = "".join(f"\nLEFT JOIN {cte} ON {cte}.sid = t.sid" for cte in joined)
    body = ",\n  ".join(columns)
    return (
        "WITH " + ",\n".join(ctes) + "\n"
        f"SELECT t.sid AS sid,\n  {body}\nFROM feature_events t{joins}\nORDER BY t.sid"
    )


# The bucketed backfill (``features.backfill``). Every condition above matches history
# to the filing on the feature's key (``h.key = t.key``, ``o.key = t.key``, and the
# own-shipment join and distinct counts' probes count only versions with t's key), so
# the features of one key column can be computed apart from the others', and apart for
# each bucket of that column's values: each bucket's sorts are of its own marks, small
# enough to stay in memory whatever the rows.

# The columns the feature SQL reads of each event table, besides the features' keys
# and the values of distinct counts.
_VERSION_COLUMNS = (
    "sid",
    "filer_id",
    "filer_reference",
    "status",
    "received_s",
    "superseded_s",
    "superseded_sid",
    "arrival_s",
    "value",
)
_OUTCOME_COLUMNS = ("recorded_s", "violation", "seizure")
# What the bucketing needs to know of the versions: how many, and their sids' span.
SID_SPAN_SQL = "SELECT COUNT(*) AS n, MIN(sid) AS lo, MAX(sid) AS hi FROM feature_events"


def key_groups(features: tuple[Feature, ...]) -> dict[str, tuple[Feature, ...]]:
    """The features by key column (in the order of their first feature)."""
    groups: dict[str, list[Feature]] = {}
    for feature in features:
        groups.setdefault(feature.key, []).append(feature)
    return {key: tuple(group) for key, group in groups.items()}


def tables_read(features: tuple[Feature, ...]) -> tuple[str, ...]:
    """The event tables ``all_features_sql(features)`` reads."""
    outcomes = any(isinstance(f, OutcomeAggregate) for f in features)
    return ("feature_events", "outcome_events") if outcomes else ("feature_events",)


def bucketed_sql(features: tuple[Feature, ...], table: str, buckets: int, dialect: Dialect) -> str:
    """The rows of ``table`` (one of ``tables_read(features)``) that have the key of ``features``
    (one key column's), with the columns their SQL reads and the ``bucket`` of the key.
    Rows without the key count for nothing and get 0 (``assembled_sql``)."""
    key = features[0].key
    if table == "feature_events":
        distinct = [f.distinct_of for f in features if isinstance(f, ShipmentAggregate)]
        columns = [*_VERSION_COLUMNS, key, *(c for c in distinct if c)]
    else:
        columns = [*_OUTCOME_COLUMNS, key]
    listed = ", ".join(dict.fromkeys(columns))  # once each, in order
    bucket = dialect.bucket(key, buckets)
    return f"SELECT {listed}, {bucket} AS bucket FROM {table} WHERE {key} IS NOT NULL"


def assembled_sql(features: tuple[Feature, ...], sids: tuple[int, int] | None) -> str:
    """``sid`` and every feature (in the order of ``features``) for each row of
    ``feature_events`` (those with ``lo <= sid < hi`` given ``sids``), from the
    relations ``group_0``, ``group_1``, ... (``all_features_sql`` of each of
    ``key_groups(features)``, in order, over the rows with its key): a filing without a
    group's key is in none of its rows and gets 0, as in ``all_features_sql``."""
    where = "" if sids is None else f" WHERE sid >= {sids[0]} AND sid < {sids[1]}"
    group_of = {f.name: i for i, group in enumerate(key_groups(features).values()) for f in group}
    columns = [f"COALESCE(g{group_of[f.name]}.{f.name}, 0) AS {f.name}" for f in features]
    joins = "".join(
        f"\nLEFT JOIN (SELECT * FROM group_{i}{where}) g{i} ON g{i}.sid = t.sid"
        for i in sorted(set(group_of.values()))
    )
    body = ",\n  ".join(["t.sid AS sid", *columns])
    return f"SELECT {body}\nFROM (SELECT sid FROM feature_events{where}) t{joins}\nORDER BY t.sid"
