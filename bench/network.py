"""Benchmark: batch entity resolution of N party records (Splink on DuckDB), then the
graph build (propagation and communities), on a SQLite store; prints seconds per
stage and the quality against the world's ground truth.

The store is loaded directly with the rows ingestion would write (shipments and
parties, normalised by the same ``party_row``): filing a million parties through
the API is the ingest benchmark's business, not this one's.

Usage: .venv/bin/python bench/network.py [--parties 1000000] [--rings 30] [--keep DIR]
"""

import argparse
import json
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, insert

from ecomrisk.domain.enums import FilerType
from ecomrisk.domain.records import ShipmentFiling
from ecomrisk.risk.network.build import build
from ecomrisk.risk.network.quality import evaluate
from ecomrisk.risk.network.resolve import resolve
from ecomrisk.simulate.output import write_world
from ecomrisk.simulate.scenario import load_scenario
from ecomrisk.simulate.world import generate
from ecomrisk.store import filers_repo, migrate
from ecomrisk.store.engine import create_engine_for_url
from ecomrisk.store.schema import parties, shipments
from ecomrisk.store.shipment_rows import child_rows, shipment_row

PARTIES_PER_SHIPMENT = 2.72  # measured on the default scenario
CHUNK = 20_000


def load_store(engine: Engine, world: Path) -> int:
    """Shipments and parties of every filing, as ingestion would store them."""
    now = datetime.now(UTC)
    total = 0
    with engine.begin() as connection:
        for path in sorted((world / "filings").glob("*.ndjson")):
            filer, _ = filers_repo.create_filer(
                connection, code=path.stem, name=path.stem, filer_type=FilerType.BROKER, actor="b"
            )
            lines = path.read_bytes().splitlines()
            for start in range(0, len(lines), CHUNK):
                filings = [
                    ShipmentFiling.model_validate_json(x) for x in lines[start : start + CHUNK]
                ]
                rows = [
                    shipment_row(
                        f, filer_id=filer.id, version=1, status="active", content_hash="-",
                        received_at=now,
                    )
                    for f in filings
                ]  # fmt: skip
                ids = connection.execute(insert(shipments).returning(shipments.c.id), rows)
                party_rows = []
                for sid, filing in zip(ids.scalars(), filings, strict=True):
                    party_rows += child_rows(sid, filing)[0]
                connection.execute(insert(parties), party_rows)
                total += len(party_rows)
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parties", type=int, default=1_000_000)
    parser.add_argument("--rings", type=int, default=30, help="counterfeit rings planted")
    parser.add_argument("--keep", type=Path, help="keep the world and store in this folder")
    args = parser.parse_args()
    base = load_scenario().model_dump()
    base["shipments"] = round(args.parties / PARTIES_PER_SHIPMENT)
    base["schemes"]["counterfeit"]["rings"] = args.rings
    scenario = load_scenario().model_validate(base)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-network-"))
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    write_world(generate(scenario), folder / "world", "ndjson")
    engine = create_engine_for_url(f"sqlite:///{folder / 'store.db'}")
    migrate.upgrade(engine)
    records = load_store(engine, folder / "world")
    loaded = time.perf_counter()
    resolution = resolve(engine)
    resolved = time.perf_counter()
    network = build(engine)
    built = time.perf_counter()
    with engine.connect() as connection:
        quality = evaluate(connection, folder / "world").as_dict()
    quality.pop("ring_detail")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "parties": records,
                "shipments": scenario.shipments,
                "setup_s": round(loaded - started, 1),
                "resolve_s": round(resolved - loaded, 1),
                "resolve_stages_s": resolution.seconds,
                "signatures": resolution.signatures,
                "groups": resolution.groups,
                "pairs_over_threshold": resolution.pairs,
                "entities": resolution.entities,
                "build_s": round(built - resolved, 1),
                "build_stages_s": network.seconds,
                "graph": {"nodes": network.nodes, "edges": network.edges},
                "networks": network.networks,
                "quality": quality,
                "peak_mb": round(peak_mb),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
