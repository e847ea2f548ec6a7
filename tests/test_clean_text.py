"""Clean text (issue 27): bidirectional overrides and isolates and C1 control characters
from a tracker reach no output and not the console; a cut of tracker text is always a
``text-truncated`` issue naming the cell."""

import re
import zipfile
from datetime import datetime
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest

from builders import HEADERS, good_row, write_tracker
from conftest import TODAY
from reportgen.model import Period
from reportgen.text import clean_text, visible

HIDDEN = "\u202e\u2066\u2069\u202a\x9b\x85\x80"
FORBIDDEN = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067",
             "\u2068", "\u2069", *map(chr, range(0x80, 0xA0))]


def test_the_cleaner_drops_overrides_isolates_and_c1_and_keeps_nel_as_a_break():
    text, dropped = clean_text("Pay \u202egnp.exe\u202c now\x9b[31m red\x85next \u2066x\u2069")
    assert text == "Pay gnp.exe now[31m red\nnext x" and dropped == 5
    assert clean_text("Gàidhlig — £5 ‘quoted’ ✓")[1] == 0  # ordinary text untouched
    assert visible("a\u202eb\x9bc\td\ne") == "a<U+202E>b<U+009B>c\td\ne"


def _all_text(folder: Path) -> str:
    """Every output under ``folder`` as text: the XML of zip files (docx, xlsx), emails
    decoded part by part, HTML, JSON, CSV and the log; XML character references
    resolved. The kept inputs (the trackers' own bytes) and binary files are not
    outputs of text."""
    parts = []
    for p in folder.rglob("*"):
        if not p.is_file() or "inputs" in p.relative_to(folder).parts:
            continue
        data = p.read_bytes()
        if p.suffix in (".docx", ".xlsx"):
            with zipfile.ZipFile(p) as z:
                parts += [z.read(n).decode("utf-8") for n in z.namelist()
                          if n.endswith((".xml", ".rels"))]
        elif p.suffix == ".eml":
            msg = message_from_bytes(data, policy=default_policy)
            parts += [str(v) for v in msg.values()]
            parts += [part.get_content() for part in msg.walk()
                      if part.get_content_maintype() == "text"]
        elif p.suffix in (".html", ".json", ".csv", ".txt", ".log"):
            parts.append(data.decode("utf-8"))
    text = "\n".join(parts)
    return re.sub(r"&#(x[0-9a-fA-F]+|\d+);",
                  lambda m: chr(int(m[1][1:], 16) if m[1][0] == "x" else int(m[1])), text)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    workbooks = base / "workbooks"
    write_tracker(workbooks / "t.xlsx", [
        good_row(1, Action=f"Deliver {HIDDEN}the plan", **{
            "Lead Officer": "Morag\u202e Elliot", "Progress Update": f"Going well{HIDDEN}.",
            "Email": "morag@example.org", "RAG": "Red"}),
        good_row(2, **{"Progress Update": "x" * 32_767, "Forecast Outturn": 50_000}),
    ], headers=[*HEADERS, "Email"])
    return workbooks, base / "output"


def test_hidden_characters_reach_no_output(hostile, config):
    from reportgen.mail import deliver_run
    from reportgen.pipeline import ALL_ARTEFACTS, HistoryUse, run_cycle

    workbooks, output = hostile
    result = run_cycle(config, Period(2018, 9), today=TODAY, now=datetime(2018, 10, 5, 9),
                       workbooks=workbooks, output=output, artefacts=ALL_ARTEFACTS,
                       history=HistoryUse.SAVE)
    deliver_run(result.view, config, result.out_dir, now=datetime(2018, 10, 5, 9),
                send=False)
    text = _all_text(output)
    assert "Going well" in text and "Morag Elliot" in text
    found = sorted({f"U+{ord(ch):04X}" for ch in FORBIDDEN if ch in text})
    assert found == []
    hidden = [i for i in result.run.issues if i.code == "control-characters"]
    assert {(i.sheet, i.cell) for i in hidden} == {("Actions", "D5"), ("Actions", "E5"),
                                                   ("Actions", "O5")}

    # a 32,767-character commentary would not fit the Finance sheet's "Commentary: …"
    # cell: it is cut the same everywhere, leaving room for the label, and the cut named
    cut = [i for i in result.view.issues if i.code == "text-truncated"]
    assert [(i.file, i.sheet, i.cell, i.field) for i in cut] == [
        ("t.xlsx", "Actions", "O6", "commentary")]
    assert "32767 characters long; it was cut to 32647" in cut[0].message


def test_the_console_shows_hidden_characters_never_prints_them(tmp_path, capsys):
    from reportgen.cli import main

    workbooks = tmp_path / "workbooks"
    write_tracker(workbooks / "t.xlsx", [good_row(1, **{
        "Lead Officer": "Morag\x9b[2J Elliot", "Status\u202e": "x", "RAG": "Purple\x9b"})],
        headers=[*HEADERS, "Status\u202e"], sheet="Actions\u202e")
    (workbooks / "notes\u202etxt.xlsx").write_bytes(b"x")
    code = main(["validate", str(workbooks), "--as-of", "30/09/2018"])
    out = capsys.readouterr()
    printed = out.out + out.err
    assert code == 1
    assert not [ch for ch in FORBIDDEN if ch in printed]
    assert "notes<U+202E>txt.xlsx" in printed  # refused, named as it is
    assert "Actions<U+202E>" in printed
