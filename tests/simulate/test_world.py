"""The synthetic world: deterministic, true to its parameters, valid filings, truth apart."""

import csv
import hashlib
import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from ecomrisk.domain.records import Outcome, ShipmentFiling
from ecomrisk.simulate.output import write_world
from ecomrisk.simulate.scenario import Scenario, ScenarioError, load_scenario, parse_scenario
from ecomrisk.simulate.schemes import SCHEMES
from ecomrisk.simulate.world import generate

SHIPMENTS = 6000


def scenario(**changes: object) -> Scenario:
    base = load_scenario()
    return base.model_validate({**base.model_dump(), "shipments": SHIPMENTS, **changes})


@pytest.fixture(scope="module")
def world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    write_world(generate(scenario()), out, "both")
    return out


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in (".ndjson", ".csv", ".json"):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def test_same_seed_same_bytes_other_seed_other_world(world_dir: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    write_world(generate(scenario()), again, "ndjson")
    other = tmp_path / "other"
    write_world(generate(scenario(seed=7)), other, "ndjson")
    original = _digest(world_dir / "filings") + _digest(world_dir / "truth")
    assert original == _digest(again / "filings") + _digest(again / "truth")
    assert _digest(other / "filings") != _digest(world_dir / "filings")


def test_every_filing_is_a_valid_shipment_filing(world_dir: Path) -> None:
    count = 0
    for path in (world_dir / "filings").glob("*.ndjson"):
        references = set()
        for line in path.read_text().splitlines():
            filing = ShipmentFiling.model_validate_json(line)
            references.add(filing.filer_reference)
            count += 1
        assert len(references) == len(path.read_text().splitlines())  # unique per filer
    assert count == SHIPMENTS


def test_parquet_holds_the_same_filings(world_dir: Path) -> None:
    import pyarrow.parquet as pq

    table = pq.read_table(world_dir / "filings" / "EXP-1.parquet")
    lines = (world_dir / "filings" / "EXP-1.ndjson").read_text().splitlines()
    assert table.num_rows == len(lines)
    assert table.column("filer_reference")[0].as_py() == json.loads(lines[0])["filer_reference"]


def _truth(world_dir: Path) -> list[dict[str, str]]:
    with (world_dir / "truth" / "shipments.csv").open() as handle:
        return list(csv.DictReader(handle))


def test_planted_rates_match_their_parameters(world_dir: Path) -> None:
    rows = _truth(world_dir)
    counts = Counter(scheme for row in rows for scheme in row["schemes"].split(";") if scheme)
    for name, params in scenario().schemes.items():
        expected = params.rate * SHIPMENTS
        assert counts[name] == pytest.approx(expected, abs=2), name
    violating = sum(1 for row in rows if row["violations"])
    assert 0.02 < violating / SHIPMENTS < 0.08  # legitimate traffic dominates


def test_every_scheme_shows_in_the_ground_truth(world_dir: Path) -> None:
    schemes = json.loads((world_dir / "truth" / "schemes.json").read_text())
    assert set(schemes) == set(scenario().schemes)
    assert set(schemes) <= set(SCHEMES)
    assert all(members for members in schemes.values())


def test_drift_starts_mid_period(world_dir: Path) -> None:
    rows = {(r["filer"], r["filer_reference"]): r for r in _truth(world_dir)}
    arrivals = []
    for path in (world_dir / "filings").glob("*.ndjson"):
        for line in path.read_text().splitlines():
            filing = json.loads(line)
            if "drift_undervaluation" in rows[(path.stem, filing["filer_reference"])]["schemes"]:
                arrivals.append(filing["estimated_arrival"][:10])
    assert arrivals
    assert min(arrivals) >= "2026-01-19"  # start 2026-01-05 + 14 days


def test_outcomes_only_for_inspections_with_known_random_probability(world_dir: Path) -> None:
    lines = (world_dir / "outcomes.ndjson").read_text().splitlines()
    selections = Counter()
    for line in lines:
        record = json.loads(line)
        outcome = Outcome.model_validate(record["outcome"])
        selections[outcome.selection] += 1
        if outcome.selection == "random":
            assert outcome.inclusion_probability == pytest.approx(0.01)
    assert selections["random"] == pytest.approx(0.01 * SHIPMENTS, rel=0.35)
    assert 0 < len(lines) < 0.1 * SHIPMENTS


def test_party_records_of_one_entity_vary_but_share_its_id(world_dir: Path) -> None:
    names: dict[str, set[str]] = defaultdict(set)
    with (world_dir / "truth" / "parties.csv").open() as handle:
        truth = {
            (r["filer"], r["filer_reference"], r["role"]): r["entity_id"]
            for r in csv.DictReader(handle)
        }
    for path in (world_dir / "filings").glob("*.ndjson"):
        for line in path.read_text().splitlines():
            filing = json.loads(line)
            entity = truth[(path.stem, filing["filer_reference"], "shipper")]
            names[entity].add(filing["shipper"]["name"])
    assert any(len(variants) >= 3 for variants in names.values())


def test_watch_lists_name_bad_actors_and_decoys(world_dir: Path) -> None:
    with (world_dir / "truth" / "watchlists.csv").open() as handle:
        entries = list(csv.DictReader(handle))
    listed = {e["entity_id"] for e in entries if e["entity_id"]}
    schemes = json.loads((world_dir / "truth" / "schemes.json").read_text())
    assert set(schemes["counterfeit"]) <= listed
    assert set(schemes["forced_labour"]) <= listed
    assert sum(1 for e in entries if not e["entity_id"]) == 20  # decoys
    from ecomrisk.risk.screening.lists import parse_list

    assert (
        len(
            parse_list(
                "csl", (world_dir / "watchlists" / "csl.csv").read_bytes(), "csl.csv"
            ).entries
        )
        > 3
    )
    assert (
        len(
            parse_list(
                "uflpa", (world_dir / "watchlists" / "uflpa.csv").read_bytes(), "u.csv"
            ).entries
        )
        >= 5
    )


def test_bad_scenario_names_the_key() -> None:
    text = "seed = 1\nshipments = 5\n"
    with pytest.raises(
        ScenarioError, match=r"shipments: Input should be greater than or equal to 100"
    ):
        parse_scenario(text, "s.toml")


def test_parallel_rendering_writes_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ecomrisk.simulate.output as output

    monkeypatch.setattr(output, "RENDER_CHUNK", 700)
    world = generate(scenario(shipments=2000))
    write_world(world, tmp_path / "parallel", "both")
    monkeypatch.setattr(output.os, "cpu_count", lambda: 1)
    write_world(world, tmp_path / "serial", "both")
    assert _digest(tmp_path / "parallel") == _digest(tmp_path / "serial")
