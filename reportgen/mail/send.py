"""Send the outbox through the organisation's relay, once.

:func:`send_outbox` sends every ``.eml`` in ``output/<period>/outbox/`` to the recipients
it has not yet reached, over SMTP with STARTTLS, implicit TLS or none, logging in when
``[email] username`` is set with the password from the environment variable
``REPORTGEN_SMTP_PASSWORD`` (never from the configuration, never written anywhere).

Each message is sent once, whatever overlaps. The sent log,
``output/<period>/.sent-log.json``, records per Message-ID who has received it. Each
message is sent under the period's send lock (``.sent-log.lock``, an operating-system
lock): the log is read afresh, the message goes to whoever it has not reached, and the
log is written (whole, :func:`reportgen.mail.files.write_atomic`) before the lock is let
go and the next message is tried. A second sender at the same time (``reportgen send``
while a run sends, the scheduler's reminders) waits for the message in hand and then
skips whoever the log names. The log stays where it is when a re-run moves the period's
outputs to previous/ (hidden files are not moved).

Recipients are read from the message's To and Cc and each parsed strictly
(:func:`reportgen.address.parse_address`): an address that is not valid is a failure for
that address, never dropped in silence. An address with non-ASCII letters before the @
goes only through a relay that offers SMTPUTF8; otherwise it fails, saying so, and the
other recipients still get the message. The bytes sent are the ``.eml`` file's.

A relay error or a refused recipient is retried (``[email] retries`` times); what still
fails is reported per recipient and the other messages still go.
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
from email import message_from_string
from email.errors import NonASCIILocalPartDefect
from email.policy import SMTP, default as default_policy
from pathlib import Path

from filelock import FileLock, Timeout

from reportgen.address import AddressError, needs_smtputf8, parse_address, shown
from reportgen.config import Config
from reportgen.errors import OutputError, UsageError
from reportgen.mail.compose import OFFICER_HEADER, OUTBOX
from reportgen.mail.files import write_json

PASSWORD_ENV = "REPORTGEN_SMTP_PASSWORD"
SENT_LOG = ".sent-log.json"
SEND_LOCK = ".sent-log.lock"
NO_SMTPUTF8 = ("the relay does not offer SMTPUTF8, which an address with non-ASCII "
               "letters before the @ needs; ask for an ASCII address, or use a relay that "
               "offers SMTPUTF8")
log = logging.getLogger("reportgen.mail")


@dataclass
class Delivery:
    """What happened to one outbox file."""

    file: str
    message_id: str
    delivered: list[str] = field(default_factory=list)  # this time
    already: list[str] = field(default_factory=list)  # by an earlier send
    failed: dict[str, str] = field(default_factory=dict)  # address -> reason
    officer: str | None = None  # whose message it is (an officer's or a reminder)


@dataclass
class SendReport:
    deliveries: list[Delivery] = field(default_factory=list)

    @property
    def failed(self) -> dict[str, dict[str, str]]:
        return {d.file: d.failed for d in self.deliveries if d.failed}

    @property
    def sent(self) -> int:
        return sum(len(d.delivered) for d in self.deliveries)

    def officers(self) -> dict[str, str | None]:
        """Officer → None when their message has reached them (now or before), else
        why not."""
        out: dict[str, str | None] = {}
        for d in self.deliveries:
            if d.officer:
                out[d.officer] = next(iter(d.failed.values()), None) if d.failed else (
                    None if d.delivered or d.already else "not sent")
        return out

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


class _SendLock:
    """The period's send lock: one message at a time, across processes. Waits for a
    sender that holds it (saying so in the log), at most ``wait`` seconds."""

    def __init__(self, out_dir: Path, wait: float):
        self.lock = FileLock(out_dir / SEND_LOCK)
        self.wait = wait

    def __enter__(self) -> "_SendLock":
        try:
            self.lock.acquire(timeout=0)
        except Timeout:
            log.info("another sender is sending a message of %s; waiting for it",
                     self.lock.lock_file)
            try:
                self.lock.acquire(timeout=self.wait)
            except Timeout:
                raise OutputError(f"another sender has held {self.lock.lock_file} for "
                                  f"{self.wait:.0f} s; try again later") from None
        return self

    def __exit__(self, *exc) -> None:
        self.lock.release()


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

    def smtputf8(self) -> bool:
        """Whether the relay (connected) offers SMTPUTF8."""
        smtp = self.connect()
        smtp.ehlo_or_helo_if_needed()
        return bool(smtp.has_extn("smtputf8"))

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
    sent log, one message at a time under the send lock (see the module's docstring);
    retry failures; record deliveries at ``now``. Returns what happened. Raises
    UsageError when ``[email] host`` or ``sender`` is not set."""
    if not config.email.host or not config.email.sender:
        raise UsageError("set [email] host and sender in reportgen.toml to send")
    box = out_dir / OUTBOX
    files = sorted(only if only is not None else box.glob("*.eml"))
    report = SendReport()
    relay = _Relay(config, context)
    # a sender holds the lock for one message: its tries and their pauses at most
    wait = max(60.0, (config.email.retries + 1) * (config.email.timeout_s * 4 + delay * 2))
    try:
        for path in files:
            with _SendLock(out_dir, wait):
                sent = read_log(out_dir)  # afresh: another sender may have sent it
                try:
                    data = path.read_bytes()
                except FileNotFoundError:  # replaced since it was listed: not this one's
                    log.warning("%s is no longer in the outbox; not sent", path.name)
                    continue
                except OSError as exc:
                    raise OutputError(f"cannot read {path}: {exc.strerror or exc}") from None
                report.deliveries.append(_send_one(path.name, data, relay, sent, config,
                                                   now, delay))
                write_json(out_dir / SENT_LOG, sent)
    finally:
        relay.drop()
    return report


def _recipients(msg) -> tuple[list[str], dict[str, str]]:
    """(each valid address in To and Cc, once; {bad value: why}). A header that is not a
    clean list of addresses sends to none of its addresses."""
    good: list[str] = []
    bad: dict[str, str] = {}
    for name in ("To", "Cc"):
        for header in msg.get_all(name, []):
            defects = [d for d in header.defects
                       if not isinstance(d, NonASCIILocalPartDefect)]
            if defects or not header.addresses:
                bad[shown(str(header))] = (f"the message's {name} header is not a list of "
                                           "valid addresses; compose it again")
                continue
            for a in header.addresses:
                try:
                    address = parse_address(a.addr_spec)
                except AddressError as exc:
                    bad[shown(a.addr_spec)] = f"not one valid address: {exc}"
                    continue
                if address not in good:
                    good.append(address)
    return good, bad


def _payload(data: bytes, keep: list[str], drop: list[str]) -> bytes:
    """The bytes to send to ``keep`` through a relay without SMTPUTF8: the file's, or,
    when its headers name an address that needs SMTPUTF8 (``drop``), the same message
    with that address left out of To and Cc and its headers in ASCII (RFC 2047 for the
    words of a subject, never inside an address). The body is the file's."""
    if not drop:
        return data
    head, _, rest = data.partition(b"\r\n\r\n")
    headers = _parse(head + b"\r\n\r\n")
    out = []
    for name, value in headers.items():
        if name.lower() in ("to", "cc"):
            left = [a for a in keep if a in str(value)]
            if not left:
                continue
            value = ", ".join(left)
        out.append(SMTP.fold_binary(name, value))
    return b"".join(out) + b"\r\n" + rest


def _parse(data: bytes):
    """The message in ``data``, its headers read as UTF-8 (RFC 6532: the email package
    reads bytes as ASCII, and would garble an address it cannot decode)."""
    return message_from_string(data.decode("utf-8", "surrogateescape"), policy=default_policy)


def _send_one(name: str, data: bytes, relay: _Relay, sent: dict, config: Config,
              now: datetime, delay: float) -> Delivery:
    msg = _parse(data)
    message_id = str(msg.get("Message-ID", "")).strip() or name
    recipients, bad = _recipients(msg)
    entry = sent.setdefault(message_id, {"file": name, "delivered": {}})
    done = entry["delivered"]
    officer = str(msg[OFFICER_HEADER]) if msg[OFFICER_HEADER] else None
    result = Delivery(name, message_id, already=[a for a in recipients if a in done],
                      officer=officer)
    settled = dict(bad)  # failures no retry can mend
    failed: dict[str, str] = {}
    todo = [a for a in recipients if a not in done]
    attempts = config.email.retries + 1
    for attempt in range(attempts):
        if not todo:
            break
        if attempt:
            time.sleep(delay * attempt)
        try:
            smtp = relay.connect()
            options: tuple[str, ...] = ()
            payload = data
            if any(map(needs_smtputf8, todo)) or not data.split(b"\r\n\r\n", 1)[0].isascii():
                if relay.smtputf8():
                    options = ("SMTPUTF8", "BODY=8BITMIME")
                else:
                    intl = [a for a in recipients if needs_smtputf8(a)]
                    settled.update((a, NO_SMTPUTF8) for a in todo if a in intl)
                    todo = [a for a in todo if a not in intl]
                    payload = _payload(data, todo, intl)
                    if not todo:
                        break
            if not options and not payload.isascii() and smtp.has_extn("8bitmime"):
                options = ("BODY=8BITMIME",)
            refused = smtp.sendmail(config.email.sender, todo, payload, mail_options=options)
        except smtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients
        except UsageError:
            raise
        except (smtplib.SMTPException, OSError) as exc:
            relay.drop()
            reason = _reason(exc)
            failed = {a: reason for a in todo}
            log.warning("%s: attempt %d of %d failed: %s", name, attempt + 1,
                        attempts, reason)
            continue
        for address in todo:
            if address not in refused:
                done[address] = now.isoformat(timespec="seconds")
                result.delivered.append(address)
        failed = {a: _reason(smtplib.SMTPResponseException(*refused[a]))
                  if isinstance(refused[a], tuple) else str(refused[a]) for a in refused}
        todo = [a for a in todo if a in refused]
        if todo:
            log.warning("%s: refused by the relay for %s (attempt %d of %d)", name,
                        ", ".join(todo), attempt + 1, attempts)
    result.failed = {**settled, **failed}
    if result.delivered:
        log.info("%s sent to %s", name, ", ".join(result.delivered))
    for address, reason in result.failed.items():
        log.error("%s not delivered to %s: %s", name, address, reason)
    entry["failed"] = result.failed
    return result


__all__ = ["NO_SMTPUTF8", "PASSWORD_ENV", "SEND_LOCK", "SENT_LOG", "Delivery", "SendReport",
           "read_log", "send_outbox"]
