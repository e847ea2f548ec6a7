"""Action BRAG, reported-RAG policies, finance RAG and roll-ups: every rule at and around
its threshold (docs/rating.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factories import make_action
from reportgen.config import Thresholds
from reportgen.model import Rag, Status
from reportgen.rate import (
    allocate, cross_cutting, repeat_money_issues,
    expected_percent, finance_by_objective, finance_by_stream, rate_action, rate_actions,
    rate_finance, rating_issues, split_by,
)

AS_OF = date(2018, 9, 30)
# A plan of 101 days ending 10/01/2019 whose day 51 is 30/09/2018: expected = 50.4950 %.
START = date(2018, 8, 11)
END = date(2019, 1, 10)
POINTS = Thresholds()
RATIO = Thresholds(slippage_model="ratio")


def act(**kw):
    base = dict(start=date(2018, 1, 1), end=date(2018, 12, 31), status=Status.IN_PROGRESS,
                percent_complete=None, officer_rag=None, last_updated=date(2018, 9, 20),
                corrective_action="")
    base.update(kw)
    return make_action(1, **base)


def test_expected_percent_counts_both_ends():
    assert expected_percent(date(2018, 9, 1), date(2018, 9, 30), date(2018, 8, 31)) == 0
    assert expected_percent(date(2018, 9, 1), date(2018, 9, 30), date(2018, 9, 1)) == pytest.approx(100 / 30)
    assert expected_percent(date(2018, 9, 1), date(2018, 9, 30), date(2018, 9, 15)) == 50
    assert expected_percent(date(2018, 9, 1), date(2018, 9, 30), date(2018, 9, 30)) == 100
    assert expected_percent(date(2018, 9, 1), date(2018, 9, 30), date(2019, 1, 1)) == 100


def _plan(expected: float) -> dict:
    """Start and end so that ``expected`` % of the plan has elapsed at AS_OF exactly
    (plans of 100 days, so every whole percentage is reachable)."""
    elapsed = round(expected)
    start = AS_OF - timedelta(days=elapsed - 1)
    return dict(start=start, end=start + timedelta(days=99))


# (expected %, actual %, computed RAG) around the points thresholds 10 and 25.
POINT_CASES = [
    (60, 60, Rag.GREEN), (60, 51, Rag.GREEN), (60, 50.5, Rag.GREEN),
    (60, 50, Rag.AMBER), (60, 49, Rag.AMBER), (60, 36, Rag.AMBER),
    (60, 35.5, Rag.AMBER), (60, 35, Rag.RED), (60, 34, Rag.RED), (60, 0, Rag.RED),
    (60, 100, Rag.GREEN), (10, 0, Rag.AMBER), (9, 0, Rag.GREEN), (25, 0, Rag.RED),
]


@pytest.mark.parametrize("expected, actual, rag", POINT_CASES)
def test_points_model_thresholds(expected, actual, rag):
    r = rate_action(act(percent_complete=actual, **_plan(expected)), POINTS, AS_OF)
    assert r.expected_percent == pytest.approx(expected)
    assert r.slippage == pytest.approx(expected - actual)
    assert r.computed is rag


# ratio model: actual ÷ expected; Amber below 0.90, Red below 0.70.
RATIO_CASES = [
    (50, 50, Rag.GREEN), (50, 45, Rag.GREEN), (50, 44.5, Rag.AMBER), (50, 35, Rag.AMBER),
    (50, 34.5, Rag.RED), (50, 0, Rag.RED), (80, 72, Rag.GREEN), (80, 71, Rag.AMBER),
    (80, 56, Rag.AMBER), (80, 55, Rag.RED),
]


@pytest.mark.parametrize("expected, actual, rag", RATIO_CASES)
def test_ratio_model_thresholds(expected, actual, rag):
    r = rate_action(act(percent_complete=actual, **_plan(expected)), RATIO, AS_OF)
    assert r.slippage == pytest.approx(actual / expected)
    assert r.computed is rag


def test_thresholds_come_from_configuration():
    a = act(percent_complete=55, **_plan(60))  # 5 points behind
    assert rate_action(a, POINTS, AS_OF).computed is Rag.GREEN
    assert rate_action(a, Thresholds(points_amber=5), AS_OF).computed is Rag.AMBER
    assert rate_action(a, Thresholds(points_amber=2, points_red=5), AS_OF).computed is Rag.RED
    assert rate_action(a, Thresholds(slippage_model="ratio", ratio_amber=0.95), AS_OF).computed is Rag.AMBER


@pytest.mark.parametrize("status, start, end, pct, rag, reason", [
    (Status.COMPLETE, date(2018, 1, 1), date(2018, 3, 31), 100, Rag.BLUE, "complete"),
    (Status.COMPLETE, date(2018, 1, 1), date(2018, 3, 31), None, Rag.BLUE, "complete"),
    (Status.CANCELLED, date(2018, 1, 1), date(2018, 3, 31), 10, Rag.CANCELLED, "cancelled"),
    (Status.NOT_STARTED, date(2018, 10, 1), date(2019, 3, 31), None, Rag.GREY,
     "not due to start until 01/10/2018"),
    (Status.NOT_STARTED, date(2018, 9, 30), date(2019, 3, 31), None, Rag.AMBER,
     "not started; due to start 30/09/2018"),
    (Status.IN_PROGRESS, date(2018, 1, 1), date(2018, 9, 29), 90, Rag.RED,
     "overdue since 29/09/2018"),
    (Status.IN_PROGRESS, date(2018, 1, 1), date(2018, 9, 30), 100, Rag.GREEN, "on track"),
    (Status.ON_HOLD, date(2018, 1, 1), date(2018, 12, 31), 90, Rag.AMBER, "on hold"),
    (Status.ON_HOLD, date(2018, 1, 1), date(2018, 6, 30), 90, Rag.RED, "overdue since 30/06/2018"),
])
def test_status_and_dates(status, start, end, pct, rag, reason):
    r = rate_action(act(status=status, start=start, end=end, percent_complete=pct), POINTS, AS_OF)
    assert r.computed is rag
    assert reason in r.reasons


def test_without_percent_rates_from_dates_and_says_so():
    r = rate_action(act(percent_complete=None, **_plan(90)), POINTS, AS_OF)
    assert r.computed is Rag.GREEN and r.dates_only and r.slippage is None
    assert any("no % complete" in x for x in r.reasons)
    overdue = rate_action(act(percent_complete=None, end=date(2018, 3, 31)), POINTS, AS_OF)
    assert overdue.computed is Rag.RED and overdue.dates_only
    assert not rate_action(act(percent_complete=40, **_plan(50)), POINTS, AS_OF).dates_only


def test_reasons_name_the_slippage():
    r = rate_action(act(percent_complete=48, **_plan(60)), POINTS, AS_OF)
    assert r.reasons[0] == "12 points behind plan (48% done, 60% expected)"
    r = rate_action(act(percent_complete=30, **_plan(60)), RATIO, AS_OF)
    assert r.reasons[0] == "at 50% of planned progress (30% done, 60% expected)"


@pytest.mark.parametrize("days, stale", [(44, False), (45, False), (46, True), (200, True)])
def test_stale_update_is_a_flag_not_a_colour(days, stale):
    a = act(percent_complete=60, last_updated=AS_OF - timedelta(days=days), **_plan(60))
    r = rate_action(a, POINTS, AS_OF)
    assert r.stale is stale and r.computed is Rag.GREEN
    assert any("update overdue" in x for x in r.reasons) is stale


def test_complete_actions_are_never_stale():
    a = act(status=Status.COMPLETE, last_updated=date(2017, 1, 1))
    assert not rate_action(a, POINTS, AS_OF).stale


def test_each_stale_action_gets_one_stale_update_warning_at_its_cell():
    cells = {"action_id": "A5", "last_updated": "N5", "corrective_action": "P5"}
    fresh = replace(act(corrective_action="x", **GREEN_PLAN), action_id="F1")
    stale = replace(act(corrective_action="x", last_updated=date(2018, 6, 1), **GREEN_PLAN),
                    action_id="S1")
    stale = replace(stale, source=replace(stale.source, cells=cells))
    actions = [fresh, stale]
    issues = rating_issues(actions, rate_actions(actions, POINTS, AS_OF), POINTS, AS_OF)
    assert [(i.code, i.cell, i.field) for i in issues] == \
        [("stale-update", "N5", "last_updated")]
    assert issues[0].message == ("Last updated 01/06/2018, 121 days before 30/09/2018; "
                                 "updates are due every 45 days.")


# --------------------------------------------------------------------------- policies

GREEN_PLAN = dict(percent_complete=60, **_plan(60))
AMBER_PLAN = dict(percent_complete=45, **_plan(60))
RED_PLAN = dict(percent_complete=10, **_plan(60))


@pytest.mark.parametrize("policy, plan, officer, reported, challenge", [
    ("worse-of", GREEN_PLAN, Rag.AMBER, Rag.AMBER, False),
    ("worse-of", AMBER_PLAN, Rag.GREEN, Rag.AMBER, False),
    ("worse-of", RED_PLAN, Rag.GREEN, Rag.RED, True),
    ("worse-of", GREEN_PLAN, Rag.RED, Rag.RED, True),
    ("worse-of", GREEN_PLAN, None, Rag.GREEN, False),
    ("computed", GREEN_PLAN, Rag.RED, Rag.GREEN, True),
    ("computed", AMBER_PLAN, Rag.GREEN, Rag.AMBER, False),
    ("officer", RED_PLAN, Rag.GREEN, Rag.GREEN, True),
    ("officer", AMBER_PLAN, Rag.RED, Rag.RED, False),
    ("officer", AMBER_PLAN, None, Rag.AMBER, False),
])
def test_reported_rag_policies_and_challenge(policy, plan, officer, reported, challenge):
    th = Thresholds(reported_rag=policy)
    r = rate_action(act(officer_rag=officer, **plan), th, AS_OF)
    assert r.reported is reported
    assert r.officer is officer
    assert r.challenge is challenge


def test_challenge_steps_configurable():
    a = act(officer_rag=Rag.GREEN, **AMBER_PLAN)
    assert not rate_action(a, POINTS, AS_OF).challenge
    assert rate_action(a, Thresholds(challenge_steps=1), AS_OF).challenge


def test_not_due_and_cancelled_under_worse_of():
    grey = dict(status=Status.NOT_STARTED, start=date(2019, 1, 1), end=date(2019, 12, 31))
    assert rate_action(act(officer_rag=Rag.GREEN, **grey), POINTS, AS_OF).reported is Rag.GREY
    assert rate_action(act(officer_rag=Rag.AMBER, **grey), POINTS, AS_OF).reported is Rag.AMBER
    cancelled = act(status=Status.CANCELLED, officer_rag=Rag.RED)
    r = rate_action(cancelled, POINTS, AS_OF)
    assert r.reported is Rag.CANCELLED and not r.challenge


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["worse-of", "computed", "officer"]),
       st.sampled_from([None, Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE]),
       st.one_of(st.none(), st.floats(min_value=0, max_value=100, allow_nan=False)),
       st.dates(min_value=date(2016, 1, 1), max_value=date(2021, 12, 31)),
       st.dates(min_value=date(2016, 1, 1), max_value=date(2021, 12, 31)),
       st.integers(min_value=1, max_value=3))
def test_a_complete_action_is_never_other_than_blue(policy, officer, pct, end, as_of, steps):
    """Whatever the officer's old RAG, the policy, the dates or the % complete."""
    th = Thresholds(reported_rag=policy, challenge_steps=steps)
    r = rate_action(act(status=Status.COMPLETE, officer_rag=officer, percent_complete=pct,
                        start=end - timedelta(days=200), end=end), th, as_of)
    assert r.computed is Rag.BLUE and r.reported is Rag.BLUE


def test_officer_red_on_a_complete_action_is_a_challenge_not_a_red():
    done = replace(act(status=Status.COMPLETE, officer_rag=Rag.RED, percent_complete=100,
                       end=date(2018, 6, 30)), action_id="C1")
    r = rate_action(done, POINTS, AS_OF)
    assert r.reported is Rag.BLUE and r.challenge
    assert "RAG challenge: officer rates Red, evidence says Blue" in r.reasons
    issues = rating_issues([done], {"C1": r}, POINTS, AS_OF)
    assert [i.code for i in issues] == ["rag-challenge"]  # a warning, no corrective action asked
    assert issues[0].action_id == "C1"
    green = rate_action(replace(done, officer_rag=Rag.GREEN), POINTS, AS_OF)
    assert green.reported is Rag.BLUE and not green.challenge
    assert "officer still rates Green" in green.reasons


def test_rating_issues_challenge_and_missing_corrective_action():
    red = act(officer_rag=Rag.GREEN, corrective_action="", **RED_PLAN)
    red = replace(red, action_id="R1")
    amber_fixed = replace(act(corrective_action="Extra staff agreed", **AMBER_PLAN), action_id="A1")
    green = replace(act(**GREEN_PLAN), action_id="G1")
    actions = [red, amber_fixed, green]
    issues = rating_issues(actions, rate_actions(actions, POINTS, AS_OF), POINTS, AS_OF)
    assert sorted(i.code for i in issues) == ["missing-corrective-action", "rag-challenge"]
    challenge = next(i for i in issues if i.code == "rag-challenge")
    assert "Green" in challenge.message and "Red" in challenge.message
    assert challenge.file == red.source.file


# --------------------------------------------------------------------------- finance

@pytest.mark.parametrize("budget, forecast, rag, underspend", [
    (100_000, 100_000, Rag.GREEN, False),
    (100_000, 100_000.01, Rag.AMBER, False),
    (100_000, 104_999.99, Rag.AMBER, False),
    (100_000, 105_000, Rag.RED, False),  # 5 % of budget
    (4_000_000, 4_099_999.99, Rag.AMBER, False),  # 2.5 %: under £100,000
    (4_000_000, 4_100_000, Rag.RED, False),  # £100,000 is lower than 5 % (£200,000)
    (100_000, 90_000.01, Rag.GREEN, False),
    (100_000, 90_000, Rag.GREEN, True),  # 10 % under
    (100_000, 50_000, Rag.GREEN, True),
    (0, 1, Rag.RED, False),  # spend with no budget
    (0, 0, Rag.GREEN, False),
])
def test_finance_rag_percent_or_pounds_whichever_lower(budget, forecast, rag, underspend):
    f = rate_finance(budget, None, forecast, POINTS)
    assert f.rag is rag
    assert f.underspend is underspend
    assert f.variance == pytest.approx(forecast - budget)


def test_finance_limits_from_configuration_and_missing_values():
    th = Thresholds(finance_red_percent=1, finance_red_pounds=500, underspend_percent=5)
    assert rate_finance(10_000, 0, 10_100, th).rag is Rag.RED
    assert rate_finance(100_000, 0, 100_499, th).rag is Rag.AMBER
    assert rate_finance(100_000, 0, 100_500, th).rag is Rag.RED
    assert rate_finance(100_000, 0, 95_000, th).underspend
    assert rate_finance(None, None, None, POINTS).rag is None
    assert rate_finance(1000, 10, None, POINTS).reasons == ("no forecast",)
    assert "£5,000" in rate_finance(100_000, 0, 105_000, POINTS).reasons[0]


def test_equal_split_by_add_back_to_the_penny():
    assert split_by(100.0, [1.0] * 3) == [33.34, 33.33, 33.33]
    assert split_by(None, [1.0] * 2) == [None, None]
    assert split_by(5.0, [1.0] * 0) == []
    # one stream: the amount rounded to whole pennies, always a float
    assert split_by(100.005, [1.0] * 1) == [100.01] and split_by(2.675, [1.0] * 1) == [2.68]
    assert split_by(0.29, [1.0] * 1) == [0.29]
    assert [type(s) for s in split_by(100, [1.0]) + split_by(-0.0, [1.0])] == [float, float]
    assert str(split_by(-0.0, [1.0] * 1)[0]) == "0.0"


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_equal_split_by_one_stream_is_the_amount_in_whole_pennies(amount):
    from decimal import ROUND_HALF_UP, Decimal

    pennies = int((Decimal(str(amount)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    [share] = split_by(amount, [1.0] * 1)
    assert share == pennies / 100 and str(share) == str(pennies / 100)


@given(st.integers(min_value=0, max_value=10**11), st.integers(min_value=1, max_value=7))
def test_equal_split_by_property(pennies, n):
    shares = split_by(pennies / 100, [1.0] * n)
    assert sum(round(s * 100) for s in shares) == pennies
    assert max(shares) - min(shares) <= 0.01 * n


def test_finance_by_stream_splits_and_reconciles():
    a = make_action(1, funding=("Integrated Care Fund", "Transformation Programme"),
                    budget=100.0, spend_to_date=10.0, forecast=101.0)
    b = make_action(2, funding=("Integrated Care Fund",), budget=50.0, spend_to_date=None,
                    forecast=40.0)
    c = make_action(3, funding=(), budget=10.0, spend_to_date=0.0, forecast=10.0)
    gone = make_action(4, status=Status.CANCELLED, budget=1e6, forecast=2e6)
    rows = finance_by_stream(allocate([a, b, c, gone]), POINTS,
                             streams=("Transformation Programme", "Integrated Care Fund"))
    by = {s.stream: s for s in rows}
    assert [s.stream for s in rows] == ["Transformation Programme", "Integrated Care Fund",
                                         "No funding stream"]
    assert by["Integrated Care Fund"].rating.budget == 100.0
    assert by["Integrated Care Fund"].rating.forecast == 90.5
    assert by["Integrated Care Fund"].rating.spend_to_date == 5.0
    assert by["Integrated Care Fund"].actions == 2
    assert by["Transformation Programme"].rating.forecast == 50.5
    assert by["Transformation Programme"].rating.rag is Rag.AMBER
    total = sum(s.rating.budget for s in rows)
    assert total == pytest.approx(160.0)
    objectives = finance_by_objective([a, b, c, gone], POINTS)
    assert sum(s.rating.budget for s in objectives) == pytest.approx(160.0)
    assert all(s.stream.startswith("Objective ") for s in objectives)


# --------------------------------------------------------------------------- properties

RANK = {Rag.GREY: 0, Rag.BLUE: 0, Rag.GREEN: 1, Rag.AMBER: 2, Rag.RED: 3}

plans = st.builds(
    lambda start, length, pct, status, model: (start, start + timedelta(days=length), pct, status, model),
    st.dates(min_value=date(2016, 1, 1), max_value=date(2020, 12, 31)),
    st.integers(min_value=0, max_value=1500),
    st.one_of(st.none(), st.floats(min_value=0, max_value=100, allow_nan=False)),
    st.sampled_from([Status.NOT_STARTED, Status.IN_PROGRESS, Status.ON_HOLD]),
    st.sampled_from(["points", "ratio"]),
)


@settings(max_examples=300, deadline=None)
@given(plans, st.floats(min_value=0, max_value=100, allow_nan=False),
       st.dates(min_value=date(2016, 1, 1), max_value=date(2021, 12, 31)))
def test_more_progress_never_worse(plan, more, as_of):
    start, end, pct, status, model = plan
    if pct is None:
        return
    th = Thresholds(slippage_model=model)
    low = rate_action(act(start=start, end=end, percent_complete=pct, status=status), th, as_of)
    high = rate_action(act(start=start, end=end, percent_complete=max(pct, more),
                           status=status), th, as_of)
    assert RANK[high.computed] <= RANK[low.computed]


@settings(max_examples=300, deadline=None)
@given(plans, st.dates(min_value=date(2016, 1, 1), max_value=date(2021, 12, 31)),
       st.integers(min_value=0, max_value=800))
def test_later_as_of_never_better(plan, as_of, days):
    start, end, pct, status, model = plan
    th = Thresholds(slippage_model=model)
    a = act(start=start, end=end, percent_complete=pct, status=status)
    early = rate_action(a, th, as_of)
    late = rate_action(a, th, as_of + timedelta(days=days))
    assert RANK[late.computed] >= RANK[early.computed]


@settings(max_examples=100, deadline=None)
@given(plans, st.dates(min_value=date(2016, 1, 1), max_value=date(2021, 12, 31)))
def test_rating_is_deterministic(plan, as_of):
    start, end, pct, status, model = plan
    a = act(start=start, end=end, percent_complete=pct, status=status, officer_rag=Rag.GREEN)
    th = Thresholds(slippage_model=model)
    assert rate_action(a, th, as_of) == rate_action(a, th, as_of)


# --------------------------------------------------------------------------- repeats

TEXT = "We will shift resources from acute health and social care to community settings."


def occurrence(action_id: str, objective: int, **kw):
    cells = {"budget": "M9", "spend_to_date": "N9", "forecast": "O9"}
    base = dict(action_id=action_id, objective=objective, action=TEXT,
                lead_officer="Graeme Turnbull", budget=None, spend_to_date=None,
                forecast=None)
    base.update(kw)
    a = make_action(1, **base)
    return replace(a, source=replace(a.source, cells=cells))


def test_cross_cutting_matches_text_and_lead_after_normalising():
    actions = [occurrence("O1-08", 1), occurrence("O2-03", 2, action=f"  {TEXT.upper()} "),
               occurrence("O3-25", 3, action=TEXT.replace("community", "community,\n"),
                          lead_officer="graeme  TURNBULL"),
               occurrence("O3-26", 3, lead_officer="Alison Kerr"),  # another lead
               occurrence("O2-04", 2, action=TEXT.replace("shift", "move"))]
    assert cross_cutting(actions) == {"O1-08": ("O2-03", "O3-25"),
                                      "O2-03": ("O1-08", "O3-25"),
                                      "O3-25": ("O1-08", "O2-03")}


def test_cross_cutting_needs_two_objectives_and_a_text():
    same_objective = [occurrence("O3-01", 3), occurrence("O3-02", 3)]
    assert cross_cutting(same_objective) == {}
    blank = [occurrence("O1-01", 1, action=" ."), occurrence("O2-01", 2, action="")]
    assert cross_cutting(blank) == {}


def test_cross_cutting_orders_the_others_by_objective_then_natural_id():
    actions = [occurrence("O3-10", 3), occurrence("O1-9", 1), occurrence("O3-9", 3)]
    assert cross_cutting(actions)["O3-10"] == ("O1-9", "O3-9")


def test_money_on_one_occurrence_only_raises_nothing():
    actions = [occurrence("O1-08", 1, budget=72000.0, forecast=72000.0),
               occurrence("O2-03", 2), occurrence("O3-25", 3, budget=0.0)]
    assert repeat_money_issues(actions, cross_cutting(actions)) == []


def test_money_under_two_objectives_is_a_warning_at_each_money_cell():
    actions = [occurrence("O1-08", 1, budget=72000.0, forecast=72000.0),
               occurrence("O2-03", 2),
               occurrence("O3-25", 3, budget=72000.0, spend_to_date=1000.0)]
    issues = repeat_money_issues(actions, cross_cutting(actions))
    assert [(i.code, i.action_id, i.cell, i.field) for i in issues] == [
        ("repeated-action-money", "O1-08", "M9", "budget"),
        ("repeated-action-money", "O1-08", "O9", "forecast"),
        ("repeated-action-money", "O3-25", "M9", "budget"),
        ("repeated-action-money", "O3-25", "N9", "spend_to_date"),
    ]
    assert all(i.severity.value == "warning" and i.officer == "Graeme Turnbull"
               for i in issues)
    assert "Objective 3 (O3-25)" in issues[0].message and "twice" in issues[0].message
    assert "£72,000" in issues[0].message
    # rating_issues raises them too, so ``reportgen validate`` lists them
    ratings = rate_actions(actions, POINTS, AS_OF)
    assert sum(i.code == "repeated-action-money"
               for i in rating_issues(actions, ratings, POINTS, AS_OF)) == 4


def test_rating_issues_use_the_repeats_given():
    """The caller's cross_cutting map is used, not worked out again."""
    actions = [occurrence("O1-08", 1, budget=72000.0), occurrence("O3-25", 3, budget=72000.0)]
    ratings = rate_actions(actions, POINTS, AS_OF)
    def money(**kwargs):
        return [i for i in rating_issues(actions, ratings, POINTS, AS_OF, **kwargs)
                if i.code == "repeated-action-money"]

    assert len(money()) == 2
    assert money(repeats={}) == []
