"""Feedback to officers: one workbook per tracker that needs attention, and a chase list.

``feedback/<tracker>.xlsx`` is written for each tracker with at least one Issue or one
action whose update is overdue (``ActionRating.stale``). It has two sheets:

- **What to fix**: every Issue in that tracker, errors first, then in sheet and cell
  order: what is wrong, where (a hyperlink that opens the tracker at the cell), and how
  to fix it.
- **Updates due**: the tracker's actions whose update is overdue, with the date of the
  last update and a link to it.

``feedback/chase-list.xlsx`` lists, per lead officer, everything they must update before
the next cycle: overdue updates and the Issues found on their actions, each item once.
Who is told what, in what order, is the view's (reportgen.view.feedback); this module
writes it.

When no tracker has an Issue or an overdue update, nothing is written, not even the chase
list, and ``[]`` is returned: an empty feedback folder says "nothing to do" more plainly
than empty workbooks. Files already in ``out_dir`` are never removed here (the staging
folder the pipeline passes is new each run).

Tracker text is written with ``write_string`` only, cleaned and cut to Excel's limit with
a visible marker (reportgen.render.cells.cell_text; the view lists each cut as a
``text-truncated`` Issue). Links to tracker cells are absolute (the view's
:meth:`reportgen.view.links.Links.cell`: ``[links] base`` + file name, or the tracker's
full path), so they survive the file being emailed. Document properties are pinned to
the period's as-of date.
"""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException

from reportgen.config import Config
from reportgen.errors import OutputError
from reportgen.issues import FIELD_LABELS
from reportgen.model import Rag
from reportgen.render.cells import WORKBOOK_OPTIONS, Formats, cell_text, colour, text_lines, \
    write_link
from reportgen.view import PeriodView
from reportgen.view.actions import Row
from reportgen.view.feedback import (
    CHASE_LIST, ChaseItem, TrackerFeedback, days_since, update_cell,
)
from reportgen.view.links import Links
from reportgen.view.words import severity_name


def write_feedback(view: PeriodView, config: Config, out_dir: Path) -> list[Path]:
    """Write ``out_dir/<tracker>.xlsx`` for every tracker with Issues or overdue updates,
    and ``out_dir/chase-list.xlsx``; return the paths written, trackers first (A–Z) and
    the chase list last. Returns ``[]`` and writes nothing when there is nothing to say.
    Creates ``out_dir`` when needed. Raises OutputError when a file cannot be written."""
    fb = view.feedback
    if not fb.trackers:
        return []
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {out_dir}: {exc.strerror or exc}") from exc
    written = []
    chase = out_dir / CHASE_LIST
    _write_chase_list(chase, view, config)
    for file, tracker in fb.trackers.items():
        path = out_dir / fb.names[file]
        _write_tracker(path, tracker, view, config)
        written.append(path)
    written.append(chase)
    return written


# --------------------------------------------------------------------------- shared bits


class _Book:
    """One feedback workbook: formats, pinned properties, safe writes."""

    def __init__(self, path: Path, view: PeriodView, config: Config, title: str):
        self.path = path
        # in memory: a feedback file is small, and XlsxWriter's temporary files (one per
        # sheet and part) cost more than the writing at 300 files
        self.wb = xlsxwriter.Workbook(str(path), {**WORKBOOK_OPTIONS, "in_memory": True})
        self.wb.set_properties({
            "title": title[:250], "subject": f"Tracker feedback, {view.period.name}",
            "author": config.report.author or "reportgen", "company": config.partnership,
            "created": datetime.combine(view.as_of, time(0, 0)),
        })
        fmt = Formats(self.wb)
        add = self.wb.add_format
        self.title, self.bold, self.header = fmt.title, fmt.label, fmt.header
        self.wrap, self.top, self.date, self.link = fmt.wrap, fmt.text, fmt.date, fmt.link
        self.note = add({"italic": True, "font_color": "#404040"})
        self.error = add({"bg_color": colour(Rag.RED.fill),
                          "font_color": colour(Rag.RED.ink), "valign": "top"})
        self.warning = add({"bg_color": colour(Rag.AMBER.fill), "valign": "top"})
        self._links: dict[str, int] = {}
        self.links: Links = view.links
        self._widths: dict[str, tuple[float, ...]] = {}
        self._lines: dict[str, dict[int, int]] = {}

    def sheet(self, name: str, widths: tuple[float, ...]):
        ws = self.wb.add_worksheet(name)
        for col, w in enumerate(widths):
            ws.set_column(col, col, w)
        self._widths[name] = widths
        self._lines[name] = {}
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        return ws

    def string(self, ws, row: int, col: int, value: object, fmt=None) -> None:
        """One cell of text, cleaned; wrapped text sets the row's height (fit_rows)."""
        self.strings(ws, row, ((col, value, fmt),))

    def strings(self, ws, row: int, cells) -> None:
        """:meth:`string` for several ``(col, value, format)`` cells of one row."""
        for col, value, fmt in cells:
            text = cell_text(value)
            if text:
                fmt = fmt or self.top
                ws.write_string(row, col, text, fmt)
                if fmt is self.wrap:
                    lines = self._lines[ws.name]
                    lines[row] = max(lines.get(row, 1),
                                     text_lines(text, self._widths[ws.name][col]))

    def fit_rows(self, ws) -> None:
        """Row heights for wrapped text (nothing fits them on opening in LibreOffice)."""
        for row, n in sorted(self._lines[ws.name].items()):
            if n > 1:
                ws.set_row(row, 15 * min(n, 27))

    def link_cell(self, ws, row: int, col: int, file: str, sheet: str | None,
                  cell: str | None) -> None:
        """A hyperlink that opens the tracker at the cell, shown as 'Sheet!A1'; plain text
        when no link can be made or the sheet is at Excel's link limit."""
        shown = cell_text(f"{sheet}!{cell}" if sheet and cell else sheet or file)[:255]
        target = self.links.cell(file, sheet, cell)
        self._links[ws.name] = write_link(ws, row, col, target, shown, self.link, self.top,
                                          self._links.get(ws.name, 0))

    def table(self, ws, first_row: int, last_row: int, headers: tuple[str, ...],
              name: str) -> None:
        ws.add_table(first_row, 0, max(last_row, first_row + 1), len(headers) - 1, {
            "name": name, "style": "Table Style Light 9",
            "columns": [{"header": h, "header_format": self.header} for h in headers]})
        ws.freeze_panes(first_row + 1, 0)
        ws.repeat_rows(first_row)

    def close(self) -> None:
        try:
            self.wb.close()
        except (XlsxWriterException, OSError) as exc:
            raise OutputError(f"cannot write {self.path}: {exc}") from exc


# --------------------------------------------------------------------------- one tracker

FIX_COLUMNS = ("Severity", "Where", "Field", "What is wrong", "How to fix it", "Code")
DUE_COLUMNS = ("ID", "Action", "Lead officer", "Last updated", "Days since update",
               "Status", "RAG reported", "Where")


def _write_tracker(path: Path, fb: TrackerFeedback, view: PeriodView,
                   config: Config) -> None:
    book = _Book(path, view, config, f"Feedback on {fb.file}")
    errors, warnings, infos = fb.errors, fb.warnings, fb.notes
    next_cycle = view.next_update

    ws = book.sheet("What to fix", (10, 16, 16, 60, 50, 24))
    book.string(ws, 0, 0, f"Feedback on {fb.file}: {view.period.name} report", book.title)
    book.string(ws, 1, 0, f"Data as of {view.as_of:%d/%m/%Y}. Please make these changes in "
                f"the tracker before {next_cycle}.", book.note)
    parts = [f"{errors} error(s): rows or files left out of the report until fixed",
             f"{warnings} warning(s)", f"{len(fb.stale)} action(s) due an update "
             "(see the 'Updates due' sheet)"]
    if infos:
        parts.insert(2, f"{infos} note(s): a file in a format reportgen does not read")
    book.string(ws, 2, 0, "; ".join(parts) + ".", book.bold)
    head = 4
    if not fb.issues:
        book.string(ws, head + 1, 0, "Nothing to fix: only updates are due.", book.note)
    for k, issue in enumerate(fb.issues, start=1):
        r = head + k
        book.strings(ws, r, (
            (0, severity_name(issue), book.error if issue.is_error else book.warning),
            (2, FIELD_LABELS.get(issue.field or "", issue.field or ""), None),
            (3, issue.message, book.wrap), (4, issue.hint, book.wrap), (5, issue.code, None)))
        book.link_cell(ws, r, 1, issue.file, issue.sheet, issue.cell)
    book.table(ws, head, head + len(fb.issues), FIX_COLUMNS, "WhatToFix")
    book.fit_rows(ws)

    ws = book.sheet("Updates due", (12, 60, 22, 13, 12, 13, 12, 16))
    book.string(ws, 0, 0, f"Actions due an update: {fb.file}", book.title)
    book.string(ws, 1, 0, f"Updates are due every {config.thresholds.stale_days} days. "
                "Update the progress commentary and the Last Updated date of each action "
                "below.", book.note)
    head = 3
    if not fb.stale:
        book.string(ws, head + 1, 0, "No updates are overdue.", book.note)
    _stale_rows(book, ws, head, fb.stale, view)
    book.table(ws, head, head + len(fb.stale), DUE_COLUMNS, "UpdatesDue")
    book.fit_rows(ws)
    book.close()


def _stale_rows(book: _Book, ws, head: int, rows: list[Row], view: PeriodView) -> None:
    for k, row in enumerate(rows, start=1):
        r = head + k
        a, rating = row.action, row.rating
        book.strings(ws, r, ((0, a.action_id, None), (1, a.action, book.wrap),
                             (2, a.lead_officer, None), (5, a.status.value, None),
                             (6, rating.reported.value, None)))
        ws.write_datetime(r, 3, datetime.combine(a.last_updated, time()), book.date)
        ws.write_number(r, 4, days_since(a, view.as_of), book.top)
        book.link_cell(ws, r, 7, a.source.file, a.source.sheet, update_cell(a))


# --------------------------------------------------------------------------- chase list

CHASE_COLUMNS = ("Lead officer", "Tracker", "Action ID", "Action", "What to do", "Where",
                 "Kind")
OFFICER_COLUMNS = ("Lead officer", "Updates due", "Errors to fix", "Warnings to fix",
                   "Trackers")


def _write_chase_list(path: Path, view: PeriodView, config: Config) -> None:
    book = _Book(path, view, config, f"Chase list, {view.period.name}")
    items: tuple[ChaseItem, ...] = view.feedback.items
    next_cycle = view.next_update

    ws = book.sheet("By officer", (30, 12, 12, 14, 60))
    book.string(ws, 0, 0, f"Chase list: {view.period.name} report", book.title)
    book.string(ws, 1, 0, f"What each lead officer must update before "
                f"{next_cycle}. The 'Chase list' sheet has every item with "
                "a link to the cell.", book.note)
    officers = view.feedback.officers
    head = 3
    for k, o in enumerate(officers, start=1):
        r = head + k
        book.string(ws, r, 0, o.officer)
        for col, n in ((1, o.updates), (2, o.errors), (3, o.warnings)):
            ws.write_number(r, col, n, book.top)
        book.string(ws, r, 4, "; ".join(o.files), book.wrap)
    book.table(ws, head, head + len(officers), OFFICER_COLUMNS, "ByOfficer")
    book.fit_rows(ws)

    ws = book.sheet("Chase list", (30, 24, 11, 45, 70, 16, 11))
    book.string(ws, 0, 0, f"Chase list: {view.period.name} report", book.title)
    book.string(ws, 1, 0, f"Data as of {view.as_of:%d/%m/%Y}. Each item links to the tracker "
                "cell to change.", book.note)
    head = 3
    kind_formats = {"error": book.error, "warning": book.warning}
    for k, item in enumerate(items, start=1):
        r = head + k
        book.strings(ws, r, (
            (0, item.officer, None), (1, item.file, None), (2, item.action_id, None),
            (3, item.action, book.wrap), (4, item.todo, book.wrap),
            (6, item.kind, kind_formats.get(item.kind))))
        book.link_cell(ws, r, 5, item.file, item.sheet, item.cell)
    book.table(ws, head, head + len(items), CHASE_COLUMNS, "ChaseList")
    book.fit_rows(ws)
    book.close()


__all__ = ["write_feedback"]
