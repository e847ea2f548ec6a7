"""The run lock: exclusive, names its holder, recovers from dead holders, one race winner."""

import json
import logging
import multiprocessing
import os
import socket
import subprocess
import sys
from datetime import datetime

import pytest

from reportgen.errors import LockedError
from reportgen.lock import RunLock, pid_alive


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_lock_file_names_holder_and_is_removed_on_release(tmp_path):
    path = tmp_path / "output" / ".reportgen.lock"
    with RunLock(path, clock=lambda: datetime(2018, 10, 5, 9, 0, 0)) as lock:
        assert lock.held
        info = json.loads(path.read_text())
        assert info == {"pid": os.getpid(), "host": socket.gethostname(),
                        "started": "2018-10-05T09:00:00"}
    assert not path.exists()


def test_second_acquire_while_held_raises_naming_pid_time_and_path(tmp_path):
    path = tmp_path / ".reportgen.lock"
    with RunLock(path, clock=lambda: datetime(2018, 10, 5, 9, 0, 0)):
        with pytest.raises(LockedError) as caught:
            RunLock(path).acquire()
        message = str(caught.value)
        assert f"pid {os.getpid()}" in message
        assert "05/10/2018 09:00:00" in message
        assert str(path) in message
    with RunLock(path):  # free again afterwards
        pass


def test_same_object_cannot_acquire_twice(tmp_path):
    lock = RunLock(tmp_path / "lock")
    with lock:
        with pytest.raises(LockedError):
            lock.acquire()


def test_stale_lock_with_dead_pid_is_recovered_with_a_warning(tmp_path, caplog):
    path = tmp_path / ".reportgen.lock"
    dead = _dead_pid()
    assert not pid_alive(dead)
    path.write_text(json.dumps({"pid": dead, "host": socket.gethostname(),
                                "started": "2018-10-05T09:00:00"}))
    with caplog.at_level(logging.WARNING, logger="reportgen.lock"):
        with RunLock(path):
            assert json.loads(path.read_text())["pid"] == os.getpid()
    assert any("stale" in r.getMessage() and str(dead) in r.getMessage()
               for r in caplog.records)
    assert not path.exists()


def test_garbage_lock_file_is_recovered(tmp_path):
    path = tmp_path / ".reportgen.lock"
    path.write_bytes(b"\x00not json")
    with RunLock(path):
        assert json.loads(path.read_text())["pid"] == os.getpid()


def test_lock_from_another_host_is_never_taken_over(tmp_path):
    path = tmp_path / ".reportgen.lock"
    path.write_text(json.dumps({"pid": 1234, "host": "some-other-host",
                                "started": "2018-10-05T09:00:00"}))
    with pytest.raises(LockedError, match="some-other-host"):
        RunLock(path).acquire()
    assert path.exists()


def _hold(path, started, release):
    with RunLock(path):
        started.set()
        release.wait(30)


def test_crashed_holder_lock_is_released(tmp_path):
    """A holder killed with SIGKILL leaves its file behind; the next run takes it over."""
    path = tmp_path / ".reportgen.lock"
    ctx = multiprocessing.get_context("spawn")
    started, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold, args=(path, started, release))
    holder.start()
    try:
        assert started.wait(30)
        with pytest.raises(LockedError, match=f"pid {holder.pid}"):
            RunLock(path).acquire()
    finally:
        holder.kill()
        holder.join(30)
    assert path.exists()
    with RunLock(path):
        assert json.loads(path.read_text())["pid"] == os.getpid()


def _race(path, barrier, results):
    barrier.wait(30)
    try:
        lock = RunLock(path).acquire()
    except LockedError:
        results.put("locked")
        barrier.wait(30)  # everyone has tried before the winner lets go
        return
    results.put("won")
    barrier.wait(30)
    lock.release()


@pytest.mark.parametrize("stale", [False, True])
def test_racing_processes_exactly_one_wins(tmp_path, stale):
    path = tmp_path / ".reportgen.lock"
    if stale:  # racing to recover a dead holder's lock, too
        path.write_text(json.dumps({"pid": _dead_pid(), "host": socket.gethostname(),
                                    "started": "2018-10-05T09:00:00"}))
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
    assert not path.exists()
