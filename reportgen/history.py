"""The rating history: an embedded SQLite file (``paths.history``, default
``output/history.sqlite``) that remembers each period's ratings, so a report can say what
changed since last month and show each action's RAG over time. This is the only module
that speaks SQL.

Schema changes are named, versioned migrations (:data:`MIGRATIONS`), each applied in its
own transaction, recorded in ``schema_migrations`` (name, applied_at) and counted in
``PRAGMA user_version``. Migrations are only ever appended: a released one never changes.

Saving a period is one ``BEGIN IMMEDIATE`` transaction that replaces that period whole
(idempotent). The file is in WAL mode, so a reader in another process sees the period as
it was before the save or as it is after it, never half of each; reads that take several
statements run in one read transaction for the same reason.

A file that is not an SQLite database, is damaged, belongs to another program or comes
from a newer reportgen raises :class:`~reportgen.errors.OutputError` with one line naming
the file and what to do. Nothing here prints.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator, Mapping

from reportgen.errors import OutputError
from reportgen.model import ActionRating, Changes, Period, Rag, RatedRun, action_key
from reportgen.register import (
    Stored, action_from_json, action_to_json, finance_from_json, finance_to_json,
)

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
    # A cell reference means little without its sheet; the expected % and the dates-only
    # flag let a later reader explain an old slippage figure.
    ("0003_rating_detail", """
        ALTER TABLE action_ratings ADD COLUMN source_sheet TEXT;
        ALTER TABLE action_ratings ADD COLUMN expected_percent REAL;
        ALTER TABLE action_ratings ADD COLUMN dates_only INTEGER NOT NULL DEFAULT 0;
    """),
    # The plan register (DESIGN 4a): what carrying an action forward needs. ``record`` is
    # the Action's fields as JSON; ``finance`` its finance rating as JSON; a carried row
    # names the period its figures come from and why it was not updated.
    ("0004_plan_register", """
        ALTER TABLE action_ratings ADD COLUMN record TEXT;
        ALTER TABLE action_ratings ADD COLUMN finance TEXT;
        ALTER TABLE action_ratings ADD COLUMN carried_from TEXT;
        ALTER TABLE action_ratings ADD COLUMN not_updated TEXT;
    """),
    # Each period is a record: how each run got its inputs (live trackers, kept inputs,
    # a deliberate refresh, a rebuild) and why, with the inputs' hashes; and the periods
    # the schedule missed and did not produce.
    ("0005_records", """
        ALTER TABLE runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'live';
        ALTER TABLE runs ADD COLUMN reason TEXT NOT NULL DEFAULT '';
        ALTER TABLE runs ADD COLUMN inputs TEXT NOT NULL DEFAULT '[]';
        CREATE TABLE missed_periods (
            period      TEXT PRIMARY KEY,
            recorded_at TEXT NOT NULL,
            reason      TEXT NOT NULL DEFAULT ''
        );
    """),
]

_ACTION_COLUMNS = (
    "period", "action_id", "objective", "lead_officer", "computed", "reported", "officer",
    "percent", "slippage", "stale", "challenge", "reasons", "source_file", "source_sheet",
    "source_cell", "budget", "forecast", "expected_percent", "dates_only", "record",
    "finance", "carried_from", "not_updated")
_REGISTER_VERSION = [name for name, _ in MIGRATIONS].index("0004_plan_register") + 1
_RECORDS_VERSION = [name for name, _ in MIGRATIONS].index("0005_records") + 1
_KPI_COLUMNS = ("period", "kpi_id", "latest_period", "latest", "rag", "direction")

_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
_DAMAGED = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


def _insert(table: str, columns: tuple[str, ...]) -> str:
    return (f"INSERT INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})")


def _statements(sql: str) -> Iterator[str]:
    """The complete statements of a migration script, one at a time. (``executescript``
    would commit the migration's transaction before running.)"""
    pending = ""
    for line in sql.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending.strip()
            pending = ""
    if pending.strip():
        yield pending.strip()


class History:
    """``with History(path, clock=…) as h: …`` — opens the file, creating it (and its
    folder) when missing, and applies any migrations it lacks.

    ``timeout`` is how long to wait for another process's write to finish; ``clock()``
    is the time now, which stamps ``saved_at`` and ``applied_at`` (the caller passes it:
    nothing here reads the system clock). ``read_only`` opens an existing file for
    reading only: nothing is created, migrated or written (a write raises OutputError)."""

    def __init__(self, path: Path, *, clock: Callable[[], datetime], timeout: float = 30.0,
                 read_only: bool = False):
        self.path = Path(path)
        self._clock = clock
        if read_only:
            target, uri = self.path.resolve().as_uri() + "?mode=ro", True
        else:
            target, uri = self.path, False
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise OutputError(f"cannot create the folder for the history file "
                                  f"{self.path} ({exc.strerror or exc}); check the path in "
                                  "paths.history and its permissions") from None
        try:
            self.db = sqlite3.connect(target, timeout=timeout, isolation_level=None,
                                      uri=uri)
        except sqlite3.Error as exc:
            raise self._fault("open", exc) from None
        try:
            self.db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            self.db.execute("PRAGMA foreign_keys = ON")
            if read_only:
                with self._snapshot():
                    self._check_lineage(self._user_version())
            else:
                self._migrate()
        except BaseException as exc:
            self.db.close()
            if isinstance(exc, sqlite3.Error):
                raise self._fault("open", exc) from None
            raise

    def __enter__(self) -> "History":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------------ plumbing
    def _fault(self, action: str, exc: sqlite3.Error) -> OutputError:
        """One line for the person running reportgen: the file, what went wrong, what to do."""
        code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
        if code in _BUSY:
            return OutputError(
                f"the history file {self.path} is busy: another reportgen is writing to it "
                f"({exc}); wait for that run to finish and run again")
        if code in _DAMAGED or type(exc) is sqlite3.DatabaseError:
            return OutputError(
                f"{self.path} is not a reportgen history file or is damaged ({exc}); move "
                "it aside and run again to start a new history")
        return OutputError(f"cannot {action} the history file {self.path} ({exc}); check "
                           "that paths.history names a file in a folder you can write to "
                           "and that the disk is not full")

    def _foreign(self, what: str) -> OutputError:
        return OutputError(
            f"{self.path} is an SQLite database but not a reportgen history ({what}); move "
            "it aside, or set paths.history to another file")

    @contextmanager
    def _write(self, action: str) -> Iterator[None]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) so that it waits for
        another writer rather than failing half-way; rolled back on any exception."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
                self.db.execute("COMMIT")
            except BaseException:
                if self.db.in_transaction:
                    try:
                        self.db.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass  # the original failure is the one worth reporting
                raise
        except sqlite3.Error as exc:
            raise self._fault(action, exc) from None

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """Reads that all see one committed state of the file. Re-entrant."""
        if self.db.in_transaction:
            yield
            return
        try:
            self.db.execute("BEGIN")
            try:
                yield
            finally:
                if self.db.in_transaction:
                    self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise self._fault("read", exc) from None

    def _rows(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        return self.db.execute(sql, params).fetchall()

    def _user_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        # Version and tables read in one snapshot: another process may be migrating.
        with self._snapshot():
            version = self._user_version()  # the first read: fails on a non-SQLite file
            self._check_lineage(version)
        self.db.execute("PRAGMA journal_mode = WAL")
        for number, (name, sql) in enumerate(MIGRATIONS, start=1):
            if number <= version:
                continue
            with self._write("migrate"):
                if self._user_version() >= number:
                    continue  # another process applied it while we waited
                self.db.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                                "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
                for statement in _statements(sql):
                    self.db.execute(statement)
                self.db.execute("INSERT INTO schema_migrations VALUES (?, ?)",
                                (name, self._clock().isoformat(timespec="seconds")))
                self.db.execute(f"PRAGMA user_version = {number}")

    def _check_lineage(self, version: int) -> None:
        """Refuse a newer reportgen's history, or another program's database, before
        changing anything in it (even its journal mode)."""
        known = [name for name, _ in MIGRATIONS]
        if version > len(known):
            raise OutputError(
                f"{self.path} was written by a newer reportgen (history version {version}; "
                f"this reportgen knows up to {len(known)}); upgrade reportgen, or move the "
                "file aside to start a new history")
        if version == 0:
            tables = [r[0] for r in self._rows(
                "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")]
            if tables:
                raise self._foreign(f"it holds {', '.join(sorted(tables)[:5])}")
        else:
            try:
                applied = [r[0] for r in self._rows(
                    "SELECT name FROM schema_migrations ORDER BY name")]
            except sqlite3.OperationalError:
                raise self._foreign("it has no schema_migrations table") from None
            if applied != known[:version]:
                raise self._foreign(f"its migrations {', '.join(applied) or 'none'} are not "
                                    f"this reportgen's {', '.join(known[:version])}")

    def migrations(self) -> list[str]:
        """The names of the migrations applied to this file, in order."""
        with self._snapshot():
            return [r[0] for r in self._rows(
                "SELECT name FROM schema_migrations ORDER BY name")]

    # ------------------------------------------------------------------ writing
    def save_period(self, run: RatedRun) -> None:
        """Store ``run``'s action ratings and KPI results as its period, in one
        transaction that replaces any earlier save of the same period (actions missing
        from ``run`` are gone from that period afterwards). Other periods are untouched."""
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
                a.source.file if a else None, a.source.sheet if a else None,
                a.source.cell("action_id") if a else None,
                a.budget if a else None, a.forecast if a else None,
                r.expected_percent, int(r.dates_only),
                action_to_json(a) if a else None, finance_to_json(r.finance),
                r.carried_from, r.not_updated))
        kpi_rows = [(label, kpi_id, k.latest_period, k.latest,
                     k.rag.value if k.rag else None,
                     k.direction.value if k.direction else None)
                    for kpi_id, k in run.kpi_results.items()]
        with self._write(f"save {label} to"):
            # Children first, so the replace does not depend on foreign_keys being on.
            for table in ("action_ratings", "kpi_results", "periods"):
                self.db.execute(f"DELETE FROM {table} WHERE period = ?", (label,))
            self.db.execute("INSERT INTO periods VALUES (?, ?, ?, ?, ?)",
                            (label, run.as_of.isoformat(),
                             self._clock().isoformat(timespec="seconds"),
                             len(action_rows), len(kpi_rows)))
            self.db.executemany(_insert("action_ratings", _ACTION_COLUMNS), action_rows)
            self.db.executemany(_insert("kpi_results", _KPI_COLUMNS), kpi_rows)

    def record_run(self, period: Period, *, started: datetime, finished: datetime, ok: bool,
                   errors: int = 0, warnings: int = 0, detail: str = "", kind: str = "live",
                   reason: str = "", inputs: list[dict] | None = None) -> None:
        """Add one run to the ledger. Runs are never replaced: the ledger is a log.
        ``kind`` says where its inputs came from ('live', 'kept', 'refresh', 'rebuild'),
        ``reason`` why it was run, ``inputs`` [{path, sha256}, …]. A period recorded as
        missed is no longer missed once it has a successful run."""
        with self._write("write to"):
            self.db.execute(
                "INSERT INTO runs (period, started, finished, ok, errors, warnings, detail, "
                "kind, reason, inputs) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (period.label, started.isoformat(timespec="seconds"),
                 finished.isoformat(timespec="seconds"), int(ok), errors, warnings, detail,
                 kind, reason, json.dumps(inputs or [], ensure_ascii=False)))
            if ok:
                self.db.execute("DELETE FROM missed_periods WHERE period = ?",
                                (period.label,))

    def record_missed(self, period: Period, reason: str = "") -> None:
        """Record that ``period`` was due but not produced (the schedule was down and no
        kept inputs exist for it). Idempotent."""
        with self._write("write to"):
            self.db.execute("INSERT OR REPLACE INTO missed_periods VALUES (?, ?, ?)",
                            (period.label, self._clock().isoformat(timespec="seconds"),
                             reason))

    def missed(self, before: Period | None = None, after: str | None = None) -> list[str]:
        """Periods recorded as missed (and not produced since), oldest first; only those
        before ``before`` and after the label ``after`` when given."""
        with self._snapshot():
            if self._user_version() < _RECORDS_VERSION:
                return []
            rows = [r[0] for r in self._rows(
                "SELECT period FROM missed_periods ORDER BY period")]
        return [p for p in rows if (before is None or p < before.label)
                and (after is None or p > after)]

    def runs(self) -> list[dict]:
        """The run ledger, oldest first: one dict per run."""
        with self._snapshot():
            new = self._user_version() >= _RECORDS_VERSION
            rows = self._rows(
                "SELECT id, period, started, finished, ok, errors, warnings, detail"
                + (", kind, reason, inputs" if new else "") + " FROM runs ORDER BY id")
        out = []
        for row in rows:
            item = dict(zip(("id", "period", "started", "finished", "ok", "errors",
                             "warnings", "detail", "kind", "reason", "inputs"), row))
            item["ok"] = bool(item["ok"])
            item.setdefault("kind", "live")
            item.setdefault("reason", "")
            try:
                item["inputs"] = json.loads(item.get("inputs") or "[]")
            except ValueError:
                item["inputs"] = []
            out.append(item)
        return out

    def backup(self, target: Path) -> None:
        """An online copy of the whole file at ``target`` (sqlite3's backup API), consistent
        even while another process reads it."""
        try:
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            dest = sqlite3.connect(target)
            try:
                self.db.backup(dest)
                dest.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            finally:
                dest.close()
        except (sqlite3.Error, OSError) as exc:
            raise OutputError(f"cannot back up the history to {target} ({exc})") from None

    # ------------------------------------------------------------------ reading
    def periods(self) -> list[Period]:
        """Every stored period, oldest first."""
        with self._snapshot():
            return [Period.parse(r[0]) for r in self._rows(
                "SELECT period FROM periods ORDER BY period")]

    def last_successful_period(self) -> Period | None:
        """The latest period with a successful run in the ledger; failed runs do not
        count, and neither does a period saved without a run being recorded."""
        with self._snapshot():
            label = self._rows("SELECT max(period) FROM runs WHERE ok = 1")[0][0]
        return Period.parse(label) if label else None

    def _previous_label(self, period: Period) -> str | None:
        return self._rows("SELECT max(period) FROM periods WHERE period < ?",
                          (period.label,))[0][0]

    def _reported(self, label: str, names: Mapping[str, str] | None = None) -> dict[str, Rag]:
        return {_named(a, names): Rag(r) for a, r in self._rows(
            "SELECT action_id, reported FROM action_ratings WHERE period = ?", (label,))}

    def plan(self, period: Period) -> tuple[str | None, list[Stored]]:
        """The latest stored period before ``period`` and each of its actions that can be
        carried forward (the plan register): its record and its rating, in the stored
        order. Rows stored without a record (by an older reportgen) cannot be rebuilt and
        are left out. (None, []) when there is no earlier period."""
        with self._snapshot():
            label = self._previous_label(period)
            if label is None:
                return None, []
            if self._user_version() < _REGISTER_VERSION:  # an older file opened read-only
                return label, []
            rows = self._rows(
                "SELECT record, action_id, computed, reported, officer, expected_percent, "
                "percent, slippage, dates_only, stale, challenge, reasons, finance, "
                "carried_from, not_updated FROM action_ratings WHERE period = ? "
                "ORDER BY rowid", (label,))
        out = []
        for (record, action_id, computed, reported, officer, expected, percent, slippage,
             dates_only, stale, challenge, reasons, finance, carried_from,
             not_updated) in rows:
            action = action_from_json(record)
            if action is None or action.action_id != action_id:
                continue
            try:
                rating = ActionRating(
                    action_id=action_id, computed=Rag(computed), reported=Rag(reported),
                    officer=Rag(officer) if officer else None, expected_percent=expected,
                    actual_percent=percent, slippage=slippage, dates_only=bool(dates_only),
                    stale=bool(stale), challenge=bool(challenge),
                    reasons=tuple(json.loads(reasons or "[]")),
                    finance=finance_from_json(finance), carried_from=carried_from,
                    not_updated=not_updated)
            except (ValueError, TypeError):
                continue
            out.append(Stored(action, rating))
        return label, out

    def stored_as_of(self, period: Period) -> str | None:
        """The as-of date (ISO) ``period`` was stored with; None when not stored."""
        with self._snapshot():
            rows = self._rows("SELECT as_of FROM periods WHERE period = ?", (period.label,))
        return rows[0][0] if rows else None

    def ratings_for(self, period: Period) -> dict[str, Rag]:
        """Reported RAG per action stored for ``period`` itself ({} when not stored)."""
        with self._snapshot():
            return self._reported(period.label)

    def previous_rags(self, period: Period,
                      names: Mapping[str, str] | None = None) -> dict[str, Rag]:
        """Reported RAG per action in the latest stored period before ``period`` (which
        need not be the month before: a missed month is skipped); {} when there is none.
        With ``names`` (:func:`reportgen.register.history_names`) each stored ID is
        given as the ID the run shows its action under."""
        with self._snapshot():
            label = self._previous_label(period)
            return self._reported(label, names) if label else {}

    def changes(self, period: Period, ratings: Mapping[str, ActionRating],
                names: Mapping[str, str] | None = None) -> Changes:
        """``ratings`` compared with the latest stored period before ``period``; every
        tuple of action IDs sorted.

        newly_red and newly_complete include actions new this period. improved/worsened
        compare Rag.severity and leave out Grey and Cancelled on either side. With no
        earlier period stored the result is empty with ``previous_period`` None: a first
        run does not call every action new.

        Stored IDs are matched to ``ratings`` by :func:`~reportgen.model.action_key`
        ('O2-3' is 'O2-03'), and through ``names`` (stored ID key → this run's ID:
        :func:`reportgen.register.history_names`) for an action renumbered since; a
        stored action matched so is neither new nor removed."""
        names = {**{action_key(k): k for k in ratings}, **(names or {})}
        with self._snapshot():
            label = self._previous_label(period)
            before = self._reported(label, names) if label else {}
        if label is None:
            return Changes()
        now = {action_id: r.reported for action_id, r in ratings.items()}

        def compared(better: bool) -> tuple[str, ...]:
            out = []
            for action_id, rag in now.items():
                old = before.get(action_id)
                if old is None or min(rag.severity, old.severity) < 0:
                    continue
                if (rag.severity < old.severity) if better else (rag.severity > old.severity):
                    out.append(action_id)
            return tuple(sorted(out))

        return Changes(
            previous_period=label,
            newly_red=tuple(sorted(k for k, rag in now.items()
                                   if rag is Rag.RED and before.get(k) is not Rag.RED)),
            improved=compared(better=True),
            worsened=compared(better=False),
            newly_complete=tuple(sorted(k for k, rag in now.items()
                                        if rag is Rag.BLUE and before.get(k) is not Rag.BLUE)),
            new=tuple(sorted(set(now) - set(before))),
            removed=tuple(sorted(set(before) - set(now))))

    def trend(self, period: Period, n: int = 6, names: Mapping[str, str] | None = None
              ) -> dict[str, tuple[tuple[str, Rag], ...]]:
        """Each action's reported RAG over the last ``n`` stored periods up to and
        including ``period``, oldest first: {action_id: (("2018-08", Rag.RED), …)}.
        Periods in which an action was not stored are left out of its tuple, not filled.
        With ``names`` (stored ID key → this run's ID) the months an action was stored
        under another spelling or an earlier ID are its own."""
        if n < 1:
            return {}
        with self._snapshot():
            labels = [r[0] for r in self._rows(
                "SELECT period FROM periods WHERE period <= ? ORDER BY period DESC LIMIT ?",
                (period.label, n))]
            if not labels:
                return {}
            rows = self._rows(
                "SELECT action_id, period, reported FROM action_ratings WHERE period BETWEEN "
                "? AND ? ORDER BY action_id, period", (labels[-1], labels[0]))
        out: dict[str, dict[str, Rag]] = {}
        for action_id, label, rag in rows:
            out.setdefault(_named(action_id, names), {}).setdefault(label, Rag(rag))
        return {k: tuple(sorted(v.items())) for k, v in out.items()}


def _named(action_id: str, names: Mapping[str, str] | None) -> str:
    """A stored action ID as the current run names its action (itself when unknown)."""
    if not names:
        return action_id
    return names.get(action_key(action_id), action_id)


def check_file(path: Path) -> str | None:
    """Why the history file at ``path`` is damaged (it is not an SQLite database, or
    ``PRAGMA integrity_check`` finds damage), in a few words; None when it is sound, or
    when it cannot be judged now (busy, or another program's or a newer reportgen's
    file: opening it says so). Opens the file read-only and changes nothing."""
    try:
        db = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error:
        return None  # cannot be opened at all: the run's own open names the fault
    try:
        result = [r[0] for r in db.execute("PRAGMA integrity_check").fetchall()]
        if result != ["ok"]:  # often one row of many lines: name the first three
            lines = [line for r in result for line in str(r).splitlines() if line.strip()]
            return "the integrity check failed: " + "; ".join(lines[:3])
    except sqlite3.Error as exc:
        code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
        if code in _DAMAGED or type(exc) is sqlite3.DatabaseError:
            return f"it is not an SQLite database or is damaged: {exc}"
        return None
    finally:
        db.close()
    return None
