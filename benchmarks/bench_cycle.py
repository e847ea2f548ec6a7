"""Time `reportgen run` stage by stage, with the peak memory of its whole process tree,
next to the straightforward baseline (benchmarks/baseline.py) on the same corpus.

    python benchmarks/bench_cycle.py --trackers 300 --actions 40            # cycle + baseline
    python benchmarks/bench_cycle.py --trackers 75 --actions 40 --no-baseline
    python benchmarks/bench_cycle.py --sizes 3000,12000,48000 --no-baseline  # scaling

Each command runs in a fresh subprocess (imports included, as a user sees it). Memory is
the peak of the sum over the process and all its children, from Linux /proc, two ways:
resident set (RSS, sampled every 10 ms), which counts a page shared by two processes
twice (a forked process shares all of its parent's memory at first), and proportional
set (PSS, sampled every 100 ms because reading it costs about 2 ms a process), which
counts a shared page once in all. Corpora are generated once into
benchmarks/corpus-NxM (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from corpus import make_corpus  # noqa: E402


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except OSError:
        return 0


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(cmd: list[str], cwd: Path) -> tuple[float, float, str, float]:
    """Run ``cmd``; return (wall seconds, peak tree RSS in MB, stdout, peak tree PSS in
    MB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    peak = peak_pss = 0
    done = threading.Event()

    def sample():
        nonlocal peak, peak_pss
        n = 0
        while not done.is_set():
            tree = _children()
            pids, tree_pids = [proc.pid], []
            while pids:
                pid = pids.pop()
                tree_pids.append(pid)
                pids.extend(tree.get(pid, ()))
            peak = max(peak, sum(_rss_kb(pid) for pid in tree_pids))
            if n % 10 == 0:
                peak_pss = max(peak_pss, sum(_pss_kb(pid) for pid in tree_pids))
            n += 1
            time.sleep(0.01)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    thread.join()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err}")
    return wall, peak / 1024, out, peak_pss / 1024


def corpus_for(trackers: int, actions: int) -> Path:
    path = HERE / f"corpus-{trackers}x{actions}"
    if not (path / ".complete").exists():
        make_corpus(path, trackers, actions)
        (path / ".complete").write_text("ok")
    return path


def run_cycle(corpus: Path, label: str) -> dict:
    out = HERE / f"out-{label}"
    shutil.rmtree(out, ignore_errors=True)
    wall, peak, _, pss = measure([sys.executable, "-m", "reportgen.cli", "run", "--period",
                             "2018-09", "--workbooks", str(corpus), "--output", str(out)],
                            ROOT)
    manifest = json.loads((out / "2018-09" / "manifest.json").read_text(encoding="utf-8"))
    return {"wall": wall, "peak_mb": peak, "pss_mb": pss,
            "stages": manifest["timings_seconds"], "actions": manifest["counts"]["actions"]}


def run_baseline(corpus: Path, label: str) -> dict:
    out = HERE / f"out-baseline-{label}"
    shutil.rmtree(out, ignore_errors=True)
    wall, peak, stdout, pss = measure([sys.executable, str(HERE / "baseline.py"),
                                       str(corpus), str(out)], ROOT)
    return {"wall": wall, "peak_mb": peak, "pss_mb": pss, "stages": json.loads(stdout)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--trackers", type=int, default=300)
    p.add_argument("--actions", type=int, default=40)
    p.add_argument("--sizes", help="comma-separated action counts (40 per tracker)")
    p.add_argument("--repeat", type=int, default=3, help="cycle runs (median reported)")
    p.add_argument("--no-baseline", action="store_true")
    args = p.parse_args()
    sizes = ([(int(n) // 40, 40) for n in args.sizes.split(",")] if args.sizes
             else [(args.trackers, args.actions)])
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for trackers, actions in sizes:
        corpus = corpus_for(trackers, actions)
        label = f"{trackers}x{actions}"
        runs = sorted((run_cycle(corpus, label) for _ in range(args.repeat)),
                      key=lambda r: r["wall"])
        med = runs[len(runs) // 2]
        stages = ", ".join(f"{k} {v:.2f}" for k, v in med["stages"].items())
        print(f"reportgen run  {label} ({med['actions']} actions): wall {med['wall']:.2f} s "
              f"(runs: {', '.join('%.2f' % r['wall'] for r in runs)}), peak "
              f"{max(r['peak_mb'] for r in runs):.0f} MB RSS, "
              f"{max(r['pss_mb'] for r in runs):.0f} MB PSS; stages: {stages}")
        if not args.no_baseline:
            base = run_baseline(corpus, label)
            stages = ", ".join(f"{k} {v:.2f}" for k, v in base["stages"].items()
                               if k != "actions")
            print(f"baseline       {label}: wall {base['wall']:.2f} s, peak "
                  f"{base['peak_mb']:.0f} MB RSS, {base['pss_mb']:.0f} MB PSS; "
                  f"stages: {stages}")
            print(f"speed-up: {base['wall'] / med['wall']:.1f}x")


if __name__ == "__main__":
    main()
