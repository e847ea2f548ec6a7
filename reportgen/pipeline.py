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
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable, Collection

from reportgen import __version__
from reportgen.config import Config
from reportgen.errors import UsageError
from reportgen.issues import RECORD_CODES
from reportgen.validate import Earlier, IngestResult, read_trackers, sort_issues
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
    kind: str = "live"  # where the inputs came from: live, kept (re-run) or refresh
    reason: str = ""
    rating_changes: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    read_on: date | None = None  # the date the trackers were first read on

    @property
    def notes(self) -> list[str]:
        """What the run says about its record (history recovered, periods missed)."""
        if self.run is None:
            return []
        return [i.message for i in self.run.issues if i.code in RECORD_CODES]


# --------------------------------------------------------------------------- stages


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
                 require_complete: bool = False) -> RatedRun:
    """``run`` compared with the periods stored before it (changes, previous RAGs, trend).
    Given ``ingest`` and ``config``, the plan register is applied first
    (:func:`reportgen.register.carry_forward`): the last stored period's open actions not
    read this month are carried forward. With ``require_complete`` an incomplete run
    raises IncompleteError before anything is stored. With :attr:`HistoryUse.SAVE` the
    period is stored (saved at ``now``); with :attr:`HistoryUse.READ` the file is opened
    read-only, and not at all if missing."""
    from reportgen.history import History
    from reportgen.issues import make_issue
    from reportgen.rate import cross_cutting
    from reportgen.register import carry_forward, history_names
    from reportgen.register import require_complete as check_complete

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
        if require_complete:
            check_complete(run)
        names = history_names(run)  # matched by normalised ID, and across renumbering
        changes = history.changes(run.period, run.ratings, names)
        known = {item.action.action_id: (item.action.action, item.action.lead_officer)
                 for item in stored if item.action.action_id in changes.removed}
        run = replace(run, previous_rags=history.previous_rags(run.period, names),
                      changes=replace(changes, removed_names=known))
        missed = [make_issue("period-missed", file=path.name, value=Period.parse(m).name)
                  for m in history.missed(before=run.period, after=previous)]
        if missed:
            run = replace(run, issues=tuple(sort_issues([*run.issues, *missed])))
        if use is HistoryUse.SAVE:
            history.save_period(run)
        return replace(run, trend=history.trend(run.period, 6, names))


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
        t = _lap(timings, "word", t)
        if config.report.pdf:  # a tagged PDF beside it, where LibreOffice is (issue 19)
            from reportgen.pdf import write_pdf

            docx = staging.file(names[REPORT])
            if write_pdf(docx, docx.with_suffix(".pdf")) is None:
                written.append("pdf")
            t = _lap(timings, "pdf", t)
    if FEEDBACK in artefacts:
        from reportgen.render.feedback import write_feedback

        if write_feedback(run, config, staging.folder(names[FEEDBACK]), workbooks):
            written.append(FEEDBACK)
        t = _lap(timings, "feedback", t)
    if REPORT in artefacts:  # the dashboard page goes live with the report
        from reportgen.render.dashboard import render_dashboard

        render_dashboard(run, config, staging.file("dashboard", "index.html"))
        written.append("dashboard")
        _lap(timings, "dashboard", t)
    return run, written


# --------------------------------------------------------------------------- the wiring


def run_cycle(config: Config, period: Period, *, today: date, now: datetime,
              as_of: date | None = None, workbooks: Path | None = None,
              output: Path | None = None,
              progress: ProgressFn | None = None,
              artefacts: Collection[str] = ALL_ARTEFACTS,
              history: HistoryUse = HistoryUse.SAVE,
              require_complete: bool | None = None,
              refresh: bool = False, reason: str = "") -> CycleResult:
    """Read, validate, rate, use the history as ``history`` says, and write
    ``artefacts`` (any of report, workbook, feedback) into OUTPUT/YYYY-MM/, where they go
    live only when all are written. ``now`` is when the command started.

    A period whose manifest lists kept inputs (:mod:`reportgen.store`) is rated from
    them, as it was first produced; with ``refresh`` the live trackers are read instead
    and the ratings that change are in ``rating_changes`` (``reason`` goes in the
    ledger). With :attr:`HistoryUse.SAVE` a missing or damaged history is restored or
    rebuilt first (:func:`reportgen.recovery.ensure_history`).

    With every artefact this is the full cycle: the inputs are kept, the manifest is
    written, the run is added to the history's ledger and the history backed up (with
    :attr:`HistoryUse.SAVE`). With some, only those replace their older versions. With
    none (export) nothing is written; the result carries the rated run.

    ``require_complete`` (default: ``[run] require_complete``) stops with IncompleteError
    before anything is written or stored when some actions of the plan were not updated.

    Raises OutputError/TemplateError/UsageError for problems the operator must fix;
    tracker problems are Issues in the result (``errors`` counts them)."""
    from reportgen.outputs import Staging, period_dir
    from reportgen.store import keep, kept_inputs, materialise, read_manifest, reading_date

    say = progress or (lambda stage: None)
    as_of = as_of or period.as_of
    workbooks = workbooks or config.paths.workbooks
    output = output or config.paths.output
    history_path = history_path_for(config, output)
    whole_set = set(artefacts) >= ALL_ARTEFACTS
    timings: dict[str, float] = {}
    started = time.perf_counter()
    out_dir = period_dir(output, period)

    notes = []
    if history is HistoryUse.SAVE:
        from reportgen.recovery import ensure_history

        notes = ensure_history(config, output, history_path, today=today, now=now)
    manifest = None if refresh else read_manifest(out_dir)
    kept = kept_inputs(output, manifest)
    kind = "refresh" if refresh else ("kept" if kept else "live")
    read_on = reading_date(manifest, today) if kept else today  # as the first run did
    stored = _stored(history_path, period) if refresh else {}
    earlier = last_reading(history_path, period) if history is not HistoryUse.NONE else None
    say("Reading and validating trackers")
    with tempfile.TemporaryDirectory(prefix="reportgen-kept-") as scratch:
        source = materialise(kept, Path(scratch)) if kept else workbooks
        ingest = read(config, source, today=read_on, as_of=as_of, earlier=earlier)
        # a refused file is never kept: it may be a link to a file outside the trackers
        kept_map = (keep(output, source, [s.path for s in ingest.sources if not s.refused])
                    if whole_set and history is HistoryUse.SAVE else {})
    t = _lap(timings, "read_validate", started)
    say("Rating actions and KPIs")
    if require_complete is None:
        require_complete = config.run.require_complete
    run = with_history(rate(ingest, config, period, as_of), history_path, history, now,
                       ingest=ingest, config=config, require_complete=require_complete)
    if notes:
        run = replace(run, issues=tuple(sort_issues([*run.issues, *notes])))
    t = _lap(timings, "rate_history", t)
    result = CycleResult(period=period, as_of=as_of, out_dir=out_dir, run=run, kind=kind,
                         reason=reason or ("refresh" if refresh else ""), read_on=read_on)
    if refresh:
        result.rating_changes = rating_changes(stored, run)
    placed: list[str] = []
    if artefacts:
        with Staging(out_dir, keep=config.output.keep_generations) as staging:
            say("Writing the workbook, Word report and feedback")
            run, placed = render(run, config, staging, workbooks, artefacts, timings)
            _lap(timings, "render", t)
            _count(result, run, timings, started)
            if whole_set:
                manifest = build_manifest(result, run, now, kept_map)
                manifest["outputs"] = sorted({p.name for p in staging.path.iterdir()}
                                             | {"manifest.json"})
                staging.file("manifest.json").write_text(
                    json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                    encoding="utf-8")
                placed.append("manifest")
            staging.commit(whole_set=whole_set)
    else:
        _count(result, run, timings, started)
    if whole_set and history is HistoryUse.SAVE:
        _record_success(history_path, result, now, run, kept_map)
        from reportgen.recovery import backup_history

        backup_history(history_path, output, now, config.history.backups)
    if placed and history is HistoryUse.SAVE:
        from reportgen.render.dashboard import write_index

        write_index(history_path, output, now, config)
    result.run = run
    names = {**artefact_names(period), "manifest": "manifest.json",
             "pdf": f"board-report-{period.label}.pdf", "dashboard": "dashboard/index.html"}
    result.outputs = {key: out_dir / names[key]
                      for key in ("report", "pdf", "workbook", "feedback", "dashboard",
                                  "manifest")
                      if key in placed}
    return result


def last_reading(history_path: Path, period: Period) -> Earlier | None:
    """What the history read for the last stored period before ``period`` (None when
    there is no history or no earlier period), as plain data for validate."""
    from reportgen.history import History

    if not history_path.exists():
        return None
    with History(history_path, clock=lambda: datetime.min, read_only=True) as history:
        previous, stored = history.plan(period)
    if previous is None:
        return None
    return Earlier.of(previous, (item.action for item in stored))


def _stored(history_path: Path, period: Period) -> dict[str, Rag]:
    """The reported RAGs stored for ``period`` ({} when none or no history)."""
    from reportgen.history import History

    if not history_path.exists():
        return {}
    with History(history_path, clock=lambda: datetime.min, read_only=True) as history:
        return history.ratings_for(period)


def rating_changes(stored: dict[str, Rag], run: RatedRun
                   ) -> list[tuple[str, str | None, str | None]]:
    """(action ID, stored RAG, new RAG) for each action whose reported rating differs
    from the stored one (None: not stored, or no longer there), by action ID."""
    from reportgen.render.formats import natural_key

    now = {k: r.reported for k, r in run.ratings.items()}
    out = [(k, stored[k].value if k in stored else None, now[k].value if k in now else None)
           for k in set(stored) | set(now) if stored.get(k) is not now.get(k)]
    return sorted(out, key=lambda item: natural_key(item[0]))


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


def _record_success(history_path: Path, result: CycleResult, now: datetime,
                    run: RatedRun, kept: dict[str, str]) -> None:
    """Add the cycle to the run ledger: started ``now``, finished the measured time
    later (the clock is not read again), with where its inputs came from and why."""
    from reportgen.history import History

    finished = now + timedelta(seconds=result.timings.get("total", 0))
    inputs = [{"path": s.path, "sha256": kept.get(s.path) or s.sha256} for s in run.sources]
    with History(history_path, clock=lambda: finished) as history:
        history.record_run(result.period, started=now, finished=finished, ok=True,
                           errors=result.errors, warnings=result.warnings,
                           kind=result.kind, reason=result.reason, inputs=inputs)


def build_manifest(result: CycleResult, run: RatedRun, now: datetime,
                   kept: dict[str, str] | None = None) -> dict:
    """The run manifest: inputs with hashes, counts, RAG summary, issues by severity,
    timings per stage, version, period and as_of, and whether the month covers the whole
    plan (complete, plan_actions, not_updated); generated at ``now``, from trackers read
    on ``read_on`` (a re-run from kept inputs carries the first run's date forward)."""
    from reportgen.register import manifest_entry

    by_code: dict[str, int] = {}
    for issue in run.issues:
        by_code[issue.code] = by_code.get(issue.code, 0) + 1
    return {
        "reportgen_version": __version__,
        "period": run.period.label,
        "as_of": run.as_of.isoformat(),
        "generated_at": now.replace(microsecond=0).isoformat(),
        "read_on": (result.read_on or now.date()).isoformat(),
        "run": {"kind": result.kind, "reason": result.reason},
        "inputs": [
            {"path": s.path, "kind": s.kind, "size": s.size,
             "modified": s.modified.isoformat() if s.modified else None,
             "sha256": (kept or {}).get(s.path) or s.sha256, "kept": s.path in (kept or {}),
             "sheets": list(s.sheets), "rows_read": s.rows_read,
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
