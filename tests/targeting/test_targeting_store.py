"""Facilities, trusted parties and selection on each database, through the CLI and
the internal API as users reach them."""

from datetime import timedelta

from sqlalchemy import func, select
from typer.testing import CliRunner

from ecomrisk.cli import app
from ecomrisk.domain.enums import ExamType
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.settings import Settings
from ecomrisk.store.schema import audit_log, selection_runs, selections
from ecomrisk.targeting import facilities_repo, runs_repo
from ecomrisk.targeting.selection import EXPLORED_WINDOW_DAYS
from tests.targeting.conftest import World, as_user

runner = CliRunner()


def test_administrators_set_facilities_and_others_read_them(world: World) -> None:
    admin, officer = as_user(world.tokens["ada"]), as_user(world.tokens["olga"])
    body = {"name": "JFK", "capacity": {"document_review": 2, "scan": 3, "physical": 4}}
    assert (
        world.client.put("/internal/v1/facilities/USJFK", json=body, headers=officer).status_code
        == 403
    )
    created = world.client.put("/internal/v1/facilities/USJFK", json=body, headers=admin)
    assert created.status_code == 200, created.json()
    assert created.json()["capacity"] == {"document_review": 2, "scan": 3, "physical": 4}
    bad = world.client.put(
        "/internal/v1/facilities/USJFK", json={"capacity": {"scan": -1}}, headers=admin
    )
    assert bad.status_code == 422
    assert "scan" in str(bad.json())
    unnamed = world.client.put("/internal/v1/facilities/USLAX", json={}, headers=admin)
    assert unnamed.status_code == 422
    assert "name" in unnamed.json()["detail"]
    assert world.client.get("/internal/v1/facilities/USLAX", headers=officer).status_code == 404
    changed = world.client.put(
        "/internal/v1/facilities/USJFK", json={"capacity": {"scan": 5}}, headers=admin
    ).json()
    assert changed["capacity"]["scan"] == 5
    assert changed["capacity"]["physical"] == 4  # left as it was
    listed = world.client.get("/internal/v1/facilities", headers=officer).json()
    assert [f["code"] for f in listed] == ["USJFK"]
    with world.engine.connect() as connection:
        actions = connection.execute(
            select(audit_log.c.action, audit_log.c.actor).where(audit_log.c.entity == "facility")
        ).all()
    assert [tuple(a) for a in actions] == [
        ("facility.create", "user:ada"),
        ("facility.update", "user:ada"),
    ]


def test_selection_by_cli_fills_capacity_and_the_queue_reads_it(world: World) -> None:
    set_up = runner.invoke(
        app,
        [
            "facilities",
            "set",
            "USJFK",
            "--name",
            "JFK",
            "--document-review",
            "2",
            "--scan",
            "3",
            "--physical",
            "4",
        ],
    )
    assert set_up.exit_code == 0, set_up.output
    trusted = runner.invoke(app, ["targeting", "trust", "filer", "T", "--source", "test programme"])
    assert trusted.exit_code == 0, trusted.output
    day = world.day.isoformat()
    result = runner.invoke(
        app, ["targeting", "select", "--facility", "USJFK", "--day", day, "--seed", "7"]
    )
    assert result.exit_code == 0, result.output
    assert "USJFK on " + day in result.output
    assert "of 23 shipments selected" in result.output  # USLAX's shipment is not a candidate
    with world.engine.connect() as connection:
        picks = connection.execute(select(selections)).all()
    by_exam: dict[str, int] = {}
    for pick in picks:
        by_exam[pick.exam_type] = by_exam.get(pick.exam_type, 0) + 1
    assert by_exam.get("document_review", 0) <= 2
    assert by_exam.get("scan", 0) <= 3
    assert by_exam["physical"] <= 4
    reasons = {p.reason for p in picks}
    # the three held gifts are examined first, physically (or drawn in the sample)
    held = [p for p in picks if p.rank <= 3]
    assert all(p.exam_type == "physical" and p.reason in ("forced", "random") for p in held)
    assert "score" in reasons
    assert all(0 < p.inclusion_probability <= 1 for p in picks)
    # the officer queue reads the same, in order
    queue = world.client.get(
        f"/internal/v1/facilities/USJFK/selections/{day}", headers=as_user(world.tokens["olga"])
    )
    assert queue.status_code == 200
    rows = queue.json()["selections"]
    assert [r["rank"] for r in rows] == sorted(r["rank"] for r in rows)
    assert {r["reason"] for r in rows} == reasons
    assert queue.json()["parameters"]["seed"] == 7
    # an exam's outcome records the reason and probability the selection stored
    with world.engine.connect() as connection:
        kind, pi = runs_repo.selection_of(connection, rows[0]["shipment_version_id"]) or (None, 0)
    assert kind is not None
    assert kind.value == {"score": "targeted"}.get(rows[0]["reason"], rows[0]["reason"])
    assert pi == rows[0]["inclusion_probability"]
    # once a day: the random sample cannot be redrawn
    again = runner.invoke(app, ["targeting", "select", "--facility", "USJFK", "--day", day])
    assert again.exit_code == 1
    assert "selected already" in again.output
    with world.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(selection_runs)).scalar() == 1
    other = (world.day + timedelta(days=30)).isoformat()
    missing = world.client.get(
        f"/internal/v1/facilities/USJFK/selections/{other}", headers=as_user(world.tokens["olga"])
    )
    assert missing.status_code == 404
    shown = runner.invoke(app, ["targeting", "show", "--facility", "USJFK", "--day", day])
    assert shown.exit_code == 0
    assert "by reason" in shown.output


def test_trusted_shipments_get_the_lower_random_rate_and_priorities_count(world: World) -> None:
    profile = load_profile("US-2019")
    assert runner.invoke(app, ["targeting", "trust", "filer", "T", "--source", "t"]).exit_code == 0
    duplicate = runner.invoke(app, ["targeting", "trust", "filer", "T", "--source", "t"])
    assert duplicate.exit_code == 1
    assert "trusted already" in duplicate.output
    with world.engine.begin() as connection:
        facility = facilities_repo.put(connection, "USJFK", actor="t", name="JFK")
        pool = runs_repo.candidates(connection, facility, world.day, profile, Settings())
    rates = {c.random_rate for c in pool if "trusted=yes" in c.stratum}
    assert rates == {profile.sampling.trusted_random_rate}
    assert {c.random_rate for c in pool if "trusted=no" in c.stratum} == {
        profile.sampling.min_random_rate
    }
    assert sum(1 for c in pool if c.forced) == 3
    dear = [c for c in pool if c.required_exam.value == "scan"]
    assert len(dear) == 8
    # "dear" suspects counterfeits: the configured priority weight is added to its value
    assert all(
        c.priority_weight == Settings().targeting_priority_weights["counterfeit"] for c in dear
    )


def test_bad_input_is_refused_and_changes_nothing(world: World) -> None:
    bad = runner.invoke(app, ["facilities", "set", "jfk", "--name", "x"])
    assert bad.exit_code == 1
    assert "code" in bad.output
    unknown = runner.invoke(
        app, ["targeting", "select", "--facility", "NOPE", "--day", world.day.isoformat()]
    )
    assert unknown.exit_code == 1
    assert "no facility 'NOPE'" in unknown.output
    none = runner.invoke(app, ["targeting", "select", "--day", world.day.isoformat()])
    assert none.exit_code == 1
    assert "no active facilities" in none.output
    with world.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(selection_runs)).scalar() == 0


def test_exploration_reads_where_targeting_looked_in_the_weeks_before(world: World) -> None:
    profile = load_profile("US-2019")
    with world.engine.begin() as connection:
        facility = facilities_repo.put(
            connection, "USJFK", actor="t", name="JFK", capacity={ExamType.PHYSICAL: 6}
        )
        assert runs_repo.explored_by_segment(connection, world.day) == {}
        result = runs_repo.run(connection, facility, world.day, profile, Settings(), actor="t")
        targeted: dict[str, int] = {}
        for pick in result.plan.picks:
            assert pick.candidate.segment.count("/") == 1
            if pick.reason.value in ("score", "forced"):
                targeted[pick.candidate.segment] = targeted.get(pick.candidate.segment, 0) + 1
        assert targeted  # the held gifts at least
        next_day = world.day + timedelta(days=1)
        assert runs_repo.explored_by_segment(connection, next_day) == targeted
        assert runs_repo.explored_by_segment(connection, world.day) == {}  # not before it
        later = world.day + timedelta(days=EXPLORED_WINDOW_DAYS + 1)
        assert runs_repo.explored_by_segment(connection, later) == {}  # out of the window
        # The run records how exploration was steered.
        stored = connection.execute(select(selection_runs.c.parameters)).scalar_one()
    assert stored["exploration_segments"]["window_days"] == EXPLORED_WINDOW_DAYS
