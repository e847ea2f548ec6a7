"""The Word board report (``board-report-<period>.docx``), in the board's own template.

The template (``templates/board_report.docx`` by default, built by
scripts/make_template.py and edited in Word) holds the cover block, the wording, the
header and footer and every style. docxtpl fills its ``{{ name }}`` placeholders with
autoescape on. Each ``{{p name }}`` paragraph is then replaced by a generated part of the
report, built here as WordprocessingML that refers to the template's styles by name
(Heading 2, Caption, List Bullet, Table Text, Table Heading, Note, the table style Report
Table), so restyling them in Word restyles the report. docs/template.md lists every
placeholder.

Generated parts, in the shipped template's order: ``summary`` (counts by BRAG, changes
since last period, a chart of BRAG by objective), ``key`` (colours, symbols, the slippage
model), ``exceptions`` (every Red and Amber action, newly red first), ``kpis`` (table and
run charts with SPC limits), ``objectives`` (one table per objective), ``finance`` (by
funding stream and by objective), ``data_quality`` (trackers not read, validation,
updates overdue, RAG challenges) and ``appendix`` (every action).

How it is built, and why:

- The parts are spliced into ``word/document.xml`` as text after docxtpl has rendered the
  template, never passed through Jinja: text from trackers cannot be read as template
  syntax (``{{`` and ``{%`` print as written), and a 12,000-action appendix (tens of
  megabytes of XML) is not parsed and re-serialised by lxml. python-docx's
  ``table.cell()`` is quadratic and is not used at all.
- Tracker text is cleaned of characters XML cannot hold (vertical tab and form feed
  become line breaks; other control characters are dropped) and escaped.
- Every table has a fixed layout, a header row that repeats on each page (``w:tblHeader``)
  and rows that do not break across pages (``w:cantSplit``), except a row with more text
  than a page holds, which Word would otherwise cut off.
- RAG is a shaded cell and a word. Charts are PNGs from :mod:`reportgen.render.charts`
  with alt text, sized to the text width of the page they land on.
- Same inputs, same document: core properties are pinned to the period's as-of date,
  drawing IDs count from a fixed number, chart PNGs carry no timestamps, and the zip
  members carry a fixed date, so two renders give identical bytes.

The file is written in place at ``out_path``; placing it atomically is the caller's job
(reportgen.outputs.Staging). Warnings about the template (a missing style or generated
part) go to the ``reportgen`` log; only faults that stop the report raise.
"""

from __future__ import annotations

import calendar
import io
import logging
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Iterable, Sequence

from reportgen.config import Config
from reportgen.errors import OutputError, TemplateError
from reportgen.issues import CATALOGUE, Issue
from reportgen.model import (
    Action, ActionRating, FinanceRating, Kpi, KpiResult, Period, Polarity, Rag, RatedRun,
    Status, StreamFinance,
)
from reportgen.render import charts

log = logging.getLogger(__name__)

BLOCKS = ("summary", "key", "exceptions", "kpis", "objectives", "finance", "data_quality",
          "appendix")
"""The generated parts, each placed by a ``{{p name }}`` paragraph in the template."""

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

LIST_LIMIT = 100  # rows in a data-quality list before "… and N more"
# Rows never break across pages, except one with more text than a page holds, which Word
# would cut off: above LONG_CELL characters in a narrow column, or LONG_ROW across the page.
LONG_CELL = 1500
LONG_ROW = 6000
_TR = "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
_DRAWING_ID_START = 90001
_PORTRAIT_TWIPS = 9638  # A4 with 2 cm margins, when the template says nothing

_MARKER = "[[reportgen:{}]]"

# Fill and text colour of each rating's cell (as in reportgen.render.charts).
RAG_COLOURS: dict[Rag, tuple[str, str]] = {
    Rag.RED: ("C00000", "FFFFFF"),
    Rag.AMBER: ("FFC000", "000000"),
    Rag.GREEN: ("00B050", "000000"),
    Rag.BLUE: ("0070C0", "FFFFFF"),
    Rag.GREY: ("BFBFBF", "000000"),
    Rag.CANCELLED: ("F2F2F2", "000000"),
}
BRAG = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE, Rag.GREY)
RAG_NAMES = {Rag.RED: "Red", Rag.AMBER: "Amber", Rag.GREEN: "Green",
             Rag.BLUE: "Blue (complete)", Rag.GREY: "Grey (not yet due)",
             Rag.CANCELLED: "Cancelled"}

NS_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS_PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

# --------------------------------------------------------------------------- text

_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_ILLEGAL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_ODD = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029\ufffe\uffff\ud800-\udfff]")


def clean(text: object) -> str:
    """``text`` as characters Word can hold: carriage returns, vertical tabs, form feeds
    and Unicode line separators become newlines; other control characters, the
    non-characters U+FFFE/U+FFFF and lone surrogates are dropped. Nothing else changes."""
    if text is None:
        return ""
    s = text if isinstance(text, str) else str(text)
    if not _ODD.search(s):  # the usual case: one scan
        return s
    if _BREAKS.search(s):
        s = _BREAKS.sub("\n", s)
    if _ILLEGAL.search(s):
        s = _ILLEGAL.sub("", s)
    return s


def _esc(text: object) -> str:
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


def _tr(*texts: str, limit: int = LONG_CELL) -> str:
    """A row start that keeps the row on one page, unless a text in it is too long to."""
    for text in texts:
        if len(text) > limit:
            return "<w:tr>"
    return _TR


def _attr(text: object) -> str:
    s = clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return s.replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


_BOLD = "<w:rPr><w:b/><w:bCs/></w:rPr>"
_ITALIC = "<w:rPr><w:i/><w:iCs/></w:rPr>"


def _run(text: object, rpr: str = "") -> str:
    return f'<w:r>{rpr}<w:t xml:space="preserve">{_esc(text)}</w:t></w:r>'


def _line(text: object, rpr: str = "") -> str:
    """A run that starts on a new line of the same paragraph."""
    return f'<w:r>{rpr}<w:br/><w:t xml:space="preserve">{_esc(text)}</w:t></w:r>'


# --------------------------------------------------------------------------- formats


def _d(day: date | None) -> str:
    return "–" if day is None else f"{day:%d/%m/%Y}"


def _money(value: float | None) -> str:
    """£1,234,567, to the nearest pound (halves up): board papers do not show pence."""
    if value is None:
        return "–"
    pounds = int(abs(value) + 0.5)
    return f"{'−' if value < 0 and pounds else ''}£{pounds:,}"


def _variance(value: float | None) -> str:
    if value is None:
        return "–"
    if int(abs(value) + 0.5) == 0:
        return "£0 (on budget)"
    return f"{_money(abs(value))} {'over' if value > 0 else 'under'}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}%"


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value - round(value)) < 1e-9 else f"{value:,.1f}"


def _kpi_value(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    unit = clean(unit).strip()
    if unit == "%":
        return f"{_number(value)}%"
    if not unit or unit.lower() in ("number", "count", "n"):
        return _number(value)
    return f"{_number(value)} ({unit})"


def _month(label: str | None, short: bool = False) -> str:
    if not label:
        return "–"
    try:
        p = Period.parse(label)
    except ValueError:
        return label
    return f"{calendar.month_abbr[p.month]} {p.year}" if short else p.name


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def _signed(n: int) -> str:
    return "0" if n == 0 else (f"+{n:,}" if n > 0 else f"−{-n:,}")


_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """'O1-9' before 'O1-10'."""
    return tuple((0, int(t), "") if t.isdigit() else (1, 0, t.lower())
                 for t in _DIGITS.split(text) if t)


def _brief(text: str, limit: int = 240) -> str:
    """``text`` cut at a word boundary near ``limit`` characters, marked with "…"."""
    s = clean(text).strip()
    if len(s) <= limit:
        return s
    cut = s.rfind(" ", limit // 2, limit)
    return s[:cut if cut > 0 else limit].rstrip(" ,;:.") + " …"


def _ids(ids: Sequence[str], limit: int = 15) -> str:
    ids = sorted(ids, key=natural_key)
    shown = ", ".join(clean(i) for i in ids[:limit])
    return shown + (f" and {len(ids) - limit:,} more" if len(ids) > limit else "")


# --------------------------------------------------------------------------- template


@dataclass
class _Layout:
    """What the template offers: style IDs by role, and the text width (twips) at each
    generated part's placeholder."""

    styles: dict[str, str | None]
    table_style: str | None
    widths: dict[str, int]


_PLACEHOLDER = re.compile(r"\{\{\s*p\s+(\w+)\s*\}\}")
_BLOCK_USE = re.compile(r"\{\{-?\s*(p\s+)?(\w+)")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _open_template(path: Path):
    from docxtpl import DocxTemplate

    if not path.is_file():
        raise TemplateError(f"Word template not found: {path} (set paths.template in "
                            "reportgen.toml, or run scripts/make_template.py)")
    try:
        tpl = DocxTemplate(str(path))
        tpl.init_docx()
    except Exception as exc:  # any failure to open it is a broken template
        reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise TemplateError(f"Word template {path} cannot be opened as a .docx: "
                            f"{reason}") from exc
    return tpl


def _style_id(doc, name: str, kind, path: Path) -> str | None:
    try:
        style = doc.styles[name]
    except KeyError:
        log.warning("Word template %s has no style '%s'; the report uses Word's default "
                    "formatting there. Add the style in Word to control it.", path, name)
        return None
    return style.style_id if style.type == kind else None


def _section_width(sect_pr) -> int:
    def twips(el, attr: str, default: int) -> int:
        try:
            return int(float(el.get(_W + attr))) if el is not None and el.get(_W + attr) \
                else default
        except ValueError:
            return default

    size = sect_pr.find(_W + "pgSz")
    margins = sect_pr.find(_W + "pgMar")
    width = twips(size, "w", 11906) - twips(margins, "left", 1134) \
        - twips(margins, "right", 1134) - twips(margins, "gutter", 0)
    return width if width > 1000 else _PORTRAIT_TWIPS


def _layout(tpl, path: Path) -> _Layout:
    from docx.enum.style import WD_STYLE_TYPE

    doc = tpl.docx
    styles = {role: _style_id(doc, name, WD_STYLE_TYPE.PARAGRAPH, path)
              for role, name in STYLES.items()}
    table_style = _style_id(doc, TABLE_STYLE, WD_STYLE_TYPE.TABLE, path)
    widths: dict[str, int] = {}
    pending: list[str] = []
    body = doc.element.body
    for child in body.iterchildren():
        if child.tag == _W + "sectPr":
            break
        text = "".join(t.text or "" for t in child.iter(_W + "t"))
        for m in _BLOCK_USE.finditer(text):
            if m.group(2) in BLOCKS and not m.group(1):
                raise TemplateError(
                    f"Word template {path}: {{{{ {m.group(2)} }}}} must be written "
                    f"{{{{p {m.group(2)} }}}}, alone in a paragraph of its own")
        pending.extend(_PLACEHOLDER.findall(text))
        sect = child.find(f"{_W}pPr/{_W}sectPr") if child.tag == _W + "p" else None
        if sect is not None:
            for name in pending:
                widths.setdefault(name, _section_width(sect))
            pending = []
    final = body.find(_W + "sectPr")
    for name in pending:
        widths.setdefault(name, _section_width(final) if final is not None
                          else _PORTRAIT_TWIPS)
    missing = [b for b in BLOCKS if b not in widths]
    if missing:
        log.warning("Word template %s has no {{p %s }} paragraph, so the report leaves "
                    "that part out.", path, " }}, {{p ".join(missing))
    return _Layout(styles, table_style, widths)


# --------------------------------------------------------------------------- builder


@dataclass
class _Ctx:
    run: RatedRun
    config: Config
    layout: _Layout
    add_image: object  # callable(bytes) -> rId
    width: int = _PORTRAIT_TWIPS
    tables: int = 0
    figures: int = 0
    drawing_id: int = _DRAWING_ID_START
    _rag_cells: dict = field(default_factory=dict)

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

    def text(self, text: object, keep_next: bool = False) -> str:
        return self.p(_run(text), keep_next=keep_next)

    def heading(self, text: object) -> str:
        return self.p(_run(text), "heading2")

    def note(self, text: object) -> str:
        return self.p(_run(text), "note")

    def bullets(self, items: Iterable[str]) -> str:
        return "".join(self.p(runs, "bullet") for runs in items)

    def caption(self, kind: str, text: object) -> str:
        if kind == "Table":
            self.tables += 1
            number = self.tables
        else:
            self.figures += 1
            number = self.figures
        return self.p(_run(f"{kind} {number}: {clean(text)}"), "caption", keep_next=True)

    # ----------------------------------------------------------- tables
    def cell_open(self, heading: bool = False, keep_next: bool = False,
                  jc: str | None = None) -> str:
        extra = ("<w:keepNext/>" if keep_next else "") + \
            (f'<w:jc w:val="{jc}"/>' if jc else "")
        return f"<w:tc><w:p>{self._ppr('table_heading' if heading else 'table_text', extra)}"

    def cell(self, runs: str, keep_next: bool = False, jc: str | None = None,
             span: int = 1) -> str:
        opening = self.cell_open(keep_next=keep_next, jc=jc)
        if span > 1:
            opening = opening.replace("<w:tc>", f'<w:tc><w:tcPr><w:gridSpan w:val="{span}"/>'
                                      "</w:tcPr>", 1)
        return f"{opening}{runs}</w:p></w:tc>"

    def cell_paras(self, paras: Sequence[str], span: int = 1,
                   keep_next: bool = False) -> str:
        """A cell holding several paragraphs (each given as runs)."""
        ppr = self._ppr("table_text", "<w:keepNext/>" if keep_next else "")
        tcpr = f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span > 1 else ""
        return "<w:tc>" + tcpr + "".join(f"<w:p>{ppr}{r}</w:p>" for r in paras) + "</w:tc>"

    def rag_cell(self, rag: Rag | None, note: str = "", keep_next: bool = False,
                 empty: str = "–") -> str:
        """A cell shaded in the rating's colour holding its name (and ``note`` below);
        without a rating, ``empty`` unshaded."""
        key = (rag, note, keep_next, empty)
        cached = self._rag_cells.get(key)
        if cached is None:
            ppr = self._ppr("table_text", ("<w:keepNext/>" if keep_next else "")
                            + '<w:jc w:val="center"/>')
            if rag is None:
                cached = (f"<w:tc><w:p>{ppr}{_run(empty)}"
                          f"{_line(note) if note else ''}</w:p></w:tc>")
            else:
                fill, ink = RAG_COLOURS[rag]
                rpr = f'<w:rPr><w:b/><w:bCs/><w:color w:val="{ink}"/></w:rPr>'
                small = f'<w:rPr><w:color w:val="{ink}"/></w:rPr>'
                cached = (f'<w:tc><w:tcPr><w:shd w:val="clear" w:color="auto" '
                          f'w:fill="{fill}"/></w:tcPr><w:p>{ppr}{_run(rag.value, rpr)}'
                          f"{_line(note, small) if note else ''}</w:p></w:tc>")
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

    def table(self, columns: Sequence[tuple[str, float]], rows: Iterable[str],
              width: int | None = None, header: bool = True, first_col: bool = False) -> str:
        """A Report Table: ``columns`` = [(heading, width)] (see :meth:`grid`), ``rows`` =
        built ``<w:tr>`` strings. The header row repeats on every page."""
        return "".join(self.table_parts(columns, rows, width, header, first_col))

    def table_parts(self, columns: Sequence[tuple[str, float]],
                    rows: Iterable[str | bytes], width: int | None = None,
                    header: bool = True, first_col: bool = False) -> list[str | bytes]:
        """:meth:`table` in pieces, ``rows`` among them as given (UTF-8 bytes for the
        appendix's thousands of rows), for a part written piece by piece."""
        width = width or self.width
        grid = self.grid(columns, width)
        style = self.layout.table_style
        if style:
            look = ('<w:tblLook w:val="{v}" w:firstRow="{fr}" w:lastRow="0" '
                    'w:firstColumn="{fc}" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>'
                    .format(v="0420" if header else "0400", fr=int(header), fc=int(first_col)))
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
        if header:
            out.append("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>")
            shade = "" if style else \
                '<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="D9E2F3"/></w:tcPr>'
            for heading, _ in columns:
                out.append(self.cell_open(heading=True).replace("<w:tc>", "<w:tc>" + shade, 1)
                           + _run(heading, "" if style else _BOLD) + "</w:p></w:tc>")
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
        """A paragraph holding the picture, ``descr`` as its alt text."""
        rid = self.add_image(png)
        cx, cy = int(width_cm * 360000), int(height_cm * 360000)
        self.drawing_id += 1
        n = self.drawing_id
        name_a, descr_a = _attr(name), _attr(descr)
        drawing = (
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
        return drawing

    @property
    def width_cm(self) -> float:
        return self.width / 567.0


# --------------------------------------------------------------------------- data


@dataclass
class _Rated:
    action: Action
    rating: ActionRating | None

    @property
    def rag(self) -> Rag | None:
        return self.rating.reported if self.rating else None


def _rated(run: RatedRun) -> list[_Rated]:
    ratings = run.ratings
    return [_Rated(a, ratings.get(a.action_id)) for a in run.actions]


def _objective_numbers(run: RatedRun, config: Config) -> list[int]:
    numbers = [o.number for o in config.objectives]
    return numbers + sorted({a.objective for a in run.actions} - set(numbers))


def _objective_title(config: Config, number: int) -> str:
    obj = config.objective(number)
    return f"Objective {number}: {clean(obj.text)}" if obj else \
        f"Objective {number} (not in the configuration)"


def _counts(items: Iterable[_Rated]) -> Counter:
    return Counter(i.rag for i in items if i.rag is not None)


def _count_words(counts: Counter) -> str:
    parts = [f"{counts[r]:,} {RAG_NAMES[r]}" for r in BRAG if counts.get(r)]
    if counts.get(Rag.CANCELLED):
        parts.append(f"{counts[Rag.CANCELLED]:,} cancelled")
    return ", ".join(parts) if parts else "none rated"


def _progress(r: ActionRating | None, model: str) -> str:
    if r is None:
        return "–"
    if r.dates_only:
        return "– †"
    if r.actual_percent is None:
        return "–"
    if r.expected_percent is None:
        return _pct(r.actual_percent)
    return f"{_pct(r.actual_percent)} of {_pct(r.expected_percent)}"


def _slippage(r: ActionRating | None, model: str) -> str:
    if r is None:
        return "Not rated"
    if r.dates_only:
        return "No % complete given: rated on dates and status alone †"
    if r.slippage is None:
        return ""
    plan = ""
    if r.expected_percent is not None and r.actual_percent is not None:
        plan = f" (expected {_pct(r.expected_percent)}, actual {_pct(r.actual_percent)})"
    if model == "ratio":
        return f"Progress at {r.slippage:.2f} of plan{plan}"
    if r.slippage > 0.5:
        return f"{r.slippage:.0f} points behind plan{plan}"
    if r.slippage < -0.5:
        return f"{-r.slippage:.0f} points ahead of plan{plan}"
    return f"On plan{plan}"


def _why(r: ActionRating | None, model: str) -> list[str]:
    """The rating's reasons in the rater's words, one run each; the slippage in numbers
    when the rater gave none. A RAG challenge is bold."""
    reasons = list(r.reasons) if r else []
    out = [] if reasons or not _slippage(r, model) else [_run(_slippage(r, model))]
    for reason in reasons:
        out.append(_run(reason, _BOLD if reason.startswith("RAG challenge") else ""))
    if r and r.challenge and not any(x.startswith("RAG challenge") for x in reasons):
        officer = r.officer.value if r.officer else "none"
        out.append(_run(f"RAG challenge: officer {officer}, computed {r.computed.value}",
                        _BOLD))
    if r and r.dates_only and not any("% complete" in x for x in reasons):
        out.append(_run("† no % complete given: rated on dates and status alone"))
    return out


# --------------------------------------------------------------------------- parts


def _summary(c: _Ctx, items: list[_Rated]) -> str:
    run, config = c.run, c.config
    counts = _counts(items)
    rated = sum(counts[r] for r in BRAG)
    cancelled = counts.get(Rag.CANCELLED, 0)
    out = [c.text(
        f"At {_d(run.as_of)} the plan has {_plural(len(items), 'action')}: {rated:,} rated "
        f"and {cancelled:,} cancelled (cancelled actions are not rated). "
        f"{counts[Rag.RED]:,} {'is' if counts[Rag.RED] == 1 else 'are'} Red and "
        f"{counts[Rag.AMBER]:,} Amber; {counts[Rag.BLUE]:,} "
        f"{'is' if counts[Rag.BLUE] == 1 else 'are'} complete.")]

    prev = run.changes.previous_period
    before = Counter(run.previous_rags.values()) if (prev or run.previous_rags) else None
    rows = []
    for rag in (*BRAG, Rag.CANCELLED):
        now = counts.get(rag, 0)
        was = before.get(rag, 0) if before is not None else None
        share = f"{100 * now / rated:.0f}%" if rated and rag in BRAG else "–"
        rows.append(_TR + c.rag_cell(rag)
                    + c.cell(_run(_MEANINGS.get(rag, "")))
                    + c.cell(_run(f"{now:,}"), jc="right") + c.cell(_run(share), jc="right")
                    + c.cell(_run("–" if was is None else f"{was:,}"), jc="right")
                    + c.cell(_run("–" if was is None else _signed(now - was)), jc="right")
                    + "</w:tr>")
    last_head = f"{_month(prev, short=True)}" if prev else "Last period"
    kpi_counts = Counter(r.rag for r in run.kpi_results.values() if r.rag is not None)
    finance = run.finance_total
    headline = []
    if run.kpis:
        headline.append(
            f"Key performance indicators: {_plural(len(run.kpis), 'indicator')}, "
            + (", ".join(f"{kpi_counts[r]:,} {r.value}" for r in (Rag.RED, Rag.AMBER, Rag.GREEN)
                         if kpi_counts.get(r)) or "none rated against a target") + ".")
    if finance.budget is not None:
        headline.append(f"Finance: forecast outturn {_money(finance.forecast)} against a "
                        f"budget of {_money(finance.budget)} ({_variance(finance.variance)}).")
    if headline:
        out.append(c.text(" ".join(headline)))
    out.append(c.caption("Table", "Actions by rating, this period and last"))
    out.append(c.table([("Rating", 2.1), ("Meaning", -1), ("Actions", 1.8),
                        ("Share of rated", 1.8), (last_head, 1.8), ("Change", 1.8)], rows))

    ch = run.changes
    if prev:
        out.append(c.heading(f"Changes since {_month(prev)}"))
        lines = []
        for label, ids in (("Newly Red", ch.newly_red), ("Worsened", ch.worsened),
                           ("Improved", ch.improved), ("Newly complete", ch.newly_complete),
                           ("New actions", ch.new), ("No longer reported", ch.removed)):
            lines.append(_run(f"{label} ({len(ids):,})", _BOLD)
                         + _run(": " + _ids(ids) if ids else ": none"))
        out.append(c.bullets(lines))
    else:
        out.append(c.heading("Changes since last period"))
        out.append(c.text("No earlier period is stored yet, so changes are shown from next "
                          "month."))

    out.append(c.heading("Ratings by objective"))
    chart_rows = []
    for number in _objective_numbers(run, config):
        group = [i for i in items if i.action.objective == number]
        if not group and config.objective(number) is None:
            continue
        oc = _counts(group)
        chart_rows.append((f"Objective {number}", {r.value: oc.get(r, 0) for r in BRAG}))
    width_cm = min(16.0, c.width_cm)
    height_cm = charts.chart_height(len(chart_rows))
    png = charts.brag_by_objective(chart_rows, width_cm, height_cm)
    descr = "Stacked bar chart of actions by rating for each objective. " + "; ".join(
        f"{label}: " + ", ".join(f"{n} {rag}" for rag, n in counts_.items() if n)
        if any(counts_.values()) else f"{label}: no rated actions"
        for label, counts_ in chart_rows) + "."
    out.append(c.caption("Figure", "Actions by rating for each objective (cancelled "
                                   "actions left out)"))
    out.append(c.p(c.picture(png, width_cm, height_cm, "Ratings by objective", descr),
                   jc="center"))
    return "".join(out)


_MEANINGS = {
    Rag.RED: "Overdue, or well behind plan",
    Rag.AMBER: "Behind plan, or on hold",
    Rag.GREEN: "On track",
    Rag.BLUE: "Complete",
    Rag.GREY: "Not yet due to start",
    Rag.CANCELLED: "Cancelled: not rated",
}


def _key(c: _Ctx) -> str:
    run, th = c.run, c.config.thresholds
    model = run.slippage_model or th.slippage_model
    if model == "ratio":
        red = (f"Overdue (the end date has passed and the action is not complete), or "
               f"progress below {th.ratio_red:.2f} of what the plan expects by now.")
        amber = f"Progress below {th.ratio_amber:.2f} of what the plan expects, or on hold."
        model_text = (
            f"Slippage model: ratio. Expected % complete is the share of the time from "
            f"start to end that has passed at {_d(run.as_of)}; progress is actual % "
            f"complete divided by expected %. Amber below {th.ratio_amber:.2f}, Red below "
            f"{th.ratio_red:.2f}.")
    else:
        red = (f"Overdue (the end date has passed and the action is not complete), or "
               f"{th.points_red:g} or more percentage points behind plan.")
        amber = f"{th.points_amber:g} or more percentage points behind plan, or on hold."
        model_text = (
            f"Slippage model: points. Expected % complete is the share of the time from "
            f"start to end that has passed at {_d(run.as_of)}; slippage is expected % "
            f"minus actual % complete, in percentage points. Amber at {th.points_amber:g} "
            f"points or more, Red at {th.points_red:g} or more.")
    policy = {
        "worse-of": "The rating reported is the worse of the lead officer's own RAG and "
                    "the one computed from dates and progress.",
        "computed": "The rating reported is the one computed from dates and progress; "
                    "the lead officer's own RAG is shown beside it.",
        "officer": "The rating reported is the lead officer's own RAG; the one computed "
                   "from dates and progress is shown beside it.",
    }.get(th.reported_rag, "")
    meanings = [
        (Rag.RED, red), (Rag.AMBER, amber), (Rag.GREEN, "On track: neither Red nor Amber."),
        (Rag.BLUE, "Complete."),
        (Rag.GREY, f"Not yet due: not started, and not due to start until after "
                   f"{_d(run.as_of)}."),
        (Rag.CANCELLED, "Cancelled: shown for the record, not rated and left out of the "
                        "finance totals."),
    ]
    rows = [_TR + c.rag_cell(rag)
            + c.cell(_run(text)) + "</w:tr>" for rag, text in meanings]
    symbols = [
        ("▲ ▼ ►", "Key performance indicator direction of travel: improving, worsening, "
                  "no change, judged by whether higher or lower is better."),
        ("†", "Rated on dates and status alone: the tracker gives no % complete."),
        ("Update overdue", f"The tracker row was last updated more than {th.stale_days} "
                           f"days before {_d(run.as_of)}."),
        ("RAG challenge", f"The lead officer's RAG and the computed one are "
                          f"{th.challenge_steps} or more steps apart."),
        ("Finance RAG", f"Red: forecast overspend of {th.finance_red_percent:g}% of "
                        f"budget or {_money(th.finance_red_pounds)}, whichever is lower. "
                        f"Amber: any smaller overspend. Green: on or under budget. An "
                        f"underspend of {th.underspend_percent:g}% or more is noted, "
                        "not rated down."),
        ("KPI RAG", "Green: on or better than target. Amber: worse than target but "
                    "within its tolerance. Red: beyond the tolerance."),
        ("Control limits", "Run charts show the mean and control limits (XmR, "
                           f"{c.config.spc.min_points} or more monthly points): a point "
                           "outside the limits, a run or a trend is a signal of change; "
                           "anything else is common-cause variation."),
    ]
    rows += [_TR + c.cell(_run(symbol, _BOLD), jc="center")
             + c.cell(_run(text)) + "</w:tr>" for symbol, text in symbols]
    return "".join([
        c.table([("Colour or symbol", 2.6), ("Meaning", -1)], rows),
        c.note(model_text + " " + policy),
    ])


def _exceptions(c: _Ctx, items: list[_Rated]) -> str | list[str | bytes]:
    run = c.run
    model = run.slippage_model
    newly = set(run.changes.newly_red)
    chosen = [i for i in items if i.rag in (Rag.RED, Rag.AMBER)]
    if not chosen:
        return c.text("No actions are rated Red or Amber this period.")
    chosen.sort(key=lambda i: (0 if i.action.action_id in newly and i.rag is Rag.RED else 1,
                               -i.rag.severity, i.action.objective,
                               natural_key(i.action.action_id)))
    n_red = sum(1 for i in chosen if i.rag is Rag.RED)
    n_new = sum(1 for i in chosen if i.rag is Rag.RED and i.action.action_id in newly)
    stale_days = c.config.thresholds.stale_days
    had_history = bool(run.changes.previous_period or run.previous_rags)
    rows = []
    for item in chosen:
        a, r = item.action, item.rating
        is_new = a.action_id in newly and item.rag is Rag.RED
        prev = run.previous_rags.get(a.action_id)
        who = (_run(a.lead_officer, _BOLD) + _line(f"Start {_d(a.start)}")
               + _line(f"End {_d(a.end)}") + _line(f"Updated {_d(a.last_updated)}"))
        if r and r.stale:
            who += _line(f"Update overdue (over {stale_days} days)", _BOLD)
        why = _why(r, model)
        commentary = clean(a.commentary).strip()
        corrective = clean(a.corrective_action).strip()
        top = (_tr(a.action, " ".join(r.reasons) if r else "")
               + c.cell(_run(a.action_id, _BOLD) + _run(" " + clean(a.action)),
                        keep_next=True)
               + c.cell(who, keep_next=True)
               + c.rag_cell(prev, keep_next=True, empty="–",
                            note="" if prev or not had_history else "not rated")
               + c.rag_cell(item.rag, keep_next=True, note="newly red" if is_new else "")
               + c.cell_paras(why or [_run("–")], keep_next=True)
               + "</w:tr>")
        bottom = (_tr(commentary + corrective, limit=LONG_ROW)
                  + c.cell_paras([
                      _run("Commentary: ", _BOLD)
                      + (_run(commentary) if commentary else _run("none given", _ITALIC)),
                      _run("Corrective action: ", _BOLD)
                      + (_run(corrective) if corrective else _run("none given", _ITALIC)),
                  ], span=5) + "</w:tr>")
        rows.append((top + bottom).encode())  # UTF-8 as built: see _appendix
    since = f" ({n_new:,} newly Red since last period)" if had_history else ""
    order = "newly Red first, then Red, then Amber" if had_history else \
        "Red first, then Amber"
    intro = (f"{_plural(n_red, 'action')} Red{since} and "
             f"{_plural(len(chosen) - n_red, 'action')} Amber: {order}, each by objective. "
             "Under each action: the lead officer's commentary and corrective action, as "
             "written in the tracker.")
    return [
        c.text(intro, keep_next=True),
        c.caption("Table", "Red and Amber actions"),
        *c.table_parts([("Action", -1.2), ("Lead officer and dates", 3.6),
                        ("Last period", 2.1), ("This period", 2.1),
                        ("Slippage and reasons", -1)], rows),
    ]


def _kpis(c: _Ctx) -> str:
    run = c.run
    if not run.kpis:
        return c.text("No key performance indicators were found in the trackers this "
                      "period.")
    min_points = c.config.spc.min_points
    rows = []
    for kpi in run.kpis:
        res = run.kpi_results.get(kpi.kpi_id)
        polarity = "Higher is better" if kpi.polarity is Polarity.HIGHER else \
            "Lower is better"
        indicator = _run(kpi.kpi_id, _BOLD) + _run(" " + clean(kpi.indicator)) + \
            _line(polarity)
        if kpi.outcomes:
            indicator += _line("Outcomes " + ", ".join(str(o) for o in kpi.outcomes))
        target = _run(_kpi_value(kpi.target, kpi.unit) if kpi.target is not None
                      else "No target")
        if kpi.tolerance is not None and kpi.target is not None:
            target += _line(f"tolerance {_number(kpi.tolerance)}")
        if res is None:
            rows.append(_TR + c.cell(indicator)
                        + c.cell(target) + c.cell(_run("–")) + c.rag_cell(None, empty="–")
                        + c.cell(_run("–")) + c.cell(_run("Not rated")) + "</w:tr>")
            continue
        latest = _run(_kpi_value(res.latest, kpi.unit)) + \
            _line(_month(res.latest_period, short=True))
        if res.direction is not None:
            direction = _run(f"{res.direction.arrow} {res.direction.value}", _BOLD)
            if res.previous is not None:
                direction += _line(f"from {_kpi_value(res.previous, kpi.unit)} in "
                                   f"{_month(res.compared_with, short=True)}")
        else:
            direction = _run("– (no earlier value)")
        if res.spc is not None:
            signal = res.spc.summary
        else:
            signal = f"Fewer than {min_points} monthly values: no control limits yet"
        rows.append(_tr(kpi.indicator) + c.cell(indicator)
                    + c.cell(target) + c.cell(latest)
                    + c.rag_cell(res.rag, empty="No target")
                    + c.cell(direction) + c.cell(_run(signal)) + "</w:tr>")
    out = [c.text(
        "RAG compares the latest value with the target, allowing the tolerance. Direction "
        "of travel compares it with the previous month, or with the same month last year "
        "for seasonal indicators. Run charts show control limits once there are "
        f"{min_points} or more monthly values."),
        c.caption("Table", "Key performance indicators"),
        c.table([("Indicator", -1.4), ("Target", 2.0), ("Latest", 2.0), ("RAG", 2.1),
                 ("Direction of travel", 2.6), ("Signal (SPC)", -1)], rows)]

    charted = [k for k in run.kpis if len(k.series) >= 2]
    if charted:
        out.append(c.heading("Run charts"))
        cols = 2 if c.width_cm >= 14 else 1
        chart_w = c.width_cm / cols - 0.4
        chart_h = chart_w * 0.62
        cells = []
        for kpi in charted:
            cells.append(_kpi_chart_cell(c, kpi, run.kpi_results.get(kpi.kpi_id),
                                         chart_w, chart_h))
        grid_w = c.width
        grid = [grid_w // cols] * cols
        rows_xml = []
        for start in range(0, len(cells), cols):
            chunk = cells[start:start + cols]
            chunk += [c.cell("")] * (cols - len(chunk))
            rows_xml.append(_TR + "".join(chunk)
                            + "</w:tr>")
        out.append(
            f'<w:tbl><w:tblPr><w:tblW w:w="{grid_w}" w:type="dxa"/><w:tblBorders>'
            '<w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/>'
            '<w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/>'
            '</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar>'
            '<w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar>'
            '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" '
            'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>'
            + "".join(f'<w:gridCol w:w="{g}"/>' for g in grid) + "</w:tblGrid>"
            + "".join(rows_xml) + "</w:tbl>")
        out.append(c.note("Each chart: monthly values, the mean (solid line), control "
                          "limits (dashed) and the target (dotted); points in a signal "
                          "are marked with squares (improvement) or diamonds (concern)."))
    return "".join(out)


def _kpi_chart_cell(c: _Ctx, kpi: Kpi, res: KpiResult | None, width_cm: float,
                    height_cm: float) -> str:
    spc = res.spc if res else None
    marks: dict[str, set[str]] = {"improvement": set(), "concern": set(), "neutral": set()}
    if spc:
        for signal in spc.signals:
            marks.setdefault(signal.kind, set()).update(signal.periods)
    title = f"{clean(kpi.kpi_id)}: {clean(kpi.indicator)}"
    data = charts.RunChartData(
        title="", labels=tuple(p for p, _ in kpi.series),
        values=tuple(v for _, v in kpi.series), unit=clean(kpi.unit), target=kpi.target,
        centre=spc.centre if spc else None, lower=spc.lower if spc else None,
        upper=spc.upper if spc else None,
        improvement=frozenset(marks["improvement"]), concern=frozenset(marks["concern"]),
        neutral=frozenset(marks["neutral"]))
    png = charts.run_chart(data, width_cm, height_cm)
    first, last = kpi.series[0][0], kpi.series[-1][0]
    descr = (f"Run chart of {title}: {len(kpi.series)} monthly values from "
             f"{_month(first)} to {_month(last)}, latest "
             f"{_kpi_value(kpi.series[-1][1], kpi.unit)}.")
    if spc:
        descr += (f" Mean {_number(spc.centre)}, control limits {_number(spc.lower)} to "
                  f"{_number(spc.upper)}; {spc.summary}.")
    if kpi.target is not None:
        descr += f" Target {_kpi_value(kpi.target, kpi.unit)}."
    caption = c.caption("Figure", title)
    picture = c.p(c.picture(png, width_cm, height_cm, f"Run chart {kpi.kpi_id}", descr),
                  jc="center")
    return f"<w:tc>{caption}{picture}</w:tc>"


def _objectives(c: _Ctx, items: list[_Rated]) -> list[str | bytes]:
    run, config = c.run, c.config
    model = run.slippage_model
    out = [c.note("Action descriptions longer than a few lines are shortened here (…); the "
                  "appendix has every action in full.")]
    for number in _objective_numbers(run, config):
        group = sorted((i for i in items if i.action.objective == number),
                       key=lambda i: natural_key(i.action.action_id))
        out.append(c.heading(_objective_title(config, number)))
        if not group:
            out.append(c.text("No actions are recorded against this objective."))
            continue
        out.append(c.text(f"{_plural(len(group), 'action')}: {_count_words(_counts(group))}.",
                          keep_next=True))
        cell_open = c.cell_open()
        rows = []
        for item in group:
            a, r = item.action, item.rating
            rows.append(
                f"{_TR}{cell_open}{_run(a.action_id, _BOLD)}</w:p></w:tc>"
                f"{cell_open}{_run(_brief(a.action))}</w:p></w:tc>"
                f"{cell_open}{_run(a.lead_officer)}</w:p></w:tc>"
                f"{cell_open}{_run(_d(a.end))}</w:p></w:tc>"
                f"{cell_open}{_run(_progress(r, model))}</w:p></w:tc>"
                f"{c.rag_cell(item.rag, empty='Not rated')}</w:tr>".encode())  # see _appendix
        out.extend(c.table_parts([("ID", 1.5), ("Action", -1), ("Lead officer", 2.8),
                                  ("End date", 2.2), ("% complete of expected", 2.2),
                                  ("RAG", 2.1)], rows))
    return out


def _finance_rows(c: _Ctx, streams: Sequence[StreamFinance], total: FinanceRating | None,
                  total_actions: int | None) -> list[str]:
    rows = []

    def row(name: str, actions: int | None, f: FinanceRating, bold: bool) -> str:
        rpr = _BOLD if bold else ""
        note = "underspend" if f.underspend else ""
        return (_TR + c.cell(_run(name, rpr))
                + c.cell(_run("" if actions is None else f"{actions:,}", rpr), jc="right")
                + c.cell(_run(_money(f.budget), rpr), jc="right")
                + c.cell(_run(_money(f.spend_to_date), rpr), jc="right")
                + c.cell(_run(_money(f.forecast), rpr), jc="right")
                + c.cell(_run(_variance(f.variance), rpr), jc="right")
                + c.rag_cell(f.rag, note=note, empty="No budget") + "</w:tr>")

    for s in streams:
        rows.append(row(clean(s.stream), s.actions, s.rating, False))
    if total is not None:
        rows.append(row("Total", total_actions, total, True))
    return rows


_FINANCE_COLUMNS = [("", -1), ("Actions", 1.8), ("Budget", 2.3), ("Spend to date", 2.3),
                    ("Forecast outturn", 2.3), ("Variance", 2.7), ("RAG", 2.1)]


def _finance(c: _Ctx, items: list[_Rated]) -> str:
    run, config = c.run, c.config
    if not run.finance_by_stream:
        return c.text("No budgets, spend or forecasts were given in the trackers this "
                      "period.")
    total = run.finance_total
    live = sum(1 for i in items if i.action.status is not Status.CANCELLED)
    out = [c.text("Budget, spend to date and forecast outturn from the trackers, to the "
                  "nearest pound. Variance is forecast outturn minus budget. An action "
                  "funded by more than one stream is split equally between them; cancelled "
                  "actions are left out."),
           c.caption("Table", "Finance by funding stream"),
           c.table([("Funding stream", -1)] + _FINANCE_COLUMNS[1:],
                   _finance_rows(c, run.finance_by_stream, total, live))]
    flagged = [s for s in run.finance_by_stream if s.rating.reasons]
    if flagged:
        out.append(c.note("; ".join(f"{clean(s.stream)}: {', '.join(s.rating.reasons)}"
                                    for s in flagged) + "."))
    if run.finance_by_objective:
        out.append(c.heading("Finance by objective"))
        out.append(c.table([("Objective", -1)] + _FINANCE_COLUMNS[1:],
                           _finance_rows(c, run.finance_by_objective, None, None)))
    return "".join(out)


def _capped(c: _Ctx, total: int, what: str) -> str:
    if total <= LIST_LIMIT:
        return ""
    return c.note(f"The first {LIST_LIMIT} of {total:,} {what} are shown; the consolidated "
                  "workbook and the officer feedback list every one.")


def _data_quality(c: _Ctx, items: list[_Rated]) -> str:
    run = c.run
    out = [c.heading("Trackers not read")]
    refused = [s for s in run.sources if s.refused]
    if not refused:
        out.append(c.text(f"All {_plural(len(run.sources), 'tracker file')} were read."))
    else:
        by_file: dict[tuple[str, str], Issue] = {(i.file, i.code): i for i in run.issues}
        rows = []
        for s in sorted(refused, key=lambda s: s.path.lower()):
            issue = by_file.get((s.path, s.refused or ""))
            entry = CATALOGUE.get(s.refused or "")
            problem = issue.message if issue else (entry.title if entry else s.refused)
            fix = issue.hint if issue else (entry.hint if entry else "")
            rows.append(_TR + c.cell(_run(s.path))
                        + c.cell(_run(problem)) + c.cell(_run(fix)) + "</w:tr>")
        out.append(c.text(f"{_plural(len(refused), 'tracker file')} of {len(run.sources):,} "
                          "could not be read, so "
                          f"{'its' if len(refused) == 1 else 'their'} actions are missing "
                          "from this report."))
        out.append(c.table([("File", -2), ("Problem", -3), ("What to do", -3)], rows))

    out.append(c.heading("Validation"))
    refused_files = {s.path for s in refused}
    errors = [i for i in run.issues if i.is_error]
    warnings = [i for i in run.issues if not i.is_error]
    if not run.issues:
        out.append(c.text("The trackers passed every check."))
    else:
        files = len({i.file for i in run.issues})
        out.append(c.text(
            f"{_plural(len(errors), 'error')} (rows or files left out of the ratings) and "
            f"{_plural(len(warnings), 'warning')} (rated, but something is off) in "
            f"{_plural(files, 'tracker file')}."))
        by_code: dict[str, list[Issue]] = {}
        for i in run.issues:
            by_code.setdefault(i.code, []).append(i)
        order = sorted(by_code.items(), key=lambda kv: (
            -sum(1 for i in kv[1] if i.is_error), -len(kv[1]), kv[0]))
        rows = []
        for code, found in order:
            entry = CATALOGUE.get(code)
            rows.append(_TR
                        + c.cell(_run(entry.title if entry else code))
                        + c.cell(_run(f"{sum(1 for i in found if i.is_error):,}"), jc="right")
                        + c.cell(_run(f"{sum(1 for i in found if not i.is_error):,}"),
                                 jc="right")
                        + c.cell(_run(f"{len({i.file for i in found}):,}"), jc="right")
                        + "</w:tr>")
        out.append(c.table([("Problem", -1), ("Errors", 1.8), ("Warnings", 2.0),
                            ("Files", 1.6)], rows))
        left_out = [i for i in errors if i.file not in refused_files]
        if left_out:
            out.append(c.caption("Table", "Rows left out of the ratings"))
            rows = [_TR + c.cell(_run(i.location()))
                    + c.cell(_run(i.message)) + "</w:tr>" for i in left_out[:LIST_LIMIT]]
            out.append(c.table([("Where", -1), ("Problem", -1.6)], rows))
            out.append(_capped(c, len(left_out), "rows left out"))

    th = c.config.thresholds
    out.append(c.heading("Updates overdue"))
    stale = sorted((i for i in items if i.rating and i.rating.stale),
                   key=lambda i: (i.action.last_updated, natural_key(i.action.action_id)))
    if not stale:
        out.append(c.text(f"Every tracker row was updated in the {th.stale_days} days "
                          f"before {_d(run.as_of)}."))
    else:
        out.append(c.text(f"{_plural(len(stale), 'action')} last updated more than "
                          f"{th.stale_days} days before {_d(run.as_of)}, oldest first."))
        rows = [_TR
                + c.cell(_run(i.action.action_id, _BOLD)) + c.cell(_run(i.action.lead_officer))
                + c.cell(_run(clean(i.action.source.file)))
                + c.cell(_run(_d(i.action.last_updated)))
                + c.cell(_run(f"{(run.as_of - i.action.last_updated).days:,}"), jc="right")
                + "</w:tr>" for i in stale[:LIST_LIMIT]]
        out.append(c.table([("ID", 1.6), ("Lead officer", -1), ("Tracker", -1.2),
                            ("Last updated", 2.4), ("Days", 1.4)], rows))
        out.append(_capped(c, len(stale), "updates overdue"))

    out.append(c.heading("RAG challenges"))
    challenged = sorted((i for i in items if i.rating and i.rating.challenge),
                        key=lambda i: natural_key(i.action.action_id))
    if not challenged:
        out.append(c.text("No lead officer's RAG is far from the computed one."))
    else:
        out.append(c.text(f"{_plural(len(challenged), 'action')} where the lead officer's "
                          f"RAG and the computed one are {th.challenge_steps} or more steps "
                          "apart: the evidence in the tracker does not support the "
                          "officer's rating, or the tracker is out of date."))
        rows = [_TR
                + c.cell(_run(i.action.action_id, _BOLD)) + c.cell(_run(i.action.lead_officer))
                + c.rag_cell(i.rating.officer, empty="none") + c.rag_cell(i.rating.computed)
                + c.cell(_run("; ".join(i.rating.reasons))) + "</w:tr>"
                for i in challenged[:LIST_LIMIT]]
        out.append(c.table([("ID", 1.6), ("Lead officer", 3.0), ("Officer's RAG", 2.1),
                            ("Computed RAG", 2.1), ("Why", -1)], rows))
        out.append(_capped(c, len(challenged), "RAG challenges"))
    return "".join(out)


def _appendix(c: _Ctx, items: list[_Rated]) -> list[str | bytes]:
    run, config = c.run, c.config
    model = run.slippage_model
    cell_open = c.cell_open()
    close = "</w:p></w:tc>"
    rag_cell = c.rag_cell
    stale_line = _line("overdue", _BOLD)
    columns = [("ID", 1.5), ("Action", -2), ("Lead officer", 2.8), ("Locality", 2.3),
               ("Funding", -1), ("Start and end", 2.2), ("Status", 2.0),
               ("% complete of expected", 2.2), ("Updated", 2.2), ("RAG", 2.1)]
    group_open = (f'{_TR}<w:tc><w:tcPr><w:gridSpan w:val="{len(columns)}"/>'
                  '<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/></w:tcPr>'
                  f"{c.cell_open(keep_next=True)[len('<w:tc>'):]}")
    rows = []
    append = rows.append
    for number in _objective_numbers(run, config):
        group = sorted((i for i in items if i.action.objective == number),
                       key=lambda i: natural_key(i.action.action_id))
        if not group:
            continue
        append(f"{group_open}{_run(_objective_title(config, number), _BOLD)}{close}"
               "</w:tr>".encode())
        for item in group:
            a, r = item.action, item.rating
            append(
                f"{_tr(a.action)}{cell_open}{_run(a.action_id, _BOLD)}{close}"
                f"{cell_open}{_run(a.action)}{close}"
                f"{cell_open}{_run(a.lead_officer)}{close}"
                f"{cell_open}{_run(a.locality or '')}{close}"
                f"{cell_open}{_run('; '.join(a.funding))}{close}"
                f"{cell_open}{_run(_d(a.start))}{_line(_d(a.end))}{close}"
                f"{cell_open}{_run(a.status.value)}{close}"
                f"{cell_open}{_run(_progress(r, model))}{close}"
                f"{cell_open}{_run(_d(a.last_updated))}"
                f"{stale_line if r is not None and r.stale else ''}{close}"
                f"{rag_cell(item.rag, empty='Not rated')}</w:tr>".encode())
    # In pieces, each row UTF-8 as built: joined, the appendix of 12,000 actions was a
    # 30-million-character string (two bytes a character once any row has a "£"), then
    # copied into the part and encoded, about 100 MB at the peak.
    return [
        c.text(f"Every action in the trackers this period ({len(items):,}), by objective."),
        c.caption("Table", "Every action"),
        *c.table_parts(columns, rows),
    ]


# --------------------------------------------------------------------------- assembly


def _context(run: RatedRun, config: Config, items: list[_Rated]) -> dict[str, object]:
    from markupsafe import Markup

    counts = _counts(items)
    report = config.report
    finance = run.finance_total
    prev = run.changes.previous_period
    ctx: dict[str, object] = {
        "board": clean(config.board),
        "partnership": clean(config.partnership),
        "title": clean(report.title),
        "report_by": clean(report.report_by),
        "author": clean(report.author),
        "contact": clean(report.contact),
        "agenda_item": clean(report.agenda_item),
        "meeting_date": clean(report.meeting_date),
        "period": run.period.label,
        "period_name": run.period.name,
        "as_of": _d(run.as_of),
        "previous_period_name": _month(prev) if prev else "",
        "actions_count": f"{len(items):,}",
        "rated_count": f"{sum(counts[r] for r in BRAG):,}",
        "red_count": f"{counts[Rag.RED]:,}",
        "amber_count": f"{counts[Rag.AMBER]:,}",
        "green_count": f"{counts[Rag.GREEN]:,}",
        "blue_count": f"{counts[Rag.BLUE]:,}",
        "grey_count": f"{counts[Rag.GREY]:,}",
        "cancelled_count": f"{counts[Rag.CANCELLED]:,}",
        "newly_red_count": f"{len(run.changes.newly_red):,}",
        "kpi_count": f"{len(run.kpis):,}",
        "budget_total": _money(finance.budget),
        "spend_total": _money(finance.spend_to_date),
        "forecast_total": _money(finance.forecast),
        "variance_total": _variance(finance.variance),
    }
    for name in BLOCKS:
        ctx[name] = Markup(_marker_paragraph(name))
    return ctx


def _marker_paragraph(name: str) -> str:
    return f"<w:p><w:r><w:t>{_MARKER.format(name)}</w:t></w:r></w:p>"


_BUILDERS = {
    "summary": lambda c, items: _summary(c, items),
    "key": lambda c, items: _key(c),
    "exceptions": _exceptions,
    "kpis": lambda c, items: _kpis(c),
    "objectives": _objectives,
    "finance": _finance,
    "data_quality": _data_quality,
    "appendix": _appendix,
}

_IN_TEXT = re.compile(rb"<w:t(?:\s[^>]*)?>[^<]*\Z")


def _splice(document_xml: bytes, blocks: dict[str, list[bytes]],
            template: Path) -> list[bytes]:
    """``document_xml`` in pieces, with each generated part (UTF-8 XML) in place of its
    marker paragraph; the pieces are written one after another rather than joined, which
    would copy the whole body again. A placeholder written without ``p`` lands inside a
    run's text, where a paragraph cannot go: that is the template's fault and is named."""
    pieces: list[bytes] = []
    spots: list[tuple[int, int, str]] = []
    for name, xml in blocks.items():
        marker = _marker_paragraph(name).encode()
        start = document_xml.find(marker)
        first = True
        while start != -1:
            if _IN_TEXT.search(document_xml[max(0, start - 4000):start]):
                raise TemplateError(
                    f"Word template {template}: {{{{ {name} }}}} must be written "
                    f"{{{{p {name} }}}}, alone in a paragraph of its own")
            spots.append((start, start + len(marker), name if first else ""))
            if not first:
                log.warning("Word template %s has {{p %s }} more than once; the part is "
                            "placed at the first only.", template, name)
            first = False
            start = document_xml.find(marker, start + len(marker))
    spots.sort()
    # A marker in the template's own text (tracker text is in the parts and may say
    # anything) is a placeholder that docxtpl put where a paragraph cannot go.
    stray = _MARKER.format("").encode()[:-2]
    at = 0
    for start, end, name in spots + [(len(document_xml), len(document_xml), "")]:
        between = document_xml[at:start]
        if stray in between:
            raise TemplateError(f"Word template {template}: a generated part's placeholder "
                                "is not written as {{p name }} in a paragraph of its own")
        pieces.append(between)
        if name:
            pieces.extend(blocks[name])
        at = end
    return pieces


def _pin_properties(doc, run: RatedRun, config: Config) -> None:
    stamp = datetime.combine(run.as_of, time(0, 0))
    cp = doc.core_properties
    cp.title = f"{clean(config.report.title)}: {run.period.name}"
    cp.subject = clean(config.board)
    cp.author = clean(config.report.author) or clean(config.partnership)
    cp.last_modified_by = "reportgen"
    cp.comments = (f"Board report for {run.period.name}, ratings as at {_d(run.as_of)}, "
                   "written by reportgen")
    cp.keywords = f"board report; {run.period.label}"
    cp.category = "Board report"
    cp.identifier = f"board-report-{run.period.label}"
    cp.language = "en-GB"
    cp.created = stamp
    cp.modified = stamp
    cp.last_printed = stamp
    cp.revision = 1


def _package(data: bytes, blocks: dict[str, list[bytes]], template: Path, as_of: date,
             out_path: Path) -> None:
    """Write the saved package again to ``out_path``, with the parts spliced into
    word/document.xml as it is compressed, and every member dated ``as_of`` (zip entries
    otherwise carry the time of writing)."""
    stamp = (max(as_of.year, 1980), as_of.month, as_of.day, 0, 0, 0)
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        # Spliced (and the template's placeholders checked) before anything is written.
        pieces = _splice(src.read("word/document.xml"), blocks, template)
        try:
            with zipfile.ZipFile(out_path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as dst:
                for name in src.namelist():
                    info = zipfile.ZipInfo(name, date_time=stamp)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = 0o644 << 16
                    if name != "word/document.xml":
                        dst.writestr(info, src.read(name))
                        continue
                    size = sum(map(len, pieces))
                    with dst.open(info, "w", force_zip64=size > 2**31 - 1) as fh:
                        for piece in pieces:
                            fh.write(piece)
        except OSError as exc:
            raise OutputError(f"cannot write {out_path}: {exc.strerror or exc}") from exc


def render_board_report(run: RatedRun, config: Config, out_path: Path,
                        template: Path | None = None) -> Path:
    """Write the board report for ``run`` to ``out_path`` and return the path.

    ``template`` defaults to ``config.paths.template``. Raises TemplateError (one line,
    naming the file) when the template is missing, cannot be opened, or has a placeholder
    that is misspelt or badly written; OutputError when the file cannot be written. A
    missing style or generated part is logged, not raised: the report is still written.
    The write is not atomic; the caller stages it."""
    import jinja2

    template = Path(template or config.paths.template)
    out_path = Path(out_path)
    tpl = _open_template(template)
    layout = _layout(tpl, template)
    items = _rated(run)
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    try:
        tpl.render(_context(run, config, items), env, autoescape=True)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"Word template {template}: a placeholder is badly written "
                            f"({exc.message}); check the braces {{{{ }}}} and {{% %}} "
                            "around it") from exc
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"Word template {template}: unknown placeholder "
                            f"({exc.message}); docs/template.md lists the placeholders") \
            from exc
    except Exception as exc:  # docxtpl's own failures on a damaged template
        reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise TemplateError(f"Word template {template} cannot be rendered: {reason}") \
            from exc

    part = tpl.docx.part

    def add_image(png: bytes) -> str:
        rid, _ = part.get_or_add_image(io.BytesIO(png))
        return rid

    ctx = _Ctx(run=run, config=config, layout=layout, add_image=add_image)
    blocks: dict[str, list[bytes]] = {}
    for name in BLOCKS:
        if name in layout.widths:
            ctx.width = layout.widths[name]
            # As UTF-8 at once: half the memory of the text for parts with "£" or "–".
            built = _BUILDERS[name](ctx, items)
            blocks[name] = [built.encode("utf-8")] if isinstance(built, str) else \
                [p if isinstance(p, bytes) else p.encode("utf-8") for p in built]
    _pin_properties(tpl.docx, run, config)
    saved = io.BytesIO()
    tpl.save(saved)
    _package(saved.getvalue(), blocks, template, run.as_of, out_path)
    return out_path
