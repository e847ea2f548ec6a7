"""The dashboard's charts: inline SVG for the marks (bars, lines, points) and HTML for
every word and number, each chart one image (``role="img"``) named by its title and
described by its text alternative; the page puts a table of the same numbers beside it.

Words are HTML, not SVG text, so that a browser's accessibility checks can measure their
contrast: text drawn inside an SVG has no background a checker can determine. Each label
is on the page's own solid background, beside or under the marks, never over them. No
script, no external reference: safe to inline. Every text escaped.

Nothing is counted or rounded here: the values, the axis and its round ticks are the
view's (reportgen.view.kpis.Axis); this module only places them.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from reportgen.model import Rag
from reportgen.view.kpis import Axis

# Each rating's pattern over its bar fill (Rag.web_fill: a non-text contrast of at least
# 3:1 against white), so the chart also reads in greyscale print and without colour vision.
_PATTERN = {Rag.RED: "M0,8 L8,0", Rag.AMBER: "M0,4 L8,4", Rag.GREEN: "M4,0 L4,8",
            Rag.BLUE: "M0,0 L8,8", Rag.GREY: "M0,2 L8,2 M0,6 L8,6", Rag.CANCELLED: ""}


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _pc(value: float) -> str:
    """A position in per cent of its box, for a label's style."""
    return f"{max(0.0, min(100.0, value)):.2f}".rstrip("0").rstrip(".") + "%"


def _defs(uid: str) -> str:
    parts = []
    for rag, path in _PATTERN.items():
        lines = (f'<path d="{path}" stroke="#FFFFFF" stroke-width="1.5" '
                 'stroke-opacity="0.55"/>') if path else ""
        parts.append(f'<pattern id="{uid}-{rag.name.lower()}" width="8" height="8" '
                     f'patternUnits="userSpaceOnUse"><rect width="8" height="8" '
                     f'fill="#{rag.web_fill}"/>{lines}</pattern>')
    return ('<svg class="chart-defs" width="0" height="0" aria-hidden="true" '
            'focusable="false"><defs>' + "".join(parts) + "</defs></svg>")


def _named(uid: str, title: str, description: str) -> str:
    return (f'<span hidden id="{uid}-t">{escape(title)}</span>'
            f'<span hidden id="{uid}-d">{escape(description)}</span>')


def stacked_bars(uid: str, title: str, description: str,
                 rows: list[tuple[str, dict[Rag, int], int]], order: tuple[Rag, ...]
                 ) -> Markup:
    """One horizontal bar a row (label, counts by rating, total: the view's), a segment a
    rating in ``order`` (with its pattern), the row's label above its bar and its total
    after it. Scales to its container's width."""
    totals = [total for _, _, total in rows]
    biggest = max(totals + [1])
    out = [f'<div class="chart bars" role="img" aria-labelledby="{uid}-t {uid}-d">',
           _named(uid, title, description), _defs(uid)]
    for label, counts, total in rows:
        out.append(f'<div class="bar-row"><span class="chart-label">{escape(label)}</span>'
                   '<span class="bar-line">')
        if total:
            # the bar's width is its share of the longest bar, 85% of the line at most;
            # its units are about a pixel on a 600-pixel line, so the patterns keep shape
            unit = 600 / biggest
            out.append(f'<svg class="bar" viewBox="0 0 {_n(total * unit)} 22" '
                       f'preserveAspectRatio="none" style="width:{_pc(85 * total / biggest)}" '
                       'focusable="false">')
            x = 0.0
            for rag in order:
                n = counts.get(rag, 0)
                if n:
                    out.append(f'<rect x="{_n(x)}" y="0" width="{_n(n * unit)}" height="22" '
                               f'fill="url(#{uid}-{rag.name.lower()})"/>')
                    x += n * unit
            out.append("</svg>")
        out.append(f'<span class="chart-label">{total}</span></span></div>')
    out.append("</div>")
    return Markup("".join(out))


def run_chart(uid: str, title: str, description: str, labels: list[str],
              values: list[float], axis: Axis, *, centre: float | None = None,
              lower: float | None = None, upper: float | None = None,
              target: float | None = None, marked: frozenset[str] = frozenset(),
              phases: tuple[tuple[int, float, float, float], ...] = ()) -> Markup:
    """A run chart: the monthly values joined by a line, the mean (solid), the control
    limits (dashed) and the target (dash-dot), each named in a legend under the plot; the
    axis's round ticks to its left and the months under it; points in a signal drawn as
    squares. ``phases`` ((first index, centre, lower, upper), oldest first) when the
    limits were recalculated: each stretch's mean and limits over its own months, with a
    dotted line where the process changed."""
    width, height = 400, 240
    lo, hi = axis.lo, axis.hi

    def px(i: int) -> float:
        return width * i / (len(values) - 1) if len(values) > 1 else width / 2

    def py(v: float) -> float:
        return height * (hi - v) / (hi - lo)

    plot = [f'<svg class="run-plot" viewBox="0 0 {width} {height}" focusable="false">',
            f'<rect x="0" y="0" width="{width}" height="{height}" fill="none" '
            'stroke="#595959" stroke-width="1" vector-effect="non-scaling-stroke"/>']
    for value, _ in axis.ticks:
        plot.append(f'<line x1="0" x2="{width}" y1="{_n(py(value))}" y2="{_n(py(value))}" '
                    'stroke="#D0D0D0" stroke-width="1" vector-effect="non-scaling-stroke"/>')
    stretched = len(phases) >= 2
    x_break = "0"
    if stretched:  # the earlier stretches, unnamed; the latest is drawn and named below
        half = (px(1) - px(0)) / 2 if len(values) > 1 else 0
        starts = [a for a, _, _, _ in phases]
        for (a, c, lo_, up), b in zip(phases[:-1], starts[1:]):
            for value, dash, colour in ((c, "", "#333333"), (lo_, "6 4", "#595959"),
                                        (up, "6 4", "#595959")):
                dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
                plot.append(f'<line x1="{_n(max(0, px(a) - half))}" '
                            f'x2="{_n(px(b) - half)}" y1="{_n(py(value))}" '
                            f'y2="{_n(py(value))}" stroke="{colour}" stroke-width="1.5" '
                            f'vector-effect="non-scaling-stroke"{dash_attr}/>')
        x_break = _n(px(starts[-1]) - half)
        plot.append(f'<line x1="{x_break}" x2="{x_break}" y1="0" y2="{height}" '
                    'stroke="#595959" stroke-width="1" stroke-dasharray="2 3" '
                    'vector-effect="non-scaling-stroke"/>')
    names = []
    for name, value, dash, colour in (("Mean", centre, "", "#333333"),
                                      ("Upper limit", upper, "6 4", "#595959"),
                                      ("Lower limit", lower, "6 4", "#595959"),
                                      ("Target", target, "10 3 2 3", "#A00000")):
        if value is None:
            continue
        y = _n(py(value))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        x1 = x_break if stretched and name != "Target" else "0"
        plot.append(f'<line x1="{x1}" x2="{width}" y1="{y}" y2="{y}" stroke="{colour}" '
                    f'stroke-width="1.5" vector-effect="non-scaling-stroke"{dash_attr}/>')
        names.append(f'<li><svg width="28" height="8" aria-hidden="true" focusable="false">'
                     f'<line x1="0" x2="28" y1="4" y2="4" stroke="{colour}" stroke-width="2"'
                     f'{dash_attr}/></svg>{escape(name)}</li>')
    points = " ".join(f"{_n(px(i))},{_n(py(v))}" for i, v in enumerate(values))
    plot.append(f'<polyline points="{points}" fill="none" stroke="#1F3864" stroke-width="2" '
                'vector-effect="non-scaling-stroke"/>')
    for i, (label, v) in enumerate(zip(labels, values)):
        tip = f"<title>{escape(label)}: {escape(_n(v))}</title>"
        if label in marked:
            plot.append(f'<rect x="{_n(px(i) - 6)}" y="{_n(py(v) - 6)}" width="12" '
                        f'height="12" fill="#7A3E00">{tip}</rect>')
        else:
            plot.append(f'<circle cx="{_n(px(i))}" cy="{_n(py(v))}" r="5" '
                        f'fill="#1F3864">{tip}</circle>')
    plot.append("</svg>")
    ticks = "".join(f'<span class="chart-axis" style="top:{_pc(100 * py(value) / height)}">'
                    f'{escape(text)}</span>' for value, text in axis.ticks)
    step = max(1, -(-len(labels) // 6))
    months = "".join(
        f'<span class="chart-axis{"" if (i // step) % 2 == 0 else " minor"}" '
        f'style="left:{_pc(100 * px(i) / width)}">{escape(labels[i])}</span>'
        for i in range(0, len(labels), step))
    return Markup(
        f'<div class="chart run" role="img" aria-labelledby="{uid}-t {uid}-d">'
        + _named(uid, title, description)
        + f'<div class="run-y">{ticks}</div>' + "".join(plot)
        + f'<div class="run-x">{months}</div>'
        + (f'<ul class="run-legend">{"".join(names)}</ul>' if names else "") + "</div>")
