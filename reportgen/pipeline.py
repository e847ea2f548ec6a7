"""The monthly cycle: the only place that wires the stages together, in one process.

    read & validate ─▶ rate ─▶ [history] ─▶ workbook ─▶ Word report ─▶ feedback
                                            └──────── staged, then live ────────┘

:func:`run_cycle` serves every command that rates a period: ``run`` (all artefacts,
the manifest and the run ledger), ``report`` and ``workbook`` (some artefacts) and
``export`` (no artefacts: the caller writes the rated run). What it does with the history
is the caller's explicit choice (:class:`HistoryUse`). It prints nothing and never reads
the clock: ``today`` and ``now`` are given (by the CLI or the scheduler).
"""

from __future__ import annotations

import enum
import json
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable, Collection

from reportgen import __version__
from reportgen.config import Config
from reportgen.errors import UsageError
from reportgen.validate import IngestResult, read_trackers, sort_issues
from reportgen.model import Changes, Period, Rag, RatedRun

ProgressFn = Callable[[str], None]

FEEDBACK = "feedback"
REPORT, WORKBOOK = "report", "workbook"
ALL_ARTEFACTS = frozenset({REPORT, WORKBOOK, FEEDBACK})


class HistoryUse(enum.Enum):
    """What a command does with the rating history."""

    SAVE = "save"  # compare with earlier periods, then store this one (run, report, workbook)
    READ = "read"  # compare with earlier periods; never write the file (export)
    NONE = "none"  # neither


@dataclass
class CycleResult:
    period: Period
    as_of: date
    out_dir: Path
    outputs: dict[str, Path] = field(default_factory=dict)
    actions: int = 0
    kpis: int = 0
    errors: int = 0
    warnings: int = 0
    files: int = 0
    refused: int = 0
    rag_counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    run: RatedRun | None = None


# --------------------------------------------------------------------------- stages


def read(config: Config, workbooks: Path, *, today: date, as_of: date,
) -> IngestResult:
    """Read and validate every tracker in ``workbooks``: the one call into ingest."""
    ingest = read_trackers([workbooks], config, today=today, as_of=as_of)
    if not ingest.sources:
        raise UsageError(f"no tracker files found in {workbooks} (looked for .xlsx, "
                         ".xlsm, .xls, .xlsb and .ods); nothing was written")
    return ingest


def check(paths: list[Path], config: Config, *, today: date, as_of: date) -> IngestResult:
    """What ``reportgen validate`` lists: every Issue reading, validating and rating the
    trackers in ``paths`` would raise (no outputs, no history)."""
    from reportgen.rate import rate_actions, rating_issues

    ingest = read_trackers(paths, config, today=today, as_of=as_of)
    th = config.thresholds
    extra = rating_issues(ingest.actions, rate_actions(ingest.actions, th, as_of), th, as_of)
    return replace(ingest, issues=sort_issues([*ingest.issues, *extra]))


def rate(ingest: IngestResult, config: Config, period: Period, as_of: date) -> RatedRun:
    """Rate the records: the RatedRun the renderers need, before any history."""
    from reportgen.kpis import rate_kpis
    from reportgen.rate import (
        allocate, cross_cutting, finance_by_objective, finance_by_stream, finance_total, rate_actions,
        rating_issues,
    )

    th = config.thresholds
    ratings = rate_actions(ingest.actions, th, as_of)
    allocations = allocate(ingest.actions)
    by_stream = finance_by_stream(allocations, th, config.stream_names)
    return RatedRun(
        period=period, as_of=as_of, actions=tuple(ingest.actions), ratings=ratings,
        kpis=tuple(ingest.kpis), kpi_results=rate_kpis(ingest.kpis, period, config.spc),
        finance_by_stream=by_stream,
        finance_by_objective=finance_by_objective(ingest.actions, th),
        changes=Changes(), previous_rags={}, trend={},
        issues=tuple(sort_issues(list(ingest.issues)
                                 + rating_issues(ingest.actions, ratings, th, as_of))),
        sources=tuple(ingest.sources), slippage_model=th.slippage_model,
        allocations=allocations, finance_total=finance_total(by_stream, th),
        next_update=next_update(period, config), repeats=cross_cutting(ingest.actions),
    )


def with_history(run: RatedRun, path: Path, use: HistoryUse, now: datetime, *,
                 ingest: IngestResult | None = None, config: Config | None = None,
                 require_complete: bool = False) -> RatedRun:
    """``run`` compared with the periods stored before it (changes, previous RAGs, trend).
    Given ``ingest`` and ``config``, the plan register is applied first
    (:func:`reportgen.register.carry_forward`): the last stored period's open actions not
    read this month are carried forward. With ``require_complete`` an incomplete run
    raises IncompleteError before anything is stored. With :attr:`HistoryUse.SAVE` the
    period is stored (saved at ``now``); with :attr:`HistoryUse.READ` the file is opened
    read-only, and not at all if missing."""
    from reportgen.history import History
    from reportgen.rate import cross_cutting
    from reportgen.register import carry_forward
    from reportgen.register import require_complete as check_complete

    if use is HistoryUse.NONE or (use is HistoryUse.READ and not path.exists()):
        return run
    with History(path, clock=lambda: now, read_only=use is HistoryUse.READ) as history:
        previous, stored = history.plan(run.period)
        if ingest is not None and config is not None:
            run = carry_forward(run, ingest, previous, stored, config.stream_names,
                                config.thresholds)
            run = replace(run, repeats=cross_cutting(run.actions))  # carried ones too
        if require_complete:
            check_complete(run)
        changes = history.changes(run.period, run.ratings)
        known = {item.action.action_id: (item.action.action, item.action.lead_officer)
                 for item in stored if item.action.action_id in changes.removed}
        run = replace(run, previous_rags=history.previous_rags(run.period),
                      changes=replace(changes, removed_names=known))
        if use is HistoryUse.SAVE:
            history.save_period(run)
        return replace(run, trend=history.trend(run.period, 6))


def next_update(period: Period, config: Config) -> str:
    """'the October 2018 report, due 07/11/2018 09:00' (the due date when it can be
    worked out from the schedule)."""
    from reportgen.periods import WorkingCalendar, due_at, format_due

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


def artefact_names(period: Period) -> dict[str, str]:
    """The file and folder names of a period's artefacts."""
    return {REPORT: f"board-report-{period.label}.docx",
            WORKBOOK: f"consolidated-{period.label}.xlsx", FEEDBACK: FEEDBACK}


def render(run: RatedRun, config: Config, staging, workbooks: Path,
           artefacts: Collection[str], timings: dict[str, float]) -> tuple[RatedRun, list[str]]:
    """Write the chosen artefacts into ``staging``: the workbook, then the Word report,
    then the feedback. Returns the run with the Issues the workbook found while writing
    (text cut to fit Excel) added, so that the report and the feedback list them too,
    and the names of what was written."""
    names = artefact_names(run.period)
    written = []
    t = time.perf_counter()
    if WORKBOOK in artefacts:
        from reportgen.render.workbook import write_consolidated

        extra = write_consolidated(run, config, staging.file(names[WORKBOOK]), workbooks)
        if extra:
            run = replace(run, issues=tuple(sort_issues([*run.issues, *extra])))
        written.append(WORKBOOK)
        t = _lap(timings, "workbook", t)
    if REPORT in artefacts:
        from reportgen.render.word import render_board_report

        render_board_report(run, config, staging.file(names[REPORT]))
        written.append(REPORT)
        if config.report.pdf:  # a tagged PDF beside it, where LibreOffice is (issue 19)
            from reportgen.pdf import write_pdf

            docx = staging.file(names[REPORT])
            if write_pdf(docx, docx.with_suffix(".pdf")) is None:
                written.append("pdf")
        t = _lap(timings, "word", t)
    if FEEDBACK in artefacts:
        from reportgen.render.feedback import write_feedback

        if write_feedback(run, config, staging.folder(names[FEEDBACK]), workbooks):
            written.append(FEEDBACK)
        _lap(timings, "feedback", t)
    return run, written


# --------------------------------------------------------------------------- the wiring


def run_cycle(config: Config, period: Period, *, today: date, now: datetime,
              as_of: date | None = None, workbooks: Path | None = None,
              output: Path | None = None,
              progress: ProgressFn | None = None,
              artefacts: Collection[str] = ALL_ARTEFACTS,
              history: HistoryUse = HistoryUse.SAVE,
              require_complete: bool | None = None) -> CycleResult:
    """Read, validate, rate, use the history as ``history`` says, and write
    ``artefacts`` (any of report, workbook, feedback) into OUTPUT/YYYY-MM/, where they go
    live only when all are written. ``now`` is when the command started.

    With every artefact this is the full cycle: the manifest is written too, and the run
    is added to the history's ledger (with :attr:`HistoryUse.SAVE`). With some, only
    those replace their older versions. With none (export) nothing is written; the
    result carries the rated run.

    ``require_complete`` (default: ``[run] require_complete``) stops with IncompleteError
    before anything is written or stored when some actions of the plan were not updated.

    Raises OutputError/TemplateError/UsageError for problems the operator must fix;
    tracker problems are Issues in the result (``errors`` counts them)."""
    from reportgen.outputs import Staging, period_dir

    say = progress or (lambda stage: None)
    as_of = as_of or period.as_of
    workbooks = workbooks or config.paths.workbooks
    output = output or config.paths.output
    history_path = history_path_for(config, output)
    whole_set = set(artefacts) >= ALL_ARTEFACTS
    timings: dict[str, float] = {}
    started = time.perf_counter()

    say("Reading and validating trackers")
    ingest = read(config, workbooks, today=today, as_of=as_of)
    t = _lap(timings, "read_validate", started)
    say("Rating actions and KPIs")
    if require_complete is None:
        require_complete = config.run.require_complete
    run = with_history(rate(ingest, config, period, as_of), history_path, history, now,
                       ingest=ingest, config=config, require_complete=require_complete)
    t = _lap(timings, "rate_history", t)
    out_dir = period_dir(output, period)
    result = CycleResult(period=period, as_of=as_of, out_dir=out_dir, run=run)
    placed: list[str] = []
    if artefacts:
        with Staging(out_dir) as staging:
            say("Writing the workbook, Word report and feedback")
            run, placed = render(run, config, staging, workbooks, artefacts, timings)
            _lap(timings, "render", t)
            _count(result, run, timings, started)
            if whole_set:
                staging.file("manifest.json").write_text(
                    json.dumps(build_manifest(result, run, now), indent=2,
                               ensure_ascii=False) + "\n", encoding="utf-8")
                placed.append("manifest")
            staging.commit(whole_set=whole_set)
    else:
        _count(result, run, timings, started)
    if whole_set and history is HistoryUse.SAVE:
        _record_success(history_path, result, now)
    result.run = run
    names = {**artefact_names(period), "manifest": "manifest.json"}
    result.outputs = {key: out_dir / names[key]
                      for key in ("report", "workbook", "feedback", "manifest")
                      if key in placed}
    return result


def _lap(timings: dict[str, float], name: str, since: float) -> float:
    """Record the seconds since ``since`` as stage ``name``; return the time now."""
    now = time.perf_counter()
    timings[name] = round(now - since, 3)
    return now


def _count(result: CycleResult, run: RatedRun, timings: dict[str, float],
           started: float) -> None:
    """Count the run into ``result``."""
    result.actions = len(run.actions)
    result.kpis = len(run.kpis)
    result.errors = sum(1 for i in run.issues if i.is_error)
    result.warnings = len(run.issues) - result.errors
    result.files = len(run.sources)
    result.refused = sum(1 for s in run.sources if s.refused)
    result.rag_counts = rag_counts(run)
    timings["total"] = round(time.perf_counter() - started, 3)
    result.timings = timings


def rag_counts(run: RatedRun) -> dict[str, int]:
    counts = {r.value: 0 for r in (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE, Rag.GREY,
                                   Rag.CANCELLED)}
    for rating in run.ratings.values():
        counts[rating.reported.value] += 1
    return counts


def _record_success(history_path: Path, result: CycleResult, now: datetime) -> None:
    """Add the cycle to the run ledger: started ``now``, finished the measured time
    later (the clock is not read again)."""
    from reportgen.history import History

    finished = now + timedelta(seconds=result.timings.get("total", 0))
    with History(history_path, clock=lambda: finished) as history:
        history.record_run(result.period, started=now, finished=finished, ok=True,
                           errors=result.errors, warnings=result.warnings)


def build_manifest(result: CycleResult, run: RatedRun, now: datetime) -> dict:
    """The run manifest: inputs with hashes, counts, RAG summary, issues by severity,
    timings per stage, version, period and as_of, and whether the month covers the whole
    plan (complete, plan_actions, not_updated); generated at ``now``."""
    from reportgen.register import manifest_entry

    by_code: dict[str, int] = {}
    for issue in run.issues:
        by_code[issue.code] = by_code.get(issue.code, 0) + 1
    return {
        "reportgen_version": __version__,
        "period": run.period.label,
        "as_of": run.as_of.isoformat(),
        "generated_at": now.replace(microsecond=0).isoformat(),
        "inputs": [
            {"path": s.path, "kind": s.kind, "size": s.size,
             "modified": s.modified.isoformat() if s.modified else None,
             "sha256": s.sha256, "sheets": list(s.sheets), "rows_read": s.rows_read,
             "actions": s.actions, "kpis": s.kpis, "refused": s.refused}
            for s in run.sources
        ],
        **manifest_entry(run),
        "counts": {"files": result.files, "files_refused": result.refused,
                   "actions": result.actions, "kpis": result.kpis},
        "ratings": result.rag_counts,
        "issues": {"error": result.errors, "warning": result.warnings, "by_code": by_code},
        "timings_seconds": result.timings,
    }
