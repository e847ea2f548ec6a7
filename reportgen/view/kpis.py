"""The key performance indicators as every output shows them: each indicator's series
cut at the period's end (a month is shown as of its own end: a chart of August drawn in
October stops at August), its rating, and the order the body lists them in (what needs
attention first)."""

from __future__ import annotations

from dataclasses import dataclass

from reportgen.model import Kpi, KpiResult, Period, Rag, RatedRun


@dataclass(frozen=True)
class KpiReading:
    """One indicator: its definition, its result, and its monthly values up to the end of
    the period, oldest first."""

    kpi: Kpi
    result: KpiResult | None
    series: tuple[tuple[str, float], ...]

    @property
    def id(self) -> str:
        return self.kpi.kpi_id

    @property
    def concern(self) -> bool:
        """The run chart shows a change for the worse that is not down to chance (Making
        Data Count's "concern")."""
        return self.result is not None and self.result.variation == "concern"

    @property
    def charted(self) -> bool:
        return len(self.series) >= 2

    @property
    def attention(self) -> int:
        """0 a concern, 1 Red, 2 Amber, 3 the rest: the body lists the lowest first."""
        if self.result is None:
            return 3
        if self.concern:
            return 0
        return {Rag.RED: 1, Rag.AMBER: 2}.get(self.result.rag, 3)


def cut(series, period: Period) -> tuple[tuple[str, float], ...]:
    """The values of ``series`` up to and including ``period``."""
    return tuple((p, v) for p, v in series if p <= period.label and v is not None)


def readings(run: RatedRun) -> tuple[KpiReading, ...]:
    """Every indicator in the run's order, its series cut at the period's end."""
    return tuple(KpiReading(k, run.kpi_results.get(k.kpi_id), cut(k.series, run.period))
                 for k in run.kpis)


def by_attention(kpis: tuple[KpiReading, ...]) -> tuple[KpiReading, ...]:
    """Those needing attention first (a concern, Red, Amber), stable within each."""
    return tuple(sorted(kpis, key=lambda k: k.attention))


__all__ = ["KpiReading", "by_attention", "cut", "readings"]
