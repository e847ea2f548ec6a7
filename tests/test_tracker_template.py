"""new-tracker: the blank workbook's sheets and validations, and that a tracker filled in
on it reads back clean."""

from datetime import date, datetime

import openpyxl
import pytest

from reportgen.validate import read_trackers
from reportgen.ingest.schema import ACTION_ALIASES, normalise_header
from reportgen.render.tracker import COLUMNS, write_blank_tracker

HEADERS = ["ID", "Objective", "Desired Outcome", "Action", "Lead Officer", "Locality",
           "Funding", "Start Date", "End Date", "Target Impact/Benefits", "Status",
           "% Complete", "RAG", "Last Updated", "Progress Update", "Corrective Action",
           "Budget (£)", "Spend to Date", "Forecast Outturn"]


@pytest.fixture
def blank(tmp_path, config):
    return write_blank_tracker(tmp_path / "tracker.xlsx", config)


def _validations(ws):
    """first column letter of each validation's range → validation."""
    return {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv
            for dv in ws.data_validations.dataValidation}


def test_sheets_header_and_frozen_pane(blank):
    wb = openpyxl.load_workbook(blank)
    assert wb.sheetnames == ["Actions", "Instructions", "Lists"]
    assert wb["Lists"].sheet_state == "hidden"
    ws = wb["Actions"]
    assert ws["A1"].value.endswith("action tracker")
    assert [c.value for c in ws[2]] == HEADERS
    assert ws.freeze_panes == "B3"
    assert ws["H3"].number_format == "dd/mm/yyyy"
    assert "£" in ws["Q3"].number_format
    assert ws["A3"].value is None  # blank rows hold no values


def test_every_header_is_one_the_reader_knows():
    assert [c.header for c in COLUMNS] == HEADERS
    for header in HEADERS:
        assert normalise_header(header) in ACTION_ALIASES


def test_data_validations_on_the_right_columns(blank, config):
    wb = openpyxl.load_workbook(blank)
    dvs = _validations(wb["Actions"])
    lists = wb["Lists"]

    def values(formula):
        ref = formula.split("!")[1].replace("$", "")
        return [c.value for row in lists[ref] for c in row]

    assert str(dvs["B"].sqref) == "B3:B202"
    assert dvs["B"].type == "list" and values(dvs["B"].formula1) == [1, 2, 3]
    assert values(dvs["K"].formula1) == list(config.statuses)
    assert values(dvs["M"].formula1) == ["Red", "Amber", "Green", "Blue"]
    assert values(dvs["G"].formula1) == list(config.stream_names)
    assert dvs["G"].errorStyle == "warning"  # two streams in brackets are allowed
    assert values(dvs["F"].formula1) == list(config.localities)
    for col in "HIN":
        assert dvs[col].type == "date" and dvs[col].operator in (None, "between")  # default
        assert (dvs[col].formula1, dvs[col].formula2) == ("36526", "73415")
        assert "dd/mm/yyyy" in dvs[col].prompt
    assert dvs["L"].type == "whole" and (dvs["L"].formula1, dvs["L"].formula2) == ("0", "100")
    for col in "QRS":
        assert dvs[col].type == "decimal" and dvs[col].operator == "greaterThanOrEqual"
        assert dvs[col].formula1 == "0"
    assert set(dvs) == set("BFGHIKLMNQRS")


def test_instructions_list_objectives_and_columns(blank, config):
    ws = openpyxl.load_workbook(blank)["Instructions"]
    cells = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    for objective in config.objectives:
        assert objective.text in cells
    for header in HEADERS:
        assert header in cells


def test_objective_goes_in_title_and_first_in_drop_down(tmp_path, config):
    path = write_blank_tracker(tmp_path / "o2.xlsx", config, objective=2)
    wb = openpyxl.load_workbook(path)
    ws = wb["Actions"]
    assert ws["A1"].value == f"Objective 2: {config.objective(2).text}"
    assert [ws.cell(r, 2).value for r in range(3, 203)] == [None] * 200  # not pre-filled
    assert [wb["Lists"].cell(r, 1).value for r in range(2, 5)] == [2, 1, 3]
    with pytest.raises(ValueError, match="objective 9"):
        write_blank_tracker(tmp_path / "o9.xlsx", config, objective=9)
    assert not (tmp_path / "o9.xlsx").exists()


def test_refuses_to_overwrite(blank, config):
    before = blank.read_bytes()
    with pytest.raises(FileExistsError):
        write_blank_tracker(blank, config)
    assert blank.read_bytes() == before
    assert sorted(p.name for p in blank.parent.iterdir()) == ["tracker.xlsx"]  # no temp


def test_same_configuration_gives_the_same_bytes(tmp_path, config):
    a = write_blank_tracker(tmp_path / "a.xlsx", config)
    b = write_blank_tracker(tmp_path / "b.xlsx", config)
    assert a.read_bytes() == b.read_bytes()
    assert openpyxl.load_workbook(a).properties.created == datetime(2018, 4, 1)


ROWS = [
    ["O1-01", 1, "People manage their own conditions", "Roll out anticipatory care plans",
     "Morag Elliot", "Eildon", "Integrated Care Fund", datetime(2017, 4, 1),
     datetime(2019, 3, 31), "Fewer emergency admissions", "In progress", 60, "Green",
     datetime(2018, 9, 14), "Plans in place in four practices", None, 50000, 20000, 50000],
    ["O2-01", 2, "Timely discharge", "Discharge to assess pilot", "Iain Scott", None,
     "(Integrated Care Fund) (Transformation Programme)", datetime(2018, 1, 1),
     datetime(2018, 12, 31), None, "Not started", 0, "Amber", datetime(2018, 9, 20),
     "Recruitment under way", "Agency staff while posts are filled", None, None, None],
]


def _fill(path, rows):
    wb = openpyxl.load_workbook(path)
    ws = wb["Actions"]
    for r, values in enumerate(rows, start=3):
        for c, value in enumerate(values, start=1):
            ws.cell(r, c, value)
    wb.save(path)


def test_filled_in_tracker_reads_with_no_errors(blank, config):
    _fill(blank, ROWS)
    result = read_trackers([blank], config, today=date(2018, 10, 5),
                           as_of=date(2018, 9, 30))
    assert [(i.code, i.cell) for i in result.issues if i.is_error] == []
    assert [a.action_id for a in result.actions] == ["O1-01", "O2-01"]
    assert result.actions[1].funding == ("Integrated Care Fund", "Transformation Programme")
    assert result.sources[0].sheets == ("Actions",)


def test_invalid_status_is_reported_at_its_cell(blank, config):
    rows = [list(ROWS[0]), list(ROWS[1])]
    rows[1][10] = "Nearly there"
    _fill(blank, rows)
    result = read_trackers([blank], config, today=date(2018, 10, 5),
                           as_of=date(2018, 9, 30))
    assert [(i.code, i.cell) for i in result.issues if i.is_error] == \
        [("unknown-status", "K4")]


def test_blank_tracker_reads_as_an_empty_tracker(blank, config):
    result = read_trackers([blank], config, today=date(2018, 10, 5),
                           as_of=date(2018, 9, 30))
    assert result.issues == [] and result.actions == []
    assert result.sources[0].sheets == ("Actions",)  # not Instructions, not Lists
