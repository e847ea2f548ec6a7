"""The ``history`` commands: list, show and rebuild the record of earlier periods."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from reportgen.cli.common import load_config
from reportgen.errors import UsageError


def _history_file(config_path, output_dir):
    from reportgen.stages import history_path_for

    config = load_config(config_path)
    output = output_dir or config.paths.output
    return config, output, history_path_for(config, output)


def _open(path: Path):
    from reportgen.history import History

    if not path.exists():
        raise UsageError(f"there is no history file at {path}; `reportgen history rebuild` "
                         "re-creates it from the kept inputs")
    return History(path, clock=lambda: datetime.min, read_only=True)


def _options(f):
    f = click.option("--config", "config_path", metavar="FILE",
                     help="Configuration file (default: ./reportgen.toml).")(f)
    return click.option("--output", "output_dir", type=click.Path(path_type=Path),
                        metavar="DIR", help="Output folder (default: from configuration).")(f)


@click.group()
def history() -> None:
    """The record of earlier periods: what is stored, and rebuilding it.

    \b
    Example:
      reportgen history list
      reportgen history show --period 2018-08
      reportgen history rebuild
    """


@history.command("list")
@_options
def list_(config_path, output_dir):
    """List the stored periods, the runs in the ledger with their input hashes, and the
    periods the schedule missed."""
    from reportgen.store import kept_inputs, period_manifests

    _, output, path = _history_file(config_path, output_dir)
    with _open(path) as h:
        periods, runs, missed = h.periods(), h.runs(), h.missed()
    manifests = period_manifests(output)
    click.secho(f"History {path}", bold=True)
    if not periods:
        click.echo("No period is stored.")
    for period in periods:
        kept = "inputs kept" if kept_inputs(output, manifests.get(period.label)) else \
            "no kept inputs"
        click.secho(f"{period.label} ({period.name}): {kept}", bold=True)
        for run in (r for r in runs if r["period"] == period.label):
            status = "ok" if run["ok"] else "failed"
            why = f", {run['reason']}" if run["reason"] else ""
            click.echo(f"  run {run['id']} at {_uk(run['started'])}: {run['kind']}{why}, "
                       f"{status}, {run['errors']} error(s), {run['warnings']} warning(s)")
            for item in run["inputs"]:
                click.echo(f"    {item.get('sha256', '')[:12]}  {item.get('path', '')}")
    for label in missed:
        click.secho(f"{label}: missed (not produced; no kept inputs)", fg="yellow")


def _uk(iso: str) -> str:
    try:
        return f"{datetime.fromisoformat(iso):%d/%m/%Y %H:%M}"
    except ValueError:
        return iso


@history.command()
@click.option("--period", required=True, metavar="YYYY-MM", help="The period to show.")
@_options
def show(period, config_path, output_dir):
    """Show the ratings stored for one period."""
    from reportgen.model import Period
    from reportgen.view.formats import natural_key, uk_date

    try:
        p = Period.parse(period)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    _, _, path = _history_file(config_path, output_dir)
    with _open(path) as h:
        as_of = h.stored_as_of(p)
        ratings = h.ratings_for(p)
    if as_of is None:
        raise UsageError(f"{p.label} is not stored in {path}; `reportgen history list` "
                         "shows what is")
    click.secho(f"{p.name} (as of {uk_date(date.fromisoformat(as_of))}): "
                f"{len(ratings)} tracker rows",
                bold=True)
    counts: dict[str, int] = {}
    for action_id in sorted(ratings, key=natural_key):
        rag = ratings[action_id].value
        counts[rag] = counts.get(rag, 0) + 1
        click.echo(f"  {action_id:<12} {rag}")
    click.echo("  " + "  ".join(f"{k}: {v}" for k, v in counts.items()))


@history.command()
@_options
def rebuild(config_path, output_dir):
    """Re-create the history from the kept inputs and manifests: each period with kept
    inputs is rated again as it was, oldest first. The existing file is kept aside."""
    from reportgen.lock import RunLock
    from reportgen.recovery import rebuild_history

    config, output, path = _history_file(config_path, output_dir)
    now = datetime.now()
    with RunLock(output / ".reportgen.lock", now=now, command="reportgen history rebuild"):
        rebuilt, skipped, aside = rebuild_history(config, output, path, today=now.date(),
                                                  now=now)
    if aside is not None:
        click.echo(f"The old history was moved aside to {aside}.")
    if rebuilt:
        click.secho(f"Rebuilt {path} from the kept inputs of {', '.join(rebuilt)}.",
                    fg="green")
    else:
        click.secho(f"No period has kept inputs in {output}; {path} holds no period.",
                    fg="yellow")
    if skipped:
        click.secho(f"Not rebuilt (no kept inputs): {', '.join(skipped)}.", fg="yellow")
