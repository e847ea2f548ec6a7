"""Where outputs go, and how they get there whole.

Layout::

    output/
      reportgen.log
      history.sqlite
      2018-09/
        board-report-2018-09.docx
        consolidated-2018-09.xlsx
        feedback/<tracker>.xlsx, feedback/chase-list.xlsx
        manifest.json
        previous/            the set this one replaced (one generation)

A run writes every artefact into a staging folder beside the final one
(``output/2018-09/.staging-<pid>``). Only when all of them exist does :meth:`Staging.commit`
move the current set into ``previous/`` and the new files into place, each with
``os.replace``: a run killed at any moment leaves every final name holding a whole file
(the old one or the new one), never a half-written one. Leftover staging folders of dead
runs are removed by the next run (runs stage only under the run lock, so another
process's staging folder is always a dead run's).
"""

from __future__ import annotations

import errno
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
class Staging:
    """A folder to write one period's artefacts into before they go live."""

    def __init__(self, final: Path):
        self.final = final
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

        ``whole_set`` (a full cycle): every current output moves to a fresh previous/.
        Otherwise (one artefact, e.g. ``reportgen report``): only the outputs being
        replaced move, into previous/ beside what is already kept there."""
        staged = sorted(p for p in self.path.rglob("*") if p.is_file())
        for p in staged:
            fsync_file(p)
        top = {p.relative_to(self.path).parts[0] for p in staged}
        current = [p for p in self.final.iterdir()
                   if p.name != "previous" and not p.name.startswith(".")
                   and (whole_set or p.name in top)]
        previous = self.final / "previous"
        if current:
            if whole_set and previous.exists():
                shutil.rmtree(previous, ignore_errors=True)
            previous.mkdir(exist_ok=True)
            for p in current:
                kept = previous / p.name
                if kept.is_dir():
                    shutil.rmtree(kept, ignore_errors=True)
                replace_with_retry(p, kept)
        placed = []
        for p in staged:
            dest = self.final / p.relative_to(self.path)
            dest.parent.mkdir(parents=True, exist_ok=True)
            replace_with_retry(p, dest)
            placed.append(dest)
        return placed


def clean_stale_staging(folder: Path) -> None:
    """Remove staging folders left by runs that died. Every run stages under the run lock
    (:mod:`reportgen.lock`), so any staging folder but this process's is a dead run's."""
    ours = f"{STAGING_PREFIX}{os.getpid()}"
    for p in folder.glob(f"{STAGING_PREFIX}*"):
        if p.name != ours:
            shutil.rmtree(p, ignore_errors=True)
