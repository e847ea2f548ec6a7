"""One view of the period: every count, total and list that two outputs state is the same
in both (issue 25).

The outputs are written as an operator writes them (``reportgen run`` then ``reportgen
export``, for 2018-08 then 2018-09) and read back from the files: the paper's text and
tables (python-docx) and its chart's alt text, the workbook's cells (openpyxl), the
dashboard page and the index of periods (HTML), the board's and the team's emails (.eml in
the outbox), the console, manifest.json and the export. Each reader returns the facts its
output states; a fact stated by two outputs (or in two places of one) must be the same.

Two sets of inputs: the samples with what officers get wrong and reportgen must leave out
of every count and total, saying so (a row under an objective that is not configured and
a row with a date no calendar has, each carrying money, and a file that is not a
tracker: :func:`slips.left_out_rows`), on a first run (2018-08, no history) and a second
(2018-09); and a generated plan of 1,000 actions with actions repeated under several
objectives, a cancelled action forecast to overspend, a file that is not a tracker (an
info note), updates made after the period's end, and in September one tracker gone (its
actions carried forward).
"""

from __future__ import annotations

import contextlib
import email
import io
import json
import re
import shutil
from collections import defaultdict
from datetime import date
from email.policy import default as default_policy
from itertools import takewhile
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import html as lxml_html

from builders import good_row, write_tracker
from conftest import ROOT

RAGS = ("Red", "Amber", "Green", "Blue", "Grey", "Cancelled")
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
KINDS = {"Newly Red": "newly_red", "Worsened": "worsened", "Improved": "improved",
         "Newly complete": "newly_complete", "New actions": "new",
         "No longer reported": "removed"}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
WORDS = {"no": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}


def _short(value: object) -> str:
    """A value for a failure message: a long list cut to its first dozen items."""
    if isinstance(value, list) and len(value) > 12:
        return repr(value[:12])[:-1] + f", … ({len(value)} in all)]"
    return repr(value)


def _rag_word(text: str) -> str:
    """The RAG word in a badge's text ("★ Blue (complete)" → "Blue")."""
    return re.search(r"Red|Amber|Green|Blue|Grey|Cancelled", text).group(0)


def _int(text: str) -> int:
    text = text.strip().lower()
    return WORDS[text] if text in WORDS else int(text.replace(",", ""))


def _money(value: object) -> float | None:
    """A money cell to the penny (None when empty), an int or a float alike."""
    return None if value is None else round(float(value), 2)


def _pounds(text: str) -> int:
    """'£3,105,000' or '−£1,200' → pounds."""
    sign = -1 if text.strip().startswith(("-", "−")) else 1
    return sign * int(re.sub(r"[^\d]", "", text))


# --------------------------------------------------------------------------- running


def _config(folder: Path) -> Path:
    """reportgen.toml with the shipped template and an output folder of its own."""
    text = (ROOT / "reportgen.toml").read_text(encoding="utf-8")
    text = text.replace('template = "templates/board_report.docx"',
                        f'template = "{(ROOT / "templates" / "board_report.docx").as_posix()}"')
    text = text.replace('output = "output"', 'output = "out"')
    path = folder / "reportgen.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _cli(*args: str) -> tuple[int, str]:
    from reportgen.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(list(args))
    return code, out.getvalue()


def _cycle(folder: Path, workbooks: Path, period: str) -> dict:
    """``reportgen run`` and ``reportgen export`` for ``period``: the console's text and
    the period's folder."""
    config = folder / "reportgen.toml"
    code, console = _cli("run", "--period", period, "--workbooks", str(workbooks),
                         "--config", str(config))
    assert code in (0, 1), console
    code, _ = _cli("export", "--period", period, "--workbooks", str(workbooks),
                   "--config", str(config))
    assert code == 0
    return {"console": console, "dir": folder / "out" / period, "out": folder / "out",
            "period": period}


@pytest.fixture(scope="module")
def samples(tmp_path_factory, config):
    import slips

    folder = tmp_path_factory.mktemp("samples")
    shutil.copytree(ROOT / "workbooks", folder / "workbooks")
    slips.left_out_rows(folder / "workbooks", config)
    _config(folder)
    return [_cycle(folder, folder / "workbooks", p) for p in ("2018-08", "2018-09")]


OFFICERS = ("Morag Elliot", "Iain Scott", "Aileen Kerr", "Craig Hume", "Fiona Laidlaw",
            "Euan Turnbull")
TRACKERS, PER_TRACKER = 10, 100


def _plan_rows(t: int, month: int) -> list[dict]:
    """Tracker ``t``'s rows for 2018-``month``: a mix of ratings; every 25th row of an odd
    tracker repeats a row of the tracker before under another objective (same text and
    lead officer, no money of its own)."""
    rows = []
    for i in range(PER_TRACKER):
        k = t * PER_TRACKER + i
        src = k - PER_TRACKER if t % 2 and i % 25 == 0 else k
        progress = (80, 80, 60, 30, 80)[src % 5]
        if month == 9 and src % 13 == 0:
            progress = 30  # worse in September
        if month == 9 and src % 17 == 0:
            progress = 85
        row = good_row(
            k, **{"ID": f"P{t:02d}-{i + 1:03d}", "Objective": 1 + k % 3,
                  "Action": f"We will deliver improvement {src} across the partnership.",
                  "Lead Officer": OFFICERS[src % len(OFFICERS)], "% Complete": progress,
                  "Last Updated": date(2018, month, 20 if month == 8 else 21),
                  "Corrective Action": "" if src % 4 == 0 else "Recovery plan agreed.",
                  "RAG": "Green" if src % 9 else "Red",
                  "Budget (£)": 10000 + (src % 7) * 1000,
                  "Spend to Date": 4000,
                  "Forecast Outturn": 10000 + (src % 7) * 1000 + (2500 if src % 10 == 0
                                                                  else -100)
                  + (750 if month == 9 and src % 11 == 0 else 0)})  # moved since August
        if src != k:  # the repeat carries no money
            row.update({"Budget (£)": None, "Spend to Date": None, "Forecast Outturn": None})
        if src % 23 == 0:
            row.update({"Status": "Complete", "% Complete": 100})
        if src % 31 == 0:
            row.update({"Status": "Not started", "% Complete": 0,
                        "Start Date": date(2019, 1, 1)})
        if month == 8 and src % 50 == 7:
            row["Last Updated"] = date(2018, 9, 3)  # after the period's end
        if src % 90 == 1:
            row["Last Updated"] = date(2018, 5, 1)  # overdue
        rows.append(row)
    if t == 0:  # a cancelled action forecast to overspend: left out of every finance figure
        rows[1].update({"Status": "Cancelled", "Forecast Outturn": 90000})
    return rows


def _write_plan(workbooks: Path, month: int) -> None:
    if workbooks.exists():
        shutil.rmtree(workbooks)
    workbooks.mkdir(parents=True)
    for t in range(TRACKERS):
        if month == 9 and t == TRACKERS - 1:
            continue  # gone in September: its actions are carried forward
        write_tracker(workbooks / f"tracker-{t:02d}.xlsx", _plan_rows(t, month))
    (workbooks / "minutes.docx").write_bytes(b"not a tracker")  # an info note


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    folder = tmp_path_factory.mktemp("big")
    _config(folder)
    out = []
    for month in (8, 9):
        _write_plan(folder / "workbooks", month)
        out.append(_cycle(folder, folder / "workbooks", f"2018-{month:02d}"))
    return out


# --------------------------------------------------------------------------- readers


_LEFT = re.compile(r"Left out of every count and total: (.*?)\. Each is listed", re.S)


def _left_out(text: str) -> dict[str, int]:
    """What the statement of what was left out counts (zeros when there is none): tracker
    rows and their budget, those under an objective not configured and theirs, tracker
    files that could not be read, other files not read."""
    out = {"rows": 0, "budget": 0, "unknown": 0, "unknown_budget": 0, "trackers": 0,
           "others": 0}
    m = _LEFT.search(" ".join(text.split()))
    if not m:
        return out
    said = m.group(1)
    rows = re.search(r"(\d[\d,]*) tracker rows? that could not be rated, (?:carrying "
                     r"(£[\d,]+) of budget|with no budget given)", said)
    if rows:
        out["rows"] = _int(rows.group(1))
        out["budget"] = _pounds(rows.group(2)) if rows.group(2) else 0
        unknown = re.search(r"\((?:(\d[\d,]*) of them|(each))? ?under an objective that is "
                            r"not in the configuration(?:, with (£[\d,]+))?\)", said)
        if unknown:
            out["unknown"] = _int(unknown.group(1)) if unknown.group(1) else out["rows"]
            out["unknown_budget"] = (_pounds(unknown.group(3)) if unknown.group(3)
                                     else out["budget"])
    for key, pattern in (("trackers", r"(\d[\d,]*) tracker files? that could not be read"),
                         ("others", r"(\d[\d,]*) other files? in the trackers folder")):
        found = re.search(pattern, said)
        if found:
            out[key] = _int(found.group(1))
    return out


class Facts:
    """Facts by name, each with the places that state it."""

    def __init__(self) -> None:
        self.by_name: dict[str, dict[str, object]] = defaultdict(dict)
        self.problems: list[str] = []

    def add(self, place: str, name: str, value: object) -> None:
        seen = self.by_name[name]
        if place in seen and seen[place] != value:
            self.problems.append(f"{place} states {name} twice: {seen[place]!r} and {value!r}")
        seen[place] = value

    def check(self, ok: bool, what: str) -> None:
        if not ok:
            self.problems.append(what)

    def disagreements(self) -> list[str]:
        out = list(self.problems)
        for name, places in sorted(self.by_name.items()):
            if len({json.dumps(v, sort_keys=True, default=str) for v in places.values()}) > 1:
                out.append(f"{name}: " + "; ".join(f"{p} {_short(v)}" for p, v in places.items()))
        return out


def _paper_blocks(path: Path):
    """('p', text) and ('t', rows of cell texts) in document order."""
    doc = Document(str(path))
    out = []
    for child in doc.element.body.iterchildren():
        if child.tag == W + "p":
            out.append(("p", Paragraph(child, doc).text))
        elif child.tag == W + "tbl":
            out.append(("t", [[c.text for c in r.cells] for r in Table(child, doc).rows]))
    return out, doc


def _ids_in_lines(text: str) -> list[str]:
    return [line.split()[0] for line in text.split("\n")[1:]
            if line.strip() and not line.startswith("and ")]


def read_paper(f: Facts, folder: Path, label: str) -> None:
    blocks, doc = _paper_blocks(folder / f"board-report-{label}.docx")
    paras = [b for k, b in blocks if k == "p"]
    tables = [b for k, b in blocks if k == "t"]
    text = "\n".join(paras)
    first = next(i for i, p in enumerate(paras) if p.startswith("Purpose of the report"))
    page_one = "\n".join(paras[:first])

    # counts by RAG (Table 1) and the shares of rated
    t1 = next(t for t in tables if t[0][:3] == ["Rating", "Meaning", "Actions"])
    f.add("paper", "rag.now", {r[0].split()[0]: _int(r[2]) for r in t1[1:]})
    if t1[0][4] != "Last period":
        f.add("paper", "rag.before", {r[0].split()[0]: _int(r[4]) for r in t1[1:]})
    shares = [int(r[3].rstrip("%")) for r in t1[1:] if r[3].endswith("%")]
    f.check(not shares or sum(shares) == 100, f"paper: shares of rated add to {sum(shares)}%")

    for place, where in (("paper:page1", page_one), ("paper:summary", text[len(page_one):])):
        m = re.search(r"the plan has (\d[\d,]*) distinct actions \((\d[\d,]*) tracker rows", where)
        if m:
            f.add(place, "plan", [_int(m.group(1)), _int(m.group(2))])
        else:
            m = re.search(r"the plan has (\d[\d,]*) actions", where)
            if m:
                f.add(place, "plan", [_int(m.group(1)), _int(m.group(1))])
    m = re.search(r"; (\d[\d,]*|none) (?:is|are) Red", page_one)
    if m:
        f.add("paper:page1", "rag.now.Red", 0 if m.group(1) == "none" else _int(m.group(1)))
    f.add("paper", "rag.now.Red", f.by_name["rag.now"]["paper"]["Red"])

    # changes since last period: one line per action, no action in two lists
    listed: dict[str, str] = {}
    for p in paras:
        m = re.match(r"(Newly Red|Worsened|Improved|Newly complete|New actions|"
                     r"No longer reported) \((\d[\d,]*)\)", p)
        if not m:
            continue
        kind = KINDS[m.group(1)]
        ids = _ids_in_lines(p)
        f.add("paper", f"changes.{kind}.count", _int(m.group(2)))
        if len(ids) == _int(m.group(2)):
            f.add("paper", f"changes.{kind}", sorted(ids))
        f.check(len(ids) == len(set(ids)), f"paper: {kind} lists an action twice: {ids}")
        for i in ids:
            f.check(i not in listed, f"paper: {i} is under both {listed.get(i)} and {kind}")
            listed[i] = kind

    # exceptions: the body's table (then "a further N"), and Appendix B, in one order
    body = next((t for t in tables if t[0][:2] == ["Action", "Lead officer"]), None)
    if body is not None:
        ids = [r[0].split()[0] for r in body[1:]]
        m = re.search(r"A further (\d[\d,]*) Red and (\d[\d,]*) Amber", text)
        more = _int(m.group(1)) + _int(m.group(2)) if m else 0
        f.add("paper:body", "exceptions.count", len(ids) + more)
        if not more:
            f.add("paper:body", "exceptions", ids)
        full = next(t for t in tables if t[0][:2] == ["Action", "Lead officer and dates"])
        full_ids = [r[0].split()[0] for r in full[1:] if not r[0].startswith("Commentary")]
        f.add("paper:appendix", "exceptions", full_ids)
        f.add("paper:appendix", "exceptions.count", len(full_ids))
        f.check(full_ids[:len(ids)] == ids, "paper: the body's exceptions are not the first "
                                            "of Appendix B's, in its order")

    # finance in £000: page 1, the summary, Table 4 and the implications
    k = r"(−?£\d[\d,]*(?:\.\d)?k)"
    for place, pattern in (
            ("paper:page1", rf"Finance: forecast outturn {k} against a budget of {k}"),
            ("paper:summary", rf"Finance: forecast outturn {k} against a budget of {k}"),
            ("paper:implications", rf"the forecast outturn is {k} against a budget of {k}")):
        where = page_one if place == "paper:page1" else text[len(page_one):]
        m = re.search(pattern, where)
        if m:
            f.add(place, "finance.k", {"forecast": m.group(1), "budget": m.group(2)})
    t4 = next((t for t in tables if t[0][0] == "Funding stream"), None)
    if t4 is not None:
        f.add("paper:table", "streams", [r[0] for r in t4[1:-1]])
        total = t4[-1]
        f.add("paper:table", "finance.k", {"forecast": total[4], "budget": total[2]})

        def k_value(cell: str) -> float:
            return float(re.sub(r"[^\d.]", "", cell) or 0) * (-1 if "−" in cell else 1)
        for col, name in ((2, "budget"), (3, "spend"), (4, "forecast")):
            parts = round(sum(k_value(r[col]) for r in t4[1:-1]), 1)
            f.check(parts == k_value(total[col]),
                    f"paper: Table 4's {name} by stream adds to £{parts:,}k, its total "
                    f"says {total[col]}")

    # finance exceptions: page 1, the body and the implications
    m = re.search(r"(\d[\d,]*) actions? (?:is|are) forecast to overspend", page_one)
    f.add("paper:page1", "finance.exceptions.count", _int(m.group(1)) if m else 0)
    m = re.search(r"(\d[\d,]*|No) actions? forecasts? an overspend", text[len(page_one):])
    if m:
        f.add("paper:body", "finance.exceptions.count", _int(m.group(1)))
    m = re.search(r"([A-Z][a-z]+|\d[\d,]*) actions? forecasts? an overspend totalling", text)
    imp = next((p for p in paras if p.startswith(("For ", "With the budget period"))), "")
    m = re.search(r"(\w+|\d[\d,]*) actions? forecasts? an overspend", imp)
    if m:
        f.add("paper:implications", "finance.exceptions.count", _int(m.group(1)))

    # RAG challenges: page 1, the data-quality counts and Appendix D
    m = re.search(r"(\d[\d,]*) actions? ha(?:s|ve) a RAG challenge", page_one)
    f.add("paper:page1", "challenges.count", _int(m.group(1)) if m else 0)
    m = re.search(r"(\d[\d,]*) RAG challenges?\b", text[len(page_one):])
    if m:
        f.add("paper:data-quality", "challenges.count", _int(m.group(1)))
    m = re.search(r"(\d[\d,]*) actions? where the lead officer's RAG", text)
    f.add("paper:appendix", "challenges.count", _int(m.group(1)) if m else 0)

    # problems found by the checks
    m = re.search(r"(\d[\d,]*) errors? \(rows or files left out of the ratings\) and (\d[\d,]*) "
                  r"warnings?", text)
    if m:
        f.add("paper", "issues", {"error": _int(m.group(1)), "warning": _int(m.group(2))})

    # indicators: the body's table
    t3 = next((t for t in tables if t[0][:3] == ["Indicator", "Latest", "Target"]), None)
    if t3 is not None:
        f.add("paper", "kpis.latest", {r[0].split()[0]: r[1].split("\n")[0] for r in t3[1:]})

    # RAG by objective: Figure 1's alt text
    for el in doc.element.body.iter(WP + "docPr"):
        if el.get("name") == "Ratings by objective":
            by = {}
            for part in el.get("descr").split(". ", 1)[1].rstrip(".").split("; "):
                name, _, counts = part.partition(": ")
                by[name] = {w: int(n) for n, w in re.findall(r"(\d+) (\w+)", counts)}
            f.add("paper", "objectives", by)

    # what was left out of every count and total: page 1, the data-quality counts and
    # Appendix D's table (its rows adding to its total)
    f.add("paper:page1", "left_out", _left_out(page_one))
    m = re.search(r"(\d[\d,]*) tracker rows? left out of every count and total "
                  r"\((£[\d,]+) of budget\)", text[len(page_one):])
    f.add("paper:data-quality", "left_out.rows",
          [_int(m.group(1)), _pounds(m.group(2))] if m else [0, 0])
    t = next((t for t in tables if t[0] == ["Where", "Action ID", "Why", "Budget"]), None)
    if t is None:
        f.add("paper:appendix", "left_out.rows", [0, 0])
    else:
        parts = [_pounds(r[3]) for r in t[1:-1] if r[3] != "–"]
        f.check(t[-1][0] == "Total" and sum(parts) == _pounds(t[-1][3]),
                f"paper: Appendix D's rows left out add to £{sum(parts):,}, its total says "
                f"{t[-1][3]}")
        f.add("paper:appendix", "left_out.rows", [len(t) - 2, _pounds(t[-1][3])])
    # the data-quality appendix names a file that is not a tracker once, never among the
    # trackers that could not be read
    appendix = text[text.index("Appendix D"):] if "Appendix D" in text else ""
    m = re.search(r"(\d[\d,]*) tracker files? of (\d[\d,]*) could not be read", appendix)
    if m:
        f.add("paper:appendix", "files.refused", _int(m.group(1)))

    # coverage and updates after the period
    m = re.search(r"(\d[\d,]*) of the plan's (\d[\d,]*) (?:actions|tracker rows)", text)
    if m:
        f.add("paper", "coverage", [_int(m.group(1)), _int(m.group(2))])
    m = re.search(r"hold (\d[\d,]*) updates? made after", page_one)
    if m:
        f.add("paper", "late", _int(m.group(1)))


def read_workbook(f: Facts, folder: Path, label: str) -> None:
    wb = openpyxl.load_workbook(folder / f"consolidated-{label}.xlsx", data_only=True)
    ws = wb["Summary"]
    rows = [[c for c in r] for r in ws.iter_rows(values_only=True)]
    labels = {str(r[0]): r for r in rows if r and r[0] is not None}
    plan = labels.get("Actions in the plan")
    if plan:
        f.add("workbook", "plan.actions", plan[1])
        rows_n = labels.get("Tracker rows")
        f.add("workbook", "plan", [plan[1], rows_n[1] if rows_n else plan[1]])
    if "Validation errors" in labels:
        f.add("workbook", "issues", {"error": labels["Validation errors"][1],
                                     "warning": labels["Warnings"][1]})
    for r in rows:
        if r and isinstance(r[0], str) and "of the plan's" in r[0]:
            m = re.search(r"(\d[\d,]*) of the plan's (\d[\d,]*)", r[0])
            f.add("workbook", "coverage", [_int(m.group(1)), _int(m.group(2))])
    f.add("workbook", "left_out", _left_out("\n".join(
        r[0] for r in rows[:6] if r and isinstance(r[0], str))))
    left_rows = labels.get("Tracker rows left out of every count and total")
    if left_rows:
        money = labels.get("Budget of the rows left out")
        f.add("workbook", "left_out.rows", [left_rows[1], round(money[1]) if money else 0])
    head = next(i for i, r in enumerate(rows) if r[0] == "Objective" and r[1] == "Red")
    objectives, i = {}, head + 1
    while rows[i][0] and str(rows[i][0]).startswith("Objective"):
        objectives[rows[i][0]] = {w: rows[i][1 + j] for j, w in enumerate(RAGS)
                                  if w != "Cancelled" and rows[i][1 + j]}
        i += 1
    f.add("workbook", "objectives", objectives)
    distinct = next((r for r in rows[i:] if r[0] and "each action once" in str(r[0])),
                    rows[i])
    f.add("workbook", "rag.now", {w: distinct[1 + j] for j, w in enumerate(RAGS)})
    f.add("workbook", "rag.now.Red", distinct[1])
    ftop = next(i for i, r in enumerate(rows) if r[0] == "Funding stream")
    total = next(r for r in rows[ftop:] if r[0] == "Total")
    f.add("workbook", "finance", {"budget": round(total[2]), "spend": round(total[3]),
                                  "forecast": round(total[4])})
    heads = rows[ftop]
    f.add("workbook:summary", "streams", [r[0] for r in rows[ftop + 1:] if r[0]][
        :[r[0] for r in rows[ftop + 1:]].index("Total")])
    f.add("workbook:summary", "finance.movement", _money(total[heads.index("Movement")]))
    f.add("workbook:summary", "finance.forecast.pennies", _money(total[4]))

    fin = [[c for c in r] for r in wb["Finance"].iter_rows(values_only=True)]
    budget = next(i for i, r in enumerate(fin) if r[0] == "Budget (£)")
    names = [r[0] for r in fin[budget + 2:]]
    f.add("workbook:finance", "streams", names[:names.index("Total")])
    top = next(i for i, r in enumerate(fin) if str(r[0]).startswith("Spent, and forecast"))
    head = next(i for i in range(top, len(fin)) if fin[i][0] == "Funding stream")
    moved = next(r for r in fin[head:] if r[0] == "Total")
    f.add("workbook:finance", "finance.movement", _money(moved[fin[head].index("Movement")]))
    f.add("workbook:finance", "finance.forecast.pennies", _money(moved[4]))
    off = [[c for c in r] for r in wb["Officers"].iter_rows(values_only=True)]
    ohead = next(i for i, r in enumerate(off) if r[0] == "Lead officer")
    ototal = dict(zip(off[ohead], next(r for r in off[ohead:] if r[0] == "Total")))
    f.add("workbook:officers", "finance.movement", _money(ototal["Movement"]))
    f.add("workbook:officers", "finance.forecast.pennies", _money(ototal["Forecast"]))
    f.add("workbook:officers", "plan.actions", ototal["Actions"])
    f.add("workbook:officers", "rag.now.Red", ototal["Red"])
    top = next(i for i, r in enumerate(fin) if r[0] == "Finance exceptions by action")
    ids = [str(r[0]).split(":")[0] for r in fin[top + 1:]
           if r[0] and r[1] and r[5] in ("Red", "Amber")]
    f.add("workbook", "finance.exceptions.count", len(ids))
    f.add("workbook", "finance.exceptions", sorted(ids))
    kpis = [[c for c in r] for r in wb["KPIs"].iter_rows(min_row=5, values_only=True)]
    if kpis and kpis[0][0]:
        f.add("workbook", "kpis.latest.n", {r[0]: r[7] for r in kpis if r[0]})


def _cells(row) -> list[str]:
    return [" ".join(c.text_content().split()) for c in row.xpath("./th|./td")]


def read_dashboard(f: Facts, folder: Path) -> None:
    page = lxml_html.fromstring((folder / "dashboard" / "index.html").read_bytes())
    table = page.xpath("//caption[starts-with(normalize-space(), 'Actions by rating, "
                       "with')]/..")[0]
    rows = [_cells(r) for r in table.xpath(".//tbody/tr")]
    f.add("dashboard", "rag.now", {_rag_word(r[0]): _int(r[1]) for r in rows})
    f.add("dashboard", "rag.now.Red", _int(rows[0][1]))
    if rows[0][2] != "–":
        f.add("dashboard", "rag.before", {_rag_word(r[0]): _int(r[2]) for r in rows})
    summary = " ".join(page.xpath("//section[@id='summary']/p")[0].text_content().split())
    m = re.search(r"(\d[\d,]*) newly Red, (\d[\d,]*) worsened, (\d[\d,]*) improved, (\d[\d,]*) "
                  r"newly complete", summary)
    if m:
        for kind, n in zip(("newly_red", "worsened", "improved", "newly_complete"),
                           m.groups()):
            f.add("dashboard", f"changes.{kind}.count", _int(n))
    obj = page.xpath("//caption[normalize-space()='Actions by rating and objective']/..")[0]
    heads = [_rag_word(c) for c in _cells(obj.xpath(".//thead/tr")[0])[1:-1]]
    objectives = {}
    for r in obj.xpath(".//tbody/tr"):
        cells = _cells(r)
        name = " ".join(cells[0].split()[:2]).rstrip(":")
        objectives[name] = {h: _int(n) for h, n in zip(heads, cells[1:-1]) if _int(n)}
    f.add("dashboard", "objectives", objectives)
    ids = [h.text_content().strip()
           for h in page.xpath("//details[@class='exception']/summary/span[@class='id']")]
    f.add("dashboard", "exceptions", ids)
    f.add("dashboard", "exceptions.count", len(ids))
    kpis = page.xpath("//caption[starts-with(normalize-space(), 'Indicators:')]/..")
    if kpis:
        f.add("dashboard", "kpis.latest", {
            c[0].split()[0]: c[1].rsplit(" ", 2)[0] for c in
            (_cells(r) for r in kpis[0].xpath(".//tbody/tr"))})
    fin = page.xpath("//caption[starts-with(normalize-space(), 'Budget, spend and "
                     "forecast')]/..")[0]
    frows = [_cells(r) for r in fin.xpath(".//tbody/tr")]
    total = frows[-1]
    f.add("dashboard", "finance", {"budget": _pounds(total[2]), "spend": _pounds(total[3]),
                                   "forecast": _pounds(total[4])})
    for col, name in ((2, "budget"), (3, "spend"), (4, "forecast")):
        parts = sum(_pounds(r[col]) for r in frows[:-1] if r[col] != "–")
        f.check(parts == _pounds(total[col]), f"dashboard: {name} by stream adds to "
                                              f"£{parts:,}, its total says {total[col]}")
    ex = page.xpath("//caption[normalize-space()='Actions forecasting an overspend']/..")
    ids = [_cells(r)[0].split()[0] for r in ex[0].xpath(".//tbody/tr")] if ex else []
    f.add("dashboard", "finance.exceptions.count", len(ids))
    f.add("dashboard", "finance.exceptions", sorted(ids))
    m = re.search(r"(\d[\d,]*) (?:distinct )?actions rated", summary)
    f.add("dashboard", "rated", _int(m.group(1)))
    # the page-1 facts in plain words
    brief = " ".join(page.xpath("//section[@id='brief']")[0].text_content().split())
    first = " ".join(page.xpath("//section[@id='brief']//li")[0].text_content().split())
    m = re.search(r"The plan has (\d[\d,]*) actions?", first)
    f.add("dashboard:brief", "plan.actions", _int(m.group(1)))
    counts = {w: _int(n) for n, w in re.findall(
        r"(\d[\d,]*) (?:is |are )?(Red|Amber|Green|Blue|Grey)\b", first)}
    f.add("dashboard:brief", "rag.now.Red", counts["Red"])
    m = re.search(r"(\d[\d,]*) (?:was|were) cancelled", first)
    f.add("dashboard:brief", "rag.now", {**{w: counts.get(w, 0) for w in RAGS[:5]},
                                         "Cancelled": _int(m.group(1)) if m else 0})
    m = re.search(r"spend (£[\d,]+) in all by the end of the budget period, against budgets "
                  r"of (£[\d,]+)", brief)
    if m:
        f.add("dashboard:brief", "finance.pounds", {"forecast": _pounds(m.group(1)),
                                                     "budget": _pounds(m.group(2))})
    f.add("dashboard", "finance.pounds", {"forecast": _pounds(total[4]),
                                          "budget": _pounds(total[2])})
    f.add("dashboard", "streams", [r[0] for r in frows[:-1]])
    quality = " ".join(page.xpath("//section[@id='quality']/p")[0].text_content().split())
    found = {w: _int(n) for n, w in re.findall(r"(\d[\d,]*) (error|warning|info)", quality)}
    f.add("dashboard", "issues", {"error": found.get("error", 0),
                                  "warning": found.get("warning", 0)})
    f.add("dashboard", "left_out", _left_out(" ".join(
        n.text_content() for n in page.xpath("//p[@class='notice']"))))
    for notice in page.xpath("//p[@class='notice']"):
        text = notice.text_content()
        m = re.search(r"(\d[\d,]*) of the plan's (\d[\d,]*)", text)
        if m:
            f.add("dashboard", "coverage", [_int(m.group(1)), _int(m.group(2))])
        m = re.search(r"hold (\d[\d,]*) updates? made after", text)
        if m:
            f.add("dashboard", "late", _int(m.group(1)))


def read_index(f: Facts, out: Path, period_name: str) -> None:
    page = lxml_html.fromstring((out / "dashboard" / "index.html").read_bytes())
    # the trend: each month's bar (its label, then its total), oldest first
    trend = {}
    for row in page.xpath("//div[contains(@class, 'bars')]/div[@class='bar-row']"):
        label, total = [s.text_content() for s in row.xpath(".//span[@class='chart-label']")]
        trend[label] = _int(total)
    f.add("dashboard index trend", "rated", trend.get(period_name))
    f.check(list(trend) == sorted(trend, key=lambda n: (n.split()[1], _MONTHS.index(
        n.split()[0]))), f"index trend: months not oldest first: {list(trend)}")
    table = page.xpath("//table")[0]
    head = _cells(table.xpath(".//thead/tr")[0])
    heads = [_rag_word(c) for c in head[1:head.index("Total")]]
    for r in table.xpath(".//tbody/tr"):
        cells = _cells(r)
        if cells[0].startswith(period_name):
            counts = {h: _int(n) for h, n in zip(heads, cells[1:1 + len(heads)])}
            f.add("dashboard index", "rag.now", counts)
            f.add("dashboard index", "rag.now.Red", counts["Red"])
            f.add("dashboard index", "rated", _int(cells[1 + len(heads)])
                  - counts.get("Cancelled", 0))
    # every month of the table is in the trend, with the same total
    for r in table.xpath(".//tbody/tr"):
        cells = _cells(r)
        name = " ".join(cells[0].split()[:2])
        counts = {h: _int(n) for h, n in zip(heads, cells[1:1 + len(heads)])}
        f.check(trend.get(name) == _int(cells[1 + len(heads)]) - counts.get("Cancelled", 0),
                f"index: {name}'s trend bar says {trend.get(name)}, its row {cells}")


def _body(path: Path) -> str:
    with path.open("rb") as fh:
        msg = email.message_from_binary_file(fh, policy=default_policy)
    return msg.get_body(("plain",)).get_content()


def read_email(f: Facts, path: Path, place: str) -> None:
    text = _body(path)
    f.add(place, "left_out", _left_out(text))
    head = "Left out of every count and total (each is an error"
    if head in text:
        listed = text[text.index(head):].split("\n")[1:]
        f.add(place, "left_out.listed",
              len(list(takewhile(lambda line: line.startswith("   - "), listed))))
    elif place == "team email":
        f.add(place, "left_out.listed", 0)
    m = re.search(r"The plan has (\d[\d,]*) (distinct )?actions(?: \((\d[\d,]*) tracker rows\))?"
                  r": ([^.\n]*)\.", text)
    if m:
        f.add(place, "plan", [_int(m.group(1)), _int(m.group(3) or m.group(1))])
        counts = {w: 0 for w in RAGS}
        counts.update({w: _int(n) for n, w in re.findall(r"(\d[\d,]*) (\w+)", m.group(4))})
        f.add(place, "rag.now", counts)
        f.add(place, "rag.now.Red", counts["Red"])
    m = re.search(r"Newly Red since [^:]+: ([^.\n]+)\.", text)
    if m and "more" not in m.group(1):
        f.add(place, "changes.newly_red", sorted(re.findall(r"\b[A-Z]+\d*-\d+\b",
                                                            m.group(1))))
    m = re.search(r"budget (£\d[\d,]*), forecast outturn (£\d[\d,]*)", text)
    if m:
        f.add(place, "finance.budget", _pounds(m.group(1)))
        f.add(place, "finance.forecast", _pounds(m.group(2)))
    m = re.search(r"(\d[\d,]*) error\(s\) and (\d[\d,]*) warning\(s\)", text)
    if m:
        f.add(place, "issues", {"error": _int(m.group(1)), "warning": _int(m.group(2))})
    m = re.search(r"(\d[\d,]*) of the plan's (\d[\d,]*)", text)
    if m:
        f.add(place, "coverage", [_int(m.group(1)), _int(m.group(2))])


def read_console(f: Facts, text: str) -> None:
    f.add("console", "left_out", _left_out(text))
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines)
                  if line.startswith("Left out of every count and total: ")), None)
    f.add("console", "left_out.listed", 0 if start is None else len(list(takewhile(
        lambda line: line.startswith("  "), lines[start + 1:]))))
    m = re.search(r"(\d[\d,]*) distinct actions \((\d[\d,]*) tracker rows\)", text)
    if m:
        f.add("console", "plan", [_int(m.group(1)), _int(m.group(2))])
    else:
        m = re.search(r"; (\d[\d,]*) actions,", text)
        f.add("console", "plan", [_int(m.group(1)), _int(m.group(1))])
    counts = {w: _int(n) for w, n in re.findall(r"\b(Red|Amber|Green|Blue|Grey|Cancelled)"
                                                r": (\d[\d,]*)", text)}
    f.add("console", "rag.now", counts)
    f.add("console", "rag.now.Red", counts["Red"])
    m = re.search(r"(\d[\d,]*) error\(s\), (\d[\d,]*) warning\(s\)", text)
    f.add("console", "issues", {"error": _int(m.group(1)), "warning": _int(m.group(2))})
    m = re.search(r"(\d[\d,]*) of the plan's (\d[\d,]*)", text)
    if m:
        f.add("console", "coverage", [_int(m.group(1)), _int(m.group(2))])
    m = re.search(r"hold (\d[\d,]*) updates? made after", text)
    if m:
        f.add("console", "late", _int(m.group(1)))


def read_manifest(f: Facts, folder: Path) -> None:
    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    f.add("manifest", "rag.now", {w: m["ratings"][w] for w in RAGS})
    f.add("manifest", "rag.now.Red", m["ratings"]["Red"])
    rows = m["counts"].get("tracker_rows", m["counts"]["actions"])
    f.add("manifest", "plan", [m["counts"]["actions"], rows])
    f.add("manifest", "issues", {"error": m["issues"]["error"],
                                 "warning": m["issues"]["warning"]})
    if "late_updates" in m:
        f.add("manifest", "late", m["late_updates"])
    counts = m["left_out_counts"]
    f.add("manifest", "left_out", {
        "rows": counts["rows"], "budget": counts["budget"],
        "unknown": counts["unknown_objective_rows"],
        "unknown_budget": counts["unknown_objective_budget"],
        "trackers": counts["tracker_files"], "others": counts["other_files"]})
    f.add("manifest", "left_out.rows", [counts["rows"], counts["budget"]])
    f.add("manifest", "left_out.listed", counts["rows"] + counts["tracker_files"])
    f.add("manifest", "files.refused", m["counts"]["files_refused"])
    listed = [x for x in m["left_out"] if x["row"] is not None]
    f.check(len(listed) == counts["rows"] and round(sum(x["budget"] or 0 for x in listed))
            == counts["budget"], "manifest: the rows listed under left_out do not add to "
                                 "left_out_counts")


def read_export(f: Facts, folder: Path, label: str) -> None:
    doc = json.loads((folder / f"export-{label}.json").read_text(encoding="utf-8"))
    changes = doc["changes"]
    if changes.get("previous_period"):
        for kind in KINDS.values():
            f.add("export", f"changes.{kind}.count", len(changes[kind]))
            f.add("export", f"changes.{kind}", sorted(changes[kind]))
    if "counts" in doc:
        f.add("export", "rag.now", doc["counts"]["now"])
        f.add("export", "rag.now.Red", doc["counts"]["now"]["Red"])
    if "issue_counts" in doc:
        f.add("export", "issues", {k: doc["issue_counts"][k] for k in ("error", "warning")})


def facts_of(run: dict) -> Facts:
    from reportgen.model import Period

    f = Facts()
    folder, label = run["dir"], run["period"]
    read_paper(f, folder, label)
    read_workbook(f, folder, label)
    read_dashboard(f, folder)
    read_index(f, run["out"], Period.parse(label).name)
    for name in ("board", "team"):
        path = folder / "outbox" / f"{name}.eml"
        if path.is_file():
            read_email(f, path, f"{name} email")
    read_console(f, run["console"])
    read_manifest(f, folder)
    read_export(f, folder, label)
    return f


# Each fact and the outputs that must state it (so that an output that stops stating a
# count does not pass by saying nothing).
REQUIRED = {
    "rag.now": {"paper", "workbook", "dashboard", "dashboard index", "board email",
                "team email", "console", "manifest", "export"},
    "plan": {"paper:page1", "paper:summary", "workbook", "console", "manifest",
             "board email"},
    "issues": {"paper", "workbook", "dashboard", "console", "manifest", "team email",
               "export"},
    "finance.exceptions.count": {"paper:page1", "paper:body", "paper:implications",
                                 "workbook", "dashboard"},
    "challenges.count": {"paper:page1", "paper:data-quality", "paper:appendix"},
    "exceptions": {"paper:appendix", "dashboard"},
    "objectives": {"paper", "workbook", "dashboard"},
    "left_out": {"paper:page1", "workbook", "dashboard", "board email", "team email",
                 "console", "manifest"},
    "left_out.rows": {"paper:data-quality", "paper:appendix", "workbook", "manifest"},
    "left_out.listed": {"team email", "console", "manifest"},
    "streams": {"paper:table", "workbook:summary", "workbook:finance", "dashboard"},
    "finance.movement": {"workbook:summary", "workbook:finance", "workbook:officers"},
    "finance.forecast.pennies": {"workbook:summary", "workbook:finance", "workbook:officers"},
    "plan.actions": {"workbook", "workbook:officers", "dashboard:brief"},
    "rated": {"dashboard", "dashboard index", "dashboard index trend"},
}


def _assert_one_view(run: dict) -> None:
    f = facts_of(run)
    problems = f.disagreements()
    for name, places in REQUIRED.items():
        missing = places - set(f.by_name.get(name, {}))
        if missing:
            problems.append(f"{name} is not stated by {', '.join(sorted(missing))}")
    assert not problems, f"{run['period']}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("month", [0, 1], ids=["2018-08", "2018-09"])
def test_every_output_of_the_samples_says_the_same(samples, month):
    _assert_one_view(samples[month])


@pytest.mark.parametrize("month", [0, 1], ids=["2018-08", "2018-09"])
def test_what_was_left_out_is_said_with_its_money_on_first_and_later_runs(samples, month):
    """The two rows reportgen could not rate are in no count or total, on the first run
    (no history to carry them from) as on the second: every output says how many, and
    the money they carry (£450,000, £240,000 of it under objective 4), the same way."""
    import slips

    facts = facts_of(samples[month]).by_name
    said = {"rows": 2, "budget": sum(slips.LEFT_OUT_BUDGET.values()), "unknown": 1,
            "unknown_budget": slips.LEFT_OUT_BUDGET[slips.UNKNOWN_OBJECTIVE_ID],
            "trackers": 0, "others": 1}
    assert set(facts["left_out"]) >= REQUIRED["left_out"]
    assert all(v == said for v in facts["left_out"].values()), facts["left_out"]
    assert all(v == [2, 450_000] for v in facts["left_out.rows"].values()), \
        facts["left_out.rows"]
    assert all(v == 2 for v in facts["left_out.listed"].values()), facts["left_out.listed"]
    # the file that is not a tracker is never counted among the trackers not read
    assert all(v == 0 for v in facts.get("files.refused", {}).values())


@pytest.mark.parametrize("month", [0, 1], ids=["2018-08", "2018-09"])
def test_every_output_of_a_1000_action_plan_says_the_same(big, month):
    _assert_one_view(big[month])


def test_the_august_paper_stops_at_august_and_names_later_updates(samples):
    """Trackers updated in September, reported for August: the paper and the console say
    how many updates post-date 31/08/2018, and no chart or table shows a month after it
    (charts and tables name months "Sep 2018"; the next report is "the September 2018
    report", which may be named)."""
    run = samples[0]
    f = facts_of(run)
    late = f.by_name.get("late", {})
    assert set(late) >= {"paper", "console", "manifest"}, late
    assert len(set(late.values())) == 1 and next(iter(late.values())) > 0
    blocks, doc = _paper_blocks(run["dir"] / "board-report-2018-08.docx")
    text = "\n".join(b if k == "p" else "\n".join(" | ".join(r) for r in b)
                     for k, b in blocks)
    assert "Sep 2018" not in text
    for el in doc.element.body.iter(WP + "docPr"):
        assert "Sep 2018" not in el.get("descr", "") and \
            "September 2018" not in el.get("descr", ""), el.get("descr")
    page = (run["dir"] / "dashboard" / "index.html").read_text(encoding="utf-8")
    assert "Sep 2018" not in page


@pytest.mark.parametrize("month", [0, 1], ids=["2018-08", "2018-09"])
def test_page_one_names_at_most_five_actions_at_any_plan_size(big, month):
    """At 1,000 actions the key messages name five actions at most, then count (never a
    string of IDs "… and 429 more")."""
    from reportgen.view.prose import NAMED_LIMIT

    run = big[month]
    blocks, _ = _paper_blocks(run["dir"] / f"board-report-{run['period']}.docx")
    paras = [b for k, b in blocks if k == "p"]
    start = paras.index("Key messages")
    messages = paras[start + 1:paras.index("Purpose of the report")]
    named = set(re.findall(r"\bP\d\d-\d{3}\b", " ".join(messages)))
    assert 0 < len(named) <= NAMED_LIMIT == 5, named
    assert all(len(re.findall(r"\bP\d\d-\d{3}\b", m)) <= 3 for m in messages)


def test_the_forecasts_moved_in_september_say_so_in_every_sheet(big):
    """The 1,000-action plan's September forecasts moved (every eleventh action by £750):
    the Summary, the Finance sheet and the Officers sheet state the same movement, and it
    is not nothing (so the comparison above compares something)."""
    f = facts_of(big[1])
    moved = f.by_name["finance.movement"]
    assert set(moved) == {"workbook:summary", "workbook:finance", "workbook:officers"}
    assert len(set(moved.values())) == 1 and next(iter(moved.values())) not in (None, 0)
    assert facts_of(big[0]).by_name["finance.movement"]["workbook:summary"] is None
