"""One reportgen run at a time: an exclusive lock file in the output folder.

The lock file (e.g. ``output/.reportgen.lock``) is created atomically with
``O_CREAT | O_EXCL`` and holds the holder's pid, host and start time as JSON. Where
``fcntl`` exists (POSIX) the holder also keeps an ``flock`` on it, so the operating system
releases the lock the moment the holder dies, however it dies; the file left behind is
then recognised as stale and taken over. Without ``flock`` (Windows) a left-behind file
is stale when its pid is no longer alive on this host.

A lock held by another host cannot be checked from here, so it is never taken over: the
message says which file to delete if that run is known to be gone.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import time
from datetime import datetime
from pathlib import Path

from reportgen.errors import LockedError

try:  # POSIX only
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

LOCK_NAME = ".reportgen.lock"
_YOUNG_SECONDS = 10.0  # an empty lock file this new is still being written by its creator


def pid_alive(pid: int) -> bool:
    """True if a process with this pid exists on this host (or we cannot tell)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover - Windows
        # os.kill(pid, 0) would TERMINATE the process on Windows: ask the kernel instead
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return ctypes.GetLastError() == 5  # access denied: it exists
        try:
            code = ctypes.c_ulong()
            kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists but belongs to someone else
        return True
    return True


class RunLock:
    """Context manager holding the exclusive run lock at ``path``.

    ``with RunLock(output / ".reportgen.lock"):`` raises
    :class:`~reportgen.errors.LockedError` when another live run holds it, naming its
    pid, host, start time and the lock file. It does not wait for the holder."""

    def __init__(self, path: str | os.PathLike[str], clock=datetime.now):
        self.path = Path(path)
        self._clock = clock
        self._fd: int | None = None

    # ----------------------------------------------------------------- public

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> "RunLock":
        if self._fd is not None:
            raise LockedError(f"this process already holds the lock {self.path}")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(20):  # each pass either succeeds, raises, or saw the file vanish
            fd = self._create()
            if fd is None:
                fd = self._take_over()
            if fd is not None:
                self._fd = fd
                return self
        raise LockedError(f"could not take the lock {self.path}: it keeps changing hands; "
                          "try again")

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            # unlink while still holding flock, so nobody can take over the dying file
            if _same_file(fd, self.path):
                self.path.unlink()
        except OSError as exc:
            log.warning("could not remove the lock file %s: %s", self.path, exc)
        finally:
            os.close(fd)

    def __enter__(self) -> "RunLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()

    # ----------------------------------------------------------------- steps

    def _create(self) -> int | None:
        """A new lock file, locked and stamped; None if one already exists."""
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o644)
        except FileExistsError:
            return None
        except OSError as exc:
            raise LockedError(f"cannot create the lock file {self.path}: "
                              f"{exc.strerror or exc}") from exc
        if _flock(fd) == "busy":
            # someone who found our empty file flocked it first and will take it over
            os.close(fd)
            raise self._locked(_read_info(self.path))
        self._stamp(fd)
        return fd

    def _take_over(self) -> int | None:
        """The existing lock file if its holder is gone; raises LockedError if it is
        alive; None if the file vanished meanwhile (try again)."""
        try:
            fd = os.open(self.path, os.O_RDWR)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise LockedError(f"cannot open the lock file {self.path}: "
                              f"{exc.strerror or exc}") from exc
        keep = False
        try:
            state = _flock(fd)
            if state == "busy":
                raise self._locked(_read_info(self.path))
            if not _same_file(fd, self.path):
                return None  # released (unlinked) between our open and our flock
            info = _read_fd(fd)
            if not self._is_stale(info, fd, flocked=state == "acquired"):
                raise self._locked(info)
            log.warning("taking over the stale lock %s left by %s", self.path,
                        _describe(info))
            self._stamp(fd)
            keep = True
            return fd
        finally:
            if not keep:
                os.close(fd)

    def _is_stale(self, info: dict, fd: int, flocked: bool) -> bool:
        """Whether the holder named in ``info`` is gone. ``flocked``: we hold a real flock
        on the file, which proves no live process on this host holds it."""
        if info.get("host") not in (None, socket.gethostname()):
            return False  # another machine's process: we cannot see whether it lives
        pid = info.get("pid")
        if not isinstance(pid, int):
            # nothing written yet: its creator may be between O_EXCL and the write
            return flocked or time.time() - os.fstat(fd).st_mtime > _YOUNG_SECONDS
        return flocked or not pid_alive(pid)

    def _stamp(self, fd: int) -> None:
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "started": self._clock().isoformat(timespec="seconds")}
        data = (json.dumps(info) + "\n").encode()
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, data)
        try:
            os.fsync(fd)
        except OSError:
            pass

    def _locked(self, info: dict) -> LockedError:
        return LockedError(f"another reportgen run ({_describe(info)}) holds the lock "
                           f"{self.path}; wait for it to finish, or delete that file if "
                           "the run is known to have stopped")


# --------------------------------------------------------------------------- helpers


def _flock(fd: int) -> str:
    """Try for an exclusive flock without waiting: "acquired", "busy", or "unsupported"
    (no fcntl, as on Windows, or a file system without flock)."""
    if fcntl is None:  # pragma: no cover - Windows
        return "unsupported"
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return "busy"
    except OSError as exc:
        log.debug("flock unavailable on the lock file: %s", exc)
        return "unsupported"
    return "acquired"


def _same_file(fd: int, path: Path) -> bool:
    try:
        a, b = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _read_fd(fd: int) -> dict:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 4096):
        chunks.append(chunk)
        if sum(map(len, chunks)) > 65536:
            break
    return _parse(b"".join(chunks))


def _read_info(path: Path) -> dict:
    try:
        return _parse(path.read_bytes()[:65536])
    except OSError:
        return {}


def _parse(data: bytes) -> dict:
    try:
        info = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def _describe(info: dict) -> str:
    pid = info.get("pid", "unknown")
    host = info.get("host", "unknown host")
    started = info.get("started")
    try:
        shown = datetime.fromisoformat(started).strftime("%d/%m/%Y %H:%M:%S")
    except (TypeError, ValueError):
        shown = "an unknown time"
    return f"pid {pid} on {host}, started {shown}"
