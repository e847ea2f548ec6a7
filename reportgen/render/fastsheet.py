"""An XlsxWriter worksheet for the big tables: cells rendered to XML when they are written.

XlsxWriter keeps every cell as a small object until ``close()`` and then writes each one
through a general, attribute-escaping XML writer; at the consolidated workbook's size
(12,000 actions, about 535,000 cells) that is most of the time spent writing it.
:class:`FastSheet` is a ``worksheet_class`` (XlsxWriter's own extension point,
``Workbook.add_worksheet(name, worksheet_class=...)``) whose ``write_string``,
``write_number`` and ``write_url`` (for links to files) render the cell's ``<c>`` element
at once, with the shared-string index
and format index XlsxWriter itself would give it, and whose ``_write_rows`` writes those
elements merged, by column, with any cells XlsxWriter stored the usual way (table headers,
hyperlinks, formulas, blanks). Everything else (tables, conditional formats, widths,
hyperlink relationships, printing) is XlsxWriter's, unchanged.

The elements are the ones XlsxWriter writes, less the optional ``spans`` row attribute:
``<c r="B2" s="3" t="s"><v>17</v></c>`` for text (through the workbook's shared-string
table, so XlsxWriter's escaping of control characters applies) and
``<c r="C2" s="4"><v>12.5</v></c>`` for numbers (``%.16G`` as XlsxWriter formats them).
Cases with their own rules take XlsxWriter's path: a cell without a format (the row's or
column's format may apply at ``close()``), text over 16,383 characters (Excel's limit is
checked in UTF-16 units) and NaN or infinite numbers. The last write to a cell wins, as
in XlsxWriter. Cells are not kept as objects, so ``FastSheet`` must not hold cells that a
chart reads (chart caches look cells up by type); it is used only for data tables.

Rows may be written in any order: a row's cells are joined into one string when the next
row is started, and taken apart again should the row be written to later.
"""

from __future__ import annotations

import re
from math import isinf, isnan

from xlsxwriter.exceptions import OverlappingRange
from xlsxwriter.url import Url
from xlsxwriter.utility import _utf16_len, xl_cell_to_rowcol, xl_col_to_name, xl_range
from xlsxwriter.worksheet import CellNumberTuple, CellStringTuple, Worksheet

_COLUMN_NAMES: list[str] = []
_CELL = re.compile(r'<c r="([A-Z]+)[0-9]+"[^>]*>.*?</c>', re.S)


def _column_name(col: int) -> str:
    while len(_COLUMN_NAMES) <= col:
        _COLUMN_NAMES.append(xl_col_to_name(len(_COLUMN_NAMES)))
    return _COLUMN_NAMES[col]


_column_name(63)  # the first 64 names ready for the row writer


def _joined(cells: dict[int, str]) -> str:
    """A row's rendered cells in column order, as one string."""
    return "".join([cells[c] for c in sorted(cells)])


def _column_number(name: str) -> int:
    n = 0
    for ch in name:
        n = n * 26 + ord(ch) - 64
    return n - 1


class FastSheet(Worksheet):
    """A worksheet whose string and number cells are kept as rendered XML."""

    def __init__(self) -> None:
        super().__init__()
        # Row -> column -> rendered <c> element; a finished row is joined into one string.
        self._cells: dict[int, dict[int, str] | str] = {}
        self._open_row: int | None = None
        self._table_boxes: dict[tuple[int, int, int, int], str] = {}
        self._link_bases: dict[str, Url] = {}
        self._link_cells: list[tuple[int, int]] = []
        self._numbers_on_links: set[tuple[int, int]] = set()

    # ------------------------------------------------------------------ writing cells

    def _place(self, row: int, col: int, xml: str) -> int:
        if row < 0 or col < 0 or row >= self.xls_rowmax or col >= self.xls_colmax:
            return -1
        self._bounds(row, col, col)
        if row != self._open_row:
            self._seal()
            self._open_row = row
        cells = self._cells.get(row)
        if cells is None:
            self._cells[row] = {col: xml}
        elif cells.__class__ is str:  # a row written again after another: open it again
            cells = self._cells[row] = self._unseal(cells)
            cells[col] = xml
        else:
            cells[col] = xml
        return 0

    def _bounds(self, row: int, low: int, high: int) -> None:
        """As XlsxWriter's _check_dimensions: rows and columns are tracked apart
        (set_column moves the column bounds alone)."""
        if self.dim_rowmin is None:
            self.dim_rowmin = self.dim_rowmax = row
        elif row < self.dim_rowmin:
            self.dim_rowmin = row
        elif row > self.dim_rowmax:
            self.dim_rowmax = row
        if self.dim_colmin is None:
            self.dim_colmin, self.dim_colmax = low, high
        else:
            if low < self.dim_colmin:
                self.dim_colmin = low
            if high > self.dim_colmax:
                self.dim_colmax = high

    def _seal(self) -> None:
        """Join the open row's cells into one string: a row is usually written whole
        before the next, and one string costs a third of a dictionary of strings."""
        row = self._open_row
        cells = self._cells.get(row)
        if cells and cells.__class__ is dict:
            self._cells[row] = _joined(cells)
        self._open_row = None

    @staticmethod
    def _unseal(joined: str) -> dict[int, str]:
        return {_column_number(m.group(1)): m.group(0) for m in _CELL.finditer(joined)}

    def _row_cells(self, row: int) -> dict[int, str] | None:
        cells = self._cells.get(row)
        if cells.__class__ is str:
            cells = self._cells[row] = self._unseal(cells)
        return cells

    def _slow(self, method, args, kwargs=None):
        """XlsxWriter's own write; a cell rendered here before at that place is dropped."""
        if len(args) >= 2 and args[0].__class__ is int and args[1].__class__ is int:
            row, col = args[0], args[1]
        elif args and isinstance(args[0], str):
            try:
                row, col = xl_cell_to_rowcol(args[0])
            except (AttributeError, ValueError):
                return method(*args, **(kwargs or {}))
        else:
            return method(*args, **(kwargs or {}))
        cells = self._row_cells(row)
        if cells:
            cells.pop(col, None)
        return method(*args, **(kwargs or {}))

    def write_string(self, *args, **kwargs):  # type: ignore[override]
        if kwargs or len(args) != 4 or args[0].__class__ is not int \
                or args[1].__class__ is not int:
            return self._slow(super().write_string, args, kwargs)  # A1 notation or no format
        row, col, string, cell_format = args
        if cell_format is None or string.__class__ is not str \
                or len(string) > self.xls_strmax // 2:
            # No format (the row's or column's applies), a str subclass, or long text.
            return self._slow(super().write_string, args)
        stored = self.table.get(row)
        if stored and col in stored:  # replacing XlsxWriter's cell (a link's, say)
            return self._slow(super().write_string, args)
        if row < 0 or col < 0 or row >= self.xls_rowmax or col >= self.xls_colmax:
            return -1  # before the shared-string table sees the text, as in XlsxWriter
        return self._put_text(row, col, string, cell_format)

    def _put_text(self, row: int, col: int, string: str, cell_format) -> int:
        """A text cell at a checked place: its shared string and its rendered element."""
        if self._numbers_on_links:
            self._numbers_on_links.discard((row, col))
        index = self.str_table._get_shared_string_index(string)
        return self._place(row, col, f'<c r="{_column_name(col)}{row + 1}" '
                                     f's="{cell_format._get_xf_index()}" t="s">'
                                     f'<v>{index}</v></c>')

    def write_number(self, *args, **kwargs):  # type: ignore[override]
        if kwargs or len(args) != 4 or args[0].__class__ is not int \
                or args[1].__class__ is not int:
            return self._slow(super().write_number, args, kwargs)
        row, col, number, cell_format = args
        if cell_format is None or number.__class__ not in (int, float) \
                or isnan(number) or isinf(number):
            return self._slow(super().write_number, args)
        stored = self.table.get(row)
        if stored and col in stored:
            return self._slow(super().write_number, args)
        if self.hlink_count and col in self.hyperlinks.get(row, ()):
            self._numbers_on_links.add((row, col))  # the link then shows the number
        return self._place(row, col, f'<c r="{_column_name(col)}{row + 1}" '
                                     f's="{cell_format._get_xf_index()}">'
                                     f'<v>{number:.16G}</v></c>')

    def write_url(self, *args, **kwargs):  # type: ignore[override]
        """XlsxWriter's ``write_url``; a link to a file (``external:``), with a format and
        the text to show, is set up from the file's parsed link (parsed once per file)
        and its cell rendered like ``write_string``'s. The tracker feedback makes 44,060
        such links at 12,000 actions, each parsed in full by XlsxWriter."""
        if kwargs or not 5 <= len(args) <= 6 or args[0].__class__ is not int \
                or args[1].__class__ is not int:
            return self._slow(super().write_url, args, kwargs)
        row, col, url, cell_format, string = args[:5]
        tip = args[5] if len(args) == 6 else None
        if (cell_format is None or url.__class__ is not str or string.__class__ is not str
                or not url.startswith("external:") or len(string) > self.xls_strmax // 2
                or self.ignore_write_string or self.hlink_count >= 65530
                or (tip is not None and tip.__class__ is not str)):
            return self._slow(super().write_url, args)
        stored = self.table.get(row)
        if stored and col in stored:
            return self._slow(super().write_url, args)
        if row < 0 or col < 0 or row >= self.xls_rowmax or col >= self.xls_colmax:
            return -1
        target, _, anchor = url.partition("#")
        limit = self.max_url_length
        if (len(target) > limit // 2 and _utf16_len(target) > limit) \
                or (len(anchor) > limit // 2 and _utf16_len(anchor) > limit):
            return self._slow(super().write_url, args)  # XlsxWriter warns and refuses it
        base = self._link_bases.get(target)
        if base is None:
            base = self._link_bases[target] = Url(target)
        link = object.__new__(Url)  # a shallow copy, without copy.copy's generality
        link.__dict__.update(base.__dict__)
        link._original_url = url
        # As Url._parse_url does for a file link: "/" becomes "\\" before the split at "#".
        link._anchor = anchor.replace("/", "\\")
        link._text = string
        if tip is not None:
            link.tip = tip  # checks Excel's 255-character limit, as XlsxWriter does
        self.hlink_count += 1
        self.hyperlinks[row][col] = link
        self._link_cells.append((row, col))
        return self._put_text(row, col, string, cell_format)

    def write_cells(self, row: int, cells) -> None:
        """Write one row's cells, ``(col, value, format)`` each: text as ``write_string``
        writes it, an int or float as ``write_number``, None left empty. One call a row
        instead of one a cell; anything the fast path does not take goes through those
        methods, so the result is theirs."""
        if row.__class__ is not int or not 0 <= row < self.xls_rowmax:
            for col, value, fmt in cells:
                _write_one(self, row, col, value, fmt)
            return
        if row != self._open_row:
            self._seal()
            self._open_row = row
        placed = self._cells.get(row)
        if placed.__class__ is str:
            placed = self._unseal(placed)
        elif placed is None:
            placed = {}
        self._cells[row] = placed  # the fallbacks below write into this same dictionary
        stored = self.table.get(row)
        links = self.hlink_count and self.hyperlinks.get(row)
        sst = self.str_table._get_shared_string_index
        half, colmax = self.xls_strmax // 2, self.xls_colmax
        r = row + 1
        names = _COLUMN_NAMES
        known = len(names)
        low = high = None
        for col, value, fmt in cells:
            if value is None:
                continue
            cls = value.__class__
            if (fmt is None or col.__class__ is not int or not 0 <= col < colmax
                    or (stored and col in stored) or (links and col in links)):
                _write_one(self, row, col, value, fmt)
                stored = self.table.get(row)  # XlsxWriter may hold a cell of this row now
                continue
            if cls is str and len(value) <= half:
                placed[col] = (f'<c r="{names[col] if col < known else _column_name(col)}{r}" '
                               f's="{fmt._get_xf_index()}" t="s"><v>{sst(value)}</v></c>')
            elif (cls is float or cls is int) and not isnan(value) and not isinf(value):
                placed[col] = (f'<c r="{names[col] if col < known else _column_name(col)}{r}" '
                               f's="{fmt._get_xf_index()}"><v>{value:.16G}</v></c>')
            else:
                _write_one(self, row, col, value, fmt)
                stored = self.table.get(row)
                continue
            if low is None:
                low = high = col
            elif col < low:
                low = col
            elif col > high:
                high = col
        if not placed:
            del self._cells[row]
        elif low is not None:
            self._bounds(row, low, high)

    # XlsxWriter's other writers (write_formula, write_blank, write_datetime, table
    # headers...) and the slow paths above store cells in self.table; such a cell replaces
    # a rendered one at the same place when the rows are merged in _write_rows.

    # ------------------------------------------------------------------ tables

    def add_table(self, first_row, first_col, last_row, last_col, options=None):  # type: ignore[override]
        """XlsxWriter's ``add_table``, without its cell-by-cell overlap bookkeeping.

        XlsxWriter records every cell of a table's range in a dictionary to refuse
        overlapping tables and merges (535,000 entries and a third of a second for the
        workbook's tables). For a plain table (no ``data``, no column formulas, no total
        row) this checks the overlap by rectangle instead and lets XlsxWriter set up the
        table on its header and first data row, then widens the table's ranges to the
        rows asked for. Anything else takes XlsxWriter's own path.
        """
        options = dict(options or {})
        plain = (all(v.__class__ is int for v in (first_row, first_col, last_row, last_col))
                 and 0 <= first_row < last_row - 1 < self.xls_rowmax - 1
                 and 0 <= first_col <= last_col < self.xls_colmax
                 and "data" not in options and not options.get("total_row")
                 and options.get("header_row", True)
                 and not any(c and c.get("formula") for c in options.get("columns", ())))
        if not plain:
            return super().add_table(first_row, first_col, last_row, last_col, options)
        cell_range = xl_range(first_row, first_col, last_row, last_col)
        for (r0, c0, r1, c1), previous in self._table_boxes.items():
            if r0 <= last_row and first_row <= r1 and c0 <= last_col and first_col <= c1:
                raise OverlappingRange(f"Table range '{cell_range}' overlaps previous "
                                       f"table range '{previous}'.")
        for (row, col), previous in self.merged_cells.items():
            if first_row <= row <= last_row and first_col <= col <= last_col:
                raise OverlappingRange(f"Table range '{cell_range}' overlaps previous "
                                       f"merge range '{previous}'.")
        done = super().add_table(first_row, first_col, first_row + 1, last_col, options)
        if done == 0:
            table = self.tables[-1]
            table["range"] = table["a_range"] = cell_range
            if "autofilter" in table:
                table["autofilter"] = cell_range
            self._table_boxes[(first_row, first_col, last_row, last_col)] = cell_range
        return done

    # ------------------------------------------------------------------ closing

    def _write_rows(self) -> None:
        self._seal()
        fast = self._cells
        table = self.table
        row_info = self.row_info
        comments = self.comments
        rows = set(fast)
        rows.update(r for r, cells in table.items() if cells)
        rows.update(row_info)
        rows.update(comments)
        low, high = self.dim_rowmin, self.dim_rowmax
        write = self.fh.write
        for row in sorted(rows):
            if row < low or row > high:
                continue
            mine = fast.get(row)
            theirs = table.get(row)
            info = row_info.get(row)
            if not mine and not theirs:
                self._write_empty_row(row, None, info)
                continue
            self._write_row(row, None, info)
            if not theirs:
                write(mine if mine.__class__ is str else _joined(mine))
            else:
                mine = self._row_cells(row) or {}
                for col in sorted(mine.keys() | theirs.keys()):
                    cell = theirs.get(col)
                    if cell is not None:
                        self._write_cell(row, col, cell)
                    else:
                        write(mine[col])
            write("</row>")
        # XlsxWriter's hyperlink writer, which runs next, looks up each linked cell in
        # self.table (a link over anything but text also shows its text): give each
        # rendered linked cell the entry XlsxWriter's own cell would have had there.
        numbers = self._numbers_on_links
        for row, col in self._link_cells:
            mine = fast.get(row)
            if mine.__class__ is str:
                here = f'<c r="{_column_name(col)}{row + 1}"' in mine
            else:
                here = bool(mine) and col in mine
            if here and col not in table.get(row, ()):
                table[row][col] = (CellNumberTuple(0, None) if (row, col) in numbers
                                   else CellStringTuple(0, None))


def _relies_on_present() -> bool:
    """Whether this XlsxWriter has the internals FastSheet uses (3.x has had them)."""
    from xlsxwriter.format import Format
    from xlsxwriter.sharedstrings import SharedStringTable
    return (all(callable(getattr(Worksheet, name, None)) for name in
                ("_write_rows", "_write_row", "_write_empty_row", "_write_cell",
                 "_write_hyperlinks"))
            and callable(getattr(SharedStringTable, "_get_shared_string_index", None))
            and callable(getattr(Format, "_get_xf_index", None))
            and callable(getattr(Url, "_parse_url", None)))


def write_cells(ws: Worksheet, row: int, cells) -> None:
    """``ws.write_cells`` on a FastSheet; the same cell by cell on XlsxWriter's own."""
    if isinstance(ws, FastSheet):
        ws.write_cells(row, cells)
        return
    for col, value, fmt in cells:
        _write_one(ws, row, col, value, fmt)


def _write_one(ws: Worksheet, row, col, value, fmt) -> None:
    """One ``(col, value, format)`` cell of :meth:`FastSheet.write_cells`, the slow way."""
    if value is None:
        return
    if isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    else:
        ws.write_number(row, col, value, fmt)


#: The worksheet class for data tables: FastSheet, or XlsxWriter's own should a future
#: XlsxWriter lack what FastSheet builds on (the output is the same, only slower).
DataSheet = FastSheet if _relies_on_present() else Worksheet
