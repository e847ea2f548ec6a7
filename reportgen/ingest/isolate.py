"""Read the values of a workbook without a pre-scan in a child process, because the
reader can end the interpreter.

python-calamine is Rust: when an allocation fails it aborts the whole process ("memory
allocation of N bytes failed"), and no ``except`` catches that. Damaged legacy files have
done it (tafia/calamine #174 and #444, both .xls; #433 for any sheet whose range does not
fit in memory), and so does a 1 KB .ods whose one row and cell are repeated 9,000 × 10,000
times (calamine builds the whole range when it opens the file: 2.6 GB asked for). An .xlsx
or .xlsm is safe to read here: reader.identify scans each sheet's XML first and refuses one
whose extent passes the limits, so calamine never builds a range that would not fit. .xls,
.xlsb and .ods have no such scan, so their values are read in a child process: one per
such file, started only then, with a timeout. If the child dies or stalls, that file gets
``file-reader-failed`` and the run goes on.

The child is started with 'spawn', the start method of Windows, on every platform, so the
one code path is the one our users run. Where the operating system allows it (POSIX's
``resource.setrlimit``), the child's address space is capped at ``limits.reader_memory_mb``,
so a hostile file fails fast in the child instead of taking the machine's memory first; on
Windows there is no such call and the timeout alone bounds it.
"""

from __future__ import annotations

import multiprocessing

from reportgen.ingest.reader import ReadFailure

ISOLATED_KINDS = frozenset({"xls", "xlsb", "ods"})


def _cap_memory(megabytes: int | None) -> None:
    """Cap this process's address space (POSIX); elsewhere nothing to do."""
    if not megabytes:
        return
    try:
        import resource
    except ImportError:  # Windows
        return
    limit = megabytes * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):  # a lower hard limit is already set: keep it
        pass


def _child(conn, target, args, memory_mb) -> None:
    _cap_memory(memory_mb)
    try:
        outcome = ("ok", target(*args))
    except ReadFailure as failure:  # a dataclass exception does not pickle: send its fields
        outcome = ("refused", (failure.code, failure.detail, failure.kind, failure.limit))
    except MemoryError:
        outcome = ("failed", "reading it needed more memory than the reader is allowed")
    except BaseException as exc:  # python-calamine's PanicException is a BaseException
        outcome = ("failed", f"{type(exc).__name__}: {str(exc)[:200]}")
    try:
        conn.send(outcome)
    finally:
        conn.close()


def call_isolated(target, *args, timeout: float, memory_mb: int | None = None):
    """``target(*args)`` in a fresh child process; its result, or the ReadFailure it
    raised, in a child capped at ``memory_mb`` where the system allows. Raises
    ReadFailure('file-reader-failed') when the child crashes, raises
    anything else, or runs longer than ``timeout`` seconds (it is then killed).
    ``target`` must be a module-level function (it is pickled by name)."""
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, target, args, memory_mb), daemon=True,
                       name="reportgen-reader")
    proc.start()
    send.close()  # the child holds the only writing end: its death ends the pipe
    try:
        if not receive.poll(timeout):
            raise ReadFailure("file-reader-failed",
                              detail=f"reading took longer than {timeout:g} seconds "
                                     "and was stopped")
        try:
            status, value = receive.recv()
        except (EOFError, OSError):
            proc.join(5)
            raise ReadFailure("file-reader-failed",
                              detail=f"the spreadsheet reader crashed (exit code "
                                     f"{proc.exitcode}); the file may be damaged") from None
    finally:
        receive.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)
    if status == "ok":
        return value
    if status == "refused":
        raise ReadFailure(*value)
    raise ReadFailure("file-reader-failed", detail=value)
