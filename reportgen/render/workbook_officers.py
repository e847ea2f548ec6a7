"""The consolidated workbook's Officers sheet: the plan by lead officer (the view's
:mod:`reportgen.view.officers`): distinct actions by rating, those not updated this month
or with an update overdue, and the money of their tracker rows as live formulas over the
Actions table (the view's figures as the formulas' values), with the share spent and the
forecast's movement since the last stored period.

The money formulas compare each officer's name with the Actions table's "Lead officer"
cells by ``=`` (SUMPRODUCT), not by SUMIFS: a name from a tracker could hold ``*`` or
``?``, which SUMIFS would read as a pattern.
"""

from __future__ import annotations

from xlsxwriter.utility import xl_rowcol_to_cell

from reportgen.model import Rag, Status
from reportgen.render.cells import Widths, cell_text
from reportgen.render.workbook_tables import WorkbookFormats, page_setup
from reportgen.view import PeriodView

_MONEY = (("Budget", "budget"), ("Spend", "spend"), ("Forecast", "forecast"))


def write_officers(ws, view: PeriodView, fmt: WorkbookFormats) -> None:
    ws.write_string(0, 0, f"The plan by lead officer: {view.period.name}", fmt.title)
    ws.write_string(1, 0, "Each action is counted once, under the lead officer of the row "
                    "shown for it; money is added up from the Actions sheet's rows with the "
                    "officer's name (cancelled rows left out), so a repeated action's money "
                    "counts once, where it is held.", fmt.note)
    previous = view.finance.previous_period
    rags = Rag.worst_first()
    head = 3
    columns = ["Lead officer", "Actions", *(r.value for r in rags), "Not updated this month",
               "Update overdue", "Budget", "Spend", "% spent", "Forecast", "Variance",
               f"Forecast, {previous}" if previous else "Forecast last period", "Movement"]
    col = {name: i for i, name in enumerate(columns)}
    col["Forecast last period"] = len(columns) - 2
    widths = Widths()
    for c, h in enumerate(columns):
        ws.write_string(head, c, h, fmt.rag_header[rags[c - 2]] if 2 <= c < 2 + len(rags)
                        else fmt.header)
        widths.see(c, h, 16)
    ws.set_row(head, 30)  # headings wrap to two lines
    lines = view.officers
    shown = (*lines, view.officers_total) if lines and view.officers_total else ()
    moved = {col["Forecast last period"], col["Movement"]}
    for i, line in enumerate(shown):
        r = head + 1 + i
        total = i == len(lines)
        text, integer, money = ((fmt.total_label, fmt.integer_bold, fmt.money_bold) if total
                                else (fmt.text, fmt.integer, fmt.money))
        name = cell_text(line.name)
        ws.write_string(r, 0, name, text)
        widths.see(0, name, 30)
        if total:  # each column added up, the view's totals as the values
            for c in range(1, len(columns)):
                if c != col["% spent"] and (c not in moved
                                            or line.previous_forecast is not None):
                    top, bottom = xl_rowcol_to_cell(head + 1, c), xl_rowcol_to_cell(r - 1, c)
                    ws.write_formula(r, c, f"=SUM({top}:{bottom})",
                                     money if c >= col["Budget"] else integer,
                                     _figure(line, c, col, rags))
            cells = {m: xl_rowcol_to_cell(r, col[m]) for m in ("Budget", "Spend")}
            if line.spent is not None:
                ws.write_formula(r, col["% spent"], f"={cells['Spend']}/{cells['Budget']}",
                                 fmt.percent, line.spent)
            continue
        ws.write_number(r, 1, len(line.actions), integer)
        for j, rag in enumerate(rags):
            ws.write_number(r, 2 + j, line.counts.get(rag, 0), integer)
        ws.write_number(r, col["Not updated this month"], line.not_updated, integer)
        ws.write_number(r, col["Update overdue"], line.overdue, integer)
        who = xl_rowcol_to_cell(r, 0, col_abs=True)
        for measure, attr in _MONEY:
            ws.write_formula(
                r, col[measure],
                f'=SUMPRODUCT((Actions[Lead officer]={who})*(Actions[Status]<>'
                f'"{Status.CANCELLED.value}")*Actions[{measure}])',
                money, getattr(line, attr) or 0)
        cells = {m: xl_rowcol_to_cell(r, col[m]) for m in ("Budget", "Spend", "Forecast")}
        if line.spent is not None:
            ws.write_formula(r, col["% spent"], f"={cells['Spend']}/{cells['Budget']}",
                             fmt.percent, line.spent)
        ws.write_formula(r, col["Variance"], f"={cells['Forecast']}-{cells['Budget']}",
                         money, line.variance)
        if line.previous_forecast is not None:
            was = xl_rowcol_to_cell(r, col["Forecast last period"])
            ws.write_number(r, col["Forecast last period"], line.previous_forecast, money)
            ws.write_formula(r, col["Movement"], f"={cells['Forecast']}-{was}", money,
                             line.movement)
    if lines:
        ws.autofilter(head, 0, head + len(lines), len(columns) - 1)
    else:
        ws.write_string(head + 1, 0, "No actions this period.", fmt.note)
    widths.apply(ws, minimum=9)
    ws.set_column(0, 0, max(24, widths.width.get(0, 0)))
    ws.set_column(col["Not updated this month"], col["Update overdue"], 12)
    ws.set_column(col["Budget"], len(columns) - 1, 15)
    ws.set_column(col["% spent"], col["% spent"], 9)
    ws.freeze_panes(head + 1, 1)
    page_setup(ws, fmt, repeat_rows=head)


def _figure(line, c: int, col: dict[str, int], rags) -> float:
    """The figure of ``line`` (the view's) that column ``c`` shows."""
    if c == 1:
        return len(line.actions)
    if 2 <= c < 2 + len(rags):
        return line.counts.get(rags[c - 2], 0)
    attr = {col["Not updated this month"]: "not_updated", col["Update overdue"]: "overdue",
            col["Budget"]: "budget", col["Spend"]: "spend", col["Forecast"]: "forecast",
            col["Variance"]: "variance", col["Forecast last period"]: "previous_forecast",
            col["Movement"]: "movement"}[c]
    return getattr(line, attr) or 0


__all__ = ["write_officers"]
