"""The straightforward way, for comparison: what a capable analyst would write first.

pandas.read_excel per tracker (it is told the header row, which is generous), a
vectorised RAG, one matplotlib chart, a python-docx table filled row by row with
``add_row().cells`` (the documented idiom; ``table.cell(r, c)`` would be far slower), and
``DataFrame.to_excel``. Prints stage timings as JSON.

    python benchmarks/baseline.py CORPUS_DIR OUT_DIR
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from docx import Document  # noqa: E402

COLUMNS = ["ID", "What Will We Do?", "Lead Officer", "End Date", "Status", "% Complete",
           "RAG", "Progress Update"]


def main(corpus: Path, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    timings = {}
    t = time.perf_counter()
    frames = []
    for path in sorted(corpus.glob("*.xlsx")):
        df = pd.read_excel(path, sheet_name="Actions", header=3)
        df["source"] = path.name
        frames.append(df)
    actions = pd.concat(frames, ignore_index=True)
    actions = actions.dropna(subset=["ID"])
    timings["read"] = time.perf_counter() - t

    t = time.perf_counter()
    as_of = pd.Timestamp(2018, 9, 30)
    start = pd.to_datetime(actions["Start Date"])
    end = pd.to_datetime(actions["End Date"])
    expected = ((as_of - start).dt.days / (end - start).dt.days).clip(0, 1) * 100
    slip = expected - actions["% Complete"].fillna(0) * 100
    actions["Computed"] = "Green"
    actions.loc[slip >= 10, "Computed"] = "Amber"
    actions.loc[(slip >= 25) | (end < as_of), "Computed"] = "Red"
    actions.loc[actions["Status"] == "Complete", "Computed"] = "Blue"
    counts = actions.groupby(["Objective", "Computed"]).size().unstack(fill_value=0)
    timings["rate"] = time.perf_counter() - t

    t = time.perf_counter()
    fig, ax = plt.subplots(figsize=(6, 3))
    counts.plot.bar(stacked=True, ax=ax)
    fig.savefig(out / "chart.png", dpi=150)
    plt.close(fig)
    doc = Document()
    doc.add_heading("Monitoring report", 0)
    doc.add_picture(str(out / "chart.png"))
    table = doc.add_table(rows=1, cols=len(COLUMNS) + 1)
    for cell, name in zip(table.rows[0].cells, COLUMNS + ["Computed"]):
        cell.text = name
    for row in actions[COLUMNS + ["Computed"]].itertuples(index=False):
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = "" if pd.isna(value) else str(value)
    doc.save(out / "baseline-report.docx")
    timings["word"] = time.perf_counter() - t

    t = time.perf_counter()
    with pd.ExcelWriter(out / "baseline-consolidated.xlsx") as writer:
        actions.to_excel(writer, sheet_name="Actions", index=False)
        actions.groupby("Funding")[["Budget (£)", "Spend to Date", "Forecast Outturn"]] \
            .sum().to_excel(writer, sheet_name="Finance")
    timings["workbook"] = time.perf_counter() - t
    timings["actions"] = len(actions)
    return timings


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]))))
