"""Sample design and compliance report through the CLI, on each database."""

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from ecomrisk.cli import app
from ecomrisk.domain.records import Outcome
from ecomrisk.store.outcomes_repo import record_outcome
from ecomrisk.store.schema import filers, sample_designs, shipments
from tests.targeting.conftest import World

runner = CliRunner()


def _examine(world: World, reference: str, selection: str, violation: bool) -> None:
    with world.engine.begin() as connection:
        row = connection.execute(
            select(shipments.c.id, filers.c.code)
            .join(filers, filers.c.id == shipments.c.filer_id)
            .where(shipments.c.filer_reference == reference, shipments.c.is_current)
        ).one()
        findings = [{"finding_type": "counterfeit"}] if violation else []
        outcome = Outcome.model_validate(
            {
                "exam_type": "physical",
                "result": "violation" if violation else "no_violation",
                "findings": findings,
                "action": "seize" if violation else "release",
                "examined_at": datetime.now(UTC).isoformat(),
                "selection": selection,
                "inclusion_probability": 0.5 if selection == "random" else None,
                "revenue_recovered": "20.00" if violation else None,
                "currency": "USD" if violation else None,
            }
        )
        record_outcome(connection, int(row.id), outcome, actor="t")


def test_design_then_report_with_intervals_lift_and_plot(world: World, tmp_path: Path) -> None:
    assert runner.invoke(app, ["targeting", "trust", "filer", "T", "--source", "t"]).exit_code == 0
    design_file = tmp_path / "design.json"
    designed = runner.invoke(
        app,
        [
            "compliance",
            "design",
            "--by",
            "mode,trusted",
            "--margin",
            "0.1",
            "--output",
            str(design_file),
        ],
    )
    assert designed.exit_code == 0, designed.output
    document = json.loads(design_file.read_text())
    assert document["total_population"] == 24
    strata = {s["stratum"]: s for s in document["strata"]}
    assert strata["mode=express|trusted=yes"]["population"] == 6
    assert all(s["sample_size"] <= s["population"] for s in strata.values())  # FPC
    with world.engine.connect() as connection:
        assert len(connection.execute(select(sample_designs)).all()) == 1

    # Random exams: untrusted P0, P2, P4, D0 (D0 a violation); trusted P1, P3 (none).
    for reference, violation in (("P0", False), ("P2", False), ("P4", False), ("D0", True)):
        _examine(world, reference, "random", violation)
    for reference in ("P1", "P3"):
        _examine(world, reference, "random", False)
    for reference, violation in (("D1", True), ("D2", True), ("D3", False)):
        _examine(world, reference, "targeted", violation)
    out = tmp_path / "report.json"
    reported = runner.invoke(app, ["compliance", "report", "--by", "trusted", "--output", str(out)])
    assert reported.exit_code == 0, reported.output
    assert "lift of targeting" in reported.output
    result = json.loads(out.read_text())
    assert result["sampled"] == 6
    assert result["population"] == 24
    # Post-stratified: 18 untrusted at 1 in 4 violating, 6 trusted at 0 in 2.
    expected_violation = 18 / 24 * 0.25
    assert abs(result["overall"]["compliance"]["estimate"] - (1 - expected_violation)) < 1e-9
    assert result["overall"]["compliance"]["low"] < 1 - expected_violation
    assert abs(result["overall"]["major_violation"]["estimate"] - expected_violation) < 1e-9
    # Revenue gap: 20 found in one of four untrusted exams, scaled to 18 shipments.
    assert abs(result["overall"]["revenue_gap"]["estimate"] - 18 * 20 / 4) < 1e-6
    assert abs(result["lift"]["estimate"] - (2 / 3) / expected_violation) < 1e-9
    plot = out.with_suffix(".png")
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_parameters_name_the_problem_and_store_nothing(world: World) -> None:
    bad = runner.invoke(app, ["compliance", "design", "--expected-rate", "1.5"])
    assert bad.exit_code == 1
    assert "expected_rate" in bad.output
    assert "unknown stratifier" in runner.invoke(app, ["compliance", "design", "--by", "x"]).output
    with world.engine.connect() as connection:
        assert connection.execute(select(sample_designs)).all() == []
    empty = runner.invoke(app, ["compliance", "report"])
    assert empty.exit_code == 0
    assert "no usable random-sample exams" in empty.output
