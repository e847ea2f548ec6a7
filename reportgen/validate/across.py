"""The checks that need every file at once: copies of a tracker, action ID clashes, and
KPIs split over two files.

**The copy rule.** Two files are copies of one tracker (a Save As, a OneDrive conflict
copy) when they share at least two action IDs and the shared IDs are at least half of the
IDs of the smaller file. Copies are not clashes:

* every shared action identical in both (same values, wherever the rows sit): the actions
  are read once, with a ``file-copy-identical`` warning on the file set aside (the file
  whose name reads as a copy, "Copy of …", "… (1)", is the one set aside; otherwise the
  older);
* otherwise, for every shared ID the record of the file modified most recently
  (:attr:`SourceFile.modified`) is used, with a ``file-copy-newer-wins`` warning naming
  both files and the rule; IDs in only one of the copies are kept. When the files'
  modification times are equal or unknown there is no certain winner: the shared actions
  that are identical are read once, and those that differ are clashes.

An ID used by two files that are not copies (they share only that one ID, say), or twice
in one file, is a **clash**: an error at each cell naming the other(s), and the ID goes to
``IngestResult.rejected`` so the plan register carries the action forward.

**KPIs split over two files** (an extract of earlier months and a dashboard of recent ones)
are one series when their definitions agree (indicator, polarity, unit, target,
tolerance, comparator, outcomes): the months are merged, with an info note. The same month
with two different values is an error naming both cells, and that month is left out.
Definitions that disagree keep the first, as before (``duplicate-kpi-id``).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from pathlib import PurePath

from reportgen.ingest.values import word_key
from reportgen.issues import Issue, make_issue
from reportgen.model import Action, Kpi, SourceFile

_ACTION_FIELDS = tuple(f.name for f in dataclasses.fields(Action) if f.name != "source")


def _key(text: str) -> str:
    return word_key(text) or text


def _content(a: Action) -> tuple:
    return tuple(getattr(a, name) for name in _ACTION_FIELDS)


def _where(a: Action) -> str:
    return f"{a.source.file} › {a.source.sheet}!{a.source.cell('action_id')}"


def are_copies(ids_a: set[str], ids_b: set[str]) -> bool:
    """The copy rule: at least two shared IDs, and at least half of the smaller file's."""
    shared = len(ids_a & ids_b)
    return shared >= 2 and 2 * shared >= min(len(ids_a), len(ids_b))


def _stamp(when: datetime | None) -> str:
    return f"{when:%d/%m/%Y %H:%M}" if when else "not known"


_COPY_NAME = re.compile(r"(^|[\s_-])copy( of|\b)|\(\d+\)$|conflict", re.I)


def looks_like_copy(path: str) -> bool:
    """Whether a file's name reads as a copy of another ("Copy of …", "… - Copy",
    "… (1)", "… conflicted copy")."""
    return bool(_COPY_NAME.search(PurePath(path).stem))


def resolve_copies(actions: list[Action], sources: list[SourceFile]
                   ) -> tuple[list[Action], list[Issue]]:
    """Actions of files that are copies of each other, read once: for each shared ID the
    most recently modified copy's record (see the module's copy rule). IDs still used
    twice after this are left for :func:`check_duplicate_ids`."""
    modified = {s.path: s.modified for s in sources}
    files: dict[str, set[str]] = {}
    for a in actions:
        files.setdefault(a.source.file, set()).add(_key(a.action_id))
    names = list(files)
    pairs = [(f, g) for i, f in enumerate(names) for g in names[i + 1:]
             if are_copies(files[f], files[g])]
    if not pairs:
        return actions, []
    dropped: set[int] = set()  # id() of the records set aside
    issues: list[Issue] = []
    by_file_id: dict[tuple[str, str], list[Action]] = {}
    for a in actions:
        by_file_id.setdefault((a.source.file, _key(a.action_id)), []).append(a)
    for f, g in pairs:
        shared = sorted(files[f] & files[g])
        same = all(len(by_file_id[(f, k)]) == 1 and len(by_file_id[(g, k)]) == 1
                   and _content(by_file_id[(f, k)][0]) == _content(by_file_id[(g, k)][0])
                   for k in shared)
        mf, mg = modified.get(f), modified.get(g)
        if same and looks_like_copy(f) != looks_like_copy(g):
            # identical: keep the file whose name is not a copy's, so that officers are
            # pointed at their own tracker rather than at "Copy of …"
            newer, older = (g, f) if looks_like_copy(f) else (f, g)
        elif mf and mg and mf != mg:
            newer, older = (f, g) if mf > mg else (g, f)
        elif same:
            newer, older = f, g  # identical: either will do; the first in order is kept
        else:  # no certain winner: identical actions are read once, the others clash
            for k in shared:
                one, other = by_file_id[(f, k)], by_file_id[(g, k)]
                if len(one) == len(other) == 1 and _content(one[0]) == _content(other[0]):
                    dropped.add(id(other[0]))
            continue
        for k in shared:
            if len(by_file_id[(newer, k)]) == 1:
                dropped.update(id(a) for a in by_file_id[(older, k)])
        if same and files[f] == files[g]:
            issues.append(make_issue("file-copy-identical", file=older, detail=newer))
        else:
            issues.append(make_issue(
                "file-copy-newer-wins", file=older, value=len(shared), detail=newer,
                newer=f"{newer}, modified {_stamp(modified.get(newer))}; this file was "
                      f"modified {_stamp(modified.get(older))}"))
    return [a for a in actions if id(a) not in dropped], issues


def check_duplicate_ids(actions: list[Action]) -> tuple[list[Action], list[Issue],
                                                         dict[str, str]]:
    """Actions whose ID appears more than once (across all trackers, copies already
    resolved) are left out; each occurrence is reported at its own cell naming the
    other(s); and each such ID is returned with the reason, for the plan register."""
    by_id: dict[str, list[Action]] = {}
    for a in actions:
        by_id.setdefault(_key(a.action_id), []).append(a)
    issues: list[Issue] = []
    kept: list[Action] = []
    rejected: dict[str, str] = {}
    for a in actions:
        group = by_id[_key(a.action_id)]
        if len(group) == 1:
            kept.append(a)
            continue
        others = " and ".join(_where(o) for o in group if o is not a)
        issues.append(make_issue("duplicate-action-id", file=a.source.file,
                                 sheet=a.source.sheet, cell=a.source.cell("action_id"),
                                 field="action_id", value=a.action_id, detail=others,
                                 action_id=a.action_id, officer=a.lead_officer))
        rejected.setdefault(a.action_id, (
            f"the action ID is used for two different actions ({_where(a)} and {others}), "
            "in files that are not copies of each other, so neither row could be rated"))
    return kept, issues, rejected


_KPI_DEFINITION = ("indicator", "polarity", "unit", "target", "tolerance", "comparator",
                   "outcomes")


def _kpi_cell(k: Kpi, label: str) -> str:
    return f"{k.source.file} › {k.source.sheet}!{k.source.cell('@' + label) or k.source.row}"


def check_duplicate_kpis(kpis: list[Kpi]) -> tuple[list[Kpi], list[Issue]]:
    """KPIs defined in two places: one series when the definitions agree (months merged;
    the same month with two values an error, that month left out); otherwise the first
    definition wins and the later ones are reported and dropped."""
    seen: dict[str, Kpi] = {}
    issues: list[Issue] = []
    for k in kpis:
        key = _key(k.kpi_id)
        first = seen.get(key)
        if first is None:
            seen[key] = k
            continue
        agree = all(getattr(first, n) == getattr(k, n) for n in _KPI_DEFINITION)
        if not agree or first.source.file == k.source.file:
            issues.append(make_issue("duplicate-kpi-id", file=k.source.file,
                                     sheet=k.source.sheet, cell=k.source.cell("kpi_id"),
                                     field="kpi_id", value=k.kpi_id,
                                     detail=f"{first.source.file} › {first.source.sheet}!"
                                            f"{first.source.cell('kpi_id')}"))
            continue
        series = dict(first.series)
        cells = dict(first.source.cells)
        clashes: list[str] = []
        for label, value in k.series:
            if label in series and series[label] != value:
                clashes.append(label)
                issues.append(make_issue(
                    "kpi-value-clash", file=k.source.file, sheet=k.source.sheet,
                    cell=k.source.cell("@" + label), field="value", value=k.kpi_id,
                    detail=f"{series[label]:g} at {_kpi_cell(first, label)} and {value:g} "
                           f"at {_kpi_cell(k, label)} for {label}"))
                continue
            series.setdefault(label, value)
            if k.source.cell("@" + label):
                cells.setdefault("@" + label, k.source.cell("@" + label))
        for label in clashes:
            series.pop(label, None)
        issues.append(make_issue("kpi-series-merged", file=k.source.file,
                                 sheet=k.source.sheet, cell=k.source.cell("kpi_id"),
                                 field="kpi_id", value=k.kpi_id,
                                 detail=f"{first.source.file} and {k.source.file}"))
        seen[key] = dataclasses.replace(
            first, series=tuple(sorted(series.items())),
            source=dataclasses.replace(first.source, cells=cells))
    return list(seen.values()), issues
