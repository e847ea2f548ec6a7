"""One raw table → validated records (Action, Kpi) and Issues.

Each row is checked field by field; every problem becomes an Issue located at its cell.
A row with any *error* is left out of the records (it becomes a :class:`RejectedRow`,
which says why and keeps what can still be read of it); warnings keep it. Nothing here
raises for bad data, reads a file or looks across files (that is
:mod:`reportgen.validate`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from reportgen.address import AddressError, parse_address, shown
from reportgen.config import Config
from reportgen.ingest.reader import a1
from reportgen.ingest.schema import ACTION_FIELDS, KPI_FIELDS
from reportgen.ingest.tables import RawCell, RawRow, RawTable, month_label
from reportgen.issues import FIELD_LABELS, Issue, make_issue
from reportgen.ingest.values import (
    clean_text, parse_date, parse_int_list, parse_money, parse_number, parse_percent,
    parse_rag, parse_timescales, read_percent, squash, word_key,
)
from reportgen.model import Action, Comparator, Kpi, Polarity, SourceRef, Status
from reportgen.validate.funding import column_amounts, funding_streams, stream_shares


@dataclass
class Vocab:
    """The configuration's words, keyed for loose matching."""

    objectives: dict[str, int]
    objective_numbers: set[int]
    streams: dict[str, str]
    statuses: dict[str, Status]
    localities: dict[str, str]
    stream_names: tuple[str, ...] = ()
    locality_names: tuple[str, ...] = ()
    objective_texts: dict[int, str] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: Config) -> "Vocab":
        objectives = {word_key(o.text): o.number for o in config.objectives}
        streams: dict[str, str] = {}
        for s in config.funding_streams:
            for word in (s.name, *s.aliases):
                streams.setdefault(word_key(word), s.name)
        statuses: dict[str, Status] = {}
        for name, words in config.statuses.items():
            for word in (name, *words):
                statuses.setdefault(word_key(word), Status(name))
        return cls(objectives=objectives,
                   objective_numbers={o.number for o in config.objectives},
                   streams=streams, statuses=statuses,
                   localities={word_key(x): x for x in config.localities},
                   stream_names=config.stream_names, locality_names=config.localities,
                   objective_texts={o.number: o.text for o in config.objectives})


_REQUIRED = {f.name for f in ACTION_FIELDS if f.required}
_KPI_REQUIRED = {f.name for f in KPI_FIELDS if f.required}


@dataclass
class _Row:
    """Collects one row's values and Issues."""

    table: RawTable
    raw: RawRow
    file: str
    issues: list[Issue] = field(default_factory=list)
    values: dict[str, object] = field(default_factory=dict)
    who: tuple[str | None, str | None] = (None, None)

    def __post_init__(self) -> None:
        """The row's action ID and lead officer as typed, for every Issue of the row."""
        if self.table.kind == "actions":
            self.who = (self._plain("action_id"), self._plain("lead_officer"))

    def _plain(self, name: str) -> str | None:
        c = self.cell(name)
        if c is None or c.value is None:
            return None
        return clean_text(_shown(c.value))[0] or None

    def cell(self, name: str) -> RawCell | None:
        return self.raw.cells.get(name)

    def ref(self, name: str) -> str | None:
        c = self.cell(name)
        if c is not None:
            return c.ref
        col = self.table.columns.get(name)
        if col is None:
            return None
        return a1(self.raw.row - 1, col)

    def issue(self, code: str, name: str | None, **params) -> None:
        self.issues.append(make_issue(code, file=self.file, sheet=self.table.sheet,
                                      cell=self.ref(name) if name else None, field=name,
                                      action_id=self.who[0], officer=self.who[1], **params))

    @property
    def failed(self) -> bool:
        return any(i.is_error for i in self.issues)

    def text(self, name: str) -> str:
        c = self.cell(name)
        if c is None:
            return ""
        if c.uncalculated and c.value is None:
            self.issue("formula-not-calculated", name)
            return ""
        text, removed = clean_text(c.value)
        if removed:
            self.issue("control-characters", name, detail=removed)
        return text

    def required_text(self, name: str) -> str:
        text = self.text(name)
        if not text:
            self.issue("missing-value", name)
        return text


def _email(row: _Row) -> str:
    """The lead officer's address from the Email cell, parsed strictly
    (:func:`reportgen.address.parse_address`) from the cell as typed, before any
    cleaning: anything but exactly one valid address (a list, a line break, a space, a
    hidden character…) is one ``invalid-email`` warning naming the cell and the value,
    and gives no address, so no email goes to it. Blank: no address, no warning."""
    c = row.cell("email")
    if c is None or c.value is None:
        if c is not None and c.uncalculated:
            row.issue("formula-not-calculated", "email")
        return ""
    text = c.value if isinstance(c.value, str) else _shown(c.value)
    if not text.strip():
        return ""
    try:
        return parse_address(text)
    except AddressError as exc:
        row.issue("invalid-email", "email", value=shown(text.strip()), detail=str(exc))
        return ""


def _shown(value: object) -> str:
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return squash(str(value))[:200]


def _date(row: _Row, name: str, *, end: bool = False, required: bool = True) -> date | None:
    c = row.cell(name)
    if c is None or c.value is None:
        if c is not None and c.uncalculated:
            row.issue("formula-not-calculated", name)
        elif required:
            row.issue("missing-value", name)
        return None
    try:
        return parse_date(c.value, end=end)
    except ValueError as exc:
        if str(exc).startswith("implausible"):
            row.issue("implausible-date", name, value=_shown(c.value),
                      detail="01/01/1990 to 31/12/2100")
        else:
            row.issue("invalid-date", name, value=_shown(c.value))
        return None


def _percent_in_fractions(table: RawTable) -> bool:
    """Without number formats (.xls, .ods, .xlsb), a % column whose numbers all lie in
    0–1 is taken to hold fractions (0.35 = 35 %)."""
    if table.formats_known or "percent_complete" not in table.columns:
        return False
    numbers = [r.cells["percent_complete"].value for r in table.rows
               if "percent_complete" in r.cells
               and isinstance(r.cells["percent_complete"].value, (int, float))]
    return bool(numbers) and all(0 <= n <= 1 for n in numbers) and any(0 < n < 1 for n in numbers)


def _try(parse, value):
    try:
        return parse(value)
    except (ValueError, TypeError):
        return None


def row_budget(raw: RawRow) -> float | None:
    """The money a row carries as far as its cells can be read, whatever else is wrong
    with it: its Budget, or its per-stream budget columns added up; None when neither
    holds an amount."""
    c = raw.cells.get("budget")
    if c is not None and c.value is not None:
        amount = _try(parse_money, c.value)
        if amount is not None:
            return amount
    parts = [_try(parse_money, c.value) for name, c in raw.cells.items()
             if name.startswith("$budget:") and c.value is not None]
    parts = [p for p in parts if p is not None]
    return round(sum(parts), 2) if parts else None


def _short(text: str, words: int = 6) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def _or(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _objective(row: _Row, vocab: Vocab) -> int | None:
    c = row.cell("objective")
    value = c.value if c is not None else row.raw.banner_objective
    if value is None or (isinstance(value, str) and not value.strip()):
        row.issue("missing-value", "objective")
        return None
    number: int | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = int(value) if float(value).is_integer() else None
    else:
        text = squash(str(value))
        m = re.match(r"^(?:(?:local\s+)?objective|obj\.?|o)?\s*(\d+)\b", text, re.I)
        if m:
            number = int(m.group(1))
        else:
            number = vocab.objectives.get(word_key(text))
    if number is None or number not in vocab.objective_numbers:
        numbers = sorted(vocab.objective_numbers)
        row.issue("unknown-objective", "objective", value=_shown(value),
                  detail="; ".join(f"{n}: {_short(vocab.objective_texts.get(n, ''))}".rstrip(": ")
                                   for n in numbers) or "none",
                  numbers=_or([str(n) for n in numbers]) if numbers else "none yet")
        return None
    return number


def _money(row: _Row, name: str, label: str | None = None) -> float | None:
    """The amount in the ``name`` cell; ``label`` names it in Issues (default: the
    field's name)."""
    extra = {"label": label} if label else {}
    c = row.cell(name)
    if c is None:
        return None
    if c.value is None:
        if c.uncalculated:
            row.issue("formula-not-calculated", name, **extra)
        return None
    if isinstance(c.value, str) and word_key(c.value) in ("na", "nil", "none", "tbc", "tbd"):
        return None
    try:
        amount = parse_money(c.value)
    except ValueError:
        row.issue("invalid-money", name, value=_shown(c.value), **extra)
        return None
    if isinstance(c.value, str):
        row.issue("money-as-text", name, value=_shown(c.value), detail=f"£{amount:,.2f}",
                  **extra)
    return amount


def validate_action_row(table: RawTable, raw: RawRow, file: str, vocab: Vocab, today: date,
                        fractions: bool = False) -> tuple[Action | None, list[Issue]]:
    """One raw row → (Action or None, Issues). None when any error was found."""
    row = _Row(table, raw, file)
    action_id = row.required_text("action_id")
    objective = _objective(row, vocab)
    action_text = row.required_text("action")
    lead = row.required_text("lead_officer")
    funding, stated, stated_kind = funding_streams(row, vocab)

    start = end = None
    has_dates = "start" in table.columns or "end" in table.columns
    use_timescales = "timescales" in table.columns and (
        not has_dates or ("start" not in raw.cells and "end" not in raw.cells))
    if use_timescales:
        text = row.text("timescales")
        if not text:
            row.issue("missing-value", "timescales")
        else:
            try:
                start, end = parse_timescales(text)
            except ValueError:
                row.issue("invalid-timescales", "timescales", value=text[:200])
    else:
        start = _date(row, "start")
        end = _date(row, "end", end=True)
    if start and end and end < start:
        row.issue("end-before-start", "end" if not use_timescales else "timescales",
                  value=f"{end:%d/%m/%Y}", detail=f"{start:%d/%m/%Y}")

    status = None
    status_text = row.required_text("status")
    if status_text:
        status = vocab.statuses.get(word_key(status_text))
        if status is None:
            row.issue("unknown-status", "status", value=status_text[:100],
                      detail=", ".join(s.value for s in Status))

    percent = None
    pc = row.cell("percent_complete")
    if pc is not None and pc.value is not None:
        try:
            if pc.percent_format:  # 50 typed into a % cell: Excel shows 5000 %
                percent, shows = read_percent(pc.value, percent_format=True)
                if shows:
                    row.issue("percent-typed-in-percent-cell", "percent_complete",
                              value=f"{percent:g}", detail=shows)
            else:
                percent = parse_percent(pc.value, percent_format=(
                    fractions and isinstance(pc.value, (int, float))))
        except ValueError as exc:
            if pc.percent_format and isinstance(pc.value, (int, float)):
                shows, _, held = str(exc).partition(" (the cell holds ")
                row.issue("invalid-percent", "percent_complete", value=shows,
                          detail=f" (as Excel shows it: the cell holds {held.rstrip(')')}, "
                                 "formatted as a percentage)")
            else:
                row.issue("invalid-percent", "percent_complete", value=_shown(pc.value))
    elif pc is not None and pc.uncalculated:
        row.issue("formula-not-calculated", "percent_complete")

    officer_rag = None
    rag_text = row.text("officer_rag")
    if rag_text:
        try:
            officer_rag = parse_rag(rag_text)
        except ValueError:
            row.issue("invalid-rag", "officer_rag", value=rag_text[:100])

    last_updated = _date(row, "last_updated")
    if last_updated and last_updated > today:
        row.issue("update-in-future", "last_updated", value=f"{last_updated:%d/%m/%Y}",
                  detail=f"{today:%d/%m/%Y}")

    locality = None
    loc_text = row.text("locality")
    if loc_text:
        locality = vocab.localities.get(word_key(loc_text))
        if locality is None:
            row.issue("unknown-locality", "locality", value=loc_text[:100],
                      detail=", ".join(vocab.locality_names))
            locality = loc_text

    budget, spend, forecast = (_money(row, n) for n in ("budget", "spend_to_date", "forecast"))
    shares: tuple[float, ...] = ()
    if funding is None:  # an unknown stream: the money stays, under "No funding stream"
        funding = ()
    else:
        columns = column_amounts(row, vocab, _money)
        funding, shares, budget = stream_shares(row, funding, stated, stated_kind, columns,
                                                 budget)
    if budget is not None and spend is not None and spend > budget:
        row.issue("spend-over-budget", "spend_to_date", value=f"£{spend:,.2f}",
                  detail=f"£{budget:,.2f}")
    if percent is not None and status is not None:
        if percent >= 100 and status not in (Status.COMPLETE, Status.CANCELLED):
            row.issue("complete-but-not-closed", "percent_complete", value=status.value)
        elif status is Status.COMPLETE and percent < 100:
            row.issue("closed-but-incomplete", "percent_complete", value=f"{percent:g}%")

    for name, top in raw.merged_from.items():
        row.issue("merged-cell-not-shared", name, detail=top,
                  value=_merged_owner(table, raw, top),
                  what=FIELD_LABELS.get(name, name).lower())

    desired_outcome = row.text("desired_outcome")
    target_impact = row.text("target_impact")
    commentary = row.text("commentary")
    corrective = row.text("corrective_action")
    decision = row.text("decision")
    email = _email(row)

    if row.failed or None in (objective, start, end, status, last_updated):
        return None, row.issues
    cells = _cells(table, raw)
    return Action(
        action_id=action_id, objective=objective, action=action_text, lead_officer=lead,
        funding=funding, start=start, end=end, status=status, last_updated=last_updated,
        source=SourceRef(file=file, sheet=table.sheet, row=raw.row, cells=cells),
        desired_outcome=desired_outcome, locality=locality, target_impact=target_impact,
        percent_complete=percent, officer_rag=officer_rag, commentary=commentary,
        corrective_action=corrective, budget=budget, spend_to_date=spend, forecast=forecast,
        decision=decision, funding_shares=shares, email=email,
    ), row.issues


def _merged_owner(table: RawTable, raw: RawRow, top: str) -> str:
    """The action ID typed on the row where the merged cell ``top`` starts (as far as the
    table knows it), else the cell itself."""
    row = int("".join(ch for ch in top if ch.isdigit()) or 0)
    for other in table.rows:
        if other.row == row:
            c = other.cells.get("action_id")
            if c is not None and c.value is not None:
                return clean_text(_shown(c.value))[0]
    return f"the row of {top}"


def _cells(table: RawTable, raw: RawRow) -> dict[str, str]:
    """The A1 address of every mapped field in this row, blank cells included, so that an
    Issue about a missing value points at the empty cell."""
    cells = {name: a1(raw.row - 1, col) for name, col in table.columns.items()}
    cells.update((name, c.ref) for name, c in raw.cells.items() if not name.startswith("@"))
    return cells


def sheet_issues(table: RawTable, file: str) -> tuple[list[Issue], bool]:
    """Header-level Issues, and whether the sheet can be read at all."""
    issues: list[Issue] = []
    for text, ref, suggestion in table.unknown_headers:
        issues.append(make_issue("unknown-header", file=file, sheet=table.sheet, cell=ref,
                                 value=text, detail=suggestion))
    for text, ref, taken in table.taken_headers:
        issues.append(make_issue("header-taken-as", file=file, sheet=table.sheet, cell=ref,
                                 value=text, detail=taken))
    for text, ref, choices in table.ambiguous_headers:
        issues.append(make_issue("ambiguous-header", file=file, sheet=table.sheet, cell=ref,
                                 value=text, detail=choices))
    for text, ref, first in table.duplicate_headers:
        issues.append(make_issue("duplicate-column", file=file, sheet=table.sheet, cell=ref,
                                 value=text, detail=first))
    fields = ACTION_FIELDS if table.kind == "actions" else KPI_FIELDS
    required = _REQUIRED if table.kind == "actions" else _KPI_REQUIRED
    ok = True
    for spec in fields:
        if spec.name in required and spec.name not in table.columns:
            issues.append(make_issue("missing-column", file=file, sheet=table.sheet,
                                     cell=f"{table.header_row}:{table.header_row}",
                                     field=spec.name, label=spec.aliases[0],
                                     detail=", ".join(spec.aliases[:4])))
            ok = False
    if table.kind == "actions" and not (
            {"start", "end"} <= set(table.columns) or "timescales" in table.columns):
        issues.append(make_issue("missing-column", file=file, sheet=table.sheet,
                                 cell=f"{table.header_row}:{table.header_row}",
                                 field="start", label="Start Date' and 'End Date' (or "
                                 "'Timescales",
                                 detail="Start Date and End Date, or Timescales"))
        ok = False
    if table.kind == "kpis" and not table.month_columns and not (
            {"period", "value"} <= set(table.columns)):
        issues.append(make_issue("missing-column", file=file, sheet=table.sheet,
                                 cell=f"{table.header_row}:{table.header_row}",
                                 field="value", label="month columns such as 'Apr 2018' "
                                 "(or 'Period' and 'Value'",
                                 detail="month headings, or Period and Value"))
        ok = False
    return issues, ok


@dataclass(frozen=True)
class RejectedRow:
    """A row of an actions table that was not made into an Action: where it is, its
    action ID as typed ("" when blank), why in plain words and by Issue code, and what
    can still be read of it: its action text and lead officer (to tell copies of one
    action from two actions), its Last updated date (to tell which copy is later) and
    the money it carries (to say what was left out of the totals)."""

    file: str
    sheet: str
    row: int
    action_id: str
    reason: str  # "the row could not be rated: …" (no "Not updated this month")
    code: str
    cell: str | None = None  # the action ID's cell
    action: str = ""
    lead_officer: str = ""
    last_updated: date | None = None
    budget: float | None = None


def _said(issue: Issue) -> str:
    where = f" ({issue.sheet}!{issue.cell})" if issue.sheet and issue.cell else ""
    return f"{issue.message[:1].lower()}{issue.message[1:].rstrip('.')}{where}"


def rejected_row(table: RawTable, raw: RawRow, file: str, issues: list[Issue],
                 sheet_level: bool = False) -> RejectedRow:
    """The :class:`RejectedRow` for ``raw``, whose Issues (or its sheet's, with
    ``sheet_level``) are ``issues``: the first error says why."""
    why = next((i for i in issues if i.is_error), issues[0] if issues else None)
    if why is None:
        reason, code = "the row could not be rated", ""
    elif sheet_level:
        reason, code = f"the sheet could not be read: {_said(why)}", why.code
    else:
        reason, code = f"the row could not be rated: {_said(why)}", why.code
    row = _Row(table, raw, file)
    c = raw.cells.get("last_updated")
    return RejectedRow(
        file=file, sheet=table.sheet, row=raw.row, action_id=row.who[0] or "",
        reason=reason, code=code, cell=row.ref("action_id"),
        action=row._plain("action") or "", lead_officer=row.who[1] or "",
        last_updated=_try(parse_date, c.value) if c is not None and c.value is not None
        else None, budget=row_budget(raw))


def validate_actions(table: RawTable, file: str, config: Config, today: date,
                     vocab: Vocab | None = None
                     ) -> tuple[list[Action], list[Issue], list[RejectedRow]]:
    """Every row of an actions table → (valid Actions, all Issues, the rows not made into
    Actions). A sheet whose header cannot be used rejects every row."""
    vocab = vocab or Vocab.from_config(config)
    issues, ok = sheet_issues(table, file)
    if not ok:
        return [], issues, [rejected_row(table, raw, file, issues, sheet_level=True)
                            for raw in table.rows]
    fractions = _percent_in_fractions(table)
    actions: list[Action] = []
    rejected: list[RejectedRow] = []
    for raw in table.rows:
        action, row_issues = validate_action_row(table, raw, file, vocab, today, fractions)
        issues.extend(row_issues)
        if action is not None:
            actions.append(action)
        else:
            rejected.append(rejected_row(table, raw, file, row_issues))
    return actions, issues, rejected


# --------------------------------------------------------------------------- KPIs

_POLARITY = {
    Polarity.HIGHER: ("higherisbetter", "higher", "high", "up", "increase", "higherbetter",
                      "maximise", "more", "↑", "▲"),
    Polarity.LOWER: ("lowerisbetter", "lower", "low", "down", "decrease", "lowerbetter",
                     "reduce", "minimise", "less", "fewer", "↓", "▼"),
}
_COMPARATOR = {
    Comparator.PREVIOUS: ("previousmonth", "previous", "lastmonth", "month", "prior",
                          "previousperiod", "priorperiod", "monthly"),
    Comparator.LAST_YEAR: ("samemonthlastyear", "lastyear", "year", "annual",
                           "samemonthpreviousyear", "sameperiodlastyear", "yearonyear",
                           "previousyear"),
}


def _lookup(table: dict, text: str):
    key = word_key(text) or text.strip()
    for value, words in table.items():
        if key in words:
            return value
    return None


def _kpi_number(row: _Row, name: str, scale: bool) -> float | None:
    c = row.cell(name)
    if c is None or c.value is None:
        return None
    try:
        number = parse_number(c.value)
    except ValueError:
        row.issue("invalid-number", name, value=_shown(c.value))
        return None
    return number * 100 if scale and c.percent_format else number


def validate_kpis(table: RawTable, file: str) -> tuple[list[Kpi], list[Issue]]:
    """A KPI table (wide: one column per month; or long: period and value columns) →
    (Kpis, Issues). Rows of a long table are grouped by KPI ID."""
    issues, ok = sheet_issues(table, file)
    if not ok:
        return [], issues
    months: list[tuple[int, str]] = []
    for c, value, ref in table.month_columns:
        label = month_label(value)
        if label is None:
            issues.append(make_issue("invalid-period", file=file, sheet=table.sheet, cell=ref,
                                     value=_shown(value)))
        else:
            months.append((c, label))
    long = not months and {"period", "value"} <= set(table.columns)
    kpis: dict[str, dict] = {}
    order: list[str] = []
    for raw in table.rows:
        row = _Row(table, raw, file)
        kpi_id = row.required_text("kpi_id")
        if not kpi_id:
            issues.extend(row.issues)
            continue
        entry = kpis.get(kpi_id)
        if entry is None:
            entry = {"row": raw, "series": {}, "issues": [], "percent": False,
                     "definition": None, "cells": {}}
            kpis[kpi_id] = entry
            order.append(kpi_id)
        elif not long:
            issues.append(make_issue("duplicate-kpi-id", file=file, sheet=table.sheet,
                                     cell=row.ref("kpi_id"), field="kpi_id", value=kpi_id,
                                     detail=f"{table.sheet}!{_Row(table, entry['row'], file).ref('kpi_id')}"))
            continue
        if entry["definition"] is None and ("indicator" in raw.cells or not long):
            entry["definition"] = row
        if long:
            pc = row.cell("period")
            vc = row.cell("value")
            label = month_label(pc.value) if pc else None
            if pc is None or label is None:
                row.issue("invalid-date", "period", value=_shown(pc.value) if pc else "")
            elif vc is not None and vc.value is not None:
                try:
                    value = parse_number(vc.value)
                    entry["series"][label] = value * 100 if vc.percent_format else value
                    entry["cells"]["@" + label] = vc.ref
                    entry["percent"] |= vc.percent_format
                except ValueError:
                    row.issue("invalid-kpi-value", "value", value=_shown(vc.value),
                              detail=f"{kpi_id} {label}")
            if row is not entry["definition"]:
                issues.extend(row.issues)
        else:
            for c, label in months:
                cell = raw.cells.get(f"@{c}")
                if cell is None or cell.value is None:
                    continue
                try:
                    value = parse_number(cell.value)
                except ValueError:
                    issues.append(make_issue("invalid-kpi-value", file=file, sheet=table.sheet,
                                             cell=cell.ref, field="value",
                                             value=_shown(cell.value),
                                             detail=f"{kpi_id} {label}"))
                    continue
                entry["percent"] |= cell.percent_format
                entry["series"][label] = value * 100 if cell.percent_format else value
                entry["cells"]["@" + label] = cell.ref

    out: list[Kpi] = []
    for kpi_id in order:
        entry = kpis[kpi_id]
        row: _Row = entry["definition"] or _Row(table, entry["row"], file)
        indicator = row.required_text("indicator")
        polarity = None
        pol_text = row.text("polarity")
        if not pol_text:
            row.issue("missing-value", "polarity")
        else:
            polarity = _lookup(_POLARITY, pol_text)
            if polarity is None:
                row.issue("invalid-polarity", "polarity", value=pol_text[:100])
        comparator = Comparator.PREVIOUS
        comp_text = row.text("comparator")
        if comp_text:
            found = _lookup(_COMPARATOR, comp_text)
            if found is None:
                row.issue("invalid-comparator", "comparator", value=comp_text[:100])
            else:
                comparator = found
        outcomes: tuple[int, ...] = ()
        oc = row.cell("outcomes")
        if oc is not None and oc.value is not None:
            try:
                outcomes = parse_int_list(oc.value)
            except ValueError:
                row.issue("invalid-number", "outcomes", value=_shown(oc.value))
        target = _kpi_number(row, "target", True)
        tolerance = _kpi_number(row, "tolerance", True)
        issues.extend(row.issues)
        if row.failed or polarity is None:
            continue
        cells = {n: c.ref for n, c in row.raw.cells.items() if not n.startswith("@")}
        cells.update(entry["cells"])  # "@YYYY-MM": the cell of each month's value
        out.append(Kpi(
            kpi_id=kpi_id, indicator=indicator, polarity=polarity,
            source=SourceRef(file=file, sheet=table.sheet, row=row.raw.row, cells=cells),
            outcomes=outcomes, unit=row.text("unit"), target=target, tolerance=tolerance,
            comparator=comparator, series=tuple(sorted(entry["series"].items())),
        ))
    return out, issues
