"""Golden outputs: what the samples' cycle writes, normalised for review.

    python scripts/golden.py            # rewrite tests/golden/ from the current code
    python scripts/golden.py --check    # exit 1 and list the files that differ

The cycle runs on ``workbooks/`` for 2018-09 with a fixed clock (today 05/10/2018, now
05/10/2018 09:00) into a temporary folder. Each XML part a user sees is written as
indented text: the Word report's ``word/document.xml``, and every worksheet of the
consolidated workbook and of the feedback files, with shared strings put back in their
cells and file times and the machine's paths taken out. A change to what users see then
shows as a reviewable diff of ``tests/golden/``; ``tests/test_golden.py`` runs ``--check``'s
comparison.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path
from urllib.parse import unquote

import defusedxml.ElementTree as DET

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
TODAY = date(2018, 10, 5)
NOW = datetime(2018, 10, 5, 9, 0)
PERIOD = "2018-09"

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# volatile text: ISO and UK timestamps of the run or of the trackers' files
_TIMES = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?|"
                    r"\b\d{2}/\d{2}/\d{4} \d{2}:\d{2}\b")


def run_samples(out: Path, workbooks: Path) -> Path:
    """Run the cycle on a copy of the samples in ``workbooks`` (their file times fixed at
    01/10/2018 12:00) into ``out``; return the period folder."""
    import os
    import shutil

    shutil.copytree(ROOT / "workbooks", workbooks)
    fixed = datetime(2018, 10, 1, 12, 0).timestamp()
    for path in workbooks.iterdir():
        os.utime(path, (fixed, fixed))
    from reportgen.config import load_config
    from reportgen.model import Period
    from reportgen.pipeline import run_cycle

    cfg = load_config(ROOT / "reportgen.toml")
    cfg = dataclasses.replace(
        cfg, paths=dataclasses.replace(cfg.paths, output=out, history=out / "history.sqlite"))
    result = run_cycle(cfg, Period.parse(PERIOD), today=TODAY, now=NOW,
                       workbooks=workbooks, output=out)
    return result.out_dir


def _indent(elem, level: int = 0) -> None:
    pad = "\n" + "  " * level
    if len(elem):
        if not (elem.text or "").strip():
            elem.text = pad + "  "
        for child in elem:
            _indent(child, level + 1)
        if not (child.tail or "").strip():
            child.tail = pad
    if level and not (elem.tail or "").strip():
        elem.tail = pad


def _text(root, paths: tuple[str, ...]) -> str:
    import xml.etree.ElementTree as ET

    _indent(root)
    text = ET.tostring(root, encoding="unicode")
    for p in paths:
        text = text.replace(p, "<ROOT>")
    return _TIMES.sub("<TIME>", text) + "\n"


def _shared_strings(z: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in z.namelist():
        return []
    root = DET.fromstring(z.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in si.iter(f"{_NS_MAIN}t"))
            for si in root.iter(f"{_NS_MAIN}si")]


def xlsx_parts(path: Path, paths: tuple[str, ...]) -> dict[str, str]:
    """Each worksheet (by sheet name) and its links, normalised."""
    out: dict[str, str] = {}
    with zipfile.ZipFile(path) as z:
        strings = _shared_strings(z)
        book = DET.fromstring(z.read("xl/workbook.xml"))
        rels = DET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{_NS_REL}Relationship")}
        for sheet in book.iter(f"{_NS_MAIN}sheet"):
            rid = sheet.get("{http://schemas.openxmlformats.org/officeDocument/2006/"
                            "relationships}id")
            part = "xl/" + targets[rid].lstrip("/").removeprefix("xl/")
            root = DET.fromstring(z.read(part))
            for row in root.iter(f"{_NS_MAIN}row"):
                row.attrib.pop("spans", None)
            for cell in root.iter(f"{_NS_MAIN}c"):
                if cell.get("t") == "s":
                    v = cell.find(f"{_NS_MAIN}v")
                    cell.set("t", "str")
                    v.text = strings[int(v.text)]
            name = re.sub(r"[^A-Za-z0-9]+", "_", sheet.get("name")).strip("_")
            out[name] = _text(root, paths)
            rel_part = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
            if rel_part in z.namelist():
                rroot = DET.fromstring(z.read(rel_part))
                for r in rroot:
                    if r.get("TargetMode") == "External":
                        r.set("Target", unquote(r.get("Target")))
                out[name + ".rels"] = _text(rroot, paths)
    return out


def collect(period_dir: Path, paths: tuple[str, ...]) -> dict[str, str]:
    """Relative golden file name -> normalised text."""
    files: dict[str, str] = {}
    for report in period_dir.glob("*.docx"):
        with zipfile.ZipFile(report) as z:
            files["report/document.xml"] = _text(DET.fromstring(z.read("word/document.xml")),
                                                 paths)
    for book in period_dir.glob("*.xlsx"):
        for name, text in xlsx_parts(book, paths).items():
            files[f"workbook/{name}.xml"] = text
    for book in sorted((period_dir / "feedback").glob("*.xlsx")):
        stem = re.sub(r"[^A-Za-z0-9]+", "_", book.stem).strip("_")
        for name, text in xlsx_parts(book, paths).items():
            files[f"feedback/{stem}/{name}.xml"] = text
    return files


def current() -> dict[str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "output"
        period_dir = run_samples(out, Path(tmp) / "workbooks")
        paths = tuple(sorted({str(ROOT), ROOT.as_uri(), str(out), out.as_uri(),
                              str(Path(tmp).resolve()), Path(tmp).resolve().as_uri(),
                              tmp, str(Path(tmp).resolve()).replace("/", "\\")},
                             key=len, reverse=True))  # the last: absolute links (issue 19)
        return collect(period_dir, paths)


def differences(files: dict[str, str]) -> list[str]:
    have = {p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8")
            for p in GOLDEN.rglob("*.xml")} if GOLDEN.exists() else {}
    return sorted(n for n in set(files) | set(have) if files.get(n) != have.get(n))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="compare with tests/golden/ instead of rewriting it")
    args = parser.parse_args(argv)
    files = current()
    if args.check:
        diff = differences(files)
        for name in diff:
            print(f"differs: tests/golden/{name}")
        return 1 if diff else 0
    if GOLDEN.exists():
        for old in GOLDEN.rglob("*.xml"):
            old.unlink()
    for name, text in files.items():
        target = GOLDEN / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {len(files)} files to {GOLDEN.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
