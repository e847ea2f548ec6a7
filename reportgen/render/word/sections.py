"""The narrative parts: the summary (counts by BRAG, changes since last period, the chart
of BRAG by objective) and the key to colours and symbols."""

from __future__ import annotations

from reportgen.model import Rag
from reportgen.render import charts
from reportgen.render.word.budget import CHANGE_LIMIT
from reportgen.render.word.wordml import BOLD, Builder, line_run, text_run
from reportgen.view.actions import Departed, PlanAction
from reportgen.view.formats import k_text, money, month_name, plural, signed, uk_date, \
    variance_k
from reportgen.view.prose import APPENDIX, plan_words
from reportgen.view.words import CARRIED_KEY, CARRIED_MARK, short_title


def summary_part(c: Builder) -> str:
    """Counts by rating against last period, the KPI and finance headline, the changes
    since last period and the chart of ratings by objective."""
    view = c.view
    counts = view.counts
    # Opens with the coverage statement when the template has no page-1 place for it.
    out = [] if "coverage" in c.layout.widths else [coverage_part(c)]
    carried = view.carried_actions
    now = counts.now
    out.append(c.text(
        f"At {uk_date(view.as_of)} the plan has {plan_words(counts)}: {counts.rated:,} rated "
        f"and {counts.cancelled:,} cancelled (cancelled actions are not rated). "
        f"{now[Rag.RED]:,} {'is' if now[Rag.RED] == 1 else 'are'} Red and "
        f"{now[Rag.AMBER]:,} Amber; {now[Rag.BLUE]:,} "
        f"{'is' if now[Rag.BLUE] == 1 else 'are'} complete."
        + (f" These counts include {plural(carried, 'action')} not updated this month, "
           f"counted at {'its' if carried == 1 else 'their'} last rating (marked "
           f"{CARRIED_MARK})." if carried else "")))

    before = counts.before
    rows = []
    for rag in Rag.worst_first():
        was = before[rag] if before is not None else None
        share = f"{counts.shares[rag]}%" if counts.rated and rag is not Rag.CANCELLED \
            else "–"
        rows.append(c.row(c.rag_cell(rag), c.cell(text_run(rag.meaning)),
                          c.cell(text_run(f"{now[rag]:,}"), jc="right"),
                          c.cell(text_run(share), jc="right"),
                          c.cell(text_run("–" if was is None else f"{was:,}"), jc="right"),
                          c.cell(text_run("–" if was is None else signed(now[rag] - was)),
                                 jc="right")))
    prev = view.previous_period
    last_head = f"{month_name(prev, short=True)}" if prev else "Last period"
    headline = []
    if view.kpis:
        headline.append(
            f"Key performance indicators: {plural(len(view.kpis), 'indicator')}, "
            + (", ".join(f"{view.kpi_counts[r]:,} {r.value}"
                         for r in (Rag.RED, Rag.AMBER, Rag.GREEN) if view.kpi_counts.get(r))
               or "none rated against a target") + ".")
    total = view.finance.total
    if view.finance.has_money:
        headline.append(f"Finance: forecast outturn {k_text(total.k.forecast)} against a "
                        f"budget of {k_text(total.k.budget)} "
                        f"({variance_k(total.k.variance)}).")
    if headline:
        out.append(c.text(" ".join(headline)))
    out.append(c.caption("Table", "Actions by rating, this period and last (an action the "
                                  "plan repeats under several objectives counted once)"))
    out.append(c.table([("Rating", 2.1), ("Meaning", -1), ("Actions", 1.8),
                        ("Share of rated", 1.8), (last_head, 1.8), ("Change", 1.8)], rows))
    if counts.rows_differ:
        out.append(c.note("Tracker rows by rating: " + ", ".join(
            f"{counts.rows[r]:,} {r.value}" for r in Rag.worst_first() if counts.rows[r])
            + f" ({counts.tracker_rows:,} rows in all)."))

    if prev:
        out.append(c.heading(f"Changes since {month_name(prev)}"))
        lines = []
        for change in view.changes:
            found = change.actions
            lines.append(text_run(f"{change.label} ({len(found):,})", BOLD)
                         + (change_runs(found) if found else text_run(": none")))
        out.append(c.bullets(lines))
    else:
        out.append(c.heading("Changes since last period"))
        out.append(c.text("No earlier period is stored yet, so changes are shown from next "
                          "month."))

    out.append(c.heading("Ratings by objective"))
    rated = Rag.counted()
    chart_rows = [(f"Objective {o.number}", {r.value: o.counts[r] for r in rated})
                  for o in counts.by_objective if o.configured or o.total]
    width_cm = min(16.0, c.width_cm)
    height_cm = charts.chart_height(len(chart_rows))
    png = charts.brag_by_objective(chart_rows, width_cm, height_cm)
    descr = "Stacked bar chart of actions by rating for each objective. " + "; ".join(
        f"{label}: " + ", ".join(f"{n} {rag}" for rag, n in counts_.items() if n)
        if any(counts_.values()) else f"{label}: no rated actions"
        for label, counts_ in chart_rows) + "."
    out.append(c.caption("Figure", "Actions by rating for each objective (an action the "
                                   "plan repeats is counted under each of its objectives; "
                                   "cancelled actions left out)"))
    out.append(c.p(c.picture(png, width_cm, height_cm, "Ratings by objective", descr),
                   jc="center"))
    return "".join(out)


def coverage_part(c: Builder) -> str:
    """The coverage statement, the statement of what was left out of every count and
    total, and the statement about updates made after the period, each a boxed
    paragraph, its first sentence bold; "" when none applies (the month's data cover
    the whole plan and none post-dates the period)."""
    out = []
    view = c.view
    for statement in (view.coverage_statement, view.left_out_statement, view.late_statement):
        if statement:
            first, _, rest = statement.partition(". ")
            out.append(c.boxed(text_run(first + ("." if rest else ""), BOLD)
                               + (text_run(" " + rest) if rest else "")))
    return "".join(out)


def change_runs(found: tuple[PlanAction | Departed, ...]) -> str:
    """Each action of a change list on its own line: its ID, short title and lead
    officer (for an action no longer in the plan, as the last stored period has them,
    else the ID alone), the first CHANGE_LIMIT, then "and N more"."""
    runs = text_run(":")
    for a in found[:CHANGE_LIMIT]:
        if isinstance(a, PlanAction):
            title, lead = a.action.action, a.officer
        else:
            title, lead = a.title, a.officer
        runs += (line_run(a.id, BOLD)
                 + (text_run(f" {short_title(title)}") if title.strip() else "")
                 + text_run(f" ({lead})" if lead.strip() else ""))
    if len(found) > CHANGE_LIMIT:
        runs += line_run(f"and {len(found) - CHANGE_LIMIT:,} more: Appendix "
                         f"{APPENDIX['appendix']} lists every action")
    return runs


def risk_part(c: Builder) -> str:
    """The Risk implications, as the view words them from the exceptions."""
    return c.text(c.view.implications.risk)


def consultation_part(c: Builder) -> str:
    """The Consultation implications, as the view words them from the updates."""
    return c.text(c.view.implications.consultation)


def key_part(c: Builder) -> str:
    """What each colour and symbol means, with this configuration's thresholds, then the
    slippage model and which rating is reported."""
    run, th = c.view, c.config.thresholds
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
    rows = [c.row(c.rag_cell(rag), c.cell(text_run(text))) for rag, text in meanings]
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
    rows += [c.row(c.cell(text_run(symbol, BOLD), jc="center"), c.cell(text_run(text)))
             for symbol, text in symbols]
    return "".join([
        c.table([("Colour or symbol", 2.6), ("Meaning", -1)], rows),
        c.note(model_text + " " + policy),
    ])


