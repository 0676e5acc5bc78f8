"""The feature matrix of history: every feature of every filing, in batch.

History features come from DuckDB (``batch``); per-filing features are
computed by the same pure function as online, over the filings as stored;
derived ones last. The result feeds backtests, rescoring and training.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa
from sqlalchemy import Engine, select

from ecomrisk.domain.jurisdiction import JurisdictionProfile
from ecomrisk.domain.records import ShipmentFiling
from ecomrisk.features.batch import batch_history_features
from ecomrisk.features.derived import derived_features
from ecomrisk.features.shipment import SHIPMENT_FEATURES, UnitValue, shipment_features
from ecomrisk.reference.fx import RateTable
from ecomrisk.risk.screen_filing import no_screening, stored_screening
from ecomrisk.store.schema import shipments

MATRIX_BATCH_ROWS = 20_000


@dataclass(frozen=True)
class FeatureContext:
    """What per-filing features need besides the filing."""

    profile: JurisdictionProfile
    rates: RateTable
    unit_values: Mapping[str, UnitValue]

    @property
    def day_offset_s(self) -> int:
        return int(self.profile.customs_day_utc_offset_hours * 3600)


def _shipment_rows(
    engine: Engine, context: FeatureContext, since: datetime | None, until: datetime | None
) -> Iterator[list[dict[str, Any]]]:
    query = select(shipments.c.id, shipments.c.received_at, shipments.c.filing).order_by(
        shipments.c.id
    )
    if since is not None:
        query = query.where(shipments.c.received_at >= since)
    if until is not None:
        query = query.where(shipments.c.received_at < until)
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=MATRIX_BATCH_ROWS).execute(query)
        for rows in result.partitions():
            batch = []
            for row in rows:
                filing = ShipmentFiling.model_validate(row.filing)
                features = shipment_features(
                    filing, row.received_at, context.profile, context.rates, context.unit_values
                )
                batch.append({"sid": row.id, "received_at": row.received_at, **features})
            yield batch


def feature_matrix(
    engine: Engine,
    context: FeatureContext,
    since: datetime | None = None,
    until: datetime | None = None,
) -> pa.Table:
    """``sid``, ``received_at`` and every feature, for the versions received in [since, until)."""
    history = batch_history_features(engine, context.day_offset_s)
    per_filing = [row for batch in _shipment_rows(engine, context, since, until) for row in batch]
    if not per_filing:
        names = ["sid", "received_at", *SHIPMENT_FEATURES, *history.column_names[1:]]
        return pa.table({name: pa.array([], pa.null()) for name in names})
    with duckdb.connect() as duck:
        duck.register("filings", pa.Table.from_pylist(per_filing))
        duck.register("history", history)
        joined = duck.sql(
            "SELECT f.*, h.* EXCLUDE (sid) FROM filings f JOIN history h USING (sid) ORDER BY sid"
        ).to_arrow_table()
    with engine.connect() as connection:
        screened = stored_screening(connection)
    rows = joined.to_pylist()
    for row in rows:
        row.update(derived_features(row, context.profile))
        row.update(screened[row["sid"]][0] if row["sid"] in screened else no_screening())
    return pa.Table.from_pylist(rows)
