"""The period's page as a member of the public reads it: the page-1 facts in plain words
(no abbreviation, each colour with its meaning), the key to the colours as the ratings are
decided here (the configured thresholds), the words and abbreviations the page uses
explained, the data-quality counts in a sentence (the detail stays in the workbook and
the officers' feedback), and the choices its filter offers.

Returns text only, unescaped; the dashboard's templates escape it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Sequence

from reportgen.config import Config
from reportgen.model import Rag
from reportgen.text import clean
from reportgen.view.actions import PlanAction, RagCounts
from reportgen.view.finance import Finance
from reportgen.view.formats import and_list, natural_key, plural, pounds_text
from reportgen.view.kpis import KpiReading
from reportgen.view.quality import Quality
from reportgen.view.words import CARRIED_KEY, CARRIED_MARK, month_words

NAMED = 3  # actions a fact names before it counts the rest
LISTED = 8  # exceptions the page lists one by one; the rest are behind one more heading


@dataclass(frozen=True)
class KeyEntry:
    """One colour of the key: the rating and what it means here."""

    rag: Rag
    meaning: str


@dataclass(frozen=True)
class Term:
    """A word or abbreviation the page uses, and what it means."""

    term: str
    meaning: str
    abbreviation: bool = False


@dataclass(frozen=True)
class Choices:
    """What the page's filter offers: objectives (number, "Objective 1: …"), lead
    officers A-Z and the ratings the actions have, worst first."""

    objectives: tuple[tuple[int, str], ...]
    officers: tuple[str, ...]
    rags: tuple[Rag, ...]


@dataclass(frozen=True)
class Public:
    facts: tuple[str, ...]
    key: tuple[KeyEntry, ...]
    key_notes: tuple[str, ...]  # how finance and indicators are coloured
    glossary: tuple[Term, ...]
    quality: str
    choices: Choices
    carried_note: str  # "" when every action was updated this month
    listed: int = LISTED  # the exceptions listed one by one, the first in board order


def long_date(day: date) -> str:
    """"30 September 2018"."""
    return f"{day.day} {day:%B %Y}"


def _names(actions: Sequence[PlanAction]) -> str:
    names = [a.name(45) for a in actions[:NAMED]]
    if len(actions) > NAMED:
        names.append(f"{plural(len(actions) - NAMED, 'other')}")
    return and_list(names)


def _share(n: int) -> str:
    return "is" if n == 1 else "are"


def rag_meanings(config: Config) -> dict[Rag, str]:
    """Each rating of an action, in words, with the thresholds this partnership set."""
    th = config.thresholds
    if th.slippage_model == "ratio":
        red = (f"overdue (its end date has passed and it is not complete), or its progress "
               f"is below {th.ratio_red:.0%} of what was expected by now")
        amber = (f"progress below {th.ratio_amber:.0%} of what was expected by now, or "
                 "on hold")
    else:
        red = (f"overdue (its end date has passed and it is not complete), or "
               f"{th.points_red:g} points or more behind plan")
        amber = f"{th.points_amber:g} points or more behind plan, or on hold"
    return {Rag.RED: red, Rag.AMBER: amber, Rag.GREEN: "on track",
            Rag.BLUE: "complete", Rag.GREY: "not yet due to start",
            Rag.CANCELLED: "cancelled, so not rated"}


def _facts(as_of: date, counts: RagCounts, actions: Sequence[PlanAction],
           previous: str | None, newly_red: Sequence[PlanAction],
           decisions: Sequence[PlanAction], challenges: Sequence[PlanAction],
           finance: Finance, kpis: Sequence[KpiReading], kpi_counts: dict) -> list[str]:
    now = counts.now
    parts = [f"{now[Rag.RED]} {_share(now[Rag.RED])} Red ({Rag.RED.meaning.lower()})",
             f"{now[Rag.AMBER]} Amber ({Rag.AMBER.meaning.lower()})",
             f"{now[Rag.GREEN]} Green ({Rag.GREEN.meaning.lower()})",
             f"{now[Rag.BLUE]} Blue (complete)"]
    if now[Rag.GREY]:
        parts.append(f"{now[Rag.GREY]} Grey (not yet due to start)")
    repeated = sum(1 for a in actions if a.repeated)
    facts = [f"The plan has {plural(counts.actions, 'action')}"
             + (f" ({repeated} of them {_share(repeated)} listed under more than one "
                "objective and counted once)" if repeated else "")
             + f". On {long_date(as_of)}, " + and_list(parts)
             + (f"; {counts.cancelled} {'was' if counts.cancelled == 1 else 'were'} "
                "cancelled" if counts.cancelled else "") + "."]
    if previous and newly_red:
        facts.append(f"Since {month_words(previous)}, "
                     f"{plural(len(newly_red), 'action')} became Red: {_names(newly_red)}.")
    red_alone = [a for a in actions if a.rag is Rag.RED and not a.corrective]
    if red_alone:
        facts.append(f"{plural(len(red_alone), 'Red action')} "
                     f"{'has' if len(red_alone) == 1 else 'have'} no plan yet to put "
                     f"{'it' if len(red_alone) == 1 else 'them'} right: {_names(red_alone)}.")
    if decisions:
        facts.append(f"The Board is asked to decide on {plural(len(decisions), 'action')}: "
                     f"{_names(decisions)}.")
    if challenges:
        facts.append(f"For {plural(len(challenges), 'action')}, the lead officer's own "
                     "rating and the rating worked out from the dates and progress are far "
                     f"apart: {_names(challenges)}.")
    total = finance.total
    if total is not None and total.pounds.budget is not None and \
            total.pounds.forecast is not None:
        gap = total.pounds.variance
        facts.append(
            f"Money ({finance.period}): the actions expect to spend "
            f"{pounds_text(total.pounds.forecast)} in all by the end of the budget period, "
            f"against budgets of {pounds_text(total.pounds.budget)}"
            + (": exactly the budget." if gap == 0 else
               f": {pounds_text(abs(gap))} {'more' if gap > 0 else 'less'} than the budget."))
        over = [e.action for e in finance.exceptions]
        if over:
            facts.append(f"{plural(len(over), 'action')} "
                         f"{'expects' if len(over) == 1 else 'expect'} to spend more than "
                         f"{'its' if len(over) == 1 else 'their'} budget: {_names(over)}.")
    if kpis:
        red, amber, green = (kpi_counts.get(r, 0) for r in (Rag.RED, Rag.AMBER, Rag.GREEN))
        other = len(kpis) - red - amber - green
        facts.append(f"Of {plural(len(kpis), 'key performance indicator')} (figures "
                     f"measured every month), {red} {_share(red)} Red, {amber} Amber and "
                     f"{green} Green against their targets"
                     + (f"; {other} {'has' if other == 1 else 'have'} no rating yet"
                        if other else "") + ".")
    return facts


_ABBREVIATION = re.compile(r"[A-Z]{2,6}")


def glossary(config: Config) -> tuple[Term, ...]:
    """The words and abbreviations the page uses, A-Z."""
    th, spc = config.thresholds, config.spc
    if th.slippage_model == "ratio":
        behind = ("Progress compared with what was expected by now: 60% done when 90% "
                  "was expected is two thirds of the way.")
    else:
        behind = ("How far an action's progress is behind where it should be by now, in "
                  "percentage points: 60% done when 90.7% was expected is 31 points behind "
                  f"plan. {th.points_amber:g} points or more is Amber, {th.points_red:g} or "
                  "more Red.")
    terms = [
        Term("RAG", "Red, Amber, Green: the colour a rating is shown in (with Blue for "
             "complete and Grey for not yet due).", True),
        Term("KPI", "Key performance indicator: a figure measured every month to show how "
             "a service is doing against its target.", True),
        Term("IJB", f"Integration Joint Board: the {clean(config.board)}, which plans and "
             "directs health and social care services for the NHS board and the council.",
             True),
        Term("SPC", "Statistical process control: a way to tell an unusual change in a "
             "monthly figure from ordinary ups and downs.", True),
        Term("Points behind plan", behind),
        Term("RAG challenge", "The lead officer's own rating and the one worked out from "
             f"the dates and progress are {th.challenge_steps} or more steps apart (for "
             "example Green against Red)."),
        Term("Run chart", "A chart of an indicator's monthly values, with their mean (the "
             "average) and the upper and lower limits."),
        Term("Upper and lower limits", "The range a month's value falls in by chance alone "
             "(the mean plus or minus 2.66 times the average change from month to month). A "
             "value outside it is unusual."),
        Term("In a signal", "A month that is part of a pattern unlikely to be chance: a "
             f"value beyond a limit, {spc.run_length} months in a row on one side of the "
             f"mean, or {spc.trend_length} months in a row rising or falling."),
        Term("Forecast", "What an action expects to have spent by the end of the budget "
             "period (the forecast outturn)."),
        Term("Variance", "The forecast less the budget: above zero is an overspend."),
        Term("Tracker", "The spreadsheet in which a lead officer records the progress of "
             "their actions each month."),
        Term("Lead officer", "The person responsible for delivering an action."),
    ]
    known = {t.term for t in terms}
    for stream in config.funding_streams:
        for alias in stream.aliases:
            word = clean(alias).strip()
            if _ABBREVIATION.fullmatch(word) and word not in known:
                known.add(word)
                terms.append(Term(word, f"{clean(stream.name)}: a source of funding for "
                                  "actions of the plan.", True))
    return tuple(sorted(terms, key=lambda t: natural_key(t.term.casefold())))


def quality_sentence(q: Quality) -> str:
    """The data-quality counts for the public: how many problems the checks found, and
    where the detail is."""
    if not (q.errors or q.warnings):
        found = "The checks found no problems in the lead officers' trackers this month."
    else:
        found = (f"The checks found {plural(q.errors, 'error')} and "
                 f"{plural(q.warnings, 'warning')} in the lead officers' trackers this "
                 "month: an error leaves a row out of the ratings until it is put right; a "
                 "warning is worth a look but the row is rated.")
    files = (f" {plural(len(q.refused), 'tracker')} could not be read."
             if q.refused else "")
    return (found + files + " Each lead officer is sent what to fix; the details, cell by "
            "cell, are in the consolidated workbook's Issues sheet.")


def build_public(config: Config, as_of: date, counts: RagCounts,
                 actions: Sequence[PlanAction], previous: str | None,
                 newly_red: Sequence[PlanAction], decisions: Sequence[PlanAction],
                 challenges: Sequence[PlanAction], finance: Finance,
                 kpis: Sequence[KpiReading], kpi_counts: dict, quality: Quality,
                 objectives: Sequence[tuple[int, str, bool]], carried: int) -> Public:
    meanings = rag_meanings(config)
    th = config.thresholds
    rags = {r.rag for a in actions for r in a.rows if r.rag is not None}
    officers = sorted({clean(r.action.lead_officer).strip() for a in actions for r in a.rows}
                      - {""}, key=lambda n: (n.casefold(), n))
    return Public(
        facts=tuple(_facts(as_of, counts, actions, previous, newly_red, decisions,
                           challenges, finance, kpis, kpi_counts)),
        key=tuple(KeyEntry(r, meanings[r]) for r in Rag.worst_first()),
        key_notes=(
            "Money is Red when the forecast is over budget by "
            f"{th.finance_red_percent:g}% of the budget or £{th.finance_red_pounds:,.0f}, "
            "whichever is lower; Amber for a smaller overspend; Green on or under budget.",
            "An indicator is Green on or better than its target, Amber when worse but "
            "within the tolerance set for it, and Red beyond that."),
        glossary=glossary(config), quality=quality_sentence(quality),
        choices=Choices(objectives=tuple((n, f"Objective {n}: {text}")
                                         for n, text, _ in objectives),
                        officers=tuple(officers),
                        rags=tuple(r for r in Rag.worst_first() if r in rags)),
        carried_note=f"{CARRIED_MARK} {CARRIED_KEY}" if carried else "")


__all__ = ["Choices", "KeyEntry", "Public", "Term", "build_public", "glossary",
           "long_date", "quality_sentence", "rag_meanings"]
