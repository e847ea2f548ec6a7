"""The body's key performance indicators: a compact table (one short row per indicator,
up to budget.KPI_TABLE_LIMIT, those of concern first) and as many run charts as the
page budget allows. Appendix C (:func:`reportgen.render.word.kpis.kpis_part`) has every
indicator in full with every run chart."""

from __future__ import annotations

from reportgen.model import Kpi, Rag
from reportgen.render.coverage import short_title
from reportgen.render.word.budget import APPENDIX, KPI_TABLE_LIMIT, body_charts
from reportgen.render.formats import kpi_value, month_name
from reportgen.render.word.kpis import kpi_chart_cell, of_concern
from reportgen.render.word.rated import Rated
from reportgen.render.word.wordml import BOLD, ROW, Builder, line_run, text_run
from reportgen.text import clean


def _concern(c: Builder, kpi: Kpi) -> tuple:
    """Sort key: a signal of concern first, then Red, Amber, the rest; then run order."""
    res = c.run.kpi_results.get(kpi.kpi_id)
    if res is None:
        return (3, 0)
    rank = {Rag.RED: 1, Rag.AMBER: 2}.get(res.rag, 3)
    return (0 if of_concern(res) else rank, 0)


def ordered(c: Builder) -> list[Kpi]:
    """The indicators, those needing attention first (stable within a rank)."""
    return sorted(c.run.kpis, key=lambda k: _concern(c, k))


def kpis_body_part(c: Builder, items: list[Rated]) -> str:
    run = c.run
    if not run.kpis:
        return c.text("No key performance indicators were found in the trackers this "
                      "period.")
    letter = APPENDIX["kpi_charts"]
    kpis = ordered(c)
    shown = kpis[:KPI_TABLE_LIMIT]
    rows = []
    for kpi in shown:
        res = run.kpi_results.get(kpi.kpi_id)
        name = text_run(kpi.kpi_id, BOLD) + text_run(" " + short_title(kpi.indicator, 55))
        target = kpi_value(kpi.target, kpi.unit) if kpi.target is not None else "None"
        if res is None:
            rows.append(ROW + c.cell(name) + c.cell(text_run("–")) + c.cell(text_run(target))
                        + c.rag_cell(None, empty="–") + c.cell(text_run("–"))
                        + c.cell(text_run("Not rated")) + "</w:tr>")
            continue
        latest = text_run(kpi_value(res.latest, kpi.unit)) + line_run(
            month_name(res.latest_period, short=True))
        direction = (f"{res.direction.arrow} {res.direction.value}"
                     if res.direction is not None else "–")
        reading = res.sentence or (res.spc.summary if res.spc is not None
                                   else "Too few values for control limits yet")
        rows.append(ROW + c.cell(name) + c.cell(latest) + c.cell(text_run(target))
                    + c.rag_cell(res.rag, empty="No target")
                    + c.cell(text_run(direction)) + c.cell(text_run(clean(reading)))
                    + "</w:tr>")
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
                          if _concern(c, kpis[len(shown)])[0] >= 2 else
                          f"A further {len(kpis) - len(shown):,} indicators are in "
                          f"Appendix {letter}."))
    charted = [k for k in kpis if len(k.series) >= 2]
    n = body_charts(c, items, len(charted))
    if n:
        out.append(c.heading("Run charts of the indicators needing most attention"
                             if n < len(charted) else "Run charts"))
        cols = 2 if c.width_cm >= 14 else 1
        chart_w = c.width_cm / cols - 0.4
        cells = [kpi_chart_cell(c, k, run.kpi_results.get(k.kpi_id), chart_w,
                                chart_w * 0.62) for k in charted[:n]]
        grid_w = c.width
        rows_xml = []
        for start in range(0, len(cells), cols):
            chunk = cells[start:start + cols]
            chunk += [c.cell("")] * (cols - len(chunk))
            rows_xml.append(ROW + "".join(chunk) + "</w:tr>")
        out.append(
            f'<w:tbl><w:tblPr><w:tblW w:w="{grid_w}" w:type="dxa"/><w:tblBorders>'
            '<w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/>'
            '<w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/>'
            '</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar>'
            '<w:left w:w="110" w:type="dxa"/><w:right w:w="110" w:type="dxa"/>'
            '</w:tblCellMar><w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" '
            'w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr>'
            '<w:tblGrid>' + "".join(f'<w:gridCol w:w="{grid_w // cols}"/>'
                                    for _ in range(cols))
            + "</w:tblGrid>" + "".join(rows_xml) + "</w:tbl>")
        if n < len(charted):
            out.append(c.note(f"The other {len(charted) - n:,} run charts are in Appendix "
                              f"{letter}."))
    return "".join(out)
