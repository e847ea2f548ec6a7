"""KPI rating: target and tolerance by polarity, direction of travel, and statistical
process control (an XmR chart with the "Making Data Count" signals). Pure functions.

Rules in docs/rating.md. All thresholds come from configuration ([spc])."""

from __future__ import annotations

from typing import Iterable

from reportgen.config import Spc
from reportgen.model import (
    Comparator, Direction, Kpi, KpiResult, Period, Polarity, Rag, SpcResult, SpcSignal,
)

XMR_CONSTANT = 2.66  # 3 / d2, d2 = 1.128 for moving ranges of two points
EPSILON = 1e-9


def _num(value: float, places: int = 1) -> str:
    """A value for people: up to ``places`` decimals, trailing zeros dropped."""
    value = round(value, 9)
    return f"{value:,.{places}f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"


def _places(*values: float, apart: float | None = None) -> int:
    """Decimals (1 to 6) enough for ``values`` to read as different when they differ,
    and for a non-zero ``apart`` not to read as 0: '63.52 above the upper limit 63.5',
    never '63.5 above the upper limit 63.5'."""
    for places in range(1, 7):
        shown = {_num(v, places) for v in values}
        distinct = len(shown) == len({round(v, 9) for v in values})
        if distinct and (apart is None or abs(apart) <= EPSILON
                         or _num(abs(apart), places) != "0"):
            return places
    return 6


def _month(label: str) -> str:
    return Period.parse(label).name[:3] + " " + label[:4]


def _span(labels: list[str]) -> str:
    return _month(labels[0]) if len(labels) == 1 else f"{_month(labels[0])} – {_month(labels[-1])}"


def _better(polarity: Polarity, delta: float) -> int:
    """+1 if a change of ``delta`` is an improvement, -1 if worse, 0 if none."""
    if abs(delta) <= EPSILON:
        return 0
    up = delta > 0
    return 1 if up == (polarity is Polarity.HIGHER) else -1


def rate_against_target(value: float, polarity: Polarity, target: float | None,
                        tolerance: float | None, unit: str = "") -> tuple[Rag | None, str]:
    """Green on or better than target; Amber worse but within tolerance; Red beyond it."""
    if target is None:
        return None, "no target set"
    gap = (target - value) if polarity is Polarity.HIGHER else (value - target)
    gap = round(gap, 9)
    tol = tolerance or 0.0
    if gap <= 0:
        return Rag.GREEN, f"on or better than target ({_num(target)}{unit})"
    side = "below" if polarity is Polarity.HIGHER else "above"
    pts = " points" if unit == "%" else ""
    d = _places(gap, tol, apart=gap) if tol else _places(gap, apart=gap)
    text = f"{_num(gap, d)}{pts} {side} target ({_num(target, max(d, _places(target)))}{unit})"
    if gap <= tol + EPSILON:
        return Rag.AMBER, text + f", within tolerance ({_num(tol, d)}{pts})"
    return Rag.RED, text + (f", beyond tolerance ({_num(tol, d)}{pts})" if tol else "")


# --------------------------------------------------------------------------- XmR


def xmr(series: list[tuple[str, float]], polarity: Polarity, spc: Spc) -> SpcResult | None:
    """Centre line (mean), natural process limits (mean ± 2.66 × mean moving range), and
    the signals switched on in ``spc``. None with fewer than ``spc.min_points`` points."""
    n = len(series)
    if n < max(spc.min_points, 2):
        return None
    labels = [p for p, _ in series]
    values = [v for _, v in series]
    centre = sum(values) / n
    mr_bar = sum(abs(values[i] - values[i - 1]) for i in range(1, n)) / (n - 1)
    upper = centre + XMR_CONSTANT * mr_bar
    lower = centre - XMR_CONSTANT * mr_bar
    signals: list[SpcSignal] = []

    def kind(direction: int) -> str:  # direction +1 = upwards
        if direction == 0:
            return "neutral"
        return "improvement" if _better(polarity, direction) > 0 else "concern"

    if spc.beyond_limit and mr_bar > 0:
        hits = [(labels[i], values[i]) for i in range(n)
                if values[i] > upper + EPSILON or values[i] < lower - EPSILON]
        if hits:
            last_label, last_value = hits[-1]
            up = last_value > upper
            where = "above the upper" if up else "below the lower"
            many = f"{len(hits)} points outside the process limits; latest " if len(hits) > 1 else ""
            limit = upper if up else lower
            d = _places(last_value, limit)
            signals.append(SpcSignal(
                "beyond-limit",
                f"{many}{_month(last_label)} ({_num(last_value, d)}) {where} process limit "
                f"({_num(limit, d)})",
                tuple(p for p, _ in hits), kind(1 if up else -1)))

    run = _last_streak([(1 if v > centre + EPSILON else -1 if v < centre - EPSILON else 0)
                        for v in values], spc.run_length)
    if run:
        start, end, side = run
        signals.append(SpcSignal(
            "run",
            f"{end - start + 1} points in a row {'above' if side > 0 else 'below'} the centre "
            f"line ({_span(labels[start:end + 1])})",
            tuple(labels[start:end + 1]), kind(side)))

    steps = [0] + [(1 if values[i] > values[i - 1] + EPSILON else
                    -1 if values[i] < values[i - 1] - EPSILON else 0) for i in range(1, n)]
    trend = _last_streak(steps, spc.trend_length - 1)
    if trend:
        start, end, side = trend
        start -= 1  # a streak of k rises spans k + 1 points
        signals.append(SpcSignal(
            "trend",
            f"{end - start + 1} points in a row {'rising' if side > 0 else 'falling'} "
            f"({_span(labels[start:end + 1])})",
            tuple(labels[start:end + 1]), kind(side)))

    if spc.two_of_three and mr_bar > 0:
        near_up = centre + (upper - centre) * 2 / 3
        near_down = centre - (centre - lower) * 2 / 3
        found = None
        for i in range(n - 3, -1, -1):
            window = values[i:i + 3]
            for side, test in ((1, lambda v: v > near_up + EPSILON),
                               (-1, lambda v: v < near_down - EPSILON)):
                if sum(1 for v in window if test(v)) >= 2:
                    found = (i, side)
                    break
            if found:
                break
        if found:
            i, side = found
            flagged = [labels[j] for j in range(i, i + 3) if
                       (values[j] > near_up + EPSILON if side > 0 else values[j] < near_down - EPSILON)]
            signals.append(SpcSignal(
                "two-of-three",
                f"two of three points close to the {'upper' if side > 0 else 'lower'} "
                f"process limit ({_span(labels[i:i + 3])})",
                tuple(flagged), kind(side)))

    return SpcResult(centre=round(centre, 6), lower=round(lower, 6), upper=round(upper, 6),
                     mean_moving_range=round(mr_bar, 6), points=n, signals=tuple(signals))


def _last_streak(marks: list[int], length: int) -> tuple[int, int, int] | None:
    """The last maximal streak of equal non-zero marks at least ``length`` long, as
    (first index, last index, mark)."""
    best = None
    i = 0
    n = len(marks)
    while i < n:
        if marks[i] == 0:
            i += 1
            continue
        j = i
        while j + 1 < n and marks[j + 1] == marks[i]:
            j += 1
        if j - i + 1 >= length:
            best = (i, j, marks[i])
        i = j + 1
    return best


# --------------------------------------------------------------------------- KPIs

_PREVIOUS = {1: "previous month", 3: "previous quarter", 6: "previous half-year",
             12: "previous year"}


def _months(label: str) -> int:
    return int(label[:4]) * 12 + int(label[5:7])


def reporting_step(labels: list[str]) -> int:
    """How often a KPI is reported, in months: the commonest gap between its reported
    months ('YYYY-MM', sorted), the smaller on a tie; 1 with fewer than two. A quarterly
    KPI (Jun, Sep, Dec) gives 3, so it is compared with its own previous value."""
    gaps = [_months(b) - _months(a) for a, b in zip(labels, labels[1:])]
    gaps = [g for g in gaps if g > 0]
    if not gaps:
        return 1
    return min(set(gaps), key=lambda g: (-gaps.count(g), g))


def rate_kpi(kpi: Kpi, period: Period, spc: Spc) -> KpiResult:
    """The KPI's latest value up to ``period`` against target and tolerance, direction of
    travel against the configured comparator, and the XmR chart of the series so far."""
    series = [(p, v) for p, v in kpi.series if p <= period.label and v is not None]
    if not series:
        return KpiResult(kpi_id=kpi.kpi_id, latest_period=None, latest=None, rag=None,
                         reasons=(f"no value up to {period.name}",))
    latest_period, latest = series[-1]
    unit = kpi.unit if kpi.unit in ("%",) else ""
    reasons: list[str] = []
    rag, why = rate_against_target(latest, kpi.polarity, kpi.target, kpi.tolerance, unit)
    reasons.append(why)
    if latest_period != period.label:
        reasons.append(f"latest value is for {Period.parse(latest_period).name}")

    step = reporting_step([p for p, _ in series])
    back = 12 if kpi.comparator is Comparator.LAST_YEAR else step
    compared_with = Period.parse(latest_period).shift(-back).label
    previous = dict(series).get(compared_with)
    direction = None
    if previous is None:
        reasons.append(f"no value for {Period.parse(compared_with).name} to compare with")
    else:
        sign = _better(kpi.polarity, latest - previous)
        direction = (Direction.IMPROVING if sign > 0 else Direction.WORSENING if sign < 0
                     else Direction.NO_CHANGE)
        against = ("same month last year" if kpi.comparator is Comparator.LAST_YEAR
                   else _PREVIOUS.get(step, f"previous value ({step} months earlier)"))
        d = _places(latest, previous)
        reasons.append(f"{direction.value} against the {against} "
                       f"({_num(previous, d)} in {Period.parse(compared_with).name})")
    result = xmr(series, kpi.polarity, spc)
    return KpiResult(kpi_id=kpi.kpi_id, latest_period=latest_period, latest=latest, rag=rag,
                     direction=direction, compared_with=compared_with if previous is not None
                     else None, previous=previous, spc=result, reasons=tuple(reasons))


def rate_kpis(kpis: Iterable[Kpi], period: Period, spc: Spc) -> dict[str, KpiResult]:
    return {k.kpi_id: rate_kpi(k, period, spc) for k in kpis}
