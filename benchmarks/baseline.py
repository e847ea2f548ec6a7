"""The straightforward way, for comparison: what a capable analyst would write first.

pandas.read_excel of each tracker's first sheet, the header found as the first well-filled
row and the columns picked by a few header words (the samples use four layouts), merged
Objective cells forward-filled, a vectorised RAG, one matplotlib chart, a python-docx table
filled row by row with ``add_row().cells`` (the documented idiom; ``table.cell(r, c)`` would
be far slower), and ``DataFrame.to_excel``. It does far less than reportgen: no validation
or issues, no KPIs, no history, no feedback files, one chart, one table. Prints stage
timings as JSON.

    python benchmarks/baseline.py TRACKERS_DIR OUT_DIR
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

# field -> header words, tried in order; the first header containing one is the column
WORDS = {
    "ID": ["ref", "action no", "id"],
    "Objective": ["objective"],
    "Action": ["what will we do", "what we will do", "description", "action"],
    "Lead Officer": ["officer", "owner"],
    "Funding": ["funding"],
    "Start": ["start"],
    "End": ["end date", "target date", "timescales"],
    "Status": ["status"],
    "% Complete": ["%"],
    "RAG": ["rag"],
    "Progress Update": ["progress update", "commentary", "comments"],
    "Budget": ["budget"],
    "Spend": ["spend", "expenditure"],
    "Outturn": ["outturn"],
}
COLUMNS = ["ID", "Action", "Lead Officer", "End", "Status", "% Complete", "RAG",
           "Progress Update"]


def read_tracker(path: Path) -> pd.DataFrame:
    raw = pd.read_excel(path, sheet_name=0, header=None, engine="openpyxl")  # the default
    header = int((raw.notna().sum(axis=1) >= 8).idxmax())
    names = [str(h).strip().lower() for h in raw.iloc[header]]
    picked = {}
    for field, words in WORDS.items():
        for word in words:
            hits = [i for i, name in enumerate(names) if word in name and i not in
                    picked.values()]
            if hits:
                picked[field] = hits[0]
                break
    df = raw.iloc[header + 1:, list(picked.values())]
    df.columns = list(picked)
    df = df[df.notna().sum(axis=1) >= 3].copy()  # banner rows between blocks
    for field in WORDS:
        if field not in df:
            df[field] = None
    df["Objective"] = df["Objective"].ffill()
    df["source"] = path.name
    return df


def main(trackers: Path, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    timings = {}
    t = time.perf_counter()
    frames = [read_tracker(path) for path in sorted(trackers.glob("*.xlsx"))
              if "kpi" not in path.stem.lower() and not path.name.startswith("~$")]
    actions = pd.concat(frames, ignore_index=True)
    timings["read"] = time.perf_counter() - t

    t = time.perf_counter()
    as_of = pd.Timestamp(2018, 9, 30)
    start = pd.to_datetime(actions["Start"], errors="coerce", format="mixed", dayfirst=True)
    end_text = actions["End"].astype(str).str.split("–").str[-1]
    end = pd.to_datetime(actions["End"], errors="coerce", format="mixed", dayfirst=True) \
        .fillna(pd.to_datetime(end_text, errors="coerce", format="mixed", dayfirst=True))
    done = pd.to_numeric(actions["% Complete"], errors="coerce").fillna(0)
    done = done.where(done <= 1, done / 100)
    expected = ((as_of - start).dt.days / (end - start).dt.days).clip(0, 1) * 100
    slip = expected - done * 100
    actions["Computed"] = "Green"
    actions.loc[slip >= 10, "Computed"] = "Amber"
    actions.loc[(slip >= 25) | (end < as_of), "Computed"] = "Red"
    actions.loc[actions["Status"].astype(str).str.lower() == "complete", "Computed"] = "Blue"
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
    money = ["Budget", "Spend", "Outturn"]
    actions[money] = actions[money].apply(pd.to_numeric, errors="coerce")
    with pd.ExcelWriter(out / "baseline-consolidated.xlsx") as writer:
        actions.to_excel(writer, sheet_name="Actions", index=False)
        actions.groupby("Funding")[money].sum().to_excel(writer, sheet_name="Finance")
    timings["workbook"] = time.perf_counter() - t
    timings["actions"] = len(actions)
    return timings


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]))))
