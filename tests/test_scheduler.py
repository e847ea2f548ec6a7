"""Which periods are due, catch-up, idempotence, and the loop with a fake clock."""

import dataclasses
import logging
import time
from datetime import datetime, timedelta

import pytest

from reportgen.config import Schedule
from reportgen.errors import LockedError
from reportgen.lock import RunLock, holder_path
from reportgen.model import Period
from reportgen.periods import WorkingCalendar
from reportgen.scheduler import due_periods, dry_run, next_due, run_schedule

SCT = WorkingCalendar("SCT")
FIFTH = Schedule(working_day=5, time="09:00")
FIRST = Schedule(working_day=1, time="09:00")


def test_nothing_due_before_the_due_time_on_the_due_day():
    # December 2025's report: 5th working day of January 2026 = Friday 9 January
    assert due_periods(Period(2025, 11), datetime(2026, 1, 9, 8, 59), FIFTH, SCT) == []
    assert due_periods(Period(2025, 11), datetime(2026, 1, 9, 9, 0), FIFTH, SCT) == \
        [Period(2025, 12)]


def test_january_bank_holidays_push_the_first_working_day():
    # 1 and 2 January are both Scottish bank holidays; 3 and 4 are a weekend
    assert due_periods(Period(2025, 11), datetime(2026, 1, 2, 12, 0), FIRST, SCT) == []
    assert due_periods(Period(2025, 11), datetime(2026, 1, 5, 9, 0), FIRST, SCT) == \
        [Period(2025, 12)]
    # UK-wide days only would have made it Friday 2 January
    eng = WorkingCalendar("ENG")
    assert due_periods(Period(2025, 11), datetime(2026, 1, 2, 9, 0), FIRST, eng) == \
        [Period(2025, 12)]


def test_st_andrews_day_substitute_monday():
    # 30 Nov 2025 is a Sunday, so Monday 1 December is the holiday
    assert due_periods(Period(2025, 10), datetime(2025, 12, 1, 10, 0), FIRST, SCT) == []
    assert due_periods(Period(2025, 10), datetime(2025, 12, 2, 9, 0), FIRST, SCT) == \
        [Period(2025, 11)]


def test_easter_good_friday_skipped_easter_monday_worked():
    # April 2026: Wed 1, Thu 2, (Good Friday 3), Mon 6 is a working day in Scotland
    third = Schedule(working_day=3, time="09:00")
    assert due_periods(Period(2026, 2), datetime(2026, 4, 3, 23, 0), third, SCT) == []
    assert due_periods(Period(2026, 2), datetime(2026, 4, 6, 9, 0), third, SCT) == \
        [Period(2026, 3)]


def test_month_end_and_weekend_due_day():
    # 1 Nov 2025 is a Saturday: first working day is Monday 3 November
    assert due_periods(Period(2025, 9), datetime(2025, 11, 1, 9, 0), FIRST, SCT) == []
    assert due_periods(Period(2025, 9), datetime(2025, 10, 31, 23, 59), FIRST, SCT) == []
    assert due_periods(Period(2025, 9), datetime(2025, 11, 3, 9, 0), FIRST, SCT) == \
        [Period(2025, 10)]


def test_catch_up_after_three_missed_months_oldest_first():
    now = datetime(2026, 1, 9, 9, 30)
    assert due_periods(Period(2025, 9), now, FIFTH, SCT) == \
        [Period(2025, 10), Period(2025, 11), Period(2025, 12)]


def test_idempotent_when_last_done_is_current():
    now = datetime(2026, 1, 20, 12, 0)
    assert due_periods(Period(2025, 12), now, FIFTH, SCT) == []
    assert due_periods(Period(2026, 1), now, FIFTH, SCT) == []  # run early by hand


def test_first_run_only_latest_unless_first_given():
    now = datetime(2026, 1, 20, 12, 0)
    assert due_periods(None, now, FIFTH, SCT) == [Period(2025, 12)]
    assert due_periods(None, now, FIFTH, SCT, first=Period(2025, 10)) == \
        [Period(2025, 10), Period(2025, 11), Period(2025, 12)]
    assert due_periods(Period(2025, 6), now, FIFTH, SCT, first=Period(2025, 11)) == \
        [Period(2025, 11), Period(2025, 12)]


def test_next_due():
    assert next_due(datetime(2026, 1, 9, 8, 59), Period(2025, 11), FIFTH, SCT) == \
        (Period(2025, 12), datetime(2026, 1, 9, 9, 0))
    assert next_due(datetime(2026, 1, 9, 9, 0), Period(2025, 12), FIFTH, SCT) == \
        (Period(2026, 1), datetime(2026, 2, 6, 9, 0))
    assert next_due(datetime(2026, 1, 9, 9, 0), None, FIFTH, SCT) == \
        (Period(2026, 1), datetime(2026, 2, 6, 9, 0))


def test_dry_run_lines(config):
    lines = dry_run(config, datetime(2026, 1, 9, 9, 0), Period(2025, 10))
    text = "\n".join(lines)
    assert "2025-11" in text and "08/12/2025 09:00" in text
    assert "2025-12" in text and "09/01/2026 09:00" in text
    assert lines[-1] == "Next: 2026-01 (January 2026) is due 06/02/2026 09:00."
    idle = dry_run(config, datetime(2026, 1, 20, 9, 0), Period(2025, 12))
    assert "Nothing is due now." in idle


class FakeTime:
    """A clock that moves only when the loop sleeps."""

    def __init__(self, start: datetime, step: timedelta):
        self.now = start
        self.step = step
        self.sleeps = 0

    def clock(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        self.now += self.step
        time.sleep(0.002)  # let the schedule package's real-time tick come round


def test_run_schedule_catches_up_in_order_once_then_runs_the_next(config, tmp_path):
    fake = FakeTime(datetime(2026, 1, 9, 10, 0), timedelta(days=7))
    ledger = [Period(2025, 9)]
    ran = []

    def run_cycle(period):
        ran.append(period)
        ledger.append(period)
        return True

    run_schedule(config, run_cycle, lambda: ledger[-1], tmp_path / ".reportgen.lock",
                 clock=fake.clock, sleep=fake.sleep,
                 should_stop=lambda: fake.sleeps >= 6, tick_seconds=0.001)
    # three missed on start; January 2026 falls due on 6 February (a later tick)
    assert ran == [Period(2025, 10), Period(2025, 11), Period(2025, 12), Period(2026, 1)]
    assert not holder_path(tmp_path / ".reportgen.lock").exists()  # the lock was let go


def test_run_schedule_failure_keeps_order_and_retries_later(config, tmp_path, caplog):
    fake = FakeTime(datetime(2026, 1, 9, 10, 0), timedelta(minutes=10))
    ledger = [Period(2025, 10)]
    attempts = []

    def run_cycle(period):
        attempts.append(period)
        if len(attempts) == 1:
            raise RuntimeError("disk full")
        ledger.append(period)
        return True

    with caplog.at_level(logging.INFO, logger="reportgen.scheduler"):
        run_schedule(config, run_cycle, lambda: ledger[-1], tmp_path / "lock",
                     clock=fake.clock, sleep=fake.sleep,
                     should_stop=lambda: fake.sleeps >= 12, tick_seconds=0.001,
                     retry_seconds=3600)
    # the failed November is retried only after an hour, and December never jumps it
    assert attempts == [Period(2025, 11), Period(2025, 11), Period(2025, 12)]
    failures = [r for r in caplog.records if r.exc_info]
    assert failures and "disk full" in str(failures[0].exc_info[1])


def test_run_schedule_refuses_when_locked(config, tmp_path):
    with RunLock(tmp_path / "lock", now=datetime(2026, 1, 9, 9, 0)):
        with pytest.raises(LockedError):
            run_schedule(config, lambda p: True, lambda: None, tmp_path / "lock",
                         clock=lambda: datetime(2026, 1, 9, 10, 0), sleep=lambda s: None,
                         should_stop=lambda: True)


def test_run_schedule_uses_configured_closures(config, tmp_path):
    # a local closure on Friday 9 January 2026 moves December's report to Monday 12th
    closed = dataclasses.replace(config, schedule=dataclasses.replace(
        config.schedule, closures=(datetime(2026, 1, 9).date(),)))
    ran = []
    fake = FakeTime(datetime(2026, 1, 9, 10, 0), timedelta(days=1))
    run_schedule(closed, lambda p: ran.append((p, fake.now)) or True,
                 lambda: ran[-1][0] if ran else Period(2025, 11), tmp_path / "lock",
                 clock=fake.clock, sleep=fake.sleep, should_stop=lambda: fake.sleeps >= 4,
                 tick_seconds=0.001)
    assert ran == [(Period(2025, 12), datetime(2026, 1, 12, 10, 0))]


def test_catch_up_hands_earlier_periods_to_missed_and_runs_only_the_latest(tmp_path):
    """After three missed months the cycle runs once, for the latest; the two before it
    go to ``missed`` (which records them, or produces them from kept inputs)."""
    from reportgen.config import load_config
    from pathlib import Path

    config = load_config(Path(__file__).resolve().parents[1] / "reportgen.toml")
    config = dataclasses.replace(config, schedule=FIFTH)
    now = datetime(2026, 1, 9, 9, 30)
    done = [Period(2025, 9)]
    ran, missed = [], []

    def cycle(period):
        ran.append(period)
        done.append(period)
        return True

    def miss(period):
        missed.append(period)
        return True

    run_schedule(config, cycle, lambda: max(done), tmp_path / "s.lock", clock=lambda: now,
                 sleep=lambda s: None, should_stop=lambda: bool(ran), missed=miss)
    assert ran == [Period(2025, 12)]
    assert missed == [Period(2025, 10), Period(2025, 11)]
