"""Which row is this month's truth (DESIGN 4b, "Identity"): copies of a tracker, earlier
copies of its table kept as other sheets, and IDs that name two different actions.

Action IDs are compared by :func:`reportgen.model.action_key` (case, spaces, dashes and
leading zeros do not matter); the tracker's own spelling is kept for display.

**Earlier copies of the action table.** When one workbook holds the action table on two
sheets that share most of their IDs (last month's table kept as a second sheet, a copied
sheet), the current sheet is decided by content: the sheet none of whose shared rows is
older than the other's, and at least one newer; when their dates agree, by name (a sheet
called "current" or "latest", then a plain name, then one naming a month, the later month
first, then one marked old, previous or a copy). The other sheet is an earlier copy: it
is not read, with an info note (``sheet-earlier-copy``), and its IDs are not clashes.
When each sheet holds some newer rows, they are decided action by action, as copies.

**Copies of an action.** Rows with one ID are the same action when they sit in tables
that are copies of each other (:func:`are_copies`: a Save As, a OneDrive conflict copy,
a copy in a sub-folder) or hold the same action text. Between them the row with the later
evidence wins, action by action:

1. a row older than what the history read last month (:class:`Earlier`) is never this
   month's update;
2. the latest Last updated date;
3. with the same date, the row that agrees with last month's reading;
4. only then the file's modification time, which sync tools rewrite.

A row that could not be rated takes part too (its date as far as it can be read, else its
table's latest date): when it wins, the action is not rated this month and is never filled
from the other copy's older row. Identical rows are read once, from the copy that won the
other actions (else the one not named as a copy). Rows nothing tells apart are an error
(``copy-undecided``) and neither is rated. Each pair of copies gets one warning that says
which rule decided which actions, with the dates (``file-copy-newer-wins``), or
``file-copy-identical`` when the two hold the same actions, identically.

**Clashes.** One ID used for two different actions (rows that are not copies and whose
action texts differ) is an error at each row (``duplicate-action-id``); neither is rated.

Nothing here reads a file, the clock or the history: the history's last reading is handed
in as plain data.
"""

from __future__ import annotations

import calendar
import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath
from typing import Callable, Iterable, Mapping

from reportgen.ingest.values import word_key
from reportgen.issues import Issue, make_issue
from reportgen.model import Action, Period, SourceFile, action_key
from reportgen.validate.records import RejectedRow

Table = tuple[str, str]  # (file, sheet)

_CONTENT_FIELDS = tuple(f.name for f in dataclasses.fields(Action)
                        if f.name not in ("source", "former_ids"))


def content(a: Action) -> tuple:
    """What a row says, wherever it sits: every field but its source, the action ID by
    its :func:`~reportgen.model.action_key` (a retyped ID says the same)."""
    return tuple(action_key(a.action_id) if name == "action_id" else getattr(a, name)
                 for name in _CONTENT_FIELDS)


def are_copies(ids_a: set[str], ids_b: set[str]) -> bool:
    """The copy rule: at least two shared IDs, and at least half of the smaller table's."""
    shared = len(ids_a & ids_b)
    return shared >= 2 and 2 * shared >= min(len(ids_a), len(ids_b))


_COPY_NAME = re.compile(r"(^|[\s_-])copy( of|\b)|\(\d+\)$|conflict", re.I)


def looks_like_copy(path: str) -> bool:
    """Whether a file's name reads as a copy of another ("Copy of …", "… - Copy",
    "… (1)", "… conflicted copy")."""
    return bool(_COPY_NAME.search(PurePath(path).stem))


@dataclass(frozen=True)
class Earlier:
    """What the history read for the last stored period: each action's record (as
    stored, carried or not), by :func:`~reportgen.model.action_key`."""

    period: str  # 'YYYY-MM'
    actions: Mapping[str, Action] = field(default_factory=dict)

    @classmethod
    def of(cls, period: str, actions: Iterable[Action]) -> "Earlier":
        return cls(period, {action_key(a.action_id): a for a in actions})

    @property
    def name(self) -> str:
        try:
            return Period.parse(self.period).name
        except ValueError:
            return self.period


# --------------------------------------------------------------------------- sheet names

_MONTH_WORDS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTH_WORDS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTH_WORDS["sept"] = 9
_SHEET_MONTH = re.compile(
    r"\b(" + "|".join(sorted(_MONTH_WORDS, key=len, reverse=True)) + r")\.?[\s\-/'_]*"
    r"(\d{4}|\d{2})?(?!\d)|\b(\d{4})[-/_.](\d{1,2})\b", re.I)
_CURRENT = re.compile(r"\b(?:current|latest|live|this\s+month|master|working)\b", re.I)
_OLD = re.compile(r"\b(?:old|older|previous|prev|archived?|last\s+month|backup|copy|"
                  r"superseded|do\s+not\s+use)\b|\(\d+\)\s*$", re.I)


def sheet_rank(name: str) -> tuple[int, int, int]:
    """How current a sheet's name says it is, highest first: "Current", "Latest" (3); a
    plain name such as "Actions" (2); a name with a month, "Sep 2018" above "Aug 2018"
    (1, year, month); a name marked old, previous or a copy, "Actions (2)" (0)."""
    if _CURRENT.search(name):
        return (3, 0, 0)
    if _OLD.search(name):
        return (0, 0, 0)
    m = _SHEET_MONTH.search(name)
    if m:
        if m[3]:
            year, month = int(m[3]), int(m[4])
        else:
            year = int(m[2]) if m[2] else 0
            year += 2000 if 0 < year < 100 else 0
            month = _MONTH_WORDS[m[1].lower()]
        return (1, year, month)
    return (2, 0, 0)


# --------------------------------------------------------------------------- candidates


@dataclass
class _Row:
    """One row with an action ID: an Action, or a row that could not be rated."""

    key: str
    table: Table
    order: int
    action: Action | None = None
    rejected: RejectedRow | None = None

    @property
    def typed(self) -> str:
        return self.action.action_id if self.action else self.rejected.action_id

    @property
    def date(self) -> date | None:
        return self.action.last_updated if self.action else self.rejected.last_updated

    @property
    def text(self) -> str:
        return word_key(self.action.action if self.action else self.rejected.action)

    @property
    def cell(self) -> str | None:
        return self.action.source.cell("action_id") if self.action else self.rejected.cell

    @property
    def where(self) -> str:
        return f"{self.table[0]} › {self.table[1]}!{self.cell}"

    @property
    def officer(self) -> str:
        return self.action.lead_officer if self.action else self.rejected.lead_officer


def _d(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else "not known"


def _stamp(when: datetime | None) -> str:
    return f"{when:%d/%m/%Y %H:%M}" if when else "not known"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


@dataclass
class _Beaten:
    """One row that lost to another (``by``), and the rule that decided."""

    row: _Row
    by: _Row | None
    rule: str  # older, too-old, history, file-time, identical, undecided, unreadable
    stale: bool = False  # older even than what the history read last month


@dataclass
class _Decision:
    key: str
    rows: list[_Row]
    winner: _Row | None
    rule: str  # single, date, history, file-time, identical, undecided, too-old, unreadable
    beaten: list[_Beaten] = field(default_factory=list)
    tied: list[_Row] = field(default_factory=list)  # identical rows, winner chosen later


class _Copies:
    """The state of one resolution: the rows, each table's IDs and latest date, and the
    files' modification times."""

    def __init__(self, rows: list[_Row], sources: Iterable[SourceFile],
                 earlier: Earlier | None):
        self.rows = rows
        self.earlier = earlier
        self.modified = {s.path: s.modified for s in sources}
        self.keys: dict[Table, set[str]] = {}
        self.latest: dict[Table, date] = {}
        for r in rows:
            self.keys.setdefault(r.table, set()).add(r.key)
            if r.date and (r.table not in self.latest or r.date > self.latest[r.table]):
                self.latest[r.table] = r.date
        self._copies: dict[tuple[Table, Table], bool] = {}

    def copies(self, a: Table, b: Table) -> bool:
        if a == b:
            return False
        pair = (a, b) if a < b else (b, a)
        if pair not in self._copies:
            self._copies[pair] = are_copies(self.keys.get(a, set()), self.keys.get(b, set()))
        return self._copies[pair]

    def when(self, r: _Row) -> date:
        """The row's date for comparing copies: its Last updated, else (a row that could
        not be rated) its table's latest date, else the latest date there is."""
        return r.date or self.latest.get(r.table) or date.max

    # ------------------------------------------------------------------ one action
    def decide(self, key: str, rows: list[_Row]) -> _Decision:
        """One action's rows (copies of it) → which is this month's, and why."""
        prior = self.earlier.actions.get(key) if self.earlier else None
        fresh = rows
        if prior is not None:
            fresh = [r for r in rows if self.when(r) >= prior.last_updated]
            if not fresh:
                newest = max(rows, key=self.when)
                return _Decision(key, rows, None, "too-old",
                                 [_Beaten(r, newest, "too-old") for r in rows if r is not newest])
        best = max(self.when(r) for r in fresh)
        top = [r for r in fresh if self.when(r) == best]
        beaten = [_Beaten(r, None, "older", stale=True) for r in rows if r not in fresh]
        beaten += [_Beaten(r, None, "older") for r in fresh if r not in top]

        def won(winner: _Row, rule: str, how: Callable[[_Row], str]) -> _Decision:
            beaten.extend(_Beaten(r, None, how(r)) for r in top if r is not winner)
            for b in beaten:
                b.by = winner
            return _Decision(key, rows, winner, rule, beaten)

        if len(top) == 1:
            rule = "single" if len(rows) == 1 else ("unreadable" if top[0].rejected else "date")
            return won(top[0], rule, str)
        unreadable = [r for r in top if r.rejected]
        if unreadable:  # never filled from another copy: the unreadable row stands
            return won(unreadable[0], "unreadable", lambda r: "unreadable")
        if len({content(r.action) for r in top}) == 1:  # the winner is chosen later
            return _Decision(key, rows, None, "identical", beaten, tied=top)
        if prior is not None:
            agree = [r for r in top if content(r.action) == content(prior)]
            if agree and len(agree) < len(top):
                return won(self.prefer(agree), "history",
                           lambda r: "identical" if r in agree else "history")
        times = [self.modified.get(r.table[0]) for r in top]
        latest = max((t for t in times if t), default=None)
        if latest and all(times) and times.count(latest) == 1:
            winner = top[times.index(latest)]
            return won(winner, "file-time", lambda r: "identical" if content(r.action) ==
                       content(winner.action) else "file-time")
        return _Decision(key, rows, None, "undecided", beaten, tied=top)

    def prefer(self, rows: list[_Row], wins: Mapping[Table, int] | None = None) -> _Row:
        """Of rows that say the same thing, the one to read: from the table that won
        the most other actions, else not named as a copy, else the table whose name
        says it is current, else the most recently modified file, else the first."""
        wins = wins or {}
        return max(rows, key=lambda r: (
            wins.get(r.table, 0), not looks_like_copy(r.table[0]), sheet_rank(r.table[1]),
            self.modified.get(r.table[0]) or datetime.min, -r.order))


# --------------------------------------------------------------------------- sheets


def _best(rows: list[_Row]) -> _Row:
    return max(rows, key=lambda r: (r.date or date.min, r.action is not None, -r.order))


def _earlier_sheets(state: _Copies) -> tuple[set[Table], list[Issue]]:
    """The action tables that are earlier copies of another sheet of the same workbook,
    and an info Issue for each."""
    by_table: dict[Table, dict[str, list[_Row]]] = {}
    for r in state.rows:
        by_table.setdefault(r.table, {}).setdefault(r.key, []).append(r)
    files: dict[str, list[Table]] = {}
    for t in by_table:
        files.setdefault(t[0], []).append(t)
    dropped: dict[Table, tuple[Table, str, int]] = {}
    for tables in files.values():
        for i, a in enumerate(tables):
            for b in tables[i + 1:]:
                if not state.copies(a, b):
                    continue
                verdict = _current_sheet(a, b, by_table)
                if verdict is not None:
                    current, earlier, why, shared = verdict
                    dropped.setdefault(earlier, (current, why, shared))
    issues = [make_issue("sheet-earlier-copy", file=t[0], sheet=t[1], value=shared,
                         detail=current[1], why=why)
              for t, (current, why, shared) in dropped.items()]
    return set(dropped), issues


def _current_sheet(a: Table, b: Table, by_table) -> tuple[Table, Table, str, int] | None:
    """(current, earlier, why in words, shared IDs) of two sheets of one workbook that are
    copies; None when their content does not decide and their names do not either."""
    shared = sorted(set(by_table[a]) & set(by_table[b]))
    newer_a: list[tuple[str, date, date]] = []
    newer_b: list[tuple[str, date, date]] = []
    same = True
    for k in shared:
        ra, rb = _best(by_table[a][k]), _best(by_table[b][k])
        if ra.date and rb.date and ra.date != rb.date:
            (newer_a if ra.date > rb.date else newer_b).append(
                (ra.typed, max(ra.date, rb.date), min(ra.date, rb.date)))
        if not (ra.action and rb.action and content(ra.action) == content(rb.action)):
            same = False
    n = len(shared)
    if newer_a and newer_b:
        return None  # each holds newer rows: decided action by action
    if newer_a or newer_b:
        current, earlier, newer = (a, b, newer_a) if newer_a else (b, a, newer_b)
        typed, new, old = newer[0]
        more = f", and {len(newer) - 1} more" if len(newer) > 1 else ""
        why = (f"with older Last updated dates for {len(newer)} of them and none newer "
               f"({typed}: {_d(old)} here against {_d(new)} there{more})")
        return current, earlier, why, n
    ranks = {t: sheet_rank(t[1]) for t in (a, b)}
    if ranks[a] != ranks[b]:
        current, earlier = (a, b) if ranks[a] > ranks[b] else (b, a)
        why = ("with the same Last updated dates, and its name marks it as the earlier one"
               if not same else "identically, and its name marks it as the earlier one")
        return current, earlier, why, n
    if same:
        return a, b, "identically", n
    return None


# --------------------------------------------------------------------------- resolution


@dataclass
class Resolution:
    """The Actions to rate (one per action ID), the rows whose action is not rated this
    month (one per action; rows without an ID too), and the Issues that say why."""

    actions: list[Action]
    rejected: list[RejectedRow]
    issues: list[Issue]
    reasons: dict[str, str] = field(default_factory=dict)  # ID as typed → why not rated
    earlier_sheets: set[Table] = field(default_factory=set)  # not read: earlier copies
    unused: set[tuple[str, str, int]] = field(default_factory=set)  # (file, sheet, row)

    def read(self, issue: Issue) -> bool:
        """Whether ``issue`` is about something read this month: not on a sheet that is
        an earlier copy (but the note that says so), nor on a row another copy's row
        was taken over."""
        if issue.sheet is None:
            return True
        if (issue.file, issue.sheet) in self.earlier_sheets:
            return issue.code == "sheet-earlier-copy"
        digits = "".join(ch for ch in (issue.cell or "") if ch.isdigit())
        if not digits or ":" in (issue.cell or ""):
            return True
        return (issue.file, issue.sheet, int(digits)) not in self.unused


def resolve(actions: list[Action], rejected: list[RejectedRow], sources: Iterable[SourceFile],
            earlier: Earlier | None = None) -> Resolution:
    """Every row read this month → one truth per action (see the module's rules)."""
    rows: list[_Row] = []
    out_rejected: list[RejectedRow] = []
    for a in actions:
        rows.append(_Row(action_key(a.action_id), (a.source.file, a.source.sheet), len(rows),
                         action=a))
    for r in rejected:
        if r.action_id:
            rows.append(_Row(action_key(r.action_id), (r.file, r.sheet), len(rows),
                             rejected=r))
        else:
            out_rejected.append(r)
    state = _Copies(rows, sources, earlier)
    dropped, issues = _earlier_sheets(state)
    if dropped:
        state = _Copies([r for r in rows if r.table not in dropped], sources, earlier)
        out_rejected = [r for r in out_rejected if (r.file, r.sheet) not in dropped]
    groups: dict[str, list[_Row]] = {}
    for r in state.rows:
        groups.setdefault(r.key, []).append(r)

    decisions: list[list[_Decision]] = []
    for key, group in groups.items():
        decisions.append([state.decide(key, cluster) for cluster in _clusters(group, state)])

    # identical rows are read from the copy that won the other actions
    wins: dict[Table, int] = {}
    for clusters in decisions:
        for d in clusters:
            if d.winner is not None and d.rule in ("date", "history", "file-time"):
                wins[d.winner.table] = wins.get(d.winner.table, 0) + 1
    for clusters in decisions:
        for d in clusters:
            if d.rule == "identical":
                d.winner = state.prefer(d.tied, wins)
                d.beaten += [_Beaten(r, d.winner, "identical") for r in d.tied
                             if r is not d.winner]
                for b in d.beaten:
                    b.by = d.winner

    result = Resolution(actions=[], rejected=out_rejected, issues=issues,
                        earlier_sheets=dropped)
    for clusters in decisions:
        for d in clusters:
            result.unused.update(_row_of(b.row) for b in d.beaten)
    for clusters in decisions:
        if len(clusters) > 1:
            _clash(clusters, result)
            continue
        _settle(clusters[0], state, result)
    result.issues += _pair_issues([d for clusters in decisions for d in clusters], state)
    for r in result.rejected:
        if r.action_id:
            result.reasons.setdefault(r.action_id, r.reason)
    order = {id(a): i for i, a in enumerate(actions)}
    result.actions.sort(key=lambda a: order[id(a)])
    return result


def _row_of(r: _Row) -> tuple[str, str, int]:
    return (*r.table, r.action.source.row if r.action else r.rejected.row)


def _clusters(group: list[_Row], state: _Copies) -> list[list[_Row]]:
    """The rows of one ID split into actions: rows in tables that are copies of each
    other, or with the same action text, are one action."""
    parent = list(range(len(group)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(group):
        for j in range(i + 1, len(group)):
            b = group[j]
            if state.copies(a.table, b.table) or (a.text and a.text == b.text):
                parent[find(i)] = find(j)
    out: dict[int, list[_Row]] = {}
    for i, r in enumerate(group):
        out.setdefault(find(i), []).append(r)
    return list(out.values())


def _settle(d: _Decision, state: _Copies, result: Resolution) -> None:
    """One action's decision → its Action, or the row (and reason) it is not rated by."""
    if d.winner is not None and d.winner.action is not None:
        result.actions.append(d.winner.action)
        return
    if d.winner is not None:  # a row that could not be rated won: never filled from a copy
        r = d.winner.rejected
        others = sorted({b.row.table[0] for b in d.beaten if b.row.action is not None})
        if others:
            r = dataclasses.replace(r, reason=r.reason + (
                f"; the older row for it in {_and(others)} was not used in its place"))
        result.rejected.append(r)
        return
    if d.rule == "too-old":
        newest = max(d.rows, key=state.when)
        prior = state.earlier.actions[d.key]
        reason = (f"this month's row is dated {_d(newest.date)}, older than the update read "
                  f"for {state.earlier.name} (dated {_d(prior.last_updated)})")
        if newest.action is not None:
            a = newest.action
            result.issues.append(make_issue(
                "row-older-than-last-reading", file=a.source.file, sheet=a.source.sheet,
                cell=a.source.cell("last_updated"), field="last_updated",
                value=_d(a.last_updated), period=state.earlier.name,
                detail=f"dated {_d(prior.last_updated)}, from {prior.source.file}",
                action_id=a.action_id, officer=a.lead_officer))
        result.rejected.append(_as_rejected(newest, reason, "row-older-than-last-reading"))
        return
    # undecided: the rows differ and nothing tells them apart
    top = d.tied
    day = _d(top[0].date)
    if state.earlier is None:
        history = "there is no earlier reading to compare with"
    elif d.key in state.earlier.actions:
        history = f"neither agrees with what was read for {state.earlier.name}"
    else:
        history = f"the action was not read for {state.earlier.name}"
    times = {state.modified.get(r.table[0]) for r in top}
    if len({r.table[0] for r in top}) == 1:
        when = "the sheets are in one workbook, whose file time cannot tell them apart"
    elif len(times) == 1 and None not in times:
        when = "the files were modified at the same time"
    else:
        when = "the files' modification times are not known"
    why = f"both are dated {day}, {history}, and {when}"
    for r in top:
        others = _and([o.where for o in top if o is not r])
        result.issues.append(make_issue(
            "copy-undecided", file=r.table[0], sheet=r.table[1], cell=r.cell,
            field="action_id", value=r.typed, detail=others, why=why, action_id=r.typed,
            officer=r.officer))
    result.rejected.append(_as_rejected(
        top[0], f"its copies disagree and nothing shows which is later ({why})",
        "copy-undecided"))


def _as_rejected(r: _Row, reason: str, code: str) -> RejectedRow:
    if r.rejected is not None:
        return dataclasses.replace(r.rejected, reason=reason, code=code)
    a = r.action
    return RejectedRow(file=a.source.file, sheet=a.source.sheet, row=a.source.row,
                       action_id=a.action_id, reason=reason, code=code,
                       cell=a.source.cell("action_id"), action=a.action,
                       lead_officer=a.lead_officer, last_updated=a.last_updated,
                       budget=a.budget)


def _clash(clusters: list[_Decision], result: Resolution) -> None:
    """Two or more different actions under one ID: an error at each, neither rated."""
    shown = [d.winner or (d.tied[0] if d.tied else d.rows[0]) for d in clusters]
    for r in shown:
        others = " and ".join(o.where for o in shown if o is not r)
        result.issues.append(make_issue(
            "duplicate-action-id", file=r.table[0], sheet=r.table[1], cell=r.cell,
            field="action_id", value=r.typed, detail=others, action_id=r.typed,
            officer=r.officer))
        result.rejected.append(_as_rejected(r, (
            f"the action ID is used for two different actions ({r.where} and {others}), "
            "so neither row could be rated"), "duplicate-action-id"))


# --------------------------------------------------------------------------- warnings

_EXAMPLES = 4


def _label(t: Table, other: Table) -> str:
    return t[0] if t[0] != other[0] else f"the sheet '{t[1]}'"


def _ids(items: list[str]) -> str:
    shown = items[:_EXAMPLES]
    more = len(items) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more else "")


def _pair_issues(decisions: list[_Decision], state: _Copies) -> list[Issue]:
    """One warning for each pair of tables that hold copies of the same actions, saying
    which rule decided which actions, with the dates."""
    pairs: dict[tuple[Table, Table], list[tuple[_Decision, _Beaten]]] = {}
    for d in decisions:
        for b in d.beaten:
            if b.by is None or b.by.table == b.row.table:
                continue
            pair = tuple(sorted((b.by.table, b.row.table)))
            pairs.setdefault(pair, []).append((d, b))
        if d.rule in ("undecided", "too-old"):
            tables = sorted({r.table for r in d.rows})
            for i, a in enumerate(tables):
                for c in tables[i + 1:]:
                    pairs.setdefault((a, c), []).append((d, _Beaten(d.rows[0], None, d.rule)))
    issues: list[Issue] = []
    for (a, b), entries in sorted(pairs.items()):
        issues.append(_pair_issue(a, b, entries, state))
    return issues


def _pair_issue(a: Table, b: Table, entries, state: _Copies) -> Issue:
    lost = {a: 0, b: 0}
    for _, beaten in entries:
        if beaten.by is not None:
            lost[beaten.row.table] += 1
    # the warning goes to the copy set aside more often (else the one named as a copy,
    # else the older file)
    host, other = sorted((a, b), key=lambda t: (
        -lost[t], not looks_like_copy(t[0]), state.modified.get(t[0]) or datetime.min))
    shared = len(state.keys[a] & state.keys[b])
    rules = {beaten.rule for _, beaten in entries}
    same_sets = state.keys[a] == state.keys[b]
    if rules == {"identical"} and same_sets and host[0] != other[0]:
        return make_issue("file-copy-identical", file=host[0], detail=other[0])
    names = {host: _label(host, other), other: _label(other, host)}
    parts: list[str] = []
    by_rule: dict[tuple[str, Table], list[_Beaten]] = {}
    unreadable: list[_Beaten] = []
    for _, beaten in entries:
        if beaten.by is None:
            continue
        if beaten.by.rejected is not None:
            unreadable.append(beaten)
        else:
            by_rule.setdefault((beaten.rule, beaten.by.table), []).append(beaten)
    against_time = False
    for side in (other, host):
        loser = host if side == other else other
        won = by_rule.get(("older", side), [])
        if won:
            dates = [f"{b.by.typed} {_d(b.by.date)} against {_d(b.row.date)}" for b in won]
            stale = sum(1 for b in won if b.stale)
            parts.append(f"{names[side]}'s rows for {len(won)} action"
                         f"{'s' if len(won) != 1 else ''}, by their later Last updated "
                         f"dates ({_ids(dates)})" + (
                             f"; {stale} of {names[loser]}'s rows are older even than what "
                             f"was read for {state.earlier.name}, so never this month's"
                             if stale else ""))
        agreed = by_rule.get(("history", side), [])
        if agreed:
            parts.append(f"{names[side]}'s rows for {_ids([b.by.typed for b in agreed])}: "
                         f"dated the same as the other copy's ({_d(agreed[0].by.date)}), "
                         f"they agree with what was read for {state.earlier.name} and the "
                         "other copy's do not")
        if won or agreed:
            against_time |= _modified_before(side, loser, state)
        timed = by_rule.get(("file-time", side), [])
        if timed:
            parts.append(f"{names[side]}'s rows for {_ids([b.by.typed for b in timed])}: "
                         f"dated the same ({_d(timed[0].by.date)}) and nothing else tells "
                         "them apart, so the later file time decided "
                         f"({_stamp(state.modified.get(side[0]))} against "
                         f"{_stamp(state.modified.get(loser[0]))})")
    if unreadable:
        ids = sorted({b.by.typed for b in unreadable})
        files = sorted({b.by.table[0] for b in unreadable})
        parts.append(f"neither row for {_ids(ids)}: the row in {_and(files)} could not be "
                     "rated (see its error), and an older copy's row is never used in its "
                     "place, so the action is not rated this month")
    too_old = sorted({d.rows[0].typed for d, b in entries if b.rule == "too-old"
                      and d.rule == "too-old"})
    if too_old:
        parts.append(f"neither row for {_ids(too_old)}: both are older than what was read "
                     f"for {state.earlier.name}, so the action is not updated this month")
    undecided = sorted({d.rows[0].typed for d, b in entries if b.rule == "undecided"})
    if undecided:
        parts.append(f"neither row for {_ids(undecided)}: they differ and nothing shows "
                     "which is later (see the errors at their rows)")
    identical = {d.key for d, b in entries if b.rule == "identical"}
    if identical:
        parts.append(f"{len(identical)} identical in both")
    if against_time:
        newer = max((host, other), key=lambda t: state.modified.get(t[0]) or datetime.min)
        parts.append(f"the file times were not used: {names[newer]} was modified later "
                     f"({_stamp(state.modified.get(newer[0]))}), but that is not evidence "
                     "of newer content")
    thing = "file" if host[0] != other[0] else f"sheet '{host[1]}'"
    return make_issue("file-copy-newer-wins", file=host[0],
                      sheet=host[1] if host[0] == other[0] else None, value=shared,
                      thing=thing, detail=names[other], newer="; ".join(parts))


def _modified_before(winner: Table, loser: Table, state: _Copies) -> bool:
    """Whether the copy that won by content is the one modified earlier."""
    t_win, t_lose = state.modified.get(winner[0]), state.modified.get(loser[0])
    return bool(t_win and t_lose and t_win < t_lose)
