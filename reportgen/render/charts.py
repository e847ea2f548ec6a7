"""Charts for the Word board report, drawn with matplotlib's Agg renderer as PNG bytes.

- :func:`brag_by_objective`: one horizontal stacked bar per objective, a segment per
  rating, each with its count printed in it and its own hatching, so the chart reads in
  black-and-white print and for colour-blind readers.
- :func:`run_chart`: one indicator's monthly series with its mean, control limits (XmR)
  and target, each named at the right-hand end of its line; points that are part of a
  signal are drawn with their own marker.

Fit for print: each function takes the size in centimetres the caller places the picture
at, and the figure is drawn at exactly that size, so a font size in points here is the
printed size. Every text is :data:`FONT_PT` (9 pt) or more, and matplotlib's tight layout
makes room for every label (the legend is the axes', under the axis), so nothing is
clipped. It is applied once when the figure is complete (:func:`_fit`), not as a layout
engine, which would measure every text again at each draw, and ``savefig`` draws a
layout-engine figure twice. The lines and the ratings are
told apart without colour: the mean is solid, the limits dashed and the target dash-dot,
each at its own width; every rating has its own hatch and a fill whose grey differs from
the others' (:func:`grey_level`).

The bytes depend only on the arguments: PNG metadata (software name) is left out, the
font is matplotlib's bundled DejaVu Sans, and pyplot's global figure manager is not used
(each figure is a plain Figure, freed when dropped). :func:`brag_figure` and
:func:`run_chart_figure` return the figure before it is saved, for checking its texts.
"""

from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass
from typing import Sequence

from reportgen.model import Rag

CM = 1 / 2.54  # inches per centimetre
# 150 dots per inch is plenty for 9 pt text printed at the placed size; more only adds
# time and bytes.
DPI = 150
FONT_PT = 9.0
"""The smallest text on any chart, in points at the printed size."""

# Each rating's hatch, so the chart reads in black-and-white print and for colour-blind
# readers; Cancelled actions are not charted.
_HATCH = {Rag.RED: "////", Rag.AMBER: "....", Rag.GREEN: "\\\\\\\\", Rag.BLUE: "xxx",
          Rag.GREY: "---"}
RAG_STYLE: dict[str, tuple[str, str, str]] = {
    rag.value: (f"#{rag.chart_fill}", f"#{rag.ink}", hatch) for rag, hatch in _HATCH.items()
}
"""Fill, ink (dark or light, for the hatching) and hatch by rating name, in the palette
Word and Excel cells use (``Rag.fill``), except a lighter Grey (``Rag.chart_fill``: a
bar has no word beside it)."""

LEGEND_LABELS = {rag.value: rag.word for rag in _HATCH}

_RC = {
    "font.family": "DejaVu Sans",
    "font.size": FONT_PT,
    "axes.titlesize": FONT_PT,
    "axes.labelsize": FONT_PT,
    "xtick.labelsize": FONT_PT,
    "ytick.labelsize": FONT_PT,
    "legend.fontsize": FONT_PT,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "hatch.linewidth": 0.6,
    "path.simplify": False,
}

# Line styles of the run chart, told apart by pattern and width as well as colour.
SERIES = dict(color="#1F3864", linewidth=1.2, marker="o", markersize=3.2)
MEAN = dict(color="#404040", linewidth=1.0, linestyle="-")
LIMIT = dict(color="#7F7F7F", linewidth=0.9, linestyle="--")
TARGET = dict(color="#C00000", linewidth=1.6, linestyle="-.")
SIGNALS = (("improvement", "#0070C0", "s", "Improvement"),
           ("concern", "#E46C0A", "D", "Concern"),
           ("neutral", "#7030A0", "^", "Other signal"))


def grey_level(hex_rgb: str) -> float:
    """The grey (0 black to 255 white) a colour ``"#RRGGBB"`` prints as in black and
    white: ITU-R BT.601 luma, as greyscale printers and converters use."""
    r, g, b = (int(hex_rgb.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    return 0.299 * r + 0.587 * g + 0.114 * b


def _figure(width_cm: float, height_cm: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_cm * CM, height_cm * CM), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _fit(fig):
    """``fig`` with its axes moved in so every text, the legend included, is inside."""
    fig.tight_layout(pad=0.25)
    return fig


def _png(fig) -> bytes:
    buf = io.BytesIO()
    # zlib level 3 gives these flat-colour pictures the same size as the default 6, faster.
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None},
                facecolor="white", pil_kwargs={"compress_level": 3})
    return buf.getvalue()


def _legend_below(ax, fig, drop_pt: float, **kw) -> None:
    """The axes' legend, ``drop_pt`` points below the axis (under its tick labels and
    title), centred on the figure; the tight layout makes room for it."""
    from matplotlib.transforms import ScaledTranslation, blended_transform_factory

    anchor = blended_transform_factory(
        fig.transFigure,
        ax.transAxes + ScaledTranslation(0, -drop_pt / 72, fig.dpi_scale_trans))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), bbox_transform=anchor,
              frameon=False, borderaxespad=0, borderpad=0, **kw)


def _wrap(label: str, width: int, lines: int = 2) -> str:
    """``label`` in lines of at most ``width`` characters, at most ``lines`` of them (the
    last ending "…" if the label is longer)."""
    parts = textwrap.wrap(label, width, break_long_words=True) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][:width - 1].rstrip() + "…"
    return "\n".join(parts)


def _text_pt(chars: int) -> float:
    """The approximate width in points of ``chars`` characters of DejaVu Sans at
    :data:`FONT_PT` (an average glyph is about 0.6 em)."""
    return chars * FONT_PT * 0.6


def brag_by_objective(rows: Sequence[tuple[str, dict[str, int]]], width_cm: float = 16.0,
                      height_cm: float | None = None) -> bytes:
    """``rows`` = [(label, {"Red": 3, "Amber": 1, …}), …] top to bottom. Cancelled
    actions are the caller's to leave out. Returns PNG bytes."""
    return _png(brag_figure(rows, width_cm, height_cm))


def brag_figure(rows: Sequence[tuple[str, dict[str, int]]], width_cm: float = 16.0,
                height_cm: float | None = None):
    """The figure :func:`brag_by_objective` saves. Labels longer than a fifth of the
    width are wrapped onto two lines (then cut with "…")."""
    import matplotlib

    rows = list(rows) or [("No actions", {})]
    height_cm = height_cm or chart_height(len(rows))
    with matplotlib.rc_context(_RC):
        fig = _figure(width_cm, height_cm)
        ax = fig.add_subplot(1, 1, 1)
        label_chars = max(10, int(width_cm * 0.2 * CM * 72 / _text_pt(1)))
        labels = [_wrap(label, label_chars) for label, _ in rows]
        totals = [sum(counts.values()) for _, counts in rows]
        widest = max(totals + [1])
        # Points per action along the bar, roughly: the axes take what the labels leave.
        axes_pt = (width_cm / 2.54 * 72) - _text_pt(min(label_chars, max(
            len(line) for label in labels for line in label.split("\n")))) - 40
        pt_per_action = axes_pt / (widest * 1.1)
        y = list(range(len(rows)))[::-1]
        left = [0.0] * len(rows)
        for rag, (fill, ink, hatch) in RAG_STYLE.items():
            widths = [counts.get(rag, 0) for _, counts in rows]
            bars = ax.barh(y, widths, left=left, color=fill, edgecolor="white",
                           linewidth=0.8, hatch=hatch, label=LEGEND_LABELS[rag], height=0.62)
            for bar in bars:
                # The hatch is drawn in the edge colour: dark on light fills, light on dark.
                bar.set_edgecolor("#FFFFFF" if ink == "#FFFFFF" else "#5A5A5A")
            for yi, start, width in zip(y, left, widths):
                if width and width * pt_per_action >= _text_pt(len(str(width))) + 3:
                    # Black on a white tab: readable on any fill, in colour or grey.
                    ax.text(start + width / 2, yi, str(width), ha="center", va="center",
                            color="#000000", fontweight="bold",
                            bbox=dict(boxstyle="round,pad=0.15", facecolor="#FFFFFF",
                                      edgecolor="none"))
            left = [a + b for a, b in zip(left, widths)]
        for yi, total in zip(y, totals):
            ax.annotate(f"{total}", (total, yi), xytext=(3, 0), textcoords="offset points",
                        ha="left", va="center", color="#333333")
        ax.set_yticks(y, labels)
        ax.set_ylim(-0.5, len(rows) - 0.5)
        ax.set_xlim(0, widest * 1.1)
        ax.set_xlabel("Number of actions")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.tick_params(axis="y", length=0)
        # All five keys in a row take about 14 cm at 9 pt; three about 9 cm.
        ncol = 5 if width_cm >= 15 else 3 if width_cm >= 10 else 2
        _legend_below(ax, fig, FONT_PT * 2.6 + 15, ncol=ncol, handlelength=1.6,
                      handleheight=1.1, columnspacing=1.2, handletextpad=0.5)
        return _fit(fig)


def chart_height(objectives: int) -> float:
    """Height in cm of the BRAG chart for this many objectives: room for the axis, its
    title and the legend, then 0.8 cm a bar."""
    return 3.2 + 0.8 * max(objectives, 1)


@dataclass(frozen=True)
class RunChartData:
    """One indicator's series, oldest first, and what to draw over it. The title is the
    caller's to print beside the chart (the report captions it)."""

    labels: tuple[str, ...]  # "2018-04", …
    values: tuple[float, ...]
    unit: str = ""
    target: float | None = None
    centre: float | None = None
    lower: float | None = None
    upper: float | None = None
    improvement: frozenset[str] = frozenset()  # periods in a signal of improvement
    concern: frozenset[str] = frozenset()  # periods in a signal of concern
    neutral: frozenset[str] = frozenset()
    # (first month, centre, lower, upper) of each stretch with its own limits, oldest
    # first, when the limits were recalculated from a month; empty: one set, the above
    phases: tuple[tuple[str, float, float, float], ...] = ()


_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def _short_month(label: str) -> str:
    try:
        year, month = label.split("-")
        return f"{_MONTHS[int(month) - 1]} {year[2:]}"
    except (ValueError, IndexError):
        return label


def run_chart(data: RunChartData, width_cm: float = 8.0, height_cm: float = 5.0) -> bytes:
    """A run chart of ``data`` with its limits; returns PNG bytes."""
    return _png(run_chart_figure(data, width_cm, height_cm))


def _spread(positions: list[float], gap: float, low: float, high: float) -> list[float]:
    """``positions`` (sorted ascending) moved apart so neighbours are at least ``gap``
    apart, as little as possible, kept within ``low``..``high`` where there is room."""
    out = list(positions)
    for i in range(1, len(out)):
        out[i] = max(out[i], out[i - 1] + gap)
    if out and out[-1] > high:
        out[-1] = high
        for i in range(len(out) - 2, -1, -1):
            out[i] = min(out[i], out[i + 1] - gap)
    if out and out[0] < low:
        shift = low - out[0]
        out = [p + shift for p in out]
    return out


def run_chart_figure(data: RunChartData, width_cm: float = 8.0, height_cm: float = 5.0):
    """The figure :func:`run_chart` saves: the series; the mean, limits and target, each
    in its own line style and named at the right-hand end of its line ("Mean", "Limit",
    "Target"); the signal markers, with a legend below only for the kinds shown."""
    import matplotlib
    from matplotlib.lines import Line2D

    with matplotlib.rc_context(_RC):
        fig = _figure(width_cm, height_cm)
        ax = fig.add_subplot(1, 1, 1)
        x = list(range(len(data.values)))
        ax.plot(x, data.values, zorder=3, **SERIES)
        handles = []
        for kind, colour, marker, name in SIGNALS:
            periods = getattr(data, kind)
            idx = [i for i, label in enumerate(data.labels) if label in periods]
            if idx:
                ax.scatter(idx, [data.values[i] for i in idx], s=22, marker=marker,
                           color=colour, edgecolor="black", linewidth=0.5, zorder=4)
                handles.append(Line2D([], [], color=colour, marker=marker, linestyle="",
                                      markeredgecolor="black", markeredgewidth=0.5,
                                      markersize=5, label=name))
        lines: list[tuple[float, str, dict]] = []
        if data.centre is not None:
            lines.append((data.centre, "Mean", MEAN))
        if data.lower is not None and data.upper is not None:
            lines += [(data.lower, "Limit", LIMIT), (data.upper, "Limit", LIMIT)]
        if data.target is not None:
            lines.append((data.target, "Target", TARGET))
        starts = [data.labels.index(p[0]) for p in data.phases if p[0] in data.labels]
        if len(starts) >= 2 and len(starts) == len(data.phases):
            # limits recalculated: each stretch's mean and limits over its own months, a
            # dotted line where the process changed; the latest are named at the right
            ends = starts[1:] + [len(x)]
            for (_, centre, lower, upper), a, b in zip(data.phases, starts, ends):
                for value, style in ((centre, MEAN), (lower, LIMIT), (upper, LIMIT)):
                    ax.hlines(value, a - 0.5, b - 0.5, **style)
            for a in starts[1:]:
                ax.axvline(a - 0.5, color="#7F7F7F", linewidth=0.8, linestyle=":")
            earlier = [v for _, c, lo_, up in data.phases[:-1] for v in (c, lo_, up)]
            if data.target is not None:
                ax.axhline(data.target, **TARGET)
        else:
            earlier = []
            for value, _, style in lines:
                ax.axhline(value, **style)

        values = list(data.values) + [v for v, _, _ in lines] + earlier
        lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
        pad = (hi - lo) * 0.08 or max(abs(hi) * 0.1, 1.0)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_xlim(-0.5, max(len(x) - 0.5, 0.5))

        # Month ticks far enough apart for "Sep 18" at 9 pt, the latest month always shown.
        axes_w_pt = width_cm / 2.54 * 72 - 75
        room = max(2, int(axes_w_pt // (_text_pt(6) + 14)))
        step = max(1, math.ceil(len(x) / room))
        ticks = x[::-1][::step][::-1]
        ax.set_xticks(ticks, [_short_month(data.labels[i]) for i in ticks])
        if data.unit:
            ax.set_ylabel(_wrap(data.unit, max(8, int(height_cm / 2.54 * 72 * 0.6
                                                     // _text_pt(1)))))
        ax.grid(axis="y", color="#E0E0E0", linewidth=0.5)
        ax.set_axisbelow(True)

        if lines:
            # The axes' height, estimated from the figure's less the ticks, the legend
            # and the padding, to keep the labels a line apart.
            axes_h_pt = height_cm / 2.54 * 72 - FONT_PT * 1.2 - 12 - \
                (FONT_PT * 3.2 if handles else 0)
            low, high = ax.get_ylim()
            per_pt = (high - low) / max(axes_h_pt, 1.0)
            order = sorted(lines, key=lambda line: line[0])
            placed = _spread([v for v, _, _ in order], FONT_PT * 1.25 * per_pt,
                             low + FONT_PT * 0.6 * per_pt, high - FONT_PT * 0.6 * per_pt)
            for (value, name, style), at in zip(order, placed):
                ax.annotate(name, (1.0, value), xytext=(1.02, at),
                            xycoords=ax.get_yaxis_transform(),
                            textcoords=ax.get_yaxis_transform(), ha="left", va="center",
                            color=style["color"], annotation_clip=False,
                            fontweight="bold" if name == "Target" else "normal")
        if handles:
            _legend_below(ax, fig, FONT_PT * 1.2 + 8, handles=handles,
                          ncol=len(handles) if len(handles) < 3 else 2, handlelength=1.0,
                          handletextpad=0.4, columnspacing=1.2)
        return _fit(fig)
