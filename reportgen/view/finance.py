"""Finance as every output states it: totals, by funding stream and by objective, with
the figures each unit prints (whole pounds, whole £000) rounded so that the printed parts
add to the printed total (largest remainder); the finance exceptions, one per action,
cancelled actions left out as from every total; and the assumptions behind the figures
(equal splits across streams, the budget period).

The ratings (FinanceRating) are the rater's; the exact figures stay exact for the
workbook, which shows pence and live formulas.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Mapping, Sequence

from reportgen.config import Config
from reportgen.model import (
    Action, Allocation, FinanceRating, Period, Rag, RatedRun, Status, StreamFinance,
)
from reportgen.rate import allocate
from reportgen.text import clean
from reportgen.view.actions import PlanAction, Row
from reportgen.view.formats import id_list, k_text, largest_remainder, natural_key, plural

NOT_STATED = "budget period not stated"
MEASURES = ("budget", "spend", "forecast")
_ATTR = {"budget": "budget", "spend": "spend_to_date", "forecast": "forecast"}


@dataclass(frozen=True)
class Printed:
    """Figures as one unit prints them, whole (pounds, or thousands of pounds); the
    variance is the printed forecast less the printed budget, so a row reads true."""

    budget: int | None
    spend: int | None
    forecast: int | None

    @property
    def variance(self) -> int | None:
        if self.budget is None or self.forecast is None:
            return None
        return self.forecast - self.budget


@dataclass(frozen=True)
class FinanceLine:
    """One line of a finance table (a stream, an objective or the total): the rating and
    exact figures, the distinct actions counted in it, and the figures printed to the
    pound and to the £1,000; the share of its budget spent (a fraction: None without a
    budget or a spend), and its forecast at the last stored period with the movement
    since (None when nothing is stored to compare with)."""

    name: str
    actions: int
    rating: FinanceRating
    pounds: Printed
    k: Printed
    spent: float | None = None
    previous_forecast: float | None = None
    movement: float | None = None


@dataclass(frozen=True)
class RowMoney:
    """What the finance of one tracker row adds to its own figures: the share of its
    budget spent, its forecast at the last stored period and the movement since (None:
    not stored then, or nothing stored to compare with), and, for a row of a repeated
    action that holds no money itself, the row that holds the action's money."""

    spent: float | None = None
    previous_forecast: float | None = None
    movement: float | None = None
    held_on: str = ""


@dataclass(frozen=True)
class FinanceException:
    """An action whose own finance is Red or Amber (its rows that are not cancelled):
    their budget, forecast and overspend added up, the worse rating, and the overspend
    printed in each unit (the printed overspends add to the printed total)."""

    action: PlanAction
    rows: tuple[Row, ...]
    rag: Rag
    budget: float | None
    forecast: float | None
    variance: float
    variance_pounds: int
    variance_k: int


@dataclass(frozen=True)
class Finance:
    """Everything the outputs say about money."""

    period: str  # the budget period as configured, or NOT_STATED
    period_stated: bool
    source: str
    total: FinanceLine | None  # None: no budget, spend or forecast in any tracker
    streams: tuple[FinanceLine, ...]
    objectives: tuple[FinanceLine, ...]
    exceptions: tuple[FinanceException, ...]
    exceptions_pounds: int  # the printed overspends added up
    exceptions_k: int
    red_parts: str  # "The plan total is Green, but Objective 2 is Red, …"; "" when none
    assumed: tuple[tuple[PlanAction, int], ...]  # split equally across n streams, with money
    stated: int  # actions whose tracker states each stream's share
    stream_notes: tuple[str, ...]  # "Social Care Fund: forecast underspend £2k (12% …)"
    allocations: dict[str, tuple[Allocation, ...]]  # by row ID
    # the sentences on how several streams share an action's money (stated, assumed)
    split_notes: tuple[str, ...] = ()
    # configured streams that fund no action this period (in no stream list)
    unused_streams: tuple[str, ...] = ()
    # an objective that shows no money because its rows repeat actions held elsewhere
    objective_notes: tuple[str, ...] = ()
    by_row: Mapping[str, RowMoney] | None = None  # tracker row ID -> its RowMoney
    previous_period: str = ""  # "August 2018": the forecasts compared with; "" for none

    @property
    def stream_names(self) -> tuple[str, ...]:
        """The funding streams every output lists, in this order."""
        return tuple(line.name for line in self.streams)

    def row(self, action_id: str) -> RowMoney:
        return (self.by_row or {}).get(action_id) or RowMoney()

    @property
    def has_money(self) -> bool:
        return self.total is not None and self.total.rating.budget is not None


def _printed(lines: Sequence[FinanceRating], total: FinanceRating, unit: float
             ) -> tuple[list[Printed], Printed]:
    columns = {}
    totals = {}
    for m in MEASURES:
        values = [getattr(r, _ATTR[m]) for r in lines]
        whole = getattr(total, _ATTR[m])
        parts, sum_ = largest_remainder(values, unit, whole if whole is not None else 0.0)
        columns[m] = parts
        totals[m] = sum_ if whole is not None else None
    rows = [Printed(*(columns[m][i] for m in MEASURES)) for i in range(len(lines))]
    return rows, Printed(*(totals[m] for m in MEASURES))


def _lines(parts: Sequence[StreamFinance], counts: Sequence[int], total: FinanceRating,
           total_actions: int) -> tuple[list[FinanceLine], FinanceLine]:
    ratings = [p.rating for p in parts]
    pounds, total_pounds = _printed(ratings, total, 1)
    k, total_k = _printed(ratings, total, 1000)
    lines = [FinanceLine(clean(p.stream), n, p.rating, pp, kk)
             for p, n, pp, kk in zip(parts, counts, pounds, k)]
    return lines, FinanceLine("Total", total_actions, total, total_pounds, total_k)


def _has_money(row: Row) -> bool:
    return any(getattr(row.action, a) not in (None, 0) for a in _ATTR.values())


def _exceptions(actions: Iterable[PlanAction]) -> list[tuple]:
    found = []
    for a in actions:
        rows = tuple(r for r in a.rows if r.action.status is not Status.CANCELLED
                     and r.rating is not None and r.rating.finance is not None
                     and r.rating.finance.rag in (Rag.RED, Rag.AMBER))
        if not rows:
            continue
        fin = [r.rating.finance for r in rows]
        rag = max((f.rag for f in fin), key=lambda g: g.rank)

        def add(attr: str) -> float | None:
            values = [getattr(f, attr) for f in fin if getattr(f, attr) is not None]
            return round(sum(values), 2) if values else None
        found.append((a, rows, rag, add("budget"), add("forecast"), add("variance") or 0.0))
    found.sort(key=lambda t: (-t[2].rank, -t[5], natural_key(t[0].id)))
    return found


def spent(spend: float | None, budget: float | None) -> float | None:
    """The share of ``budget`` spent (a fraction), or None without both."""
    if spend is None or not budget:
        return None
    return spend / budget


def _pennies(values: Iterable[float | None]) -> float:
    return sum(round(v * 100) for v in values if v is not None) / 100


def _moved(line: FinanceLine, before: Mapping[str, float] | None) -> FinanceLine:
    f = line.rating
    out = replace(line, spent=spent(f.spend_to_date, f.budget))
    if before is None:
        return out
    was = round(before.get(line.name, 0.0), 2)
    return replace(out, previous_forecast=was, movement=round((f.forecast or 0.0) - was, 2))


def _previous_forecasts(previous: Sequence[Action] | None
                        ) -> tuple[dict[str, float], dict[str, float], dict[str, float]] | None:
    """Last period's forecasts by stream (its allocations), by objective and in total
    ("Total"), cancelled actions left out as from every total; None with nothing stored."""
    if previous is None:
        return None
    streams: dict[str, list] = {}
    for al in allocate(previous):
        streams.setdefault(clean(al.stream), []).append(al.forecast)
    objectives: dict[str, list] = {}
    for a in previous:
        if a.status is not Status.CANCELLED:
            objectives.setdefault(f"Objective {a.objective}", []).append(a.forecast)
    total = [v for values in objectives.values() for v in values]
    return ({k: _pennies(v) for k, v in streams.items()},
            {k: _pennies(v) for k, v in objectives.items()}, {"Total": _pennies(total)})


def _has_own_money(action: Action) -> bool:
    return any(getattr(action, a) not in (None, 0) for a in _ATTR.values())


def _row_money(actions: Sequence[PlanAction], previous: Sequence[Action] | None
               ) -> dict[str, RowMoney]:
    before = ({a.action_id: a.forecast for a in previous} if previous is not None else None)
    out = {}
    for a in actions:
        holders = [r.id for r in a.rows if _has_own_money(r.action)]
        for r in a.rows:
            act = r.action
            held = ""
            if a.repeated and not _has_own_money(act) and holders:
                held = ", ".join(holders)
            was = mov = None
            if before is not None and r.id in before:
                was = before[r.id]
                if was is not None or act.forecast is not None:
                    mov = round((act.forecast or 0.0) - (was or 0.0), 2)
            out[r.id] = RowMoney(spent(act.spend_to_date, act.budget), was, mov, held)
    return out


def _objective_notes(actions: Sequence[PlanAction]) -> tuple[str, ...]:
    """"Objective 2 shows no money: …" for each objective whose rows hold none because
    they repeat actions whose money is held under another objective."""
    rows: dict[int, list[tuple[Row, PlanAction]]] = {}
    for a in actions:
        for r in a.rows:
            rows.setdefault(r.action.objective, []).append((r, a))
    notes = []
    for number in sorted(rows):
        mine = rows[number]
        if any(_has_own_money(r.action) for r, _ in mine):
            continue
        repeats = [(r, a) for r, a in mine if a.repeated]
        if not repeats:
            continue
        holders = [h for _, a in repeats for h in a.rows if _has_own_money(h.action)
                   and h.action.status is not Status.CANCELLED]
        held = sorted({h.id for h in holders}, key=natural_key)
        where = sorted({h.action.objective for h in holders})
        if len(mine) == 1:
            rows_words = "its one tracker row repeats an action"
        elif len(repeats) == len(mine):
            rows_words = f"all {len(mine)} of its tracker rows repeat actions"
        else:
            rows_words = f"{len(repeats)} of its {len(mine)} tracker rows repeat actions"
        text = (f"Objective {number} shows no money: {rows_words} the plan lists under "
                "other objectives too, and a repeated action's money is counted once, where "
                "it is held")
        if held:
            text += (f" ({id_list(held, 8)}, under "
                     + " and ".join(f"Objective {n}" for n in where) + ")")
        notes.append(text + ".")
    return tuple(notes)


def _split_notes(stated: int, assumed: Sequence[tuple[PlanAction, int]]) -> tuple[str, ...]:
    notes = []
    if stated:
        notes.append(f"{plural(stated, 'action')} funded by several streams "
                     f"state{'s' if stated == 1 else ''} each stream's share, and it "
                     "is used.")
    if len(assumed) == 1:
        (a, n), = assumed
        notes.append(f"{a.id} is split equally across its {n} funding streams: an "
                     "assumption, not a stated share.")
    elif assumed:
        notes.append(f"{plural(len(assumed), 'action')} "
                     f"({id_list([a.id for a, _ in assumed], 6)}) are split equally "
                     "across their funding streams: an assumption, not a stated share.")
    return tuple(notes)


def build_finance(run: RatedRun, config: Config,
                  actions: Sequence[PlanAction]) -> Finance:
    """The finance of the period (see the module's docstring)."""
    by_row = {r.id: a for a in actions for r in a.rows}
    allocations: dict[str, list[Allocation]] = {}
    for al in run.allocations:
        allocations.setdefault(al.action_id, []).append(al)

    def funded(stream: str | None = None, objective: str | None = None) -> int:
        """Distinct actions with a share of money in ``stream`` (or ``objective``)."""
        return len({by_row[al.action_id].id for al in run.allocations
                    if al.action_id in by_row and (stream is None or al.stream == stream)
                    and (objective is None or f"Objective {al.objective}" == objective)})

    period = clean(config.finance.period).strip()
    total = streams = objectives = None
    if run.finance_total is not None and run.finance_by_stream:
        streams, total = _lines(run.finance_by_stream,
                                [funded(s.stream) for s in run.finance_by_stream],
                                run.finance_total, funded())
        objectives, _ = _lines(run.finance_by_objective,
                               [funded(objective=o.stream) for o in run.finance_by_objective],
                               run.finance_total, funded())

    before = _previous_forecasts(run.previous_actions)
    if streams is not None:
        streams = [_moved(line, before and before[0]) for line in streams]
        objectives = [_moved(line, before and before[1]) for line in objectives]
        total = _moved(total, before and before[2])

    found = _exceptions(actions)
    pounds, sum_pounds = largest_remainder([f[5] for f in found], 1)
    k, sum_k = largest_remainder([f[5] for f in found], 1000)
    exceptions = tuple(FinanceException(a, rows, rag, b, f, v, p, kk)
                       for (a, rows, rag, b, f, v), p, kk in zip(found, pounds, k))

    red_parts = ""
    if total is not None and total.rating.rag in (Rag.GREEN, Rag.AMBER):
        parts = [line for line in (*streams, *objectives) if line.rating.rag is Rag.RED]
        if parts:
            red_parts = (f"The plan total is {total.rating.rag.value}, but " + "; ".join(
                f"{p.name} is Red, {k_text(p.k.variance)} over its budget of "
                f"{k_text(p.k.budget)}" for p in parts) + ".")

    assumed: dict[str, tuple[PlanAction, int]] = {}
    stated: set[str] = set()
    for al in run.allocations:
        a = by_row.get(al.action_id)
        if a is None:
            continue
        if al.basis == "stated":
            stated.add(a.id)
        elif al.basis == "assumed" and any(_has_money(r) for r in a.rows
                                           if r.id == al.action_id):
            assumed[a.id] = (a, len(allocations[al.action_id]))

    notes = []
    for line in streams or ():
        f = line.rating
        if f.underspend and f.budget:
            notes.append(f"{line.name}: forecast underspend {k_text(-line.k.variance)} "
                         f"({-f.variance / f.budget:.0%} of budget)")
        elif f.rag is None and (f.budget or f.forecast):
            notes.append(f"{line.name}: no {'budget' if f.budget is None else 'forecast'}")
    assumed_list = tuple(sorted(assumed.values(), key=lambda t: natural_key(t[0].id)))
    used = {line.name for line in streams or ()}
    previous = run.changes.previous_period
    return Finance(
        period=period or NOT_STATED, period_stated=bool(period),
        source=clean(config.finance.source).strip() or "the action trackers",
        total=total, streams=tuple(streams or ()), objectives=tuple(objectives or ()),
        exceptions=exceptions, exceptions_pounds=sum_pounds, exceptions_k=sum_k,
        red_parts=red_parts,
        assumed=assumed_list,
        stated=len(stated), stream_notes=tuple(notes),
        allocations={k: tuple(v) for k, v in allocations.items()},
        split_notes=_split_notes(len(stated), assumed_list),
        unused_streams=tuple(clean(s) for s in config.stream_names if clean(s) not in used),
        objective_notes=_objective_notes(actions),
        by_row=_row_money(actions, run.previous_actions),
        previous_period=(Period.parse(previous).name
                         if previous and run.previous_actions is not None else ""))


def period_note() -> str:
    return ("Configuration: no budget period is set ([finance] period in reportgen.toml, "
            f"e.g. \"2018/19\" or \"whole life\"), so the paper says \"{NOT_STATED}\".")


def actions_in_words(n: int) -> str:
    """"No action", "One action" … "Five actions", then "12 actions": a count that opens
    a sentence."""
    names = ("No action", "One action", "Two actions", "Three actions", "Four actions",
             "Five actions")
    return names[n] if n < len(names) else plural(n, "action")


__all__ = ["Finance", "FinanceException", "FinanceLine", "NOT_STATED", "Printed", "RowMoney",
           "build_finance", "actions_in_words", "period_note", "spent"]
