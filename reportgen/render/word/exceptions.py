"""The exceptions: the body's table of Red and Amber actions, one short row each in the
order of what needs the Board and capped to the page budget (:mod:`.budget`), and
Appendix B, every one of them in full with the lead officer's commentary and corrective
action as written.

An action the plan repeats under several objectives is one entry, "Also under
Objectives 2 and 3" (:func:`merge_repeats`); each objective's own table still lists its
row.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportgen.model import Rag
from reportgen.render.coverage import CARRIED_MARK
from reportgen.render.word.budget import APPENDIX, exception_rows
from reportgen.render.formats import natural_key, plural, uk_date
from reportgen.render.word.page_one import brief_title, decision_asked
from reportgen.render.word.rated import Rated, also_under, merge_repeats, why_runs
from reportgen.render.word.wordml import (
    BOLD, ITALIC, LONG_ROW, ROW, Builder, line_run, row_start, text_run,
)
from reportgen.text import clean

WHY_BOARD = ("Board decision asked", "No corrective action", "Newly Red or worse",
             "RAG challenge", "Red", "Amber")
"""The order of the exceptions, what needs the Board first: an action in the first
class that applies to it."""


def board_class(c: Builder, item: Rated, asked: str | None) -> int:
    """Which of :data:`WHY_BOARD` ``item`` (a Red or Amber action) falls in first;
    ``asked`` is its :func:`decision_asked`."""
    ch = c.run.changes
    aid = item.action.action_id
    if asked is not None:
        return 0
    if not clean(item.action.corrective_action).strip():
        return 1
    if (aid in ch.newly_red and item.rag is Rag.RED) or aid in ch.worsened:
        return 2
    if item.rating is not None and item.rating.challenge:
        return 3
    return 4 if item.rag is Rag.RED else 5


def board_order(c: Builder, chosen: list[Rated]) -> list[Rated]:
    """``chosen`` in the order the Board needs them: by :func:`board_class`, Red before
    Amber within a class, then by objective and ID."""
    classes = {id(i): board_class(c, i, decision_asked(i)) for i in chosen}
    return _ordered(chosen, classes)


def _ordered(chosen: list[Rated], classes: dict[int, int]) -> list[Rated]:
    return sorted(chosen, key=lambda i: (classes[id(i)], -i.rag.severity,
                                         i.action.objective,
                                         natural_key(i.action.action_id)))


@dataclass(frozen=True)
class Exceptions:
    """The Red and Amber actions as the body and Appendix B show them, worked out once a
    render: each action once (:func:`merge_repeats`) in :func:`board_order`, with its
    other occurrences, what it asks of the Board and its class, by ``id()`` of the item."""

    chosen: list[Rated]
    others_of: dict[int, list[Rated]]
    asked: dict[int, str | None]
    classes: dict[int, int]


def exceptions_of(c: Builder, items: list[Rated]) -> Exceptions:
    def compute() -> Exceptions:
        merged = merge_repeats(items, c.run.repeats)
        red_amber = [i for i, _ in merged if i.rag in (Rag.RED, Rag.AMBER)]
        asked = {id(i): decision_asked(i) for i in red_amber}
        classes = {id(i): board_class(c, i, asked[id(i)]) for i in red_amber}
        return Exceptions(_ordered(red_amber, classes),
                          {id(i): others for i, others in merged}, asked, classes)
    return c.once("exceptions", items, compute)


def _short_also(item: Rated, others: list[Rated]) -> str:
    numbers = sorted({o.action.objective for o in others} - {item.action.objective})
    if not numbers:
        return ""
    names = [str(n) for n in numbers]
    which = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"also under Objective{'s' if len(names) > 1 else ''} {which}"


def exceptions_part(c: Builder, items: list[Rated]) -> list[str | bytes] | str:
    """The body's exceptions: one short row per Red or Amber action (ID, short title,
    lead officer, last period's rating and this one, the reason, the corrective action),
    in :func:`board_order`, as many as the page budget allows, then how many more
    Appendix B lists."""
    run = c.run
    ex = exceptions_of(c, items)
    chosen, others_of = ex.chosen, ex.others_of
    if not chosen:
        return c.text("No actions are rated Red or Amber this period.")
    shown = chosen[:exception_rows(c, items)]
    rest = chosen[len(shown):]
    n_red = sum(1 for i in chosen if i.rag is Rag.RED)
    classes = [ex.classes[id(i)] for i in chosen]
    intro = (f"{plural(n_red, 'action')} Red and {plural(len(chosen) - n_red, 'action')} "
             "Amber (an action the plan repeats under several objectives counted once), "
             "in the order they need the Board: a decision asked of the Board, no "
             "corrective action, newly Red or worse, a RAG challenge, then other Red and "
             f"Amber. Appendix {APPENDIX['exceptions_full']} gives each in full, with the "
             "lead officer's commentary.")
    asked = classes.count(0)
    if asked:
        intro += (f" {plural(asked, 'action asks', 'actions ask')} a decision of the "
                  "Board (see the recommendations).")
    had_history = bool(run.changes.previous_period or run.previous_rags)
    rows = []
    for item in shown:
        a, r = item.action, item.rating
        prev = run.previous_rags.get(a.action_id)
        what = text_run(a.action_id, BOLD) + text_run(" " + brief_title(a.action, 55))
        also = _short_also(item, others_of[id(item)])
        if also:
            what += line_run(also, ITALIC)
        was = (f"was {prev.value}" if prev is not None
               else ("new" if had_history else ""))
        reason = ""
        asked_for = ex.asked[id(item)]
        if asked_for is not None:
            reason = text_run("Board decision: ", BOLD) + text_run(
                brief_title(asked_for, 60) if asked_for else "marked in the tracker")
        elif r is not None and r.challenge:
            reason = text_run("RAG challenge: ", BOLD) + text_run(
                f"officer {r.officer.value if r.officer else 'none'}, computed "
                f"{r.computed.value}")
        elif item.carried:
            reason = text_run("Not updated this month", BOLD)
        elif r is not None and r.reasons:
            reason = text_run(brief_title(r.reasons[0], 60))
        corrective = clean(a.corrective_action).strip()
        rows.append((ROW
                     + c.cell(what)
                     + c.cell(text_run(brief_title(a.lead_officer, 30)))
                     + c.rag_cell(item.rag, note=was, mark=item.mark)
                     + c.cell(reason or text_run("–"))
                     + c.cell(text_run(brief_title(corrective, 70)) if corrective
                              else text_run("none given", BOLD))
                     + "</w:tr>").encode())
    out: list[str | bytes] = [c.text(intro, keep_next=True),
                              c.caption("Table", "Red and Amber actions, what needs the "
                                                 "Board first")]
    out.extend(c.table_parts([("Action", -1.5), ("Lead officer", 2.4),
                              ("RAG now (last period)", 2.2), ("Reason", -1),
                              ("Corrective action", -1.2)], rows))
    if rest:
        red = sum(1 for i in rest if i.rag is Rag.RED)
        out.append(c.text(f"A further {red:,} Red and {len(rest) - red:,} Amber "
                          f"action{'' if len(rest) == 1 else 's'} "
                          f"{'is' if len(rest) == 1 else 'are'} listed in Appendix "
                          f"{APPENDIX['exceptions_full']}."))
    return out


def exceptions_full_part(c: Builder, items: list[Rated]) -> str | list[str | bytes]:
    """Appendix B: every Red and Amber action in the body's order (:func:`board_order`); under
    each, the lead officer's commentary and corrective action as written. An action the
    plan repeats under several objectives is one entry, "Also under Objectives 2 and 3"
    (:func:`merge_repeats`); each objective's own table still lists its row."""
    run = c.run
    model = run.slippage_model
    newly = set(run.changes.newly_red)
    ex = exceptions_of(c, items)
    chosen, others_of = ex.chosen, ex.others_of
    if not chosen:
        return c.text("No actions are rated Red or Amber this period.")
    n_red = sum(1 for i in chosen if i.rag is Rag.RED)
    n_new = sum(1 for i in chosen if i.rag is Rag.RED and i.action.action_id in newly)
    stale_days = c.config.thresholds.stale_days
    had_history = bool(run.changes.previous_period or run.previous_rags)
    rows = []
    for item in chosen:
        a, r = item.action, item.rating
        is_new = a.action_id in newly and item.rag is Rag.RED
        prev = run.previous_rags.get(a.action_id)
        who = (text_run(a.lead_officer, BOLD) + line_run(f"Start {uk_date(a.start)}")
               + line_run(f"End {uk_date(a.end)}")
               + line_run(f"Updated {uk_date(a.last_updated)}"))
        if r and r.stale:
            who += line_run(f"Update overdue (over {stale_days} days)", BOLD)
        why = why_runs(r, model)
        also = also_under(item, others_of[id(item)])
        if item.carried:
            why.insert(0, text_run(item.not_updated, BOLD))
        commentary = clean(a.commentary).strip()
        corrective = clean(a.corrective_action).strip()
        top = (row_start(a.action, " ".join(r.reasons) if r else "")
               + c.cell(text_run(a.action_id, BOLD) + text_run(" " + clean(a.action))
                        + (line_run(also, ITALIC) if also else ""), keep_next=True)
               + c.cell(who, keep_next=True)
               + c.rag_cell(prev, keep_next=True, empty="–",
                            note="" if prev or not had_history else "not rated")
               + c.rag_cell(item.rag, keep_next=True, mark=item.mark,
                            note="not updated" if item.carried else
                            ("newly red" if is_new else ""))
               + c.cell_paras(why or [text_run("–")], keep_next=True)
               + "</w:tr>")
        none_given = text_run("none given", ITALIC)
        bottom = (row_start(commentary + corrective, limit=LONG_ROW)
                  + c.cell_paras([
                      text_run("Commentary: ", BOLD)
                      + (text_run(commentary) if commentary else none_given),
                      text_run("Corrective action: ", BOLD)
                      + (text_run(corrective) if corrective else none_given),
                  ], span=5) + "</w:tr>")
        rows.append((top + bottom).encode())  # UTF-8 as built: see the module docstring
    since = f" ({n_new:,} newly Red since last period)" if had_history else ""
    intro = (f"{plural(n_red, 'action')} Red{since} and "
             f"{plural(len(chosen) - n_red, 'action')} Amber, in the order of the "
             "exceptions in the body of the paper. Under each action: the lead officer's commentary and corrective action, as "
             "written in the tracker.")
    repeated = sum(1 for i in chosen if others_of[id(i)])
    if repeated:
        intro += (f" {plural(repeated, 'action')} the plan repeats under more than one "
                  f"objective {'is' if repeated == 1 else 'are'} shown once, with "
                  f"{'its' if repeated == 1 else 'their'} other objectives.")
    carried = sum(1 for i in chosen if i.carried)
    if carried:
        intro += (f" {plural(carried, 'action')} marked {CARRIED_MARK} "
                  f"{'was' if carried == 1 else 'were'} not updated this month: "
                  f"{'its' if carried == 1 else 'their'} last rating is shown.")
    return [
        c.text(intro, keep_next=True),
        c.caption("Table", "Red and Amber actions"),
        *c.table_parts([("Action", -1.2), ("Lead officer and dates", 3.6),
                        ("Last period", 2.1), ("This period", 2.1),
                        ("Slippage and reasons", -1)], rows),
    ]
