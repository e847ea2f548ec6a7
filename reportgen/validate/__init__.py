"""The validate stage: raw tables from :mod:`reportgen.ingest` → records and Issues.

:func:`read_trackers` reads every file (ingest) and validates each table
(:mod:`reportgen.validate.records`), then applies the checks that need every file at once:
which row is this month's truth for each action (copies of a tracker, earlier copies of
its table, ID clashes: :mod:`reportgen.validate.copies`) and KPIs split over two files
(:mod:`reportgen.validate.across`). Staleness is not judged here: it is a rating
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
from reportgen.issues import Issue, make_issue
from reportgen.model import Action, Kpi, LeftOut, SourceFile
from reportgen.validate.across import check_duplicate_kpis
from reportgen.validate.copies import Earlier, resolve
from reportgen.validate.records import RejectedRow, Vocab, validate_actions, validate_kpis

__all__ = ["Earlier", "IngestResult", "check_duplicate_kpis", "read_trackers",
           "sort_issues", "validate_file"]

# --------------------------------------------------------------------------- the stage


@dataclass
class IngestResult:
    """Every tracker read and validated: the records, every Issue (sorted), a SourceFile
    per file looked at (its ``actions``: those used from it, so a copy set aside counts
    none), and the paths given that do not exist.

    ``rejected`` maps each action ID that was found this month but not made into an Action
    (its row had an error, its sheet's header could not be used, its copies disagree, or it
    names two different actions) to the reason in plain words, for the plan register to
    carry it forward. ``left_out`` is every row not made into an Action (one per action;
    rows without an ID too) and every file not read, with the money each carries where it
    can be read: what is in no count or total unless the register carries it forward.
    File-level refusals are in ``sources`` and ``issues``."""

    actions: list[Action]
    kpis: list[Kpi]
    issues: list[Issue]
    sources: list[SourceFile]
    missing: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)
    left_out: list[LeftOut] = field(default_factory=list)

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


def validate_file(read: FileRead, config: Config, today: date,
                  vocab: Vocab, rejected: list[RejectedRow] | None = None
                  ) -> tuple[list[Action], list[Kpi], list[Issue], SourceFile]:
    """One file's tables → (Actions, Kpis, Issues, its SourceFile with the counts).
    A table whose validation fails on a bug costs that sheet (``sheet-unreadable``).
    Rows not made into Actions are added to ``rejected`` when given."""
    actions: list[Action] = []
    kpis: list[Kpi] = []
    issues = list(read.issues)
    read_ok: list[RawTable] = []
    file = read.source.path
    for table in read.tables:
        try:
            if table.kind == "actions":
                found, table_issues, not_made = validate_actions(table, file, config, today,
                                                                 vocab)
                actions.extend(found)
                if rejected is not None:
                    rejected.extend(not_made)
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


def _without(source: SourceFile, sheets: set[tuple[str, str]], reads: list[FileRead]
             ) -> SourceFile:
    """``source`` without the sheets that are earlier copies of another (not read)."""
    gone = {sheet for file, sheet in sheets if file == source.path}
    if not gone:
        return source
    tables = [t for r in reads if r.source.path == source.path for t in r.tables
              if t.sheet in gone]
    return dataclasses.replace(
        source, sheets=tuple(s for s in source.sheets if s not in gone),
        rows_read=source.rows_read - sum(len(t.rows) for t in tables))


def _with_officers(sources: list[SourceFile], actions: list[Action],
                   rejected: list[RejectedRow]) -> list[SourceFile]:
    """``sources`` with the lead officers each file's rows name (every row read)."""
    named: dict[str, dict[str, str]] = {}
    for file, officer in [*((a.source.file, a.lead_officer) for a in actions),
                          *((r.file, r.lead_officer) for r in rejected)]:
        name = " ".join((officer or "").split())
        if name:
            named.setdefault(file, {}).setdefault(name.casefold(), name)
    return [dataclasses.replace(s, officers=tuple(named[s.path].values()))
            if s.path in named else s for s in sources]


def _file_left_out(source: SourceFile, issues: list[Issue]) -> LeftOut | None:
    """A file looked at but not read, as left out (its money cannot be known)."""
    if not source.refused:
        return None
    why = next((i for i in issues if i.file == source.path and i.code == source.refused),
               None)
    said = why.message.rstrip(".") if why else source.refused
    said = said[:1].lower() + said[1:]
    prefix = ("the file is not read" if source.refused == "file-not-read"
              else "the tracker could not be read")
    return LeftOut(file=source.path, reason=f"{prefix}: {said}", code=source.refused)


def read_trackers(paths: list[Path], config: Config, today: date, as_of: date | None = None,
                  progress=None, earlier: Earlier | None = None) -> IngestResult:
    """Read every tracker under ``paths`` and validate it.

    ``today`` is the real date (for 'update in the future'). ``as_of`` is accepted for
    existing callers and not used: staleness is judged by :mod:`reportgen.rate`.
    ``earlier`` is what the history read for the last stored period, when there is one:
    between copies of an action, a row that agrees with it is the later evidence, and a
    row older than it is never this month's update (:mod:`reportgen.validate.copies`).
    ``progress(done, total, name)`` is called after each file when given."""
    reads, missing = read_paths(paths, config, progress=progress)
    vocab = Vocab.from_config(config)
    actions: list[Action] = []
    kpis: list[Kpi] = []
    issues: list[Issue] = []
    sources: list[SourceFile] = []
    rejected: list[RejectedRow] = []
    for read in reads:
        file_actions, file_kpis, file_issues, source = validate_file(read, config, today,
                                                                     vocab, rejected)
        actions += file_actions
        kpis += file_kpis
        issues += file_issues
        sources.append(source)
    sources = _with_officers(sources, actions, rejected)
    truth = resolve(actions, rejected, sources, earlier)
    issues = [i for i in issues if truth.read(i)]
    if truth.earlier_sheets:
        sources = [_without(s, truth.earlier_sheets, reads) for s in sources]
    used: dict[str, int] = {}
    for a in truth.actions:
        used[a.source.file] = used.get(a.source.file, 0) + 1
    sources = [s if s.refused else dataclasses.replace(s, actions=used.get(s.path, 0))
               for s in sources]  # a copy set aside counts none
    kpis, kpi_issues = check_duplicate_kpis(kpis)
    left_out = [LeftOut(file=r.file, reason=r.reason, sheet=r.sheet, row=r.row,
                        action_id=r.action_id or None, budget=r.budget, code=r.code)
                for r in truth.rejected]
    left_out += [f for f in (_file_left_out(s, issues) for s in sources) if f is not None]
    return IngestResult(actions=truth.actions, kpis=kpis,
                        issues=sort_issues(issues + truth.issues + kpi_issues),
                        sources=sources, missing=missing, rejected=truth.reasons,
                        left_out=left_out)
