"""Time `reportgen validate` over a corpus (default 300 trackers × 40 actions), in a fresh
process each time, with the peak memory of the process tree.

    python benchmarks/bench_validate.py [--trackers 300 --actions 40 --repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

from bench_cycle import ROOT, corpus_for, measure


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--trackers", type=int, default=300)
    p.add_argument("--actions", type=int, default=40)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    corpus = corpus_for(args.trackers, args.actions)
    cmd = [sys.executable, "-m", "reportgen.cli", "validate", str(corpus), "--as-of",
           "30/09/2018"]
    measure(cmd, ROOT)  # warm the page cache
    runs = [measure(cmd, ROOT) for _ in range(args.repeat)]
    walls = sorted(r[0] for r in runs)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"reportgen validate {args.trackers}x{args.actions}: median "
          f"{statistics.median(walls):.2f} s (runs {', '.join(f'{w:.2f}' for w in walls)}), "
          f"peak {max(r[1] for r in runs):.0f} MB")
    print(runs[0][2].strip().splitlines()[-1])


if __name__ == "__main__":
    main()
