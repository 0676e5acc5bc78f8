"""Build the SQL of entity-history features. Strings only: no connection here.

One SELECT computes every feature for each row of ``targets`` (a relation with
the columns of ``feature_events``) from the relations ``feature_events`` and
``outcome_events``. The online path passes the single filing as ``targets``;
the batch path passes all of history. Same SQL, so the same numbers.
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
    where = " AND ".join(
        [
            f"h.{feature.key} = t.{feature.key}",
            _BEFORE,
            _CURRENT_THEN,
            _OTHER_SHIPMENT,
            "h.status = 'active'",
            _window_sql(feature.window, dialect, day_offset_s),
        ]
    )
    if feature.measure == "count":
        aggregate, own = "COUNT(*)", "1"
    elif feature.measure == "sum_value":
        aggregate, own = "COALESCE(SUM(h.value), 0)", "t.value"
    else:
        column = feature.distinct_of
        # Others' distinct values that differ from the filing's own, plus its own.
        aggregate = f"COUNT(DISTINCT CASE WHEN h.{column} <> t.{column} THEN h.{column} END)"
        own = f"CASE WHEN t.{column} IS NULL THEN 0 ELSE 1 END"
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
        f"CAST({feature_sql(f, dialect, day_offset_s)} AS DOUBLE PRECISION) AS {f.name}"
        for f in features
    )
    return f"SELECT t.sid AS sid,\n  {columns}\nFROM {targets} t\nORDER BY t.sid"
