"""Write a generated world to a folder: filings per filer (NDJSON and Parquet), the
inspection outcomes, the ground truth (kept apart), watch lists and a manifest."""

import csv
import gc
import io
import json
import multiprocessing
import os
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic_core import to_json

from ecomrisk import __version__
from ecomrisk.gc_pause import collector_paused
from ecomrisk.simulate.inspection import inspect, targeting_weight
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
    total = world.size
    handles: dict[str, Any] = {}
    tables: dict[str, list[pa.Table]] = {}
    weights = []
    violations = 0
    shipment_truth = (out / "truth" / "shipments.csv").open("wb")
    party_truth = (out / "truth" / "parties.csv").open("wb")
    shipment_truth.write(_csv_bytes([SHIPMENT_TRUTH_HEADER]))
    party_truth.write(_csv_bytes([PARTY_TRUTH_HEADER]))
    for done, chunk in _rendered_chunks(world, file_format):
        for code, lines in chunk.ndjson.items():
            if code not in handles:
                handles[code] = (out / "filings" / f"{code}.ndjson").open("wb")
            handles[code].write(lines)
        for code, table in chunk.tables.items():
            tables.setdefault(code, []).append(table)
        shipment_truth.write(chunk.shipment_truth)
        party_truth.write(chunk.party_truth)
        weights.append(chunk.weights)
        violations += chunk.violations
        if progress is not None:
            progress("filings", done, total)
    for handle in [*handles.values(), shipment_truth, party_truth]:
        handle.close()
    files: dict[str, Any] = {"filings": {}}
    for code in sorted(set(handles) | set(tables)):
        entry: dict[str, Any] = {}
        if code in handles:
            entry["ndjson"] = f"filings/{code}.ndjson"
        if code in tables:
            table = pa.concat_tables(tables[code], promote_options="permissive")
            pq.write_table(table, out / "filings" / f"{code}.parquet")
            entry["parquet"] = f"filings/{code}.parquet"
        files["filings"][code] = entry

    with (out / "filers.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "filer_type"])
        for filer in world.filers:
            writer.writerow([filer.code, filer.name, filer.filer_type.value])

    inspections = inspect(world, np.concatenate(weights), rng)
    with (out / "outcomes.ndjson").open("wb") as handle:
        for inspection in inspections:
            line = {
                "filer": inspection.shipment.filer,
                "filer_reference": inspection.shipment.reference,
                "outcome": inspection.outcome,
            }
            handle.write(to_json(line) + b"\n")

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
        "violations": violations,
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


SHIPMENT_TRUTH_HEADER = [
    "filer",
    "filer_reference",
    "violations",
    "schemes",
    "true_value_usd",
    "declared_value_usd",
]
PARTY_TRUTH_HEADER = ["filer", "filer_reference", "role", "entity_id"]


def _csv_bytes(rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode()


# Shipments are built and rendered in chunks of a fixed size, each with its own
# seed, so the output is the same whether one process does them all or several
# share the work; the parent only concatenates.
RENDER_CHUNK = 50_000
_WORLD: World | None = None  # handed to forked workers without pickling


@dataclass
class _Chunk:
    ndjson: dict[str, bytes]
    tables: dict[str, pa.Table]
    shipment_truth: bytes  # rows of truth/shipments.csv
    party_truth: bytes  # rows of truth/parties.csv
    weights: np.ndarray  # the past targeting policy's weight of each shipment
    violations: int  # shipments with at least one


def _render_chunk(job: tuple[int, str]) -> _Chunk:
    with collector_paused():
        return _build_and_render(*job)


def _build_and_render(start: int, file_format: str) -> _Chunk:
    """Build the chunk's shipments from the plan; render filings, truth rows and weights."""
    world = _WORLD
    assert world is not None
    rng = random.Random(world.scenario.seed * 1_000_003 + start)
    stop = min(start + RENDER_CHUNK, world.size)
    filings: dict[str, list[dict[str, Any]]] = {}
    shipment_rows: list[list[str]] = []
    party_rows: list[list[str]] = []
    weights = np.empty(stop - start)
    violations = 0
    for k, shipment in enumerate(world.shipments(start, stop)):
        true_value, declared_value = shipment.true_value, shipment.declared_value
        filing, parties = render(world, shipment, rng)
        filings.setdefault(shipment.filer, []).append(filing)
        party_rows.extend([shipment.filer, shipment.reference, r, e] for r, e in parties.items())
        shipment_rows.append(
            [
                shipment.filer,
                shipment.reference,
                ";".join(shipment.violations),
                ";".join(shipment.schemes),
                f"{true_value:.2f}",
                f"{declared_value:.2f}",
            ]
        )
        weights[k] = targeting_weight(shipment, declared_value)
        violations += bool(shipment.violations)
    ndjson = {}
    tables = {}
    for code, records in filings.items():
        if file_format in ("ndjson", "both"):
            ndjson[code] = b"".join(to_json(record) + b"\n" for record in records)
        if file_format in ("parquet", "both"):
            # Not Table.from_pylist: it takes the columns of the first record only, and
            # a field that record lacks (a seller, a marketplace) would be dropped.
            tables[code] = pa.Table.from_struct_array(pa.array(records))
    return _Chunk(
        ndjson, tables, _csv_bytes(shipment_rows), _csv_bytes(party_rows), weights, violations
    )


def _rendered_chunks(world: World, file_format: Format) -> Iterator[tuple[int, _Chunk]]:
    """Rendered chunks in order, from as many processes as there are cores."""
    global _WORLD
    jobs = [(start, file_format) for start in range(0, world.size, RENDER_CHUNK)]
    _WORLD = world
    try:
        workers = min(os.cpu_count() or 1, len(jobs))
        if workers <= 1:
            chunks: Iterator[_Chunk] = map(_render_chunk, jobs)
            for (start, _), chunk in zip(jobs, chunks, strict=True):
                yield min(start + RENDER_CHUNK, world.size), chunk
            return
        # Frozen objects are skipped by the workers' collectors (and not copied for them).
        gc.freeze()
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for (start, _), chunk in zip(jobs, pool.imap(_render_chunk, jobs), strict=True):
                yield min(start + RENDER_CHUNK, world.size), chunk
    finally:
        gc.unfreeze()
        _WORLD = None
