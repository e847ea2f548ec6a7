"""Every row- and sheet-level Issue code, asserted as (code, cell) pairs."""

from datetime import date

import pytest

from builders import HEADERS, good_row, kpi_grid, write_tracker
from conftest import codes
from reportgen.issues import CATALOGUE, Severity, make_issue

# Data rows start on row 4 (two title rows, a blank row, header on row 3... see builders):
# title rows 1–2, header row 4? builders put the header after the titles and one gap.
FIRST = 5  # first data row in write_tracker's default layout (header on row 4)
COL = {h: chr(65 + i) for i, h in enumerate(HEADERS)}


def cell(header: str, row: int = FIRST) -> str:
    return f"{COL[header]}{row}"


CASES = [
    # (overrides of good_row, expected (code, header) pairs, row kept?)
    ({"ID": None}, [("missing-value", "ID")], False),
    ({"Lead Officer": "  "}, [("missing-value", "Lead Officer")], False),
    ({"Objective": 7}, [("unknown-objective", "Objective")], False),
    ({"Objective": "Improve everything"}, [("unknown-objective", "Objective")], False),
    ({"Start Date": "someday"}, [("invalid-date", "Start Date")], False),
    ({"End Date": "05/31/2019"}, [("invalid-date", "End Date")], False),
    ({"End Date": date(2016, 1, 1)}, [("end-before-start", "End Date")], False),
    ({"Last Updated": 5}, [("implausible-date", "Last Updated")], False),
    ({"Status": "Nearly there"}, [("unknown-status", "Status")], False),
    ({"Funding": "(Lottery Money)"}, [("unknown-funding-stream", "Funding")], True),
    ({"% Complete": 140}, [("invalid-percent", "% Complete")], False),
    ({"% Complete": "half"}, [("invalid-percent", "% Complete")], False),
    ({"Last Updated": date(2018, 12, 25)}, [("update-in-future", "Last Updated")], False),
    ({"% Complete": 100}, [("complete-but-not-closed", "% Complete")], True),
    ({"Status": "Complete", "% Complete": 80}, [("closed-but-incomplete", "% Complete")], True),
    ({"Spend to Date": 12000}, [("spend-over-budget", "Spend to Date")], True),
    ({"Budget (£)": "lots"}, [("invalid-money", "Budget (£)")], True),
    ({"Forecast Outturn": "(1,200)"}, [("invalid-money", "Forecast Outturn")], True),
    ({"RAG": "Purple"}, [("invalid-rag", "RAG")], True),
    ({"Locality": "Glasgow"}, [("unknown-locality", "Locality")], True),
    ({"Progress Update": "line\x07one\x0btwo"}, [("control-characters", "Progress Update")], True),
]


@pytest.mark.parametrize("overrides, expected, kept", CASES,
                         ids=[e[1][0][0] + "-" + e[1][0][1] for e in CASES])
def test_row_issue(tmp_path, read, overrides, expected, kept):
    path = write_tracker(tmp_path / "t.xlsx", [good_row(1, **overrides)])
    result = read(path)
    assert codes(result) == [(code, cell(header)) for code, header in expected]
    assert bool(result.actions) is kept
    for issue in result.issues:
        assert issue.file == "t.xlsx" and issue.sheet == "Actions"
        assert issue.severity is CATALOGUE[issue.code].severity


def test_staleness_is_not_judged_here(tmp_path, read):
    path = write_tracker(tmp_path / "t.xlsx", [good_row(1, **{"Last Updated": date(2018, 6, 1)})])
    result = read(path)
    assert codes(result) == [] and len(result.actions) == 1  # rate judges it (test_rate)


def test_errors_leave_the_row_out_and_the_rest_goes_on(tmp_path, read):
    rows = [good_row(1), good_row(2, Status="??"), good_row(3, **{"End Date": date(2010, 1, 1)}),
            good_row(4)]
    result = read(write_tracker(tmp_path / "t.xlsx", rows))
    assert [a.action_id for a in result.actions] == ["T-001", "T-004"]
    assert codes(result) == [("unknown-status", cell("Status", FIRST + 1)),
                             ("end-before-start", cell("End Date", FIRST + 2))]


def test_several_issues_in_one_row_are_all_reported(tmp_path, read):
    row = good_row(1, ID=None, Status="??", **{"% Complete": 120, "RAG": "Pink"})
    result = read(write_tracker(tmp_path / "t.xlsx", [row]))
    assert sorted(codes(result)) == sorted([
        ("missing-value", cell("ID")), ("unknown-status", cell("Status")),
        ("invalid-percent", cell("% Complete")), ("invalid-rag", cell("RAG"))])


def test_funding_aliases_and_lists(tmp_path, read):
    rows = [good_row(1, Funding="(ICF) (Transformation Programme)"),
            good_row(2, Funding="Core Fund Investment"),
            good_row(3, Funding="(Transformation Programme) (Integrated Care Fund), "
                                "(Core Funding Investment)")]
    result = read(write_tracker(tmp_path / "t.xlsx", rows))
    assert [a.funding for a in result.actions] == [
        ("Integrated Care Fund", "Transformation Programme"),
        ("Core Funding Investment",),
        ("Transformation Programme", "Integrated Care Fund", "Core Funding Investment")]


def test_unknown_funding_suggests_the_nearest(tmp_path, read):
    result = read(write_tracker(tmp_path / "t.xlsx", [good_row(1, Funding="Integrated Care Fnd")]))
    assert "did you mean 'Integrated Care Fund'" in result.issues[0].message


def test_objective_forms(tmp_path, read, config):
    text = config.objectives[1].text
    rows = [good_row(1, Objective="2"), good_row(2, Objective="Objective 3: We will…"),
            good_row(3, Objective=text.upper()), good_row(4, Objective=1.0)]
    result = read(write_tracker(tmp_path / "t.xlsx", rows))
    assert [a.objective for a in result.actions] == [2, 3, 2, 1]


def test_status_words(tmp_path, read):
    rows = [good_row(1, Status=" in PROGRESS "), good_row(2, Status="Completed", **{"% Complete": 100}),
            good_row(3, Status="on-hold"), good_row(4, Status="Not yet started")]
    result = read(write_tracker(tmp_path / "t.xlsx", rows))
    assert [a.status.value for a in result.actions] == ["In progress", "Complete", "On hold",
                                                        "Not started"]


def test_duplicate_action_id_across_files_is_reported_at_both_cells(tmp_path, read):
    write_tracker(tmp_path / "a.xlsx", [good_row(1), good_row(2)])
    write_tracker(tmp_path / "b.xlsx", [good_row(3), good_row(4, ID="t-001")], title_rows=0)
    result = read(tmp_path)
    dup = [(i.file, i.cell) for i in result.issues if i.code == "duplicate-action-id"]
    assert dup == [("a.xlsx", f"A{FIRST}"), ("b.xlsx", "A3")]
    assert "b.xlsx › Actions!A3" in result.issues[0].message
    assert sorted(a.action_id for a in result.actions) == ["T-002", "T-003"]


def test_missing_required_column_is_one_sheet_issue(tmp_path, read):
    headers = [h for h in HEADERS if h != "Status"]
    result = read(write_tracker(tmp_path / "t.xlsx", [good_row(1)], headers=headers))
    assert codes(result) == [("missing-column", "4:4")]
    assert "Status" in result.issues[0].message and not result.actions


def test_missing_dates_and_timescales_columns(tmp_path, read):
    headers = [h for h in HEADERS if h != "End Date"]
    result = read(write_tracker(tmp_path / "t.xlsx", [good_row(1)], headers=headers))
    assert codes(result) == [("missing-column", "4:4")]


def test_misspelt_header_is_taken_by_did_you_mean(tmp_path, read):
    result = read(write_tracker(tmp_path / "t.xlsx", [good_row(1, **{
        "Corrective Action": "Recruit a second worker."})],
                                rename={"Corrective Action": "Corective Acton"}))
    assert codes(result) == [("header-taken-as", cell("Corrective Action", 4))]
    assert "'Corective Acton' was taken as 'Corrective Action'" in result.issues[0].message
    assert result.actions[0].corrective_action == "Recruit a second worker."


def test_duplicate_header_column(tmp_path, read):
    headers = HEADERS + ["Status"]
    rows = [dict(good_row(1))]
    result = read(write_tracker(tmp_path / "t.xlsx", rows, headers=headers))
    assert codes(result) == [("duplicate-column", "T4")]


def test_invalid_timescales(tmp_path, read):
    headers = [h for h in HEADERS if h not in ("Start Date", "End Date")] + ["Timescales"]
    rows = [good_row(1, Timescales="Ongoing"), good_row(2, Timescales="March 2019 – April 2017")]
    result = read(write_tracker(tmp_path / "t.xlsx", rows, headers=headers))
    assert codes(result) == [("invalid-timescales", f"R{FIRST}"),
                             ("end-before-start", f"R{FIRST + 1}")]


def test_kpi_issues(tmp_path, read):
    grid = kpi_grid(months=3)
    grid[3][4] = "sideways"  # polarity of KPI-01 (row 4, column E)
    grid[4][5] = "ten"  # target of KPI-02 (row 5, column F)
    grid[4][7] = "fortnightly"  # comparator
    grid[4][9] = "n/k"  # a month value
    grid.append(list(grid[4]))  # KPI-02 again
    grid[2].append("Quarter 3")  # not a month
    path = write_tracker(tmp_path / "t.xlsx", [good_row(1)], extra_sheets={"KPIs": grid})
    result = read(path)
    assert sorted(codes(result)) == sorted([
        ("invalid-polarity", "E4"), ("invalid-number", "F5"), ("invalid-comparator", "H5"),
        ("invalid-kpi-value", "J5"), ("duplicate-kpi-id", "A6")])
    assert not result.kpis  # KPI-01 bad polarity, KPI-02 bad target


def test_every_catalogue_code_renders_a_message_and_hint():
    for code, entry in CATALOGUE.items():
        issue = make_issue(code, file="f.xlsx", sheet="Actions", cell="B5", field="end",
                           value="X", detail="Y", limit="Z", as_of="30/09/2018", kind="K")
        assert issue.message and issue.hint and "{" not in issue.message + issue.hint, code
        assert issue.message[0].isupper() or issue.message[0] in "'%", code
        assert entry.code == code and code == code.lower() and " " not in code
        assert isinstance(issue.severity, Severity)
