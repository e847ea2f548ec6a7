"""The stages before the view, as the pipeline and the history's recovery call them:
read and validate the trackers, rate the records, compare with (and store to) the
history. Each is one call; none writes an output, prints or reads the clock.

    read ─▶ rate ─▶ with_history
"""

from __future__ import annotations

import enum
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from reportgen.config import Config
from reportgen.errors import IncompleteError, UsageError
from reportgen.history import History
from reportgen.issues import make_issue
from reportgen.kpis import rate_kpis
from reportgen.model import Action, Changes, Period, RatedRun, action_key
from reportgen.periods import WorkingCalendar, due_at, format_due
from reportgen.rate import (
    allocate, cross_cutting, finance_by_objective, finance_by_stream, finance_total,
    rate_actions, rating_issues,
)
from reportgen.register import carry_forward, history_names
from reportgen.validate import Earlier, IngestResult, read_trackers, sort_issues


class HistoryUse(enum.Enum):
    """What a command does with the rating history."""

    SAVE = "save"  # compare with earlier periods, then store this one (run, report, workbook)
    READ = "read"  # compare with earlier periods; never write the file (export)
    NONE = "none"  # neither


def read(config: Config, workbooks: Path, *, today: date, as_of: date,
         earlier: Earlier | None = None) -> IngestResult:
    """Read and validate every tracker in ``workbooks``: the one call into ingest.
    ``earlier`` is what the history read for the last stored period (copies of a tracker
    are told apart by it)."""
    ingest = read_trackers([workbooks], config, today=today, as_of=as_of, earlier=earlier)
    if not ingest.sources:
        raise UsageError(f"no tracker files found in {workbooks} (looked for .xlsx, "
                         ".xlsm, .xls, .xlsb and .ods); nothing was written")
    return ingest


def check(paths: list[Path], config: Config, *, today: date, as_of: date) -> IngestResult:
    """What ``reportgen validate`` lists: every Issue reading, validating and rating the
    trackers in ``paths`` would raise (no outputs, no history)."""
    ingest = read_trackers(paths, config, today=today, as_of=as_of)
    th = config.thresholds
    extra = rating_issues(ingest.actions, rate_actions(ingest.actions, th, as_of), th, as_of)
    return replace(ingest, issues=sort_issues([*ingest.issues, *extra]))


def rate(ingest: IngestResult, config: Config, period: Period, as_of: date) -> RatedRun:
    """Rate the records: the RatedRun the renderers need, before any history."""
    th = config.thresholds
    ratings = rate_actions(ingest.actions, th, as_of)
    allocations = allocate(ingest.actions)
    by_stream = finance_by_stream(allocations, th, config.stream_names)
    repeats = cross_cutting(ingest.actions)
    return RatedRun(
        period=period, as_of=as_of, actions=tuple(ingest.actions), ratings=ratings,
        kpis=tuple(ingest.kpis), kpi_results=rate_kpis(ingest.kpis, period, config.spc),
        finance_by_stream=by_stream,
        finance_by_objective=finance_by_objective(ingest.actions, th),
        changes=Changes(), previous_rags={}, trend={},
        issues=tuple(sort_issues(list(ingest.issues)
                                 + rating_issues(ingest.actions, ratings, th, as_of,
                                                 repeats=repeats))),
        sources=tuple(ingest.sources), slippage_model=th.slippage_model,
        allocations=allocations, finance_total=finance_total(by_stream, th),
        next_update=next_update(period, config), repeats=repeats,
        left_out=tuple(ingest.left_out),
    )


def with_history(run: RatedRun, path: Path, use: HistoryUse, now: datetime, *,
                 ingest: IngestResult | None = None, config: Config | None = None,
                 incomplete: Callable[[RatedRun], str | None] | None = None) -> RatedRun:
    """``run`` compared with the periods stored before it (changes, previous RAGs, trend).
    Given ``ingest`` and ``config``, the plan register is applied first
    (:func:`reportgen.register.carry_forward`): the last stored period's open actions not
    read this month are carried forward. Given ``incomplete`` (``--require-complete``:
    :func:`reportgen.view.period.incomplete`, which says why a run does not cover the
    whole plan, or None), a run it has words for raises IncompleteError with them before
    anything is stored. With :attr:`HistoryUse.SAVE` the
    period is stored (saved at ``now``); with :attr:`HistoryUse.READ` the file is opened
    read-only, and not at all if missing."""
    if use is HistoryUse.NONE or (use is HistoryUse.READ and not path.exists()):
        return run
    with History(path, clock=lambda: now, read_only=use is HistoryUse.READ) as history:
        previous, stored = history.plan(run.period)
        if ingest is not None and config is not None:
            read_count = len(run.actions)
            run = carry_forward(run, ingest, previous, stored, config.stream_names,
                                config.thresholds)
            if len(run.actions) != read_count:  # carried ones too
                run = replace(run, repeats=cross_cutting(run.actions))
        why = incomplete(run) if incomplete is not None else None
        if why:
            raise IncompleteError(why)
        names = history_names(run)  # matched by normalised ID, and across renumbering
        changes = history.changes(run.period, run.ratings, names)
        known = {item.action.action_id: (item.action.action, item.action.lead_officer)
                 for item in stored if item.action.action_id in changes.removed}
        run = replace(run, previous_rags=history.previous_rags(run.period, names),
                      changes=replace(changes, removed_names=known),
                      previous_actions=_as_named(stored, names))
        missed = [make_issue("period-missed", file=path.name, value=Period.parse(m).name)
                  for m in history.missed(before=run.period, after=previous)]
        if missed:
            run = replace(run, issues=tuple(sort_issues([*run.issues, *missed])))
        if use is HistoryUse.SAVE:
            history.save_period(run)
        return replace(run, trend=history.trend(run.period, 6, names))


def _as_named(stored, names: dict[str, str]) -> tuple[Action, ...] | None:
    """The stored records of the last period, each under the ID this run shows its
    action by (an action renumbered since keeps its money's history); None when there
    are none."""
    if not stored:
        return None
    return tuple(replace(item.action, action_id=names.get(action_key(item.action.action_id),
                                                          item.action.action_id))
                 for item in stored)


def last_reading(history_path: Path, period: Period) -> Earlier | None:
    """What the history read for the last stored period before ``period`` (None when
    there is no history or no earlier period), as plain data for validate."""
    if not history_path.exists():
        return None
    with History(history_path, clock=lambda: datetime.min, read_only=True) as history:
        previous, stored = history.plan(period)
    if previous is None:
        return None
    return Earlier.of(previous, (item.action for item in stored))


def next_update(period: Period, config: Config) -> str:
    """'the October 2018 report, due 07/11/2018 09:00' (the due date when it can be
    worked out from the schedule)."""
    nxt = period.shift(1)
    try:
        due = due_at(nxt, config.schedule, WorkingCalendar.from_config(config))
    except (ValueError, KeyError, NotImplementedError):
        return f"the {nxt.name} report"
    return f"the {nxt.name} report, due {format_due(due)}"


def history_path_for(config: Config, output: Path) -> Path:
    """The history file: as configured, but inside ``output`` when the output folder is
    overridden and the configured history lives in the configured output folder."""
    path = config.paths.history
    if output != config.paths.output and path.parent == config.paths.output:
        return output / path.name
    return path


