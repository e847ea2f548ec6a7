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
The officer is the Issue's own lead officer when it names one (a row too broken to rate
still names its officer), else the officer of the action the Issue is about (by its
action ID, else its file and row); only an Issue tied to no officer (a whole file
refused) is listed under "Not known: the tracker's owner", with the tracker named.

When no tracker has an Issue or an overdue update, nothing is written, not even the chase
list, and ``[]`` is returned: an empty feedback folder says "nothing to do" more plainly
than empty workbooks. Files already in ``out_dir`` are never removed here (the staging
folder the pipeline passes is new each run).

Tracker text is written with ``write_string`` only, cleaned and cut to Excel's limit with
a visible marker (reportgen.render.cells.cell_text); the consolidated workbook reports
those cuts as ``text-truncated`` Issues, so they are not reported twice. Links to tracker
cells are absolute (:func:`delivered_link`: ``[links] base`` + file name, or the
tracker's full path), so they survive the file being emailed. Document properties are
pinned to the period's as-of date.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path

from urllib.parse import quote

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException

from reportgen.config import Config
from reportgen.errors import OutputError
from reportgen.issues import FIELD_LABELS, RECORD_CODES, Issue
from reportgen.model import Action, RatedRun, Rag
from reportgen.render.cells import (
    MAX_URL_CHARS, RAG_COLOURS, WORKBOOK_OPTIONS, Formats, cell_text, colour, safe_file_stem,
    text_lines, write_link,
)
from reportgen.render.coverage import severity_name

CHASE_LIST = "chase-list.xlsx"
UNKNOWN_OFFICER = "Not known: the tracker's owner"
_CELL = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")


@dataclass
class TrackerFeedback:
    file: str
    issues: list[Issue] = field(default_factory=list)
    stale: list[Action] = field(default_factory=list)


def collect(run: RatedRun) -> dict[str, TrackerFeedback]:
    """Tracker file → its Issues (sorted: errors first, then sheet, row, column) and its
    actions due an update. Trackers with neither are left out. Issues about the record
    of earlier periods (reportgen.issues.RECORD_CODES) are about no tracker: left out."""
    out: dict[str, TrackerFeedback] = {}
    seen: set[tuple] = set()
    for issue in run.issues:
        if issue.code in RECORD_CODES:
            continue
        # The same problem at the same cell is listed once, however many stages saw it.
        key = (issue.file, issue.sheet, issue.cell, issue.code, issue.field)
        if key in seen:
            continue
        seen.add(key)
        out.setdefault(issue.file, TrackerFeedback(issue.file)).issues.append(issue)
    for a in run.actions:
        r = run.ratings.get(a.action_id)
        if r is not None and r.stale:
            out.setdefault(a.source.file, TrackerFeedback(a.source.file)).stale.append(a)
    for fb in out.values():
        fb.issues.sort(key=_issue_order)
    return out


def _cell_position(cell: str | None) -> tuple[int, int]:
    """'H9' → (9, 8); no cell → (0, 0) so that file- and sheet-level issues come first."""
    m = _CELL.match(cell or "")
    if not m:
        return (0, 0)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return (int(m.group(2)), col)


def _issue_order(issue: Issue) -> tuple:
    return (not issue.is_error, issue.sheet or "", _cell_position(issue.cell), issue.code)


def feedback_names(files: list[str]) -> dict[str, str]:
    """Tracker file → feedback file name: the tracker's path without its extension, made
    safe (reportgen.render.cells.safe_file_stem), ``.xlsx``; names that would clash (ignoring case,
    as Windows does) or be the chase list get " (2)", " (3)"… in sorted order."""
    used = {CHASE_LIST.lower()}
    names: dict[str, str] = {}
    for file in sorted(files):
        stem = safe_file_stem(re.sub(r"\.[A-Za-z0-9]{1,5}$", "", file), fallback="tracker")
        name, n = f"{stem}.xlsx", 1
        while name.lower() in used:
            n += 1
            name = f"{stem} ({n}).xlsx"
        used.add(name.lower())
        names[file] = name
    return names


def write_feedback(run: RatedRun, config: Config, out_dir: Path,
                   workbooks: Path) -> list[Path]:
    """Write ``out_dir/<tracker>.xlsx`` for every tracker with Issues or overdue updates,
    and ``out_dir/chase-list.xlsx``; return the paths written, trackers first (A–Z) and
    the chase list last. Returns ``[]`` and writes nothing when there is nothing to say.
    Creates ``out_dir`` when needed. Raises OutputError when a file cannot be written."""
    trackers = collect(run)
    if not trackers:
        return []
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {out_dir}: {exc.strerror or exc}") from exc
    names = feedback_names(list(trackers))
    written = []
    chase = out_dir / CHASE_LIST
    next_cycle = run.next_update
    _write_chase_list(chase, trackers, run, config, workbooks, next_cycle)
    for file in sorted(trackers):
        path = out_dir / names[file]
        _write_tracker(path, trackers[file], run, config, workbooks, next_cycle)
        written.append(path)
    written.append(chase)
    return written


# --------------------------------------------------------------------------- shared bits


class _Book:
    """One feedback workbook: formats, pinned properties, safe writes."""

    def __init__(self, path: Path, run: RatedRun, config: Config, title: str):
        self.path = path
        # in memory: a feedback file is small, and XlsxWriter's temporary files (one per
        # sheet and part) cost more than the writing at 300 files
        self.wb = xlsxwriter.Workbook(str(path), {**WORKBOOK_OPTIONS, "in_memory": True})
        self.wb.set_properties({
            "title": title[:250], "subject": f"Tracker feedback, {run.period.name}",
            "author": config.report.author or "reportgen", "company": config.partnership,
            "created": datetime.combine(run.as_of, time(0, 0)),
        })
        fmt = Formats(self.wb)
        add = self.wb.add_format
        self.title, self.bold, self.header = fmt.title, fmt.label, fmt.header
        self.wrap, self.top, self.date, self.link = fmt.wrap, fmt.text, fmt.date, fmt.link
        self.note = add({"italic": True, "font_color": "#404040"})
        self.error = add({"bg_color": colour(RAG_COLOURS[Rag.RED][0]),
                          "font_color": colour(RAG_COLOURS[Rag.RED][1]), "valign": "top"})
        self.warning = add({"bg_color": colour(RAG_COLOURS[Rag.AMBER][0]), "valign": "top"})
        self._links: dict[str, int] = {}
        self.base = config.links.base.strip()
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
                  cell: str | None, workbooks: Path) -> None:
        """A hyperlink that opens the tracker at the cell, shown as 'Sheet!A1'; plain text
        when no link can be made or the sheet is at Excel's link limit."""
        shown = cell_text(f"{sheet}!{cell}" if sheet and cell else sheet or file)[:255]
        target = delivered_link(file, sheet, cell, workbooks, self.base)
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


def delivered_link(file: str, sheet: str | None, cell: str | None, workbooks: Path,
                   base: str = "") -> str | None:
    """A link to the tracker that still works when the feedback file is emailed: the
    configured ``base`` address (``[links] base``, e.g. the SharePoint folder) + the
    file name, else the tracker's absolute path (``file:///…``); never relative to the
    output folder. Opens at ``sheet!cell`` where there is one. None when too long."""
    safe = "/()'~!$&+,;=@"
    if base:
        url = base.rstrip("/") + "/" + quote(Path(file).as_posix(), safe=safe)
    else:
        # XlsxWriter makes "C:/…" and "//server/…" file:/// links; "/home/…" stays rooted
        target = Path(os.path.abspath(Path(workbooks) / file)).as_posix()
        url = "external:" + quote(target, safe=safe + ":")
    if sheet:
        ref = cell if cell and _CELL.fullmatch(cell) else "A1"
        url += "#'" + sheet.replace("'", "''") + "'!" + ref
    return url if len(url) <= MAX_URL_CHARS else None


# --------------------------------------------------------------------------- one tracker

FIX_COLUMNS = ("Severity", "Where", "Field", "What is wrong", "How to fix it", "Code")
DUE_COLUMNS = ("ID", "Action", "Lead officer", "Last updated", "Days since update",
               "Status", "RAG reported", "Where")


def _write_tracker(path: Path, fb: TrackerFeedback, run: RatedRun, config: Config,
                   workbooks: Path, next_cycle: str) -> None:
    book = _Book(path, run, config, f"Feedback on {fb.file}")
    errors = sum(1 for i in fb.issues if i.is_error)
    warnings = sum(1 for i in fb.issues if severity_name(i) == "warning")
    infos = len(fb.issues) - errors - warnings

    ws = book.sheet("What to fix", (10, 16, 16, 60, 50, 24))
    book.string(ws, 0, 0, f"Feedback on {fb.file}: {run.period.name} report", book.title)
    book.string(ws, 1, 0, f"Data as of {run.as_of:%d/%m/%Y}. Please make these changes in "
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
        book.link_cell(ws, r, 1, issue.file, issue.sheet, issue.cell, workbooks)
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
    _stale_rows(book, ws, head, fb.stale, run, workbooks)
    book.table(ws, head, head + len(fb.stale), DUE_COLUMNS, "UpdatesDue")
    book.fit_rows(ws)
    book.close()


def _stale_rows(book: _Book, ws, head: int, actions: list[Action], run: RatedRun,
                workbooks: Path) -> None:
    for k, a in enumerate(actions, start=1):
        r = head + k
        rating = run.ratings[a.action_id]
        book.strings(ws, r, ((0, a.action_id, None), (1, a.action, book.wrap),
                             (2, a.lead_officer, None), (5, a.status.value, None),
                             (6, rating.reported.value, None)))
        ws.write_datetime(r, 3, datetime.combine(a.last_updated, time()), book.date)
        ws.write_number(r, 4, (run.as_of - a.last_updated).days, book.top)
        src = a.source
        cell = src.cell("last_updated") or src.cell("action_id") or f"A{src.row}"
        book.link_cell(ws, r, 7, src.file, src.sheet, cell, workbooks)


# --------------------------------------------------------------------------- chase list

CHASE_COLUMNS = ("Lead officer", "Tracker", "Action ID", "Action", "What to do", "Where",
                 "Kind")
OFFICER_COLUMNS = ("Lead officer", "Updates due", "Errors to fix", "Warnings to fix",
                   "Trackers")


@dataclass(frozen=True)
class ChaseItem:
    officer: str
    file: str
    action_id: str
    action: str
    todo: str
    sheet: str | None
    cell: str | None
    kind: str  # "update due", "error", "warning"


def chase_items(trackers: dict[str, TrackerFeedback], run: RatedRun) -> list[ChaseItem]:
    """Everything to chase, sorted by officer (the unknown owner last), tracker, action."""
    by_row = {(a.source.file, a.source.sheet, a.source.row): a for a in run.actions}
    by_id = {a.action_id: a for a in run.actions}
    items = []
    for fb in trackers.values():
        for a in fb.stale:
            src = a.source
            items.append(ChaseItem(
                a.lead_officer, fb.file, a.action_id, a.action,
                f"Update the progress and the Last Updated date (last updated "
                f"{a.last_updated:%d/%m/%Y}, {(run.as_of - a.last_updated).days} days "
                f"before {run.as_of:%d/%m/%Y}).", src.sheet,
                src.cell("last_updated") or src.cell("action_id") or f"A{src.row}",
                "update due"))
        for issue in fb.issues:
            a = _issue_action(issue, by_id, by_row)
            action_id = issue.action_id or (a.action_id if a else "")
            items.append(ChaseItem(
                _issue_officer(issue, a), fb.file, action_id, a.action if a else "",
                f"{issue.message} {issue.hint}", issue.sheet, issue.cell,
                severity_name(issue)))
    # Each item once: two issues that say the same thing at the same cell are one chase.
    items = list(dict.fromkeys(items))
    kinds = {"error": 0, "update due": 1, "warning": 2}
    items.sort(key=lambda i: (i.officer == UNKNOWN_OFFICER, i.officer.casefold(), i.file,
                              i.action_id, kinds.get(i.kind, 3),
                              _cell_position(i.cell)))
    return items


def _issue_action(issue: Issue, by_id: dict[str, Action],
                  by_row: dict[tuple, Action]) -> Action | None:
    """The action an Issue is about: by the Issue's action ID when it has one, else by
    its file, sheet and row; None for a file- or sheet-level Issue."""
    action_id = issue.action_id
    if action_id and action_id in by_id:
        return by_id[action_id]
    row = _cell_position(issue.cell)[0]
    return by_row.get((issue.file, issue.sheet, row)) if row else None


def _issue_officer(issue: Issue, action: Action | None) -> str:
    """The officer to chase: the Issue's own lead officer (the row names one even when
    the row could not be rated), else the action's, else the tracker's owner."""
    named = (issue.officer or "").strip()
    if named:
        return named
    if action is not None and action.lead_officer.strip():
        return action.lead_officer
    return UNKNOWN_OFFICER


def _write_chase_list(path: Path, trackers: dict[str, TrackerFeedback], run: RatedRun,
                      config: Config, workbooks: Path, next_cycle: str) -> None:
    book = _Book(path, run, config, f"Chase list, {run.period.name}")
    items = chase_items(trackers, run)

    ws = book.sheet("By officer", (30, 12, 12, 14, 60))
    book.string(ws, 0, 0, f"Chase list: {run.period.name} report", book.title)
    book.string(ws, 1, 0, f"What each lead officer must update before "
                f"{next_cycle}. The 'Chase list' sheet has every item with "
                "a link to the cell.", book.note)
    officers: dict[str, dict] = {}
    for item in items:
        o = officers.setdefault(item.officer, {"update due": 0, "error": 0, "warning": 0,
                                               "files": []})
        o[item.kind] = o.get(item.kind, 0) + 1
        if item.file not in o["files"]:
            o["files"].append(item.file)
    head = 3
    for k, (officer, o) in enumerate(officers.items(), start=1):
        r = head + k
        book.string(ws, r, 0, officer)
        for col, kind in ((1, "update due"), (2, "error"), (3, "warning")):
            ws.write_number(r, col, o[kind], book.top)
        book.string(ws, r, 4, "; ".join(o["files"]), book.wrap)
    book.table(ws, head, head + len(officers), OFFICER_COLUMNS, "ByOfficer")
    book.fit_rows(ws)

    ws = book.sheet("Chase list", (30, 24, 11, 45, 70, 16, 11))
    book.string(ws, 0, 0, f"Chase list: {run.period.name} report", book.title)
    book.string(ws, 1, 0, f"Data as of {run.as_of:%d/%m/%Y}. Each item links to the tracker "
                "cell to change.", book.note)
    head = 3
    kind_formats = {"error": book.error, "warning": book.warning}
    for k, item in enumerate(items, start=1):
        r = head + k
        book.strings(ws, r, (
            (0, item.officer, None), (1, item.file, None), (2, item.action_id, None),
            (3, item.action, book.wrap), (4, item.todo, book.wrap),
            (6, item.kind, kind_formats.get(item.kind))))
        book.link_cell(ws, r, 5, item.file, item.sheet, item.cell, workbooks)
    book.table(ws, head, head + len(items), CHASE_COLUMNS, "ChaseList")
    book.fit_rows(ws)
    book.close()


__all__ = ["CHASE_LIST", "UNKNOWN_OFFICER", "chase_items", "collect", "delivered_link",
           "feedback_names", "write_feedback"]
