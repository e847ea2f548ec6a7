"""The rating history: migrations, saving and re-saving periods, changes, trends, runs,
damaged and foreign files, and a reader that never sees half a period."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import time
from dataclasses import replace
from datetime import datetime

import pytest

from factories import make_action, make_rating, make_run
from reportgen.errors import OutputError
from reportgen.history import MIGRATIONS, History
from reportgen.model import Changes, Period, Rag
from reportgen.register import action_from_json, finance_from_json

JUL, AUG, SEP, OCT = Period(2018, 7), Period(2018, 8), Period(2018, 9), Period(2018, 10)
NAMES = [name for name, _ in MIGRATIONS]


def at(*when):
    return lambda: datetime(*when)


NOON = at(2018, 10, 5, 12, 0)


def run_with(period: Period, rags: dict[str, Rag], **rating_overrides):
    """A run of ``period`` whose actions are exactly ``rags`` (id → reported RAG)."""
    actions = [make_action(i, action_id=action_id) for i, action_id in enumerate(rags, 1)]
    run = make_run(actions=actions, period=period)
    ratings = {a.action_id: make_rating(a, rags[a.action_id], **rating_overrides)
               for a in actions}
    return replace(run, ratings=ratings)


def count(path, table: str) -> int:
    db = sqlite3.connect(path)
    try:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        db.close()


# ---------------------------------------------------------------------- migrations


def test_migrating_an_empty_file(tmp_path):
    path = tmp_path / "output" / "history.sqlite"  # the folder is made too
    with History(path, clock=at(2018, 10, 5, 9, 0)) as h:
        assert h.migrations() == NAMES
        assert h.periods() == [] and h.last_successful_period() is None
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"periods", "action_ratings", "kpi_results", "runs", "schema_migrations"} <= tables
    applied = db.execute("SELECT name, applied_at FROM schema_migrations ORDER BY name")
    applied = applied.fetchall()
    db.close()
    assert applied == [(name, "2018-10-05T09:00:00") for name in NAMES]

    with History(path, clock=at(2019, 1, 1)) as h:  # re-opening applies nothing again
        assert h.migrations() == NAMES
    db = sqlite3.connect(path)
    assert db.execute("SELECT name, applied_at FROM schema_migrations ORDER BY name"
                      ).fetchall() == applied
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    db.close()


def test_a_partly_migrated_file_gets_the_rest(tmp_path):
    path = tmp_path / "h.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    db.executescript(MIGRATIONS[0][1])
    db.execute("INSERT INTO schema_migrations VALUES ('0001_initial', 'then')")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with History(path, clock=NOON) as h:
        assert h.migrations() == NAMES
        h.save_period(run_with(SEP, {"A": Rag.GREEN}))
        h.record_run(SEP, started=datetime(2018, 10, 5), finished=datetime(2018, 10, 5),
                     ok=True)
        assert h.last_successful_period() == SEP
    db = sqlite3.connect(path)
    assert db.execute("SELECT applied_at FROM schema_migrations WHERE name = '0001_initial'"
                      ).fetchone() == ("then",)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    db.close()


def test_migration_names_are_numbered_in_order_and_unique():
    assert NAMES == sorted(set(NAMES))
    assert [name[:4] for name in NAMES] == [f"{n:04d}" for n in range(1, len(NAMES) + 1)]


# ---------------------------------------------------------------------- saving, changes


def test_two_periods_previous_rags_and_changes(tmp_path):
    aug = run_with(AUG, {"A": Rag.GREEN, "B": Rag.AMBER, "C": Rag.RED, "D": Rag.GREEN,
                         "E": Rag.GREY, "F": Rag.RED, "G": Rag.BLUE, "H": Rag.CANCELLED,
                         "GONE": Rag.GREEN})
    sep = run_with(SEP, {"A": Rag.RED, "B": Rag.GREEN, "C": Rag.RED, "D": Rag.BLUE,
                         "E": Rag.AMBER, "F": Rag.CANCELLED, "G": Rag.BLUE, "H": Rag.RED,
                         "NEW": Rag.RED, "NEWDONE": Rag.BLUE, "NEWOK": Rag.GREEN})
    with History(tmp_path / "h.sqlite", clock=NOON) as h:
        assert h.changes(AUG, aug.ratings) == Changes()  # nothing earlier: no changes
        assert h.previous_rags(AUG) == {}
        h.save_period(aug)
        changes = h.changes(SEP, sep.ratings)
        assert changes == Changes(
            previous_period="2018-08",
            newly_red=("A", "H", "NEW"),           # C was Red already
            improved=("B", "D"),             # E Grey → Amber, F → Cancelled: not compared
            worsened=("A",),
            newly_complete=("D", "NEWDONE"),       # G was Blue already
            new=("NEW", "NEWDONE", "NEWOK"),
            removed=("GONE",))
        h.save_period(sep)
        assert h.previous_rags(SEP) == {"A": Rag.GREEN, "B": Rag.AMBER, "C": Rag.RED,
                                        "D": Rag.GREEN, "E": Rag.GREY, "F": Rag.RED,
                                        "G": Rag.BLUE, "H": Rag.CANCELLED,
                                        "GONE": Rag.GREEN}
        assert h.previous_rags(OCT)["A"] is Rag.RED  # the latest stored before October
        assert h.previous_rags(AUG) == {}
        # Saving a later period does not change what September is compared with.
        h.save_period(run_with(OCT, {"A": Rag.GREEN}))
        assert h.changes(SEP, sep.ratings) == changes
        assert h.periods() == [AUG, SEP, OCT]


def test_a_missed_month_compares_with_the_latest_stored_period(tmp_path):
    with History(tmp_path / "h.sqlite", clock=NOON) as h:
        h.save_period(run_with(JUL, {"A": Rag.AMBER}))
        changes = h.changes(SEP, {"A": make_rating(make_action(1, action_id="A"), Rag.RED)})
        assert changes.previous_period == "2018-07"
        assert changes.newly_red == changes.worsened == ("A",)
        assert h.previous_rags(SEP) == {"A": Rag.AMBER}


def test_what_is_stored_for_an_action_and_a_kpi(tmp_path):
    action = make_action(3, action_id="O1-03", objective=1, lead_officer="Iain Scott",
                         budget=25000.0, forecast=27500.0, officer_rag=Rag.GREEN)
    rating = make_rating(action, Rag.RED, computed=Rag.RED, officer=Rag.GREEN,
                         actual_percent=35.0, expected_percent=80.0, slippage=45.0,
                         stale=True, challenge=True, dates_only=False,
                         reasons=("overdue since 31/03/2018", "45 points behind — “late”"))
    run = replace(make_run(actions=[action], period=SEP), ratings={"O1-03": rating})
    path = tmp_path / "h.sqlite"
    with History(path, clock=at(2018, 10, 5, 9, 30)) as h:
        h.save_period(run)
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    row = dict(db.execute("SELECT * FROM action_ratings").fetchone())
    assert row == {
        "period": "2018-09", "action_id": "O1-03", "objective": 1,
        "lead_officer": "Iain Scott", "computed": "Red", "reported": "Red",
        "officer": "Green", "percent": 35.0, "slippage": 45.0, "stale": 1, "challenge": 1,
        "reasons": row["reasons"], "source_file": action.source.file,
        "source_sheet": "Actions", "source_cell": "A8", "budget": 25000.0,
        "forecast": 27500.0, "expected_percent": 80.0, "dates_only": 0,
        "record": row["record"], "finance": row["finance"], "carried_from": None,
        "not_updated": None}
    assert json.loads(row["reasons"]) == list(rating.reasons)
    assert action_from_json(row["record"]) == action
    assert finance_from_json(row["finance"]) == rating.finance
    assert dict(db.execute("SELECT * FROM periods").fetchone()) == {
        "period": "2018-09", "as_of": "2018-09-30", "saved_at": "2018-10-05T09:30:00",
        "actions": 1, "kpis": len(run.kpi_results)}
    kpi = run.kpi_results["KPI-1"]
    assert dict(db.execute("SELECT * FROM kpi_results WHERE kpi_id = 'KPI-1'").fetchone()) == {
        "period": "2018-09", "kpi_id": "KPI-1", "latest_period": kpi.latest_period,
        "latest": kpi.latest, "rag": kpi.rag.value, "direction": kpi.direction.value}
    db.close()


def test_resaving_a_period_replaces_it(tmp_path):
    path = tmp_path / "h.sqlite"
    rags = {"A": Rag.GREEN, "B": Rag.GREEN, "C": Rag.AMBER}
    with History(path, clock=at(2018, 9, 5)) as h:
        h.save_period(run_with(AUG, rags, actual_percent=10.0))
        h.save_period(run_with(SEP, rags, actual_percent=20.0))
    counts = {t: count(path, t) for t in ("periods", "action_ratings", "kpi_results")}
    assert counts == {"periods": 2, "action_ratings": 6, "kpi_results": 6}

    with History(path, clock=at(2018, 10, 5)) as h:  # the same period, new values
        h.save_period(run_with(SEP, {"A": Rag.RED, "B": Rag.GREEN, "C": Rag.BLUE},
                               actual_percent=55.0))
        assert h.periods() == [AUG, SEP]
        assert h.ratings_for(SEP) == {"A": Rag.RED, "B": Rag.GREEN, "C": Rag.BLUE}
        assert h.ratings_for(AUG) == rags  # other periods untouched
    assert {t: count(path, t) for t in counts} == counts
    db = sqlite3.connect(path)
    assert db.execute("SELECT DISTINCT percent FROM action_ratings WHERE period = '2018-09'"
                      ).fetchall() == [(55.0,)]
    assert db.execute("SELECT DISTINCT percent FROM action_ratings WHERE period = '2018-08'"
                      ).fetchall() == [(10.0,)]
    assert db.execute("SELECT saved_at FROM periods WHERE period = '2018-09'"
                      ).fetchone() == ("2018-10-05T00:00:00",)
    db.close()

    # an action dropped from the trackers goes from the period
    with History(path, clock=NOON) as h:
        h.save_period(run_with(SEP, {"A": Rag.RED, "B": Rag.GREEN}))
        assert h.ratings_for(SEP) == {"A": Rag.RED, "B": Rag.GREEN}
    assert count(path, "action_ratings") == 5


def test_a_failed_save_leaves_the_period_as_it_was(tmp_path):
    path = tmp_path / "h.sqlite"
    with History(path, clock=NOON) as h:
        h.save_period(run_with(SEP, {"A": Rag.GREEN, "B": Rag.GREEN}))
        bad = run_with(SEP, {"A": Rag.RED, "B": Rag.RED, "C": Rag.RED})
        actions = bad.actions[:2] + (replace(bad.actions[2], budget=object()),)  # unbindable
        with pytest.raises(OutputError, match=r"cannot save 2018-09 to .*h\.sqlite"):
            h.save_period(replace(bad, actions=actions))
        assert h.ratings_for(SEP) == {"A": Rag.GREEN, "B": Rag.GREEN}
        h.save_period(run_with(SEP, {"A": Rag.AMBER}))  # and the connection still works
        assert h.ratings_for(SEP) == {"A": Rag.AMBER}


# ---------------------------------------------------------------------- trend, KPIs, runs


def test_trend_is_oldest_first_and_limited(tmp_path):
    with History(tmp_path / "h.sqlite", clock=NOON) as h:
        for i, rag in enumerate([Rag.GREEN, Rag.GREEN, Rag.AMBER, Rag.RED, Rag.AMBER]):
            h.save_period(run_with(Period(2018, 5).shift(i), {"A": rag, f"X{i}": Rag.BLUE}))
        h.save_period(run_with(OCT, {"A": Rag.BLUE}))  # after September: never in its trend
        trend = h.trend(SEP, 3)
        assert trend["A"] == (("2018-07", Rag.AMBER), ("2018-08", Rag.RED),
                              ("2018-09", Rag.AMBER))
        assert trend["X4"] == (("2018-09", Rag.BLUE),)  # only where it was stored
        assert set(trend) == {"A", "X2", "X3", "X4"}
        assert len(h.trend(SEP)["A"]) == 5  # fewer stored than n: all of them
        assert h.trend(Period(2018, 6), 6)["A"] == (("2018-05", Rag.GREEN),
                                                   ("2018-06", Rag.GREEN))
        assert h.trend(Period(2018, 4)) == {} and h.trend(SEP, 0) == {}


def test_kpi_results_are_stored_per_period(tmp_path):
    with History(tmp_path / "h.sqlite", clock=NOON) as h:
        for i in range(3):
            run = run_with(JUL.shift(i), {"A": Rag.GREEN})
            results = dict(run.kpi_results)
            results["KPI-1"] = replace(results["KPI-1"], latest=70.0 + i)
            results["KPI-2"] = replace(results["KPI-2"], latest=None if i == 1 else 5.0)
            h.save_period(replace(run, kpi_results=results))
        rows = h.db.execute("SELECT kpi_id, period, latest FROM kpi_results WHERE kpi_id "
                            "IN ('KPI-1', 'KPI-2') ORDER BY kpi_id, period").fetchall()
    assert rows == [("KPI-1", "2018-07", 70.0), ("KPI-1", "2018-08", 71.0),
                    ("KPI-1", "2018-09", 72.0), ("KPI-2", "2018-07", 5.0),
                    ("KPI-2", "2018-08", None), ("KPI-2", "2018-09", 5.0)]


def test_runs_ledger_ignores_failed_runs(tmp_path):
    with History(tmp_path / "h.sqlite", clock=NOON) as h:
        t = datetime(2018, 10, 5, 9, 0)
        assert h.last_successful_period() is None
        h.record_run(AUG, started=t, finished=t, ok=True, errors=2, warnings=3)
        h.record_run(SEP, started=t, finished=t, ok=False, errors=1, warnings=0,
                     detail="template missing")
        assert h.last_successful_period() == AUG
        h.save_period(run_with(SEP, {"A": Rag.GREEN}))  # a save alone is not a run
        assert h.last_successful_period() == AUG
        h.record_run(SEP, started=t, finished=t, ok=True, errors=0, warnings=0)
        h.record_run(JUL, started=t, finished=t, ok=True, errors=0, warnings=0)  # catch-up
        assert h.last_successful_period() == SEP
        rows = h.db.execute("SELECT period, ok, errors, warnings, detail FROM runs "
                            "ORDER BY id").fetchall()
        assert rows[:2] == [("2018-08", 1, 2, 3, ""), ("2018-09", 0, 1, 0, "template missing")]
        assert len(rows) == 4


# ---------------------------------------------------------------------- files we refuse


def refused(path) -> str:
    with pytest.raises(OutputError) as caught:
        History(path, clock=NOON)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    return message


def test_a_file_that_is_not_a_database_is_named_and_left_alone(tmp_path):
    bad = tmp_path / "history.sqlite"
    bad.write_bytes(b"this is not a database at all" * 200)
    assert "move it aside" in refused(bad)
    assert bad.read_bytes() == b"this is not a database at all" * 200


def test_a_damaged_history_is_named(tmp_path):
    path = tmp_path / "history.sqlite"
    with History(path, clock=NOON) as h:
        for i in range(3):
            h.save_period(run_with(JUL.shift(i), {f"A{n}": Rag.GREEN for n in range(300)}))
    data = bytearray(path.read_bytes())
    data[100:] = b"\xa5" * (len(data) - 100)  # header kept, every page scrambled
    path.write_bytes(bytes(data))
    with pytest.raises(OutputError) as caught:
        with History(path, clock=NOON) as h:
            h.periods()
            h.trend(SEP)
    message = str(caught.value)
    assert str(path) in message and "move it aside" in message and "\n" not in message


def test_another_programs_database_is_refused_untouched(tmp_path):
    other = tmp_path / "history.sqlite"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    db.commit()
    db.close()
    before = other.read_bytes()
    message = refused(other)
    assert "not a reportgen history" in message and "invoices" in message
    assert other.read_bytes() == before  # not even switched to WAL

    stranger = tmp_path / "stranger.sqlite"  # a user_version, but not our migrations
    db = sqlite3.connect(stranger)
    db.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    db.execute("INSERT INTO schema_migrations VALUES ('0001_create_users', 'x')")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    assert "not a reportgen history" in refused(stranger)


def test_a_history_from_a_newer_reportgen_is_refused(tmp_path):
    newer = tmp_path / "history.sqlite"
    with History(newer, clock=NOON):
        pass
    db = sqlite3.connect(newer)
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.commit()
    db.close()
    message = refused(newer)
    assert "newer reportgen" in message and "upgrade reportgen" in message


def test_read_only_reads_and_never_writes(tmp_path):
    """What export uses: the stored periods are read; nothing is created or written."""
    path = tmp_path / "history.sqlite"
    with History(path, clock=NOON) as h:
        h.save_period(run_with(AUG, {"A": Rag.RED}))
    before = path.read_bytes()
    with History(path, clock=NOON, read_only=True) as h:
        assert h.previous_rags(SEP) == {"A": Rag.RED}
        assert h.changes(SEP, run_with(SEP, {"A": Rag.GREEN}).ratings).improved == ("A",)
        with pytest.raises(OutputError):
            h.save_period(run_with(SEP, {"A": Rag.GREEN}))
    assert path.read_bytes() == before
    with History(path, clock=NOON) as h:
        assert h.periods() == [AUG]
    with pytest.raises(OutputError):
        History(tmp_path / "missing.sqlite", clock=NOON, read_only=True)
    assert not (tmp_path / "missing.sqlite").exists()


def test_a_busy_file_says_so(tmp_path):
    path = tmp_path / "history.sqlite"
    History(path, clock=NOON).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with History(path, timeout=0.1, clock=NOON) as h:
            assert h.periods() == []  # readers are not blocked by a writer (WAL)
            with pytest.raises(OutputError, match="busy: another reportgen"):
                h.save_period(run_with(SEP, {"A": Rag.GREEN}))
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# ---------------------------------------------------------------------- a reader and a writer

N_ACTIONS = 5000
MARKERS = {("Red", 11.0), ("Green", 22.0)}  # each save writes one of these to every row


def _writer(path, saved, stop):
    """Re-save September, alternating the marker, until told to stop."""
    actions = [make_action(i, action_id=f"A{i:05d}") for i in range(N_ACTIONS)]
    base = make_run(actions=actions, period=SEP)
    versions = [replace(base, ratings={a.action_id: make_rating(a, Rag(rag),
                                                                actual_percent=percent)
                                       for a in actions})
                for rag, percent in sorted(MARKERS)]
    with History(path, clock=NOON) as h:
        for n in range(500):  # a bound, should the reader never say stop
            h.save_period(versions[n % 2])
            saved.value = n + 1
            if stop.is_set():
                break


def test_a_reader_sees_a_whole_period_or_none(tmp_path):
    path = tmp_path / "h.sqlite"
    History(path, clock=NOON).close()
    ctx = multiprocessing.get_context("spawn")  # no sqlite handles shared with a fork
    saved, stop = ctx.Value("i", 0), ctx.Event()
    writer = ctx.Process(target=_writer, args=(path, saved, stop))
    writer.start()
    seen: dict[tuple[str, float], int] = {}
    reads = 0
    deadline = time.monotonic() + 60  # a bound; the loop stops once it has seen enough
    try:
        with History(path, clock=NOON) as h:
            while writer.is_alive() and time.monotonic() < deadline:
                before = saved.value
                # One statement: rows per period, the stored count and the marker.
                rows = h.db.execute(
                    "SELECT p.period, p.actions, count(a.action_id), "
                    "count(DISTINCT a.reported || '/' || a.percent), min(a.reported), "
                    "min(a.percent) FROM periods p LEFT JOIN action_ratings a "
                    "ON a.period = p.period GROUP BY p.period").fetchall()
                orphans = h.db.execute("SELECT count(*) FROM action_ratings WHERE period "
                                       "NOT IN (SELECT period FROM periods)").fetchone()[0]
                assert orphans == 0
                if not rows:  # none: nothing saved yet
                    assert before == 0
                    continue
                [(period, stored, n_rows, markers, rag, percent)] = rows
                assert (period, stored, n_rows) == ("2018-09", N_ACTIONS, N_ACTIONS)
                assert markers == 1, "one read saw rows of two different saves"
                assert (rag, percent) in MARKERS
                # History's own multi-statement reads see one save too.
                trend = h.trend(SEP, 1)
                assert len(trend) == N_ACTIONS
                assert len({rags[-1][1] for rags in trend.values()}) == 1
                seen[(rag, percent)] = seen.get((rag, percent), 0) + 1
                reads += 1
                if len(seen) == 2 and min(seen.values()) >= 3 and saved.value >= 6:
                    break
    finally:
        stop.set()
        writer.join(30)
    assert writer.exitcode == 0
    assert set(seen) == MARKERS, f"the reader saw only {seen} in {reads} reads"
    assert saved.value >= 2


def test_the_records_migration_keeps_old_runs_and_adds_kinds_and_missed_periods(tmp_path):
    path = tmp_path / "h.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    for number, (name, sql) in enumerate(MIGRATIONS[:4], start=1):
        db.executescript(sql)
        db.execute("INSERT INTO schema_migrations VALUES (?, 'then')", (name,))
    db.execute("INSERT INTO runs (period, started, finished, ok) VALUES "
               "('2018-08', '2018-09-05T09:00:00', '2018-09-05T09:01:00', 1)")
    db.execute("PRAGMA user_version = 4")
    db.commit()
    db.close()
    with History(path, clock=NOON) as h:
        assert h.migrations() == NAMES
        (old,) = h.runs()
        assert old["kind"] == "live" and old["reason"] == "" and old["inputs"] == []
        h.record_missed(Period(2018, 9), "down")
        h.record_missed(Period(2018, 10))
        assert h.missed() == ["2018-09", "2018-10"]
        assert h.missed(before=Period(2018, 11), after="2018-09") == ["2018-10"]
        h.record_run(Period(2018, 9), started=datetime(2018, 12, 5),
                     finished=datetime(2018, 12, 5), ok=True, kind="kept", reason="why",
                     inputs=[{"path": "a.xlsx", "sha256": "ab" * 32}])
        assert h.missed() == ["2018-10"]  # produced since: no longer missed
        assert h.runs()[-1]["kind"] == "kept" and h.runs()[-1]["inputs"][0]["path"] == "a.xlsx"
        h.backup(tmp_path / "copy.sqlite")
    with History(tmp_path / "copy.sqlite", clock=NOON, read_only=True) as copy:
        assert [r["period"] for r in copy.runs()] == ["2018-08", "2018-09"]


def test_records_are_read_from_a_file_one_migration_behind(tmp_path, monkeypatch):
    """A later migration does not hide the run kinds and missed periods of a file at the
    records version opened read-only (so not migrated)."""
    import reportgen.history as history_module

    path = tmp_path / "h.sqlite"
    with History(path, clock=NOON) as h:
        h.record_missed(Period(2018, 9), "down")
        h.record_run(Period(2018, 8), started=datetime(2018, 9, 5), finished=datetime(2018, 9, 5),
                     ok=True, kind="kept", reason="why")
    monkeypatch.setattr(history_module, "MIGRATIONS",
                        [*MIGRATIONS, ("0099_later", "CREATE TABLE later (a TEXT);")])
    with History(path, clock=NOON, read_only=True) as h:
        assert h.missed() == ["2018-09"]
        assert h.runs()[-1]["kind"] == "kept" and h.runs()[-1]["reason"] == "why"


def test_a_failed_integrity_check_names_three_lines_at_most(tmp_path, monkeypatch):
    """PRAGMA integrity_check may give one row holding many lines."""
    import reportgen.history as history_module

    report = "\n".join(f"Page {n}: btreeInitPage() returns error code 11" for n in range(100))

    class Damaged:
        def execute(self, sql):
            return self

        def fetchall(self):
            return [(report,)]

        def close(self):
            pass

    monkeypatch.setattr(history_module.sqlite3, "connect", lambda *a, **k: Damaged())
    text = history_module.check_file(tmp_path / "h.sqlite")
    assert text.startswith("the integrity check failed: Page 0:")
    assert "Page 2:" in text and "Page 3:" not in text and "\n" not in text
