"""The consolidated workbook: sheets, tables, formats, text that stays text, hyperlinks,
Finance formulas that LibreOffice recalculates to the Python sums, truncation, determinism."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from factories import view_of, STREAMS, make_action, make_run
from reportgen.model import Status
from reportgen.rate import split_by
from reportgen.outputs import Staging
from reportgen.render.workbook import write_consolidated
from reportgen.view.links import Links, final_folder
from reportgen.view.quality import COMMENTARY_LIMIT, EXCEL_MAX_CHARS, TRUNCATED, fit_text


def tracker_link(file, sheet, cell, workbooks, folder):
    return Links(workbooks).cell(file, sheet, cell, relative_to=folder)


SHEETS = ["Summary", "Actions", "Allocations", "Finance", "Officers", "KPIs", "Issues",
          "Sources"]
HOSTILE = {
    "action": "=cmd|' /C calc'!A0",
    "commentary": '=HYPERLINK("http://example.invalid","x")',
    "lead_officer": "{=1+1}",
}
SOFFICE = shutil.which("soffice")


def hostile_run(**overrides):
    actions = [make_action(1, **HOSTILE),
               make_action(2, action_id="=1+2", locality="@SUM(A1)", commentary="{=A1}"),
               make_action(3, status=Status.CANCELLED, budget=99999.0, forecast=99999.0),
               make_action(4, funding=tuple(STREAMS), budget=100.0, spend_to_date=10.0,
                           forecast=100.01)]
    actions += [make_action(i) for i in range(5, 21)]
    return make_run(actions=actions, **overrides)


def write(run, config, tmp_path, name="consolidated-2018-09.xlsx", staging=True,
          workbooks=None):
    folder = tmp_path / "output" / "2018-09"
    if staging:
        folder = folder / ".staging-4242"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    view = view_of(run, config, workbooks or tmp_path / "workbooks")
    write_consolidated(view, config, path)
    # the text the workbook cuts to fit Excel, as the view lists it for every output
    return path, [i for i in view.issues if i.code == "text-truncated"]


def columns(ws):
    return {c.value: c.column_letter for c in ws[1]}


def column_values(ws, header):
    col = columns(ws)[header]
    return [c.value for c in ws[col][1:]]


# --------------------------------------------------------------------------- structure


def test_sheets_tables_and_formats(config, tmp_path):
    run = hostile_run()
    path, issues = write(run, config, tmp_path)
    assert issues == []
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == SHEETS
    ws = wb["Actions"]
    assert set(ws.tables) == {"Actions"}
    assert ws.tables["Actions"].ref == f"A1:AK{len(run.actions) + 1}"  # … Also under
    assert ws.tables["Actions"].autoFilter is not None
    assert ws.freeze_panes == "B2"
    cols = columns(ws)
    assert list(cols)[:3] == ["ID", "Objective", "Action"]
    row = 2
    for header in ("Budget", "Spend", "Forecast", "Variance"):
        assert ws[f"{cols[header]}{row}"].number_format == "£#,##0.00"
    for header in ("Start", "End", "Last updated"):
        cell = ws[f"{cols[header]}{row}"]
        assert cell.number_format == "dd/mm/yyyy"
        assert cell.value.date() == getattr(run.actions[0], {"Start": "start", "End": "end"}
                                            .get(header, "last_updated"))
    assert ws[f"{cols['% complete']}{row}"].number_format == "0%"
    assert ws[f"{cols['% complete']}{row}"].value == pytest.approx(0.1)
    # every column is fitted: none left at the default width, none absurdly wide
    for letter in cols.values():
        assert 8 <= ws.column_dimensions[letter].width <= 61

    a = wb["Allocations"]
    assert set(a.tables) == {"Allocations"}
    assert [c.value for c in a[1]] == ["ID", "Objective", "Stream", "Share", "Basis",
                                       "Budget", "Spend", "Forecast"]  # Basis: review mend
    assert wb["Issues"].tables and wb["Sources"].tables


def test_allocations_sheet_names_each_share_and_its_basis(config, tmp_path):
    """Review mend: the Finance sheet's "Finance by action and funding stream" block is
    gone; the same facts (share, basis, money by action and stream) are asserted here on
    the Allocations sheet, which now has a Basis column."""
    from reportgen.rate import allocate
    two = tuple(STREAMS)[:2]
    actions = [make_action(1, funding=two, budget=100.0, spend_to_date=10.0, forecast=90.0,
                           funding_shares=(0.6, 0.4)),
               make_action(2, funding=two, budget=100.01, spend_to_date=None, forecast=50.0),
               make_action(3, funding=two[:1], budget=20.0)]
    run = replace(make_run(actions=actions), allocations=allocate(actions))
    assert [al.share for al in run.allocations] == ["60%", "40%", "1 of 2", "2 of 2", "1 of 1"]
    ws = openpyxl.load_workbook(write(run, config, tmp_path)[0])["Allocations"]
    rows = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert [r[2:] for r in rows] == [
        [two[0], "60% stated", "Stated in the tracker", 60.0, 6.0, 54.0],
        [two[1], "40% stated", "Stated in the tracker", 40.0, 4.0, 36.0],
        [two[0], "1 of 2 (equal split, assumed)", "Equal split (assumed)", 50.01, None, 25.0],
        [two[1], "2 of 2 (equal split, assumed)", "Equal split (assumed)", 50.0, None, 25.0],
        [two[0], "1 of 1", "One stream", 20.0, rows[4][6], rows[4][7]]]
    finance = [c for r in openpyxl.load_workbook(write(run, config, tmp_path / "b")[0])[
        "Finance"].iter_rows(values_only=True) for c in r if isinstance(c, str)]
    assert "Finance by action and funding stream" not in finance
    assert any("on the Allocations sheet" in c for c in finance)


def test_actions_rows_hold_the_ratings_and_source(config, tmp_path):
    run = hostile_run()
    path, _ = write(run, config, tmp_path)
    ws = openpyxl.load_workbook(path)["Actions"]
    assert column_values(ws, "ID") == [a.action_id for a in run.actions]
    assert column_values(ws, "Reported RAG") == [run.ratings[a.action_id].reported.value
                                                 for a in run.actions]
    assert column_values(ws, "Reasons")[0] == "; ".join(run.ratings[run.actions[0].action_id]
                                                         .reasons)
    assert column_values(ws, "Source file")[:2] == ["tracker-1.xlsx", "tracker-2.xlsx"]
    assert column_values(ws, "Source cell")[0] == "Actions!A6"
    assert column_values(ws, "Funding")[3] == "; ".join(STREAMS)
    assert column_values(ws, "Challenge")[0] == "Yes"  # Red computed, Green by the officer


def test_rag_cells_coloured_by_conditional_formatting_and_data_bars(config, tmp_path):
    path, _ = write(hostile_run(), config, tmp_path)
    ws = openpyxl.load_workbook(path)["Actions"]
    rules = {str(rng.sqref): [r for r in rng.rules] for rng in ws.conditional_formatting}
    rag_ranges = [k for k, v in rules.items() if any(r.formula == ['"Red"'] for r in v)]
    assert rag_ranges and all(len(k.split()) == 4 for k in rag_ranges)  # four RAG columns
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet2.xml").decode()
    assert "<dataBar" in xml


def test_no_tracker_text_becomes_a_formula(config, tmp_path):
    path, _ = write(hostile_run(), config, tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Actions"]
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for text in list(HOSTILE.values()) + ["=1+2", "@SUM(A1)", "{=A1}"]:
        assert cells[text].data_type == "s", text
    # and in the file itself: formulas only where we put them (Finance and Summary)
    with zipfile.ZipFile(path) as z:
        names = {n: z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/s")}
    sheet_of = dict(zip(sorted(names, key=lambda n: int(re.search(r"\d+", n).group())), SHEETS))
    for name, xml in names.items():
        formulas = re.findall(r"<f[^>]*>(.*?)</f>", xml)
        if sheet_of[name] in ("Finance", "Summary", "Officers"):
            assert formulas
            assert not any("cmd" in f or "HYPERLINK" in f or "1+1" in f for f in formulas)
        elif sheet_of[name] == "Actions":  # % spent and the forecast's movement only
            assert formulas and all(re.fullmatch(r"[A-Z]+\d+[/-][A-Z]+\d+", f)
                                    for f in formulas), formulas[:5]
        else:
            assert formulas == [], sheet_of[name]
        assert "<f t=\"array\"" not in xml


def test_issue_hyperlinks_open_the_tracker_at_the_cell(config, tmp_path):
    run = hostile_run()
    path, _ = write(run, config, tmp_path)  # staged: links are for the final folder
    ws = openpyxl.load_workbook(path)["Issues"]
    cols = columns(ws)
    links = {}
    for r in range(2, ws.max_row + 1):
        cell = ws[f"{cols['Open at the cell']}{r}"]
        links[ws[f"{cols['Code']}{r}"].value] = (cell.hyperlink.target, cell.hyperlink.location,
                                                 cell.value)
    # absolute, so that the workbook still opens the tracker once it is emailed
    wbk = str(tmp_path / "workbooks").replace("/", "\\")
    assert links["end-before-start"] == (wbk + "\\tracker-1.xlsx", "'Actions'!H9",
                                         "tracker-1.xlsx › Actions!H9")
    assert links["stale-update"][:2] == (wbk + "\\tracker-2.xlsx", "'Actions'!N7")
    assert links["file-password-protected"][:2] == (wbk + "\\locked.xlsx", None)
    assert ws[f"{cols['Hint']}2"].value == view_of(run).issues[0].hint  # sorted, as listed


def test_link_targets_are_relative_to_the_final_folder(tmp_path):
    out = tmp_path / "output" / "2018-09"
    assert final_folder(out / ".staging-77") == out
    assert final_folder(out / ".staging-77" / "feedback") == out / "feedback"
    assert final_folder(Staging(out).path) == out  # the staging folder's name, as made
    wbk = tmp_path / "workbooks"
    assert tracker_link("a.xlsx", "Actions", "C4", wbk, out / ".staging-1") == \
        "external:../../workbooks/a.xlsx#'Actions'!C4"
    assert tracker_link("team/it's #1.xlsx", "Bob's sheet", "bad ref", wbk, out) == \
        "external:../../workbooks/team/it's%20%231.xlsx#'Bob''s sheet'!A1"
    assert tracker_link("a.xlsx", None, None, wbk, out / "feedback") == \
        "external:../../../workbooks/a.xlsx"


def test_kpis_sheet_series_spc_and_sparklines(config, tmp_path):
    run = make_run(5, n_kpis=3)
    path, _ = write(run, config, tmp_path)
    ws = openpyxl.load_workbook(path)["KPIs"]
    header = [c.value for c in ws[4]]
    assert header[:4] == ["KPI ID", "Indicator", "Unit", "Polarity"]
    periods = [p for p, _ in run.kpis[0].series]
    assert header[16:16 + len(periods)] == periods
    first = [c.value for c in ws[5]]
    res = run.kpi_results["KPI-1"]
    assert first[0] == "KPI-1" and first[8] == res.rag.value
    assert first[9] == "▲ improving"
    assert first[11:14] == [round(res.spc.centre, 2), round(res.spc.lower, 2),
                            round(res.spc.upper, 2)]
    assert first[14] == res.spc.summary
    assert first[16:16 + len(periods)] == [v for _, v in run.kpis[0].series]
    xml = zipfile.ZipFile(path).read(f"xl/worksheets/sheet{SHEETS.index('KPIs') + 1}.xml")
    assert xml.decode().count("<x14:sparkline>") == 3


def test_sources_sheet_lists_read_and_refused_files(config, tmp_path):
    run = make_run(5)
    path, _ = write(run, config, tmp_path)
    ws = openpyxl.load_workbook(path)["Sources"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert rows[0][:7] == ["tracker-1.xlsx", "xlsx", "Actions", 8, 7, 0, 12000]
    assert ws["H2"].number_format == "dd/mm/yyyy hh:mm"
    assert rows[0][8] == "ab" * 32 and rows[0][10] is None
    assert rows[1][10] == "file-password-protected"
    assert rows[1][11] == "The file is encrypted with a password, so it cannot be read."


def test_summary_counts_by_rag_and_objective(config, tmp_path):
    run = make_run(30)
    path, _ = write(run, config, tmp_path)
    ws = openpyxl.load_workbook(path)["Summary"]
    cells = [[c.value for c in r] for r in ws.iter_rows()]
    assert cells[3][:2] == ["Period", "September 2018 (2018-09)"]
    assert cells[4][1].date() == date(2018, 9, 30) and ws["B5"].number_format == "dd/mm/yyyy"
    head = next(i for i, r in enumerate(cells) if r[0] == "Objective")
    rags = cells[head][1:7]
    assert rags == ["Red", "Amber", "Green", "Blue", "Grey", "Cancelled"]
    counts = Counter((a.objective, run.ratings[a.action_id].reported.value)
                     for a in run.actions)
    for i, obj in enumerate((1, 2, 3)):
        assert cells[head + 1 + i][0] == f"Objective {obj}"
        assert cells[head + 1 + i][1:7] == [counts[(obj, r)] for r in rags]
    assert cells[head + 4][7] == 30
    charts = [n for n in zipfile.ZipFile(path).namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2


def test_summary_counts_only_files_not_read_as_files_not_read(config, tmp_path):
    """Review mend: every info-level issue was counted as a file not read."""
    from reportgen.issues import make_issue
    run = make_run(12)
    info = make_issue("kpi-series-merged", file="kpis.xlsx", detail="x")
    assert info.severity.name.lower() == "info"
    run = replace(run, issues=(info,))
    ws = openpyxl.load_workbook(write(run, config, tmp_path)[0])["Summary"]
    assert not [r for r in ws.iter_rows(values_only=True)
                if r[0] and str(r[0]).startswith("Files not read")]
    nread = make_issue("file-not-read", file="notes.docx", kind="a Word document")
    run = replace(run, issues=(info, nread))
    ws = openpyxl.load_workbook(write(run, config, tmp_path / "b")[0])["Summary"]
    assert [r[1] for r in ws.iter_rows(values_only=True)
            if r[0] == "Files not read (not a tracker format)"] == [1]


def test_empty_run_still_writes_a_workbook(config, tmp_path):
    run = make_run(actions=[], n_kpis=0)
    run = replace(run, issues=(), sources=())
    path, issues = write(run, config, tmp_path)
    assert issues == []
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == SHEETS


# --------------------------------------------------------------------------- text limits


def test_long_text_is_cut_with_a_marker_and_an_issue(config, tmp_path):
    long = make_action(1, commentary="x" * 40_000, action="😀" * 20_000)
    run = make_run(actions=[long, make_action(2)])
    path, issues = write(run, config, tmp_path)
    assert [(i.code, i.file, i.sheet, i.cell, i.field) for i in issues] == [
        ("text-truncated", "tracker-1.xlsx", "Actions", None, "action"),
        ("text-truncated", "tracker-1.xlsx", "Actions", "P6", "commentary"),
    ]
    assert issues[1].message == "Commentary is 40000 characters long; it was cut to 32647 " \
                                "characters."
    wb = openpyxl.load_workbook(path)
    ws = wb["Actions"]
    commentary = column_values(ws, "Commentary")[0]
    assert len(commentary) == COMMENTARY_LIMIT and commentary.endswith(TRUNCATED)
    action = column_values(ws, "Action")[0]
    assert len(action.encode("utf-16-le")) // 2 <= EXCEL_MAX_CHARS
    assert action.endswith("😀" + TRUNCATED)
    # the cut is listed on the Issues sheet too
    codes = [c.value for c in wb["Issues"]["B"]]
    assert codes.count("text-truncated") == 2


def test_control_characters_are_removed():
    assert fit_text("a\x00b\x0bc\x1fd\r\ne\x7f") == ("ab\ncd\ne", None)
    assert fit_text(None) == ("", None)
    text, original = fit_text("y" * 32_768)
    assert original == 32_768 and len(text) == 32_767
    text, original = fit_text("z\x00" * 20_000)  # cleaned first: 20,000 fit
    assert (text, original) == ("z" * 20_000, None)


def test_control_characters_never_reach_the_file(config, tmp_path):
    run = make_run(actions=[make_action(1, commentary="bell\x07 and\x0bvertical tab")])
    path, _ = write(run, config, tmp_path)
    ws = openpyxl.load_workbook(path)["Actions"]
    assert column_values(ws, "Commentary") == ["bell and\nvertical tab"]


# --------------------------------------------------------------------------- determinism


def test_two_writes_of_one_period_are_identical(config, tmp_path):
    run = hostile_run()
    # one trackers' folder: the links into it are absolute
    one, _ = write(run, config, tmp_path / "one", workbooks=tmp_path / "workbooks")
    two, _ = write(run, config, tmp_path / "two", workbooks=tmp_path / "workbooks")
    with zipfile.ZipFile(one) as a, zipfile.ZipFile(two) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            assert a.read(name) == b.read(name), name
        assert "2018-09-30T00:00:00Z" in a.read("docProps/core.xml").decode()
    assert one.read_bytes() == two.read_bytes()


# --------------------------------------------------------------------------- Finance


def expected_finance(run):
    """(measure, stream, objective) → pounds, computed here from the records."""
    out: Counter = Counter()
    for a in run.actions:
        if a.status is Status.CANCELLED:
            continue
        n = len(a.funding)
        for measure, amount in (("Budget", a.budget), ("Spend", a.spend_to_date),
                                ("Forecast", a.forecast)):
            for stream, share in zip(a.funding, split_by(amount, [1.0] * n)):
                out[(measure, stream, a.objective)] += round((share or 0) * 100)
    result = {k: v / 100 for k, v in out.items()}
    for (measure, stream, obj), v in list(result.items()):
        if measure == "Budget":
            result[("Variance", stream, obj)] = round(
                result.get(("Forecast", stream, obj), 0) - v, 2)
    return result


def finance_cells(ws):
    """Yield (measure, stream or 'Total', objective or 'Total', cell) for every figure in
    the Finance sheet's four blocks."""
    rows = list(ws.iter_rows())
    i = 0
    while i < len(rows):
        title = rows[i][0].value
        if isinstance(title, str) and title.endswith("(£)"):
            measure = title[:-4]
            header = rows[i + 1]
            objectives = [c.value for c in header[1:] if c.value is not None]
            j = i + 2
            while True:
                label = rows[j][0].value
                for k, obj in enumerate(objectives):
                    yield measure, label, obj, rows[j][1 + k]
                if label == "Total":
                    break
                j += 1
            i = j
        i += 1


def test_finance_formulas_and_cached_values(config, tmp_path):
    run = hostile_run()
    path, _ = write(run, config, tmp_path)
    formulas = openpyxl.load_workbook(path)["Finance"]
    cached = openpyxl.load_workbook(path, data_only=True)["Finance"]
    head = next(r for r in range(1, 20) if formulas[f"A{r}"].value == "Funding stream")
    # the view's streams, the paper's and the Summary's (one list): those with money
    assert formulas[f"A{head + 1}"].value == view_of(run, config).finance.stream_names[0]
    assert formulas[f"B{head + 1}"].value == (
        f"=SUMIFS(Allocations[Budget],Allocations[Stream],$A{head + 1},"
        f"Allocations[Objective],B${head})")
    expected = expected_finance(run)
    seen = 0
    for measure, stream, obj, cell in finance_cells(formulas):
        assert cell.data_type == "f"
        value = cached[cell.coordinate].value
        if stream != "Total" and obj != "Total":
            assert value == pytest.approx(expected.get((measure, stream, obj), 0), abs=0.001)
            seen += 1
    assert seen == 4 * 3 * 3  # four measures × the three streams used × three objectives


def _recalculated(path: Path, tmp_path: Path) -> Path:
    """Strip every cached formula result, let LibreOffice recalculate, return its copy."""
    stripped = tmp_path / "stripped" / path.name
    stripped.parent.mkdir()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(stripped, "w",
                                                       zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb"(</f>)<v>[^<]*</v>", rb"\1", data)
            dst.writestr(item, data)
    profile = tmp_path / "lo-profile"
    (profile / "user").mkdir(parents=True)
    # Recalculate every formula on load (LibreOffice trusts the cached results otherwise).
    (profile / "user" / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
        '</oor:items>\n', encoding="utf-8")
    out = tmp_path / "recalculated"
    proc = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--calc",
         "--convert-to", "xlsx", "--outdir", str(out), str(stripped)],
        capture_output=True, text=True, timeout=180)
    result = out / path.name
    assert result.exists(), f"LibreOffice did not convert the file: {proc.stdout}{proc.stderr}"
    return result


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_recalculates_finance_to_the_penny(config, tmp_path):
    run = hostile_run()
    path, _ = write(run, config, tmp_path)
    result = _recalculated(path, tmp_path)
    formulas = openpyxl.load_workbook(path)["Finance"]
    wb = openpyxl.load_workbook(result, data_only=True)
    values = wb["Finance"]
    expected = expected_finance(run)
    totals: Counter = Counter()
    for measure, stream, obj, cell in finance_cells(formulas):
        got = values[cell.coordinate].value
        assert got is not None, cell.coordinate
        if stream != "Total" and obj != "Total":
            want = expected.get((measure, stream, obj), 0)
            totals[(measure, obj)] += round(want * 100)
        elif stream == "Total" and obj != "Total":
            want = totals[(measure, obj)] / 100
        else:
            continue
        assert round(got, 2) == round(want, 2), (measure, stream, obj)
    # the reconciliation with the Actions table: differences of £0.00
    rows = [[c.value for c in r] for r in values.iter_rows()]
    start = next(i for i, r in enumerate(rows) if r[0] == "Reconciliation with the Actions sheet")
    live = [a for a in run.actions if a.status is not Status.CANCELLED]
    for k, (measure, attr) in enumerate((("Budget", "budget"), ("Spend", "spend_to_date"),
                                         ("Forecast", "forecast"))):
        measure_row = rows[start + 2 + k]
        assert measure_row[0] == measure
        assert round(measure_row[1], 2) == round(sum(getattr(a, attr) for a in live), 2)
        assert measure_row[2] == pytest.approx(measure_row[1], abs=0.001)
        assert measure_row[3] == 0
    # the Summary's finance table follows the Finance sheet
    summary = [[c.value for c in r] for r in wb["Summary"].iter_rows()]
    head = next(i for i, r in enumerate(summary) if r[0] == "Funding stream")
    total = next(r for r in summary[head:] if r[0] == "Total")
    assert round(total[2], 2) == round(sum(a.budget for a in live), 2)
    assert total[1] == sum(len(a.funding) for a in live)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_an_empty_workbook(config, tmp_path):
    run = replace(make_run(actions=[], n_kpis=0), issues=(), sources=())
    path, _ = write(run, config, tmp_path)
    result = _recalculated(path, tmp_path)
    assert openpyxl.load_workbook(result).sheetnames == SHEETS


# --------------------------------------------------------------------------- boundaries

RENDER = Path(__file__).resolve().parents[1] / "reportgen" / "render"
STAGES = {"rate", "periods", "outputs", "history", "ingest", "validate", "pipeline", "kpis",
          "export", "cli", "scheduler", "lock"}


def _imports(path: Path) -> set[str]:
    import ast

    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module or "")
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


@pytest.mark.parametrize("module", ["cells", "workbook", "workbook_tables",
                                    "workbook_finance", "feedback", "tracker"])
def test_excel_renderers_import_no_stage_and_no_private_xlsxwriter_name(module):
    names = _imports(RENDER / f"{module}.py")
    ours = {n.split(".")[1] for n in names if n.startswith("reportgen.")}
    assert not ours & STAGES, module
    assert not any(part.startswith("_") for n in names if n.startswith("xlsxwriter")
                   for part in n.split(".")), module
    if module == "feedback":  # a renderer imports no other renderer
        assert not any(n.startswith("reportgen.render.workbook") for n in names)


def test_a_repeated_action_names_its_other_occurrences(config, tmp_path):
    """The Actions sheet keeps every tracker row, and says which rows are the same action
    repeated under other objectives, as the paper counts them once."""
    run = make_run()
    first, second = run.actions[0], run.actions[-1]
    run = replace(run, repeats={first.action_id: (second.action_id,),
                                second.action_id: (first.action_id,)})
    path, _ = write(run, config, tmp_path)
    ws = openpyxl.load_workbook(path)["Actions"]
    also = dict(zip(column_values(ws, "ID"), column_values(ws, "Also under")))
    assert also[first.action_id] == second.action_id
    assert also[second.action_id] == first.action_id
    assert sum(1 for v in also.values() if v) == 2
