"""The everyday slips officers make between two months, applied to a copy of the samples.

``month_two(folder)`` takes a folder holding a copy of ``workbooks/`` (month one, clean) and
makes in it, as officers would before the next month's run:

* Objective 1's tracker: the "Lead Officer" header reworded in place to
  "Lead officer (name)";
* Objective 2's tracker: saved under a new name ("... - Copy.xlsx") and the new copy
  edited afterwards (O2-01 moves from 70 % to 80 % with a new commentary and a new
  "Date of Update"), the old file left beside it;
* Objective 3 (community) tracker: truncated, as by a failed copy;
* Objective 3 (carers) tracker: a typo in O3-20's funding cell, and the corrective
  action of the first Red or Amber row cleared.

Returns what it did, for the assertions. openpyxl re-saves these copies: fine for test
fixtures, never done to an officer's file.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import openpyxl

SAMPLES = Path(__file__).resolve().parents[1] / "workbooks"
OBJ1 = "Objective1_Prevention_MElliot.xlsx"
OBJ2 = "Objective2_PatientFlow_IScott.xlsx"
OBJ2_COPY = "Objective2_PatientFlow_IScott - Copy.xlsx"
OBJ3_COMMUNITY = "Objective3_Community_AKerr.xlsx"
OBJ3_CARERS = "Objective3 Carers & SDS - C Hume.xlsx"


@dataclass
class Slips:
    reworded_header: str = ""  # the cell, e.g. "F4"
    copy_edited_id: str = "O2-01"
    copy_percent: float = 80
    copy_updated: date = date(2018, 10, 1)
    funding_typo_id: str = "O3-20"
    funding_typo_cell: str = ""
    no_corrective_id: str = ""
    no_corrective_cell: str = ""
    truncated: str = OBJ3_COMMUNITY
    notes: list[str] = field(default_factory=list)


def _header_row(ws, name: str) -> int:
    for row in ws.iter_rows(min_row=1, max_row=12):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.strip() == name:
                return cell.row
    raise LookupError(name)


def _column(ws, header_row: int, name: str) -> int:
    for cell in ws[header_row]:
        if isinstance(cell.value, str) and cell.value.strip() == name:
            return cell.column
    raise LookupError(name)


def _touch(path: Path, seconds_later: float) -> None:
    st = path.stat()
    os.utime(path, (st.st_atime + seconds_later, st.st_mtime + seconds_later))


def month_two(folder: Path) -> Slips:
    slips = Slips()

    # 1. a reworded header
    path = folder / OBJ1
    wb = openpyxl.load_workbook(path)
    ws = wb["Action Plan"]
    hr = _header_row(ws, "Lead Officer")
    col = _column(ws, hr, "Lead Officer")
    ws.cell(hr, col).value = "Lead officer (name)"
    slips.reworded_header = ws.cell(hr, col).coordinate
    wb.save(path)

    # 2. Save As, the new copy edited afterwards, the old one left beside it
    old = folder / OBJ2
    new = folder / OBJ2_COPY
    shutil.copy2(old, new)
    wb = openpyxl.load_workbook(new)
    ws = wb["Actions"]
    hr = _header_row(ws, "ID")
    pc = _column(ws, hr, "Progress %")
    cm = _column(ws, hr, "Commentary")
    du = _column(ws, hr, "Date of Update")
    for row in ws.iter_rows(min_row=hr + 1):
        if row[0].value == slips.copy_edited_id:
            ws.cell(row[0].row, pc).value = slips.copy_percent
            ws.cell(row[0].row, cm).value = "Edited in the new copy after Save As."
            ws.cell(row[0].row, du).value = datetime.combine(slips.copy_updated,
                                                             datetime.min.time())
    wb.save(new)
    _touch(new, 3600)

    # 3. a truncated tracker
    path = folder / OBJ3_COMMUNITY
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])

    # 4. a funding typo and a missing corrective action
    path = folder / OBJ3_CARERS
    wb = openpyxl.load_workbook(path)
    ws = wb["Tracker"]
    hr = _header_row(ws, "Action No")
    fund = _column(ws, hr, "Funding Source")
    rag = _column(ws, hr, "Self-assessed RAG")
    corr = _column(ws, hr, "Corrective Actions")
    ids = _column(ws, hr, "Action No")
    for r in range(hr + 1, ws.max_row + 1):
        aid = ws.cell(r, ids).value
        if aid == slips.funding_typo_id:
            ws.cell(r, fund).value = "(Core Fundng Investment)"
            slips.funding_typo_cell = ws.cell(r, fund).coordinate
        if (not slips.no_corrective_id and str(ws.cell(r, rag).value or "").strip()[:1].upper()
                in ("R", "A") and ws.cell(r, corr).value):
            ws.cell(r, corr).value = None
            slips.no_corrective_id = str(aid)
            slips.no_corrective_cell = ws.cell(r, corr).coordinate
    wb.save(path)
    return slips


# --------------------------------------------------------------------------- months
# The samples are September 2018's trackers. ``age(folder, months)`` turns a copy of them
# into another month's: every open action updated since 1 August has its Last updated
# date moved by ``months`` and its % complete by 10 points a month (kept within 0–95), as
# the officers' monthly updates would. openpyxl edits the cells in place, found by reading
# the September tracker with reportgen itself (each Action knows its cells).

UPDATED_SINCE = date(2018, 8, 1)


def _shift(day: date, months: int) -> date:
    import calendar

    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def september(path: Path, config) -> list:
    """The actions of a September tracker (a sample, unchanged), with their cells."""
    from reportgen.validate import read_trackers

    result = read_trackers([path], config, today=date(2100, 1, 1))
    return list(result.actions)


def _write_cell(ws, ref: str, value) -> None:
    cell = ws[ref]
    if isinstance(value, date):
        cell.value = datetime.combine(value, datetime.min.time())
        if "y" not in (cell.number_format or "").lower():
            cell.number_format = "DD/MM/YYYY"
    elif "%" in (cell.number_format or ""):
        cell.value = value / 100
    else:
        cell.value = value


def aged_values(action, months: int) -> dict[str, object]:
    """The Last updated date and % complete a September ``action`` has ``months`` later
    (earlier when negative); nothing for an action not updated since August, or
    complete, which stays as it is."""
    from reportgen.model import Status

    if action.last_updated < UPDATED_SINCE or action.status is Status.COMPLETE:
        return {}
    out: dict[str, object] = {"last_updated": _shift(action.last_updated, months)}
    if action.percent_complete is not None:
        out["percent_complete"] = max(0, min(95, action.percent_complete + 10 * months))
    return out


def age_sheet(wb, actions, months: int, sheet: str | None = None) -> None:
    """Write the values ``months`` from September of ``actions`` (September's, read from
    the sample) into their cells of ``wb``; on ``sheet`` when given."""
    for a in actions:
        ws = wb[sheet or a.source.sheet]
        for name, value in aged_values(a, months).items():
            _write_cell(ws, a.source.cell(name), value)


def _save(wb, path: Path, like: Path | None = None) -> Path:
    stamp = (like or path).stat() if (like or path).exists() else None
    wb.save(path)
    if stamp is not None:  # the file time is the folder's, not this test's
        os.utime(path, (stamp.st_atime, stamp.st_mtime))
    return path


def age(folder: Path, months: int, config, names: tuple[str, ...] | None = None) -> None:
    """Turn the September trackers in ``folder`` into those ``months`` later (earlier when
    negative), keeping their file times."""
    for path in sorted(folder.glob("*.xlsx")):
        if months == 0 or (names is not None and path.name not in names):
            continue
        actions = september(path, config)
        if actions:
            wb = openpyxl.load_workbook(path)
            age_sheet(wb, actions, months)
            _save(wb, path)


def conflict_copy(folder: Path, name: str, copy_name: str, months: int, config,
                  later: float = 86400) -> Path:
    """A OneDrive/SharePoint copy of ``name`` beside it holding the content ``months``
    from September (e.g. -2: July's), its file time ``later`` seconds after the
    tracker's (a sync rewrites it)."""
    source = folder / name
    actions = september(SAMPLES / name, config)
    wb = openpyxl.load_workbook(SAMPLES / name)
    age_sheet(wb, actions, months)
    copy = folder / copy_name
    wb.save(copy)
    st = source.stat()
    os.utime(copy, (st.st_atime + later, st.st_mtime + later))
    return copy


def kept_sheet(path: Path, config, kept: int, live: int, title: str) -> None:
    """The officer's habit: last month's action table duplicated as another sheet
    (openpyxl's copy_worksheet, as Excel's Move or Copy does) and named ``title``, and
    the live sheet updated. ``path`` is a tracker of this folder; the copy holds the
    values ``kept`` months from September, the live sheet ``live`` months."""
    actions = september(SAMPLES / path.name, config)
    wb = openpyxl.load_workbook(SAMPLES / path.name)
    sheet = actions[0].source.sheet
    age_sheet(wb, actions, kept)
    wb.copy_worksheet(wb[sheet]).title = title
    age_sheet(wb, actions, live, sheet=sheet)
    _save(wb, path)


def renumber(path: Path, old: str, new: str) -> str:
    """Retype action ID ``old`` as ``new`` in its tracker (keeping the file time);
    returns the cell."""
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.strip() == old:
                    cell.value = new
                    _save(wb, path)
                    return cell.coordinate
    raise LookupError(old)


UNKNOWN_OBJECTIVE_ID, BAD_DATE_ID = "O4-01", "O3-07"
LEFT_OUT_BUDGET = {UNKNOWN_OBJECTIVE_ID: 240_000, BAD_DATE_ID: 210_000}
NOT_A_TRACKER = "notes.txt"


def left_out_rows(folder: Path, config) -> dict[str, int]:
    """Two rows reportgen cannot rate, each carrying money, and a file it does not read,
    in a copy of the samples: Objective 1's tracker gains a row for an objective that is
    not configured (O4-01, objective 4, £240,000), O3-07 in Objective 2's tracker gets a
    Last updated date no calendar has ("31/13/2018"; its budget is £210,000), and
    notes.txt sits beside the trackers. Returns the budget of each row left out."""
    template = next(a for a in september(SAMPLES / OBJ1, config) if a.budget)
    wb = openpyxl.load_workbook(folder / OBJ1)
    ws = wb[template.source.sheet]
    new = ws.max_row + 1
    for cell in ws[template.source.row]:
        ws.cell(new, cell.column).value = cell.value
    cells = template.source.cells
    for name, value in (("action_id", UNKNOWN_OBJECTIVE_ID), ("objective", 4),
                        ("action", "We will open a new day service in Hawick."),
                        ("budget", LEFT_OUT_BUDGET[UNKNOWN_OBJECTIVE_ID])):
        column = ws[cells[name]].column
        ws.cell(new, column).value = value
    _save(wb, folder / OBJ1)
    dated = next(a for a in september(SAMPLES / OBJ2, config) if a.action_id == BAD_DATE_ID)
    assert dated.budget == LEFT_OUT_BUDGET[BAD_DATE_ID]
    wb = openpyxl.load_workbook(folder / OBJ2)
    wb[dated.source.sheet][dated.source.cell("last_updated")].value = "31/13/2018"
    _save(wb, folder / OBJ2)
    (folder / NOT_A_TRACKER).write_text("Notes of the planning meeting.\n", encoding="utf-8")
    return dict(LEFT_OUT_BUDGET)
