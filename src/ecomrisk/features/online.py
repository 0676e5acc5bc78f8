"""Entity-history features of one filing, on the operational store, as of its arrival."""

from sqlalchemy import Connection, text

from ecomrisk.engines.dialects import dialect_for
from ecomrisk.features.catalogue import HISTORY_FEATURES
from ecomrisk.features.definitions import Feature
from ecomrisk.features.sql import features_sql


def history_features(
    connection: Connection,
    sid: int,
    day_offset_s: int,
    features: tuple[Feature, ...] = HISTORY_FEATURES,
) -> dict[str, float]:
    """Feature values of shipment version ``sid``; the key lookups use the store's indexes."""
    targets = "(SELECT * FROM feature_events WHERE sid = :sid)"
    sql = features_sql(features, dialect_for(connection.dialect.name), targets, day_offset_s)
    row = connection.execute(text(sql), {"sid": sid}).mappings().one()
    return {f.name: float(row[f.name]) for f in features}
