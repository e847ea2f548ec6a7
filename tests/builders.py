"""Write tracker workbooks for tests, in the layouts (and messes) officers produce.

``write_tracker(path, rows, **layout)`` writes an actions sheet with XlsxWriter (or
openpyxl with ``engine="openpyxl"``); rows are dicts of header → value. ``good_row(i)``
gives a valid row. Hostile and broken files have their own builders below.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

HEADERS = ["ID", "Objective", "Desired Outcome", "Action", "Lead Officer", "Locality",
           "Funding", "Start Date", "End Date", "Target Impact/Benefits", "Status",
           "% Complete", "RAG", "Last Updated", "Progress Update", "Corrective Action",
           "Budget (£)", "Spend to Date", "Forecast Outturn"]


def good_row(i: int = 1, **overrides) -> dict:
    row = {
        "ID": f"T-{i:03d}",
        "Objective": 1 + i % 3,
        "Desired Outcome": "People will be informed and have access to the right support.",
        "Action": f"We will deliver test action {i}.",
        "Lead Officer": "Morag Elliot",
        "Locality": "Eildon",
        "Funding": "(Integrated Care Fund)",
        "Start Date": date(2017, 4, 1),
        "End Date": date(2019, 3, 31),
        "Target Impact/Benefits": "Reduced demand on statutory services.",
        "Status": "In progress",
        "% Complete": 50,
        "RAG": "Green",
        "Last Updated": date(2018, 9, 14),
        "Progress Update": "On track.",
        "Corrective Action": "",
        "Budget (£)": 10000,
        "Spend to Date": 4000,
        "Forecast Outturn": 10000,
    }
    row.update(overrides)
    return row


def write_tracker(path: Path, rows: list[dict], *, headers: list[str] | None = None,
                  sheet: str = "Actions", title_rows: int = 2, first_col: int = 0,
                  merge: tuple[str, ...] = (), percent_format: bool = False,
                  hidden_rows: tuple[int, ...] = (), hidden_cols: tuple[str, ...] = (),
                  autofilter: bool = False, engine: str = "xlsxwriter",
                  extra_sheets: dict[str, list[list]] | None = None,
                  rename: dict[str, str] | None = None) -> Path:
    """Write a tracker. ``merge`` names columns whose equal consecutive values become one
    merged cell (value only at the top). ``rename`` maps a canonical header to the text
    written. ``hidden_rows`` are indexes into ``rows``. Returns ``path``."""
    headers = list(headers or HEADERS)
    shown = [(rename or {}).get(h, h) for h in headers]
    header_row = title_rows + (1 if title_rows else 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    if engine == "openpyxl":
        return _write_openpyxl(path, rows, headers, shown, sheet, title_rows, header_row,
                               first_col, merge, percent_format, hidden_rows, extra_sheets)
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                         "strings_to_urls": False,
                                         "strings_to_numbers": False})
    wb.set_properties({"created": datetime(2018, 1, 1)})
    ws = wb.add_worksheet(sheet)
    dfmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    pfmt = wb.add_format({"num_format": "0%"})
    for t in range(title_rows):
        ws.write_string(t, first_col, f"Scottish Borders H&SCP – Action Tracker (title {t + 1})")
    for c, text in enumerate(shown):
        ws.write_string(header_row, first_col + c, text)
    for r, row in enumerate(rows):
        rr = header_row + 1 + r
        for c, h in enumerate(headers):
            value = row.get(h)
            col = first_col + c
            if h in merge and r > 0 and rows[r - 1].get(h) == value:
                continue
            if value is None or value == "":
                continue
            if h in merge:
                span = 1
                while r + span < len(rows) and rows[r + span].get(h) == value:
                    span += 1
                if span > 1:
                    ws.merge_range(rr, col, rr + span - 1, col, None)
            if isinstance(value, (date, datetime)):
                ws.write_datetime(rr, col, datetime(value.year, value.month, value.day), dfmt)
            elif isinstance(value, (int, float)) and h == "% Complete" and percent_format:
                ws.write_number(rr, col, value / 100, pfmt)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                ws.write_number(rr, col, value)
            elif isinstance(value, str) and value.startswith("="):
                ws.write_formula(rr, col, value)
            else:
                ws.write_string(rr, col, str(value))
        if r in hidden_rows:
            ws.set_row(rr, None, None, {"hidden": True})
    for letters in hidden_cols:
        ws.set_column(f"{letters}:{letters}", None, None, {"hidden": True})
    if autofilter:
        ws.autofilter(header_row, first_col, header_row + len(rows), first_col + len(headers) - 1)
    for name, grid in (extra_sheets or {}).items():
        other = wb.add_worksheet(name)
        for r, values in enumerate(grid):
            for c, v in enumerate(values):
                if isinstance(v, (date, datetime)):
                    other.write_datetime(r, c, datetime(v.year, v.month, v.day), dfmt)
                elif v is not None:
                    other.write(r, c, v)
    wb.close()
    return path


def _write_openpyxl(path, rows, headers, shown, sheet, title_rows, header_row, first_col,
                    merge, percent_format, hidden_rows, extra_sheets):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for t in range(title_rows):
        ws.cell(t + 1, first_col + 1, f"Action tracker title {t + 1}")
    for c, text in enumerate(shown):
        ws.cell(header_row + 1, first_col + c + 1, text)
    for r, row in enumerate(rows):
        rr = header_row + 2 + r
        for c, h in enumerate(headers):
            value = row.get(h)
            if value is None or value == "":
                continue
            if h in merge and r > 0 and rows[r - 1].get(h) == value:
                continue
            cell = ws.cell(rr, first_col + c + 1, value)
            if isinstance(value, (date, datetime)):
                cell.number_format = "DD/MM/YYYY"
            if h == "% Complete" and percent_format and isinstance(value, (int, float)):
                cell.value = value / 100
                cell.number_format = "0%"
            if h in merge:
                span = 1
                while r + span < len(rows) and rows[r + span].get(h) == value:
                    span += 1
                if span > 1:
                    ws.merge_cells(start_row=rr, start_column=first_col + c + 1,
                                   end_row=rr + span - 1, end_column=first_col + c + 1)
        if r in hidden_rows:
            ws.row_dimensions[rr].hidden = True
    for name, grid in (extra_sheets or {}).items():
        other = wb.create_sheet(name)
        for values in grid:
            other.append(values)
    wb.save(path)
    return path


def kpi_grid(months: int = 18, start=(2017, 4)) -> list[list]:
    """A wide KPI sheet: two title rows, a header, two indicators."""
    y, m = start
    heads = []
    for _ in range(months):
        heads.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    header = ["KPI ID", "Indicator", "Health & Wellbeing Outcomes", "Unit", "Polarity",
              "Target", "Tolerance", "Compare With", *heads]
    a = ["KPI-01", "% discharged within 72 hours", "2, 3, 9", "%", "Higher is better", 72, 5,
         "Previous month", *[60 + (i % 6) for i in range(months)]]
    b = ["KPI-02", "Emergency admissions per 1,000", "1, 2, 4", "rate per 1,000",
         "Lower is better", 10, 0.5, "Same month last year",
         *[9.5 + (i % 4) / 4 for i in range(months)]]
    return [["Key performance indicators"], [], header, a, b]


def document_xml(path: Path) -> bytes:
    """A Word file's document.xml (its zip's entry times differ from run to run)."""
    with zipfile.ZipFile(path) as z:
        return z.read("word/document.xml")


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(src: Path, fmt: str, outdir: Path) -> Path:
    """Convert with LibreOffice headless ('xls', 'ods', 'pdf', …)."""
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run([soffice(), "--headless", "--convert-to", fmt, "--outdir", str(outdir),
                    str(src)], check=True, capture_output=True, timeout=180)
    return outdir / (src.stem + "." + fmt.split(":")[0])


# --------------------------------------------------------------------------- hostile files


def rewrite_zip(src: Path, dest: Path, replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> Path:
    """Copy a zip, replacing some members' bytes (and adding others)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = replace.get(info.filename, zin.read(info.filename))
            zout.writestr(info.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dest


def billion_laughs(src: Path, dest: Path) -> Path:
    with zipfile.ZipFile(src) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                      for i in range(1, 10)) + "]>")
    sheet = bomb + sheet.split("?>", 1)[1].replace("<v>", "<v>&lol9;", 1)
    return rewrite_zip(src, dest, {"xl/worksheets/sheet1.xml": sheet.encode()})


def xxe(src: Path, dest: Path) -> Path:
    with zipfile.ZipFile(src) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    head = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    sheet = head + sheet.split("?>", 1)[1]
    return rewrite_zip(src, dest, {"xl/worksheets/sheet1.xml": sheet.encode()})


def zip_bomb(dest: Path, gigabytes: float = 1.0) -> Path:
    """A zip whose sheet expands to ``gigabytes`` of zeros (a few MB on disk), written
    in chunks so building it does not need the memory either."""
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        chunk = b"0" * (16 * 1024 * 1024)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            for _ in range(int(gigabytes * 1024 / 16)):
                fh.write(chunk)
    return dest


def huge_dimension(src: Path, dest: Path) -> Path:
    """A small file with one cell at XFD1048576: it claims 17 billion cells."""
    with zipfile.ZipFile(src) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    sheet = sheet.replace("</sheetData>",
                          '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
    return rewrite_zip(src, dest, {"xl/worksheets/sheet1.xml": sheet.encode()})


def encrypt(src: Path, dest: Path, password: str = "secret") -> Path:
    import msoffcrypto
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(src, "rb") as fin, open(dest, "wb") as fout:
        OOXMLFile(fin).encrypt(password, fout)
    return dest


def truncated(src: Path, dest: Path) -> Path:
    data = src.read_bytes()
    dest.write_bytes(data[: len(data) // 2])
    return dest


def png_bytes() -> bytes:
    buf = io.BytesIO()
    buf.write(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    return buf.getvalue()


# --------------------------------------------------------------------------- crash readers
# Module-level so that the reader's child process can unpickle them.


def crash_on_legacy(data, kind, meta, limits):
    """reader.read_values, except that a legacy file (read in a child process) aborts its
    process the way calamine does when an allocation fails."""
    import os

    from reportgen.ingest import reader

    if kind in ("xls", "xlsb"):
        os.abort()
    return reader.read_values(data, kind, meta, limits)


def stall_on_legacy(data, kind, meta, limits):
    import time

    from reportgen.ingest import reader

    if kind in ("xls", "xlsb"):
        time.sleep(60)
    return reader.read_values(data, kind, meta, limits)


def empty_workbook(src: Path, dest: Path) -> Path:
    """A structurally valid xlsx whose workbook lists no sheets."""
    with zipfile.ZipFile(src) as z:
        wb = z.read("xl/workbook.xml").decode()
    import re
    wb = re.sub(r"<sheets>.*</sheets>", "<sheets/>", wb, flags=re.S)
    return rewrite_zip(src, dest, {"xl/workbook.xml": wb.encode()})


def write_grid(path: Path, grid: list[list], sheet: str = "KPIs") -> Path:
    """A workbook with one sheet holding ``grid`` (rows of values) from A1."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet)
    dates = wb.add_format({"num_format": "mmm yyyy"})
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if isinstance(value, date):
                ws.write_datetime(r, c, datetime(value.year, value.month, value.day), dates)
            elif value is not None:
                ws.write(r, c, value)
    wb.close()
    return path


def set_modified(path: Path, when: datetime) -> Path:
    """Give ``path`` the modification time ``when`` (as a Save As some time later would)."""
    import os

    stamp = when.timestamp()
    os.utime(path, (stamp, stamp))
    return path
