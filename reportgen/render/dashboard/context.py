"""What the dashboard page shows, as plain values for the template: text (unescaped: the
template escapes it), numbers and the SVG charts, in the order a board member reads.
Everything comes from the view of the period; nothing is counted, chosen or ordered
here."""

from __future__ import annotations

from reportgen.config import Config
from reportgen.model import Polarity, Rag
from reportgen.render.dashboard import svg
from reportgen.text import clean
from reportgen.view import PeriodView
from reportgen.view.actions import PlanAction, Row
from reportgen.view.finance import FinanceLine
from reportgen.view.formats import (
    kpi_value, money, month_name, natural_key, pounds_text, signed, uk_date,
    variance_text,
)
from reportgen.view.index import IndexRow, build_trend
from reportgen.view.words import CARRIED_KEY, CARRIED_MARK, brief_title, month_words


def rag(value: Rag | None, mark: str = "") -> dict | None:
    """A rating as the template shows it: word, shape, CSS class and sort rank (worst
    first)."""
    if value is None:
        return None
    return {"word": value.word, "shape": value.shape, "css": value.name.lower(),
            "rank": 10 - value.rank, "mark": mark}


def shapes() -> list[dict]:
    """Each rating's CSS class and shape: the stylesheet draws the shape before the word
    (so that it is the word's colour, and screen readers read the word alone)."""
    return [{"css": r.name.lower(), "shape": r.shape} for r in Rag.worst_first()]


def counts_part(view: PeriodView) -> dict:
    c = view.counts
    had = c.before is not None
    rows = [{"rag": rag(r), "now": c.now[r], "before": c.before[r] if had else None,
             "change": signed(c.now[r] - c.before[r]) if had else "–"}
            for r in Rag.worst_first()]
    rated = Rag.counted()
    desc = "; ".join(f"{r.word} {c.now[r]}" for r in rated)
    chart = svg.stacked_bars("counts", f"Actions by rating, {view.period.name}",
                             f"{c.rated} actions: {desc}.",
                             [(view.period.name, {r: c.now[r] for r in rated}, c.rated)],
                             rated)
    ch = {x.kind: len(x.actions) for x in view.changes}
    return {"rows": rows, "total": c.rated, "had_previous": had,
            "tracker_rows": c.rated_rows if c.rows_differ else None,
            "cancelled": c.cancelled,
            "previous": month_words(view.previous_period) if had else "",
            "chart": chart, "newly_red": ch["newly_red"], "improved": ch["improved"],
            "worsened": ch["worsened"], "newly_complete": ch["newly_complete"]}


def objectives_part(view: PeriodView) -> dict:
    rated = Rag.counted()
    rows = [{"number": o.number, "title": o.title,
             "counts": [o.counts[r] for r in rated],
             "total": o.rated, "raw": o.counts}
            for o in view.counts.by_objective]
    desc = " ".join(f"Objective {r['number']}: " + ", ".join(
        f"{g.word} {n}" for g, n in zip(rated, r["counts"])) + "." for r in rows)
    chart = svg.stacked_bars("objectives", "Ratings by objective", desc,
                             [(f"Objective {r['number']}", r["raw"], r["total"]) for r in rows],
                             rated)
    return {"rows": rows, "chart": chart, "headers": [rag(r) for r in rated]}


def _reasons(a: PlanAction, stale_days: int) -> list[str]:
    r = a.rating
    if r is None:
        return []
    out = [clean(x) for x in r.reasons]
    if a.stale:
        out.append(a.stale_words(stale_days))
    return out


def exceptions_part(view: PeriodView, config: Config) -> list[dict]:
    out = []
    for a in view.exceptions:
        act = a.action
        also = a.also_under(short=True)
        out.append({
            "also": also[:1].upper() + also[1:], "id": clean(a.id), "action": clean(act.action),
            "title": brief_title(act.action, 70),
            "objective": act.objective, "lead": a.officer, "start": uk_date(act.start),
            "end": uk_date(act.end), "updated": uk_date(act.last_updated),
            "rag": rag(a.rag, a.mark), "previous": rag(a.previous),
            "newly_red": a.change == "newly_red", "carried": a.lead.not_updated,
            "reasons": _reasons(a, config.thresholds.stale_days), "commentary": clean(act.commentary).strip(),
            "corrective": a.corrective})
    return out


def _chart_of(i: int, k, title: str) -> object:
    spc = k.result.spc if k.result else None
    labels = [p for p, _ in k.series]
    values = [v for _, v in k.series]
    unit = clean(k.kpi.unit)
    marked = frozenset(p for s in (spc.signals if spc else ()) for p in s.periods
                       if p in labels)
    desc = (f"{len(values)} monthly values from {month_words(labels[0])} to "
            f"{month_words(labels[-1])}, latest {kpi_value(values[-1], unit)}.")
    if spc:
        desc += (f" Mean {kpi_value(spc.centre, '')}, control limits "
                 f"{kpi_value(spc.lower, '')} to {kpi_value(spc.upper, '')}; "
                 f"{spc.summary}.")
    if k.kpi.target is not None:
        desc += f" Target {kpi_value(k.kpi.target, unit)}."
    return svg.run_chart(
        f"kpi{i}", f"Run chart: {title}", desc, [month_name(p, short=True) for p in labels],
        values, k.axis, centre=spc.centre if spc else None, lower=spc.lower if spc else None,
        upper=spc.upper if spc else None, target=k.kpi.target,
        marked=frozenset(month_name(p, short=True) for p in marked),
        phases=tuple((labels.index(ph.start), ph.centre, ph.lower, ph.upper)
                     for ph in spc.phases if ph.start in labels) if spc else ())


def kpis_part(view: PeriodView, config: Config) -> list[dict]:
    out = []
    for i, k in enumerate(view.kpis):
        res = k.result
        spc = res.spc if res else None
        unit = clean(k.kpi.unit)
        marked = frozenset(p for s in (spc.signals if spc else ()) for p in s.periods)
        title = f"{clean(k.id)}: {clean(k.kpi.indicator)}"
        reading = (res.sentence if res and res.sentence else
                   spc.summary if spc else
                   f"Fewer than {config.spc.min_points} monthly values: no control limits yet")
        direction = "–"
        if res is not None and res.direction is not None:
            word = res.direction.value
            if spc is not None and word == "no change":
                word = "no significant change"
            direction = f"{res.direction.arrow} {word}"
        out.append({
            "id": clean(k.id), "indicator": clean(k.kpi.indicator),
            "polarity": "Higher is better" if k.kpi.polarity is Polarity.HIGHER
            else "Lower is better",
            "target": kpi_value(k.kpi.target, unit) if k.kpi.target is not None
            else "No target",
            "latest": kpi_value(res.latest, unit) if res else "–",
            "latest_month": month_name(res.latest_period, short=True) if res else "",
            "rag": rag(res.rag) if res else None, "direction": direction,
            "reading": clean(reading), "chart": _chart_of(i, k, title) if k.charted else None,
            "title": title,
            "points": [{"month": month_name(p, short=True), "value": kpi_value(v, unit),
                        "signal": "Yes" if p in marked else ""} for p, v in k.series],
            "limits": ({"centre": kpi_value(spc.centre, ""), "lower": kpi_value(spc.lower, ""),
                        "upper": kpi_value(spc.upper, "")} if spc else None)})
    return out


def _finance_row(line: FinanceLine, name: str | None = None) -> dict:
    p = line.pounds
    return {"name": name or line.name, "actions": f"{line.actions:,}",
            "budget": pounds_text(p.budget), "spend": pounds_text(p.spend),
            "forecast": pounds_text(p.forecast),
            "variance": variance_text(p.variance), "rag": rag(line.rating.rag)}


def finance_part(view: PeriodView) -> dict:
    f = view.finance
    total = f.total.pounds if f.total is not None else None
    exceptions = [{"id": clean(e.action.id), "action": clean(e.action.action.action),
                   "lead": e.action.officer, "budget": money(e.budget),
                   "forecast": money(e.forecast),
                   "variance": variance_text(e.variance_pounds), "rag": rag(e.rag),
                   "commentary": clean(e.action.action.commentary).strip()}
                  for e in f.exceptions]
    return {"streams": [_finance_row(s) for s in f.streams],
            "total": _finance_row(f.total, "All streams") if f.total else None,
            "exceptions": exceptions,
            "sentence": (f"In all: budget {pounds_text(total.budget)}, spent to date "
                         f"{pounds_text(total.spend)}, forecast {pounds_text(total.forecast)} "
                         f"(variance {variance_text(total.variance)})."
                         if total is not None else "No budgets, spend or forecasts were "
                         "given in the trackers this period.")}


def quality_part(view: PeriodView) -> dict:
    """The data-quality counts in a sentence (the view's): the cells and what officers
    must do are in the workbook and the feedback, not on the public page."""
    return {"sentence": view.public.quality, "files": view.quality.files}


def _action_row(view: PeriodView, row: Row) -> dict:
    a = row.action
    return {"id": clean(a.action_id), "key": ".".join(f"{x[1]:06d}" if x[0] == 0 else x[2]
                                                      for x in natural_key(a.action_id)),
            "objective": a.objective, "action": clean(a.action), "lead": clean(a.lead_officer),
            "status": str(a.status),
            "percent": "–" if a.percent_complete is None else f"{a.percent_complete:.0f}%",
            "percent_key": -1 if a.percent_complete is None else a.percent_complete,
            "end": uk_date(a.end), "end_key": a.end.isoformat(),
            "rag": rag(row.rag, row.mark),
            "previous": rag(view.previous_rag(row.id)),
            "rag_word": row.rag.value if row.rag else ""}


def public_part(view: PeriodView) -> dict:
    p = view.public
    return {"facts": p.facts, "key": [{"rag": rag(k.rag), "meaning": k.meaning} for k in p.key],
            "key_notes": p.key_notes,
            "glossary": [{"term": t.term, "meaning": t.meaning, "abbr": t.abbreviation}
                         for t in p.glossary],
            "objectives": [{"value": str(n), "label": text} for n, text in p.choices.objectives],
            "officers": p.choices.officers,
            "rags": [{"value": r.value, "label": r.word} for r in p.choices.rags],
            "carried_note": p.carried_note}


def page_context(view: PeriodView, config: Config,
                 papers: tuple[tuple[str, str], ...] = ()) -> dict:
    """Everything the period page shows; ``papers`` are the period's paper as written
    beside the page ((what, file name): "PDF", "board-report-2018-09.pdf"), linked
    relative to the period's folder."""
    rows = [r for number, _, _ in view.objectives for r in view.rows_of(number)]
    return {
        "public": public_part(view), "listed": view.public.listed,
        "more": dict(zip(("red", "amber"), view.exceptions_from(view.public.listed))),
        "papers": [{"label": label, "href": f"../{name}"} for label, name in papers],
        "finance_basis": f"Budget period: {view.finance.period}. Source: "
                         f"{view.finance.source}.",
        "partnership": clean(config.partnership), "board": clean(config.board),
        "period": view.period.name, "label": view.period.label, "as_of": uk_date(view.as_of),
        "coverage": view.coverage_statement, "left_out": view.left_out_statement,
        "late": view.late_statement,
        "carried_mark": CARRIED_MARK, "carried_key": CARRIED_KEY,
        "next_update": view.next_update,
        "counts": counts_part(view), "objectives": objectives_part(view),
        "exceptions": exceptions_part(view, config), "kpis": kpis_part(view, config),
        "finance": finance_part(view), "quality": quality_part(view),
        "actions": [_action_row(view, r) for r in rows],
        "key": [rag(r) for r in Rag.worst_first()],
        "shapes": shapes(),
    }


def index_context(rows: tuple[IndexRow, ...], config: Config | None) -> dict:
    """Every stored period, newest first, with its actions by RAG and a link to its page
    when the page exists, and the trend over every stored month as a chart."""
    trend = build_trend(rows)
    chart = svg.stacked_bars(
        "trend", "Actions by rating, month by month", trend.description,
        [(m.period.name, m.counts, m.rated) for m in trend.months], trend.rags)
    periods = [{"name": r.period.name, "label": r.period.label,
                "href": f"../{r.period.label}/dashboard/index.html" if r.page else None,
                "counts": [r.counts[g] for g in Rag.worst_first()], "total": r.total,
                "rows": r.rows}
               for r in rows]
    return {"periods": periods, "headers": [rag(r) for r in Rag.worst_first()],
            "trend": chart if trend.months else None, "shapes": shapes(),
            "legend": [rag(r) for r in trend.rags],
            "partnership": config.partnership if config else "",
            "board": config.board if config else ""}


__all__ = ["index_context", "page_context", "rag"]
