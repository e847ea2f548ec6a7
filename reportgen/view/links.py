"""The one builder of links to a tracker: every output that points an officer at a
tracker (the workbook's Issues sheet, the feedback workbooks and chase list, the emails)
asks :class:`Links`.

Two kinds, for two journeys:

- :meth:`Links.cell` with ``relative_to``: a link relative to the folder the output will
  live in (the consolidated workbook), so that moving the output and workbooks folders
  together keeps it working;
- :meth:`Links.cell` without it: an absolute link, the configured ``[links] base``
  address + the file name, else the tracker's full path, so that a file that is emailed
  still opens the tracker.

Links are XlsxWriter URLs (``external:`` for a path, the address as given for a base);
:meth:`Links.location` is the same place as a person reads it. None when Excel would
refuse the link (over 2,079 characters).
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

MAX_URL_CHARS = 2_079  # Excel ignores longer hyperlink targets
_A1 = re.compile(r"\$?[A-Z]{1,3}\$?[1-9]\d{0,6}(:\$?[A-Z]{1,3}\$?[1-9]\d{0,6})?")
# reportgen.outputs.Staging writes into output/<period>/.staging-<pid>/ and moves the
# files up one level when the run commits; tests/test_workbook.py checks the two agree.
_STAGING_PART = re.compile(r"\.staging-\d+")
_SAFE = "/:._-()'~!$&+,;=@"


def final_folder(folder: Path) -> Path:
    """The folder a file written in ``folder`` will live in once placed: the
    ``.staging-<pid>`` part of the path dropped (other paths come back unchanged)."""
    return Path(*[p for p in Path(folder).parts if not _STAGING_PART.fullmatch(p)])


def _escape(path: str) -> str:
    # Escaped here rather than by XlsxWriter: it splits the anchor at the first "#" (a
    # "#" in a file name would cut the path) and skips escaping when it sees any "%XX".
    return quote(path, safe=_SAFE)


@functools.lru_cache(maxsize=4096)
def _relative(file: str, workbooks: str, output_folder: str) -> str:
    # Cached: a workbook links thousands of cells to a few trackers, and the path
    # arithmetic costs more than writing the cell.
    target = Path(os.path.abspath(Path(workbooks) / file))
    base = Path(os.path.abspath(final_folder(Path(output_folder))))
    try:
        return "external:" + _escape(os.path.relpath(target, base).replace(os.sep, "/"))
    except ValueError:  # another drive (Windows): no relative path exists
        return "file:///" + _escape(target.as_posix().lstrip("/"))


@dataclass(frozen=True)
class Links:
    """Links to the trackers in ``workbooks``, through ``base`` (``[links] base``) when
    it is set."""

    workbooks: Path
    base: str = ""

    def location(self, file: str) -> str:
        """Where a tracker lives, as an officer opens it: the base address + the file
        name, else its full path."""
        base = self.base.strip()
        if base:
            return base.rstrip("/") + "/" + Path(file).as_posix()
        return os.path.abspath(Path(self.workbooks) / file)

    def cell(self, file: str, sheet: str | None = None, cell: str | None = None, *,
             relative_to: Path | None = None) -> str | None:
        """A link that opens ``file`` at ``sheet!cell`` (``A1`` when the cell is not a
        cell reference, the file alone without a sheet): relative to the folder
        ``relative_to`` will be placed in when given, else absolute (see the module's
        docstring). None when too long for Excel."""
        base = self.base.strip()
        if relative_to is not None:
            url = _relative(file, str(self.workbooks), str(relative_to))
        elif base:
            url = base.rstrip("/") + "/" + quote(Path(file).as_posix(),
                                                 safe=_SAFE.replace(":", ""))
        else:
            # XlsxWriter makes "C:/…" and "//server/…" file:/// links; "/home/…" stays rooted
            url = "external:" + _escape(Path(os.path.abspath(Path(self.workbooks) / file))
                                        .as_posix())
        if sheet:
            ref = cell if cell and _A1.fullmatch(cell) else "A1"
            url += "#'" + sheet.replace("'", "''") + "'!" + ref
        return url if len(url) <= MAX_URL_CHARS else None


__all__ = ["Links", "MAX_URL_CHARS", "final_folder"]
