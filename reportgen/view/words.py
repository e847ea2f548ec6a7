"""Small wordings every output shares: the marker and words of a rating carried forward
from an earlier month, an action's short title for lists a board member reads, a month
in words, and an Issue's severity by name.

Returns text only, unescaped; builds no XML and writes no cell.
"""

from __future__ import annotations

import re

from reportgen.issues import Issue
from reportgen.model import ActionRating, Period
from reportgen.text import clean

CARRIED_MARK = "‡"
"""Marks a rating carried forward from an earlier month, never a fresh one."""

CARRIED_KEY = (
    "Not updated this month: the action's tracker (or its row) could not be used this "
    "month, so the rating and figures shown are its last stored ones, from the month "
    "named. It is not a fresh rating.")
"""The key's meaning of :data:`CARRIED_MARK`."""

_NOT_UPDATED = re.compile(r"^\s*not updated this month\s*[:,;.-]?\s*", re.I)
_WE_WILL = re.compile(r"^\s*we\s+will\s+", re.I)


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


def short_title(text: str, limit: int = 60) -> str:
    """The first ``limit`` or so characters of an action's text, cut at a word and marked
    "…" when cut: enough for a board member to know the action in a list."""
    s = " ".join(clean(text).split())
    if len(s) <= limit:
        return s
    cut = s.rfind(" ", limit // 2, limit + 1)
    return s[:cut if cut > 0 else limit].rstrip(" ,;:.-") + "…"


def brief_title(text: str, limit: int = 50) -> str:
    """An action's short title without the plan's "We will": "Redesign day services…"."""
    s = _WE_WILL.sub("", clean(text))
    return short_title(s[:1].upper() + s[1:], limit)


def severity_name(issue: Issue) -> str:
    """"error", "warning", "info" or whatever severity the catalogue gives: the value of
    the severity, so that a new severity is counted apart rather than as a warning."""
    return str(getattr(issue.severity, "value", issue.severity))


__all__ = ["CARRIED_KEY", "CARRIED_MARK", "brief_title", "carried_reason", "carried_words",
           "month_words", "severity_name", "short_title", "updated_words"]
