"""The validate stage: raw tables from :mod:`reportgen.ingest` → records and Issues.

:func:`read_trackers` reads every file (ingest) and validates each table
(:mod:`reportgen.validate.records`), then applies the checks that need every file at once
(copies of a tracker, action ID clashes, KPIs split over two files:
:mod:`reportgen.validate.across`). Staleness is not judged here: it is a rating
(:mod:`reportgen.rate`).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from reportgen.config import Config
from reportgen.ingest import FileRead, read_paths
from reportgen.ingest.tables import RawTable
from reportgen.ingest.values import clean_text, word_key
from reportgen.issues import Issue, make_issue
from reportgen.model import Action, Kpi, SourceFile
from reportgen.validate.across import (
    check_duplicate_ids, check_duplicate_kpis, resolve_copies,
)
from reportgen.validate.records import Vocab, validate_actions, validate_kpis

__all__ = ["IngestResult", "check_duplicate_ids", "check_duplicate_kpis", "read_trackers",
           "resolve_copies", "sort_issues", "validate_file"]

# --------------------------------------------------------------------------- the stage


@dataclass
class IngestResult:
    """Every tracker read and validated: the records, every Issue (sorted), a SourceFile
    per file looked at, and the paths given that do not exist.

    ``rejected`` maps each action ID that was found this month but not made into an Action
    (its row had an error, its sheet's header could not be used, or it clashes with another
    file's action) to the reason in plain words, for the plan register to carry it
    forward. File-level refusals are in ``sources`` and ``issues``."""

    actions: list[Action]
    kpis: list[Kpi]
    issues: list[Issue]
    sources: list[SourceFile]
    missing: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.is_error)


_CELL = re.compile(r"([A-Za-z]*)(\d*)")


def _cell_key(cell: str | None) -> tuple[int, int, str]:
    if not cell:
        return (0, 0, "")
    m = _CELL.match(cell)
    return (int(m[2] or 0), len(m[1]), m[1])


def sort_issues(issues: list[Issue]) -> list[Issue]:
    """File, sheet, row, column, code: the order an officer fixes them in."""
    return sorted(issues, key=lambda i: (i.file, i.sheet or "", _cell_key(i.cell), i.code))


def _reason(issue: Issue) -> str:
    where = f" ({issue.sheet}!{issue.cell})" if issue.sheet and issue.cell else ""
    return f"the row could not be rated: {issue.message[:1].lower()}{issue.message[1:]}{where}"


def rejected_rows(table: RawTable, issues: list[Issue]) -> dict[str, str]:
    """Action ID → reason for the rows of an actions table that were not made into
    Actions: rows with an error, or every row when the sheet's header could not be used."""
    out: dict[str, str] = {}
    sheet_errors = [i for i in issues if i.is_error and i.sheet == table.sheet
                    and i.action_id is None and i.code in ("missing-column",
                                                           "ambiguous-header")]
    if sheet_errors:
        first = sheet_errors[0]
        why = (f"the sheet could not be read: {first.message[:1].lower()}{first.message[1:]}"
               f" ({first.sheet}!{first.cell})")
        for raw in table.rows:
            c = raw.cells.get("action_id")
            if c is not None and c.value is not None:
                text, _ = clean_text(str(c.value))
                if text:
                    out.setdefault(text, why)
        return out
    for issue in issues:
        if issue.is_error and issue.action_id and issue.sheet == table.sheet:
            out.setdefault(issue.action_id, _reason(issue))
    return out


def validate_file(read: FileRead, config: Config, today: date,
                  vocab: Vocab, rejected: dict[str, str] | None = None
                  ) -> tuple[list[Action], list[Kpi], list[Issue], SourceFile]:
    """One file's tables → (Actions, Kpis, Issues, its SourceFile with the counts).
    A table whose validation fails on a bug costs that sheet (``sheet-unreadable``).
    Rows not made into Actions are added to ``rejected`` when given (ID → reason)."""
    actions: list[Action] = []
    kpis: list[Kpi] = []
    issues = list(read.issues)
    read_ok: list[RawTable] = []
    file = read.source.path
    for table in read.tables:
        try:
            if table.kind == "actions":
                found, table_issues = validate_actions(table, file, config, today, vocab)
                actions.extend(found)
                if rejected is not None:
                    for key, why in rejected_rows(table, table_issues).items():
                        rejected.setdefault(key, why)
            else:
                found, table_issues = validate_kpis(table, file)
                kpis.extend(found)
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # a bug should cost one sheet, not the run
            issues.append(make_issue("sheet-unreadable", file=file, sheet=table.sheet,
                                     detail=f"{type(exc).__name__}: {exc}"))
            continue
        issues.extend(table_issues)
        read_ok.append(table)
    source = read.source
    if source.refused is None:
        source = dataclasses.replace(
            source, sheets=tuple(t.sheet for t in read_ok),
            rows_read=sum(len(t.rows) for t in read_ok), actions=len(actions),
            kpis=len(kpis))
    return actions, kpis, issues, source


def read_trackers(paths: list[Path], config: Config, today: date, as_of: date | None = None,
                  progress=None) -> IngestResult:
    """Read every tracker under ``paths`` and validate it.

    ``today`` is the real date (for 'update in the future'). ``as_of`` is accepted for
    existing callers and not used: staleness is judged by :mod:`reportgen.rate`. ``progress(done, total,
    name)`` is called after each file when given."""
    reads, missing = read_paths(paths, config, progress=progress)
    vocab = Vocab.from_config(config)
    actions: list[Action] = []
    kpis: list[Kpi] = []
    issues: list[Issue] = []
    sources: list[SourceFile] = []
    rejected: dict[str, str] = {}
    for read in reads:
        file_actions, file_kpis, file_issues, source = validate_file(read, config, today,
                                                                     vocab, rejected)
        actions += file_actions
        kpis += file_kpis
        issues += file_issues
        sources.append(source)
    actions, copy_issues = resolve_copies(actions, sources)
    actions, dup_issues, clashes = check_duplicate_ids(actions)
    kpis, kpi_issues = check_duplicate_kpis(kpis)
    rejected.update(clashes)
    read_ids = {word_key(a.action_id) or a.action_id for a in actions}
    rejected = {k: v for k, v in rejected.items() if (word_key(k) or k) not in read_ids}
    return IngestResult(actions=actions, kpis=kpis,
                        issues=sort_issues(issues + copy_issues + dup_issues + kpi_issues),
                        sources=sources, missing=missing, rejected=rejected)
