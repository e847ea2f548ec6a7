"""The command line: the only package that prints or knows exit codes.

Every command is thin: it parses arguments, calls the pipeline and prints the outcome.
:func:`main` is the one boundary that maps failures to exit codes (:mod:`.exits`, one
table); a traceback is shown only with ``--debug``.

- :mod:`.common`: the configuration, the period, the log and the one cycle call;
- :mod:`.console`: what the console says about a run (the view's summary);
- :mod:`.trackers`: ``validate``, ``new-tracker``; :mod:`.cycle`: ``run``, ``report``,
  ``workbook``, ``export``; :mod:`.mail`: ``send``, ``remind``; :mod:`.history`:
  ``history list|show|rebuild``; :mod:`.schedule`: ``schedule``.
"""

from __future__ import annotations

import sys
import traceback

import click

from reportgen import __version__
from reportgen.cli.cycle import export, report, run, workbook
from reportgen.cli.exits import LABELS, ExitCode, exit_code_for, help_text
from reportgen.cli.history import history
from reportgen.cli.mail import remind, send
from reportgen.cli.schedule import schedule
from reportgen.cli.trackers import new_tracker, validate
from reportgen.errors import ReportgenError


@click.group(epilog=help_text(), context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reportgen")
@click.option("--debug", is_flag=True, help="Show a traceback when something fails.")
def cli(debug: bool) -> None:
    """reportgen: officers' Excel trackers in, RAG-rated board reports out.

    \b
    Example:
      reportgen validate workbooks/
    """


for _command in (validate, run, report, workbook, export, new_tracker, send, remind, history,
                 schedule):
    cli.add_command(_command)


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
        click.secho(f"reportgen: {LABELS.get(code, 'error')}: {exc}", fg="red", err=True)
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


__all__ = ["ExitCode", "cli", "exit_code_for", "main"]
