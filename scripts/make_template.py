"""Write templates/board_report.docx, the Word template of the monthly board report.

    python scripts/make_template.py [--out templates/board_report.docx]

The template is an ordinary Word document that a planning officer edits in Word: its
named styles (Normal, Title, Heading 1, Heading 2, Caption, List Bullet, Header, Footer,
Table Text, Table Heading, Note and the table style Report Table), its header and footer,
the cover block and every sentence of wording. Placeholders in double braces are filled by
docxtpl; a ``{{p name }}`` paragraph is replaced by a generated part of the report (tables
and charts) that uses the template's own styles, so a restyle in Word carries through.
Every placeholder is listed in docs/template.md.

The output is reproducible: core properties and zip timestamps are pinned, so running the
script twice gives the same bytes. It is run by hand when the shipped template should
change; the committed file is what reportgen uses.
"""

from __future__ import annotations

import argparse
import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm

ROOT = Path(__file__).resolve().parents[1]
PINNED = datetime(2018, 4, 1, 0, 0, 0)

FONT = "Arial"
NAVY = "1F3864"
W = nsdecls("w")


# --------------------------------------------------------------------------- styles


def _rpr(font: str = FONT, size: float | None = None, bold: bool = False,
         color: str | None = None, italic: bool = False, caps: bool = False) -> str:
    parts = [f'<w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" w:cs="{font}"/>']
    if bold:
        parts.append("<w:b/><w:bCs/>")
    if italic:
        parts.append("<w:i/><w:iCs/>")
    if caps:
        parts.append("<w:caps/>")
    if color:
        parts.append(f'<w:color w:val="{color}"/>')
    if size:
        half = int(round(size * 2))
        parts.append(f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>')
    return f"<w:rPr {W}>{''.join(parts)}</w:rPr>"


def _ppr(before: int = 0, after: int = 120, line: int = 264, keep_next: bool = False,
         keep_lines: bool = False, outline: int | None = None, extra: str = "") -> str:
    parts = []
    if keep_next:
        parts.append("<w:keepNext/>")
    if keep_lines:
        parts.append("<w:keepLines/>")
    parts.append(extra)
    parts.append(f'<w:spacing w:before="{before}" w:after="{after}" w:line="{line}" '
                 'w:lineRule="auto"/>')
    if outline is not None:
        parts.append(f'<w:outlineLvl w:val="{outline}"/>')
    return f"<w:pPr {W}>{''.join(parts)}</w:pPr>"


def _restyle(style, ppr: str | None, rpr: str | None) -> None:
    """Replace a style's paragraph and run properties (theme fonts included, so that a
    font chosen in Word or with python-docx takes effect)."""
    el = style.element
    for tag in ("w:pPr", "w:rPr"):
        for old in el.findall(qn(tag)):
            el.remove(old)
    # pPr and rPr follow name/basedOn/next/link/uiPriority/qFormat/rsid and precede the
    # table properties: appending keeps schema order for paragraph and character styles.
    anchor = el.find(qn("w:tblPr"))
    for xml in (ppr, rpr):
        if xml is None:
            continue
        node = parse_xml(xml)
        if anchor is not None:
            anchor.addprevious(node)
        else:
            el.append(node)


def _paragraph_style(styles, name: str, base: str = "Normal"):
    try:
        return styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        style.quick_style = True
        return style


def build_styles(doc) -> None:
    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault"))
    rpr_default.remove(rpr_default.find(qn("w:rPr")))
    rpr_default.append(parse_xml(
        f'<w:rPr {W}><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" '
        f'w:cs="{FONT}"/><w:sz w:val="22"/><w:szCs w:val="22"/>'
        '<w:lang w:val="en-GB" w:eastAsia="en-GB" w:bidi="ar-SA"/></w:rPr>'))
    ppr_default = defaults.find(qn("w:pPrDefault"))
    ppr_default.remove(ppr_default.find(qn("w:pPr")))
    ppr_default.append(parse_xml(f'<w:pPr {W}><w:spacing w:after="120" w:line="264" '
                                 'w:lineRule="auto"/></w:pPr>'))

    _restyle(styles["Normal"], _ppr(), _rpr(size=11))
    _restyle(styles["Title"], _ppr(after=160, line=240, keep_next=True),
             _rpr(size=15, bold=True, color=NAVY, caps=True))
    _restyle(styles["Heading 1"], _ppr(before=320, after=120, keep_next=True,
                                       keep_lines=True, outline=0),
             _rpr(size=14, bold=True, color=NAVY))
    _restyle(styles["Heading 2"], _ppr(before=200, after=80, keep_next=True,
                                       keep_lines=True, outline=1),
             _rpr(size=12, bold=True, color=NAVY))
    for char_name, size in (("Heading 1 Char", 14), ("Heading 2 Char", 12),
                            ("Title Char", 15)):
        try:
            _restyle(styles[char_name], None, _rpr(size=size, bold=True, color=NAVY))
        except KeyError:
            pass
    caption = styles["Caption"]
    caption.element.find(qn("w:name")).set(qn("w:val"), "caption")
    _restyle(caption, _ppr(before=120, after=60, line=240, keep_next=True),
             _rpr(size=9, bold=True, color="404040"))
    _restyle(styles["List Bullet"],
             _ppr(after=60, extra='<w:numPr><w:numId w:val="1"/></w:numPr>'
                                  '<w:contextualSpacing/>'),
             None)
    for name in ("Header", "Footer"):
        _restyle(styles[name], _ppr(after=0, line=240), _rpr(size=8.5, color="404040"))

    table_text = _paragraph_style(styles, "Table Text")
    _restyle(table_text, _ppr(before=20, after=20, line=240), _rpr(size=8.5))
    table_heading = _paragraph_style(styles, "Table Heading", "Table Text")
    _restyle(table_heading, _ppr(before=20, after=20, line=240, keep_next=True),
             _rpr(size=8.5, bold=True))
    note = _paragraph_style(styles, "Note")
    _restyle(note, _ppr(before=80, after=120, line=240), _rpr(size=8.5, color="404040"))

    table = styles.add_style("Report Table", WD_STYLE_TYPE.TABLE)
    table.base_style = styles["Normal Table"]
    table.element.append(parse_xml(_ppr(before=0, after=0, line=240)))
    table.element.append(parse_xml(_rpr(size=8.5)))
    border = '"single" w:sz="4" w:space="0" w:color="808080"'
    table.element.append(parse_xml(
        f'<w:tblPr {W}><w:tblBorders>'
        + "".join(f"<w:{side} w:val={border}/>"
                  for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
        + '</w:tblBorders><w:tblCellMar><w:top w:w="28" w:type="dxa"/>'
          '<w:left w:w="85" w:type="dxa"/><w:bottom w:w="28" w:type="dxa"/>'
          '<w:right w:w="85" w:type="dxa"/></w:tblCellMar></w:tblPr>'))
    table.element.append(parse_xml(
        f'<w:tblStylePr {W} w:type="firstRow"><w:rPr><w:b/><w:bCs/></w:rPr>'
        '<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="D9E2F3"/></w:tcPr>'
        '</w:tblStylePr>'))
    table.element.append(parse_xml(
        f'<w:tblStylePr {W} w:type="firstCol"><w:rPr><w:b/><w:bCs/></w:rPr>'
        '</w:tblStylePr>'))


# --------------------------------------------------------------------------- content


def _table(doc, rows: list[tuple[str, str]], widths_cm: tuple[float, float],
           first_col: bool = True):
    """A two-column Report Table, with bold labels in the first column when
    ``first_col``."""
    table = doc.add_table(rows=0, cols=2)
    table.style = doc.styles["Report Table"]
    # The table just added is the body's last; python-docx has no API for tblLook, so
    # its properties are edited with lxml through the documented Document.element.
    tbl_pr = doc.element.find(qn("w:body")).findall(qn("w:tbl"))[-1].find(qn("w:tblPr"))
    look = tbl_pr.find(qn("w:tblLook"))
    if look is not None:
        tbl_pr.remove(look)
    tbl_pr.append(parse_xml(
        f'<w:tblLook {W} w:val="{"0080" if first_col else "0000"}" w:firstRow="0" '
        f'w:lastRow="0" w:firstColumn="{1 if first_col else 0}" w:lastColumn="0" '
        'w:noHBand="1" w:noVBand="1"/>'))
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
        for cell, width in zip(cells, widths_cm):
            cell.width = Cm(width)
            cell.paragraphs[0].style = doc.styles["Table Text"]
    for col, width in zip(table.columns, widths_cm):
        col.width = Cm(width)
    return table


def _text_run(text: str) -> str:
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f"<w:r><w:t{space}>{text}</w:t></w:r>"


def _field(instr: str, shown: str) -> str:
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {instr} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f"<w:r><w:t>{shown}</w:t></w:r>"
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def _header_line(style: str, left: str, right: str, width_cm: float) -> str:
    """A header or footer's content: a borderless two-cell table the width of the text,
    ``left`` (runs) left-aligned and ``right`` right-aligned, then the small paragraph a
    header must end with. A table (not a tab stop) keeps the right part at the margin in
    portrait and landscape sections alike; the cell widths are percentages (of 5000), so
    the line spans landscape pages too."""
    def cell(share: int, jc: str, runs: str) -> str:
        return (f'<w:tc><w:tcPr><w:tcW w:type="pct" w:w="{share}"/></w:tcPr><w:p><w:pPr>'
                f'<w:pStyle w:val="{style}"/>{jc}</w:pPr>{runs}</w:p></w:tc>')

    grid = "".join(f'<w:gridCol w:w="{Cm(width_cm * share).twips}"/>'
                   for share in (0.75, 0.25))
    return ('<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblBorders>'
            '<w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/>'
            '<w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/>'
            '</w:tblBorders><w:tblCellMar><w:left w:w="0" w:type="dxa"/>'
            '<w:right w:w="0" w:type="dxa"/></w:tblCellMar><w:tblLook w:firstColumn="1" '
            'w:firstRow="1" w:lastColumn="0" w:lastRow="0" w:noHBand="0" w:noVBand="1" '
            f'w:val="04A0"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid><w:tr>'
            + cell(3750, "", left) + cell(1250, '<w:jc w:val="right"/>', right)
            + '</w:tr></w:tbl><w:p><w:pPr><w:spacing w:after="0" w:line="120" '
              'w:lineRule="exact"/></w:pPr></w:p>')


HEADER = _header_line("Header", _text_run("{{ board }}"), _text_run("{{ period_name }}"),
                      17.0)
FOOTER = _header_line("Footer", _text_run("{{ title }}"),
                      _text_run("Page ") + _field("PAGE", "1") + _text_run(" of ")
                      + _field("NUMPAGES", "1"), 17.0)
_HEADER_PART = re.compile(rb"(<w:(hdr|ftr)\b[^>]*>).*(</w:\2>)\s*\Z", re.S)


def _fill_header_or_footer(xml: bytes) -> bytes:
    """``xml`` with the content of a header or footer part (python-docx has no API for
    table borders, cell margins or fields there) replaced by :data:`HEADER` or
    :data:`FOOTER`; any other part unchanged."""
    m = _HEADER_PART.search(xml)
    if m is None:
        return xml
    content = HEADER if m.group(2) == b"hdr" else FOOTER
    return xml[:m.end(1)] + content.encode("utf-8") + xml[m.start(3):]


def _placeholder_block(doc, name: str) -> None:
    """The paragraph a generated part replaces. It must stay a paragraph of its own."""
    doc.add_paragraph(f"{{{{p {name} }}}}")


def build_body(doc) -> None:
    doc.add_paragraph("{{ board }}", style="Title")
    _table(doc, [
        ("Meeting date", "{{ meeting_date }}"),
        ("Agenda item", "{{ agenda_item }}"),
        ("Title", "{{ title }}"),
        ("Report by", "{{ report_by }}"),
        ("Author", "{{ author }}"),
        ("Contact", "{{ contact }}"),
        ("Reporting period", "{{ period_name }}: ratings as at {{ as_of }}"),
    ], (4.0, 13.0))
    doc.add_paragraph()
    # Page 1: the statement that this month's data are incomplete (nothing when complete).
    _placeholder_block(doc, "coverage")
    # Page 1: up to five key messages generated from the ratings, KPIs and finance.
    _placeholder_block(doc, "key_messages")

    doc.add_heading("Purpose of the report", level=1)
    doc.add_paragraph(
        "This report updates the Integration Joint Board on delivery of the "
        "{{ partnership }} Commissioning and Implementation Plan for {{ period_name }}: "
        "the progress of each action against its timescales, the key performance "
        "indicators, spending by funding stream, and the quality of the information "
        "behind them.")
    doc.add_heading("Recommendations", level=1)
    doc.add_paragraph("The Integration Joint Board is asked to:")
    # Decisions the trackers ask of the Board, then what it is asked to note: generated,
    # so that each names its action, and never "direct" (see "Direction required").
    _placeholder_block(doc, "recommendations")

    # The body (everything before Appendix A) fits [report] body_pages pages: the
    # exceptions, indicators and run charts beyond the budget, the key, the data-quality
    # lists and every action are in the appendices.
    for heading, block in (
        ("Summary", "summary"),
        ("Exceptions: what needs the Board", "exceptions"),
        ("Key performance indicators", "kpis"),
        ("Finance by funding stream", "finance"),
        ("Data quality", "data_quality_counts"),
    ):
        doc.add_heading(heading, level=1)
        _placeholder_block(doc, block)

    doc.add_heading("Implications", level=1)
    doc.add_heading("Financial", level=2)
    # Generated from the finance totals and the finance exceptions: facts only.
    _placeholder_block(doc, "financial_implications")
    doc.add_heading("Equalities", level=2)
    doc.add_paragraph(
        "This monitoring report has no equality implications of its own. Actions that "
        "change services are assessed for their impact on equalities before they start.")
    doc.add_heading("Risk", level=2)
    # Generated: whether each Red or Amber action has a corrective action, in words.
    _placeholder_block(doc, "risk")
    doc.add_heading("Consultation", level=2)
    # Generated: whether the trackers were updated (updates overdue, not updated).
    _placeholder_block(doc, "consultation")

    doc.add_heading("Direction required", level=1)
    doc.add_paragraph("Direction required to the Council, the Health Board or both "
                      "(mark one with X):")
    _table(doc, [
        ("Direction required: none", "X"),
        ("NHS Borders", ""),
        ("Scottish Borders Council", ""),
        ("Both NHS Borders and Scottish Borders Council", ""),
    ], (13.0, 4.0), first_col=False)

    # The appendices, lettered as reportgen.render.word.budget.APPENDIX names them (the
    # body refers to them by letter), on a new page: A to E portrait, F and G landscape.
    doc.add_section(WD_SECTION.NEW_PAGE)
    for heading, block in (
        ("Appendix A: Key to colours and symbols, and how actions are rated", "key"),
        ("Appendix B: Red and Amber actions in full", "exceptions_full"),
        ("Appendix C: Key performance indicators and run charts", "kpi_charts"),
        ("Appendix D: Data quality in detail", "data_quality"),
        ("Appendix E: Progress by objective", "objectives"),
    ):
        doc.add_heading(heading, level=1)
        _placeholder_block(doc, block)
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    doc.add_heading("Appendix F: Finance by action", level=1)
    _placeholder_block(doc, "finance_actions")
    doc.add_heading("Appendix G: Every action", level=1)
    _placeholder_block(doc, "appendix")


def build_sections(doc) -> None:
    first = doc.sections[0]
    first.orientation = WD_ORIENT.PORTRAIT
    first.page_width, first.page_height = Cm(21.0), Cm(29.7)
    for section in doc.sections:
        section.top_margin = section.bottom_margin = Cm(2.0)
        section.left_margin = section.right_margin = Cm(2.0)
        section.header_distance = section.footer_distance = Cm(1.0)
    # Headers of their own, for the first section and so for all; their content is written
    # into the package by _fill_header_or_footer.
    first.header.is_linked_to_previous = False
    first.footer.is_linked_to_previous = False


# --------------------------------------------------------------------------- package


def _drop_thumbnail(doc) -> None:
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package.rels[rid]


def pin_properties(doc) -> None:
    cp = doc.core_properties
    cp.title = "Board report template"
    cp.subject = "Commissioning and Implementation Plan monitoring report"
    cp.author = "reportgen"
    cp.last_modified_by = "reportgen"
    cp.comments = "Template for reportgen; placeholders are listed in docs/template.md"
    cp.keywords = "reportgen; template"
    cp.category = ""
    cp.created = PINNED
    cp.modified = PINNED
    cp.last_printed = PINNED
    cp.revision = 1


def stable_zip(data: bytes, when: datetime = PINNED) -> bytes:
    """The same package with every member stamped ``when`` (the bytes depend only on the
    contents), and the header and footer filled in."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, _fill_header_or_footer(src.read(name)))
    return out.getvalue()


def make_template() -> bytes:
    doc = Document()
    _drop_thumbnail(doc)
    build_styles(doc)
    body = doc.element.find(qn("w:body"))
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    build_body(doc)
    build_sections(doc)
    pin_properties(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return stable_zip(buf.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "templates" / "board_report.docx")
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(make_template())
    print(f"Wrote {args.out}")


if __name__ == "__main__":
    main()
