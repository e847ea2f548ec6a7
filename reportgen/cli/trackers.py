"""The commands about trackers themselves: ``validate`` (check them and list every problem)
and ``new-tracker`` (a blank tracker for an officer)."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from reportgen.cli.common import load_config, parse_day
from reportgen.cli.console import print_issues
from reportgen.cli.exits import ExitCode
from reportgen.errors import OutputError, UsageError


@click.command()
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
    from reportgen.stages import check

    config = load_config(config_path)
    today = date.today()
    as_of_day = parse_day(as_of, "--as-of") or today
    targets = list(paths) or [config.paths.workbooks]
    result = check(targets, config, today=today, as_of=as_of_day)
    if as_json:
        click.echo(json.dumps([i.as_dict() for i in result.issues], indent=2,
                              ensure_ascii=False))
    else:
        if not result.sources and not result.missing:
            click.secho("No tracker files found in " + ", ".join(str(t) for t in targets)
                        + " (looked for .xlsx, .xlsm, .xls, .xlsb, .ods).", fg="yellow")
        print_issues(result.issues, result.sources, result.missing, len(result.actions),
                      len(result.kpis))
    if result.missing:
        raise UsageError("not found: " + ", ".join(result.missing))
    sys.exit(ExitCode.VALIDATION_ERRORS if result.errors else ExitCode.OK)


# --------------------------------------------------------------------------- the cycle


@click.command("new-tracker")
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

    config = load_config(config_path)
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
