"""The narrative parts: the summary (counts by BRAG, changes since last period, the chart
of BRAG by objective) and the key to colours and symbols."""

from __future__ import annotations

from collections import Counter
from typing import Mapping

from reportgen.model import Rag
from reportgen.render import charts
from reportgen.render.word.budget import APPENDIX, CHANGE_LIMIT
from reportgen.render.word.finance import thousands, variance_k
from reportgen.render.formats import (
    money, month_name, natural_key, plural, signed, uk_date,
)
from reportgen.render.coverage import (
    CARRIED_KEY, CARRIED_MARK, coverage_statement, short_title,
)
from reportgen.render.word.rated import (
    BRAG, Rated, distinct_counts, distinct_rag_counts, objective_numbers, plan_words,
    rag_counts,
)
from reportgen.render.word.wordml import BOLD, ROW, Builder, line_run, text_run


MEANINGS = {  # a rating in a few words, for the summary table
    Rag.RED: "Overdue, or well behind plan",
    Rag.AMBER: "Behind plan, or on hold",
    Rag.GREEN: "On track",
    Rag.BLUE: "Complete",
    Rag.GREY: "Not yet due to start",
    Rag.CANCELLED: "Cancelled: not rated",
}


def summary_part(c: Builder, items: list[Rated]) -> str:
    """Counts by rating against last period, the KPI and finance headline, the changes
    since last period and the chart of ratings by objective."""
    run, config = c.run, c.config
    counts = distinct_rag_counts(items, run.repeats)  # a repeated action counted once
    rated = sum(counts[r] for r in BRAG)
    cancelled = counts.get(Rag.CANCELLED, 0)
    # Opens with the coverage statement when the template has no page-1 place for it.
    out = [] if "coverage" in c.layout.widths else [coverage_part(c, items)]
    carried = sum(1 for i in items if i.carried)
    plan = max(len(items), run.coverage.plan_actions if run.coverage else 0)
    out.append(c.text(
        f"At {uk_date(run.as_of)} the plan has {plan_words(plan, items, run.repeats)}: {rated:,} rated "
        f"and {cancelled:,} cancelled (cancelled actions are not rated). "
        f"{counts[Rag.RED]:,} {'is' if counts[Rag.RED] == 1 else 'are'} Red and "
        f"{counts[Rag.AMBER]:,} Amber; {counts[Rag.BLUE]:,} "
        f"{'is' if counts[Rag.BLUE] == 1 else 'are'} complete."
        + (f" These counts include {plural(carried, 'action')} not updated this month, "
           f"counted at {'its' if carried == 1 else 'their'} last rating (marked "
           f"{CARRIED_MARK})." if carried else "")))

    prev = run.changes.previous_period
    before = distinct_counts(run.previous_rags, run.repeats) \
        if (prev or run.previous_rags) else None
    rows = []
    for rag in (*BRAG, Rag.CANCELLED):
        now = counts.get(rag, 0)
        was = before.get(rag, 0) if before is not None else None
        share = f"{100 * now / rated:.0f}%" if rated and rag in BRAG else "–"
        rows.append(ROW + c.rag_cell(rag)
                    + c.cell(text_run(MEANINGS.get(rag, "")))
                    + c.cell(text_run(f"{now:,}"), jc="right")
                    + c.cell(text_run(share), jc="right")
                    + c.cell(text_run("–" if was is None else f"{was:,}"), jc="right")
                    + c.cell(text_run("–" if was is None else signed(now - was)), jc="right")
                    + "</w:tr>")
    last_head = f"{month_name(prev, short=True)}" if prev else "Last period"
    kpi_counts = Counter(r.rag for r in run.kpi_results.values() if r.rag is not None)
    finance = run.finance_total
    headline = []
    if run.kpis:
        headline.append(
            f"Key performance indicators: {plural(len(run.kpis), 'indicator')}, "
            + (", ".join(f"{kpi_counts[r]:,} {r.value}" for r in (Rag.RED, Rag.AMBER, Rag.GREEN)
                         if kpi_counts.get(r)) or "none rated against a target") + ".")
    if finance.budget is not None:
        headline.append(f"Finance: forecast outturn {thousands(finance.forecast)} against "
                        f"a budget of {thousands(finance.budget)} "
                        f"({variance_k(finance.variance)}).")
    if headline:
        out.append(c.text(" ".join(headline)))
    out.append(c.caption("Table", "Actions by rating, this period and last"))
    out.append(c.table([("Rating", 2.1), ("Meaning", -1), ("Actions", 1.8),
                        ("Share of rated", 1.8), (last_head, 1.8), ("Change", 1.8)], rows))

    ch = run.changes
    if prev:
        out.append(c.heading(f"Changes since {month_name(prev)}"))
        lines = []
        by_id = {i.action.action_id: i for i in items}
        for label, ids in (("Newly Red", ch.newly_red), ("Worsened", ch.worsened),
                           ("Improved", ch.improved), ("Newly complete", ch.newly_complete),
                           ("New actions", ch.new), ("No longer reported", ch.removed)):
            lines.append(text_run(f"{label} ({len(ids):,})", BOLD)
                         + (change_runs(ids, by_id, ch.removed_names) if ids
                            else text_run(": none")))
        out.append(c.bullets(lines))
    else:
        out.append(c.heading("Changes since last period"))
        out.append(c.text("No earlier period is stored yet, so changes are shown from next "
                          "month."))

    out.append(c.heading("Ratings by objective"))
    chart_rows = []
    for number in objective_numbers(run, config):
        group = [i for i in items if i.action.objective == number]
        if not group and config.objective(number) is None:
            continue
        oc = rag_counts(group)
        chart_rows.append((f"Objective {number}", {r.value: oc.get(r, 0) for r in BRAG}))
    width_cm = min(16.0, c.width_cm)
    height_cm = charts.chart_height(len(chart_rows))
    png = charts.brag_by_objective(chart_rows, width_cm, height_cm)
    descr = "Stacked bar chart of actions by rating for each objective. " + "; ".join(
        f"{label}: " + ", ".join(f"{n} {rag}" for rag, n in counts_.items() if n)
        if any(counts_.values()) else f"{label}: no rated actions"
        for label, counts_ in chart_rows) + "."
    out.append(c.caption("Figure", "Actions by rating for each objective (cancelled "
                                   "actions left out)"))
    out.append(c.p(c.picture(png, width_cm, height_cm, "Ratings by objective", descr),
                   jc="center"))
    return "".join(out)


def coverage_part(c: Builder, items: list[Rated]) -> str:
    """The coverage statement (reportgen.render.coverage.coverage_statement) as a boxed
    paragraph, its first sentence bold; "" when this month's data are complete or there is
    no stored period to compare with, so the paper then says nothing about it."""
    statement = coverage_statement(c.run.coverage, c.run.repeats)
    if not statement:
        return ""
    first, _, rest = statement.partition(". ")
    return c.boxed(text_run(first + ".", BOLD) + text_run(" " + rest))


def change_runs(ids: tuple[str, ...], by_id: dict[str, Rated],
                known: Mapping[str, tuple[str, str]] = {}) -> str:
    """Each action of a change list on its own line: its ID, short title and lead
    officer (for an action no longer in the run, as ``known`` (the last stored period)
    has them, else the ID alone), the first CHANGE_LIMIT in natural order, then "and N
    more"."""
    ordered = sorted(ids, key=natural_key)
    runs = text_run(":")
    for action_id in ordered[:CHANGE_LIMIT]:
        item = by_id.get(action_id)
        if item is not None:
            title, lead = item.action.action, item.action.lead_officer
        else:
            title, lead = known.get(action_id, ("", ""))
        runs += (line_run(action_id, BOLD)
                 + (text_run(f" {short_title(title)}") if title.strip() else "")
                 + text_run(f" ({lead})" if lead.strip() else ""))
    if len(ordered) > CHANGE_LIMIT:
        runs += line_run(f"and {len(ordered) - CHANGE_LIMIT:,} more: Appendix "
                         f"{APPENDIX['appendix']} lists every action")
    return runs


def key_part(c: Builder) -> str:
    """What each colour and symbol means, with this configuration's thresholds, then the
    slippage model and which rating is reported."""
    run, th = c.run, c.config.thresholds
    model = run.slippage_model or th.slippage_model
    if model == "ratio":
        red = (f"Overdue (the end date has passed and the action is not complete), or "
               f"progress below {th.ratio_red:.2f} of what the plan expects by now.")
        amber = f"Progress below {th.ratio_amber:.2f} of what the plan expects, or on hold."
        model_text = (
            f"Slippage model: ratio. Expected % complete is the share of the time from "
            f"start to end that has passed at {uk_date(run.as_of)}; progress is actual % "
            f"complete divided by expected %. Amber below {th.ratio_amber:.2f}, Red below "
            f"{th.ratio_red:.2f}.")
    else:
        red = (f"Overdue (the end date has passed and the action is not complete), or "
               f"{th.points_red:g} or more percentage points behind plan.")
        amber = f"{th.points_amber:g} or more percentage points behind plan, or on hold."
        model_text = (
            f"Slippage model: points. Expected % complete is the share of the time from "
            f"start to end that has passed at {uk_date(run.as_of)}; slippage is expected % "
            f"minus actual % complete, in percentage points. Amber at {th.points_amber:g} "
            f"points or more, Red at {th.points_red:g} or more.")
    policy = {
        "worse-of": "The rating reported is the worse of the lead officer's own RAG and "
                    "the one computed from dates and progress.",
        "computed": "The rating reported is the one computed from dates and progress; "
                    "the lead officer's own RAG is shown beside it.",
        "officer": "The rating reported is the lead officer's own RAG; the one computed "
                   "from dates and progress is shown beside it.",
    }.get(th.reported_rag, "")
    meanings = [
        (Rag.RED, red), (Rag.AMBER, amber), (Rag.GREEN, "On track: neither Red nor Amber."),
        (Rag.BLUE, "Complete."),
        (Rag.GREY, f"Not yet due: not started, and not due to start until after "
                   f"{uk_date(run.as_of)}."),
        (Rag.CANCELLED, "Cancelled: shown for the record, not rated and left out of the "
                        "finance totals."),
    ]
    rows = [ROW + c.rag_cell(rag)
            + c.cell(text_run(text)) + "</w:tr>" for rag, text in meanings]
    symbols = [
        ("▲ ▼ ►", "Key performance indicator direction of travel: improving, worsening, "
                  "no change, judged by whether higher or lower is better."),
        ("†", "Rated on dates and status alone: the tracker gives no % complete."),
        (CARRIED_MARK, CARRIED_KEY),
        ("Update overdue", f"The tracker row was last updated more than {th.stale_days} "
                           f"days before {uk_date(run.as_of)}."),
        ("RAG challenge", f"The lead officer's RAG and the computed one are "
                          f"{th.challenge_steps} or more steps apart."),
        ("Finance RAG", f"Red: forecast overspend of {th.finance_red_percent:g}% of "
                        f"budget or {money(th.finance_red_pounds)}, whichever is lower. "
                        f"Amber: any smaller overspend. Green: on or under budget. An "
                        f"underspend of {th.underspend_percent:g}% or more is noted, "
                        "not rated down."),
        ("KPI RAG", "Green: on or better than target. Amber: worse than target but "
                    "within its tolerance. Red: beyond the tolerance."),
        ("Control limits", "Run charts show the mean and control limits (XmR, "
                           f"{c.config.spc.min_points} or more monthly points): a point "
                           "outside the limits, a run or a trend is a signal of change; "
                           "anything else is common-cause variation."),
    ]
    rows += [ROW + c.cell(text_run(symbol, BOLD), jc="center")
             + c.cell(text_run(text)) + "</w:tr>" for symbol, text in symbols]
    return "".join([
        c.table([("Colour or symbol", 2.6), ("Meaning", -1)], rows),
        c.note(model_text + " " + policy),
    ])


