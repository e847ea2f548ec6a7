"""The quality of the period's information, counted one way for every output: problems
by severity (errors, warnings, and notes such as a file that is not a tracker), the notes
on the record of earlier periods apart, files read, refused and not read, updates overdue
and RAG challenges (distinct actions), what was left out of every count and total (rows
that could not be rated, trackers that could not be read, with the money they carry),
and the text an Excel cell cannot hold.

Excel holds 32,767 UTF-16 units in a cell; a longer tracker text is cut, with
:data:`TRUNCATED` at the end, wherever it is written, and :func:`text_cuts` turns each cut
into one ``text-truncated`` Issue here, before any output is written, so that every
output counts and lists it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from reportgen.issues import CATALOGUE, RECORD_CODES, Issue, make_issue
from reportgen.model import LeftOut, RatedRun, SourceFile
from reportgen.text import clean_text
from reportgen.view.actions import PlanAction, Row
from reportgen.view.formats import cell_position, largest_remainder, natural_key
from reportgen.view.words import severity_name

EXCEL_MAX_CHARS = 32_767  # UTF-16 code units, Excel's limit for one cell
TRUNCATED = "… [truncated]"
# A commentary is also written on the Finance sheet after "Commentary: " and before a
# note such as "(not updated: the rating carried from August 2018.)": it is cut to leave
# room for them, the same everywhere it is written.
COMMENTARY_LIMIT = EXCEL_MAX_CHARS - 120
FIELD_LIMITS = {"commentary": COMMENTARY_LIMIT}
NOT_READ = "file-not-read"


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def fit_text(text: object, limit: int = EXCEL_MAX_CHARS) -> tuple[str, int | None]:
    """``(cell text, original length or None)``: the text cleaned by
    :func:`reportgen.text.clean_text`, and cut to ``limit`` (Excel's, or a field's
    :data:`FIELD_LIMITS`) with :data:`TRUNCATED` at the end when it is longer. The second
    item is the original length in UTF-16 units when the text was cut, else None."""
    s = clean_text(text)[0]
    if len(s) <= limit // 2:  # cannot exceed the limit even if all astral
        return s, None
    units = _utf16_len(s)
    if units <= limit:
        return s, None
    keep = (limit - _utf16_len(TRUNCATED)) * 2
    # errors="ignore" drops half a surrogate pair left at the cut
    head = s.encode("utf-16-le")[:keep].decode("utf-16-le", errors="ignore")
    return head + TRUNCATED, units


# The tracker texts the workbooks write, by record: (field, what the cell holds)
ACTION_TEXTS = ("action_id", "action", "lead_officer", "funding", "locality", "commentary")
KPI_TEXTS = ("kpi_id", "indicator", "unit")


def text_cuts(run: RatedRun) -> list[Issue]:
    """One ``text-truncated`` Issue for each tracker cell whose text is too long for an
    Excel cell (the place it came from, once however often it is written)."""
    out: list[Issue] = []
    seen: set[tuple] = set()

    def check(value: object, *, file: str, sheet: str | None = None,
              cell: str | None = None, field: str | None = None,
              label: str | None = None) -> None:
        limit = FIELD_LIMITS.get(field or "", EXCEL_MAX_CHARS)
        original = fit_text(value, limit)[1]
        key = (file, sheet, cell, field)
        if original is None or key in seen:
            return
        seen.add(key)
        params = {"label": label} if label else {}
        out.append(make_issue("text-truncated", file=file, sheet=sheet, cell=cell,
                              field=field, value=original, limit=limit, **params))

    for a in run.actions:
        src = a.source
        for name in ACTION_TEXTS:
            value = "; ".join(a.funding) if name == "funding" else getattr(a, name)
            check(value, file=src.file, sheet=src.sheet, cell=src.cell(name), field=name)
    for k in run.kpis:
        src = k.source
        for name in KPI_TEXTS:
            check(getattr(k, name), file=src.file, sheet=src.sheet, cell=src.cell(name),
                  field=name)
    for issue in run.issues:
        where = dict(file=issue.file, sheet=issue.sheet, cell=issue.cell, field=issue.field)
        check(issue.location(), **where, label="Issue location")
        check(issue.message, **where, label="The issue message")
        check(issue.hint, **where, label="The issue message")
    for s in run.sources:
        check(s.path, file=s.path, label="The file name")
    return out


@dataclass(frozen=True)
class LeftOutSummary:
    """What this month's reading left out of every count and total (``RatedRun.left_out``,
    which the plan register has already trimmed of what it carries forward), counted and
    rounded once for every output:

    - ``rows``: tracker rows that could not be rated, in the trackers' order, each with
      its budget in whole pounds in ``pounds`` (None: none given), rounded so that the
      printed parts add to ``budget``; ``unknown_objective`` of them name an objective that
      is not in the configuration, carrying ``unknown_budget``;
    - ``trackers``: tracker files that could not be read, whose actions and money are
      not known;
    - ``not_trackers``: other files in the trackers folder, in a format reportgen does
      not read (notes, minutes, a tracker saved as CSV): counted apart, never among the
      trackers that could not be read, but named, since reportgen cannot tell that they
      hold no part of the plan."""

    rows: tuple[LeftOut, ...] = ()
    pounds: tuple[int | None, ...] = ()
    budget: int = 0
    unknown_objective: int = 0
    unknown_budget: int = 0
    trackers: tuple[LeftOut, ...] = ()
    not_trackers: tuple[LeftOut, ...] = ()

    @property
    def any(self) -> bool:
        """Whether anything was left out: rows, trackers or other files."""
        return bool(self.rows or self.trackers or self.not_trackers)


UNKNOWN_OBJECTIVE = "unknown-objective"


def left_out_of(run: RatedRun) -> LeftOutSummary:
    """What ``run`` left out of every count and total (see :class:`LeftOutSummary`)."""
    rows = tuple(x for x in run.left_out if not x.is_file)
    pounds, budget = largest_remainder([x.budget for x in rows])
    unknown = [i for i, x in enumerate(rows) if x.code == UNKNOWN_OBJECTIVE]
    return LeftOutSummary(
        rows=rows, pounds=tuple(pounds), budget=budget,
        unknown_objective=len(unknown),
        unknown_budget=sum(pounds[i] or 0 for i in unknown),
        trackers=tuple(x for x in run.left_out if x.is_file and x.code != NOT_READ),
        not_trackers=tuple(x for x in run.left_out if x.is_file and x.code == NOT_READ))


@dataclass(frozen=True)
class CodeCount:
    """One problem of the validation table: its title, errors, warnings, and the files
    it is found in."""

    code: str
    title: str
    errors: int
    warnings: int
    files: int


@dataclass(frozen=True)
class Refusal:
    """A tracker file that could not be read: the problem and what to do."""

    source: SourceFile
    problem: str
    fix: str


@dataclass(frozen=True)
class Quality:
    """The period's information quality (see the module's docstring). Counts are of the
    problems in the trackers; the notes on the record of earlier periods (a missed month,
    a recovered history) are counted and listed apart."""

    files: int  # every file looked at
    read: int
    refused: tuple[Refusal, ...]  # trackers that could not be read
    not_read: tuple[Issue, ...]  # files that are not trackers (notes)
    errors: int
    warnings: int
    notes: int  # issues of other severities (info): files not read, merged series …
    records: tuple[Issue, ...]
    by_code: tuple[CodeCount, ...]  # errors and warnings by problem, most errors first
    not_rated: tuple[Issue, ...]  # errors in trackers that were read, but for those on
    # the rows left out of every count and total (LeftOutSummary lists them)
    stale: tuple[Row, ...]  # per action with an update overdue, its oldest such row,
    # oldest first
    challenges: tuple[PlanAction, ...]  # actions with a RAG challenge, by ID
    tracker_files: int  # tracker files with an error or a warning
    others: tuple[Issue, ...] = ()  # notes that are not about a file not read

    @property
    def counts(self) -> dict[str, int]:
        """{"error": n, "warning": n, "info": n}: the one way every output counts."""
        return {"error": self.errors, "warning": self.warnings, "info": self.notes}


def build_quality(run: RatedRun, issues: tuple[Issue, ...],
                  actions: tuple[PlanAction, ...]) -> Quality:
    checked = [i for i in issues if i.code not in RECORD_CODES]
    by_severity = Counter(severity_name(i) for i in checked)
    refused_sources = [s for s in run.sources if s.refused and s.refused != NOT_READ]
    by_file = {(i.file, i.code): i for i in issues}
    refusals = []
    for s in sorted(refused_sources, key=lambda s: s.path.lower()):
        issue = by_file.get((s.path, s.refused or ""))
        entry = CATALOGUE.get(s.refused or "")
        refusals.append(Refusal(
            s, issue.message if issue else (entry.title if entry else s.refused or ""),
            issue.hint if issue else (entry.hint if entry else "")))
    errors_warnings = [i for i in checked if severity_name(i) in ("error", "warning")]
    codes: dict[str, list[Issue]] = {}
    for i in errors_warnings:
        codes.setdefault(i.code, []).append(i)
    by_code = [CodeCount(code, CATALOGUE[code].title if code in CATALOGUE else code,
                         sum(1 for i in found if i.is_error),
                         sum(1 for i in found if not i.is_error),
                         len({i.file for i in found})) for code, found in codes.items()]
    by_code.sort(key=lambda c: (-c.errors, -(c.errors + c.warnings), c.code))
    refused_files = {s.path for s in refused_sources}
    left_rows = {(x.file, x.sheet, x.row) for x in run.left_out if not x.is_file}
    stale = [min((r for r in a.rows if r.rating is not None and r.rating.stale),
                 key=lambda r: (r.action.last_updated, natural_key(r.id)))
             for a in actions if a.stale]
    stale.sort(key=lambda r: (r.action.last_updated, natural_key(r.id)))
    notes = [i for i in checked if severity_name(i) not in ("error", "warning")]
    return Quality(
        files=len(run.sources), read=sum(1 for s in run.sources if not s.refused),
        refused=tuple(refusals),
        not_read=tuple(i for i in notes if i.code == NOT_READ),
        errors=by_severity.get("error", 0), warnings=by_severity.get("warning", 0),
        notes=len(notes),
        records=tuple(i for i in issues if i.code in RECORD_CODES),
        by_code=tuple(by_code),
        not_rated=tuple(i for i in checked if i.is_error and i.file not in refused_files
                        and (i.file, i.sheet, cell_position(i.cell)[0]) not in left_rows),
        stale=tuple(stale),
        challenges=tuple(sorted((a for a in actions if a.challenge),
                                key=lambda a: natural_key(a.id))),
        tracker_files=len({i.file for i in errors_warnings}),
        others=tuple(i for i in notes if i.code != NOT_READ))


__all__ = ["COMMENTARY_LIMIT", "CodeCount", "EXCEL_MAX_CHARS", "FIELD_LIMITS", "LeftOutSummary",
           "NOT_READ", "Quality", "Refusal", "TRUNCATED", "UNKNOWN_OBJECTIVE",
           "build_quality", "fit_text", "left_out_of", "text_cuts"]
