"""Update requests before the deadline.

A period's updates are due on the day its report is due (the configured working day of
the following month). ``[email] remind_days`` Scottish working days before that day, and
on every day up to it, :func:`reminder_due` names the period; each lead officer then gets
one message listing their open actions (not Complete or Cancelled) and where their
tracker lives. The sent log makes a reminder go once, however often it is run (by the
scheduler each tick, or by ``reportgen remind``). Nothing here reads the clock.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from reportgen.config import Config
from reportgen.mail.compose import REMINDER_PREFIX, Outgoing, Plan, address_book, \
    tracker_location, _sign_off
from reportgen.model import Period, Status
from reportgen.view.words import short_title


def reminder_window(period: Period, config: Config) -> tuple[date, date]:
    """(first day to remind, the due day) for ``period``'s updates."""
    from reportgen.periods import WorkingCalendar, due_at

    calendar = WorkingCalendar.from_config(config)
    due = due_at(period, config.schedule, calendar).date()
    day, left = due, config.email.remind_days
    while left > 0:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            left -= 1
    return day, due


def reminder_due(config: Config, today: date) -> Period | None:
    """The period whose updates are due within ``remind_days`` working days of ``today``
    (today included), or None."""
    this = Period.of(today)
    for period in (this.shift(-2), this.shift(-1), this):
        first, due = reminder_window(period, config)
        if first <= today <= due:
            return period
    return None


def reminder_messages(actions, period: Period, config: Config, workbooks: Path,
                      due: date, issues=()) -> Plan:
    """One message per lead officer with open actions; officers with no address known
    are listed in ``unaddressed``, those whose address is not one valid address (an
    ``invalid-email`` Issue among ``issues``, or the configuration) in ``not_emailed``."""
    plan = Plan()
    book = address_book(None, config, actions, issues)
    by_officer: dict[str, list] = {}
    for a in actions:
        if a.status not in (Status.COMPLETE, Status.CANCELLED):
            by_officer.setdefault(a.lead_officer, []).append(a)
    for officer, open_actions in sorted(by_officer.items(), key=lambda kv: kv[0].casefold()):
        address = book.get(officer)
        if book.why_not(officer):
            plan.not_emailed[officer] = book.why_not(officer)
            continue
        if not address:
            plan.unaddressed.append(officer)
            continue
        files = list(dict.fromkeys(a.source.file for a in open_actions))
        lines = [f"Dear {officer},", "",
                 f"Please update your tracker for the {period.name} report by "
                 f"{due:%d/%m/%Y}. These actions of yours are due an update (progress, "
                 "% complete, RAG and the Last Updated date):", ""]
        for a in sorted(open_actions, key=lambda a: a.action_id):
            lines.append(f"- {a.action_id}: {short_title(a.action, 80)} (last updated "
                         f"{a.last_updated:%d/%m/%Y})")
        lines += ["", "Your tracker" + ("s are" if len(files) > 1 else " is") + " at:"]
        lines += [f"   {tracker_location(f, workbooks, config)}" for f in files]
        lines += ["", _sign_off(config)]
        plan.messages.append(Outgoing(
            "reminder", REMINDER_PREFIX + _stem(officer), (address,),
            f"Update due by {due:%d/%m/%Y}: {period.name} report",
            "\n".join(lines), (), period.label, who=officer))
    return plan


def _stem(name: str) -> str:
    from reportgen.view.feedback import safe_file_stem

    return safe_file_stem(name, "officer")


__all__ = ["reminder_due", "reminder_messages", "reminder_window"]
