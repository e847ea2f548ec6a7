"""The consolidated finance workbook (``consolidated-<period>.xlsx``), written with XlsxWriter.

Sheets, in order:

- **Summary**: period, as-of date, counts by reported BRAG and by objective, finance by
  funding stream, a chart of BRAG by objective and one of budget against forecast.
- **Actions**: one Excel table (``Actions``) of every rated action with its source file
  and cell, the officer's, computed and reported RAG, the reasons, and the money.
- **Allocations**: one Excel table (``Allocations``) with a row per action and funding
  stream. An action funded by several streams is split equally between them in whole
  pennies, the leftover pennies to the first stream named (:func:`reportgen.rate.split_shares`,
  the rule documented in docs/rating.md). Cancelled actions are left out, as they are from
  every finance total.
- **Finance**: budget, spend, forecast and variance by funding stream × objective as live
  ``SUMIFS`` formulas over the Allocations table, with totals and a reconciliation against
  the Actions table; each formula carries the Python-computed result as its cached value,
  so the file shows numbers before any recalculation.
- **KPIs**: each indicator's series, target, RAG, direction, SPC limits, signal, sparkline.
- **Issues**: every validation issue, hyperlinked to the officer's workbook at the cell.
- **Sources**: every file looked at, read or refused.

Text from trackers is always written with ``write_string`` (``write()`` would turn "=…"
into a formula and "{=…}" into an array formula), with control characters removed and
anything over Excel's 32,767-character limit cut with a visible "… [truncated]" marker
and a ``text-truncated`` Issue. Document properties are pinned to the period's as-of
date, so two runs of one period on the same inputs give the same bytes.

``constant_memory`` is not used: XlsxWriter refuses tables in that mode, and the Actions
and Allocations sheets are tables. The four data sheets (Actions, Allocations, Issues,
Sources) are :class:`reportgen.render.fastsheet.FastSheet` worksheets: the same
``write_string``/``write_number``/``write_url`` calls, but each cell is rendered to its
XML when written and a finished row kept as one string, instead of XlsxWriter's cell
objects written one by one at ``close()`` (at 12,000 actions, about 535,000 cells: 4.0 s
and 159 MB → 2.1 s and 89 MB). Summary, Finance and KPIs stay plain worksheets: charts
read their cells back. benchmarks/bench_workbook.py prints the figures.

Text in SUMIFS criteria (the funding stream names) comes from reportgen.toml, not from
trackers; a stream name containing ``*``, ``?`` or ``~`` or starting with ``<``, ``>`` or
``=`` would be read by Excel as a pattern, so such names are best avoided there.
"""

from __future__ import annotations

import math
import functools
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from urllib.parse import quote

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from reportgen.config import Config
from reportgen.errors import OutputError
from reportgen.issues import CATALOGUE, FIELD_LABELS, Issue, make_issue
from reportgen.model import Action, Allocation, Rag, RatedRun, Status
from reportgen.outputs import placed_location
from reportgen.render.fastsheet import DataSheet, write_cells
from reportgen.rate import rate_finance

# --------------------------------------------------------------------------- text safety

EXCEL_MAX_CHARS = 32_767  # UTF-16 code units, Excel's limit for one cell
TRUNCATED = "… [truncated]"
MAX_URL_CHARS = 2_079  # Excel ignores longer hyperlink targets
MAX_LINKS_PER_SHEET = 65_000  # Excel's hard limit is 65,530

WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False, "in_memory": True}

# Characters XML 1.0 cannot hold, plus DEL. \t and \n are kept; \r, \v and \f become \n.
_CONTROL = re.compile(r"\r\n?|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_NEWLINE = {"\r": "\n", "\r\n": "\n", "\x0b": "\n", "\x0c": "\n"}
# The same characters as one class (\r included), only to find out whether _CONTROL has
# anything to do: a single class is searched about three times faster than the alternation.
_DIRTY = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_A1 = re.compile(r"\$?[A-Z]{1,3}\$?[1-9]\d{0,6}(:\$?[A-Z]{1,3}\$?[1-9]\d{0,6})?")


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _is_clean(text: object) -> bool:
    """The usual case, checked cheaply: text that needs neither cleaning nor cutting."""
    return text.__class__ is str and len(text) <= EXCEL_MAX_CHARS // 2 \
        and not _DIRTY.search(text)


def clean_text(text: object) -> tuple[str, int | None]:
    """``(cell text, original length or None)``: control characters removed, and text
    over Excel's limit cut to fit with :data:`TRUNCATED` at the end. The second item is the
    original length (UTF-16 units) when the text was cut, else None. Does not report
    anything; :class:`TextGuard` turns cuts into Issues."""
    if _is_clean(text):
        return text, None
    s = "" if text is None else str(text)
    s = _CONTROL.sub(lambda m: _NEWLINE.get(m.group(), ""), s)
    if len(s) <= EXCEL_MAX_CHARS // 2:  # cannot exceed the limit even if all astral
        return s, None
    units = _utf16_len(s)
    if units <= EXCEL_MAX_CHARS:
        return s, None
    keep = (EXCEL_MAX_CHARS - _utf16_len(TRUNCATED)) * 2
    # errors="ignore" drops half a surrogate pair left at the cut
    head = s.encode("utf-16-le")[:keep].decode("utf-16-le", errors="ignore")
    return head + TRUNCATED, units


@dataclass
class TextGuard:
    """Cleans text for cells and turns each cut into one ``text-truncated`` Issue naming the
    tracker cell the text came from."""

    issues: list[Issue] = field(default_factory=list)
    _seen: set = field(default_factory=set)

    def __call__(self, text: object, *, file: str, sheet: str | None = None,
                 cell: str | None = None, field_name: str | None = None,
                 label: str | None = None) -> str:
        if _is_clean(text):
            return text
        s, original = clean_text(text)
        if original is not None:
            key = (file, sheet, cell, field_name)
            if key not in self._seen:
                self._seen.add(key)
                params = {"label": label} if label else {}
                self.issues.append(make_issue(
                    "text-truncated", file=file, sheet=sheet, cell=cell, field=field_name,
                    value=original, limit=EXCEL_MAX_CHARS, **params))
        return s


# --------------------------------------------------------------------------- hyperlinks


def final_folder(folder: Path) -> Path:
    """The folder a file will live in once placed: outputs are written into
    ``output/<period>/.staging-<pid>/`` and moved up one level (reportgen.outputs), so a
    ``.staging-<pid>`` part of the path is dropped."""
    return placed_location(folder)


def quote_sheet(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def tracker_link(file: str, sheet: str | None, cell: str | None, workbooks: Path,
                 output_folder: Path) -> str | None:
    """An XlsxWriter ``external:`` URL that opens ``workbooks/file`` at ``sheet!cell``
    (``A1`` when there is no cell, the file alone when there is no sheet), relative to the
    folder the output will be placed in, so the link survives moving the whole output and
    workbooks tree together. None when the link would be too long for Excel."""
    url = _file_url(file, str(workbooks), str(output_folder))
    if sheet:
        ref = cell if cell and _A1.fullmatch(cell) else "A1"
        url += "#" + quote_sheet(sheet) + "!" + ref
    return url if len(url) <= MAX_URL_CHARS else None


@functools.lru_cache(maxsize=4096)
def _file_url(file: str, workbooks: str, output_folder: str) -> str:
    # Cached: a workbook links tens of thousands of cells to a few hundred trackers, and
    # the path arithmetic costs more than writing the cell.
    target = Path(os.path.abspath(Path(workbooks) / file))
    base = Path(os.path.abspath(final_folder(Path(output_folder))))
    try:
        rel = os.path.relpath(target, base).replace(os.sep, "/")
        return "external:" + _escape_path(rel)
    except ValueError:  # another drive (Windows): no relative path exists
        return "file:///" + _escape_path(target.as_posix().lstrip("/"))


def _escape_path(path: str) -> str:
    # Escaped here rather than by XlsxWriter: it splits the anchor at the first "#" (a
    # "#" in a file name would cut the path) and skips escaping when it sees any "%XX".
    return quote(path, safe="/:._-()'~!$&+,;=@")


# --------------------------------------------------------------------------- formats

RAG_COLOURS: dict[str, tuple[str, str]] = {  # fill, font
    "Red": ("#C00000", "#FFFFFF"),
    "Amber": ("#FFC000", "#000000"),
    "Green": ("#00B050", "#000000"),
    "Blue": ("#0070C0", "#FFFFFF"),
    "Grey": ("#BFBFBF", "#000000"),
    "Cancelled": ("#E7E6E6", "#595959"),
}
RAG_ORDER = tuple(r.value for r in (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE, Rag.GREY,
                                    Rag.CANCELLED))
MONEY = "£#,##0.00"
DATE = "dd/mm/yyyy"
DATETIME = "dd/mm/yyyy hh:mm"
_EPOCH = date(1899, 12, 30)


def _serial(day: date | datetime) -> float:
    """Excel's serial date number (1900 system): faster than write_datetime for 12,000
    rows and the same cell."""
    if isinstance(day, datetime):
        day = day.replace(tzinfo=None)
        delta = day - datetime(1899, 12, 30)
        return delta.days + delta.seconds / 86400
    return float((day - _EPOCH).days)


def _num(value: float | None) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook):
        add = wb.add_format
        self.title = add({"bold": True, "font_size": 14})
        self.subtitle = add({"bold": True, "font_size": 11, "font_color": "#1F3864"})
        self.note = add({"italic": True, "font_color": "#595959"})
        self.note_wrap = add({"italic": True, "font_color": "#595959", "text_wrap": True,
                              "valign": "top"})
        self.label = add({"bold": True})
        self.header = add({"bold": True, "bg_color": "#D9E1F2", "border": 1,
                           "text_wrap": True, "valign": "top"})
        self.text = add({"valign": "top"})
        self.wrap = add({"text_wrap": True, "valign": "top"})
        self.date = add({"num_format": DATE, "align": "left", "valign": "top"})
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
        self.link = add({"font_color": "#0563C1", "underline": 1, "valign": "top"})
        self.rag = {name: add({"bg_color": fill, "font_color": font})
                    for name, (fill, font) in RAG_COLOURS.items()}
        self.rag_header = {name: add({"bold": True, "bg_color": fill, "font_color": font,
                                      "border": 1, "align": "center"})
                           for name, (fill, font) in RAG_COLOURS.items()}


class _Widths:
    """Column widths fitted to the text written, within a cap per column."""

    def __init__(self) -> None:
        self.width: dict[int, float] = {}

    def see(self, col: int, text: str, cap: float = 60) -> None:
        width = self.width.get(col, 0)
        if text and len(text) * 1.1 + 2 <= width:
            return  # no line of it can be wider (the usual case, so checked first)
        if not text:
            longest = 0
        elif "\n" in text:
            longest = max(len(line) for line in text.split("\n"))
        else:
            longest = len(text)
        w = min(cap, longest * 1.1 + 2)
        if w > width:
            self.width[col] = w

    def apply(self, ws, minimum: float = 6) -> None:
        for col, w in sorted(self.width.items()):
            ws.set_column(col, col, max(minimum, round(w, 1)))


def text_lines(text: str, width: float) -> int:
    """Roughly how many lines ``text`` takes wrapped in a column ``width`` characters wide:
    XlsxWriter cannot fit row heights and LibreOffice does not fit them on opening, so
    rows with wrapped text are given a height from this (15 points a line)."""
    per_line = max(1, int(width * 1.1))
    if "\n" not in text:
        return max(1, -(-len(text) // per_line))
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


def _rag_rules(ws, fmt: _Formats, ranges: str, first_cell: str) -> None:
    """Colour every RAG word in ``ranges`` (space-separated) by conditional formatting."""
    for name in RAG_ORDER:
        ws.conditional_format(first_cell, {
            "type": "cell", "criteria": "==", "value": f'"{name}"',
            "format": fmt.rag[name], "multi_range": ranges})


# --------------------------------------------------------------------------- the writer

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
)
_ACOL = {h: i for i, (h, _, _) in enumerate(ACTION_COLUMNS)}

ALLOCATION_COLUMNS = ("ID", "Objective", "Stream", "Share", "Budget", "Spend", "Forecast")
MEASURES = ("Budget", "Spend", "Forecast", "Variance")


def _pennies(values) -> float:
    """Sum to the penny (integer pennies, so no float drift)."""
    return sum(round(v * 100) for v in values if v is not None) / 100


def write_consolidated(run: RatedRun, config: Config, path: Path,
                       workbooks: Path) -> list[Issue]:
    """Write the consolidated workbook to ``path`` and return the Issues found while
    writing (``text-truncated``, one per tracker cell whose text was cut).

    The returned Issues are already listed on the workbook's Issues sheet; the caller adds
    them to ``run.issues`` for the other outputs. The file is written in place at
    ``path``: atomic placement is the caller's job (reportgen.outputs.Staging), but links
    are computed for the folder the file will be placed in (:func:`final_folder`).
    Raises OutputError when the file cannot be written."""
    path = Path(path)
    guard = TextGuard()
    try:
        wb = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    except XlsxWriterException as exc:  # pragma: no cover - bad options only
        raise OutputError(f"cannot write {path}: {exc}") from exc
    created = datetime.combine(run.as_of, time(0, 0))
    wb.set_properties({
        "title": f"Consolidated workbook {run.period.label}",
        "subject": config.report.title,
        "author": config.report.author or "reportgen",
        "company": config.partnership,
        "comments": f"Written by reportgen for {run.period.name}, as of "
                    f"{run.as_of:%d/%m/%Y}",
        "created": created,
    })
    fmt = _Formats(wb)
    summary = wb.add_worksheet("Summary")
    actions_ws = wb.add_worksheet("Actions", DataSheet)
    alloc_ws = wb.add_worksheet("Allocations", DataSheet)
    finance_ws = wb.add_worksheet("Finance")
    kpis_ws = wb.add_worksheet("KPIs")
    issues_ws = wb.add_worksheet("Issues", DataSheet)
    sources_ws = wb.add_worksheet("Sources", DataSheet)

    allocs = list(run.allocations)
    objectives = _objectives(run, config)
    streams = _streams(allocs, config)

    _write_actions(actions_ws, run, fmt, guard)
    _write_allocations(alloc_ws, allocs, fmt)
    layout = _write_finance(finance_ws, run, config, allocs, objectives, streams, fmt)
    _write_kpis(kpis_ws, run, config, fmt, guard)
    _write_sources(sources_ws, run, fmt, guard)
    _write_summary(summary, wb, run, config, objectives, allocs, layout, fmt)
    # Last, so that texts cut on the other sheets are listed too.
    _write_issues(issues_ws, run, path, workbooks, fmt, guard)
    summary.activate()
    try:
        wb.close()
    except (XlsxWriterException, OSError) as exc:
        raise OutputError(f"cannot write {path}: {exc}") from exc
    return list(guard.issues)


def _objectives(run: RatedRun, config: Config) -> list[int]:
    numbers = [o.number for o in config.objectives]
    extra = sorted({a.objective for a in run.actions} - set(numbers))
    return numbers + extra


def _streams(allocs: list[Allocation], config: Config) -> list[str]:
    """Configured streams in configuration order, then any others A–Z."""
    used = {a.stream for a in allocs}
    known = list(config.stream_names)
    return known + sorted(used - set(known))


def _objective_label(config: Config, number: int) -> str:
    obj = config.objective(number)
    return obj.text if obj else "(not in the configuration)"


# --------------------------------------------------------------------------- Actions


def _write_actions(ws, run: RatedRun, fmt: _Formats, guard: TextGuard) -> None:
    # Written for speed (12,000 rows): one pass, widths measured once per column at the end.
    texts: list[list[str]] = [[h + "   "] for h, _, _ in ACTION_COLUMNS]  # + filter button
    text_fmt, date_fmt, money_fmt, pct_fmt = fmt.text, fmt.date, fmt.money, fmt.percent
    centre = fmt.centre
    epoch = _EPOCH
    # Column numbers below follow ACTION_COLUMNS; a test checks each header's contents.
    row = 0
    for a in run.actions:
        row += 1
        r = run.ratings.get(a.action_id)
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
        ]
        if r is not None:
            values += [(12, r.computed.value, None), (13, r.reported.value, None),
                       (14, "; ".join(r.reasons), None),
                       (15, "Yes" if r.stale else None, None),
                       (16, "Yes" if r.challenge else None, None)]
            if f is not None and f.rag is not None:
                values.append((21, f.rag.value, None))
        out = []  # this row's (column, value, format), written in one call
        for col, value, field_name in values:
            if not value:
                continue
            s = guard(value, file=src.file, sheet=src.sheet,
                      cell=cells.get(field_name) if field_name else None,
                      field_name=field_name)
            out.append((col, s, text_fmt))
            texts[col].append(s)
        out.append((1, a.objective, centre))
        for col, day in ((6, a.start), (7, a.end), (10, a.last_updated)):
            if day is not None:
                out.append((col, (day - epoch).days, date_fmt))
        pct = _num(a.percent_complete)
        if pct is not None:
            out.append((9, pct / 100.0, pct_fmt))
        budget, forecast = _num(a.budget), _num(a.forecast)
        variance = f.variance if f is not None else (
            round(forecast - budget, 2) if forecast is not None and budget is not None
            else None)
        for col, value in ((17, budget), (18, _num(a.spend_to_date)), (19, forecast),
                           (20, _num(variance))):
            if value is not None:
                out.append((col, value, money_fmt))
        write_cells(ws, row, out)
    last = max(row, 1)  # a table needs one data row; an empty run gets a blank one
    ws.add_table(0, 0, last, len(ACTION_COLUMNS) - 1, {
        "name": "Actions", "style": "Table Style Light 9",
        "columns": [{"header": h, "header_format": fmt.header} for h, _, _ in ACTION_COLUMNS]})
    ws.freeze_panes(1, 1)
    for col, (header, kind, cap) in enumerate(ACTION_COLUMNS):
        if kind == "date":
            longest = 12
        elif kind == "money":
            longest = 15
        else:
            longest = max(map(len, texts[col]))
        ws.set_column(col, col, max(8, min(cap, round(longest * 1.1 + 1, 1))))
    rag_cols = [i for i, (_, kind, _) in enumerate(ACTION_COLUMNS) if kind == "rag"]
    ranges = " ".join(f"{xl_col_to_name(c)}2:{xl_col_to_name(c)}{last + 1}" for c in rag_cols)
    _rag_rules(ws, fmt, ranges, f"{xl_col_to_name(rag_cols[0])}2")
    pc = xl_col_to_name(_ACOL["% complete"])
    ws.conditional_format(f"{pc}2:{pc}{last + 1}", {
        "type": "data_bar", "bar_color": "#5B9BD5", "bar_solid": True,
        "min_type": "num", "min_value": 0, "max_type": "num", "max_value": 1})
    ws.set_landscape()
    ws.set_paper(9)
    ws.repeat_rows(0)
    ws.fit_to_pages(2, 0)


# --------------------------------------------------------------------------- Allocations


def _write_allocations(ws, allocs: list[Allocation], fmt: _Formats) -> None:
    money, plain = fmt.money, fmt.plain
    longest = [len(h) + 3 for h in ALLOCATION_COLUMNS]
    for row, al in enumerate(allocs, start=1):
        out = []
        for col, value in ((0, al.action_id), (2, al.stream), (3, al.share)):
            s = clean_text(value)[0]  # a cut ID is reported once, from the Actions sheet
            out.append((col, s, plain))
            if len(s) > longest[col]:
                longest[col] = len(s)
        out += ((1, al.objective, plain), (4, al.budget, money), (5, al.spend, money),
                (6, al.forecast, money))  # None is left empty
        write_cells(ws, row, out)
    last = max(len(allocs), 1)
    ws.add_table(0, 0, last, len(ALLOCATION_COLUMNS) - 1, {
        "name": "Allocations", "style": "Table Style Light 9",
        "columns": [{"header": h, "header_format": fmt.header} for h in ALLOCATION_COLUMNS]})
    ws.freeze_panes(1, 0)
    for col, n in enumerate(longest):
        ws.set_column(col, col, 15 if col >= 4 else min(40, n * 1.1 + 1))
    ws.set_paper(9)
    ws.repeat_rows(0)


# --------------------------------------------------------------------------- Finance

FINANCE_NOTE = (
    "How these figures are made:",
    "• Every figure is a live SUMIFS formula over the Allocations table (one row per action "
    "and funding stream).",
    "• An action with several funding streams is split equally between them in whole "
    "pennies, the leftover pennies to the first stream named.",
    "• Cancelled actions are left out.",
    "• Variance = forecast − budget: positive is a forecast overspend. Red: at or above "
    "{pct:g}% of budget or £{pounds:,.0f}, whichever is lower; Amber: a smaller overspend; "
    "Green: at or under budget.",
)


@dataclass
class FinanceLayout:
    """Where each block of the Finance sheet is (0-based rows), for the Summary sheet and
    tests: ``blocks[measure] = (header_row, first_stream_row, total_row)``."""

    streams: list[str]
    objectives: list[int]
    blocks: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    total_col: int = 0
    totals: dict[tuple[str, str], float] = field(default_factory=dict)  # (measure, stream)

    def total_cell(self, measure: str, stream: str) -> str:
        """``Finance!$F$5``: the stream's total for the measure."""
        row = self.blocks[measure][1] + self.streams.index(stream)
        return "Finance!" + xl_rowcol_to_cell(row, self.total_col, True, True)


def _write_finance(ws, run: RatedRun, config: Config, allocs: list[Allocation],
                   objectives: list[int], streams: list[str], fmt: _Formats) -> FinanceLayout:
    th = config.thresholds
    ws.write_string(0, 0, f"Finance by funding stream and objective: {run.period.name}",
                    fmt.title)
    ws.write_string(1, 0, "Live formulas over the Allocations table; see the notes below "
                    "the reconciliation.", fmt.note)
    layout = FinanceLayout(streams, objectives, total_col=1 + len(objectives))
    total_col = layout.total_col

    # Python results, in pennies-exact sums, for the cached values.
    sums: dict[tuple[str, str, int], float] = {}
    for measure, attr in (("Budget", "budget"), ("Spend", "spend"), ("Forecast", "forecast")):
        groups: dict[tuple[str, int], list[float | None]] = {}
        for al in allocs:
            groups.setdefault((al.stream, al.objective), []).append(getattr(al, attr))
        for (stream, obj), values in groups.items():
            sums[(measure, stream, obj)] = _pennies(values)

    row = 2
    for measure in MEASURES:
        ws.write_string(row, 0, f"{measure} (£)", fmt.subtitle)
        header = row + 1
        ws.write_string(header, 0, "Funding stream", fmt.header)
        for j, obj in enumerate(objectives):
            ws.write_number(header, 1 + j, obj, fmt.objective)
        ws.write_string(header, total_col, "Total", fmt.header)
        first = header + 1
        total_row = first + len(streams)
        layout.blocks[measure] = (header, first, total_row)
        row = total_row + 2
    tr = layout.blocks

    def cached(measure: str, stream: str, obj: int) -> float:
        if measure == "Variance":
            return round(cached("Forecast", stream, obj) - cached("Budget", stream, obj), 2)
        return sums.get((measure, stream, obj), 0.0)

    for measure in MEASURES:
        header, first, total_row = tr[measure]
        for i, stream in enumerate(streams):
            r = first + i
            ws.write_string(r, 0, stream, fmt.text)
            row_total = 0.0
            for j, obj in enumerate(objectives):
                c = 1 + j
                value = cached(measure, stream, obj)
                row_total += value
                if measure == "Variance":
                    formula = (f"={xl_rowcol_to_cell(tr['Forecast'][1] + i, c)}"
                               f"-{xl_rowcol_to_cell(tr['Budget'][1] + i, c)}")
                else:
                    formula = (f"=SUMIFS(Allocations[{measure}],"
                               f"Allocations[Stream],{xl_rowcol_to_cell(r, 0, col_abs=True)},"
                               f"Allocations[Objective],"
                               f"{xl_rowcol_to_cell(header, c, row_abs=True)})")
                ws.write_formula(r, c, formula, fmt.money, value)
            layout.totals[(measure, stream)] = round(row_total, 2)
            ws.write_formula(r, total_col, f"=SUM({xl_rowcol_to_cell(r, 1)}:"
                             f"{xl_rowcol_to_cell(r, total_col - 1)})", fmt.money,
                             round(row_total, 2))
        ws.write_string(total_row, 0, "Total", fmt.total_label)
        for c in range(1, total_col + 1):
            if c < total_col:
                value = sum(cached(measure, s, objectives[c - 1]) for s in streams)
            else:
                value = sum(cached(measure, s, o) for s in streams for o in objectives)
            col_range = (f"{xl_rowcol_to_cell(first, c)}:"
                         f"{xl_rowcol_to_cell(total_row - 1, c)}")
            ws.write_formula(total_row, c, f"=SUM({col_range})", fmt.money_bold,
                             round(value, 2))

    # Variance RAG by conditional formatting, with the rating thresholds: Red at or above
    # finance_red_percent of budget or finance_red_pounds (whichever is lower), Amber for a
    # smaller overspend, Green at or under budget (cells with no money stay plain).
    vh, vfirst, vtotal = tr["Variance"]
    bfirst = tr["Budget"][1]
    ffirst = tr["Forecast"][1]
    area = f"{xl_rowcol_to_cell(vfirst, 1)}:{xl_rowcol_to_cell(vtotal, total_col)}"
    v = xl_rowcol_to_cell(vfirst, 1)
    b = xl_rowcol_to_cell(bfirst, 1)
    f = xl_rowcol_to_cell(ffirst, 1)
    red = (f"=AND(ROUND({v},2)>0,ROUND({v},2)>=ROUND(MIN({b}*{th.finance_red_percent:g}/100,"
           f"{th.finance_red_pounds:g}),2))")
    for criteria, name in ((red, "Red"), (f"=ROUND({v},2)>0", "Amber"),
                           (f"=AND(ROUND({v},2)<=0,OR({b}<>0,{f}<>0))", "Green")):
        ws.conditional_format(area, {"type": "formula", "criteria": criteria,
                                     "format": fmt.rag[name], "stop_if_true": True})

    # Reconciliation with the Actions table.
    row = vtotal + 2
    ws.write_string(row, 0, "Reconciliation with the Actions sheet", fmt.subtitle)
    ws.write_string(row + 1, 0, "Measure", fmt.header)
    ws.write_string(row + 1, 1, "Finance total", fmt.header)
    ws.write_string(row + 1, 2, "Actions table", fmt.header)
    ws.write_string(row + 1, 3, "Difference", fmt.header)
    non_cancelled = [a for a in run.actions if a.status is not Status.CANCELLED]
    for k, (measure, attr) in enumerate((("Budget", "budget"), ("Spend", "spend_to_date"),
                                         ("Forecast", "forecast"))):
        r = row + 2 + k
        finance_total = sum(cached(measure, s, o) for s in streams for o in objectives)
        actions_total = _pennies(_num(getattr(a, attr)) for a in non_cancelled)
        ws.write_string(r, 0, measure, fmt.text)
        ws.write_formula(r, 1, f"={xl_rowcol_to_cell(tr[measure][2], total_col)}",
                         fmt.money, round(finance_total, 2))
        ws.write_formula(r, 2, f'=SUMIFS(Actions[{measure}],Actions[Status],'
                         f'"<>{Status.CANCELLED.value}")', fmt.money, actions_total)
        ws.write_formula(r, 3, f"=ROUND({xl_rowcol_to_cell(r, 1)}-{xl_rowcol_to_cell(r, 2)},2)",
                         fmt.money, round(finance_total - actions_total, 2))
    ws.write_string(row + 5, 0, "The difference should be £0.00: the Finance totals add back "
                    "to the Actions sheet exactly.", fmt.note)
    for k, line in enumerate(FINANCE_NOTE):
        text = line.format(pct=th.finance_red_percent, pounds=th.finance_red_pounds)
        if k == 0:
            ws.write_string(row + 7, 0, text, fmt.label)
        else:  # wrapped across the table's width, so the page stays as wide as the table
            # merge_range() writes with write(); the text goes in with write_string()
            ws.merge_range(row + 7 + k, 0, row + 7 + k, total_col, "", fmt.note_wrap)
            ws.write_string(row + 7 + k, 0, text, fmt.note_wrap)
            ws.set_row(row + 7 + k, 15 * (1 + len(text) // 110))

    ws.set_column(0, 0, max([len(s) for s in streams] + [16]) + 2)
    ws.set_column(1, total_col, 17)
    ws.freeze_panes(2, 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    return layout


# --------------------------------------------------------------------------- KPIs

KPI_COLUMNS = ("KPI ID", "Indicator", "Unit", "Polarity", "Target", "Tolerance",
               "Latest period", "Latest", "RAG", "Direction", "Compared with", "SPC centre",
               "SPC lower", "SPC upper", "Signal", "Trend")


def _write_kpis(ws, run: RatedRun, config: Config, fmt: _Formats, guard: TextGuard) -> None:
    ws.write_string(0, 0, f"Key performance indicators: {run.period.name}", fmt.title)
    ws.write_string(1, 0, "SPC: XmR chart, centre = mean, limits = mean ± 2.66 × mean "
                    "moving range. The series runs across the columns on the right, oldest "
                    "first.", fmt.note)
    header = 3
    periods = sorted({p for k in run.kpis for p, _ in k.series})
    first_period_col = len(KPI_COLUMNS)
    widths = _Widths()
    for c, h in enumerate(KPI_COLUMNS):
        ws.write_string(header, c, h, fmt.header)
        widths.see(c, h)
    for j, p in enumerate(periods):
        ws.write_string(header, first_period_col + j, p, fmt.header)
        widths.see(first_period_col + j, p + " ")
    for i, k in enumerate(run.kpis):
        r = header + 1 + i
        res = run.kpi_results.get(k.kpi_id)
        src = k.source

        def text(col: int, value: object, field_name: str | None = None,
                 wrap: bool = False) -> None:
            s = guard(value, file=src.file, sheet=src.sheet,
                      cell=src.cell(field_name) if field_name else None,
                      field_name=field_name)
            if s:
                ws.write_string(r, col, s, fmt.wrap if wrap else fmt.text)
                widths.see(col, s, 50 if wrap else 30)

        def number(col: int, value: float | None) -> None:
            value = _num(value)
            if value is not None:
                ws.write_number(r, col, value, fmt.number)

        text(0, k.kpi_id, "kpi_id")
        text(1, k.indicator, "indicator", wrap=True)
        text(2, k.unit, "unit")
        text(3, f"{k.polarity} is better")
        number(4, k.target)
        number(5, k.tolerance)
        if res is not None:
            text(6, res.latest_period or "")
            number(7, res.latest)
            text(8, str(res.rag) if res.rag else "")
            if res.direction is not None:
                text(9, f"{res.direction.arrow} {res.direction}")
            text(10, res.compared_with or "")
            if res.spc is not None:
                number(11, round(res.spc.centre, 2))
                number(12, round(res.spc.lower, 2))
                number(13, round(res.spc.upper, 2))
                text(14, res.spc.summary, wrap=True)
            else:
                text(14, f"fewer than {config.spc.min_points} points: no control limits",
                     wrap=True)
        values = dict(k.series)
        for j, p in enumerate(periods):
            number(first_period_col + j, values.get(p))
        if periods:
            ws.add_sparkline(r, 15, {
                "range": f"KPIs!{xl_rowcol_to_cell(r, first_period_col)}:"
                         f"{xl_rowcol_to_cell(r, first_period_col + len(periods) - 1)}",
                "markers": True, "high_point": True, "low_point": True})
    widths.width[15] = 18
    widths.apply(ws, minimum=7)
    if run.kpis:
        last = header + len(run.kpis)
        ws.autofilter(header, 0, last, first_period_col + max(len(periods), 1) - 1)
        _rag_rules(ws, fmt, f"I{header + 2}:I{last + 1}", f"I{header + 2}")
    else:
        ws.write_string(header + 1, 0, "No KPIs were read this period.", fmt.note)
    ws.freeze_panes(header + 1, 2)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


# --------------------------------------------------------------------------- Issues

ISSUE_COLUMNS = ("Severity", "Code", "File", "Sheet", "Cell", "Field", "Message", "Hint",
                 "Open at the cell")


def _write_issues(ws, run: RatedRun, path: Path, workbooks: Path, fmt: _Formats,
                  guard: TextGuard) -> None:
    issues = list(run.issues) + list(guard.issues)
    widths = _Widths()
    caps = (10, 26, 40, 20, 8, 18, 70, 60, 40)
    for c, h in enumerate(ISSUE_COLUMNS):
        widths.see(c, h + "   ", caps[c])
    links = 0
    for row, issue in enumerate(issues, start=1):
        where = dict(file=issue.file, sheet=issue.sheet, cell=issue.cell,
                     field_name=issue.field)
        field_label = FIELD_LABELS.get(issue.field or "", issue.field or "")
        out = []
        for c, value in enumerate((issue.severity.value, issue.code, issue.file,
                                   issue.sheet or "", issue.cell or "", field_label)):
            s = guard(value, **where, label="Issue location")
            if s:
                out.append((c, s, fmt.text))
                widths.see(c, s, caps[c])
        lines = 1
        for c, value in ((6, issue.message), (7, issue.hint)):
            s = guard(value, **where, label="The issue message")
            out.append((c, s, fmt.wrap))
            widths.see(c, s, caps[c])
            lines = max(lines, text_lines(s, caps[c]))
        write_cells(ws, row, out)
        if lines > 1:
            ws.set_row(row, 15 * min(lines, 27))
        target = tracker_link(issue.file, issue.sheet, issue.cell, workbooks, path.parent)
        shown = guard(issue.location(), **where, label="Issue location")
        if target is not None and links < MAX_LINKS_PER_SHEET and \
                ws.write_url(row, 8, target, fmt.link, shown[:255],
                             "Open the tracker at this cell") == 0:
            links += 1
        else:
            ws.write_string(row, 8, shown, fmt.text)
        widths.see(8, shown, caps[8])
    last = max(len(issues), 1)
    ws.add_table(0, 0, last, len(ISSUE_COLUMNS) - 1, {
        "name": "Issues", "style": "Table Style Light 9",
        "columns": [{"header": h, "header_format": fmt.header} for h in ISSUE_COLUMNS]})
    ws.conditional_format(f"A2:A{last + 1}", {"type": "cell", "criteria": "==",
                                              "value": '"error"', "format": fmt.rag["Red"]})
    ws.conditional_format(f"A2:A{last + 1}", {"type": "cell", "criteria": "==",
                                              "value": '"warning"',
                                              "format": fmt.rag["Amber"]})
    ws.freeze_panes(1, 0)
    widths.apply(ws)
    ws.set_landscape()
    ws.set_paper(9)
    ws.repeat_rows(0)
    ws.fit_to_pages(1, 0)


# --------------------------------------------------------------------------- Sources

SOURCE_COLUMNS = ("Path", "Kind", "Sheets", "Rows read", "Actions", "KPIs", "Size (bytes)",
                  "Modified", "SHA-256", "Refused", "Reason")


def _write_sources(ws, run: RatedRun, fmt: _Formats, guard: TextGuard) -> None:
    reasons = {}
    for issue in run.issues:
        if issue.sheet is None and issue.cell is None:
            reasons.setdefault((issue.file, issue.code), issue.message)
    widths = _Widths()
    caps = (40, 10, 30, 10, 9, 7, 13, 17, 66, 24, 70)
    for c, h in enumerate(SOURCE_COLUMNS):
        widths.see(c, h + "   ", caps[c])
    for row, s in enumerate(run.sources, start=1):
        def text(col: int, value: object, wrap: bool = False) -> None:
            t = guard(value, file=s.path, label="The file name")
            if t:
                ws.write_string(row, col, t, fmt.wrap if wrap else fmt.text)
                widths.see(col, t, caps[col])

        text(0, s.path)
        text(1, s.kind)
        text(2, "; ".join(s.sheets))
        for col, value in ((3, s.rows_read), (4, s.actions), (5, s.kpis), (6, s.size)):
            ws.write_number(row, col, value, fmt.integer)
        if s.modified is not None:
            ws.write_number(row, 7, _serial(s.modified), fmt.datetime)
        widths.see(7, "dd/mm/yyyy hh:mm")
        text(8, s.sha256)
        if s.refused:
            text(9, s.refused)
            entry = CATALOGUE.get(s.refused)
            text(10, reasons.get((s.path, s.refused)) or (entry.title if entry else ""),
                 wrap=True)
    last = max(len(run.sources), 1)
    ws.add_table(0, 0, last, len(SOURCE_COLUMNS) - 1, {
        "name": "Sources", "style": "Table Style Light 9",
        "columns": [{"header": h, "header_format": fmt.header} for h in SOURCE_COLUMNS]})
    ws.freeze_panes(1, 1)
    widths.apply(ws)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


# --------------------------------------------------------------------------- Summary


def _write_summary(ws, wb, run: RatedRun, config: Config, objectives: list[int],
                   allocs: list[Allocation], layout: FinanceLayout, fmt: _Formats) -> None:
    ws.write_string(0, 0, f"{config.partnership}: consolidated workbook", fmt.title)
    ws.write_string(1, 0, config.report.title, fmt.note)
    errors = sum(1 for i in run.issues if i.is_error)
    facts = (
        ("Period", f"{run.period.name} ({run.period.label})"),
        ("As of", run.as_of),
        ("Actions rated", len(run.actions)),
        ("KPIs", len(run.kpis)),
        ("Files read", sum(1 for s in run.sources if not s.refused)),
        ("Files refused", sum(1 for s in run.sources if s.refused)),
        ("Validation errors", errors),
        ("Warnings", len(run.issues) - errors),
    )
    for i, (label, value) in enumerate(facts):
        r = 3 + i
        ws.write_string(r, 0, label, fmt.label)
        if isinstance(value, date):
            ws.write_number(r, 1, _serial(value), fmt.date)
        elif isinstance(value, int):
            ws.write_number(r, 1, value, fmt.integer)
        else:
            ws.write_string(r, 1, value, fmt.text)

    # Counts by reported BRAG and objective.
    top = 3 + len(facts) + 1
    ws.write_string(top, 0, "Actions by reported RAG and objective", fmt.subtitle)
    head = top + 1
    ws.write_string(head, 0, "Objective", fmt.header)
    for j, name in enumerate(RAG_ORDER):
        ws.write_string(head, 1 + j, name, fmt.rag_header[name])
    tot_col = 1 + len(RAG_ORDER)
    ws.write_string(head, tot_col, "Total", fmt.header)
    ws.write_string(head, tot_col + 1, "Objective wording", fmt.header)
    counts: Counter = Counter()
    for a in run.actions:
        r = run.ratings.get(a.action_id)
        if r is not None:
            counts[(a.objective, r.reported.value)] += 1
    for i, obj in enumerate(objectives):
        r = head + 1 + i
        ws.write_string(r, 0, f"Objective {obj}", fmt.text)
        for j, name in enumerate(RAG_ORDER):
            ws.write_number(r, 1 + j, counts[(obj, name)], fmt.integer)
        ws.write_number(r, tot_col, sum(counts[(obj, n)] for n in RAG_ORDER), fmt.integer)
        wording = clean_text(_objective_label(config, obj))[0]
        ws.write_string(r, tot_col + 1, wording, fmt.wrap)
        ws.set_row(r, 15 * text_lines(wording, 60))
    total_row = head + 1 + len(objectives)
    ws.write_string(total_row, 0, "Total", fmt.total_label)
    for j, name in enumerate(RAG_ORDER + ("",)):
        n = (sum(counts[(o, name)] for o in objectives) if name
             else sum(counts[(o, n)] for o in objectives for n in RAG_ORDER))
        ws.write_number(total_row, 1 + j, n, fmt.integer_bold)

    chart = wb.add_chart({"type": "column", "subtype": "stacked"})
    for j, name in enumerate(RAG_ORDER):
        fill, _ = RAG_COLOURS[name]
        chart.add_series({
            "name": ["Summary", head, 1 + j],
            "categories": ["Summary", head + 1, 0, total_row - 1, 0],
            "values": ["Summary", head + 1, 1 + j, total_row - 1, 1 + j],
            "fill": {"color": fill}, "border": {"color": "#404040"}, "gap": 60,
        })
    chart.set_title({"name": "Actions by reported RAG and objective"})
    chart.set_y_axis({"name": "Actions", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 560, "height": 300})

    # Finance by funding stream: the Finance sheet's totals (live references), so the two
    # sheets cannot disagree; the RAG word is the rating's rule applied to those totals.
    ftop = total_row + 2
    ws.write_string(ftop, 0, "Finance by funding stream (cancelled actions left out)",
                    fmt.subtitle)
    fhead = ftop + 1
    for c, h in enumerate(("Funding stream", "Allocations", "Budget", "Spend", "Forecast",
                           "Variance", "Finance RAG")):
        ws.write_string(fhead, c, h, fmt.header)
    shares = Counter(al.stream for al in allocs)
    streams = [s for s in layout.streams if shares[s]]
    for i, stream in enumerate(streams):
        r = fhead + 1 + i
        ws.write_string(r, 0, clean_text(stream)[0], fmt.text)
        ws.write_formula(r, 1, f"=COUNTIFS(Allocations[Stream],{xl_rowcol_to_cell(r, 0)})",
                         fmt.integer, shares[stream])
        for c, measure in enumerate(MEASURES, start=2):
            ws.write_formula(r, c, "=" + layout.total_cell(measure, stream), fmt.money,
                             layout.totals[(measure, stream)])
        have = {m: [getattr(al, m.lower()) for al in allocs if al.stream == stream]
                for m in ("Budget", "Spend", "Forecast")}
        rating = rate_finance(*(None if all(v is None for v in have[m])
                                else layout.totals[(m, stream)]
                                for m in ("Budget", "Spend", "Forecast")), config.thresholds)
        if rating.rag is not None:
            ws.write_string(r, 6, rating.rag.value, fmt.text)
    ftotal = fhead + 1 + len(streams)
    ws.write_string(ftotal, 0, "Total", fmt.total_label)
    ws.write_formula(ftotal, 1, f"=SUM(B{fhead + 2}:B{ftotal})", fmt.integer_bold,
                     len(allocs))
    for c, measure in enumerate(MEASURES, start=2):
        col = xl_col_to_name(c)
        ws.write_formula(ftotal, c, f"=SUM({col}{fhead + 2}:{col}{ftotal})", fmt.money_bold,
                         round(sum(layout.totals[(measure, s)] for s in streams), 2))
    if streams:
        _rag_rules(ws, fmt, f"G{fhead + 2}:G{ftotal}", f"G{fhead + 2}")
        money_chart = wb.add_chart({"type": "bar"})
        for c, colour in ((2, "#8EA9DB"), (4, "#F4B183")):
            money_chart.add_series({
                "name": ["Summary", fhead, c],
                "categories": ["Summary", fhead + 1, 0, ftotal - 1, 0],
                "values": ["Summary", fhead + 1, c, ftotal - 1, c],
                "fill": {"color": colour}, "gap": 80,
            })
        money_chart.set_title({"name": "Budget and forecast by funding stream"})
        money_chart.set_x_axis({"num_format": '£#,##0,"k"',
                                "major_gridlines": {"visible": True}})
        money_chart.set_y_axis({"reverse": True})
        money_chart.set_legend({"position": "bottom"})
        money_chart.set_size({"width": 560, "height": 60 + 45 * len(streams) + 80})
    else:
        money_chart = None
        ws.write_string(fhead + 1, 0, "No finance figures this period.", fmt.note)

    ws.set_column(0, 0, 30)
    ws.set_column(1, tot_col, 15)
    ws.set_column(tot_col + 1, tot_col + 1, 60)
    ws.insert_chart(ftotal + 2, 0, chart, {"x_offset": 4, "y_offset": 8})
    if money_chart is not None:
        ws.insert_chart(ftotal + 2, 0, money_chart, {"x_offset": 590, "y_offset": 8})
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


__all__ = ["EXCEL_MAX_CHARS", "TRUNCATED", "TextGuard", "allocations", "clean_text",
           "final_folder", "text_lines", "tracker_link", "write_consolidated"]
