"""The tabular parts: progress by objective, data quality (the body's counts and the
appendix's lists) and the appendix of every action. The exceptions are
:mod:`.exceptions`; finance is :mod:`.finance`.

The objectives and appendix tables are returned in pieces, each row UTF-8
as built: joined, the appendix of 12,000 actions was a 30-million-character string (two
bytes a character once any row has a "£"), then copied into the part and encoded, about
100 MB at the peak.
"""

from __future__ import annotations

from reportgen.issues import CATALOGUE, RECORD_CODES, Issue
from reportgen.render.coverage import CARRIED_MARK, severity_name
from reportgen.render.word.budget import APPENDIX
from reportgen.render.formats import brief, natural_key, plural, uk_date
from reportgen.render.word.rated import (
    Rated, count_words, objective_numbers, objective_title,
    progress, rag_counts,
)
from reportgen.render.word.wordml import (
    BOLD, ITALIC, ROW, Builder, line_run, row_start, text_run,
)
from reportgen.text import clean

LIST_LIMIT = 100  # rows in a data-quality list before "… and N more"
RECORDS_LIMIT = 6  # notes on earlier periods in the body (a missed month, a recovered history)


def objectives_part(c: Builder, items: list[Rated]) -> list[str | bytes]:
    """A heading and a table per objective: each action shortened, its end date, progress
    and RAG."""
    run, config = c.run, c.config
    out = [c.note("Action descriptions longer than a few lines are shortened here (…); the "
                  "appendix has every action in full.")]
    for number in objective_numbers(run, config):
        group = sorted((i for i in items if i.action.objective == number),
                       key=lambda i: natural_key(i.action.action_id))
        out.append(c.heading(objective_title(config, number)))
        if not group:
            out.append(c.text("No actions are recorded against this objective."))
            continue
        out.append(c.text(f"{plural(len(group), 'action')}: "
                          f"{count_words(rag_counts(group))}.", keep_next=True))
        cell_open = c.cell_open()
        rows = []
        for item in group:
            a, r = item.action, item.rating
            rows.append(
                f"{ROW}{cell_open}{text_run(a.action_id, BOLD)}</w:p></w:tc>"
                f"{cell_open}{text_run(brief(a.action))}"
                f"{line_run(item.not_updated, ITALIC) if item.carried else ''}</w:p></w:tc>"
                f"{cell_open}{text_run(a.lead_officer)}</w:p></w:tc>"
                f"{cell_open}{text_run(uk_date(a.end))}</w:p></w:tc>"
                f"{cell_open}{text_run(progress(r))}</w:p></w:tc>"
                f"{c.rag_cell(item.rag, empty='Not rated', mark=item.mark)}</w:tr>"
                .encode())
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


def tracker_issues(run) -> list[Issue]:
    """The run's issues about the trackers, which the data quality counts: those about
    the record of earlier periods (RECORD_CODES: a missed month, a recovered history)
    are listed apart, in the body."""
    return [i for i in run.issues if i.code not in RECORD_CODES]


def data_quality_counts_part(c: Builder, items: list[Rated]) -> str:
    """The body's data quality: counts only (files read, problems found, updates overdue,
    RAG challenges), pointing to the appendix that lists each."""
    run = c.run
    refused = sum(1 for s in run.sources if s.refused)
    records = [i for i in run.issues if i.code in RECORD_CODES]
    checked = tracker_issues(run)
    errors = sum(1 for i in checked if i.is_error)
    warnings = sum(1 for i in checked if severity_name(i) == "warning")
    stale = sum(1 for i in items if i.rating and i.rating.stale)
    challenged = sum(1 for i in items if i.rating and i.rating.challenge)
    read = len(run.sources) - refused
    text = (f"{plural(read, 'tracker file')} read"
            + (f", {refused:,} could not be read" if refused else "")
            + f"; {plural(errors, 'error')} (rows or files left out of the ratings) and "
            f"{plural(warnings, 'warning')} from the checks; "
            f"{plural(stale, 'update')} overdue; {plural(challenged, 'RAG challenge')}. "
            f"Appendix {APPENDIX['data_quality']} lists each, and the officer feedback "
            "workbooks give every lead officer their own.")
    out = [c.text(text)]
    if records:  # the record of earlier periods: a missed month, a recovered history
        out.append(c.text("The record of earlier periods:", keep_next=True))
        out.append(c.bullets([text_run(i.message) for i in records[:RECORDS_LIMIT]]))
        if len(records) > RECORDS_LIMIT:
            out.append(c.note(f"And {len(records) - RECORDS_LIMIT:,} more: `reportgen "
                              "history list` lists every period and its runs."))
    return "".join(out)


def data_quality_part(c: Builder, items: list[Rated]) -> str:
    """Trackers not read, validation by problem, rows left out, updates overdue and RAG
    challenges, each list capped at LIST_LIMIT rows."""
    run = c.run
    out = [c.heading("Trackers not read")]
    refused = [s for s in run.sources if s.refused]
    # Issues of another severity than error or warning ("info": a file reportgen does
    # not read) are listed here and counted apart from errors and warnings.
    infos = [i for i in run.issues if severity_name(i) not in ("error", "warning")]
    if not refused:
        out.append(c.text(f"All {plural(len(run.sources), 'tracker file')} were read."))
    else:
        by_file: dict[tuple[str, str], Issue] = {(i.file, i.code): i for i in run.issues}
        rows = []
        for s in sorted(refused, key=lambda s: s.path.lower()):
            issue = by_file.get((s.path, s.refused or ""))
            entry = CATALOGUE.get(s.refused or "")
            problem = issue.message if issue else (entry.title if entry else s.refused)
            fix = issue.hint if issue else (entry.hint if entry else "")
            rows.append(ROW + c.cell(text_run(s.path))
                        + c.cell(text_run(problem)) + c.cell(text_run(fix)) + "</w:tr>")
        its = "its" if len(refused) == 1 else "their"
        outcome = (f"{its} actions known from earlier months show their last stored "
                   f"ratings, marked {CARRIED_MARK}"
                   if run.coverage is not None and not run.coverage.complete
                   else f"{its} actions are missing from this report")
        out.append(c.text(f"{plural(len(refused), 'tracker file')} of {len(run.sources):,} "
                          f"could not be read, so {outcome}."))
        out.append(c.table([("File", -2), ("Problem", -3), ("What to do", -3)], rows))
    if infos:
        out.append(c.text(f"{plural(len(infos), 'file')} in the trackers folder "
                          f"{'is' if len(infos) == 1 else 'are'} not read by reportgen "
                          "(not a tracker format):", keep_next=True))
        rows = [ROW + c.cell(text_run(i.location())) + c.cell(text_run(i.message))
                + c.cell(text_run(i.hint)) + "</w:tr>" for i in infos[:LIST_LIMIT]]
        out.append(c.table([("File", -2), ("Why it was not read", -3), ("What to do", -3)],
                           rows))
        out.append(capped_note(c, len(infos), "files not read"))

    records = [i for i in run.issues if i.code in RECORD_CODES]
    if records:  # not about a tracker: listed apart from the trackers' problems
        out.append(c.heading("The record of earlier periods"))
        rows = [ROW + c.cell(text_run(CATALOGUE[i.code].title if i.code in CATALOGUE
                                      else i.code))
                + c.cell(text_run(i.message)) + c.cell(text_run(i.hint)) + "</w:tr>"
                for i in records[:LIST_LIMIT]]
        out.append(c.table([("Note", -2), ("What happened", -4), ("What to do", -3)], rows))
    out.append(c.heading("Validation"))
    refused_files = {s.path for s in refused}
    issues = tracker_issues(run)
    errors = [i for i in issues if i.is_error]
    warnings = [i for i in issues if severity_name(i) == "warning"]
    checked = errors + warnings
    if not checked:
        out.append(c.text("The trackers passed every check."))
    else:
        files = len({i.file for i in checked})
        out.append(c.text(
            f"{plural(len(errors), 'error')} (rows or files left out of the ratings) and "
            f"{plural(len(warnings), 'warning')} (rated, but something is off) in "
            f"{plural(files, 'tracker file')}."
            + (f" {plural(len(infos), 'file')} in a format reportgen does not read "
               f"{'is' if len(infos) == 1 else 'are'} listed above." if infos else "")))
        by_code: dict[str, list[Issue]] = {}
        for i in checked:
            by_code.setdefault(i.code, []).append(i)
        order = sorted(by_code.items(), key=lambda kv: (
            -sum(1 for i in kv[1] if i.is_error), -len(kv[1]), kv[0]))
        rows = []
        for code, found in order:
            entry = CATALOGUE.get(code)
            rows.append(ROW
                        + c.cell(text_run(entry.title if entry else code))
                        + c.cell(text_run(f"{sum(1 for i in found if i.is_error):,}"),
                                 jc="right")
                        + c.cell(text_run(f"{sum(1 for i in found if not i.is_error):,}"),
                                 jc="right")
                        + c.cell(text_run(f"{len({i.file for i in found}):,}"), jc="right")
                        + "</w:tr>")
        out.append(c.table([("Problem", -1), ("Errors", 1.8), ("Warnings", 2.0),
                            ("Files", 1.6)], rows))
        left_out = [i for i in errors if i.file not in refused_files]
        if left_out:
            out.append(c.caption("Table", "Rows left out of the ratings"))
            rows = [ROW + c.cell(text_run(i.location()))
                    + c.cell(text_run(i.message)) + "</w:tr>" for i in left_out[:LIST_LIMIT]]
            out.append(c.table([("Where", -1), ("Problem", -1.6)], rows))
            out.append(capped_note(c, len(left_out), "rows left out"))

    th = c.config.thresholds
    out.append(c.heading("Updates overdue"))
    stale = sorted((i for i in items if i.rating and i.rating.stale),
                   key=lambda i: (i.action.last_updated, natural_key(i.action.action_id)))
    if not stale:
        out.append(c.text(f"Every tracker row was updated in the {th.stale_days} days "
                          f"before {uk_date(run.as_of)}."))
    else:
        out.append(c.text(f"{plural(len(stale), 'action')} last updated more than "
                          f"{th.stale_days} days before {uk_date(run.as_of)}, oldest first."))
        rows = [ROW
                + c.cell(text_run(i.action.action_id, BOLD))
                + c.cell(text_run(i.action.lead_officer))
                + c.cell(text_run(clean(i.action.source.file)))
                + c.cell(text_run(uk_date(i.action.last_updated)))
                + c.cell(text_run(f"{(run.as_of - i.action.last_updated).days:,}"), jc="right")
                + "</w:tr>" for i in stale[:LIST_LIMIT]]
        out.append(c.table([("ID", 1.6), ("Lead officer", -1), ("Tracker", -1.2),
                            ("Last updated", 2.4), ("Days", 1.4)], rows))
        out.append(capped_note(c, len(stale), "updates overdue"))

    out.append(c.heading("RAG challenges"))
    challenged = sorted((i for i in items if i.rating and i.rating.challenge),
                        key=lambda i: natural_key(i.action.action_id))
    if not challenged:
        out.append(c.text("No lead officer's RAG is far from the computed one."))
    else:
        out.append(c.text(f"{plural(len(challenged), 'action')} where the lead officer's "
                          f"RAG and the computed one are {th.challenge_steps} or more steps "
                          "apart: the evidence in the tracker does not support the "
                          "officer's rating, or the tracker is out of date."))
        rows = [ROW
                + c.cell(text_run(i.action.action_id, BOLD))
                + c.cell(text_run(i.action.lead_officer))
                + c.rag_cell(i.rating.officer, empty="none") + c.rag_cell(i.rating.computed)
                + c.cell(text_run("; ".join(i.rating.reasons))) + "</w:tr>"
                for i in challenged[:LIST_LIMIT]]
        out.append(c.table([("ID", 1.6), ("Lead officer", 3.0), ("Officer's RAG", 2.1),
                            ("Computed RAG", 2.1), ("Why", -1)], rows))
        out.append(capped_note(c, len(challenged), "RAG challenges"))
    return "".join(out)


def appendix_part(c: Builder, items: list[Rated]) -> list[str | bytes]:
    """Every action in full, grouped under a shaded row per objective."""
    run, config = c.run, c.config
    cell_open = c.cell_open()
    close = "</w:p></w:tc>"
    rag_cell = c.rag_cell
    stale_line = line_run("overdue", BOLD)
    columns = [("ID", 1.5), ("Action", -2), ("Lead officer", 2.8), ("Locality", 2.3),
               ("Funding", -1), ("Start and end", 2.2), ("Status", 2.0),
               ("% complete of expected", 2.2), ("Updated", 2.2), ("RAG", 2.1)]
    group_open = (f'{ROW}<w:tc><w:tcPr><w:gridSpan w:val="{len(columns)}"/>'
                  '<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/></w:tcPr>'
                  f"{c.cell_open(keep_next=True)[len('<w:tc>'):]}")
    rows = []
    append = rows.append
    for number in objective_numbers(run, config):
        group = sorted((i for i in items if i.action.objective == number),
                       key=lambda i: natural_key(i.action.action_id))
        if not group:
            continue
        append(f"{group_open}{text_run(objective_title(config, number), BOLD)}{close}"
               "</w:tr>".encode())
        for item in group:
            a, r = item.action, item.rating
            append(
                f"{row_start(a.action)}{cell_open}{text_run(a.action_id, BOLD)}{close}"
                f"{cell_open}{text_run(a.action)}"
                f"{line_run(item.not_updated, BOLD) if item.carried else ''}{close}"
                f"{cell_open}{text_run(a.lead_officer)}{close}"
                f"{cell_open}{text_run(a.locality or '')}{close}"
                f"{cell_open}{text_run('; '.join(a.funding))}{close}"
                f"{cell_open}{text_run(uk_date(a.start))}{line_run(uk_date(a.end))}{close}"
                f"{cell_open}{text_run(a.status.value)}{close}"
                f"{cell_open}{text_run(progress(r))}{close}"
                f"{cell_open}{text_run(uk_date(a.last_updated))}"
                f"{stale_line if r is not None and r.stale else ''}{close}"
                f"{rag_cell(item.rag, empty='Not rated', mark=item.mark)}</w:tr>".encode())
    return [
        c.text(f"Every action of the plan this period ({len(items):,}), by objective."
               + (f" Actions marked {CARRIED_MARK} were not updated this month: their last "
                  "stored rating and figures are shown."
                  if any(i.carried for i in items) else "")),
        c.caption("Table", "Every action"),
        *c.table_parts(columns, rows),
    ]
