"""The sentences the view chooses from the facts: the coverage statement, the statement
of what was left out of every count and total, the statement about updates made after
the period, the key messages and recommendations of page 1, and the financial, risk and
consultation implications. Each says only what the facts bear out: "the corrective
action proposed for each" only when each has one, "trackers updated" only when none is
overdue or carried forward.

Page 1 names at most :data:`NAMED_LIMIT` actions whatever the size of the plan, then
counts. The recommendations ask the Board to "note", "agree" or "decide", never to
"direct": a Direction has a meaning of its own under the Public Bodies (Joint Working)
(Scotland) Act 2014, and the template's Direction table says whether one is required.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Sequence

from reportgen.model import Coverage, Rag
from reportgen.text import clean
from reportgen.view.actions import PlanAction, RagCounts
from reportgen.view.finance import Finance, actions_in_words
from reportgen.view.formats import (
    and_list, k_text, money, month_name, plural, pounds_text, uk_date, variance_k,
)
from reportgen.view.kpis import KpiReading
from reportgen.view.quality import LeftOutSummary
from reportgen.view.words import CARRIED_MARK, short_title

MAX_MESSAGES = 5
NAMED_LIMIT = 5  # actions page 1's key messages name, in all
PER_MESSAGE = 3  # actions one key message names
DECISION_LIMIT = 5  # "decide on …" recommendations named; the rest by count
TO_BE_CONFIRMED = "To be confirmed"
APPENDIX = {"key": "A", "exceptions_full": "B", "kpi_charts": "C", "data_quality": "D",
            "objectives": "E", "finance_actions": "F", "appendix": "G"}
"""The letter of the appendix each part of the paper is in, as the shipped template heads
them (the paper's text refers to them: "listed in Appendix B")."""


def coverage_statement(coverage: Coverage | None,
                       repeats: dict[str, tuple[str, ...]] | None = None) -> str:
    """The statement that opens every output when this month's data are incomplete: how
    many of the plan's actions were not updated, from which trackers and why, the budget
    they carry, and that their last ratings are shown marked. "" when ``coverage`` is None
    (no stored period to compare with) or complete. A plan that repeats actions under
    several objectives (``repeats``) is counted in tracker rows and, beside them, in
    distinct actions."""
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


def coverage_lines(coverage: Coverage | None) -> tuple[str, ...]:
    """One line per tracker file and reason, for the console: file, reason, number of
    actions, budget."""
    if coverage is None:
        return ()
    return tuple(f"{n.file or 'no file'}: {clean(n.reason).strip().rstrip('.')}; "
                 f"{plural(len(n.action_ids), 'action')}, budget {money(n.budget)}"
                 for n in coverage.not_updated)


LEFT_OUT = "Left out of every count and total: "


def left_out_statement(left: LeftOutSummary) -> str:
    """The statement that follows the coverage statement wherever it is shown (page 1 of
    the paper, the workbook's Summary, the dashboard page, the emails, the console),
    on a first run as on later ones, when this month's reading left tracker rows or
    trackers out of every count and total, or found files it does not read: how many,
    the money they carry, and where each is listed. "" when nothing was."""
    facts = left_out_facts(left)
    if not facts:
        return ""
    return (f"{LEFT_OUT}{facts} Each is listed with the reason in Appendix "
            f"{APPENDIX['data_quality']} of the paper and on the Issues sheet of the "
            "workbook.")


def left_out_facts(left: LeftOutSummary) -> str:
    """What :func:`left_out_statement` counts, after its "Left out of every count and
    total: " (how many rows, trackers and other files, and the money), for the list of
    them in the data-quality appendix: "2 tracker rows that could not be rated, carrying
    £450,000 of budget."; "" when nothing was left out."""
    if not left.any:
        return ""
    parts = []
    if left.rows:
        n, k = len(left.rows), left.unknown_objective
        text = (f"{plural(n, 'tracker row')} that could not be rated, "
                + (f"carrying {pounds_text(left.budget)} of budget" if left.budget
                   else "with no budget given"))
        if k == n:
            text += (" (under an objective that is not in the configuration)" if n == 1
                     else " (each under an objective that is not in the configuration)")
        elif k:
            text += (f" ({k:,} of them under an objective that is not in the configuration"
                     + (f", with {pounds_text(left.unknown_budget)}" if left.unknown_budget
                        else "") + ")")
        parts.append(text)
    if left.trackers:
        m = len(left.trackers)
        parts.append(f"{plural(m, 'tracker file')} that could not be read, whose actions "
                     "and money are not known")
    if left.not_trackers:
        m = len(left.not_trackers)
        names = [clean(x.file) for x in left.not_trackers]
        shown = and_list(names) if m <= 3 else ", ".join(names[:3]) + f" and {m - 3:,} more"
        parts.append(f"{plural(m, 'other file')} in the trackers folder, in a format "
                     f"reportgen does not read ({shown})")
    return and_list(parts) + "."


def left_out_lines(left: LeftOutSummary) -> tuple[str, ...]:
    """One line per row or tracker left out, for the console, the team's email and the
    ``--require-complete`` message: where (file › sheet row), the action ID as typed,
    why, and the budget the row carries. Other files (not trackers) have no line: the
    statement names them."""
    out = []
    for x, pounds in zip(left.rows, left.pounds):
        named = f" ({clean(x.action_id)})" if x.action_id else ""
        out.append(f"{clean(x.file)} › {clean(x.sheet or '')} row {x.row}{named}: "
                   f"{clean(x.reason).strip().rstrip('.')}"
                   + (f"; budget {pounds_text(pounds)}" if pounds else ""))
    out += [f"{clean(x.file)}: {clean(x.reason).strip().rstrip('.')}" for x in left.trackers]
    return tuple(out)


def incomplete_message(coverage_text: str, coverage_lines_: Sequence[str],
                       left_text: str, left_lines: Sequence[str]) -> str:
    """``--require-complete``'s message when the month's data do not cover the whole
    plan: the coverage statement with a line per tracker, and what was left out with a
    line per row, then that nothing was written and what to do."""
    parts = []
    if coverage_text:
        parts.append(coverage_text + " Not updated: " + "; ".join(coverage_lines_) + ".")
    if left_text:
        parts.append(left_text + (" Left out: " + "; ".join(left_lines) + "."
                                  if left_lines else ""))
    return (" ".join(parts) + " Nothing was written (--require-complete): fix those "
            "trackers and run again, or run without --require-complete.")


def late_statement(late: int, as_of: date) -> str:
    """"The trackers hold 12 updates made after 31/08/2018: this is not what the Board
    would have seen then."; "" when none is."""
    if not late:
        return ""
    return (f"The trackers hold {plural(late, 'update')} made after {uk_date(as_of)}: this "
            "is not what the Board would have seen then.")


# --------------------------------------------------------------------------- page 1


class _Names:
    """The actions page 1 names, at most NAMED_LIMIT in all: naming one again is free."""

    def __init__(self) -> None:
        self.named: set[str] = set()

    def take(self, actions: Sequence[PlanAction]) -> list[PlanAction]:
        """The first of ``actions`` page 1 may still name (up to PER_MESSAGE)."""
        out = []
        for a in actions:
            if len(out) == PER_MESSAGE:
                break
            if a.id in self.named or len(self.named) < NAMED_LIMIT:
                self.named.add(a.id)
                out.append(a)
        return out


def _named(names: _Names, actions: Sequence[PlanAction], where: str) -> str:
    """": O3-09 Support a range… (Iain Scott); … and 4 more (where)", or " (where)" when
    no more can be named."""
    shown = names.take(actions)
    rest = len(actions) - len(shown)
    if not shown:
        return f" ({where})"
    text = ": " + "; ".join(a.name() for a in shown)
    return text + (f"; and {rest:,} more ({where})" if rest else "")


def plan_words(counts: RagCounts) -> str:
    """"64 actions", or "35 distinct actions (64 tracker rows: 19 actions appear under
    more than one objective, each counted once)"."""
    if not counts.rows_differ:
        return plural(counts.actions, "action")
    r = counts.repeated
    return (f"{plural(counts.actions, 'distinct action')} ({counts.tracker_rows:,} tracker "
            f"rows: {plural(r, 'action')} {'appears' if r == 1 else 'appear'} under more "
            "than one objective, each counted once)")


def key_messages(as_of: date, counts: RagCounts, actions: Sequence[PlanAction],
                 exceptions: Sequence[PlanAction], previous_period: str | None,
                 challenges: Sequence[PlanAction], kpis: Sequence[KpiReading],
                 finance: Finance) -> tuple[str, ...]:
    """Up to MAX_MESSAGES sentences for page 1, most urgent first: the Red actions (and
    those newly Red), Red actions with no corrective action, RAG challenges, indicators
    showing a signal of concern, and the finance position."""
    names = _Names()
    out = []
    b = APPENDIX
    reds = [a for a in exceptions if a.rag is Rag.RED]
    plan = f"As at {uk_date(as_of)} the plan has {plan_words(counts)}"
    red = counts.now.get(Rag.RED, 0)
    if not red:
        out.append(f"{plan}; none is Red.")
    else:
        text = f"{plan}; {red:,} {'is' if red == 1 else 'are'} Red"
        if counts.rows.get(Rag.RED, 0) != red:
            text += f" ({counts.rows.get(Rag.RED, 0):,} tracker rows)"
        newly = [a for a in reds if a.change == "newly_red"]
        if previous_period:
            since = month_name(previous_period)
            if newly:
                text += (f", {len(newly):,} of {'it' if red == 1 else 'them'} newly Red "
                         f"since {since}" + _named(names, newly, "the exceptions list "
                                                                  "every one"))
            else:
                text += f"; none is newly Red since {since}"
        else:
            text += _named(names, reds, "the exceptions list every one")
        out.append(text + ".")
    bare = [a for a in reds if not a.corrective]
    if bare:
        out.append(f"{plural(len(bare), 'Red action has', 'Red actions have')} no "
                   "corrective action yet"
                   + _named(names, bare, "the exceptions list them first") + ".")
    if challenges:
        out.append(f"{plural(len(challenges), 'action has', 'actions have')} a RAG "
                   "challenge (the lead officer's rating and the one computed from dates "
                   "and progress are far apart)"
                   + _named(names, challenges, f"Appendix {b['data_quality']} lists them")
                   + ".")
    concern = [k for k in kpis if k.concern]
    if concern:
        named = "; ".join(f"{k.id} {short_title(k.kpi.indicator, 50)}" for k in concern[:3])
        more = f" and {len(concern) - 3:,} more" if len(concern) > 3 else ""
        out.append(f"{plural(len(concern), 'indicator shows', 'indicators show')} a "
                   f"change for the worse that is not down to chance: {named}{more}.")
    total = finance.total
    if finance.has_money:
        text = (f"Finance: forecast outturn {k_text(total.k.forecast)} against a budget of "
                f"{k_text(total.k.budget)} ({variance_k(total.k.variance)})")
        found = [e.action for e in finance.exceptions]
        if found:
            text += (f"; {plural(len(found), 'action is', 'actions are')} forecast to "
                     "overspend (finance Red or Amber)"
                     + _named(names, found, f"Appendix {b['finance_actions']} lists them"))
        out.append(text + "." + (f" {finance.red_parts}" if finance.red_parts else ""))
    return tuple(out[:MAX_MESSAGES])


Runs = tuple[tuple[str, bool], ...]


def recommendations(as_of: date, counts: RagCounts, decisions: Sequence[PlanAction],
                    exceptions: Sequence[PlanAction], has_kpis: bool,
                    finance: Finance) -> tuple[Runs, ...]:
    """Each recommendation as runs of (text, bold): first a decision for each action whose
    tracker asks one of the Board (up to DECISION_LIMIT, then by count), then what the
    Board is asked to note."""
    out: list[Runs] = []
    for a in decisions[:DECISION_LIMIT if len(decisions) <= DECISION_LIMIT
                       else DECISION_LIMIT - 1]:
        out.append((("decide on ", False), (a.full_name(), True), (
            f": its lead officer asks the Board to {a.decision};" if a.decision else
            ": its tracker marks a decision for the Board (see the exceptions);", False)))
    if len(decisions) > DECISION_LIMIT:
        more = len(decisions) - DECISION_LIMIT + 1
        out.append(((f"decide on the {more:,} further actions whose trackers ask a "
                     "decision of the Board: Appendix "
                     f"{APPENDIX['exceptions_full']} lists them first, with what each "
                     "asks;", False),))
    out.append(((f"note progress in delivering the plan to {uk_date(as_of)};", False),))
    red, amber = counts.now.get(Rag.RED, 0), counts.now.get(Rag.AMBER, 0)
    bare = sum(1 for a in exceptions if not a.corrective)
    if not red and not amber:
        note = "note that no action is rated Red or Amber;"
    elif not bare:
        note = (f"note the {plural(red, 'action')} rated Red and the {amber:,} rated "
                "Amber, and the corrective action proposed for each;")
    else:
        note = (f"note the {plural(red, 'action')} rated Red and the {amber:,} rated "
                f"Amber, the corrective action proposed for {len(exceptions) - bare:,} of "
                f"them, and that {bare:,} {'has' if bare == 1 else 'have'} none yet (see "
                "the exceptions);")
    out.append(((note, False),))
    what = [w for w, present in (("the key performance indicators", has_kpis),
                                 ("the financial position by funding stream",
                                  finance.has_money)) if present]
    if what:
        out.append(((f"note {' and '.join(what)}.", False),))
    else:
        out[-1] = ((out[-1][0][0].rstrip(";") + ".", False),)
    return tuple(out)


# --------------------------------------------------------------------------- implications


@dataclass(frozen=True)
class Implications:
    financial: str
    risk: str
    consultation: str


REGISTER = ("Risks to delivery of the plan are recorded and managed through the "
            "Partnership's risk register.")


def implications(period_name: str, exceptions: Sequence[PlanAction], finance: Finance,
                 stale: int, carried: int, stale_days: int) -> Implications:
    """The Implications section's financial, risk and consultation paragraphs."""
    if not finance.has_money:
        financial = (f"Budget period: {finance.period}. No budgets were given in the "
                     "trackers this period, so the plan's financial position cannot be "
                     "stated.")
    else:
        total = finance.total
        words = [f"For {finance.period}" if finance.period_stated
                 else f"With the {finance.period}",
                 f", the forecast outturn is {k_text(total.k.forecast)} against a budget "
                 f"of {k_text(total.k.budget)} ({variance_k(total.k.variance)}); spend to "
                 f"date is {k_text(total.k.spend)}."]
        found = finance.exceptions
        if found:
            named = ", ".join(f"{e.action.id} ({short_title(e.action.action.action, 40)}, "
                              f"{variance_k(e.variance_k)})" for e in found[:5])
            more = f" and {plural(len(found) - 5, 'other')}" if len(found) > 5 else ""
            words.append(f" {actions_in_words(len(found))} "
                         f"forecast{'s' if len(found) == 1 else ''} an overspend totalling "
                         f"{k_text(finance.exceptions_k)}: {named}{more}.")
        else:
            words.append(" No action forecasts an overspend.")
        if finance.red_parts:
            words.append(" " + finance.red_parts)
        if finance.assumed:
            words.append(f" The split of {plural(len(finance.assumed), 'action')}' money "
                         "across funding streams is assumed equal, not stated.")
        financial = "".join(words)

    bare = [a for a in exceptions if not a.corrective]
    if not exceptions:
        risk = f"No action is rated Red or Amber this period. {REGISTER}"
    elif not bare:
        risk = f"Every action rated Red or Amber is reported with its corrective action. " \
               f"{REGISTER}"
    else:
        ids = ", ".join(a.id for a in bare[:5]) + (
            f" and {len(bare) - 5:,} more" if len(bare) > 5 else "")
        risk = (f"Each action rated Red or Amber is reported with its corrective action "
                f"where its lead officer gives one: {len(bare):,} of the "
                f"{len(exceptions):,} {'has' if len(bare) == 1 else 'have'} none yet "
                f"({ids}). {REGISTER}")

    if not stale and not carried:
        consultation = (f"Lead officers have updated their action trackers for "
                        f"{period_name}.")
    else:
        gaps = []
        if stale:
            gaps.append(f"{plural(stale, 'action')} {'has' if stale == 1 else 'have'} an "
                        f"update overdue (none in the last {stale_days} days)")
        if carried:
            gaps.append(f"{plural(carried, 'action')} {'was' if carried == 1 else 'were'} "
                        "not updated this month (the last ratings are shown)")
        consultation = (f"Lead officers were asked to update their action trackers for "
                        f"{period_name}: " + " and ".join(gaps) + ".")
    consultation += " The report was prepared by the planning and performance team."
    return Implications(financial, risk, consultation)


def meeting_date_note() -> str:
    return ("Configuration: no meeting date is set ([report] meeting_date in "
            f"reportgen.toml), so the cover says \u201c{TO_BE_CONFIRMED}\u201d.")


__all__ = ["APPENDIX", "DECISION_LIMIT", "Implications", "LEFT_OUT", "MAX_MESSAGES",
           "NAMED_LIMIT", "TO_BE_CONFIRMED", "coverage_lines", "coverage_statement",
           "implications", "incomplete_message", "key_messages", "late_statement",
           "left_out_facts", "left_out_lines", "left_out_statement", "meeting_date_note",
           "plan_words", "recommendations"]
