"""The KCS benchmark layout on both sides of the store: rows in the layout (for tests
and benchmarks) and an imported KCS store read back as a frame with the KCS columns.

``kcs_frame`` is how a benchmark goes through the product: import the files with
the shipped ``kcs`` mapping (``ecomrisk history import --mapping kcs FILE``), then
read the store back here. The columns come from the stored shipments, items,
parties and outcomes, plus the declaration fields the mapping keeps
(``history_rows.kept``); ``Fraud`` comes from the stored outcome.
``Critical Fraud`` is never read back: it is leakage.
"""

import random
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, select

from ecomrisk.store.schema import (
    filers,
    history_rows,
    line_items,
    outcomes,
    parties,
    shipments,
)

KCS_FILER = "kcs-history"
COLUMNS = [
    "Declaration ID",
    "Date",
    "Office ID",
    "Process Type",
    "Import Type",
    "Import Use",
    "Payment Type",
    "Mode of Transport",
    "Declarant ID",
    "Importer ID",
    "Seller ID",
    "Courier ID",
    "HS6 Code",
    "Country of Departure",
    "Country of Origin",
    "Tax Rate",
    "Tax Type",
    "Country of Origin Indicator",
    "Net Mass",
    "Item Price",
    "Fraud",
    "Critical Fraud",
]
FRAME_COLUMNS = [c for c in COLUMNS if c != "Critical Fraud"]


def kcs_frame(engine: Engine, filer_code: str = KCS_FILER) -> pd.DataFrame:
    """One row per imported declaration (current version), with the KCS columns
    (``Critical Fraud`` excepted), plus ``sid`` (the shipment version id, the key
    of the feature matrix) and ``received_at``. Columns the mapping did not keep
    are rebuilt from the stored records (ids, countries, HS code, price, mass)."""
    consignee = parties.alias("consignee")
    seller = parties.alias("seller")
    query = (
        select(
            shipments.c.id.label("sid"),
            shipments.c.filer_reference,
            shipments.c.received_at,
            shipments.c.port_of_arrival,
            shipments.c.country_of_export,
            line_items.c.hs_code,
            line_items.c.value,
            line_items.c.weight_kg,
            line_items.c.origin_country,
            consignee.c.name.label("importer"),
            seller.c.marketplace_seller_id.label("seller_id"),
            outcomes.c.result,
            history_rows.c.kept,
        )
        .join(filers, filers.c.id == shipments.c.filer_id)
        .join(
            line_items, and_(line_items.c.shipment_id == shipments.c.id, line_items.c.line_no == 1)
        )
        .outerjoin(
            consignee,
            and_(consignee.c.shipment_id == shipments.c.id, consignee.c.role == "consignee"),
        )
        .outerjoin(seller, and_(seller.c.shipment_id == shipments.c.id, seller.c.role == "seller"))
        .outerjoin(outcomes, outcomes.c.shipment_id == shipments.c.id)
        .outerjoin(history_rows, history_rows.c.shipment_id == shipments.c.id)
        .where(filers.c.code == filer_code, shipments.c.is_current)
        .order_by(shipments.c.id)
    )
    records = []
    with engine.connect() as connection:
        for row in connection.execute(query):
            kept: dict[str, Any] = (row.kept or [{}])[0]
            rebuilt = {
                "Declaration ID": row.filer_reference,
                "Importer ID": row.importer,
                "Seller ID": row.seller_id or "",
                "HS6 Code": row.hs_code,
                "Country of Departure": row.country_of_export,
                "Country of Origin": row.origin_country or "",
                "Item Price": float(row.value),
                "Net Mass": float(row.weight_kg) if row.weight_kg is not None else 0.0,
                "Office ID": row.port_of_arrival.removeprefix("KR"),
            }
            record: dict[str, Any] = {"sid": row.sid}
            for column in FRAME_COLUMNS:
                if column == "Fraud":
                    record[column] = None if row.result is None else int(row.result == "violation")
                elif column in kept:
                    record[column] = kept[column]
                else:
                    record[column] = rebuilt.get(column, "")
            record["received_at"] = row.received_at
            records.append(record)
    frame = pd.DataFrame.from_records(records, columns=["sid", *FRAME_COLUMNS, "received_at"])
    for column in ("Tax Rate", "Net Mass", "Item Price"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


def sample_rows(count: int, seed: int = 0, start: date = date(2020, 1, 1)) -> list[list[str]]:
    """``count`` rows in the KCS layout (header ``COLUMNS``), random but well formed:
    for tests and the import benchmark, never for measuring a model."""
    rng = random.Random(seed)
    hs = ["440890", "690722", "620822", "940350", "851712", "392690", "010121"]
    countries = ["CN", "JP", "US", "DE", "VN", "HK", "IT"]

    def ident() -> str:
        return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(7))

    rows = []
    for number in range(count):
        fraud = int(rng.random() < 0.2)
        day = start + timedelta(days=number * 365 // max(count, 1))
        origin = rng.choice(countries)
        rows.append(
            [
                f"{seed:02d}{number:08d}",
                day.isoformat(),
                rng.choice(["40", "20", "30", "16"]),
                "B",
                rng.choice(["11", "87", "94"]),
                "21",
                rng.choice(["11", "43", "18"]),
                rng.choice(["10", "40", "50"]),
                ident(),
                ident(),
                ident() if rng.random() < 0.9 else "",
                ident() if rng.random() < 0.2 else "",
                rng.choice(hs),
                origin,
                origin,
                f"{rng.choice([0.0, 8.0, 5.2]):.1f}",
                rng.choice(["A", "C", "FCN1"]),
                rng.choice(["E", "G", "Y"]),
                f"{rng.uniform(0, 5000):.1f}",
                f"{rng.uniform(1000, 5_000_000):.1f}",
                str(fraud),
                str(fraud * rng.choice([1, 1, 2])),
            ]
        )
    return rows
