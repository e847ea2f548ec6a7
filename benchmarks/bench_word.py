"""Time render_board_report (the Word board report, full appendix) on a rated run of N
actions built by tests/factories.py, 300 trackers × 40 rows by default.

    python benchmarks/bench_word.py [--actions 12000 --repeat 5]

The first call in a fresh process includes importing matplotlib, docxtpl and the chart
fonts; it is printed on its own. Then each timed call renders the whole report again
(template, charts, every table, zip); the median of those is the figure to quote. The
target is under 4 s for 12,000 actions.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))

from factories import make_action, make_run, view_of  # noqa: E402

from reportgen.config import load_config  # noqa: E402
from reportgen.render.word import render_board_report  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--actions", type=int, default=12_000)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    config = load_config(ROOT / "reportgen.toml")
    run = make_run(actions=[make_action(i) for i in range(args.actions)])
    view = view_of(run, config)  # built once a run, before any output

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "board-report.docx"
        start = time.perf_counter()
        render_board_report(view, config, out)
        cold = time.perf_counter() - start
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            render_board_report(view, config, out)
            times.append(time.perf_counter() - start)
        with zipfile.ZipFile(out) as z:
            xml_mb = z.getinfo("word/document.xml").file_size / 1e6
        size_mb = out.stat().st_size / 1e6

    print(f"render_board_report, {args.actions:,} actions ({len(run.kpis)} KPIs), "
          f"document.xml {xml_mb:.1f} MB, file {size_mb:.2f} MB")
    print(f"  first call (imports included): {cold:.2f} s")
    print(f"  runs: {', '.join(f'{t:.2f}' for t in times)} s")
    print(f"  median: {statistics.median(times):.2f} s (target < 4 s)")


if __name__ == "__main__":
    main()
