"""The enforcement lifecycle and its deadlines (pure), and passwords' lock-out rule."""

from datetime import UTC, datetime, timedelta

import pytest

from ecomrisk.enforcement.lifecycle import (
    CaseError,
    Deadlines,
    Step,
    StepRecord,
    add_business_days,
    check_step,
    deadlines,
)
from ecomrisk.store.passwords import PasswordError, hash_password, locked_until, verify

FRIDAY = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


def test_business_days_skip_the_weekend() -> None:
    assert add_business_days(FRIDAY, 1) == FRIDAY + timedelta(days=3)  # Monday
    assert add_business_days(FRIDAY, 5) == FRIDAY + timedelta(days=7)  # next Friday
    assert add_business_days(FRIDAY - timedelta(days=4), 2) == FRIDAY - timedelta(days=2)


def test_steps_follow_the_lifecycle() -> None:
    assert check_step([], Step.DETAIN) == "detained"
    detained = [StepRecord(Step.DETAIN, FRIDAY)]
    assert check_step(detained, Step.DETENTION_NOTICE) == "detained"
    assert check_step(detained, Step.SEIZE) == "seized"
    with pytest.raises(CaseError, match="forfeit is not possible when detained"):
        check_step(detained, Step.FORFEIT)
    noticed = [*detained, StepRecord(Step.DETENTION_NOTICE, FRIDAY)]
    with pytest.raises(CaseError, match="recorded already"):
        check_step(noticed, Step.DETENTION_NOTICE)
    seized = [*noticed, StepRecord(Step.SEIZE, FRIDAY)]
    assert check_step(seized, Step.FORFEIT) == "forfeited"
    destroyed = [*seized, StepRecord(Step.FORFEIT, FRIDAY), StepRecord(Step.DESTROY, FRIDAY)]
    with pytest.raises(CaseError, match="the case is closed"):
        check_step(destroyed, Step.RELEASE)
    with pytest.raises(CaseError):
        check_step([], Step.RELEASE)  # a case opens with detention, seizure or abandonment


def test_deadlines_open_met_late_and_overdue() -> None:
    periods = Deadlines(detention_notice_business_days=5, detention_decision_days=30)
    detained = [StepRecord(Step.DETAIN, FRIDAY)]
    states = {d.name: d for d in deadlines(detained, periods, FRIDAY + timedelta(days=1))}
    notice = states["notice of detention"]
    assert notice.due == FRIDAY + timedelta(days=7)
    assert notice.open
    assert not notice.overdue
    late_now = FRIDAY + timedelta(days=8)
    assert {d.name: d for d in deadlines(detained, periods, late_now)}[
        "notice of detention"
    ].overdue
    sent_late = [*detained, StepRecord(Step.DETENTION_NOTICE, late_now)]
    state = {d.name: d for d in deadlines(sent_late, periods, late_now)}["notice of detention"]
    assert state.met_at == late_now
    assert state.overdue  # met, but after it was due
    released = [*detained, StepRecord(Step.RELEASE, FRIDAY + timedelta(days=1))]
    assert not any(d.open for d in deadlines(released, periods, FRIDAY + timedelta(days=60)))
    seized = [StepRecord(Step.SEIZE, FRIDAY)]
    (seizure,) = deadlines(seized, Deadlines(seizure_notice_days=10), FRIDAY + timedelta(days=11))
    assert seizure.name == "notice of seizure"
    assert seizure.overdue


def test_passwords_and_lock_out_rule() -> None:
    with pytest.raises(PasswordError, match="at least 12 characters"):
        hash_password("short")
    stored = hash_password("a long enough password")
    assert stored.startswith("$argon2id$")
    assert verify(stored, "a long enough password")
    assert not verify(stored, "a long enough passworD")
    assert not verify(None, "anything")
    window = timedelta(minutes=15)
    t = [FRIDAY + timedelta(minutes=m) for m in (0, 1, 2, 3, 4)]
    assert locked_until(t[:4], max_failures=5, window=window) is None
    assert locked_until(t, max_failures=5, window=window) == t[-1] + window
    spread = [FRIDAY + timedelta(minutes=10 * m) for m in range(5)]  # 40 minutes apart
    assert locked_until(spread, max_failures=5, window=window) is None
