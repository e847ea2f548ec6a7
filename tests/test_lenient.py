"""Issue 16: lenient where the meaning is certain, strict where it is not; every issue
points at a cell, an action and its officer; every file in the folder is accounted for."""

from __future__ import annotations

from datetime import datetime

import pytest

from builders import (
    HEADERS, good_row, kpi_grid, rewrite_zip, set_modified, write_grid, write_tracker, xxe,
)
from conftest import AS_OF
from reportgen.config import Thresholds
from reportgen.rate import rate_actions, rating_issues
from reportgen.validate.across import are_copies

FIRST = 5  # write_tracker: two title rows, a blank, the header on row 4


def cell(header: str, row: int = FIRST) -> str:
    return f"{chr(65 + HEADERS.index(header))}{row}"


def only(result, code):
    found = [i for i in result.issues if i.code == code]
    assert found, [i.code for i in result.issues]
    return found


# --------------------------------------------------------------------------- headers


@pytest.mark.parametrize("header, written, attribute", [
    ("Lead Officer", "Lead officer (name)", "lead_officer"),
    ("RAG", "RAG status (officer)", "officer_rag"),
    ("Forecast Outturn", "Forecast outturn 2018/19", "forecast"),
])
def test_reworded_header_is_used_with_a_warning(tmp_path, read, header, written, attribute):
    path = write_tracker(tmp_path / "t.xlsx", [good_row(1), good_row(2)],
                         rename={header: written})
    result = read(path)
    assert result.errors == 0 and len(result.actions) == 2
    (issue,) = only(result, "header-taken-as")
    assert issue.cell == cell(header, 4) and not issue.is_error
    assert f"'{written}' was taken as '" in issue.message
    assert getattr(result.actions[0], attribute) not in (None, "")


def test_header_that_could_be_two_columns_stays_an_error(tmp_path, read):
    headers = [h for h in HEADERS if h != "Forecast Outturn"]
    path = write_tracker(tmp_path / "t.xlsx", [good_row(1)], headers=headers,
                         rename={"Spend to Date": "Spend to date / Forecast outturn"})
    result = read(path)
    (issue,) = only(result, "ambiguous-header")
    assert issue.is_error and "'Spend to Date' or 'Forecast Outturn'" in issue.message
    assert issue.cell == cell("Spend to Date", 4)


# --------------------------------------------------------------------------- values


def test_funding_typo_drops_the_stream_not_the_action_or_its_money(tmp_path, read):
    rows = [good_row(1, Funding="(Core Fundng Investment)", **{"Budget (£)": 5000,
                                                              "Forecast Outturn": 5200}),
            good_row(2)]
    result = read(write_tracker(tmp_path / "t.xlsx", rows))
    assert result.errors == 0 and [a.action_id for a in result.actions] == ["T-001", "T-002"]
    first = result.actions[0]
    assert first.budget == 5000 and first.forecast == 5200 and first.funding == ()
    (issue,) = only(result, "unknown-funding-stream")
    assert issue.cell == cell("Funding") and issue.action_id == "T-001"
    assert issue.officer == "Morag Elliot"
    assert "counted under 'No funding stream'" in issue.message


@pytest.mark.parametrize("typed, amount", [("£12k", 12_000), ("12,000", 12_000),
                                           ("£1.2m", 1_200_000)])
def test_money_typed_as_text_is_read_with_a_warning(tmp_path, read, typed, amount):
    result = read(write_tracker(tmp_path / "t.xlsx", [good_row(1, **{"Budget (£)": typed})]))
    assert result.actions[0].budget == amount
    (issue,) = only(result, "money-as-text")
    assert issue.cell == cell("Budget (£)") and "Excel sums leave this cell out" in issue.message


def test_missing_required_value_points_at_the_empty_cell(tmp_path, read):
    result = read(write_tracker(tmp_path / "t.xlsx", [good_row(1, Status=None), good_row(2)]))
    (issue,) = only(result, "missing-value")
    assert issue.cell == cell("Status") and issue.action_id == "T-001"
    assert issue.officer == "Morag Elliot"
    assert [a.action_id for a in result.actions] == ["T-002"]
    assert set(result.rejected) == {"T-001"}
    assert "could not be rated" in result.rejected["T-001"] and cell("Status") in \
        result.rejected["T-001"]


def test_rating_issues_carry_cell_action_and_officer(tmp_path, read):
    row = good_row(1, RAG="Red", **{"% Complete": 10, "Corrective Action": None})
    result = read(write_tracker(tmp_path / "t.xlsx", [row]))
    action = result.actions[0]
    assert action.source.cell("corrective_action") == cell("Corrective Action")
    th = Thresholds()
    ratings = rate_actions(result.actions, th, AS_OF)
    issues = rating_issues(result.actions, ratings, th, AS_OF)
    missing = [i for i in issues if i.code == "missing-corrective-action"]
    assert missing and missing[0].cell == cell("Corrective Action")
    assert all(i.action_id == "T-001" and i.officer == "Morag Elliot" for i in issues)


def test_sheet_refused_for_its_header_rejects_every_known_id(tmp_path, read):
    headers = [h for h in HEADERS if h != "Status"]
    result = read(write_tracker(tmp_path / "t.xlsx", [good_row(1), good_row(2)],
                                headers=headers))
    assert not result.actions and set(result.rejected) == {"T-001", "T-002"}
    assert "'Status'" in result.rejected["T-001"]


# --------------------------------------------------------------------------- copies


def test_the_copy_rule():
    assert are_copies({"a", "b", "c"}, {"a", "b", "c", "d", "e", "f"})
    assert not are_copies({"a", "b", "c", "d", "e"}, {"a", "x", "y"})  # one shared ID
    assert not are_copies({"a"}, {"a"})  # a single ID is never enough


def test_identical_copy_is_read_once(tmp_path, read):
    rows = [good_row(i) for i in range(1, 5)]
    write_tracker(tmp_path / "wb" / "plan.xlsx", rows)
    write_tracker(tmp_path / "wb" / "plan - Copy.xlsx", rows)
    result = read(tmp_path / "wb")
    assert result.errors == 0 and len(result.actions) == 4
    (issue,) = only(result, "file-copy-identical")
    assert not issue.is_error and "plan" in issue.message


def test_an_identical_copy_newer_than_the_tracker_is_still_the_one_set_aside(tmp_path, read):
    """A Save As left beside the tracker is newer, but identical: the officer is pointed at
    their own tracker, not at "Copy of …"."""
    rows = [good_row(i) for i in range(1, 5)]
    own = write_tracker(tmp_path / "wb" / "plan.xlsx", rows)
    copy = write_tracker(tmp_path / "wb" / "Copy of plan.xlsx", rows)
    set_modified(own, datetime(2018, 9, 20, 9, 0))
    set_modified(copy, datetime(2018, 9, 21, 9, 0))
    result = read(tmp_path / "wb")
    assert {a.source.file for a in result.actions} == {"plan.xlsx"}
    (issue,) = only(result, "file-copy-identical")
    assert issue.file == "Copy of plan.xlsx"


def test_with_nothing_else_to_tell_copies_apart_the_later_file_time_decides(tmp_path,
                                                                             read):
    old = write_tracker(tmp_path / "wb" / "plan.xlsx",
                        [good_row(i) for i in range(1, 5)])
    new = write_tracker(tmp_path / "wb" / "plan - Copy.xlsx",
                        [good_row(1, **{"% Complete": 80})] + [good_row(i) for i in (2, 3, 5)])
    set_modified(old, datetime(2018, 9, 20, 9, 0))
    set_modified(new, datetime(2018, 9, 21, 9, 0))
    result = read(tmp_path / "wb")
    assert result.errors == 0
    by_id = {a.action_id: a for a in result.actions}
    assert sorted(by_id) == ["T-001", "T-002", "T-003", "T-004", "T-005"]
    assert by_id["T-001"].percent_complete == 80
    assert by_id["T-001"].source.file == "plan - Copy.xlsx"
    assert by_id["T-004"].source.file == "plan.xlsx"  # only in the old copy: kept
    (issue,) = only(result, "file-copy-newer-wins")
    assert issue.file == "plan.xlsx" and "plan - Copy.xlsx" in issue.message
    assert ("plan - Copy.xlsx's rows for T-001: dated the same (14/09/2018) and nothing else "
            "tells them apart, so the later file time decided (21/09/2018 09:00 against "
            "20/09/2018 09:00)") in issue.message


def test_copies_nothing_tells_apart_are_an_error_not_a_clash(tmp_path, read):
    """Same date, same file time, different values, no history: neither row is rated,
    and the officer is told to date the current row, not to give the action a new ID."""
    when = datetime(2018, 9, 20, 9, 0)
    set_modified(write_tracker(tmp_path / "wb" / "a.xlsx", [good_row(1), good_row(2)]), when)
    set_modified(write_tracker(tmp_path / "wb" / "b.xlsx",
                               [good_row(1, **{"% Complete": 80}), good_row(2)]), when)
    result = read(tmp_path / "wb")
    assert [a.action_id for a in result.actions] == ["T-002"]
    undecided = only(result, "copy-undecided")
    assert {(i.file, i.cell) for i in undecided} == {("a.xlsx", "A5"), ("b.xlsx", "A5")}
    assert all(i.is_error and "Last Updated date" in i.hint for i in undecided)
    assert "both are dated 14/09/2018" in undecided[0].message
    assert "modified at the same time" in undecided[0].message
    assert not [i for i in result.issues if i.code == "duplicate-action-id"]
    assert "copies disagree" in result.rejected["T-001"]


def test_true_clash_is_an_error_at_both_cells_and_rejected(tmp_path, read):
    write_tracker(tmp_path / "wb" / "a.xlsx", [good_row(i) for i in (1, 2, 3)])
    write_tracker(tmp_path / "wb" / "b.xlsx",
                  [good_row(3, Action="A different action.")] +
                  [good_row(i) for i in (7, 8, 9)])
    result = read(tmp_path / "wb")
    clash = only(result, "duplicate-action-id")
    assert {(i.file, i.cell) for i in clash} == {("a.xlsx", "A7"), ("b.xlsx", "A5")}
    assert "b.xlsx › Actions!A5" in [i for i in clash if i.file == "a.xlsx"][0].message
    assert "T-003" not in {a.action_id for a in result.actions}
    assert "two different actions" in result.rejected["T-003"]
    assert all(i.hint == "Give one of the two actions a new ID." for i in clash)


# --------------------------------------------------------------------------- files


@pytest.mark.parametrize("name", ["board.docx", "extract.csv", "plan.numbers", "kpis.fods",
                                  "tracker2003.xml", "minutes.pdf"])
def test_file_not_read_is_listed_at_info_level(tmp_path, read, name):
    write_tracker(tmp_path / "wb" / "plan.xlsx", [good_row(1)])
    (tmp_path / "wb" / name).write_bytes(b"ID,Action\n1,2\n")
    for silent in ("~$plan.xlsx", ".~lock.plan.xlsx#", ".DS_Store"):
        (tmp_path / "wb" / silent).write_bytes(b"x")
    result = read(tmp_path / "wb")
    assert [(i.file, i.code, i.severity.value) for i in result.issues] == [
        (name, "file-not-read", "info")]
    assert "Save As" in result.issues[0].hint and ".xlsx" in result.issues[0].hint
    assert result.errors == 0 and len(result.actions) == 1
    assert sorted(s.path for s in result.sources) == sorted(["plan.xlsx", name])


def test_unsafe_xml_says_so(tmp_path, read):
    good = write_tracker(tmp_path / "good.xlsx", [good_row(1)])
    result = read(xxe(good, tmp_path / "xxe.xlsx"))
    (issue,) = result.issues
    assert issue.code == "file-unsafe-xml" and issue.message.startswith("Unsafe XML:")


def test_entity_in_shared_strings_is_refused_before_calamine(tmp_path, read):
    import zipfile
    good = write_tracker(tmp_path / "good.xlsx", [good_row(1)])
    with zipfile.ZipFile(good) as z:
        part = z.read("xl/sharedStrings.xml").decode()
    head = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    bad = rewrite_zip(good, tmp_path / "bad.xlsx",
                      {"xl/sharedStrings.xml": (head + part.split("?>", 1)[1]).encode()})
    (issue,) = read(bad).issues
    assert issue.code == "file-unsafe-xml" and "sharedStrings" in issue.message


# --------------------------------------------------------------------------- KPIs split


def _kpi_files(tmp_path, later_first_value=None):
    grid = kpi_grid(months=12)
    header, a, b = grid[2], grid[3], grid[4]
    early = [header[:8] + header[8:14], a[:8] + a[8:14], b[:8] + b[8:14]]
    late_values_a = list(a[14:])
    if later_first_value is not None:  # overlap: repeat the last early month
        late = [header[:8] + header[13:], a[:8] + [later_first_value] + late_values_a,
                b[:8] + b[13:]]
    else:
        late = [header[:8] + header[14:], a[:8] + late_values_a, b[:8] + b[14:]]
    write_grid(tmp_path / "wb" / "extract.xlsx", [["Earlier months"], []] + early)
    write_grid(tmp_path / "wb" / "dashboard.xlsx", [["Dashboard"], []] + late)
    return a


def test_kpi_series_split_over_two_files_merges(tmp_path, read):
    a = _kpi_files(tmp_path)
    result = read(tmp_path / "wb")
    assert result.errors == 0
    k = {k.kpi_id: k for k in result.kpis}["KPI-01"]
    assert len(k.series) == 12 and [v for _, v in k.series] == [float(v) for v in a[8:]]
    assert only(result, "kpi-series-merged")[0].is_info


def test_kpi_same_month_two_values_is_an_error_naming_both_cells(tmp_path, read):
    a = _kpi_files(tmp_path, later_first_value=99)
    result = read(tmp_path / "wb")
    (issue,) = only(result, "kpi-value-clash")
    assert issue.is_error and "KPI 'KPI-01'" in issue.message
    assert "dashboard.xlsx › KPIs!I4" in issue.message and "extract.xlsx › KPIs!N4" in \
        issue.message
    k = {k.kpi_id: k for k in result.kpis}["KPI-01"]
    assert "2017-09" not in dict(k.series) and len(k.series) == 11


@pytest.mark.parametrize("written", ["Budget (£k)", "Budget (£000)", "Budget 2018/19",
                                     "Revenue Budget"])
def test_a_lone_budget_header_with_a_unit_or_year_is_the_budget(tmp_path, read, written):
    """Review mend: such a header was read as a budget column for a stream called 'k',
    '000', '2018/19' or 'Revenue', and every budget was silently blank."""
    headers = [written if h == "Budget (£)" else h for h in HEADERS]
    row = good_row(1)
    row[written] = row.pop("Budget (£)")
    result = read(write_tracker(tmp_path / "t.xlsx", [row], headers=headers))
    assert result.actions[0].budget == 10000
