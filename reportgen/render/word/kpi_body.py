"""The body's key performance indicators: a compact table (one short row per indicator,
up to budget.KPI_TABLE_LIMIT, those needing attention first, in the view's order) and as
many run charts as the page budget allows. Appendix C
(:func:`reportgen.render.word.kpis.kpis_part`) has every indicator in full with every
run chart."""

from __future__ import annotations

from reportgen.render.word.budget import KPI_TABLE_LIMIT, body_charts
from reportgen.render.word.kpis import kpi_chart_cell
from reportgen.render.word.wordml import BOLD, Builder, line_run, text_run
from reportgen.text import clean
from reportgen.view.formats import kpi_value, month_name
from reportgen.view.prose import APPENDIX
from reportgen.view.words import short_title


def kpis_body_part(c: Builder) -> str:
    view = c.view
    if not view.kpis:
        return c.text("No key performance indicators were found in the trackers this "
                      "period.")
    letter = APPENDIX["kpi_charts"]
    kpis = view.kpis_by_attention
    shown = kpis[:KPI_TABLE_LIMIT]
    rows = []
    for k in shown:
        kpi, res = k.kpi, k.result
        name = text_run(kpi.kpi_id, BOLD) + text_run(" " + short_title(kpi.indicator, 55))
        target = kpi_value(kpi.target, kpi.unit) if kpi.target is not None else "None"
        if res is None:
            rows.append(c.row(c.cell(name), c.cell(text_run("–")), c.cell(text_run(target)),
                              c.rag_cell(None, empty="–"), c.cell(text_run("–")),
                              c.cell(text_run("Not rated"))))
            continue
        latest = text_run(kpi_value(res.latest, kpi.unit)) + line_run(
            month_name(res.latest_period, short=True))
        direction = (f"{res.direction.arrow} {res.direction.value}"
                     if res.direction is not None else "–")
        reading = res.sentence or (res.spc.summary if res.spc is not None
                                   else "Too few values for control limits yet")
        rows.append(c.row(c.cell(name), c.cell(latest), c.cell(text_run(target)),
                          c.rag_cell(res.rag, empty="No target"),
                          c.cell(text_run(direction)), c.cell(text_run(clean(reading)))))
    out = [c.text(
        "Each indicator's latest value against its target, its direction of travel and "
        "what its run chart shows, those needing attention first. Appendix "
        f"{letter} gives every indicator in full with its run chart, control limits and "
        "signals.", keep_next=True),
        c.caption("Table", "Key performance indicators"),
        c.table([("Indicator", -1.2), ("Latest", 1.9), ("Target", 1.7), ("RAG", 1.9),
                 ("Direction", 2.2), ("Reading", -1.4)], rows)]
    if len(kpis) > len(shown):
        out.append(c.note(f"A further {len(kpis) - len(shown):,} indicators (none of them "
                          f"Red or showing a concern) are in Appendix {letter}."
                          if kpis[len(shown)].attention >= 2 else
                          f"A further {len(kpis) - len(shown):,} indicators are in "
                          f"Appendix {letter}."))
    charted = [k for k in kpis if k.charted]
    n = body_charts(c, len(charted))
    if n:
        out.append(c.heading("Run charts of the indicators needing most attention"
                             if n < len(charted) else "Run charts"))
        cols = 2 if c.width_cm >= 14 else 1
        chart_w = c.width_cm / cols - 0.4
        out.append(c.chart_grid([kpi_chart_cell(c, k, chart_w, chart_w * 0.62)
                           for k in charted[:n]], cols))
        if n < len(charted):
            out.append(c.note(f"The other {len(charted) - n:,} run charts are in Appendix "
                              f"{letter}."))
    return "".join(out)
