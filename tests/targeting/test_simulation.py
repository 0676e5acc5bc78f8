"""The targeting simulation on a small synthetic world: capacity, shared past,
what each strategy may know, determinism, and the command's outputs."""

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from ecomrisk.cli import app
from ecomrisk.simulate.scenario import Scenario, load_scenario
from ecomrisk.simulate.world import generate
from ecomrisk.targeting.simulated_flow import Flow, build_flow
from ecomrisk.targeting.simulation import Settings, shipper_history_counts, simulate

DRIFT = "drift_quiet_undervaluation"


def _scenario() -> Scenario:
    base = load_scenario(None, "targeting.toml").model_dump()
    base.update(shipments=6000, days=35)
    base["schemes"][DRIFT]["start_day"] = 21
    return Scenario.model_validate(base)


@cache
def _flow() -> Flow:
    return build_flow(generate(_scenario()))


def _run(seed: int = 0) -> dict[str, Any]:
    start = datetime(2026, 1, 5, tzinfo=UTC)
    return simulate(_flow(), start, DRIFT, Settings(capacity_share=0.04, seed=seed))


@cache
def _report() -> str:
    return json.dumps(_run())


def test_shipper_history_counts_earlier_filings_only() -> None:
    assert shipper_history_counts(["a", "b", "a", "a", "c", "b"]).tolist() == [0, 0, 1, 2, 0, 1]


def test_flow_truth_matches_the_world() -> None:
    flow = _flow()
    assert flow.size == 6000
    drift = np.array([s == DRIFT for s in flow.scheme])
    assert drift.sum() == round(0.02 * 6000)
    assert flow.day[drift].min() >= 18  # filed up to three days before arrival from day 21
    assert not flow.found[np.array([s == "" for s in flow.scheme])].any()  # clean is clean
    assert 0.7 < flow.found[drift].mean() <= 1.0  # the world's 85 % detection
    assert (flow.revenue[~flow.found] == 0).all()


def test_the_quiet_scheme_looks_like_honest_trade_on_its_filings() -> None:
    """Its shipments keep to one lane (eau de parfum from Korea), come from sellers who
    filed before it started, and declare unit values like honest ones of the same
    goods; only the exam shows them (the world's 85 % detection)."""
    flow = _flow()
    drift = np.array([s == DRIFT for s in flow.scheme])
    lane = {
        (flow.features[i]["hs_chapter"], flow.features[i]["country_of_export"])
        for i in np.flatnonzero(drift)
    }
    assert lane == {("33", "KR")}
    ratio = np.array([f["value_to_reference_min"] for f in flow.features], dtype=float)
    honest = np.array([s == "" for s in flow.scheme])
    assert 0.8 < np.median(ratio[drift]) / np.median(ratio[honest]) < 1.25
    # The older undervaluation scheme declares a fraction of the value: it stands out.
    old = np.array([s == "undervaluation" for s in flow.scheme])
    assert np.median(ratio[old]) < 0.5 * np.median(ratio[drift])
    scheme_sellers = {flow.shipper[i] for i in np.flatnonzero(drift)}
    earlier = {flow.shipper[i] for i in np.flatnonzero(honest & (flow.day < 18))}
    assert scheme_sellers & earlier  # established accounts, not new ones
    assert 0.7 < flow.found[drift].mean() <= 1.0


@pytest.mark.slow
def test_strategies_share_the_past_and_keep_to_capacity() -> None:
    report = json.loads(_report())
    flow = _flow()
    per_day = np.bincount(flow.day)
    weekly_capacity = [sum(round(0.04 * n) for n in per_day[w * 7 : (w + 1) * 7]) for w in range(5)]
    strategies = report["strategies"]
    assert set(strategies) == {"default", "uncertainty", "exploitation", "rules", "random"}
    past = [strategies["default"]["weeks"][w] for w in range(2)]
    for name, figures in strategies.items():
        assert figures["weeks"][:2] == past, name  # the shared burn-in
        for week, capacity in zip(figures["weeks"], weekly_capacity, strict=True):
            assert week["inspected"] <= capacity, (name, week)
            assert week["new_scheme_found"] <= week["new_scheme_shipments"]
        assert not any(w["model_trained"] for w in figures["weeks"][:2])
    assert all(w["model_trained"] for w in strategies["exploitation"]["weeks"][2:])
    assert all(w["model_trained"] for w in strategies["default"]["weeks"][2:])
    assert not any(w["model_trained"] for w in strategies["rules"]["weeks"])
    # Random inspection finds violations at about the flow's rate; a model far above it.
    base_rate = flow.found.mean()
    assert strategies["random"]["total"]["precision"] < 3 * base_rate
    assert strategies["exploitation"]["total"]["precision"] > 4 * base_rate


@pytest.mark.slow
def test_same_seed_same_report_other_seed_other_draws() -> None:
    assert json.loads(_report()) == _run(seed=0)
    other = _run(seed=1)
    assert other["strategies"]["random"] != json.loads(_report())["strategies"]["random"]


def test_command_refuses_bad_settings_before_any_work(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(app, ["simulate-targeting", "--out", str(tmp_path), "--capacity", "0"])
    assert bad.exit_code == 1
    assert "--capacity 0.0: must be in (0, 1]" in bad.output
    flat = tmp_path / "flat.toml"
    text = (
        Path(__file__).parents[2] / "src/ecomrisk/simulate/scenarios/targeting.toml"
    ).read_text()
    flat.write_text(text.replace("start_day = 28  # the scheme starts mid-period\n", ""))
    refused = runner.invoke(
        app, ["simulate-targeting", "--out", str(tmp_path), "--scenario", str(flat)]
    )
    assert refused.exit_code == 1
    assert "no scheme with a start_day" in refused.output
    assert not (tmp_path / "simulation.json").exists()


@pytest.mark.slow
def test_command_writes_json_chart_and_table(tmp_path: Path) -> None:
    scenario = tmp_path / "small.toml"
    text = (
        Path(__file__).parents[2] / "src/ecomrisk/simulate/scenarios/targeting.toml"
    ).read_text()
    scenario.write_text(
        text.replace("shipments = 40000", "shipments = 4000")
        .replace("days = 56", "days = 28")
        .replace("start_day = 28", "start_day = 14")
    )
    out = tmp_path / "out"
    done = CliRunner().invoke(
        app, ["simulate-targeting", "--out", str(out), "--scenario", str(scenario)]
    )
    assert done.exit_code == 0, done.output
    report = json.loads((out / "simulation.json").read_text())
    assert report["settings"]["new_scheme"] == DRIFT
    assert report["settings"]["new_scheme_start_week"] == 2
    assert len(report["strategies"]["default"]["weeks"]) >= 4
    assert (out / "simulation.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "default" in done.output
    assert "strategy" in done.output
