"""The email commands (``send``, ``remind``) and what ``run`` does after a cycle: compose
the outbox and, with ``[email] send = true``, send it (reportgen.mail). The clock is read
here, as in the other commands."""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path

import click

from reportgen.cli.common import config_option, folders, load_config, resolve_period
from reportgen.cli.exits import ExitCode
from reportgen.errors import ReportgenError, UsageError
from reportgen.text import visible

UNDELIVERED = ExitCode.UNDELIVERED  # some messages were not delivered (outputs are written)
log = logging.getLogger("reportgen.mail")


def _show(outcome, what: str) -> int:
    """Print what was written and sent, and who was and was not emailed; return how many
    people meant to receive a message did not (the exit code is 7 when any)."""
    if outcome is None:
        return 0
    if outcome.files:
        click.echo(f"{what}: {len(outcome.files)} message(s) in {outcome.out_dir / 'outbox'}")
    for problem in outcome.address_problems:
        click.secho(f"  ! not used: {visible(problem.describe())}", fg="yellow")
    for officer in outcome.unaddressed:
        click.secho(f"  no email address for {visible(officer)} (listed for the team)",
                    fg="yellow")
    if outcome.report is None:
        for officer, why in outcome.refused.items():
            click.secho(f"  ! no message for {visible(officer)}: {visible(why)}",
                        fg="yellow")
        if outcome.files:
            click.echo("  not sent ([email] send = false; `reportgen send` sends them)")
        return 0
    if outcome.report.sent or outcome.not_delivered:
        click.echo(f"  sent to {outcome.report.sent} recipient(s)")
    else:
        click.echo("  nothing to send: every message has already reached its recipients")
    for file, addresses in outcome.not_delivered.items():
        for address, reason in addresses.items():
            click.secho(f"  NOT delivered: {visible(file)} to {visible(address)}: "
                        f"{visible(reason)}", fg="red")
    if outcome.emailed:
        click.echo("  feedback emailed to: " + visible(", ".join(outcome.emailed)))
    for officer, why in outcome.not_emailed.items():
        click.secho(f"  NOT emailed: {visible(officer)}: {visible(why)}", fg="red")
    return outcome.failures


def deliver_after_run(config, result):
    """After a successful cycle, while the caller still holds the run lock: the outbox,
    sent when configured. Returns the Outcome, or the error that stopped the email step
    (to be shown by :func:`show_delivery` once the lock is let go). Prints nothing."""
    from reportgen.mail import deliver_run

    try:
        return deliver_run(result.view, config, result.out_dir, now=datetime.now())
    except (ReportgenError, OSError) as exc:
        log.error("email for %s failed: %s", result.period.label, exc)
        return exc


def show_delivery(config, result, delivered, code: int) -> int:
    """Print what :func:`deliver_after_run` did; return ``code``, or :data:`UNDELIVERED`
    when someone meant to receive a message did not."""
    from reportgen.pdf import find_soffice

    if "report" in result.outputs and "pdf" not in result.outputs and config.report.pdf:
        click.secho("  no PDF of the paper: " + (
            "LibreOffice is not installed" if find_soffice() is None
            else "LibreOffice failed (see reportgen.log)"), fg="yellow")
    if isinstance(delivered, BaseException):
        click.secho(f"reportgen: email: {visible(str(delivered))}", fg="red", err=True)
        return UNDELIVERED
    return UNDELIVERED if _show(delivered, "Email") else code


_reminded: dict = {}  # period -> when last tried, in this process (the scheduler's)


def remind_now(config, now: datetime) -> None:
    """The scheduler's reminder step, each tick: from the configured time of day, in the
    reminder window, write and send the update requests once (the sent log stops a second
    sending after a restart); a period whose sending failed is tried again hourly."""
    from datetime import timedelta

    from reportgen.lock import RunLock
    from reportgen.mail import send_reminders
    from reportgen.mail.remind import reminder_due
    from reportgen.periods import schedule_time

    if now.time() < schedule_time(config.schedule):
        return
    period = reminder_due(config, now.date())
    last = _reminded.get(period)
    if period is None or last is True or (last and now < last + timedelta(hours=1)):
        return
    _reminded[period] = now  # a failure, an exception too, is tried again in an hour
    output = config.paths.output
    # under the run lock, as `reportgen remind`: a run or a `send` may be under way
    with RunLock(output / ".reportgen.lock", now=now, command="reportgen schedule (reminders)"):
        outcome = send_reminders(config, now.date(), now, workbooks=config.paths.workbooks,
                                 output=output, period=period)
    if outcome is None or not outcome.not_delivered:
        _reminded[period] = True
    if outcome is not None and outcome.not_delivered:
        log.error("reminders for %s not delivered: %s", period.label, outcome.not_delivered)


@click.command()
@click.option("--period", metavar="YYYY-MM", required=True, help="The month whose outbox "
              "to send.")
@click.option("--output", "output_dir", type=click.Path(path_type=Path), metavar="DIR",
              help="Output folder (default: from configuration).")
@config_option
def send(period, output_dir, config_path):
    """Send a period's outbox (output/YYYY-MM/outbox/*.eml) to everyone it has not yet
    reached. The sent log means nobody gets a message twice. Exit code 7: some messages
    were not delivered (each is listed).

    \b
    Example:
      reportgen send --period 2018-09
    """
    from reportgen.lock import RunLock
    from reportgen.mail import Outcome, record
    from reportgen.mail.send import send_outbox
    from reportgen.outputs import period_dir

    config = load_config(config_path)
    now = datetime.now()
    p = resolve_period(period, now.date())
    output = output_dir or config.paths.output
    out_dir = period_dir(output, p)
    if not (out_dir / "outbox").is_dir():
        raise UsageError(f"{out_dir / 'outbox'}: no outbox for {p.label} "
                         "(run `reportgen run` first)")
    with RunLock(output / ".reportgen.lock", now=now, command="reportgen send"):
        report = send_outbox(out_dir, config, now)  # UsageError without host and sender
        files = sorted((out_dir / "outbox").glob("*.eml"))
        outcome = Outcome(out_dir, files, [], report)
        record(out_dir, outcome, "send")
    failed = _show(outcome, "Outbox")
    sys.exit(UNDELIVERED if failed else 0)


@click.command()
@click.option("--period", metavar="YYYY-MM", help="The month whose updates are due "
              "(default: the one due within [email] remind_days working days).")
@click.option("--send/--no-send", "send_now", default=None,
              help="Send, or only write the outbox (default: [email] send).")
@config_option
def remind(period, send_now, config_path):
    """Ask each lead officer for their update before the deadline: one message listing
    their open actions and where their tracker lives. Sent once per period, however
    often it runs (the scheduler runs it every day).

    \b
    Example:
      reportgen remind
      reportgen remind --period 2018-09 --no-send
    """
    from reportgen.lock import RunLock
    from reportgen.mail import send_reminders

    config = load_config(config_path)
    now = datetime.now()
    p = resolve_period(period, now.date()) if period else None
    workbooks, output = folders(config, None, None)
    with RunLock(output / ".reportgen.lock", now=now, command="reportgen remind"):
        outcome = send_reminders(config, now.date(), now, workbooks=workbooks,
                                 output=output, period=p, send=send_now)
    if outcome is None:
        click.echo(f"No update deadline within {config.email.remind_days} working day(s); "
                   "nothing to send.")
        return
    if not outcome.files:
        click.echo("No lead officer with an address has open actions; nothing to send.")
    sys.exit(UNDELIVERED if _show(outcome, "Reminders") else 0)
