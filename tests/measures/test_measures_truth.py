"""Each measure, computed from the store, equals the same measure recomputed here in
plain Python from the synthetic world's own files (filings, exam outcomes) and
the few changes the fixture made (late filings, a trusted filer, a released case)."""

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from statistics import median
from typing import Any

import pytest
from sqlalchemy import Connection, select

from ecomrisk.compliance.strata import hs_section
from ecomrisk.domain.enums import Mode
from ecomrisk.domain.jurisdiction import load_profile
from ecomrisk.measures import board, compute, targets_repo
from ecomrisk.measures.compute import ALL, Context, Point
from ecomrisk.measures.periods import Span, spans
from ecomrisk.portal import reports_repo
from ecomrisk.portal.reports import ReportInput
from ecomrisk.settings import Settings
from ecomrisk.store.schema import audit_log, filers, filing_quality, shipments
from tests.measures.conftest import TRUSTED_FILER, Filled

TARGETED = ("targeted", "score", "forced")


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _week(moment: datetime) -> str:
    day = moment.date()
    return (day - timedelta(days=day.weekday())).isoformat()


def _window(filled: Filled) -> list[Span]:
    moments = [_when(f["estimated_arrival"]) for f in filled.filings]
    moments += [_when(o["outcome"]["examined_at"]) for o in filled.outcomes]
    first = min(moments).date()
    first -= timedelta(days=first.weekday())
    last = max(moments).date() + timedelta(days=7)
    return spans(first, last - timedelta(days=last.weekday()), "week")


def _computed(
    connection: Connection, filled: Filled, names: Iterable[str], context: Context | None = None
) -> dict[str, dict[tuple[str, str], Point]]:
    points = compute.series(connection, list(names), _window(filled), context or filled.context)
    out: dict[str, dict[tuple[str, str], Point]] = defaultdict(dict)
    for p in points:
        out[p.measure][(p.period, p.group)] = p
    return out


def _values(found: dict[tuple[str, str], Point]) -> dict[tuple[str, str], float]:
    """Periods with something in them (a zero count is there but means nothing)."""
    return {k: p.value for k, p in found.items() if p.value is not None and p.n > 0}


def _approx(expected: dict[tuple[str, str], float]) -> Any:
    return pytest.approx(expected, rel=1e-9, abs=1e-9)


def _arrival_week(filled: Filled) -> dict[tuple[str, str], str]:
    return {
        (f["filer"], f["filer_reference"]): _week(_when(f["estimated_arrival"]))
        for f in filled.filings
    }


def test_volume_by_mode_port_and_filer(filled: Filled) -> None:
    with filled.engine.connect() as connection:
        got = _computed(connection, filled, ["volume_by_mode", "volume_by_port", "volume_by_filer"])
    for name, key in (
        ("volume_by_mode", "mode"),
        ("volume_by_port", "port_of_arrival"),
        ("volume_by_filer", "filer"),
    ):
        expected: Counter[tuple[str, str]] = Counter()
        for f in filled.filings:
            week = _week(_when(f["estimated_arrival"]))
            expected[(week, f[key])] += 1
            expected[(week, ALL)] += 1
        assert _values(got[name]) == _approx({k: float(v) for k, v in expected.items()}), name


def test_advance_data_before_arrival_and_within_the_deadline(filled: Filled) -> None:
    profile = load_profile(Settings().jurisdiction)
    totals: Counter[str] = Counter()
    before: Counter[str] = Counter()
    on_time: Counter[str] = Counter()
    for f in filled.filings:
        arrival = _when(f["estimated_arrival"])
        lead = (arrival - filled.filed_at).total_seconds() / 3600
        week = _week(arrival)
        totals[week] += 1
        before[week] += lead > 0
        on_time[week] += lead >= profile.deadlines[Mode(f["mode"])].hours_before_arrival
    assert 0 < sum(before.values()) < len(filled.filings)  # the fixture made some late
    assert sum(on_time.values()) < sum(before.values())
    with filled.engine.connect() as connection:
        got = _computed(connection, filled, ["advance_before_arrival", "advance_within_deadline"])
    assert _values(got["advance_before_arrival"]) == _approx(
        {(w, ALL): before[w] / n for w, n in totals.items()}
    )
    assert _values(got["advance_within_deadline"]) == _approx(
        {(w, ALL): on_time[w] / n for w, n in totals.items()}
    )
    for p in got["advance_within_deadline"].values():
        if p.value is not None:
            assert p.low is not None
            assert p.high is not None
            assert p.low <= p.value <= p.high


def test_data_quality_by_filer(filled: Filled) -> None:
    with filled.engine.connect() as connection:
        rows = connection.execute(
            select(filers.c.code, shipments.c.estimated_arrival, filing_quality.c.score)
            .join(shipments, shipments.c.id == filing_quality.c.shipment_id)
            .join(filers, filers.c.id == shipments.c.filer_id)
            .where(shipments.c.is_current)
        ).all()
        got = _computed(connection, filled, ["data_quality"])
    scores: dict[tuple[str, str], list[float]] = defaultdict(list)
    for code, arrival, score in rows:
        week = _week(arrival)
        scores[(week, code)].append(score)
        scores[(week, ALL)].append(score)
    assert len(rows) == len(filled.filings)
    assert _values(got["data_quality"]) == _approx({k: sum(v) / len(v) for k, v in scores.items()})


def test_exam_rate(filled: Filled) -> None:
    weeks = _arrival_week(filled)
    examined = {(o["filer"], o["filer_reference"]) for o in filled.outcomes}
    totals = Counter(weeks.values())
    hits = Counter(weeks[k] for k in examined)
    with filled.engine.connect() as connection:
        got = _computed(connection, filled, ["exam_rate"])
    assert _values(got["exam_rate"]) == _approx({(w, ALL): hits[w] / n for w, n in totals.items()})


def _seizures(filled: Filled) -> list[dict[str, Any]]:
    return [o["outcome"] for o in filled.outcomes if o["outcome"]["action"] == "seize"]


def test_seizures_and_msrp_by_finding(filled: Filled) -> None:
    counts: Counter[tuple[str, str]] = Counter()
    msrp: defaultdict[tuple[str, str], float] = defaultdict(float)
    for o in _seizures(filled):
        assert o.get("currency") in (None, "USD")
        week, value = _week(_when(o["examined_at"])), float(o.get("msrp_seized") or 0)
        for kind in {f["finding_type"] for f in o["findings"]} or {"none"}:
            counts[(week, kind)] += 1
            msrp[(week, kind)] += value
        counts[(week, ALL)] += 1
        msrp[(week, ALL)] += value
    assert counts, "the world has seizures"
    with filled.engine.connect() as connection:
        got = _computed(connection, filled, ["seizures", "seized_msrp"])
    assert _values(got["seizures"]) == _approx({k: float(v) for k, v in counts.items()})
    assert _values(got["seized_msrp"]) == _approx(dict(msrp))


def test_ipr_seizures_by_hs_section(filled: Filled) -> None:
    first_hs = {
        (f["filer"], f["filer_reference"]): f["items"][0]["hs_code"] for f in filled.filings
    }
    expected: Counter[tuple[str, str]] = Counter()
    for o in filled.outcomes:
        outcome = o["outcome"]
        if outcome["action"] == "seize" and any(
            f["finding_type"] == "counterfeit" for f in outcome["findings"]
        ):
            week = _week(_when(outcome["examined_at"]))
            expected[(week, hs_section(first_hs[(o["filer"], o["filer_reference"])]))] += 1
            expected[(week, ALL)] += 1
    with filled.engine.connect() as connection:
        got = _computed(connection, filled, ["ipr_seizures"])
    assert _values(got["ipr_seizures"]) == _approx({k: float(v) for k, v in expected.items()})


def test_revenue_recovered(filled: Filled) -> None:
    expected: defaultdict[tuple[str, str], float] = defaultdict(float)
    counted: Counter[tuple[str, str]] = Counter()
    for o in filled.outcomes:
        outcome = o["outcome"]
        if outcome.get("revenue_recovered") is not None:
            key = (_week(_when(outcome["examined_at"])), ALL)
            expected[key] += float(outcome["revenue_recovered"])
            counted[key] += 1
    assert sum(expected.values()) > 0
    with filled.engine.connect() as connection:
        got = _computed(connection, filled, ["revenue_recovered"])
    assert _values(got["revenue_recovered"]) == _approx(dict(expected))


def test_compliance_hit_rate_and_lift_from_the_random_sample(filled: Filled) -> None:
    """The stratified Hajek estimate (strata: mode), written out here by hand."""
    mode_of = {(f["filer"], f["filer_reference"]): f["mode"] for f in filled.filings}
    weeks = _arrival_week(filled)
    population: Counter[tuple[str, str]] = Counter((weeks[k], m) for k, m in mode_of.items())
    sums: defaultdict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    targeted: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    for o in filled.outcomes:
        key, outcome = (o["filer"], o["filer_reference"]), o["outcome"]
        if outcome["result"] == "inconclusive":
            continue
        violation = outcome["result"] == "violation"
        if outcome["selection"] == "random":
            cell = sums[(weeks[key], mode_of[key])]
            cell[0] += violation / outcome["inclusion_probability"]
            cell[1] += 1 / outcome["inclusion_probability"]
        elif outcome["selection"] in TARGETED:
            targeted[weeks[key]][0] += violation
            targeted[weeks[key]][1] += 1
    rates: dict[str, float] = {}
    for week in {w for w, _ in sums}:
        cells = [(population[(week, m)], y / w) for (wk, m), (y, w) in sums.items() if wk == week]
        rates[week] = sum(n * r for n, r in cells) / sum(n for n, _ in cells)
    context = Context("USD", filled.context.rates, filled.context.major_findings, strata=("mode",))
    with filled.engine.connect() as connection:
        got = _computed(
            connection,
            filled,
            ["compliance_rate", "random_violation_rate", "targeted_hit_rate", "lift"],
            context,
        )
    assert rates
    assert any(0 < r < 1 for r in rates.values())
    assert _values(got["random_violation_rate"]) == _approx({(w, ALL): r for w, r in rates.items()})
    assert _values(got["compliance_rate"]) == _approx({(w, ALL): 1 - r for w, r in rates.items()})
    hit = {w: h / n for w, (h, n) in targeted.items() if n}
    assert _values(got["targeted_hit_rate"]) == _approx(
        {(w, ALL): r for w, r in hit.items() if w in rates}
    )
    lifts = {(w, ALL): hit[w] / rates[w] for w in rates if hit.get(w) and rates[w] > 0}
    assert lifts
    assert _values(got["lift"]) == _approx(lifts)
    for name in ("compliance_rate", "lift"):
        for p in got[name].values():
            if p.value is not None:
                assert p.low is not None
                assert p.high is not None
                assert p.low <= p.value <= p.high


def test_time_from_arrival_to_release(filled: Filled) -> None:
    arrival = {
        (f["filer"], f["filer_reference"]): _when(f["estimated_arrival"]) for f in filled.filings
    }
    hours: defaultdict[str, list[float]] = defaultdict(list)
    for o in filled.outcomes:
        outcome = o["outcome"]
        if outcome["action"] == "release":
            released = _when(outcome["examined_at"])
            gap = (released - arrival[(o["filer"], o["filer_reference"])]).total_seconds() / 3600
            hours[_week(released)].append(max(0.0, gap))
    case_arrival, case_released = filled.case_release
    hours[_week(case_released)].append((case_released - case_arrival).total_seconds() / 3600)
    with filled.engine.connect() as connection:
        got = _computed(connection, filled, ["release_hours"])
    assert _values(got["release_hours"]) == _approx({(w, ALL): median(v) for w, v in hours.items()})


def test_share_moved_by_trusted_shippers(filled: Filled) -> None:
    weeks = _arrival_week(filled)
    totals = Counter(weeks.values())
    trusted = Counter(w for (filer, _), w in weeks.items() if filer == TRUSTED_FILER)
    assert sum(trusted.values()) > 0
    with filled.engine.connect() as connection:
        got = _computed(connection, filled, ["trusted_share"])
    # Weeks ending before the trust began count nothing as trusted.
    expected = {(w, ALL): trusted[w] / n for w, n in totals.items()}
    assert _values(got["trusted_share"]) == _approx(expected)


def test_public_reports_counted_by_their_triage_outcome(filled: Filled) -> None:
    span = Span(date.today() - timedelta(days=7), date.today() + timedelta(days=1))
    with filled.engine.connect() as connection:
        before = compute.series(connection, ["public_reports"], [span], filled.context)
    assert {p.group: p.value for p in before} == {ALL: 0}
    outcomes = ["referred", "referred", None, "unsubstantiated"]
    with filled.engine.begin() as connection:  # filed and triaged as the portal does
        for number, outcome in enumerate(outcomes):
            reference = reports_repo.submit(
                connection,
                ReportInput(
                    violator_name=f"Seller {number}",
                    violation_type="counterfeit",
                    product="trainers",
                    description="trainers with a fake logo, sold as genuine",
                ),
            )
            if outcome is not None:
                reports_repo.record_outcome(connection, reference, outcome, "", actor="analyst")
    with filled.engine.connect() as connection:
        found = compute.series(connection, ["public_reports"], [span], filled.context)
    expected = {ALL: 4, "referred": 2, "new": 1, "unsubstantiated": 1}
    assert {p.group: p.value for p in found} == expected


def test_baseline_is_computed_over_its_period_and_target_audited(filled: Filled) -> None:
    window = _window(filled)
    since, until = window[0].since, window[-1].until
    with filled.engine.connect() as connection:
        before = connection.execute(select(audit_log.c.id)).all()
    with filled.engine.begin() as connection:
        targets_repo.set_baseline(
            connection, "exam_rate", since.isoformat(), until.isoformat(), actor="pm"
        )
        targets_repo.set_target(connection, "exam_rate", 0.2, by="2027-06-30", actor="pm")
    with filled.engine.begin() as connection:
        for bad, field in (
            (lambda c: targets_repo.set_target(c, "exam_rate", 1.5, actor="pm"), "target"),
            (
                lambda c: targets_repo.set_baseline(
                    c, "exam_rate", "2026-13-01", "2027-01-01", actor="pm"
                ),
                "from",
            ),
            (
                lambda c: targets_repo.set_baseline(
                    c, "exam_rate", "2027-01-01", "2026-01-01", actor="pm"
                ),
                "to",
            ),
        ):
            with pytest.raises(targets_repo.TargetError, match=f"^{field}:"):
                bad(connection)
    examined = {(o["filer"], o["filer_reference"]) for o in filled.outcomes}
    with filled.engine.connect() as connection:
        entries = connection.execute(select(audit_log).where(audit_log.c.entity == "measure")).all()
        built = board.build(connection, filled.context, since, until, "week", ["exam_rate"])
        setting = targets_repo.get(connection, "exam_rate")
    assert len(entries) == 2
    assert len(before) > 0
    assert setting is not None
    assert setting.target == 0.2
    assert setting.baseline_from == since.isoformat()
    (row,) = built.rows
    assert row.baseline is not None
    assert row.baseline.value == pytest.approx(len(examined) / len(filled.filings))
    assert row.status == ""  # the exam rate has no good direction: no verdict
    csv_text = board.to_csv(built)
    assert "exam_rate,target 2027-06-30,all,0.2" in csv_text
    assert f"exam_rate,baseline {since.isoformat()}/{until.isoformat()}" in csv_text
