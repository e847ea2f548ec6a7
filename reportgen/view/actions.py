"""The plan's actions as the Board knows them: one :class:`PlanAction` per action however
many tracker rows state it (the plan repeats some actions under several objectives:
RatedRun.repeats), with its rows as its sources, its one rating (the worst of its rows'),
its rating last period, its change since then, what it asks of the Board and its place in
the order of what needs the Board.

Everything here is decided once, for every output: which actions are Red or Amber and in
what order, which change each has (one change per action: an action newly Red is not also
"worsened"), how many there are by rating now and before.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from typing import Iterable, Mapping

from reportgen.model import Action, ActionRating, Changes, Rag, RatedRun, repeat_key
from reportgen.text import clean
from reportgen.view.formats import and_list, largest_remainder, natural_key
from reportgen.view.words import CARRIED_MARK, brief_title, carried_words

# --------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class Row:
    """One tracker row: the action as one tracker states it, its rating (None when not
    rated), and whether its last update is dated after the period's end."""

    action: Action
    rating: ActionRating | None
    late: bool = False

    @property
    def id(self) -> str:
        return self.action.action_id

    @property
    def rag(self) -> Rag | None:
        return self.rating.reported if self.rating else None

    @property
    def carried(self) -> bool:
        """The rating is last period's, carried forward: the row was not updated."""
        return self.rating is not None and not self.rating.updated

    @property
    def mark(self) -> str:
        """The marker printed after a carried rating ("Red ‡"), else ""."""
        return CARRIED_MARK if self.carried else ""

    @property
    def not_updated(self) -> str:
        """"Not updated this month: <reason>; rating from September 2018", or ""."""
        return carried_words(self.rating)


def _row_order(row: Row) -> tuple:
    return (row.action.objective, natural_key(row.id))


# --------------------------------------------------------------------------- decisions

# "ask the IJB to extend the end date to March 2019" in a corrective action or commentary
_ASK = re.compile(
    r"\b(?:ask|asks|asking|request|requests|requesting|seek|seeks|seeking)\s+"
    r"(?:that\s+)?the\s+(?:IJB|Integration\s+Joint\s+Board|Board)\s+"
    r"(?:to\s+|for\s+|approval\s+to\s+)?([^.;\n]+)", re.I)
# what a "Board decision needed" cell holds when it says only yes or no
_NO = {"", "no", "n", "none", "n/a", "na", "-", "–", "false", "0", "not required"}
_YES = {"yes", "y", "x", "true", "1", "required", "needed"}


def decision_asked(action: Action) -> str | None:
    """What the Board is asked to decide for this row, in words ("extend the end date to
    March 2019"); "" when the tracker marks a decision without saying what; None when it
    asks none. The "Board decision needed" column first, then a corrective action or
    commentary that asks the IJB or the Board to do something."""
    marked = clean(action.decision).strip()
    if marked.lower().rstrip(".") not in _NO:
        if marked.lower().rstrip(".") not in _YES:
            return marked.rstrip(". ")
        found = _ASK.search(clean(action.corrective_action)) or _ASK.search(
            clean(action.commentary))
        return found.group(1).strip().rstrip(", ") if found else ""
    for text in (action.corrective_action, action.commentary):
        found = _ASK.search(clean(text))
        if found:
            return found.group(1).strip().rstrip(", ")
    return None


# --------------------------------------------------------------------------- actions

BOARD_CLASSES = ("Board decision asked", "No corrective action", "Newly Red or worse",
                 "RAG challenge", "Red", "Amber")
"""The order of the exceptions, what needs the Board first: an action is in the first
class that applies to it."""

CHANGES = (("newly_red", "Newly Red"), ("worsened", "Worsened"), ("improved", "Improved"),
           ("newly_complete", "Newly complete"), ("new", "New actions"),
           ("removed", "No longer reported"))
"""Each change since last period, as exports and the paper name it, in the paper's
order. An action has at most one."""


@dataclass(frozen=True)
class PlanAction:
    """One action of the plan: its tracker rows (by objective, then ID), the row shown
    for it (``lead``: its worst-rated row, then the first by objective and ID), its one
    rating and last period's, its change since then ("" for none), what it asks of the
    Board (None: nothing) and, when Red or Amber, its class in :data:`BOARD_CLASSES`."""

    rows: tuple[Row, ...]
    lead: Row
    rag: Rag | None
    previous: Rag | None = None
    change: str = ""
    decision: str | None = None
    board_class: int | None = None

    @property
    def id(self) -> str:
        return self.lead.id

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.rows)

    @property
    def action(self) -> Action:
        return self.lead.action

    @property
    def rating(self) -> ActionRating | None:
        return self.lead.rating

    @property
    def objectives(self) -> tuple[int, ...]:
        return tuple(sorted({r.action.objective for r in self.rows}))

    @property
    def others(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r is not self.lead)

    @property
    def repeated(self) -> bool:
        return len(self.rows) > 1

    @property
    def carried(self) -> bool:
        return self.lead.carried

    @property
    def mark(self) -> str:
        return self.lead.mark

    @property
    def challenge(self) -> bool:
        return any(r.rating is not None and r.rating.challenge for r in self.rows)

    @property
    def stale(self) -> bool:
        return bool(self.stale_ids)

    @property
    def stale_ids(self) -> tuple[str, ...]:
        """The IDs of its rows whose update is overdue."""
        return tuple(r.id for r in self.rows if r.rating is not None and r.rating.stale)

    def stale_words(self, days: int) -> str:
        """"Update overdue (over 45 days)", naming the rows when the one shown is not
        among them: "Update overdue on O3-24 (over 45 days)"; "" when none is."""
        if not self.stale_ids:
            return ""
        where = "" if self.lead.id in self.stale_ids else f" on {', '.join(self.stale_ids)}"
        return f"Update overdue{where} (over {days} days)"

    @property
    def corrective(self) -> str:
        """The corrective action its rows give (the lead row's first), "" for none."""
        for r in (self.lead, *self.others):
            text = clean(r.action.corrective_action).strip()
            if text:
                return text
        return ""

    @property
    def officer(self) -> str:
        return clean(self.action.lead_officer).strip()

    def name(self, limit: int = 50) -> str:
        """"O3-09 Support a range of models of Discharge… (Iain Scott)"."""
        return (f"{self.id} {brief_title(self.action.action, limit)}"
                + (f" ({self.officer})" if self.officer else ""))

    def full_name(self) -> str:
        """"O1-03 and O3-04 (the same action under Objectives 1 and 3), Redesign day
        services… (Morag Elliot)": every ID, for a decision the Board is asked."""
        ids = sorted(self.ids, key=natural_key)
        label = ids[0] if len(ids) == 1 else (
            ", ".join(ids[:-1]) + f" and {ids[-1]} (the same action under Objectives "
            + and_list([str(n) for n in self.objectives]) + ")")
        return (f"{label}, {brief_title(self.action.action, 60)}"
                + (f" ({self.officer})" if self.officer else ""))

    def also_under(self, short: bool = False) -> str:
        """"Also under Objectives 2 and 3 (O2-03, O3-25)", with a row's own rating where
        it differs from the action's ("O3-04 Amber"); "also under Objective 2" when
        ``short``; "" for an action stated once."""
        others = sorted(self.others, key=_row_order)
        if not others:
            return ""
        numbers = sorted({o.action.objective for o in others} - {self.action.objective}) \
            or sorted({o.action.objective for o in others})
        which = and_list([str(n) for n in numbers])
        s = "s" if len(numbers) > 1 else ""
        if short:
            return f"also under Objective{s} {which}"
        refs = ", ".join(o.id + (f" {o.rag.value}" if o.rag is not None
                                 and o.rag is not self.lead.rag else "") for o in others)
        return f"Also under Objective{s} {which} ({refs})"


def _worst(rags: Iterable[Rag | None]) -> Rag | None:
    present = [r for r in rags if r is not None]
    return max(present, key=lambda r: r.rank) if present else None


def _change(now: Rag | None, before: Rag | None, had_previous: bool) -> str:
    if not had_previous or now is None:
        return ""
    if before is None:
        return ("newly_red" if now is Rag.RED else
                "newly_complete" if now is Rag.BLUE else "new")
    if now is Rag.RED and before is not Rag.RED:
        return "newly_red"
    comparable = now.severity >= 0 and before.severity >= 0
    if comparable and now.severity > before.severity:
        return "worsened"
    if now is Rag.BLUE and before is not Rag.BLUE:
        return "newly_complete"
    if comparable and now.severity < before.severity:
        return "improved"
    return ""


def _board_class(action: PlanAction) -> int:
    if action.decision is not None:
        return 0
    if not action.corrective:
        return 1
    if action.change in ("newly_red", "worsened"):
        return 2
    if action.challenge:
        return 3
    return 4 if action.rag is Rag.RED else 5


def plan_actions(run: RatedRun, late_after: date | None = None) -> tuple[PlanAction, ...]:
    """Every action of the plan once (rows grouped by RatedRun.repeats), in order of the
    objective and ID of the row shown for it. ``late_after``: rows last updated after this
    day are marked late (the period's end)."""
    ratings, repeats = run.ratings, run.repeats
    groups: dict[str, list[Row]] = {}
    for a in run.actions:
        key = repeat_key(a.action_id, repeats)
        late = late_after is not None and a.last_updated > late_after
        groups.setdefault(key, []).append(Row(a, ratings.get(a.action_id), late))
    had_previous = run.changes.previous_period is not None
    out = []
    for rows in groups.values():
        rows.sort(key=_row_order)
        lead = min(rows, key=lambda r: (-(r.rag.rank if r.rag else -3), *_row_order(r)))
        rag = _worst(r.rag for r in rows)
        before = _worst(run.previous_rags.get(r.id) for r in rows)
        asked = [decision_asked(r.action) for r in (lead, *[r for r in rows if r is not lead])]
        asked = [a for a in asked if a is not None]
        decision = next((a for a in asked if a), "") if asked else None
        item = PlanAction(tuple(rows), lead, rag, before,
                          _change(rag, before, had_previous), decision)
        if rag in (Rag.RED, Rag.AMBER):
            item = replace(item, board_class=_board_class(item))
        out.append(item)
    return tuple(sorted(out, key=lambda p: _row_order(p.lead)))


def board_order(actions: Iterable[PlanAction]) -> tuple[PlanAction, ...]:
    """The Red and Amber actions in the order they need the Board: by class
    (:data:`BOARD_CLASSES`), Red before Amber within a class, then by objective and ID."""
    chosen = [a for a in actions if a.board_class is not None]
    return tuple(sorted(chosen, key=lambda a: (a.board_class, -a.rag.rank,
                                               *_row_order(a.lead))))


# --------------------------------------------------------------------------- counts


@dataclass(frozen=True)
class ObjectiveCounts:
    """An objective's actions by rating: each action under every objective it is in,
    at its one rating."""

    number: int
    title: str  # the configured wording, or "(not in the configuration)"
    configured: bool
    counts: Mapping[Rag, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def rated(self) -> int:
        """The objective's actions rated (not cancelled)."""
        return sum(self.counts.get(r, 0) for r in Rag.counted())


@dataclass(frozen=True)
class RagCounts:
    """The plan by rating, distinct actions (an action the plan repeats counted once, at
    its one rating), now and last period (None: no earlier period), with the tracker
    rows beside as a second figure, and each rating's whole-per-cent share of the rated
    actions (adding to 100)."""

    now: Mapping[Rag, int]
    before: Mapping[Rag, int] | None
    rows: Mapping[Rag, int]
    shares: Mapping[Rag, int]
    actions: int  # distinct actions in the plan
    tracker_rows: int
    repeated: int  # distinct actions that appear under more than one objective
    by_objective: tuple[ObjectiveCounts, ...] = ()

    @property
    def rated(self) -> int:
        return sum(self.now.get(r, 0) for r in Rag.counted())

    @property
    def cancelled(self) -> int:
        return self.now.get(Rag.CANCELLED, 0)

    @property
    def rows_differ(self) -> bool:
        return self.tracker_rows != self.actions

    @property
    def rated_rows(self) -> int:
        """Tracker rows rated (not cancelled)."""
        return sum(self.rows.get(r, 0) for r in Rag.counted())


def distinct_rags(rags: Mapping[str, Rag], repeats: Mapping[str, tuple[str, ...]]
                  ) -> Counter:
    """Actions by rating from a rating per tracker row (``rags``: action ID -> RAG), an
    action the plan repeats (``repeats``: ID -> its other IDs) counted once, at the worst
    rating of its rows: how the view counts a plan it knows only by its rows (last
    period's, a stored period's)."""
    groups: dict[str, list[Rag]] = {}
    for action_id, rag in rags.items():
        groups.setdefault(repeat_key(action_id, repeats), []).append(rag)
    return Counter(_worst(found) for found in groups.values())


def shares_of(counts: Mapping[Rag, int]) -> dict[Rag, int]:
    """Whole per cents of the rated actions, by largest remainder, adding to 100."""
    rated = sum(counts.get(r, 0) for r in Rag.counted())
    if not rated:
        return {r: 0 for r in Rag.counted()}
    parts, _ = largest_remainder([100 * counts.get(r, 0) / rated for r in Rag.counted()],
                                 total=100)
    return dict(zip(Rag.counted(), parts))


def count_by_rag(actions: Iterable[PlanAction], run: RatedRun,
                 objectives: Iterable[tuple[int, str, bool]]) -> RagCounts:
    """:class:`RagCounts` of ``actions``; ``objectives``: (number, wording, configured)
    in the order tables list them."""
    actions = list(actions)
    now = Counter(a.rag for a in actions if a.rag is not None)
    before = None
    if run.changes.previous_period or run.previous_rags:
        before = distinct_rags(run.previous_rags, run.repeats)
    rows = Counter(r.rag for a in actions for r in a.rows if r.rag is not None)
    by_objective = []
    for number, title, configured in objectives:
        under = [a for a in actions if number in a.objectives]
        counts = Counter(a.rag for a in under if a.rag is not None)
        by_objective.append(ObjectiveCounts(
            number, title, configured, {r: counts.get(r, 0) for r in Rag.worst_first()}))
    full = {r: now.get(r, 0) for r in Rag.worst_first()}
    return RagCounts(
        now=full, before={r: before.get(r, 0) for r in Rag.worst_first()} if before
        is not None else None, rows={r: rows.get(r, 0) for r in Rag.worst_first()},
        shares=shares_of(full), actions=len(actions),
        tracker_rows=sum(len(a.rows) for a in actions),
        repeated=sum(1 for a in actions if a.repeated), by_objective=tuple(by_objective))


# --------------------------------------------------------------------------- changes


@dataclass(frozen=True)
class Departed:
    """An action of last period no longer in the plan, as the last stored period knew
    it (its IDs; its text and lead officer when stored)."""

    ids: tuple[str, ...]
    title: str = ""
    officer: str = ""

    @property
    def id(self) -> str:
        return self.ids[0]


def _same(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold()
                   if ch.isalnum())


def departed(changes: Changes) -> tuple[Departed, ...]:
    """The actions no longer reported, one entry per action: IDs with the same stored
    text and lead officer are one action."""
    groups: dict[tuple, list[str]] = {}
    for action_id in sorted(changes.removed, key=natural_key):
        title, officer = changes.removed_names.get(action_id, ("", ""))
        key = (_same(title), _same(officer)) if _same(title) else ("", action_id)
        groups.setdefault(key, []).append(action_id)
    out = []
    for ids in groups.values():
        title, officer = changes.removed_names.get(ids[0], ("", ""))
        out.append(Departed(tuple(ids), clean(title), clean(officer)))
    return tuple(out)


__all__ = ["BOARD_CLASSES", "CHANGES", "Departed", "ObjectiveCounts", "PlanAction",
           "RagCounts", "Row", "board_order", "count_by_rag", "decision_asked",
           "departed", "distinct_rags", "plan_actions", "shares_of"]
