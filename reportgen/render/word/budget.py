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
CHANGE_LIMIT = 5        # actions named under each change since last period
MIN_EXCEPTIONS = 8      # exception rows the body always keeps (when there are so many),
                        # and keeps before run charts are given space
RECORDS_LIMIT = 6       # notes on earlier periods in the body (a missed month, a
                        # recovered history)

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


def _summary_cm(c) -> float:
    view = c.view
    cm = 4 * text_cm("x" * 300)             # headline, KPI and finance lines
    cm += 0.8 + 8 * ROW_CM                  # caption and the table by rating
    cm += 1.2                               # changes heading
    for change in view.changes:
        n = len(change.actions)
        cm += LINE_CM + min(n, CHANGE_LIMIT) * 0.45 + (0.45 if n > CHANGE_LIMIT else 0)
    cm += 1.2 + 0.8 + charts.chart_height(len(view.objectives))
    return cm


def _finance_cm(c) -> float:
    """The finance part (render/word/finance.py): period and source, the £000 table by
    stream with its total, the notes (stated and assumed splits, a Red part under the
    total), and at most three overspends named; plus the generated financial-implications
    paragraph under Implications (up to five overspends named). Bounded whatever the plan's
    size."""
    streams = len(c.view.finance.streams)
    if not streams:
        return 2 * LINE_CM + 3 * LINE_CM
    return (3 * LINE_CM + 0.8 + (streams + 2) * ROW_CM * 1.3    # intro, caption, table
            + 4 * LINE_CM                                       # Red part, notes
            + LINE_CM + 3 * LINE_CM + LINE_CM                   # overspends, "a further"
            + 8 * LINE_CM)                                      # financial implications


def _page_one_cm(c) -> float:
    view = c.view
    cm = sum(text_cm(s) + 0.6 for s in (view.coverage_statement, view.left_out_statement,
                                         view.late_statement) if s)
    cm += LINE_CM + sum(text_cm(m) for m in view.key_messages)
    cm += sum(text_cm("".join(t for t, _ in r)) for r in view.recommendations)
    return cm + 2 * LINE_CM               # spacing


def kpi_table_cm(c) -> float:
    n = min(len(c.view.kpis), KPI_TABLE_LIMIT)
    return 6 * LINE_CM + 0.8 + ROW_CM * 1.5 + n * KPI_ROW_CM + \
        (2 * LINE_CM if len(c.view.kpis) > n else 0)


def chart_row_cm(c) -> float:
    """A row of two run charts with their captions (one on a narrow page)."""
    cols = 2 if c.width_cm >= 14 else 1
    return (c.width_cm / cols - 0.4) * 0.62 + 1.6


def _other_cm(c) -> float:
    """The body less its exceptions and run charts, in cm: worked out once a render
    (the run charts and the exceptions both ask)."""
    return c.once("other_cm", lambda: _measure_other_cm(c))


def _measure_other_cm(c) -> float:
    return (FIXED_CM + _page_one_cm(c) + _summary_cm(c) + _finance_cm(c)
            + kpi_table_cm(c)
            + 4 * LINE_CM                    # data quality: the counts
            + _records_cm(c)                 # and the notes on earlier periods
            + 2 * text_cm("x" * 400) + 0.8 + ROW_CM * 1.5 + LINE_CM)  # exceptions' text


def _records_cm(c) -> float:
    n = len(c.view.quality.records)
    return (LINE_CM + min(n, RECORDS_LIMIT) * 3 * LINE_CM + LINE_CM) if n else 0.0


def budget_cm(c) -> float:
    return c.config.report.body_pages * PAGE_CM * FILL


def body_charts(c, charted: int) -> int:
    """How many of ``charted`` run charts the body shows: up to KPI_CHARTS_MAX, in whole
    rows, while MIN_EXCEPTIONS exception rows still fit."""
    cols = 2 if c.width_cm >= 14 else 1
    left = budget_cm(c) - _other_cm(c) - MIN_EXCEPTIONS * EXCEPTION_ROW_CM
    rows = max(0, int(left // chart_row_cm(c)))
    return min(charted, KPI_CHARTS_MAX, rows * cols)


def exception_rows(c) -> int:
    """How many exception rows the body shows, after the other parts and the run charts
    it shows; never fewer than MIN_EXCEPTIONS, so that a body whose other parts have
    outgrown the budget still names the exceptions that need the Board first."""
    charted = sum(1 for k in c.view.kpis if k.charted)
    cols = 2 if c.width_cm >= 14 else 1
    shown = body_charts(c, charted)
    charts_cm = (1.2 + LINE_CM + ceil(shown / cols) * chart_row_cm(c)) if shown else 0.0
    left = budget_cm(c) - _other_cm(c) - charts_cm
    return max(MIN_EXCEPTIONS, int(left // EXCEPTION_ROW_CM))
