"""The key performance indicators as every output shows them: each indicator's series
cut at the period's end (a month is shown as of its own end: a chart of August drawn in
October stops at August), its rating, and the order the body lists them in (what needs
attention first)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from reportgen.model import Kpi, KpiResult, Period, Rag, RatedRun


@dataclass(frozen=True)
class Axis:
    """A chart's value axis: its range and its ticks, each a round number with the label
    people read ("1,400", "2.5", "75"): every tick is a whole step of 1, 2, 2.5 or 5 times
    a power of ten."""

    lo: float
    hi: float
    ticks: tuple[tuple[float, str], ...]


def nice_axis(values: Iterable[float], ticks: int = 4) -> Axis:
    """The axis that holds ``values`` in about ``ticks`` round steps."""
    values = [v for v in values if v is not None and math.isfinite(v)]
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    raw = (hi - lo) / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first, last = math.floor(lo / step), math.ceil(hi / step)
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) + (1 if step / power == 2.5
                                                                 and step < 10 else 0)
    marks = tuple((round(k * step, decimals + 6), f"{k * step:,.{decimals}f}")
                  for k in range(first, last + 1))
    return Axis(first * step, last * step, marks)


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
    def axis(self) -> Axis:
        """The run chart's value axis: the values, the mean and limits (of every stretch)
        and the target, in round steps."""
        spc = self.result.spc if self.result is not None else None
        extra = [self.kpi.target]
        if spc is not None:
            extra += [spc.centre, spc.lower, spc.upper]
            extra += [v for ph in spc.phases for v in (ph.centre, ph.lower, ph.upper)]
        return nice_axis([v for _, v in self.series] + [v for v in extra if v is not None])

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


__all__ = ["Axis", "KpiReading", "by_attention", "cut", "nice_axis", "readings"]
