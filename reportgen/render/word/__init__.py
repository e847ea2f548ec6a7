"""The Word board report (``board-report-<period>.docx``), in the board's own template.

The template (``templates/board_report.docx`` by default, built by
scripts/make_template.py and edited in Word) holds the cover block, the wording, the
header and footer and every style. docxtpl fills its ``{{ name }}`` placeholders with
autoescape on. Each ``{{p name }}`` paragraph is then replaced by a generated part of the
report, built as WordprocessingML that refers to the template's styles by name
(Heading 2, Caption, List Bullet, Table Text, Table Heading, Note, the table style Report
Table), so restyling them in Word restyles the report. docs/template.md lists every
placeholder.

Generated parts, in the shipped template's order. The body, which fits ``[report]
body_pages`` A4 pages whatever the size of the plan (:mod:`.budget`): ``coverage`` (on
page 1, under the cover block: the statement that this month's data are incomplete and
the one that the trackers hold updates made after the period, or nothing; a template
without it gets the statements at the top of the summary), ``key_messages`` and
``recommendations`` (page 1: up to five key messages naming at most five actions, then
the decisions the trackers ask of the Board and what it is asked to note),
``summary`` (counts by BRAG, changes since last period, a chart of BRAG by objective),
``exceptions`` (one short row per Red and Amber action, what needs the Board first, as
many as the budget allows), ``kpis`` (a compact table and the run charts that fit),
``finance`` (by funding stream, in £000), ``data_quality_counts`` (counts only),
``financial_implications``, ``risk`` and ``consultation`` (the Implications paragraphs;
a template without the last two keeps its own wording). Then the appendices, lettered:
``key`` (colours, symbols, the slippage model), ``exceptions_full`` (every Red and Amber
action in full), ``kpi_charts`` (every indicator and run chart), ``data_quality``
(trackers not read, validation, updates overdue, RAG challenges), ``objectives`` (one
table per objective), ``finance_actions`` (finance by objective and by action, to the
pound) and ``appendix`` (every action).

The modules, each with one reason to change:

- :mod:`.template`: opening the template, reading its styles and page widths, filling it
  with docxtpl, splicing the parts into ``word/document.xml`` and writing the package.
  The parts are spliced in as text after docxtpl has rendered the template, never passed
  through Jinja: text from trackers cannot be read as template syntax (``{{`` and ``{%``
  print as written), and a 12,000-action appendix is not parsed again by lxml.
- :mod:`.wordml`: escaping and the WordML of paragraphs, tables, RAG cells and pictures:
  the only module that writes WordML.
- :mod:`.rated`: a rating in words.
- :mod:`.page_one`: the key messages and the recommendations;
  :mod:`.sections`: the summary, the key and the risk and consultation implications;
  :mod:`.kpis`: the indicators and their run charts in full, :mod:`.kpi_body`: the
  body's compact table; :mod:`.exceptions`: the body's exceptions and Appendix B;
  :mod:`.budget`: the body's page budget; :mod:`.finance`: the finance section, the
  financial implications and the finance appendix; :mod:`.tables`: objectives, data
  quality and the appendix.

The renderer prints the view of the period (reportgen.view: every count, list, order,
rounding and sentence is decided there) with the configuration's wording and layout; it
imports no other renderer but :mod:`reportgen.render.charts` (the PNGs it embeds, sized
to the text width of the page they land on, with alt text).

Same inputs, same document: core properties are pinned to the period's as-of date,
drawing IDs count from a fixed number, chart PNGs carry no timestamps, and the zip
members carry a fixed date, so two renders give identical bytes. The file is written in
place at ``out_path``; placing it atomically is the caller's job
(reportgen.outputs.Staging). Warnings about the template (a missing style or generated
part) go to the ``reportgen`` log; only faults that stop the report raise.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

from markupsafe import Markup

from reportgen.config import Config
from reportgen.model import Rag
from reportgen.render.word.exceptions import exceptions_full_part, exceptions_part
from reportgen.render.word.finance import (
    finance_actions_part, finance_part, financial_implications,
)
from reportgen.render.word.kpi_body import kpis_body_part
from reportgen.render.word.kpis import kpis_part
from reportgen.render.word.page_one import key_messages_part, recommendations_part
from reportgen.render.word.sections import (
    consultation_part, coverage_part, key_part, risk_part, summary_part,
)
from reportgen.render.word.tables import (
    appendix_part, data_quality_counts_part, data_quality_part, objectives_part,
)
from reportgen.render.word.template import (
    BLOCKS, fill, open_template, pin_properties, read_layout, write_package,
)
from reportgen.render.word.wordml import Builder, marker_paragraph
from reportgen.text import clean
from reportgen.view import PeriodView
from reportgen.view.formats import month_name, pounds_text, uk_date, variance_text
from reportgen.view.prose import TO_BE_CONFIRMED

__all__ = ["BLOCKS", "render_board_report"]

log = logging.getLogger(__name__)


def template_context(view: PeriodView, config: Config) -> dict[str, object]:
    """What each ``{{ name }}`` in the template becomes (docs/template.md lists them),
    as plain text for docxtpl to escape; each part's ``{{p name }}`` becomes its marker
    paragraph. Counts are the view's: distinct actions."""
    counts = view.counts.now
    report = config.report
    total = view.finance.total
    p = total.pounds if total is not None else None
    prev = view.previous_period
    ctx: dict[str, object] = {
        "board": clean(config.board),
        "partnership": clean(config.partnership),
        "title": clean(report.title),
        "report_by": clean(report.report_by),
        "author": clean(report.author),
        "contact": clean(report.contact),
        "agenda_item": clean(report.agenda_item),
        "meeting_date": clean(report.meeting_date).strip() or TO_BE_CONFIRMED,
        "period": view.period.label,
        "period_name": view.period.name,
        "as_of": uk_date(view.as_of),
        "previous_period_name": month_name(prev) if prev else "",
        "actions_count": f"{view.counts.actions:,}",
        "not_updated_count": f"{view.carried_actions:,}",
        "rated_count": f"{view.counts.rated:,}",
        "red_count": f"{counts[Rag.RED]:,}",
        "amber_count": f"{counts[Rag.AMBER]:,}",
        "green_count": f"{counts[Rag.GREEN]:,}",
        "blue_count": f"{counts[Rag.BLUE]:,}",
        "grey_count": f"{counts[Rag.GREY]:,}",
        "cancelled_count": f"{counts[Rag.CANCELLED]:,}",
        "newly_red_count": f"{len(view.change('newly_red').actions):,}",
        "kpi_count": f"{len(view.kpis):,}",
        "budget_total": pounds_text(p.budget) if p else "–",
        "spend_total": pounds_text(p.spend) if p else "–",
        "forecast_total": pounds_text(p.forecast) if p else "–",
        "variance_total": variance_text(p.variance) if p else "–",
    }
    for name in BLOCKS:
        ctx[name] = Markup(marker_paragraph(name))
    return ctx


BUILDERS = {
    "coverage": coverage_part,
    "key_messages": key_messages_part,
    "recommendations": recommendations_part,
    "summary": summary_part,
    "key": key_part,
    "exceptions": exceptions_part,
    "kpis": kpis_body_part,
    "objectives": objectives_part,
    "finance": finance_part,
    "financial_implications": financial_implications,
    "risk": risk_part,
    "consultation": consultation_part,
    "finance_actions": finance_actions_part,
    "data_quality": data_quality_part,
    "appendix": appendix_part,
    "data_quality_counts": data_quality_counts_part,
    "exceptions_full": exceptions_full_part,
    "kpi_charts": kpis_part,
}


def render_board_report(view: PeriodView, config: Config, out_path: Path,
                        template: Path | None = None) -> Path:
    """Write the board report of ``view`` to ``out_path`` and return the path.

    ``template`` defaults to ``config.paths.template``. Raises TemplateError (one line,
    naming the file) when the template is missing, cannot be opened, or has a placeholder
    that is misspelt or badly written; OutputError when the file cannot be written. A
    missing style or generated part is logged, not raised: the report is still written.
    The write is not atomic; the caller stages it."""
    template = Path(template or config.paths.template)
    out_path = Path(out_path)
    tpl = open_template(template)
    layout = read_layout(tpl, template)
    fill(tpl, template_context(view, config), template)

    part = tpl.docx.part

    def add_image(png: bytes) -> str:
        # DocumentPart.get_or_add_image, public (what Run.add_picture calls): the PNG as
        # a part of the package, and the relationship ID the picture's WordML refers to.
        rid, _ = part.get_or_add_image(io.BytesIO(png))
        return rid

    builder = Builder(view=view, config=config, layout=layout, add_image=add_image)
    blocks: dict[str, list[bytes]] = {}
    # In the template's order (read_layout records the parts as it meets them), so that
    # the numbered captions count up through the document.
    for name, width in layout.widths.items():
        if name in BUILDERS:
            builder.width = width
            # As UTF-8 at once: half the memory of the text for parts with "£" or "–".
            built = BUILDERS[name](builder)
            blocks[name] = [built.encode("utf-8")] if isinstance(built, str) else \
                [p if isinstance(p, bytes) else p.encode("utf-8") for p in built]
    pin_properties(tpl.docx, view, config)
    saved = io.BytesIO()
    tpl.save(saved)
    write_package(saved.getvalue(), blocks, template, view.as_of, out_path)
    return out_path
