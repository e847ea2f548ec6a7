"""Reporting periods and working days: when each month's report falls due.

A period's report is produced in the month AFTER it, on the configured nth working day at
the configured time: September 2018's report is due on the 5th working day of October
2018 at 09:00. Working days are Monday to Friday, less the bank holidays of the
configured UK subdivision (Scotland by default: 2 January and St Andrew's Day are
holidays, Easter Monday is not) and any local closure days from the configuration.

Everything here is pure: the clock is always passed in, never read.
"""

from __future__ import annotations

import calendar as _calendar
from datetime import date, datetime, time
from typing import Iterable

import holidays

from reportgen.config import Config, Schedule
from reportgen.model import Period


class WorkingCalendar:
    """Working days for one UK subdivision plus local closure days.

    ``holidays.UK()`` without a subdivision knows only the UK-wide days (it would make
    2 January a working day in Scotland), so the subdivision is always given."""

    def __init__(self, subdivision: str = "SCT", closures: Iterable[date] = ()):
        self.subdivision = subdivision
        self.closures = frozenset(closures)
        # holidays expands to further years on first lookup of a date in them
        self._holidays = holidays.UK(subdiv=subdivision)

    @classmethod
    def from_config(cls, config: Config) -> "WorkingCalendar":
        return cls(config.schedule.subdivision, config.schedule.closures)

    def is_working_day(self, day: date) -> bool:
        """True for Monday to Friday that is neither a bank holiday nor a closure."""
        return day.weekday() < 5 and day not in self.closures and day not in self._holidays

    def working_days(self, year: int, month: int) -> list[date]:
        """Every working day of the month, in order."""
        last = _calendar.monthrange(year, month)[1]
        return [d for d in (date(year, month, n) for n in range(1, last + 1))
                if self.is_working_day(d)]

    def nth_working_day(self, year: int, month: int, n: int) -> date:
        """The ``n``th (1-based) working day of the month. Raises ValueError when the month
        has fewer than ``n`` working days; it never spills into the next month."""
        if n < 1:
            raise ValueError(f"working day number must be 1 or more, not {n}")
        days = self.working_days(year, month)
        if n > len(days):
            raise ValueError(f"{_calendar.month_name[month]} {year} has only {len(days)} "
                             f"working days, so there is no working day {n}")
        return days[n - 1]

    def __repr__(self) -> str:
        return f"WorkingCalendar({self.subdivision!r}, closures={sorted(self.closures)!r})"


def last_complete_period(today: date) -> Period:
    """The last month that has fully ended by ``today`` (the month before today's)."""
    return Period.of(today).previous()


def schedule_time(schedule: Schedule) -> time:
    """The configured "HH:MM" as a time."""
    hours, minutes = schedule.time.split(":")
    return time(int(hours), int(minutes))


def due_at(period: Period, schedule: Schedule, calendar: WorkingCalendar) -> datetime:
    """When ``period``'s report is due: the configured working day of the month after the
    period, at the configured time (naive local time)."""
    following = period.shift(1)
    day = calendar.nth_working_day(following.year, following.month, schedule.working_day)
    return datetime.combine(day, schedule_time(schedule))


def latest_due_period(now: datetime, schedule: Schedule, calendar: WorkingCalendar) -> Period:
    """The most recent period whose report is due at or before ``now``.

    The previous month's report falls due during this month, so it is either last month
    (once this month's due moment has passed) or the month before."""
    candidate = Period.of(now.date()).previous()
    if due_at(candidate, schedule, calendar) <= now:
        return candidate
    return candidate.previous()


def format_due(moment: datetime) -> str:
    """'05/10/2018 09:00'."""
    return moment.strftime("%d/%m/%Y %H:%M")


__all__ = ["WorkingCalendar", "due_at", "format_due", "last_complete_period",
           "latest_due_period", "schedule_time"]
