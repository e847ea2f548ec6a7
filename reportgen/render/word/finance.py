"""The finance parts: ``finance`` (the body's short section, in £000),
``financial_implications`` (the Implications paragraph) and ``finance_actions`` (the
appendix: by objective, and every tracker row's budget, spend and forecast with its
funding streams' shares, to the pound).

The figures, the exceptions, the notes and the sentences are the view's
(reportgen.view.finance and .prose): printed parts add to the printed totals in each
unit, cancelled actions are left out, and a Green or Amber total never hides a Red part.
"""

from __future__ import annotations

from reportgen.model import Allocation, Status
from reportgen.render.word.wordml import BOLD, ITALIC, Builder, line_run, row_start, \
    text_run
from reportgen.view.finance import FinanceLine
from reportgen.view.formats import (
    k_text, money, plural, pounds_text, variance_k, variance_text,
)
from reportgen.view.prose import APPENDIX
from reportgen.view.words import short_title

BODY_EXCEPTIONS = 3  # finance exceptions in the body; the rest are in the appendix


def finance_rows(c: Builder, lines: list[FinanceLine], total: FinanceLine | None,
                 thousands: bool = False) -> list[str]:
    """A row per stream (or objective), then a bold total row when ``total`` is given;
    the figures as the view prints them in £ or in £000."""
    rows = []

    def row(line: FinanceLine, bold: bool) -> str:
        rpr = BOLD if bold else ""
        p = line.k if thousands else line.pounds
        fmt = k_text if thousands else pounds_text
        var = variance_k(p.variance) if thousands else variance_text(p.variance)
        note = "underspend" if line.rating.underspend else ""
        return c.row(c.cell(text_run(line.name, rpr)),
                     c.cell(text_run(f"{line.actions:,}", rpr), jc="right"),
                     c.cell(text_run(fmt(p.budget), rpr), jc="right"),
                     c.cell(text_run(fmt(p.spend), rpr), jc="right"),
                     c.cell(text_run(fmt(p.forecast), rpr), jc="right"),
                     c.cell(text_run(var, rpr), jc="right"),
                     c.rag_cell(line.rating.rag, note=note, empty="No budget"))

    for line in lines:
        rows.append(row(line, False))
    if total is not None:
        rows.append(row(total, True))
    return rows


FINANCE_COLUMNS = [("Actions", 1.8), ("Budget", 2.3), ("Spend to date", 2.3),
                   ("Forecast outturn", 2.3), ("Variance", 2.7), ("RAG", 2.1)]
"""The finance tables' columns after the first (the stream or the objective)."""
BODY_COLUMNS = [("Actions", 1.8), ("Budget £000", 2.3), ("Spend £000", 2.3),
                ("Forecast £000", 2.3), ("Variance £000", 2.7), ("RAG", 2.1)]


def finance_part(c: Builder) -> str:
    """The body's finance: period and source, a £000 table by funding stream with its
    total, the assumption of equal splits, any Red part under a Green total, and the
    first few finance exceptions (the rest in the appendix)."""
    f = c.view.finance
    if not f.streams:
        return c.text(f"Budget period: {f.period}. No budgets, spend or forecasts were "
                      "given in the trackers this period.")
    intro = (f"Budget period: {f.period}. Source: {f.source}. Figures are in £000 "
             "(£1,234k is £1,234,000), each to the nearest £1,000 and adding to the "
             f"totals; Appendix {APPENDIX['finance_actions']} gives every action to the "
             "pound. Variance is forecast outturn minus budget; cancelled actions are left "
             "out. An action funded by several streams is counted under each.")
    out = [c.text(intro), c.caption("Table", "Finance by funding stream (£000)"),
           c.table([("Funding stream", -1), *BODY_COLUMNS],
                   finance_rows(c, list(f.streams), f.total, thousands=True))]
    if f.red_parts:
        out.append(c.p(text_run(f.red_parts, BOLD)))
    notes = list(f.split_notes)
    if f.stream_notes:
        notes.append("; ".join(f.stream_notes) + ".")
    if notes:
        out.append(c.note(" ".join(notes)))
    out.append(_body_exceptions(c))
    return "".join(out)


def _body_exceptions(c: Builder) -> str:
    f = c.view.finance
    found = f.exceptions
    if not found:
        return c.text("No action forecasts an overspend: every action with a budget is on "
                      "or under it.")
    lines = []
    for e in found[:BODY_EXCEPTIONS]:
        lines.append(text_run(e.action.id, BOLD)
                     + text_run(f" {short_title(e.action.action.action, 50)} "
                                f"({e.action.officer}): {variance_k(e.variance_k)}, "
                                f"finance {e.rag.value}"))
    rest = len(found) - BODY_EXCEPTIONS
    out = [c.text(f"{plural(len(found), 'action')} forecast{'s' if len(found) == 1 else ''}"
                  f" an overspend totalling {k_text(f.exceptions_k)}"
                  + (", largest first:" if len(found) > 1 else ":"), keep_next=True),
           c.bullets(lines)]
    if rest > 0:
        out.append(c.note(f"A further {plural(rest, 'action')} forecasting an overspend "
                          f"{'is' if rest == 1 else 'are'} in Appendix "
                          f"{APPENDIX['finance_actions']}."))
    return "".join(out)


def financial_implications(c: Builder) -> str:
    """The financial-implications paragraph, as the view words it."""
    return c.text(c.view.implications.financial)


def finance_actions_part(c: Builder) -> list[str | bytes]:
    """The appendix: finance by objective, then every tracker row with money, to the
    pound: its funding streams with each share (stated or an assumed equal split),
    budget, spend, forecast, variance and finance RAG."""
    view = c.view
    f = view.finance
    out: list[str | bytes] = [c.text(
        f"Budget period: {f.period}. Figures to the nearest pound. Shares marked "
        "\u201cstated\u201d are the tracker's own; \u201cequal, assumed\u201d is an equal "
        "split because the tracker states no share.")]
    if f.objectives:
        out.append(c.caption("Table", "Finance by objective"))
        out.append(c.table([("Objective", -1), *FINANCE_COLUMNS],
                           finance_rows(c, list(f.objectives), f.total)))
    rows = []
    for number, _, _ in view.objectives:
        for row in view.rows_of(number):
            act, r = row.action, row.rating
            fin = r.finance if r is not None else None
            if act.status is Status.CANCELLED or fin is None or \
                    all(v is None for v in (fin.budget, fin.spend_to_date, fin.forecast)):
                continue
            a = view.action_of(row.id)
            what = text_run(act.action_id, BOLD) + text_run(" " + short_title(act.action))
            also = a.also_under() if row is a.lead else ""
            if also:
                what += line_run(also, ITALIC)
            shares = f.allocations.get(act.action_id, ())
            streams = [text_run(f"{al.stream}: {money(al.budget)}")
                       + text_run(f" ({_share(al)})", ITALIC) for al in shares] \
                or [text_run("–")]
            rows.append(c.row(
                c.cell(what), c.cell_paras(streams),
                c.cell(text_run(money(fin.budget)), jc="right"),
                c.cell(text_run(money(fin.spend_to_date)), jc="right"),
                c.cell(text_run(money(fin.forecast)), jc="right"),
                c.cell(text_run(variance_text(fin.variance)), jc="right"),
                c.rag_cell(fin.rag, empty="No budget", mark=row.mark),
                start=row_start(act.action)).encode())
    if not rows:
        out.append(c.text("No action has a budget, spend or forecast this period."))
        return out
    out.append(c.caption("Table", "Finance by action"))
    out.extend(c.table_parts([("Action", -1.3), ("Funding stream: budget share", -1.2),
                              ("Budget", 2.2), ("Spend to date", 2.2),
                              ("Forecast outturn", 2.2), ("Variance", 2.5),
                              ("Finance RAG", 2.0)], rows))
    return out


def _share(al: Allocation) -> str:
    if al.basis == "stated":
        return f"{al.share}, stated"
    if al.basis == "single":
        return "all"
    return f"{al.share}, equal, assumed"


__all__ = ["finance_actions_part", "finance_part", "finance_rows", "financial_implications"]
