"""Importing history into a real store (SQLite and PostgreSQL): the synthetic world's
output round-trips through its mapping; the KCS layout imports, rejects what it
must with reasons, and reads back as a frame; nothing is added twice."""

import csv
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from ecomrisk.cli import app
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.domain.records import Finding, Outcome, ShipmentFiling
from ecomrisk.features.events import epoch_seconds
from ecomrisk.features.matrix import feature_matrix
from ecomrisk.history import Importer, load_mapping
from ecomrisk.history.kcs import COLUMNS, kcs_frame, sample_rows
from ecomrisk.history.readers import Source
from ecomrisk.reference.fx import bundled_rates
from ecomrisk.risk.context import decider, feature_context
from ecomrisk.settings import get_settings
from ecomrisk.simulate.output import write_world
from ecomrisk.simulate.scenario import load_scenario
from ecomrisk.simulate.world import generate
from ecomrisk.store.schema import (
    decisions,
    feature_events,
    filers,
    findings,
    history_rows,
    outcome_events,
    outcomes,
    parties,
    shipments,
)


def importer(engine: Engine, name: str, decide: bool = False) -> Importer:
    settings = get_settings()
    return Importer(
        engine,
        load_mapping(name),
        load_profile(settings.jurisdiction),
        bundled_rates(),
        on_written=decider(engine, settings).written if decide else None,
        chunk_size=40,
    )


def run(imp: Importer, files: list[Path], rejects: Path) -> list:  # type: ignore[type-arg]
    return [imp.run(source, rejects) for source in imp.sources(files)]


def count(engine: Engine, table: object) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = load_scenario()
    # 400 of the default seed: a world whose Parquet once lost fields (sellers) that
    # the first filing of a chunk lacked; NDJSON and Parquet must import the same.
    scenario = base.model_validate({**base.model_dump(), "shipments": 400})
    folder = tmp_path_factory.mktemp("world")
    write_world(generate(scenario), folder, "both")
    return folder


def stored_outcome(engine: Engine, sid: int) -> Outcome:
    with engine.connect() as connection:
        row = connection.execute(select(outcomes).where(outcomes.c.shipment_id == sid)).one()
        found = connection.execute(
            select(findings).where(findings.c.outcome_id == row.id).order_by(findings.c.id)
        ).all()
    return Outcome(
        exam_type=row.exam_type,
        result=row.result,
        action=row.action,
        examined_at=row.examined_at,
        selection=row.selection,
        inclusion_probability=row.inclusion_probability,
        msrp_seized=row.msrp_seized,
        revenue_recovered=row.revenue_recovered,
        currency=row.currency,
        findings=[
            Finding(
                finding_type=f.finding_type,
                corrected_value=f.corrected_value,
                corrected_hs_code=f.corrected_hs_code,
                note=f.note,
            )
            for f in found
        ],
    )


def test_synthetic_world_round_trips_through_its_mapping(
    store: Engine, world: Path, tmp_path: Path
) -> None:
    filing_files = sorted((world / "filings").glob("*.ndjson"))
    files = [*filing_files, world / "outcomes.ndjson"]
    reports = run(importer(store, "synthetic"), files, tmp_path)
    assert sum(r.rejected for r in reports) == 0, [r.reasons for r in reports]

    sources = {}
    for path in filing_files:
        for line in path.read_text().splitlines():
            sources[(path.stem, json.loads(line)["filer_reference"])] = json.loads(line)
    with store.connect() as connection:
        stored = connection.execute(
            select(shipments.c.id, filers.c.code, shipments.c.filer_reference,
                   shipments.c.filing, shipments.c.received_at)
            .join(filers, filers.c.id == shipments.c.filer_id)
        ).all()  # fmt: skip
    assert len(stored) == len(sources) == 400
    sid_of = {}
    for row in stored:
        source = ShipmentFiling.model_validate(sources[(row.code, row.filer_reference)])
        assert ShipmentFiling.model_validate(row.filing) == source
        assert row.received_at == source.estimated_arrival - timedelta(hours=24)
        sid_of[(row.code, row.filer_reference)] = row.id
    expected = [json.loads(line) for line in (world / "outcomes.ndjson").read_text().splitlines()]
    assert expected
    assert count(store, outcomes) == len(expected)
    for line in expected:
        sid = sid_of[(line["filer"], line["filer_reference"])]
        assert stored_outcome(store, sid) == Outcome.model_validate(line["outcome"])
    # The same shape as live filings: one feature event per version, one per outcome.
    assert count(store, feature_events) == 400
    assert count(store, outcome_events) == len(expected)
    assert count(store, decisions) == 0  # past decisions are not re-made unless asked

    # Again, and from the Parquet copy of the same filings: nothing is added.
    parquet = sorted((world / "filings").glob("*.parquet"))
    again = run(importer(store, "synthetic"), [*parquet, world / "outcomes.ndjson"], tmp_path)
    assert sum(r.new for r in again) == 0
    assert sum(r.replayed for r in again) == 400
    assert sum(r.outcomes_known for r in again) == len(expected)
    assert count(store, shipments) == 400
    assert count(store, outcomes) == len(expected)
    assert count(store, feature_events) == 400


def write_kcs(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


def test_kcs_layout_imports_rejects_with_reasons_and_reads_back(
    store: Engine, tmp_path: Path
) -> None:
    rows = sample_rows(60, seed=3)
    at = {name: i for i, name in enumerate(COLUMNS)}
    rows[5][at["Date"]] = "2020-02-30"
    rows[9][at["HS6 Code"]] = "12AB"
    rows[14][at["Mode of Transport"]] = "77"
    rows[20][at["Importer ID"]] = ""
    source = write_kcs(tmp_path / "kcs.csv", rows)
    rejects = tmp_path / "rejects"
    (report,) = run(importer(store, "kcs"), [source], rejects)
    assert (report.rows, report.new, report.rejected) == (60, 56, 4)
    assert report.outcomes_new == 56
    lines = [
        json.loads(line) for line in (rejects / "kcs.csv.rejects.ndjson").read_text().splitlines()
    ]
    by_row = {line["position"]: line for line in lines}
    assert set(by_row) == {"row 6", "row 10", "row 15", "row 21"}

    def reasons(position: str) -> dict[str, str]:
        return {r["field"]: r["problem"] for r in by_row[position]["reasons"]}

    date_problem = "column 'Date': '2020-02-30' is not a time in %Y-%m-%d"
    assert reasons("row 6") == {
        "estimated_arrival": date_problem,
        "received_at": date_problem,
        "outcome.examined_at": date_problem,
    }
    assert "'12AB' is not digits, cannot pad to 6" in reasons("row 10")["items.0.hs_code"]
    assert "'77' is not in the code table" in reasons("row 15")["mode"]
    assert set(reasons("row 21")) == {"consignee.name"}
    assert by_row["row 6"]["rows"][0]["Declaration ID"] == rows[5][0]  # the source row itself

    frame = kcs_frame(store)
    assert len(frame) == 56
    assert "Critical Fraud" not in frame.columns
    good = [r for i, r in enumerate(rows) if i not in (5, 9, 14, 20)]
    for record, row in zip(frame.to_dict("records"), good, strict=True):
        for name in ("Declaration ID", "Date", "Office ID", "Tax Type", "Importer ID", "Seller ID"):
            assert record[name] == row[at[name]]
        assert record["Fraud"] == int(row[at["Fraud"]])
        assert record["Item Price"] == pytest.approx(float(row[at["Item Price"]]))
    with store.connect() as connection:
        notes = connection.execute(select(findings.c.note)).scalars().all()
        kept = connection.execute(select(history_rows.c.kept)).scalars().all()
        events = connection.execute(select(feature_events.c.received_s)).scalars().all()
        names = (
            connection.execute(select(parties.c.name_norm).where(parties.c.role == "consignee"))
            .scalars()
            .all()
        )
    assert sum(int(r[at["Fraud"]]) for r in good) == len(notes) > 0
    assert all("Critical Fraud" not in k[0] and "Fraud" not in k[0] for k in kept)
    assert min(events) == epoch_seconds(frame["received_at"].min().to_pydatetime())
    assert all(names)  # parties stored with their normalised forms, as live filings

    # The batch feature matrix builds for imported history, one row per shipment.
    matrix = feature_matrix(store, feature_context(store, get_settings()))
    assert matrix.num_rows == 56
    assert set(matrix.column("sid").to_pylist()) == set(frame["sid"])

    again = run(importer(store, "kcs"), [source], rejects)[0]
    assert (again.new, again.replayed, again.rejected, again.outcomes_new) == (0, 56, 4, 0)
    assert count(store, shipments) == 56
    assert count(store, outcomes) == 56


def test_changed_history_is_a_reject_and_decide_decides(store: Engine, tmp_path: Path) -> None:
    rows = sample_rows(5, seed=8)
    source = write_kcs(tmp_path / "a.csv", rows)
    (first,) = run(importer(store, "kcs", decide=True), [source], tmp_path)
    assert first.new == 5
    assert count(store, decisions) == 5
    rows[2][COLUMNS.index("Item Price")] = "1.0"
    changed = write_kcs(tmp_path / "a.csv", rows)
    (second,) = run(importer(store, "kcs"), [changed], tmp_path)
    assert (second.new, second.replayed, second.rejected) == (0, 4, 1)
    line = json.loads((tmp_path / "a.csv.rejects.ndjson").read_text())
    assert line["reasons"][0]["field"] == "filer_reference"
    assert "already filed" in line["reasons"][0]["problem"]
    assert count(store, shipments) == 5
    assert count(store, decisions) == 5


def test_outcomes_for_unknown_shipments_are_rejected(store: Engine, tmp_path: Path) -> None:
    path = tmp_path / "outcomes.ndjson"
    outcome = {"exam_type": "scan", "result": "no_violation", "action": "release",
               "examined_at": "2024-01-01T00:00:00+00:00", "selection": "targeted"}  # fmt: skip
    path.write_text(
        json.dumps({"filer": "X", "filer_reference": "nope", "outcome": outcome}) + "\n"
    )
    (report,) = run(importer(store, "synthetic"), [path], tmp_path)
    assert report.rejected == 1
    assert count(store, outcomes) == 0
    assert "no shipment 'nope'" in (tmp_path / "outcomes.ndjson.rejects.ndjson").read_text()


def test_cli_import_as_a_user_runs_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECOMRISK_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    rows = sample_rows(12, seed=1)
    rows[3][COLUMNS.index("Date")] = "yesterday"
    source = write_kcs(tmp_path / "kcs.csv", rows)
    args = ["history", "import", "--mapping", "kcs", str(source), "--rejects", str(tmp_path)]
    first = runner.invoke(app, args)
    assert first.exit_code == 2, first.output  # some rows rejected
    assert "1 rejected, see" in first.output
    assert "received_at" in first.output
    assert (tmp_path / "kcs.csv.rejects.ndjson").exists()
    second = runner.invoke(app, args)
    assert (
        "0 new, 11 known, 1 rejected" in second.output.replace("\n", " ") or "│ 0 " in second.output
    )
    check = runner.invoke(app, ["history", "check", "--mapping", "kcs", str(source)])
    assert check.exit_code == 0
    assert "is valid" in check.output
    bad = tmp_path / "bad.toml"
    bad.write_text(load_mapping("kcs").path.read_text().replace('"Office ID"', '"Ofice ID"', 1))
    refused = runner.invoke(app, ["history", "check", "--mapping", str(bad), str(source)])
    assert refused.exit_code == 1
    assert "column 'Ofice ID' is not in the header" in refused.output
    assert runner.invoke(app, ["history", "mappings"]).output.count(".toml") >= 2
    assert Source(source, "csv").header() == COLUMNS
