"""Page 1 of the paper after the coverage statement: up to five key messages, and the
specific recommendations, decisions the trackers ask of the Board first.

The recommendations ask the Board to "note", "agree" or "decide", never to "direct": a
Direction has a meaning of its own under the Public Bodies (Joint Working) (Scotland) Act
2014, and the template's Direction table says whether one is required. An action repeated
under several objectives (the same text and lead officer) is counted once and named once,
with its other IDs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from reportgen.model import Rag
from reportgen.render.coverage import group_key, short_title
from reportgen.render.word.budget import APPENDIX, DECISION_LIMIT
from reportgen.render.word.finance import red_part_sentence, thousands, variance_k
from reportgen.render.word.kpis import of_concern
from reportgen.render.formats import id_list, month_name, natural_key, plural, uk_date
from reportgen.render.word.rated import Rated, distinct_rag_counts, plan_words
from reportgen.render.word.wordml import BOLD, Builder, text_run
from reportgen.text import clean

MAX_MESSAGES = 5
TO_BE_CONFIRMED = "To be confirmed"

# "ask the IJB to extend the end date to March 2019" in a corrective action or commentary
_ASK = re.compile(
    r"\b(?:ask|asks|asking|request|requests|requesting|seek|seeks|seeking)\s+"
    r"(?:that\s+)?the\s+(?:IJB|Integration\s+Joint\s+Board|Board)\s+"
    r"(?:to\s+|for\s+|approval\s+to\s+)?([^.;\n]+)", re.I)
# what a "Board decision needed" cell holds when it says only yes or no
_NO = {"", "no", "n", "none", "n/a", "na", "-", "–", "false", "0", "not required"}
_YES = {"yes", "y", "x", "true", "1", "required", "needed"}


@dataclass(frozen=True)
class Distinct:
    """One action as the Board knows it: the tracker rows with the same text and lead
    officer (an action repeated under several objectives), first in natural order."""

    items: tuple[Rated, ...]

    @property
    def first(self) -> Rated:
        return self.items[0]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(i.action.action_id for i in self.items)

    def name(self) -> str:
        """"O1-03 and O3-04 (the same action) Redesign day services… (Morag Elliot)"."""
        a = self.first.action
        ids = self.ids
        label = ids[0] if len(ids) == 1 else (
            ", ".join(ids[:-1]) + f" and {ids[-1]} (the same action under Objectives "
            + _and([str(n) for n in sorted({i.action.objective for i in self.items})])
            + ")")
        lead = clean(a.lead_officer).strip()
        return f"{label}, {brief_title(a.action, 60)}" + (f" ({lead})" if lead else "")


_WE_WILL = re.compile(r"^\s*we\s+will\s+", re.I)


def brief_title(text: str, limit: int = 50) -> str:
    """An action's short title without the plan's "We will": "Redesign day services…"."""
    s = _WE_WILL.sub("", clean(text))
    return short_title(s[:1].upper() + s[1:], limit)


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def distinct(items: list[Rated], repeats: Mapping[str, tuple[str, ...]]) -> list[Distinct]:
    """``items`` grouped into distinct actions (``repeats``: the run's action ID -> the
    other IDs of the same action, from rate.cross_cutting), in natural order of their
    first ID."""
    groups: dict[str, list[Rated]] = {}
    for item in items:
        groups.setdefault(group_key(item.action.action_id, repeats), []).append(item)
    out = [Distinct(tuple(sorted(g, key=lambda i: natural_key(i.action.action_id))))
           for g in groups.values()]
    return sorted(out, key=lambda d: natural_key(d.ids[0]))


def decision_asked(item: Rated) -> str | None:
    """What the Board is asked to decide for this action, in words ("extend the end date
    to March 2019"); "" when the tracker marks a decision without saying what; None when
    it asks none. The "Board decision needed" column first, then a corrective action or
    commentary that asks the IJB or the Board to do something."""
    a = item.action
    marked = clean(a.decision).strip()
    if marked.lower().rstrip(".") not in _NO:
        if marked.lower().rstrip(".") not in _YES:
            return marked.rstrip(". ")
        found = _ASK.search(clean(a.corrective_action)) or _ASK.search(clean(a.commentary))
        return found.group(1).strip().rstrip(", ") if found else ""
    for text in (a.corrective_action, a.commentary):
        found = _ASK.search(clean(text))
        if found:
            return found.group(1).strip().rstrip(", ")
    return None


def _ids(groups: list[Distinct]) -> str:
    """Up to three actions by ID, short title and lead officer; more by ID alone."""
    if len(groups) <= 3:
        return "; ".join(
            f"{d.ids[0]} {brief_title(d.first.action.action)}"
            + (f" ({clean(d.first.action.lead_officer).strip()})"
               if d.first.action.lead_officer.strip() else "") for d in groups)
    return id_list([d.ids[0] for d in groups], limit=8)


def key_messages(run, items: list[Rated]) -> list[str]:
    """Up to MAX_MESSAGES sentences for page 1, most urgent first: the Red actions
    (distinct, and what is newly Red), Red actions with no corrective action, RAG
    challenges, indicators showing a signal of concern, and the finance variance."""
    out: list[str] = []
    live = [i for i in items if i.rag is not None and i.rag is not Rag.CANCELLED]
    groups = distinct(live, run.repeats)
    reds = [d for d in groups if any(i.rag is Rag.RED for i in d.items)]
    red_rows = sum(1 for i in live if i.rag is Rag.RED)
    prev = run.changes.previous_period
    newly = [d for d in reds if set(d.ids) & set(run.changes.newly_red)]
    plan = f"As at {uk_date(run.as_of)} the plan has {plan_words(len(items), items, run.repeats)}"
    if reds:
        text = f"{plan}; {len(reds):,} {'is' if len(reds) == 1 else 'are'} Red"
        if red_rows != len(reds):
            text += f" ({red_rows:,} tracker rows)"
        if prev:
            text += (f"; {len(newly):,} {'is' if len(newly) == 1 else 'are'} newly Red "
                     f"since {month_name(prev)}" + (f" ({_ids(newly)})" if newly else ""))
        out.append(text + f": {_ids(reds)}.")
    else:
        out.append(f"{plan}; none is Red.")
    bare = [d for d in reds if not any(clean(i.action.corrective_action).strip()
                                       for i in d.items)]
    if bare:
        out.append(f"{plural(len(bare), 'Red action has', 'Red actions have')} no "
                   f"corrective action yet: {_ids(bare)}.")
    challenged = [d for d in groups
                  if any(i.rating is not None and i.rating.challenge for i in d.items)]
    if challenged:
        out.append(f"{plural(len(challenged), 'action has', 'actions have')} a RAG "
                   "challenge (the lead officer's rating and the one computed from dates "
                   f"and progress are far apart): {_ids(challenged)}.")
    concern = [k for k in run.kpis if of_concern(run.kpi_results.get(k.kpi_id))]
    if concern:
        named = "; ".join(f"{k.kpi_id} {short_title(k.indicator, 50)}" for k in concern[:3])
        more = f" and {len(concern) - 3:,} more" if len(concern) > 3 else ""
        out.append(f"{plural(len(concern), 'indicator shows', 'indicators show')} a "
                   f"change for the worse that is not down to chance: {named}{more}.")
    total = run.finance_total
    if total is not None and total.budget is not None:
        flagged = [d for d in groups if any(
            i.rating is not None and i.rating.finance is not None
            and i.rating.finance.rag in (Rag.RED, Rag.AMBER) for i in d.items)]
        text = (f"Finance: forecast outturn {thousands(total.forecast)} against a budget "
                f"of {thousands(total.budget)} ({variance_k(total.variance)})")
        if flagged:
            text += (f"; {plural(len(flagged), 'action is', 'actions are')} forecast to "
                     f"overspend (finance Red or Amber): {_ids(flagged)}")
        red = red_part_sentence(run)  # a Green total never hides a Red part
        out.append(text + "." + (f" {red}" if red else ""))
    return out[:MAX_MESSAGES]


def recommendations(run, items: list[Rated]) -> list[list[tuple[str, bool]]]:
    """Each recommendation as runs of (text, bold): first a decision for each distinct
    action whose tracker asks one of the Board, then what the Board is asked to note."""
    out: list[list[tuple[str, bool]]] = []
    live = [i for i in items if i.rag is not Rag.CANCELLED]
    for group in distinct(live, run.repeats):
        asked = [decision_asked(i) for i in group.items]
        asked = [a for a in asked if a is not None]
        if not asked:
            continue
        what = next((a for a in asked if a), "")
        runs = [("decide on ", False), (group.name(), True)]
        runs.append((f": its lead officer asks the Board to {what};" if what else
                     ": its tracker marks a decision for the Board (see the exceptions);",
                     False))
        out.append(runs)
    if len(out) > DECISION_LIMIT:  # the body's page budget: the rest by count
        more = len(out) - DECISION_LIMIT + 1
        out[DECISION_LIMIT - 1:] = [[
            (f"decide on the {more:,} further actions whose trackers ask a decision of "
             f"the Board: Appendix {APPENDIX['exceptions_full']} lists them first, with "
             "what each asks;", False)]]
    counts = distinct_rag_counts(live, run.repeats)  # a repeated action counted once
    red, amber = counts.get(Rag.RED, 0), counts.get(Rag.AMBER, 0)
    out.append([(f"note progress in delivering the plan to {uk_date(run.as_of)};", False)])
    out.append([(f"note the {plural(red, 'action')} rated Red and the {amber:,} rated "
                 "Amber, and the corrective action proposed for each;", False)])
    out.append([("note the key performance indicators and the financial position by "
                 "funding stream.", False)])
    return out


def built_key_messages(c: Builder, items: list[Rated]) -> list[str]:
    """:func:`key_messages` once per render: page 1 prints them, the page budget
    measures them."""
    return c.once("key_messages", items, lambda: key_messages(c.run, items))


def built_recommendations(c: Builder, items: list[Rated]) -> list[list[tuple[str, bool]]]:
    """:func:`recommendations` once per render: page 1 prints them, the page budget
    measures them."""
    return c.once("recommendations", items, lambda: recommendations(c.run, items))


def key_messages_part(c: Builder, items: list[Rated]) -> str:
    """The key messages as a bulleted list under a bold lead-in; with a note when the
    configuration gives no meeting date (the cover then says "To be confirmed")."""
    out = [c.p(text_run("Key messages", BOLD), keep_next=True),
           c.bullets(text_run(m) for m in built_key_messages(c, items))]
    if not clean(c.config.report.meeting_date).strip():
        out.append(c.note(meeting_date_warning()))
    return "".join(out)


def recommendations_part(c: Builder, items: list[Rated]) -> str:
    """The recommendations as a bulleted list: decisions first, then notes."""
    return c.bullets("".join(text_run(t, BOLD if bold else "") for t, bold in rec)
                     for rec in built_recommendations(c, items))


def meeting_date_warning() -> str:
    return ("Configuration: no meeting date is set ([report] meeting_date in "
            f"reportgen.toml), so the cover says \u201c{TO_BE_CONFIRMED}\u201d.")


__all__ = ["MAX_MESSAGES", "TO_BE_CONFIRMED", "built_key_messages",
           "built_recommendations", "decision_asked", "distinct",
           "key_messages", "key_messages_part", "meeting_date_warning",
           "recommendations", "recommendations_part"]
