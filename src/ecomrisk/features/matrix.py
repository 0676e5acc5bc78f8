"""The feature matrix of history: every feature of every filing, in batch.

History features come from DuckDB (``batch``); per-filing features are the ones
the decider stored at ingest (``filing_cache``) when computed on the same basis,
else computed by the same pure function as online over the filing as stored;
derived ones last. The result feeds backtests, rescoring and training.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import Engine, and_, select

from ecomrisk.domain.jurisdiction import JurisdictionProfile
from ecomrisk.domain.records import ShipmentFiling
from ecomrisk.engines.batch import BatchEngine
from ecomrisk.features.batch import batch_history_features
from ecomrisk.features.derived import derived_features
from ecomrisk.features.shipment import (
    SHIPMENT_FEATURES,
    SHIPMENT_FEATURES_VERSION,
    UnitValue,
    shipment_features,
)
from ecomrisk.reference.fx import RateTable
from ecomrisk.risk.screen_filing import no_screening, stored_screening
from ecomrisk.store.schema import filing_features, shipments

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

    @property
    def basis(self) -> str:
        """What per-filing features depend on besides the filing (unit values follow
        from the rates and the profile's currency)."""
        return f"{self.profile.id}|fx:{self.rates.as_of.isoformat()}|{SHIPMENT_FEATURES_VERSION}"


def _shipment_rows(
    engine: Engine, context: FeatureContext, since: datetime | None, until: datetime | None
) -> Iterator[list[dict[str, Any]]]:
    cached = and_(filing_features.c.sid == shipments.c.id, filing_features.c.basis == context.basis)
    query = (
        select(shipments.c.id, shipments.c.received_at, filing_features.c.features)
        .outerjoin(filing_features, cached)
        .order_by(shipments.c.id)
    )
    if since is not None:
        query = query.where(shipments.c.received_at >= since)
    if until is not None:
        query = query.where(shipments.c.received_at < until)
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=MATRIX_BATCH_ROWS).execute(query)
        for rows in result.partitions():
            missing = [row.id for row in rows if row.features is None]
            filings = {}
            if missing:  # filed before the cache, or on another basis: compute them
                filings = dict(
                    connection.execute(
                        select(shipments.c.id, shipments.c.filing).where(
                            shipments.c.id.in_(missing)
                        )
                    ).all()
                )
            batch = []
            for row in rows:
                features = row.features
                if features is None:
                    features = shipment_features(
                        ShipmentFiling.model_validate(filings[row.id]),
                        row.received_at,
                        context.profile,
                        context.rates,
                        context.unit_values,
                    )
                batch.append({"sid": row.id, "received_at": row.received_at, **features})
            yield batch


def feature_rows(
    engine: Engine,
    context: FeatureContext,
    since: datetime | None = None,
    until: datetime | None = None,
    batch: BatchEngine | None = None,
    export: Path | None = None,
) -> list[dict[str, Any]]:
    """``sid``, ``received_at`` and every feature, for the versions received in [since,
    until), in ``sid`` order, as one dict per version. History features run on
    ``batch`` (DuckDB unless told), over ``export`` (a Parquet export) if given."""
    history = batch_history_features(engine, context.day_offset_s, batch=batch, export=export)
    by_sid = {row.pop("sid"): row for row in history.to_pylist()}
    with engine.connect() as connection:
        screened = stored_screening(connection)
    rows = []
    for part in _shipment_rows(engine, context, since, until):
        for row in part:
            past = by_sid.get(row["sid"])
            if past is None:  # no feature event (never decided): no history to read
                continue
            row.update(past)
            row.update(derived_features(row, context.profile))
            row.update(screened[row["sid"]][0] if row["sid"] in screened else no_screening())
            rows.append(row)
    return rows


def feature_matrix(
    engine: Engine,
    context: FeatureContext,
    since: datetime | None = None,
    until: datetime | None = None,
    batch: BatchEngine | None = None,
) -> pa.Table:
    """``sid``, ``received_at`` and every feature, for the versions received in [since, until)."""
    rows = feature_rows(engine, context, since, until, batch)
    if not rows:
        history = batch_history_features(engine, context.day_offset_s, batch=batch)
        names = ["sid", "received_at", *SHIPMENT_FEATURES, *history.column_names[1:]]
        return pa.table({name: pa.array([], pa.null()) for name in names})
    return pa.Table.from_pylist(rows)
