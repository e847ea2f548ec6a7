"""The command line: the only module that prints or knows exit codes.

Every command is thin: it parses arguments, calls the pipeline and prints the outcome.
:func:`main` is the one boundary that maps failures to exit codes; a traceback is shown
only with ``--debug``.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import traceback
from datetime import date, datetime
from enum import IntEnum
from pathlib import Path

import click

from reportgen import __version__
from reportgen.errors import (
    ConfigError, LockedError, OutputError, ReportgenError, TemplateError, UsageError,
)
from reportgen.register import IncompleteError


class ExitCode(IntEnum):
    OK = 0  # done
    VALIDATION_ERRORS = 1  # done, but trackers have errors (outputs still written)
    USAGE = 2  # bad arguments
    CONFIG = 3  # configuration or template problem
    LOCKED = 4  # another run holds the lock
    OUTPUT = 5  # an output could not be written
    INCOMPLETE = 6  # --require-complete: some of the plan was not updated; nothing written
    UNDELIVERED = 7  # email: some messages were not delivered (reportgen.cli_mail)
    INTERNAL = 10  # a bug in reportgen: please report it


EXIT_CODES_HELP = """\b
Exit codes:
  0  done
  1  done, but trackers have validation errors (outputs still written)
  2  usage: bad arguments or options
  3  configuration or Word template problem
  4  another reportgen run holds the lock
  5  an output file could not be written
  6  --require-complete: some of the plan's actions were not updated this
     month; nothing was written
  7  email: someone meant to receive a message did not (each is listed)
  10 internal error in reportgen (run again with --debug and report it)"""


def _load_config(path: str | None):
    from reportgen.config import find_config, load_config

    return load_config(find_config(path))


def _parse_day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    from reportgen.ingest.values import parse_date

    try:
        return parse_date(text)
    except ValueError:
        raise UsageError(f"{option} '{text}' is not a date; write it as dd/mm/yyyy") from None


class _Ctx:
    debug = False


@click.group(epilog=EXIT_CODES_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reportgen")
@click.option("--debug", is_flag=True, help="Show a traceback when something fails.")
def cli(debug: bool) -> None:
    """reportgen: officers' Excel trackers in, RAG-rated board reports out.

    \b
    Example:
      reportgen validate workbooks/
    """
    _Ctx.debug = debug


# --------------------------------------------------------------------------- validate

_MARK = {"error": ("✖", "red"), "warning": ("!", "yellow"), "info": ("i", "cyan")}


def _print_issues(issues, sources, missing, n_actions: int, n_kpis: int) -> None:
    by_file: dict[str, list] = {}
    for issue in issues:
        by_file.setdefault(issue.file, []).append(issue)
    for name in missing:
        click.secho(f"{name}: no such file or folder", fg="red", err=True)
    for source in sources:
        items = by_file.pop(source.path, [])
        errors = sum(1 for i in items if i.is_error)
        warnings = sum(1 for i in items if i.is_warning)
        if any(i.code == "file-not-read" for i in items):
            status = click.style("not read", fg="cyan")
        elif source.refused:
            status = click.style("refused", fg="red")
        elif errors:
            status = click.style(f"{errors} error(s), {warnings} warning(s)", fg="red")
        elif warnings:
            status = click.style(f"{warnings} warning(s)", fg="yellow")
        else:
            status = click.style("OK", fg="green")
        detail = "" if source.refused else f" ({source.actions} actions, {source.kpis} KPIs)"
        click.echo(f"{click.style(source.path, bold=True)}{detail}: {status}")
        for issue in items:
            mark, colour = _MARK[issue.severity.value]
            where = f"{issue.sheet}!{issue.cell}" if issue.sheet and issue.cell else \
                (issue.sheet or "")
            lead = f"  {click.style(mark, fg=colour)} "
            if where:
                lead += click.style(where, bold=True) + (" " if issue.cell else ": ")
            click.echo(f"{lead}{issue.message} [{issue.code}]")
            click.echo(f"      {issue.hint}")
    for name, items in by_file.items():  # issues for files not in sources (none expected)
        for issue in items:
            click.echo(f"{name}: {issue.message} [{issue.code}]")
    errors = sum(1 for i in issues if i.is_error)
    warnings = sum(1 for i in issues if i.is_warning)
    infos = sum(1 for i in issues if i.is_info)
    refused = sum(1 for s in sources if s.refused and s.refused != "file-not-read")
    files = len(sources)
    line = (f"Checked {files} file{'s' if files != 1 else ''}"
            f"{f' ({refused} refused)' if refused else ''}: {n_actions} actions, {n_kpis} KPIs; "
            f"{errors} error{'s' if errors != 1 else ''}, "
            f"{warnings} warning{'s' if warnings != 1 else ''}"
            f"{f'; {infos} note(s)' if infos else ''}.")
    click.secho(line, bold=True, fg="red" if errors else None)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True,
              help="Print the issues as a JSON list instead of text.")
@click.option("--config", "config_path", metavar="FILE", help="Configuration file "
              "(default: ./reportgen.toml).")
@click.option("--as-of", "as_of", metavar="DATE",
              help="Judge update staleness as of this date, dd/mm/yyyy (default: today).")
def validate(paths: tuple[Path, ...], as_json: bool, config_path: str | None,
             as_of: str | None) -> None:
    """Check trackers and list every problem, by file and cell.

    PATHS are tracker files or folders (default: the workbooks folder in the
    configuration). Exit code 1 when any error is found.

    \b
    Example:
      reportgen validate workbooks/
      reportgen validate "workbooks/Objective 1.xlsx" --json
    """
    from reportgen.pipeline import check

    config = _load_config(config_path)
    today = date.today()
    as_of_day = _parse_day(as_of, "--as-of") or today
    targets = list(paths) or [config.paths.workbooks]
    result = check(targets, config, today=today, as_of=as_of_day)
    if as_json:
        click.echo(json.dumps([i.as_dict() for i in result.issues], indent=2,
                              ensure_ascii=False))
    else:
        if not result.sources and not result.missing:
            click.secho("No tracker files found in " + ", ".join(str(t) for t in targets)
                        + " (looked for .xlsx, .xlsm, .xls, .xlsb, .ods).", fg="yellow")
        _print_issues(result.issues, result.sources, result.missing, len(result.actions),
                      len(result.kpis))
    if result.missing:
        raise UsageError("not found: " + ", ".join(result.missing))
    sys.exit(ExitCode.VALIDATION_ERRORS if result.errors else ExitCode.OK)


# --------------------------------------------------------------------------- the cycle


def _period_option(f):
    return click.option("--period", metavar="YYYY-MM",
                        help="Reporting month (default: the last complete month).")(f)


def _resolve_period(text: str | None, today: date):
    from reportgen.model import Period
    from reportgen.periods import last_complete_period

    if text is None:
        return last_complete_period(today)
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _setup_logging(output: Path) -> None:
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


def _progress():
    """A rich status line on a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        return None, None
    from rich.console import Console

    console = Console(stderr=True)
    status = console.status("Starting…")
    status.start()
    return status, (lambda stage: status.update(stage + "…"))


def _cycle_options(f):
    f = click.option("--config", "config_path", metavar="FILE",
                     help="Configuration file (default: ./reportgen.toml).")(f)
    f = click.option("--output", "output_dir", type=click.Path(path_type=Path),
                     metavar="DIR", help="Output folder (default: from configuration).")(f)
    f = click.option("--workbooks", "workbooks_dir", type=click.Path(path_type=Path),
                     metavar="DIR", help="Trackers folder (default: from configuration).")(f)
    f = click.option("--as-of", "as_of", metavar="DATE",
                     help="Rate as of this date, dd/mm/yyyy (default: the period's last day).")(f)
    from reportgen.cli_history import refresh_options
    return refresh_options(_period_option(f))


def _folders(config, workbooks_dir, output_dir):
    workbooks = workbooks_dir or config.paths.workbooks
    output = output_dir or config.paths.output
    if not workbooks.is_dir():
        raise UsageError(f"the workbooks folder {workbooks} does not exist "
                         "(set paths.workbooks in reportgen.toml or pass --workbooks DIR)")
    return workbooks, output


def _run_cycle(config, period, as_of, workbooks_dir, output_dir, *, artefacts=None,
               history=None, require_complete=None, refresh=False, reason=None,
               then=None):
    """Shared by run, report, workbook, export and schedule: one cycle under the run
    lock (:func:`reportgen.pipeline.run_cycle`, by default every artefact, saving to the
    history); returns the CycleResult. ``then(result)``, when given, runs after the
    cycle before the lock is let go (the email step: nothing sends while another run or
    `send` may). The clock is read here, once."""
    from reportgen.lock import RunLock
    from reportgen.pipeline import ALL_ARTEFACTS, HistoryUse, run_cycle

    now = datetime.now()
    today = now.date()
    workbooks, output = _folders(config, workbooks_dir, output_dir)
    _setup_logging(output)
    p = _resolve_period(period, today)
    as_of_day = _parse_day(as_of, "--as-of") or p.as_of
    log = logging.getLogger("reportgen.run")
    command = click.get_current_context(silent=True)
    command = command.command_path if command is not None else "reportgen"
    log.info("%s: %s (as of %s): reading %s, writing %s (reportgen %s, pid %d)", command,
             p.label, as_of_day.strftime("%d/%m/%Y"), workbooks, output, __version__,
             os.getpid())
    status, progress = _progress()
    try:
        with RunLock(output / ".reportgen.lock", now=now, command=command):
            result = run_cycle(config, p, today=today, now=now, as_of=as_of_day,
                               workbooks=workbooks, output=output, progress=progress,
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
    refused = {s.path: s.refused for s in result.run.sources if s.refused}
    for issue in result.run.issues:
        if refused and refused.get(issue.file) == issue.code:
            del refused[issue.file]
            log.warning("%s: %s was not read: %s", p.label, issue.file, issue.message)
    log.info("%s done in %.1f s: %d tracker file(s), %d actions, %d KPIs, %d error(s) and "
             "%d warning(s) in the trackers; outputs in %s", p.label,
             result.timings.get("total", 0), result.files, result.actions, result.kpis,
             result.errors, result.warnings, result.out_dir)
    from reportgen.cli_history import say_records
    say_records(result, log)
    return result


def _coverage(result) -> None:
    """The coverage statement, first, when some of the plan was not updated this month:
    one line per tracker file and reason."""
    from reportgen.register import statement, statement_lines

    text = statement(result.run) if result.run is not None else None
    if text is None:
        return
    click.secho(text, fg="red", bold=True)
    for line in statement_lines(result.run):
        click.secho(f"  {line}", fg="red")


def _summary(result) -> None:
    _coverage(result)
    rags = result.rag_counts
    click.secho(f"reportgen: {result.period.name} (as of {result.as_of:%d/%m/%Y})", bold=True)
    run = result.run
    if run is not None and run.repeats:
        # counted as the paper counts them: an action the plan repeats under several
        # objectives once, at its worst rating (the manifest keeps the tracker rows)
        from reportgen.model import Rag
        from reportgen.render.coverage import distinct_counts

        counts = distinct_counts({k: r.reported for k, r in run.ratings.items()},
                                 run.repeats)
        rags = {name: counts.get(Rag(name), 0) for name in rags}
        actions = (f"{sum(rags.values())} distinct actions ({result.actions} tracker "
                   "rows)")
    else:
        actions = f"{result.actions} actions"
    click.echo(f"  {result.files} tracker file(s) read"
               + (f", {result.refused} refused" if result.refused else "")
               + f"; {actions}, {result.kpis} KPIs")
    click.echo("  " + "  ".join(f"{name}: {n}" for name, n in rags.items()))
    colour = "red" if result.errors else ("yellow" if result.warnings else "green")
    click.secho(f"  {result.errors} error(s), {result.warnings} warning(s) in the trackers"
                + (" (see the Issues sheet and the feedback folder)" if result.errors
                   or result.warnings else ""), fg=colour)
    click.echo("Outputs:")
    for name, path in result.outputs.items():
        click.echo(f"  {name:<9} {path}")
    click.echo(f"Done in {result.timings.get('total', 0):.1f} s.")


def _require_option(f):
    return click.option(
        "--require-complete", is_flag=True,
        help="Write nothing (exit code 6) when some of the plan's actions were not "
             "updated this month (default: [run] require_complete).")(f)


@cli.command()
@_cycle_options
@_require_option
def run(period, as_of, workbooks_dir, output_dir, config_path, require_complete, **records):
    """Run the whole monthly cycle: read, validate, rate, history, Word report,
    consolidated workbook, officer feedback and manifest.

    Outputs go to OUTPUT/YYYY-MM/; a re-run keeps the previous sets in previous/ and
    reads the trackers kept by the period's first run (--refresh: the live ones).
    Exit code 1 means the outputs were written but trackers have errors. Actions of the
    plan not updated this month are carried forward with their last ratings, and the
    summary says so first; --require-complete writes nothing instead (exit code 6).

    \b
    Example:
      reportgen run
      reportgen run --period 2018-09
    """
    from reportgen.cli_mail import deliver_after_run, show_delivery

    config = _load_config(config_path)
    email = []  # the outbox, sent when configured, under the run lock

    def deliver(result):
        email.append(deliver_after_run(config, result, workbooks_dir))

    result = _run_cycle(config, period, as_of, workbooks_dir, output_dir,
                        require_complete=require_complete, then=deliver, **records)
    _summary(result)
    sys.exit(show_delivery(config, result, email[0],
                           ExitCode.VALIDATION_ERRORS if result.errors else ExitCode.OK))


def _one_artefact(period, as_of, workbooks_dir, output_dir, config_path, artefacts,
                  require_complete=False, records=None):
    """The cycle for some artefacts only; each replaces its older version (which goes to
    previous/) and the rest of the period's set is left as it is."""
    config = _load_config(config_path)
    result = _run_cycle(config, period, as_of, workbooks_dir, output_dir,
                        artefacts=artefacts, require_complete=require_complete,
                        **(records or {}))
    _coverage(result)
    for path in result.outputs.values():
        click.echo(f"Wrote {path}")
    if result.errors:
        click.secho(f"{result.errors} validation error(s) in the trackers; "
                    "`reportgen validate` lists them.", fg="red")
    sys.exit(ExitCode.VALIDATION_ERRORS if result.errors else ExitCode.OK)


_SAVES = ("It rates the period as `run` does and saves the ratings to the history (so the "
          "next month's changes are against them), but does not add a run to the ledger "
          "that `reportgen schedule` reads.")


@cli.command(help=f"""Write only the Word board report for a period.

    {_SAVES}

    \b
    Example:
      reportgen report --period 2018-09
    """)
@_cycle_options
@_require_option
def report(period, as_of, workbooks_dir, output_dir, config_path, require_complete, **records):
    from reportgen.pipeline import REPORT

    _one_artefact(period, as_of, workbooks_dir, output_dir, config_path, {REPORT},
                  require_complete, records)


@cli.command(help=f"""Write only the consolidated finance workbook and the officer
    feedback for a period.

    {_SAVES}

    \b
    Example:
      reportgen workbook --period 2018-09
    """)
@_cycle_options
@_require_option
def workbook(period, as_of, workbooks_dir, output_dir, config_path, require_complete,
             **records):
    from reportgen.pipeline import FEEDBACK, WORKBOOK

    _one_artefact(period, as_of, workbooks_dir, output_dir, config_path, {WORKBOOK, FEEDBACK},
                  require_complete, records)


@cli.command()
@_period_option
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json",
              show_default=True, help="Output format.")
@click.option("--out", "out_path", type=click.Path(path_type=Path, dir_okay=False),
              metavar="FILE",
              help="Where to write (default: OUTPUT/YYYY-MM/export-YYYY-MM.json|csv).")
@click.option("--workbooks", "workbooks_dir", type=click.Path(path_type=Path), metavar="DIR",
              help="Trackers folder (default: from configuration).")
@click.option("--output", "output_dir", type=click.Path(path_type=Path), metavar="DIR",
              help="Output folder (default: from configuration).")
@click.option("--as-of", "as_of", metavar="DATE", help="Rate as of this date, dd/mm/yyyy.")
@click.option("--config", "config_path", metavar="FILE",
              help="Configuration file (default: ./reportgen.toml).")
def export(period, fmt, out_path, workbooks_dir, output_dir, as_of, config_path):
    """Export the rated actions and KPIs, with reasons and changes, as JSON or CSV
    (for Power BI, a data warehouse…). Column names are stable: docs/rating.md.
    CSV writes two files: the actions, and the KPIs beside it as NAME-kpis.csv.

    It reads and rates the trackers afresh and compares with the history (previous RAG,
    changes) without ever writing to the history.

    \b
    Example:
      reportgen export --period 2018-09
      reportgen export --period 2018-09 --format csv --out ratings.csv
    """
    from reportgen.export import write_export
    from reportgen.pipeline import HistoryUse

    config = _load_config(config_path)
    result = _run_cycle(config, period, as_of, workbooks_dir, output_dir, artefacts=(),
                        history=HistoryUse.READ)
    if out_path is None:
        out_path = result.out_dir / f"export-{result.period.label}.{fmt}"
    try:
        written = write_export(result.run, fmt, out_path)
    except OSError as exc:
        raise OutputError(f"cannot write {out_path}: {exc.strerror or exc}") from None
    for path in written:
        click.echo(f"Wrote {path}")


@cli.command("new-tracker")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--objective", type=int, metavar="N", help="The objective this tracker is for.")
@click.option("--config", "config_path", metavar="FILE",
              help="Configuration file (default: ./reportgen.toml).")
def new_tracker(file, objective, config_path):
    """Create a blank tracker for an officer: the right columns, drop-downs, date and
    percentage checks, and an Instructions sheet.

    \b
    Example:
      reportgen new-tracker "workbooks/Objective 2 - J Smith.xlsx" --objective 2
    """
    from reportgen.render.tracker import write_blank_tracker

    config = _load_config(config_path)
    if objective is not None and config.objective(objective) is None:
        raise UsageError(f"--objective {objective} is not a configured objective "
                         f"({', '.join(str(o.number) for o in config.objectives)})")
    if file.suffix.lower() not in (".xlsx", ".xlsm"):
        raise UsageError(f"{file}: a tracker must be an .xlsx file")
    try:
        path = write_blank_tracker(file, config, objective)
    except FileExistsError:
        raise UsageError(f"{file} already exists; choose another name") from None
    except OSError as exc:
        raise OutputError(f"cannot write {file}: {exc.strerror or exc}") from None
    click.echo(f"Wrote {path}")


from reportgen.cli_mail import register as _register_mail  # noqa: E402

_register_mail(cli)  # the email commands: send, remind (issue 19)


# --------------------------------------------------------------------------- boundary


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code (the ``reportgen`` script and ``python -m
    reportgen.cli`` exit with it, normally, so atexit handlers run). Never shows a
    traceback unless --debug was given."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="reportgen", standalone_mode=False)
        code = ExitCode.OK
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        code = ExitCode.USAGE
    except click.ClickException as exc:
        exc.show()
        code = ExitCode.USAGE
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else ExitCode.OK
    except ReportgenError as exc:
        if debug:
            traceback.print_exc()
        code = exit_code_for(exc)
        label = {ExitCode.CONFIG: "configuration problem", ExitCode.USAGE: "usage",
                 ExitCode.LOCKED: "locked", ExitCode.OUTPUT: "output",
                 ExitCode.INCOMPLETE: "not complete"}.get(code, "error")
        click.secho(f"reportgen: {label}: {exc}", fg="red", err=True)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        code = 130
    except Exception as exc:  # a bug: say so plainly
        if debug:
            traceback.print_exc()
        click.secho(f"reportgen: internal error: {type(exc).__name__}: {exc}\n"
                    "Run again with --debug for details, and report it.", fg="red", err=True)
        code = ExitCode.INTERNAL
    return int(code)


_EXIT_CODES = {ConfigError: ExitCode.CONFIG, TemplateError: ExitCode.CONFIG,
               UsageError: ExitCode.USAGE, LockedError: ExitCode.LOCKED,
               OutputError: ExitCode.OUTPUT, IncompleteError: ExitCode.INCOMPLETE}


def exit_code_for(exc: BaseException) -> ExitCode:
    """The exit code of a fault: that of the nearest class in its hierarchy with one (a
    subclass of OutputError exits as OutputError does); INTERNAL for any other."""
    for cls in type(exc).__mro__:
        if cls in _EXIT_CODES:
            return _EXIT_CODES[cls]
    return ExitCode.INTERNAL


from reportgen.cli_history import history as _history  # noqa: E402

cli.add_command(_history)

from reportgen.cli_schedule import schedule as _schedule  # noqa: E402

cli.add_command(_schedule)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
