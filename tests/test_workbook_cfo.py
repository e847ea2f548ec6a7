"""The consolidated workbook a Chief Finance Officer signs (issue 29): it states the
budget period, the source and the split assumptions; every sheet prints (landscape, one
page wide or at a readable scale, header rows repeated, a footer with the sheet, the
period and "Page x of y"); each money figure names its cell in the tracker, with a link
that survives email and the kept copy's name and SHA-256; the forecast's movement since
last month and the share spent, by action, stream and lead officer; a repeated action's
money shown where it is held; one list of funding streams.

Two months are run through the pipeline on generated trackers whose forecasts move
between August and September."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import sqlite3
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from defusedxml import ElementTree as DET

from builders import good_row, write_tracker
from conftest import ROOT
from reportgen.config import load_config
from reportgen.model import Period
from test_workbook import SOFFICE, _recalculated

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
SOURCE = "the lead officers' action trackers, not yet reconciled to the ledger"


def _rows(month: int) -> list[dict]:
    """T-001 (ICF) forecasts £2,000 more in September; T-002 (ICF and Core, split
    equally) £1,000 less; T-003 repeats T-001 under Objective 2 with no money of its own;
    T-004 (another officer) does not move."""
    sep = month == 9
    updated = date(2018, month, 20)
    return [
        good_row(1, **{"Objective": 1, "Action": "We will run the falls service.",
                       "Budget (£)": 10000, "Spend to Date": 4000,
                       "Forecast Outturn": 12000 if sep else 10000, "Last Updated": updated}),
        good_row(2, **{"Objective": 1, "Funding": "(Integrated Care Fund) (Core Funding)",
                       "Budget (£)": 20000, "Spend to Date": 5000,
                       "Forecast Outturn": 19000 if sep else 20000, "Last Updated": updated}),
        good_row(3, **{"Objective": 2, "Action": "We will run the falls service.",
                       "Budget (£)": None, "Spend to Date": None, "Forecast Outturn": None,
                       "Last Updated": updated}),
        good_row(4, **{"Objective": 3, "Lead Officer": "Iain Scott", "Budget (£)": 5000,
                       "Spend to Date": 2500, "Forecast Outturn": 5000,
                       "Last Updated": updated}),
    ]


@pytest.fixture(scope="module")
def months(tmp_path_factory):
    from reportgen.pipeline import run_cycle

    root = tmp_path_factory.mktemp("cfo")
    workbooks, out = root / "workbooks", root / "output"
    cfg = load_config(ROOT / "reportgen.toml")
    cfg = dataclasses.replace(
        cfg, paths=dataclasses.replace(cfg.paths, workbooks=workbooks, output=out,
                                       history=out / "history.sqlite"),
        report=dataclasses.replace(cfg.report, pdf=False))
    results = {}
    for month in (8, 9):
        workbooks.mkdir(exist_ok=True)
        write_tracker(workbooks / "tracker-a.xlsx", _rows(month))
        results[month] = run_cycle(cfg, Period(2018, month), today=date(2018, month + 1, 5),
                                   now=datetime(2018, month + 1, 5, 9, 0))
    return {"root": root, "workbooks": workbooks, "out": out, "config": cfg,
            "aug": results[8], "sep": results[9],
            "path": results[9].outputs["workbook"]}


def _sheet(path: Path, name: str) -> list[list]:
    wb = openpyxl.load_workbook(path, data_only=True)
    return [list(r) for r in wb[name].iter_rows(values_only=True)]


def _table(path: Path, name: str = "Actions") -> list[dict]:
    rows = _sheet(path, name)
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def _block(rows: list[list], title: str) -> list[dict]:
    """The rows of the table under the heading ``title`` (up to its Total row)."""
    start = next(i for i, r in enumerate(rows) if r[0] and str(r[0]).startswith(title))
    head = next(i for i in range(start + 1, len(rows)) if rows[i][0] == "Funding stream")
    out = []
    for r in rows[head + 1:]:
        out.append(dict(zip(rows[head], r)))
        if r[0] == "Total":
            return out
    return out


# --------------------------------------------------------------------------- basis


def test_the_workbook_states_the_period_source_and_splits(months):
    path = months["path"]
    summary = {r[0]: r[1] for r in _sheet(path, "Summary") if r[0]}
    assert summary["Budget period"] == "2018/19"
    assert summary["Source of the figures"] == SOURCE
    assert "T-002 is split equally across its 2 funding streams" in \
        summary["Shares across streams"]
    finance = [r[0] for r in _sheet(path, "Finance") if isinstance(r[0], str)]
    assert "Budget period: 2018/19" in finance
    assert f"Source of the figures: {SOURCE}" in finance
    assert any(t.startswith("Shares across streams: T-002 is split equally") for t in finance)


def test_one_list_of_streams_everywhere(months):
    path = months["path"]
    view = months["sep"].view
    summary = [r["Funding stream"] for r in _block(_sheet(path, "Summary"), "Finance by")]
    finance = [r["Funding stream"] for r in _block(_sheet(path, "Finance"), "Budget (£)")]
    movement = [r["Funding stream"] for r in _block(_sheet(path, "Finance"), "Spent, and")]
    streams = list(view.finance.stream_names)
    assert streams == ["Integrated Care Fund", "Core Funding Investment"]
    assert summary[:-1] == finance[:-1] == movement[:-1] == streams
    notes = " ".join(str(r[0]) for r in _sheet(path, "Finance") if r[0])
    assert "No action draws on Transformation Programme" in notes  # named, not listed


# --------------------------------------------------------------------------- tracing


def test_a_budget_figure_names_its_budget_cell(months):
    path = months["path"]
    row = next(r for r in _table(path) if r["ID"] == "T-001")
    assert (row["Budget cell"], row["Spend cell"], row["Forecast cell"]) == \
        ("Actions!Q5", "Actions!R5", "Actions!S5")
    assert row["Source cell"] == "Actions!A5"  # the row's ID cell, as before
    tracker = openpyxl.load_workbook(months["workbooks"] / "tracker-a.xlsx")["Actions"]
    assert tracker["Q5"].value == row["Budget"] == 10000
    assert tracker["R5"].value == row["Spend"] and tracker["S5"].value == row["Forecast"]


def test_links_are_absolute_and_the_kept_copy_is_named_with_its_hash(months):
    path = months["path"]
    wb = openpyxl.load_workbook(path)
    ws = wb["Actions"]
    cols = {c.value: c.column_letter for c in ws[1]}
    link = ws[f"{cols['Open the tracker']}2"].hyperlink
    target = link.target.replace("\\", "/")
    assert not target.startswith(".") and target.endswith("/workbooks/tracker-a.xlsx")
    assert Path(target).is_absolute() and Path(target).exists()
    assert link.location == "'Actions'!Q5"  # at the budget cell
    kept = ws[f"{cols['Kept copy']}2"].value
    sha = ws[f"{cols['Kept copy SHA-256']}2"].value
    assert re.fullmatch(r"inputs/[0-9a-f]{2}/[0-9a-f]{64}\.xlsx", kept)
    assert hashlib.sha256((months["out"] / kept).read_bytes()).hexdigest() == sha
    assert sha == hashlib.sha256((months["workbooks"] / "tracker-a.xlsx")
                                 .read_bytes()).hexdigest()
    sources = wb["Sources"]
    heads = {c.value: c.column_letter for c in sources[1]}
    assert sources[f"{heads['Kept copy']}2"].value == kept
    assert Path(sources[f"{heads['Open the tracker']}2"].hyperlink.target
                .replace("\\", "/")).is_absolute()


# --------------------------------------------------------------------------- movement


def test_movement_since_last_month_by_action_stream_and_officer(months):
    path = months["path"]
    rows = {r["ID"]: r for r in _table(path)}
    assert rows["T-001"]["Forecast last period"] == 10000
    assert rows["T-001"]["Forecast movement"] == 2000
    assert rows["T-002"]["Forecast movement"] == -1000
    assert rows["T-004"]["Forecast movement"] == 0
    assert rows["T-001"]["% spent"] == pytest.approx(0.4)
    assert rows["T-003"]["Money held on"] == "T-001"  # the repeat holds none itself
    assert rows["T-003"]["Forecast movement"] is None

    by_stream = {r["Funding stream"]: r for r in _block(_sheet(path, "Finance"), "Spent, and")}
    assert by_stream["Integrated Care Fund"]["Movement"] == 1500  # +2,000 and -500
    assert by_stream["Core Funding Investment"]["Movement"] == -500
    assert by_stream["Total"]["Movement"] == 1000
    assert by_stream["Total"]["% spent"] == pytest.approx(11500 / 35000)
    summary = {r["Funding stream"]: r for r in _block(_sheet(path, "Summary"), "Finance by")}
    assert summary["Integrated Care Fund"]["Movement"] == 1500
    assert summary["Total"]["Forecast, August 2018"] == 35000

    officers = _sheet(path, "Officers")
    head = next(i for i, r in enumerate(officers) if r[0] == "Lead officer")
    lines = {r[0]: dict(zip(officers[head], r)) for r in officers[head + 1:] if r[0]}
    assert lines["Morag Elliot"]["Actions"] == 2  # T-001 (and its repeat T-003), T-002
    assert lines["Morag Elliot"]["Movement"] == 1000
    assert lines["Iain Scott"]["Budget"] == 5000 and lines["Iain Scott"]["% spent"] == 0.5
    assert lines["Total"]["Actions"] == 3 and lines["Total"]["Forecast"] == 36000


def test_the_first_month_shows_no_movement(months):
    rows = {r["ID"]: r for r in _table(months["aug"].outputs["workbook"])}
    assert rows["T-001"]["Forecast last period"] is None
    assert rows["T-001"]["Forecast movement"] is None
    finance = [str(r[0]) for r in _sheet(months["aug"].outputs["workbook"], "Finance") if r[0]]
    assert "No earlier period is stored with its figures, so no movement is shown." in finance


def test_an_objective_with_no_money_says_why(months):
    notes = [str(r[0]) for r in _sheet(months["path"], "Finance") if r[0]]
    assert ("Objective 2 shows no money: its one tracker row repeats an action the plan "
            "lists under other objectives too, and a repeated action's money is counted "
            "once, where it is held (T-001, under Objective 1).") in notes
    summary = [str(r[0]) for r in _sheet(months["path"], "Summary") if r[0]]
    assert any(n.startswith("Objective 2 shows no money") for n in summary)


def test_a_history_without_records_shows_no_movement(months, tmp_path):
    """A history written before the records were kept (its rows have none) opens, and the
    money's movement is not guessed from it."""
    from reportgen.stages import HistoryUse, rate, read, with_history

    history = tmp_path / "history.sqlite"
    history.write_bytes((months["out"] / "history.sqlite").read_bytes())
    with sqlite3.connect(history) as db:
        db.execute("UPDATE action_ratings SET record = NULL")
    cfg = months["config"]
    period = Period(2018, 9)
    ingest = read(cfg, months["workbooks"], today=date(2018, 10, 5), as_of=period.as_of)
    run = with_history(rate(ingest, cfg, period, period.as_of), history, HistoryUse.READ,
                       datetime(2018, 10, 5), ingest=ingest, config=cfg)
    assert run.changes.previous_period == "2018-08"  # the ratings are still compared
    assert run.previous_actions is None
    from reportgen.view import build_view

    view = build_view(run, cfg, months["workbooks"])
    assert view.finance.previous_period == "" and view.finance.total.movement is None


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_recalculates_the_new_formulas_to_the_cached_values(months, tmp_path):
    path = months["path"]
    result = _recalculated(path, tmp_path)
    for sheet in ("Summary", "Finance", "Officers", "Actions"):
        cached, recalculated = _sheet(path, sheet), _sheet(result, sheet)
        for r, (a, b) in enumerate(zip(cached, recalculated)):
            for c, (x, y) in enumerate(zip(a, b)):
                if isinstance(x, (int, float)) and not isinstance(x, bool):
                    assert y == pytest.approx(x, abs=0.005), (sheet, r + 1, c + 1)


# --------------------------------------------------------------------------- printing


def _print_settings(path: Path) -> dict[str, dict]:
    """Each sheet's page setup, header and footer and print titles, read from the XML."""
    with zipfile.ZipFile(path) as z:
        book = DET.fromstring(z.read("xl/workbook.xml"))
        rels = {r.get("Id"): r.get("Target") for r in
                DET.fromstring(z.read("xl/_rels/workbook.xml.rels")).iter(PKG + "Relationship")}
        titles = {}
        for dn in book.iter(NS + "definedName"):
            if dn.get("name") == "_xlnm.Print_Titles":
                titles[int(dn.get("localSheetId"))] = dn.text
        out = {}
        for i, sheet in enumerate(book.iter(NS + "sheet")):
            xml = DET.fromstring(z.read("xl/" + rels[sheet.get(REL + "id")]))
            setup = xml.find(NS + "pageSetup")
            fit = xml.find(f"{NS}sheetPr/{NS}pageSetUpPr")
            footer = xml.find(f"{NS}headerFooter/{NS}oddFooter")
            header = xml.find(f"{NS}headerFooter/{NS}oddHeader")
            out[sheet.get("name")] = {
                "setup": dict(setup.attrib) if setup is not None else {},
                "fit": fit is not None and fit.get("fitToPage") == "1",
                "footer": footer.text if footer is not None else "",
                "header": header.text if header is not None else "",
                "titles": titles.get(i, ""),
                "pane": xml.find(f"{NS}sheetViews/{NS}sheetView/{NS}pane")}
    return out


def test_every_sheet_prints_with_its_headings_and_page_numbers(months):
    settings = _print_settings(months["path"])
    assert list(settings) == ["Summary", "Actions", "Allocations", "Finance", "Officers",
                              "KPIs", "Issues", "Sources"]
    for name, s in settings.items():
        assert s["setup"]["orientation"] == "landscape", name
        assert s["setup"]["paperSize"] == "9", name  # A4
        assert s["footer"] == "&L&A&CSeptember 2018 (as of 30/09/2018)&RPage &P of &N", name
        assert s["header"].startswith("&LScottish Borders Health && Social Care"), name
        assert s["titles"], f"{name}: no rows repeated on each printed page"
        if name == "Actions":  # 37 columns: a readable scale, across then down
            assert s["setup"]["scale"] == "70" and s["setup"]["pageOrder"] == "overThenDown"
            assert s["titles"] == "Actions!$A:$A,Actions!$1:$1"
            assert not s["fit"]
        else:
            # one page wide (fitToWidth's default is 1), as many tall as it takes
            assert s["fit"] and s["setup"].get("fitToWidth", "1") == "1", name
            assert s["setup"].get("fitToHeight", "1") == ("1" if name == "Summary" else "0"), \
                name
    assert settings["Summary"]["titles"] == "Summary!$1:$2"
    assert settings["Summary"]["pane"].get("state") == "frozen"
    assert settings["Summary"]["pane"].get("ySplit") == "2"
    assert settings["Issues"]["titles"] == "Issues!$1:$1"
    assert settings["KPIs"]["titles"] == "KPIs!$4:$4"


def test_links_go_through_the_configured_base(months, tmp_path):
    """With ``[links] base`` (the trackers' SharePoint folder, say) every link of the
    workbook is that address and the file's name, wherever the workbook is opened."""
    from reportgen.render.workbook import write_consolidated
    from reportgen.view import build_view

    base = "https://sharepoint.example.org/sites/plan/Trackers"
    cfg = dataclasses.replace(months["config"], links=dataclasses.replace(
        months["config"].links, base=base))
    view = build_view(months["sep"].run, cfg, months["workbooks"])
    path = write_consolidated(view, cfg, tmp_path / "consolidated-2018-09.xlsx")
    wb = openpyxl.load_workbook(path)
    targets = [c.hyperlink.target for name in ("Actions", "Sources", "Issues")
               for row in wb[name].iter_rows() for c in row if c.hyperlink]
    assert targets and all(t == f"{base}/tracker-a.xlsx" for t in targets), targets[:3]
