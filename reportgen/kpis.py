"""KPI rating: target and tolerance by polarity, direction of travel, and statistical
process control (an XmR chart with the "Making Data Count" signals). Pure functions.

Rules in docs/rating.md. All thresholds come from configuration ([spc])."""

from __future__ import annotations

from typing import Iterable

from reportgen.config import Spc
from reportgen.model import (
    Comparator, Direction, Kpi, KpiResult, Period, Polarity, Rag, SpcPhase, SpcResult,
    SpcSignal,
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


def natural_bounds(unit: str, values: Iterable[float]) -> tuple[float | None, float | None]:
    """Where a measure cannot go: 0 to 100 for a percentage; 0 upwards for a count or a
    rate (any other unit whose values are never negative); otherwise unbounded."""
    if unit.strip() == "%":
        return 0.0, 100.0
    return (0.0, None) if all(v >= 0 for v in values) else (None, None)


def _phase(labels: list[str], values: list[float],
           bounds: tuple[float | None, float | None]) -> tuple[SpcPhase, float]:
    """Mean, mean moving range and limits (kept within ``bounds``) of one phase; also the
    unbounded 3-sigma distance, for the two-of-three rule."""
    n = len(values)
    centre = sum(values) / n
    mr_bar = sum(abs(values[i] - values[i - 1]) for i in range(1, n)) / (n - 1)
    width = XMR_CONSTANT * mr_bar
    lower, upper = centre - width, centre + width
    low, high = bounds
    if low is not None:
        lower = max(lower, low)
    if high is not None:
        upper = min(upper, high)
    return SpcPhase(labels[0], labels[-1], round(centre, 6), round(lower, 6),
                    round(upper, 6), round(mr_bar, 6), n), width


def _streaks(marks: list[int], length: int) -> list[tuple[int, int, int]]:
    """Every maximal streak of equal non-zero marks at least ``length`` long, as
    (first index, last index, mark), oldest first."""
    out = []
    i, n = 0, len(marks)
    while i < n:
        if marks[i] == 0:
            i += 1
            continue
        j = i
        while j + 1 < n and marks[j + 1] == marks[i]:
            j += 1
        if j - i + 1 >= length:
            out.append((i, j, marks[i]))
        i = j + 1
    return out


def _months_list(labels: list[str]) -> str:
    return ", ".join(_month(p) for p in labels) if len(labels) <= 4 else \
        f"{_month(labels[0])} – {_month(labels[-1])}"


_RULES = {"beyond-limit": 0, "run": 1, "trend": 2, "two-of-three": 3}


def xmr(series: list[tuple[str, float]], polarity: Polarity, spc: Spc, unit: str = "",
        recalculate_from: str | None = None) -> SpcResult | None:
    """An XmR chart of ``series``: centre line (mean), natural process limits (mean ± 2.66
    × mean moving range, kept within the measure's natural bounds) and every signal
    switched on in ``spc``, each with one kind judged by the indicator's polarity. With
    ``recalculate_from`` ('YYYY-MM') the mean and limits are worked out separately before
    and from that month (each side needs two values or more). None with fewer than
    ``spc.min_points`` points."""
    n = len(series)
    if n < max(spc.min_points, 2):
        return None
    labels = [p for p, _ in series]
    values = [v for _, v in series]
    bounds = natural_bounds(unit, values)
    cut = 0
    if recalculate_from:
        cut = next((i for i, p in enumerate(labels) if p >= recalculate_from), n)
        if cut < 2 or n - cut < 2:
            cut = 0
    spans = [(0, cut), (cut, n)] if cut else [(0, n)]
    phases = [(a, b, *_phase(labels[a:b], values[a:b], bounds)) for a, b in spans]

    def kind(direction: int) -> str:  # direction +1 = upwards
        return "improvement" if _better(polarity, direction) > 0 else "concern"

    signals: list[SpcSignal] = []
    for a, b, ph, _ in phases:
        if not (spc.beyond_limit and ph.mean_moving_range > 0):
            continue
        for side in (1, -1):
            limit = ph.upper if side > 0 else ph.lower
            hits = [i for i in range(a, b) if (values[i] > limit + EPSILON if side > 0
                                               else values[i] < limit - EPSILON)]
            if not hits:
                continue
            d = _places(limit, *(values[i] for i in hits))
            where = "above the upper" if side > 0 else "below the lower"
            shown = [labels[i] for i in hits]
            if len(hits) == 1:
                text = (f"{_month(shown[0])} ({_num(values[hits[0]], d)}) {where} process "
                        f"limit ({_num(limit, d)})")
            else:
                text = (f"{len(hits)} points {where} process limit ({_num(limit, d)}): "
                        f"{_months_list(shown)}")
            signals.append(SpcSignal("beyond-limit", text, tuple(shown), kind(side)))

    for a, b, ph, _ in phases:
        marks = [(1 if v > ph.centre + EPSILON else -1 if v < ph.centre - EPSILON else 0)
                 for v in values[a:b]]
        for start, end, side in _streaks(marks, spc.run_length):
            shown = labels[a + start:a + end + 1]
            signals.append(SpcSignal(
                "run", f"{len(shown)} points in a row {'above' if side > 0 else 'below'} "
                f"the centre line ({_span(shown)})", tuple(shown), kind(side)))

    steps = [0] + [(1 if values[i] > values[i - 1] + EPSILON else
                    -1 if values[i] < values[i - 1] - EPSILON else 0) for i in range(1, n)]
    for start, end, side in _streaks(steps, spc.trend_length - 1):
        shown = labels[start - 1:end + 1]  # a streak of k rises spans k + 1 points
        signals.append(SpcSignal(
            "trend", f"{len(shown)} points in a row {'rising' if side > 0 else 'falling'} "
            f"({_span(shown)})", tuple(shown), kind(side)))

    for a, b, ph, width in phases:
        if not (spc.two_of_three and ph.mean_moving_range > 0):
            continue
        for side in (1, -1):
            line = ph.centre + side * width * 2 / 3

            def near(v: float) -> bool:
                return v > line + EPSILON if side > 0 else v < line - EPSILON

            clusters: list[list[int]] = []  # [first, last] windows that overlap
            for i in range(a, b - 2):
                if sum(1 for v in values[i:i + 3] if near(v)) >= 2:
                    if clusters and i <= clusters[-1][1] + 2:
                        clusters[-1][1] = i
                    else:
                        clusters.append([i, i])
            for first, last in clusters:
                shown = [labels[j] for j in range(first, last + 3) if near(values[j])]
                signals.append(SpcSignal(
                    "two-of-three", f"two of three points close to the "
                    f"{'upper' if side > 0 else 'lower'} process limit "
                    f"({_span(shown)})", tuple(shown), kind(side)))

    last = phases[-1][2]
    return SpcResult(centre=last.centre, lower=last.lower, upper=last.upper,
                     mean_moving_range=last.mean_moving_range, points=n,
                     signals=tuple(sorted(signals, key=lambda s: (s.periods[0], _RULES[s.rule]))),
                     phases=tuple(p for _, _, p, _ in phases) if cut else (),
                     recalculated_from=labels[cut] if cut else None)


def variation(spc: SpcResult, latest_period: str,
              labels: list[str] | None = None) -> tuple[str, str | None]:
    """The Making Data Count reading of the latest point: "improvement" or "concern" when
    it is part of a signal (a concern outranks an improvement), with the month the
    unbroken stretch of signal points it ends began; else ("common cause", None).
    ``labels`` are the series' own periods, sorted: the stretch is walked back over them
    (a quarterly KPI's previous point is three months back); without them, a month at a
    time."""
    for wanted in ("concern", "improvement"):
        mine = [s for s in spc.signals if s.kind == wanted and latest_period in s.periods]
        if not mine:
            continue
        flagged = sorted({p for s in mine for p in s.periods})
        since = latest_period
        while True:  # walk back over consecutive flagged points
            if labels is not None:
                prior = [p for p in labels if p < since]
                if not prior:
                    break
                before = prior[-1]
            else:
                before = Period.parse(since).shift(-1).label
            earlier = [p for p in flagged if p < since]
            if not earlier or earlier[-1] != before:
                break
            since = before
        return wanted, since
    return "common cause", None


def assurance(spc: SpcResult, polarity: Polarity, target: float | None) -> str | None:
    """Where the target sits against the limits: "met" (every value the process gives
    meets it), "not met" (none does), "hit and miss" (between the limits)."""
    if target is None:
        return None
    good, bad = (spc.lower, spc.upper) if polarity is Polarity.HIGHER else \
        (spc.upper, spc.lower)
    if _better(polarity, good - target) >= 0:
        return "met"
    if _better(polarity, bad - target) < 0:
        return "not met"
    return "hit and miss"


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


def _target_text(target: float, unit: str) -> str:
    return f"the {_num(target, _places(target))}% target" if unit == "%" else \
        f"the target of {_num(target, _places(target))}"


def reading(spc: SpcResult | None, polarity: Polarity, target: float | None, unit: str,
            latest_period: str, period: Period, min_points: int,
            points: int, labels: list[str] | None = None
            ) -> tuple[str | None, str | None, str]:
    """(variation, assurance, one plain sentence for board members) in Making Data Count
    terms: "Improving since January 2018, not by chance; the 72% target is not yet
    reliably met"."""
    parts = []
    kind = sure = None
    if spc is None:
        parts.append(f"too few values to judge variation ({points} of the {min_points} "
                      "needed)")
    else:
        kind, since = variation(spc, latest_period, labels)
        if kind == "common cause":
            parts.append("no significant change" + (
                f" since the limits were recalculated from "
                f"{Period.parse(spc.recalculated_from).name}" if spc.recalculated_from
                else ""))
        else:
            word = "improving" if kind == "improvement" else "worsening"
            when = "in" if since == latest_period else "since"
            parts.append(f"{word} {when} {Period.parse(since).name}, not by chance")
        sure = assurance(spc, polarity, target)
        if sure is not None:
            what = _target_text(target, unit)
            parts.append({"met": f"{what} is reliably met",
                          "not met": f"{what} is not {'yet ' if kind == 'improvement' else ''}"
                                     "reliably met",
                          "hit and miss": f"{what} may or may not be met"}[sure])
        if spc.recalculated_from and kind != "common cause":
            parts.append(f"limits recalculated from {Period.parse(spc.recalculated_from).name}")
    if latest_period != period.label:
        parts.append(f"latest value is for {Period.parse(latest_period).name}")
    text = "; ".join(parts)
    return kind, sure, text[:1].upper() + text[1:] + "."


def rate_kpi(kpi: Kpi, period: Period, spc: Spc) -> KpiResult:
    """The KPI's latest value up to ``period`` against target and tolerance, the XmR chart
    of the series so far, its reading in words, and the direction of travel: with control
    limits it is the SPC reading (improving or worsening only on a signal that includes the
    latest value, otherwise no significant change), so that arrow and chart never
    disagree; without them, the latest value against the configured comparator."""
    series = [(p, v) for p, v in kpi.series if p <= period.label and v is not None]
    if not series:
        return KpiResult(kpi_id=kpi.kpi_id, latest_period=None, latest=None, rag=None,
                         reasons=(f"no value up to {period.name}",),
                         sentence=f"No value up to {period.name}.")
    latest_period, latest = series[-1]
    unit = kpi.unit if kpi.unit in ("%",) else ""
    reasons: list[str] = []
    rag, why = rate_against_target(latest, kpi.polarity, kpi.target, kpi.tolerance, unit)
    reasons.append(why)
    if latest_period != period.label:
        reasons.append(f"latest value is for {Period.parse(latest_period).name}")
    result = xmr(series, kpi.polarity, spc, kpi.unit, spc.recalculate_from(kpi.kpi_id))
    kind, sure, sentence = reading(result, kpi.polarity, kpi.target, unit, latest_period,
                                   period, spc.min_points, len(series),
                                   [p for p, _ in series])

    step = reporting_step([p for p, _ in series])
    back = 12 if kpi.comparator is Comparator.LAST_YEAR else step
    compared_with = Period.parse(latest_period).shift(-back).label
    previous = dict(series).get(compared_with)
    direction = None
    if previous is None:
        reasons.append(f"no value for {Period.parse(compared_with).name} to compare with")
    if result is not None:
        direction = {"improvement": Direction.IMPROVING, "concern": Direction.WORSENING}.get(
            kind, Direction.NO_CHANGE)
    if previous is not None:
        sign = _better(kpi.polarity, latest - previous)
        moved = (Direction.IMPROVING if sign > 0 else Direction.WORSENING if sign < 0
                 else Direction.NO_CHANGE)
        against = ("same month last year" if kpi.comparator is Comparator.LAST_YEAR
                   else _PREVIOUS.get(step, f"previous value ({step} months earlier)"))
        d = _places(latest, previous)
        said = f"{moved.value} against the {against} " \
            f"({_num(previous, d)} in {Period.parse(compared_with).name})"
        if direction is None:
            direction = moved
        elif moved is not direction:
            shows = "an improvement" if kind == "improvement" else "a concern"
            said += (", within common-cause variation" if kind == "common cause"
                     else f", but the chart shows {shows}, not by chance")
        reasons.append(said)
    return KpiResult(kpi_id=kpi.kpi_id, latest_period=latest_period, latest=latest, rag=rag,
                     direction=direction, compared_with=compared_with if previous is not None
                     else None, previous=previous, spc=result, reasons=tuple(reasons),
                     variation=kind, assurance=sure, sentence=sentence)


def rate_kpis(kpis: Iterable[Kpi], period: Period, spc: Spc) -> dict[str, KpiResult]:
    return {k.kpi_id: rate_kpi(k, period, spc) for k in kpis}
