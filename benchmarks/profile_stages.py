"""Where one cycle's time and memory go, stage by stage, in one process.

    python benchmarks/profile_stages.py benchmarks/corpus-25x40 [--repeat 3] [--memory]

Reads and rates the trackers once, then renders each artefact ``--repeat`` times (the
first call of each renderer includes its imports, printed on its own) and prints each
renderer's median. With ``--memory`` it runs each renderer once more under tracemalloc
and prints the peak of Python allocations during it, over what the rated run holds.
Use it to find what to cut; quote bench_cycle.py's figures (fresh processes, paired with
the baseline) as the result.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

from reportgen.config import load_config  # noqa: E402
from reportgen.periods import Period  # noqa: E402
from reportgen.pipeline import read, rate  # noqa: E402


def peak_mb() -> str:
    """The process's peak resident memory so far (not measured on Windows)."""
    try:
        import resource
    except ImportError:
        return "n/a"
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return f"{kb / (2**20 if sys.platform == 'darwin' else 2**10):.0f} MB"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("folder", type=Path)
    p.add_argument("--period", default="2018-09")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--memory", action="store_true")
    args = p.parse_args()
    config = load_config(ROOT / "reportgen.toml")
    period = Period.parse(args.period)
    t = time.perf_counter()
    ingest = read(config, args.folder, today=date(2018, 10, 1), as_of=period.as_of)
    t1 = time.perf_counter()
    run = rate(ingest, config, period, period.as_of)
    t2 = time.perf_counter()
    print(f"{len(run.actions):,} actions, {len(run.issues):,} issues: "
          f"read {t1 - t:.2f} s, rate {t2 - t1:.2f} s; peak so far {peak_mb()}")

    from reportgen.render.feedback import write_feedback
    from reportgen.render.word import render_board_report
    from reportgen.render.workbook import write_consolidated
    from reportgen.view import build_view

    t3 = time.perf_counter()
    view = build_view(run, config, args.folder)
    print(f"  view      {time.perf_counter() - t3:.2f} s, peak so far {peak_mb()}")

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        renderers = {
            "workbook": lambda: write_consolidated(view, config, out / "c.xlsx"),
            "word": lambda: render_board_report(view, config, out / "r.docx"),
            "feedback": lambda: write_feedback(view, config, out / "feedback"),
        }
        for name, call in renderers.items():
            times = []
            for _ in range(args.repeat + 1):
                start = time.perf_counter()
                call()
                times.append(time.perf_counter() - start)
                if len(times) == 1:
                    print(f"  {name:9} first {times[0]:.2f} s, peak so far {peak_mb()}",
                          flush=True)
            if args.repeat:
                print(f"  {name:9} median of the next {args.repeat}: "
                      f"{statistics.median(times[1:]):.2f} s "
                      f"({', '.join(f'{x:.2f}' for x in times[1:])})")
        if args.memory:
            for name, call in renderers.items():
                tracemalloc.start()
                base = tracemalloc.get_traced_memory()[0]
                call()
                peak = tracemalloc.get_traced_memory()[1] - base
                tracemalloc.stop()
                print(f"  {name:9} peak Python allocations {peak / 2**20:.0f} MB")


if __name__ == "__main__":
    sys.exit(main())
