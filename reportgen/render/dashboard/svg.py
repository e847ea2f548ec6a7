"""The dashboard's charts as inline SVG: every text escaped, each chart an image with a
title and a description (its text alternative); the page puts a table of the same
numbers beside it. No script, no external reference: the SVG is safe to inline."""

from __future__ import annotations

from markupsafe import Markup, escape

from reportgen.model import Rag

# Each rating's pattern over its bar fill (Rag.web_fill: a non-text contrast of at least
# 3:1 against white), so the chart also reads in greyscale print and without colour vision.
_PATTERN = {Rag.RED: "M0,8 L8,0", Rag.AMBER: "M0,4 L8,4", Rag.GREEN: "M4,0 L4,8",
            Rag.BLUE: "M0,0 L8,8", Rag.GREY: "M0,2 L8,2 M0,6 L8,6", Rag.CANCELLED: ""}


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _defs(uid: str) -> str:
    parts = []
    for rag, path in _PATTERN.items():
        lines = (f'<path d="{path}" stroke="#FFFFFF" stroke-width="1.5" '
                 'stroke-opacity="0.55"/>') if path else ""
        parts.append(f'<pattern id="{uid}-{rag.name.lower()}" width="8" height="8" '
                     f'patternUnits="userSpaceOnUse"><rect width="8" height="8" '
                     f'fill="#{rag.web_fill}"/>{lines}</pattern>')
    return "<defs>" + "".join(parts) + "</defs>"


def stacked_bars(uid: str, title: str, description: str,
                 rows: list[tuple[str, dict[Rag, int]]], order: tuple[Rag, ...]) -> Markup:
    """One horizontal bar a row, a segment a rating (with its pattern), the row's label
    above its bar and its total at the end. Scales to its container's width."""
    width, bar_h, gap, label_h = 600, 22, 14, 18
    total_max = max([sum(c.get(r, 0) for r in order) for _, c in rows] + [1])
    height = len(rows) * (bar_h + gap + label_h) + 8
    scale = (width - 60) / total_max
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'role="img" aria-labelledby="{uid}-t {uid}-d" class="chart" '
           f'preserveAspectRatio="xMinYMin meet">',
           f'<title id="{uid}-t">{escape(title)}</title>',
           f'<desc id="{uid}-d">{escape(description)}</desc>', _defs(uid)]
    y = 4
    for label, counts in rows:
        out.append(f'<text x="0" y="{y + 13}" class="chart-label">{escape(label)}</text>')
        y += label_h
        x = 0.0
        for rag in order:
            n = counts.get(rag, 0)
            if not n:
                continue
            w = n * scale
            out.append(f'<rect x="{_n(x)}" y="{y}" width="{_n(w)}" height="{bar_h}" '
                       f'fill="url(#{uid}-{rag.name.lower()})"><title>{escape(rag.value)}: '
                       f'{n}</title></rect>')
            x += w
        total = sum(counts.get(r, 0) for r in order)
        out.append(f'<text x="{_n(x + 6)}" y="{y + 16}" class="chart-label">{total}</text>')
        y += bar_h + gap
    out.append("</svg>")
    return Markup("".join(out))


def run_chart(uid: str, title: str, description: str, labels: list[str],
              values: list[float], *, centre: float | None = None,
              lower: float | None = None, upper: float | None = None,
              target: float | None = None, marked: frozenset[str] = frozenset(),
              phases: tuple[tuple[int, float, float, float], ...] = ()) -> Markup:
    """A run chart: the monthly values joined by a line, the mean (solid), the control
    limits (dashed) and the target (dash-dot), each named at its right-hand end; points
    in a signal drawn as squares. ``phases`` ((first index, centre, lower, upper), oldest
    first) when the limits were recalculated: each stretch's mean and limits over its own
    months, with a dotted line where the process changed."""
    width, height, left, right, top, bottom = 600, 260, 48, 92, 12, 34
    extra = [v for v in (centre, lower, upper, target) if v is not None]
    extra += [v for _, c, lo_, up in phases for v in (c, lo_, up)]
    lo, hi = min(list(values) + extra), max(list(values) + extra)
    if hi == lo:
        hi, lo = hi + 1, lo - 1
    pad = (hi - lo) * 0.08
    lo, hi = lo - pad, hi + pad
    plot_w, plot_h = width - left - right, height - top - bottom

    def px(i: int) -> float:
        return left + (plot_w * i / (len(values) - 1) if len(values) > 1 else plot_w / 2)

    def py(v: float) -> float:
        return top + plot_h * (hi - v) / (hi - lo)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'role="img" aria-labelledby="{uid}-t {uid}-d" class="chart">',
           f'<title id="{uid}-t">{escape(title)}</title>',
           f'<desc id="{uid}-d">{escape(description)}</desc>',
           f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
           'stroke="#595959" stroke-width="1"/>']
    for frac in (0.0, 0.5, 1.0):
        v = lo + (hi - lo) * frac
        out.append(f'<text x="{left - 4}" y="{_n(py(v) + 4)}" text-anchor="end" '
                   f'class="chart-axis">{escape(_n(v))}</text>')
    stretched = len(phases) >= 2
    if stretched:  # the earlier stretches, unlabelled; the latest is drawn and named below
        half = (px(1) - px(0)) / 2 if len(values) > 1 else 0
        starts = [a for a, _, _, _ in phases]
        for (a, c, lo_, up), b in zip(phases[:-1], starts[1:]):
            for value, dash, colour in ((c, "", "#333333"), (lo_, "6 4", "#595959"),
                                        (up, "6 4", "#595959")):
                dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
                out.append(f'<line x1="{_n(max(left, px(a) - half))}" '
                           f'x2="{_n(px(b) - half)}" y1="{_n(py(value))}" '
                           f'y2="{_n(py(value))}" stroke="{colour}" stroke-width="1.5"'
                           f'{dash_attr}/>')
        x_break = _n(px(starts[-1]) - half)
        out.append(f'<line x1="{x_break}" x2="{x_break}" y1="{top}" y2="{top + plot_h}" '
                   'stroke="#595959" stroke-width="1" stroke-dasharray="2 3"/>')
    for name, value, dash, colour in (("Mean", centre, "", "#333333"),
                                      ("Upper limit", upper, "6 4", "#595959"),
                                      ("Lower limit", lower, "6 4", "#595959"),
                                      ("Target", target, "10 3 2 3", "#A00000")):
        if value is None:
            continue
        y = _n(py(value))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        x1 = x_break if stretched and name != "Target" else left
        out.append(f'<line x1="{x1}" x2="{left + plot_w}" y1="{y}" y2="{y}" '
                   f'stroke="{colour}" stroke-width="1.5"{dash_attr}/>'
                   f'<text x="{left + plot_w + 4}" y="{y}" dy="4" class="chart-axis">'
                   f'{escape(name)}</text>')
    points = " ".join(f"{_n(px(i))},{_n(py(v))}" for i, v in enumerate(values))
    out.append(f'<polyline points="{points}" fill="none" stroke="#1F3864" '
               'stroke-width="2"/>')
    for i, (label, v) in enumerate(zip(labels, values)):
        x, y = _n(px(i)), _n(py(v))
        tip = f"<title>{escape(label)}: {escape(_n(v))}</title>"
        if label in marked:
            out.append(f'<rect x="{_n(px(i) - 5)}" y="{_n(py(v) - 5)}" width="10" '
                       f'height="10" fill="#7A3E00">{tip}</rect>')
        else:
            out.append(f'<circle cx="{x}" cy="{y}" r="3.5" fill="#1F3864">{tip}</circle>')
    step = max(1, len(labels) // 6)
    for i in range(0, len(labels), step):
        out.append(f'<text x="{_n(px(i))}" y="{height - 12}" text-anchor="middle" '
                   f'class="chart-axis">{escape(labels[i])}</text>')
    out.append("</svg>")
    return Markup("".join(out))
