"""What the commands share: the configuration, the period and dates from the command
line, the log, the progress line, the cycle's options and the one call that runs a cycle
under the run lock (:func:`run_cycle`). The clock is read here, once a command."""

from __future__ import annotations

import logging
import os
import sys
from datetime import date, datetime
from pathlib import Path

import click

from reportgen import __version__
from reportgen.errors import LockedError, OutputError, ReportgenError, UsageError
from reportgen.cli.console import say_records


def load_config(path: str | None):
    """The configuration at ``path`` (default: ./reportgen.toml, found upwards)."""
    from reportgen.config import find_config, load_config as load

    return load(find_config(path))


def parse_day(text: str | None, option: str) -> date | None:
    """A dd/mm/yyyy date from an option; UsageError naming the option when it is not."""
    if text is None:
        return None
    from reportgen.ingest.values import parse_date

    try:
        return parse_date(text)
    except ValueError:
        raise UsageError(f"{option} '{text}' is not a date; write it as dd/mm/yyyy") from None


def resolve_period(text: str | None, today: date):
    """The period YYYY-MM given, else the last complete month before ``today``."""
    from reportgen.model import Period
    from reportgen.periods import last_complete_period

    if text is None:
        return last_complete_period(today)
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def setup_logging(output: Path) -> None:
    """Log to ``output/reportgen.log`` (rotating), once a process."""
    from logging.handlers import RotatingFileHandler

    root = logging.getLogger("reportgen")
    if any(isinstance(h, RotatingFileHandler) for h in root.handlers):
        return
    try:
        output.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(output / "reportgen.log", maxBytes=1_000_000,
                                      backupCount=5, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write the log in {output}: {exc.strerror or exc}") from None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def progress():
    """A rich status line on a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        return None, None
    from rich.console import Console

    console = Console(stderr=True)
    status = console.status("Starting…")
    status.start()
    return status, (lambda stage: status.update(stage + "…"))


def config_option(f):
    return click.option("--config", "config_path", metavar="FILE",
                        help="Configuration file (default: ./reportgen.toml).")(f)


def period_option(f):
    return click.option("--period", metavar="YYYY-MM",
                        help="Reporting month (default: the last complete month).")(f)


def refresh_options(f):
    f = click.option("--reason", metavar="TEXT",
                     help="Why the period is refreshed (recorded in the run ledger; "
                          "default: refresh).")(f)
    return click.option(
        "--refresh", is_flag=True,
        help="Read the live trackers even when the period's inputs were kept: list the "
             "actions whose ratings change, and record the re-run in the ledger.")(f)


def cycle_options(f):
    f = config_option(f)
    f = click.option("--output", "output_dir", type=click.Path(path_type=Path),
                     metavar="DIR", help="Output folder (default: from configuration).")(f)
    f = click.option("--workbooks", "workbooks_dir", type=click.Path(path_type=Path),
                     metavar="DIR", help="Trackers folder (default: from configuration).")(f)
    f = click.option("--as-of", "as_of", metavar="DATE",
                     help="Rate as of this date, dd/mm/yyyy (default: the period's last day).")(f)
    return refresh_options(period_option(f))


def require_option(f):
    return click.option(
        "--require-complete", is_flag=True,
        help="Write nothing (exit code 6) when the month's data do not cover the whole "
             "plan: some of its actions not updated this month, or tracker rows or files "
             "left out of every count and total (default: [run] require_complete).")(f)


def folders(config, workbooks_dir, output_dir) -> tuple[Path, Path]:
    """The trackers' folder (which must exist) and the output folder."""
    workbooks = workbooks_dir or config.paths.workbooks
    output = output_dir or config.paths.output
    if not workbooks.is_dir():
        raise UsageError(f"the workbooks folder {workbooks} does not exist "
                         "(set paths.workbooks in reportgen.toml or pass --workbooks DIR)")
    return workbooks, output


def run_cycle(config, period, as_of, workbooks_dir, output_dir, *, artefacts=None,
              history=None, require_complete=None, refresh=False, reason=None,
              then=None):
    """Shared by run, report, workbook, export and schedule: one cycle under the run
    lock (:func:`reportgen.pipeline.run_cycle`, by default every artefact, saving to the
    history); returns the CycleResult. ``then(result)``, when given, runs after the
    cycle before the lock is let go (the email step: nothing sends while another run or
    `send` may). The clock is read here, once."""
    from reportgen.lock import RunLock
    from reportgen.pipeline import ALL_ARTEFACTS, HistoryUse, run_cycle as cycle

    now = datetime.now()
    today = now.date()
    workbooks, output = folders(config, workbooks_dir, output_dir)
    setup_logging(output)
    p = resolve_period(period, today)
    as_of_day = parse_day(as_of, "--as-of") or p.as_of
    log = logging.getLogger("reportgen.run")
    command = click.get_current_context(silent=True)
    command = command.command_path if command is not None else "reportgen"
    log.info("%s: %s (as of %s): reading %s, writing %s (reportgen %s, pid %d)", command,
             p.label, as_of_day.strftime("%d/%m/%Y"), workbooks, output, __version__,
             os.getpid())
    status, say = progress()
    try:
        with RunLock(output / ".reportgen.lock", now=now, command=command):
            result = cycle(config, p, today=today, now=now, as_of=as_of_day,
                           workbooks=workbooks, output=output, progress=say,
                           artefacts=ALL_ARTEFACTS if artefacts is None else artefacts,
                           history=HistoryUse.SAVE if history is None else history,
                           require_complete=require_complete or None,
                           refresh=refresh, reason=reason or "")
            if then is not None:
                then(result)
    except LockedError as exc:
        log.warning("%s not run: %s", p.label, exc)
        raise
    except ReportgenError as exc:
        log.error("%s failed: %s", p.label, exc)
        raise
    except BaseException as exc:
        log.error("%s failed: %s", p.label, f"{type(exc).__name__}: {exc}",
                  exc_info=not isinstance(
                      exc, (KeyboardInterrupt, SystemExit)))
        raise
    finally:
        if status is not None:
            status.stop()
    view = result.view
    for r in view.quality.refused:
        log.warning("%s: %s was not read: %s", p.label, r.source.path, r.problem)
    for note in view.config_notes:
        log.warning("%s: %s", p.label, note)
    log.info("%s done in %.1f s: %d tracker file(s), %d actions (%d tracker rows), %d KPIs, "
             "%d error(s) and %d warning(s) in the trackers; outputs in %s", p.label,
             result.timings.get("total", 0), result.files, result.actions,
             result.tracker_rows, result.kpis, result.errors, result.warnings,
             result.out_dir)
    say_records(result, log)
    return result


__all__ = ["config_option", "cycle_options", "folders", "load_config", "parse_day",
           "period_option", "progress", "refresh_options", "require_option",
           "resolve_period", "run_cycle", "setup_logging"]
