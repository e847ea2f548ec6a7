"""Charts for the Word board report, drawn with matplotlib's Agg renderer as PNG bytes.

- :func:`brag_by_objective`: one horizontal stacked bar per objective, a segment per
  rating, each with its count printed in it and its own hatching, so the chart reads in
  black-and-white print and for colour-blind readers.
- :func:`run_chart`: one indicator's monthly series with its centre line, control limits
  (XmR) and target; points that are part of a signal are drawn with their own marker.

Each function returns the PNG and takes its size in centimetres, so the caller places it
at exactly that size on the page. The bytes depend only on the arguments: PNG metadata
(software name) is left out, the font is matplotlib's bundled DejaVu Sans, and pyplot's
global figure manager is not used (each figure is a plain Figure, freed when dropped).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Sequence

from reportgen.model import Rag
from reportgen.render.cells import RAG_COLOURS

CM = 1 / 2.54  # inches per centimetre
DPI = 200

# Each rating's hatch, so the chart reads in black-and-white print and for colour-blind
# readers; Cancelled actions are not charted.
_HATCH = {Rag.RED: "////", Rag.AMBER: "....", Rag.GREEN: "\\\\\\\\", Rag.BLUE: "xxx",
          Rag.GREY: ""}
RAG_STYLE: dict[str, tuple[str, str, str]] = {
    rag.value: (f"#{RAG_COLOURS[rag][0]}", f"#{RAG_COLOURS[rag][1]}", hatch)
    for rag, hatch in _HATCH.items()
}
"""Fill, ink (dark or light, for the hatching) and hatch by rating name, in the palette
Word and Excel cells use (reportgen.render.cells.RAG_COLOURS)."""

LEGEND_LABELS = {"Red": "Red", "Amber": "Amber", "Green": "Green", "Blue": "Blue (complete)",
                 "Grey": "Grey (not yet due)"}

_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 7,
    "axes.titlesize": 7.5,
    "axes.labelsize": 7,
    "xtick.labelsize": 6.5,
    "ytick.labelsize": 6.5,
    "legend.fontsize": 6.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "hatch.linewidth": 0.6,
    "path.simplify": False,
}


def _figure(width_cm: float, height_cm: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_cm * CM, height_cm * CM), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None},
                facecolor="white")
    return buf.getvalue()


def brag_by_objective(rows: Sequence[tuple[str, dict[str, int]]], width_cm: float = 16.0,
                      height_cm: float | None = None) -> bytes:
    """``rows`` = [(label, {"Red": 3, "Amber": 1, …}), …] top to bottom. Cancelled
    actions are the caller's to leave out. Returns PNG bytes."""
    import matplotlib

    rows = list(rows) or [("No actions", {})]
    height_cm = height_cm or chart_height(len(rows))
    with matplotlib.rc_context(_RC):
        fig = _figure(width_cm, height_cm)
        ax = fig.add_subplot(1, 1, 1)
        labels = [label for label, _ in rows]
        totals = [sum(counts.values()) for _, counts in rows]
        widest = max(totals + [1])
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
                if width and width / widest >= 0.035:
                    # Black on a white tab: readable on any fill, in colour or grey.
                    ax.text(start + width / 2, yi, str(width), ha="center", va="center",
                            color="#000000", fontsize=6.5, fontweight="bold",
                            bbox=dict(boxstyle="round,pad=0.2", facecolor="#FFFFFF",
                                      edgecolor="none"))
            left = [a + b for a, b in zip(left, widths)]
        for yi, total in zip(y, totals):
            ax.text(total + widest * 0.01, yi, f"{total}", ha="left", va="center",
                    fontsize=6.5, color="#333333")
        ax.set_yticks(y, labels)
        ax.set_xlim(0, widest * 1.08)
        ax.set_xlabel("Number of actions")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.tick_params(axis="y", length=0)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28 - 0.6 / height_cm),
                  ncol=5, frameon=False, handlelength=1.6, handleheight=1.1,
                  columnspacing=1.2)
        fig.subplots_adjust(left=0.16, right=0.98, top=0.96,
                            bottom=min(0.6, 2.1 / height_cm))
        return _png(fig)


def chart_height(objectives: int) -> float:
    """Height in cm of the BRAG chart for this many objectives."""
    return 3.0 + 0.75 * max(objectives, 1)


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


_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def _short_month(label: str) -> str:
    try:
        year, month = label.split("-")
        return f"{_MONTHS[int(month) - 1]} {year[2:]}"
    except (ValueError, IndexError):
        return label


def run_chart(data: RunChartData, width_cm: float = 8.0, height_cm: float = 5.0) -> bytes:
    """A run chart of ``data`` with its limits; returns PNG bytes."""
    import matplotlib
    from matplotlib.lines import Line2D

    with matplotlib.rc_context(_RC):
        fig = _figure(width_cm, height_cm)
        ax = fig.add_subplot(1, 1, 1)
        x = list(range(len(data.values)))
        ax.plot(x, data.values, color="#1F3864", linewidth=1.0, marker="o", markersize=2.6,
                zorder=3)
        handles = [Line2D([], [], color="#1F3864", marker="o", markersize=2.6, linewidth=1,
                          label="Monthly value")]
        for periods, colour, marker, name in (
                (data.improvement, "#0070C0", "s", "Signal: improvement"),
                (data.concern, "#E46C0A", "D", "Signal: concern"),
                (data.neutral, "#7030A0", "^", "Signal")):
            idx = [i for i, label in enumerate(data.labels) if label in periods]
            if idx:
                ax.scatter(idx, [data.values[i] for i in idx], s=16, marker=marker,
                           color=colour, edgecolor="black", linewidth=0.4, zorder=4)
                handles.append(Line2D([], [], color=colour, marker=marker, linestyle="",
                                      markeredgecolor="black", markeredgewidth=0.4,
                                      markersize=4, label=name))
        if data.centre is not None:
            ax.axhline(data.centre, color="#404040", linewidth=0.8)
            handles.append(Line2D([], [], color="#404040", linewidth=0.8, label="Mean"))
        if data.lower is not None and data.upper is not None:
            for limit in (data.lower, data.upper):
                ax.axhline(limit, color="#7F7F7F", linewidth=0.8, linestyle=(0, (4, 2)))
            handles.append(Line2D([], [], color="#7F7F7F", linewidth=0.8,
                                  linestyle=(0, (4, 2)), label="Control limits"))
        if data.target is not None:
            ax.axhline(data.target, color="#C00000", linewidth=1.0, linestyle=(0, (1, 1.2)))
            handles.append(Line2D([], [], color="#C00000", linewidth=1.0,
                                  linestyle=(0, (1, 1.2)), label="Target"))
        step = max(1, (len(x) + 5) // 6)
        ticks = x[::-1][::step][::-1]
        ax.set_xticks(ticks, [_short_month(data.labels[i]) for i in ticks])
        ax.set_xlim(-0.5, max(len(x) - 0.5, 0.5))
        if data.unit:
            ax.set_ylabel(data.unit)
        ax.grid(axis="y", color="#E0E0E0", linewidth=0.5)
        ax.set_axisbelow(True)
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.14),
                  ncol=3, frameon=False, handlelength=1.8, columnspacing=1.0,
                  fontsize=5.8)
        fig.subplots_adjust(left=0.13, right=0.94, top=0.96, bottom=0.34)
        return _png(fig)
