"""Officer feedback: a workbook per tracker with issues or overdue updates, and the chase
list per lead officer; links open the tracker at the cell; tracker text stays text."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from factories import view_of, make_action, make_run
from reportgen.issues import make_issue
from reportgen.model import SourceRef
from reportgen.render.feedback import write_feedback
from reportgen.view.feedback import CHASE_LIST, UNKNOWN_OFFICER, feedback_names

SOFFICE = shutil.which("soffice")


def with_stale(run, ids):
    return replace(run, ratings={k: replace(r, stale=k in ids) for k, r in run.ratings.items()})


def staged(tmp_path) -> Path:
    return tmp_path / "output" / "2018-09" / ".staging-99" / "feedback"


def rows(ws, first):
    return [[c.value for c in r] for r in ws.iter_rows(min_row=first)]


def test_nothing_to_say_writes_nothing(config, tmp_path):
    run = replace(make_run(8), issues=())
    out = staged(tmp_path)
    assert write_feedback(view_of(run, config, tmp_path / "workbooks"), config, out) == []
    assert not out.exists()


def test_one_workbook_per_tracker_needing_attention_and_a_chase_list(config, tmp_path):
    run = with_stale(make_run(8), {"O2-04"})  # action 4 is in tracker-0.xlsx
    out = staged(tmp_path)
    written = write_feedback(view_of(run, config, tmp_path / "workbooks"), config, out)
    # tracker-1 (an error), tracker-2 (a warning), locked (refused), tracker-0 (stale)
    assert [p.name for p in written] == ["locked.xlsx", "tracker-0.xlsx", "tracker-1.xlsx",
                                         "tracker-2.xlsx", CHASE_LIST]
    assert all(p.parent == out and p.exists() for p in written)


def test_what_to_fix_says_what_where_and_how(config, tmp_path):
    run = make_run(8)
    out = staged(tmp_path)
    write_feedback(view_of(run, config, tmp_path / "workbooks"), config, out)
    wb = openpyxl.load_workbook(out / "tracker-1.xlsx")
    assert wb.sheetnames == ["What to fix", "Updates due"]
    ws = wb["What to fix"]
    assert ws["A1"].value == "Feedback on tracker-1.xlsx: September 2018 report"
    assert "before the October 2018 report, due 07/11/2018 09:00" in ws["A2"].value
    assert [c.value for c in ws[5]] == ["Severity", "Where", "Field", "What is wrong",
                                        "How to fix it", "Code"]
    issue = run.issues[0]
    assert [c.value for c in ws[6]] == ["error", "Actions!H9", "End date", issue.message,
                                        issue.hint, "end-before-start"]
    link = ws["B6"].hyperlink
    # absolute (issue 19): the link still works when the feedback file is emailed
    absolute = str((tmp_path / "workbooks" / "tracker-1.xlsx").resolve()).replace("/", "\\")
    assert (link.target, link.location) == (absolute, "'Actions'!H9")
    assert "WhatToFix" in ws.tables
    assert wb["Updates due"]["A5"].value == "No updates are overdue."


def test_errors_come_first_then_cell_order(config, tmp_path):
    issues = (
        make_issue("invalid-rag", file="t.xlsx", sheet="Actions", cell="M12",
                   field="officer_rag", value="Purple"),
        make_issue("unknown-status", file="t.xlsx", sheet="Actions", cell="K30",
                   field="status", value="Ongoingish", detail="…"),
        make_issue("invalid-rag", file="t.xlsx", sheet="Actions", cell="M9",
                   field="officer_rag", value="Pink"),
        make_issue("invalid-date", file="t.xlsx", sheet="Actions", cell="AA7",
                   field="end", value="soon"),
    )
    run = replace(make_run(2), issues=issues)
    out = staged(tmp_path)
    write_feedback(view_of(run, config, tmp_path / "workbooks"), config, out)
    ws = openpyxl.load_workbook(out / "t.xlsx")["What to fix"]
    assert [r[1] for r in rows(ws, 6)] == ["Actions!AA7", "Actions!K30", "Actions!M9",
                                           "Actions!M12"]


def test_updates_due_lists_the_trackers_stale_actions(config, tmp_path):
    run = with_stale(make_run(12), {"O2-04", "O3-08"})  # both in tracker-0.xlsx
    out = staged(tmp_path)
    write_feedback(view_of(run, config, tmp_path / "workbooks"), config, out)
    wb = openpyxl.load_workbook(out / "tracker-0.xlsx")
    assert wb["What to fix"]["A6"].value == "Nothing to fix: only updates are due."
    ws = wb["Updates due"]
    got = rows(ws, 5)
    assert [r[0] for r in got] == ["O2-04", "O3-08"]
    first = got[0]
    assert first[1:3] == ["We will deliver improvement number 4.", "Morag Elliot"]
    assert first[3].strftime("%d/%m/%Y") == "14/09/2018" and first[4] == 16
    assert ws["D5"].number_format == "dd/mm/yyyy"
    assert (ws["H5"].value, ws["H5"].hyperlink.location) == ("Actions!A9", "'Actions'!A9")


def test_chase_list_per_lead_officer(config, tmp_path):
    run = with_stale(make_run(12), {"O2-04", "O3-08", "O2-01"})
    out = staged(tmp_path)
    write_feedback(view_of(run, config, tmp_path / "workbooks"), config, out)
    wb = openpyxl.load_workbook(out / CHASE_LIST)
    assert wb.sheetnames == ["By officer", "Chase list"]
    officers = rows(wb["By officer"], 5)
    assert officers == [
        ["Aileen Kerr", 0, 0, 1, "tracker-2.xlsx"],  # the stale-update warning at N7 (row 7)
        # the error at tracker-1.xlsx H9 names no officer and no action: it goes to the
        # officer who keeps tracker-1.xlsx, not to an unknown owner
        ["Iain Scott", 1, 1, 0, "tracker-1.xlsx"],
        ["Morag Elliot", 2, 0, 0, "tracker-0.xlsx"],
        [UNKNOWN_OFFICER, 0, 1, 0, "locked.xlsx"],  # refused, and no earlier month to ask
    ]
    items = rows(wb["Chase list"], 5)
    assert [(r[0], r[2], r[6]) for r in items] == [
        ("Aileen Kerr", "O3-02", "warning"),
        ("Iain Scott", None, "error"),
        ("Iain Scott", "O2-01", "update due"),
        ("Morag Elliot", "O2-04", "update due"),
        ("Morag Elliot", "O3-08", "update due"),
        (UNKNOWN_OFFICER, None, "error"),
    ]
    assert items[2][4].startswith("Update the progress and the Last Updated date (last "
                                  "updated 14/09/2018, 16 days before 30/09/2018)")
    ws = wb["Chase list"]
    assert ws["F5"].hyperlink.target == str(
        (tmp_path / "workbooks" / "tracker-2.xlsx").resolve()).replace("/", "\\")


def test_tracker_text_stays_text(config, tmp_path):
    hostile = make_action(1, action="=cmd|' /C calc'!A0", lead_officer="{=1+1}",
                          action_id='=HYPERLINK("http://example.invalid","x")')
    run = make_run(actions=[hostile, make_action(2)])
    run = with_stale(run, {hostile.action_id})
    out = staged(tmp_path)
    written = write_feedback(view_of(run, config, tmp_path / "workbooks"), config, out)
    ws = openpyxl.load_workbook(out / "tracker-1.xlsx")["Updates due"]
    assert ws["A5"].value == hostile.action_id and ws["A5"].data_type == "s"
    assert ws["B5"].value == hostile.action and ws["B5"].data_type == "s"
    assert ws["C5"].value == "{=1+1}"
    for path in written:
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/sheet"):
                    assert not re.search(r"<f[ >]", z.read(name).decode()), (path, name)


def test_feedback_names_are_safe_and_distinct():
    names = feedback_names(["a.xlsx", "A.xlsm", "team/a.xlsx", "chase-list.xlsx", "con.xlsx",
                            "../../etc/passwd.xlsx", "Teviot & Liddesdale: plan.xlsx"])
    assert names == {
        "../../etc/passwd.xlsx": "etc_passwd.xlsx",
        "A.xlsm": "A.xlsx",
        "Teviot & Liddesdale: plan.xlsx": "Teviot & Liddesdale_ plan.xlsx",
        "a.xlsx": "a (2).xlsx",
        "chase-list.xlsx": "chase-list (2).xlsx",
        "con.xlsx": "tracker con.xlsx",
        "team/a.xlsx": "team_a.xlsx",
    }
    for name in names.values():
        assert "/" not in name and "\\" not in name and not name.startswith(".")


def test_two_writes_are_identical(config, tmp_path):
    run = with_stale(make_run(12), {"O2-04"})
    one = write_feedback(view_of(run, config, tmp_path / "workbooks"), config, tmp_path / "one")
    two = write_feedback(view_of(run, config, tmp_path / "workbooks"), config, tmp_path / "two")
    assert [p.name for p in one] == [p.name for p in two]
    for a, b in zip(one, two):
        assert a.read_bytes() == b.read_bytes(), a.name


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_every_feedback_file(config, tmp_path):
    run = with_stale(make_run(12), {"O2-04"})
    written = write_feedback(view_of(run, config, tmp_path / "workbooks"), config, staged(tmp_path))
    profile = tmp_path / "lo-profile"
    out = tmp_path / "converted"
    proc = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", "csv", "--outdir", str(out), *map(str, written)],
        capture_output=True, text=True, timeout=180)
    for path in written:
        assert (out / (path.stem + ".csv")).exists(), proc.stdout + proc.stderr


def test_record_issues_are_no_trackers_feedback():
    from reportgen.view.feedback import collect

    missed = make_issue("period-missed", file="history.sqlite", value="August 2018")
    recovered = make_issue("history-recovered", file="history.sqlite", value="x", detail="y")
    run = make_run(8)
    trackers = collect(replace(run, issues=(*run.issues, missed, recovered)))
    assert "history.sqlite" not in trackers
    assert set(trackers) == set(collect(run))
