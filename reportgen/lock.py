"""One reportgen run at a time: an operating-system lock on a file in the output folder.

The lock itself is ``filelock.FileLock`` on ``output/.reportgen.lock``: the operating
system releases it the moment its holder dies, however it dies, so there is nothing stale
to recover. Beside it, the holder writes who it is (pid, host, start time, command) to
``.reportgen.lock.holder`` (JSON), so that a second run can say who holds the lock and
since when; the holder removes that file before it lets go of the lock.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout

from reportgen.errors import LockedError

log = logging.getLogger(__name__)


def holder_path(path: Path) -> Path:
    """The side file naming the holder of the lock at ``path``."""
    return path.with_name(path.name + ".holder")


class RunLock:
    """Context manager holding the exclusive run lock at ``path``.

    ``with RunLock(output / ".reportgen.lock", now=now, command="reportgen run"):``
    raises :class:`~reportgen.errors.LockedError` when another run holds it, naming its
    pid, host, start time and command and the lock file. It does not wait for the
    holder. ``now`` is when this run started (the holder file says so)."""

    def __init__(self, path: str | os.PathLike[str], *, now: datetime,
                 command: str = "reportgen"):
        self.path = Path(path)
        self.holder = holder_path(self.path)
        self._now = now
        self._command = command
        self._lock: FileLock | None = None

    @property
    def held(self) -> bool:
        return self._lock is not None

    def acquire(self) -> "RunLock":
        if self._lock is not None:
            raise LockedError(f"this process already holds the lock {self.path}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LockedError(f"cannot create the folder of the lock file {self.path}: "
                              f"{exc.strerror or exc}") from exc
        lock = FileLock(self.path, timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise LockedError(
                f"another reportgen run ({_describe(_read(self.holder))}) holds the lock "
                f"{self.path}; wait for it to finish") from None
        except OSError as exc:
            raise LockedError(f"cannot take the lock {self.path}: "
                              f"{exc.strerror or exc}") from exc
        self._lock = lock
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "started": self._now.isoformat(timespec="seconds"),
                "command": self._command}
        try:
            self.holder.write_text(json.dumps(info) + "\n", encoding="utf-8")
        except OSError as exc:  # the lock holds all the same; only the message suffers
            log.warning("could not write %s: %s", self.holder, exc)
        return self

    def release(self) -> None:
        lock, self._lock = self._lock, None
        if lock is None:
            return
        try:
            self.holder.unlink(missing_ok=True)  # before the lock: it may be the next's
        except OSError as exc:
            log.warning("could not remove %s: %s", self.holder, exc)
        finally:
            lock.release()

    def __enter__(self) -> "RunLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _read(path: Path) -> dict:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def _describe(info: dict) -> str:
    """'reportgen run, pid 123 on host, started 05/10/2018 09:00:00', as far as known."""
    if not info:
        return "details unknown"
    try:
        shown = datetime.fromisoformat(info["started"]).strftime("%d/%m/%Y %H:%M:%S")
    except (KeyError, TypeError, ValueError):
        shown = "an unknown time"
    command = info.get("command")
    return (f"{command + ', ' if isinstance(command, str) else ''}"
            f"pid {info.get('pid', 'unknown')} on {info.get('host', 'an unknown host')}, "
            f"started {shown}")
