"""Email: update requests, feedback and the paper (issue 19).

- :mod:`reportgen.mail.compose`: who gets what; messages as ``.eml`` files in
  ``output/<period>/outbox/``.
- :mod:`reportgen.mail.send`: the relay, retries, per-recipient results, the sent log.
- :mod:`reportgen.mail.remind`: update requests before the deadline.

:func:`deliver_run` (after ``reportgen run``) and :func:`send_reminders` (``reportgen
remind`` and the scheduler) write the outbox, send it when ``[email] send = true``, and
write ``outbox/delivery.json`` (and the manifest's ``email``, by occasion): what was delivered, what was not and why, and the officers
no address is known for. The clock is never read here.
"""

from __future__ import annotations

import json
import ssl
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from reportgen.config import Config
from reportgen.mail.compose import OUTBOX, Plan, after_run_messages, write_outbox
from reportgen.mail.send import SendReport, _write_json, send_outbox

DELIVERY = "delivery.json"


@dataclass
class Outcome:
    out_dir: Path
    files: list[Path] = field(default_factory=list)
    unaddressed: list[str] = field(default_factory=list)
    report: SendReport | None = None  # None: not sent ([email] send = false)

    @property
    def not_delivered(self) -> dict[str, dict[str, str]]:
        return self.report.failed if self.report is not None else {}


def _finish(plan: Plan, config: Config, out_dir: Path, now: datetime, files: list[Path],
            context, delay: float, send: bool | None, occasion: str) -> Outcome:
    outcome = Outcome(out_dir, files, list(plan.unaddressed))
    if (config.email.send if send is None else send) and files:
        # the files just written, not the rest of the outbox (the other occasion's)
        outcome.report = send_outbox(out_dir, config, now, context=context, delay=delay,
                                     only=files)
    record(out_dir, outcome, occasion)
    return outcome


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
                       "no_address": outcome.unaddressed,
                       "not_delivered": outcome.not_delivered}
    manifest["email"] = email
    _write_json(path, manifest)


def deliver_run(view, config: Config, out_dir: Path, *, now: datetime,
                context: ssl.SSLContext | None = None, delay: float = 2.0,
                send: bool | None = None) -> Outcome:
    """After a run: compose the officers', team's and board's messages of the view of
    the period (reportgen.view.PeriodView) into the outbox and, with ``[email] send =
    true`` (or ``send``), send what has not been sent."""
    plan = after_run_messages(view, config, out_dir)
    files = write_outbox(plan, config, out_dir, now)
    return _finish(plan, config, out_dir, now, files, context, delay, send, "run")


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
    plan = reminder_messages(ingest.actions, period, config, workbooks, due)
    out_dir = period_dir(output, period)
    files = write_outbox(plan, config, out_dir, now, reminders=True)
    return _finish(plan, config, out_dir, now, files, context, delay, send, "reminders")


__all__ = ["DELIVERY", "Outcome", "deliver_run", "record", "send_reminders"]
