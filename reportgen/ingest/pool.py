"""Read files in worker processes so that one bad file cannot take the run down.

Native readers can fail in ways Python cannot catch: python-calamine raises
``PanicException`` (a BaseException, handled in ``read_file``), and a hostile legacy file
can make a reader exhaust memory and abort the process. Each worker therefore runs with
an address-space limit (``limits.reader_memory_mb``, POSIX only), and:

* files are read by a pool of ``workers`` processes (both cores on a 2-core machine);
* if a worker dies, or no file finishes within ``limits.reader_timeout_s``, the pool is
  stopped and every file it had not finished is read again alone, in a fresh process
  with the same limits and a timeout; a file that still kills or stalls its process gets
  the file-level Issue ``file-reader-failed`` and the others are unaffected.

With ``workers=0`` files are read in this process (fast for tests; no isolation).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
import threading
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from pathlib import Path

from reportgen.config import Config
from reportgen.ingest import FileResult, _refused, read_file
from reportgen.issues import make_issue


def exit_with_parent() -> None:
    """Called in a pool worker: end the worker when the process that started it dies.
    Otherwise a run killed with SIGKILL (or by the out-of-memory killer) leaves its workers
    waiting for work for ever, on a queue they hold both ends of, and the forkserver alive
    with them. ``parent_process()`` has a sentinel that becomes ready when the parent
    goes, on every start method."""
    parent = mp.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(1)

    threading.Thread(target=watch, name="reportgen-exit-with-parent", daemon=True).start()


def _init_reader(megabytes: int) -> None:
    exit_with_parent()
    _limit_memory(megabytes)


def _limit_memory(megabytes: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: no rlimits; the timeout still applies
        return
    limit = megabytes * 1024 * 1024
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        pass


def _context():
    if sys.platform.startswith("linux"):
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["reportgen.ingest", "reportgen.ingest.reader",
                                    "reportgen.validate", "python_calamine"])
        return ctx
    return mp.get_context("spawn")


def _child(conn, reader, path, display, config, today, as_of, megabytes):
    _limit_memory(megabytes)
    try:
        conn.send(reader(path, display, config, today, as_of))
    finally:
        conn.close()


def _read_batch(reader, items, config, today, as_of) -> list[FileResult]:
    return [reader(path, display, config, today, as_of) for path, display in items]


def _failed(path: Path, display: str, detail: str) -> FileResult:
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    issue = make_issue("file-reader-failed", file=display, detail=detail)
    return _refused(display, size, None, "", "refused", issue)


def read_isolated(path: Path, display: str, config: Config, today: date,
                  as_of: date | None = None, reader=read_file) -> FileResult:
    """Read one file alone in a fresh process with the memory limit and timeout."""
    ctx = _context()
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, daemon=True,
                       args=(child, reader, path, display, config, today, as_of,
                             config.limits.reader_memory_mb))
    proc.start()
    child.close()
    timeout = config.limits.reader_timeout_s
    try:
        if parent.poll(timeout):
            try:
                return parent.recv()
            except (EOFError, OSError):
                pass
        else:
            proc.kill()
            proc.join(5)
            return _failed(path, display, f"reading took longer than {timeout:g} seconds "
                                          "and was stopped")
        proc.join(5)
        code = proc.exitcode
        return _failed(path, display, "the spreadsheet reader crashed"
                       + (f" (exit code {code}); the file may be damaged or too large for "
                          f"the {config.limits.reader_memory_mb:,} MB memory limit"
                          if code is not None else ""))
    finally:
        parent.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)


def _stop(executor: ProcessPoolExecutor) -> None:
    terminate = getattr(executor, "terminate_workers", None)  # Python 3.14+
    if terminate is not None:
        terminate()
    else:
        # Python < 3.14 has no public way to stop a running worker.
        for proc in list(getattr(executor, "_processes", {}).values()):
            proc.kill()
    executor.shutdown(wait=False, cancel_futures=True)


def read_many(files: list[tuple[Path, str]], config: Config, today: date,
              as_of: date | None = None, workers: int = 2, progress=None,
              reader=read_file) -> list[FileResult]:
    """Read every file; results in the order of ``files``. Never raises for a file.

    ``reader`` (a picklable module-level function with read_file's signature) exists so
    that tests can make a worker crash; everything else uses the default."""
    results: list[FileResult | None] = [None] * len(files)
    done = 0

    def finish(i: int, result: FileResult) -> None:
        nonlocal done
        results[i] = result
        done += 1
        if progress is not None:
            progress(done, len(files), files[i][1])

    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    if main_file and not os.path.exists(main_file):
        # Worker processes re-import __main__ by path; code run from stdin or an
        # embedded interpreter has none, so read here instead.
        workers = 0
    if workers <= 0:
        for i, (path, display) in enumerate(files):
            finish(i, reader(path, display, config, today, as_of))
        return results  # type: ignore[return-value]

    retry: list[int] = []
    if files:
        # Batches of a few files cut the per-task round trips; a batch whose worker dies
        # or stalls is re-read file by file in isolation.
        n = min(workers, len(files))
        size = max(1, min(16, len(files) // (n * 4)))
        batches = [list(range(i, min(i + size, len(files)))) for i in range(0, len(files), size)]
        executor = ProcessPoolExecutor(max_workers=n, mp_context=_context(),
                                       initializer=_init_reader,
                                       initargs=(config.limits.reader_memory_mb,))
        futures = {executor.submit(_read_batch, reader, [files[i] for i in b], config, today,
                                   as_of): b
                   for b in batches}
        pending = set(futures)
        try:
            while pending:
                finished, pending = wait(pending, timeout=config.limits.reader_timeout_s * size,
                                         return_when=FIRST_COMPLETED)
                if not finished:  # something is stuck: isolate what is left
                    retry.extend(i for f in pending for i in futures[f])
                    pending = set()
                    break
                for future in finished:
                    batch = futures[future]
                    try:
                        for i, result in zip(batch, future.result()):
                            finish(i, result)
                    except BrokenProcessPool:
                        retry.extend(batch)
                    except Exception as exc:  # pickling trouble and the like
                        for i in batch:
                            finish(i, _failed(files[i][0], files[i][1],
                                              f"{type(exc).__name__}: {exc}"))
        finally:
            if retry or pending:
                _stop(executor)
            else:
                executor.shutdown(wait=True)
    for i in sorted(set(retry)):
        if results[i] is None:
            finish(i, read_isolated(files[i][0], files[i][1], config, today, as_of, reader))
    return results  # type: ignore[return-value]
