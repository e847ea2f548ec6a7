"""The plan register (DESIGN 4a): every action of the plan is accounted for every month."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime

import pytest

from factories import make_action, make_rating, make_run
from reportgen.config import Thresholds
from reportgen.history import History
from reportgen.issues import make_issue
from reportgen.model import Period, Rag, SourceFile, SourceRef, Status
from reportgen.rate import allocate, finance_by_stream, finance_total, rate_actions
from reportgen.register import (
    NO_LONGER, NOT_FOUND, Stored, action_from_json, action_to_json, carry_forward,
)
from reportgen.view.period import coverage_record, incomplete
from reportgen.view.prose import coverage_lines, coverage_statement
from reportgen.view.quality import left_out_of

SEP, OCT, NOV = Period(2018, 9), Period(2018, 10), Period(2018, 11)
TH = Thresholds()
STREAMS = ("Integrated Care Fund", "Transformation Programme", "Core Funding Investment")


def act(i: int, file: str, **kw):
    return make_action(i, action_id=f"X-{i:02d}", source=SourceRef(
        file, "Actions", 5 + i, {"action_id": f"A{5 + i}"}), **kw)


def source(path: str, actions: int = 1, refused: str | None = None) -> SourceFile:
    return SourceFile(path=path, size=1, modified=datetime(2018, 10, 1), sha256="0" * 64,
                      kind="xlsx", actions=actions, refused=refused)


@dataclass
class Ingest:
    actions: list
    issues: list = field(default_factory=list)
    sources: list = field(default_factory=list)
    rejected: dict = field(default_factory=dict)


def rated(actions, period=OCT):
    """A run as pipeline.rate makes it: ratings, allocations and totals over ``actions``."""
    run = make_run(actions=list(actions), period=period)
    allocations = allocate(actions)
    by_stream = finance_by_stream(allocations, TH, STREAMS)
    return replace(run, ratings=rate_actions(actions, TH, period.as_of),
                   allocations=allocations, finance_by_stream=by_stream,
                   finance_total=finance_total(by_stream, TH), coverage=None)


def stored(actions, rags):
    return [Stored(a, make_rating(a, rag)) for a, rag in zip(actions, rags)]


def test_an_action_record_round_trips_through_json():
    a = act(4, "t.xlsx", officer_rag=Rag.AMBER, locality=None, percent_complete=83.33333)
    text = action_to_json(a)
    assert json.loads(text)["start"] == a.start.isoformat()
    assert action_from_json(text) == a
    assert action_from_json(text).source.cell("action_id") == "A9"
    assert action_from_json(None) is None
    assert action_from_json("{not json") is None
    assert action_from_json(json.dumps({"action_id": "X"})) is None  # too little to rebuild


def test_no_earlier_period_means_no_coverage():
    run = rated([act(1, "a.xlsx")])
    ingest = Ingest(list(run.actions), sources=[source("a.xlsx")])
    assert carry_forward(run, ingest, None, [], STREAMS, TH) is run
    assert coverage_record(run, left_out_of(run)) == {
        "complete": True, "plan_actions": 1, "not_updated": [], "left_out": [],
        "left_out_counts": {"rows": 0, "budget": 0, "unknown_objective_rows": 0,
                            "unknown_objective_budget": 0, "tracker_files": 0,
                            "other_files": 0}}
    assert coverage_statement(run.coverage) == ""
    assert incomplete(run) is None


def test_every_reason_in_words_and_grouped_by_file():
    read = act(1, "read.xlsx")
    refused = [act(2, "refused.xlsx"), act(3, "refused.xlsx")]
    gone = act(4, "gone.xlsx")
    rejected = act(5, "read.xlsx")
    removed = act(6, "read.xlsx")
    ingest = Ingest(
        [read],
        issues=[make_issue("file-password-protected", file="refused.xlsx")],
        sources=[source("read.xlsx"), source("refused.xlsx", 0, "file-password-protected")],
        rejected={"X-05": "the row could not be rated: the end date 01/01/2017 is before "
                          "the start date (Actions!I10)"})
    run = rated([read])
    everything = [read, *refused, gone, rejected, removed]
    out = carry_forward(run, ingest, "2018-09",
                        stored(everything, [Rag.GREEN, Rag.RED, Rag.AMBER, Rag.GREEN,
                                            Rag.AMBER, Rag.GREEN]), STREAMS, TH)
    assert [a.action_id for a in out.actions] == ["X-01", "X-02", "X-03", "X-04", "X-05",
                                                  "X-06"]
    assert out.ratings["X-01"].updated and out.ratings["X-01"].not_updated is None
    why = {k: r.not_updated for k, r in out.ratings.items() if not r.updated}
    assert why["X-02"].startswith("Not updated this month: the tracker could not be read (")
    assert "password" in why["X-02"].lower()
    assert why["X-04"] == NOT_FOUND
    assert why["X-05"] == ("Not updated this month: the row could not be rated: the end "
                           "date 01/01/2017 is before the start date (Actions!I10)")
    assert why["X-06"] == NO_LONGER
    # never a fresh RAG: the stored one, marked with the period it comes from
    assert out.ratings["X-02"].reported is Rag.RED
    assert {r.carried_from for k, r in out.ratings.items() if k != "X-01"} == {"2018-09"}
    c = out.coverage
    assert (c.plan_actions, c.carried, c.updated, c.complete) == (6, 5, 1, False)
    by_file = {(n.file, n.reason): n for n in c.not_updated}
    group = ("refused.xlsx", why["X-02"].removeprefix("Not updated this month: "))
    assert by_file[group].action_ids == ("X-02", "X-03")  # the group's reason has no prefix
    assert by_file[group].budget == refused[0].budget + refused[1].budget
    assert c.carried_budget == sum(a.budget for a in everything[1:])


def test_carried_actions_keep_their_place_in_the_finance_totals():
    read, carried = act(1, "a.xlsx"), act(2, "b.xlsx")
    run = rated([read])
    out = carry_forward(run, Ingest([read], sources=[source("a.xlsx")]), "2018-09",
                        stored([read, carried], [Rag.GREEN, Rag.RED]), STREAMS, TH)
    assert out.finance_total.budget == pytest.approx(read.budget + carried.budget)
    assert {al.action_id for al in out.allocations} == {"X-01", "X-02"}
    assert sum(s.actions for s in out.finance_by_objective) == 2


def test_complete_and_cancelled_actions_leave_the_plan_unless_reading_failed():
    done = act(1, "gone.xlsx", status=Status.COMPLETE)
    dropped = act(2, "read.xlsx", status=Status.CANCELLED)
    failed = act(3, "bad.xlsx", status=Status.COMPLETE)
    ingest = Ingest([], issues=[make_issue("file-corrupt", file="bad.xlsx")],
                    sources=[source("read.xlsx"), source("bad.xlsx", 0, "file-corrupt")])
    out = carry_forward(rated([]), ingest, "2018-09",
                        stored([done, dropped, failed], [Rag.BLUE, Rag.CANCELLED, Rag.BLUE]),
                        STREAMS, TH)
    assert [a.action_id for a in out.actions] == ["X-03"]  # the plan never shrinks silently
    assert out.ratings["X-03"].reported is Rag.BLUE


def test_the_statement_and_its_lines():
    read, gone = act(1, "a.xlsx"), act(2, "Objective 2.xlsx", budget=1234567.0)
    out = carry_forward(rated([read]), Ingest([read], sources=[source("a.xlsx")]), "2018-09",
                        stored([gone], [Rag.AMBER]), STREAMS, TH)
    assert coverage_statement(out.coverage, out.repeats) == (
        "This month's data are incomplete. 1 of the plan's 2 actions was not updated this "
        "month: 1 from Objective 2.xlsx – the tracker was not found. It carries "
        "£1,234,567 of budget. Its last rating, from September 2018, is shown and marked ‡.")
    assert coverage_lines(out.coverage) == (
        "Objective 2.xlsx: the tracker was not found; 1 action, budget £1,234,567",)
    record = coverage_record(out, left_out_of(out))
    assert record["not_updated"] == [
        {"file": "Objective 2.xlsx", "reason": "the tracker was not found", "actions": ["X-02"],
         "budget": 1234567.0}]
    assert record["complete"] is False
    assert "Objective 2.xlsx: the tracker was not found" in incomplete(out)
    assert incomplete(rated([read])) is None  # complete (no coverage): nothing to say


def test_a_tracker_missing_two_months_is_carried_from_the_stored_carried_record(tmp_path):
    a, b = act(1, "a.xlsx"), act(2, "b.xlsx")
    path = tmp_path / "h.sqlite"
    clock = lambda: datetime(2018, 12, 5, 9, 0)  # noqa: E731
    sep = rated([a, b], SEP)
    with History(path, clock=clock) as h:
        h.save_period(sep)
        oct_ = carry_forward(rated([a]), Ingest([a], sources=[source("a.xlsx")]),
                             *h.plan(OCT), STREAMS, TH)
        assert oct_.ratings["X-02"].carried_from == "2018-09"
        h.save_period(oct_)
        previous, items = h.plan(NOV)
        assert previous == "2018-10"
        assert {s.action.action_id: s.rating.carried_from for s in items} == {
            "X-01": None, "X-02": "2018-09"}
        nov = carry_forward(rated([a], NOV), Ingest([a], sources=[source("a.xlsx")]),
                            previous, items, STREAMS, TH)
    carried = nov.ratings["X-02"]
    assert carried.carried_from == "2018-09"  # still the period its figures come from
    assert carried.reported is sep.ratings["X-02"].reported
    assert carried.finance == sep.ratings["X-02"].finance
    assert {x.action_id: x for x in nov.actions}["X-02"] == b
    # the paper and the console name the month the figures come from, not the last one
    assert nov.coverage.previous_period == "2018-10"
    assert nov.coverage.from_periods == ("2018-09",)
    assert "from September 2018, is shown" in coverage_statement(nov.coverage)


def test_an_older_history_without_records_carries_nothing_and_does_not_crash(tmp_path):
    import sqlite3

    path = tmp_path / "h.sqlite"
    with History(path, clock=lambda: datetime(2018, 10, 5)) as h:
        h.save_period(rated([act(1, "a.xlsx")], SEP))
    db = sqlite3.connect(path)
    db.execute("UPDATE action_ratings SET record = NULL")
    db.commit()
    db.close()
    with History(path, clock=lambda: datetime(2018, 10, 5), read_only=True) as h:
        assert h.plan(OCT) == ("2018-09", [])
    out = carry_forward(rated([]), Ingest([]), "2018-09", [], STREAMS, TH)
    assert out.coverage.complete and out.coverage.plan_actions == 0


def test_the_history_stores_carried_rows_beside_their_rating(tmp_path):
    a = act(1, "a.xlsx")
    run = rated([a], SEP)
    run = replace(run, ratings={"X-01": replace(run.ratings["X-01"], carried_from="2018-08",
                                                not_updated=NOT_FOUND)})
    with History(tmp_path / "h.sqlite", clock=lambda: datetime(2018, 10, 5)) as h:
        h.save_period(run)
        [item] = h.plan(OCT)[1]
    assert item.action == a
    assert (item.rating.carried_from, item.rating.not_updated) == ("2018-08", NOT_FOUND)
    assert item.rating == run.ratings["X-01"]
