"""What every renderer says about how much of the plan this month's data cover (DESIGN
4a), in the same words everywhere: the coverage statement that opens the paper and the
workbook's Summary, the marker and words of an action carried forward, an action's short
title for lists a board member reads, and an Issue's severity by name.

Returns text only, unescaped; builds no XML and writes no cell. Imports no stage and no
renderer, only the data modules and the shared formats (money).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Mapping

from reportgen.issues import Issue
from reportgen.model import ActionRating, Coverage, Period, Rag
from reportgen.render.formats import money
from reportgen.text import clean

CARRIED_MARK = "‡"
"""Marks a rating carried forward from an earlier month, never a fresh one."""

CARRIED_KEY = (
    "Not updated this month: the action's tracker (or its row) could not be used this "
    "month, so the rating and figures shown are its last stored ones, from the month "
    "named. It is not a fresh rating.")
"""The key's meaning of :data:`CARRIED_MARK`."""

_NOT_UPDATED = re.compile(r"^\s*not updated this month\s*[:,;.-]?\s*", re.I)


def month_words(label: str | None) -> str:
    """"September 2018" for "2018-09"; "the last stored period" when there is none; an
    unreadable label as written."""
    if not label:
        return "the last stored period"
    try:
        return Period.parse(label).name
    except ValueError:
        return label


def carried_reason(rating: ActionRating) -> str:
    """Why the action was not updated, in plain words, without the "Not updated this
    month:" the rater may have put in front."""
    reason = _NOT_UPDATED.sub("", clean(rating.not_updated or "")).strip().rstrip(".")
    return reason or "its tracker row was not read"


def carried_words(rating: ActionRating | None) -> str:
    """"Not updated this month: the tracker could not be read (…); rating from
    September 2018", or "" for an action updated this month (or not rated)."""
    if rating is None or rating.updated:
        return ""
    return (f"Not updated this month: {carried_reason(rating)}; rating from "
            f"{month_words(rating.carried_from)}")


def updated_words(rating: ActionRating | None) -> str:
    """The workbook's "Updated this month" cell: "Yes", or "No: <reason>; rating from
    September 2018"."""
    if rating is None or rating.updated:
        return "Yes"
    return (f"No: {carried_reason(rating)}; rating from "
            f"{month_words(rating.carried_from)}")


def coverage_statement(coverage: Coverage | None,
                       repeats: Mapping[str, tuple[str, ...]] | None = None) -> str:
    """The statement that opens the paper when this month's data are incomplete: how many
    of the plan's actions were not updated, from which trackers and why, the budget they
    carry, and that their last ratings are shown marked. "" when ``coverage`` is None (no
    stored period to compare with) or complete. With ``repeats`` (RatedRun.repeats), a
    plan that repeats actions under several objectives is counted as the summary counts
    it: tracker rows, and distinct actions beside them."""
    if coverage is None or coverage.complete:
        return ""
    n, plan = coverage.carried, coverage.plan_actions
    distinct = coverage.distinct(repeats or {})
    parts = []
    for group in coverage.not_updated:
        k = len(group.action_ids)
        source = f"from {clean(group.file)}" if group.file else "with no tracker file known"
        reason = clean(group.reason).strip().rstrip(".")
        parts.append(f"{k:,} {source}" + (f" – {reason}" if reason else ""))
    one = n == 1
    return (
        f"This month's data are incomplete. {n:,} of the plan's {plan:,} "
        + (f"actions {'was' if one else 'were'}" if distinct is None else
           f"tracker {'row' if one else 'rows'} ({distinct[0]:,} of its {distinct[1]:,} "
           f"distinct actions) {'was' if one else 'were'}")
        + f" not updated this month: {'; '.join(parts)}. "
        f"{'It carries' if one else 'They carry'} {money(coverage.carried_budget)} of "
        f"budget. {'Its' if one else 'Their'} last "
        f"{'rating' if one else 'ratings'}, from {coverage.from_names}, "
        f"{'is' if one else 'are'} shown and marked {CARRIED_MARK}.")


RANK = {Rag.RED: 3, Rag.AMBER: 2, Rag.GREEN: 1, Rag.BLUE: 0, Rag.GREY: -1, Rag.CANCELLED: -2}
"""How bad a rating is, worst highest: the rating a repeated action is counted at."""


def group_key(action_id: str, repeats: Mapping[str, tuple[str, ...]]) -> str:
    """The one key of an action the plan repeats under several objectives (``repeats``:
    RatedRun.repeats, an action ID -> the other IDs of the same action): its smallest ID
    as plain text, the same for every occurrence; the action's own ID when it is not
    repeated. For grouping only: lists a reader sees sort IDs in natural order."""
    return min((action_id, *repeats[action_id])) if action_id in repeats else action_id


def distinct_counts(rags: Mapping[str, Rag], repeats: Mapping[str, tuple[str, ...]]
                    ) -> Counter:
    """Actions by rating, an action repeated under several objectives (``repeats``:
    RatedRun.repeats) counted once, at the worst rating any of its occurrences in ``rags``
    has: how the paper and the dashboard count the plan."""
    worst: dict[str, Rag] = {}
    for action_id, rag in rags.items():
        key = group_key(action_id, repeats)
        if key not in worst or RANK[rag] > RANK[worst[key]]:
            worst[key] = rag
    return Counter(worst.values())


def short_title(text: str, limit: int = 60) -> str:
    """The first ``limit`` or so characters of an action's text, cut at a word and marked
    "…" when cut: enough for a board member to know the action in a list."""
    s = " ".join(clean(text).split())
    if len(s) <= limit:
        return s
    cut = s.rfind(" ", limit // 2, limit + 1)
    return s[:cut if cut > 0 else limit].rstrip(" ,;:.-") + "…"


def severity_name(issue: Issue) -> str:
    """"error", "warning", "info" or whatever severity the catalogue gives: the value of
    the severity, so that a new severity is counted apart rather than as a warning."""
    return str(getattr(issue.severity, "value", issue.severity))


__all__ = ["CARRIED_KEY", "CARRIED_MARK", "RANK", "carried_reason", "carried_words",
           "coverage_statement", "distinct_counts", "group_key", "month_words", "severity_name",
           "short_title", "updated_words"]
