"""What the dashboard page shows, as plain values for the template: text (unescaped: the
template escapes it), numbers and the SVG charts. Reads only the rated run and the
configuration, in the order a board member reads."""

from __future__ import annotations

from collections import Counter

from reportgen.config import Config
from reportgen.model import Action, ActionRating, Polarity, Rag, RatedRun, Status
from reportgen.render.cells import RAG_ORDER
from reportgen.render.coverage import (
    CARRIED_KEY, CARRIED_MARK, carried_words, coverage_statement, distinct_counts,
    month_words,
    severity_name,
)
from reportgen.render.dashboard import svg
from reportgen.render.formats import (
    kpi_value, money, month_name, natural_key, signed, uk_date, variance_text,
)
from reportgen.text import clean

# A shape for each rating, shown beside its word (never colour alone).
SHAPES = {Rag.RED: "▲", Rag.AMBER: "◆", Rag.GREEN: "●", Rag.BLUE: "★", Rag.GREY: "○",
          Rag.CANCELLED: "✕"}
WORDS = {Rag.RED: "Red", Rag.AMBER: "Amber", Rag.GREEN: "Green", Rag.BLUE: "Blue (complete)",
         Rag.GREY: "Grey (not yet due)", Rag.CANCELLED: "Cancelled"}
RATED = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE, Rag.GREY)


def rag(value: Rag | None, mark: str = "") -> dict | None:
    """A rating as the template shows it: word, shape, CSS class and sort rank."""
    if value is None:
        return None
    return {"word": WORDS[value], "shape": SHAPES[value], "css": value.name.lower(),
            "rank": 10 - value.severity if value.severity >= 0 else 20, "mark": mark}


def counts_part(run: RatedRun) -> dict:
    # an action the plan repeats under several objectives is counted once, as the paper
    # counts it (render.coverage.distinct_counts)
    now = distinct_counts({k: r.reported for k, r in run.ratings.items()}, run.repeats)
    before = distinct_counts(run.previous_rags, run.repeats)
    had = bool(run.previous_rags)
    rows = [{"rag": rag(r), "now": now.get(r, 0),
             "before": before.get(r, 0) if had else None,
             "change": signed(now.get(r, 0) - before.get(r, 0)) if had else "–"}
            for r in RAG_ORDER]
    total = sum(now.get(r, 0) for r in RATED)
    desc = "; ".join(f"{WORDS[r]} {now.get(r, 0)}" for r in RATED)
    chart = svg.stacked_bars("counts", f"Actions by RAG, {run.period.name}",
                             f"{total} actions: {desc}.",
                             [(run.period.name, {r: now.get(r, 0) for r in RATED})], RATED)
    rows_rated = sum(1 for r in run.ratings.values() if r.reported in RATED)
    return {"rows": rows, "total": total, "had_previous": had,
            "tracker_rows": rows_rated if rows_rated != total else None,
            "cancelled": now.get(Rag.CANCELLED, 0),
            "previous": month_words(run.changes.previous_period) if had else "",
            "chart": chart, "newly_red": len(run.changes.newly_red),
            "improved": len(run.changes.improved), "worsened": len(run.changes.worsened),
            "newly_complete": len(run.changes.newly_complete)}


def objectives_part(run: RatedRun, config: Config) -> dict:
    numbers = [o.number for o in config.objectives]
    numbers += sorted({a.objective for a in run.actions} - set(numbers))
    rows = []
    for n in numbers:
        counts = Counter(run.ratings[a.action_id].reported for a in run.actions
                         if a.objective == n and a.action_id in run.ratings)
        obj = config.objective(n)
        rows.append({"number": n, "title": clean(obj.text) if obj else "(not in the configuration)",
                     "counts": [counts.get(r, 0) for r in RATED],
                     "total": sum(counts.get(r, 0) for r in RATED), "raw": counts})
    desc = " ".join(f"Objective {r['number']}: " + ", ".join(
        f"{WORDS[g]} {c}" for g, c in zip(RATED, r["counts"])) + "." for r in rows)
    chart = svg.stacked_bars("objectives", "RAG by objective", desc,
                             [(f"Objective {r['number']}", r["raw"]) for r in rows], RATED)
    return {"rows": rows, "chart": chart, "headers": [rag(r) for r in RATED]}


def _why(r: ActionRating | None) -> list[str]:
    if r is None:
        return []
    out = [clean(x) for x in r.reasons]
    if r.stale:
        out.append("Update overdue")
    return out


def exceptions_part(run: RatedRun) -> list[dict]:
    newly = set(run.changes.newly_red)
    chosen = [a for a in run.actions if a.action_id in run.ratings
              and run.ratings[a.action_id].reported in (Rag.RED, Rag.AMBER)]
    chosen.sort(key=lambda a: (0 if a.action_id in newly
                               and run.ratings[a.action_id].reported is Rag.RED else 1,
                               -run.ratings[a.action_id].reported.severity, a.objective,
                               natural_key(a.action_id)))
    by_id = {a.action_id: a for a in run.actions}
    out, shown = [], set()
    for a in chosen:  # an action the plan repeats under several objectives: shown once
        if a.action_id in shown:
            continue
        others = [by_id[i] for i in run.repeats.get(a.action_id, ()) if i in by_id]
        shown.update(o.action_id for o in others)
        elsewhere = sorted({o.objective for o in others} - {a.objective})
        also = ("Also under Objective" + ("s " if len(elsewhere) > 1 else " ")
                + " and ".join(str(n) for n in elsewhere)) if elsewhere else ""
        r = run.ratings[a.action_id]
        out.append({"also": also,
            "id": clean(a.action_id), "action": clean(a.action), "objective": a.objective,
            "lead": clean(a.lead_officer), "start": uk_date(a.start), "end": uk_date(a.end),
            "updated": uk_date(a.last_updated),
            "rag": rag(r.reported, CARRIED_MARK if not r.updated else ""),
            "previous": rag(run.previous_rags.get(a.action_id)),
            "newly_red": a.action_id in newly and r.reported is Rag.RED,
            "carried": carried_words(r), "reasons": _why(r),
            "commentary": clean(a.commentary).strip(),
            "corrective": clean(a.corrective_action).strip()})
    return out


def kpis_part(run: RatedRun, config: Config) -> list[dict]:
    out = []
    for i, kpi in enumerate(run.kpis):
        res = run.kpi_results.get(kpi.kpi_id)
        spc = res.spc if res else None
        unit = clean(kpi.unit)
        labels = [p for p, _ in kpi.series]
        values = [v for _, v in kpi.series]
        marked = frozenset(p for s in (spc.signals if spc else ()) for p in s.periods)
        title = f"{clean(kpi.kpi_id)}: {clean(kpi.indicator)}"
        reading = (res.sentence if res and res.sentence else
                   spc.summary if spc else
                   f"Fewer than {config.spc.min_points} monthly values: no control limits yet")
        direction = "–"
        if res is not None and res.direction is not None:
            word = res.direction.value
            if spc is not None and word == "no change":
                word = "no significant change"
            direction = f"{res.direction.arrow} {word}"
        chart = None
        if len(values) >= 2:
            desc = (f"{len(values)} monthly values from {month_words(labels[0])} to "
                    f"{month_words(labels[-1])}, latest {kpi_value(values[-1], unit)}.")
            if spc:
                desc += (f" Mean {kpi_value(spc.centre, '')}, control limits "
                         f"{kpi_value(spc.lower, '')} to {kpi_value(spc.upper, '')}; "
                         f"{spc.summary}.")
            if kpi.target is not None:
                desc += f" Target {kpi_value(kpi.target, unit)}."
            chart = svg.run_chart(f"kpi{i}", f"Run chart: {title}", desc,
                                  [month_name(p, short=True) for p in labels], values,
                                  centre=spc.centre if spc else None,
                                  lower=spc.lower if spc else None,
                                  upper=spc.upper if spc else None,
                                  target=kpi.target,
                                  marked=frozenset(month_name(p, short=True) for p in marked),
                                  phases=tuple((labels.index(ph.start), ph.centre,
                                                ph.lower, ph.upper)
                                               for ph in spc.phases
                                               if ph.start in labels) if spc else ())
        out.append({
            "id": clean(kpi.kpi_id), "indicator": clean(kpi.indicator),
            "polarity": "Higher is better" if kpi.polarity is Polarity.HIGHER
            else "Lower is better",
            "target": kpi_value(kpi.target, unit) if kpi.target is not None else "No target",
            "latest": kpi_value(res.latest, unit) if res else "–",
            "latest_month": month_name(res.latest_period, short=True) if res else "",
            "rag": rag(res.rag) if res else None, "direction": direction,
            "reading": clean(reading), "chart": chart, "title": title,
            "points": [{"month": month_name(p, short=True), "value": kpi_value(v, unit),
                        "signal": "Yes" if p in marked else ""}
                       for p, v in kpi.series],
            "limits": ({"centre": kpi_value(spc.centre, ""), "lower": kpi_value(spc.lower, ""),
                        "upper": kpi_value(spc.upper, "")} if spc else None)})
    return out


def finance_part(run: RatedRun) -> dict:
    def row(name: str, actions: int | None, f) -> dict:
        return {"name": clean(name), "actions": "–" if actions is None else f"{actions:,}",
                "budget": money(f.budget), "spend": money(f.spend_to_date),
                "forecast": money(f.forecast), "variance": variance_text(f.variance),
                "rag": rag(f.rag)}
    streams = [row(s.stream, s.actions, s.rating) for s in run.finance_by_stream]
    total = row("All streams", None, run.finance_total) if run.finance_total else None
    chosen = [a for a in run.actions if a.action_id in run.ratings
              and run.ratings[a.action_id].finance is not None
              and run.ratings[a.action_id].finance.rag in (Rag.RED, Rag.AMBER)
              and a.status is not Status.CANCELLED]
    chosen.sort(key=lambda a: (-run.ratings[a.action_id].finance.rag.severity,
                               -(run.ratings[a.action_id].finance.variance or 0.0),
                               natural_key(a.action_id)))
    exceptions = []
    for a in chosen:
        f = run.ratings[a.action_id].finance
        exceptions.append({"id": clean(a.action_id), "action": clean(a.action),
                           "lead": clean(a.lead_officer), "budget": money(f.budget),
                           "forecast": money(f.forecast), "variance": variance_text(f.variance),
                           "rag": rag(f.rag), "commentary": clean(a.commentary).strip()})
    return {"streams": streams, "total": total, "exceptions": exceptions}


def quality_part(run: RatedRun) -> dict:
    by = Counter(severity_name(i) for i in run.issues)
    issues = [{"severity": severity_name(i), "where": clean(i.location()),
               "message": clean(i.message), "hint": clean(i.hint)} for i in run.issues]
    return {"counts": sorted(by.items()), "issues": issues,
            "files": len(run.sources), "refused": sum(1 for s in run.sources if s.refused)}


def _action_row(run: RatedRun, a: Action) -> dict:
    r = run.ratings.get(a.action_id)
    return {"id": clean(a.action_id), "key": ".".join(f"{x[1]:06d}" if x[0] == 0 else x[2]
                                                      for x in natural_key(a.action_id)),
            "objective": a.objective, "action": clean(a.action), "lead": clean(a.lead_officer),
            "status": str(a.status),
            "percent": "–" if a.percent_complete is None else f"{a.percent_complete:.0f}%",
            "percent_key": -1 if a.percent_complete is None else a.percent_complete,
            "end": uk_date(a.end), "end_key": a.end.isoformat(),
            "rag": rag(r.reported if r else None,
                       CARRIED_MARK if r is not None and not r.updated else ""),
            "previous": rag(run.previous_rags.get(a.action_id))}


def page_context(run: RatedRun, config: Config) -> dict:
    """Everything the period page shows."""
    actions = sorted(run.actions, key=lambda a: (a.objective, natural_key(a.action_id)))
    return {
        "partnership": clean(config.partnership), "board": clean(config.board),
        "period": run.period.name, "label": run.period.label, "as_of": uk_date(run.as_of),
        "coverage": coverage_statement(run.coverage, run.repeats), "carried_mark": CARRIED_MARK,
        "carried_key": CARRIED_KEY, "next_update": clean(run.next_update),
        "counts": counts_part(run), "objectives": objectives_part(run, config),
        "exceptions": exceptions_part(run), "kpis": kpis_part(run, config),
        "finance": finance_part(run), "quality": quality_part(run),
        "actions": [_action_row(run, a) for a in actions],
        "key": [rag(r) for r in RAG_ORDER],
    }
