"""Entity-history features of one filing, on the operational store, as of its arrival."""

from functools import lru_cache

from sqlalchemy import Connection, TextClause, text

from ecomrisk.engines.dialects import dialect_for
from ecomrisk.features.catalogue import HISTORY_FEATURES
from ecomrisk.features.definitions import Feature
from ecomrisk.features.sql import features_sql


@lru_cache(maxsize=64)
def _online_sql(features: tuple[Feature, ...], dialect: str, day_offset_s: int) -> TextClause:
    # Built once per process: the statement is the same for every filing.
    targets = "(SELECT * FROM feature_events WHERE sid = :sid)"
    return text(features_sql(features, dialect_for(dialect), targets, day_offset_s))


def history_features(
    connection: Connection,
    sid: int,
    day_offset_s: int,
    features: tuple[Feature, ...] = HISTORY_FEATURES,
) -> dict[str, float]:
    """Feature values of shipment version ``sid``; the key lookups use the store's indexes."""
    sql = _online_sql(features, connection.dialect.name, day_offset_s)
    row = connection.execute(sql, {"sid": sid}).mappings().one()
    return {f.name: float(row[f.name]) for f in features}
