"""Working days and due dates: weekends, Scottish bank holidays, closures, month ends."""

from datetime import date, datetime

import pytest

from reportgen.config import Schedule
from reportgen.model import Period
from reportgen.periods import (
    WorkingCalendar, due_at, last_complete_period, latest_due_period,
)

SCT = WorkingCalendar("SCT")
FIFTH = Schedule(working_day=5, time="09:00")
FIRST = Schedule(working_day=1, time="09:00")


@pytest.mark.parametrize("day, working", [
    (date(2026, 1, 1), False),  # New Year's Day
    (date(2026, 1, 2), False),  # 2 January: a Scottish bank holiday only
    (date(2026, 1, 5), True),
    (date(2025, 11, 30), False),  # St Andrew's Day, a Sunday
    (date(2025, 12, 1), False),  # … its substitute Monday
    (date(2025, 12, 2), True),
    (date(2026, 4, 3), False),  # Good Friday
    (date(2026, 4, 6), True),  # Easter Monday is not a Scottish bank holiday
    (date(2026, 1, 10), False),  # Saturday
    (date(2026, 1, 11), False),  # Sunday
])
def test_scottish_working_days(day, working):
    assert SCT.is_working_day(day) is working


def test_england_differs_in_january_and_at_easter():
    eng = WorkingCalendar("ENG")
    assert eng.nth_working_day(2026, 1, 1) == date(2026, 1, 2)
    assert SCT.nth_working_day(2026, 1, 1) == date(2026, 1, 5)
    assert not eng.is_working_day(date(2026, 4, 6))  # Easter Monday in England


def test_nth_working_day_skips_st_andrews_substitute():
    assert SCT.nth_working_day(2025, 12, 1) == date(2025, 12, 2)
    assert SCT.nth_working_day(2025, 12, 5) == date(2025, 12, 8)


def test_local_closures_are_not_working_days():
    cal = WorkingCalendar("SCT", closures=[date(2018, 10, 1)])
    assert not cal.is_working_day(date(2018, 10, 1))
    assert cal.nth_working_day(2018, 10, 1) == date(2018, 10, 2)
    assert SCT.nth_working_day(2018, 10, 1) == date(2018, 10, 1)


def test_no_such_working_day_is_an_error_not_next_month():
    with pytest.raises(ValueError, match="working days"):
        SCT.nth_working_day(2026, 2, 21)
    with pytest.raises(ValueError):
        SCT.nth_working_day(2026, 2, 0)


@pytest.mark.parametrize("today, period", [
    (date(2018, 10, 5), Period(2018, 9)),
    (date(2018, 10, 1), Period(2018, 9)),
    (date(2018, 9, 30), Period(2018, 8)),  # September is not complete on its last day
    (date(2019, 1, 1), Period(2018, 12)),
])
def test_last_complete_period(today, period):
    assert last_complete_period(today) == period


@pytest.mark.parametrize("period, due", [
    (Period(2018, 9), datetime(2018, 10, 5, 9, 0)),  # the report is produced in October
    (Period(2025, 12), datetime(2026, 1, 9, 9, 0)),  # 1, 2 Jan holidays; 3, 4 weekend
    (Period(2025, 11), datetime(2025, 12, 8, 9, 0)),  # 1 Dec St Andrew's substitute
    (Period(2026, 3), datetime(2026, 4, 8, 9, 0)),  # Good Friday 3 April; Monday works
    (Period(2019, 12), datetime(2020, 1, 9, 9, 0)),
])
def test_due_at_fifth_working_day_of_following_month(period, due):
    assert due_at(period, FIFTH, SCT) == due


def test_due_at_uses_configured_time_and_day():
    assert due_at(Period(2025, 12), Schedule(working_day=1, time="14:30"), SCT) == \
        datetime(2026, 1, 5, 14, 30)


def test_latest_due_period_switches_exactly_at_the_due_time():
    assert latest_due_period(datetime(2026, 1, 9, 8, 59), FIFTH, SCT) == Period(2025, 11)
    assert latest_due_period(datetime(2026, 1, 9, 9, 0), FIFTH, SCT) == Period(2025, 12)
    assert latest_due_period(datetime(2026, 1, 31, 23, 59), FIFTH, SCT) == Period(2025, 12)


def test_from_config(config):
    cal = WorkingCalendar.from_config(config)
    assert cal.subdivision == "SCT"
    assert not cal.is_working_day(date(2026, 1, 2))
