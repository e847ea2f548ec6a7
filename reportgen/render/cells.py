"""What every renderer shares: the RAG palette, and the cell rules of the Excel renderers.

The consolidated workbook and the feedback workbooks both write tracker text, links to a
tracker cell and dates; the rules for those live here once, so that the two cannot drift
apart on what is safe to write:

- text is cleaned by :func:`reportgen.text.clean_text` (the one text cleaner) and cut to
  Excel's 32,767 UTF-16 units with a visible :data:`TRUNCATED` marker
  (:func:`fit_text`); :class:`TextGuard` turns each cut into one ``text-truncated`` Issue;
- :func:`tracker_link` is the one builder of a link that opens a tracker at a cell;
- :class:`Formats`, :func:`serial`, :class:`Widths` and :func:`text_lines` give the
  shared formats, Excel dates, column widths and wrapped-row heights.

This module imports no stage and no renderer, only the data modules.
"""

from __future__ import annotations

import functools
import math
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

from reportgen.issues import Issue, make_issue
from reportgen.model import Rag
from reportgen.text import clean_text

# Fill and text colour of each rating (hex RGB, no '#'), for Word cells, Excel cells and
# charts alike.
RAG_COLOURS: dict[Rag, tuple[str, str]] = {
    Rag.RED: ("C00000", "FFFFFF"),
    Rag.AMBER: ("FFC000", "000000"),
    Rag.GREEN: ("00B050", "000000"),
    Rag.BLUE: ("0070C0", "FFFFFF"),
    Rag.GREY: ("D9D9D9", "000000"),  # apart from Amber and Cancelled in greyscale print
    Rag.CANCELLED: ("F2F2F2", "595959"),
}
RAG_ORDER = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE, Rag.GREY, Rag.CANCELLED)

# --------------------------------------------------------------------------- workbooks

# Text stays text: write() would turn "=…" into a formula, a URL-like string into a link
# (or drop it past Excel's limits) and "12" into a number. XlsxWriter's default of
# assembling each part in a temporary file (not in_memory) keeps the peak lower.
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False}
EXCEL_MAX_CHARS = 32_767  # UTF-16 code units, Excel's limit for one cell
TRUNCATED = "… [truncated]"
MAX_URL_CHARS = 2_079  # Excel ignores longer hyperlink targets
MAX_LINKS_PER_SHEET = 65_000  # Excel's hard limit is 65,530


def colour(hex_rgb: str) -> str:
    """``"C00000"`` → ``"#C00000"``, as XlsxWriter takes colours."""
    return "#" + hex_rgb


# --------------------------------------------------------------------------- text


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def fit_text(text: object, limit: int = EXCEL_MAX_CHARS) -> tuple[str, int | None]:
    """``(cell text, original length or None)``: the text cleaned by
    :func:`reportgen.text.clean_text`, and cut to ``limit`` (Excel's, or what is left
    of it beside other text in the cell) with :data:`TRUNCATED` at the end when it is
    longer. The second item is the original length in UTF-16 units when the text was
    cut, else None. Reports nothing: :class:`TextGuard` does."""
    s = clean_text(text)[0]
    if len(s) <= limit // 2:  # cannot exceed the limit even if all astral
        return s, None
    units = _utf16_len(s)
    if units <= limit:
        return s, None
    keep = (limit - _utf16_len(TRUNCATED)) * 2
    # errors="ignore" drops half a surrogate pair left at the cut
    head = s.encode("utf-16-le")[:keep].decode("utf-16-le", errors="ignore")
    return head + TRUNCATED, units


def cell_text(text: object) -> str:
    """:func:`fit_text` without the original length (for text whose cut is reported
    elsewhere, or cannot be long)."""
    return fit_text(text)[0]


@dataclass
class TextGuard:
    """Fits text to cells and turns each cut into one ``text-truncated`` Issue naming the
    tracker cell the text came from (once per cell, however often it is written)."""

    issues: list[Issue] = field(default_factory=list)
    _seen: set = field(default_factory=set)

    def __call__(self, text: object, *, file: str, sheet: str | None = None,
                 cell: str | None = None, field_name: str | None = None,
                 label: str | None = None, limit: int = EXCEL_MAX_CHARS) -> str:
        s, original = fit_text(text, limit)
        if original is not None:
            key = (file, sheet, cell, field_name)
            if key not in self._seen:
                self._seen.add(key)
                params = {"label": label} if label else {}
                self.issues.append(make_issue(
                    "text-truncated", file=file, sheet=sheet, cell=cell, field=field_name,
                    value=original, limit=limit, **params))
        return s


def text_lines(text: str, width: float) -> int:
    """Roughly how many lines ``text`` takes wrapped in a column ``width`` characters wide:
    XlsxWriter cannot fit row heights and LibreOffice does not fit them on opening, so
    rows with wrapped text are given a height from this (15 points a line)."""
    per_line = max(1, int(width * 1.1))
    if "\n" not in text:
        return max(1, -(-len(text) // per_line))
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


class Widths:
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


# --------------------------------------------------------------------------- numbers, dates

MONEY = "£#,##0.00"
DATE = "dd/mm/yyyy"
DATETIME = "dd/mm/yyyy hh:mm"
_EPOCH = datetime(1899, 12, 30)


def serial(day: date | datetime) -> float:
    """Excel's serial date number (1900 system) for a date or a naive or aware datetime
    (the wall-clock time is kept, the zone dropped)."""
    if isinstance(day, datetime):
        delta = day.replace(tzinfo=None) - _EPOCH
        return delta.days + delta.seconds / 86400
    return float(day.toordinal() - _EPOCH.toordinal())


def number(value: object) -> float | None:
    """A number Excel can hold, or None (for None, booleans, NaN and infinities)."""
    if value is None or isinstance(value, bool):
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


# --------------------------------------------------------------------------- formats


class Formats:
    """The formats both Excel renderers use, added to one workbook."""

    def __init__(self, wb) -> None:
        add = wb.add_format
        self.title = add({"bold": True, "font_size": 14})
        self.label = add({"bold": True})
        self.header = add({"bold": True, "bg_color": "#D9E1F2", "border": 1,
                           "text_wrap": True, "valign": "top"})
        self.text = add({"valign": "top"})
        self.wrap = add({"text_wrap": True, "valign": "top"})
        self.date = add({"num_format": DATE, "align": "left", "valign": "top"})
        self.link = add({"font_color": "#0563C1", "underline": 1, "valign": "top"})


# --------------------------------------------------------------------------- links

_A1 = re.compile(r"\$?[A-Z]{1,3}\$?[1-9]\d{0,6}(:\$?[A-Z]{1,3}\$?[1-9]\d{0,6})?")
# reportgen.outputs.Staging writes into output/<period>/.staging-<pid>/ and moves the
# files up one level when the run commits; tests/test_workbook.py checks the two agree.
_STAGING_PART = re.compile(r"\.staging-\d+")


def final_folder(folder: Path) -> Path:
    """The folder a file written in ``folder`` will live in once placed: the
    ``.staging-<pid>`` part of the path dropped (other paths come back unchanged)."""
    return Path(*[p for p in Path(folder).parts if not _STAGING_PART.fullmatch(p)])


def _quote_sheet(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def tracker_link(file: str, sheet: str | None, cell: str | None, workbooks: Path,
                 output_folder: Path) -> str | None:
    """An XlsxWriter ``external:`` URL that opens ``workbooks/file`` at ``sheet!cell``
    (``A1`` when there is no cell, the file alone when there is no sheet), relative to the
    folder the output will be placed in (:func:`final_folder`), so the link survives
    moving the whole output and workbooks tree together. None when the link would be too
    long for Excel."""
    url = _file_url(file, str(workbooks), str(output_folder))
    if sheet:
        ref = cell if cell and _A1.fullmatch(cell) else "A1"
        url += "#" + _quote_sheet(sheet) + "!" + ref
    return url if len(url) <= MAX_URL_CHARS else None


@functools.lru_cache(maxsize=4096)
def _file_url(file: str, workbooks: str, output_folder: str) -> str:
    # Cached: a workbook links thousands of cells to a few trackers, and the path
    # arithmetic costs more than writing the cell.
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


def write_link(ws, row: int, col: int, target: str | None, shown: str, fmt, text_fmt,
               count: int) -> int:
    """Write ``shown`` at (row, col) as a link to ``target`` with the tip "Open the tracker
    at this cell", or as plain text when there is no target or the sheet already holds
    ``count`` >= :data:`MAX_LINKS_PER_SHEET` links. Returns the sheet's new link count."""
    if target is not None and count < MAX_LINKS_PER_SHEET and ws.write_url(
            row, col, target, fmt, shown[:255], "Open the tracker at this cell") == 0:
        return count + 1
    ws.write_string(row, col, shown, text_fmt)
    return count


# --------------------------------------------------------------------------- file names

_UNSAFE = re.compile(r"[^\w .,&()+'-]+", re.UNICODE)
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}


def safe_file_stem(text: str, fallback: str = "file") -> str:
    """A file name (without extension) that cannot escape its folder on any system: no
    separators, no '..', no control or reserved characters, at most 100 characters, and
    not a name Windows reserves (``CON``, ``LPT1``…: prefixed with ``fallback``)."""
    name = _UNSAFE.sub("_", text.replace("/", "_").replace("\\", "_")).strip(" ._")
    name = (name or fallback)[:100]
    return f"{fallback} {name}" if name.upper() in _WINDOWS_RESERVED else name
