"""The command line: the only module that prints or knows exit codes.

Every command is thin: it parses arguments, calls the pipeline and prints the outcome.
:func:`main` is the one boundary that maps failures to exit codes; a traceback is shown
only with ``--debug``.
"""

from __future__ import annotations

import json
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


class ExitCode(IntEnum):
    OK = 0  # done
    VALIDATION_ERRORS = 1  # done, but trackers have errors (outputs still written)
    USAGE = 2  # bad arguments
    CONFIG = 3  # configuration or template problem
    LOCKED = 4  # another run holds the lock
    OUTPUT = 5  # an output could not be written
    INTERNAL = 10  # a bug in reportgen: please report it


EXIT_CODES_HELP = """\b
Exit codes:
  0  done
  1  done, but trackers have validation errors (outputs still written)
  2  usage: bad arguments or options
  3  configuration or Word template problem
  4  another reportgen run holds the lock
  5  an output file could not be written
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

_MARK = {"error": ("✖", "red"), "warning": ("!", "yellow")}


def _print_issues(issues, sources, missing, n_actions: int, n_kpis: int) -> None:
    by_file: dict[str, list] = {}
    for issue in issues:
        by_file.setdefault(issue.file, []).append(issue)
    for name in missing:
        click.secho(f"{name}: no such file or folder", fg="red", err=True)
    for source in sources:
        items = by_file.pop(source.path, [])
        errors = sum(1 for i in items if i.is_error)
        warnings = len(items) - errors
        if source.refused:
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
    warnings = len(issues) - errors
    refused = sum(1 for s in sources if s.refused)
    files = len(sources)
    line = (f"Checked {files} file{'s' if files != 1 else ''}"
            f"{f' ({refused} refused)' if refused else ''}: {n_actions} actions, {n_kpis} KPIs; "
            f"{errors} error{'s' if errors != 1 else ''}, "
            f"{warnings} warning{'s' if warnings != 1 else ''}.")
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
    from reportgen.ingest import read_trackers

    config = _load_config(config_path)
    today = date.today()
    as_of_day = _parse_day(as_of, "--as-of") or today
    targets = list(paths) or [config.paths.workbooks]
    result = read_trackers(targets, config, today=today, as_of=as_of_day)
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


# --------------------------------------------------------------------------- boundary


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return (and exit with) the exit code. Never shows a traceback
    unless --debug was given."""
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
        code = {ConfigError: ExitCode.CONFIG, TemplateError: ExitCode.CONFIG,
                UsageError: ExitCode.USAGE, LockedError: ExitCode.LOCKED,
                OutputError: ExitCode.OUTPUT}.get(type(exc), ExitCode.INTERNAL)
        label = {ExitCode.CONFIG: "configuration problem", ExitCode.USAGE: "usage",
                 ExitCode.LOCKED: "locked", ExitCode.OUTPUT: "output"}.get(code, "error")
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
    if argv is None:
        sys.exit(int(code))
    return int(code)


if __name__ == "__main__":  # pragma: no cover
    main()
