"""Email: update requests, feedback and the paper (issue 19).

- :mod:`reportgen.mail.compose`: who gets what; messages as ``.eml`` files in
  ``output/<period>/outbox/``.
- :mod:`reportgen.mail.send`: the relay, retries, per-recipient results, the sent log.
- :mod:`reportgen.mail.remind`: update requests before the deadline.

:func:`deliver_run` (after ``reportgen run``) and :func:`send_reminders` (``reportgen
remind`` and the scheduler) write the outbox, send it when ``[email] send = true``, and
write ``outbox/delivery.json`` (and the manifest's ``email``, by occasion): what was
delivered, what was not and why, which officers were emailed and which were not (an
address that is not one valid address, a refused recipient, a relay down), and the
officers no address is known for. Nobody is counted as emailed whose message did not
reach them. The callers hold the run lock while they send; the sender's own lock makes
each message go once whatever else sends. The clock is never read here.
"""

from __future__ import annotations

import json
import ssl
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from reportgen.address import AddressProblem
from reportgen.config import Config
from reportgen.mail.compose import (
    OUTBOX, Plan, add_to_outbox, after_run_messages, write_outbox,
)
from reportgen.mail.files import write_json as _write_json
from reportgen.mail.send import SendReport, send_outbox

DELIVERY = "delivery.json"


@dataclass
class Outcome:
    """What the email step did: the messages written, the officers no address is known
    for, those refused an address (officer → why), the configured addresses not used,
    and what sending did (None: not sent, ``[email] send = false``)."""

    out_dir: Path
    files: list[Path] = field(default_factory=list)
    unaddressed: list[str] = field(default_factory=list)
    report: SendReport | None = None  # None: not sent ([email] send = false)
    refused: dict[str, str] = field(default_factory=dict)
    address_problems: list[AddressProblem] = field(default_factory=list)

    @property
    def not_delivered(self) -> dict[str, dict[str, str]]:
        return self.report.failed if self.report is not None else {}

    @property
    def emailed(self) -> list[str]:
        """The officers whose message has reached them (now or by an earlier send)."""
        if self.report is None:
            return []
        return [o for o, why in self.report.officers().items() if why is None]

    @property
    def not_emailed(self) -> dict[str, str]:
        """Officer → why their message did not reach them: an address that is not one
        valid address, or (when sent) the relay's answer."""
        out = dict(self.refused)
        if self.report is not None:
            out.update((o, why) for o, why in self.report.officers().items() if why)
        return out

    @property
    def failures(self) -> int:
        """How many people meant to receive a message did not, when sending (exit code
        7): each undelivered address, each officer refused an address, each address of
        the board or team list not used. 0 when nothing was sent."""
        if self.report is None:
            return 0
        lists = [p for p in self.address_problems  # an officer's counts in refused
                 if not p.key.startswith("email.officers.")]
        return sum(len(f) for f in self.not_delivered.values()) + len(self.refused) + \
            len(lists)


def _outcome(plan: Plan, out_dir: Path, files: list[Path],
             report: SendReport | None) -> Outcome:
    return Outcome(out_dir, files, list(plan.unaddressed), report, dict(plan.not_emailed),
                   list(plan.address_problems))


def _send(config: Config, out_dir: Path, now: datetime, files: list[Path], context,
          delay: float) -> SendReport:
    # the files just written, not the rest of the outbox (the other occasion's)
    return send_outbox(out_dir, config, now, context=context, delay=delay, only=files)


def record(out_dir: Path, outcome: Outcome, occasion: str) -> None:
    """Write ``outbox/delivery.json`` and the manifest's ``email[occasion]`` ("run",
    "reminders" or "send") for what ``outcome`` says was written and sent."""
    if not (out_dir / OUTBOX).is_dir():
        return
    _write_json(out_dir / OUTBOX / DELIVERY, {
        "occasion": occasion,
        "sent": outcome.report is not None,
        "messages": [p.name for p in outcome.files],
        "no_address": outcome.unaddressed,
        "emailed": outcome.emailed,
        "not_emailed": outcome.not_emailed,
        "address_problems": [p.describe() for p in outcome.address_problems],
        **(outcome.report.as_dict() if outcome.report else {}),
        "not_delivered": outcome.not_delivered,
    })
    _note_in_manifest(out_dir, outcome, occasion)


def _note_in_manifest(out_dir: Path, outcome: Outcome, occasion: str) -> None:
    """Add what the email step did to the period's manifest (``email[occasion]``: messages
    written, whether they were sent, who has no address, what was not delivered and why);
    the other occasions' records are kept."""
    path = out_dir / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # no manifest (a partial command): delivery.json alone says it
    if not isinstance(manifest, dict):
        return
    email = manifest.get("email")
    email = email if isinstance(email, dict) and "sent" not in email else {}
    email[occasion] = {"messages": len(outcome.files), "sent": outcome.report is not None,
                       "no_address": outcome.unaddressed, "emailed": outcome.emailed,
                       "not_emailed": outcome.not_emailed,
                       "not_delivered": outcome.not_delivered}
    manifest["email"] = email
    _write_json(path, manifest)


def deliver_run(view, config: Config, out_dir: Path, *, now: datetime,
                context: ssl.SSLContext | None = None, delay: float = 2.0,
                send: bool | None = None) -> Outcome:
    """After a run: compose the officers', team's and board's messages of the view of
    the period (reportgen.view.PeriodView) into the outbox
    and, with ``[email] send = true`` (or ``send``), send what has not been sent.

    When sending, the officers' and the board's messages go first; the team's summary is
    then composed from what became of them (it names as emailed only the officers whose
    message was delivered), added to the outbox and sent."""
    plan = after_run_messages(view, config, out_dir)
    if not plan.messages or not (config.email.send if send is None else send):
        files = write_outbox(plan, config, out_dir, now)
        outcome = _outcome(plan, out_dir, files, None)
        record(out_dir, outcome, "run")
        return outcome
    team = [m for m in plan.messages if m.kind == "team"]
    first = Plan([m for m in plan.messages if m.kind != "team"], plan.unaddressed,
                 plan.not_emailed, plan.address_problems)
    files = write_outbox(first, config, out_dir, now) if first.messages else []
    if not first.messages and team:  # the outbox holds only the team's summary
        files = write_outbox(Plan(team), config, out_dir, now)
        team = []
    report = _send(config, out_dir, now, files, context, delay) if files else SendReport()
    if team:
        summary = after_run_messages(view, config, out_dir, sent=report.officers())
        (message,) = [m for m in summary.messages if m.kind == "team"]
        path = add_to_outbox(message, config, out_dir, now)
        files.append(path)
        report.deliveries += _send(config, out_dir, now, [path], context, delay).deliveries
    outcome = _outcome(plan, out_dir, files, report)
    record(out_dir, outcome, "run")
    return outcome


def send_reminders(config: Config, today: date, now: datetime, *, workbooks: Path,
                   output: Path, period=None, context: ssl.SSLContext | None = None,
                   delay: float = 2.0, send: bool | None = None) -> Outcome | None:
    """Update requests for ``period`` (default: the period whose deadline is within
    ``remind_days`` working days of ``today``; None when none is). Reads the trackers."""
    from reportgen.mail.remind import reminder_due, reminder_messages, reminder_window
    from reportgen.outputs import period_dir
    from reportgen.validate import read_trackers

    period = period or reminder_due(config, today)
    if period is None:
        return None
    due = reminder_window(period, config)[1]
    ingest = read_trackers([workbooks], config, today=today, as_of=today)
    plan = reminder_messages(ingest.actions, period, config, workbooks, due, ingest.issues)
    out_dir = period_dir(output, period)
    files = write_outbox(plan, config, out_dir, now, reminders=True)
    report = _send(config, out_dir, now, files, context, delay) if files and (
        config.email.send if send is None else send) else None
    outcome = _outcome(plan, out_dir, files, report)
    record(out_dir, outcome, "reminders")
    return outcome


__all__ = ["DELIVERY", "Outcome", "deliver_run", "record", "send_reminders"]
