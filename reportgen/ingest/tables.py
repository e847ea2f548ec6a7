"""Find the tracker table in a sheet: header row, column mapping, data rows.

The header row is the row (within the first :data:`HEADER_SCAN_ROWS`) whose cells match
the most field aliases; title rows, logos and notes above it are ignored. Merged cells in
the data area are filled from their top-left cell (an objective, a desired outcome or a
target impact merged over the actions it groups), except an action's own words and money
(:data:`OWN_FIELDS`): merged over rows of different actions, those stay with the top row,
and the cells below are left blank and noted (``RawRow.merged_from``) rather than given
another action's text or money. Blank rows, repeated header rows (a
header copied below a page break) and banner rows ("Objective 2: …" alone on a row) are
skipped; a banner naming an objective is remembered for the rows below it.

Returns plain data (:class:`RawTable`); parsing values and judging them is validate's job.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from reportgen.ingest.reader import RawSheet, a1, col_letters
from reportgen.ingest.schema import (
    ACTION_ALIASES, ACTION_FIELDS, ACTIONS_SHEET_NAMES, KPI_ALIASES, KPI_FIELDS,
    KPI_SHEET_NAMES, normalise_header, stream_budget_header,
)
from reportgen.ingest.values import is_blank, parse_date, squash
from reportgen.model import action_key

HEADER_SCAN_ROWS = 30


@dataclass(frozen=True)
class RawCell:
    value: object
    ref: str  # A1
    percent_format: bool = False
    uncalculated: bool = False


@dataclass
class RawRow:
    row: int  # 1-based sheet row
    cells: dict[str, RawCell]
    banner_objective: str | None = None  # objective text from a banner row above
    # field → the A1 cell of a merged cell that starts on a row above, of another action,
    # whose value was not copied here (the field's cell is left blank)
    merged_from: dict[str, str] = field(default_factory=dict)


@dataclass
class RawTable:
    kind: str  # "actions" or "kpis"
    sheet: str
    header_row: int  # 1-based
    columns: dict[str, int]  # field → 0-based column
    rows: list[RawRow]
    month_columns: list[tuple[int, object, str]] = field(default_factory=list)  # (col, header value, ref)
    unknown_headers: list[tuple[str, str, str]] = field(default_factory=list)  # (text, ref, suggestion)
    duplicate_headers: list[tuple[str, str, str]] = field(default_factory=list)  # (text, ref, first ref)
    taken_headers: list[tuple[str, str, str]] = field(default_factory=list)  # (text, ref, taken as)
    ambiguous_headers: list[tuple[str, str, str]] = field(default_factory=list)  # (text, ref, choices)
    formats_known: bool = False
    stream_columns: list[tuple[int, str]] = field(default_factory=list)  # (col, stream)


_MONTH_HEADER = re.compile(
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?[\s\-/']*\d{2,4}|"
    r"\d{4}[-/]\d{1,2}|\d{1,2}/\d{4}", re.I)


def month_label(value: object) -> str | None:
    """A header cell that names a month → 'YYYY-MM'; else None."""
    if isinstance(value, (date, datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    if not isinstance(value, str):
        return None
    text = squash(value)
    if not _MONTH_HEADER.fullmatch(text):
        return None
    if m := re.fullmatch(r"(\d{4})[-/](\d{1,2})", text):
        y, mo = int(m[1]), int(m[2])
    elif m := re.fullmatch(r"(\d{1,2})/(\d{4})", text):
        mo, y = int(m[1]), int(m[2])
    else:
        try:
            d = parse_date(text)
        except ValueError:
            return None
        y, mo = d.year, d.month
    return f"{y:04d}-{mo:02d}" if 1 <= mo <= 12 else None


def looks_like_month(value: object) -> bool:
    if isinstance(value, (date, datetime)):
        return True
    return isinstance(value, str) and bool(_MONTH_HEADER.fullmatch(squash(value)))


def _match_row(keys: list[tuple[int, str]], aliases: dict[str, str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for c, key in keys:
        name = aliases.get(key)
        if name and name not in found:
            found[name] = c
    return found


def _score(matched: dict[str, int], kind: str, row: list[object]) -> int:
    if kind == "actions":
        if "action" not in matched and "action_id" not in matched:
            return 0
        return len(matched)
    if "indicator" not in matched and "kpi_id" not in matched:
        return 0
    months = sum(1 for v in row if looks_like_month(v))
    has_values = months >= 1 or "value" in matched
    return len(matched) + (2 if has_values else 0) if ("polarity" in matched or has_values) else 0


def find_header(sheet: RawSheet) -> tuple[str, int, dict[str, int]] | None:
    """(kind, 0-based header row, field → column) for the best header, or None."""
    name_key = normalise_header(sheet.name)
    best: tuple[int, str, int, dict[str, int]] | None = None
    for r, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        keys = [(c, normalise_header(v)) for c, v in enumerate(row)
                if isinstance(v, str) and v.strip() and len(v) < 200]
        if len(keys) < 3:
            continue
        for kind, aliases in (("actions", ACTION_ALIASES), ("kpis", KPI_ALIASES)):
            matched = _match_row(keys, aliases)
            score = _score(matched, kind, row)
            if score < 3:
                continue
            # a sheet named for the kind breaks ties
            bonus = 1 if name_key in (ACTIONS_SHEET_NAMES if kind == "actions"
                                      else KPI_SHEET_NAMES) else 0
            key = score * 2 + bonus
            if best is None or key > best[0]:
                best = (key, kind, r, matched)
    if best is None:
        return None
    return best[1], best[2], best[3]


OWN_FIELDS = frozenset({"action", "commentary", "corrective_action", "decision",
                        "budget", "spend_to_date", "forecast"})
"""Fields that belong to one action: a merged cell over rows of different actions is
never copied into these (its money would be counted twice, its words misattributed).
The plan's grouping fields (objective, desired outcome, target impact, lead officer,
funding, dates) are shared by the actions a merged cell spans, as the plan lays them out."""


def _fill_merged(sheet: RawSheet, header_row: int, own: frozenset[int] = frozenset(),
                 id_col: int | None = None
                 ) -> tuple[list[list[object]], dict[tuple[int, int], tuple[int, int]]]:
    """The sheet's rows with merged cells below the header filled from their top-left
    cell; and the cells left blank instead: (row, col) → the merged cell's top-left,
    for the columns ``own`` where the merge spans rows holding two or more different
    action IDs (in column ``id_col``, itself filled first)."""
    rows = sheet.rows
    if not sheet.merged:
        return rows, {}
    rows = [list(r) for r in rows]
    ranges = [((r0, c0), (r1, c1)) for (r0, c0), (r1, c1) in sheet.merged
              if header_row < r0 < len(rows) and c0 < len(rows[r0])]
    for (r0, c0), (r1, c1) in ranges:
        value = rows[r0][c0]
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(c0, min(c1, len(row) - 1) + 1):
                if (r, c) != (r0, c0):
                    row[c] = value
    blanked: dict[tuple[int, int], tuple[int, int]] = {}
    if id_col is None or not own:
        return rows, blanked
    for (r0, c0), (r1, c1) in ranges:
        last = min(r1, len(rows) - 1)
        if last == r0 or not any(c in own for c in range(c0, c1 + 1)):
            continue
        ids = {action_key(rows[r][id_col]) for r in range(r0, last + 1)
               if id_col < len(rows[r]) and not is_blank(rows[r][id_col])}
        if len(ids) < 2:
            continue  # one action over several rows: its own text may fill them
        for r in range(r0 + 1, last + 1):
            for c in range(c0, min(c1, len(rows[r]) - 1) + 1):
                if c in own:
                    rows[r][c] = None
                    blanked[(r, c)] = (r0, c0)
    return rows, blanked


def _suggest(text: str, aliases: dict[str, str], fields) -> str | None:
    key = normalise_header(text)
    if not key or len(key) < 3:
        return None
    close = difflib.get_close_matches(key, list(aliases), n=1, cutoff=0.8)
    if not close:
        return None
    field_name = aliases[close[0]]
    for spec in fields:
        if spec.name == field_name:
            for alias in spec.aliases:
                if normalise_header(alias) == close[0]:
                    return alias
            return spec.aliases[0]
    return None


def _words(text: str) -> list[str]:
    text = text.casefold().replace("%", " percent ").replace("&", " and ")
    return re.findall(r"[0-9a-z]+", text)


def _label(name: str, fields) -> str:
    return next(spec.aliases[0] for spec in fields if spec.name == name)


def header_candidates(text: str, aliases: dict[str, str], fields,
                      taken: set[str]) -> list[str]:
    """The fields (not in ``taken``) a header that is not an exact alias may stand for:

    * with any bracketed part removed it is an alias ('Lead officer (name)');
    * it contains an alias of two or more words as a phrase ('Forecast outturn 2018/19'),
      a phrase inside a longer phrase of another field not counting ('RAG status' holds
      'Status', but means the officer RAG);
    * it is a near miss of an alias by the did-you-mean rule (difflib ratio ≥ 0.8).

    One field: the header is taken as it. Two or more: it is ambiguous."""
    found: list[str] = []
    bare = normalise_header(re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text))
    if bare and aliases.get(bare):
        found.append(aliases[bare])
    words = _words(text)
    spans: list[tuple[int, int, str]] = []
    for spec in fields:
        for alias in (spec.name.replace("_", " "), *spec.aliases):
            aw = _words(alias)
            if len(aw) < 2:
                continue
            for i in range(len(words) - len(aw) + 1):
                if words[i:i + len(aw)] == aw:
                    spans.append((i, i + len(aw), spec.name))
    for i, j, name in spans:
        if not any(o != name and oi <= i and j <= oj and (oj - oi) > (j - i)
                   for oi, oj, o in spans):
            found.append(name)
    near = _suggest(text, aliases, fields)
    if near:
        found.append(aliases[normalise_header(near)])
    out: list[str] = []
    for name in found:
        if name not in taken and name not in out:
            out.append(name)
    return out


_UNIT_LIKE = re.compile(r"[£$€]?\s*(?:k|m|000s?|'000s?|thousands?|millions?|gbp|fy\s*[\d/\-–]*|"
                        r"[\d/\-–\s]+|revenue|capital|cost|costs|spend|money)", re.I)


def _unit_like(name: str) -> bool:
    """A budget header's bracketed or leading word that is a unit, year or kind of budget
    ('£k', '000', '2018/19', 'Revenue'), not a funding stream."""
    return bool(_UNIT_LIKE.fullmatch(name.strip(" :-–()")))


_BANNER_OBJECTIVE = re.compile(r"^\s*(?:local\s+)?objective\s*(\d+)\b", re.I)


def extract_table(sheet: RawSheet) -> RawTable | None:
    """The tracker table in ``sheet``, or None if there is no recognisable header."""
    found = find_header(sheet)
    if found is None:
        return None
    kind, h, columns = found
    aliases, fields = (ACTION_ALIASES, ACTION_FIELDS) if kind == "actions" else \
        (KPI_ALIASES, KPI_FIELDS)
    header = sheet.rows[h]
    table = RawTable(kind=kind, sheet=sheet.name, header_row=h + 1, columns=columns, rows=[],
                     formats_known=sheet.formats_known)
    used = set(columns.values())
    seen: dict[str, str] = {}
    for c, value in enumerate(header):
        if is_blank(value):
            continue
        ref = a1(h, c)
        if kind == "kpis" and looks_like_month(value):
            table.month_columns.append((c, value, ref))
            continue
        if c in used:
            seen.setdefault(aliases.get(normalise_header(value), ""), ref)
            continue
        text = squash(str(value))
        name = aliases.get(normalise_header(value))
        if name:  # a second column for a field already mapped
            table.duplicate_headers.append((text, ref, a1(h, columns[name])))
            continue
        choices = header_candidates(text, aliases, fields, set(columns))
        stream = stream_budget_header(text) if kind == "actions" and not choices else None
        if stream and _unit_like(stream):  # 'Budget (£k)', 'Budget 2018/19', 'Revenue Budget'
            stream = None
            if "budget" not in columns:
                choices = ["budget"]
        if stream:  # a per-stream budget column, read as "$budget:<stream>"
            table.stream_columns.append((c, stream))
            continue
        if len(choices) == 1:
            columns[choices[0]] = c
            table.taken_headers.append((text, ref, _label(choices[0], fields)))
            continue
        if len(choices) > 1:
            table.ambiguous_headers.append(
                (text, ref, " or ".join(f"'{_label(n, fields)}'" for n in choices)))
            continue
        suggestion = _suggest(text, aliases, fields)
        if suggestion:
            table.unknown_headers.append((text, ref, suggestion))

    own = frozenset(c for name, c in columns.items() if name in OWN_FIELDS) | \
        frozenset(c for c, _ in table.stream_columns)
    rows, blanked = _fill_merged(sheet, h, own if kind == "actions" else frozenset(),
                                 columns.get("action_id"))
    width = max((len(r) for r in rows), default=0)
    letters = [col_letters(c) for c in range(width)]
    header_keys = {normalise_header(v) for v in header if isinstance(v, str)}
    banner: str | None = None
    for r in range(h + 1, len(rows)):
        row = rows[r]
        cells: dict[str, RawCell] = {}
        for name, c in columns.items():
            value = row[c] if c < len(row) else None
            if value is not None and value != "" and not is_blank(value):
                cells[name] = RawCell(value, f"{letters[c]}{r + 1}",
                                      (r, c) in sheet.percent_cells,
                                      (r, c) in sheet.uncalculated)
            elif (r, c) in sheet.uncalculated:
                cells[name] = RawCell(None, a1(r, c), False, True)
        month_cells = {}
        for c, _, _ in table.month_columns:
            value = row[c] if c < len(row) else None
            if not is_blank(value) or (r, c) in sheet.uncalculated:
                month_cells[f"@{c}"] = RawCell(value, a1(r, c), (r, c) in sheet.percent_cells,
                                               (r, c) in sheet.uncalculated)
        for c, stream in table.stream_columns:
            value = row[c] if c < len(row) else None
            if not is_blank(value) or (r, c) in sheet.uncalculated:
                cells[f"$budget:{stream}"] = RawCell(value, a1(r, c), False,
                                                     (r, c) in sheet.uncalculated)
        merged_from = {name: a1(*blanked[(r, c)]) for name, c in columns.items()
                       if (r, c) in blanked}
        if not cells and not month_cells:
            continue
        # a header repeated below a page break: its key column holds a heading
        key_cell = cells.get("action_id" if kind == "actions" else "kpi_id") or \
            cells.get("action" if kind == "actions" else "indicator")
        if key_cell is not None and isinstance(key_cell.value, str) and \
                len(key_cell.value) < 60 and normalise_header(key_cell.value) in header_keys:
            continue
        if kind == "actions":
            substantive = [k for k in cells if k not in ("action_id", "objective",
                                                          "desired_outcome")]
            if len(substantive) > 1:
                table.rows.append(RawRow(row=r + 1, cells={**cells, **month_cells},
                                         banner_objective=banner, merged_from=merged_from))
                continue
            nonblank = [v for v in row if not is_blank(v)]
            if not substantive:
                # a banner ("Objective 2: …" alone on a row) or a pre-numbered empty row
                if len(nonblank) == 1 and isinstance(nonblank[0], str):
                    m = _BANNER_OBJECTIVE.match(nonblank[0])
                    banner = m.group(1) if m else banner
                continue
            if len(cells) == 1 and len(nonblank) == 1 and isinstance(nonblank[0], str) \
                    and _BANNER_OBJECTIVE.match(nonblank[0]):
                banner = _BANNER_OBJECTIVE.match(nonblank[0]).group(1)
                continue
        table.rows.append(RawRow(row=r + 1, cells={**cells, **month_cells},
                                 banner_objective=banner, merged_from=merged_from))
    return table
