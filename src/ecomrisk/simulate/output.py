"""Write a generated world to a folder: filings per filer (NDJSON and Parquet), the
inspection outcomes, the ground truth (kept apart), watch lists and a manifest."""

import csv
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic_core import to_json

from ecomrisk import __version__
from ecomrisk.simulate.inspection import inspect
from ecomrisk.simulate.render import render
from ecomrisk.simulate.watchlists import watchlists
from ecomrisk.simulate.world import World

Format = Literal["ndjson", "parquet", "both"]


def write_world(
    world: World,
    out: Path,
    file_format: Format = "both",
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Write everything; returns the manifest (also written as ``manifest.json``)."""
    rng = random.Random(world.scenario.seed + 1)
    for folder in ("filings", "truth", "watchlists"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    by_filer: dict[str, list[dict[str, Any]]] = {f.code: [] for f in world.filers}
    party_truth: list[tuple[str, str, str, str]] = []
    total = len(world.shipments)
    for done, shipment in enumerate(world.shipments, start=1):
        filing, truth = render(world, shipment, rng)
        by_filer[shipment.filer].append(filing)
        party_truth.extend(
            (shipment.filer, shipment.reference, role, entity) for role, entity in truth.items()
        )
        if progress is not None and done % 50_000 == 0:
            progress("filings", done, total)
    files: dict[str, Any] = {"filings": {}}
    for code, filings in by_filer.items():
        if not filings:
            continue
        entry: dict[str, Any] = {"records": len(filings)}
        if file_format in ("ndjson", "both"):
            path = out / "filings" / f"{code}.ndjson"
            with path.open("wb") as handle:
                for filing in filings:
                    handle.write(to_json(filing))
                    handle.write(b"\n")
            entry["ndjson"] = str(path.relative_to(out))
        if file_format in ("parquet", "both"):
            path = out / "filings" / f"{code}.parquet"
            pq.write_table(pa.Table.from_pylist(filings), path)
            entry["parquet"] = str(path.relative_to(out))
        files["filings"][code] = entry
    if progress is not None:
        progress("filings", total, total)

    with (out / "filers.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "filer_type"])
        for filer in world.filers:
            writer.writerow([filer.code, filer.name, filer.filer_type.value])

    inspections = inspect(world, rng)
    with (out / "outcomes.ndjson").open("wb") as handle:
        for inspection in inspections:
            line = {
                "filer": inspection.shipment.filer,
                "filer_reference": inspection.shipment.reference,
                "outcome": inspection.outcome,
            }
            handle.write(to_json(line) + b"\n")

    with (out / "truth" / "shipments.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "filer",
                "filer_reference",
                "violations",
                "schemes",
                "true_value_usd",
                "declared_value_usd",
            ]
        )
        for s in world.shipments:
            writer.writerow(
                [
                    s.filer,
                    s.reference,
                    ";".join(s.violations),
                    ";".join(s.schemes),
                    f"{s.true_value:.2f}",
                    f"{s.declared_value:.2f}",
                ]
            )
    with (out / "truth" / "parties.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["filer", "filer_reference", "role", "entity_id"])
        writer.writerows(party_truth)
    (out / "truth" / "schemes.json").write_text(
        json.dumps(
            {name: sorted(members) for name, members in sorted(world.scheme_members.items())},
            indent=2,
        )
    )
    csl, uflpa, list_truth = watchlists(world, rng)
    (out / "watchlists" / "csl.csv").write_text(csl)
    (out / "watchlists" / "uflpa.csv").write_text(uflpa)
    with (out / "truth" / "watchlists.csv").open("w", newline="") as handle:
        dict_writer = csv.DictWriter(handle, fieldnames=["list", "entry", "name", "entity_id"])
        dict_writer.writeheader()
        dict_writer.writerows(list_truth)

    manifest = {
        "generator": f"ecomrisk {__version__}",
        "seed": world.scenario.seed,
        "scenario": world.scenario.model_dump(mode="json"),
        "shipments": total,
        "inspections": len(inspections),
        "violations": sum(1 for s in world.shipments if s.violations),
        "files": {
            **files,
            "filers": "filers.csv",
            "outcomes": "outcomes.ndjson",
            "truth": [
                "truth/shipments.csv",
                "truth/parties.csv",
                "truth/schemes.json",
                "truth/watchlists.csv",
            ],
            "watchlists": {"csl": "watchlists/csl.csv", "uflpa": "watchlists/uflpa.csv"},
        },
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest
