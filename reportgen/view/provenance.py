"""Where each figure came from, so that finance can trace a pound to its cell: for each
tracker row, the cells of its ID, budget, spend and forecast, a link that opens the
tracker at the budget cell (absolute, or through ``[links] base``, so it still works in
a workbook that is emailed) and the kept copy of the tracker the figures were read from
(its name under the output folder and its SHA-256: reportgen keeps the exact bytes each
run read). A row carried forward from last month was not read this month: it has no kept
copy of this run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from reportgen.model import Action, SourceFile
from reportgen.view.actions import Row
from reportgen.view.links import Links

# the per-stream budget columns of a row ("$budget:<stream>": reportgen.ingest.tables)
_STREAM_BUDGET = "$budget:"


@dataclass(frozen=True)
class Kept:
    """A tracker as this run read it: the kept copy's name under the output folder ("" when
    the command keeps no copy) and the SHA-256 of its bytes."""

    name: str
    sha256: str


@dataclass(frozen=True)
class RowSource:
    """A tracker row's cells ("Action Plan!R14"; "" where the tracker has no such column),
    the link to the tracker at its budget cell (its ID cell without one; None when Excel
    could not hold the link), that place in words, and the kept copy it was read from
    (None for a row carried forward)."""

    id_cell: str
    budget: str
    spend: str
    forecast: str
    link: str | None
    location: str
    kept: Kept | None


def _ref(action: Action, field_name: str) -> str:
    cell = action.source.cell(field_name)
    return f"{action.source.sheet}!{cell}" if cell else ""


def _budget_ref(action: Action) -> str:
    """The budget cell, and the per-stream budget cells it adds up where the tracker has
    them ("Actions!R14 (ICF S14; Core T14)")."""
    own = _ref(action, "budget")
    parts = [f"{name[len(_STREAM_BUDGET):]} {cell}"
             for name, cell in sorted(action.source.cells.items())
             if name.startswith(_STREAM_BUDGET)]
    if not parts:
        return own
    return (own + " " if own else f"{action.source.sheet}: ") + "(" + "; ".join(parts) + ")"


def kept_copies(sources: Sequence[SourceFile], kept: Mapping[str, str] | None
                ) -> dict[str, Kept]:
    """Every tracker read this run (refused files left out), by its path: the kept copy's
    name from ``kept`` (tracker path -> name under the output folder), and its hash."""
    kept = kept or {}
    return {s.path: Kept(kept.get(s.path, ""), s.sha256) for s in sources if not s.refused}


def row_sources(rows: Sequence[Row], links: Links, copies: Mapping[str, Kept]
                ) -> dict[str, RowSource]:
    """Each tracker row's sources, by row ID."""
    out = {}
    for row in rows:
        a = row.action
        src = a.source
        cell = src.cell("budget") or src.cell("action_id")
        out[row.id] = RowSource(
            id_cell=_ref(a, "action_id"), budget=_budget_ref(a), spend=_ref(a, "spend_to_date"),
            forecast=_ref(a, "forecast"), link=links.cell(src.file, src.sheet, cell),
            location=f"{links.location(src.file)} › {src.sheet}!{cell or 'A1'}",
            kept=None if row.carried else copies.get(src.file))
    return out


__all__ = ["Kept", "RowSource", "kept_copies", "row_sources"]
