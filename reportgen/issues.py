"""Officers' mistakes as data: the Issue record and the catalogue of Issue codes.

An :class:`Issue` says what is wrong, where (file, sheet, A1 cell, field), how bad it is,
and what to do. Checks *return or yield* Issues; they never raise them. Each code in
:data:`CATALOGUE` is stable (kebab-case) so that people and tools can filter on it.

Severity:

* ``error``   – the row (or file) cannot be rated and is left out; the run goes on.
* ``warning`` – the row is rated, but something is off.
* ``info``    – nothing is wrong with the data, but the officer should know (a file in the
  trackers folder that reportgen does not read). Counted apart from errors and warnings.

Row-level Issues carry the action ID and the lead officer of their row (when the row names
them), so a chase list can say who to ask without opening the file.

Messages are written in plain UK English and are built from the templates below, so a
message always names the bad value and the rule; the hint says how to fix it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum

from reportgen.text import visible


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.value


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in a tracker (or a whole file)."""

    code: str
    severity: Severity
    file: str
    sheet: str | None
    cell: str | None
    field: str | None
    message: str
    hint: str
    action_id: str | None = None
    officer: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def is_warning(self) -> bool:
        return self.severity is Severity.WARNING

    @property
    def is_info(self) -> bool:
        return self.severity is Severity.INFO

    def location(self) -> str:
        """``file``, ``file › sheet`` or ``file › sheet!A1`` for people to read."""
        where = self.file
        if self.sheet:
            where += f" › {self.sheet}"
            if self.cell:
                where += f"!{self.cell}"
        return where

    def as_dict(self) -> dict[str, str | None]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


@dataclass(frozen=True)
class Code:
    """A catalogue entry: default severity, a title, and templates for message and hint."""

    code: str
    severity: Severity
    title: str
    message: str
    hint: str
    level: str = "row"  # "file", "sheet", "row"


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

_CODES = [
    # --- file level -----------------------------------------------------------------
    Code("file-empty", E, "File is empty", "The file is empty (0 bytes).",
         "Save the tracker again from Excel, or remove the empty file.", "file"),
    Code("file-not-spreadsheet", E, "Not a spreadsheet",
         "The file is not a spreadsheet: its contents look like {kind}.",
         "Save the tracker as an Excel workbook (.xlsx) and replace this file.", "file"),
    Code("file-is-text", E, "Text file with a spreadsheet name",
         "The file is plain text ({kind}), not a spreadsheet, although it is named {name}.",
         "Open it in Excel and use File › Save As › Excel Workbook (.xlsx).", "file"),
    Code("file-corrupt", E, "File is damaged",
         "The file cannot be read as a {kind} workbook: {detail}.",
         "Open it in Excel; if Excel repairs it, save the repaired copy. Otherwise restore "
         "the last good version from backup or version history.", "file"),
    Code("file-password-protected", E, "Password-protected file",
         "The file is encrypted with a password, so it cannot be read.",
         "Save an unprotected copy (File › Info › Protect Workbook › Encrypt with Password, "
         "clear the password) into the workbooks folder.", "file"),
    Code("file-too-large", E, "File too large to open safely",
         "The file would expand to {detail} when opened, beyond the safety limit of {limit}.",
         "Check that this is really a tracker; remove pasted images or unused sheets and "
         "save it again.", "file"),
    Code("file-unsafe-xml", E, "Unsafe content refused",
         "Unsafe XML: the file contains XML entity or DTD declarations ({detail}), which "
         "reportgen refuses because they can be used to attack the computer reading them.",
         "Save the tracker again from Excel; if this keeps happening, tell your IT team.",
         "file"),
    Code("file-unreadable", E, "File cannot be opened",
         "The file could not be opened: {detail}.",
         "Check that the file is available offline and not locked, then run again.", "file"),
    Code("file-reader-failed", E, "Reading the file failed",
         "Reading the file stopped: {detail}.",
         "Open the file in Excel and save it again as .xlsx; if that does not help, send it "
         "to the reportgen maintainers.", "file"),
    Code("file-no-sheets", E, "Workbook has no sheets",
         "The workbook opened but contains no worksheets{detail}.",
         "Open it in Excel and save it again as an ordinary Excel Workbook (.xlsx), not "
         "'Strict Open XML'.", "file"),
    Code("file-no-tracker-sheet", E, "No tracker sheet found",
         "No sheet looks like an actions or KPI tracker (sheets seen: {detail}).",
         "Name the sheet 'Actions' or 'KPIs' and give it a header row with the usual "
         "column names (see the README).", "file"),
    Code("file-not-read", I, "File not read",
         "This file is {kind}, which reportgen does not read: it reads Excel and "
         "OpenDocument workbooks (.xlsx, .xlsm, .xls, .xlsb, .ods).",
         "If it holds a tracker or KPIs, open it and use File › Save As › Excel Workbook "
         "(.xlsx), then remove the original from the trackers folder; otherwise move it "
         "out of the folder.", "file"),
    Code("file-link-outside", E, "Link to a place outside the trackers folder",
         "The file is a link to {detail}, outside the trackers folder, so it was not read.",
         "Put the tracker itself in the trackers folder. If the folder the link leads to "
         "should be read, name it in [paths] link_targets in reportgen.toml.", "file"),
    Code("file-name-hidden-characters", E, "File name with hidden characters",
         "The file name holds hidden characters ({detail}) that can make it look like "
         "another name, so it was not read.",
         "Rename the file with ordinary letters, digits and punctuation.", "file"),
    Code("file-copy-identical", W, "Copy of another tracker",
         "The file holds the same actions as {detail}, so it is taken to be a copy and its "
         "actions are read once.",
         "Delete or move the copy you no longer use, so that only one tracker remains.",
         "file"),
    Code("file-copy-newer-wins", W, "Two copies of a tracker",
         "This {thing} and {detail} hold {value} of the same actions, so they are taken to be "
         "copies of one tracker; for each action the row with the later evidence is used "
         "(its Last updated date, then what was read last month; the file times, which "
         "sync tools rewrite, only when nothing else tells the rows apart): {newer}.",
         "Keep one copy: move the other out of the trackers folder, after copying across any "
         "updates made only in it.", "file"),
    Code("sheet-earlier-copy", I, "Earlier copy of the action table",
         "The sheet holds {value} of the same actions as the sheet '{detail}', {why}, so it "
         "is taken to be an earlier copy of that table and is not read.",
         "Nothing to do if it is kept as a record of an earlier month; to have it read "
         "instead, bring it up to date and move the other sheet out of the workbook.",
         "sheet"),
    # --- sheet level ----------------------------------------------------------------
    Code("sheet-no-header", E, "No header row",
         "No header row was found in the first {limit} rows of the sheet.",
         "Put the column names (ID, Objective, Action, Lead Officer, …) in one row above "
         "the data.", "sheet"),
    Code("sheet-unreadable", E, "Sheet skipped",
         "The sheet could not be read: {detail}.",
         "Check the sheet in Excel; the other sheets were read.", "sheet"),
    Code("sheet-too-large", E, "Sheet too large",
         "The sheet claims {detail}, beyond the limit of {limit}.",
         "Delete unused rows and columns below and to the right of the data, then save.",
         "sheet"),
    Code("missing-column", E, "Required column missing",
         "The sheet has no '{field}' column (looked for: {detail}).",
         "Add a '{label}' column to the header row.", "sheet"),
    Code("unknown-header", W, "Unrecognised column name",
         "The column heading '{value}' is not one reportgen knows; did you mean '{detail}'?",
         "Rename the heading to '{detail}' if that is what it holds.", "sheet"),
    Code("header-taken-as", W, "Column heading read as a known column",
         "The column heading '{value}' was taken as '{detail}'.",
         "Rename the heading to '{detail}' so that there is no doubt.", "sheet"),
    Code("ambiguous-header", E, "Column heading could mean two columns",
         "The column heading '{value}' could be {detail}, so it is not used.",
         "Rename the heading to the exact name of the column it holds.", "sheet"),
    Code("duplicate-column", W, "Column appears twice",
         "'{value}' appears twice in the header row; the first one ({detail}) is used.",
         "Remove or rename the second column.", "sheet"),
    # --- row level: errors -----------------------------------------------------------
    Code("missing-value", E, "Required value missing",
         "{label} is blank; every action needs one.",
         "Fill in {label} for this action.", "row"),
    Code("duplicate-action-id", E, "Action ID used twice",
         "Action ID '{value}' is also used at {detail} for a different action; IDs must be "
         "unique across all trackers, so neither row can be rated.",
         "Give one of the two actions a new ID.", "row"),
    Code("copy-undecided", E, "Copies of an action disagree",
         "Action {value} differs from its copy at {detail}, and nothing shows which row is "
         "later ({why}), so neither row is rated.",
         "Update the Last Updated date of the row that is current, or move the copy you no "
         "longer use out of the trackers folder.", "row"),
    Code("row-older-than-last-reading", E, "Row older than last month's",
         "Last updated {value} is older than the update read for this action for {period} "
         "({detail}), so this row looks like an older version and is not rated this month.",
         "If the tracker was restored from an older copy, bring the row up to date; if "
         "last month's date was a mistake, correct this row's Last Updated date to the "
         "date of its latest update.", "row"),
    Code("action-renumbered", W, "Action renumbered",
         "Action {value} has the same action text and lead officer as {detail}, which is no "
         "longer in the trackers, so it is taken to be {detail} under a new ID and keeps "
         "its history.",
         "Nothing to do if the new ID is right; otherwise change it back to {detail}.",
         "row"),
    Code("unknown-objective", E, "Unknown objective",
         "Objective '{value}' is not one of the objectives configured in reportgen.toml "
         "({detail}).",
         "Use the number of one of those objectives ({numbers}) or its exact wording; if "
         "the plan has a new objective, add it to reportgen.toml as another [[objectives]] "
         "table with its number and text, then run again.", "row"),
    Code("invalid-date", E, "Date not understood",
         "{label} '{value}' is not a date reportgen understands.",
         "Type the date as dd/mm/yyyy, e.g. 31/03/2019 (day first).", "row"),
    Code("implausible-date", E, "Date out of range",
         "{label} {value} is outside the plausible range {detail}.",
         "Check the year; type the date as dd/mm/yyyy.", "row"),
    Code("invalid-timescales", E, "Timescales not understood",
         "Timescales '{value}' could not be read as a start and an end.",
         "Write it as 'April 2017 – March 2019' or use separate Start and End Date columns.",
         "row"),
    Code("end-before-start", E, "End date before start date",
         "The end date {value} is before the start date {detail}.",
         "Correct whichever date is wrong.", "row"),
    Code("unknown-status", E, "Unknown status",
         "Status '{value}' is not one of: {detail}.",
         "Choose one of the listed statuses.", "row"),
    Code("unknown-funding-stream", W, "Unknown funding stream",
         "Funding '{value}' is not a configured funding stream ({detail}); the action is "
         "still rated, and its money is counted under 'No funding stream' until this is "
         "corrected.",
         "Use one of the funding streams in reportgen.toml, in brackets if there are "
         "several, e.g. (Integrated Care Fund) (Transformation Programme).", "row"),
    Code("invalid-percent", E, "Percentage not understood",
         "% complete '{value}'{detail} is not a number from 0 to 100.",
         "Type a whole number such as 35, or 35%.", "row"),
    Code("update-in-future", E, "Update date in the future",
         "Last updated {value} is after today ({detail}).",
         "Type the date the update was actually made.", "row"),
    # --- row level: warnings ---------------------------------------------------------
    Code("stale-update", W, "Update overdue",
         "Last updated {value}, {detail} days before {as_of}; updates are due every "
         "{limit} days.",
         "Update the progress commentary and the Last Updated date.", "row"),
    Code("complete-but-not-closed", W, "100% but not Complete",
         "% complete is 100 but the status is '{value}'.",
         "Set the status to Complete, or correct the percentage.", "row"),
    Code("closed-but-incomplete", W, "Complete but below 100%",
         "The status is Complete but % complete is {value}.",
         "Set % complete to 100, or correct the status.", "row"),
    Code("spend-over-budget", W, "Spend above budget",
         "Spend to date {value} is above the budget of {detail}.",
         "Check the figures, and explain the overspend in the commentary.", "row"),
    Code("invalid-money", W, "Amount not understood",
         "{label} '{value}' is not an amount of money of £0 or more; it is left out of "
         "the finance totals.",
         "Type the amount in pounds, e.g. 12000 or £12,000.", "row"),
    Code("money-as-text", W, "Amount typed as text",
         "{label} '{value}' is text, not a number; it is read as {detail}, but the "
         "tracker's own Excel sums leave this cell out.",
         "Type the amount as a plain number (e.g. 12000) and format the cell as currency.",
         "row"),
    Code("invalid-rag", W, "RAG not understood",
         "Officer RAG '{value}' is not Red, Amber, Green or Blue; it is ignored.",
         "Type Red, Amber, Green or Blue (or R, A, G, B).", "row"),
    Code("unknown-locality", W, "Unknown locality",
         "Locality '{value}' is not one of: {detail}.",
         "Choose one of the configured localities.", "row"),
    Code("missing-corrective-action", W, "No corrective action",
         "The action is rated {value} but has no corrective action.",
         "Say what is being done to bring it back on track.", "row"),
    Code("funding-shares-mismatch", W, "Funding shares do not add up",
         "{label} states shares that add up to {value}, not {detail}; each stream's money "
         "is split in the proportions stated.",
         "Make the shares add up to the budget (or to 100%), or give the budget the "
         "streams add up to.", "row"),
    Code("repeated-action-money", W, "Money given twice for one action",
         "{label} is {value}, and the same action under {detail} has money too, so it may "
         "be counted twice in the finance totals.",
         "Hold the action's money on one occurrence only and leave the other objectives' "
         "rows blank; if each objective really funds its own part, say so in the "
         "commentary.", "row"),
    Code("percent-typed-in-percent-cell", W, "Percent typed into a percentage cell",
         "% complete holds {value} in a cell formatted as a percentage, so Excel shows "
         "{detail}; it is read as {value}%.",
         "Type {value}% (with the % sign) so that Excel shows {value}%, or format the cell "
         "as a plain number.", "row"),
    Code("merged-cell-not-shared", W, "Merged cell over two actions",
         "{label} is blank here: the cell is merged with {detail} above, which belongs to "
         "action {value}, and one action's {what} is never given to another.",
         "Unmerge the cells (Home › Merge & Center › Unmerge Cells) and type this "
         "action's own {what}.", "row"),
    Code("rag-challenge", W, "Officer and evidence disagree",
         "The officer rates this action {value} but the evidence says {detail}.",
         "Review the rating with the lead officer before the board meets.", "row"),
    Code("formula-not-calculated", W, "Formula without a saved result",
         "{label} holds a formula whose result was never saved, so its value is unknown.",
         "Open the file in Excel and save it (Excel calculates and stores the result).",
         "row"),
    Code("control-characters", W, "Hidden characters removed",
         "{label} contained {detail} hidden control character(s), which were removed.",
         "Retype the text if it looks wrong in the report.", "row"),
    Code("invalid-email", W, "Email address not valid",
         "{label} '{value}' is not one email address: {detail}. No email is sent to it.",
         "Type one address, such as name@example.org, and nothing else in the cell (or "
         "give the officer's address in [email.officers] in reportgen.toml).", "row"),
    Code("text-truncated", W, "Text too long",
         "{label} is {value} characters long; it was cut to {limit} characters.",
         "Shorten the text in the tracker.", "row"),
    # --- the record of earlier periods (history, schedule) ---------------------------
    Code("period-missed", W, "Reporting period missed",
         "No report was produced for {value}: the schedule was not running when it fell "
         "due and its trackers were not kept, so it was not rated afterwards on later "
         "trackers.",
         "Nothing to do; changes in this report are against the last period produced.",
         "file"),
    Code("history-recovered", W, "History recovered",
         "The rating history {value} {detail}.",
         "Check the earlier periods with `reportgen history list`.", "file"),
    # --- KPIs ----------------------------------------------------------------------
    Code("duplicate-kpi-id", E, "KPI ID used twice",
         "KPI ID '{value}' is also used at {detail}; the second definition is ignored.",
         "Give each indicator its own ID.", "row"),
    Code("kpi-value-clash", E, "Two values for one month",
         "KPI '{value}' has {detail}; that month is left out until one is corrected.",
         "Correct the wrong value, or delete the month from one of the files.", "row"),
    Code("kpi-series-merged", I, "KPI series read from two files",
         "KPI '{value}' is defined the same way in {detail}, so their months are read as "
         "one series{given}.",
         "Nothing to do, unless one file should no longer be in the trackers folder.", "row"),
    Code("invalid-polarity", E, "Polarity not understood",
         "Polarity '{value}' is neither 'higher is better' nor 'lower is better'.",
         "Type 'Higher is better' or 'Lower is better'.", "row"),
    Code("invalid-number", E, "Number not understood",
         "{label} '{value}' is not a number.",
         "Type a plain number, e.g. 72.5 or 72.5%.", "row"),
    Code("invalid-comparator", W, "Comparison not understood",
         "Compare with '{value}' is neither 'previous month' nor 'same month last year'; "
         "the previous month is used.",
         "Type 'Previous month' or 'Same month last year'.", "row"),
    Code("invalid-period", W, "Month heading not understood",
         "The heading '{value}' looks like a month column but is not a month "
         "reportgen understands; its values are ignored.",
         "Use headings such as 'Apr 2018', '2018-04' or a real date.", "sheet"),
    Code("invalid-kpi-value", W, "KPI value not understood",
         "The value '{value}' for {detail} is not a number; that month is left blank.",
         "Type a plain number, or leave the cell empty.", "row"),
]

CATALOGUE: dict[str, Code] = {c.code: c for c in _CODES}

RECORD_CODES = frozenset({"history-recovered", "period-missed"})
"""Issues about the record of earlier periods (the history, missed months), not about a
tracker: the paper lists them apart, and officers' feedback leaves them out."""

FIELD_LABELS = {
    "action_id": "Action ID",
    "objective": "Objective",
    "desired_outcome": "Desired outcome",
    "action": "Action",
    "lead_officer": "Lead officer",
    "locality": "Locality",
    "funding": "Funding",
    "start": "Start date",
    "end": "End date",
    "timescales": "Timescales",
    "target_impact": "Target impact",
    "status": "Status",
    "percent_complete": "% complete",
    "officer_rag": "Officer RAG",
    "last_updated": "Last updated",
    "commentary": "Commentary",
    "corrective_action": "Corrective action",
    "decision": "Board decision needed",
    "email": "Email",
    "budget": "Budget",
    "spend_to_date": "Spend to date",
    "forecast": "Forecast",
    "kpi_id": "KPI ID",
    "indicator": "Indicator",
    "outcomes": "Outcomes",
    "unit": "Unit",
    "polarity": "Polarity",
    "target": "Target",
    "tolerance": "Tolerance",
    "comparator": "Compare with",
    "period": "Period",
    "value": "Value",
}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def make_issue(code: str, *, file: str, sheet: str | None = None, cell: str | None = None,
               field: str | None = None, severity: Severity | None = None,
               action_id: str | None = None, officer: str | None = None,
               **params: object) -> Issue:
    """Build an Issue from the catalogue, filling the templates with ``params``.

    ``label`` defaults to the human name of ``field``. Unknown codes are a programming
    error and raise ``KeyError``.
    """
    entry = CATALOGUE[code]
    # hidden characters in a value (a header, a sheet or file name) are shown, not acted on
    values = _Blank({k: ("" if v is None else visible(v)) for k, v in params.items()})
    values.setdefault("label", FIELD_LABELS.get(field or "", field or "The value"))
    values.setdefault("field", FIELD_LABELS.get(field or "", field or ""))
    values.setdefault("name", file.rsplit("/", 1)[-1])
    message = entry.message.format_map(values)
    message = message[:1].upper() + message[1:]
    return Issue(
        code=code,
        severity=severity or entry.severity,
        file=file,
        sheet=sheet,
        cell=cell,
        field=field,
        message=message,
        hint=entry.hint.format_map(values),
        action_id=action_id or None,
        officer=officer or None,
    )
