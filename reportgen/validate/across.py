"""The checks that need every file at once: which row is this month's truth for each
action (copies of a tracker, earlier copies of its table, ID clashes:
:mod:`reportgen.validate.copies`), and KPIs split over two files.

**KPIs split over two files** (an extract of earlier months and a dashboard of recent ones)
are one series when their definitions agree (indicator, polarity, unit, target,
tolerance, comparator, outcomes; a field one file leaves blank agrees with any value the
other gives, and the value given is used): the months are merged, with an info note. The
same month with two different values is an error naming both cells, and that month is
left out. Definitions that disagree keep the first, as before (``duplicate-kpi-id``).
KPI IDs are compared as action IDs are (:func:`~reportgen.model.action_key`).
"""

from __future__ import annotations

import dataclasses

from reportgen.ingest.values import word_key
from reportgen.issues import Issue, make_issue
from reportgen.model import Kpi, action_key
from reportgen.validate.copies import are_copies, looks_like_copy

__all__ = ["are_copies", "check_duplicate_kpis", "looks_like_copy"]

_KPI_DEFINITION = ("indicator", "polarity", "unit", "target", "tolerance", "comparator",
                   "outcomes")


def _kpi_cell(k: Kpi, label: str) -> str:
    return f"{k.source.file} › {k.source.sheet}!{k.source.cell('@' + label) or k.source.row}"


def _filled(k: Kpi, name: str) -> bool:
    """Whether the KPI's own file gives this definition field (rather than leaving it
    blank)."""
    if name in ("indicator", "polarity"):
        return True  # required: a KPI without them is not read at all
    if name == "comparator":
        return "comparator" in k.source.cells  # blank reads as the default
    return getattr(k, name) not in (None, "", ())


def _agree(a: Kpi, b: Kpi, name: str) -> bool:
    if not (_filled(a, name) and _filled(b, name)):
        return True
    if name in ("indicator", "unit"):
        return word_key(getattr(a, name)) == word_key(getattr(b, name))
    return getattr(a, name) == getattr(b, name)


_WORDS = {"comparator": "comparison (previous month or last year)"}


def _given(first: Kpi, k: Kpi) -> str:
    """'; only one file gives the tolerance and outcomes, and it is used' (or "")."""
    names = [_WORDS.get(n, n) for n in _KPI_DEFINITION if _filled(first, n) != _filled(k, n)]
    if not names:
        return ""
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"; only one file gives the {listed}, and it is used"


def _definition(first: Kpi, k: Kpi) -> dict:
    """The definition fields of ``first``, each blank one filled from ``k``."""
    return {name: getattr(first if _filled(first, name) else k, name)
            for name in _KPI_DEFINITION}


def check_duplicate_kpis(kpis: list[Kpi]) -> tuple[list[Kpi], list[Issue]]:
    """KPIs defined in two places: one series when the definitions agree (a blank field
    agreeing with any value; months merged; the same month with two values an error,
    that month left out); otherwise the first definition wins and the later ones are
    reported and dropped."""
    seen: dict[str, Kpi] = {}
    issues: list[Issue] = []
    for k in kpis:
        key = action_key(k.kpi_id)
        first = seen.get(key)
        if first is None:
            seen[key] = k
            continue
        agree = all(_agree(first, k, n) for n in _KPI_DEFINITION)
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
                                 detail=f"{first.source.file} and {k.source.file}",
                                 given=_given(first, k)))
        for name in _KPI_DEFINITION:
            if not _filled(first, name) and k.source.cell(name):
                cells.setdefault(name, k.source.cell(name))
        seen[key] = dataclasses.replace(
            first, series=tuple(sorted(series.items())), **_definition(first, k),
            source=dataclasses.replace(first.source, cells=cells))
    return list(seen.values()), issues
