"""The tabular parts: progress by objective, data quality (the body's counts and the
appendix's lists) and the appendix of every tracker row, as the view gives them.

The objectives and appendix tables are returned in pieces, each row UTF-8
as built: joined, the appendix of 12,000 actions was a 30-million-character string (two
bytes a character once any row has a "£"), then copied into the part and encoded, about
100 MB at the peak.
"""

from __future__ import annotations

from reportgen.issues import CATALOGUE
from reportgen.render.word.budget import RECORDS_LIMIT
from reportgen.render.word.rated import count_words, progress
from reportgen.render.word.wordml import BOLD, ITALIC, Builder, line_run, row_start, text_run
from reportgen.text import clean
from reportgen.view.feedback import days_since
from reportgen.view.formats import brief, plural, pounds_text, uk_date
from reportgen.view.prose import APPENDIX
from reportgen.view.words import CARRIED_MARK

LIST_LIMIT = 100  # rows in a data-quality list before "… and N more"


def objectives_part(c: Builder) -> list[str | bytes]:
    """A heading and a table per objective: each tracker row shortened, its end date,
    progress and RAG."""
    view = c.view
    out = [c.note("Action descriptions longer than a few lines are shortened here (…); the "
                  "appendix has every action in full.")]
    for obj in view.counts.by_objective:
        out.append(c.heading(f"Objective {obj.number}: {obj.title}" if obj.configured
                             else f"Objective {obj.number} {obj.title}"))
        group = view.rows_of(obj.number)
        if not group:
            out.append(c.text("No actions are recorded against this objective."))
            continue
        out.append(c.text(f"{plural(obj.total, 'action')}: {count_words(obj.counts)}.",
                          keep_next=True))
        rows = []
        for row in group:
            a = row.action
            rows.append(c.row(
                c.cells(text_run(a.action_id, BOLD),
                        text_run(brief(a.action))
                        + (line_run(row.not_updated, ITALIC) if row.carried else ""),
                        text_run(a.lead_officer), text_run(uk_date(a.end)),
                        text_run(progress(row.rating))),
                c.rag_cell(row.rag, empty="Not rated", mark=row.mark)).encode())
        out.extend(c.table_parts([("ID", 1.5), ("Action", -1), ("Lead officer", 2.8),
                                  ("End date", 2.2), ("% complete of expected", 2.2),
                                  ("RAG", 2.1)], rows))
    return out


def capped_note(c: Builder, total: int, what: str) -> str:
    """A note that a list shows only its first LIST_LIMIT of ``total``; "" when it is
    whole."""
    if total <= LIST_LIMIT:
        return ""
    return c.note(f"The first {LIST_LIMIT} of {total:,} {what} are shown; the consolidated "
                  "workbook and the officer feedback list every one.")


def data_quality_counts_part(c: Builder) -> str:
    """The body's data quality: counts only (files read, problems found, what was left
    out of every count and total, updates overdue, RAG challenges), pointing to the
    appendix that lists each."""
    q, left = c.view.quality, c.view.left_out
    text = (f"{plural(q.read, 'tracker file')} read"
            + (f", {len(q.refused):,} could not be read" if q.refused else "")
            + (f", {len(q.not_read):,} not a tracker" if q.not_read else "")
            + f"; {plural(q.errors, 'error')} (rows or files left out of the ratings) and "
            f"{plural(q.warnings, 'warning')} from the checks"
            + (f", and {plural(q.notes, 'note')}" if q.notes else "")
            + (f"; {plural(len(left.rows), 'tracker row')} left out of every count and "
               f"total ({pounds_text(left.budget)} of budget)" if left.rows else "")
            + f"; {plural(len(q.stale), 'action')} with an update overdue; "
            f"{plural(len(q.challenges), 'RAG challenge')}. "
            f"Appendix {APPENDIX['data_quality']} lists each, and the officer feedback "
            "workbooks give every lead officer their own.")
    out = [c.text(text)]
    if q.records:  # the record of earlier periods: a missed month, a recovered history
        out.append(c.text("The record of earlier periods:", keep_next=True))
        out.append(c.bullets([text_run(i.message) for i in q.records[:RECORDS_LIMIT]]))
        if len(q.records) > RECORDS_LIMIT:
            out.append(c.note(f"And {len(q.records) - RECORDS_LIMIT:,} more: `reportgen "
                              "history list` lists every period and its runs."))
    return "".join(out)


def _left_out_part(c: Builder) -> list[str]:
    """What was left out of every count and total: the statement, then each row with
    the reason and the budget it carries, and the total (trackers that could not be read
    are in the table of trackers not read)."""
    view = c.view
    left = view.left_out
    out = [c.heading("Left out of every count and total")]
    if not left.any:
        return out + [c.text("Nothing: every tracker row read was rated or carried forward, "
                             "and every tracker was read.")]
    out.append(c.text(view.left_out_facts
                      + (" The tracker files are listed under \u201cTrackers not read\u201d "
                         "above." if left.trackers else "")))
    if left.rows:
        rows = [c.row(c.cells(text_run(f"{x.file} › {x.sheet} row {x.row}"),
                              text_run(x.action_id or "–"), text_run(x.reason)),
                      c.cell(text_run(pounds_text(p) if p is not None else "–"), jc="right"))
                for x, p in zip(left.rows[:LIST_LIMIT], left.pounds)]
        rows.append(c.row(c.cells(text_run("Total", BOLD), text_run(""),
                                  text_run(plural(len(left.rows), "tracker row"))),
                          c.cell(text_run(pounds_text(left.budget), BOLD), jc="right")))
        out.append(c.caption("Table", "Tracker rows left out of every count and total"))
        out.append(c.table([("Where", -2), ("Action ID", 1.9), ("Why", -3),
                            ("Budget", 2.4)], rows))
        out.append(capped_note(c, len(left.rows), "rows left out"))
    return out


def _note_rows(c: Builder, notes) -> list[str]:
    return [c.row(c.cells(text_run(i.location()), text_run(CATALOGUE[i.code].title
                                                           if i.code in CATALOGUE else i.code),
                          text_run(i.message), text_run(i.hint)))
            for i in notes[:LIST_LIMIT]]


def data_quality_part(c: Builder) -> str:
    """The configuration's notes, trackers not read, what was left out of every count
    and total, files that are not trackers, the other notes (each as what it is), the
    record of earlier periods, validation by problem, updates overdue and RAG
    challenges, each list capped at LIST_LIMIT rows."""
    view = c.view
    q = view.quality
    out = []
    if view.config_notes:
        out.append(c.heading("Configuration"))
        out.append(c.bullets([text_run(n) for n in view.config_notes]))
    trackers = q.files - len(q.not_read)
    out.append(c.heading("Trackers not read"))
    if not q.refused:
        out.append(c.text(f"All {plural(trackers, 'tracker file')} were read."))
    else:
        rows = [c.row(c.cells(text_run(r.source.path), text_run(r.problem), text_run(r.fix)))
                for r in q.refused]
        its = "its" if len(q.refused) == 1 else "their"
        outcome = (f"{its} actions known from earlier months show their last stored "
                   f"ratings, marked {CARRIED_MARK}"
                   if view.coverage_statement else f"{its} actions are missing from this "
                                                    "report")
        out.append(c.text(f"{plural(len(q.refused), 'tracker file')} of {trackers:,} could "
                          f"not be read, so {outcome}."))
        out.append(c.table([("File", -2), ("Problem", -3), ("What to do", -3)], rows))
    out += _left_out_part(c)
    if q.not_read:  # not trackers: listed once, here, and not counted as trackers
        n = len(q.not_read)
        out.append(c.heading("Files that are not trackers"))
        out.append(c.text(f"{plural(n, 'file')} in the trackers folder "
                          f"{'is' if n == 1 else 'are'} in a format reportgen does not read, "
                          "so " + ("it is" if n == 1 else "they are") + " not read and not "
                          "counted as a tracker:", keep_next=True))
        rows = [c.row(c.cells(text_run(i.file), text_run(i.message), text_run(i.hint)))
                for i in q.not_read[:LIST_LIMIT]]
        out.append(c.table([("File", -2), ("Note", -3), ("What to do", -3)], rows))
        out.append(capped_note(c, n, "files that are not trackers"))
    if q.others:  # notes about trackers that were read: each as what it is
        out.append(c.heading("Notes"))
        out.append(c.text(f"{plural(len(q.others), 'note')} about the trackers (not errors or "
                          "warnings: nothing was left out for them):", keep_next=True))
        out.append(c.table([("Where", -2), ("Note", -1.6), ("What happened", -3),
                            ("What to do", -2.6)], _note_rows(c, q.others)))
        out.append(capped_note(c, len(q.others), "notes"))

    if q.records:  # not about a tracker: listed apart from the trackers' problems
        out.append(c.heading("The record of earlier periods"))
        rows = [c.row(c.cells(text_run(CATALOGUE[i.code].title if i.code in CATALOGUE
                                       else i.code),
                              text_run(i.message), text_run(i.hint)))
                for i in q.records[:LIST_LIMIT]]
        out.append(c.table([("Note", -2), ("What happened", -4), ("What to do", -3)], rows))
    out.append(c.heading("Validation"))
    if not q.by_code:
        out.append(c.text("The trackers passed every check."))
    else:
        out.append(c.text(
            f"{plural(q.errors, 'error')} (rows or files left out of the ratings) and "
            f"{plural(q.warnings, 'warning')} (rated, but something is off) in "
            f"{plural(q.tracker_files, 'tracker file')}."))
        rows = [c.row(c.cell(text_run(code.title)),
                      c.cell(text_run(f"{code.errors:,}"), jc="right"),
                      c.cell(text_run(f"{code.warnings:,}"), jc="right"),
                      c.cell(text_run(f"{code.files:,}"), jc="right"))
                for code in q.by_code]
        out.append(c.table([("Problem", -1), ("Errors", 1.8), ("Warnings", 2.0),
                            ("Files", 1.6)], rows))
        if q.not_rated:  # errors the table of what was left out does not already list
            out.append(c.caption("Table", "Other errors: rows and sheets not rated this "
                                          "month"))
            rows = [c.row(c.cells(text_run(i.location()), text_run(i.message)))
                    for i in q.not_rated[:LIST_LIMIT]]
            out.append(c.table([("Where", -1), ("Problem", -1.6)], rows))
            out.append(capped_note(c, len(q.not_rated), "other errors"))

    th = c.config.thresholds
    out.append(c.heading("Updates overdue"))
    if not q.stale:
        out.append(c.text(f"Every tracker row was updated in the {th.stale_days} days "
                          f"before {uk_date(view.as_of)}."))
    else:
        out.append(c.text(f"{plural(len(q.stale), 'action')} last updated more than "
                          f"{th.stale_days} days before {uk_date(view.as_of)}, oldest first "
                          "(an action the plan repeats under several objectives once)."))
        rows = []
        for row in q.stale[:LIST_LIMIT]:
            act = row.action
            rows.append(c.row(c.cell(text_run(row.id, BOLD)),
                              c.cells(text_run(act.lead_officer), text_run(clean(act.source.file)),
                                      text_run(uk_date(act.last_updated))),
                              c.cell(text_run(f"{days_since(act, view.as_of):,}"),
                                     jc="right")))
        out.append(c.table([("ID", 1.6), ("Lead officer", -1), ("Tracker", -1.2),
                            ("Last updated", 2.4), ("Days", 1.4)], rows))
        out.append(capped_note(c, len(q.stale), "updates overdue"))

    out.append(c.heading("RAG challenges"))
    if not q.challenges:
        out.append(c.text("No lead officer's RAG is far from the computed one."))
    else:
        out.append(c.text(f"{plural(len(q.challenges), 'action')} where the lead officer's "
                          f"RAG and the computed one are {th.challenge_steps} or more steps "
                          "apart: the evidence in the tracker does not support the "
                          "officer's rating, or the tracker is out of date."))
        rows = []
        for a in q.challenges[:LIST_LIMIT]:
            row = next(row for row in (a.lead, *a.others)
                       if row.rating is not None and row.rating.challenge)
            r = row.rating
            rows.append(c.row(c.cell(text_run(row.id, BOLD)),
                              c.cell(text_run(a.action.lead_officer)),
                              c.rag_cell(r.officer, empty="none"), c.rag_cell(r.computed),
                              c.cell(text_run("; ".join(r.reasons)))))
        out.append(c.table([("ID", 1.6), ("Lead officer", 3.0), ("Officer's RAG", 2.1),
                            ("Computed RAG", 2.1), ("Why", -1)], rows))
        out.append(capped_note(c, len(q.challenges), "RAG challenges"))
    return "".join(out)


def appendix_part(c: Builder) -> list[str | bytes]:
    """Every tracker row in full, grouped under a shaded row per objective."""
    view = c.view
    rag_cell, cells = c.rag_cell, c.cells
    stale_line = line_run("overdue", BOLD)
    columns = [("ID", 1.5), ("Action", -2), ("Lead officer", 2.8), ("Locality", 2.3),
               ("Funding", -1), ("Start and end", 2.2), ("Status", 2.0),
               ("% complete of expected", 2.2), ("Updated", 2.2), ("RAG", 2.1)]
    rows = []
    append = rows.append
    for obj in view.counts.by_objective:
        group = view.rows_of(obj.number)
        if not group:
            continue
        title = (f"Objective {obj.number}: {obj.title}" if obj.configured
                 else f"Objective {obj.number} {obj.title}")
        append(c.group_row(text_run(title, BOLD), len(columns)).encode())
        for row in group:
            a, r = row.action, row.rating
            append(c.row(cells(
                text_run(a.action_id, BOLD),
                text_run(a.action) + (line_run(row.not_updated, BOLD) if row.carried else ""),
                text_run(a.lead_officer), text_run(a.locality or ""),
                text_run("; ".join(a.funding)),
                text_run(uk_date(a.start)) + line_run(uk_date(a.end)),
                text_run(a.status.value), text_run(progress(r)),
                text_run(uk_date(a.last_updated))
                + (stale_line if r is not None and r.stale else "")),
                rag_cell(row.rag, empty="Not rated", mark=row.mark),
                start=row_start(a.action)).encode())
    return [
        c.text(f"Every action of the plan this period, by objective: "
               f"{plural(view.counts.tracker_rows, 'tracker row')}"
               + (f" ({plural(view.counts.actions, 'distinct action')}: an action the plan "
                  "repeats is a row under each of its objectives)"
                  if view.counts.rows_differ else "") + "."
               + (f" Actions marked {CARRIED_MARK} were not updated this month: their last "
                  "stored rating and figures are shown." if view.carried else "")),
        c.caption("Table", "Every action"),
        *c.table_parts(columns, rows),
    ]
