"""What each officer is told to fix or update, decided once for the feedback workbooks,
the chase list and the officers' emails.

- :func:`collect`: tracker file → its Issues (errors first, then sheet, row, column) and
  its actions due an update; trackers with neither are left out, and so are Issues about
  the record of earlier periods (about no tracker) and about files that are not trackers
  (nobody keeps them as a tracker: the view's ``left_out.not_trackers`` lists them).
- :func:`chase_items`: everything to chase, by lead officer: the Issue's own lead officer
  when it names one (a row too broken to rate still names its officer), else the officer
  of the action the Issue is about (by action ID, else file and row); an Issue about a
  whole tracker or one of its sheets (an earlier copy of the table kept as a sheet, a
  copy of the tracker beside it), or about a row that names no officer, goes to each
  officer the tracker's rows name, or, when it could not be read, to the officers of its
  actions known from earlier months; an error or a
  warning tied to no officer at all (a tracker refused on a first run) is listed under
  :data:`UNKNOWN_OFFICER`, and a note tied to none (a KPI series read from two files)
  is chased from no one.
- :func:`feedback_names`: each tracker's feedback file name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from reportgen.issues import RECORD_CODES, Issue
from reportgen.model import Action, RatedRun
from reportgen.view.actions import Row
from reportgen.view.formats import cell_position
from reportgen.view.quality import NOT_READ
from reportgen.view.words import severity_name

CHASE_LIST = "chase-list.xlsx"
UNKNOWN_OFFICER = "Not known: the tracker's owner"
_UNSAFE = re.compile(r"[^\w .,&()+'-]+", re.UNICODE)
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}


def safe_file_stem(text: str, fallback: str = "file") -> str:
    """A file name (without extension) that cannot escape its folder on any system: no
    separators, no '..', no control or reserved characters, at most 100 characters, and
    not a name Windows reserves (``CON``, ``LPT1``…: prefixed with ``fallback``)."""
    name = _UNSAFE.sub("_", text.replace("/", "_").replace("\\", "_")).strip(" ._")
    name = (name or fallback)[:100]
    return f"{fallback} {name}" if name.upper() in _WINDOWS_RESERVED else name


@dataclass
class TrackerFeedback:
    file: str
    issues: list[Issue] = field(default_factory=list)
    stale: list[Row] = field(default_factory=list)  # tracker rows due an update

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.is_error)

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.issues if severity_name(i) == "warning")

    @property
    def notes(self) -> int:
        return len(self.issues) - self.errors - self.warnings


def _issue_order(issue: Issue) -> tuple:
    return (not issue.is_error, issue.sheet or "", cell_position(issue.cell), issue.code)


def collect(run: RatedRun) -> dict[str, TrackerFeedback]:
    """Tracker file → its Issues (sorted: errors first, then sheet, row, column) and its
    actions due an update. Trackers with neither are left out, and so are files that are
    not trackers."""
    out: dict[str, TrackerFeedback] = {}
    seen: set[tuple] = set()
    for issue in run.issues:
        if issue.code in RECORD_CODES or issue.code == NOT_READ:
            continue
        # The same problem at the same cell is listed once, however many stages saw it.
        key = (issue.file, issue.sheet, issue.cell, issue.code, issue.field)
        if key in seen:
            continue
        seen.add(key)
        out.setdefault(issue.file, TrackerFeedback(issue.file)).issues.append(issue)
    for a in run.actions:
        r = run.ratings.get(a.action_id)
        if r is not None and r.stale:
            out.setdefault(a.source.file, TrackerFeedback(a.source.file)).stale.append(
                Row(a, r))
    for fb in out.values():
        fb.issues.sort(key=_issue_order)
    return dict(sorted(out.items()))


def feedback_names(files: list[str]) -> dict[str, str]:
    """Tracker file → feedback file name: the tracker's path without its extension, made
    safe (:func:`safe_file_stem`), ``.xlsx``; names that would clash (ignoring case, as
    Windows does) or be the chase list get " (2)", " (3)"… in sorted order."""
    used = {CHASE_LIST.lower()}
    names: dict[str, str] = {}
    for file in sorted(files):
        stem = safe_file_stem(re.sub(r"\.[A-Za-z0-9]{1,5}$", "", file), fallback="tracker")
        name, n = f"{stem}.xlsx", 1
        while name.lower() in used:
            n += 1
            name = f"{stem} ({n}).xlsx"
        used.add(name.lower())
        names[file] = name
    return names


@dataclass(frozen=True)
class ChaseItem:
    officer: str
    file: str
    action_id: str
    action: str
    todo: str
    sheet: str | None
    cell: str | None
    kind: str  # "update due", "error", "warning"


def update_cell(a: Action) -> str:
    """The cell an officer changes to update ``a``: its Last Updated cell (else its ID's,
    else column A of its row)."""
    src = a.source
    return src.cell("last_updated") or src.cell("action_id") or f"A{src.row}"


def days_since(a: Action, as_of: date) -> int:
    return (as_of - a.last_updated).days


def chase_items(trackers: dict[str, TrackerFeedback], run: RatedRun) -> list[ChaseItem]:
    """Everything to chase, sorted by officer (the unknown owner last), tracker, action."""
    by_row = {(a.source.file, a.source.sheet, a.source.row): a for a in run.actions}
    by_id = {a.action_id: a for a in run.actions}
    keepers = tracker_officers(run)
    items = []
    for fb in trackers.values():
        for a in (row.action for row in fb.stale):
            items.append(ChaseItem(
                a.lead_officer, fb.file, a.action_id, a.action,
                f"Update the progress and the Last Updated date (last updated "
                f"{a.last_updated:%d/%m/%Y}, {days_since(a, run.as_of)} days "
                f"before {run.as_of:%d/%m/%Y}).", a.source.sheet, update_cell(a),
                "update due"))
        for issue in fb.issues:
            a = _issue_action(issue, by_id, by_row)
            action_id = issue.action_id or (a.action_id if a else "")
            officers = _issue_officers(issue, a, keepers)
            if officers == (UNKNOWN_OFFICER,) and severity_name(issue) not in (
                    "error", "warning"):
                continue  # a note tied to no officer: nothing to fix, no one to ask
            for officer in officers:
                items.append(ChaseItem(
                    officer, fb.file, action_id, a.action if a else "",
                    f"{issue.message} {issue.hint}", issue.sheet, issue.cell,
                    severity_name(issue)))
    # Each item once: two issues that say the same thing at the same cell are one chase.
    items = list(dict.fromkeys(items))
    kinds = {"error": 0, "update due": 1, "warning": 2}
    items.sort(key=lambda i: (i.officer == UNKNOWN_OFFICER, i.officer.casefold(), i.file,
                              i.action_id, kinds.get(i.kind, 3), cell_position(i.cell)))
    return items


def _issue_action(issue: Issue, by_id: dict[str, Action],
                  by_row: dict[tuple, Action]) -> Action | None:
    """The action an Issue is about: by the Issue's action ID when it has one, else by
    its file, sheet and row; None for a file- or sheet-level Issue."""
    action_id = issue.action_id
    if action_id and action_id in by_id:
        return by_id[action_id]
    row = cell_position(issue.cell)[0]
    return by_row.get((issue.file, issue.sheet, row)) if row else None


def tracker_officers(run: RatedRun) -> dict[str, tuple[str, ...]]:
    """Tracker file → the lead officers who keep it: those its rows name this month
    (every row read, used or not), else, for a tracker that could not be read, those of
    its actions known from earlier months (carried forward)."""
    known: dict[str, dict[str, str]] = {}
    for a in run.actions:
        name = " ".join(a.lead_officer.split())
        if name:
            known.setdefault(a.source.file, {}).setdefault(name.casefold(), name)
    out = {file: tuple(names.values()) for file, names in known.items()}
    out.update((s.path, s.officers) for s in run.sources if s.officers)
    return out


def _issue_officers(issue: Issue, action: Action | None,
                    keepers: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The officers to chase: the Issue's own lead officer (the row names one even when
    the row could not be rated), else the action's; for an Issue tied to no action (about
    a whole tracker, one of its sheets, or a row that names no officer), the officers who
    keep the tracker (:func:`tracker_officers`); else the tracker's owner, not known."""
    named = (issue.officer or "").strip()
    if named:
        return (named,)
    if action is not None and action.lead_officer.strip():
        return (action.lead_officer,)
    return keepers.get(issue.file) or (UNKNOWN_OFFICER,)


@dataclass(frozen=True)
class OfficerSummary:
    """One lead officer's line of the chase list: updates due, errors and warnings to
    fix, and the trackers, in the order first met (an officer may have only notes about
    their trackers: nothing to fix)."""

    officer: str
    updates: int
    errors: int
    warnings: int
    files: tuple[str, ...]

    @property
    def to_fix(self) -> bool:
        """Whether the officer has anything to update or fix (not only notes)."""
        return bool(self.updates or self.errors or self.warnings)


def by_officer(items: list[ChaseItem]) -> list[OfficerSummary]:
    """The chase items counted by officer, in the items' order."""
    found: dict[str, dict] = {}
    for item in items:
        o = found.setdefault(item.officer, {"update due": 0, "error": 0, "warning": 0,
                                            "files": []})
        o[item.kind] = o.get(item.kind, 0) + 1
        if item.file not in o["files"]:
            o["files"].append(item.file)
    return [OfficerSummary(name, o["update due"], o["error"], o["warning"],
                           tuple(o["files"])) for name, o in found.items()]


@dataclass(frozen=True)
class Feedback:
    """The feedback of a run: trackers with something to fix or update, their file
    names, and the chase list."""

    trackers: dict[str, TrackerFeedback]
    names: dict[str, str]
    items: tuple[ChaseItem, ...]
    officers: tuple[OfficerSummary, ...]

    @property
    def to_fix(self) -> int:
        """Officers with something to update or fix (not only notes)."""
        return sum(1 for o in self.officers if o.to_fix)

    def items_of(self, officer: str) -> tuple[ChaseItem, ...]:
        """The chase items of one lead officer, in the chase list's order."""
        return tuple(i for i in self.items if i.officer == officer)


def build_feedback(run: RatedRun) -> Feedback:
    trackers = collect(run)
    items = chase_items(trackers, run) if trackers else []
    return Feedback(trackers, feedback_names(list(trackers)), tuple(items),
                    tuple(by_officer(items)))


__all__ = ["CHASE_LIST", "ChaseItem", "Feedback", "OfficerSummary",
           "TrackerFeedback", "UNKNOWN_OFFICER", "build_feedback", "by_officer",
           "chase_items", "collect", "days_since", "feedback_names",
           "safe_file_stem", "tracker_officers", "update_cell"]
