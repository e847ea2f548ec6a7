"""KPI rating: polarity, tolerance, direction against both comparators, and each XmR
signal on constructed series."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# --------------------------------------------------------------------------- Making Data Count

STEP = [50, 50.5] * 6 + [60, 60.5] * 6  # Apr 2017 – Mar 2018 about 50, Apr 2018 on about 60


def by_kind(result, rule):
    return {s.kind: s for s in result.signals if s.rule == rule}


def test_step_up_early_points_are_a_concern_and_the_later_run_an_improvement():
    r = xmr(list(series(STEP)), Polarity.HIGHER, SPC, "%")
    early = [p for p, _ in series(STEP)[:12]]
    later = [p for p, _ in series(STEP)[12:]]
    beyond = by_kind(r, "beyond-limit")
    assert beyond["concern"].periods == tuple(early)  # below the lower limit: a concern
    assert "below the lower process limit" in beyond["concern"].description
    assert beyond["improvement"].periods == tuple(later)
    runs = by_kind(r, "run")
    assert runs["concern"].periods == tuple(early) and runs["improvement"].periods == tuple(later)
    for s in r.signals:  # one kind per signal, judged point by point
        assert all((p in early) == (s.kind == "concern") for p in s.periods), s
    lower = rate_kpi(kpi(STEP, polarity=Polarity.LOWER, target=None), SEP, SPC)
    assert {s.kind for s in lower.spc.signals if "2017-04" in s.periods} == {"improvement"}


def test_every_run_is_marked_not_only_the_last():
    values = [40, 41] * 6 + [60, 61] * 6 + [40, 41] * 6
    r = xmr(list(series(values)), Polarity.HIGHER, Spc(run_length=7, beyond_limit=False))
    runs = [s for s in r.signals if s.rule == "run"]
    assert [(len(s.periods), s.kind) for s in runs] == [
        (12, "concern"), (12, "improvement"), (12, "concern")]


def test_points_outside_the_limits_on_different_sides_are_separate_signals():
    values = [50, 52] * 7 + [30] + [50, 52] * 2 + [70]
    r = xmr(list(series(values)), Polarity.LOWER, SPC)
    beyond = by_kind(r, "beyond-limit")
    assert beyond["improvement"].periods == ("2018-06",)  # low is good here
    assert beyond["concern"].periods == ("2018-11",)


def test_every_trend_is_marked():
    values = [50, 51, 52, 53, 54, 55, 50, 52, 50, 52, 55, 54, 53, 52, 51, 50, 52, 50]
    trends = [s for s in xmr(list(series(values)), Polarity.HIGHER, SPC).signals
              if s.rule == "trend"]
    assert [(s.periods[0], len(s.periods), s.kind) for s in trends] == [
        ("2017-04", 6, "improvement"), ("2018-02", 6, "concern")]


def test_limits_recalculated_from_a_configured_month():
    spc = Spc(recalculate=(("kpi-1", "2018-04"),))  # IDs matched regardless of case
    assert spc.recalculate_from("KPI-1") == "2018-04" and spc.recalculate_from("KPI-2") is None
    r = rate_kpi(kpi(STEP, target=58, tolerance=None), SEP, spc)
    assert r.spc.recalculated_from == "2018-04"
    before, after = r.spc.phases
    assert (before.start, before.end, after.start) == ("2017-04", "2018-03", "2018-04")
    assert before.centre == pytest.approx(50.25) and after.centre == pytest.approx(60.25)
    assert after.mean_moving_range == pytest.approx(0.5)  # the jump is in neither phase
    assert (r.spc.centre, r.spc.lower, r.spc.upper) == (after.centre, after.lower, after.upper)
    assert not [s for s in r.spc.signals if s.rule == "beyond-limit"]
    assert "limits recalculated from April 2018" in r.spc.summary
    assert r.sentence.startswith("No significant change since the limits were recalculated "
                                 "from April 2018")
    assert r.assurance == "met" and "the 58% target is reliably met" in r.sentence
    assert r.direction is Direction.NO_CHANGE
    # without the setting, the same series is read across the step
    plain = rate_kpi(kpi(STEP, target=58, tolerance=None), SEP, SPC)
    assert plain.spc.recalculated_from is None and plain.spc.phases == ()
    assert plain.sentence.startswith("Improving since April 2018, not by chance")


def test_recalculation_needs_two_values_each_side():
    r = xmr(list(series(STEP)), Polarity.HIGHER, SPC, "%", recalculate_from="2019-03")
    assert r.recalculated_from is None  # one value from March 2019: no limits from it
    r = xmr(list(series(STEP)), Polarity.HIGHER, SPC, "%", recalculate_from="2017-01")
    assert r.recalculated_from is None  # before the first value: nothing to recalculate
    r = xmr(list(series(STEP)), Polarity.HIGHER, SPC, "%", recalculate_from="2019-02")
    assert r.recalculated_from == "2019-02" and r.phases[-1].points == 2


def test_percentage_limits_within_0_to_100_and_counts_never_below_0():
    high = xmr(list(series([90, 100] * 7)), Polarity.HIGHER, SPC, "%")
    assert high.upper == 100 and 0 < high.lower < 100
    low = xmr(list(series([0, 10] * 7)), Polarity.LOWER, SPC, "%")
    assert low.lower == 0 and low.upper < 100
    count = xmr(list(series([0, 10] * 7)), Polarity.LOWER, SPC, "number")
    assert count.lower == 0 and count.upper > 10
    signed = xmr(list(series([-5, 5] * 7)), Polarity.HIGHER, SPC, "change")
    assert signed.lower < -5
    assert not [s for s in high.signals if s.rule == "beyond-limit"]  # 100% is not beyond


def test_a_quarterly_kpi_improving_since_its_first_signal_quarter():
    """Review mend: the stretch of signal points was walked back a calendar month at a time,
    so a quarterly KPI read "improving since" its latest quarter."""
    values = [60, 61] * 4 + [66, 67, 66, 67, 68, 67, 68, 69, 68, 69]
    quarters, p = [], Period(2014, 6)
    for v in values:
        quarters.append((p.label, float(v)))
        p = p.shift(3)
    latest = Period.parse(quarters[-1][0])
    r = rate_kpi(make_kpi(1, series=tuple(quarters), target=72, tolerance=5), latest, SPC)
    assert r.variation == "improvement"
    first = Period.parse(quarters[8][0]).name  # the first of the ten higher quarters
    assert r.sentence.startswith(f"Improving since {first}, not by chance")


@pytest.mark.parametrize("values, polarity, target, assurance, words", [
    ([80, 82] * 9, Polarity.HIGHER, 70, "met", "the 70% target is reliably met"),
    ([60, 62] * 9, Polarity.HIGHER, 75, "not met", "the 75% target is not reliably met"),
    ([60, 62] * 9, Polarity.HIGHER, 61, "hit and miss", "the 61% target may or may not be met"),
    ([60, 62] * 9, Polarity.LOWER, 75, "met", "reliably met"),
    ([60, 62] * 9, Polarity.LOWER, 50, "not met", "not reliably met"),
])
def test_assurance_from_where_the_target_sits_against_the_limits(values, polarity, target,
                                                                 assurance, words):
    r = rate_kpi(kpi(values, polarity=polarity, target=target, tolerance=None), SEP, SPC)
    assert r.variation == "common cause" and r.assurance == assurance
    assert r.sentence.startswith("No significant change; the ") and r.sentence.endswith(
        f"{words}.")


def test_the_reading_in_making_data_count_terms():
    values = [60, 61] * 4 + [66, 67, 66, 67, 68, 67, 68, 69, 68, 69]  # higher since Dec 2017
    r = rate_kpi(kpi(values, target=72, tolerance=5), SEP, SPC)
    assert r.variation == "improvement" and r.direction is Direction.IMPROVING
    assert r.sentence == ("Improving since December 2017, not by chance; the 72% target is "
                          "not yet reliably met.")
    few = rate_kpi(make_kpi(1, series=series(values[-6:], Period(2018, 4)), target=72), SEP, SPC)
    assert few.sentence == "Too few values to judge variation (6 of the 12 needed)."
    assert few.variation is None and few.assurance is None


def test_stale_data_is_named():
    r = rate_kpi(kpi([60, 62] * 6), SEP, SPC)  # Apr 2017 – Mar 2018, read in September 2018
    assert r.latest_period == "2018-03"
    assert r.sentence.endswith("; latest value is for March 2018.")
    assert "latest value is for March 2018" in r.reasons


def test_direction_follows_the_spc_reading():
    # last month up, but the last seven months are a run below the mean (higher is better)
    values = [60, 62] * 5 + [55, 54, 55, 54, 55, 54, 53, 54]
    r = rate_kpi(kpi(values), SEP, SPC)
    assert r.variation == "concern" and r.direction is Direction.WORSENING
    assert any(x.startswith("improving against the previous month") and
               x.endswith("but the chart shows a concern, not by chance") for x in r.reasons)
    noise = rate_kpi(kpi([60, 62] * 9), SEP, SPC)
    assert noise.direction is Direction.NO_CHANGE
    assert any("within common-cause variation" in x for x in noise.reasons)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=100, allow_nan=False), min_size=1,
                max_size=30), st.sampled_from(list(Polarity)))
def test_arrow_never_contradicts_the_reading(values, polarity):
    r = rate_kpi(kpi(values, polarity=polarity, unit="%"), Period(2019, 12), SPC)
    if r.spc is not None:
        expected = {"improvement": Direction.IMPROVING, "concern": Direction.WORSENING,
                    "common cause": Direction.NO_CHANGE}[r.variation]
        assert r.direction is expected
        assert 0 <= r.spc.lower <= r.spc.upper <= 100
        assert all(len({s.kind}) == 1 and s.kind in ("improvement", "concern")
                   for s in r.spc.signals)


def test_recalculate_setting_read_from_configuration(tmp_path):
    from reportgen.config import load_config
    from reportgen.errors import ConfigError

    base = ('[[objectives]]\nnumber = 1\ntext = "One"\n[[funding_streams]]\nname = "ICF"\n'
            '[spc]\nrun_length = 8\n')
    path = tmp_path / "reportgen.toml"
    path.write_text(base + '[spc.recalculate]\n"KPI-03" = "2018-01"\n', encoding="utf-8")
    spc = load_config(path).spc
    assert spc.run_length == 8 and spc.recalculate_from("KPI-03") == "2018-01"
    path.write_text(base + '[spc.recalculate]\n"KPI-03" = "Jan 2018"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="spc.recalculate.KPI-03.*YYYY-MM"):
        load_config(path)
