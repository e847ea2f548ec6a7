"""The key performance indicators part: a table of targets, latest values, RAG, direction
of travel and SPC signals, then a run chart for each indicator with two or more values,
each series as the view cut it at the period's end."""

from __future__ import annotations

from reportgen.model import Polarity
from reportgen.render import charts
from reportgen.render.word.wordml import BOLD, Builder, line_run, row_start, text_run
from reportgen.text import clean
from reportgen.view.formats import fmt_number, kpi_value, month_name
from reportgen.view.kpis import KpiReading


def kpis_part(c: Builder) -> str:
    """The KPI table, then the run charts two to a row (one on a narrow page)."""
    view = c.view
    if not view.kpis:
        return c.text("No key performance indicators were found in the trackers this "
                      "period.")
    min_points = c.config.spc.min_points
    rows = []
    for reading in view.kpis:
        kpi, res = reading.kpi, reading.result
        polarity = "Higher is better" if kpi.polarity is Polarity.HIGHER else \
            "Lower is better"
        indicator = text_run(kpi.kpi_id, BOLD) + text_run(" " + clean(kpi.indicator)) + \
            line_run(polarity)
        if kpi.outcomes:
            indicator += line_run("Outcomes " + ", ".join(str(o) for o in kpi.outcomes))
        target = text_run(kpi_value(kpi.target, kpi.unit) if kpi.target is not None
                      else "No target")
        if kpi.tolerance is not None and kpi.target is not None:
            target += line_run(f"tolerance {fmt_number(kpi.tolerance)}")
        if res is None:
            rows.append(c.row(c.cell(indicator), c.cell(target), c.cell(text_run("–")),
                              c.rag_cell(None, empty="–"), c.cell(text_run("–")),
                              c.cell(text_run("Not rated"))))
            continue
        latest = text_run(kpi_value(res.latest, kpi.unit)) + \
            line_run(month_name(res.latest_period, short=True))
        if res.direction is not None:
            word = res.direction.value
            if res.spc is not None and res.direction.value == "no change":
                word = "no significant change"
            direction = text_run(f"{res.direction.arrow} {word}", BOLD)
            if res.previous is not None:
                direction += line_run(f"{month_name(res.compared_with, short=True)}: "
                                      f"{kpi_value(res.previous, kpi.unit)}")
        else:
            direction = text_run("– (no earlier value)")
        signal = res.sentence or (
            res.spc.summary if res.spc is not None
            else f"Fewer than {min_points} monthly values: no control limits yet")
        rows.append(c.row(c.cell(indicator), c.cell(target), c.cell(latest),
                          c.rag_cell(res.rag, empty="No target"), c.cell(direction),
                          c.cell(text_run(signal)), start=row_start(kpi.indicator)))
    out = [c.text(
        "RAG compares the latest value with the target, allowing the tolerance. Once there "
        f"are {min_points} or more monthly values the run charts show control limits, and "
        "the reading says whether the indicator is changing by more than chance and "
        "whether the target is reliably met; the direction of travel then follows that "
        "reading. With fewer values, the direction compares the latest value with the "
        "previous month, or with the same month last year for seasonal indicators."),
        c.caption("Table", "Key performance indicators"),
        c.table([("Indicator", -1.4), ("Target", 2.0), ("Latest", 2.0), ("RAG", 2.1),
                 ("Direction of travel", 2.6), ("Reading (SPC)", -1)], rows)]

    charted = [k for k in view.kpis if k.charted]
    if charted:
        out.append(c.heading("Run charts"))
        cols = 2 if c.width_cm >= 14 else 1
        chart_w = c.width_cm / cols - 0.4
        out.append(c.chart_grid([kpi_chart_cell(c, k, chart_w, chart_w * 0.62) for k in charted],
                          cols))
        out.append(c.note("Each chart: monthly values, the mean (solid line), control "
                          "limits (dashed) and the target (dash-dot), each named at its "
                          "right-hand end; points in a signal are marked with squares "
                          "(improvement) or diamonds (concern)."))
    return "".join(out)


def kpi_chart_cell(c: Builder, reading: KpiReading, width_cm: float,
                   height_cm: float) -> str:
    """A borderless cell holding the indicator's run chart under its caption, with alt
    text that gives the series (to the period's end), the limits and the target in
    words."""
    kpi, res, series = reading.kpi, reading.result, reading.series
    spc = res.spc if res else None
    marks: dict[str, set[str]] = {"improvement": set(), "concern": set(), "neutral": set()}
    if spc:
        for signal in spc.signals:
            marks.setdefault(signal.kind, set()).update(signal.periods)
    title = f"{clean(kpi.kpi_id)}: {clean(kpi.indicator)}"
    data = charts.RunChartData(
        labels=tuple(p for p, _ in series),
        values=tuple(v for _, v in series), unit=clean(kpi.unit), target=kpi.target,
        centre=spc.centre if spc else None, lower=spc.lower if spc else None,
        upper=spc.upper if spc else None,
        improvement=frozenset(marks["improvement"]), concern=frozenset(marks["concern"]),
        neutral=frozenset(marks["neutral"]),
        phases=tuple((ph.start, ph.centre, ph.lower, ph.upper)
                     for ph in spc.phases) if spc else ())
    # A chart drawn already (the body's, shown again in Appendix C in a cell a few per
    # cent wider) is placed again at the size it was drawn, not drawn twice.
    drawn = c.charts.get(kpi.kpi_id)
    if drawn is not None and abs(drawn[1] - width_cm) <= 0.05 * width_cm:
        png, width_cm, height_cm = drawn
    else:
        png = charts.run_chart(data, width_cm, height_cm)
        c.charts[kpi.kpi_id] = (png, width_cm, height_cm)
    first, last = series[0][0], series[-1][0]
    descr = (f"Run chart of {title}: {len(series)} monthly values from "
             f"{month_name(first)} to {month_name(last)}, latest "
             f"{kpi_value(series[-1][1], kpi.unit)}.")
    if spc:
        since = (f" from {month_name(spc.recalculated_from)}" if spc.recalculated_from
                 else "")
        descr += (f" Mean{since} {fmt_number(spc.centre)}, control limits "
                  f"{fmt_number(spc.lower)} to {fmt_number(spc.upper)}; {spc.summary}.")
    if res is not None and res.sentence:
        descr += " " + res.sentence
    if kpi.target is not None:
        descr += f" Target {kpi_value(kpi.target, kpi.unit)}."
    caption = c.caption("Figure", title)
    picture = c.p(c.picture(png, width_cm, height_cm, f"Run chart {kpi.kpi_id}", descr),
                  jc="center")
    return c.picture_cell(caption, picture)


