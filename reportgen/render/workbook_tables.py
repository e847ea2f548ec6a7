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
from reportgen.text import clean
from reportgen.view import PeriodView
from reportgen.view.quality import EXCEL_MAX_CHARS, FIELD_LIMITS
from reportgen.view.words import updated_words


class WorkbookFormats(Formats):
    """The shared formats and the consolidated workbook's own, with the page header and
    footer every sheet prints (XlsxWriter's codes: &A the sheet's name, &P the page, &N
    the pages)."""

    def __init__(self, wb, header: str = "", period: str = "") -> None:
        super().__init__(wb)
        self.page_header = ("&L" + _page_text(header, 120)) if header else ""
        self.page_footer = ("&L&A" + ("&C" + _page_text(period, 60) if period else "")
                            + "&RPage &P of &N")
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


def _page_text(text: str, limit: int) -> str:
    """``text`` for a page header or footer: "&" doubled (a single one starts a code),
    cut to ``limit`` characters (Excel holds 255 in all)."""
    return clean(text).replace("\n", " ")[:limit].replace("&", "&&")


# The Actions sheet has 37 columns: fitted to one or two pages wide its text would print
# at 2 to 5 points. It prints at a scale that keeps its text readable (about 8 points),
# across the columns and then down, with each row's ID and the header on every page.
ACTIONS_PRINT_SCALE = 70


def page_setup(ws, fmt: WorkbookFormats, *, repeat_rows: int | tuple[int, int] | None = None,
               repeat_first_column: bool = False, pages_tall: int = 0,
               scale: int | None = None) -> None:
    """How a sheet prints: A4 landscape, one page wide and ``pages_tall`` tall (0: as
    many as it takes), or at ``scale`` per cent across the columns and then down;
    ``repeat_rows`` (its header rows) and its first column on every page when asked; the
    page header and the footer (sheet, period, "Page x of y")."""
    ws.set_landscape()
    ws.set_paper(9)
    if scale is None:
        ws.fit_to_pages(1, pages_tall)
    else:
        ws.set_print_scale(scale)
        ws.print_across()
    if repeat_rows is not None:
        ws.repeat_rows(*((repeat_rows,) if isinstance(repeat_rows, int) else repeat_rows))
    if repeat_first_column:
        ws.repeat_columns(0)
    if fmt.page_header:
        ws.set_header(fmt.page_header)
    ws.set_footer(fmt.page_footer)


def rag_rules(ws, fmt: WorkbookFormats, ranges: str, first_cell: str) -> None:
    """Colour every RAG word in ``ranges`` (space-separated) by conditional formatting."""
    for rag in Rag.worst_first():
        ws.conditional_format(first_cell, {
            "type": "cell", "criteria": "==", "value": f'"{rag.value}"',
            "format": fmt.rag[rag], "multi_range": ranges})


ACTION_COLUMNS: tuple[tuple[str, str, float], ...] = (  # header, kind, width cap
    ("ID", "text", 14), ("Objective", "int", 11), ("Action", "text", 45),
    ("Lead officer", "text", 24), ("Funding", "text", 30), ("Locality", "text", 20),
    ("Start", "date", 12), ("End", "date", 12), ("Status", "text", 13),
    ("% complete", "percent", 12), ("Last updated", "date", 13),
    ("Officer RAG", "rag", 12), ("Computed RAG", "rag", 12), ("Reported RAG", "rag", 12),
    ("Reasons", "text", 40), ("Stale", "text", 8), ("Challenge", "text", 11),
    ("Budget", "money", 16), ("Spend", "money", 16), ("% spent", "percent", 10),
    ("Forecast", "money", 16), ("Forecast last period", "money", 16),
    ("Forecast movement", "money", 16), ("Variance", "money", 16),
    ("Finance RAG", "rag", 12), ("Money held on", "text", 16), ("Commentary", "text", 45),
    ("Source file", "text", 30), ("Source cell", "text", 16), ("Budget cell", "text", 16),
    ("Spend cell", "text", 16), ("Forecast cell", "text", 16),
    ("Open the tracker", "text", 30), ("Kept copy", "text", 26),
    ("Kept copy SHA-256", "text", 20), ("Updated this month", "text", 36),
    ("Also under", "text", 30),
)
_ACOL = {h: i for i, (h, _, _) in enumerate(ACTION_COLUMNS)}

ALLOCATION_COLUMNS = ("ID", "Objective", "Stream", "Share", "Basis", "Budget", "Spend",
                      "Forecast")
BASIS_WORDS = {"stated": "Stated in the tracker", "assumed": "Equal split (assumed)",
               "single": "One stream"}


# --------------------------------------------------------------------------- Actions


def write_actions(ws, view: PeriodView, fmt: WorkbookFormats) -> None:
    """Every tracker row of the plan: its ratings, money (with the share spent and the
    forecast's movement since the last stored period, as live formulas over the row's
    cells with the view's figures as their values), the cells its budget, spend and
    forecast were read from, a link to the tracker there and the kept copy it was read
    from."""
    # One pass over the actions; the longest text of each column gives its width.
    longest = [len(h) + 3 for h, _, _ in ACTION_COLUMNS]  # + the filter button
    text_fmt, date_fmt, money_fmt, pct_fmt = fmt.text, fmt.date, fmt.money, fmt.percent
    write_string, write_number = ws.write_string, ws.write_number
    col = _ACOL
    cell = {name: xl_col_to_name(c) for name, c in col.items()}
    links = 0
    row = 0
    for tracker_row in view.rows:
        row += 1
        a, r = tracker_row.action, tracker_row.rating
        f = r.finance if r is not None else None
        src = a.source
        where = view.source_of(a.action_id)
        money = view.finance.row(a.action_id)
        kept = where.kept if where is not None else None
        values: list[tuple[int, object, str | None]] = [
            (col["ID"], a.action_id, "action_id"), (col["Action"], a.action, "action"),
            (col["Lead officer"], a.lead_officer, "lead_officer"),
            (col["Funding"], "; ".join(a.funding), "funding"),
            (col["Locality"], a.locality, "locality"), (col["Status"], a.status.value, None),
            (col["Officer RAG"], a.officer_rag.value if a.officer_rag else None, None),
            (col["Commentary"], a.commentary, "commentary"), (col["Source file"], src.file, None),
            (col["Source cell"], where.id_cell if where is not None and where.id_cell
             else f"{src.sheet}, row {src.row}", None),
            (col["Budget cell"], where.budget if where is not None else None, None),
            (col["Spend cell"], where.spend if where is not None else None, None),
            (col["Forecast cell"], where.forecast if where is not None else None, None),
            (col["Kept copy"], kept.name if kept is not None else None, None),
            (col["Kept copy SHA-256"], kept.sha256 if kept is not None else None, None),
            (col["Money held on"], money.held_on, None),
            (col["Updated this month"], updated_words(r), None),
            # the same action repeated under other objectives (rate.cross_cutting): the
            # paper counts it once
            (col["Also under"], ", ".join(view.repeats.get(a.action_id, ())), None),
        ]
        if r is not None:
            values += [(col["Computed RAG"], r.computed.value, None),
                       (col["Reported RAG"], r.reported.value, None),
                       (col["Reasons"], "; ".join(r.reasons), None),
                       (col["Stale"], "Yes" if r.stale else None, None),
                       (col["Challenge"], "Yes" if r.challenge else None, None)]
            if f is not None and f.rag is not None:
                values.append((col["Finance RAG"], f.rag.value, None))
        for c, value, name in values:
            if not value:
                continue
            s = cell_text(value, FIELD_LIMITS.get(name or "", EXCEL_MAX_CHARS))
            write_string(row, c, s, text_fmt)
            if len(s) > longest[c]:
                longest[c] = len(s)
        write_number(row, col["Objective"], a.objective, fmt.centre)
        for c, day in ((col["Start"], a.start), (col["End"], a.end),
                       (col["Last updated"], a.last_updated)):
            if day is not None:
                write_number(row, c, serial(day), date_fmt)
        pct = number(a.percent_complete)
        if pct is not None:
            write_number(row, col["% complete"], pct / 100.0, pct_fmt)
        budget, forecast = number(a.budget), number(a.forecast)
        variance = f.variance if f is not None else (
            round(forecast - budget, 2) if forecast is not None and budget is not None
            else None)
        for c, value in ((col["Budget"], budget), (col["Spend"], number(a.spend_to_date)),
                         (col["Forecast"], forecast), (col["Variance"], number(variance)),
                         (col["Forecast last period"], number(money.previous_forecast))):
            if value is not None:
                write_number(row, c, value, money_fmt)
        n = row + 1
        if money.spent is not None:
            ws.write_formula(row, col["% spent"], f"={cell['Spend']}{n}/{cell['Budget']}{n}",
                             pct_fmt, money.spent)
        if money.movement is not None:
            ws.write_formula(row, col["Forecast movement"],
                             f"={cell['Forecast']}{n}-{cell['Forecast last period']}{n}",
                             money_fmt, money.movement)
        if where is not None:
            shown = cell_text(where.location)
            links = write_link(ws, row, col["Open the tracker"], where.link, shown, fmt.link,
                               text_fmt, links)
            longest[col["Open the tracker"]] = max(longest[col["Open the tracker"]],
                                                   len(shown))
    last = max(row, 1)  # a table needs one data row; an empty run gets a blank one
    ws.add_table(0, 0, last, len(ACTION_COLUMNS) - 1, {
        "name": "Actions", "style": "Table Style Light 9",
        "columns": [{"header": h, "header_format": fmt.header} for h, _, _ in ACTION_COLUMNS]})
    ws.freeze_panes(1, 1)
    for c, (_, kind, cap) in enumerate(ACTION_COLUMNS):
        chars = {"date": 12, "money": 15, "percent": 9}.get(kind, longest[c])
        ws.set_column(c, c, max(8, min(cap, round(chars * 1.1 + 1, 1))))
    rag_cols = [i for i, (_, kind, _) in enumerate(ACTION_COLUMNS) if kind == "rag"]
    ranges = " ".join(f"{xl_col_to_name(c)}2:{xl_col_to_name(c)}{last + 1}" for c in rag_cols)
    rag_rules(ws, fmt, ranges, f"{xl_col_to_name(rag_cols[0])}2")
    pc = cell["% complete"]
    ws.conditional_format(f"{pc}2:{pc}{last + 1}", {
        "type": "data_bar", "bar_color": "#5B9BD5", "bar_solid": True,
        "min_type": "num", "min_value": 0, "max_type": "num", "max_value": 1})
    page_setup(ws, fmt, repeat_rows=0, repeat_first_column=True, scale=ACTIONS_PRINT_SCALE)


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
    page_setup(ws, fmt, repeat_rows=0)


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
    page_setup(ws, fmt, repeat_rows=header)


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
        # absolute (or through [links] base): the link still opens once emailed
        target = view.links.cell(issue.file, issue.sheet, issue.cell)
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
    page_setup(ws, fmt, repeat_rows=0)


# --------------------------------------------------------------------------- Sources

SOURCE_COLUMNS = ("Path", "Kind", "Sheets", "Rows read", "Actions", "KPIs", "Size (bytes)",
                  "Modified", "SHA-256", "Kept copy", "Refused", "Reason", "Open the tracker")


def write_sources(ws, view: PeriodView, fmt: WorkbookFormats) -> None:
    reasons = {}
    for issue in view.issues:
        if issue.sheet is None and issue.cell is None:
            reasons.setdefault((issue.file, issue.code), issue.message)
    widths = Widths()
    caps = (40, 10, 30, 10, 9, 7, 13, 17, 66, 40, 24, 70, 40)
    links = 0
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
        kept = (view.kept or {}).get(s.path)
        if kept is not None:
            text(9, kept.name)
        if s.refused:
            text(10, s.refused)
            entry = CATALOGUE.get(s.refused)
            text(11, reasons.get((s.path, s.refused)) or (entry.title if entry else ""),
                 wrap=True)
        shown = cell_text(view.links.location(s.path))
        links = write_link(ws, row, 12, view.links.cell(s.path), shown, fmt.link, fmt.text,
                           links)
        widths.see(12, shown, caps[12])
    last = max(len(view.sources), 1)
    ws.add_table(0, 0, last, len(SOURCE_COLUMNS) - 1, {
        "name": "Sources", "style": "Table Style Light 9",
        "columns": [{"header": h, "header_format": fmt.header} for h in SOURCE_COLUMNS]})
    ws.freeze_panes(1, 1)
    widths.apply(ws)
    page_setup(ws, fmt, repeat_rows=0)

