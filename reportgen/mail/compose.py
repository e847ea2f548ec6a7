"""What is sent, to whom: messages built from the view of the period, written as RFC 5322
``.eml``. What a message says (counts, changes, finance, who must fix what) is the
view's (reportgen.view); this module words and addresses it.

After a run (:func:`after_run_messages`):

- each lead officer with something to fix or update gets their feedback workbook(s)
  attached and every item in plain words (where, what is wrong, what to do);
- the team (``[email] team``) gets the chase list and a run summary, which lists the
  officers no address is known for;
- the board list (``[email] board``) gets the paper (docx, and the PDF where made) with a
  three-line summary: counts, newly Red, the finance position (and the incompleteness
  statement when the month is incomplete).

An officer's address comes from ``[email.officers]`` (the name as written in trackers),
else from the "Email" cells of their rows when all that are filled in agree
(:func:`address_book`). Every address was parsed strictly where it came in
(:mod:`reportgen.address`); an officer whose address is not one valid address, or whose
trackers give two, gets no message, and the plan says why (``Plan.not_emailed``).

Every message has a key: a hash of its kind, period, recipients, subject and text (a
reminder's of its kind, period and recipients only, so that an officer updating an action
does not make it go again). The
Message-ID is made from it, so the same message composed again is the same message,
and the sent log (reportgen.mail.send) never sends it twice. Nothing here reads the
clock: ``now`` is given.
"""

from __future__ import annotations

import hashlib
import mimetypes
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import format_datetime
from pathlib import Path

from reportgen.address import AddressProblem, needs_smtputf8
from reportgen.config import Config
from reportgen.mail.files import write_atomic
from reportgen.model import RatedRun
from reportgen.view import PeriodView
from reportgen.view.feedback import CHASE_LIST, UNKNOWN_OFFICER, safe_file_stem
from reportgen.view.formats import id_list, month_name, pounds_text, variance_text
from reportgen.view.links import Links
from reportgen.view.words import short_title

OUTBOX = "outbox"
OFFICER_HEADER = "X-Reportgen-Officer"
_TYPES = {
    ".docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".pdf": ("application", "pdf"),
}


@dataclass(frozen=True)
class Outgoing:
    """One message before it is an .eml file."""

    kind: str  # "board", "team", "officer", "reminder"
    name: str  # file stem in the outbox
    to: tuple[str, ...]
    subject: str
    body: str
    attachments: tuple[Path, ...] = ()
    period: str = ""
    who: str = ""  # the officer an officer's message or a reminder is for

    @property
    def key(self) -> str:
        if self.kind == "reminder":  # once per period and officer, whatever it lists
            parts: tuple[str, ...] = (self.kind, self.period, ",".join(sorted(self.to)))
        else:
            parts = (self.kind, self.period, ",".join(sorted(self.to)), self.subject,
                     self.body, *(p.name for p in self.attachments))
        text = "\x1f".join(parts)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Plan:
    """The messages of one occasion; the officers no address is known for; the officers
    given no message because their address is not one valid address (officer → why);
    and the configured addresses not used (reportgen.toml, each with why)."""

    messages: list[Outgoing] = field(default_factory=list)
    unaddressed: list[str] = field(default_factory=list)
    not_emailed: dict[str, str] = field(default_factory=dict)
    address_problems: list[AddressProblem] = field(default_factory=list)


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass
class AddressBook:
    """Who gets what: officer name (normalised) → their one address, and → why they get
    no message although an address was given (an address that is not one valid
    address, or two addresses for one officer)."""

    addresses: dict[str, str] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)

    def get(self, officer: str) -> str | None:
        return self.addresses.get(_name_key(officer))

    def why_not(self, officer: str) -> str | None:
        return self.refused.get(_name_key(officer))


def address_book(run: RatedRun | None, config: Config, actions=None,
                 issues=None) -> AddressBook:
    """Each officer's one address: ``[email.officers]`` when it names them (a configured
    address that is not valid gives them no message, whatever the trackers say), else
    the Email cells of their rows, when every one that is filled in holds the same
    valid address. An Email cell that is not one valid address (an ``invalid-email``
    Issue, from ``issues`` or the run's) or two different addresses give that officer
    no message, with the reason. Never more than one address per officer."""
    actions = actions if actions is not None else (run.actions if run else ())
    issues = issues if issues is not None else (run.issues if run else ())
    book = AddressBook()
    given: dict[str, dict[str, str]] = {}  # officer → address → where
    for a in actions:
        if a.email:
            where = f"{a.source.file} {a.source.sheet}!{a.source.cells.get('email', '')}"
            given.setdefault(_name_key(a.lead_officer), {}).setdefault(a.email, where)
    for issue in issues:
        if issue.code == "invalid-email" and issue.officer:
            book.refused.setdefault(_name_key(issue.officer),
                                    f"{issue.location()}: {issue.message}")
    for key, addresses in given.items():
        if key in book.refused:
            continue
        if len(addresses) > 1:
            book.refused[key] = "their trackers give different addresses: " + "; ".join(
                f"{address} ({where})" for address, where in addresses.items())
        else:
            book.addresses[key] = next(iter(addresses))
    for name, address in config.email.officers:
        book.addresses[_name_key(name)] = address
        book.refused.pop(_name_key(name), None)
    for problem in config.email.address_problems:
        if problem.key.startswith("email.officers."):
            book.addresses.pop(_name_key(problem.who), None)
            book.refused[_name_key(problem.who)] = problem.describe()
    return book


def tracker_location(file: str, workbooks: Path, config: Config) -> str:
    """Where a tracker lives, as officers can open it (the one link builder's
    :meth:`reportgen.view.links.Links.location`)."""
    return Links(Path(workbooks), config.links.base).location(file)


def board_summary(view: PeriodView) -> list[str]:
    """A few lines for the board's and the team's messages: the coverage statement, what
    was left out of every count and total and the updates made after the period when
    there are any, then the counts, what is newly
    Red and the finance position."""
    lines = [text for text in (view.coverage_statement, view.left_out_statement,
                               view.late_statement) if text]
    c = view.counts
    shown = ", ".join(f"{n:,} {rag.value}" for rag, n in c.now.items() if n)
    plan = (f"{c.actions:,} distinct actions ({c.tracker_rows:,} tracker rows)"
            if c.rows_differ else f"{c.actions:,} actions")
    lines.append(f"The plan has {plan}: {shown or 'none rated'}.")
    since = month_name(view.previous_period) if view.previous_period else None
    red = [a.id for a in view.change("newly_red").actions]
    if red:
        lines.append(f"Newly Red since {since}: {id_list(red, 5)}.")
    elif since:
        lines.append(f"No action has become Red since {since}.")
    else:
        lines.append("No earlier report to compare with, so nothing is counted as newly Red.")
    f = view.finance
    if not f.has_money:
        lines.append("Finance: no budget recorded in the trackers.")
    else:
        p = f.total.pounds
        over = "" if p.variance is None else (
            f", {variance_text(p.variance)}" + (" budget" if p.variance else ""))
        rag = f" ({f.total.rating.rag.value})" if f.total.rating.rag is not None else ""
        forecast = "not known" if p.forecast is None else pounds_text(p.forecast)
        lines.append(f"Finance: budget {pounds_text(p.budget)}, forecast outturn "
                     f"{forecast}{over}{rag}.")
    return lines


def after_run_messages(view: PeriodView, config: Config, out_dir: Path,
                       sent: dict[str, str | None] | None = None) -> Plan:
    """The messages a completed run sends (see the module's docstring). ``sent`` is what
    became of the officers' messages, officer → None (delivered) or why not, when they
    have been sent; the team's summary names as emailed only those delivered. Without
    it (nothing sent yet) the summary says whose feedback is in the outbox."""
    plan = Plan()
    period = view.period
    names = view.feedback.names
    book = address_book(None, config, actions=[r.action for r in view.rows],
                        issues=view.issues)

    plan.address_problems = list(config.email.address_problems)
    emailed: list[str] = []  # the officers whose message is in the plan
    officers = [o.officer for o in view.feedback.officers]
    for officer in officers:
        todo = view.feedback.items_of(officer)
        address = book.get(officer)
        files = list(dict.fromkeys(i.file for i in todo))
        if officer == UNKNOWN_OFFICER:  # a tracker that could not be read names no one
            plan.unaddressed.append(f"the owner of {', '.join(files)} (not known)")
            continue
        if book.why_not(officer):
            plan.not_emailed[officer] = book.why_not(officer)
            continue
        if not address:
            plan.unaddressed.append(officer)
            continue
        attach = tuple(p for p in (out_dir / "feedback" / names[f] for f in files if f in names)
                       if p.is_file())
        changes = [i for i in todo if i.kind in _KINDS]
        notes = [i for i in todo if i.kind not in _KINDS]  # nothing to fix: for information
        lines = [f"Dear {officer},", ""]
        if changes:
            lines += [f"The {period.name} report has been run. Please make these changes in "
                      f"your tracker before {view.next_update or 'the next report'}:", ""]
            lines += _item_lines(changes)
        else:
            lines += [f"The {period.name} report has been run. There is nothing to change "
                      "in your tracker, but please note:", ""]
        if changes and notes:
            lines += ["For your information (nothing to change unless it is not what you "
                      "meant):", ""]
        lines += _item_lines(notes)
        lines += ["Your tracker" + ("s are" if len(files) > 1 else " is") + " at:"]
        lines += [f"   {view.links.location(f)}" for f in files]
        lines += ["", "The attached feedback workbook links to each cell.", "",
                  _sign_off(config)]
        plan.messages.append(Outgoing(
            "officer", "officer-" + safe_file_stem(officer, "officer"), (address,),
            f"{period.name} report: your tracker needs {len(changes)} change(s)" if changes
            else f"{period.name} report: {len(notes)} note(s) about your tracker",
            "\n".join(lines), attach, period.label, who=officer))
        emailed.append(officer)

    report = out_dir / f"board-report-{period.label}.docx"
    pdf = report.with_suffix(".pdf")
    if config.email.board and report.is_file():
        summary = board_summary(view)
        body = ["Dear colleagues,", "",
                f"Please find attached the {config.report.title} for {period.name}"
                f" ({'Word and PDF' if pdf.is_file() else 'Word'}).", "", *summary, "",
                _sign_off(config)]
        plan.messages.append(Outgoing(
            "board", "board", config.email.board,
            f"{config.board}: {config.report.title}, {period.name}", "\n".join(body),
            tuple(p for p in (report, pdf) if p.is_file()), period.label))

    if config.email.team:
        chase = out_dir / "feedback" / CHASE_LIST
        q = view.quality
        lines = [f"The {period.name} run is done (data as of {view.as_of:%d/%m/%Y}).", "",
                 *board_summary(view), "",
                 f"{q.read} tracker file(s) read; {q.errors} error(s) and "
                 f"{q.warnings} warning(s) in the trackers"
                 + (f"; {q.notes} note(s)" if q.notes else "") + ".",
                 f"{view.feedback.to_fix} officer(s) have something to fix or update"
                 + ("; the chase list is attached." if chase.is_file() else ".")]
        if view.left_out_lines:
            lines += ["", "Left out of every count and total (each is an error on the "
                      "workbook's Issues sheet and in its officer's feedback):"]
            lines += [f"   - {line}" for line in view.left_out_lines]
        if view.left_out.not_trackers:
            lines += ["", "Not trackers, not read (move them out of the trackers folder, or "
                      "save a tracker as .xlsx): "
                      + ", ".join(x.file for x in view.left_out.not_trackers) + "."]
        lines += _who_was_emailed(emailed, plan, sent)
        if plan.unaddressed:
            lines += ["", "No email address is known for these officers: please pass their "
                      "feedback on by hand, and add them to [email.officers] in "
                      "reportgen.toml or an Email column in their tracker:"]
            lines += [f"   - {o}" for o in plan.unaddressed]
        if plan.address_problems:
            lines += ["", "These addresses in reportgen.toml are not one valid address, so "
                      "nothing was sent to them; please correct them:"]
            lines += [f"   - {p.describe()}" for p in plan.address_problems]
        lines += ["", _sign_off(config)]
        plan.messages.append(Outgoing(
            "team", "team", config.email.team, f"reportgen: {period.name} run summary",
            "\n".join(lines), (chase,) if chase.is_file() else (), period.label))
    return plan


def _who_was_emailed(emailed: list[str], plan: Plan,
                     sent: dict[str, str | None] | None) -> list[str]:
    """The team's lines on whose feedback went: emailed only when it was delivered."""
    lines: list[str] = []
    failed = dict(plan.not_emailed)
    if sent is None:
        if emailed:
            lines += ["", "Feedback written for: " + ", ".join(emailed) + " (in the outbox; "
                      "not sent when this summary was written: outbox/delivery.json says "
                      "who has received it)."]
    else:
        went = [o for o in emailed if o in sent and sent[o] is None]
        failed.update((o, sent.get(o) or "not sent") for o in emailed if o not in went)
        if went:
            lines += ["", "Feedback emailed to: " + ", ".join(went) + "."]
    if failed:
        lines += ["", "Feedback NOT emailed to these officers: please pass it on by hand, "
                  "and correct their address:"]
        lines += [f"   - {o}: {why}" for o, why in failed.items()]
    return lines


_KINDS = {"error": "error (the row is left out of the report until it is fixed)",
          "warning": "warning", "update due": "update due"}
"""The kinds of chase item that ask a change; any other (a note) is for information."""


def _item_lines(items) -> list[str]:
    """Each chase item as the officer's message lists it: what, where, what to do."""
    lines: list[str] = []
    for n, item in enumerate(items, 1):
        where = f"{item.file}, sheet {item.sheet}, cell {item.cell}" if item.cell and \
            item.sheet else (f"{item.file}, sheet {item.sheet}" if item.sheet else item.file)
        what = f"{item.action_id} \u201c{short_title(item.action, 80)}\u201d: " if \
            item.action_id else ""
        lines += [f"{n}. {what}{_KINDS.get(item.kind, 'note')}", f"   Where: {where}",
                  f"   What to do: {item.todo}", ""]
    return lines


def _sign_off(config: Config) -> str:
    return f"{config.report.author or 'Performance team'}, {config.partnership}\n" \
           "(sent by reportgen)"


def build(message: Outgoing, config: Config, now: datetime) -> EmailMessage:
    """The RFC 5322 message, dated ``now``, its Message-ID made from its key. An address
    with a non-ASCII part before the @ is written as UTF-8 (RFC 6532), never as an
    RFC 2047 encoded-word, which RFC 2047 forbids in an address; such a message can go
    only through a relay that offers SMTPUTF8 (reportgen.mail.send checks)."""
    sender = config.email.sender or "reportgen@localhost"
    domain = sender.rpartition("@")[2] or "localhost"
    msg = EmailMessage(policy=SMTPUTF8 if any(map(needs_smtputf8, message.to)) else SMTP)
    msg["From"] = sender
    msg["To"] = ", ".join(message.to)  # each one strictly parsed address
    msg["Subject"] = message.subject
    msg["Date"] = format_datetime(now.astimezone() if now.tzinfo is None else now)
    msg["Message-ID"] = f"<{message.key[:40]}.{message.kind}@{domain}>"
    msg["X-Reportgen-Kind"] = message.kind
    if message.who:  # whose message it is, for what the sender reports
        msg[OFFICER_HEADER] = message.who
    msg.set_content(message.body + "\n")
    for path in message.attachments:
        maintype, subtype = _TYPES.get(path.suffix.lower()) or tuple(
            (mimetypes.guess_type(path.name)[0] or "application/octet-stream").split("/", 1))
        msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype,
                           filename=path.name)
    return msg


REMINDER_PREFIX = "remind-"


def write_outbox(plan: Plan, config: Config, out_dir: Path, now: datetime,
                 reminders: bool = False) -> list[Path]:
    """Write the plan's messages as ``out_dir/outbox/<name>.eml``, whole or not at all
    (the folder replaces the previous one, which goes to previous/). The other occasion's
    messages already there (reminders, when writing a run's messages, and the reverse)
    are kept. Returns the files written."""
    from reportgen.outputs import Staging

    if not plan.messages:
        return []
    current = out_dir / OUTBOX
    with Staging(out_dir) as staging:
        box = staging.folder(OUTBOX)
        if current.is_dir():
            for old in current.glob("*.eml"):
                if old.name.startswith(REMINDER_PREFIX) != reminders:
                    shutil.copy2(old, box / old.name)
        written: list[str] = []
        for message in plan.messages:
            name = _unique(f"{message.name}.eml", written)  # two officers, one file name
            (box / name).write_bytes(build(message, config, now).as_bytes())
            written.append(name)
        staging.commit(whole_set=False)
    return [current / name for name in written]


def _unique(name: str, taken: list[str]) -> str:
    stem, n = name.removesuffix(".eml"), 1
    while name in taken:
        n += 1
        name = f"{stem} ({n}).eml"
    return name


def add_to_outbox(message: Outgoing, config: Config, out_dir: Path, now: datetime) -> Path:
    """Write one more message into the period's outbox (the team's summary, composed
    once the officers' messages have been sent), whole. Returns its path."""
    path = out_dir / OUTBOX / f"{message.name}.eml"
    write_atomic(path, build(message, config, now).as_bytes())
    return path


__all__ = ["OFFICER_HEADER", "OUTBOX", "REMINDER_PREFIX", "AddressBook", "Outgoing", "Plan",
           "add_to_outbox", "address_book", "after_run_messages",
           "board_summary", "build", "tracker_location", "write_outbox"]
