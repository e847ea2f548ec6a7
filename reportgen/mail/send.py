"""Send the outbox through the organisation's relay, once.

:func:`send_outbox` sends every ``.eml`` in ``output/<period>/outbox/`` to the recipients
it has not yet reached, over SMTP with STARTTLS, implicit TLS or none, logging in when
``[email] username`` is set with the password from the environment variable
``REPORTGEN_SMTP_PASSWORD`` (never from the configuration, never written anywhere).

A relay error or a refused recipient is retried (``[email] retries`` times); what still
fails is reported per recipient and the other messages still go. The sent log,
``output/<period>/.sent-log.json``, records per Message-ID who has received it, so a
re-run (or ``reportgen send``) never sends the same message to anyone twice. It is written
after every message, atomically, and stays where it is when a re-run moves the period's
outputs to previous/ (hidden files are not moved).
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_binary_file
from email.policy import default as default_policy
from email.utils import getaddresses
from pathlib import Path

from reportgen.config import Config
from reportgen.errors import OutputError, UsageError

PASSWORD_ENV = "REPORTGEN_SMTP_PASSWORD"
SENT_LOG = ".sent-log.json"
log = logging.getLogger("reportgen.mail")


@dataclass
class Delivery:
    """What happened to one outbox file."""

    file: str
    message_id: str
    delivered: list[str] = field(default_factory=list)  # this time
    already: list[str] = field(default_factory=list)  # by an earlier send
    failed: dict[str, str] = field(default_factory=dict)  # address -> reason


@dataclass
class SendReport:
    deliveries: list[Delivery] = field(default_factory=list)

    @property
    def failed(self) -> dict[str, dict[str, str]]:
        return {d.file: d.failed for d in self.deliveries if d.failed}

    @property
    def sent(self) -> int:
        return sum(len(d.delivered) for d in self.deliveries)

    def as_dict(self) -> dict:
        return {"deliveries": [{"file": d.file, "message_id": d.message_id,
                              "delivered": d.delivered, "already_delivered": d.already,
                              "not_delivered": d.failed} for d in self.deliveries]}


def read_log(out_dir: Path) -> dict[str, dict]:
    path = out_dir / SENT_LOG
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OutputError(f"{path}: cannot read the sent log ({exc}); move it aside only "
                          "if you accept that messages may be sent again") from None
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


class _Relay:
    """One SMTP connection, opened on first use and again after an error."""

    def __init__(self, config: Config, context: ssl.SSLContext | None):
        self.mail = config.email
        self.context = context or ssl.create_default_context()
        self.smtp: smtplib.SMTP | None = None

    def connect(self) -> smtplib.SMTP:
        if self.smtp is not None:
            return self.smtp
        m = self.mail
        if m.security == "ssl":
            smtp = smtplib.SMTP_SSL(m.host, m.port, timeout=m.timeout_s, context=self.context)
        else:
            smtp = smtplib.SMTP(m.host, m.port, timeout=m.timeout_s)
            if m.security == "starttls":
                smtp.starttls(context=self.context)
        if m.username:
            password = os.environ.get(PASSWORD_ENV)
            if not password:
                smtp.close()
                raise UsageError(f"[email] username is set but the environment variable "
                                 f"{PASSWORD_ENV} is empty: set it to the relay password")
            smtp.login(m.username, password)
        self.smtp = smtp
        return smtp

    def drop(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(
            exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}".strip()
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed: {exc.reason or exc}"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "the relay did not answer in time"
    return f"{type(exc).__name__}: {exc}"


def send_outbox(out_dir: Path, config: Config, now: datetime, *,
                context: ssl.SSLContext | None = None, delay: float = 2.0,
                only: list[Path] | None = None) -> SendReport:
    """Send ``out_dir/outbox/*.eml`` (or ``only`` those) to every recipient not yet in the
    sent log; retry failures; record deliveries at ``now``. Returns what happened. Raises
    UsageError when ``[email] host`` or ``sender`` is not set."""
    from reportgen.mail.compose import OUTBOX

    if not config.email.host or not config.email.sender:
        raise UsageError("set [email] host and sender in reportgen.toml to send")
    box = out_dir / OUTBOX
    files = sorted(only if only is not None else box.glob("*.eml"))
    sent = read_log(out_dir)
    report = SendReport()
    relay = _Relay(config, context)
    try:
        for path in files:
            report.deliveries.append(_send_one(path, relay, sent, config, now, delay))
            _write_json(out_dir / SENT_LOG, sent)
    finally:
        relay.drop()
    return report


def _send_one(path: Path, relay: _Relay, sent: dict, config: Config, now: datetime,
              delay: float) -> Delivery:
    with path.open("rb") as f:
        msg = message_from_binary_file(f, policy=default_policy)
    message_id = str(msg.get("Message-ID", "")).strip() or path.name
    recipients = [addr for _, addr in getaddresses(
        [str(v) for k in ("To", "Cc") for v in msg.get_all(k, [])]) if addr]
    entry = sent.setdefault(message_id, {"file": path.name, "delivered": {}})
    done = entry["delivered"]
    result = Delivery(path.name, message_id, already=[a for a in recipients if a in done])
    todo = [a for a in recipients if a not in done]
    attempts = config.email.retries + 1
    for attempt in range(attempts):
        if not todo:
            break
        if attempt:
            time.sleep(delay * attempt)
        try:
            smtp = relay.connect()
            refused = smtp.send_message(msg, from_addr=config.email.sender or None,
                                        to_addrs=todo)
        except smtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients
        except UsageError:
            raise
        except (smtplib.SMTPException, OSError) as exc:
            relay.drop()
            reason = _reason(exc)
            result.failed = {a: reason for a in todo}
            log.warning("%s: attempt %d of %d failed: %s", path.name, attempt + 1,
                        attempts, reason)
            continue
        for address in todo:
            if address not in refused:
                done[address] = now.isoformat(timespec="seconds")
                result.delivered.append(address)
        result.failed = {a: _reason(smtplib.SMTPResponseException(*refused[a]))
                         if isinstance(refused[a], tuple) else str(refused[a])
                         for a in refused}
        todo = [a for a in todo if a in refused]
        if todo:
            log.warning("%s: refused by the relay for %s (attempt %d of %d)", path.name,
                        ", ".join(todo), attempt + 1, attempts)
    if result.delivered:
        log.info("%s sent to %s", path.name, ", ".join(result.delivered))
    for address, reason in result.failed.items():
        log.error("%s not delivered to %s: %s", path.name, address, reason)
    entry["failed"] = result.failed
    return result


__all__ = ["PASSWORD_ENV", "SENT_LOG", "Delivery", "SendReport", "read_log", "send_outbox"]
