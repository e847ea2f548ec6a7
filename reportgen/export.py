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
"""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import date
from pathlib import Path

from reportgen import __version__
from reportgen.model import Action, ActionRating, RatedRun
from reportgen.register import manifest_entry

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


def _change(action_id: str, run: RatedRun) -> str:
    c = run.changes
    for name in ("newly_red", "newly_complete", "worsened", "improved", "new"):
        if action_id in getattr(c, name):
            return name.replace("_", " ")
    return "" if c.previous_period is None else "unchanged"


def action_record(a: Action, r: ActionRating, run: RatedRun) -> dict:
    f = r.finance
    previous = run.previous_rags.get(a.action_id)
    return {
        "period": run.period.label, "as_of": _iso(run.as_of), "action_id": a.action_id,
        "objective": a.objective, "action": a.action, "lead_officer": a.lead_officer,
        "locality": a.locality, "funding": "; ".join(a.funding), "start": _iso(a.start),
        "end": _iso(a.end), "status": a.status.value,
        "percent_complete": a.percent_complete,
        "expected_percent": r.expected_percent,
        "slippage": r.slippage,
        "slippage_model": run.slippage_model,
        "officer_rag": r.officer.value if r.officer else None,
        "computed_rag": r.computed.value, "reported_rag": r.reported.value,
        "previous_rag": previous.value if previous else None,
        "change": _change(a.action_id, run), "stale": r.stale, "rag_challenge": r.challenge,
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
        "also_under": ", ".join(run.repeats.get(a.action_id, ())),
    }


def kpi_records(run: RatedRun) -> list[dict]:
    rows = []
    for k in run.kpis:
        r = run.kpi_results.get(k.kpi_id)
        spc = r.spc if r else None
        rows.append({
            "period": run.period.label, "kpi_id": k.kpi_id, "indicator": k.indicator,
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


def action_records(run: RatedRun) -> list[dict]:
    return [action_record(a, run.ratings[a.action_id], run) for a in run.actions
            if a.action_id in run.ratings]


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


def to_json(run: RatedRun) -> str:
    c = run.changes
    doc = {
        "format": "reportgen-export", "format_version": 1, "reportgen_version": __version__,
        "period": run.period.label, "as_of": _iso(run.as_of),
        "slippage_model": run.slippage_model,
        "changes": {"previous_period": c.previous_period, "newly_red": list(c.newly_red),
                    "newly_complete": list(c.newly_complete), "worsened": list(c.worsened),
                    "improved": list(c.improved), "new": list(c.new),
                    "removed": list(c.removed)},
        "coverage": manifest_entry(run),
        "actions": action_records(run),
        "kpis": kpi_records(run),
        "finance_by_stream": [
            {"stream": s.stream, "actions": s.actions, "budget": s.rating.budget,
             "spend_to_date": s.rating.spend_to_date, "forecast": s.rating.forecast,
             "variance": s.rating.variance,
             "rag": s.rating.rag.value if s.rating.rag else None}
            for s in run.finance_by_stream
        ],
        "issues": [{"severity": i.severity.value, "code": i.code, "file": i.file,
                    "sheet": i.sheet, "cell": i.cell, "field": i.field,
                    "message": i.message} for i in run.issues],
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


def write_export(run: RatedRun, fmt: str, out: Path) -> list[Path]:
    """Write the export; returns the files written. CSV gives two files: the actions at
    ``out`` and the KPIs beside it as ``<name>-kpis.csv`` (UTF-8 with BOM so Excel reads
    the £ and accents)."""
    if fmt == "json":
        _write_atomic(out, to_json(run), "utf-8")
        return [out]
    if fmt == "csv":
        _write_atomic(out, to_csv(action_records(run), ACTION_COLUMNS), "utf-8-sig")
        kpi_path = kpi_csv_path(out)
        _write_atomic(kpi_path, to_csv(kpi_records(run), KPI_COLUMNS), "utf-8-sig")
        return [out, kpi_path]
    raise ValueError(f"unknown export format {fmt!r}")
