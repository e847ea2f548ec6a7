"""Where outputs go, and how they get there whole.

Layout::

    output/
      reportgen.log
      history.sqlite
      2018-09/
        board-report-2018-09.docx
        consolidated-2018-09.xlsx
        feedback/<tracker>.xlsx, feedback/chase-list.xlsx
        manifest.json        lists the files this set is made of ("outputs")
        previous/            the set this one replaced, with its manifest
        previous-2/ …        older sets, up to ``[output] keep_generations`` (default 3)
      inputs/ab/abcd….xlsx   kept inputs (:mod:`reportgen.store`)

A run writes every artefact into a staging folder beside the final one
(``output/2018-09/.staging-<pid>``). Only when all of them exist does :meth:`Staging.commit`
move the current set into ``previous/`` and the new files into place, each with
``os.replace``: a run killed at any moment leaves every final name holding a whole file
(the old one or the new one), never a half-written one. Leftover staging folders of dead
runs are removed by the next run (runs stage only under the run lock, so another
process's staging folder is always a dead run's).

reportgen moves or deletes only the files a set's manifest lists as its ``outputs`` (or,
for a set staged without a manifest, its ``.reportgen-outputs.json``; for a set written
by an older reportgen, the artefact names it used). Anything else a person saves in a
period folder, or in a ``previous`` folder, stays where it is.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import time
from pathlib import Path

from reportgen.errors import OutputError
from reportgen.model import Period



def inside(root: Path, *parts: str) -> Path:
    """``root/parts…``, refusing any result outside ``root``."""
    root_r = root.resolve()
    path = root_r.joinpath(*parts).resolve()
    if path != root_r and root_r not in path.parents:
        raise OutputError(f"refusing to write outside the output folder: {path}")
    return path


def period_dir(output: Path, period: Period) -> Path:
    return inside(output, period.label)


def replace_with_retry(src: Path, dest: Path, attempts: int = 5, delay: float = 0.4) -> None:
    """os.replace, retried while the target is locked (Windows: open in Excel or Word).
    Raises OutputError naming the file when it stays locked."""
    for attempt in range(attempts):
        try:
            os.replace(src, dest)
            return
        except PermissionError as exc:
            if attempt == attempts - 1:
                raise OutputError(
                    f"cannot replace {dest}: it is open in another program (Excel or Word?). "
                    "Close it and run again; the new version is kept at "
                    f"{src}") from exc
            time.sleep(delay)
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise OutputError(f"the disk is full while writing {dest}") from exc
            raise OutputError(f"cannot write {dest}: {exc.strerror or exc}") from exc


def fsync_file(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


STAGING_PREFIX = ".staging-"
OWNED = ".reportgen-outputs.json"  # the set's names when it has no manifest
PREVIOUS = "previous"
_LEGACY = ("board-report-", "consolidated-")


def generation_dir(final: Path, n: int) -> Path:
    """The folder of the ``n``-th previous generation: previous/, previous-2/, …"""
    return final / (PREVIOUS if n == 1 else f"{PREVIOUS}-{n}")


def owned(folder: Path) -> list[str]:
    """The top-level names in ``folder`` that reportgen wrote as one set: those its
    manifest lists as ``outputs``, else those in .reportgen-outputs.json, else (a set
    written by an older reportgen) its artefacts and manifest. Only names that exist."""
    names: set[str] = set()
    listed = False
    for record in ("manifest.json", OWNED):
        try:
            data = json.loads((folder / record).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        outputs = data.get("outputs") if isinstance(data, dict) else None
        if isinstance(outputs, list):
            listed = True
            names.update(str(n).split("/")[0] for n in outputs if isinstance(n, str))
            names.add(record)
    if not listed and folder.is_dir():
        names.update(p.name for p in folder.iterdir()
                     if p.name.startswith(_LEGACY) or p.name in ("feedback", "manifest.json"))
    return sorted(n for n in names if n and not n.startswith(STAGING_PREFIX)
                  and not n.startswith(PREVIOUS) and (folder / n).exists()
                  and n not in (".", ".."))


def _move(src: Path, dest: Path, names: list[str]) -> None:
    """Move ``names`` from ``src`` into ``dest`` (replacing what is there by that name)."""
    if not names:
        return
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        kept = dest / name
        if kept.is_dir():
            shutil.rmtree(kept, ignore_errors=True)
        replace_with_retry(src / name, kept)


def _delete(folder: Path, names: list[str]) -> None:
    """Delete ``names`` from ``folder``, and the folder when nothing else is left."""
    for name in names:
        p = folder / name
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            try:
                p.unlink()
            except OSError:
                pass
    try:
        folder.rmdir()  # only when empty: a person's file keeps it
    except OSError:
        pass


def _record(folder: Path, names: list[str], scratch: Path) -> None:
    """Note ``names`` as reportgen's in ``folder`` when its manifest does not list them."""
    names = [n for n in names if n not in ("manifest.json", OWNED)]
    listed: set[str] = set()
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("outputs"), list):
            listed = {str(n).split("/")[0] for n in data["outputs"]}
    except (OSError, ValueError):
        pass
    extra = sorted(set(names) - listed)
    if not extra and not (folder / OWNED).exists():
        return
    tmp = scratch / f"{OWNED}.tmp"
    tmp.write_text(json.dumps({"outputs": extra}) + "\n", encoding="utf-8")
    replace_with_retry(tmp, folder / OWNED)


class Staging:
    """A folder to write one period's artefacts into before they go live. ``keep`` is
    how many previous generations to keep (at least 1)."""

    def __init__(self, final: Path, keep: int = 3):
        self.final = final
        self.keep = max(1, keep)
        self.path = final / f"{STAGING_PREFIX}{os.getpid()}"

    def __enter__(self) -> "Staging":
        try:
            self.final.mkdir(parents=True, exist_ok=True)
            clean_stale_staging(self.final)
            if self.path.exists():
                shutil.rmtree(self.path)
            self.path.mkdir()
        except OSError as exc:
            raise OutputError(f"cannot create {self.path}: {exc.strerror or exc}") from exc
        return self

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def file(self, *parts: str) -> Path:
        path = inside(self.path, *parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def folder(self, *parts: str) -> Path:
        """A sub-folder of the staging folder (created), e.g. ``feedback``."""
        path = inside(self.path, *parts)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def commit(self, whole_set: bool = True) -> list[Path]:
        """Move the current outputs into previous/ and the staged ones into place.
        Returns the final paths.

        ``whole_set`` (a full cycle): the current set (the files its manifest lists)
        moves to a fresh previous/, the older generations move down one (previous/ to
        previous-2/ …) and the oldest beyond ``keep`` is deleted. Otherwise (one
        artefact, e.g. ``reportgen report``): only the outputs being replaced move, into
        previous/ beside what is already kept there. Files not in a set stay put."""
        staged = sorted(p for p in self.path.rglob("*") if p.is_file())
        for p in staged:
            fsync_file(p)
        top = sorted({p.relative_to(self.path).parts[0] for p in staged})
        mine = owned(self.final)
        if whole_set:
            self._rotate()
            _move(self.final, generation_dir(self.final, 1), mine)
        else:
            moving = [n for n in mine if n in top]
            previous = generation_dir(self.final, 1)
            if moving:
                kept = owned(previous) if previous.is_dir() else []
                _move(self.final, previous, moving)
                _record(previous, sorted(set(kept) | set(moving)), self.path)
        placed = []
        for p in staged:
            dest = self.final / p.relative_to(self.path)
            dest.parent.mkdir(parents=True, exist_ok=True)
            replace_with_retry(p, dest)
            placed.append(dest)
        if "manifest.json" not in top:  # no new manifest names this set: record it
            _record(self.final, sorted(set(top) | (set() if whole_set else set(mine))),
                    self.path)
        elif whole_set:
            try:
                (self.final / OWNED).unlink()
            except OSError:
                pass
        return placed

    def _rotate(self) -> None:
        """Make room for a new previous/: each kept generation moves down one, and the
        one beyond ``keep`` is deleted (only the files of its set)."""
        last = generation_dir(self.final, self.keep)
        if last.is_dir():
            _delete(last, owned(last))
        for n in range(self.keep - 1, 0, -1):
            src = generation_dir(self.final, n)
            if src.is_dir():
                _move(src, generation_dir(self.final, n + 1), owned(src))
                try:
                    src.rmdir()
                except OSError:
                    pass


def clean_stale_staging(folder: Path) -> None:
    """Remove staging folders left by runs that died. Every run stages under the run lock
    (:mod:`reportgen.lock`), so any staging folder but this process's is a dead run's."""
    ours = f"{STAGING_PREFIX}{os.getpid()}"
    for p in folder.glob(f"{STAGING_PREFIX}*"):
        if p.name != ours:
            shutil.rmtree(p, ignore_errors=True)
