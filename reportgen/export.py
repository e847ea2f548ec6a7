"""``reportgen export``: the rated actions and KPIs of one period as JSON or CSV, for
people who feed other tools (Power BI, a data warehouse).

Column names below are a stable interface (documented in docs/rating.md): new columns
may be added at the end, none is renamed or removed without a major version. Dates are
ISO 8601 (yyyy-mm-dd) so that no tool reads them in US order; money is in pounds; numbers
are carried at full precision (rounding is for display only: a % complete worked out as
83.333… is exported as such); empty means "not given". Every action of the plan is listed:
one not updated this month (its tracker not read) carries its last figures, with
``updated`` "no" and ``not_updated`` saying why. In CSV, text that a spreadsheet would run as a
formula (starting with = + - @ or a tab) is prefixed with an apostrophe.

Everything is the view of the period's (reportgen.view): the changes are one per action
(an action the plan repeats under several objectives is one action, named by the ID the
paper names it by; each of its rows carries its change), and the JSON states the counts
by RAG, the problems by severity and the updates made after the period as every other
output states them.
"""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import date
from pathlib import Path

from reportgen import __version__
from reportgen.view import PeriodView
from reportgen.view.actions import Row

ACTION_COLUMNS = (
    "period", "as_of", "action_id", "objective", "action", "lead_officer", "locality",
    "funding", "start", "end", "status", "percent_complete", "expected_percent",
    "slippage", "slippage_model", "officer_rag", "computed_rag", "reported_rag",
    "previous_rag", "change", "stale", "rag_challenge", "dates_only", "reasons",
    "commentary", "corrective_action", "last_updated", "budget", "spend_to_date",
    "forecast", "variance", "finance_rag", "underspend", "source_file", "source_sheet",
    "source_row", "updated", "not_updated", "also_under",
)

KPI_COLUMNS = (
    "period", "kpi_id", "indicator", "polarity", "unit", "target", "tolerance",
    "comparator", "latest_period", "latest", "rag", "direction", "compared_with",
    "previous", "spc_points", "spc_centre", "spc_lower", "spc_upper", "spc_signals",
    "reasons", "spc_recalculated_from", "variation", "assurance", "reading",
    "signal_list",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def action_record(row: Row, view: PeriodView, change: str) -> dict:
    a, r = row.action, row.rating
    f = r.finance
    previous = view.previous_rag(a.action_id)
    return {
        "period": view.period.label, "as_of": _iso(view.as_of), "action_id": a.action_id,
        "objective": a.objective, "action": a.action, "lead_officer": a.lead_officer,
        "locality": a.locality, "funding": "; ".join(a.funding), "start": _iso(a.start),
        "end": _iso(a.end), "status": a.status.value,
        "percent_complete": a.percent_complete,
        "expected_percent": r.expected_percent,
        "slippage": r.slippage,
        "slippage_model": view.slippage_model,
        "officer_rag": r.officer.value if r.officer else None,
        "computed_rag": r.computed.value, "reported_rag": r.reported.value,
        "previous_rag": previous.value if previous else None,
        "change": change.replace("_", " ") if change else (
            "" if view.previous_period is None else "unchanged"),
        "stale": r.stale, "rag_challenge": r.challenge,
        "dates_only": r.dates_only, "reasons": "; ".join(r.reasons),
        "commentary": a.commentary, "corrective_action": a.corrective_action,
        "last_updated": _iso(a.last_updated), "budget": a.budget,
        "spend_to_date": a.spend_to_date, "forecast": a.forecast,
        "variance": f.variance if f else None,
        "finance_rag": f.rag.value if f and f.rag else None,
        "underspend": bool(f and f.underspend), "source_file": a.source.file,
        "source_sheet": a.source.sheet, "source_row": a.source.row,
        "updated": "yes" if r.updated else "no", "not_updated": r.not_updated,
        # the IDs of the same action under other objectives (the paper counts it once)
        "also_under": ", ".join(view.repeats.get(a.action_id, ())),
    }


def kpi_records(view: PeriodView) -> list[dict]:
    rows = []
    for reading in view.kpis:
        k, r = reading.kpi, reading.result
        spc = r.spc if r else None
        rows.append({
            "period": view.period.label, "kpi_id": k.kpi_id, "indicator": k.indicator,
            "polarity": k.polarity.value, "unit": k.unit, "target": k.target,
            "tolerance": k.tolerance, "comparator": k.comparator.value,
            "latest_period": r.latest_period if r else None,
            "latest": r.latest if r else None,
            "rag": r.rag.value if r and r.rag else None,
            "direction": r.direction.value if r and r.direction else None,
            "compared_with": r.compared_with if r else None,
            "previous": r.previous if r else None,
            "spc_points": spc.points if spc else None,
            "spc_centre": spc.centre if spc else None,
            "spc_lower": spc.lower if spc else None,
            "spc_upper": spc.upper if spc else None,
            "spc_signals": spc.summary if spc else None,
            "reasons": "; ".join(r.reasons) if r else "",
            "spc_recalculated_from": spc.recalculated_from if spc else None,
            "variation": r.variation if r else None,
            "assurance": r.assurance if r else None,
            "reading": r.sentence if r else None,
            "signal_list": [{"rule": s.rule, "kind": s.kind, "months": list(s.periods),
                             "description": s.description} for s in spc.signals]
            if spc else [],
        })
    return rows


def action_records(view: PeriodView) -> list[dict]:
    """A record per tracker row (rated), in the trackers' order."""
    change = {r.id: a.change for a in view.actions for r in a.rows}
    return [action_record(row, view, change[row.id]) for row in view.rows
            if row.rating is not None]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):  # structured data (KPI signals): JSON text in one cell
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_START) else value
    return str(value)


def to_csv(rows: list[dict], columns: tuple[str, ...]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row[c]) for c in columns])
    return buf.getvalue()


def to_json(view: PeriodView) -> str:
    counts = view.counts
    doc = {
        "format": "reportgen-export", "format_version": 1, "reportgen_version": __version__,
        "period": view.period.label, "as_of": _iso(view.as_of),
        "slippage_model": view.slippage_model,
        "changes": {"previous_period": view.previous_period,
                    **{c.kind: [a.id for a in c.actions] for c in view.changes}},
        "counts": {"actions": counts.actions, "tracker_rows": counts.tracker_rows,
                   "now": {r.value: n for r, n in counts.now.items()},
                   "before": ({r.value: n for r, n in counts.before.items()}
                              if counts.before is not None else None),
                   "tracker_rows_now": {r.value: n for r, n in counts.rows.items()}},
        "issue_counts": view.quality.counts,
        "late_updates": view.late,
        "coverage": view.coverage_record,
        "actions": action_records(view),
        "kpis": kpi_records(view),
        "finance_by_stream": [
            {"stream": s.name, "actions": s.actions, "budget": s.rating.budget,
             "spend_to_date": s.rating.spend_to_date, "forecast": s.rating.forecast,
             "variance": s.rating.variance,
             "rag": s.rating.rag.value if s.rating.rag else None}
            for s in view.finance.streams
        ],
        "issues": [{"severity": i.severity.value, "code": i.code, "file": i.file,
                    "sheet": i.sheet, "cell": i.cell, "field": i.field,
                    "message": i.message} for i in view.issues],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _write_atomic(path: Path, text: str, encoding: str) -> None:
    from reportgen.outputs import replace_with_retry

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding=encoding, newline="") as fh:
            fh.write(text)
        replace_with_retry(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def kpi_csv_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}-kpis{path.suffix}")


def write_export(view: PeriodView, fmt: str, out: Path) -> list[Path]:
    """Write the export; returns the files written. CSV gives two files: the actions at
    ``out`` and the KPIs beside it as ``<name>-kpis.csv`` (UTF-8 with BOM so Excel reads
    the £ and accents)."""
    if fmt == "json":
        _write_atomic(out, to_json(view), "utf-8")
        return [out]
    if fmt == "csv":
        _write_atomic(out, to_csv(action_records(view), ACTION_COLUMNS), "utf-8-sig")
        kpi_path = kpi_csv_path(out)
        _write_atomic(kpi_path, to_csv(kpi_records(view), KPI_COLUMNS), "utf-8-sig")
        return [out, kpi_path]
    raise ValueError(f"unknown export format {fmt!r}")
