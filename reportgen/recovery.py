"""A history that survives: backups after each run, and a missing or damaged history
restored from the newest sound backup and rebuilt from the kept inputs and manifests.

* :func:`backup_history` — an online copy (sqlite3's backup API) in
  ``output/history-backups/history-YYYYMMDD-HHMMSS.sqlite``, keeping ``[history] backups``.
* :func:`ensure_history` — before a run: a damaged file (it cannot be opened, or
  ``PRAGMA integrity_check`` fails) is moved aside and named; a missing or damaged one is
  restored from the newest sound backup, then every period with kept inputs that the
  file lacks is rebuilt (rated as it was, from its kept inputs and its manifest's as-of
  date). Unattended: the run goes on, and says what happened as a warning in the console
  and the paper's data-quality section.
* :func:`rebuild_history` — ``reportgen history rebuild``: a new file from every
  period's kept inputs (the old one, if any, kept aside).

Nothing here prints or reads the clock.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date, datetime
from pathlib import Path

from reportgen.config import Config
from reportgen.errors import OutputError
from reportgen.history import History, check_file
from reportgen.issues import Issue, make_issue
from reportgen.model import Period
from reportgen.store import kept_inputs, materialise, period_manifests, reading_date

BACKUPS = "history-backups"


def backup_dir(output: Path) -> Path:
    return Path(output) / BACKUPS


def backups(output: Path) -> list[Path]:
    """The history backups, newest first."""
    folder = backup_dir(output)
    if not folder.is_dir():
        return []
    return sorted(folder.glob("history-*.sqlite"), key=lambda p: p.name, reverse=True)


def backup_history(history_path: Path, output: Path, now: datetime, keep: int) -> Path:
    """Back the history up (online, consistent) and keep the newest ``keep`` backups."""
    folder = backup_dir(output)
    stem = f"history-{now:%Y%m%d-%H%M%S}"
    target, n = folder / f"{stem}.sqlite", 1
    while target.exists():
        n += 1
        target = folder / f"{stem}-{n}.sqlite"
    with History(history_path, clock=lambda: now) as history:
        history.backup(target)
    for old in backups(output)[max(1, keep):]:  # one file each (journal_mode DELETE)
        try:
            old.unlink()
        except OSError:
            pass
    return target


def _move_aside(path: Path, suffix: str) -> Path:
    """Move the history file (and its -wal/-shm companions) aside; return the new name."""
    aside = path.with_name(f"{path.name}.{suffix}")
    try:
        for extra in ("-wal", "-shm"):
            companion = path.with_name(path.name + extra)
            if companion.exists():
                os.replace(companion, aside.with_name(aside.name + extra))
        os.replace(path, aside)
    except OSError as exc:
        raise OutputError(f"cannot move the history file {path} aside to {aside.name} "
                          f"({exc.strerror or exc}); move it yourself and run again") from None
    return aside


def _note(history_path: Path, text: str) -> Issue:
    return make_issue("history-recovered", file=history_path.name, value=str(history_path),
                      detail=text)


def ensure_history(config: Config, output: Path, history_path: Path, *, today: date,
                   now: datetime) -> list[Issue]:
    """Make sure the history is sound before a run saves to it; returns warnings saying
    what was done ([] when nothing was needed, or on a first run)."""
    problem = None
    aside = None
    if history_path.exists():
        empty = history_path.stat().st_size == 0
        problem = "it is empty (0 bytes)" if empty else check_file(history_path)
        if problem is None:
            return []
        aside = _move_aside(history_path, f"damaged-{now:%Y%m%d-%H%M%S}")
    manifests = period_manifests(output)
    found = next((b for b in backups(output) if b.stat().st_size and check_file(b) is None),
                 None)  # the newest sound one: older ones are not checked
    if problem is None and found is None and not manifests:
        return []  # a first run
    what = (f"was damaged ({problem}); it was moved aside to {aside.name}" if problem
            else "was missing")
    restored = None
    if found is not None:
        shutil.copyfile(found, history_path)
        restored = found
    rebuilt, skipped = _rebuild(config, output, history_path, manifests, today=today,
                                now=now)
    done = []
    if restored is not None:
        done.append(f"restored from the backup {restored.name}")
    if rebuilt:
        done.append(f"{'then ' if restored else ''}rebuilt from the kept inputs of "
                    f"{', '.join(rebuilt)}")
    if not done:
        done.append("started afresh: there was no backup and no kept inputs to rebuild "
                    "it from, so earlier periods are not compared")
    text = f"{what}, and was {' and '.join(done)}"
    if skipped:
        text += f"; {', '.join(skipped)} had no kept inputs and could not be rebuilt"
    return [_note(history_path, text)]


def rebuild_history(config: Config, output: Path, history_path: Path, *, today: date,
                    now: datetime) -> tuple[list[str], list[str], Path | None]:
    """``reportgen history rebuild``: a new history from every period's kept inputs,
    oldest first. The existing file, if any, is moved aside first. Returns (periods
    rebuilt, periods without kept inputs, where the old file went)."""
    aside = None
    if history_path.exists():
        aside = _move_aside(history_path, f"before-rebuild-{now:%Y%m%d-%H%M%S}")
    rebuilt, skipped = _rebuild(config, output, history_path, period_manifests(output),
                                today=today, now=now)
    return rebuilt, skipped, aside


def _rebuild(config: Config, output: Path, history_path: Path, manifests: dict[str, dict],
             *, today: date, now: datetime) -> tuple[list[str], list[str]]:
    """Rate each period with a manifest that ``history_path`` does not hold, from its
    kept inputs, oldest first, read on the date they were first read, and store it (with
    a 'rebuild' run in the ledger)."""
    from reportgen.stages import HistoryUse, rate, read, with_history

    with History(history_path, clock=lambda: now) as history:
        stored = {p.label for p in history.periods()}
    rebuilt, skipped = [], []
    for label, manifest in sorted(manifests.items()):
        if label in stored:
            continue
        kept = kept_inputs(output, manifest)
        if kept is None:
            skipped.append(label)
            continue
        period = Period.parse(label)
        try:
            as_of = date.fromisoformat(manifest.get("as_of") or "")
        except ValueError:
            as_of = period.as_of
        with tempfile.TemporaryDirectory(prefix="reportgen-kept-") as scratch:
            ingest = read(config, materialise(kept, Path(scratch)),
                          today=reading_date(manifest, today), as_of=as_of)
        run = with_history(rate(ingest, config, period, as_of), history_path,
                           HistoryUse.SAVE, now, ingest=ingest, config=config)
        errors = sum(1 for i in run.issues if i.is_error)
        with History(history_path, clock=lambda: now) as history:
            history.record_run(period, started=now, finished=now, ok=True, errors=errors,
                               warnings=len(run.issues) - errors, kind="rebuild",
                               reason="rebuilt from kept inputs",
                               inputs=[{"path": k.path, "sha256": k.sha256} for k in kept])
        rebuilt.append(label)
    return rebuilt, skipped
