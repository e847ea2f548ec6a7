"""A blank tracker workbook for lead officers (``reportgen new-tracker FILE``).

Sheets:

- **Actions**: a title row, the header row (the names reportgen reads first, see
  :data:`COLUMNS`) and :data:`BLANK_ROWS` formatted rows with drop-downs (objective,
  locality, funding, status, RAG), date checks, whole-number % complete and £ amounts.
  The header row and the ID column are frozen.
- **Instructions**: what to put in each column, in UK English, and the configured
  objectives, statuses, funding streams and localities.
- **Lists** (hidden): the values the drop-downs offer. Every drop-down refers to a range
  here rather than an inline list, because Excel refuses inline lists over 255 characters
  and funding stream names soon pass that.

For one objective (``objective=N``) the Objective column is NOT pre-filled: a number in
every blank row would make blank rows look like half-entered actions. Instead the title
reads "Objective N: …" and N is the first entry of the Objective drop-down.

The file is written to a temporary name in the same folder and moved into place; an
existing file is never overwritten. Document properties are pinned, so the same
configuration gives the same bytes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from reportgen.config import Config
from reportgen.render.cells import WORKBOOK_OPTIONS

BLANK_ROWS = 200
TITLE_ROW = 0  # 0-based rows, as XlsxWriter counts
HEADER_ROW = 1
FIRST_ROW = 2
LAST_ROW = FIRST_ROW + BLANK_ROWS - 1

RAG_VALUES = ("Red", "Amber", "Green", "Blue")
DATE_MIN = date(2000, 1, 1)
DATE_MAX = date(2100, 12, 31)
PINNED_CREATED = datetime(2018, 4, 1, 0, 0, 0)



@dataclass(frozen=True)
class Column:
    header: str
    width: float
    kind: str  # text, id, objective, list, date, percent, money
    required: bool
    help: str


COLUMNS: tuple[Column, ...] = (
    Column("ID", 10, "id", True,
           "A short reference for the action that is unique across all trackers, such as "
           "O3-07 (objective 3, action 7). Keep it the same from month to month."),
    Column("Objective", 11, "objective", True,
           "The number of the local objective the action serves: choose it from the "
           "drop-down. The objectives are listed below."),
    Column("Desired Outcome", 30, "text", False,
           "The change for people that the action is meant to bring about."),
    Column("Action", 45, "text", True,
           "What we will do, in a sentence or two that a board member can follow."),
    Column("Lead Officer", 20, "text", True,
           "The officer accountable for the action (a name, not a team)."),
    Column("Locality", 18, "locality", False,
           "The locality the action covers; leave it blank if it covers the whole "
           "partnership area."),
    Column("Funding", 28, "funding", True,
           "The funding stream: choose it from the drop-down. For two or more streams, "
           "type each in brackets, e.g. (Integrated Care Fund) (Transformation Programme)."),
    Column("Start Date", 12, "date", True,
           "When the action starts, as dd/mm/yyyy."),
    Column("End Date", 12, "date", True,
           "When the action is due to finish, as dd/mm/yyyy; not before the start date."),
    Column("Target Impact/Benefits", 35, "text", False,
           "The benefit expected, with a measure where there is one."),
    Column("Status", 14, "status", True,
           "Where the action stands: choose it from the drop-down."),
    Column("% Complete", 11, "percent", False,
           "How far through the action is, as a whole number from 0 to 100 (type 35 for "
           "35%). Leave it blank if you cannot estimate it; the action is then rated on "
           "its dates alone."),
    Column("RAG", 9, "rag", False,
           "Your own assessment: Red (off track, needs help), Amber (at risk, being "
           "managed), Green (on track) or Blue (complete). reportgen also rates each "
           "action and shows where the two differ."),
    Column("Last Updated", 13, "date", True,
           "The date you last reviewed this row, as dd/mm/yyyy. Update it every month, "
           "even when nothing else has changed."),
    Column("Progress Update", 45, "text", False,
           "What has happened since the last update, written for the board paper."),
    Column("Corrective Action", 35, "text", False,
           "What is being done to bring the action back on track. Expected whenever the "
           "RAG is Red or Amber."),
    Column("Budget (£)", 13, "money", False,
           "The budget for the action in pounds, with no £ sign needed."),
    Column("Spend to Date", 13, "money", False,
           "What has been spent so far, in pounds."),
    Column("Forecast Outturn", 14, "money", False,
           "What you expect to have spent by the end of the action or financial year, in "
           "pounds."),
)


def _objective_order(config: Config, objective: int | None) -> list[int]:
    numbers = [o.number for o in config.objectives]
    if objective is None:
        return numbers
    if config.objective(objective) is None:
        raise ValueError(f"objective {objective} is not in the configuration; configured "
                         "objectives are " + ", ".join(str(n) for n in numbers))
    return [objective] + [n for n in numbers if n != objective]


def write_blank_tracker(path: str | os.PathLike[str], config: Config,
                        objective: int | None = None) -> Path:
    """Write a blank tracker to ``path`` and return the path.

    Raises FileExistsError if ``path`` exists (it is never overwritten), ValueError if
    ``objective`` is not a configured objective. The Objective column is not pre-filled."""
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} already exists; choose another name or move it away "
                              "first (reportgen never overwrites a tracker)")
    order = _objective_order(config, objective)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix or '.xlsx'}")
    try:
        _build(tmp, config, order, objective)
        _place(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def _place(tmp: Path, path: Path) -> None:
    """Move ``tmp`` to ``path`` without overwriting: a hard link fails if ``path`` has
    appeared meanwhile; where links are unsupported, check and os.replace."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise FileExistsError(f"{path} already exists; choose another name or move it "
                              "away first (reportgen never overwrites a tracker)") from None
    except OSError:
        if path.exists():
            raise FileExistsError(f"{path} already exists; choose another name") from None
        os.replace(tmp, path)
        return
    tmp.unlink()


def _build(target: Path, config: Config, order: list[int], objective: int | None) -> None:
    wb = xlsxwriter.Workbook(str(target), WORKBOOK_OPTIONS)
    try:
        title = (f"Objective {objective}: {config.objective(objective).text}"
                 if objective is not None else
                 f"{config.partnership}: Commissioning & Implementation Plan action tracker")
        wb.set_properties({
            "title": title[:250],
            "subject": "Action tracker",
            "author": config.partnership,
            "company": config.partnership,
            "comments": "Created by reportgen new-tracker",
            "created": PINNED_CREATED,
        })
        fmt = _formats(wb)
        actions = wb.add_worksheet("Actions")
        instructions = wb.add_worksheet("Instructions")
        lists = wb.add_worksheet("Lists")
        sources = _write_lists(lists, config, order)
        lists.hide()
        _write_actions(actions, fmt, title, sources)
        _write_instructions(instructions, fmt, config, title)
        actions.activate()
    finally:
        wb.close()


def _formats(wb) -> dict:
    border = {"border": 1, "border_color": "#BFBFBF", "valign": "top"}
    return {
        "title": wb.add_format({"bold": True, "font_size": 14}),
        "header": wb.add_format({"bold": True, "text_wrap": True, "valign": "top",
                                 "bg_color": "#1F4E79", "font_color": "#FFFFFF",
                                 "border": 1}),
        "text": wb.add_format({**border, "text_wrap": True}),
        "id": wb.add_format({**border, "num_format": "@"}),
        "objective": wb.add_format({**border, "num_format": "0", "align": "center"}),
        "list": wb.add_format(border),
        "date": wb.add_format({**border, "num_format": "dd/mm/yyyy"}),
        "percent": wb.add_format({**border, "num_format": "0"}),
        "money": wb.add_format({**border, "num_format": "£#,##0.00"}),
        "heading": wb.add_format({"bold": True, "font_size": 12}),
        "bold": wb.add_format({"bold": True, "valign": "top"}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
    }


_CELL_FORMAT = {"text": "text", "id": "id", "objective": "objective", "locality": "list",
                "funding": "list", "status": "list", "rag": "list", "date": "date",
                "percent": "percent", "money": "money"}


def _write_lists(ws, config: Config, order: list[int]) -> dict[str, str]:
    """The drop-down values, one list per column; returns kind → absolute range."""
    lists = {
        "objective": ("Objective numbers", [str(n) for n in order]),
        "status": ("Status values", list(config.statuses)),
        "rag": ("RAG colours", list(RAG_VALUES)),
        "funding": ("Funding stream names", list(config.stream_names)),
        "locality": ("Locality names", list(config.localities)),
    }
    sources: dict[str, str] = {}
    for col, (kind, (heading, values)) in enumerate(lists.items()):
        ws.write_string(0, col, heading)
        for r, value in enumerate(values, start=1):
            if kind == "objective":
                ws.write_number(r, col, int(value))
            else:
                ws.write_string(r, col, value)
        if values:
            letter = xl_col_to_name(col)
            sources[kind] = f"=Lists!${letter}$2:${letter}${len(values) + 1}"
        ws.set_column(col, col, 30)
    return sources


def _write_actions(ws, fmt: dict, title: str, sources: dict[str, str]) -> None:
    ws.write_string(TITLE_ROW, 0, title, fmt["title"])
    ws.set_row(HEADER_ROW, 32)
    for c, column in enumerate(COLUMNS):
        ws.write_string(HEADER_ROW, c, column.header, fmt["header"])
        ws.set_column(c, c, column.width)
        cell_format = fmt[_CELL_FORMAT[column.kind]]
        for r in range(FIRST_ROW, LAST_ROW + 1):
            ws.write_blank(r, c, None, cell_format)
        _validate(ws, c, column, sources)
    ws.freeze_panes(FIRST_ROW, 1)
    ws.autofilter(HEADER_ROW, 0, LAST_ROW, len(COLUMNS) - 1)


def _list_rule(source: str, title: str, message: str, strict: bool = True) -> dict:
    rule = {"validate": "list", "source": source, "input_title": title[:32],
            "input_message": message[:255], "error_title": f"Not a {title.lower()}"[:32],
            "error_message": f"Choose a value from the drop-down. {message}"[:255]}
    if not strict:
        rule["error_type"] = "warning"
    return rule


def _validate(ws, c: int, column: Column, sources: dict[str, str]) -> None:
    kind = column.kind
    rule: dict | None = None
    if kind in ("objective", "status", "rag", "locality") and kind in sources:
        rule = _list_rule(sources[kind], column.header,
                          {"objective": "The number of the local objective.",
                           "status": "Not started, In progress, Complete, On hold or "
                                     "Cancelled.",
                           "rag": "Red, Amber, Green, or Blue when complete.",
                           "locality": "Leave blank if the action covers every locality."
                           }[kind])
    elif kind == "funding" and "funding" in sources:
        # a warning, not a stop: two streams are typed as "(Stream A) (Stream B)"
        rule = _list_rule(sources["funding"], "Funding",
                          "Choose the funding stream. For two or more, type each in "
                          "brackets: (Integrated Care Fund) (Transformation Programme).",
                          strict=False)
    elif kind == "date":
        rule = {"validate": "date", "criteria": "between", "minimum": DATE_MIN,
                "maximum": DATE_MAX, "input_title": column.header,
                "input_message": "Enter a date as dd/mm/yyyy, e.g. 31/03/2019.",
                "error_title": "Not a date",
                "error_message": "Enter a date between 01/01/2000 and 31/12/2100 as "
                                 "dd/mm/yyyy, e.g. 31/03/2019."}
    elif kind == "percent":
        rule = {"validate": "integer", "criteria": "between", "minimum": 0, "maximum": 100,
                "input_title": "% Complete",
                "input_message": "A whole number from 0 to 100: type 35 for 35%.",
                "error_title": "Not a whole number 0-100",
                "error_message": "Enter a whole number from 0 to 100 (35 means 35%)."}
    elif kind == "money":
        rule = {"validate": "decimal", "criteria": ">=", "value": 0,
                "input_title": column.header,
                "input_message": "An amount in pounds, 0 or more, e.g. 12500.",
                "error_title": "Not an amount",
                "error_message": "Enter an amount in pounds of 0 or more, without text."}
    if rule is not None:
        ws.data_validation(FIRST_ROW, c, LAST_ROW, c, rule)


def _write_instructions(ws, fmt: dict, config: Config, title: str) -> None:
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 12)
    ws.set_column(2, 2, 90)
    row = 0

    def line(text: str, style: str = "wrap", col: int = 0) -> None:
        nonlocal row
        ws.write_string(row, col, text, fmt[style])
        row += 1

    line("How to fill in this tracker", "title")
    line(title, "bold")
    row += 1
    for text in (
        "Put one action on each row of the Actions sheet, starting on the first row under "
        "the headings. Do not rename, reorder or delete the headings.",
        "Choose from the drop-downs where a column has one. Type dates as dd/mm/yyyy.",
        "Update every row each month, including its Last Updated date, and save the file "
        "in the trackers folder. reportgen reads the file but never changes it.",
        "If reportgen finds a problem it names the sheet and cell, e.g. Actions!K14, and "
        "what to change.",
    ):
        ws.write_string(row, 2, text, fmt["wrap"])
        row += 1
    row += 1
    line("The columns", "heading")
    ws.write_string(row, 0, "Column heading", fmt["bold"])
    ws.write_string(row, 1, "Must fill in?", fmt["bold"])
    ws.write_string(row, 2, "What to enter", fmt["bold"])
    row += 1
    for column in COLUMNS:
        ws.write_string(row, 0, column.header, fmt["bold"])
        ws.write_string(row, 1, "yes" if column.required else "no", fmt["wrap"])
        ws.write_string(row, 2, column.help, fmt["wrap"])
        row += 1
    row += 1
    line("Local objectives", "heading")
    for objective in config.objectives:
        ws.write_number(row, 0, objective.number, fmt["bold"])
        ws.write_string(row, 2, objective.text, fmt["wrap"])
        row += 1
    row += 1
    line("Status values, and other words reportgen accepts for each", "heading")
    for status, words in config.statuses.items():
        ws.write_string(row, 0, status, fmt["bold"])
        ws.write_string(row, 2, f"also accepted: {', '.join(words)}" if words else "",
                        fmt["wrap"])
        row += 1
    row += 1
    line("Funding streams", "heading")
    for stream in config.funding_streams:
        ws.write_string(row, 0, stream.name, fmt["bold"])
        ws.write_string(row, 2, f"also accepted: {', '.join(stream.aliases)}"
                        if stream.aliases else "", fmt["wrap"])
        row += 1
    if config.localities:
        row += 1
        line("Localities", "heading")
        for locality in config.localities:
            line(locality)
