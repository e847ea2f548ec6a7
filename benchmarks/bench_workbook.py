"""Time write_consolidated (the consolidated workbook) on a rated run of N actions built by
tests/factories.py, next to the floor: XlsxWriter writing the same number of plain cells
with no tables, formats or checks.

    python benchmarks/bench_workbook.py [--actions 12000 --repeat 5]

Each timing is one call in this process, after one untimed warm-up; the median is printed
with every run, so noise from other work on the machine shows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))

from factories import make_run  # noqa: E402

from reportgen.config import load_config  # noqa: E402
from reportgen.render.workbook import WORKBOOK_OPTIONS, write_consolidated  # noqa: E402


def cell_count(path: Path) -> int:
    with zipfile.ZipFile(path) as z:
        return sum(z.read(n).count(b"<c ") for n in z.namelist()
                   if n.startswith("xl/worksheets/sheet"))


def floor(path: Path, cells: int) -> float:
    """XlsxWriter alone: ``cells`` plain cells, 25 to a row, two in three strings."""
    import xlsxwriter

    start = time.perf_counter()
    wb = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    ws = wb.add_worksheet()
    for n in range(cells):
        row, col = divmod(n, 25)
        if col % 3:
            ws.write_string(row, col, f"text {row} {col % 7}")
        else:
            ws.write_number(row, col, row * 1.5)
    wb.close()
    return time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--actions", type=int, default=12_000)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    config = load_config(ROOT / "reportgen.toml")
    run = make_run(args.actions)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "consolidated-2018-09.xlsx"
        write_consolidated(run, config, out, ROOT / "workbooks")  # warm-up
        cells = cell_count(out)
        size = out.stat().st_size
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            write_consolidated(run, config, out, ROOT / "workbooks")
            times.append(time.perf_counter() - start)
        floors = sorted(floor(Path(tmp) / "floor.xlsx", cells) for _ in range(args.repeat))
    times.sort()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"write_consolidated, {args.actions} actions ({cells:,} cells, "
          f"{size / 1e6:.1f} MB): median {statistics.median(times):.2f} s "
          f"(runs {', '.join(f'{t:.2f}' for t in times)})")
    print(f"XlsxWriter floor, {cells:,} plain cells: median {statistics.median(floors):.2f} s "
          f"(runs {', '.join(f'{t:.2f}' for t in floors)})")


if __name__ == "__main__":
    main()
