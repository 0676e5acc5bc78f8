"""The training set's SQL for a batch engine (DuckDB or Spark), built as strings only.

The same joins and aggregations as ``dataset._labels`` and
``dataset._filing_time_features`` run on the store, over the relations
``shipments``, ``outcomes`` and ``decisions`` (streamed from the store or read
from a Parquet export, where JSON is text and money its decimal text).
"""

from datetime import datetime

from ecomrisk.engines.dialects import Dialect

# Money as exact decimals (the store's Numeric(18, 4)): no cent lost to floats in the sum.
MONEY = "DECIMAL(18, 4)"


def labels_sql(dialect: Dialect, since: datetime | None, until: datetime | None) -> str:
    """One row per inspected shipment version and currency of its outcomes."""
    window = []
    if since is not None:
        window.append(f"s.received_at >= {dialect.instant(since)}")
    if until is not None:
        window.append(f"s.received_at < {dialect.instant(until)}")
    where = f"WHERE {' AND '.join(window)}" if window else ""
    return f"""
SELECT o.shipment_id AS sid,
       MAX(s.received_at) AS received_at,
       MAX(o.examined_at) AS examined_at,
       MAX(CASE WHEN o.result = 'violation' THEN 1 ELSE 0 END) AS violation,
       o.currency AS currency,
       SUM(CAST(o.revenue_recovered AS {MONEY})) AS revenue,
       MAX(CASE WHEN o.selection = 'random' THEN 1 ELSE 0 END) AS random,
       MIN(o.inclusion_probability) AS probability,
       MAX(o.selection) AS selection
FROM outcomes o JOIN shipments s ON s.id = o.shipment_id
{where}
GROUP BY o.shipment_id, o.currency
ORDER BY sid, currency NULLS FIRST
"""


def filing_features_sql() -> str:
    """The features (JSON text) of each inspected version's first live decision: the
    one made in the transaction that stored the filing."""
    return """
SELECT d.shipment_id AS sid, d.features AS features
FROM decisions d
JOIN (SELECT MIN(id) AS id FROM decisions WHERE kind = 'live' GROUP BY shipment_id) f
  ON f.id = d.id
WHERE d.shipment_id IN (SELECT shipment_id FROM outcomes)
"""
