"""The tracker schema: fields, whether they are required, and the header aliases seen in
real trackers (DESIGN §2). Headers are compared after :func:`normalise_header`."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldSpec:
    name: str
    aliases: tuple[str, ...]
    required: bool = False


ACTION_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("action_id", ("ID", "Ref", "Action Ref", "Action ID", "Reference", "Ref No",
                            "Action No", "Action Number", "Ref."), True),
    FieldSpec("objective", ("Objective", "Local Objective", "Objective No", "Objective Number",
                            "Strategic Objective"), True),
    FieldSpec("desired_outcome", ("Desired Outcome", "Outcome", "Desired Outcomes",
                                  "Outcomes")),
    FieldSpec("action", ("Action", "What Will We Do?", "What we will do", "Description",
                         "Action Description", "Actions"), True),
    FieldSpec("lead_officer", ("Lead Officer", "Lead", "Owner", "Responsible Officer",
                               "Action Owner", "Lead Officer(s)"), True),
    FieldSpec("email", ("Email", "E-mail", "Email address", "Lead officer email",
                        "Lead email", "Officer email", "Owner email", "Contact email")),
    FieldSpec("locality", ("Locality", "Area", "Locality Area")),
    FieldSpec("funding", ("Funding", "Funding Stream", "Source of Funding", "Funding Source",
                          "Funding Streams"), True),
    FieldSpec("start", ("Start Date", "Start", "Date Started", "Planned Start")),
    FieldSpec("end", ("End Date", "End", "Due Date", "Target Date", "Completion Date",
                      "Planned End", "Deadline")),
    FieldSpec("timescales", ("Timescales", "Timescales Start and End Date", "Timescale",
                             "Timescales (Start and End Date)", "Start and End Date")),
    FieldSpec("target_impact", ("Target Impact/Benefits", "Benefits", "Target Impact",
                                "Target Benefits", "Impact", "Expected Benefits")),
    FieldSpec("status", ("Status", "Action Status", "Current Status", "Progress Status"),
              True),
    FieldSpec("percent_complete", ("% Complete", "Progress %", "Percent Complete",
                                   "% Completed", "Percentage Complete", "Progress (%)",
                                   "Complete %", "% Progress")),
    FieldSpec("officer_rag", ("RAG", "Officer RAG", "Self-assessed RAG", "RAG Status",
                              "Self Assessed RAG", "RAG Rating", "BRAG")),
    FieldSpec("last_updated", ("Last Updated", "Date of Update", "Last Update",
                               "Date Updated", "Update Date", "Updated"), True),
    FieldSpec("commentary", ("Progress Update", "Commentary", "Comments", "Progress",
                             "Update", "Progress Commentary", "Progress Comments")),
    FieldSpec("corrective_action", ("Corrective Action", "Mitigating Actions",
                                    "Remedial Action", "Mitigation", "Corrective Actions",
                                    "Mitigating Action")),
    FieldSpec("decision", ("Board decision needed", "Decision needed", "IJB decision",
                           "Board decision", "Decision required")),
    FieldSpec("budget", ("Budget (£)", "Budget", "Allocated Budget", "Annual Budget",
                         "Budget £")),
    FieldSpec("spend_to_date", ("Spend to Date", "Spend", "Actual Spend",
                                "Spend to Date (£)", "Expenditure to Date", "Actuals")),
    FieldSpec("forecast", ("Forecast Outturn", "Forecast", "Projected Outturn",
                           "Forecast (£)", "Forecast Outturn (£)", "Outturn")),
)

KPI_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("kpi_id", ("KPI ID", "ID", "Ref", "KPI Ref", "Indicator ID", "KPI No", "KPI"),
              True),
    FieldSpec("indicator", ("Indicator", "Measure", "KPI Description", "Description",
                            "Indicator Description", "KPI Name", "Name"), True),
    FieldSpec("outcomes", ("Outcomes", "Health & Wellbeing Outcomes",
                           "Health and Wellbeing Outcomes", "HWB Outcomes",
                           "National Outcomes", "Outcome")),
    FieldSpec("unit", ("Unit", "Units", "Measure Type", "Unit of Measure")),
    FieldSpec("polarity", ("Polarity", "Good is", "Better is", "Direction",
                           "Desired Direction"), True),
    FieldSpec("target", ("Target",)),
    FieldSpec("tolerance", ("Tolerance", "Amber Tolerance", "Tolerance (+/-)")),
    FieldSpec("comparator", ("Compare With", "Comparator", "Comparison",
                             "Direction of Travel Against", "Compared With")),
    FieldSpec("period", ("Period", "Month", "Reporting Period", "Date")),
    FieldSpec("value", ("Value", "Actual", "Result")),
)

ACTIONS_SHEET_NAMES = ("actions", "actionplan", "implementationplan", "tracker",
                       "actiontracker", "plan")
KPI_SHEET_NAMES = ("kpis", "kpi", "indicators", "performance", "performanceindicators",
                   "measures")


@lru_cache(maxsize=4096)
def _normalise(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).casefold()
    s = s.replace("%", " percent ").replace("&", " and ")
    return re.sub(r"[^0-9a-z]+", "", s)


def normalise_header(text: object) -> str:
    """Lower-case letters and digits only; '%' becomes 'percent' and '&' 'and'.

    'Budget (£)' → 'budget'; '% Complete' → 'percentcomplete';
    'Timescales\\nStart\\u00a0and End Date' → 'timescalesstartandenddate'."""
    if not isinstance(text, str) or len(text) > 200:
        text = str(text)[:200]
    return _normalise(text)


def alias_index(fields: tuple[FieldSpec, ...]) -> dict[str, str]:
    """normalised alias → field name (the field's own name is an alias too)."""
    index: dict[str, str] = {}
    for spec in fields:
        for alias in (spec.name, *spec.aliases):
            index.setdefault(normalise_header(alias), spec.name)
    return index


ACTION_ALIASES = alias_index(ACTION_FIELDS)

_STREAM_BUDGET = (re.compile(r"^(?:budget|allocation)\s*(?:[:\-–(]\s*|for\s+|\s)(.+?)\)?$",
                             re.I),
                  re.compile(r"^(.+?)\s*(?:\(£\)\s*)?(?:budget|allocation)(?:\s*\(£\))?$", re.I))
_NOT_A_STREAM = {"", "annual", "allocated", "total", "original", "revised", "agreed",
                 "approved", "current", "full", "year", "fullyear", "wholelife", "recurring",
                 "nonrecurring", "action", "overall"}


def stream_budget_header(text: object) -> str | None:
    """The funding stream a per-stream budget column names: 'Budget: ICF', 'Budget (Core
    Funding)', 'ICF budget' → 'ICF', 'Core Funding'; None for any other header ('Budget',
    'Annual Budget', 'Total budget'). Which streams exist is the configuration's: the
    validator reads only columns naming a configured stream."""
    if not isinstance(text, str) or len(text) > 200:
        return None
    t = " ".join(text.replace("£", " ").split()).strip(" ()")
    for pattern in _STREAM_BUDGET:
        m = pattern.match(t)
        if m:
            name = m.group(1).strip(" :-–()")
            return None if _normalise(name) in _NOT_A_STREAM else name
    return None
KPI_ALIASES = alias_index(KPI_FIELDS)
