"""Files → validated records: discovery, per-file reading, and the cross-file checks.

``read_trackers(paths, config, today, as_of)`` is the entry point. Each file is read by
:func:`read_file`, which never raises: whatever goes wrong becomes a file-level Issue
and the run goes on. :mod:`reportgen.ingest.pool` runs ``read_file`` in worker processes
so that a reader crash or memory blow-up costs one file, not the run.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from reportgen.config import Config
from reportgen.issues import Issue, make_issue
from reportgen.model import Action, Kpi, SourceFile

SKIP_PREFIXES = ("~$", ".~lock.", "._", ".")
READ_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".xltx", ".xltm", ".csv"}
_OFFLINE = 0x1000 | 0x40000 | 0x400000  # Windows OFFLINE, RECALL_ON_OPEN, RECALL_ON_DATA_ACCESS


@dataclass
class FileResult:
    source: SourceFile
    actions: list[Action] = field(default_factory=list)
    kpis: list[Kpi] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


@dataclass
class IngestResult:
    actions: list[Action]
    kpis: list[Kpi]
    issues: list[Issue]
    sources: list[SourceFile]
    missing: list[str] = field(default_factory=list)  # paths given that do not exist

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.is_error)


def is_skipped_name(name: str) -> bool:
    """Excel owner files (~$x.xlsx), LibreOffice locks (.~lock.x#), macOS resource forks
    (._x) and hidden files."""
    return name.startswith(SKIP_PREFIXES) or name.endswith("#")


def discover(paths: list[Path]) -> tuple[list[tuple[Path, str]], list[str]]:
    """(file path, display name) for every tracker under ``paths``, sorted; and the
    paths that do not exist. Folders are searched recursively, skipping hidden folders;
    a file named explicitly is always read, whatever its name."""
    found: list[tuple[Path, str]] = []
    missing: list[str] = []
    for given in paths:
        if given.is_dir():
            inside: list[tuple[Path, str]] = []
            for root, dirs, files in os.walk(given):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    p = Path(root) / name
                    if is_skipped_name(name) or p.suffix.lower() not in READ_SUFFIXES:
                        continue
                    inside.append((p, p.relative_to(given).as_posix()))
            found.extend(sorted(inside, key=lambda item: item[1].casefold()))
        elif given.is_file():
            found.append((given, given.name))
        else:
            missing.append(str(given))
    seen: set[Path] = set()
    unique = []
    for p, shown in found:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append((p, shown))
    return unique, missing


def _refused(display: str, size: int, modified, sha: str, kind: str, issue: Issue) -> FileResult:
    return FileResult(SourceFile(path=display, size=size, modified=modified, sha256=sha,
                                 kind=kind, refused=issue.code), issues=[issue])


def read_file(path: Path, display: str, config: Config, today: date,
              as_of: date | None = None) -> FileResult:
    """Read, parse and validate one file. Never raises (but for KeyboardInterrupt).

    ``today`` judges 'update in the future'; ``as_of``, when given, judges staleness."""
    from reportgen.ingest.reader import ReadFailure, load_bytes, read_workbook
    from reportgen.ingest.tables import extract_table
    from reportgen.validate import Vocab, check_stale, validate_actions, validate_kpis

    try:
        st = path.stat()
        if getattr(st, "st_file_attributes", 0) & _OFFLINE:
            issue = make_issue("file-unreadable", file=display,
                               detail="it is an online-only cloud file (OneDrive/SharePoint);"
                                      " make it 'Always keep on this device'")
            return _refused(display, st.st_size, None, "", "offline", issue)
        if not stat.S_ISREG(st.st_mode):
            issue = make_issue("file-unreadable", file=display, detail="not a regular file")
            return _refused(display, 0, None, "", "other", issue)
    except OSError as exc:
        return _refused(display, 0, None, "", "missing",
                        make_issue("file-unreadable", file=display,
                                   detail=exc.strerror or str(exc)))
    fb = None
    try:
        fb = load_bytes(path, config.limits)
        wb = read_workbook(fb.data, config.limits)
    except ReadFailure as failure:
        issue = make_issue(failure.code, file=display, detail=failure.detail,
                           kind=failure.kind, limit=failure.limit)
        size, mod, sha = (fb.size, fb.modified, fb.sha256) if fb else (st.st_size, None, "")
        kind = {"file-password-protected": "encrypted", "file-is-text": "text"}.get(
            failure.code, "refused")
        return _refused(display, size, mod, sha, kind, issue)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # python-calamine's PanicException is a BaseException
        size, mod, sha = (fb.size, fb.modified, fb.sha256) if fb else (st.st_size, None, "")
        issue = make_issue("file-reader-failed", file=display,
                           detail=f"{type(exc).__name__}: {str(exc)[:200]}")
        return _refused(display, size, mod, sha, "refused", issue)

    result = FileResult(SourceFile(path=display, size=fb.size, modified=fb.modified,
                                   sha256=fb.sha256, kind=wb.kind))
    for name, code, detail, limit in wb.skipped_sheets:
        result.issues.append(make_issue(code, file=display, sheet=name, detail=detail,
                                        limit=limit))
    vocab = Vocab.from_config(config)
    sheets_read: list[str] = []
    rows = 0
    for sheet in wb.sheets:
        try:
            table = extract_table(sheet)
            if table is None:
                continue
            if table.kind == "actions":
                actions, issues = validate_actions(table, display, config, today, vocab)
                result.actions.extend(actions)
            else:
                kpis, issues = validate_kpis(table, display)
                result.kpis.extend(kpis)
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # a bug should cost one sheet, not the run
            result.issues.append(make_issue("sheet-unreadable", file=display, sheet=sheet.name,
                                            detail=f"{type(exc).__name__}: {exc}"))
            continue
        result.issues.extend(issues)
        sheets_read.append(sheet.name)
        rows += len(table.rows)
    if not sheets_read and not any(i.sheet for i in result.issues):
        shown = ", ".join(f"'{n}'" for n in wb.sheet_names[:8]) or "none"
        issue = make_issue("file-no-tracker-sheet", file=display, detail=shown)
        result.issues.append(issue)
        result.source = SourceFile(path=display, size=fb.size, modified=fb.modified,
                                   sha256=fb.sha256, kind=wb.kind, refused=issue.code)
        return result
    if as_of is not None:
        result.issues.extend(check_stale(result.actions, as_of, config.thresholds.stale_days))
    result.source = SourceFile(path=display, size=fb.size, modified=fb.modified,
                               sha256=fb.sha256, kind=wb.kind, sheets=tuple(sheets_read),
                               rows_read=rows, actions=len(result.actions),
                               kpis=len(result.kpis))
    return result


def combine(results: list[FileResult], missing: list[str], config: Config) -> IngestResult:
    """Merge per-file results and apply the checks that need every file at once
    (staleness is judged per file, in read_file)."""
    from reportgen.validate import check_duplicate_ids, check_duplicate_kpis

    actions = [a for r in results for a in r.actions]
    kpis = [k for r in results for k in r.kpis]
    issues = [i for r in results for i in r.issues]
    actions, dup_issues = check_duplicate_ids(actions)
    kpis, kpi_issues = check_duplicate_kpis(kpis)
    issues += dup_issues + kpi_issues
    return IngestResult(actions=actions, kpis=kpis, issues=sort_issues(issues),
                        sources=[r.source for r in results], missing=missing)


_CELL = re.compile(r"([A-Za-z]*)(\d*)")


def _cell_key(cell: str | None) -> tuple[int, int, str]:
    if not cell:
        return (0, 0, "")
    m = _CELL.match(cell)
    return (int(m[2] or 0), len(m[1]), m[1])


def sort_issues(issues: list[Issue]) -> list[Issue]:
    """File, sheet, row, column, code: the order an officer fixes them in."""
    return sorted(issues, key=lambda i: (i.file, i.sheet or "", _cell_key(i.cell), i.code))


def read_trackers(paths: list[Path], config: Config, today: date, as_of: date,
                  workers: int | None = None, progress=None) -> IngestResult:
    """Discover, read and validate every tracker under ``paths``.

    ``today`` is the real date (for 'update in the future'); ``as_of`` the reporting date
    (for staleness). ``workers`` (default from config) > 0 reads in isolated worker
    processes. ``progress(done, total, name)`` is called after each file when given."""
    from reportgen.ingest.pool import read_many

    files, missing = discover(paths)
    n = config.limits.workers if workers is None else workers
    results = read_many(files, config, today, as_of, workers=n, progress=progress)
    return combine(results, missing, config)
