"""Time the whole cycle (`reportgen run`, in a fresh process) at real sizes, each size
paired in the same run with the naive baseline (benchmarks/baseline.py) on the same files.

    python benchmarks/bench_cycle.py                      # samples, 1,000 and 12,000 actions
    python benchmarks/bench_cycle.py --sizes samples,1000 --repeat 7
    python benchmarks/bench_cycle.py --sizes 12000,24000,48000 --no-baseline   # linearity
    python benchmarks/bench_cycle.py --sizes imports      # the fixed cost: imports alone

``imports`` times, in fresh processes, only what each script imports before it does any
work (reportgen: the CLI, the stages and the three renderers with matplotlib's Figure and
Agg canvas; the baseline: matplotlib with pyplot, pandas and python-docx), and the bare
interpreter: the part of every cycle that no amount of work saved can remove.
A size is ``samples`` (workbooks/, 64 actions) or a number of actions, generated as
trackers of 40 actions (1000 = 25 trackers) into benchmarks/corpus-NxM (git-ignored).
Each run is a new process, so imports and start-up count as a user waits for them. The
cycle and the baseline alternate, run by run, so that drift in the machine's speed hits
both. Wall time is the median of the runs; peak memory is the largest resident set of
the run's process (and of any process it started), from the operating system's
accounting of the finished process (``os.wait4``; not on Windows).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from corpus import make_corpus  # noqa: E402

PER_TRACKER = 40
TARGETS = {1000: "≥ 2× the baseline", 12000: "≥ 1.5× the baseline, peak ≤ 250 MB"}


def measure(cmd: list[str]) -> tuple[float, float | None, int, str, str]:
    """Run ``cmd`` from the repository; return (wall seconds, peak RSS in MB or None,
    exit code, stdout, stderr)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        # No PDF: the baseline makes none, and LibreOffice's time and memory are its own
        # (reportgen's manifest times the PDF as a stage of its own, "pdf").
        env = {**os.environ, "REPORTGEN_SOFFICE": "none"}
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err, env=env)
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            code = os.waitstatus_to_exitcode(status)
            proc.returncode = code  # reaped here, not by Popen
            # ru_maxrss: the largest of the process and its children; KB (bytes on macOS)
            peak = usage.ru_maxrss / (2**20 if sys.platform == "darwin" else 2**10)
        else:
            code, wall, peak = proc.wait(), time.perf_counter() - start, None
        out.seek(0)
        err.seek(0)
        return wall, peak, code, out.read().decode(errors="replace"), \
            err.read().decode(errors="replace")


def trackers_for(size: str) -> tuple[str, Path]:
    """(label, folder of trackers) for a size: ``samples`` or a number of actions."""
    if size == "samples":
        return "samples", ROOT / "workbooks"
    trackers = max(1, int(size) // PER_TRACKER)
    path = HERE / f"corpus-{trackers}x{PER_TRACKER}"
    if not (path / ".complete").exists():
        print(f"generating {path.name} ...", flush=True)
        make_corpus(path, trackers, PER_TRACKER)
        (path / ".complete").write_text("ok")
    return f"{trackers} × {PER_TRACKER}", path


def run_cycle(folder: Path, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    wall, peak, code, stdout, stderr = measure([
        sys.executable, "-m", "reportgen.cli", "run", "--period", "2018-09",
        "--workbooks", str(folder), "--output", str(out)])
    if code not in (0, 1):  # 1: errors found in the trackers, outputs still written
        raise SystemExit(f"reportgen run failed ({code}):\n{stdout}\n{stderr}")
    manifest = json.loads((out / "2018-09" / "manifest.json").read_text(encoding="utf-8"))
    return {"wall": wall, "peak": peak, "actions": manifest["counts"]["actions"],
            "stages": manifest.get("timings_seconds", {})}


def run_baseline(folder: Path, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    wall, peak, code, stdout, stderr = measure([
        sys.executable, str(HERE / "baseline.py"), str(folder), str(out)])
    if code != 0:
        raise SystemExit(f"baseline failed ({code}):\n{stderr}")
    return {"wall": wall, "peak": peak, "stages": json.loads(stdout.splitlines()[-1])}


IMPORTS = {
    "reportgen": "import reportgen.cli, reportgen.pipeline, reportgen.validate, "
                 "reportgen.rate, reportgen.outputs, reportgen.render.workbook, "
                 "reportgen.render.word, reportgen.render.feedback; "
                 "from matplotlib.figure import Figure; "
                 "from matplotlib.backends.backend_agg import FigureCanvasAgg",
    "baseline": "import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot; "
                "import pandas; from docx import Document",
    "interpreter": "pass",
}


def bench_imports(repeat: int) -> None:
    """Median wall time of each script's imports alone, alternating run by run."""
    walls: dict[str, list[float]] = {name: [] for name in IMPORTS}
    for _ in range(repeat):
        for name, code in IMPORTS.items():
            wall, _, code_, _, err = measure([sys.executable, "-c", code])
            if code_ != 0:
                raise SystemExit(f"importing for {name} failed:\n{err}")
            walls[name].append(wall)
    print("\nimports alone (fresh process each)")
    for name, runs in walls.items():
        print(f"  {name:12} median {statistics.median(runs):.2f} s "
              f"({', '.join(f'{w:.2f}' for w in runs)})")


def _mb(runs: list[dict]) -> str:
    peaks = [r["peak"] for r in runs if r["peak"] is not None]
    return f"{max(peaks):.0f} MB" if peaks else "n/a"


def _walls(runs: list[dict]) -> str:
    return ", ".join(f"{r['wall']:.2f}" for r in runs)


def bench(size: str, repeat: int, baseline: bool) -> dict:
    label, folder = trackers_for(size)
    cycles, bases = [], []
    for _ in range(repeat):
        cycles.append(run_cycle(folder, HERE / "out-cycle"))
        if baseline:
            bases.append(run_baseline(folder, HERE / "out-baseline"))
    actions = cycles[0]["actions"]
    wall = statistics.median(r["wall"] for r in cycles)
    median_run = sorted(cycles, key=lambda r: r["wall"])[len(cycles) // 2]
    stages = ", ".join(f"{k} {v:.2f}" for k, v in median_run["stages"].items())
    print(f"\n{label} ({actions:,} actions)")
    print(f"  reportgen run  median {wall:.2f} s ({_walls(cycles)}), peak {_mb(cycles)}")
    if stages:
        print(f"    stages of the median run: {stages}")
    row = {"size": label, "actions": actions, "wall": wall, "peak": _mb(cycles)}
    if baseline:
        base = statistics.median(r["wall"] for r in bases)
        print(f"  baseline       median {base:.2f} s ({_walls(bases)}), peak {_mb(bases)}; "
              f"it read {bases[0]['stages']['actions']:,} actions")
        print(f"  reportgen is {base / wall:.2f}× the baseline's speed"
              + (f" (target {TARGETS[int(size)]})" if size.isdigit() and int(size) in TARGETS
                 else ""))
        row.update(base=base, ratio=base / wall, base_peak=_mb(bases))
    return row


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="samples,1000,12000",
                   help="comma-separated: 'samples', 'imports' or a number of actions "
                        "(40 a tracker)")
    p.add_argument("--repeat", type=int, default=None,
                   help="runs of each (median reported); default 5, 3 from 5,000 actions")
    p.add_argument("--no-baseline", action="store_true", help="time reportgen only")
    args = p.parse_args()
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {platform.system()}")
    rows = []
    if "imports" in sizes:
        bench_imports(args.repeat or 5)
        sizes.remove("imports")
    for size in sizes:
        repeat = args.repeat or (3 if size.isdigit() and int(size) >= 5000 else 5)
        rows.append(bench(size, repeat, not args.no_baseline))
    if not rows:
        return
    print("\n| size | actions | reportgen run | baseline | speed-up | peak (reportgen) "
          "| per 1,000 actions |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        base = f"{row['base']:.2f} s" if "base" in row else ""
        ratio = f"{row['ratio']:.2f}×" if "ratio" in row else ""
        per = (f"{row['wall'] / row['actions'] * 1000:.2f} s" if row["actions"] >= 1000
               else "")  # below 1,000 the fixed start-up is all there is
        print(f"| {row['size']} | {row['actions']:,} | {row['wall']:.2f} s | {base} | "
              f"{ratio} | {row['peak']} | {per} |")
    # linear cost: the time each further 1,000 actions adds, between consecutive sizes
    for a, b in zip(rows, rows[1:]):
        if b["actions"] > a["actions"]:
            step = (b["wall"] - a["wall"]) / (b["actions"] - a["actions"]) * 1000
            print(f"from {a['actions']:,} to {b['actions']:,} actions: "
                  f"{step:.2f} s per further 1,000")


if __name__ == "__main__":
    main()
