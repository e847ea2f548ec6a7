"""Which row is this month's truth (issue 26, DESIGN 4b "Identity"): copies of a tracker
decided by content, earlier copies of the action table kept as other sheets, action IDs
compared after normalising, renumbered actions, merged cells, % cells, KPI definitions
split over two files, and nothing left out of the totals without a word.

Trackers are made the way officers' tools make them: XlsxWriter writes the tracker,
openpyxl re-saves copies and copies sheets, LibreOffice saves a copy, and file times are
set both ways with os.utime.
"""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from builders import (
    HEADERS, convert, good_row, kpi_grid, set_modified, soffice, write_grid, write_tracker,
)
from conftest import AS_OF, ROOT, TODAY
from reportgen.config import load_config
from reportgen.model import Period, Rag, action_key
from reportgen.pipeline import rate as rate_run
from reportgen.pipeline import run_cycle
from reportgen.register import Stored, carry_forward, renumbered
from reportgen.validate import Earlier, read_trackers
from reportgen.validate.copies import sheet_rank
from reportgen.view.period import coverage_record
from reportgen.view.prose import left_out_lines, left_out_statement
from reportgen.view.quality import left_out_of

FIRST = 5  # write_tracker: two title rows, a blank, the header on row 4
EARLY, LATE = datetime(2018, 9, 20, 9, 0), datetime(2018, 9, 28, 17, 30)


def col(header: str) -> str:
    return chr(65 + HEADERS.index(header))


def only(result, code):
    found = [i for i in result.issues if i.code == code]
    assert found, [(i.code, i.message) for i in result.issues]
    return found


def none_of(result, *codes):
    assert not [i for i in result.issues if i.code in codes], \
        [(i.code, i.message) for i in result.issues if i.code in codes]


def edit(src: Path, dest: Path, changes: dict[str, dict[str, object]],
         sheet: str = "Actions") -> Path:
    """An openpyxl Save As of ``src`` as ``dest`` with some cells retyped: action ID →
    {header: value}."""
    wb = openpyxl.load_workbook(src)
    ws = wb[sheet]
    columns = {c.value: c.column for c in ws[4] if c.value}
    for row in ws.iter_rows(min_row=FIRST):
        values = changes.get(row[0].value)
        for header, value in (values or {}).items():
            ws.cell(row[0].row, columns[header]).value = value
    dest.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dest)
    return dest


def by_id(result):
    return {a.action_id: a for a in result.actions}


@pytest.fixture
def read(config):
    def _read(*paths, earlier=None, today=TODAY):
        return read_trackers(list(paths), config, today=today, as_of=AS_OF, earlier=earlier)
    return _read


# --------------------------------------------------------------------------- 1. copies


def _july_and_september(folder: Path) -> tuple[Path, Path]:
    """The real tracker (September's updates) and a "(1)" copy holding July's."""
    september = [good_row(i, **{"Last Updated": date(2018, 9, 10 + i), "% Complete": 60})
                 for i in range(1, 5)]
    september.append(good_row(5, **{"Last Updated": date(2018, 5, 2)}))  # not updated since
    july = [dict(r) for r in september]
    for r in july[:4]:
        r.update({"Last Updated": date(2018, 7, 12), "% Complete": 20,
                  "Progress Update": "July's words."})
    real = write_tracker(folder / "plan.xlsx", september)
    copy = write_tracker(folder / "plan (1).xlsx", july)
    return real, copy


@pytest.mark.parametrize("copy_is", ["newer", "older"])
def test_the_later_last_updated_wins_whatever_the_file_times(tmp_path, read, copy_is):
    """The "(1)" copy holds July's content; its file time is set later (as a sync
    rewrites it) and then earlier: September's rows win both times."""
    real, copy = _july_and_september(tmp_path / "wb")
    set_modified(real, EARLY if copy_is == "newer" else LATE)
    set_modified(copy, LATE if copy_is == "newer" else EARLY)
    result = read(tmp_path / "wb")
    assert result.errors == 0
    assert {a.action_id: (a.source.file, a.percent_complete) for a in result.actions} == {
        f"T-{i:03d}": ("plan.xlsx", 60 if i < 5 else 50) for i in range(1, 6)}
    assert {s.path: s.actions for s in result.sources} == {"plan.xlsx": 5,
                                                          "plan (1).xlsx": 0}
    (issue,) = only(result, "file-copy-newer-wins")
    assert issue.file == "plan (1).xlsx" and not issue.is_error
    assert ("plan.xlsx's rows for 4 actions, by their later Last updated dates (T-001 "
            "11/09/2018 against 12/07/2018, T-002 12/09/2018 against 12/07/2018") in \
        issue.message
    assert "1 identical in both" in issue.message
    said = "the file times were not used: plan (1).xlsx was modified later (28/09/2018 17:30)"
    assert (said in issue.message) == (copy_is == "newer")


def test_a_row_the_newer_file_rejects_is_never_filled_from_the_older_copy(tmp_path, read,
                                                                         config):
    """A US-style date in the real tracker: the row cannot be rated, and the copy's older
    row is not rated in its place; the action is named as not rated (left out on a first
    run, carried forward when there is a last month)."""
    real, copy = _july_and_september(tmp_path / "wb")
    first = read(real)  # what August's run read (the same rows, for this purpose)
    edit(real, real, {"T-002": {"Last Updated": "09/25/2018"}})
    set_modified(real, EARLY)
    set_modified(copy, LATE)
    result = read(tmp_path / "wb")
    assert "T-002" not in by_id(result)
    assert by_id(result)["T-001"].source.file == "plan.xlsx"
    (error,) = only(result, "invalid-date")
    assert (error.file, error.cell) == ("plan.xlsx", f"{col('Last Updated')}{FIRST + 1}")
    assert "not used in its place" in result.rejected["T-002"]
    assert "plan (1).xlsx" in result.rejected["T-002"]
    (issue,) = only(result, "file-copy-newer-wins")
    assert ("neither row for T-002: the row in plan.xlsx could not be rated (see its error), "
            "and an older copy's row is never used in its place") in issue.message
    (left,) = result.left_out
    assert (left.file, left.row, left.action_id, left.budget) == ("plan.xlsx", FIRST + 1,
                                                                  "T-002", 10000)
    # with a last month, the action is carried forward as not updated, with the reason
    earlier = Earlier.of("2018-08", first.actions)
    stored = [Stored(a, r) for a, r in zip(
        first.actions, rate_run(first, config, Period(2018, 8), date(2018, 8, 31))
        .ratings.values())]
    run = rate_run(result, config, Period(2018, 9), AS_OF)
    run = carry_forward(run, result, "2018-08", stored, config.stream_names,
                        config.thresholds)
    r = run.ratings["T-002"]
    assert not r.updated and "not used in its place" in r.not_updated
    assert not run.left_out  # carried: in the totals with August's figures


def test_a_row_the_older_copy_rejects_does_not_stop_the_newer_one(tmp_path, read):
    real, copy = _july_and_september(tmp_path / "wb")
    edit(copy, copy, {"T-002": {"Last Updated": "07/25/2018"}})
    set_modified(real, EARLY)
    set_modified(copy, LATE)
    result = read(tmp_path / "wb")
    assert by_id(result)["T-002"].source.file == "plan.xlsx" and not result.rejected
    none_of(result, "invalid-date")  # a row of the copy set aside: not this month's news


def test_with_the_same_date_the_row_that_agrees_with_last_month_wins(tmp_path, read):
    """Two copies dated the same, one edited without a new Last Updated date: the row that
    agrees with what was read last month wins, even from the older file, and the
    warning says so (the officer's fix: date the update)."""
    rows = [good_row(i) for i in range(1, 5)]
    real = write_tracker(tmp_path / "wb" / "plan.xlsx", rows)
    august = read(real)
    changed = edit(real, tmp_path / "wb" / "plan-LAPTOP-7QX3.xlsx",
                   {"T-003": {"% Complete": 20, "Progress Update": "Older words."}})
    set_modified(real, EARLY)
    set_modified(changed, LATE)
    result = read(tmp_path / "wb", earlier=Earlier.of("2018-08", august.actions))
    a = by_id(result)["T-003"]
    assert (a.source.file, a.percent_complete) == ("plan.xlsx", 50)
    (issue,) = only(result, "file-copy-newer-wins")
    assert ("plan.xlsx's rows for T-003: dated the same as the other copy's (14/09/2018), "
            "they agree with what was read for August 2018 and the other copy's do not") in \
        issue.message
    # without a history the later file time is all there is, and the warning says so
    plain = read(tmp_path / "wb")
    assert by_id(plain)["T-003"].source.file == "plan-LAPTOP-7QX3.xlsx"
    assert "so the later file time decided" in only(plain, "file-copy-newer-wins")[0].message


def test_a_row_older_than_last_months_reading_is_never_this_months_update(tmp_path, read):
    """The tracker restored from an older backup: its rows dated before what was read
    last month are not rated; one error each, at the Last Updated cell."""
    path = write_tracker(tmp_path / "plan.xlsx", [good_row(1), good_row(2)])
    august = read(path)
    newer = [dataclasses.replace(august.actions[0], last_updated=date(2018, 9, 20))]
    result = read(path, earlier=Earlier.of("2018-08", newer))
    assert [a.action_id for a in result.actions] == ["T-002"]
    (issue,) = only(result, "row-older-than-last-reading")
    assert issue.is_error and issue.cell == f"{col('Last Updated')}{FIRST}"
    assert issue.message.startswith("Last updated 14/09/2018 is older than the update read "
                                    "for this action for August 2018 (dated 20/09/2018")
    assert "older than the update read for August 2018" in result.rejected["T-001"]


def test_three_copies_one_in_a_sub_folder_and_a_conflict_copy_with_rows_both_ways(tmp_path,
                                                                                read):
    """A conflict copy with one row newer and one older than the tracker, and an old
    Save As in a sub-folder: each action takes its latest row, wherever it is."""
    rows = [good_row(i) for i in range(1, 6)]
    real = write_tracker(tmp_path / "wb" / "plan.xlsx", rows)
    conflict = edit(real, tmp_path / "wb" / "plan-LAPTOP-7QX3.xlsx", {
        "T-001": {"Last Updated": datetime(2018, 9, 25), "% Complete": 70},
        "T-002": {"Last Updated": datetime(2018, 8, 1), "% Complete": 10}})
    archive = edit(real, tmp_path / "wb" / "Archive" / "plan.xlsx", {
        f"T-00{i}": {"Last Updated": datetime(2018, 6, 1), "% Complete": 5}
        for i in range(1, 6)})
    edit(real, real, {"T-003": {"Last Updated": datetime(2018, 9, 27), "% Complete": 65}})
    for path, when in ((real, EARLY), (conflict, LATE), (archive, datetime(2018, 9, 29))):
        set_modified(path, when)
    result = read(tmp_path / "wb")
    assert result.errors == 0
    got = {a.action_id: (a.source.file, a.percent_complete) for a in result.actions}
    assert got == {"T-001": ("plan-LAPTOP-7QX3.xlsx", 70), "T-002": ("plan.xlsx", 50),
                   "T-003": ("plan.xlsx", 65), "T-004": ("plan.xlsx", 50),
                   "T-005": ("plan.xlsx", 50)}
    warnings = only(result, "file-copy-newer-wins")
    assert len(warnings) == 3  # one per pair of copies
    (pair,) = [i for i in warnings if i.file == "plan-LAPTOP-7QX3.xlsx"]
    assert ("plan.xlsx's rows for 2 actions, by their later Last updated dates (T-002 "
            "14/09/2018 against 01/08/2018, T-003 27/09/2018 against 14/09/2018); "
            "plan-LAPTOP-7QX3.xlsx's rows for 1 action, by their later Last updated dates "
            "(T-001 25/09/2018 against 14/09/2018); 2 identical in both") in pair.message
    assert {i.file for i in warnings} == {"plan-LAPTOP-7QX3.xlsx", "Archive/plan.xlsx"}


def test_an_identical_openpyxl_copy_is_read_once_from_the_tracker(tmp_path, read):
    rows = [good_row(i) for i in range(1, 4)]
    real = write_tracker(tmp_path / "wb" / "plan.xlsx", rows)
    copy = edit(real, tmp_path / "wb" / "plan (1).xlsx", {})
    set_modified(real, EARLY)
    set_modified(copy, LATE)
    result = read(tmp_path / "wb")
    assert {a.source.file for a in result.actions} == {"plan.xlsx"}
    (issue,) = only(result, "file-copy-identical")
    assert issue.file == "plan (1).xlsx"


needs_soffice = pytest.mark.skipif(not soffice(), reason="LibreOffice is not installed")


@needs_soffice
def test_a_copy_saved_by_libreoffice_is_the_same_tracker(tmp_path, read):
    """LibreOffice rewrites every part of the file (styles, shared strings, dates): the
    copy still reads as the same actions, identically, and is read once."""
    rows = [good_row(i, **{"% Complete": 20 * i}) for i in range(1, 4)]
    real = write_tracker(tmp_path / "src" / "plan.xlsx", rows, percent_format=True)
    saved = convert(real, "xlsx:Calc MS Excel 2007 XML", tmp_path / "calc")
    (tmp_path / "wb").mkdir()
    shutil.copy2(real, tmp_path / "wb" / "plan.xlsx")
    shutil.copy2(saved, tmp_path / "wb" / "plan (LibreOffice).xlsx")
    set_modified(tmp_path / "wb" / "plan.xlsx", EARLY)
    set_modified(tmp_path / "wb" / "plan (LibreOffice).xlsx", LATE)
    result = read(tmp_path / "wb")
    assert result.errors == 0 and len(result.actions) == 3
    none_of(result, "duplicate-action-id", "copy-undecided")
    assert [i.code for i in result.issues] == ["file-copy-identical"]


# --------------------------------------------------------------------------- 2. sheets


def _kept_sheet(path: Path, title: str, live_changes: dict) -> Path:
    """Last month's table kept: the Actions sheet copied by openpyxl (as Excel's Move or
    Copy does), the copy named ``title``, then the live sheet updated."""
    wb = openpyxl.load_workbook(path)
    wb.copy_worksheet(wb["Actions"]).title = title
    wb.save(path)
    return edit(path, path, live_changes)


def test_last_months_table_kept_as_a_second_sheet_is_an_earlier_copy(tmp_path, read):
    path = write_tracker(tmp_path / "plan.xlsx", [good_row(i) for i in range(1, 6)])
    _kept_sheet(path, "Actions Copy", {
        "T-001": {"Last Updated": datetime(2018, 9, 27), "% Complete": 70}})
    result = read(path)
    assert result.errors == 0 and len(result.actions) == 5
    assert {a.source.sheet for a in result.actions} == {"Actions"}
    assert by_id(result)["T-001"].percent_complete == 70
    none_of(result, "duplicate-action-id", "file-copy-newer-wins")
    (note,) = only(result, "sheet-earlier-copy")
    assert note.is_info and note.sheet == "Actions Copy"
    assert note.message == (
        "The sheet holds 5 of the same actions as the sheet 'Actions', with older Last "
        "updated dates for 1 of them and none newer (T-001: 14/09/2018 here against "
        "27/09/2018 there), so it is taken to be an earlier copy of that table and is not "
        "read.")


@pytest.mark.parametrize("names, current", [
    (("Aug 2018", "Sep 2018"), "Sep 2018"),
    (("Actions", "Aug 2018"), "Actions"),
    (("Current", "Actions"), "Current"),
    (("Actions", "Actions (2)"), "Actions"),
])
def test_with_the_same_dates_the_sheet_name_decides(tmp_path, read, names, current):
    """Two sheets with the same Last updated dates, one with a changed commentary: the
    name says which is current (a month, "current"); the other is an earlier copy."""
    path = write_tracker(tmp_path / "plan.xlsx", [good_row(i) for i in range(1, 4)],
                         sheet=names[0])
    wb = openpyxl.load_workbook(path)
    wb.copy_worksheet(wb[names[0]]).title = names[1]
    wb.save(path)
    edit(path, path, {"T-002": {"Progress Update": "Words changed."}}, sheet=names[1])
    result = read(path)
    assert {a.source.sheet for a in result.actions} == {current}
    (note,) = only(result, "sheet-earlier-copy")
    assert note.sheet != current and "its name marks it as the earlier one" in note.message
    assert sheet_rank("Sept 2018") > sheet_rank("Aug 2018") > sheet_rank("Old actions")


def test_sheets_each_with_newer_rows_are_decided_action_by_action(tmp_path, read):
    path = write_tracker(tmp_path / "plan.xlsx", [good_row(i) for i in range(1, 5)])
    wb = openpyxl.load_workbook(path)
    wb.copy_worksheet(wb["Actions"]).title = "Team copy"
    wb.save(path)
    edit(path, path, {"T-001": {"Last Updated": datetime(2018, 9, 25)}})
    edit(path, path, {"T-002": {"Last Updated": datetime(2018, 9, 26)}}, sheet="Team copy")
    result = read(path)
    assert {a.action_id: a.source.sheet for a in result.actions} == {
        "T-001": "Actions", "T-002": "Team copy", "T-003": "Actions", "T-004": "Actions"}
    (issue,) = only(result, "file-copy-newer-wins")
    assert issue.message.startswith("This sheet '")
    none_of(result, "duplicate-action-id", "sheet-earlier-copy")


def test_two_sheets_nothing_tells_apart_are_an_error_for_the_rows_that_differ(tmp_path,
                                                                             read):
    path = write_tracker(tmp_path / "plan.xlsx", [good_row(i) for i in range(1, 4)])
    wb = openpyxl.load_workbook(path)
    wb.copy_worksheet(wb["Actions"]).title = "Team"
    wb.save(path)
    edit(path, path, {"T-002": {"Progress Update": "Other words."}}, sheet="Team")
    result = read(path)
    assert sorted(a.action_id for a in result.actions) == ["T-001", "T-003"]
    errors = only(result, "copy-undecided")
    assert {i.sheet for i in errors} == {"Actions", "Team"}
    assert "the sheets are in one workbook" in errors[0].message
    none_of(result, "duplicate-action-id", "sheet-earlier-copy")


def test_the_new_id_hint_only_where_two_different_actions_share_an_id(tmp_path, read):
    write_tracker(tmp_path / "wb" / "a.xlsx", [good_row(1), good_row(2)])
    write_tracker(tmp_path / "wb" / "b.xlsx", [good_row(7, ID="T-002"), good_row(8)])
    write_tracker(tmp_path / "wb" / "c.xlsx", [good_row(1)])  # the same action, elsewhere
    result = read(tmp_path / "wb")
    clash = only(result, "duplicate-action-id")
    assert {(i.file, i.action_id) for i in clash} == {("a.xlsx", "T-002"),
                                                      ("b.xlsx", "T-002")}
    assert all("for a different action" in i.message and "new ID" in i.hint for i in clash)
    assert by_id(result)["T-001"].source.file == "a.xlsx"  # identical rows: read once


# --------------------------------------------------------------------------- 3. identity


@pytest.mark.parametrize("typed", ["O2-3", "O2-03", "O2-003", "o2 03", " O2 – 03 ", "o2.3"])
def test_action_ids_are_compared_after_normalising(typed):
    assert action_key(typed) == action_key("O2-03")


@pytest.mark.parametrize("a, b", [("O2-3", "O23"), ("O2-13", "O2-3"), ("1.10", "1.1"),
                                  ("A-1", "B-1")])
def test_different_ids_stay_different(a, b):
    assert action_key(a) != action_key(b)


def test_a_retyped_id_in_a_copy_is_the_same_action(tmp_path, read):
    rows = [good_row(i, ID=f"O2-{i:02d}") for i in range(1, 5)]
    real = write_tracker(tmp_path / "wb" / "plan.xlsx", rows)
    edit(real, tmp_path / "wb" / "plan (1).xlsx", {"O2-03": {"ID": "O2-3"}})
    result = read(tmp_path / "wb")
    assert sorted(a.action_id for a in result.actions) == ["O2-01", "O2-02", "O2-03",
                                                           "O2-04"]
    none_of(result, "duplicate-action-id", "copy-undecided")


def _config(out: Path):
    cfg = load_config(ROOT / "reportgen.toml")
    return dataclasses.replace(
        cfg, paths=dataclasses.replace(cfg.paths, output=out, history=out / "history.sqlite"))


def row(i: int, **overrides) -> dict:
    """A valid row whose last update (20/08/2018) is not in the future in August."""
    return good_row(i, **{"Last Updated": date(2018, 8, 20), **overrides})


def _month(cfg, wb: Path, out: Path, period: Period):
    when = datetime(period.shift(1).year, period.shift(1).month, 5, 9, 0)
    return run_cycle(cfg, period, today=when.date(), now=when, workbooks=wb, output=out,
                     artefacts=()).run


def test_a_respelt_id_keeps_its_history_under_the_trackers_spelling(tmp_path):
    out, wb = tmp_path / "out", tmp_path / "wb"
    cfg = _config(out)
    late = {"% Complete": 5}
    write_tracker(wb / "plan.xlsx", [row(1, ID="O3-13", **late), row(2)])
    aug = _month(cfg, wb, out, Period(2018, 8))
    assert aug.ratings["O3-13"].reported is Rag.RED
    write_tracker(wb / "plan.xlsx", [row(1, ID="o3 013", **late), row(2)])
    sep = _month(cfg, wb, out, Period(2018, 9))
    assert set(sep.ratings) == {"o3 013", "T-002"} and len(sep.actions) == 2
    assert sep.changes.new == () and sep.changes.removed == ()
    assert "o3 013" not in sep.changes.newly_red  # Red in August too
    assert sep.previous_rags["o3 013"] is Rag.RED
    assert [p for p, _ in sep.trend["o3 013"]] == ["2018-08", "2018-09"]
    assert sep.coverage.complete and sep.finance_total.budget == 20000  # counted once


def test_a_renumbered_action_is_named_once_and_keeps_its_history(tmp_path):
    out, wb = tmp_path / "out", tmp_path / "wb"
    cfg = _config(out)
    red = {"% Complete": 5}
    write_tracker(wb / "plan.xlsx", [row(1, **red), row(2), row(3)])
    aug = _month(cfg, wb, out, Period(2018, 8))
    write_tracker(wb / "plan.xlsx", [row(1, ID="T-011", **red), row(2), row(3)])
    sep = _month(cfg, wb, out, Period(2018, 9))
    assert set(sep.ratings) == {"T-011", "T-002", "T-003"}  # T-001 not carried beside it
    (issue,) = [i for i in sep.issues if i.code == "action-renumbered"]
    assert (issue.file, issue.cell, issue.action_id) == ("plan.xlsx", f"A{FIRST}", "T-011")
    assert issue.message == (
        "Action T-011 has the same action text and lead officer as T-001, which is no "
        "longer in the trackers, so it is taken to be T-001 under a new ID and keeps its "
        "history.")
    assert sep.changes.new == () and sep.changes.removed == ()
    assert aug.ratings["T-001"].reported is Rag.RED and "T-011" not in sep.changes.newly_red
    assert sep.previous_rags["T-011"] is aug.ratings["T-001"].reported
    assert {a.action_id: a.former_ids for a in sep.actions}["T-011"] == ("T-001",)
    oct_ = _month(cfg, wb, out, Period(2018, 10))  # the next month: no new warning
    assert not [i for i in oct_.issues if i.code == "action-renumbered"]
    assert [p for p, _ in oct_.trend["T-011"]] == ["2018-08", "2018-09", "2018-10"]


def test_an_action_repeated_under_two_objectives_is_not_a_renumbering(config):
    from factories import make_action, make_rating

    def act(action_id, objective):
        return make_action(1, action_id=action_id, objective=objective, action="Same text.",
                           lead_officer="Iain Scott")

    stored = [Stored(a, make_rating(a, Rag.GREEN)) for a in (act("O1-06", 1), act("O2-01", 2))]
    # O2-01 gone, O2-11 new in objective 2: a renumbering, matched in its objective
    assert {k: s.action.action_id for k, s in renumbered(
        [act("O1-06", 1), act("O2-11", 2)], stored).items()} == {"O2-11": "O2-01"}
    # both gone, two new in one objective: nothing certain, nothing matched
    assert renumbered([act("O3-01", 3), act("O3-02", 3)], stored) == {}


# --------------------------------------------------------------------------- 4. left out


def test_on_a_first_run_every_row_left_out_is_listed_with_its_money(tmp_path, config):
    wb = tmp_path / "wb"
    write_tracker(wb / "plan.xlsx", [
        good_row(1), good_row(2, Status="Sort of", **{"Budget (£)": 45000}),
        good_row(3, **{"End Date": date(2016, 1, 1)}), good_row(4)])
    write_tracker(wb / "objective 4.xlsx", [
        good_row(i, ID=f"O4-0{i}", Objective=4, **{"Budget (£)": 120000})
        for i in (1, 2)])
    (wb / "broken.xlsx").write_bytes(b"PK\x03\x04 half a file")
    (wb / "plan.csv").write_text("ID,Action\nT-009,An action\n")
    ingest = read_trackers([wb], config, today=TODAY, as_of=AS_OF)
    run = rate_run(ingest, config, Period(2018, 9), AS_OF)
    assert len(run.actions) == 2  # T-001 and T-004
    left = {(x.file, x.action_id): x for x in run.left_out}
    assert set(left) == {("plan.xlsx", "T-002"), ("plan.xlsx", "T-003"),
                         ("objective 4.xlsx", "O4-01"), ("objective 4.xlsx", "O4-02"),
                         ("broken.xlsx", None), ("plan.csv", None)}
    assert left[("plan.xlsx", "T-002")].budget == 45000
    assert left[("plan.xlsx", "T-002")].row == FIRST + 1
    assert left[("plan.xlsx", "T-002")].code == "unknown-status"
    assert left[("objective 4.xlsx", "O4-01")].code == "unknown-objective"
    assert left[("broken.xlsx", None)].is_file and left[("broken.xlsx", None)].budget is None
    summary = left_out_of(run)
    assert left_out_statement(summary) == (
        "Left out of every count and total: 4 tracker rows that could not be rated, "
        "carrying £295,000 of budget (2 of them under an objective that is not in the "
        "configuration, with £240,000), 1 tracker file that could not be read, whose "
        "actions and money are not known and 1 other file in the trackers folder, in a "
        "format reportgen does not read (plan.csv). Each is listed with the reason in "
        "Appendix D of the paper and on the Issues sheet of the workbook.")
    lines = left_out_lines(summary)
    assert any(line.startswith("plan.xlsx › Actions row 6 (T-002): the row could not be "
                               "rated: status 'Sort of' is not one of") and
               line.endswith("; budget £45,000") for line in lines)
    record = coverage_record(run, summary)
    assert record["left_out"][0]["file"] in {"plan.xlsx", "objective 4.xlsx"}
    assert record["left_out_counts"] == {
        "rows": 4, "budget": 295000, "unknown_objective_rows": 2,
        "unknown_objective_budget": 240000, "tracker_files": 1, "other_files": 1}
    assert record["complete"] is False  # a first run, but not the whole plan
    # every row left out has its error Issue, for the data-quality appendix
    errors = {(i.file, i.action_id) for i in run.issues if i.is_error}
    assert set(left) <= errors | {("broken.xlsx", None), ("plan.csv", None)}
    assert any(i.file == "broken.xlsx" and i.is_error for i in run.issues)
    unknown = next(i for i in run.issues if i.code == "unknown-objective")
    assert unknown.message == (
        "Objective '4' is not one of the objectives configured in reportgen.toml (1: We "
        "will improve the health of…; 2: We will improve patient flow within…; 3: We will "
        "improve the capacity within…).")
    assert "add it to reportgen.toml as another [[objectives]] table" in unknown.hint
    assert "Use the number of one of those objectives (1, 2 or 3)" in unknown.hint


def test_later_a_rejected_row_is_carried_and_only_new_ones_are_left_out(tmp_path):
    out, wb = tmp_path / "out", tmp_path / "wb"
    cfg = _config(out)
    write_tracker(wb / "plan.xlsx", [row(1), row(2)])
    _month(cfg, wb, out, Period(2018, 8))
    write_tracker(wb / "plan.xlsx", [row(1, Status="??"), row(2),
                                     row(3, Status="??", **{"Budget (£)": 7000})])
    sep = _month(cfg, wb, out, Period(2018, 9))
    assert not sep.ratings["T-001"].updated  # carried, in the totals
    assert [(x.action_id, x.budget) for x in sep.left_out] == [("T-003", 7000)]


# --------------------------------------------------------------------------- 5. merged


@pytest.mark.parametrize("engine", ["xlsxwriter", "openpyxl"])
def test_a_merged_commentary_stays_with_its_top_row(tmp_path, read, engine):
    words = "Commissioning is under way; the contract starts in October."
    rows = [good_row(i, Objective=3, **{"Progress Update": words if i in (1, 2) else
                                        f"Own words {i}.", "Budget (£)": 5000})
            for i in range(1, 4)]
    path = write_tracker(tmp_path / "t.xlsx", rows, engine=engine,
                         merge=("Objective", "Progress Update"))
    result = read(path)
    got = by_id(result)
    assert got["T-001"].commentary == words
    assert got["T-002"].commentary == ""  # never T-001's words
    assert got["T-003"].commentary == "Own words 3."
    assert [a.objective for a in result.actions] == [3, 3, 3]  # a merged objective fills
    (issue,) = only(result, "merged-cell-not-shared")
    assert (issue.cell, issue.action_id, issue.is_warning) == (
        f"{col('Progress Update')}{FIRST + 1}", "T-002", True)
    assert issue.message == (
        f"Commentary is blank here: the cell is merged with {col('Progress Update')}{FIRST} "
        "above, which belongs to action T-001, and one action's commentary is never given "
        "to another.")


def test_a_merged_target_impact_is_shared_by_the_actions_it_groups(tmp_path, read):
    """As the samples lay the plan out: one target impact for a group of actions."""
    rows = [good_row(i, **{"Target Impact/Benefits": "Fewer admissions."}) for i in (1, 2, 3)]
    result = read(write_tracker(tmp_path / "t.xlsx", rows, merge=("Target Impact/Benefits",)))
    assert [a.target_impact for a in result.actions] == ["Fewer admissions."] * 3
    none_of(result, "merged-cell-not-shared")


def test_merged_money_over_two_actions_is_counted_once(tmp_path, read):
    rows = [good_row(i, **{"Budget (£)": 90000}) for i in (1, 2)]
    result = read(write_tracker(tmp_path / "t.xlsx", rows, merge=("Budget (£)",)))
    assert [a.budget for a in result.actions] == [90000, None]
    assert only(result, "merged-cell-not-shared")[0].field == "budget"


# --------------------------------------------------------------------------- 6. % cells


def test_fifty_typed_into_a_percent_cell_is_fifty_percent(tmp_path, read):
    """write_tracker writes value/100 with a 0% format: 5000 → the cell holds 50, which
    Excel shows as 5000%."""
    rows = [good_row(1, **{"% Complete": 5000}), good_row(2, **{"% Complete": 35})]
    result = read(write_tracker(tmp_path / "t.xlsx", rows, percent_format=True))
    assert [a.percent_complete for a in result.actions] == [50, 35]
    (issue,) = only(result, "percent-typed-in-percent-cell")
    assert issue.cell == f"{col('% Complete')}{FIRST}" and issue.is_warning
    assert issue.message == ("% complete holds 50 in a cell formatted as a percentage, so "
                             "Excel shows 5000%; it is read as 50%.")


def test_a_number_over_100_in_a_percent_cell_quotes_what_excel_shows(tmp_path, read):
    result = read(write_tracker(tmp_path / "t.xlsx", [good_row(1, **{"% Complete": 15000})],
                                percent_format=True))
    (issue,) = only(result, "invalid-percent")
    assert issue.message == ("% complete '15000%' (as Excel shows it: the cell holds 150, "
                             "formatted as a percentage) is not a number from 0 to 100.")


# --------------------------------------------------------------------------- 7. KPIs


def test_a_kpi_definition_left_blank_in_one_file_agrees_with_the_other(tmp_path, read):
    grid = kpi_grid(months=12)
    header, a, b = grid[2], grid[3], grid[4]
    early = [header[:8] + header[8:14], a[:8] + a[8:14], b[:8] + b[8:14]]
    late = [header[:8] + header[14:], a[:8] + a[14:], b[:8] + b[14:]]
    late[1][2] = None  # the dashboard leaves KPI-01's outcomes blank
    late[2][7] = None  # and KPI-02's "Compare with"
    early[1][6] = None  # the extract leaves KPI-01's tolerance blank
    write_grid(tmp_path / "wb" / "extract.xlsx", [["Earlier months"], []] + early)
    write_grid(tmp_path / "wb" / "dashboard.xlsx", [["Dashboard"], []] + late)
    result = read(tmp_path / "wb")
    assert result.errors == 0, [i.message for i in result.issues]
    kpis = {k.kpi_id: k for k in result.kpis}
    assert len(kpis) == 2 and all(len(k.series) == 12 for k in kpis.values())
    assert kpis["KPI-01"].outcomes == (2, 3, 9) and kpis["KPI-01"].tolerance == 5
    assert kpis["KPI-02"].comparator.value == "last-year"
    merged = {i.message.split("'")[1]: i.message for i in only(result, "kpi-series-merged")}
    assert merged["KPI-01"].endswith("so their months are read as one series; only one file "
                                     "gives the tolerance and outcomes, and it is used.")
    assert merged["KPI-02"].endswith("; only one file gives the comparison (previous month or "
                                     "last year), and it is used.")
    none_of(result, "duplicate-kpi-id")


# --------------------------------------------------------------------------- three months


@pytest.fixture(scope="module")
def three_months(tmp_path_factory):
    """August to October 2018 on copies of the samples, twice: clean, and with the slips
    (September: a "(1)" copy of Objective 3's community tracker holding July's content
    with a newer file time, and Objective 1's August table kept as a second sheet;
    October: the same, plus O2-03 renumbered O2-11 and O3-13 retyped O3-013)."""
    import slips

    base = tmp_path_factory.mktemp("three-months")
    config = load_config(ROOT / "reportgen.toml")
    runs = {}
    for kind in ("clean", "slipped"):
        out = base / kind / "output"
        cfg = _config(out)
        for period, months in ((Period(2018, 8), -1), (Period(2018, 9), 0),
                               (Period(2018, 10), 1)):
            wb = base / kind / period.label
            shutil.copytree(slips.SAMPLES, wb)
            slips.age(wb, months, config)
            if kind == "slipped" and months >= 0:
                slips.conflict_copy(wb, slips.OBJ3_COMMUNITY,
                                    "Objective3_Community_AKerr (1).xlsx", -2, config)
                slips.kept_sheet(wb / slips.OBJ1, config, kept=-1, live=months,
                                 title="Aug 2018")
            if kind == "slipped" and months == 1:
                slips.renumber(wb / slips.OBJ2, "O2-03", "O2-11")
                slips.renumber(wb / slips.OBJ2, "O3-13", "O3-013")
            runs[kind, period.label] = _month(cfg, wb, out, period)
    return runs


RENAMED = {"O2-11": "O2-03", "O3-013": "O3-13"}


@pytest.mark.parametrize("label", ["2018-08", "2018-09", "2018-10"])
def test_every_months_ratings_equal_the_clean_trackers(three_months, label):
    clean, slipped = three_months["clean", label], three_months["slipped", label]
    assert {RENAMED.get(k, k): (r.reported, r.updated, r.actual_percent)
            for k, r in slipped.ratings.items()} == \
        {k: (r.reported, r.updated, r.actual_percent) for k, r in clean.ratings.items()}
    assert len(slipped.actions) == len(clean.actions) == 64  # the plan's size
    assert slipped.finance_total.budget == clean.finance_total.budget
    assert slipped.changes.newly_red == clean.changes.newly_red  # no false "newly Red"
    assert slipped.changes.new == clean.changes.new == ()
    assert slipped.changes.removed == clean.changes.removed == ()
    assert slipped.left_out == clean.left_out == ()
    assert not [i.message for i in slipped.issues if i.is_error]


@pytest.mark.parametrize("label, named", [
    ("2018-08", {}),
    ("2018-09", {"file-copy-newer-wins": 1, "sheet-earlier-copy": 1}),
    ("2018-10", {"file-copy-newer-wins": 1, "sheet-earlier-copy": 1,
                 "action-renumbered": 1}),
])
def test_each_slip_is_named_once(three_months, label, named):
    """Every Issue of the slipped month is one of the clean month's, at the same cell, but
    for one note per slip: nothing from the rows of the copy or the old sheet that were
    not used, and no clashes."""
    clean, slipped = three_months["clean", label], three_months["slipped", label]

    def where(run):
        return sorted((i.code, i.file, i.sheet or "", i.cell or "") for i in run.issues)

    extra = list(where(slipped))
    for item in where(clean):
        extra.remove(item)
    counted: dict[str, int] = {}
    for code, *_ in extra:
        counted[code] = counted.get(code, 0) + 1
    assert counted == named
    for i in slipped.issues:
        if i.code == "file-copy-newer-wins":
            assert i.file == "Objective3_Community_AKerr (1).xlsx"
            assert "the file times were not used" in i.message
        if i.code == "sheet-earlier-copy":
            assert (i.file, i.sheet) == ("Objective1_Prevention_MElliot.xlsx", "Aug 2018")
        if i.code == "action-renumbered":
            assert (i.action_id, "O2-03" in i.message) == ("O2-11", True)
    kept = {s.path: s for s in slipped.sources}["Objective1_Prevention_MElliot.xlsx"]
    assert (kept.sheets, kept.actions) == (("Action Plan",), 19)  # the old sheet: not read


def test_the_renumbered_action_keeps_its_trend(three_months):
    october = three_months["slipped", "2018-10"]
    assert [p for p, _ in october.trend["O2-11"]] == ["2018-08", "2018-09", "2018-10"]
    assert [p for p, _ in october.trend["O3-013"]] == ["2018-08", "2018-09", "2018-10"]
    assert october.previous_rags["O2-11"] is three_months["clean", "2018-09"].ratings[
        "O2-03"].reported
