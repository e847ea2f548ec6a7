"""The consolidated workbook's Finance sheet: budget, spend, forecast and variance by
funding stream × objective, as live ``SUMIFS`` formulas over the Allocations table with
the Python-computed results as cached values, totals, and a reconciliation against the
Actions table. :class:`FinanceLayout` tells the Summary sheet where each total is.

Text in SUMIFS criteria (the funding stream names) comes from reportgen.toml, not from
trackers; a stream name containing ``*``, ``?`` or ``~`` or starting with ``<``, ``>`` or
``=`` would be read by Excel as a pattern, so such names are best avoided there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xlsxwriter.utility import xl_rowcol_to_cell

from reportgen.config import Config
from reportgen.model import Status
from reportgen.render.cells import cell_text, number, text_lines
from reportgen.render.workbook_tables import WorkbookFormats, page_setup
from reportgen.text import clean
from reportgen.view import PeriodView
from reportgen.view.quality import COMMENTARY_LIMIT
from reportgen.view.words import carried_words, short_title

MEASURES = ("Budget", "Spend", "Forecast", "Variance")


def _pennies(values) -> float:
    """Sum to the penny (integer pennies, so no float drift)."""
    return sum(round(v * 100) for v in values if v is not None) / 100


FINANCE_NOTE = (
    "How these figures are made:",
    "• Every figure is a live SUMIFS formula over the Allocations table (one row per action "
    "and funding stream).",
    "• An action with several funding streams is split in the shares its tracker states "
    "(amounts in the funding cell, or per-stream budget columns); where none is stated, "
    "equally between them (an assumption), in whole pennies, the leftover pennies to the "
    "first stream named.",
    "• Cancelled actions are left out.",
    "• Variance = forecast − budget: positive is a forecast overspend. Red: at or above "
    "{pct:g}% of budget or £{pounds:,.0f}, whichever is lower; Amber: a smaller overspend; "
    "Green: at or under budget.",
)


@dataclass
class FinanceLayout:
    """Where each block of the Finance sheet is (0-based rows), for the Summary sheet and
    tests: ``blocks[measure] = (header_row, first_stream_row, total_row)``."""

    streams: list[str]
    objectives: list[int]
    blocks: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    total_col: int = 0
    totals: dict[tuple[str, str], float] = field(default_factory=dict)  # (measure, stream)
    grand_totals: dict[str, float] = field(default_factory=dict)  # measure -> all streams
    allocations: dict[str, int] = field(default_factory=dict)  # stream -> its rows

    def total_cell(self, measure: str, stream: str) -> str:
        """``Finance!$F$5``: the stream's total for the measure."""
        row = self.blocks[measure][1] + self.streams.index(stream)
        return "Finance!" + xl_rowcol_to_cell(row, self.total_col, True, True)


def basis_lines(view: PeriodView) -> list[tuple[str, str]]:
    """What the figures are, as the paper states it: (label, text) for the budget period,
    the source and how several streams share an action's money."""
    f = view.finance
    lines = [("Budget period", f.period), ("Source of the figures", f.source)]
    if f.split_notes:
        lines.append(("Shares across streams", " ".join(f.split_notes)))
    return lines


def write_finance(ws, view: PeriodView, config: Config, objectives: list[int],
                  fmt: WorkbookFormats) -> FinanceLayout:
    """The Finance sheet: what the figures are (period, source, shares), live SUMIFS over
    the Allocations table with their results to the penny as each formula's cached value,
    the share spent and the forecast's movement by stream, the reconciliation and the
    finance exceptions (the view's)."""
    th = config.thresholds
    allocs = view.allocations
    streams = list(view.finance.stream_names)
    ws.write_string(0, 0, f"Finance by funding stream and objective: {view.period.name}",
                    fmt.title)
    ws.write_string(1, 0, "Live formulas over the Allocations table; see the notes below "
                    "the reconciliation.", fmt.note)
    layout = FinanceLayout(streams, objectives, total_col=1 + len(objectives))
    total_col = layout.total_col
    row = 2
    for label, text in basis_lines(view):
        row = _merged_note(ws, row, label, text, max(total_col, 7), fmt)

    # Python results, in pennies-exact sums, for the cached values.
    sums: dict[tuple[str, str, int], float] = {}
    for al in allocs:
        layout.allocations[al.stream] = layout.allocations.get(al.stream, 0) + 1
    for measure, attr in (("Budget", "budget"), ("Spend", "spend"), ("Forecast", "forecast")):
        groups: dict[tuple[str, int], list[float | None]] = {}
        for al in allocs:
            groups.setdefault((al.stream, al.objective), []).append(getattr(al, attr))
        for (stream, obj), values in groups.items():
            sums[(measure, stream, obj)] = _pennies(values)

    row += 1
    for measure in MEASURES:
        ws.write_string(row, 0, f"{measure} (£)", fmt.subtitle)
        header = row + 1
        ws.write_string(header, 0, "Funding stream", fmt.header)
        for j, obj in enumerate(objectives):
            ws.write_number(header, 1 + j, obj, fmt.objective)
        ws.write_string(header, total_col, "Total", fmt.header)
        first = header + 1
        total_row = first + len(streams)
        layout.blocks[measure] = (header, first, total_row)
        row = total_row + 2
    tr = layout.blocks

    def cached(measure: str, stream: str, obj: int) -> float:
        if measure == "Variance":
            return round(cached("Forecast", stream, obj) - cached("Budget", stream, obj), 2)
        return sums.get((measure, stream, obj), 0.0)

    for measure in MEASURES:
        header, first, total_row = tr[measure]
        for i, stream in enumerate(streams):
            r = first + i
            ws.write_string(r, 0, stream, fmt.text)
            row_total = 0.0
            for j, obj in enumerate(objectives):
                c = 1 + j
                value = cached(measure, stream, obj)
                row_total += value
                if measure == "Variance":
                    formula = (f"={xl_rowcol_to_cell(tr['Forecast'][1] + i, c)}"
                               f"-{xl_rowcol_to_cell(tr['Budget'][1] + i, c)}")
                else:
                    formula = (f"=SUMIFS(Allocations[{measure}],"
                               f"Allocations[Stream],{xl_rowcol_to_cell(r, 0, col_abs=True)},"
                               f"Allocations[Objective],"
                               f"{xl_rowcol_to_cell(header, c, row_abs=True)})")
                ws.write_formula(r, c, formula, fmt.money, value)
            layout.totals[(measure, stream)] = round(row_total, 2)
            ws.write_formula(r, total_col, f"=SUM({xl_rowcol_to_cell(r, 1)}:"
                             f"{xl_rowcol_to_cell(r, total_col - 1)})", fmt.money,
                             round(row_total, 2))
        ws.write_string(total_row, 0, "Total", fmt.total_label)
        for c in range(1, total_col + 1):
            if c < total_col:
                value = sum(cached(measure, s, objectives[c - 1]) for s in streams)
            else:
                value = sum(cached(measure, s, o) for s in streams for o in objectives)
            col_range = (f"{xl_rowcol_to_cell(first, c)}:"
                         f"{xl_rowcol_to_cell(total_row - 1, c)}")
            ws.write_formula(total_row, c, f"=SUM({col_range})", fmt.money_bold,
                             round(value, 2))
            if c == total_col:
                layout.grand_totals[measure] = round(value, 2)

    # Variance RAG by conditional formatting, with the rating thresholds: Red at or above
    # finance_red_percent of budget or finance_red_pounds (whichever is lower), Amber for a
    # smaller overspend, Green at or under budget (cells with no money stay plain).
    vh, vfirst, vtotal = tr["Variance"]
    bfirst = tr["Budget"][1]
    ffirst = tr["Forecast"][1]
    area = f"{xl_rowcol_to_cell(vfirst, 1)}:{xl_rowcol_to_cell(vtotal, total_col)}"
    v = xl_rowcol_to_cell(vfirst, 1)
    b = xl_rowcol_to_cell(bfirst, 1)
    f = xl_rowcol_to_cell(ffirst, 1)
    red = (f"=AND(ROUND({v},2)>0,ROUND({v},2)>=ROUND(MIN({b}*{th.finance_red_percent:g}/100,"
           f"{th.finance_red_pounds:g}),2))")
    for criteria, name in ((red, "Red"), (f"=ROUND({v},2)>0", "Amber"),
                           (f"=AND(ROUND({v},2)<=0,OR({b}<>0,{f}<>0))", "Green")):
        ws.conditional_format(area, {"type": "formula", "criteria": criteria,
                                     "format": fmt.rag[name], "stop_if_true": True})

    row = vtotal + 1
    notes = [*view.finance.objective_notes]
    if view.finance.unused_streams:
        notes.append("No action draws on " + ", ".join(view.finance.unused_streams)
                     + " this period: it is in no finance table.")
    for text in notes:
        row = _merged_note(ws, row, "", text, max(total_col, 7), fmt)
    row = _write_movement(ws, view, layout, row + 1, fmt)

    # Reconciliation with the Actions table.
    row += 1
    ws.write_string(row, 0, "Reconciliation with the Actions sheet", fmt.subtitle)
    ws.write_string(row + 1, 0, "Measure", fmt.header)
    ws.write_string(row + 1, 1, "Finance total", fmt.header)
    ws.write_string(row + 1, 2, "Actions table", fmt.header)
    ws.write_string(row + 1, 3, "Difference", fmt.header)
    non_cancelled = [r.action for r in view.rows if r.action.status is not Status.CANCELLED]
    for k, (measure, attr) in enumerate((("Budget", "budget"), ("Spend", "spend_to_date"),
                                         ("Forecast", "forecast"))):
        r = row + 2 + k
        finance_total = sum(cached(measure, s, o) for s in streams for o in objectives)
        actions_total = _pennies(number(getattr(a, attr)) for a in non_cancelled)
        ws.write_string(r, 0, measure, fmt.text)
        ws.write_formula(r, 1, f"={xl_rowcol_to_cell(tr[measure][2], total_col)}",
                         fmt.money, round(finance_total, 2))
        ws.write_formula(r, 2, f'=SUMIFS(Actions[{measure}],Actions[Status],'
                         f'"<>{Status.CANCELLED.value}")', fmt.money, actions_total)
        ws.write_formula(r, 3, f"=ROUND({xl_rowcol_to_cell(r, 1)}-{xl_rowcol_to_cell(r, 2)},2)",
                         fmt.money, round(finance_total - actions_total, 2))
    ws.write_string(row + 5, 0, "The difference should be £0.00: the Finance totals add back "
                    "to the Actions sheet exactly.", fmt.note)
    for k, line in enumerate(FINANCE_NOTE):
        text = line.format(pct=th.finance_red_percent, pounds=th.finance_red_pounds)
        if k == 0:
            ws.write_string(row + 7, 0, text, fmt.label)
        else:  # wrapped across the table's width, so the page stays as wide as the table
            # merge_range() writes with write(); the text goes in with write_string()
            ws.merge_range(row + 7 + k, 0, row + 7 + k, total_col, "", fmt.note_wrap)
            ws.write_string(row + 7 + k, 0, text, fmt.note_wrap)
            ws.set_row(row + 7 + k, 15 * (1 + len(text) // 110))

    end = _write_exceptions(ws, view, row + 7 + len(FINANCE_NOTE) + 1, max(total_col, 5), fmt)
    ws.write_string(end + 1, 0, "Each action's share of its money in each funding stream "
                    "(stated in the tracker, or an equal split assumed) is on the "
                    "Allocations sheet.", fmt.note)

    ws.set_column(0, 0, max([len(s) for s in streams] + [30]) + 2)
    ws.set_column(1, total_col, 17)
    if total_col < 5:
        ws.set_column(total_col + 1, 5, 17)
    ws.freeze_panes(2, 1)
    page_setup(ws, fmt, repeat_rows=0)
    return layout


def _merged_note(ws, row: int, label: str, text: str, last_col: int,
                 fmt: WorkbookFormats) -> int:
    """"Label: text" wrapped across columns A to ``last_col`` on ``row``; returns the
    next row."""
    line = f"{label}: {text}" if label else text
    # merge_range() writes with write(); the text goes in with write_string()
    ws.merge_range(row, 0, row, last_col, "", fmt.note_wrap)
    ws.write_string(row, 0, cell_text(line), fmt.note_wrap)
    ws.set_row(row, 15 * text_lines(line, 30 + 15 * last_col))
    return row + 1


MOVEMENT_COLUMNS = ("Funding stream", "Budget", "Spend", "% spent", "Forecast",
                    "Forecast last period", "Movement")


def _write_movement(ws, view: PeriodView, layout: FinanceLayout, top: int,
                    fmt: WorkbookFormats) -> int:
    """The share of each stream's budget spent and its forecast's movement since the last
    stored period (the view's figures as the formulas' values); returns the next row."""
    f = view.finance
    since = f" since {f.previous_period}" if f.previous_period else ""
    ws.write_string(top, 0, f"Spent, and forecast movement{since}, by funding stream",
                    fmt.subtitle)
    if not f.previous_period:
        ws.write_string(top + 1, 0, "No earlier period is stored with its figures, so no "
                        "movement is shown.", fmt.note)
    head = top + 2
    for c, h in enumerate(MOVEMENT_COLUMNS):
        label = (f"Forecast, {f.previous_period}" if h == "Forecast last period"
                 and f.previous_period else h)
        ws.write_string(head, c, label, fmt.header)
    ws.set_row(head, 30)  # two lines: "Forecast, August 2018"
    lines = [*f.streams, *([f.total] if f.total is not None else [])]
    for i, line in enumerate(lines):
        r = head + 1 + i
        total = line is f.total
        name = line.name if not total else "Total"
        ws.write_string(r, 0, cell_text(name), fmt.total_label if total else fmt.text)
        money = fmt.money_bold if total else fmt.money
        for c, measure in ((1, "Budget"), (2, "Spend"), (4, "Forecast")):
            ref = ("Finance!" + xl_rowcol_to_cell(layout.blocks[measure][2], layout.total_col,
                                                  True, True) if total
                   else layout.total_cell(measure, line.name))
            value = (layout.grand_totals[measure] if total
                     else layout.totals[(measure, line.name)])
            ws.write_formula(r, c, "=" + ref.split("!", 1)[1], money, value)
        b, sp, fc, was = (xl_rowcol_to_cell(r, c) for c in (1, 2, 4, 5))
        if line.spent is not None:
            ws.write_formula(r, 3, f"={sp}/{b}", fmt.percent, line.spent)
        if line.previous_forecast is not None:
            ws.write_number(r, 5, line.previous_forecast, money)
            ws.write_formula(r, 6, f"={fc}-{was}", money, line.movement)
    return head + 1 + len(lines) + 1



EXCEPTION_COLUMNS = ("Action", "Lead officer", "Budget", "Forecast", "Variance",
                     "Finance RAG")


def _write_exceptions(ws, view: PeriodView, top: int, last_col: int,
                      fmt: WorkbookFormats) -> int:
    """The finance exceptions by action from row ``top`` (the view's, in its order): a
    row per action (ID and short title, lead officer, budget, forecast, variance, finance
    RAG) and under it the lead officer's commentary across the block. Returns the row
    after the block."""
    ws.write_string(top, 0, "Finance exceptions by action", fmt.subtitle)
    found = view.finance.exceptions
    if not found:
        ws.write_string(top + 1, 0, "No action forecasts an overspend: every action with "
                        "a budget is on or under it.", fmt.note)
        return top + 2
    r = _block_head(ws, top + 1, "Each action whose own finance RAG is Red or Amber: its "
                    "whole budget and forecast, across every funding stream it draws on, "
                    "and the lead officer's commentary below it.", EXCEPTION_COLUMNS, fmt)
    for e in found:
        r += 1
        a = e.action.action
        also = e.action.also_under(short=True)
        title = cell_text(f"{e.action.id}: {short_title(a.action)}"
                          + (f" ({also})" if also else ""))
        ws.write_string(r, 0, title, fmt.wrap)
        # the title wraps in column A: give the row its lines, or it runs into the next
        ws.set_row(r, 15 * min(text_lines(title, 30), 4))
        ws.write_string(r, 1, cell_text(a.lead_officer), fmt.text)
        for c, value in ((2, e.budget), (3, e.forecast), (4, e.variance)):
            if value is not None:
                ws.write_number(r, c, value, fmt.money)
        ws.write_string(r, 5, e.rag.value, fmt.rag[e.rag])
        r += 1
        words = carried_words(e.action.rating)
        # the commentary is cut as the view decided (room for the label and the note)
        text = ("Commentary: " + cell_text(clean(a.commentary).strip() or "none given",
                                           COMMENTARY_LIMIT)
                + (f" ({words}.)" if words else ""))
        # merge_range() writes with write(); the text goes in with write_string()
        ws.merge_range(r, 0, r, last_col, "", fmt.note_wrap)
        ws.write_string(r, 0, text, fmt.note_wrap)
        ws.set_row(r, 15 * min(text_lines(text, 30 + 17 * last_col), 27))
    return r + 1


def _block_head(ws, row: int, note: str, columns, fmt: WorkbookFormats) -> int:
    """A block's note on ``row`` and its column headings under it; returns the heading
    row (the block's rows follow it)."""
    ws.write_string(row, 0, note, fmt.note)
    for c, h in enumerate(columns):
        ws.write_string(row + 1, c, h, fmt.header)
    return row + 1
