"""The index of every stored period (the dashboard's list of periods): each period's
actions by RAG, counted as the period's own outputs count them (an action the plan
repeats under several objectives once, at its worst rating), with its tracker rows beside.

Built from the history's readings, which the pipeline gathers (:class:`StoredPeriod`);
nothing here opens the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from reportgen.model import Period, Rag
from reportgen.view.actions import distinct_rags


@dataclass(frozen=True)
class StoredPeriod:
    """What the history holds for one period: each tracker row's reported RAG, the
    actions the plan repeated then (action ID -> its other IDs), and whether the period
    has a dashboard page."""

    period: Period
    rags: Mapping[str, Rag]
    repeats: Mapping[str, tuple[str, ...]]
    page: bool


@dataclass(frozen=True)
class IndexRow:
    """One period of the index: its distinct actions by RAG (every rating, worst first),
    their total, its tracker rows, and whether it has a page."""

    period: Period
    counts: dict[Rag, int]
    total: int
    rows: int
    page: bool

    @property
    def rated(self) -> int:
        """The distinct actions rated (every one but the cancelled)."""
        return self.total - self.counts.get(Rag.CANCELLED, 0)


@dataclass(frozen=True)
class Trend:
    """The ratings over every stored month, oldest first, for a chart and its table: each
    month's distinct actions by rating (Cancelled apart), and the chart's text
    alternative."""

    months: tuple[IndexRow, ...]
    rags: tuple[Rag, ...]  # the ratings charted, worst first
    description: str


def build_trend(rows: Iterable[IndexRow]) -> Trend:
    """The trend of the ratings over the stored months of ``rows`` (the index's)."""
    months = tuple(sorted(rows, key=lambda r: r.period))
    rags = Rag.counted()
    description = " ".join(
        f"{r.period.name}: " + ", ".join(f"{g.value} {r.counts.get(g, 0)}" for g in rags)
        + "." for r in months)
    return Trend(months, rags, description or "No period is stored yet.")


def build_index(stored: Iterable[StoredPeriod]) -> tuple[IndexRow, ...]:
    """Every stored period, newest first."""
    out = []
    for s in sorted(stored, key=lambda s: s.period, reverse=True):
        counts = distinct_rags(s.rags, s.repeats)
        full = {r: counts.get(r, 0) for r in Rag.worst_first()}
        out.append(IndexRow(s.period, full, sum(full.values()), len(s.rags), s.page))
    return tuple(out)


__all__ = ["IndexRow", "StoredPeriod", "Trend", "build_index", "build_trend"]
