"""The rated actions as the report reads them, and the wording of a rating: counts by
RAG, progress against plan, and the reasons given for it. Builds runs, not tables."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping

from reportgen.config import Config
from reportgen.model import Action, ActionRating, Rag, RatedRun
from reportgen.render.coverage import (
    CARRIED_MARK, RANK, carried_words, distinct_counts, group_key,
)
from reportgen.render.formats import natural_key, pct, plural
from reportgen.render.word.wordml import BOLD, text_run
from reportgen.text import clean

BRAG = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE, Rag.GREY)
"""The ratings counted as rated, worst first (Cancelled is shown apart)."""
RAG_NAMES = {Rag.RED: "Red", Rag.AMBER: "Amber", Rag.GREEN: "Green",
             Rag.BLUE: "Blue (complete)", Rag.GREY: "Grey (not yet due)",
             Rag.CANCELLED: "Cancelled"}


@dataclass
class Rated:
    """An action with its rating (None when it was not rated)."""

    action: Action
    rating: ActionRating | None

    @property
    def rag(self) -> Rag | None:
        return self.rating.reported if self.rating else None

    @property
    def carried(self) -> bool:
        """The rating is last period's, carried forward: the action was not updated."""
        return self.rating is not None and not self.rating.updated

    @property
    def mark(self) -> str:
        """The marker printed after a carried rating ("Red ‡"), else ""."""
        return CARRIED_MARK if self.carried else ""

    @property
    def not_updated(self) -> str:
        """"Not updated this month: <reason>; rating from September 2018", or ""."""
        return carried_words(self.rating)


def rated_items(run: RatedRun) -> list[Rated]:
    """Every action in the run, in the run's order, with its rating."""
    ratings = run.ratings
    return [Rated(a, ratings.get(a.action_id)) for a in run.actions]


def objective_numbers(run: RatedRun, config: Config) -> list[int]:
    """The configured objectives in order, then any others the trackers name."""
    numbers = [o.number for o in config.objectives]
    return numbers + sorted({a.objective for a in run.actions} - set(numbers))


def objective_title(config: Config, number: int) -> str:
    obj = config.objective(number)
    return f"Objective {number}: {clean(obj.text)}" if obj else \
        f"Objective {number} (not in the configuration)"


def rag_counts(items: Iterable[Rated]) -> Counter:
    """Actions by reported rating; unrated actions are not counted."""
    return Counter(i.rag for i in items if i.rag is not None)


def count_words(counts: Counter) -> str:
    """"3 Red, 1 Amber, 2 cancelled": the ratings present, worst first."""
    parts = [f"{counts[r]:,} {RAG_NAMES[r]}" for r in BRAG if counts.get(r)]
    if counts.get(Rag.CANCELLED):
        parts.append(f"{counts[Rag.CANCELLED]:,} cancelled")
    return ", ".join(parts) if parts else "none rated"


def progress(r: ActionRating | None) -> str:
    """Actual % complete "of" the expected %, "–" when there is none, "– †" when the
    action was rated on dates alone."""
    if r is None:
        return "–"
    if r.dates_only:
        return "– †"
    if r.actual_percent is None:
        return "–"
    if r.expected_percent is None:
        return pct(r.actual_percent)
    return f"{pct(r.actual_percent)} of {pct(r.expected_percent)}"


def slippage_text(r: ActionRating | None, model: str) -> str:
    """The slippage in words under the slippage ``model`` ("points" or "ratio")."""
    if r is None:
        return "Not rated"
    if r.dates_only:
        return "No % complete given: rated on dates and status alone †"
    if r.slippage is None:
        return ""
    plan = ""
    if r.expected_percent is not None and r.actual_percent is not None:
        plan = f" (expected {pct(r.expected_percent)}, actual {pct(r.actual_percent)})"
    if model == "ratio":
        return f"Progress at {r.slippage:.2f} of plan{plan}"
    if r.slippage > 0.5:
        return f"{r.slippage:.0f} points behind plan{plan}"
    if r.slippage < -0.5:
        return f"{-r.slippage:.0f} points ahead of plan{plan}"
    return f"On plan{plan}"


def why_runs(r: ActionRating | None, model: str) -> list[str]:
    """The rating's reasons in the rater's words, one run each; the slippage in numbers
    when the rater gave none. A RAG challenge is bold."""
    reasons = list(r.reasons) if r else []
    slipped = "" if reasons else slippage_text(r, model)
    out = [text_run(slipped)] if slipped else []
    for reason in reasons:
        out.append(text_run(reason, BOLD if reason.startswith("RAG challenge") else ""))
    if r and r.challenge and not any(x.startswith("RAG challenge") for x in reasons):
        officer = r.officer.value if r.officer else "none"
        out.append(text_run(f"RAG challenge: officer {officer}, computed "
                            f"{r.computed.value}", BOLD))
    if r and r.dates_only and not any("% complete" in x for x in reasons):
        out.append(text_run("† no % complete given: rated on dates and status alone"))
    return out


# --------------------------------------------------------------------------- repeats
# The plan repeats some actions under several objectives (RatedRun.repeats): each
# objective's table keeps its own row, but the paper names and counts such an action once.

def distinct_rag_counts(items: Iterable[Rated], repeats: Mapping[str, tuple[str, ...]]
                        ) -> Counter:
    """:func:`rag_counts` with each repeated action counted once (:func:`distinct_counts`)."""
    return distinct_counts({i.action.action_id: i.rag for i in items if i.rag is not None},
                           repeats)


def plan_words(plan: int, items: Iterable[Rated],
               repeats: Mapping[str, tuple[str, ...]]) -> str:
    """"64 actions", or where the plan repeats actions under several objectives "35
    distinct actions (64 tracker rows: 19 actions appear under more than one objective,
    each counted once)"."""
    ids = {i.action.action_id for i in items}
    groups = {group_key(a, repeats) for a in ids if a in repeats}
    rows = sum(1 for a in ids if a in repeats)
    if not groups:
        return plural(plan, "action")
    distinct = plan - rows + len(groups)
    return (f"{plural(distinct, 'distinct action')} ({plan:,} tracker rows: "
            f"{plural(len(groups), 'action')} "
            f"{'appears' if len(groups) == 1 else 'appear'} under more than one objective, "
            "each counted once)")


def merge_repeats(items: Iterable[Rated], repeats: Mapping[str, tuple[str, ...]]
                  ) -> list[tuple[Rated, list[Rated]]]:
    """Each action once with its other occurrences among ``items``: a repeated action is
    shown by its worst-rated occurrence (then the first by objective and ID), the others
    listed after it by objective and ID. Keeps the order of ``items``' representatives."""
    items = list(items)
    groups: dict[str, list[Rated]] = {}
    for item in items:
        groups.setdefault(group_key(item.action.action_id, repeats), []).append(item)
    out = []
    for item in items:
        group = groups[group_key(item.action.action_id, repeats)]
        lead = min(group, key=lambda i: (-RANK.get(i.rag, -3), i.action.objective,
                                         natural_key(i.action.action_id)))
        if lead is item:
            others = sorted((i for i in group if i is not item),
                            key=lambda i: (i.action.objective,
                                           natural_key(i.action.action_id)))
            out.append((item, others))
    return out


def also_under(item: Rated, others: list[Rated]) -> str:
    """"Also under Objectives 2 and 3 (O2-03, O3-25)", with an occurrence's own rating
    where it differs ("O3-04 Amber"); "" when there are none."""
    if not others:
        return ""
    numbers = sorted({o.action.objective for o in others} - {item.action.objective}) \
        or sorted({o.action.objective for o in others})
    names = [str(n) for n in numbers]
    which = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    refs = ", ".join(o.action.action_id + (f" {o.rag.value}" if o.rag is not None
                                           and o.rag is not item.rag else "")
                     for o in others)
    return f"Also under Objective{'s' if len(names) > 1 else ''} {which} ({refs})"
