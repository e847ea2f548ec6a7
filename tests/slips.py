"""The everyday slips officers make between two months, applied to a copy of the samples.

``month_two(folder)`` takes a folder holding a copy of ``workbooks/`` (month one, clean) and
makes in it, as officers would before the next month's run:

* Objective 1's tracker: the "Lead Officer" header reworded in place to
  "Lead officer (name)";
* Objective 2's tracker: saved under a new name ("... - Copy.xlsx") and the new copy
  edited afterwards (O2-01 moves from 70 % to 80 % with a new commentary), the old file
  left beside it;
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
from pathlib import Path

import openpyxl

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
    for row in ws.iter_rows(min_row=hr + 1):
        if row[0].value == slips.copy_edited_id:
            ws.cell(row[0].row, pc).value = slips.copy_percent
            ws.cell(row[0].row, cm).value = "Edited in the new copy after Save As."
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
