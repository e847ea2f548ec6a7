"""The consolidated finance workbook (``consolidated-<period>.xlsx``), written with XlsxWriter.

Sheets, in order:

- **Summary**: when this month's data are incomplete, the coverage statement first (the
  paper's page-1 words, reportgen.render.coverage); period, as-of date, actions in the
  plan and those not updated this month, counts by reported BRAG and by objective,
  finance by funding stream, a chart of BRAG by objective and one of budget against
  forecast.
- **Actions**: one Excel table (``Actions``) of every action of the plan with its source
  file and cell, the officer's, computed and reported RAG, the reasons, the money, and
  "Updated this month" ("Yes", or "No: <reason>; rating from <month>" for an action
  carried forward, whose RAG is last period's).
- **Allocations**: one Excel table (``Allocations``) with a row per action and funding
  stream, from ``run.allocations`` (the split is reportgen.rate's, documented in
  docs/rating.md). Cancelled actions are left out, as they are from every finance total.
- **Finance**: budget, spend, forecast and variance by funding stream × objective as live
  ``SUMIFS`` formulas over the Allocations table (reportgen.render.workbook_finance),
  then the finance exceptions by action (finance RAG Red or Amber, with commentary).
- **KPIs**: each indicator's series, target, RAG, direction, SPC limits, signal, sparkline.
- **Issues**: every validation issue, hyperlinked to the officer's workbook at the cell.
- **Sources**: every file looked at, read or refused.

The table sheets are in reportgen.render.workbook_tables, the cell rules shared with the
feedback workbooks in reportgen.render.cells. Text from trackers is always written with
``write_string`` (``write()`` would turn "=…" into a formula and "{=…}" into an array
formula), cleaned, and cut to Excel's 32,767-character limit with a visible
"… [truncated]" marker and a ``text-truncated`` Issue. Document properties are pinned to
the period's as-of date, so two runs of one period on the same inputs give the same bytes.

``constant_memory`` is not used: XlsxWriter refuses tables in that mode (``add_table``
returns -3), and the Actions, Allocations, Issues and Sources sheets are tables that the
Finance formulas refer to by name. benchmarks/bench_workbook.py measures the time and peak
memory at 12,000 actions.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time
from pathlib import Path

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from reportgen.config import Config
from reportgen.errors import OutputError
from reportgen.issues import Issue
from reportgen.model import Allocation, RatedRun
from reportgen.render.cells import (
    RAG_COLOURS, RAG_ORDER, WORKBOOK_OPTIONS, TextGuard, cell_text, colour, serial,
    text_lines,
)
from reportgen.render.coverage import coverage_statement, severity_name
from reportgen.render.workbook_finance import MEASURES, FinanceLayout, write_finance
from reportgen.render.workbook_tables import (
    WorkbookFormats, rag_rules, write_actions, write_allocations, write_issues, write_kpis,
    write_sources,
)


def write_consolidated(run: RatedRun, config: Config, path: Path,
                       workbooks: Path) -> list[Issue]:
    """Write the consolidated workbook to ``path`` and return the Issues found while
    writing (``text-truncated``, one per tracker cell whose text was cut).

    The returned Issues are already listed on the workbook's Issues sheet; the caller adds
    them to ``run.issues`` for the other outputs. The file is written in place at
    ``path``: atomic placement is the caller's job (reportgen.outputs.Staging), but links
    are computed for the folder the file will be placed in
    (:func:`reportgen.render.cells.final_folder`).
    Raises OutputError when the file cannot be written."""
    path = Path(path)
    guard = TextGuard()
    try:
        wb = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    except XlsxWriterException as exc:  # pragma: no cover - bad options only
        raise OutputError(f"cannot write {path}: {exc}") from exc
    created = datetime.combine(run.as_of, time(0, 0))
    wb.set_properties({
        "title": f"Consolidated workbook {run.period.label}",
        "subject": config.report.title,
        "author": config.report.author or "reportgen",
        "company": config.partnership,
        "comments": f"Written by reportgen for {run.period.name}, as of "
                    f"{run.as_of:%d/%m/%Y}",
        "created": created,
    })
    fmt = WorkbookFormats(wb)
    summary = wb.add_worksheet("Summary")
    actions_ws = wb.add_worksheet("Actions")
    alloc_ws = wb.add_worksheet("Allocations")
    finance_ws = wb.add_worksheet("Finance")
    kpis_ws = wb.add_worksheet("KPIs")
    issues_ws = wb.add_worksheet("Issues")
    sources_ws = wb.add_worksheet("Sources")

    allocs = list(run.allocations)
    objectives = _objectives(run, config)
    streams = _streams(allocs, config)

    write_actions(actions_ws, run, fmt, guard)
    write_allocations(alloc_ws, allocs, fmt)
    layout = write_finance(finance_ws, run, config, allocs, objectives, streams, fmt, guard)
    write_kpis(kpis_ws, run, config, fmt, guard)
    write_sources(sources_ws, run, fmt, guard)
    _write_summary(summary, wb, run, config, objectives, allocs, layout, fmt)
    # Last, so that texts cut on the other sheets are listed too.
    write_issues(issues_ws, run, path, workbooks, fmt, guard)
    summary.activate()
    try:
        wb.close()
    except (XlsxWriterException, OSError) as exc:
        raise OutputError(f"cannot write {path}: {exc}") from exc
    return list(guard.issues)


def _objectives(run: RatedRun, config: Config) -> list[int]:
    numbers = [o.number for o in config.objectives]
    extra = sorted({a.objective for a in run.actions} - set(numbers))
    return numbers + extra


def _streams(allocs: list[Allocation], config: Config) -> list[str]:
    """Configured streams in configuration order, then any others A–Z."""
    used = {a.stream for a in allocs}
    known = list(config.stream_names)
    return known + sorted(used - set(known))


def _objective_label(config: Config, number: int) -> str:
    obj = config.objective(number)
    return obj.text if obj else "(not in the configuration)"



# --------------------------------------------------------------------------- Summary


def _write_summary(ws, wb, run: RatedRun, config: Config, objectives: list[int],
                   allocs: list[Allocation], layout: FinanceLayout, fmt: WorkbookFormats) -> None:
    ws.write_string(0, 0, f"{config.partnership}: consolidated workbook", fmt.title)
    ws.write_string(1, 0, config.report.title, fmt.note)
    statement = coverage_statement(run.coverage, run.repeats)
    first = 3
    if statement:  # at the top, as on page 1 of the paper (DESIGN 4a)
        warn = wb.add_format({"bold": True, "text_wrap": True, "valign": "top",
                              "font_color": "#9C0006", "bg_color": "#FBE4E4", "border": 1,
                              "border_color": "#C00000"})
        # merge_range() writes with write(); the text goes in with write_string()
        ws.merge_range(2, 0, 2, 1 + len(RAG_ORDER) + 1, "", warn)
        ws.write_string(2, 0, statement, warn)
        ws.set_row(2, 15 * text_lines(statement, 30 + 15 * (1 + len(RAG_ORDER)) + 60))
        first = 4
    errors = sum(1 for i in run.issues if i.is_error)
    warnings = sum(1 for i in run.issues if severity_name(i) == "warning")
    facts = [
        ("Period", f"{run.period.name} ({run.period.label})"),
        ("As of", run.as_of),
        ("Actions in the plan", run.coverage.plan_actions if run.coverage
         else len(run.actions)),
    ]
    if run.coverage is not None:
        facts.append(("Not updated this month", run.coverage.carried))
    facts += [
        ("KPIs", len(run.kpis)),
        ("Files read", sum(1 for s in run.sources if not s.refused)),
        ("Files refused", sum(1 for s in run.sources if s.refused)),
        ("Validation errors", errors),
        ("Warnings", warnings),
    ]
    not_read = sum(1 for i in run.issues if i.code == "file-not-read")
    if not_read:
        facts.append(("Files not read (not a tracker format)", not_read))
    for i, (label, value) in enumerate(facts):
        r = first + i
        ws.write_string(r, 0, label, fmt.label)
        if isinstance(value, date):
            ws.write_number(r, 1, serial(value), fmt.date)
        elif isinstance(value, int):
            ws.write_number(r, 1, value, fmt.integer)
        else:
            ws.write_string(r, 1, value, fmt.text)

    # Counts by reported BRAG and objective.
    top = first + len(facts) + 1
    ws.write_string(top, 0, "Actions by reported RAG and objective", fmt.subtitle)
    head = top + 1
    ws.write_string(head, 0, "Objective", fmt.header)
    for j, rag in enumerate(RAG_ORDER):
        ws.write_string(head, 1 + j, rag.value, fmt.rag_header[rag])
    tot_col = 1 + len(RAG_ORDER)
    ws.write_string(head, tot_col, "Total", fmt.header)
    ws.write_string(head, tot_col + 1, "Objective wording", fmt.header)
    counts: Counter = Counter()
    for a in run.actions:
        r = run.ratings.get(a.action_id)
        if r is not None:
            counts[(a.objective, r.reported)] += 1
    for i, obj in enumerate(objectives):
        r = head + 1 + i
        ws.write_string(r, 0, f"Objective {obj}", fmt.text)
        for j, rag in enumerate(RAG_ORDER):
            ws.write_number(r, 1 + j, counts[(obj, rag)], fmt.integer)
        ws.write_number(r, tot_col, sum(counts[(obj, n)] for n in RAG_ORDER), fmt.integer)
        wording = cell_text(_objective_label(config, obj))
        ws.write_string(r, tot_col + 1, wording, fmt.wrap)
        ws.set_row(r, 15 * text_lines(wording, 60))
    total_row = head + 1 + len(objectives)
    ws.write_string(total_row, 0, "Total", fmt.total_label)
    for j, rag in enumerate(RAG_ORDER):
        ws.write_number(total_row, 1 + j, sum(counts[(o, rag)] for o in objectives),
                        fmt.integer_bold)
    ws.write_number(total_row, tot_col, sum(counts.values()), fmt.integer_bold)

    chart = wb.add_chart({"type": "column", "subtype": "stacked"})
    for j, rag in enumerate(RAG_ORDER):
        fill, _ = RAG_COLOURS[rag]
        chart.add_series({
            "name": ["Summary", head, 1 + j],
            "categories": ["Summary", head + 1, 0, total_row - 1, 0],
            "values": ["Summary", head + 1, 1 + j, total_row - 1, 1 + j],
            "fill": {"color": colour(fill)}, "border": {"color": "#404040"}, "gap": 60,
        })
    chart.set_title({"name": "Actions by reported RAG and objective"})
    chart.set_y_axis({"name": "Actions", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 560, "height": 300})

    # Finance by funding stream: the Finance sheet's totals (live references), so the two
    # sheets cannot disagree; the RAG word is the rating's (run.finance_by_stream).
    ftop = total_row + 2
    ws.write_string(ftop, 0, "Finance by funding stream (cancelled actions left out)",
                    fmt.subtitle)
    fhead = ftop + 1
    for c, h in enumerate(("Funding stream", "Allocations", "Budget", "Spend", "Forecast",
                           "Variance", "Finance RAG")):
        ws.write_string(fhead, c, h, fmt.header)
    shares = Counter(al.stream for al in allocs)
    stream_rags = {sf.stream: sf.rating.rag for sf in run.finance_by_stream}
    streams = [s for s in layout.streams if shares[s]]
    for i, stream in enumerate(streams):
        r = fhead + 1 + i
        ws.write_string(r, 0, cell_text(stream), fmt.text)
        ws.write_formula(r, 1, f"=COUNTIFS(Allocations[Stream],{xl_rowcol_to_cell(r, 0)})",
                         fmt.integer, shares[stream])
        for c, measure in enumerate(MEASURES, start=2):
            ws.write_formula(r, c, "=" + layout.total_cell(measure, stream), fmt.money,
                             layout.totals[(measure, stream)])
        rag = stream_rags.get(stream)
        if rag is not None:
            ws.write_string(r, 6, rag.value, fmt.text)
    ftotal = fhead + 1 + len(streams)
    ws.write_string(ftotal, 0, "Total", fmt.total_label)
    ws.write_formula(ftotal, 1, f"=SUM(B{fhead + 2}:B{ftotal})", fmt.integer_bold,
                     len(allocs))
    for c, measure in enumerate(MEASURES, start=2):
        col = xl_col_to_name(c)
        ws.write_formula(ftotal, c, f"=SUM({col}{fhead + 2}:{col}{ftotal})", fmt.money_bold,
                         round(sum(layout.totals[(measure, s)] for s in streams), 2))
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

    ws.set_column(0, 0, 30)
    ws.set_column(1, tot_col, 15)
    ws.set_column(tot_col + 1, tot_col + 1, 60)
    ws.insert_chart(ftotal + 2, 0, chart, {"x_offset": 4, "y_offset": 8})
    if money_chart is not None:
        ws.insert_chart(ftotal + 2, 0, money_chart, {"x_offset": 590, "y_offset": 8})
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


__all__ = ["write_consolidated"]
