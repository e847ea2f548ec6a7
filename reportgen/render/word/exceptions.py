"""The exceptions: the body's table of Red and Amber actions, one short row each in the
order of what needs the Board (the view's order) and capped to the page budget
(:mod:`.budget`), and Appendix B, every one of them in full with the lead officer's
commentary and corrective action as written.

An action the plan repeats under several objectives is one entry, "Also under
Objectives 2 and 3"; each objective's own table still lists its row.
"""

from __future__ import annotations

from reportgen.model import Rag
from reportgen.render.word.budget import exception_rows
from reportgen.render.word.rated import why_runs
from reportgen.render.word.wordml import (
    BOLD, ITALIC, LONG_ROW, Builder, line_run, row_start, text_run,
)
from reportgen.text import clean
from reportgen.view.formats import plural, uk_date
from reportgen.view.prose import APPENDIX
from reportgen.view.words import CARRIED_MARK, brief_title


def exceptions_part(c: Builder) -> list[str | bytes] | str:
    """The body's exceptions: one short row per Red or Amber action (ID, short title,
    lead officer, last period's rating and this one, the reason, the corrective action),
    in the view's order, as many as the page budget allows, then how many more Appendix B
    lists."""
    view = c.view
    chosen = view.exceptions
    if not chosen:
        return c.text("No actions are rated Red or Amber this period.")
    shown = chosen[:exception_rows(c)]
    rest = chosen[len(shown):]
    n_red = view.counts.now[Rag.RED]
    intro = (f"{plural(n_red, 'action')} Red and "
             f"{plural(view.counts.now[Rag.AMBER], 'action')} Amber (an action the plan "
             "repeats under several objectives counted once), in the order they need the "
             "Board: a decision asked of the Board, no corrective action, newly Red or "
             "worse, a RAG challenge, then other Red and Amber. Appendix "
             f"{APPENDIX['exceptions_full']} gives each in full, with the lead officer's "
             "commentary.")
    asked = view.exceptions_asking
    if asked:
        intro += (f" {plural(asked, 'action asks', 'actions ask')} a decision of the "
                  "Board (see the recommendations).")
    rows = []
    for a in shown:
        r = a.rating
        what = text_run(a.id, BOLD) + text_run(" " + brief_title(a.action.action, 55))
        also = a.also_under(short=True)
        if also:
            what += line_run(also, ITALIC)
        was = (f"was {a.previous.value}" if a.previous is not None
               else ("new" if view.had_previous else ""))
        if a.decision is not None:
            reason = text_run("Board decision: ", BOLD) + text_run(
                brief_title(a.decision, 60) if a.decision else "marked in the tracker")
        elif r is not None and r.challenge:
            reason = text_run("RAG challenge: ", BOLD) + text_run(
                f"officer {r.officer.value if r.officer else 'none'}, computed "
                f"{r.computed.value}")
        elif a.carried:
            reason = text_run("Not updated this month", BOLD)
        elif r is not None and r.reasons:
            reason = text_run(brief_title(r.reasons[0], 60))
        else:
            reason = text_run("–")
        rows.append(c.row(
            c.cell(what), c.cell(text_run(brief_title(a.action.lead_officer, 30))),
            c.rag_cell(a.rag, note=was, mark=a.mark), c.cell(reason),
            c.cell(text_run(brief_title(a.corrective, 70)) if a.corrective
                   else text_run("none given", BOLD))).encode())
    out: list[str | bytes] = [c.text(intro, keep_next=True),
                              c.caption("Table", "Red and Amber actions, what needs the "
                                                 "Board first")]
    out.extend(c.table_parts([("Action", -1.5), ("Lead officer", 2.4),
                              ("RAG now (last period)", 2.2), ("Reason", -1),
                              ("Corrective action", -1.2)], rows))
    if rest:
        red, amber = view.exceptions_from(len(shown))
        out.append(c.text(f"A further {red:,} Red and {amber:,} Amber "
                          f"action{'' if len(rest) == 1 else 's'} "
                          f"{'is' if len(rest) == 1 else 'are'} listed in Appendix "
                          f"{APPENDIX['exceptions_full']}."))
    return out


def exceptions_full_part(c: Builder) -> str | list[str | bytes]:
    """Appendix B: every Red and Amber action in the body's order; under each, the lead
    officer's commentary and corrective action as written."""
    view = c.view
    chosen = view.exceptions
    if not chosen:
        return c.text("No actions are rated Red or Amber this period.")
    n_red = view.counts.now[Rag.RED]
    n_new = len(view.change("newly_red").actions)
    stale_days = c.config.thresholds.stale_days
    rows = []
    for a in chosen:
        act, r = a.action, a.rating
        who = (text_run(act.lead_officer, BOLD) + line_run(f"Start {uk_date(act.start)}")
               + line_run(f"End {uk_date(act.end)}")
               + line_run(f"Updated {uk_date(act.last_updated)}"))
        if a.stale:
            who += line_run(a.stale_words(stale_days), BOLD)
        why = why_runs(r, view.slippage_model)
        also = a.also_under()
        if a.carried:
            why.insert(0, text_run(a.lead.not_updated, BOLD))
        commentary = clean(act.commentary).strip()
        corrective = a.corrective
        top = c.row(
            c.cell(text_run(a.id, BOLD) + text_run(" " + clean(act.action))
                   + (line_run(also, ITALIC) if also else ""), keep_next=True),
            c.cell(who, keep_next=True),
            c.rag_cell(a.previous, keep_next=True, empty="–",
                       note="" if a.previous or not view.had_previous else "not rated"),
            c.rag_cell(a.rag, keep_next=True, mark=a.mark,
                       note="not updated" if a.carried else
                       ("newly red" if a.change == "newly_red" else "")),
            c.cell_paras(why or [text_run("–")], keep_next=True),
            start=row_start(act.action, " ".join(r.reasons) if r else ""))
        none_given = text_run("none given", ITALIC)
        bottom = c.row(c.cell_paras([
            text_run("Commentary: ", BOLD)
            + (text_run(commentary) if commentary else none_given),
            text_run("Corrective action: ", BOLD)
            + (text_run(corrective) if corrective else none_given),
        ], span=5), start=row_start(commentary + corrective, limit=LONG_ROW))
        rows.append((top + bottom).encode())  # UTF-8 as built: see tables.py
    since = (f" ({n_new:,} newly Red since last period)" if view.previous_period else "")
    intro = (f"{plural(n_red, 'action')} Red{since} and "
             f"{plural(view.counts.now[Rag.AMBER], 'action')} Amber, in the order of the "
             "exceptions in the body of the paper. Under each action: the lead officer's "
             "commentary and corrective action, as written in the tracker.")
    repeated = view.exceptions_repeated
    if repeated:
        intro += (f" {plural(repeated, 'action')} the plan repeats under more than one "
                  f"objective {'is' if repeated == 1 else 'are'} shown once, with "
                  f"{'its' if repeated == 1 else 'their'} other objectives.")
    carried = view.exceptions_carried
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
