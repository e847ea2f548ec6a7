"""The rating history: migrations, saving and re-saving periods, changes, trends, runs,
damaged files, and a reader that never sees half a period."""

from __future__ import annotations

import multiprocessing
import sqlite3
from dataclasses import replace
from datetime import datetime

import pytest

from factories import make_action, make_rating, make_run
from reportgen.errors import OutputError
from reportgen.history import MIGRATIONS, History
from reportgen.model import Period, Rag

AUG, SEP, OCT = Period(2018, 8), Period(2018, 9), Period(2018, 10)


def run_with(period: Period, rags: dict[str, Rag]):
    actions = [make_action(i, action_id=action_id) for i, action_id in enumerate(rags, 1)]
    run = make_run(actions=actions, period=period)
    ratings = {a.action_id: make_rating(a, rags[a.action_id]) for a in actions}
    return replace(run, ratings=ratings)


def test_migrating_an_empty_file(tmp_path):
    path = tmp_path / "h.sqlite"
    with History(path) as h:
        assert h.migrations() == [name for name, _ in MIGRATIONS]
        assert h.periods() == [] and h.last_successful_period() is None
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"periods", "action_ratings", "kpi_results", "runs", "schema_migrations"} <= tables
    db.close()
    with History(path) as h:  # re-opening applies nothing twice
        assert h.migrations() == [name for name, _ in MIGRATIONS]


def test_a_partly_migrated_file_gets_the_rest(tmp_path):
    path = tmp_path / "h.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    db.executescript(MIGRATIONS[0][1])
    db.execute("INSERT INTO schema_migrations VALUES ('0001_initial', 'x')")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with History(path) as h:
        assert h.migrations() == ["0001_initial", "0002_runs"]
        h.record_run(SEP, started=datetime(2018, 10, 5), finished=datetime(2018, 10, 5),
                     ok=True)


def test_two_periods_changes_and_previous(tmp_path):
    aug = run_with(AUG, {"A": Rag.GREEN, "B": Rag.AMBER, "C": Rag.RED, "D": Rag.GREEN,
                         "E": Rag.GREY, "GONE": Rag.GREEN})
    sep = run_with(SEP, {"A": Rag.RED, "B": Rag.GREEN, "C": Rag.RED, "D": Rag.BLUE,
                         "E": Rag.GREEN, "NEW": Rag.RED})
    with History(tmp_path / "h.sqlite") as h:
        assert h.changes(AUG, aug.ratings) == type(h.changes(AUG, aug.ratings))()
        h.save_period(aug)
        changes = h.changes(SEP, sep.ratings)
        assert changes.previous_period == "2018-08"
        assert changes.newly_red == ("A", "NEW")
        assert changes.worsened == ("A",)
        assert changes.improved == ("B", "D")  # Grey → Green is not compared
        assert changes.newly_complete == ("D",)
        assert changes.new == ("NEW",) and changes.removed == ("GONE",)
        h.save_period(sep)
        assert h.previous_rags(SEP) == {"A": Rag.GREEN, "B": Rag.AMBER, "C": Rag.RED,
                                        "D": Rag.GREEN, "E": Rag.GREY, "GONE": Rag.GREEN}
        assert h.previous_rags(OCT)["A"] is Rag.RED  # latest stored before October
        assert h.previous_rags(AUG) == {}


def test_resaving_a_period_replaces_it(tmp_path):
    with History(tmp_path / "h.sqlite") as h:
        h.save_period(run_with(SEP, {"A": Rag.GREEN, "B": Rag.GREEN, "C": Rag.GREEN}))
        h.save_period(run_with(SEP, {"A": Rag.RED, "B": Rag.GREEN}))
        assert h.periods() == [SEP]
        assert h.ratings_for(SEP) == {"A": Rag.RED, "B": Rag.GREEN}
        count = h.db.execute("SELECT count(*) FROM action_ratings").fetchone()[0]
        assert count == 2


def test_trend_is_oldest_first_and_limited(tmp_path):
    with History(tmp_path / "h.sqlite") as h:
        for i, rag in enumerate([Rag.GREEN, Rag.GREEN, Rag.AMBER, Rag.RED, Rag.AMBER]):
            h.save_period(run_with(Period(2018, 5).shift(i), {"A": rag, f"X{i}": Rag.BLUE}))
        trend = h.trend(SEP, 3)
        assert trend["A"] == (("2018-07", Rag.AMBER), ("2018-08", Rag.RED),
                              ("2018-09", Rag.AMBER))
        assert trend["X4"] == (("2018-09", Rag.BLUE),)
        assert "X0" not in trend
        assert h.trend(Period(2018, 6), 6)["A"] == (("2018-05", Rag.GREEN),
                                                   ("2018-06", Rag.GREEN))
        assert [p for p, _ in h.kpi_series("KPI-1")] == ["2018-05", "2018-06", "2018-07",
                                                         "2018-08", "2018-09"]


def test_runs_ledger_ignores_failed_runs(tmp_path):
    with History(tmp_path / "h.sqlite") as h:
        t = datetime(2018, 10, 5, 9, 0)
        h.record_run(AUG, started=t, finished=t, ok=True, errors=2)
        h.record_run(SEP, started=t, finished=t, ok=False, detail="template missing")
        assert h.last_successful_period() == AUG
        h.record_run(SEP, started=t, finished=t, ok=True)
        assert h.last_successful_period() == SEP


def test_damaged_or_foreign_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "history.sqlite"
    bad.write_bytes(b"this is not a database at all" * 200)
    with pytest.raises(OutputError, match="history.sqlite.*move it aside"):
        History(bad)
    newer = tmp_path / "newer.sqlite"
    db = sqlite3.connect(newer)
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    db.commit()
    db.close()
    with pytest.raises(OutputError, match="newer reportgen"):
        History(newer)


N_ACTIONS = 3000


def _writer(path, rounds):
    actions = [make_action(i, action_id=f"A{i:05d}") for i in range(N_ACTIONS)]
    base = make_run(actions=actions, period=SEP)
    with History(path) as h:
        for n in range(rounds):
            rag = (Rag.RED, Rag.GREEN)[n % 2]
            ratings = {a.action_id: make_rating(a, rag) for a in actions}
            h.save_period(replace(base, ratings=ratings))


def test_a_reader_sees_a_whole_period_or_none(tmp_path):
    path = tmp_path / "h.sqlite"
    History(path).close()
    ctx = multiprocessing.get_context("spawn")
    writer = ctx.Process(target=_writer, args=(path, 12))
    writer.start()
    seen = set()
    try:
        with History(path) as h:
            while writer.is_alive() or not seen:
                ratings = h.ratings_for(SEP)
                if ratings:
                    assert len(ratings) == N_ACTIONS
                    assert len(set(ratings.values())) == 1, "a mix of two saves"
                    seen.add(next(iter(ratings.values())))
                if not writer.is_alive() and not seen:
                    break
    finally:
        writer.join(60)
    assert writer.exitcode == 0
    assert seen  # the reader did read while the writer wrote
