"""Files → raw tracker tables: discovery, per-file reading, and file-level refusals.

:func:`read_paths` is the entry point. Each file is read by :func:`read_file`, which never
raises: a file that cannot be read becomes a file-level Issue (password-protected, not a
workbook, too big…) and the run goes on. What comes back is plain data, the tables as found
(:class:`~reportgen.ingest.tables.RawTable`); judging the values is
:mod:`reportgen.validate`'s job. Everything is read in this process, except the values of
workbooks that calamine reads without our pre-scan (.xls, .xlsb, .ods), read in a child
process (:mod:`reportgen.ingest.isolate`).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from reportgen.config import Config
from reportgen.ingest.isolate import ISOLATED_KINDS, call_isolated
from reportgen.ingest.reader import ReadFailure, identify, load_bytes, read_values
from reportgen.ingest.tables import RawTable, extract_table
from reportgen.issues import Issue, make_issue
from reportgen.model import SourceFile
from reportgen.text import has_hidden, visible

SKIP_PREFIXES = ("~$", ".~lock.", "._", ".")
READ_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".xltx", ".xltm"}
# Files in a trackers folder that reportgen does not read, said in words; any other
# suffix is named as it is. README files (notes about the folder) are not listed.
NOT_READ_KINDS = {
    ".csv": "a CSV file", ".tsv": "a tab-separated text file", ".txt": "a text file",
    ".docx": "a Word document", ".doc": "a Word document", ".pdf": "a PDF",
    ".numbers": "an Apple Numbers spreadsheet", ".fods": "a flat OpenDocument spreadsheet",
    ".xml": "an XML file (such as an Excel 2003 XML spreadsheet)",
    ".odt": "an OpenDocument text document", ".pptx": "a PowerPoint presentation",
    ".zip": "a zip archive", ".msg": "an Outlook message",
    # reportgen does not follow shortcuts: the tracker itself belongs in the folder
    ".lnk": "a Windows shortcut", ".url": "an internet shortcut",
}
_OFFLINE = 0x1000 | 0x40000 | 0x400000  # Windows OFFLINE, RECALL_ON_OPEN, RECALL_ON_DATA_ACCESS


@dataclass
class FileRead:
    """One file as read: where it came from, the tracker tables found in it, and the
    Issues that refused the file or some of its sheets. ``source.actions`` and
    ``source.kpis`` are left at 0: counting records is validate's job."""

    source: SourceFile
    tables: list[RawTable] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def is_skipped_name(name: str) -> bool:
    """Excel owner files (~$x.xlsx), LibreOffice locks (.~lock.x#), macOS resource forks
    (._x) and hidden files."""
    return name.startswith(SKIP_PREFIXES) or name.endswith("#")


def is_not_read(name: str) -> bool:
    """A file in a trackers folder that reportgen does not read but lists (not a lock,
    owner, hidden or README file)."""
    return (not is_skipped_name(name) and Path(name).suffix.lower() not in READ_SUFFIXES
            and not name.casefold().startswith("readme"))


def not_read(path: Path, display: str) -> FileRead:
    """A file reportgen does not read, accounted for with an info Issue."""
    suffix = path.suffix.lower()
    kind = NOT_READ_KINDS.get(suffix, f"a '{suffix}' file" if suffix else
                              "a file without an extension")
    try:
        st = path.stat()
        size, modified = st.st_size, datetime.fromtimestamp(st.st_mtime).replace(microsecond=0)
    except OSError:
        size, modified = 0, None
    issue = make_issue("file-not-read", file=display, kind=kind)
    return FileRead(SourceFile(path=display, size=size, modified=modified, sha256="",
                               kind=suffix.lstrip(".") or "other", refused=issue.code),
                    issues=[issue])


class Found(NamedTuple):
    """A file :func:`discover` found: where it is, the name Issues give it, and the
    Issue that refuses it unread (a link that leads outside the folder, a file name
    with hidden characters), if any."""

    path: Path
    display: str
    refusal: Issue | None = None


def _is_link(path: Path) -> bool:
    """A symbolic link, or (Windows) a junction."""
    if path.is_symlink():
        return True
    is_junction = getattr(os.path, "isjunction", None)  # Python 3.12+
    return bool(is_junction and is_junction(path))


def _real(path: Path) -> Path:
    """Where ``path`` leads, every link and junction on the way followed (a broken link
    or a loop: as far as it goes)."""
    return Path(os.path.realpath(path))


def _within(real: Path, folders: tuple[Path, ...]) -> bool:
    return any(real == f or f in real.parents for f in folders)


def discover(paths: list[Path], link_targets: tuple[Path, ...] = ()
             ) -> tuple[list[Found], list[str]]:
    """Every file under ``paths`` to account for, sorted by name within each path; and
    the paths that do not exist. Folders are searched recursively, skipping hidden
    folders, lock, owner and hidden files; files reportgen does not read are included
    (:func:`is_not_read`; :func:`read_paths` lists them). A file named explicitly is
    always read, whatever its name.

    Paths stay inside: a file whose real place (every link and junction followed) is
    outside the folder searched, and outside every folder of ``link_targets``
    (``[paths] link_targets``), is refused unread and named, as is a link to such a
    folder (``file-link-outside``); a link inside to a file inside is read once, under
    the file's own name; a link to a folder of ``link_targets`` is searched (each
    folder once, so a loop ends). A file name with hidden characters (controls,
    bidirectional overrides) is refused unread, shown with them made visible
    (``file-name-hidden-characters``). Nothing here opens a file."""
    found: list[Found] = []
    missing: list[str] = []
    allowed = tuple(_real(t) for t in link_targets)
    for given in paths:
        if given.is_dir():
            found.extend(_search(given, allowed))
        elif given.is_file():
            found.append(Found(given, given.name))
        else:
            missing.append(str(given))
    # one file reached under two names (a link to a tracker beside it) is read once,
    # under its own name rather than the link's
    keys = [None if item.refusal else _real(item.path) for item in found]
    own = {key for key, item in zip(keys, found) if key and not _is_link(item.path)}
    seen: set[Path] = set()
    unique: list[Found] = []
    for key, item in zip(keys, found):
        if key is None:
            unique.append(item)
        elif key not in seen and (key not in own or not _is_link(item.path)):
            seen.add(key)
            unique.append(item)
    return unique, missing


def _search(given: Path, allowed: tuple[Path, ...]) -> list[Found]:
    """The files under the folder ``given`` (see :func:`discover`), sorted by name."""
    root = _real(given)
    inside = (root, *allowed)
    found: list[Found] = []
    walked: set[Path] = set()
    todo = [(given, "")]
    while todo:
        top, prefix = todo.pop()
        for folder, dirs, files in os.walk(top):
            here = Path(folder)
            real_here = _real(here)
            if real_here in walked:  # reached twice (a loop, or two links to one folder)
                dirs[:] = []
                continue
            walked.add(real_here)
            below = here.relative_to(top).as_posix()
            rel = prefix + ("" if below == "." else below + "/")
            keep = []
            for d in sorted(dirs):
                if d.startswith("."):
                    continue
                p = here / d
                real = _real(p)
                if not _within(real, inside):
                    found.append(_outside(p, rel + d, real, folder=True))
                elif not _is_link(p):
                    keep.append(d)
                elif not _within(real, (root,)):  # a link to a folder of link_targets
                    todo.append((p, rel + d + "/"))
                # a link to a folder inside: its files are found at their own place
            dirs[:] = keep
            for name in sorted(files):
                p = here / name
                if is_skipped_name(name) or (p.suffix.lower() not in READ_SUFFIXES
                                             and not is_not_read(name)):
                    continue
                shown = rel + name
                real = _real(p)
                if has_hidden(shown):
                    issue = make_issue("file-name-hidden-characters", file=visible(shown),
                                       detail=", ".join(sorted(
                                           {f"U+{ord(ch):04X}" for ch in shown
                                            if has_hidden(ch)})))
                    found.append(Found(p, visible(shown), issue))
                elif not _within(real, inside):
                    found.append(_outside(p, shown, real))
                else:
                    found.append(Found(p, shown))
    return sorted(found, key=lambda item: item.display.casefold())


def _outside(path: Path, shown: str, real: Path, folder: bool = False) -> Found:
    """A link (or a file reached through one) whose real place is outside: refused."""
    what = f"the folder {real}" if folder else str(real)
    issue = make_issue("file-link-outside", file=visible(shown), detail=visible(what))
    return Found(path, visible(shown), issue)


def _refused(display: str, size: int, modified, sha: str, kind: str, issue: Issue) -> FileRead:
    return FileRead(SourceFile(path=display, size=size, modified=modified, sha256=sha,
                               kind=kind, refused=issue.code), issues=[issue])


def read_file(path: Path, display: str, config: Config) -> FileRead:
    """Read one file and find its tracker tables. Never raises (but for
    KeyboardInterrupt); ``display`` is the name Issues give the file."""
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
        kind, meta = identify(fb.data, config.limits)
        if kind in ISOLATED_KINDS:
            wb = call_isolated(read_values, fb.data, kind, meta, config.limits,
                               timeout=config.limits.reader_timeout_s,
                               memory_mb=config.limits.reader_memory_mb)
        else:
            wb = read_values(fb.data, kind, meta, config.limits)
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

    result = FileRead(SourceFile(path=display, size=fb.size, modified=fb.modified,
                                 sha256=fb.sha256, kind=wb.kind))
    for name, code, detail, limit in wb.skipped_sheets:
        result.issues.append(make_issue(code, file=display, sheet=visible(name),
                                        detail=detail, limit=limit))
    for sheet in wb.sheets:
        try:
            table = extract_table(sheet)
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # a bug should cost one sheet, not the run
            result.issues.append(make_issue("sheet-unreadable", file=display,
                                            sheet=visible(sheet.name),
                                            detail=f"{type(exc).__name__}: {exc}"))
            continue
        if table is not None:
            table.sheet = visible(table.sheet)  # a sheet name is shown, never acted on
            result.tables.append(table)
    refused = None
    if not result.tables and not any(i.sheet for i in result.issues):
        shown = ", ".join(f"'{n}'" for n in wb.sheet_names[:8]) or "none"
        issue = make_issue("file-no-tracker-sheet", file=display, detail=shown)
        result.issues.append(issue)
        refused = issue.code
    result.source = SourceFile(path=display, size=fb.size, modified=fb.modified,
                               sha256=fb.sha256, kind=wb.kind, refused=refused,
                               sheets=tuple(t.sheet for t in result.tables),
                               rows_read=sum(len(t.rows) for t in result.tables))
    return result


def read_paths(paths: list[Path], config: Config,
               progress=None) -> tuple[list[FileRead], list[str]]:
    """Every tracker under ``paths``, read in :func:`discover`'s order; and the paths that
    do not exist. ``progress(done, total, name)`` is called after each file when given."""
    files, missing = discover(paths, config.paths.link_targets)
    named = {p.resolve() for p in paths if p.is_file()}
    reads = []
    for done, (path, display, refusal) in enumerate(files, 1):
        if refusal is not None:  # never opened: not even its size is read
            reads.append(_refused(display, 0, None, "", "refused", refusal))
        elif path.suffix.lower() not in READ_SUFFIXES and path.resolve() not in named:
            reads.append(not_read(path, display))
        else:
            reads.append(read_file(path, display, config))
        if progress is not None:
            progress(done, len(files), display)
    return reads, missing
