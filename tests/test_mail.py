"""Email (issue 19): the outbox, a real SMTP server on localhost (aiosmtpd), STARTTLS
against a self-signed certificate (trustme), refused recipients, the sent log, the
password, reminders and links that survive delivery."""

import dataclasses
import io
import json
import logging
import os
import shutil
import socket
import ssl
import subprocess
from datetime import date, datetime
from email import message_from_binary_file, message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import docx
import openpyxl
import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from builders import HEADERS, good_row, write_tracker
from conftest import ROOT, TODAY
from reportgen.config import ConfigError, config_from_dict, load_config
from factories import view_of
from reportgen.mail import DELIVERY, deliver_run, send_reminders
from reportgen.mail.remind import reminder_due, reminder_window
from reportgen.mail.send import PASSWORD_ENV, SENT_LOG, send_outbox
from reportgen.model import Period

NOW = datetime(2018, 10, 5, 9, 30)
PASSWORD = "s3cret-Relay-pa55"
OFFICERS = {"Iain Scott": "iain.scott@example.org", "Peter Douglas": "peter.douglas@example.org",
            "Graeme Turnbull": "graeme.turnbull@example.org"}


# --------------------------------------------------------------------------- a relay


class Recorder:
    """An aiosmtpd handler that keeps what it receives and refuses some recipients."""

    def __init__(self, refuse=()):
        self.refuse = set(refuse)
        self.messages = []  # (recipients, message)
        self.rcpt_tries = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpt_tries[address] = self.rcpt_tries.get(address, 0) + 1
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos),
                              message_from_bytes(envelope.content, policy=default_policy)))
        return "250 Message accepted"

    def received(self, address):
        return [m for rcpts, m in self.messages if address in rcpts]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


@pytest.fixture
def client_context(ca):
    ctx = ssl.create_default_context()
    ca.configure_trust(ctx)
    return ctx


def _server_context(ca):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(ctx)
    return ctx


def _logins():
    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login, auth_data.password))
        ok = auth_data.login == b"reportgen" and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok)
    return seen, authenticator


@pytest.fixture
def relay(ca):
    """start(handler, security) → (controller, port); stopped after the test."""
    started = []

    def start(handler, security="starttls", **kwargs):
        port = free_port()
        if security == "ssl":
            c = Controller(handler, hostname="127.0.0.1", port=port,
                           ssl_context=_server_context(ca), **kwargs)
        elif security == "starttls":
            c = Controller(handler, hostname="127.0.0.1", port=port,
                           tls_context=_server_context(ca), require_starttls=True, **kwargs)
        else:
            c = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
        c.start()
        started.append(c)
        return port
    yield start
    for c in started:
        c.stop()


# --------------------------------------------------------------------------- a run


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    """The samples' September 2018 cycle, once; with a PDF of the paper where LibreOffice
    is installed. Tests copy its output folder."""
    from reportgen.pdf import ENV, find_soffice, write_pdf
    from reportgen.pipeline import ALL_ARTEFACTS, HistoryUse, run_cycle

    cfg = load_config(ROOT / "reportgen.toml")
    out = tmp_path_factory.mktemp("mail") / "output"
    result = run_cycle(cfg, Period(2018, 9), today=TODAY, now=datetime(2018, 10, 5, 9, 0),
                       workbooks=ROOT / "workbooks", output=out, artefacts=ALL_ARTEFACTS,
                       history=HistoryUse.NONE)
    saved = os.environ.pop(ENV, None)
    try:
        if find_soffice() is not None:
            report = result.outputs["report"]
            assert write_pdf(report, report.with_suffix(".pdf")) is None
    finally:
        if saved is not None:
            os.environ[ENV] = saved
    return result


@pytest.fixture
def out_dir(cycle, tmp_path):
    dest = tmp_path / "output" / "2018-09"
    shutil.copytree(cycle.out_dir, dest)
    return dest


def mail_config(port=25, security="starttls", send=True, username="reportgen", **email):
    raw = {
        "objectives": [{"number": n, "text": f"Objective {n}"} for n in (1, 2, 3)],
        "funding_streams": [{"name": "Integrated Care Fund"}],
        "email": {"send": send, "host": "localhost", "port": port, "security": security,
                  "username": username, "sender": "performance@example.org",
                  "board": ["clerk@example.org", "chair@example.org"],
                  "team": ["performance@example.org"], "officers": dict(OFFICERS),
                  "retries": 1, "timeout_s": 10, **email},
        "report": {"title": "Monitoring Report", "author": "Planning & Performance Officer"},
    }
    return config_from_dict(raw, ROOT / "reportgen.toml")


def eml(path):
    with open(path, "rb") as f:
        return message_from_binary_file(f, policy=default_policy)


def attachments(msg):
    return {part.get_filename(): part.get_content() for part in msg.iter_attachments()}


def body(msg):
    return msg.get_body(("plain",)).get_content()


# --------------------------------------------------------------------------- the outbox


def test_send_false_writes_the_messages_as_eml(cycle, out_dir):
    cfg = mail_config(send=False)
    outcome = deliver_run(view_of(cycle.run, cfg, ROOT / "workbooks"), cfg, out_dir, now=NOW)
    assert outcome.report is None
    box = out_dir / "outbox"
    names = sorted(p.name for p in box.glob("*.eml"))
    assert names == ["board.eml", "officer-Graeme Turnbull.eml", "officer-Iain Scott.eml",
                     "officer-Peter Douglas.eml", "team.eml"]
    assert outcome.unaddressed == ["Jen Armstrong"]

    board = eml(box / "board.eml")
    assert board["To"] == "clerk@example.org, chair@example.org"
    assert board["From"] == "performance@example.org"
    assert board["Date"].datetime.replace(tzinfo=None) == NOW
    text = body(board)
    # an action repeated under several objectives is counted once, as the paper counts it
    assert ("The plan has 35 distinct actions (64 tracker rows): 5 Red, 7 Amber, 15 Green, "
            "7 Blue, 1 Cancelled.") in text
    assert "newly Red" in text and "Finance: budget £3,105,000" in text
    files = attachments(board)
    assert docx.Document(io.BytesIO(files["board-report-2018-09.docx"])).paragraphs

    iain = eml(box / "officer-Iain Scott.eml")
    assert iain["To"] == "iain.scott@example.org"
    text = body(iain)
    assert "Where: Objective2_PatientFlow_IScott.xlsx, sheet" in text
    assert "What to do:" in text
    assert str((ROOT / "workbooks" / "Objective2_PatientFlow_IScott.xlsx").resolve()) in text
    (name, data), = attachments(iain).items()
    assert name == "Objective2_PatientFlow_IScott.xlsx"
    assert "What to fix" in openpyxl.load_workbook(io.BytesIO(data)).sheetnames

    team = eml(box / "team.eml")
    assert "chase-list.xlsx" in attachments(team)
    assert "No email address is known for these officers" in body(team)
    assert "   - Jen Armstrong" in body(team)
    report = json.loads((box / DELIVERY).read_text(encoding="utf-8"))
    assert report["sent"] is False and report["no_address"] == ["Jen Armstrong"]


def test_the_same_message_composed_again_has_the_same_message_id(cycle, out_dir):
    cfg = mail_config(send=False)
    deliver_run(view_of(cycle.run, cfg, ROOT / "workbooks"), cfg, out_dir, now=NOW)
    first = eml(out_dir / "outbox" / "team.eml")["Message-ID"]
    deliver_run(view_of(cycle.run, cfg, ROOT / "workbooks"), cfg, out_dir, now=datetime(2018, 10, 6))
    assert eml(out_dir / "outbox" / "team.eml")["Message-ID"] == first
    assert (out_dir / "previous" / "outbox" / "team.eml").is_file()


def test_record_issues_reach_no_one_and_the_team_names_who_was_emailed(cycle, out_dir):
    from reportgen.issues import make_issue

    missed = make_issue("period-missed", file="history.sqlite", value="August 2018")
    run = dataclasses.replace(cycle.run, issues=(*cycle.run.issues, missed))
    outcome = deliver_run(view_of(run, mail_config(send=False), ROOT / "workbooks"), mail_config(send=False), out_dir, now=NOW)
    assert outcome.unaddressed == ["Jen Armstrong"]
    text = body(eml(out_dir / "outbox" / "team.eml"))
    assert "history.sqlite" not in text
    # not sent yet (send = false): the summary says whose feedback is in the outbox
    assert not any(line.startswith("Feedback emailed") for line in text.splitlines())
    written = next(line for line in text.splitlines() if line.startswith("Feedback written"))
    assert "Jen Armstrong" not in written and "Not known" not in written


# --------------------------------------------------------------------------- the relay


def test_starttls_login_each_recipient_gets_their_messages_once(
        cycle, out_dir, relay, client_context, monkeypatch, caplog):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    logins, authenticator = _logins()
    handler = Recorder()
    port = relay(handler, "starttls", authenticator=authenticator, auth_require_tls=True)
    cfg = mail_config(port)
    caplog.set_level(logging.DEBUG)

    outcome = deliver_run(view_of(cycle.run, cfg, ROOT / "workbooks"), cfg, out_dir, now=NOW,
                          context=client_context, delay=0)
    assert outcome.not_delivered == {}
    assert logins and logins[-1] == (b"reportgen", PASSWORD.encode())
    for address in ("clerk@example.org", "chair@example.org"):
        (msg,) = handler.received(address)
        files = attachments(msg)
        assert docx.Document(io.BytesIO(files["board-report-2018-09.docx"])).paragraphs
        pdf = files.get("board-report-2018-09.pdf")
        if (cycle.out_dir / "board-report-2018-09.pdf").is_file():
            assert pdf is not None
            path = out_dir / "received.pdf"
            path.write_bytes(pdf)
            info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True)
            assert "Tagged:          yes" in info.stdout
    (team,) = handler.received("performance@example.org")
    assert team["Subject"] == "reportgen: September 2018 run summary"
    chase = openpyxl.load_workbook(io.BytesIO(attachments(team)["chase-list.xlsx"]))
    assert chase.sheetnames == ["By officer", "Chase list"]
    (iain,) = handler.received("iain.scott@example.org")
    assert "your tracker needs" in iain["Subject"]
    assert handler.received("jen.armstrong@example.org") == []
    assert len(handler.messages) == 5

    # a re-run sends nothing twice
    again = deliver_run(view_of(cycle.run, cfg, ROOT / "workbooks"), cfg, out_dir, now=NOW,
                        context=client_context, delay=0)
    assert len(handler.messages) == 5 and again.report.sent == 0
    assert send_outbox(out_dir, cfg, NOW, context=client_context, delay=0).sent == 0
    assert len(handler.messages) == 5

    # the password is nowhere: log, sent log, delivery report, .eml files, manifest
    assert PASSWORD not in caplog.text
    for path in [out_dir / SENT_LOG, out_dir / "manifest.json",
                 *(out_dir / "outbox").iterdir()]:
        assert PASSWORD.encode() not in path.read_bytes(), path
    sent = json.loads((out_dir / SENT_LOG).read_text(encoding="utf-8"))
    assert sum(len(e["delivered"]) for e in sent.values()) == 6


def test_a_refused_recipient_does_not_stop_the_others(cycle, out_dir, relay, client_context,
                                                      monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    handler = Recorder(refuse={"chair@example.org", "iain.scott@example.org"})
    _, authenticator = _logins()
    port = relay(handler, "starttls", authenticator=authenticator)
    cfg = mail_config(port, retries=2)
    outcome = deliver_run(view_of(cycle.run, cfg, ROOT / "workbooks"), cfg, out_dir, now=NOW,
                          context=client_context, delay=0)
    assert outcome.not_delivered == {
        "board.eml": {"chair@example.org": "550 5.1.1 mailbox unavailable"},
        "officer-Iain Scott.eml": {"iain.scott@example.org": "550 5.1.1 mailbox unavailable"}}
    assert handler.rcpt_tries["chair@example.org"] == 3  # tried, then retried twice
    assert len(handler.received("clerk@example.org")) == 1
    assert len(handler.received("peter.douglas@example.org")) == 1
    report = json.loads((out_dir / "outbox" / DELIVERY).read_text(encoding="utf-8"))
    assert report["not_delivered"]["board.eml"] == {
        "chair@example.org": "550 5.1.1 mailbox unavailable"}
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    # the manifest says what was not delivered (its record nested by occasion: "run")
    assert manifest["email"]["run"]["sent"] is True
    assert manifest["email"]["run"]["not_delivered"] == outcome.not_delivered
    assert sorted(report["messages"]) == ["board.eml", "officer-Graeme Turnbull.eml",
                                  "officer-Iain Scott.eml", "officer-Peter Douglas.eml",
                                  "team.eml"]  # the file names, not overwritten
    assert {d["file"] for d in report["deliveries"]} == set(report["messages"])

    # once the mailbox is back, `send` reaches only those not yet reached
    handler.refuse.clear()
    before = len(handler.messages)
    again = send_outbox(out_dir, cfg, NOW, context=client_context, delay=0)
    assert again.failed == {} and again.sent == 2
    assert len(handler.messages) == before + 2
    assert len(handler.received("clerk@example.org")) == 1
    assert len(handler.received("chair@example.org")) == 1


def test_implicit_tls_without_login(cycle, out_dir, relay, client_context):
    handler = Recorder()
    port = relay(handler, "ssl")
    cfg = mail_config(port, security="ssl", username="")
    outcome = deliver_run(view_of(cycle.run, cfg, ROOT / "workbooks"), cfg, out_dir, now=NOW,
                          context=client_context, delay=0)
    assert outcome.not_delivered == {} and len(handler.messages) == 5


def test_an_untrusted_certificate_is_refused(cycle, out_dir, relay):
    port = relay(Recorder(), "starttls")
    cfg = mail_config(port, username="", retries=0)
    outcome = deliver_run(view_of(cycle.run, cfg, ROOT / "workbooks"), cfg, out_dir, now=NOW, delay=0,
                          context=ssl.create_default_context())
    reasons = {r for failed in outcome.not_delivered.values() for r in failed.values()}
    assert len(outcome.not_delivered) == 5 and all(r.startswith("TLS failed") for r in reasons)


def test_a_relay_that_is_down_is_reported_per_recipient(cycle, out_dir):
    cfg = mail_config(free_port(), security="none", username="", retries=1)
    outcome = deliver_run(view_of(cycle.run, cfg, ROOT / "workbooks"), cfg, out_dir, now=NOW, delay=0)
    assert set(outcome.not_delivered["board.eml"]) == {"clerk@example.org",
                                                       "chair@example.org"}
    assert len(outcome.not_delivered) == 5
    assert json.loads((out_dir / SENT_LOG).read_text(encoding="utf-8"))  # nothing delivered
    assert not any(e["delivered"] for e in
                   json.loads((out_dir / SENT_LOG).read_text(encoding="utf-8")).values())


def test_cli_send_exit_code_names_what_was_not_delivered(cycle, out_dir, tmp_path,
                                                         capsys):
    from reportgen.cli import main

    text = (ROOT / "reportgen.toml").read_text(encoding="utf-8")
    text = text.replace('host = "smtp.example.org"', 'host = "127.0.0.1"').replace(
        "port = 587", f"port = {free_port()}").replace(
        'security = "starttls"', 'security = "none"').replace(
        'remind_days = 5', 'remind_days = 5\nretries = 0')
    base = ROOT.as_posix()
    text = text.replace('workbooks = "workbooks"', f'workbooks = "{base}/workbooks"').replace(
        'output = "output"', f'output = "{out_dir.parent.as_posix()}"').replace(
        'template = "templates', f'template = "{base}/templates')
    cfg = tmp_path / "reportgen.toml"
    cfg.write_text(text, encoding="utf-8")
    deliver_run(view_of(cycle.run, load_config(cfg), ROOT / "workbooks"), load_config(cfg), out_dir, now=NOW, send=False)
    code = main(["send", "--period", "2018-09", "--config", str(cfg)])
    out = capsys.readouterr().out
    assert code == 7
    assert "NOT delivered: board.eml to clerk@example.org: ConnectionRefusedError" in out
    # `send` records as a run does: delivery.json and the manifest
    report = json.loads((out_dir / "outbox" / DELIVERY).read_text(encoding="utf-8"))
    assert report["occasion"] == "send" and report["sent"] is True
    assert "clerk@example.org" in report["not_delivered"]["board.eml"]
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["email"]["send"]["not_delivered"] == report["not_delivered"]
    assert manifest["email"]["run"]["sent"] is False  # the run's record is kept


def test_sending_needs_host_and_sender_wherever_it_starts(cycle, out_dir):
    from reportgen.errors import UsageError

    cfg = mail_config(send=False, host="")
    with pytest.raises(UsageError, match="host and sender"):
        deliver_run(view_of(cycle.run, cfg, ROOT / "workbooks"), cfg, out_dir, now=NOW, send=True)
    with pytest.raises(UsageError, match="host and sender"):
        send_outbox(out_dir, cfg, NOW)


def test_reminders_send_only_the_reminders_and_keep_the_runs_record(
        cycle, out_dir, relay, client_context):
    handler = Recorder()
    cfg = mail_config(relay(handler, "starttls"), username="")
    deliver_run(view_of(cycle.run, cfg, ROOT / "workbooks"), cfg, out_dir, now=NOW, send=False)
    outcome = send_reminders(cfg, date(2018, 10, 1), NOW, workbooks=ROOT / "workbooks",
                             output=out_dir.parent, context=client_context, delay=0,
                             send=True)
    assert outcome.files and outcome.not_delivered == {}
    assert handler.messages  # the reminders went
    assert all(m["X-Reportgen-Kind"] == "reminder" for _, m in handler.messages)
    assert handler.received("clerk@example.org") == []  # the run's board message did not
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["email"]["run"] == {"messages": 5, "sent": False,
                                        "no_address": ["Jen Armstrong"], "emailed": [],
                                        "not_emailed": {}, "not_delivered": {}}
    assert manifest["email"]["reminders"]["sent"] is True


# --------------------------------------------------------------------------- reminders


def test_the_reminder_window_counts_scottish_working_days(config):
    # September 2018's report is due on the 5th working day of October: Fri 05/10/2018
    assert reminder_window(Period(2018, 9), config) == (date(2018, 9, 28), date(2018, 10, 5))
    assert reminder_due(config, date(2018, 9, 27)) is None
    assert reminder_due(config, date(2018, 9, 28)) == Period(2018, 9)
    assert reminder_due(config, date(2018, 10, 5)) == Period(2018, 9)
    assert reminder_due(config, date(2018, 10, 8)) is None


def test_each_officer_gets_one_reminder_once(tmp_path, relay, client_context):
    workbooks = tmp_path / "workbooks"
    workbooks.mkdir()
    write_tracker(workbooks / "t1.xlsx", [
        good_row(1, **{"Lead officer email": "morag@example.org"}),
        good_row(2, **{"Lead officer email": "morag@example.org"}),
        good_row(3, Status="Complete", **{"% Complete": 100, "Lead officer email": ""}),
        good_row(4, **{"Lead Officer": "Iain Scott", "Lead officer email": ""}),
        good_row(5, **{"Lead Officer": "Jen Armstrong", "Lead officer email": ""}),
    ], headers=[*HEADERS, "Lead officer email"])
    handler = Recorder()
    port = relay(handler, "starttls")
    cfg = mail_config(port, username="")
    kwargs = dict(workbooks=workbooks, output=tmp_path / "output", context=client_context,
                  delay=0)
    outcome = send_reminders(cfg, date(2018, 10, 1), NOW, **kwargs)
    assert outcome.not_delivered == {} and outcome.unaddressed == ["Jen Armstrong"]
    (morag,) = handler.received("morag@example.org")
    assert morag["Subject"] == "Update due by 05/10/2018: September 2018 report"
    text = body(morag)
    assert "- T-001:" in text and "- T-002:" in text and "T-003" not in text
    assert str((workbooks / "t1.xlsx").resolve()) in text
    assert len(handler.received("iain.scott@example.org")) == 1
    assert send_reminders(cfg, date(2018, 10, 2), NOW, **kwargs).report.sent == 0
    assert len(handler.messages) == 2
    assert send_reminders(cfg, date(2018, 10, 8), NOW, **kwargs) is None


def test_a_reminder_is_the_same_message_when_an_action_changes():
    from reportgen.mail.compose import Outgoing

    def message(kind, text):
        return Outgoing(kind, "x", ("m@example.org",), "Update due", text, (), "2018-09")

    assert message("reminder", "- T-001: 40%").key == message("reminder", "- T-001: 60%").key
    assert message("officer", "- T-001: 40%").key != message("officer", "- T-001: 60%").key


def test_a_failed_reminder_is_tried_again_hourly_not_every_tick(monkeypatch):
    from reportgen.cli import mail as cli_mail
    import reportgen.mail

    calls = []

    def fail(*args, **kwargs):
        calls.append(args[2])
        raise OSError("relay down")

    monkeypatch.setattr(cli_mail, "_reminded", {})
    monkeypatch.setattr(reportgen.mail, "send_reminders", fail)
    cfg = mail_config(send=False)
    with pytest.raises(OSError):
        cli_mail.remind_now(cfg, datetime(2018, 10, 1, 9, 0))
    cli_mail.remind_now(cfg, datetime(2018, 10, 1, 9, 30))  # within the hour: not tried
    assert calls == [datetime(2018, 10, 1, 9, 0)]
    with pytest.raises(OSError):
        cli_mail.remind_now(cfg, datetime(2018, 10, 1, 10, 0))  # an hour on: tried again
    assert len(calls) == 2


# --------------------------------------------------------------------------- links, config


def test_feedback_links_are_absolute_or_the_configured_base(tmp_path):
    from reportgen.view.links import Links

    url = Links(tmp_path, "https://nhs.sharepoint.com/sites/plan/Trackers/").cell(
        "Obj 3 & C.xlsx", "Action Plan", "H9")
    assert url == ("https://nhs.sharepoint.com/sites/plan/Trackers/Obj%203%20&%20C.xlsx"
                   "#'Action Plan'!H9")
    local = Links(tmp_path).cell("t.xlsx")
    assert local.startswith("external:") and Path(local[9:]).is_absolute()


def test_feedback_workbook_links_use_the_base(cycle, tmp_path):
    from reportgen.render.feedback import write_feedback

    base = "https://example.sharepoint.com/sites/plan/Trackers"
    cfg = dataclasses.replace(load_config(ROOT / "reportgen.toml"),
                              links=dataclasses.replace(load_config(
                                  ROOT / "reportgen.toml").links, base=base))
    written = write_feedback(view_of(cycle.run, cfg, ROOT / "workbooks"), cfg, tmp_path / "fb")
    ws = openpyxl.load_workbook(written[0])["What to fix"]
    targets = [c.hyperlink.target for row in ws.iter_rows() for c in row if c.hyperlink]
    assert targets and all(t.startswith(base + "/") for t in targets)


@pytest.mark.parametrize("email, message", [
    ({"security": "tls"}, "'email.security' must be one of"),
    ({"sender": "not an address"}, "'email.sender' must be one e-mail address"),
    ({"sender": "a@example.org, b@example.org"}, "it contains a comma"),
    ({"password": "x"}, "unknown key 'email.password'"),
    ({"send": True, "host": ""}, "'email.host' must be set"),
    ({"board": "clerk@example.org"}, "'email.board' must be a list"),
])
def test_email_configuration_is_checked(email, message):
    raw = {"objectives": [{"number": 1, "text": "One"}],
           "funding_streams": [{"name": "ICF"}], "email": email}
    with pytest.raises(ConfigError, match=message):
        config_from_dict(raw, Path("reportgen.toml"))


def test_the_email_column_is_read(tmp_path, read):
    path = write_tracker(tmp_path / "t.xlsx", [good_row(1, Email="morag@example.org")],
                         headers=[*HEADERS, "Email"])
    (action,) = read(path).actions
    assert action.email == "morag@example.org"


def test_the_scheduler_sends_reminders_from_the_time_of_day_once(tmp_path, monkeypatch):
    from reportgen.cli import mail as cli_mail
    from reportgen.scheduler import run_schedule

    workbooks = tmp_path / "workbooks"
    workbooks.mkdir()
    write_tracker(workbooks / "t1.xlsx", [good_row(1, **{"Lead officer email": "m@example.org"})],
                  headers=[*HEADERS, "Lead officer email"])
    cfg = dataclasses.replace(mail_config(send=False), paths=dataclasses.replace(
        load_config(ROOT / "reportgen.toml").paths, workbooks=workbooks,
        output=tmp_path / "output"))
    monkeypatch.setattr(cli_mail, "_reminded", {})
    box = tmp_path / "output" / "2018-09" / "outbox"
    cli_mail.remind_now(cfg, datetime(2018, 10, 1, 8, 59))  # before [schedule] time
    assert not box.exists()
    seen = []
    run_schedule(cfg, lambda p: True, lambda: Period(2018, 9), tmp_path / "s.lock",
                 clock=lambda: datetime(2018, 10, 1, 9, 0), should_stop=lambda: True,
                 remind=lambda now: (seen.append(now), cli_mail.remind_now(cfg, now)))
    assert seen == [datetime(2018, 10, 1, 9, 0)]
    assert [p.name for p in box.glob("*.eml")] == ["remind-Morag Elliot.eml"]
    shutil.rmtree(box)
    cli_mail.remind_now(cfg, datetime(2018, 10, 1, 10, 0))  # done once: not again
    assert not box.exists()
