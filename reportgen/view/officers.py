"""The plan by lead officer: for each officer, their distinct actions by rating, how many
were not updated this month or have an update overdue, and the money their tracker rows
hold (cancelled rows left out, as from every finance total), with the share spent and the
forecast's movement since the last stored period.

Money is added up from the tracker rows as the workbook's Actions sheet lists them, so
that its formulas over that sheet give the same figures: a repeated action's money counts
once, on the row that holds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from reportgen.model import Action, Rag, Status
from reportgen.text import clean
from reportgen.view.actions import PlanAction
from reportgen.view.finance import spent
from reportgen.view.formats import natural_key


@dataclass(frozen=True)
class OfficerLine:
    """One lead officer's part of the plan. ``name`` is written as the trackers write it
    (the Actions sheet's "Lead officer" cells); figures are exact, to the penny."""

    name: str
    actions: tuple[PlanAction, ...]  # distinct, in the plan's order
    counts: Mapping[Rag, int]  # distinct actions by rating (every rating, worst first)
    not_updated: int
    overdue: int
    budget: float | None
    spend: float | None
    forecast: float | None
    previous_forecast: float | None  # None: nothing stored to compare with
    movement: float | None

    @property
    def variance(self) -> float:
        """Forecast less budget, a missing figure counted as £0 (as the sheet's formula
        counts an empty cell)."""
        return round((self.forecast or 0.0) - (self.budget or 0.0), 2)

    @property
    def spent(self) -> float | None:
        return spent(self.spend, self.budget)


def _sum(values) -> float | None:
    present = [v for v in values if v is not None]
    if not present:
        return None
    return sum(round(v * 100) for v in present) / 100


def officer_name(action: Action) -> str:
    """A row's lead officer as the Actions sheet writes it (and its formulas match)."""
    return clean(action.lead_officer)


def _key(action: Action, names: dict[str, str]) -> str:
    # Excel compares text without case: the Officers sheet's formulas match so too
    name = officer_name(action)
    names.setdefault(name.casefold(), name)
    return name.casefold()


def by_officer(actions: Sequence[PlanAction],
               previous: Sequence[Action] | None) -> tuple[OfficerLine, ...]:
    """Every lead officer of the plan, A–Z: an action is counted under its lead row's
    officer, and money under the officer each row names."""
    groups: dict[str, list[PlanAction]] = {}
    money: dict[str, list[Action]] = {}
    names: dict[str, str] = {}  # key -> the spelling shown (the first met)
    for a in actions:
        groups.setdefault(_key(a.action, names), []).append(a)
        for r in a.rows:
            rows = money.setdefault(_key(r.action, names), [])
            if r.action.status is not Status.CANCELLED:
                rows.append(r.action)
    before: dict[str, list[float | None]] | None = None
    if previous is not None:
        before = {}
        for p in previous:
            if p.status is not Status.CANCELLED:
                before.setdefault(officer_name(p).casefold(), []).append(p.forecast)
    out = []
    for key in sorted(set(groups) | set(money), key=lambda k: (natural_key(k), k)):
        name = names[key]
        mine = groups.get(key, [])
        rows = money.get(key, [])
        counts = {g: 0 for g in Rag.worst_first()}
        for a in mine:
            if a.rag is not None:
                counts[a.rag] += 1
        forecast = _sum(r.forecast for r in rows)
        was = mov = None
        if before is not None:
            was = _sum(before.get(key, ())) or 0.0
            mov = round((forecast or 0.0) - was, 2)
        out.append(OfficerLine(
            name=name, actions=tuple(mine), counts=counts,
            not_updated=sum(1 for a in mine if a.carried),
            overdue=sum(1 for a in mine if a.stale),
            budget=_sum(r.budget for r in rows), spend=_sum(r.spend_to_date for r in rows),
            forecast=forecast, previous_forecast=was, movement=mov))
    return tuple(out)


def total_line(lines: Sequence[OfficerLine]) -> OfficerLine:
    """Every officer together: the plan's distinct actions, counts and money added up."""
    def add(attr: str) -> float | None:
        return _sum(getattr(line, attr) for line in lines)

    counts = {g: sum(line.counts.get(g, 0) for line in lines) for g in Rag.worst_first()}
    previous = (None if any(line.previous_forecast is None for line in lines)
                else add("previous_forecast") or 0.0)
    return OfficerLine(
        name="Total", actions=tuple(a for line in lines for a in line.actions),
        counts=counts, not_updated=sum(line.not_updated for line in lines),
        overdue=sum(line.overdue for line in lines), budget=add("budget"),
        spend=add("spend"), forecast=add("forecast"), previous_forecast=previous,
        movement=None if previous is None else add("movement") or 0.0)


__all__ = ["OfficerLine", "by_officer", "officer_name", "total_line"]
