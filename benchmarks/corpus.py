"""Generate a benchmark corpus: N trackers × M actions in the officers' real layout.

Title rows above the header, the header at B4, merged Objective and Desired Outcome
cells, dates as real Excel dates, % complete percent-formatted, money with £ formats,
and a commentary paragraph per row. Deterministic for a given (N, M, seed).

    python benchmarks/corpus.py --trackers 300 --actions 40 --out benchmarks/corpus-300x40
"""

from __future__ import annotations

import argparse
import random
from datetime import datetime, timedelta
from pathlib import Path

import xlsxwriter

HEADERS = ["ID", "Objective", "Desired Outcome", "What Will We Do?", "Lead Officer",
           "Locality", "Funding", "Start Date", "End Date", "Target Impact/Benefits",
           "Status", "% Complete", "RAG", "Last Updated", "Progress Update",
           "Corrective Action", "Budget (£)", "Spend to Date", "Forecast Outturn"]
STREAMS = ["(Integrated Care Fund)", "(Transformation Programme)",
           "(Core Funding Investment)", "(Integrated Care Fund) (Transformation Programme)"]
LOCALITIES = ["Berwickshire", "Cheviot", "Eildon", "Teviot & Liddesdale", "Tweeddale"]
OFFICERS = ["Morag Elliot", "Iain Scott", "Aileen Kerr", "Craig Hume", "Fiona Laidlaw",
            "Euan Turnbull"]
STATUSES = ["In progress"] * 6 + ["Complete"] * 2 + ["Not started", "On hold"]


def write_tracker(path: Path, t: int, actions: int, rng: random.Random) -> None:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                         "strings_to_urls": False,
                                         "strings_to_numbers": False})
    wb.set_properties({"created": datetime(2018, 10, 1)})
    ws = wb.add_worksheet("Actions")
    bold = wb.add_format({"bold": True, "text_wrap": True, "bg_color": "#DDEBF7",
                          "border": 1})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    date = wb.add_format({"num_format": "dd/mm/yyyy", "valign": "top"})
    pct = wb.add_format({"num_format": "0%", "valign": "top"})
    money = wb.add_format({"num_format": "£#,##0", "valign": "top"})
    ws.write_string(0, 1, "Scottish Borders Health & Social Care Partnership", bold)
    ws.write_string(1, 1, f"Commissioning & Implementation Plan – tracker {t:03d}")
    for c, h in enumerate(HEADERS):
        ws.write_string(3, 1 + c, h, bold)
    objective = 1 + t % 3
    group = 0
    for i in range(actions):
        r = 4 + i
        if i % 5 == 0:  # a merged Objective/Outcome block every five rows
            span = min(5, actions - i)
            outcome = f"Desired outcome {group} for tracker {t}"
            if span > 1:
                ws.merge_range(r, 2, r + span - 1, 2, objective, wrap)
                ws.merge_range(r, 3, r + span - 1, 3, outcome, wrap)
            else:
                ws.write_number(r, 2, objective, wrap)
                ws.write_string(r, 3, outcome, wrap)
            group += 1
        start = datetime(2017, 4, 1) + timedelta(days=rng.randrange(0, 400))
        end = start + timedelta(days=rng.randrange(200, 900))
        status = rng.choice(STATUSES)
        done = 1.0 if status == "Complete" else round(rng.random(), 2)
        budget = rng.randrange(5, 200) * 1000
        ws.write_string(r, 1, f"T{t:03d}-{i + 1:02d}")
        ws.write_string(r, 4, f"We will deliver improvement {i + 1} of tracker {t}, working "
                              "with partners across health and social care.", wrap)
        ws.write_string(r, 5, rng.choice(OFFICERS))
        ws.write_string(r, 6, rng.choice(LOCALITIES))
        ws.write_string(r, 7, rng.choice(STREAMS), wrap)
        ws.write_datetime(r, 8, start, date)
        ws.write_datetime(r, 9, end, date)
        ws.write_string(r, 10, "Reduced demand on statutory services.", wrap)
        ws.write_string(r, 11, status)
        ws.write_number(r, 12, done, pct)
        ws.write_string(r, 13, rng.choice("RAGG"))
        ws.write_datetime(r, 14, datetime(2018, 9, 1) + timedelta(days=rng.randrange(-80, 29)),
                          date)
        ws.write_string(r, 15, "Work continues with partners; recruitment is complete and "
                               "the service is operating in two localities.", wrap)
        ws.write_string(r, 16, "Recovery plan agreed." if rng.random() < 0.3 else "")
        ws.write_number(r, 17, budget, money)
        ws.write_number(r, 18, round(budget * rng.random() * 0.8), money)
        ws.write_number(r, 19, round(budget * rng.uniform(0.85, 1.1)), money)
    ws.freeze_panes(4, 0)
    ws.autofilter(3, 1, 3 + actions, len(HEADERS))
    wb.close()


def make_corpus(out: Path, trackers: int, actions: int, seed: int = 2018) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    for t in range(trackers):
        write_tracker(out / f"tracker-{t:03d}.xlsx", t, actions, rng)
    return out


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--trackers", type=int, default=300)
    p.add_argument("--actions", type=int, default=40)
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args()
    out = args.out or Path(__file__).parent / f"corpus-{args.trackers}x{args.actions}"
    make_corpus(out, args.trackers, args.actions)
    print(out)
