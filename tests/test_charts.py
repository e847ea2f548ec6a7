"""The charts fit for print: drawn at the size they are placed at, text of 9 pt or more at
that size, nothing clipped, the mean, limits and target named on the chart and told apart
without colour, and every rating apart from the others in black-and-white print."""

from __future__ import annotations

import io
import itertools

import pytest
from matplotlib.image import imread
from matplotlib.text import Text

from reportgen.render import charts
from reportgen.render.charts import RAG_STYLE, RunChartData, grey_level

LONG_OBJECTIVE = ("Objective 1: Improve the health of the population and reduce health "
                  "inequalities across every locality of the Scottish Borders")
MONTHS = tuple(f"{2017 + (m >= 12)}-{m % 12 + 1:02d}" for m in range(3, 21))  # Apr 17 on
STEP_UP = (57, 56, 59, 56, 58.5, 57.5, 55.5, 58.5, 55.5, 67, 65, 65, 67, 69.5, 65, 65.5, 68,
           70)


def run_data(**kw) -> RunChartData:
    base = dict(labels=MONTHS, values=STEP_UP, unit="%", target=72.0, centre=62.0,
                lower=54.8, upper=69.3, improvement=frozenset(MONTHS[9:]),
                concern=frozenset(MONTHS[:2]), neutral=frozenset(MONTHS[4:5]))
    base.update(kw)
    return RunChartData(**base)


BRAG_ROWS = [(LONG_OBJECTIVE, {"Red": 3, "Amber": 5, "Green": 8, "Blue": 2, "Grey": 1}),
             ("Objective 2", {"Red": 1, "Amber": 3, "Green": 4, "Blue": 1, "Grey": 2}),
             ("Objective 3", {"Red": 5, "Amber": 7, "Green": 15, "Blue": 7})]

# (figure, placed width, placed height): the report's sizes and a narrow page's.
CASES = [
    ("brag", lambda: charts.brag_figure(BRAG_ROWS, 16.0, charts.chart_height(3)), 16.0,
     charts.chart_height(3)),
    ("brag-narrow", lambda: charts.brag_figure(BRAG_ROWS, 11.0, charts.chart_height(3)),
     11.0, charts.chart_height(3)),
    ("run", lambda: charts.run_chart_figure(run_data(), 8.1, 5.02), 8.1, 5.02),
    ("run-long-unit", lambda: charts.run_chart_figure(
        run_data(unit="emergency admissions per 1,000 population aged 65 and over"),
        8.1, 5.02), 8.1, 5.02),
    ("run-wide", lambda: charts.run_chart_figure(run_data(), 15.6, 9.7), 15.6, 9.7),
]


def shown_texts(fig) -> list[Text]:
    """Every text drawn: tick labels only at ticks within the axis' view (matplotlib
    keeps labels for ticks just beyond it, which are not drawn)."""
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for loc, label in zip(axis.get_majorticklocs(), axis.get_ticklabels()):
                if not low - 1e-9 <= loc <= high + 1e-9:
                    hidden.add(id(label))
    return [t for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and id(t) not in hidden]


@pytest.mark.parametrize("name,make,width_cm,height_cm", CASES, ids=[c[0] for c in CASES])
def test_drawn_at_placed_size_with_text_of_9pt_or_more_and_nothing_clipped(
        name, make, width_cm, height_cm):
    fig = make()
    w_in, h_in = fig.get_size_inches()
    assert (w_in * 2.54, h_in * 2.54) == pytest.approx((width_cm, height_cm))
    fig.draw_without_rendering()
    texts = shown_texts(fig)
    assert len(texts) > 8
    assert min(t.get_fontsize() for t in texts) >= 9
    frame = fig.bbox
    for t in texts:
        box = t.get_window_extent()
        assert (box.x0 >= frame.x0 - 0.5 and box.y0 >= frame.y0 - 0.5
                and box.x1 <= frame.x1 + 0.5 and box.y1 <= frame.y1 + 0.5), t.get_text()
    # The legend sits clear of the tick labels and the axis titles.
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is not None:
            box = legend.get_window_extent()
            labels = [ax.xaxis.label, ax.yaxis.label, *ax.get_xticklabels()]
            assert not any(box.overlaps(t.get_window_extent()) for t in labels
                           if t in texts)
    # Tick labels on one axis never run into each other.
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            boxes = [t.get_window_extent() for t in axis.get_ticklabels() if t in texts]
            assert not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))


def test_png_is_the_placed_size_at_150_dpi_with_a_clear_border():
    png = charts.run_chart(run_data(), 8.1, 5.02)
    img = imread(io.BytesIO(png))
    assert img.shape[:2] == (round(5.02 / 2.54 * 150), round(8.1 / 2.54 * 150))
    # Nothing drawn touches the edge: a clipped label would.
    edges = [img[0], img[-1], img[:, 0], img[:, -1]]
    assert all((edge[..., :3] == 1.0).all() for edge in edges)


def test_mean_limits_and_target_are_named_at_the_right_edge_and_apart():
    # Target on the mean: the two names are moved apart, not printed over each other.
    fig = charts.run_chart_figure(run_data(target=62.0), 8.1, 5.02)
    fig.draw_without_rendering()
    ax = fig.axes[0]
    names = [t for t in ax.texts if t.get_text() in ("Mean", "Limit", "Target")]
    assert sorted(t.get_text() for t in names) == ["Limit", "Limit", "Mean", "Target"]
    right = ax.get_window_extent().x1
    boxes = [t.get_window_extent() for t in names]
    assert all(b.x0 >= right for b in boxes)
    assert not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))


def test_mean_limits_and_target_differ_in_line_style_and_width():
    fig = charts.run_chart_figure(run_data(), 8.1, 5.02)
    ax = fig.axes[0]
    by_value = {line.get_ydata()[0]: line for line in ax.lines[1:]}
    mean, lower, upper, target = (by_value[v] for v in (62.0, 54.8, 69.3, 72.0))
    assert mean.get_linestyle() == "-"
    assert lower.get_linestyle() == upper.get_linestyle() == "--"
    assert target.get_linestyle() == "-."
    assert len({mean.get_linewidth(), lower.get_linewidth(), target.get_linewidth()}) == 3


def test_no_legend_entry_for_a_signal_kind_not_shown():
    fig = charts.run_chart_figure(run_data(concern=frozenset(), neutral=frozenset()),
                                  8.1, 5.02)
    legend = fig.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["Improvement"]
    bare = charts.run_chart_figure(run_data(improvement=frozenset(), concern=frozenset(),
                                            neutral=frozenset(), centre=None, lower=None,
                                            upper=None, target=None), 8.1, 5.02)
    assert bare.axes[0].get_legend() is None and not bare.axes[0].texts


def test_every_rating_is_apart_in_greyscale_and_by_hatch():
    hatches = [hatch for _, _, hatch in RAG_STYLE.values()]
    assert all(hatches) and len(set(hatches)) == len(hatches)
    for (a, (fill_a, _, _)), (b, (fill_b, _, _)) in itertools.combinations(
            RAG_STYLE.items(), 2):
        assert abs(grey_level(fill_a) - grey_level(fill_b)) >= 20, (a, b)
    # Amber and Grey, identical in grey at the table's colours, are now far apart.
    assert grey_level(RAG_STYLE["Grey"][0]) - grey_level(RAG_STYLE["Amber"][0]) >= 40


def test_brag_counts_are_printed_where_they_fit():
    fig = charts.brag_figure(BRAG_ROWS, 16.0)
    counts = [t.get_text() for t in fig.axes[0].texts]
    # Every segment's count, then each bar's total at its end.
    assert counts.count("7") >= 2 and "15" in counts and "34" in counts


def test_same_arguments_give_the_same_bytes():
    assert charts.run_chart(run_data(), 8.1, 5.02) == charts.run_chart(run_data(), 8.1, 5.02)
    assert charts.brag_by_objective(BRAG_ROWS) == charts.brag_by_objective(BRAG_ROWS)


def test_recalculated_limits_are_drawn_per_stretch_with_a_break_between():
    """Limits recalculated from a month ([spc.recalculate]): each stretch has its own mean
    and limits over its own months, not the latest ones across the whole series."""
    import matplotlib.pyplot as plt

    labels = tuple(f"2018-{m:02d}" for m in range(1, 13))
    values = (50.0,) * 6 + (70.0,) * 6
    data = RunChartData(labels=labels, values=values, centre=70.0, lower=65.0, upper=75.0,
                        phases=(("2018-01", 50.0, 45.0, 55.0), ("2018-07", 70.0, 65.0, 75.0)))
    fig = charts.run_chart_figure(data, 12.0, 6.0)
    ax = fig.axes[0]
    segments = [(round(seg[0][1], 3), round(seg[0][0], 2), round(seg[1][0], 2))
                for coll in ax.collections for seg in coll.get_segments()]
    assert (50.0, -0.5, 5.5) in segments and (70.0, 5.5, 11.5) in segments  # the means
    assert (45.0, -0.5, 5.5) in segments and (75.0, 5.5, 11.5) in segments  # limits
    full_width = [line for line in ax.get_lines()
                  if list(line.get_xdata()) == [0, 1] and line.get_ydata()[0] in (50.0, 70.0)]
    assert not full_width  # no mean drawn across both stretches
    assert ax.get_ylim()[0] < 45.0  # the earlier stretch's limits are in view
    plt.close(fig)
