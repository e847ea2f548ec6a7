"""The consolidated workbook's table sheets: Actions, Allocations, KPIs, Issues, Sources,
and the workbook's formats (:class:`WorkbookFormats`) and RAG colouring (:func:`rag_rules`).

Every sheet is written through XlsxWriter's public API, from the view of the period.
Text from trackers goes through :func:`reportgen.render.cells.cell_text` and
``write_string`` only, so it stays text and fits its cell.
"""

from __future__ import annotations

from pathlib import Path

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from reportgen.config import Config
from reportgen.issues import CATALOGUE, FIELD_LABELS
from reportgen.model import Allocation, Rag
from reportgen.render.cells import (
    DATETIME, MONEY, Formats, Widths, cell_text, colour, number, serial, text_lines,
    write_link,
)
from reportgen.view import PeriodView
from reportgen.view.quality import EXCEL_MAX_CHARS, FIELD_LIMITS
from reportgen.view.words import updated_words


class WorkbookFormats(Formats):
    """The shared formats and the consolidated workbook's own."""

    def __init__(self, wb) -> None:
        super().__init__(wb)
        add = wb.add_format
        self.subtitle = add({"bold": True, "font_size": 11, "font_color": "#1F3864"})
        self.note = add({"italic": True, "font_color": "#595959"})
        self.note_wrap = add({"italic": True, "font_color": "#595959", "text_wrap": True,
                              "valign": "top"})
        self.datetime = add({"num_format": DATETIME, "align": "left"})
        self.money = add({"num_format": MONEY, "valign": "top"})
        self.money_bold = add({"num_format": MONEY, "bold": True, "top": 1})
        self.percent = add({"num_format": "0%", "valign": "top"})
        self.integer = add({"num_format": "#,##0", "valign": "top"})
        self.integer_bold = add({"num_format": "#,##0", "bold": True, "top": 1})
        self.total_label = add({"bold": True, "top": 1})
        self.centre = add({"align": "center", "valign": "top"})
        self.objective = add({"num_format": '"Objective "0', "bold": True,
                              "bg_color": "#D9E1F2", "border": 1, "align": "center"})
        self.number = add({"num_format": "General"})
        self.plain = add({})
        self.rag = {rag: add({"bg_color": colour(rag.fill), "font_color": colour(rag.ink)})
                    for rag in Rag.worst_first()}
        self.rag_header = {rag: add({"bold": True, "bg_color": colour(rag.fill),
                                     "font_color": colour(rag.ink), "border": 1,
                                     "align": "center"})
                           for rag in Rag.worst_first()}


def rag_rules(ws, fmt: WorkbookFormats, ranges: str, first_cell: str) -> None:
    """Colour every RAG word in ``ranges`` (space-separated) by conditional formatting."""
    for rag in Rag.worst_first():
        ws.conditional_format(first_cell, {
            "type": "cell", "criteria": "==", "value": f'"{rag.value}"',
            "format": fmt.rag[rag], "multi_range": ranges})


ACTION_COLUMNS: tuple[tuple[str, str, float], ...] = (  # header, kind, width cap
    ("ID", "text", 14), ("Objective", "int", 11), ("Action", "text", 60),
    ("Lead officer", "text", 24), ("Funding", "text", 40), ("Locality", "text", 20),
    ("Start", "date", 12), ("End", "date", 12), ("Status", "text", 13),
    ("% complete", "percent", 12), ("Last updated", "date", 13),
    ("Officer RAG", "rag", 12), ("Computed RAG", "rag", 12), ("Reported RAG", "rag", 12),
    ("Reasons", "text", 60), ("Stale", "text", 8), ("Challenge", "text", 11),
    ("Budget", "money", 16), ("Spend", "money", 16), ("Forecast", "money", 16),
    ("Variance", "money", 16), ("Finance RAG", "rag", 12), ("Commentary", "text", 60),
    ("Source file", "text", 40), ("Source cell", "text", 16),
    ("Updated this month", "text", 50), ("Also under", "text", 30),
)
_ACOL = {h: i for i, (h, _, _) in enumerate(ACTION_COLUMNS)}

ALLOCATION_COLUMNS = ("ID", "Objective", "Stream", "Share", "Basis", "Budget", "Spend",
                      "Forecast")
BASIS_WORDS = {"stated": "Stated in the tracker", "assumed": "Equal split (assumed)",
               "single": "One stream"}


# --------------------------------------------------------------------------- Actions


def write_actions(ws, view: PeriodView, fmt: WorkbookFormats) -> None:
    # One pass over the actions; the longest text of each column gives its width.
    longest = [len(h) + 3 for h, _, _ in ACTION_COLUMNS]  # + the filter button
    text_fmt, date_fmt, money_fmt, pct_fmt = fmt.text, fmt.date, fmt.money, fmt.percent
    write_string, write_number = ws.write_string, ws.write_number
    # Column numbers below follow ACTION_COLUMNS; a test checks each header's contents.
    row = 0
    for tracker_row in view.rows:
        row += 1
        a, r = tracker_row.action, tracker_row.rating
        f = r.finance if r is not None else None
        src = a.source
        cells = src.cells
        values: list[tuple[int, object, str | None]] = [
            (0, a.action_id, "action_id"), (2, a.action, "action"),
            (3, a.lead_officer, "lead_officer"), (4, "; ".join(a.funding), "funding"),
            (5, a.locality, "locality"), (8, a.status.value, None),
            (11, a.officer_rag.value if a.officer_rag else None, None),
            (22, a.commentary, "commentary"), (23, src.file, None),
            (24, f"{src.sheet}!{cells['action_id']}" if cells.get("action_id")
             else f"{src.sheet}, row {src.row}", None),
            (25, updated_words(r), None),
            # the same action repeated under other objectives (rate.cross_cutting): the
            # paper counts it once
            (26, ", ".join(view.repeats.get(a.action_id, ())), None),
        ]
        if r is not None:
            values += [(12, r.computed.value, None), (13, r.reported.value, None),
                       (14, "; ".join(r.reasons), None),
                       (15, "Yes" if r.stale else None, None),
                       (16, "Yes" if r.challenge else None, None)]
            if f is not None and f.rag is not None:
                values.append((21, f.rag.value, None))
        for col, value, name in values:
            if not value:
                continue
            s = cell_text(value, FIELD_LIMITS.get(name or "", EXCEL_MAX_CHARS))
            write_string(row, col, s, text_fmt)
            if len(s) > longest[col]:
                longest[col] = len(s)
        write_number(row, 1, a.objective, fmt.centre)
        for col, day in ((6, a.start), (7, a.end), (10, a.last_updated)):
            if day is not None:
                write_number(row, col, serial(day), date_fmt)
        pct = number(a.percent_complete)
        if pct is not None:
            write_number(row, 9, pct / 100.0, pct_fmt)
        budget, forecast = number(a.budget), number(a.forecast)
        variance = f.variance if f is not None else (
            round(forecast - budget, 2) if forecast is not None and budget is not None
            else None)
        for col, value in ((17, budget), (18, number(a.spend_to_date)), (19, forecast),
                           (20, number(variance))):
            if value is not None:
                write_number(row, col, value, money_fmt)
    last = max(row, 1)  # a table needs one data row; an empty run gets a blank one
    ws.add_table(0, 0, last, len(ACTION_COLUMNS) - 1, {
        "name": "Actions", "style": "Table Style Light 9",
        "columns": [{"header": h, "header_format": fmt.header} for h, _, _ in ACTION_COLUMNS]})
    ws.freeze_panes(1, 1)
    for col, (_, kind, cap) in enumerate(ACTION_COLUMNS):
        chars = {"date": 12, "money": 15}.get(kind, longest[col])
        ws.set_column(col, col, max(8, min(cap, round(chars * 1.1 + 1, 1))))
    rag_cols = [i for i, (_, kind, _) in enumerate(ACTION_COLUMNS) if kind == "rag"]
    ranges = " ".join(f"{xl_col_to_name(c)}2:{xl_col_to_name(c)}{last + 1}" for c in rag_cols)
    rag_rules(ws, fmt, ranges, f"{xl_col_to_name(rag_cols[0])}2")
    pc = xl_col_to_name(_ACOL["% complete"])
    ws.conditional_format(f"{pc}2:{pc}{last + 1}", {
        "type": "data_bar", "bar_color": "#5B9BD5", "bar_solid": True,
        "min_type": "num", "min_value": 0, "max_type": "num", "max_value": 1})
    ws.set_landscape()
    ws.set_paper(9)
    ws.repeat_rows(0)
    ws.fit_to_pages(2, 0)


# --------------------------------------------------------------------------- Allocations


def write_allocations(ws, allocs: list[Allocation], fmt: WorkbookFormats) -> None:
    """One row per action and funding stream (the rater's split, reportgen.rate)."""
    money, plain = fmt.money, fmt.plain
    longest = [len(h) + 3 for h in ALLOCATION_COLUMNS]
    for row, al in enumerate(allocs, start=1):
        for col, value in ((0, al.action_id), (2, al.stream), (3, al.described),
                           (4, BASIS_WORDS.get(al.basis, al.basis))):
            s = cell_text(value)  # a cut ID is reported once, from the Actions sheet
            ws.write_string(row, col, s, plain)
            if len(s) > longest[col]:
                longest[col] = len(s)
        ws.write_number(row, 1, al.objective, plain)
        for col, value in ((5, al.budget), (6, al.spend), (7, al.forecast)):
            if value is not None:  # None is left empty
                ws.write_number(row, col, value, money)
    last = max(len(allocs), 1)
    ws.add_table(0, 0, last, len(ALLOCATION_COLUMNS) - 1, {
        "name": "Allocations", "style": "Table Style Light 9",
        "columns": [{"header": h, "header_format": fmt.header} for h in ALLOCATION_COLUMNS]})
    ws.freeze_panes(1, 0)
    for col, n in enumerate(longest):
        ws.set_column(col, col, 15 if col >= 5 else min(40, n * 1.1 + 1))
    ws.set_paper(9)
    ws.repeat_rows(0)


# --------------------------------------------------------------------------- KPIs

KPI_COLUMNS = ("KPI ID", "Indicator", "Unit", "Polarity", "Target", "Tolerance",
               "Latest period", "Latest", "RAG", "Direction", "Compared with", "SPC centre",
               "SPC lower", "SPC upper", "Signal", "Trend")


def write_kpis(ws, view: PeriodView, config: Config, fmt: WorkbookFormats) -> None:
    ws.write_string(0, 0, f"Key performance indicators: {view.period.name}", fmt.title)
    ws.write_string(1, 0, "SPC: XmR chart, centre = mean, limits = mean ± 2.66 × mean "
                    "moving range. The series runs across the columns on the right, oldest "
                    "first.", fmt.note)
    header = 3
    periods = sorted({p for k in view.kpis for p, _ in k.series})
    first_period_col = len(KPI_COLUMNS)
    widths = Widths()
    for c, h in enumerate(KPI_COLUMNS):
        ws.write_string(header, c, h, fmt.header)
        widths.see(c, h)
    for j, p in enumerate(periods):
        ws.write_string(header, first_period_col + j, p, fmt.header)
        widths.see(first_period_col + j, p + " ")
    for i, reading in enumerate(view.kpis):
        r = header + 1 + i
        k, res = reading.kpi, reading.result

        def text(col: int, value: object, field_name: str | None = None,
                 wrap: bool = False) -> None:
            s = cell_text(value)
            if s:
                ws.write_string(r, col, s, fmt.wrap if wrap else fmt.text)
                widths.see(col, s, 50 if wrap else 30)

        def num(col: int, value: float | None) -> None:
            value = number(value)
            if value is not None:
                ws.write_number(r, col, value, fmt.number)

        text(0, k.kpi_id, "kpi_id")
        text(1, k.indicator, "indicator", wrap=True)
        text(2, k.unit, "unit")
        text(3, f"{k.polarity} is better")
        num(4, k.target)
        num(5, k.tolerance)
        if res is not None:
            text(6, res.latest_period or "")
            num(7, res.latest)
            text(8, str(res.rag) if res.rag else "")
            if res.direction is not None:
                text(9, f"{res.direction.arrow} {res.direction}")
            text(10, res.compared_with or "")
            if res.spc is not None:
                num(11, round(res.spc.centre, 2))
                num(12, round(res.spc.lower, 2))
                num(13, round(res.spc.upper, 2))
                text(14, res.spc.summary, wrap=True)
            else:
                text(14, f"fewer than {config.spc.min_points} points: no control limits",
                     wrap=True)
        values = dict(reading.series)
        for j, p in enumerate(periods):
            num(first_period_col + j, values.get(p))
        if periods:
            ws.add_sparkline(r, 15, {
                "range": f"KPIs!{xl_rowcol_to_cell(r, first_period_col)}:"
                         f"{xl_rowcol_to_cell(r, first_period_col + len(periods) - 1)}",
                "markers": True, "high_point": True, "low_point": True})
    widths.width[15] = 18
    widths.apply(ws, minimum=7)
    if view.kpis:
        last = header + len(view.kpis)
        ws.autofilter(header, 0, last, first_period_col + max(len(periods), 1) - 1)
        rag_rules(ws, fmt, f"I{header + 2}:I{last + 1}", f"I{header + 2}")
    else:
        ws.write_string(header + 1, 0, "No KPIs were read this period.", fmt.note)
    ws.freeze_panes(header + 1, 2)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


# --------------------------------------------------------------------------- Issues

ISSUE_COLUMNS = ("Severity", "Code", "File", "Sheet", "Cell", "Field", "Message", "Hint",
                 "Open at the cell")


def write_issues(ws, view: PeriodView, path: Path, fmt: WorkbookFormats) -> None:
    issues = view.issues
    widths = Widths()
    caps = (10, 26, 40, 20, 8, 18, 70, 60, 40)
    for c, h in enumerate(ISSUE_COLUMNS):
        widths.see(c, h + "   ", caps[c])
    links = 0
    for row, issue in enumerate(issues, start=1):
        field_label = FIELD_LABELS.get(issue.field or "", issue.field or "")
        for c, value in enumerate((issue.severity.value, issue.code, issue.file,
                                   issue.sheet or "", issue.cell or "", field_label)):
            s = cell_text(value)
            if s:
                ws.write_string(row, c, s, fmt.text)
                widths.see(c, s, caps[c])
        lines = 1
        for c, value in ((6, issue.message), (7, issue.hint)):
            s = cell_text(value)
            ws.write_string(row, c, s, fmt.wrap)
            widths.see(c, s, caps[c])
            lines = max(lines, text_lines(s, caps[c]))
        if lines > 1:
            ws.set_row(row, 15 * min(lines, 27))
        target = view.links.cell(issue.file, issue.sheet, issue.cell, relative_to=path.parent)
        shown = cell_text(issue.location())
        links = write_link(ws, row, 8, target, shown, fmt.link, fmt.text, links)
        widths.see(8, shown, caps[8])
    last = max(len(issues), 1)
    ws.add_table(0, 0, last, len(ISSUE_COLUMNS) - 1, {
        "name": "Issues", "style": "Table Style Light 9",
        "columns": [{"header": h, "header_format": fmt.header} for h in ISSUE_COLUMNS]})
    ws.conditional_format(f"A2:A{last + 1}", {"type": "cell", "criteria": "==",
                                              "value": '"error"', "format": fmt.rag[Rag.RED]})
    ws.conditional_format(f"A2:A{last + 1}", {"type": "cell", "criteria": "==",
                                              "value": '"warning"',
                                              "format": fmt.rag[Rag.AMBER]})
    ws.freeze_panes(1, 0)
    widths.apply(ws)
    ws.set_landscape()
    ws.set_paper(9)
    ws.repeat_rows(0)
    ws.fit_to_pages(1, 0)


# --------------------------------------------------------------------------- Sources

SOURCE_COLUMNS = ("Path", "Kind", "Sheets", "Rows read", "Actions", "KPIs", "Size (bytes)",
                  "Modified", "SHA-256", "Refused", "Reason")


def write_sources(ws, view: PeriodView, fmt: WorkbookFormats) -> None:
    reasons = {}
    for issue in view.issues:
        if issue.sheet is None and issue.cell is None:
            reasons.setdefault((issue.file, issue.code), issue.message)
    widths = Widths()
    caps = (40, 10, 30, 10, 9, 7, 13, 17, 66, 24, 70)
    for c, h in enumerate(SOURCE_COLUMNS):
        widths.see(c, h + "   ", caps[c])
    for row, s in enumerate(view.sources, start=1):
        def text(col: int, value: object, wrap: bool = False) -> None:
            t = cell_text(value)
            if t:
                ws.write_string(row, col, t, fmt.wrap if wrap else fmt.text)
                widths.see(col, t, caps[col])

        text(0, s.path)
        text(1, s.kind)
        text(2, "; ".join(s.sheets))
        for col, value in ((3, s.rows_read), (4, s.actions), (5, s.kpis), (6, s.size)):
            ws.write_number(row, col, value, fmt.integer)
        if s.modified is not None:
            ws.write_number(row, 7, serial(s.modified), fmt.datetime)
        widths.see(7, "dd/mm/yyyy hh:mm")
        text(8, s.sha256)
        if s.refused:
            text(9, s.refused)
            entry = CATALOGUE.get(s.refused)
            text(10, reasons.get((s.path, s.refused)) or (entry.title if entry else ""),
                 wrap=True)
    last = max(len(view.sources), 1)
    ws.add_table(0, 0, last, len(SOURCE_COLUMNS) - 1, {
        "name": "Sources", "style": "Table Style Light 9",
        "columns": [{"header": h, "header_format": fmt.header} for h in SOURCE_COLUMNS]})
    ws.freeze_panes(1, 1)
    widths.apply(ws)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)

