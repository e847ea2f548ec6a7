"""The commands that rate a period: ``run`` (the whole cycle), ``report`` and
``workbook`` (some artefacts) and ``export`` (the rated actions and KPIs as data). Each
runs one cycle (:func:`reportgen.cli.common.run_cycle`) and prints what the view of the
period says (:mod:`reportgen.cli.console`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reportgen.cli.common import (
    cycle_options, load_config, period_option, require_option, run_cycle,
)
from reportgen.cli.console import say_statements, say_summary
from reportgen.cli.exits import ExitCode
from reportgen.cli.mail import deliver_after_run, show_delivery
from reportgen.errors import OutputError


@click.command()
@cycle_options
@require_option
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
    config = load_config(config_path)
    email = []  # the outbox, sent when configured, under the run lock

    def deliver(result):
        email.append(deliver_after_run(config, result))

    result = run_cycle(config, period, as_of, workbooks_dir, output_dir,
                       require_complete=require_complete, then=deliver, **records)
    say_summary(result)
    sys.exit(show_delivery(config, result, email[0],
                           ExitCode.VALIDATION_ERRORS if result.errors else ExitCode.OK))


def _one_artefact(period, as_of, workbooks_dir, output_dir, config_path, artefacts,
                  require_complete=False, records=None):
    """The cycle for some artefacts only; each replaces its older version (which goes to
    previous/) and the rest of the period's set is left as it is."""
    config = load_config(config_path)
    result = run_cycle(config, period, as_of, workbooks_dir, output_dir,
                        artefacts=artefacts, require_complete=require_complete,
                        **(records or {}))
    say_statements(result.view)
    for path in result.outputs.values():
        click.echo(f"Wrote {path}")
    if result.errors:
        click.secho(f"{result.errors} validation error(s) in the trackers; "
                    "`reportgen validate` lists them.", fg="red")
    sys.exit(ExitCode.VALIDATION_ERRORS if result.errors else ExitCode.OK)


_SAVES = ("It rates the period as `run` does and saves the ratings to the history (so the "
          "next month's changes are against them), but does not add a run to the ledger "
          "that `reportgen schedule` reads.")


@click.command(help=f"""Write only the Word board report for a period.

    {_SAVES}

    \b
    Example:
      reportgen report --period 2018-09
    """)
@cycle_options
@require_option
def report(period, as_of, workbooks_dir, output_dir, config_path, require_complete, **records):
    from reportgen.pipeline import REPORT

    _one_artefact(period, as_of, workbooks_dir, output_dir, config_path, {REPORT},
                  require_complete, records)


@click.command(help=f"""Write only the consolidated finance workbook and the officer
    feedback for a period.

    {_SAVES}

    \b
    Example:
      reportgen workbook --period 2018-09
    """)
@cycle_options
@require_option
def workbook(period, as_of, workbooks_dir, output_dir, config_path, require_complete,
             **records):
    from reportgen.pipeline import FEEDBACK, WORKBOOK

    _one_artefact(period, as_of, workbooks_dir, output_dir, config_path, {WORKBOOK, FEEDBACK},
                  require_complete, records)


@click.command()
@period_option
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

    config = load_config(config_path)
    result = run_cycle(config, period, as_of, workbooks_dir, output_dir, artefacts=(),
                        history=HistoryUse.READ)
    if out_path is None:
        out_path = result.out_dir / f"export-{result.period.label}.{fmt}"
    try:
        written = write_export(result.view, fmt, out_path)
    except OSError as exc:
        raise OutputError(f"cannot write {out_path}: {exc.strerror or exc}") from None
    for path in written:
        click.echo(f"Wrote {path}")
