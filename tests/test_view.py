"""The view of the period (reportgen.view): the rules every output shares, checked where
they are decided. tests/test_consistency.py checks that the outputs then agree."""

from __future__ import annotations

import dataclasses
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from factories import make_action, make_rating, make_run, view_of
from reportgen.model import Changes, FinanceRating, Rag, Status
from reportgen.view.actions import CHANGES
from reportgen.view.formats import largest_remainder


@given(st.lists(st.one_of(st.none(), st.floats(0, 5e6, allow_nan=False)), max_size=12),
       st.sampled_from([1, 1000]))
def test_printed_parts_add_to_the_printed_total(parts, unit):
    rounded, total = largest_remainder(parts, unit)
    assert sum(p for p in rounded if p is not None) == total
    for exact, shown in zip(parts, rounded):
        assert (exact is None) == (shown is None)
        if exact is not None:
            assert abs(exact / unit - shown) < 1  # never more than a unit off


def test_parts_that_do_not_add_up_are_not_forced_to():
    rounded, total = largest_remainder([100.4, 200.4], 1, total=1000.0)
    assert rounded == [100, 200] and total == 1000


def test_rag_order_rank_and_words_are_the_types():
    assert Rag.worst_first() == (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE, Rag.GREY,
                                 Rag.CANCELLED)
    assert [r.rank for r in Rag.worst_first()] == [3, 2, 1, 0, -1, -2]
    assert Rag.GREY.severity == Rag.CANCELLED.severity == -1  # not comparable
    assert Rag.BLUE.word == "Blue (complete)" and Rag.RED.shape == "▲"
    assert (Rag.AMBER.fill, Rag.AMBER.ink) == ("FFC000", "000000")


def test_shares_of_the_rated_add_to_100():
    view = view_of(make_run(7))
    shares = [view.counts.shares[r] for r in Rag.counted()]
    assert sum(shares) == 100


def test_one_change_per_action_and_a_repeated_action_once():
    """Newly Red is not also worsened; the rows of a repeated action are one line."""
    run = make_run(12)
    ids = [a.action_id for a in run.actions]
    reds = [i for i in ids if run.ratings[i].reported is Rag.RED][:2]
    twin = {reds[0]: (reds[1],), reds[1]: (reds[0],)}
    run = dataclasses.replace(run, repeats=twin,
                              previous_rags={i: Rag.GREEN for i in ids},
                              changes=Changes(previous_period="2018-08"))
    view = view_of(run)
    listed = [a.id for c in view.changes for a in c.actions]
    assert len(listed) == len(set(listed))
    newly = [a for a in view.change("newly_red").actions]
    assert len([a for a in newly if set(a.ids) == set(reds)]) == 1
    assert not set(view.change("worsened").actions) & set(newly)
    assert [c.kind for c in view.changes] == [k for k, _ in CHANGES]


def test_a_cancelled_overspend_is_no_finance_exception():
    actions = [make_action(i) for i in range(1, 9)]
    cancelled = dataclasses.replace(actions[2], status=Status.CANCELLED,
                                    budget=1000.0, forecast=90_000.0)
    actions[2] = cancelled
    run = make_run(actions=actions)
    over = FinanceRating(1000.0, 0.0, 90_000.0, 89_000.0, Rag.RED)
    run = dataclasses.replace(run, ratings={
        **run.ratings,
        cancelled.action_id: make_rating(cancelled, Rag.CANCELLED, finance=over)})
    view = view_of(run)
    assert cancelled.action_id not in {e.action.id for e in view.finance.exceptions}
    assert not any(cancelled.action_id in m for m in view.key_messages)


def test_updates_after_the_period_are_counted_and_said():
    actions = [make_action(i) for i in range(1, 6)]
    actions[1] = dataclasses.replace(actions[1], last_updated=date(2018, 10, 2))
    view = view_of(make_run(actions=actions))
    assert view.late == 1
    assert view.late_statement == ("The trackers hold 1 update made after 30/09/2018: this "
                                   "is not what the Board would have seen then.")


def test_series_stop_at_the_period_end():
    run = make_run(3, n_kpis=2)
    kpi = run.kpis[0]
    later = dataclasses.replace(kpi, series=kpi.series + (("2018-10", 99.0),))
    view = view_of(dataclasses.replace(run, kpis=(later, *run.kpis[1:])))
    assert view.kpis[0].series == kpi.series
    assert all(p <= "2018-09" for k in view.kpis for p, _ in k.series)
