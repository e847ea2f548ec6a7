"""KPI rating: polarity, tolerance, direction against both comparators, and each XmR
signal on constructed series."""

from __future__ import annotations

import pytest

from factories import make_kpi
from reportgen.config import Spc
from reportgen.kpis import rate_against_target, rate_kpi, xmr
from reportgen.model import Comparator, Direction, Period, Polarity, Rag

SPC = Spc()
NO_LIMITS = Spc(min_points=1000)  # direction of travel month on month, no SPC reading
SEP = Period(2018, 9)


def series(values, start=Period(2017, 4)):
    out, p = [], start
    for v in values:
        out.append((p.label, float(v)))
        p = p.shift(1)
    return tuple(out)


def kpi(values, **kw):
    return make_kpi(1, series=series(values), **kw)


@pytest.mark.parametrize("polarity, value, rag", [
    (Polarity.HIGHER, 80, Rag.GREEN), (Polarity.HIGHER, 75, Rag.GREEN),
    (Polarity.HIGHER, 74.9, Rag.AMBER), (Polarity.HIGHER, 70, Rag.AMBER),
    (Polarity.HIGHER, 69.9, Rag.RED),
    (Polarity.LOWER, 70, Rag.GREEN), (Polarity.LOWER, 75, Rag.GREEN),
    (Polarity.LOWER, 75.1, Rag.AMBER), (Polarity.LOWER, 80, Rag.AMBER),
    (Polarity.LOWER, 80.1, Rag.RED),
])
def test_target_and_tolerance_by_polarity(polarity, value, rag):
    assert rate_against_target(value, polarity, 75, 5)[0] is rag


def test_no_tolerance_means_any_miss_is_red_and_no_target_no_rag():
    assert rate_against_target(74.99, Polarity.HIGHER, 75, None)[0] is Rag.RED
    assert rate_against_target(10, Polarity.HIGHER, None, 5) == (None, "no target set")


@pytest.mark.parametrize("polarity, previous, latest, direction", [
    (Polarity.HIGHER, 60, 61, Direction.IMPROVING),
    (Polarity.HIGHER, 61, 60, Direction.WORSENING),
    (Polarity.LOWER, 60, 61, Direction.WORSENING),
    (Polarity.LOWER, 61, 60, Direction.IMPROVING),
    (Polarity.LOWER, 60, 60, Direction.NO_CHANGE),
])
def test_direction_against_previous_period(polarity, previous, latest, direction):
    values = [50] * 16 + [previous, latest]  # Apr 2017 .. Sep 2018
    r = rate_kpi(kpi(values, polarity=polarity), SEP, NO_LIMITS)
    assert r.direction is direction
    assert r.compared_with == "2018-08" and r.previous == previous


def test_direction_against_same_month_last_year():
    values = [40] * 18
    values[5] = 55  # Sep 2017
    values[-1] = 50  # Sep 2018: worse than a year ago, better than last month
    r = rate_kpi(kpi(values, comparator=Comparator.LAST_YEAR), SEP, NO_LIMITS)
    assert r.compared_with == "2017-09" and r.previous == 55
    assert r.direction is Direction.WORSENING
    r = rate_kpi(kpi(values, comparator=Comparator.PREVIOUS), SEP, NO_LIMITS)
    assert r.direction is Direction.IMPROVING


def test_latest_is_up_to_the_period_and_missing_comparison_is_said():
    values = list(range(18))
    r = rate_kpi(kpi(values), Period(2018, 3), SPC)
    assert r.latest_period == "2018-03" and r.latest == 11
    short = make_kpi(1, series=(("2018-09", 70.0),))
    r = rate_kpi(short, SEP, SPC)
    assert r.direction is None and r.spc is None
    assert any("no value for August 2018" in x for x in r.reasons)
    none = rate_kpi(make_kpi(1, series=()), SEP, SPC)
    assert none.rag is None and none.latest is None


def test_xmr_limits_from_mean_moving_range():
    values = [10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 10, 12]
    r = xmr(list(series(values)), Polarity.HIGHER, SPC)
    assert r.centre == pytest.approx(11)
    assert r.mean_moving_range == pytest.approx(2)
    assert r.upper == pytest.approx(11 + 2.66 * 2)
    assert r.lower == pytest.approx(11 - 2.66 * 2)
    assert r.signals == ()
    assert "common-cause" in r.summary


def test_too_few_points_no_chart():
    assert xmr(list(series([1] * 11)), Polarity.HIGHER, SPC) is None
    assert xmr(list(series([1] * 6)), Polarity.HIGHER, Spc(min_points=6)) is not None


def rules(result):
    return {s.rule: s for s in result.signals}


def test_beyond_limit_signal_and_kind_by_polarity():
    values = [50, 52, 50, 52, 50, 52, 50, 52, 50, 52, 50, 52, 50, 70]
    up = rules(xmr(list(series(values)), Polarity.HIGHER, SPC))
    assert up["beyond-limit"].periods == ("2018-05",)
    assert up["beyond-limit"].kind == "improvement"
    assert "above the upper process limit" in up["beyond-limit"].description
    down = rules(xmr(list(series(values)), Polarity.LOWER, SPC))
    assert down["beyond-limit"].kind == "concern"
    assert "beyond-limit" not in rules(xmr(list(series(values)), Polarity.HIGHER,
                                            Spc(beyond_limit=False)))


def test_run_signal_seven_on_one_side():
    values = [50, 54, 50, 54, 50, 54, 50, 54, 53, 53, 53, 53, 53, 53, 53]
    r = xmr(list(series(values)), Polarity.LOWER, SPC)
    run = rules(r)["run"]
    assert len(run.periods) >= 7 and "above the centre line" in run.description
    assert run.kind == "concern"
    six = [50, 54, 50, 54, 50, 54, 50, 54, 50, 53, 53, 53, 53, 53, 53]
    assert "run" not in rules(xmr(list(series(six[:-1] + [50])), Polarity.LOWER, SPC))
    assert "run" in rules(xmr(list(series(values)), Polarity.LOWER, Spc(run_length=7)))
    assert "run" not in rules(xmr(list(series(values)), Polarity.LOWER, Spc(run_length=20)))


def test_trend_signal_six_rising():
    values = [50, 52, 50, 52, 50, 52, 50, 51, 51.5, 52, 52.5, 53]
    r = rules(xmr(list(series(values)), Polarity.HIGHER, SPC))
    assert r["trend"].periods == tuple(p for p, _ in series(values)[6:])
    assert r["trend"].kind == "improvement"
    assert "6 points in a row rising" in r["trend"].description
    five = [50, 52, 50, 52, 50, 52, 50, 52, 51, 51.5, 52, 52.5]
    assert "trend" not in rules(xmr(list(series(five)), Polarity.HIGHER, SPC))


def test_two_of_three_near_a_limit():
    # centre 51.4, mean moving range 2.36: limits 45.2 and 57.7, "near" beyond 55.6
    values = [50, 52] * 10 + [56, 51, 56]
    r = rules(xmr(list(series(values)), Polarity.HIGHER, SPC))
    assert "two-of-three" in r
    assert "beyond-limit" not in r
    assert r["two-of-three"].kind == "improvement"
    assert "two-of-three" not in rules(xmr(list(series(values)), Polarity.HIGHER,
                                            Spc(two_of_three=False)))


def test_red_rag_but_common_cause_variation():
    """Always below target, but only noise: RAG Red, SPC says no signal."""
    values = [60, 62, 61, 63, 60, 62, 61, 63, 60, 62, 61, 62, 60, 61, 63, 60, 62, 61]
    r = rate_kpi(kpi(values, target=75, tolerance=5), SEP, SPC)
    assert r.rag is Rag.RED
    assert r.spc.signals == ()


def test_green_rag_but_special_cause_concern():
    """On target, but falling six months running: RAG Green, SPC flags a concern."""
    values = [90, 92, 91, 93, 90, 92, 91, 93, 90, 92, 91, 92, 91, 90, 89, 88, 87, 86]
    r = rate_kpi(kpi(values, target=80, tolerance=5), SEP, SPC)
    assert r.rag is Rag.GREEN
    concerns = [s for s in r.spc.signals if s.kind == "concern"]
    assert concerns and any(s.rule == "trend" for s in concerns)


@pytest.mark.parametrize("labels, compared, words", [
    (("2017-06", "2017-09", "2017-12", "2018-03", "2018-06", "2018-09"), "2018-06",
     "previous quarter"),
    (("2016-09", "2017-09", "2018-09"), "2017-09", "previous year"),
])
def test_quarterly_and_yearly_kpis_compare_with_their_own_previous_value(labels, compared,
                                                                         words):
    values = [60.0 + i for i in range(len(labels))]
    k = make_kpi(1, series=tuple(zip(labels, values)))
    r = rate_kpi(k, SEP, SPC)
    assert r.compared_with == compared and r.previous == values[-2]
    assert r.direction is Direction.IMPROVING
    assert any(words in x for x in r.reasons), r.reasons
    assert not any("no value for" in x for x in r.reasons)


def test_monthly_kpi_with_a_gap_still_says_no_earlier_value():
    labels = [Period(2017, 4).shift(i).label for i in range(18) if i != 16]
    k = make_kpi(1, series=tuple((p, 60.0) for p in labels))
    r = rate_kpi(k, SEP, SPC)
    assert r.previous is None and any("no value for August 2018" in x for x in r.reasons)


def _numbers(text):
    import re
    return re.findall(r"\d[\d,]*(?:\.\d+)?", text)


def test_spc_text_shows_enough_precision_to_be_true():
    base = [50, 52] * 6 + [50]
    x = 55.0
    while True:  # the first value just beyond the upper limit
        r = xmr(list(series(base + [x])), Polarity.HIGHER, SPC)
        if "beyond-limit" in rules(r):
            break
        x = round(x + 0.001, 3)
    text = rules(r)["beyond-limit"].description
    value, limit = _numbers(text.split("(", 1)[1])[0], _numbers(text.rsplit("(", 1)[1])[0]
    assert value != limit and float(value) > float(limit), text


def test_target_gap_never_reads_as_zero():
    rag, why = rate_against_target(74.96, Polarity.HIGHER, 75, 5, "%")
    assert rag is Rag.AMBER and why.startswith("0.04 points below target")
