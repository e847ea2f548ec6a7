"""The page budget of the paper's body: everything before Appendix A fits
``[report] body_pages`` A4 pages (default 8) whatever the size of the plan.

The body's parts are bounded by what they hold (five key messages, a few decisions, the
changes since last period named up to a limit, a table per funding stream), except the
exceptions and the run charts. Their height is estimated here, conservatively, from the
counts the run gives (lines of text, table rows, chart heights, in cm), and what is left
of the budget decides how many run charts and exception rows the body shows: the rest are
in the appendices. tests/test_body_budget.py checks the estimate against LibreOffice's
pages for the samples and a 1,000-action plan.
"""

from __future__ import annotations

from math import ceil

from reportgen.render import charts
from reportgen.render.coverage import coverage_statement
from reportgen.render.word.rated import Rated

APPENDIX = {"key": "A", "exceptions_full": "B", "kpi_charts": "C", "data_quality": "D",
            "objectives": "E", "finance_actions": "F", "appendix": "G"}
"""The letter of the appendix each part is in, as the shipped template heads them (the
body's text refers to them: "listed in Appendix B")."""

PAGE_CM = 25.7          # A4 less 2 cm margins top and bottom
FILL = 0.8              # a page is never filled: keep-with-next, rows that cannot split
LINE_CM = 0.5           # a line of 11 pt body text with its spacing
CHARS_PER_LINE = 80     # of body text across a portrait page (conservative)
ROW_CM = 0.55           # a one-line table row (8.5 pt, cell margins)
HEADING_CM = 1.4        # a Heading 1 with its space before and after
EXCEPTION_ROW_CM = 1.25  # an exceptions row: up to three lines in its narrow columns
KPI_ROW_CM = 1.5        # a compact KPI row: the reading wraps to three or four lines
KPI_TABLE_LIMIT = 12    # indicators in the body's table; every one is in Appendix C
KPI_CHARTS_MAX = 4      # run charts in the body (two rows), when they fit
DECISION_LIMIT = 6      # "decide on …" recommendations named in the body
CHANGE_LIMIT = 5        # actions named under each change since last period
MIN_EXCEPTIONS = 8      # exception rows the body always keeps (when there are so many),
                        # and keeps before run charts are given space

FIXED_CM = (
    6.0                 # cover block: title and the seven-row table
    + 8 * HEADING_CM    # Purpose, Recommendations, Summary, Exceptions, KPIs, Finance,
                        # Data quality, Implications (Direction counted below)
    + 4 * 1.1           # the four Implications headings (Heading 2)
    + 3 * LINE_CM       # purpose
    + 12 * LINE_CM      # implications' text
    + HEADING_CM + 2 * LINE_CM + 4 * ROW_CM  # direction required and its table
    + LINE_CM           # "The Integration Joint Board is asked to:"
)
"""The template's own text in the body, in cm."""


def text_cm(text: str) -> float:
    """A paragraph of body text, in cm."""
    return max(1, ceil(len(text) / CHARS_PER_LINE)) * LINE_CM + 0.1


def _summary_cm(c, items: list[Rated]) -> float:
    run = c.run
    cm = 4 * text_cm("x" * 300)             # headline, KPI and finance lines
    cm += 0.8 + 8 * ROW_CM                  # caption and the table by rating
    ch = run.changes
    cm += 1.2                               # changes heading
    for ids in (ch.newly_red, ch.worsened, ch.improved, ch.newly_complete, ch.new,
                ch.removed):
        cm += LINE_CM + min(len(ids), CHANGE_LIMIT) * 0.45 + \
            (0.45 if len(ids) > CHANGE_LIMIT else 0)
    objectives = len({i.action.objective for i in items} | {o.number for o in
                                                            c.config.objectives})
    cm += 1.2 + 0.8 + charts.chart_height(objectives)
    return cm


def _finance_cm(c, items: list[Rated]) -> float:
    """The finance part (render/word/finance.py): period and source, the £000 table by
    stream with its total, the notes (stated and assumed splits, a Red part under the
    total), and at most three overspends named; plus the generated financial-implications
    paragraph under Implications (up to five overspends named). Bounded whatever the plan's
    size."""
    run = c.run
    if not run.finance_by_stream:
        return 2 * LINE_CM + 3 * LINE_CM
    streams = len(run.finance_by_stream)
    return (3 * LINE_CM + 0.8 + (streams + 2) * ROW_CM * 1.3    # intro, caption, table
            + 4 * LINE_CM                                       # Red part, notes
            + LINE_CM + 3 * LINE_CM + LINE_CM                   # overspends, "a further"
            + 8 * LINE_CM)                                      # financial implications


def _page_one_cm(c, items: list[Rated]) -> float:
    from reportgen.render.word.page_one import built_key_messages, built_recommendations
    run = c.run
    statement = coverage_statement(run.coverage, run.repeats)
    cm = text_cm(statement) + 0.6 if statement else 0.0
    cm += LINE_CM + sum(text_cm(m) for m in built_key_messages(c, items))
    recs = built_recommendations(c, items)
    cm += sum(text_cm("".join(t for t, _ in r)) for r in recs[:DECISION_LIMIT + 4])
    return cm + 2 * LINE_CM               # the meeting-date note, spacing


def kpi_table_cm(c) -> float:
    n = min(len(c.run.kpis), KPI_TABLE_LIMIT)
    return 6 * LINE_CM + 0.8 + ROW_CM * 1.5 + n * KPI_ROW_CM + \
        (2 * LINE_CM if len(c.run.kpis) > n else 0)


def chart_row_cm(c) -> float:
    """A row of two run charts with their captions (one on a narrow page)."""
    cols = 2 if c.width_cm >= 14 else 1
    return (c.width_cm / cols - 0.4) * 0.62 + 1.6


def _other_cm(c, items: list[Rated]) -> float:
    """The body less its exceptions and run charts, in cm: worked out once a render
    (the run charts and the exceptions both ask)."""
    return c.once("other_cm", items, lambda: _measure_other_cm(c, items))


def _measure_other_cm(c, items: list[Rated]) -> float:
    return (FIXED_CM + _page_one_cm(c, items) + _summary_cm(c, items) + _finance_cm(c, items)
            + kpi_table_cm(c)
            + 4 * LINE_CM                    # data quality: the counts
            + _records_cm(c)                 # and the notes on earlier periods
            + 2 * text_cm("x" * 400) + 0.8 + ROW_CM * 1.5 + LINE_CM)  # exceptions' text


def _records_cm(c) -> float:
    from reportgen.issues import RECORD_CODES
    from reportgen.render.word.tables import RECORDS_LIMIT
    n = sum(1 for i in c.run.issues if i.code in RECORD_CODES)
    return (LINE_CM + min(n, RECORDS_LIMIT) * 3 * LINE_CM + LINE_CM) if n else 0.0


def budget_cm(c) -> float:
    return c.config.report.body_pages * PAGE_CM * FILL


def body_charts(c, items: list[Rated], charted: int) -> int:
    """How many of ``charted`` run charts the body shows: up to KPI_CHARTS_MAX, in whole
    rows, while MIN_EXCEPTIONS exception rows still fit."""
    cols = 2 if c.width_cm >= 14 else 1
    left = budget_cm(c) - _other_cm(c, items) - MIN_EXCEPTIONS * EXCEPTION_ROW_CM
    rows = max(0, int(left // chart_row_cm(c)))
    return min(charted, KPI_CHARTS_MAX, rows * cols)


def exception_rows(c, items: list[Rated]) -> int:
    """How many exception rows the body shows, after the other parts and the run charts
    it shows; never fewer than MIN_EXCEPTIONS, so that a body whose other parts have
    outgrown the budget still names the exceptions that need the Board first."""
    charted = sum(1 for k in c.run.kpis if len(k.series) >= 2)
    cols = 2 if c.width_cm >= 14 else 1
    shown = body_charts(c, items, charted)
    charts_cm = (1.2 + LINE_CM + ceil(shown / cols) * chart_row_cm(c)) if shown else 0.0
    left = budget_cm(c) - _other_cm(c, items) - charts_cm
    return max(MIN_EXCEPTIONS, int(left // EXCEPTION_ROW_CM))
