"""Reading real layouts: title rows, header aliases, merged cells, hidden rows, formats."""

import shutil
from datetime import date

import pytest

from builders import HEADERS, convert, good_row, kpi_grid, soffice, write_tracker
from conftest import codes
from reportgen.ingest.schema import ACTION_FIELDS, KPI_FIELDS, normalise_header
from reportgen.model import Comparator, Polarity, Rag, Status

# canonical header in builders.HEADERS → field name
FIELD_OF_HEADER = {
    "ID": "action_id", "Objective": "objective", "Desired Outcome": "desired_outcome",
    "Action": "action", "Lead Officer": "lead_officer", "Locality": "locality",
    "Funding": "funding", "Start Date": "start", "End Date": "end",
    "Target Impact/Benefits": "target_impact", "Status": "status",
    "% Complete": "percent_complete", "RAG": "officer_rag", "Last Updated": "last_updated",
    "Progress Update": "commentary", "Corrective Action": "corrective_action",
    "Budget (£)": "budget", "Spend to Date": "spend_to_date", "Forecast Outturn": "forecast",
}
HEADER_OF_FIELD = {v: k for k, v in FIELD_OF_HEADER.items()}


def test_header_below_title_rows_and_not_in_column_a(tmp_path, read):
    path = write_tracker(tmp_path / "t.xlsx", [good_row(1), good_row(2)], title_rows=3,
                         first_col=2)
    result = read(path)
    assert result.errors == 0
    a = result.actions[0]
    assert a.action_id == "T-001"
    assert a.source.row == 6  # header on row 5 (three titles and a blank row)
    assert a.source.cell("action_id") == "C6"  # the true cell, not shifted to A1
    assert a.source.cell("forecast") == "U6"


@pytest.mark.parametrize("field_name, alias", [
    (spec.name, alias) for spec in ACTION_FIELDS for alias in spec.aliases
    if spec.name in HEADER_OF_FIELD
])
def test_every_action_alias_is_recognised(tmp_path, read, field_name, alias):
    header = HEADER_OF_FIELD[field_name]
    path = write_tracker(tmp_path / "t.xlsx", [good_row(1, **{"Corrective Action": "Plan"})],
                         rename={header: alias})
    result = read(path)
    assert result.errors == 0, codes(result)
    assert not [i for i in result.issues if i.code == "unknown-header"]
    a = result.actions[0]
    expected = {"action_id": "T-001", "objective": 2, "lead_officer": "Morag Elliot",
                "status": Status.IN_PROGRESS, "percent_complete": 50.0,
                "officer_rag": Rag.GREEN, "last_updated": date(2018, 9, 14),
                "start": date(2017, 4, 1), "end": date(2019, 3, 31), "budget": 10000.0,
                "funding": ("Integrated Care Fund",), "corrective_action": "Plan",
                "locality": "Eildon", "spend_to_date": 4000.0, "forecast": 10000.0}
    if field_name in expected:
        assert getattr(a, field_name) == expected[field_name]
    else:
        assert getattr(a, field_name)


@pytest.mark.parametrize("shown", ["% COMPLETE", "%complete", " % Complete ", "%\u00a0Complete",
                                   "% Com-plete", "Last\nUpdated", "last_updated",
                                   "LAST UPDATED:"])
def test_headers_ignore_case_spaces_punctuation_breaks(tmp_path, read, shown):
    header = "% Complete" if "com" in shown.lower() else "Last Updated"
    path = write_tracker(tmp_path / "t.xlsx", [good_row(1)], rename={header: shown})
    result = read(path)
    assert result.errors == 0
    assert result.actions[0].percent_complete == 50.0


def test_timescales_column_instead_of_dates(tmp_path, read):
    headers = [h for h in HEADERS if h not in ("Start Date", "End Date")] + ["Timescales"]
    rows = [good_row(1, Timescales="April 2017 –\nMarch 2019"),
            good_row(2, Timescales="Oct 2016 - Mar 2019")]
    result = read(write_tracker(tmp_path / "t.xlsx", rows, headers=headers,
                                rename={"Timescales": "Timescales\nStart and End Date"}))
    assert result.errors == 0
    assert (result.actions[0].start, result.actions[0].end) == (date(2017, 4, 1), date(2019, 3, 31))
    assert result.actions[1].start == date(2016, 10, 1)


def test_dates_typed_as_uk_text(tmp_path, read):
    rows = [good_row(1, **{"Start Date": "01/04/2017", "End Date": "1-Oct-18",
                           "Last Updated": "14/09/2018"})]
    result = read(write_tracker(tmp_path / "t.xlsx", rows))
    a = result.actions[0]
    assert (a.start, a.end, a.last_updated) == (date(2017, 4, 1), date(2018, 10, 1),
                                                date(2018, 9, 14))


@pytest.mark.parametrize("engine", ["xlsxwriter", "openpyxl"])
def test_merged_objective_and_outcome_cells_fill_down(tmp_path, read, engine):
    rows = [good_row(i, Objective=2, **{"Desired Outcome": "Outcome A" if i < 4 else "B"})
            for i in range(1, 6)]
    path = write_tracker(tmp_path / "t.xlsx", rows, merge=("Objective", "Desired Outcome"),
                         engine=engine)
    result = read(path)
    assert result.errors == 0, codes(result)
    assert [a.objective for a in result.actions] == [2] * 5
    assert [a.desired_outcome for a in result.actions] == ["Outcome A"] * 3 + ["B"] * 2


def test_hidden_rows_columns_and_filters_are_read(tmp_path, read):
    rows = [good_row(i) for i in range(1, 6)]
    path = write_tracker(tmp_path / "t.xlsx", rows, hidden_rows=(1, 3), hidden_cols=("D", "L"),
                         autofilter=True)
    result = read(path)
    assert [a.action_id for a in result.actions] == [f"T-{i:03d}" for i in range(1, 6)]
    assert result.actions[1].action.startswith("We will")  # column D was hidden
    assert result.actions[1].percent_complete == 50.0  # column L was hidden


@pytest.mark.parametrize("engine", ["xlsxwriter", "openpyxl"])
def test_percent_formatted_cells_mean_percent(tmp_path, read, engine):
    rows = [good_row(1, **{"% Complete": 35}), good_row(2, **{"% Complete": 100,
                                                               "Status": "Complete"})]
    result = read(write_tracker(tmp_path / "t.xlsx", rows, percent_format=True, engine=engine))
    assert [a.percent_complete for a in result.actions] == [35.0, 100.0]


def test_blank_rows_banners_and_repeated_headers_are_skipped(tmp_path, read):
    rows = [good_row(1), {}, {"ID": "Objective 3: We will improve capacity"},
            dict(zip(HEADERS, HEADERS)), good_row(2, Objective=None), {}, {}]
    result = read(write_tracker(tmp_path / "t.xlsx", rows))
    assert result.errors == 0, codes(result)
    assert [a.action_id for a in result.actions] == ["T-001", "T-002"]
    assert result.actions[1].objective == 3  # taken from the banner row above


def test_pre_numbered_empty_rows_are_not_actions(tmp_path, read):
    rows = [good_row(1)] + [{"ID": f"T-{i:03d}", "Objective": 1} for i in range(2, 20)]
    result = read(write_tracker(tmp_path / "t.xlsx", rows))
    assert result.errors == 0
    assert len(result.actions) == 1


def test_uncalculated_formula_is_flagged(tmp_path, read):
    import openpyxl

    path = write_tracker(tmp_path / "t.xlsx", [good_row(1)], engine="openpyxl")
    wb = openpyxl.load_workbook(path)
    ws = wb["Actions"]
    ws["L5"] = "=20+30"  # % Complete, saved without a cached value
    wb.save(path)
    result = read(path)
    assert ("formula-not-calculated", "L5") in codes(result)


def test_kpi_sheet_wide_layout(tmp_path, read):
    path = write_tracker(tmp_path / "t.xlsx", [good_row(1)], extra_sheets={"KPIs": kpi_grid()})
    result = read(path)
    assert result.errors == 0, codes(result)
    assert [k.kpi_id for k in result.kpis] == ["KPI-01", "KPI-02"]
    k1, k2 = result.kpis
    assert k1.polarity is Polarity.HIGHER and k2.polarity is Polarity.LOWER
    assert k2.comparator is Comparator.LAST_YEAR
    assert k1.outcomes == (2, 3, 9)
    assert len(k1.series) == 18 and k1.series[0] == ("2017-04", 60.0)
    assert k1.series[-1][0] == "2018-09"
    assert k1.target == 72 and k1.tolerance == 5


def test_kpi_month_headers_as_text(tmp_path, read):
    grid = kpi_grid(months=3)
    grid[2][8:] = ["Apr 2017", "2017-05", "Jun-17"]
    path = write_tracker(tmp_path / "t.xlsx", [good_row(1)], extra_sheets={"Indicators": grid})
    result = read(path)
    assert [p for p, _ in result.kpis[0].series] == ["2017-04", "2017-05", "2017-06"]


def test_kpi_long_layout(tmp_path, read):
    grid = [["KPI ID", "Indicator", "Polarity", "Target", "Period", "Value"],
            ["K1", "Falls admissions 65+", "Lower is better", 50, "Apr 2018", 48],
            ["K1", None, None, None, "May 2018", 52],
            ["K1", None, None, None, "Jun 2018", "n/a"]]
    path = write_tracker(tmp_path / "t.xlsx", [good_row(1)], extra_sheets={"KPIs": grid})
    result = read(path)
    k = result.kpis[0]
    assert k.series == (("2018-04", 48.0), ("2018-05", 52.0))
    assert ("invalid-kpi-value", "F4") in codes(result)


@pytest.mark.parametrize("field_name, alias", [
    (spec.name, alias) for spec in KPI_FIELDS for alias in spec.aliases
    if spec.name in ("indicator", "polarity", "target", "tolerance", "unit", "outcomes",
                     "comparator")
])
def test_every_kpi_alias(tmp_path, read, field_name, alias):
    grid = kpi_grid(months=2)
    standard = {"indicator": "Indicator", "polarity": "Polarity", "target": "Target",
                "tolerance": "Tolerance", "unit": "Unit",
                "outcomes": "Health & Wellbeing Outcomes", "comparator": "Compare With"}
    grid[2] = [alias if h == standard[field_name] else h for h in grid[2]]
    path = write_tracker(tmp_path / "t.xlsx", [good_row(1)], extra_sheets={"KPIs": grid})
    result = read(path)
    assert result.errors == 0, codes(result)
    assert len(result.kpis) == 2
    assert getattr(result.kpis[0], field_name) not in (None, "", ())


def test_normalise_header():
    assert normalise_header("Budget (£)") == "budget"
    assert normalise_header("% Complete") == "percentcomplete"
    assert normalise_header("Timescales\nStart\u00a0and End Date") == "timescalesstartandenddate"
    assert normalise_header("Target Impact/Benefits") == "targetimpactbenefits"


needs_soffice = pytest.mark.skipif(not soffice(), reason="LibreOffice is not installed")


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """One tracker converted by LibreOffice into .xls and .ods (and .xlsx kept)."""
    d = tmp_path_factory.mktemp("formats")
    rows = [good_row(i, **{"% Complete": 20 * i}) for i in range(1, 4)]
    src = write_tracker(d / "src" / "tracker.xlsx", rows, merge=("Objective",),
                        percent_format=True, extra_sheets={"KPIs": kpi_grid(months=3)})
    out = {"xlsx": src}
    for fmt in ("xls", "ods"):
        out[fmt] = convert(src, fmt, d / fmt)
    return out


@needs_soffice
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_legacy_and_open_formats_read_like_xlsx(converted, read, fmt):
    reference = read(converted["xlsx"])
    result = read(converted[fmt])
    assert result.errors == 0, codes(result)
    assert result.sources[0].kind == fmt
    assert [(a.action_id, a.percent_complete, a.start, a.objective) for a in result.actions] == \
        [(a.action_id, a.percent_complete, a.start, a.objective) for a in reference.actions]
    assert [a.source.cell("status") for a in result.actions] == \
        [a.source.cell("status") for a in reference.actions]
    assert len(result.kpis) == 2


@needs_soffice
def test_file_kind_is_chosen_by_content_not_name(converted, read, tmp_path):
    misnamed = tmp_path / "really-an-xls.xlsx"
    shutil.copy(converted["xls"], misnamed)
    ods_as_xls = tmp_path / "really-an-ods.xls"
    shutil.copy(converted["ods"], ods_as_xls)
    for path, kind in ((misnamed, "xls"), (ods_as_xls, "ods")):
        result = read(path)
        assert result.errors == 0, codes(result)
        assert result.sources[0].kind == kind
        assert len(result.actions) == 3
