"""The feature matrix of history: every feature of every filing, in batch.

History features come from DuckDB (``batch``); per-filing features are the ones
the decider stored at ingest (``filing_cache``) when computed on the same basis,
else computed by the same pure function as online over the filing as stored;
derived ones last. The result feeds backtests, rescoring and training.
"""

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
from sqlalchemy import Connection, Engine, Text, and_, cast, select

from ecomrisk.domain.jurisdiction import JurisdictionProfile
from ecomrisk.domain.records import ShipmentFiling
from ecomrisk.engines.batch import BatchEngine, DuckDBEngine
from ecomrisk.features.batch import batch_history_features, event_relations
from ecomrisk.features.catalogue import HISTORY_FEATURES
from ecomrisk.features.derived import derived_features
from ecomrisk.features.shipment import (
    SHIPMENT_FEATURES,
    SHIPMENT_FEATURES_VERSION,
    UnitValue,
    shipment_features,
)
from ecomrisk.features.sql import all_features_sql
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


def _parsed(document: str) -> dict[str, Any]:
    try:
        parsed: dict[str, Any] = orjson.loads(document)
    except orjson.JSONDecodeError:
        parsed = json.loads(document)
    return parsed


def _stored_rows(
    connection: Connection,
    context: FeatureContext,
    between: tuple[int, int],
    since: datetime | None,
    until: datetime | None,
    current_only: bool,
) -> dict[int, dict[str, Any]]:
    """``sid``, ``received_at`` and the per-filing features of the versions with ids in
    ``between`` (closed) received in [since, until), by sid."""
    cached = and_(filing_features.c.sid == shipments.c.id, filing_features.c.basis == context.basis)
    # The stored features as text, parsed here by orjson (a third of the standard
    # library's time; a document it refuses, NaN say, goes to the standard library).
    stored_features = cast(filing_features.c.features, Text).label("features")
    query = (
        select(shipments.c.id, shipments.c.received_at, stored_features)
        .outerjoin(filing_features, cached)
        .where(shipments.c.id.between(*between))
    )
    if since is not None:
        query = query.where(shipments.c.received_at >= since)
    if until is not None:
        query = query.where(shipments.c.received_at < until)
    if current_only:
        query = query.where(shipments.c.is_current)
    rows = connection.execute(query).all()
    missing = [row.id for row in rows if row.features is None]
    filings = {}
    if missing:  # filed before the cache, or on another basis: compute them
        filings = dict(
            connection.execute(
                select(shipments.c.id, shipments.c.filing).where(shipments.c.id.in_(missing))
            ).all()
        )
    stored = {}
    for row in rows:
        features = None if row.features is None else _parsed(row.features)
        if features is None:
            features = shipment_features(
                ShipmentFiling.model_validate(filings[row.id]),
                row.received_at,
                context.profile,
                context.rates,
                context.unit_values,
            )
        stored[row.id] = {"sid": row.id, "received_at": row.received_at, **features}
    return stored


def feature_chunks(
    engine: Engine,
    context: FeatureContext,
    since: datetime | None = None,
    until: datetime | None = None,
    batch: BatchEngine | None = None,
    export: Path | None = None,
    chunk_rows: int = MATRIX_BATCH_ROWS,
    current_only: bool = False,
) -> Iterator[list[dict[str, Any]]]:
    """``feature_rows`` chunk by chunk, streamed: the engine computes the history
    features of all versions at once and hands them over a batch at a time (in ``sid``
    order); each batch is joined with its versions' per-filing features read from the
    store for that range of ids only, so memory holds one chunk, whatever the history.
    ``current_only``: only the versions current now. Screening features are not added
    (``feature_rows`` adds them; rescoring reads them with their reasons)."""
    batch = batch or DuckDBEngine()
    sql = all_features_sql(HISTORY_FEATURES, batch.dialect, context.day_offset_s)
    for part in batch.stream(sql, event_relations(engine, export), chunk_rows):
        history = part.to_pylist()
        if not history:
            continue
        between = (history[0]["sid"], history[-1]["sid"])
        with engine.connect() as connection:
            stored = _stored_rows(connection, context, between, since, until, current_only)
        rows = []
        for past in history:
            row = stored.get(past["sid"])
            if row is None:  # outside the window, or not current
                continue
            row.update(past)
            row.update(derived_features(row, context.profile))
            rows.append(row)
        if rows:
            yield rows


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
    ``batch`` (DuckDB unless told), over ``export`` (a Parquet export) if given. A
    version without a feature event (never decided) has no history and is left out."""
    with engine.connect() as connection:
        screened = stored_screening(connection)
    rows = []
    for chunk in feature_chunks(engine, context, since, until, batch, export):
        for row in chunk:
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
