"""Time write_consolidated (the consolidated workbook) and write_feedback on a rated run of N
actions built by tests/factories.py, and measure the workbook's peak memory.

    python benchmarks/bench_workbook.py [--actions 12000 --repeat 5]

Each timing is one call in this process, after one untimed warm-up; the median is printed
with every run, so noise from other work on the machine shows. Memory: the peak of Python
allocations during one write_consolidated (tracemalloc, a run of its own since tracing
slows it and adds its own), and the process's peak resident set size over the timed
writes, the rated run included (not on Windows, where the standard library has no
getrusage).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))

from factories import make_run, view_of  # noqa: E402

from reportgen.config import load_config  # noqa: E402
from reportgen.render.feedback import write_feedback  # noqa: E402
from reportgen.render.workbook import write_consolidated  # noqa: E402


def cell_count(path: Path) -> int:
    with zipfile.ZipFile(path) as z:
        return sum(z.read(n).count(b"<c ") for n in z.namelist()
                   if n.startswith("xl/worksheets/sheet"))


def peak_rss_mb() -> float | None:
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB


def timed(repeat: int, call) -> list[float]:
    call()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return sorted(times)


def runs(times: list[float]) -> str:
    return (f"median {statistics.median(times):.2f} s "
            f"(runs {', '.join(f'{t:.2f}' for t in times)})")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--actions", type=int, default=12_000)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    config = load_config(ROOT / "reportgen.toml")
    run = make_run(args.actions)
    view = view_of(run, config)  # built once a run, before any output
    rss_run = peak_rss_mb()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "consolidated-2018-09.xlsx"
        workbook = timed(args.repeat,
                         lambda: write_consolidated(view, config, out))
        cells = cell_count(out)
        size = out.stat().st_size
        rss = peak_rss_mb()
        tracemalloc.start()
        write_consolidated(view, config, out)
        traced = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        feedback = timed(args.repeat, lambda: write_feedback(
            view, config, Path(tmp) / f"feedback-{time.perf_counter_ns()}"))
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"write_consolidated, {args.actions} actions ({cells:,} cells, "
          f"{size / 1e6:.1f} MB): {runs(workbook)}")
    print(f"  peak of Python allocations while writing (tracemalloc): {traced / 1e6:.0f} MB")
    if rss is not None:
        print(f"  process peak RSS: {rss:.0f} MB (after building the rated run: "
              f"{rss_run:.0f} MB)")
    print(f"write_feedback: {runs(feedback)}")


if __name__ == "__main__":
    main()
