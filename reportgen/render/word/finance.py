"""The finance parts: ``finance`` (the body's short section, in £000),
``financial_implications`` (the Implications paragraph, generated from the finance
exceptions) and ``finance_actions`` (the appendix: by objective, and every action's
budget, spend and forecast with its funding streams' shares, to the pound).

The body states the budget period and the source (``[finance]`` in reportgen.toml), names
an equal split across streams as an assumption, and never shows a Green or Amber total
over a Red stream or objective without saying which part is Red and by how much.
"""

from __future__ import annotations

from typing import Sequence

from reportgen.model import (
    Allocation, FinanceRating, Rag, RatedRun, Status, StreamFinance,
)
from reportgen.render.coverage import short_title
from reportgen.render.word.budget import APPENDIX
from reportgen.render.formats import id_list, money, natural_key, plural, variance_text
from reportgen.render.word.rated import Rated, also_under
from reportgen.render.word.wordml import BOLD, ITALIC, ROW, Builder, line_run, row_start, \
    text_run
from reportgen.text import clean

BODY_EXCEPTIONS = 3  # finance exceptions in the body; the rest are in the appendix
NOT_STATED = "budget period not stated"


def thousands(value: float | None) -> str:
    """£000 as the body prints it: "£1,234k" (to the nearest £1,000), "£0.4k" under
    £1,000, "–" for none."""
    if value is None:
        return "–"
    sign = "−" if value < 0 else ""
    v = abs(value) / 1000.0
    if 0 < v < 0.95:
        return f"{sign}£{v:.1f}k"
    whole = int(v + 0.5)  # halves up, as money() rounds pounds
    return f"{sign if whole else ''}£{whole:,}k"


def variance_k(value: float | None) -> str:
    """"£120k over", "£55k under" or "on budget", in £000."""
    if value is None:
        return "–"
    if abs(value) < 0.5:
        return "on budget"
    return f"{thousands(abs(value))} {'over' if value > 0 else 'under'}"


def finance_period(c: Builder) -> str:
    """The budget period as configured, or "budget period not stated"."""
    return clean(c.config.finance.period).strip() or NOT_STATED


def period_warning() -> str:
    return ("Configuration: no budget period is set ([finance] period in reportgen.toml, "
            f"e.g. \"2018/19\" or \"whole life\"), so the paper says \"{NOT_STATED}\".")


# --------------------------------------------------------------------------- facts


def assumed_splits(allocations: Sequence[Allocation]) -> dict[str, int]:
    """Action ID -> number of streams, for each action split equally across several
    streams because the tracker states no shares."""
    out: dict[str, int] = {}
    for al in allocations:
        if al.basis == "assumed":
            out[al.action_id] = out.get(al.action_id, 0) + 1
    return out


def red_parts(run: RatedRun) -> list[StreamFinance]:
    """The streams and objectives rated Red, when the plan total is not Red."""
    total = run.finance_total
    if total is None or total.rag not in (Rag.GREEN, Rag.AMBER):
        return []
    return [s for s in (*run.finance_by_stream, *run.finance_by_objective)
            if s.rating.rag is Rag.RED]


def red_part_sentence(run: RatedRun) -> str:
    """"The plan total is Green, but Objective 2 is Red, £157k over its budget of £400k.";
    "" when no Red part sits under a Green or Amber total."""
    parts = red_parts(run)
    if not parts:
        return ""
    words = "; ".join(f"{clean(p.stream)} is Red, {thousands(p.rating.variance)} over its "
                      f"budget of {thousands(p.rating.budget)}" for p in parts)
    return f"The plan total is {run.finance_total.rag.value}, but {words}."


def finance_exceptions_of(items: list[Rated]) -> list[Rated]:
    """The actions whose own finance RAG is Red or Amber, Red first, then the largest
    overspend first (cancelled actions are left out, as from every finance total)."""
    chosen = [i for i in items if i.rating is not None and i.rating.finance is not None
              and i.rating.finance.rag in (Rag.RED, Rag.AMBER)
              and i.action.status is not Status.CANCELLED]
    chosen.sort(key=lambda i: (-i.rating.finance.rag.severity,
                               -(i.rating.finance.variance or 0.0),
                               natural_key(i.action.action_id)))
    return chosen


# --------------------------------------------------------------------------- tables


def finance_rows(c: Builder, streams: Sequence[StreamFinance], total: FinanceRating | None,
                 total_actions: int | None, fmt=money, var=variance_text) -> list[str]:
    """A row per stream (or objective), then a bold total row when ``total`` is given;
    figures by ``fmt`` (pounds, or :func:`thousands` in the body)."""
    rows = []

    def row(name: str, actions: int | None, f: FinanceRating, bold: bool) -> str:
        rpr = BOLD if bold else ""
        note = "underspend" if f.underspend else ""
        return (ROW + c.cell(text_run(name, rpr))
                + c.cell(text_run("" if actions is None else f"{actions:,}", rpr), jc="right")
                + c.cell(text_run(fmt(f.budget), rpr), jc="right")
                + c.cell(text_run(fmt(f.spend_to_date), rpr), jc="right")
                + c.cell(text_run(fmt(f.forecast), rpr), jc="right")
                + c.cell(text_run(var(f.variance), rpr), jc="right")
                + c.rag_cell(f.rag, note=note, empty="No budget") + "</w:tr>")

    for s in streams:
        rows.append(row(clean(s.stream), s.actions, s.rating, False))
    if total is not None:
        rows.append(row("Total", total_actions, total, True))
    return rows


FINANCE_COLUMNS = [("Actions", 1.8), ("Budget", 2.3), ("Spend to date", 2.3),
                   ("Forecast outturn", 2.3), ("Variance", 2.7), ("RAG", 2.1)]
"""The finance tables' columns after the first (the stream or the objective)."""
BODY_COLUMNS = [("Actions", 1.8), ("Budget £000", 2.3), ("Spend £000", 2.3),
                ("Forecast £000", 2.3), ("Variance £000", 2.7), ("RAG", 2.1)]


def finance_part(c: Builder, items: list[Rated]) -> str:
    """The body's finance: period and source, a £000 table by funding stream with its
    total, the assumption of equal splits, any Red part under a Green total, and the
    first few finance exceptions (the rest in the appendix)."""
    run = c.run
    period = finance_period(c)
    source = clean(c.config.finance.source).strip()
    if not run.finance_by_stream:
        return c.text(f"Budget period: {period}. No budgets, spend or forecasts were given "
                      "in the trackers this period.")
    live = sum(1 for i in items if i.action.status is not Status.CANCELLED)
    intro = (f"Budget period: {period}. Source: {source or 'the action trackers'}. Figures "
             "are in £000 (£1,234k is £1,234,000, to the nearest £1,000); Appendix "
             f"{APPENDIX['finance_actions']} gives every action to the pound. Variance is forecast "
             "outturn minus budget; cancelled actions are left out.")
    out = [c.text(intro), c.caption("Table", "Finance by funding stream (£000)"),
           c.table([("Funding stream", -1), *BODY_COLUMNS],
                   finance_rows(c, run.finance_by_stream, run.finance_total, live,
                                thousands, variance_k))]
    notes = []
    red = red_part_sentence(c.run)
    if red:
        out.append(c.p(text_run(red, BOLD)))
    assumed = assumed_splits(run.allocations)
    stated = {al.action_id for al in run.allocations if al.basis == "stated"}
    if stated:
        notes.append(f"{plural(len(stated), 'action')} funded by several streams "
                     f"state{'s' if len(stated) == 1 else ''} each stream's share, and it "
                     "is used.")
    if len(assumed) == 1:
        (aid, n), = assumed.items()
        notes.append(f"{clean(aid)} is split equally across its {n} funding streams: an "
                     "assumption, not a stated share.")
    elif assumed:
        notes.append(f"{plural(len(assumed), 'action')} ({id_list(list(assumed), 6)}) "
                     "are split equally across their funding streams: an assumption, not a "
                     "stated share.")
    flagged = [s for s in run.finance_by_stream if s.rating.reasons]
    if flagged:
        notes.append("; ".join(f"{clean(s.stream)}: {', '.join(s.rating.reasons)}"
                               for s in flagged) + ".")
    if notes:
        out.append(c.note(" ".join(notes)))
    out.append(_body_exceptions(c, items))
    return "".join(out)


def _body_exceptions(c: Builder, items: list[Rated]) -> str:
    chosen = finance_exceptions_of(items)
    if not chosen:
        return c.text("No action forecasts an overspend: every action with a budget is on "
                      "or under it.")
    total = sum(i.rating.finance.variance or 0.0 for i in chosen)
    lines = []
    for item in chosen[:BODY_EXCEPTIONS]:
        a, f = item.action, item.rating.finance
        lines.append(text_run(a.action_id, BOLD)
                     + text_run(f" {short_title(a.action, 50)} ({clean(a.lead_officer)}): "
                                f"{variance_k(f.variance)}, finance {f.rag.value}"))
    rest = len(chosen) - BODY_EXCEPTIONS
    out = [c.text(f"{plural(len(chosen), 'action')} forecast{'s' if len(chosen) == 1 else ''}"
                  f" an overspend totalling {thousands(total)}"
                  + (", largest first:" if len(chosen) > 1 else ":"), keep_next=True),
           c.bullets(lines)]
    if rest > 0:
        out.append(c.note(f"A further {plural(rest, 'action')} forecasting an overspend "
                          f"{'is' if rest == 1 else 'are'} in Appendix "
                          f"{APPENDIX['finance_actions']}."))
    return "".join(out)


# --------------------------------------------------------------------------- implications


def financial_implications(c: Builder, items: list[Rated]) -> str:
    """The financial-implications paragraph in words, facts only."""
    run = c.run
    total = run.finance_total
    period = finance_period(c)
    if total is None or total.budget is None:
        return (f"Budget period: {period}. No budgets were given in the trackers this "
                "period, so the plan's financial position cannot be stated.")
    words = [f"For {period}" if period != NOT_STATED else f"With the {NOT_STATED}",
             f", the forecast outturn is {thousands(total.forecast)} against a budget of "
             f"{thousands(total.budget)} ({variance_k(total.variance)}); spend to date is "
             f"{thousands(total.spend_to_date)}."]
    chosen = finance_exceptions_of(items)
    if chosen:
        over = sum(i.rating.finance.variance or 0.0 for i in chosen)
        named = ", ".join(f"{i.action.action_id} ({short_title(i.action.action, 40)}, "
                          f"{variance_k(i.rating.finance.variance)})"
                          for i in chosen[:5])
        more = f" and {plural(len(chosen) - 5, 'other')}" if len(chosen) > 5 else ""
        words.append(f" {_count(len(chosen))} forecast{'s' if len(chosen) == 1 else ''} "
                     f"an overspend totalling {thousands(over)}: {named}{more}.")
    else:
        words.append(" No action forecasts an overspend.")
    red = red_part_sentence(c.run)
    if red:
        words.append(" " + red)
    assumed = assumed_splits(run.allocations)
    if assumed:
        words.append(f" The split of {plural(len(assumed), 'action')}' money across funding "
                     "streams is assumed equal, not stated.")
    return c.text("".join(words))


def _count(n: int) -> str:
    names = ("No action", "One action", "Two actions", "Three actions", "Four actions",
             "Five actions")
    return names[n] if n < len(names) else f"{n:,} actions"


# --------------------------------------------------------------------------- appendix


def finance_actions_part(c: Builder, items: list[Rated]) -> list[str | bytes]:
    """The appendix: finance by objective, then every action with money, to the pound:
    its funding streams with each share (stated or an assumed equal split), budget,
    spend, forecast, variance and finance RAG."""
    run = c.run
    out: list[str | bytes] = [c.text(
        f"Budget period: {finance_period(c)}. Figures to the nearest pound. Shares marked "
        "\u201cstated\u201d are the tracker's own; \u201cequal, assumed\u201d is an equal "
        "split because the tracker states no share.")]
    if run.finance_by_objective:
        out.append(c.caption("Table", "Finance by objective"))
        out.append(c.table([("Objective", -1), *FINANCE_COLUMNS],
                           finance_rows(c, run.finance_by_objective, None, None)))
    by_action: dict[str, list[Allocation]] = {}
    for al in run.allocations:
        by_action.setdefault(al.action_id, []).append(al)
    by_id = {i.action.action_id: i for i in items}
    rows = []
    for item in sorted(items, key=lambda i: (i.action.objective,
                                             natural_key(i.action.action_id))):
        a, r = item.action, item.rating
        f = r.finance if r is not None else None
        if a.status is Status.CANCELLED or f is None or \
                all(v is None for v in (f.budget, f.spend_to_date, f.forecast)):
            continue
        what = text_run(a.action_id, BOLD) + text_run(" " + short_title(a.action))
        also = also_under(item, [by_id[x] for x in run.repeats.get(a.action_id, ())
                                 if x in by_id])
        if also:
            what += line_run(also, ITALIC)
        shares = by_action.get(a.action_id, [])
        streams = [text_run(f"{clean(al.stream)}: {money(al.budget)}")
                   + text_run(f" ({_share(al)})", ITALIC) for al in shares] \
            or [text_run("–")]
        rows.append((row_start(a.action) + c.cell(what) + c.cell_paras(streams)
                     + c.cell(text_run(money(f.budget)), jc="right")
                     + c.cell(text_run(money(f.spend_to_date)), jc="right")
                     + c.cell(text_run(money(f.forecast)), jc="right")
                     + c.cell(text_run(variance_text(f.variance)), jc="right")
                     + c.rag_cell(f.rag, empty="No budget", mark=item.mark)
                     + "</w:tr>").encode())
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


__all__ = ["NOT_STATED", "finance_actions_part", "finance_exceptions_of",
           "finance_part", "finance_period", "finance_rows", "financial_implications",
           "period_warning", "red_part_sentence", "red_parts", "thousands", "variance_k"]
