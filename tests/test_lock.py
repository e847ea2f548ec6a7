"""The run lock: exclusive, names its holder, released when its holder dies, one winner."""

import json
import multiprocessing
import os
import socket
from datetime import datetime

import pytest

from reportgen.errors import LockedError
from reportgen.lock import RunLock, holder_path

NINE = datetime(2018, 10, 5, 9, 0, 0)


def test_holder_file_names_the_holder_and_goes_on_release(tmp_path):
    path = tmp_path / "output" / ".reportgen.lock"
    with RunLock(path, now=NINE, command="reportgen run") as lock:
        assert lock.held
        info = json.loads(holder_path(path).read_text(encoding="utf-8"))
        assert info == {"pid": os.getpid(), "host": socket.gethostname(),
                        "started": "2018-10-05T09:00:00", "command": "reportgen run"}
    assert not lock.held
    assert not holder_path(path).exists()


def test_second_acquire_while_held_raises_naming_holder_time_and_path(tmp_path):
    path = tmp_path / ".reportgen.lock"
    with RunLock(path, now=NINE, command="reportgen run"):
        with pytest.raises(LockedError) as caught:
            RunLock(path, now=datetime(2018, 10, 5, 9, 5)).acquire()
        message = str(caught.value)
        assert f"pid {os.getpid()}" in message and "reportgen run" in message
        assert "05/10/2018 09:00:00" in message
        assert str(path) in message
    with RunLock(path, now=NINE):  # free again afterwards
        pass


def test_same_object_cannot_acquire_twice(tmp_path):
    lock = RunLock(tmp_path / "lock", now=NINE)
    with lock:
        with pytest.raises(LockedError):
            lock.acquire()


def test_a_holder_file_without_a_holder_does_not_lock(tmp_path):
    """What a killed holder leaves behind is only its side file; the lock is free."""
    path = tmp_path / ".reportgen.lock"
    holder_path(path).write_text("\x00not json")
    with RunLock(path, now=NINE):
        assert json.loads(holder_path(path).read_text())["pid"] == os.getpid()


def _hold(path, started, release):
    with RunLock(path, now=NINE, command="reportgen run"):
        started.set()
        release.wait(30)


def test_a_killed_holder_releases_the_lock(tmp_path):
    """The operating system releases the lock of a holder that is killed outright."""
    path = tmp_path / ".reportgen.lock"
    ctx = multiprocessing.get_context("spawn")
    started, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold, args=(path, started, release))
    holder.start()
    try:
        assert started.wait(30)
        with pytest.raises(LockedError, match=f"pid {holder.pid}"):
            RunLock(path, now=NINE).acquire()
    finally:
        holder.kill()
        holder.join(30)
    assert holder_path(path).exists()  # it had no chance to tidy up
    with RunLock(path, now=NINE):
        assert json.loads(holder_path(path).read_text())["pid"] == os.getpid()


def _race(path, barrier, results):
    barrier.wait(30)
    try:
        lock = RunLock(path, now=NINE).acquire()
    except LockedError:
        results.put("locked")
        barrier.wait(30)  # everyone has tried before the winner lets go
        return
    results.put("won")
    barrier.wait(30)
    lock.release()


def test_racing_processes_exactly_one_wins(tmp_path):
    path = tmp_path / ".reportgen.lock"
    ctx = multiprocessing.get_context("spawn")
    n = 6
    barrier, results = ctx.Barrier(n), ctx.Queue()
    procs = [ctx.Process(target=_race, args=(path, barrier, results)) for _ in range(n)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    outcomes = sorted(results.get(timeout=10) for _ in range(n))
    assert outcomes == ["locked"] * (n - 1) + ["won"]
    assert all(p.exitcode == 0 for p in procs)
    assert not holder_path(path).exists()
