"""The validate stage: raw tables from :mod:`reportgen.ingest` → records and Issues.

:func:`read_trackers` reads every file (ingest) and validates each table
(:mod:`reportgen.validate.records`), then applies the checks that need every file at once
(duplicate action IDs and KPI IDs). Staleness is not judged here: it is a rating
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
from reportgen.ingest.values import word_key
from reportgen.issues import Issue, make_issue
from reportgen.model import Action, Kpi, SourceFile
from reportgen.validate.records import Vocab, validate_actions, validate_kpis

# --------------------------------------------------------------------------- across files


def check_duplicate_ids(actions: list[Action]) -> tuple[list[Action], list[Issue]]:
    """Actions whose ID appears more than once (across all trackers) are left out, and
    each occurrence is reported at its own cell naming the other(s)."""
    by_id: dict[str, list[Action]] = {}
    for a in actions:
        by_id.setdefault(word_key(a.action_id) or a.action_id, []).append(a)
    issues: list[Issue] = []
    kept: list[Action] = []
    for a in actions:
        group = by_id[word_key(a.action_id) or a.action_id]
        if len(group) == 1:
            kept.append(a)
            continue
        others = [f"{o.source.file} › {o.source.sheet}!{o.source.cell('action_id')}"
                  for o in group if o is not a]
        issues.append(make_issue("duplicate-action-id", file=a.source.file,
                                 sheet=a.source.sheet, cell=a.source.cell("action_id"),
                                 field="action_id", value=a.action_id,
                                 detail=" and ".join(others)))
    return kept, issues


def check_duplicate_kpis(kpis: list[Kpi]) -> tuple[list[Kpi], list[Issue]]:
    """The first definition of a KPI ID wins; later ones are reported and dropped."""
    seen: dict[str, Kpi] = {}
    issues: list[Issue] = []
    for k in kpis:
        key = word_key(k.kpi_id) or k.kpi_id
        if key in seen:
            first = seen[key]
            issues.append(make_issue("duplicate-kpi-id", file=k.source.file,
                                     sheet=k.source.sheet, cell=k.source.cell("kpi_id"),
                                     field="kpi_id", value=k.kpi_id,
                                     detail=f"{first.source.file} › {first.source.sheet}!"
                                            f"{first.source.cell('kpi_id')}"))
            continue
        seen[key] = k
    return list(seen.values()), issues


# --------------------------------------------------------------------------- the stage


@dataclass
class IngestResult:
    """Every tracker read and validated: the records, every Issue (sorted), a SourceFile
    per file looked at, and the paths given that do not exist."""

    actions: list[Action]
    kpis: list[Kpi]
    issues: list[Issue]
    sources: list[SourceFile]
    missing: list[str] = field(default_factory=list)

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
                  vocab: Vocab) -> tuple[list[Action], list[Kpi], list[Issue], SourceFile]:
    """One file's tables → (Actions, Kpis, Issues, its SourceFile with the counts).
    A table whose validation fails on a bug costs that sheet (``sheet-unreadable``)."""
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
                  workers: int | None = None, progress=None) -> IngestResult:
    """Read every tracker under ``paths`` and validate it.

    ``today`` is the real date (for 'update in the future'). ``as_of`` and ``workers``
    are accepted for existing callers and not used: staleness is judged by
    :mod:`reportgen.rate`, and files are read in this process. ``progress(done, total,
    name)`` is called after each file when given."""
    reads, missing = read_paths(paths, config, progress=progress)
    vocab = Vocab.from_config(config)
    actions: list[Action] = []
    kpis: list[Kpi] = []
    issues: list[Issue] = []
    sources: list[SourceFile] = []
    for read in reads:
        file_actions, file_kpis, file_issues, source = validate_file(read, config, today,
                                                                     vocab)
        actions += file_actions
        kpis += file_kpis
        issues += file_issues
        sources.append(source)
    actions, dup_issues = check_duplicate_ids(actions)
    kpis, kpi_issues = check_duplicate_kpis(kpis)
    return IngestResult(actions=actions, kpis=kpis,
                        issues=sort_issues(issues + dup_issues + kpi_issues),
                        sources=sources, missing=missing)
