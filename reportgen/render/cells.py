"""The cell rules of the Excel renderers (the consolidated workbook and the feedback
workbooks), so that the two cannot drift apart on what is safe to write:

- text is cleaned and cut to Excel's 32,767 UTF-16 units with a visible marker by
  :func:`cell_text` (the view has already turned each cut into a ``text-truncated``
  Issue: reportgen.view.quality);
- :func:`write_link` writes a link that opens a tracker at a cell (the link itself is the
  view's: reportgen.view.links);
- :class:`Formats`, :func:`serial`, :class:`Widths` and :func:`text_lines` give the
  shared formats, Excel dates, column widths and wrapped-row heights.

RAG colours are the Rag type's (``Rag.fill``, ``Rag.ink``). This module imports no
stage and no renderer, only the data modules and the view's rules.
"""

from __future__ import annotations

import math
from datetime import date, datetime

from reportgen.view.quality import EXCEL_MAX_CHARS, fit_text

# --------------------------------------------------------------------------- workbooks

# Text stays text: write() would turn "=…" into a formula, a URL-like string into a link
# (or drop it past Excel's limits) and "12" into a number. XlsxWriter's default of
# assembling each part in a temporary file (not in_memory) keeps the peak lower.
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False}
MAX_LINKS_PER_SHEET = 65_000  # Excel's hard limit is 65,530


def colour(hex_rgb: str) -> str:
    """``"C00000"`` → ``"#C00000"``, as XlsxWriter takes colours."""
    return "#" + hex_rgb


# --------------------------------------------------------------------------- text


def cell_text(text: object, limit: int = EXCEL_MAX_CHARS) -> str:
    """``text`` cleaned and cut to ``limit`` (Excel's, or the field's as the view decides
    it), marked "… [truncated]" when cut."""
    return fit_text(text, limit)[0]


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
