"""WordprocessingML for the generated parts, written as text.

The report's tables, paragraphs and pictures are built here as strings of WordML that
refer to the template's styles by name, never through python-docx's object model:
``table.cell()`` is quadratic, and a 12,000-action appendix is tens of megabytes of XML
that lxml need not parse and serialise again. Tracker text is cleaned by
:func:`reportgen.text.clean` (characters XML cannot hold) and escaped here.

Every table has a fixed layout, a header row that repeats on each page (``w:tblHeader``)
and rows that do not break across pages (``w:cantSplit``), except a row with more text
than a page holds, which Word would otherwise cut off. RAG is a shaded cell and a word,
in the rating's colours (``Rag.fill``, ``Rag.ink``).

This is the only module that writes WordML: the part modules build their parts with
:class:`Builder`'s methods and the run helpers here, never with ``<w:`` text of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from reportgen.config import Config
from reportgen.model import Rag
from reportgen.text import clean
from reportgen.view import PeriodView

STYLES = {
    "heading2": "Heading 2",
    "caption": "Caption",
    "bullet": "List Bullet",
    "table_text": "Table Text",
    "table_heading": "Table Heading",
    "note": "Note",
}
"""Paragraph styles the generated parts use, by their names in Word."""
TABLE_STYLE = "Report Table"

# Rows never break across pages, except one with more text than a page holds, which Word
# would cut off: above LONG_CELL characters in a narrow column, or LONG_ROW across the page.
LONG_CELL = 1500
LONG_ROW = 6000
ROW = "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
END_ROW = "</w:tr>"
END_CELL = "</w:p></w:tc>"
MARKER = "[[reportgen:{}]]"
"""Text of the paragraph docxtpl puts where a generated part goes, until it is spliced."""
DRAWING_ID_START = 90001
PORTRAIT_TWIPS = 9638  # A4 with 2 cm margins, when the template says nothing

NS_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS_PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def esc(text: object) -> str:
    """Cleaned, escaped text for the inside of ``<w:t>``; newlines and tabs become
    ``<w:br/>`` and ``<w:tab/>``."""
    s = clean(text)
    if "&" in s:
        s = s.replace("&", "&amp;")
    if "<" in s:
        s = s.replace("<", "&lt;")
    if ">" in s:
        s = s.replace(">", "&gt;")
    if "\n" in s:
        s = s.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')
    if "\t" in s:
        s = s.replace("\t", '</w:t><w:tab/><w:t xml:space="preserve">')
    return s


_IN_TEXT = re.compile(rb"<w:t(?:\s[^>]*)?>[^<]*\Z")


def ends_inside_text(xml: bytes) -> bool:
    """Whether ``xml`` (a piece of a document) ends inside a ``<w:t>`` text element: a
    marker found there was put where a paragraph cannot go."""
    return bool(_IN_TEXT.search(xml))


def marker_paragraph(name: str) -> str:
    """The paragraph that stands for generated part ``name`` until it is spliced in."""
    return f"<w:p><w:r><w:t>{MARKER.format(name)}</w:t></w:r></w:p>"


def row_start(*texts: str, limit: int = LONG_CELL) -> str:
    """A row start that keeps the row on one page, unless a text in it is too long to."""
    for text in texts:
        if len(text) > limit:
            return "<w:tr>"
    return ROW


def attr(text: object) -> str:
    """Cleaned text escaped for an XML attribute value in double quotes."""
    s = clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return s.replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


BOLD = "<w:rPr><w:b/><w:bCs/></w:rPr>"
ITALIC = "<w:rPr><w:i/><w:iCs/></w:rPr>"


def text_run(text: object, rpr: str = "") -> str:
    """A run of ``text`` (cleaned and escaped) with run properties ``rpr``."""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{esc(text)}</w:t></w:r>'


def line_run(text: object, rpr: str = "") -> str:
    """A run that starts on a new line of the same paragraph."""
    return f'<w:r>{rpr}<w:br/><w:t xml:space="preserve">{esc(text)}</w:t></w:r>'


def runs_of(parts: Iterable[tuple[str, bool]]) -> str:
    """Runs of (text, bold) pieces."""
    return "".join(text_run(t, BOLD if bold else "") for t, bold in parts)


@dataclass
class Layout:
    """What the template offers: style IDs by role, and the text width (twips) at each
    generated part's placeholder."""

    styles: dict[str, str | None]
    table_style: str | None
    widths: dict[str, int]


@dataclass
class Builder:
    """Builds WordML for one report: paragraphs in the template's styles, numbered
    captions, Report Tables and pictures. ``width`` is the text width (twips) of the part
    being built; ``add_image`` adds a PNG to the document and returns its relationship ID.
    Holds the view and the configuration the parts print from."""

    view: PeriodView
    config: Config
    layout: Layout
    add_image: Callable[[bytes], str]
    width: int = PORTRAIT_TWIPS
    tables: int = 0
    figures: int = 0
    drawing_id: int = DRAWING_ID_START
    _rag_cells: dict = field(default_factory=dict)
    # run charts already drawn: KPI ID -> (PNG, width cm, height cm); the body's charts
    # appear again in the appendix, and drawing is the slow part
    charts: dict = field(default_factory=dict)
    # what several parts of one render measure and is worked out once (the page budget)
    _once: dict = field(default_factory=dict)

    def once(self, name: str, compute: Callable[[], object]) -> object:
        """``compute()`` the first time ``name`` is asked for in this render; the value
        kept since then after that."""
        if name not in self._once:
            self._once[name] = compute()
        return self._once[name]

    # ----------------------------------------------------------- paragraphs
    def _ppr(self, role: str | None, extra: str = "") -> str:
        sid = self.layout.styles.get(role) if role else None
        style = f'<w:pStyle w:val="{sid}"/>' if sid else ""
        return f"<w:pPr>{style}{extra}</w:pPr>" if style or extra else ""

    def p(self, runs: str, role: str | None = None, keep_next: bool = False,
          jc: str | None = None) -> str:
        extra = ("<w:keepNext/>" if keep_next else "") + \
            (f'<w:jc w:val="{jc}"/>' if jc else "")
        return f"<w:p>{self._ppr(role, extra)}{runs}</w:p>"

    def boxed(self, runs: str, ink: str = "C00000", fill: str = "FBE4E4") -> str:
        """A paragraph in a box of colour ``ink`` shaded ``fill``, kept with the next: a
        statement the reader must not miss."""
        line = f'w:val="single" w:sz="12" w:space="4" w:color="{ink}"'
        box = (f"<w:keepNext/><w:pBdr><w:top {line}/><w:left {line}/><w:bottom {line}/>"
               f'<w:right {line}/></w:pBdr><w:shd w:val="clear" w:color="auto" '
               f'w:fill="{fill}"/>')
        return f"<w:p>{self._ppr(None, box)}{runs}</w:p>"

    def text(self, text: object, keep_next: bool = False) -> str:
        return self.p(text_run(text), keep_next=keep_next)

    def heading(self, text: object) -> str:
        return self.p(text_run(text), "heading2")

    def note(self, text: object) -> str:
        return self.p(text_run(text), "note")

    def bullets(self, items: Iterable[str]) -> str:
        return "".join(self.p(runs, "bullet") for runs in items)

    def caption(self, kind: str, text: object) -> str:
        """A caption "Table 3: …" or "Figure 1: …", numbered in order of building."""
        if kind == "Table":
            self.tables += 1
            number = self.tables
        else:
            self.figures += 1
            number = self.figures
        return self.p(text_run(f"{kind} {number}: {clean(text)}"), "caption",
                      keep_next=True)

    # ----------------------------------------------------------- tables
    def cell_open(self, heading: bool = False, keep_next: bool = False,
                  jc: str | None = None) -> str:
        extra = ("<w:keepNext/>" if keep_next else "") + \
            (f'<w:jc w:val="{jc}"/>' if jc else "")
        return f"<w:tc><w:p>{self._ppr('table_heading' if heading else 'table_text', extra)}"

    def cell(self, runs: str, keep_next: bool = False, jc: str | None = None) -> str:
        return f"{self.cell_open(keep_next=keep_next, jc=jc)}{runs}</w:p></w:tc>"

    def cells(self, *runs: str) -> str:
        """Plain table cells, one per built run string: the fast path for tables of
        thousands of rows (the cell's opening is built once)."""
        opening = self._once.get("cell_open")
        if opening is None:
            opening = self._once["cell_open"] = self.cell_open()
        return "".join(f"{opening}{r}{END_CELL}" for r in runs)

    def row(self, *cells: str, start: str = ROW) -> str:
        """A table row of built cells; ``start`` from :func:`row_start` for a row that
        may be too long to keep on one page."""
        return start + "".join(cells) + END_ROW

    def group_row(self, runs: str, span: int, fill: str = "F2F2F2") -> str:
        """A shaded row across ``span`` columns, kept with the next: a group's heading
        inside a table."""
        return (f'{ROW}<w:tc><w:tcPr><w:gridSpan w:val="{span}"/>'
                f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/></w:tcPr>'
                f"{self.cell_open(keep_next=True)[len('<w:tc>'):]}{runs}{END_CELL}{END_ROW}")

    def picture_cell(self, *paragraphs: str) -> str:
        """A borderless cell holding built paragraphs (a chart under its caption)."""
        return "<w:tc>" + "".join(paragraphs) + "</w:tc>"

    def chart_grid(self, cells: Sequence[str], cols: int) -> str:
        """A borderless table ``cols`` cells wide holding ``cells`` (built with
        :meth:`picture_cell`) row by row, the last row filled with empty cells: run
        charts side by side."""
        width = self.width
        rows = []
        for start in range(0, len(cells), cols):
            chunk = list(cells[start:start + cols])
            chunk += [self.cell("")] * (cols - len(chunk))
            rows.append(ROW + "".join(chunk) + END_ROW)
        return (
            f'<w:tbl><w:tblPr><w:tblW w:w="{width}" w:type="dxa"/><w:tblBorders>'
            '<w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/>'
            '<w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/>'
            '</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar>'
            '<w:left w:w="110" w:type="dxa"/><w:right w:w="110" w:type="dxa"/>'
            '</w:tblCellMar><w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" '
            'w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr>'
            '<w:tblGrid>' + "".join(f'<w:gridCol w:w="{width // cols}"/>'
                                    for _ in range(cols))
            + "</w:tblGrid>" + "".join(rows) + "</w:tbl>")

    def cell_paras(self, paras: Sequence[str], span: int = 1,
                   keep_next: bool = False) -> str:
        """A cell holding several paragraphs (each given as runs)."""
        ppr = self._ppr("table_text", "<w:keepNext/>" if keep_next else "")
        tcpr = f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span > 1 else ""
        return "<w:tc>" + tcpr + "".join(f"<w:p>{ppr}{r}</w:p>" for r in paras) + "</w:tc>"

    def rag_cell(self, rag: Rag | None, note: str = "", keep_next: bool = False,
                 empty: str = "–", mark: str = "") -> str:
        """A cell shaded in the rating's colour holding its name (and ``note`` below);
        without a rating, ``empty`` unshaded. ``mark`` follows the name ("Red ‡": a
        rating carried forward from an earlier month)."""
        key = (rag, note, keep_next, empty, mark)
        cached = self._rag_cells.get(key)
        if cached is None:
            ppr = self._ppr("table_text", ("<w:keepNext/>" if keep_next else "")
                            + '<w:jc w:val="center"/>')
            if rag is None:
                cached = (f"<w:tc><w:p>{ppr}{text_run(empty)}"
                          f"{line_run(note) if note else ''}</w:p></w:tc>")
            else:
                fill, ink = rag.fill, rag.ink
                rpr = f'<w:rPr><w:b/><w:bCs/><w:color w:val="{ink}"/></w:rPr>'
                small = f'<w:rPr><w:color w:val="{ink}"/></w:rPr>'
                cached = (f'<w:tc><w:tcPr><w:shd w:val="clear" w:color="auto" '
                          f'w:fill="{fill}"/></w:tcPr><w:p>{ppr}'
                          f"{text_run(f'{rag.value} {mark}' if mark else rag.value, rpr)}"
                          f"{line_run(note, small) if note else ''}</w:p></w:tc>")
            self._rag_cells[key] = cached
        return cached

    def grid(self, columns: Sequence[tuple[str, float]], width: int) -> list[int]:
        """Column widths in twips: a positive width is centimetres, a negative one a
        share of what the fixed columns leave. Fixed columns shrink in proportion when
        the page is too narrow to leave each shared column 2 cm."""
        fixed = sum(w * 567 for _, w in columns if w > 0)
        shares = sum(-w for _, w in columns if w < 0)
        flexible = sum(1 for _, w in columns if w < 0)
        room = width - fixed
        scale = 1.0
        if room < 1134 * flexible or (not flexible and fixed != width):
            scale = (width - 1134 * flexible) / fixed if fixed else 1.0
            room = width - fixed * scale
        grid = [int(w * 567 * scale) if w > 0 else int(room * -w / shares)
                for _, w in columns]
        grid[-1] += width - sum(grid)
        return grid

    def table(self, columns: Sequence[tuple[str, float]], rows: Iterable[str]) -> str:
        """A Report Table the width of the text: ``columns`` = [(heading, width)] (see
        :meth:`grid`), ``rows`` = built ``<w:tr>`` strings. The header row repeats on
        every page."""
        return "".join(self.table_parts(columns, rows))

    def table_parts(self, columns: Sequence[tuple[str, float]],
                    rows: Iterable[str | bytes]) -> list[str | bytes]:
        """:meth:`table` in pieces, ``rows`` among them as given (UTF-8 bytes for the
        appendix's thousands of rows), for a part written piece by piece."""
        width = self.width
        grid = self.grid(columns, width)
        style = self.layout.table_style
        if style:
            look = ('<w:tblLook w:val="0420" w:firstRow="1" w:lastRow="0" w:firstColumn="0" '
                    'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>')
            head = f'<w:tblStyle w:val="{style}"/><w:tblW w:w="{width}" w:type="dxa"/>'
            borders = ""
        else:
            look = ""
            head = f'<w:tblW w:w="{width}" w:type="dxa"/>'
            line = 'w:val="single" w:sz="4" w:space="0" w:color="808080"'
            borders = "<w:tblBorders>" + "".join(
                f"<w:{side} {line}/>" for side in
                ("top", "left", "bottom", "right", "insideH", "insideV")) + "</w:tblBorders>"
        out = [f'<w:tbl><w:tblPr>{head}{borders}<w:tblLayout w:type="fixed"/>{look}'
               "</w:tblPr><w:tblGrid>"]
        out.extend(f'<w:gridCol w:w="{g}"/>' for g in grid)
        out.append("</w:tblGrid>")
        out.append("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>")
        shade = "" if style else \
            '<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="D9E2F3"/></w:tcPr>'
        for heading, _ in columns:
            out.append(self.cell_open(heading=True).replace("<w:tc>", "<w:tc>" + shade, 1)
                       + text_run(heading, "" if style else BOLD) + "</w:p></w:tc>")
        out.append("</w:tr>")
        n = len(out)
        out.extend(rows)
        if len(out) == n:  # a table must have a row
            out.append("<w:tr>" + "".join(self.cell("") for _ in columns) + "</w:tr>")
        out.append("</w:tbl>")
        return out

    # ----------------------------------------------------------- pictures
    def picture(self, png: bytes, width_cm: float, height_cm: float, name: str,
                descr: str) -> str:
        """A run holding the picture at this size, ``descr`` as its alt text."""
        rid = self.add_image(png)
        cx, cy = int(width_cm * 360000), int(height_cm * 360000)
        self.drawing_id += 1
        n = self.drawing_id
        name_a, descr_a = attr(name), attr(descr)
        return (
            f'<w:r><w:drawing><wp:inline xmlns:wp="{NS_WP}" distT="0" distB="0" distL="0" '
            f'distR="0"><wp:extent cx="{cx}" cy="{cy}"/>'
            '<wp:effectExtent l="0" t="0" r="0" b="0"/>'
            f'<wp:docPr id="{n}" name="{name_a}" descr="{descr_a}"/>'
            f'<wp:cNvGraphicFramePr><a:graphicFrameLocks xmlns:a="{NS_A}" noChangeAspect="1"/>'
            f'</wp:cNvGraphicFramePr><a:graphic xmlns:a="{NS_A}">'
            f'<a:graphicData uri="{NS_PIC}"><pic:pic xmlns:pic="{NS_PIC}"><pic:nvPicPr>'
            f'<pic:cNvPr id="{n}" name="{name_a}.png" descr="{descr_a}"/><pic:cNvPicPr/>'
            f'</pic:nvPicPr><pic:blipFill><a:blip xmlns:r="{NS_R}" r:embed="{rid}"/>'
            '<a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm>'
            f'<a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
            '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
            "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r>")

    @property
    def width_cm(self) -> float:
        return self.width / 567.0
