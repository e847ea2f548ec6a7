"""The monthly cycle: the only place that wires the stages together, in one process.

    read & validate ─▶ rate ─▶ [history] ─▶ view ─▶ workbook, Word report, feedback,
                                                    dashboard, manifest
                                                    └─── staged, then live ───┘

:func:`run_cycle` serves every command that rates a period: ``run`` (all artefacts,
the manifest and the run ledger), ``report`` and ``workbook`` (some artefacts) and
``export`` (no artefacts: the caller writes the view). What it does with the history
is the caller's explicit choice (:class:`HistoryUse`). The view of the period
(:func:`reportgen.view.build_view`) is built once, after the history; every artefact,
the manifest and the caller's console and emails render it. It prints nothing and never
reads the clock: ``today`` and ``now`` are given (by the CLI or the scheduler).
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable, Collection

from reportgen import __version__
from reportgen.config import Config
from reportgen.history import History
from reportgen.issues import RECORD_CODES
from reportgen.model import Period, Rag, RatedRun, action_key
from reportgen.outputs import Staging, period_dir
from reportgen.rate import cross_cutting
from reportgen.recovery import backup_history, ensure_history
from reportgen.register import history_names
from reportgen.stages import (
    HistoryUse, check, history_path_for, last_reading, next_update, rate, read, with_history,
)
from reportgen.store import (
    KeptInput, blob_path, keep, kept_inputs, materialise, read_manifest, reading_date,
)
from reportgen.validate import sort_issues
from reportgen.view import PeriodView, build_view
from reportgen.view.formats import natural_key
from reportgen.view.index import StoredPeriod, build_index
from reportgen.view.period import incomplete

ProgressFn = Callable[[str], None]

FEEDBACK = "feedback"
REPORT, WORKBOOK = "report", "workbook"
ALL_ARTEFACTS = frozenset({REPORT, WORKBOOK, FEEDBACK})


@dataclass
class CycleResult:
    period: Period
    as_of: date
    out_dir: Path
    outputs: dict[str, Path] = field(default_factory=dict)
    actions: int = 0  # distinct actions of the plan
    tracker_rows: int = 0
    kpis: int = 0
    errors: int = 0
    warnings: int = 0
    files: int = 0
    refused: int = 0
    rag_counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    run: RatedRun | None = None
    view: PeriodView | None = None
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


def artefact_names(period: Period) -> dict[str, str]:
    """The file and folder names of a period's artefacts."""
    return {REPORT: f"board-report-{period.label}.docx",
            WORKBOOK: f"consolidated-{period.label}.xlsx", FEEDBACK: FEEDBACK}


def _pdf_of(name: str) -> str:
    """The PDF's name beside the Word paper ``name`` (reportgen.pdf writes it so)."""
    return str(Path(name).with_suffix(".pdf"))


def render(view: PeriodView, config: Config, staging, artefacts: Collection[str],
           timings: dict[str, float]) -> list[str]:
    """Write the chosen artefacts of ``view`` into ``staging``: the workbook, the Word
    report (and its PDF), the feedback and the dashboard page. Returns the names of what
    was written."""
    names = artefact_names(view.period)
    written = []
    t = time.perf_counter()
    # The renderers are imported as they are needed: each brings a heavy library
    # (XlsxWriter, python-docx and matplotlib, Jinja2), and a command writes only some.
    if WORKBOOK in artefacts:
        from reportgen.render.workbook import write_consolidated

        write_consolidated(view, config, staging.file(names[WORKBOOK]))
        written.append(WORKBOOK)
        t = _lap(timings, "workbook", t)
    if REPORT in artefacts:
        from reportgen.render.word import render_board_report

        render_board_report(view, config, staging.file(names[REPORT]))
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

        if write_feedback(view, config, staging.folder(names[FEEDBACK])):
            written.append(FEEDBACK)
        t = _lap(timings, "feedback", t)
    if REPORT in artefacts:  # the dashboard page goes live with the report
        from reportgen.render.dashboard import render_dashboard

        # the page links to the paper beside it: the PDF first, where it was made
        papers = ((("PDF", _pdf_of(names[REPORT])),) if "pdf" in written else ())
        render_dashboard(view, config, staging.file("dashboard", "index.html"),
                         papers + (("Word", names[REPORT]),))
        written.append("dashboard")
        _lap(timings, "dashboard", t)
    return written


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
    before anything is written or stored when the month's data do not cover the whole
    plan: some of its actions not updated, or rows or trackers left out of every count and
    total (:func:`reportgen.view.period.incomplete` words why).

    Raises OutputError/TemplateError/UsageError for problems the operator must fix;
    tracker problems are Issues in the result (``errors`` counts them)."""
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
                       ingest=ingest, config=config,
                       incomplete=incomplete if require_complete else None)
    if notes:
        run = replace(run, issues=tuple(sort_issues([*run.issues, *notes])))
    view = build_view(run, config, workbooks, kept=_kept_names(output, kept_map, kept))
    t = _lap(timings, "rate_history", t)
    result = CycleResult(period=period, as_of=as_of, out_dir=out_dir, run=run, view=view,
                         kind=kind,
                         reason=reason or ("refresh" if refresh else ""), read_on=read_on)
    if refresh:
        result.rating_changes = rating_changes(stored, run)
    placed: list[str] = []
    if artefacts:
        with Staging(out_dir, keep=config.output.keep_generations) as staging:
            say("Writing the workbook, Word report and feedback")
            placed = render(view, config, staging, artefacts, timings)
            _lap(timings, "render", t)
            _count(result, view, timings, started)
            if whole_set:
                manifest = build_manifest(result, view, now, kept_map)
                manifest["outputs"] = sorted({p.name for p in staging.path.iterdir()}
                                             | {"manifest.json"})
                staging.file("manifest.json").write_text(
                    json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                    encoding="utf-8")
                placed.append("manifest")
            staging.commit(whole_set=whole_set)
    else:
        _count(result, view, timings, started)
    if whole_set and history is HistoryUse.SAVE:
        _record_success(history_path, result, now, run, kept_map)
        backup_history(history_path, output, now, config.history.backups)
    if placed and history is HistoryUse.SAVE:
        from reportgen.render.dashboard import write_index

        write_index(build_index(stored_periods(history_path, output, now)), output, config)
    names = {**artefact_names(period), "manifest": "manifest.json",
             "pdf": f"board-report-{period.label}.pdf", "dashboard": "dashboard/index.html"}
    result.outputs = {key: out_dir / names[key]
                      for key in ("report", "pdf", "workbook", "feedback", "dashboard",
                                  "manifest")
                      if key in placed}
    return result


def _kept_names(output: Path, kept_map: dict[str, str], kept: list[KeptInput] | None
                ) -> dict[str, str]:
    """Each tracker's kept copy, as its name under the output folder ("inputs/ab/…"):
    the copies this run kept, else those of the period's first run it was read from."""
    names = {k.path: k.blob for k in kept or () if k.present}
    names.update((path, blob_path(output, sha, Path(path).suffix))
                 for path, sha in kept_map.items())
    out = {}
    for path, blob in names.items():
        try:
            out[path] = Path(blob).relative_to(output).as_posix()
        except ValueError:  # not under the output folder: name it whole
            out[path] = Path(blob).as_posix()
    return out


def _stored(history_path: Path, period: Period) -> dict[str, Rag]:
    """The reported RAGs stored for ``period`` ({} when none or no history)."""
    if not history_path.exists():
        return {}
    with History(history_path, clock=lambda: datetime.min, read_only=True) as history:
        return history.ratings_for(period)


def rating_changes(stored: dict[str, Rag], run: RatedRun
                   ) -> list[tuple[str, str | None, str | None]]:
    """(action ID, stored RAG, new RAG) for each action whose reported rating differs
    from the stored one (None: not stored, or no longer there). Actions are matched as
    the history matches them (:func:`reportgen.register.history_names`: by
    :func:`~reportgen.model.action_key`, and across a renumbering), so "O2-3" refreshed
    from a tracker that stored "O2-03" is one action; each is named as this run shows it
    (as stored when it is no longer read)."""
    names = history_names(run)
    now = {action_key(k): (k, r.reported) for k, r in run.ratings.items()}
    before: dict[str, tuple[str, Rag]] = {}
    for k, rag in stored.items():
        key = action_key(names.get(action_key(k), k))
        before.setdefault(key, (k, rag))
    out = []
    for key in before.keys() | now.keys():
        was = before[key][1] if key in before else None
        rag = now[key][1] if key in now else None
        if was is not rag:
            shown = now[key][0] if key in now else before[key][0]
            out.append((shown, was.value if was else None, rag.value if rag else None))
    return sorted(out, key=lambda item: natural_key(item[0]))


def _lap(timings: dict[str, float], name: str, since: float) -> float:
    """Record the seconds since ``since`` as stage ``name``; return the time now."""
    now = time.perf_counter()
    timings[name] = round(now - since, 3)
    return now


def _count(result: CycleResult, view: PeriodView, timings: dict[str, float],
           started: float) -> None:
    """Count the run into ``result``, as the view counts it."""
    q = view.quality
    result.actions = view.counts.actions
    result.tracker_rows = view.counts.tracker_rows
    result.kpis = len(view.kpis)
    result.errors = q.errors
    result.warnings = q.warnings
    result.files = q.files
    result.refused = len(q.refused)
    result.rag_counts = {r.value: n for r, n in view.counts.now.items()}
    timings["total"] = round(time.perf_counter() - started, 3)
    result.timings = timings


def stored_periods(history_path: Path, output: Path, now: datetime) -> list[StoredPeriod]:
    """What the history holds of each stored period, for the index of periods: every
    row's reported RAG and the actions the plan repeated then (from the stored records;
    none for a period stored by an older reportgen without them)."""
    out = []
    if not history_path.exists():
        return out
    # opened as the run opens it (a read-only connection would leave the -wal and -shm
    # files behind); only its reading methods are called
    with History(history_path, clock=lambda: now) as history:
        for period in history.periods():
            _, stored = history.plan(period.shift(1))  # the period itself, with records
            page = output / period.label / "dashboard" / "index.html"
            out.append(StoredPeriod(period, history.ratings_for(period),
                                    cross_cutting(s.action for s in stored), page.exists()))
    return out


def _record_success(history_path: Path, result: CycleResult, now: datetime,
                    run: RatedRun, kept: dict[str, str]) -> None:
    """Add the cycle to the run ledger: started ``now``, finished the measured time
    later (the clock is not read again), with where its inputs came from and why."""
    finished = now + timedelta(seconds=result.timings.get("total", 0))
    inputs = [{"path": s.path, "sha256": kept.get(s.path) or s.sha256} for s in run.sources]
    with History(history_path, clock=lambda: finished) as history:
        history.record_run(result.period, started=now, finished=finished, ok=True,
                           errors=result.errors, warnings=result.warnings,
                           kind=result.kind, reason=result.reason, inputs=inputs)


def build_manifest(result: CycleResult, view: PeriodView, now: datetime,
                   kept: dict[str, str] | None = None) -> dict:
    """The run manifest: inputs with hashes, counts, RAG summary, issues by severity,
    timings per stage, version, period and as_of, and whether the month covers the whole
    plan (complete, plan_actions, not_updated); generated at ``now``, from trackers read
    on ``read_on`` (a re-run from kept inputs carries the first run's date forward).
    Counts are the view's: distinct actions, with the tracker rows beside as
    ``tracker_rows`` and ``ratings_tracker_rows``."""
    by_code: dict[str, int] = {}
    for issue in view.issues:
        by_code[issue.code] = by_code.get(issue.code, 0) + 1
    q = view.quality
    return {
        "reportgen_version": __version__,
        "period": view.period.label,
        "as_of": view.as_of.isoformat(),
        "generated_at": now.replace(microsecond=0).isoformat(),
        "read_on": (result.read_on or now.date()).isoformat(),
        "run": {"kind": result.kind, "reason": result.reason},
        "inputs": [
            {"path": s.path, "kind": s.kind, "size": s.size,
             "modified": s.modified.isoformat() if s.modified else None,
             "sha256": (kept or {}).get(s.path) or s.sha256, "kept": s.path in (kept or {}),
             "sheets": list(s.sheets), "rows_read": s.rows_read,
             "actions": s.actions, "kpis": s.kpis, "refused": s.refused}
            for s in view.sources
        ],
        **view.coverage_record,
        "counts": {"files": q.files, "files_refused": len(q.refused),
                   "files_not_read": len(q.not_read), "actions": view.counts.actions,
                   "tracker_rows": view.counts.tracker_rows, "kpis": len(view.kpis)},
        "ratings": {r.value: n for r, n in view.counts.now.items()},
        "ratings_tracker_rows": {r.value: n for r, n in view.counts.rows.items()},
        "late_updates": view.late,
        "issues": {**q.counts, "records": len(q.records), "by_code": by_code},
        "timings_seconds": result.timings,
    }


__all__ = [  # with the stages, as callers have imported them from here
    "ALL_ARTEFACTS", "CycleResult", "FEEDBACK", "HistoryUse", "REPORT", "WORKBOOK",
    "artefact_names", "build_manifest", "check", "history_path_for", "next_update", "rate",
    "rating_changes", "read", "render", "run_cycle", "stored_periods", "with_history"]
