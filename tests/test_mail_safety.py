"""Nobody gets what is not theirs (issue 27), over a real SMTP relay on localhost
(aiosmtpd): an Email cell that is not one address reaches nobody and is named; whoever
is not reached is never counted as emailed; each message is sent once whatever overlaps
(a `run` that sends and a `send` started together, two senders at once); SMTPUTF8 and
IDNA."""

import asyncio
import json
import logging
import os
import subprocess
import sys
import threading
from collections import Counter
from datetime import datetime

import pytest

from builders import HEADERS, good_row, write_tracker
from conftest import ROOT, TODAY
from reportgen.mail import DELIVERY, deliver_run
from reportgen.mail.send import NO_SMTPUTF8, SENT_LOG, send_outbox
from reportgen.model import Period
from test_address import ATTACKS
from test_mail import Recorder, ca, mail_config, relay  # noqa: F401 (fixtures)

NOW = datetime(2018, 10, 5, 9, 30)
GOOD = {"Morag Elliot": "morag@example.org", "Iain Scott": "iain@example.org"}
OUTSIDERS = ("victim2@example.com", "victim3@example.com", "victim4@example.com")


def _trackers(folder, attacks=ATTACKS):
    """One tracker per officer: the attackers' Email cells hold ``attacks``; every row
    has a warning (100% but In progress), so every officer has feedback to get."""
    folder.mkdir(parents=True, exist_ok=True)
    officers = {**attacks, **GOOD}
    for n, (officer, value) in enumerate(officers.items(), 1):
        row = good_row(n, **{"Lead Officer": officer, "Email": value, "% Complete": 100})
        write_tracker(folder / f"t{n}.xlsx", [row], headers=[*HEADERS, "Email"])
    return folder


def _cfg_text(workbooks, output, port, *, send=True, board=("clerk@example.org",),
              team=("performance@example.org",), officers=None):
    q = json.dumps
    lines = [
        'partnership = "Test Partnership"', 'board = "Test Board"',
        'localities = ["Eildon"]',
        "[paths]", f"workbooks = {q(workbooks.as_posix())}", f"output = {q(output.as_posix())}",
        f"template = {q((ROOT / 'templates' / 'board_report.docx').as_posix())}",
        f"history = {q((output / 'history.sqlite').as_posix())}",
        *[f'[[objectives]]\nnumber = {n}\ntext = "Objective {n}"' for n in (1, 2, 3)],
        '[[funding_streams]]\nname = "Integrated Care Fund"',
        "[report]", "pdf = false",
        "[email]", f"send = {'true' if send else 'false'}", 'host = "127.0.0.1"',
        f"port = {port}", 'security = "none"', 'sender = "performance@example.org"',
        f"board = {q(list(board))}", f"team = {q(list(team))}", "retries = 0",
        "timeout_s = 30",
    ]
    if officers:
        lines += ["[email.officers]", *(f"{q(k)} = {q(v)}" for k, v in officers.items())]
    return "\n".join(lines) + "\n"


def _cycle(workbooks, output):
    from reportgen.config import load_config
    from reportgen.pipeline import ALL_ARTEFACTS, HistoryUse, run_cycle

    cfg_path = output.parent / "reportgen.toml"
    cfg_path.write_text(_cfg_text(workbooks, output, 25, send=False), encoding="utf-8")
    return run_cycle(load_config(cfg_path), Period(2018, 9), today=TODAY,
                     now=datetime(2018, 10, 5, 9, 0), workbooks=workbooks, output=output,
                     artefacts=ALL_ARTEFACTS, history=HistoryUse.NONE)


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    """A September 2018 cycle over the attackers' and two good officers' trackers."""
    base = tmp_path_factory.mktemp("attacked")
    workbooks = _trackers(base / "workbooks")
    return workbooks, _cycle(workbooks, base / "output")


def _copy(result, tmp_path):
    import shutil

    dest = tmp_path / "output" / "2018-09"
    shutil.copytree(result.out_dir, dest)
    return dest


def body(msg):
    return msg.get_body(("plain",)).get_content().replace("\r\n", "\n")


def _pairs(handler):
    """Counter of (Message-ID, recipient) over everything the relay accepted."""
    return Counter((m["Message-ID"], r) for rcpts, m in handler.messages for r in rcpts)


# --------------------------------------------------------------------------- addresses


def test_bad_email_cells_reach_nobody_and_the_others_still_go(attacked, tmp_path, relay):
    workbooks, result = attacked
    out_dir = _copy(result, tmp_path)
    handler = Recorder()
    cfg = mail_config(relay(handler, "none"), security="none", username="", officers={})
    outcome = deliver_run(result.view, cfg, out_dir, now=NOW, delay=0)

    rcpts = {r for rcpts, _ in handler.messages for r in rcpts}
    assert rcpts == {"morag@example.org", "iain@example.org", "clerk@example.org",
                     "chair@example.org", "performance@example.org"}  # no extra recipient
    for _, m in handler.messages:  # no header names an outsider, none was injected
        assert m["Bcc"] is None and m["Cc"] is None
        assert not any(o in str(m["To"]) for o in OUTSIDERS)
    assert all(n == 1 for n in _pairs(handler).values())
    assert sorted(outcome.emailed) == ["Iain Scott", "Morag Elliot"]
    assert set(outcome.not_emailed) == set(ATTACKS)
    assert "has more than one @" in outcome.not_emailed["Graeme Turnbull"]
    assert outcome.failures == len(ATTACKS)

    # the team is told who was emailed, and who was not and why
    (team,) = handler.received("performance@example.org")
    text = body(team)
    assert "Feedback emailed to: Iain Scott, Morag Elliot." in text
    graeme = next(line for line in text.splitlines() if "- Graeme Turnbull:" in line)
    assert "Actions!T5" in graeme and "'graeme.turnbull@@example.org'" in graeme
    eve = next(line for line in text.splitlines() if "- Eve Evil:" in line)
    assert "<U+000D><U+000A>Bcc:" in eve and "line break" in eve
    report = json.loads((out_dir / "outbox" / DELIVERY).read_text(encoding="utf-8"))
    assert sorted(report["emailed"]) == ["Iain Scott", "Morag Elliot"]
    assert set(report["not_emailed"]) == set(ATTACKS)
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["email"]["run"]["not_emailed"]) == set(ATTACKS)


def test_a_message_the_relay_refuses_is_not_counted_as_emailed(attacked, tmp_path, relay):
    workbooks, result = attacked
    out_dir = _copy(result, tmp_path)
    handler = Recorder(refuse={"iain@example.org"})
    cfg = mail_config(relay(handler, "none"), security="none", username="", officers={},
                      retries=0)
    outcome = deliver_run(result.view, cfg, out_dir, now=NOW, delay=0)
    assert outcome.emailed == ["Morag Elliot"]
    assert outcome.not_emailed["Iain Scott"] == "550 5.1.1 mailbox unavailable"
    text = body(handler.received("performance@example.org")[0])
    assert "Feedback emailed to: Morag Elliot." in text
    assert "   - Iain Scott: 550 5.1.1 mailbox unavailable" in text


def test_a_mistyped_officer_is_not_emailed_on_the_console_the_team_and_delivery_json(
        tmp_path, relay, capsys):
    from reportgen.cli import main

    workbooks = _trackers(tmp_path / "workbooks",
                          {"Graeme Turnbull": "graeme.turnbull@@example.org"})
    handler = Recorder()
    port = relay(handler, "none")
    cfg = tmp_path / "reportgen.toml"
    cfg.write_text(_cfg_text(workbooks, tmp_path / "output", port), encoding="utf-8")
    code = main(["run", "--period", "2018-09", "--config", str(cfg)])
    out = capsys.readouterr().out
    assert code == 7  # someone meant to receive a message did not
    assert "  feedback emailed to: Iain Scott, Morag Elliot" in out
    line = next(x for x in out.splitlines() if x.startswith("  NOT emailed: Graeme Turnbull"))
    assert "'graeme.turnbull@@example.org'" in line and "more than one @" in line
    assert "graeme" not in " ".join(r for rcpts, _ in handler.messages for r in rcpts)
    team = body(handler.received("performance@example.org")[0])
    emailed = next(x for x in team.splitlines() if x.startswith("Feedback emailed to:"))
    assert "Graeme" not in emailed and "   - Graeme Turnbull: " in team
    box = tmp_path / "output" / "2018-09" / "outbox"
    report = json.loads((box / DELIVERY).read_text(encoding="utf-8"))
    assert "Graeme Turnbull" not in report["emailed"]
    assert "more than one @" in report["not_emailed"]["Graeme Turnbull"]


def test_a_bad_configured_address_is_named_and_nobody_else_gets_it(attacked, tmp_path, relay):
    workbooks, result = attacked
    out_dir = _copy(result, tmp_path)
    handler = Recorder()
    cfg = mail_config(relay(handler, "none"), security="none", username="",
                      officers={"Morag Elliot": "morag@example.org;outsider@example.com"},
                      board=["clerk@example.org", "chair@example.org,outsider@example.com"])
    outcome = deliver_run(result.view, cfg, out_dir, now=NOW, delay=0)
    rcpts = {r for rcpts, _ in handler.messages for r in rcpts}
    assert "outsider@example.com" not in rcpts and "morag@example.org" not in rcpts
    assert "email.officers.Morag Elliot" in outcome.not_emailed["Morag Elliot"]
    assert [p.key for p in outcome.address_problems] == ["email.board[2]",
                                                         "email.officers.Morag Elliot"]
    text = body(handler.received("performance@example.org")[0])
    assert "reportgen.toml email.board[2] = 'chair@example.org,outsider@example.com'" in text


# --------------------------------------------------------------------------- SMTPUTF8, IDNA


def test_a_non_ascii_local_part_goes_only_where_the_relay_offers_smtputf8(
        attacked, tmp_path, relay):
    workbooks, result = attacked
    officers = {"Morag Elliot": "mörag@example.org", "Iain Scott": "iain@bücher.example"}
    board = ["clerk@example.org", "jürgen@example.org"]

    # a relay without SMTPUTF8: those two fail, saying why; the rest still go
    out_dir = _copy(result, tmp_path / "plain")
    plain = Recorder()
    cfg = mail_config(relay(plain, "none", enable_SMTPUTF8=False), security="none",
                      username="", officers=officers, board=board)
    outcome = deliver_run(result.view, cfg, out_dir, now=NOW, delay=0)
    assert outcome.not_delivered["board.eml"] == {"jürgen@example.org": NO_SMTPUTF8}
    assert outcome.not_emailed["Morag Elliot"] == NO_SMTPUTF8
    (clerk,) = plain.received("clerk@example.org")
    assert clerk["To"] == "clerk@example.org"  # the address it cannot carry is left out
    (iain,) = plain.received("iain@xn--bcher-kva.example")  # the domain in IDNA
    assert iain["To"] == "iain@xn--bcher-kva.example"

    # a relay with SMTPUTF8: delivered, the address in UTF-8, never an encoded-word
    out_dir = _copy(result, tmp_path / "utf8")
    utf8 = Recorder()
    cfg = mail_config(relay(utf8, "none", enable_SMTPUTF8=True), security="none",
                      username="", officers=officers, board=board)
    outcome = deliver_run(result.view, cfg, out_dir, now=NOW, delay=0)
    assert outcome.not_delivered == {} and "Morag Elliot" in outcome.emailed
    (morag,) = utf8.received("mörag@example.org")
    raw = (out_dir / "outbox" / "officer-Morag Elliot.eml").read_bytes()
    assert "To: mörag@example.org".encode() in raw and b"=?utf-8?" not in raw.split(
        b"\r\n\r\n")[0].split(b"Subject")[0]
    assert morag["To"] == "mörag@example.org"


# --------------------------------------------------------------------------- sent once


class Gate(Recorder):
    """A relay that holds the first message's DATA until released."""

    def __init__(self):
        super().__init__()
        self.first = threading.Event()
        self.release = threading.Event()
        self.gated = False

    async def handle_DATA(self, server, session, envelope):
        if not self.gated:
            self.gated = True
            self.first.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 120)
        return await super().handle_DATA(server, session, envelope)


def test_run_sending_and_send_started_together_deliver_each_message_once(tmp_path, relay):
    workbooks = _trackers(tmp_path / "workbooks", {})
    handler = Gate()
    port = relay(handler, "none")
    cfg = tmp_path / "reportgen.toml"
    cfg.write_text(_cfg_text(workbooks, tmp_path / "output", port), encoding="utf-8")
    env = {**os.environ, "REPORTGEN_SOFFICE": "none"}
    command = [sys.executable, "-m", "reportgen.cli"]
    run = subprocess.Popen([*command, "run", "--period", "2018-09", "--config", str(cfg)],
                           cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        assert handler.first.wait(300), run.communicate()  # `run` is sending its first
        send = subprocess.run([*command, "send", "--period", "2018-09", "--config",
                               str(cfg)], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=300)
    finally:
        handler.release.set()
    out, err = run.communicate(timeout=300)
    assert run.returncode in (0, 1), err
    # `send` found the run lock held: it sent nothing, and said who holds it
    assert send.returncode == 4, send.stderr
    assert "reportgen run" in send.stderr and "holds the lock" in send.stderr
    pairs = _pairs(handler)
    assert len(pairs) == 4 and set(pairs.values()) == {1}  # board, team, two officers
    # afterwards `send` finds every message delivered
    again = subprocess.run([*command, "send", "--period", "2018-09", "--config", str(cfg)],
                           cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=300)
    assert again.returncode == 0 and "nothing to send" in again.stdout
    assert _pairs(handler) == pairs


def test_two_senders_at_once_send_each_message_once(tmp_path, relay):
    workbooks = _trackers(tmp_path / "workbooks", {})
    result = _cycle(workbooks, tmp_path / "output")
    out_dir = result.out_dir
    handler = Gate()
    cfg = mail_config(relay(handler, "none"), security="none", username="",
                      officers=GOOD, retries=0)
    deliver_run(result.view, cfg, out_dir, now=NOW, send=False)
    second_waits = threading.Event()

    class Waiting(logging.Handler):
        def emit(self, record):
            if "waiting for it" in record.getMessage():
                second_waits.set()

    watcher = Waiting()
    logging.getLogger("reportgen.mail").addHandler(watcher)
    reports = []

    def sender():
        reports.append(send_outbox(out_dir, cfg, NOW, delay=0))

    first = threading.Thread(target=sender)
    second = threading.Thread(target=lambda: (sender(), second_waits.set()))
    try:
        first.start()
        assert handler.first.wait(120)  # the first sender is in the middle of a message
        second.start()
        assert second_waits.wait(120)  # the second waits for it (or is done)
    finally:
        handler.release.set()
        first.join(120)
        second.join(120)
        logging.getLogger("reportgen.mail").removeHandler(watcher)
    pairs = _pairs(handler)
    assert set(pairs.values()) == {1}
    assert sum(r.sent for r in reports) == len(pairs) == 5
    log = json.loads((out_dir / SENT_LOG).read_text(encoding="utf-8"))
    assert sum(len(e["delivered"]) for e in log.values()) == 5
