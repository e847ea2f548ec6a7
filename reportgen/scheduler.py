"""The monthly cycle on a schedule: which periods are due, and the loop that runs them.

:func:`due_periods` and :func:`next_due` are pure: they take ``now`` and the last period
done and say what to run. :func:`run_schedule` is the long-running loop behind
``reportgen schedule``: a ``schedule.Scheduler`` ticks every ``tick_seconds``; each tick
asks :func:`due_periods` and runs each missing period oldest first, so periods missed
while the machine was off are caught up, on start as on every tick. The ``schedule``
package has no monthly unit and deliberately never runs missed jobs, so it only drives
the tick; what is due comes from the working calendar and the ledger (``last_done``).

Catch-up does not invent the past: given ``missed``, only the latest due period is
produced by ``run_cycle`` from today's trackers; each earlier one goes to ``missed``,
which (:func:`catch_up`) produces it from its kept inputs when they exist, and otherwise
records it as missed in the history (the next paper's data-quality section lists it).

One instance at a time: the loop holds :class:`reportgen.lock.RunLock` throughout.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

import schedule as schedule_package

from reportgen.config import Config, Schedule
from reportgen.lock import RunLock
from reportgen.model import Period
from reportgen.periods import WorkingCalendar, due_at, format_due, latest_due_period

log = logging.getLogger(__name__)


def due_periods(last_done: Period | None, now: datetime, schedule: Schedule,
                calendar: WorkingCalendar, first: Period | None = None) -> list[Period]:
    """Every period due at or before ``now`` and after ``last_done``, oldest first.

    With no ``last_done`` (nothing ever run) only the latest due period is returned, so a
    new installation does not produce years of back reports, unless ``first`` names the
    earliest period wanted. ``first`` is also a lower bound when ``last_done`` is given.
    Returns [] when ``last_done`` is already the latest due period (or later)."""
    latest = latest_due_period(now, schedule, calendar)
    if last_done is not None:
        start = last_done.shift(1)
        if first is not None and first > start:
            start = first
    else:
        start = first if first is not None else latest
    periods = []
    period = start
    while period <= latest:
        periods.append(period)
        period = period.shift(1)
    return periods


def next_due(now: datetime, last_done: Period | None, schedule: Schedule,
             calendar: WorkingCalendar) -> tuple[Period, datetime]:
    """The first period that is not yet due at ``now`` (and after ``last_done``), with
    the moment it falls due. Periods already due are not considered: see
    :func:`due_periods`."""
    period = latest_due_period(now, schedule, calendar).shift(1)
    if last_done is not None and last_done >= period:
        period = last_done.shift(1)
    return period, due_at(period, schedule, calendar)


def dry_run(config: Config, now: datetime, last_done: Period | None) -> list[str]:
    """Lines for ``reportgen schedule --dry-run``: what would run now and when the next
    report falls due. Runs nothing, takes no lock."""
    sched = config.schedule
    calendar = WorkingCalendar.from_config(config)
    lines = [f"Now: {format_due(now)}. Reports are due on working day {sched.working_day} "
             f"of the following month at {sched.time} ({_subdivision(sched)} bank holidays"
             + (f" and {len(sched.closures)} local closure days" if sched.closures else "")
             + " skipped)."]
    lines.append("Last period done: " + (f"{last_done.name} ({last_done.label})"
                                         if last_done else "none yet"))
    due = due_periods(last_done, now, sched, calendar)
    if due:
        lines.append(f"Due now, {len(due)} period(s), oldest first (only the latest is "
                     "produced from today's trackers; an earlier one from its kept inputs, "
                     "or else recorded as missed):")
        for period in due:
            lines.append(f"  {period.label} ({period.name}), due "
                         f"{format_due(due_at(period, sched, calendar))}")
    else:
        lines.append("Nothing is due now.")
    period, moment = next_due(now, last_done, sched, calendar)
    lines.append(f"Next: {period.label} ({period.name}) is due {format_due(moment)}.")
    return lines


def _subdivision(sched: Schedule) -> str:
    return {"SCT": "Scottish", "ENG": "English", "WLS": "Welsh",
            "NIR": "Northern Irish"}.get(sched.subdivision, sched.subdivision)


def run_schedule(config: Config, run_cycle: Callable[[Period], bool],
                 last_done: Callable[[], Period | None], lock_path: str | Path, *,
                 clock: Callable[[], datetime],
                 sleep: Callable[[float], None] = time.sleep,
                 should_stop: Callable[[], bool] = lambda: False,
                 tick_seconds: float = 60, retry_seconds: float = 3600,
                 first: Period | None = None,
                 missed: Callable[[Period], bool] | None = None,
                 remind: Callable[[datetime], None] | None = None) -> None:
    """Run every due period now, then keep running them as they fall due, until
    ``should_stop()`` is true. ``clock()`` is the time now (the CLI passes
    ``datetime.now``; the loop reads the time through it alone). Holds the run lock at
    ``lock_path`` throughout (raises :class:`~reportgen.errors.LockedError` if another
    run holds it).

    ``run_cycle(period)`` runs one full cycle and returns True on success. It must not
    take the lock at ``lock_path`` (this loop holds it): give the loop its own lock file
    (e.g. ``output/.reportgen-schedule.lock``) and let each cycle take the run lock, so a
    scheduled cycle and a ``reportgen run`` by hand never overlap. ``last_done()`` reads the ledger of
    completed periods, so a cycle run by hand in between is not repeated. A cycle that
    fails (returns False or raises) stops that tick's catch-up, so periods stay in order,
    and is retried after ``retry_seconds``. With ``missed``, every due period but the
    latest is handed to ``missed(period)`` instead of ``run_cycle`` (see
    :func:`catch_up`). Logs through ``logging``; prints nothing."""
    calendar = WorkingCalendar.from_config(config)
    sched = config.schedule
    failed: dict[Period, datetime] = {}

    def check() -> None:
        now = clock()
        if remind is not None:  # update requests before the deadline, once (issue 19)
            try:
                remind(now)
            except Exception:
                log.exception("the update reminders failed")
        due = due_periods(last_done(), now, sched, calendar, first=first)
        for period in due:
            if should_stop():
                return
            if period in failed and now < failed[period] + timedelta(seconds=retry_seconds):
                return  # keep order: nothing after a failed period runs before it
            late = missed is not None and period != due[-1]
            log.info("%s %s (due %s)", "catching up" if late else "running the cycle for",
                     period.label, format_due(due_at(period, sched, calendar)))
            try:
                ok = bool((missed if late else run_cycle)(period))
            except Exception:
                log.exception("the cycle for %s failed", period.label)
                ok = False
            if not ok:
                failed[period] = now
                log.error("the cycle for %s did not complete; it will be retried after "
                          "%s", period.label,
                          format_due(now + timedelta(seconds=retry_seconds)))
                return
            failed.pop(period, None)
            log.info("the cycle for %s is done", period.label)
        period, moment = next_due(clock(), last_done(), sched, calendar)
        log.debug("next: %s due %s", period.label, format_due(moment))

    with RunLock(lock_path, now=clock(), command="reportgen schedule"):
        scheduler = schedule_package.Scheduler()
        scheduler.every(tick_seconds).seconds.do(check)
        log.info("schedule started: working day %d at %s, checking every %gs",
                 sched.working_day, sched.time, tick_seconds)
        check()  # catch up on start, without waiting for the first tick
        while not should_stop():
            idle = scheduler.idle_seconds
            sleep(max(0.0, min(tick_seconds, idle if idle is not None else tick_seconds)))
            if should_stop():
                break
            scheduler.run_pending()
        scheduler.clear()
        log.info("schedule stopped")


def catch_up(output: Path, history_path: Path, run_cycle: Callable[[Period], bool],
             clock: Callable[[], datetime]) -> Callable[[Period], bool]:
    """The ``missed`` handler of :func:`run_schedule`: a period that fell due while the
    schedule was down is produced from its kept inputs when its manifest lists them
    (by ``run_cycle``, which uses them), and is otherwise recorded as missed in the
    history — never rated on today's trackers."""
    from reportgen.history import History
    from reportgen.outputs import period_dir
    from reportgen.store import kept_inputs, read_manifest

    def handle(period: Period) -> bool:
        if kept_inputs(output, read_manifest(period_dir(output, period))):
            return bool(run_cycle(period))
        with History(history_path, clock=clock) as history:
            history.record_missed(period, "the schedule was not running when it fell due")
        log.warning("%s was missed: recorded as missed, not produced (no kept inputs)",
                    period.label)
        return True

    return handle
