"""The board's Word template, filled by docxtpl, and the package written around it.

:func:`open_template` opens the template and :func:`read_layout` reads what it offers
(style IDs, the text width at each ``{{p name }}`` placeholder). :func:`fill` renders its
``{{ name }}`` placeholders with autoescape on; each ``{{p name }}`` paragraph becomes a
marker paragraph, which :func:`write_package` replaces with the generated part as it
writes ``word/document.xml``, so text from trackers never passes through Jinja.
:func:`pin_properties` and the fixed zip dates make two renders byte-identical.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import jinja2
from docx.enum.style import WD_STYLE_TYPE
from docxtpl import DocxTemplate

from reportgen.config import Config
from reportgen.errors import OutputError, TemplateError
from reportgen.render.word.wordml import (
    MARKER, PORTRAIT_TWIPS, STYLES, TABLE_STYLE, Layout, ends_inside_text, marker_paragraph,
)
from reportgen.text import clean
from reportgen.view import PeriodView
from reportgen.view.formats import uk_date

log = logging.getLogger(__name__)

BLOCKS = ("coverage", "key_messages", "recommendations", "summary", "key", "exceptions",
          "kpis", "objectives", "finance", "financial_implications", "risk", "consultation",
          "data_quality", "appendix", "data_quality_counts", "exceptions_full", "kpi_charts",
          "finance_actions")
"""The generated parts, each placed by a ``{{p name }}`` paragraph in the template."""
OPTIONAL_BLOCKS = ("coverage", "risk", "consultation")
"""Parts a template may leave out silently: without ``{{p coverage }}`` the coverage
statement opens the summary instead; a template without ``{{p risk }}`` or
``{{p consultation }}`` keeps its own wording there."""

_PLACEHOLDER = re.compile(r"\{\{\s*p\s+(\w+)\s*\}\}")
_BLOCK_USE = re.compile(r"\{\{-?\s*(p\s+)?(\w+)")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def open_template(path: Path) -> DocxTemplate:
    """The template at ``path``, opened; TemplateError (one line, naming the file) when it
    is missing or is not a .docx."""
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
    return width if width > 1000 else PORTRAIT_TWIPS


def read_layout(tpl: DocxTemplate, path: Path) -> Layout:
    """The style IDs and the text width at each part's placeholder in ``tpl``. A missing
    style or part is logged and left out; a part placeholder written without ``p`` raises
    TemplateError."""
    doc = tpl.docx
    styles = {role: _style_id(doc, name, WD_STYLE_TYPE.PARAGRAPH, path)
              for role, name in STYLES.items()}
    table_style = _style_id(doc, TABLE_STYLE, WD_STYLE_TYPE.TABLE, path)
    widths: dict[str, int] = {}
    pending: list[str] = []
    body = doc.element.find(_W + "body")  # lxml on the documented Document.element
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
                          else PORTRAIT_TWIPS)
    missing = [b for b in BLOCKS if b not in widths and b not in OPTIONAL_BLOCKS]
    if missing:
        log.warning("Word template %s has no {{p %s }} paragraph, so the report leaves "
                    "that part out.", path, " }}, {{p ".join(missing))
    return Layout(styles, table_style, widths)


def fill(tpl: DocxTemplate, context: dict[str, object], path: Path) -> None:
    """Render ``tpl``'s placeholders from ``context`` with autoescape on (docxtpl's
    default is off, which drops "<" and "&" from text). Raises TemplateError naming
    ``path`` for a badly written or unknown placeholder, or a template docxtpl cannot
    render."""
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    try:
        tpl.render(context, env, autoescape=True)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"Word template {path}: a placeholder is badly written "
                            f"({exc.message}); check the braces {{{{ }}}} and {{% %}} "
                            "around it") from exc
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"Word template {path}: unknown placeholder "
                            f"({exc.message}); docs/template.md lists the placeholders") \
            from exc
    except Exception as exc:  # docxtpl's own failures on a damaged template
        reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise TemplateError(f"Word template {path} cannot be rendered: {reason}") \
            from exc


def splice(document_xml: bytes, blocks: dict[str, list[bytes]],
           template: Path) -> list[bytes]:
    """``document_xml`` in pieces, with each generated part (UTF-8 XML) in place of its
    marker paragraph; the pieces are written one after another rather than joined, which
    would copy the whole body again. A placeholder written without ``p`` lands inside a
    run's text, where a paragraph cannot go: that is the template's fault and is named."""
    pieces: list[bytes] = []
    spots: list[tuple[int, int, str]] = []
    for name, xml in blocks.items():
        marker = marker_paragraph(name).encode()
        start = document_xml.find(marker)
        first = True
        while start != -1:
            if ends_inside_text(document_xml[max(0, start - 4000):start]):
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
    stray = MARKER.format("").encode()[:-2]
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


def pin_properties(doc, view: PeriodView, config: Config) -> None:
    """Set ``doc``'s core properties from the period, dated its as-of day: python-docx
    would otherwise stamp the time of writing."""
    stamp = datetime.combine(view.as_of, time(0, 0))
    cp = doc.core_properties
    cp.title = f"{clean(config.report.title)}: {view.period.name}"
    cp.subject = clean(config.board)
    cp.author = clean(config.report.author) or clean(config.partnership)
    cp.last_modified_by = "reportgen"
    cp.comments = (f"Board report for {view.period.name}, ratings as at "
                   f"{uk_date(view.as_of)}, written by reportgen")
    cp.keywords = f"board report; {view.period.label}"
    cp.category = "Board report"
    cp.identifier = f"board-report-{view.period.label}"
    cp.language = "en-GB"
    cp.created = stamp
    cp.modified = stamp
    cp.last_printed = stamp
    cp.revision = 1


def write_package(data: bytes, blocks: dict[str, list[bytes]], template: Path,
                  as_of: date, out_path: Path) -> None:
    """Write the saved package again to ``out_path``, with the parts spliced into
    word/document.xml as it is compressed, and every member dated ``as_of`` (zip entries
    otherwise carry the time of writing)."""
    stamp = (max(as_of.year, 1980), as_of.month, as_of.day, 0, 0, 0)
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        # Spliced (and the template's placeholders checked) before anything is written.
        pieces = splice(src.read("word/document.xml"), blocks, template)
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
