"""Rating: actions (BRAG), finance per action and per funding stream. Pure functions.

``as_of`` is always given; nothing here looks at the clock. Written out in docs/rating.md.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


# --------------------------------------------------------------------------- actions

import re  # noqa: E402
import unicodedata  # noqa: E402
from datetime import date  # noqa: E402
from typing import Iterable, Mapping, Sequence  # noqa: E402

from reportgen.config import Thresholds  # noqa: E402
from reportgen.issues import Issue, make_issue  # noqa: E402
from reportgen.model import (  # noqa: E402
    Action, ActionRating, Allocation, FinanceRating, Rag, Status, StreamFinance,
)

NO_STREAM = "No funding stream"


def _d(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _pct(value: float) -> str:
    return f"{value:.0f}%" if abs(value - round(value)) < 0.05 else f"{value:.1f}%"


def expected_percent(start: date, end: date, as_of: date) -> float:
    """Share of the planned period start..end (both days included) elapsed by the end of
    ``as_of``, as a percentage 0–100."""
    if as_of < start:
        return 0.0
    if as_of >= end:
        return 100.0
    total = (end - start).days + 1
    return round(100.0 * ((as_of - start).days + 1) / total, 6)


def _worse(a: Rag, b: Rag) -> Rag:
    return a if a.severity >= b.severity else b


def rate_action(action: Action, th: Thresholds, as_of: date) -> ActionRating:
    """The BRAG of one action at ``as_of`` with its reasons in words (docs/rating.md)."""
    reasons: list[str] = []
    expected = actual = slippage = None
    dates_only = action.percent_complete is None
    status = action.status

    if status is Status.CANCELLED:
        computed = Rag.CANCELLED
        reasons.append("cancelled")
        dates_only = False
    elif status is Status.COMPLETE:
        computed = Rag.BLUE
        reasons.append("complete")
        dates_only = False
    elif status is Status.NOT_STARTED and action.start > as_of:
        computed = Rag.GREY
        reasons.append(f"not due to start until {_d(action.start)}")
        dates_only = False
    else:
        expected = expected_percent(action.start, action.end, as_of)
        actual = action.percent_complete
        computed = Rag.GREEN
        if action.end < as_of:
            computed = Rag.RED
            reasons.append(f"overdue since {_d(action.end)}")
        if actual is not None:
            if th.slippage_model == "ratio":
                if expected > 0:
                    slippage = round(actual / expected, 6)
                    if slippage < th.ratio_red:
                        computed = Rag.RED
                    elif slippage < th.ratio_amber:
                        computed = _worse(computed, Rag.AMBER)
                    if slippage < th.ratio_amber:
                        reasons.append(f"at {slippage:.0%} of planned progress "
                                       f"({_pct(actual)} done, {_pct(expected)} expected)")
            else:
                slippage = round(expected - actual, 6)
                if slippage >= th.points_red:
                    computed = Rag.RED
                elif slippage >= th.points_amber:
                    computed = _worse(computed, Rag.AMBER)
                if slippage >= th.points_amber:
                    reasons.append(f"{slippage:.0f} points behind plan "
                                   f"({_pct(actual)} done, {_pct(expected)} expected)")
        elif status is Status.NOT_STARTED:
            computed = _worse(computed, Rag.AMBER)
            reasons.append(f"not started; due to start {_d(action.start)}")
        if status is Status.ON_HOLD:
            computed = _worse(computed, Rag.AMBER)
            reasons.append("on hold")
        if computed is Rag.GREEN:
            reasons.append("on track")
        if dates_only:
            reasons.append("rated from dates and status: no % complete given")

    officer = action.officer_rag
    reported = _reported(computed, officer, th.reported_rag)
    challenge = (officer is not None and officer.severity >= 0 and computed.severity >= 0
                 and abs(officer.severity - computed.severity) >= th.challenge_steps)
    if challenge:
        reasons.append(f"RAG challenge: officer rates {officer.value}, "
                       f"evidence says {computed.value}")
    elif reported is not computed:
        reasons.append(f"officer rates {reported.value}")
    elif computed is Rag.BLUE and officer not in (None, Rag.BLUE):
        reasons.append(f"officer still rates {officer.value}")
    stale = (status not in (Status.COMPLETE, Status.CANCELLED)
             and (as_of - action.last_updated).days > th.stale_days)
    if stale:
        reasons.append(f"update overdue: last updated {_d(action.last_updated)}")
    return ActionRating(
        action_id=action.action_id, computed=computed, reported=reported, officer=officer,
        expected_percent=expected, actual_percent=action.percent_complete,
        slippage=slippage, dates_only=dates_only, stale=stale, challenge=challenge,
        reasons=tuple(reasons), finance=rate_finance(action.budget, action.spend_to_date,
                                                     action.forecast, th),
    )


def _reported(computed: Rag, officer: Rag | None, policy: str) -> Rag:
    # Complete is a fact, not a judgement: a complete action is Blue whatever the officer's
    # (often stale) RAG says, under every policy; a disagreement is a RAG challenge to the
    # officer, never a Red in the paper.
    if computed in (Rag.CANCELLED, Rag.BLUE) or officer is None or policy == "computed":
        return computed
    if policy == "officer":
        return officer
    # worse-of: an officer's concern (Amber/Red) outranks "not due"; Blue/Green do not.
    if computed is Rag.GREY:
        return officer if officer in (Rag.RED, Rag.AMBER) else computed
    return _worse(computed, officer)


def rate_actions(actions: Iterable[Action], th: Thresholds,
                 as_of: date) -> dict[str, ActionRating]:
    """Ratings keyed by action ID, in the order given."""
    return {a.action_id: rate_action(a, th, as_of) for a in actions}


# --------------------------------------------------------------------------- finance


def _money(value: float) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.0f}" if abs(value - round(value)) < 0.005 \
        else f"{sign}£{abs(value):,.2f}"


def rate_finance(budget: float | None, spend: float | None, forecast: float | None,
                 th: Thresholds) -> FinanceRating:
    """Forecast against budget: Red when the overspend is at or above
    ``finance_red_percent`` of budget or ``finance_red_pounds``, whichever is lower; Amber
    for a smaller overspend; Green at or under budget. An underspend of
    ``underspend_percent`` or more is flagged, not rated down."""
    if budget is None or forecast is None:
        missing = "budget" if budget is None else "forecast"
        return FinanceRating(budget, spend, forecast, None, None,
                             reasons=(f"no {missing}",) if budget or forecast else ())
    variance = round(forecast - budget, 2)
    reasons: list[str] = []
    underspend = False
    if variance > 0:
        limit = min(budget * th.finance_red_percent / 100.0, th.finance_red_pounds)
        share = f" ({variance / budget:.1%} of budget)" if budget > 0 else " (no budget)"
        if variance >= round(limit, 2):
            rag = Rag.RED
        else:
            rag = Rag.AMBER
        reasons.append(f"forecast overspend {_money(variance)}{share}")
    else:
        rag = Rag.GREEN
        if budget > 0 and -variance * 100.0 >= th.underspend_percent * budget - 1e-9:
            underspend = True
            reasons.append(f"forecast underspend {_money(-variance)} "
                           f"({-variance / budget:.1%} of budget)")
    return FinanceRating(budget, spend, forecast, variance, rag, underspend, tuple(reasons))


def _roll(groups: dict[str, list[tuple[float | None, float | None, float | None]]],
          counts: dict[str, int], order: list[str], th: Thresholds) -> tuple[StreamFinance, ...]:
    out = []
    for name in order:
        rows = groups.get(name)
        if rows is None:
            continue

        def total(i: int) -> float | None:
            present = [r[i] for r in rows if r[i] is not None]
            return round(sum(present), 2) if present else None

        out.append(StreamFinance(name, counts[name],
                                 rate_finance(total(0), total(1), total(2), th)))
    return tuple(out)


def _amount(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    return float(value)


def split_by(amount: float | None, weights: Sequence[float]) -> list[float | None]:
    """Split ``amount`` in the proportions ``weights``, in whole pennies; the pennies
    left over go to the first stream, so the shares always add back to the amount.

    >>> split_by(100.0, [0.6, 0.4])
    [60.0, 40.0]
    """
    if amount is None:
        return [None] * len(weights)
    pennies = int((Decimal(str(amount)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    total = sum(weights)
    shares = [int(round(pennies * w / total, 6)) if total else 0 for w in weights]
    if shares:
        shares[0] += pennies - sum(shares)
    return [p / 100 for p in shares]


def share_words(shares: Sequence[float]) -> list[str]:
    """Fractions as the paper prints them: [0.625, 0.375] → ['62.5%', '37.5%']."""
    return [_pct(100.0 * s) for s in shares]


def allocate(actions: Iterable[Action]) -> tuple[Allocation, ...]:
    """One share per action x funding stream, in whole pennies: the shares the tracker
    states (``Action.funding_shares``: amounts in the funding cell or per-stream budget
    columns), otherwise an equal split, named as an assumption (``basis`` "assumed");
    the leftover pennies go to the first stream named (:func:`split_by`). Cancelled
    actions are left out, as from every finance total; an action with no stream is
    allocated to "No funding stream". The only place money is split across streams."""
    out = []
    for a in actions:
        if a.status is Status.CANCELLED:
            continue
        names = a.funding or (NO_STREAM,)
        n = len(names)
        stated = len(a.funding_shares) == n and n > 1
        if stated:
            weights = list(a.funding_shares)
            labels = share_words(weights)
            basis = "stated"
        else:
            weights = [1.0] * n
            labels = [f"{i + 1} of {n}" for i in range(n)]
            basis = "assumed" if n > 1 else "single"
        for name, label, b, s, f in zip(names, labels, split_by(_amount(a.budget), weights),
                                        split_by(_amount(a.spend_to_date), weights),
                                        split_by(_amount(a.forecast), weights)):
            out.append(Allocation(a.action_id, a.objective, name, label, b, s, f, basis))
    return tuple(out)


def finance_by_stream(allocations: Iterable[Allocation], th: Thresholds,
                      streams: Iterable[str] = ()) -> tuple[StreamFinance, ...]:
    """Budget, spend and forecast per funding stream, from :func:`allocate`'s shares.
    Streams come in ``streams`` order, then any others A-Z."""
    groups: dict[str, list] = {}
    counts: dict[str, int] = {}
    for al in allocations:
        groups.setdefault(al.stream, []).append((al.budget, al.spend, al.forecast))
        counts[al.stream] = counts.get(al.stream, 0) + 1
    known = [s for s in streams if s in groups]
    order = known + sorted(set(groups) - set(known))
    return _roll(groups, counts, order, th)


def finance_total(by_stream: Iterable[StreamFinance], th: Thresholds) -> FinanceRating:
    """All streams together, rated as one."""
    by_stream = list(by_stream)

    def total(attr: str) -> float | None:
        values = [getattr(s.rating, attr) for s in by_stream
                  if getattr(s.rating, attr) is not None]
        return round(sum(values), 2) if values else None

    return rate_finance(total("budget"), total("spend_to_date"), total("forecast"), th)


def finance_by_objective(actions: Iterable[Action], th: Thresholds) -> tuple[StreamFinance, ...]:
    """Budget, spend and forecast per objective ("Objective 1", …), cancelled left out."""
    groups: dict[str, list] = {}
    counts: dict[str, int] = {}
    numbers: dict[str, int] = {}
    for a in actions:
        if a.status is Status.CANCELLED:
            continue
        name = f"Objective {a.objective}"
        numbers[name] = a.objective
        groups.setdefault(name, []).append((a.budget, a.spend_to_date, a.forecast))
        counts[name] = counts.get(name, 0) + 1
    return _roll(groups, counts, sorted(groups, key=numbers.__getitem__), th)


# --------------------------------------------------------------------------- repeats


def _same_text(text: str) -> str:
    """Text as compared for repeats: Unicode-normalised, case folded, with white space
    and punctuation taken out ("Co-ordination" and "co ordination" are the same)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold()
                   if ch.isalnum())


def _id_order(action: Action) -> tuple:
    parts = re.split(r"(\d+)", action.action_id.casefold())
    return (action.objective,
            tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts))


def cross_cutting(actions: Iterable[Action]) -> dict[str, tuple[str, ...]]:
    """The actions the plan repeats under several objectives: the same action text and
    the same lead officer (compared without case, white space or punctuation) under
    different IDs in two or more objectives. Returns action ID -> the IDs of its other
    occurrences, ordered by objective then ID; actions that are not repeated are absent.

    Rows with the same text in one objective only are not matched (they are separate
    rows of one objective, or a duplicate that validation reports); a blank action text
    matches nothing."""
    groups: dict[tuple[str, str], list[Action]] = {}
    for a in actions:
        text = _same_text(a.action)
        if text:
            groups.setdefault((text, _same_text(a.lead_officer)), []).append(a)
    out: dict[str, tuple[str, ...]] = {}
    for group in groups.values():
        ids = {a.action_id for a in group}
        if len({a.objective for a in group}) < 2 or len(ids) < 2:
            continue
        ordered = [a.action_id for a in sorted(group, key=_id_order)]
        for action_id in ordered:
            out[action_id] = tuple(i for i in dict.fromkeys(ordered) if i != action_id)
    return out


_MONEY = ("budget", "spend_to_date", "forecast")


def repeat_money_issues(actions: Iterable[Action],
                        repeats: Mapping[str, tuple[str, ...]]) -> list[Issue]:
    """A warning at each money cell of a repeated action (:func:`cross_cutting`) when
    more than one of its occurrences is given money (a budget, spend or forecast other
    than nothing or zero): the finance totals may count it twice. One occurrence with
    money and the others blank, as the plan should be kept, raises nothing."""
    actions = list(actions)
    by_id = {a.action_id: a for a in actions}

    def has_money(a: Action) -> bool:
        return any(getattr(a, name) not in (None, 0) for name in _MONEY)

    issues: list[Issue] = []
    for a in actions:
        others = [by_id[i] for i in repeats.get(a.action_id, ()) if i in by_id]
        funded = [o for o in others if has_money(o)]
        if not funded or not has_money(a):
            continue
        where = ", ".join(f"Objective {o.objective} ({o.action_id})" for o in funded)
        src = a.source
        for name in _MONEY:
            value = getattr(a, name)
            if value in (None, 0):
                continue
            issues.append(make_issue("repeated-action-money", file=src.file,
                                     sheet=src.sheet, cell=src.cell(name), field=name,
                                     value=_money(float(value)), detail=where,
                                     action_id=a.action_id, officer=a.lead_officer))
    return issues


# --------------------------------------------------------------------------- issues


def rating_issues(actions: Iterable[Action], ratings: Mapping[str, ActionRating],
                  th: Thresholds, as_of: date, *,
                  repeats: Mapping[str, tuple[str, ...]] | None = None) -> list[Issue]:
    """Warnings the rating finds: updates overdue (the ratings marked ``stale``), RAG
    challenges, Red or Amber actions without a corrective action, and money given to
    more than one occurrence of a repeated action (:func:`repeat_money_issues`). ``th``
    and ``as_of`` are those the ratings were made with; they only word the messages.
    ``repeats`` is :func:`cross_cutting` of ``actions`` when the caller has it already."""
    actions = list(actions)
    if repeats is None:
        repeats = cross_cutting(actions)
    issues: list[Issue] = repeat_money_issues(actions, repeats)
    for a in actions:
        r = ratings.get(a.action_id)
        if r is None:
            continue
        src = a.source
        if r.stale:
            issues.append(make_issue("stale-update", file=src.file, sheet=src.sheet,
                                     cell=src.cell("last_updated"), field="last_updated",
                                     value=_d(a.last_updated),
                                     detail=(as_of - a.last_updated).days, as_of=_d(as_of),
                                     limit=th.stale_days, action_id=a.action_id,
                                     officer=a.lead_officer))
        if r.challenge and r.officer is not None:
            issues.append(make_issue("rag-challenge", file=src.file, sheet=src.sheet,
                                     cell=src.cell("officer_rag"), field="officer_rag",
                                     value=r.officer.value, detail=r.computed.value,
                                     action_id=a.action_id, officer=a.lead_officer))
        if r.reported in (Rag.RED, Rag.AMBER) and not a.corrective_action.strip():
            issues.append(make_issue("missing-corrective-action", file=src.file,
                                     sheet=src.sheet, cell=src.cell("corrective_action"),
                                     field="corrective_action", value=r.reported.value,
                                     action_id=a.action_id, officer=a.lead_officer))
    return issues
