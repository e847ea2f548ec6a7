"""The rating history: an embedded SQLite file (``paths.history``, default
``output/history.sqlite``) that remembers each period's ratings, so a report can say what
changed since last month and show each action's RAG over time.

Schema changes are named, versioned migrations (:data:`MIGRATIONS`), applied in order in
a transaction each, recorded in ``schema_migrations`` and counted in ``user_version``.
Saving a period is one transaction and replaces that period whole (idempotent); in WAL
mode a reader sees a period whole or not at all. A file that is not a reportgen history
(or comes from a newer reportgen) raises :class:`~reportgen.errors.OutputError` naming it.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Mapping

from reportgen.errors import OutputError
from reportgen.model import ActionRating, Changes, Period, Rag, RatedRun

MIGRATIONS: list[tuple[str, str]] = [
    ("0001_initial", """
        CREATE TABLE periods (
            period    TEXT PRIMARY KEY,          -- 'YYYY-MM'
            as_of     TEXT NOT NULL,             -- ISO date
            saved_at  TEXT NOT NULL,
            actions   INTEGER NOT NULL,
            kpis      INTEGER NOT NULL
        );
        CREATE TABLE action_ratings (
            period       TEXT NOT NULL REFERENCES periods(period) ON DELETE CASCADE,
            action_id    TEXT NOT NULL,
            objective    INTEGER,
            lead_officer TEXT,
            computed     TEXT NOT NULL,
            reported     TEXT NOT NULL,
            officer      TEXT,
            percent      REAL,
            slippage     REAL,
            stale        INTEGER NOT NULL DEFAULT 0,
            challenge    INTEGER NOT NULL DEFAULT 0,
            reasons      TEXT NOT NULL DEFAULT '[]',   -- JSON list
            source_file  TEXT,
            source_cell  TEXT,
            budget       REAL,
            forecast     REAL,
            PRIMARY KEY (period, action_id)
        );
        CREATE INDEX action_ratings_by_action ON action_ratings (action_id, period);
        CREATE TABLE kpi_results (
            period        TEXT NOT NULL REFERENCES periods(period) ON DELETE CASCADE,
            kpi_id        TEXT NOT NULL,
            latest_period TEXT,
            latest        REAL,
            rag           TEXT,
            direction     TEXT,
            PRIMARY KEY (period, kpi_id)
        );
    """),
    ("0002_runs", """
        CREATE TABLE runs (
            id        INTEGER PRIMARY KEY AUTOINCREMENT,
            period    TEXT NOT NULL,
            started   TEXT NOT NULL,
            finished  TEXT NOT NULL,
            ok        INTEGER NOT NULL,
            errors    INTEGER NOT NULL DEFAULT 0,
            warnings  INTEGER NOT NULL DEFAULT 0,
            detail    TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX runs_by_period ON runs (period, ok);
    """),
]

_COMPARABLE = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE)


class History:
    """``with History(path) as h: …`` — opens (creating and migrating) the file."""

    def __init__(self, path: Path, timeout: float = 30.0):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise OutputError(f"cannot open the history file {self.path}: {exc}") from None
        try:
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            self._migrate()
            self.db.execute("PRAGMA journal_mode = WAL")
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise OutputError(
                f"{self.path} is not a reportgen history file or is damaged ({exc}); move it "
                "aside and run again to start a new history") from None

    # ------------------------------------------------------------------ plumbing
    def __enter__(self) -> "History":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise OutputError(
                f"{self.path} was written by a newer reportgen (history version {version}, "
                f"this one knows {len(MIGRATIONS)}); upgrade reportgen or move the file aside")
        if version == len(MIGRATIONS):
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            version = self.db.execute("PRAGMA user_version").fetchone()[0]  # raced?
            self.db.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                            "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            for number, (name, sql) in enumerate(MIGRATIONS, start=1):
                if number <= version:
                    continue
                for statement in sql.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute("INSERT INTO schema_migrations VALUES (?, ?)",
                                (name, datetime.now().isoformat(timespec="seconds")))
                self.db.execute(f"PRAGMA user_version = {number}")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def migrations(self) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT name FROM schema_migrations ORDER BY name")]

    def _read(self, sql: str, params=()) -> list[tuple]:
        try:
            return self.db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise OutputError(f"cannot read the history file {self.path}: {exc}") from None

    # ------------------------------------------------------------------ writing
    def save_period(self, run: RatedRun) -> None:
        """Store ``run``'s ratings as its period, replacing any earlier save of it."""
        label = run.period.label
        by_id = {a.action_id: a for a in run.actions}
        action_rows = []
        for action_id, r in run.ratings.items():
            a = by_id.get(action_id)
            action_rows.append((
                label, action_id, a.objective if a else None, a.lead_officer if a else None,
                r.computed.value, r.reported.value, r.officer.value if r.officer else None,
                r.actual_percent, r.slippage, int(r.stale), int(r.challenge),
                json.dumps(list(r.reasons), ensure_ascii=False),
                a.source.file if a else None, a.source.cell("action_id") if a else None,
                a.budget if a else None, a.forecast if a else None))
        kpi_rows = [(label, k, r.latest_period, r.latest, r.rag.value if r.rag else None,
                     r.direction.value if r.direction else None)
                    for k, r in run.kpi_results.items()]
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                self.db.execute("DELETE FROM periods WHERE period = ?", (label,))
                self.db.execute("INSERT INTO periods VALUES (?, ?, ?, ?, ?)",
                                (label, run.as_of.isoformat(),
                                 datetime.now().isoformat(timespec="seconds"),
                                 len(action_rows), len(kpi_rows)))
                self.db.executemany("INSERT OR REPLACE INTO action_ratings VALUES "
                                    "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", action_rows)
                self.db.executemany("INSERT OR REPLACE INTO kpi_results VALUES "
                                    "(?,?,?,?,?,?)", kpi_rows)
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise OutputError(f"cannot save {label} to the history file {self.path}: "
                              f"{exc}") from None

    def record_run(self, period: Period, *, started: datetime, finished: datetime, ok: bool,
                   errors: int = 0, warnings: int = 0, detail: str = "") -> None:
        try:
            self.db.execute("INSERT INTO runs (period, started, finished, ok, errors, "
                            "warnings, detail) VALUES (?,?,?,?,?,?,?)",
                            (period.label, started.isoformat(timespec="seconds"),
                             finished.isoformat(timespec="seconds"), int(ok), errors,
                             warnings, detail))
        except sqlite3.Error as exc:
            raise OutputError(f"cannot write to the history file {self.path}: {exc}") from None

    # ------------------------------------------------------------------ reading
    def periods(self) -> list[Period]:
        return [Period.parse(r[0]) for r in self._read("SELECT period FROM periods "
                                                       "ORDER BY period")]

    def last_successful_period(self) -> Period | None:
        rows = self._read("SELECT max(period) FROM runs WHERE ok = 1")
        return Period.parse(rows[0][0]) if rows and rows[0][0] else None

    def _previous_label(self, period: Period) -> str | None:
        rows = self._read("SELECT max(period) FROM periods WHERE period < ?", (period.label,))
        return rows[0][0] if rows else None

    def ratings_for(self, period: Period) -> dict[str, Rag]:
        return {a: Rag(r) for a, r in self._read(
            "SELECT action_id, reported FROM action_ratings WHERE period = ?",
            (period.label,))}

    def previous_rags(self, period: Period) -> dict[str, Rag]:
        """Reported RAG per action in the latest stored period before ``period``."""
        label = self._previous_label(period)
        return self.ratings_for(Period.parse(label)) if label else {}

    def changes(self, period: Period, ratings: Mapping[str, ActionRating]) -> Changes:
        """What changed since the latest stored period before ``period``."""
        label = self._previous_label(period)
        if label is None:
            return Changes()
        before = self.ratings_for(Period.parse(label))
        now = {k: r.reported for k, r in ratings.items()}
        newly_red, improved, worsened, complete = [], [], [], []
        for action_id, rag in now.items():
            old = before.get(action_id)
            if rag is Rag.RED and old is not Rag.RED:
                newly_red.append(action_id)
            if rag is Rag.BLUE and old is not None and old is not Rag.BLUE:
                complete.append(action_id)
            if old in _COMPARABLE and rag in _COMPARABLE:
                if rag.severity < old.severity:
                    improved.append(action_id)
                elif rag.severity > old.severity:
                    worsened.append(action_id)
        return Changes(previous_period=label, newly_red=tuple(sorted(newly_red)),
                       improved=tuple(sorted(improved)), worsened=tuple(sorted(worsened)),
                       newly_complete=tuple(sorted(complete)),
                       new=tuple(sorted(set(now) - set(before))),
                       removed=tuple(sorted(set(before) - set(now))))

    def trend(self, period: Period, n: int = 6) -> dict[str, tuple[tuple[str, Rag], ...]]:
        """Each action's reported RAG over the last ``n`` stored periods up to and
        including ``period``, oldest first (periods where it was absent are skipped)."""
        labels = [r[0] for r in self._read(
            "SELECT period FROM periods WHERE period <= ? ORDER BY period DESC LIMIT ?",
            (period.label, n))]
        if not labels:
            return {}
        out: dict[str, list[tuple[str, Rag]]] = {}
        marks = ",".join("?" * len(labels))
        for action_id, label, rag in self._read(
                f"SELECT action_id, period, reported FROM action_ratings WHERE period IN "
                f"({marks}) ORDER BY action_id, period", labels):
            out.setdefault(action_id, []).append((label, Rag(rag)))
        return {k: tuple(v) for k, v in out.items()}

    def kpi_series(self, kpi_id: str) -> tuple[tuple[str, float], ...]:
        """The latest value stored for ``kpi_id`` in each period, oldest first."""
        return tuple((p, v) for p, v in self._read(
            "SELECT period, latest FROM kpi_results WHERE kpi_id = ? AND latest IS NOT NULL "
            "ORDER BY period", (kpi_id,)))
