"""FastSheet writes the same worksheet XML as XlsxWriter's own Worksheet (less the optional
row spans), whatever mix and order of cell writes it is given."""

from __future__ import annotations

import math
import re
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import given, settings, strategies as st
from xlsxwriter.exceptions import OverlappingRange

from reportgen.render.fastsheet import FastSheet, write_cells

_SPANS = re.compile(r' spans="[^"]*"')


def _build(path: Path, ops, worksheet_class=None, table=None) -> None:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                         "strings_to_urls": False})
    formats = [wb.add_format({"bold": True}), wb.add_format({"num_format": "0.00"}),
               wb.add_format({"text_wrap": True, "valign": "top"})]
    for f in formats:  # the same format indices in both books, whatever the write order
        f._get_xf_index()
    ws = wb.add_worksheet("Data", worksheet_class)
    ws.set_column(3, 3, 20, formats[0])  # a column format that unformatted cells take
    for op, row, col, value, fmt in ops:
        fmt = None if fmt is None else formats[fmt]
        if op == "string":
            ws.write_string(row, col, value, fmt)
        elif op == "number":
            ws.write_number(row, col, value, fmt)
        elif op == "url":
            text, base, anchor, tip = value
            ws.write_url(row, col, f"external:{base}#{anchor}", fmt, text, tip)
        elif op == "blank":
            ws.write_blank(row, col, None, fmt)
        elif op == "formula":
            ws.write_formula(row, col, "=1+1", fmt, 2)
        elif op == "row":
            ws.set_row(row, 30)
        elif op == "cells":  # FastSheet's row call; cell by cell on XlsxWriter's own
            write_cells(ws, row, [(c, v, None if f is None else formats[f])
                                  for c, v, f in value])
        elif op == "a1":
            ws.write_string(f"{'ABCDEFG'[col]}{row + 1}", value, fmt)
    if table:
        ws.add_table(*table)
    wb.close()


def _parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {name: _SPANS.sub("", z.read(name).decode()) for name in z.namelist()
                if name.startswith(("xl/worksheets/", "xl/sharedStrings", "xl/tables/"))}


texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
                max_size=12)
ops = st.lists(st.one_of(
    st.tuples(st.just("string"), st.integers(0, 6), st.integers(0, 6), texts,
              st.one_of(st.none(), st.integers(0, 2))),
    st.tuples(st.just("number"), st.integers(0, 6), st.integers(0, 6),
              st.one_of(st.integers(-10**12, 10**12),
                        st.floats(allow_nan=False, allow_infinity=False)),
              st.one_of(st.none(), st.integers(0, 2))),
    st.tuples(st.just("url"), st.integers(0, 6), st.integers(0, 6),
              st.tuples(texts.filter(bool),
                        st.sampled_from(["other.xlsx", "../trackers/Team A/plan 1.xlsx",
                                         "C:/Shared/100%.xlsx", "\\\\server\\x.xlsx",
                                         "a%20b.xlsx"]),
                        st.sampled_from(["Sheet1!A1", "'Action Plan'!M13", "a/b!C3", ""]),
                        st.one_of(st.none(), st.just("Open the tracker"))),
              st.one_of(st.none(), st.integers(0, 2))),
    st.tuples(st.just("blank"), st.integers(0, 6), st.integers(0, 6), st.none(),
              st.integers(0, 2)),
    st.tuples(st.just("formula"), st.integers(0, 6), st.integers(0, 6), st.none(),
              st.one_of(st.none(), st.integers(0, 2))),
    st.tuples(st.just("row"), st.integers(0, 8), st.just(0), st.none(), st.none()),
    st.tuples(st.just("cells"), st.integers(0, 6), st.just(0),
              st.lists(st.tuples(st.integers(0, 6),
                                 st.one_of(st.none(), texts, st.integers(-10**6, 10**6),
                                           st.floats(allow_nan=False,
                                                     allow_infinity=False)),
                                 st.one_of(st.none(), st.integers(0, 2))), max_size=5),
              st.none()),
    st.tuples(st.just("a1"), st.integers(0, 6), st.integers(0, 6), texts,
              st.one_of(st.none(), st.integers(0, 2))),
), max_size=40)


@settings(max_examples=150, deadline=None)
@given(ops)
def test_same_xml_as_xlsxwriter_for_any_writes(tmp_path_factory, operations):
    d = tmp_path_factory.mktemp("fast")
    _build(d / "plain.xlsx", operations)
    _build(d / "fast.xlsx", operations, FastSheet)
    assert _parts(d / "fast.xlsx") == _parts(d / "plain.xlsx")


def test_long_text_nan_and_bool_take_xlsxwriters_path(tmp_path):
    long = "x" * 40_000  # over Excel's 32,767: XlsxWriter cuts it and returns -2
    results = {}
    for name, cls in (("plain", None), ("fast", FastSheet)):
        wb = xlsxwriter.Workbook(str(tmp_path / f"{name}.xlsx"),
                                 {"nan_inf_to_errors": True})
        f = wb.add_format({"bold": True})
        ws = wb.add_worksheet("Data", cls)
        results[name] = (ws.write_string(0, 0, long, f), ws.write_number(1, 0, math.nan, f),
                         ws.write_number(2, 0, math.inf, f), ws.write_number(3, 0, True, f),
                         ws.write_string(2_000_000, 0, "off the sheet", f),
                         ws.write_number(0, 20_000, 1, f),
                         ws.write_string(4, 0, "by keyword", cell_format=f),
                         ws.write_number(row=5, col=0, number=7, cell_format=f))
        wb.close()
    assert results["fast"] == results["plain"] == (-2, 0, 0, 0, -1, -1, 0, 0)
    assert _parts(tmp_path / "fast.xlsx") == _parts(tmp_path / "plain.xlsx")


def test_a_plain_table_covers_every_row_without_per_cell_bookkeeping(tmp_path):
    ops = [("string", r, c, f"r{r}c{c}", 2) for r in range(1, 500) for c in range(4)]
    table = (0, 0, 499, 3, {"name": "T", "columns": [{"header": h} for h in "ABCD"]})
    _build(tmp_path / "plain.xlsx", ops, None, table)
    _build(tmp_path / "fast.xlsx", ops, FastSheet, table)
    fast = _parts(tmp_path / "fast.xlsx")
    assert fast == _parts(tmp_path / "plain.xlsx")
    assert 'ref="A1:D500"' in fast["xl/tables/table1.xml"]


def test_overlapping_tables_and_merges_are_still_refused(tmp_path):
    wb = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    ws = wb.add_worksheet("Data", FastSheet)
    assert ws.add_table(0, 0, 100, 3, {"name": "One"}) == 0
    with pytest.raises(OverlappingRange):
        ws.add_table(50, 2, 200, 5, {"name": "Two"})  # below the header and first row
    ws.merge_range(300, 0, 301, 1, "merged")
    with pytest.raises(OverlappingRange):
        ws.add_table(250, 0, 400, 2, {"name": "Three"})
    assert ws.add_table(102, 0, 200, 3, {"name": "Four"}) == 0
    wb.close()


def _cells(path: Path) -> dict:
    """Every cell of every sheet as Excel shows it: value, number format, bold, fill,
    wrap, link target and location; and each table's range."""
    import openpyxl
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        out[ws.title, "tables"] = dict(ws.tables.items())  # name -> range
        out[ws.title, "heights"] = {r: d.height for r, d in ws.row_dimensions.items()
                                    if d.height}
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and not c.has_style:
                    continue
                link = c.hyperlink
                out[ws.title, c.coordinate] = (
                    c.value, c.number_format, c.font.b, c.fill.fgColor.rgb,
                    c.alignment.wrap_text, link.target if link else None,
                    link.location if link else None)
    return out


@pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")
def test_workbook_and_feedback_are_the_same_with_xlsxwriters_own_worksheet(
        tmp_path, monkeypatch, config):
    from dataclasses import replace

    from factories import make_action, make_run
    from reportgen.issues import make_issue
    from reportgen.render import feedback, workbook
    from reportgen.render.fastsheet import DataSheet
    from xlsxwriter.worksheet import Worksheet

    assert DataSheet is FastSheet  # this XlsxWriter has what FastSheet builds on
    actions = [make_action(i, action=f"=SUM(A{i})\x07 line\nnext £{i}",
                           percent_complete=i * 7.5, budget=1000.0 * i, forecast=990.5 * i)
               for i in range(1, 30)]
    run = make_run(actions=actions)
    issues = [make_issue("missing-corrective-action", file=a.source.file, sheet="Actions",
                         cell=f"M{a.source.row}", field="corrective_action")
              for a in actions]
    run = replace(run, issues=tuple(issues))
    (tmp_path / "workbooks").mkdir()
    books = {}
    for name, cls in (("fast", FastSheet), ("plain", Worksheet)):
        monkeypatch.setattr(workbook, "DataSheet", cls)
        monkeypatch.setattr(feedback, "DataSheet", cls)
        out = tmp_path / name
        out.mkdir()
        workbook.write_consolidated(run, config, out / "consolidated.xlsx",
                                    tmp_path / "workbooks")
        feedback.write_feedback(run, config, out / "feedback", tmp_path / "workbooks")
        books[name] = {p.relative_to(out).as_posix(): _cells(p)
                       for p in sorted(out.rglob("*.xlsx"))}
    assert len(books["fast"]) > 2  # the workbook, tracker feedback and the chase list
    assert books["fast"] == books["plain"]
