"""What a run reads but cannot use is never left out without a word (issue 26, item 4),
and each note is told as what it is, to whom it concerns (issues 25 and 26 together).

One folder, a copy of the samples with what officers get wrong: a row under an objective
that is not configured and a row with a date no calendar has, each carrying money
(:func:`slips.left_out_rows`), notes.txt beside the trackers, last month's action table
kept as a second sheet of Objective 1's tracker, a OneDrive copy of Objective 3's
community tracker holding July's content, and the KPIs split over two files. Its first
run (no history), with ``--require-complete`` and then without.
"""

from __future__ import annotations

import contextlib
import email
import io
import shutil
from email.policy import default as default_policy
from pathlib import Path

import openpyxl
import pytest

import slips
from builders import kpi_grid, write_grid
from conftest import ROOT
from reportgen.cli import ExitCode, main
from test_word import all_text, body

PERIOD = "2018-09"
COPY = "Objective3_Community_AKerr (1).xlsx"


def _kpis_in_two_files(folder: Path) -> None:
    """The indicators as two files: an extract of the earlier months and a dashboard of
    the later ones (one series each, merged with an info note)."""
    (folder / "KPIs.xlsx").unlink()
    grid = kpi_grid(months=12)
    header, a, b = grid[2], grid[3], grid[4]
    early = [header[:8] + header[8:14], a[:8] + a[8:14], b[:8] + b[8:14]]
    late = [header[:8] + header[14:], a[:8] + a[14:], b[:8] + b[14:]]
    write_grid(folder / "KPI extract.xlsx", [["Earlier months"], []] + early)
    write_grid(folder / "KPI dashboard.xlsx", [["Dashboard"], []] + late)


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def folder(tmp_path_factory, config):
    base = tmp_path_factory.mktemp("left-out")
    wb = base / "workbooks"
    shutil.copytree(slips.SAMPLES, wb)
    slips.kept_sheet(wb / slips.OBJ1, config, kept=-1, live=0, title="Aug 2018")
    slips.left_out_rows(wb, config)
    slips.conflict_copy(wb, slips.OBJ3_COMMUNITY, COPY, -2, config)
    _kpis_in_two_files(wb)
    text = (ROOT / "reportgen.toml").read_text(encoding="utf-8").replace(
        'template = "templates/board_report.docx"',
        f'template = "{(ROOT / "templates" / "board_report.docx").as_posix()}"')
    (base / "reportgen.toml").write_text(text.replace('output = "output"', 'output = "out"'),
                                         encoding="utf-8")
    args = ("run", "--period", PERIOD, "--workbooks", str(wb),
            "--config", str(base / "reportgen.toml"))
    strict = _cli(*args, "--require-complete")
    strict_left = sorted(p.name for p in (base / "out").iterdir()) \
        if (base / "out").exists() else []
    run = _cli(*args)
    return {"strict": strict, "strict_left": strict_left, "run": run,
            "dir": base / "out" / PERIOD}


def _appendix_d(folder) -> str:
    text = all_text(body(folder["dir"] / f"board-report-{PERIOD}.docx"))
    return text[text.index("Appendix D: "):text.index("Appendix E: ")]


def _message(path: Path) -> str:
    with path.open("rb") as fh:
        msg = email.message_from_binary_file(fh, policy=default_policy)
    return msg.get_body(("plain",)).get_content()


def test_require_complete_stops_on_a_first_run_when_rows_are_left_out(folder):
    """No history, so nothing is carried forward and the coverage statement has nothing
    to say: the rows left out are what makes the paper not cover the whole plan."""
    code, out, err = folder["strict"]
    assert code == ExitCode.INCOMPLETE == 6, out + err
    assert "Traceback" not in out + err
    assert ("Left out of every count and total: 2 tracker rows that could not be rated, "
            "carrying £450,000 of budget") in err
    assert f"{slips.OBJ1} › Action Plan row 25 (O4-01)" in err
    assert f"{slips.OBJ2} › Actions row 17 (O3-07)" in err
    assert "Nothing was written (--require-complete)" in err
    assert PERIOD not in folder["strict_left"]


def test_the_console_says_what_was_left_out_with_a_line_per_row(folder):
    code, out, _ = folder["run"]
    assert code == ExitCode.VALIDATION_ERRORS, out
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Left out of every"))
    assert "(notes.txt)" in lines[start]
    listed = lines[start + 1:start + 3]
    assert [line.split(": ")[0] for line in listed] == [
        f"  {slips.OBJ1} › Action Plan row 25 (O4-01)",
        f"  {slips.OBJ2} › Actions row 17 (O3-07)"]
    assert listed[0].endswith("; budget £240,000") and listed[1].endswith("; budget £210,000")


def test_the_data_quality_appendix_lists_each_note_as_what_it_is(folder):
    """notes.txt is not a tracker: it is listed once, under the files that are not
    trackers, and never counted among the trackers that could not be read; an earlier
    copy of the action table and a KPI series read from two files are notes about
    trackers that were read, each under its own title."""
    d = _appendix_d(folder)
    trackers = d[d.index("Trackers not read\n"):d.index("Left out of every count and total\n")]
    assert "All 7 tracker files were read." in trackers  # notes.txt not among them
    assert "notes.txt" not in trackers
    assert d.count("This file is a text file, which reportgen does not read") == 1
    others = d[d.index("Files that are not trackers\n"):d.index("Notes\n")]
    assert "notes.txt" in others and "Aug 2018" not in others and "KPI extract" not in others
    notes = d[d.index("Notes\n"):d.index("Validation\n")]
    assert "Earlier copy of the action table" in notes and "Aug 2018" in notes
    assert "KPI series read from two files" in notes
    assert "notes.txt" not in notes
    left = d[d.index("Left out of every count and total\n"):d.index("Files that are not")]
    assert "O4-01" in left and "O3-07" in left and "£450,000" in left
    validation = d[d.index("Validation\n"):]
    assert "Two copies of a tracker" in validation  # the copy pair: a warning
    # the rows in the table of what was left out are not listed again as other errors
    assert "Other errors" not in validation


def test_the_team_is_told_whom_each_note_concerns_never_an_unknown_owner(folder):
    """A note about a tracker that was read goes to the officers its rows name; a file
    that is not a tracker is listed apart. Nothing is "the owner of … (not known)"."""
    team = _message(folder["dir"] / "outbox" / "team.eml")
    assert "not known" not in team
    assert ("Not trackers, not read (move them out of the trackers folder, or save a "
            "tracker as .xlsx): notes.txt.") in team
    assert team.count("notes.txt") == 2  # in the statement, and in the list apart
    assert "Left out of every count and total: 2 tracker rows" in team


def test_a_note_about_a_tracker_goes_to_the_officers_who_keep_it(folder, config):
    """The chase list as the view builds it: the earlier-copy note about Objective 1's
    tracker goes to the officers its rows name, the copy pair's warning to those of
    Objective 3's community tracker; notes.txt and the KPI files go to no one."""
    from reportgen.view.feedback import UNKNOWN_OFFICER

    wb = folder["dir"].parents[1] / "workbooks"
    officers = {name: {a.lead_officer for a in slips.september(wb / name, config)}
                for name in (slips.OBJ1, COPY)}
    chase = openpyxl.load_workbook(folder["dir"] / "feedback" / "chase-list.xlsx")
    items = [[c for c in r] for r in chase["Chase list"].iter_rows(min_row=5,
                                                                   values_only=True)]
    earlier = {r[0] for r in items if r[1] == slips.OBJ1 and r[5] == "Aug 2018"}
    pair = {r[0] for r in items if r[1] == COPY}
    assert earlier == officers[slips.OBJ1] and len(earlier) > 1
    assert pair == officers[COPY] and pair
    assert not [r for r in items if r[0] == UNKNOWN_OFFICER]
    assert not [r for r in items if r[1] in ("notes.txt", "KPI extract.xlsx",
                                            "KPI dashboard.xlsx")]
