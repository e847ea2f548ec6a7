"""The view of the period: built once a run from the rated run (after the history) and
the configuration, holding everything any output states. Every output renders it and
decides nothing itself, so that no two outputs can disagree (DESIGN 4b)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Mapping

from reportgen.config import Config
from reportgen.issues import Issue
from reportgen.model import Allocation, Coverage, LeftOut, Period, Rag, RatedRun, SourceFile
from reportgen.text import clean
from reportgen.validate import sort_issues
from reportgen.view.actions import (
    CHANGES, Departed, PlanAction, RagCounts, Row, board_order, count_by_rag, departed,
    plan_actions,
)
from reportgen.view.feedback import Feedback, build_feedback
from reportgen.view.finance import Finance, build_finance, period_note
from reportgen.view.formats import natural_key
from reportgen.view.kpis import KpiReading, by_attention, readings
from reportgen.view.links import Links
from reportgen.view.officers import OfficerLine, by_officer, total_line
from reportgen.view.prose import (
    Implications, Runs, coverage_lines, coverage_statement, implications,
    incomplete_message, key_messages, late_statement, left_out_facts, left_out_lines,
    left_out_statement, meeting_date_note, recommendations,
)
from reportgen.view.quality import (
    LeftOutSummary, Quality, build_quality, left_out_of, text_cuts,
)
from reportgen.view.public import Public, build_public
from reportgen.view.provenance import Kept, RowSource, kept_copies, row_sources


@dataclass(frozen=True)
class Change:
    """One list of changes since last period: its kind (as exports name it), its label
    (as the paper heads it) and its actions, one entry per action, by ID."""

    kind: str
    label: str
    actions: tuple[PlanAction | Departed, ...]


@dataclass(frozen=True)
class PeriodView:
    """Everything the outputs of one period state (DESIGN 4b). Tuples are in the order
    the outputs list them."""

    period: Period
    as_of: date
    rows: tuple[Row, ...]  # every tracker row, in the run's order
    actions: tuple[PlanAction, ...]  # every action of the plan once, by objective and ID
    counts: RagCounts
    previous_period: str | None  # the last stored period ("2018-08"), None: none
    changes: tuple[Change, ...]  # every kind of change, in CHANGES order
    exceptions: tuple[PlanAction, ...]  # Red and Amber, in the order they need the Board
    decisions: tuple[PlanAction, ...]  # actions asking a decision of the Board
    finance: Finance
    kpis: tuple[KpiReading, ...]  # in the trackers' order
    kpis_by_attention: tuple[KpiReading, ...]
    kpi_counts: dict[Rag, int]  # indicators by RAG
    coverage: Coverage | None
    coverage_statement: str  # "" when the month covers the whole plan
    coverage_lines: tuple[str, ...]
    coverage_record: dict  # complete, plan_actions, not_updated, left_out…: the manifest's
    # and the export's
    left_out: LeftOutSummary  # rows and trackers in no count or total, with their money
    left_out_statement: str  # "" when nothing was left out
    left_out_facts: str  # its first sentence (counts and money), for the appendix's list
    left_out_lines: tuple[str, ...]  # one per row or tracker left out
    late: int  # tracker rows last updated after the period's end
    late_statement: str
    issues: tuple[Issue, ...]  # every issue, sorted, the text cuts among them
    quality: Quality
    feedback: Feedback
    sources: tuple[SourceFile, ...]
    allocations: tuple[Allocation, ...]
    key_messages: tuple[str, ...]
    recommendations: tuple[Runs, ...]
    implications: Implications
    config_notes: tuple[str, ...]  # for the console and the data-quality appendix
    objectives: tuple[tuple[int, str, bool], ...]  # (number, wording, configured)
    links: Links
    next_update: str
    slippage_model: str
    repeats: dict[str, tuple[str, ...]]
    previous_rags: dict[str, Rag]  # each tracker row's reported RAG last period
    by_row: dict[str, PlanAction]  # tracker row ID -> the action it states
    officers: tuple[OfficerLine, ...] = ()  # every lead officer, A-Z
    officers_total: OfficerLine | None = None  # every officer together
    row_sources: Mapping[str, RowSource] | None = None  # tracker row ID -> its cells
    kept: Mapping[str, Kept] | None = None  # tracker path -> the copy this run kept
    public: Public | None = None  # the period's page for the public

    def source_of(self, action_id: str) -> RowSource | None:
        """Where the tracker row's figures came from (its cells, link, kept copy)."""
        return (self.row_sources or {}).get(action_id)

    def previous_rag(self, action_id: str) -> Rag | None:
        """The tracker row's own reported RAG last period (None: not stored then)."""
        return self.previous_rags.get(action_id)

    @property
    def had_previous(self) -> bool:
        return self.counts.before is not None

    @property
    def carried(self) -> int:
        """Tracker rows not updated this month (their last ratings carried forward)."""
        return sum(1 for r in self.rows if r.carried)

    @property
    def carried_actions(self) -> int:
        """Actions not updated this month, each once."""
        return sum(1 for a in self.actions if a.carried)

    def action_of(self, action_id: str) -> PlanAction:
        """The action a tracker row states."""
        return self.by_row[action_id]

    def exceptions_from(self, start: int) -> tuple[int, int]:
        """(Red, Amber) among the exceptions from position ``start`` on: those a capped
        list leaves to the appendix."""
        rest = self.exceptions[start:]
        red = sum(1 for a in rest if a.rag is Rag.RED)
        return red, len(rest) - red

    @property
    def exceptions_asking(self) -> int:
        """Exceptions whose tracker asks a decision of the Board."""
        return sum(1 for a in self.exceptions if a.board_class == 0)

    @property
    def exceptions_repeated(self) -> int:
        """Exceptions the plan repeats under several objectives."""
        return sum(1 for a in self.exceptions if a.repeated)

    @property
    def exceptions_carried(self) -> int:
        """Exceptions not updated this month (their last rating shown)."""
        return sum(1 for a in self.exceptions if a.carried)

    def change(self, kind: str) -> Change:
        return next(c for c in self.changes if c.kind == kind)

    def rows_of(self, objective: int) -> tuple[Row, ...]:
        """The tracker rows under ``objective``, by ID."""
        return tuple(sorted((r for r in self.rows if r.action.objective == objective),
                            key=lambda r: natural_key(r.id)))


def objective_list(run: RatedRun, config: Config) -> tuple[tuple[int, str, bool], ...]:
    """The configured objectives in order, then any others the trackers name."""
    numbers = [o.number for o in config.objectives]
    extra = sorted({a.objective for a in run.actions} - set(numbers))
    out = []
    for n in numbers + extra:
        obj = config.objective(n)
        out.append((n, clean(obj.text) if obj else "(not in the configuration)",
                    obj is not None))
    return tuple(out)


def _left_out_entry(item: LeftOut) -> dict:
    return {"file": item.file, "sheet": item.sheet, "row": item.row,
            "action_id": item.action_id, "reason": item.reason, "budget": item.budget,
            "code": item.code}


def coverage_record(run: RatedRun, left: LeftOutSummary) -> dict:
    """The manifest's (and the export's) coverage keys: ``complete`` (every action
    updated, nothing left out), ``plan_actions``, ``previous_period`` (when there is one),
    ``not_updated`` (file, reason, actions, budget per tracker), ``left_out`` (each row
    or tracker in no count or total: file, sheet, row, action_id as typed, reason,
    budget, code) and ``left_out_counts`` (rows, their budget in whole pounds, those
    under an objective not configured and theirs, tracker files that could not be read,
    other files reportgen does not read)."""
    c = run.coverage
    record: dict = {"complete": (c is None or c.complete) and not left.any,
                    "plan_actions": len(run.actions) if c is None else c.plan_actions}
    if c is not None:
        record["previous_period"] = c.previous_period
    record["not_updated"] = [] if c is None else [
        {"file": n.file, "reason": n.reason, "actions": list(n.action_ids), "budget": n.budget}
        for n in c.not_updated]
    record["left_out"] = [_left_out_entry(x)
                          for x in (*left.rows, *left.trackers, *left.not_trackers)]
    record["left_out_counts"] = {
        "rows": len(left.rows), "budget": left.budget,
        "unknown_objective_rows": left.unknown_objective,
        "unknown_objective_budget": left.unknown_budget,
        "tracker_files": len(left.trackers), "other_files": len(left.not_trackers)}
    return record


def incomplete(run: RatedRun) -> str | None:
    """Why ``run``'s data do not cover the whole plan, as ``--require-complete`` says it
    before anything is written or stored: whenever page 1 would open with the coverage
    statement (actions not updated) or the statement of what was left out (rows, trackers
    or other files that were not read); None when it would not."""
    left = left_out_of(run)
    covered = coverage_statement(run.coverage, run.repeats)
    if not covered and not left.any:
        return None
    return incomplete_message(covered, coverage_lines(run.coverage) if covered else (),
                              left_out_statement(left), left_out_lines(left))


def build_view(run: RatedRun, config: Config, workbooks: Path,
               kept: Mapping[str, str] | None = None) -> PeriodView:
    """The view of ``run``'s period (see the module's docstring). ``workbooks`` is the
    trackers' folder, which links point into; ``kept`` names the copy of each tracker the
    run kept (tracker path -> its name under the output folder: reportgen.store)."""
    issues = tuple(sort_issues([*run.issues, *text_cuts(run)]))
    actions = plan_actions(run, late_after=run.as_of)
    objectives = objective_list(run, config)
    counts = count_by_rag(actions, run, objectives)
    exceptions = board_order(actions)
    previous = run.changes.previous_period
    changes = []
    for kind, label in CHANGES:
        if kind == "removed":
            found = departed(run.changes) if previous else ()
        else:
            found = tuple(a for a in actions if a.change == kind)
        changes.append(Change(kind, label, tuple(sorted(found, key=lambda a: natural_key(a.id)))))
    finance = build_finance(run, config, actions)
    kpis = readings(run)
    quality = build_quality(run, issues, actions)
    rows = tuple(r for a in actions for r in a.rows)
    order = {a.action_id: i for i, a in enumerate(run.actions)}
    rows = tuple(sorted(rows, key=lambda r: order[r.id]))
    late = sum(1 for r in rows if r.late)
    decisions = tuple(a for a in actions if a.decision is not None and a.rag is not
                      Rag.CANCELLED)
    notes = []
    if not clean(config.report.meeting_date).strip():
        notes.append(meeting_date_note())
    if not finance.period_stated:
        notes.append(period_note())
    run_for_feedback = replace(run, issues=issues)
    left = left_out_of(run)
    links = Links(Path(workbooks), config.links.base)
    officers = by_officer(actions, run.previous_actions)
    kpi_counts = dict(Counter(k.result.rag for k in kpis
                              if k.result is not None and k.result.rag is not None))
    copies = kept_copies(run.sources, kept)
    return PeriodView(
        period=run.period, as_of=run.as_of, rows=rows, actions=actions, counts=counts,
        previous_period=previous, changes=tuple(changes), exceptions=exceptions,
        decisions=decisions, finance=finance, kpis=kpis, kpis_by_attention=by_attention(kpis),
        kpi_counts=kpi_counts,
        coverage=run.coverage,
        coverage_statement=coverage_statement(run.coverage, run.repeats),
        coverage_lines=coverage_lines(run.coverage) if run.coverage is not None
        and not run.coverage.complete else (),
        coverage_record=coverage_record(run, left),
        left_out=left, left_out_statement=left_out_statement(left),
        left_out_facts=left_out_facts(left),
        left_out_lines=left_out_lines(left),
        late=late, late_statement=late_statement(late, run.as_of), issues=issues,
        quality=quality, feedback=build_feedback(run_for_feedback),
        sources=tuple(run.sources), allocations=tuple(run.allocations),
        key_messages=key_messages(run.as_of, counts, actions, exceptions, previous,
                                  quality.challenges, kpis, finance),
        recommendations=recommendations(run.as_of, counts, decisions, exceptions,
                                        bool(run.kpis), finance),
        implications=implications(run.period.name, exceptions, finance,
                                  len(quality.stale),
                                  sum(1 for a in actions if a.carried),
                                  config.thresholds.stale_days),
        config_notes=tuple(notes), objectives=objectives,
        links=links,
        next_update=clean(run.next_update), slippage_model=run.slippage_model,
        repeats=dict(run.repeats), previous_rags=dict(run.previous_rags),
        by_row={r.id: a for a in actions for r in a.rows},
        officers=officers, officers_total=total_line(officers),
        row_sources=row_sources(rows, links, copies), kept=copies,
        public=build_public(
            config, run.as_of, counts, actions, previous,
            next(c.actions for c in changes if c.kind == "newly_red"), decisions,
            quality.challenges, finance, kpis, kpi_counts, quality, objectives,
            sum(1 for a in actions if a.carried)))


__all__ = ["Change", "PeriodView", "build_view", "coverage_record", "incomplete",
           "objective_list"]
