"""``reportgen schedule``: the daemon that runs each month's cycle when it falls due
(reportgen.scheduler decides when; this command wires it to the cycle, the email and the
console)."""

from __future__ import annotations

from datetime import datetime

import click

from reportgen.cli.common import config_option, folders, load_config, run_cycle, \
    setup_logging
from reportgen.cli.mail import deliver_after_run, remind_now, show_delivery
from reportgen.errors import ReportgenError, UsageError


@click.command()
@click.option("--dry-run", is_flag=True, help="Print what is due and when; run nothing.")
@click.option("--now", "now_text", metavar="DATETIME",
              help="Pretend it is this moment, 'dd/mm/yyyy HH:MM' (with --dry-run).")
@config_option
def schedule(dry_run, now_text, config_path):
    """Stay up and run each month's cycle on the configured working day (weekends and
    Scottish bank holidays skipped), catching up missed months on start. Stop it with
    Ctrl+C or SIGTERM; a cycle under way finishes first.

    \b
    Example:
      reportgen schedule --dry-run --now "05/10/2018 08:00"
      reportgen schedule
    """
    import signal

    from reportgen.history import History
    from reportgen.stages import history_path_for
    from reportgen.scheduler import dry_run as plan, run_schedule

    if now_text is not None and not dry_run:
        raise UsageError("--now works only with --dry-run")
    config = load_config(config_path)
    now = datetime.now()
    if now_text:
        try:
            now = datetime.strptime(now_text.strip(), "%d/%m/%Y %H:%M")
        except ValueError:
            raise UsageError(f"--now '{now_text}' must be 'dd/mm/yyyy HH:MM'") from None
    history_path = history_path_for(config, config.paths.output)

    def last_done():
        if not history_path.exists():
            return None
        with History(history_path, clock=datetime.now) as history:
            return history.last_successful_period()

    if dry_run:
        for line in plan(config, now, last_done()):
            click.echo(line)
        return
    folders(config, None, None)
    setup_logging(config.paths.output)
    stopping = []

    def stop(signum, frame):
        stopping.append(signum)
        click.echo("reportgen schedule: stopping after the current step.", err=True)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    def cycle(period) -> bool:
        email = []  # the outbox, sent when configured, under the run lock

        def deliver(result):
            email.append(deliver_after_run(config, result))

        try:
            result = run_cycle(config, period.label, None, None, None, then=deliver)
        except ReportgenError as exc:
            click.secho(f"{datetime.now():%d/%m/%Y %H:%M} {period.label}: failed: {exc}",
                        fg="red", err=True)
            return False
        click.echo(f"{datetime.now():%d/%m/%Y %H:%M} {period.label}: done, outputs in "
                   f"{result.out_dir} ({result.errors} tracker error(s))")
        show_delivery(config, result, email[0], 0)
        return True

    click.echo("reportgen schedule: running; press Ctrl+C to stop.")
    from reportgen.scheduler import catch_up
    run_schedule(config, cycle, last_done, config.paths.output / ".reportgen-schedule.lock",
                 clock=datetime.now, should_stop=lambda: bool(stopping),
                 missed=catch_up(config.paths.output, history_path, cycle, datetime.now),
                 remind=lambda now: remind_now(config, now))
    click.echo("reportgen schedule: stopped.")
