"""The monthly cycle: the only place that wires the stages together.

    read & validate ─▶ rate ─▶ history ─▶ Word report ┐
                                          workbook    ├─▶ manifest ─▶ staged outputs go live
                                          feedback    ┘

``run_cycle`` returns a :class:`CycleResult`; it prints nothing and never calls the
clock except through the ``today``/``now`` it is given.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import multiprocessing as mp
import os
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from reportgen import __version__
from reportgen.config import Config
from reportgen.errors import UsageError
from reportgen.validate import IngestResult, read_trackers, sort_issues
from reportgen.model import Period, Rag, RatedRun

ProgressFn = Callable[[str], None]


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


def build_run(ingest: IngestResult, config: Config, period: Period, as_of: date,
              history_path: Path | None) -> RatedRun:
    """Rate the records, compare with history, and save this period (if a history path
    is given). Returns the RatedRun the renderers need."""
    from reportgen.kpis import rate_kpis
    from reportgen.rate import (
        allocate, finance_by_objective, finance_by_stream, finance_total, rate_actions,
        rating_issues,
    )

    th = config.thresholds
    ratings = rate_actions(ingest.actions, th, as_of)
    kpi_results = rate_kpis(ingest.kpis, period, config.spc)
    issues = sort_issues(list(ingest.issues) + rating_issues(ingest.actions, ratings, th, as_of))
    allocations = allocate(ingest.actions)
    by_stream = finance_by_stream(allocations, th, config.stream_names)
    run = RatedRun(
        period=period, as_of=as_of, actions=tuple(ingest.actions), ratings=ratings,
        kpis=tuple(ingest.kpis), kpi_results=kpi_results,
        finance_by_stream=by_stream,
        finance_by_objective=finance_by_objective(ingest.actions, th),
        changes=_no_changes(), previous_rags={}, trend={},
        issues=tuple(issues), sources=tuple(ingest.sources),
        slippage_model=th.slippage_model,
        allocations=allocations, finance_total=finance_total(by_stream, th),
        next_update=next_update(period, config),
    )
    if history_path is None:
        return run
    from reportgen.history import History

    history_path.parent.mkdir(parents=True, exist_ok=True)
    with History(history_path) as history:
        previous = history.previous_rags(period)
        changes = history.changes(period, ratings)
        run = replace(run, previous_rags=previous, changes=changes)
        history.save_period(run)
        run = replace(run, trend=history.trend(period, 6))
    return run


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


def rate_period(config: Config, period: Period, *, today: date, as_of: date | None = None,
                workbooks: Path | None = None, output: Path | None = None,
                workers: int | None = None) -> RatedRun:
    """Read, validate, rate and save one period to history (for the single-artefact
    commands: report, workbook, export)."""
    as_of = as_of or period.as_of
    output = output or config.paths.output
    ingest = read_trackers([workbooks or config.paths.workbooks], config, today=today,
                           as_of=as_of, workers=workers)
    return build_run(ingest, config, period, as_of, history_path_for(config, output))


def _no_changes():
    from reportgen.model import Changes

    return Changes()


def rag_counts(run: RatedRun) -> dict[str, int]:
    counts = {r.value: 0 for r in (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE, Rag.GREY,
                                   Rag.CANCELLED)}
    for rating in run.ratings.values():
        counts[rating.reported.value] += 1
    return counts


FEEDBACK = "feedback"


def artefact_names(period: Period) -> dict[str, str]:
    """The file names of a period's Word report and consolidated workbook."""
    return {"report": f"board-report-{period.label}.docx",
            "workbook": f"consolidated-{period.label}.xlsx"}


def write_workbook(run: RatedRun, config: Config, path: Path,
                   workbooks: Path) -> tuple[RatedRun, list]:
    """Write the consolidated workbook; return the run with the Issues found while
    writing it (text cut to fit Excel) added, and those Issues. The feedback is written
    from the returned run so that it lists them too."""
    from reportgen.render.workbook import write_consolidated

    extra = write_consolidated(run, config, path, workbooks)
    if extra:
        run = replace(run, issues=tuple(sort_issues([*run.issues, *extra])))
    return run, extra


def _render_word(run: RatedRun, config: Config, path: Path) -> Path:
    from reportgen.render.word import render_board_report

    return render_board_report(run, config, path)


@contextlib.contextmanager
def _few_collections():
    """Rendering makes millions of short-lived objects and few cycles: freeze what is
    already alive (the run) out of the collector's scans and collect less often. Measured
    on 12,000 actions: the workbook 4.7 s -> 4.0 s, the feedback 4.5 s -> 4.1 s."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 50, 1_000)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def _give_back_memory() -> None:
    """Hand the memory a finished artefact used back to the system before the next one.

    XlsxWriter's workbook objects hold reference cycles, which the raised thresholds of
    :func:`_few_collections` leave for later, and glibc keeps freed blocks for reuse
    rather than returning them: measured at 12,000 actions, the main process kept the
    workbook's 90 MB through the feedback (171 MB resident after the workbook, 107 MB
    after this, which takes about 65 ms). Without glibc only the collection is done."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.lru_cache(maxsize=1)
def _malloc_trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, say)
        return None


def _lap(timings: dict[str, float], name: str, since: float) -> float:
    """Record the seconds since ``since`` as stage ``name``; return the time now."""
    now = time.perf_counter()
    timings[name] = round(now - since, 3)
    return now


def _warm_up() -> None:
    """Import what the second process renders with (about 0.6 s), while the main process
    rates the run, so that the rendering starts at once when the run arrives."""
    import docxtpl  # noqa: F401
    import matplotlib.figure  # noqa: F401
    import matplotlib.backends.backend_agg  # noqa: F401

    import reportgen.render.feedback  # noqa: F401
    import reportgen.render.word  # noqa: F401


def _word_then_feedback(run: RatedRun, config: Config, word_path: Path,
                        feedback_dir: Path, workbooks: Path,
                        shared: bool) -> tuple[float, float]:
    """The Word report, then the chase list and the tracker feedback files (with
    ``shared``, those the other process has not claimed). Returns the two timings."""
    from reportgen.render.feedback import write_feedback

    t0 = time.perf_counter()
    _render_word(run, config, word_path)
    _give_back_memory()
    t1 = time.perf_counter()
    write_feedback(run, config, feedback_dir, workbooks, shared=shared)
    return round(t1 - t0, 3), round(time.perf_counter() - t1, 3)


def _render_word_and_feedback(run: RatedRun, config: Config, word_path: Path,
                              feedback_dir: Path, workbooks: Path) -> tuple[float, float]:
    """The second process's share of the rendering (:func:`_word_then_feedback`, sharing
    the tracker feedback with the main process)."""
    with _few_collections():
        return _word_then_feedback(run, config, word_path, feedback_dir, workbooks,
                                   shared=True)


# The run and configuration a forked second process renders from (see _render).
_INHERITED: tuple[RatedRun, Config] | None = None


def _render_inherited(word_path: Path, feedback_dir: Path,
                      workbooks: Path) -> tuple[float, float]:
    """:func:`_render_word_and_feedback` on the run this process inherited by fork."""
    assert _INHERITED is not None
    return _render_word_and_feedback(*_INHERITED, word_path, feedback_dir, workbooks)


def _forks() -> bool:
    """Whether the second process is forked from this one after rating (Linux), so that it
    starts rendering at once with the run already in its memory. Elsewhere (Windows has
    no fork; macOS's system libraries are not safe to fork) it is started early by
    spawn or forkserver and sent the run, which takes longer: at 12,000 actions pickling
    it (here, beside the workbook) and unpickling it (there) held the second process
    back by about 1.5 s."""
    return sys.platform.startswith("linux") and "fork" in mp.get_all_start_methods()


def exit_with_parent() -> None:
    """Called in a pool worker: end the worker when the process that started it dies.
    (Moved here from the deleted reader pool, its last user.)"""
    parent = mp.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(1)

    threading.Thread(target=watch, name="reportgen-exit-with-parent", daemon=True).start()


def _after_fork() -> None:
    """First thing in the forked process: end with its parent, and write to its own
    standard output and error. The parent may have had another thread (the progress
    line on a terminal) writing to stderr at the moment of the fork, which would leave
    the inherited stream's lock held for ever in the child."""
    exit_with_parent()
    for name, fd in (("stdout", 1), ("stderr", 2)):
        old = getattr(sys, name)
        try:
            setattr(sys, name, open(fd, "w", encoding=getattr(old, "encoding", None),
                                    errors="backslashreplace", closefd=False,
                                    buffering=1))
        except (OSError, ValueError):  # no such descriptor: keep what there is
            pass


class _Fork:
    """For :func:`_render`: fork the second process when the rendering starts, once
    ``warm`` (the thread doing its imports in this process) is done."""

    def __init__(self, warm: threading.Thread) -> None:
        self.warm = warm


@contextlib.contextmanager
def _forked(run: RatedRun, config: Config, warm: threading.Thread):
    """A one-process pool whose process is forked from this one with ``run`` and
    ``config`` in :data:`_INHERITED` (for :func:`_render_inherited`). The fork happens at
    the first submit (before the pool's own thread starts); the warm-up thread is joined
    first, so no other thread of ours is half-way through an import when it happens."""
    global _INHERITED
    warm.join()
    _INHERITED = (run, config)
    pool = ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("fork"),
                               initializer=_after_fork)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _INHERITED = None


def _clear(folder: Path) -> None:
    if folder.is_dir():
        for path in folder.iterdir():
            path.unlink()


def run_cycle(config: Config, period: Period, *, today: date, as_of: date | None = None,
              workbooks: Path | None = None, output: Path | None = None,
              workers: int | None = None, progress: ProgressFn | None = None,
              now: datetime | None = None) -> CycleResult:
    """One full cycle for ``period``. Outputs go live only when all are written.

    Raises OutputError/TemplateError for problems the operator must fix; tracker problems
    are Issues in the result (``errors`` counts them)."""
    from reportgen.outputs import Staging, period_dir

    say = progress or (lambda stage: None)
    as_of = as_of or period.as_of
    workbooks = workbooks or config.paths.workbooks
    output = output or config.paths.output
    history_path = history_path_for(config, output)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    n_workers = config.limits.workers if workers is None else workers
    # Both cores for the rendering: a second process writes the Word report, the chase
    # list and its share of the tracker feedback while this one writes the workbook, then
    # the rest of the feedback. Where it can, it is forked when the rendering starts (the
    # run is then in its memory at once) and the imports it renders with are done here,
    # in a thread, while the reader processes read; elsewhere it is started now, does its
    # imports while this one reads and rates, and is sent the run.
    pool: ProcessPoolExecutor | _Fork | None = None
    warm: threading.Thread | None = None
    if n_workers > 0 and _forks():
        warm = threading.Thread(target=_warm_up, name="reportgen-warm-up", daemon=True)
        warm.start()
        pool = _Fork(warm)
    elif n_workers > 0:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn"),
                                   initializer=exit_with_parent)
        pool.submit(_warm_up)

    try:
        say("Reading and validating trackers")
        ingest = read_trackers([workbooks], config, today=today, as_of=as_of,
                               workers=workers)
        if not ingest.sources:
            raise UsageError(f"no tracker files found in {workbooks} (looked for .xlsx, "
                             ".xlsm, .xls, .xlsb and .ods); nothing was written")
        t = _lap(timings, "read_validate", started)
        say("Rating actions and KPIs")
        run = build_run(ingest, config, period, as_of, history_path)
        t = _lap(timings, "rate_history", t)
        out_dir = period_dir(output, period)
        result = CycleResult(period=period, as_of=as_of, out_dir=out_dir, run=run)
        names = artefact_names(period)
        with Staging(out_dir) as staging:
            say("Writing the Word report, workbook and feedback")
            run = _render(run, config, staging, names, workbooks, pool, timings)
            t = _lap(timings, "render", t)
            _finish(result, run, timings, started, staging, now)
    finally:
        if isinstance(pool, ProcessPoolExecutor):
            pool.shutdown(wait=True, cancel_futures=True)
        if warm is not None:
            warm.join()
    _record_success(history_path, result, started_at=now or datetime.now())
    result.run = run
    result.outputs = {
        "report": out_dir / names["report"],
        "workbook": out_dir / names["workbook"],
        "feedback": out_dir / FEEDBACK,
        "manifest": out_dir / "manifest.json",
    }
    if not (out_dir / FEEDBACK).exists():
        result.outputs.pop("feedback")
    return result


def _render(run: RatedRun, config: Config, staging, names: dict[str, str],
            workbooks: Path, pool: ProcessPoolExecutor | _Fork | None,
            timings: dict[str, float]) -> RatedRun:
    """Write the Word report, the workbook and the feedback into ``staging``; return the
    run with the Issues the workbook found added. With a ``pool`` the work is shared with
    its process (forked now, for a :class:`_Fork`); the three artefacts are independent
    but for the rare text-truncated Issues the workbook finds, which the feedback must
    list (it is rewritten then)."""
    from reportgen.render.feedback import write_feedback

    word_path = staging.file(names["report"])
    feedback_dir = staging.folder(FEEDBACK)
    workbook_path = staging.file(names["workbook"])

    with _few_collections(), contextlib.ExitStack() as stack:
        t = time.perf_counter()
        if pool is None:
            run, _ = write_workbook(run, config, workbook_path, workbooks)
            _give_back_memory()
            _lap(timings, "workbook", t)
            timings["word"], timings["feedback"] = _word_then_feedback(
                run, config, word_path, feedback_dir, workbooks, shared=False)
            return run
        if isinstance(pool, _Fork):
            pool = stack.enter_context(_forked(run, config, pool.warm))
            child = pool.submit(_render_inherited, word_path, feedback_dir, workbooks)
        else:
            child = pool.submit(_render_word_and_feedback, run, config, word_path,
                                feedback_dir, workbooks)
        try:
            run, extra = write_workbook(run, config, workbook_path, workbooks)
            _give_back_memory()
            t = _lap(timings, "workbook", t)
            if not extra:
                write_feedback(run, config, feedback_dir, workbooks, shared=True,
                               chase_list=False)
                t = _lap(timings, "feedback_here", t)
        finally:
            wait([child])  # never leave the staging folder while the other still writes
        timings["word"], timings["feedback"] = child.result()
        t = _lap(timings, "child_wait", t)
    if extra:
        _clear(feedback_dir)
        write_feedback(run, config, feedback_dir, workbooks)
        _lap(timings, "feedback_again", t)
    return run


def _finish(result: CycleResult, run: RatedRun, timings: dict[str, float], started: float,
            staging, now: datetime | None) -> None:
    """Count the run into ``result``, write the manifest and put the staged outputs live."""
    result.actions = len(run.actions)
    result.kpis = len(run.kpis)
    result.errors = sum(1 for i in run.issues if i.is_error)
    result.warnings = len(run.issues) - result.errors
    result.files = len(run.sources)
    result.refused = sum(1 for s in run.sources if s.refused)
    result.rag_counts = rag_counts(run)
    timings["total"] = round(time.perf_counter() - started, 3)
    result.timings = timings
    manifest = staging.file("manifest.json")
    manifest.write_text(json.dumps(build_manifest(result, run, now), indent=2,
                                   ensure_ascii=False) + "\n", encoding="utf-8")
    placed = staging.commit()
    assert all(p.exists() for p in placed)


def _record_success(history_path: Path, result: CycleResult, started_at: datetime) -> None:
    from reportgen.history import History

    with History(history_path) as history:
        history.record_run(result.period, started=started_at, finished=datetime.now(),
                           ok=True, errors=result.errors, warnings=result.warnings)


def build_manifest(result: CycleResult, run: RatedRun, now: datetime | None) -> dict:
    """The run manifest: inputs with hashes, counts, RAG summary, issues by severity,
    timings per stage, version, period and as_of."""
    by_code: dict[str, int] = {}
    for issue in run.issues:
        by_code[issue.code] = by_code.get(issue.code, 0) + 1
    return {
        "reportgen_version": __version__,
        "period": run.period.label,
        "as_of": run.as_of.isoformat(),
        "generated_at": (now or datetime.now()).replace(microsecond=0).isoformat(),
        "inputs": [
            {"path": s.path, "kind": s.kind, "size": s.size,
             "modified": s.modified.isoformat() if s.modified else None,
             "sha256": s.sha256, "sheets": list(s.sheets), "rows_read": s.rows_read,
             "actions": s.actions, "kpis": s.kpis, "refused": s.refused}
            for s in run.sources
        ],
        "counts": {"files": result.files, "files_refused": result.refused,
                   "actions": result.actions, "kpis": result.kpis},
        "ratings": result.rag_counts,
        "issues": {"error": result.errors, "warning": result.warnings, "by_code": by_code},
        "timings_seconds": result.timings,
    }
