"""The consolidated finance workbook (``consolidated-<period>.xlsx``), written with XlsxWriter.

Sheets, in order:

- **Summary**: when this month's data are incomplete, the coverage statement first (the
  paper's page-1 words), then what was left out of every count and total, and the count
  of updates made after the period's end when there are any; period, as-of date, actions
  in the plan (distinct, with the tracker rows beside), those not updated this month,
  tracker rows left out and their budget, problems by severity; the budget period, the
  source of the figures and the split assumptions (the paper's words); actions by
  reported BRAG and by objective (each action once in the plan's row), finance by funding
  stream with the share spent and the forecast's movement since the last stored period,
  the note of an objective that shows no money because its rows repeat actions held
  elsewhere, a chart of BRAG by objective and one of budget against forecast.
- **Actions**: one Excel table (``Actions``) of every action of the plan with its source
  file and cells (ID, budget, spend, forecast), a link to the tracker at the budget cell,
  the kept copy it was read from and its SHA-256, the officer's, computed and reported
  RAG, the reasons, the money with the share spent and the forecast's movement, the row
  that holds a repeated action's money, and "Updated this month" ("Yes", or "No:
  <reason>; rating from <month>" for an action carried forward, whose RAG is last
  period's).
- **Allocations**: one Excel table (``Allocations``) with a row per action and funding
  stream, from ``run.allocations`` (the split is reportgen.rate's, documented in
  docs/rating.md). Cancelled actions are left out, as they are from every finance total.
- **Finance**: the budget period, source and split assumptions; budget, spend, forecast
  and variance by funding stream × objective as live ``SUMIFS`` formulas over the
  Allocations table (reportgen.render.workbook_finance), the share spent and the
  forecast's movement by stream, then the finance exceptions by action (finance RAG Red
  or Amber, with commentary).
- **Officers**: the plan by lead officer (reportgen.render.workbook_officers).
- **KPIs**: each indicator's series, target, RAG, direction, SPC limits, signal, sparkline.
- **Issues**: every validation issue, hyperlinked to the officer's workbook at the cell
  (an absolute link, so it survives the workbook being emailed).
- **Sources**: every file looked at, read or refused, with the copy the run kept and a
  link to the tracker.

Every sheet prints A4 landscape with its header rows repeated, a page header and a footer
naming the sheet, the period and "Page x of y" (reportgen.render.workbook_tables.page_setup).

Everything is written from the view of the period (reportgen.view): its counts, lists
and Issues; nothing is counted or chosen here. The table sheets are in
reportgen.render.workbook_tables, the cell rules shared with the feedback workbooks in
reportgen.render.cells. Text from trackers is always written with ``write_string``
(``write()`` would turn "=…" into a formula and "{=…}" into an array formula), cleaned,
and cut to Excel's 32,767-character limit with a visible "… [truncated]" marker (the
view lists each cut as a ``text-truncated`` Issue). Document properties are pinned to
the period's as-of date, so two runs of one period on the same inputs give the same bytes.

``constant_memory`` is not used: XlsxWriter refuses tables in that mode (``add_table``
returns -3), and the Actions, Allocations, Issues and Sources sheets are tables that the
Finance formulas refer to by name. benchmarks/bench_workbook.py measures the time and peak
memory at 12,000 actions.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from reportgen.config import Config
from reportgen.errors import OutputError
from reportgen.model import Rag
from reportgen.render.cells import WORKBOOK_OPTIONS, cell_text, colour, serial, text_lines
from reportgen.render.workbook_finance import (
    MEASURES, FinanceLayout, basis_lines, write_finance,
)
from reportgen.render.workbook_officers import write_officers
from reportgen.render.workbook_tables import (
    WorkbookFormats, page_setup, rag_rules, write_actions, write_allocations, write_issues,
    write_kpis, write_sources,
)
from reportgen.view import PeriodView
from reportgen.view.formats import uk_date


def write_consolidated(view: PeriodView, config: Config, path: Path) -> Path:
    """Write the consolidated workbook of ``view`` to ``path`` and return it.

    The file is written in place at ``path``: atomic placement is the caller's job
    (reportgen.outputs.Staging), but links are computed for the folder the file will be
    placed in (:func:`reportgen.view.links.final_folder`).
    Raises OutputError when the file cannot be written."""
    path = Path(path)
    try:
        wb = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    except XlsxWriterException as exc:  # pragma: no cover - bad options only
        raise OutputError(f"cannot write {path}: {exc}") from exc
    created = datetime.combine(view.as_of, time(0, 0))
    wb.set_properties({
        "title": f"Consolidated workbook {view.period.label}",
        "subject": config.report.title,
        "author": config.report.author or "reportgen",
        "company": config.partnership,
        "comments": f"Written by reportgen for {view.period.name}, as of "
                    f"{view.as_of:%d/%m/%Y}",
        "created": created,
    })
    fmt = WorkbookFormats(wb, header=f"{config.partnership}: {config.report.title}",
                          period=f"{view.period.name} (as of {uk_date(view.as_of)})")
    summary = wb.add_worksheet("Summary")
    actions_ws = wb.add_worksheet("Actions")
    alloc_ws = wb.add_worksheet("Allocations")
    finance_ws = wb.add_worksheet("Finance")
    officers_ws = wb.add_worksheet("Officers")
    kpis_ws = wb.add_worksheet("KPIs")
    issues_ws = wb.add_worksheet("Issues")
    sources_ws = wb.add_worksheet("Sources")

    objectives = [number for number, _, _ in view.objectives]
    write_actions(actions_ws, view, fmt)
    write_allocations(alloc_ws, list(view.allocations), fmt)
    layout = write_finance(finance_ws, view, config, objectives, fmt)
    write_officers(officers_ws, view, fmt)
    write_kpis(kpis_ws, view, config, fmt)
    write_sources(sources_ws, view, fmt)
    _write_summary(summary, wb, view, config, layout, fmt)
    write_issues(issues_ws, view, path, fmt)
    summary.activate()
    try:
        wb.close()
    except (XlsxWriterException, OSError) as exc:
        raise OutputError(f"cannot write {path}: {exc}") from exc
    return path


# --------------------------------------------------------------------------- Summary


def _facts(view: PeriodView) -> list[tuple[str, object]]:
    q = view.quality
    facts: list[tuple[str, object]] = [
        ("Period", f"{view.period.name} ({view.period.label})"),
        ("As of", view.as_of),
        ("Actions in the plan", view.counts.actions),
        ("Tracker rows", view.counts.tracker_rows),
    ]
    if view.coverage is not None:
        facts.append(("Not updated this month", view.carried_actions))
    left = view.left_out
    facts.append(("Tracker rows left out of every count and total", len(left.rows)))
    if left.rows:
        facts.append(("Budget of the rows left out", float(left.budget)))
    if left.trackers:
        facts.append(("Tracker files left out (could not be read)", len(left.trackers)))
    if view.late:
        facts.append((f"Updates made after {uk_date(view.as_of)}", view.late))
    facts += [
        ("KPIs", len(view.kpis)),
        ("Files read", q.read),
        ("Files refused", len(q.refused)),
        ("Validation errors", q.errors),
        ("Warnings", q.warnings),
    ]
    if q.not_read:
        facts.append(("Files not read (not a tracker format)", len(q.not_read)))
    if q.others:
        facts.append(("Notes", len(q.others)))
    return facts


def _write_summary(ws, wb, view: PeriodView, config: Config, layout: FinanceLayout,
                   fmt: WorkbookFormats) -> None:
    order = Rag.worst_first()
    tot_col = 1 + len(order)
    last_col = tot_col + 2  # the widest table (finance) ends here
    ws.write_string(0, 0, f"{config.partnership}: consolidated workbook", fmt.title)
    ws.write_string(1, 0, config.report.title, fmt.note)
    first = 3
    warn = wb.add_format({"bold": True, "text_wrap": True, "valign": "top",
                          "font_color": "#9C0006", "bg_color": "#FBE4E4", "border": 1,
                          "border_color": "#C00000"})
    for statement in (view.coverage_statement, view.left_out_statement,
                      view.late_statement):
        if statement:  # at the top, as on page 1 of the paper (DESIGN 4a)
            r = first - 1
            # merge_range() writes with write(); the text goes in with write_string()
            ws.merge_range(r, 0, r, last_col, "", warn)
            ws.write_string(r, 0, statement, warn)
            ws.set_row(r, 15 * text_lines(statement, 30 + 15 * last_col))
            first += 1
    facts = _facts(view)
    for i, (label, value) in enumerate(facts):
        r = first + i
        ws.write_string(r, 0, label, fmt.label)
        if isinstance(value, date):
            ws.write_number(r, 1, serial(value), fmt.date)
        elif isinstance(value, int):
            ws.write_number(r, 1, value, fmt.integer)
        elif isinstance(value, float):  # money, in whole pounds
            ws.write_number(r, 1, value, fmt.money)
        else:
            ws.write_string(r, 1, value, fmt.text)
    # what the money is, as the paper states it: beside the facts, across the page
    r = first + len(facts)
    for label, text in basis_lines(view):
        ws.write_string(r, 0, label, fmt.label)
        ws.merge_range(r, 1, r, last_col, "", fmt.wrap)
        ws.write_string(r, 1, cell_text(text), fmt.wrap)
        ws.set_row(r, 15 * text_lines(text, 15 * (last_col - 1) + 10))
        r += 1

    # Actions by reported BRAG and objective; the plan's row counts each action once.
    top = r + 1
    ws.write_string(top, 0, "Actions by reported RAG and objective (an action the plan "
                    "repeats under several objectives is counted under each, and once in "
                    "the plan)", fmt.subtitle)
    head = top + 1
    ws.write_string(head, 0, "Objective", fmt.header)
    for j, rag in enumerate(order):
        ws.write_string(head, 1 + j, rag.value, fmt.rag_header[rag])
    ws.write_string(head, tot_col, "Total", fmt.header)
    objectives = view.counts.by_objective
    for i, obj in enumerate(objectives):
        r = head + 1 + i
        ws.write_string(r, 0, f"Objective {obj.number}", fmt.text)
        for j, rag in enumerate(order):
            ws.write_number(r, 1 + j, obj.counts.get(rag, 0), fmt.integer)
        ws.write_number(r, tot_col, obj.total, fmt.integer)
    plan_row = head + 1 + len(objectives)
    for r, label, counts, total, bold in (
            (plan_row, "The plan (each action once)", view.counts.now, view.counts.actions,
             True),
            (plan_row + 1, "Tracker rows by RAG", view.counts.rows, view.counts.tracker_rows,
             False)):
        ws.write_string(r, 0, label, fmt.total_label if bold else fmt.text)
        for j, rag in enumerate(order):
            ws.write_number(r, 1 + j, counts.get(rag, 0),
                            fmt.integer_bold if bold else fmt.integer)
        ws.write_number(r, tot_col, total, fmt.integer_bold if bold else fmt.integer)
    r = plan_row + 2
    for obj in objectives:  # each objective's wording, under the table
        wording = cell_text(f"Objective {obj.number}: {obj.title}")
        ws.merge_range(r, 0, r, last_col, "", fmt.note_wrap)
        ws.write_string(r, 0, wording, fmt.note_wrap)
        ws.set_row(r, 15 * text_lines(wording, 30 + 15 * last_col))
        r += 1
    total_row = r - 1

    chart = wb.add_chart({"type": "column", "subtype": "stacked"})
    for j, rag in enumerate(order):
        chart.add_series({
            "name": ["Summary", head, 1 + j],
            "categories": ["Summary", head + 1, 0, plan_row - 1, 0],
            "values": ["Summary", head + 1, 1 + j, plan_row - 1, 1 + j],
            "fill": {"color": colour(rag.fill)}, "border": {"color": "#404040"}, "gap": 60,
        })
    chart.set_title({"name": "Actions by reported RAG and objective"})
    chart.set_y_axis({"name": "Actions", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 560, "height": 300})

    # Finance by funding stream: the Finance sheet's totals (live references), so the two
    # sheets cannot disagree; the streams, the RAG words and the movement are the view's.
    f = view.finance
    ftop = total_row + 2
    ws.write_string(ftop, 0, "Finance by funding stream (cancelled actions left out)",
                    fmt.subtitle)
    fhead = ftop + 1
    previous = (f"Forecast, {f.previous_period}" if f.previous_period
                else "Forecast last period")
    for c, h in enumerate(("Funding stream", "Allocations", "Budget", "Spend", "Forecast",
                           "Variance", "Finance RAG", "% spent", previous, "Movement")):
        ws.write_string(fhead, c, h, fmt.header)
    ws.set_row(fhead, 30)  # two lines: "Forecast, August 2018"
    shares = layout.allocations
    streams = list(f.streams)
    for i, line in enumerate(streams):
        r = fhead + 1 + i
        ws.write_string(r, 0, cell_text(line.name), fmt.text)
        ws.write_formula(r, 1, f"=COUNTIFS(Allocations[Stream],{xl_rowcol_to_cell(r, 0)})",
                         fmt.integer, shares.get(line.name, 0))
        for c, measure in enumerate(MEASURES, start=2):
            ws.write_formula(r, c, "=" + layout.total_cell(measure, line.name), fmt.money,
                             layout.totals[(measure, line.name)])
        if line.rating.rag is not None:
            ws.write_string(r, 6, line.rating.rag.value, fmt.text)
        _spent_and_moved(ws, r, line, fmt.percent, fmt.money)
    ftotal = fhead + 1 + len(streams)
    ws.write_string(ftotal, 0, "Total", fmt.total_label)
    ws.write_formula(ftotal, 1, f"=SUM(B{fhead + 2}:B{ftotal})", fmt.integer_bold,
                     len(view.allocations))
    for c, measure in enumerate(MEASURES, start=2):
        col = xl_col_to_name(c)
        ws.write_formula(ftotal, c, f"=SUM({col}{fhead + 2}:{col}{ftotal})", fmt.money_bold,
                         layout.grand_totals[measure])
    if f.total is not None:
        _spent_and_moved(ws, ftotal, f.total, fmt.percent, fmt.money_bold)
    if streams:
        rag_rules(ws, fmt, f"G{fhead + 2}:G{ftotal}", f"G{fhead + 2}")
        money_chart = wb.add_chart({"type": "bar"})
        for c, bar in ((2, "#8EA9DB"), (4, "#F4B183")):
            money_chart.add_series({
                "name": ["Summary", fhead, c],
                "categories": ["Summary", fhead + 1, 0, ftotal - 1, 0],
                "values": ["Summary", fhead + 1, c, ftotal - 1, c],
                "fill": {"color": bar}, "gap": 80,
            })
        money_chart.set_title({"name": "Budget and forecast by funding stream"})
        money_chart.set_x_axis({"num_format": '£#,##0,"k"',
                                "major_gridlines": {"visible": True}})
        money_chart.set_y_axis({"reverse": True})
        money_chart.set_legend({"position": "bottom"})
        money_chart.set_size({"width": 560, "height": 60 + 45 * len(streams) + 80})
    else:
        money_chart = None
        ws.write_string(fhead + 1, 0, "No finance figures this period.", fmt.note)
    r = ftotal + 1
    for text in f.objective_notes:  # why an objective shows no money
        ws.merge_range(r, 0, r, last_col, "", fmt.note_wrap)
        ws.write_string(r, 0, cell_text(text), fmt.note_wrap)
        ws.set_row(r, 15 * text_lines(text, 30 + 15 * last_col))
        r += 1

    ws.set_column(0, 0, 30)
    ws.set_column(1, last_col, 15)
    ws.insert_chart(r + 1, 0, chart, {"x_offset": 4, "y_offset": 8})
    if money_chart is not None:
        ws.insert_chart(r + 1, 0, money_chart, {"x_offset": 590, "y_offset": 8})
    ws.freeze_panes(2, 0)  # the title stays in sight
    page_setup(ws, fmt, repeat_rows=(0, 1), pages_tall=1)  # a summary: one page


def _spent_and_moved(ws, r: int, line, pct_fmt, money_fmt) -> None:
    """Columns H to J of a Summary finance row: the share spent, last period's forecast
    and the movement since (formulas over the row, the view's figures as their values)."""
    if line.spent is not None:
        ws.write_formula(r, 7, f"=D{r + 1}/C{r + 1}", pct_fmt, line.spent)
    if line.previous_forecast is not None:
        ws.write_number(r, 8, line.previous_forecast, money_fmt)
        ws.write_formula(r, 9, f"=E{r + 1}-I{r + 1}", money_fmt, line.movement)


__all__ = ["write_consolidated"]
