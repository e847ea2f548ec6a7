"""The tabular parts: progress by objective, finance, data quality (the body's counts
and the appendix's lists) and the appendix of every action. The exceptions are
:mod:`.exceptions`.

The objectives and appendix tables are returned in pieces, each row UTF-8
as built: joined, the appendix of 12,000 actions was a 30-million-character string (two
bytes a character once any row has a "£"), then copied into the part and encoded, about
100 MB at the peak.
"""

from __future__ import annotations

from typing import Sequence

from reportgen.issues import CATALOGUE, Issue
from reportgen.model import FinanceRating, Rag, Status, StreamFinance
from reportgen.render.coverage import CARRIED_MARK, severity_name, short_title
from reportgen.render.word.budget import APPENDIX
from reportgen.render.word.formats import (
    brief, money, natural_key, plural, uk_date, variance_text,
)
from reportgen.render.word.rated import (
    Rated, also_under, count_words, objective_numbers, objective_title,
    progress, rag_counts,
)
from reportgen.render.word.wordml import (
    BOLD, ITALIC, ROW, Builder, line_run, row_start, text_run,
)
from reportgen.text import clean

LIST_LIMIT = 100  # rows in a data-quality list before "… and N more"


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


def finance_rows(c: Builder, streams: Sequence[StreamFinance], total: FinanceRating | None,
                 total_actions: int | None) -> list[str]:
    """A row per stream (or objective), then a bold total row when ``total`` is given."""
    rows = []

    def row(name: str, actions: int | None, f: FinanceRating, bold: bool) -> str:
        rpr = BOLD if bold else ""
        note = "underspend" if f.underspend else ""
        return (ROW + c.cell(text_run(name, rpr))
                + c.cell(text_run("" if actions is None else f"{actions:,}", rpr), jc="right")
                + c.cell(text_run(money(f.budget), rpr), jc="right")
                + c.cell(text_run(money(f.spend_to_date), rpr), jc="right")
                + c.cell(text_run(money(f.forecast), rpr), jc="right")
                + c.cell(text_run(variance_text(f.variance), rpr), jc="right")
                + c.rag_cell(f.rag, note=note, empty="No budget") + "</w:tr>")

    for s in streams:
        rows.append(row(clean(s.stream), s.actions, s.rating, False))
    if total is not None:
        rows.append(row("Total", total_actions, total, True))
    return rows


FINANCE_COLUMNS = [("Actions", 1.8), ("Budget", 2.3), ("Spend to date", 2.3),
                   ("Forecast outturn", 2.3), ("Variance", 2.7), ("RAG", 2.1)]
"""The finance tables' columns after the first (the stream or the objective)."""


def finance_exceptions_of(items: list[Rated]) -> list[Rated]:
    """The actions whose own finance RAG is Red or Amber, Red first, then the largest
    overspend first (cancelled actions are left out, as from every finance total)."""
    chosen = [i for i in items if i.rating is not None and i.rating.finance is not None
              and i.rating.finance.rag in (Rag.RED, Rag.AMBER)
              and i.action.status is not Status.CANCELLED]
    chosen.sort(key=lambda i: (-i.rating.finance.rag.severity,
                               -(i.rating.finance.variance or 0.0),
                               natural_key(i.action.action_id)))
    return chosen


def finance_exceptions(c: Builder, items: list[Rated]) -> str:
    """A heading and a table of every action whose finance RAG is Red or Amber: budget,
    forecast, variance, finance RAG and the lead officer's commentary as written."""
    chosen = finance_exceptions_of(items)
    out = [c.heading("Finance exceptions by action")]
    if not chosen:
        out.append(c.text("No action forecasts an overspend: every action with a budget is "
                          "on or under it."))
        return "".join(out)
    n_red = sum(1 for i in chosen if i.rating.finance.rag is Rag.RED)
    out.append(c.text(
        f"{plural(len(chosen), 'action')} forecast{'s' if len(chosen) == 1 else ''} an "
        f"overspend ({n_red:,} Red, {len(chosen) - n_red:,} Amber by the action's own "
        "finance RAG), largest overspend first. The figures are each action's whole "
        "budget and forecast, across every funding stream it draws on.", keep_next=True))
    rows = []
    by_id = {i.action.action_id: i for i in items}
    for item in chosen:
        a, f = item.action, item.rating.finance
        commentary = clean(a.commentary).strip()
        also = also_under(item, [by_id[x] for x in c.run.repeats.get(a.action_id, ())
                                 if x in by_id])
        what = (text_run(a.action_id, BOLD) + text_run(" " + short_title(a.action))
                + line_run(a.lead_officer) + (line_run(also, ITALIC) if also else ""))
        if item.carried:
            what += line_run(item.not_updated, ITALIC)
        rows.append(row_start(commentary)
                    + c.cell(what)
                    + c.cell(text_run(money(f.budget)), jc="right")
                    + c.cell(text_run(money(f.forecast)), jc="right")
                    + c.cell(text_run(variance_text(f.variance)), jc="right")
                    + c.rag_cell(f.rag, mark=item.mark)
                    + c.cell(text_run(commentary) if commentary
                             else text_run("none given", ITALIC))
                    + "</w:tr>")
    out.append(c.caption("Table", "Actions forecasting an overspend"))
    out.append(c.table([("Action and lead officer", -1.2), ("Budget", 2.2),
                        ("Forecast outturn", 2.2), ("Variance", 2.4), ("Finance RAG", 2.0),
                        ("Lead officer's commentary", -1.3)], rows))
    return "".join(out)


def finance_part(c: Builder, items: list[Rated]) -> str:
    """Finance by funding stream with a total, then by objective, from the rated run."""
    run = c.run
    if not run.finance_by_stream:
        return c.text("No budgets, spend or forecasts were given in the trackers this "
                      "period.")
    total = run.finance_total
    live = sum(1 for i in items if i.action.status is not Status.CANCELLED)
    out = [c.text("Budget, spend to date and forecast outturn from the trackers, to the "
                  "nearest pound. Variance is forecast outturn minus budget. An action "
                  "funded by more than one stream is split equally between them; cancelled "
                  "actions are left out."),
           c.caption("Table", "Finance by funding stream"),
           c.table([("Funding stream", -1), *FINANCE_COLUMNS],
                   finance_rows(c, run.finance_by_stream, total, live))]
    flagged = [s for s in run.finance_by_stream if s.rating.reasons]
    if flagged:
        out.append(c.note("; ".join(f"{clean(s.stream)}: {', '.join(s.rating.reasons)}"
                                    for s in flagged) + "."))
    out.append(finance_exceptions(c, items))
    if run.finance_by_objective:
        out.append(c.heading("Finance by objective"))
        out.append(c.table([("Objective", -1), *FINANCE_COLUMNS],
                           finance_rows(c, run.finance_by_objective, None, None)))
    return "".join(out)


def capped_note(c: Builder, total: int, what: str) -> str:
    """A note that a list shows only its first LIST_LIMIT of ``total``; "" when it is
    whole."""
    if total <= LIST_LIMIT:
        return ""
    return c.note(f"The first {LIST_LIMIT} of {total:,} {what} are shown; the consolidated "
                  "workbook and the officer feedback list every one.")


def data_quality_counts_part(c: Builder, items: list[Rated]) -> str:
    """The body's data quality: counts only (files read, problems found, updates overdue,
    RAG challenges), pointing to the appendix that lists each."""
    run = c.run
    refused = sum(1 for s in run.sources if s.refused)
    errors = sum(1 for i in run.issues if i.is_error)
    warnings = sum(1 for i in run.issues if severity_name(i) == "warning")
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
    return c.text(text)


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

    out.append(c.heading("Validation"))
    refused_files = {s.path for s in refused}
    errors = [i for i in run.issues if i.is_error]
    warnings = [i for i in run.issues if severity_name(i) == "warning"]
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
