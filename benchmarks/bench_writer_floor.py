"""How much a compiled xlsx writer would save: the same plain cells (bench_workbook's
floor: 25 to a row, two in three strings) written by XlsxWriter (bench_workbook.floor), by libxlsxwriter (C)
called from Python through ctypes, and by libxlsxwriter from a small C program.

    apt-get install libxlsxwriter-dev     # Debian; not a dependency of reportgen
    python benchmarks/bench_writer_floor.py [--cells 383248 --repeat 3]

libxlsxwriter and gcc are optional here: what is missing is reported and skipped.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_workbook import floor  # noqa: E402  (the same cells, written by XlsxWriter)

C_PROGRAM = r"""
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "xlsxwriter.h"
int main(int argc, char **argv) {
    long cells = atol(argv[2]);
    struct timespec a, b;
    char buf[64];
    clock_gettime(CLOCK_MONOTONIC, &a);
    lxw_workbook *wb = workbook_new(argv[1]);
    lxw_worksheet *ws = workbook_add_worksheet(wb, NULL);
    for (long n = 0; n < cells; n++) {
        int row = n / 25, col = n % 25;
        if (col % 3) {
            snprintf(buf, sizeof buf, "text %d %d", row, col % 7);
            worksheet_write_string(ws, row, col, buf, NULL);
        } else {
            worksheet_write_number(ws, row, col, row * 1.5, NULL);
        }
    }
    if (workbook_close(wb) != 0) return 1;
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%f\n", (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
    return 0;
}
"""


def load_libxlsxwriter():
    name = ctypes.util.find_library("xlsxwriter")
    if not name:
        return None
    lib = ctypes.CDLL(name)
    vp, u32, u16 = ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint16
    lib.workbook_new.restype, lib.workbook_new.argtypes = vp, [ctypes.c_char_p]
    lib.workbook_add_worksheet.restype = vp
    lib.workbook_add_worksheet.argtypes = [vp, ctypes.c_char_p]
    lib.worksheet_write_string.argtypes = [vp, u32, u16, ctypes.c_char_p, vp]
    lib.worksheet_write_number.argtypes = [vp, u32, u16, ctypes.c_double, vp]
    lib.workbook_close.argtypes = [vp]
    return lib


def with_ctypes(lib, path: Path, cells: int) -> float:
    start = time.perf_counter()
    wb = lib.workbook_new(str(path).encode())
    ws = lib.workbook_add_worksheet(wb, None)
    write_string, write_number = lib.worksheet_write_string, lib.worksheet_write_number
    for n in range(cells):
        row, col = divmod(n, 25)
        if col % 3:
            write_string(ws, row, col, f"text {row} {col % 7}".encode(), None)
        else:
            write_number(ws, row, col, row * 1.5, None)
    if lib.workbook_close(wb) != 0:
        raise RuntimeError("libxlsxwriter could not write the workbook")
    return time.perf_counter() - start


def c_program(tmp: Path) -> Path | None:
    if not shutil.which("gcc") or not Path("/usr/include/xlsxwriter.h").exists():
        return None
    source = tmp / "floor.c"
    source.write_text(C_PROGRAM)
    binary = tmp / "floor"
    subprocess.run(["gcc", "-O2", str(source), "-o", str(binary), "-lxlsxwriter"],
                   check=True)
    return binary


def report(name: str, times: list[float], cells: int) -> None:
    times.sort()
    print(f"{name}: {cells:,} cells, median {statistics.median(times):.2f} s "
          f"(runs {', '.join(f'{t:.2f}' for t in times)})")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cells", type=int, default=383_248)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    print(f"machine: Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        report("XlsxWriter", [floor(tmp / "a.xlsx", args.cells)
                              for _ in range(args.repeat)], args.cells)
        lib = load_libxlsxwriter()
        if lib is None:
            print("libxlsxwriter: not installed (apt-get install libxlsxwriter-dev); skipped")
            return
        report("libxlsxwriter through ctypes", [with_ctypes(lib, tmp / "b.xlsx", args.cells)
                                                for _ in range(args.repeat)], args.cells)
        binary = c_program(tmp)
        if binary is None:
            print("libxlsxwriter from C: gcc or the headers are missing; skipped")
            return
        times = [float(subprocess.run([str(binary), str(tmp / "c.xlsx"), str(args.cells)],
                                      check=True, capture_output=True, text=True).stdout)
                 for _ in range(args.repeat)]
        report("libxlsxwriter from C", times, args.cells)


if __name__ == "__main__":
    main()
