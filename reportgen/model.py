"""The records that flow through reportgen: frozen dataclasses, no I/O.

Stages hand these to each other::

    ingest  ─▶ RawSheet rows ─▶ validate ─▶ Action, Kpi (+ Issues)
    rate    ─▶ ActionRating, FinanceRating, StreamFinance, KpiResult, Changes
    pipeline─▶ RatedRun (everything a renderer needs, in one place)

Nothing here reads files, looks at the clock or prints.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Mapping

from reportgen.issues import Issue

# --------------------------------------------------------------------------- periods


@dataclass(frozen=True, order=True)
class Period:
    """A reporting month. ``as_of`` is its last day."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1900 <= self.year <= 9999:
            raise ValueError(f"not a month: {self.year}-{self.month}")

    @classmethod
    def parse(cls, text: str) -> "Period":
        """``'2018-09'`` → Period(2018, 9). Raises ValueError with a readable message."""
        m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text or "")
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise ValueError(f"'{text}' is not a period; write it as YYYY-MM, e.g. 2018-09")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: date) -> "Period":
        return cls(day.year, day.month)

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def name(self) -> str:
        """'September 2018'."""
        return f"{calendar.month_name[self.month]} {self.year}"

    @property
    def as_of(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def shift(self, months: int) -> "Period":
        index = self.year * 12 + (self.month - 1) + months
        return Period(index // 12, index % 12 + 1)

    def previous(self) -> "Period":
        return self.shift(-1)

    def __str__(self) -> str:
        return self.label


# --------------------------------------------------------------------------- vocabularies


class Status(str, Enum):
    NOT_STARTED = "Not started"
    IN_PROGRESS = "In progress"
    COMPLETE = "Complete"
    ON_HOLD = "On hold"
    CANCELLED = "Cancelled"

    def __str__(self) -> str:
        return self.value


class Rag(str, Enum):
    """Every colour a rating can take, and everything about a colour that an output shows:
    its order, its word, its meaning, its shape and its colours. Officers may use only
    RED/AMBER/GREEN/BLUE."""

    RED = "Red"
    AMBER = "Amber"
    GREEN = "Green"
    BLUE = "Blue"  # complete
    GREY = "Grey"  # not yet due
    CANCELLED = "Cancelled"  # shown apart, not rated

    def __str__(self) -> str:
        return self.value

    @classmethod
    def worst_first(cls) -> tuple["Rag", ...]:
        """Every rating in the order outputs list them: Red, Amber, Green, Blue, Grey,
        Cancelled."""
        return _ORDER

    @classmethod
    def counted(cls) -> tuple["Rag", ...]:
        """The ratings counted as rated, worst first (Cancelled is shown apart)."""
        return _ORDER[:-1]

    @property
    def rank(self) -> int:
        """How bad the rating is, worst highest, one total order: Red 3, Amber 2, Green 1,
        Blue 0, Grey -1, Cancelled -2. The rating of an action the plan repeats is the
        highest-ranked of its occurrences."""
        return _RANK[self]

    @property
    def severity(self) -> int:
        """:attr:`rank` for the ratings that compare with each other (Red, Amber, Green,
        Blue); -1 for Grey and Cancelled, which are neither better nor worse than any."""
        return self.rank if self.rank >= 0 else -1

    @property
    def word(self) -> str:
        """The rating as a key or a table names it: "Blue (complete)"."""
        return _WORDS.get(self, self.value)

    @property
    def meaning(self) -> str:
        """The rating in a few words, for a table of counts."""
        return _MEANINGS[self]

    @property
    def shape(self) -> str:
        """A shape shown beside the word, so colour is never alone: ▲ ◆ ● ★ ○ ✕."""
        return _SHAPES[self]

    @property
    def fill(self) -> str:
        """The fill of a Word or Excel cell, hex RGB without '#'."""
        return _COLOURS[self][0]

    @property
    def ink(self) -> str:
        """The text colour on :attr:`fill`."""
        return _COLOURS[self][1]

    @property
    def chart_fill(self) -> str:
        """The fill of a bar in a printed chart: :attr:`fill`, but a lighter Grey (a bar
        has no word beside it to tell Grey from Amber in black-and-white print)."""
        return "E9E9E9" if self is Rag.GREY else self.fill

    @property
    def web_fill(self) -> str:
        """The fill of a bar on the dashboard page: darker, for a contrast of 3:1 or more
        against white."""
        return _WEB_FILLS[self]


_ORDER = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE, Rag.GREY, Rag.CANCELLED)
_RANK = {Rag.RED: 3, Rag.AMBER: 2, Rag.GREEN: 1, Rag.BLUE: 0, Rag.GREY: -1,
         Rag.CANCELLED: -2}
_WORDS = {Rag.BLUE: "Blue (complete)", Rag.GREY: "Grey (not yet due)"}
_MEANINGS = {
    Rag.RED: "Overdue, or well behind plan",
    Rag.AMBER: "Behind plan, or on hold",
    Rag.GREEN: "On track",
    Rag.BLUE: "Complete",
    Rag.GREY: "Not yet due to start",
    Rag.CANCELLED: "Cancelled: not rated",
}
_SHAPES = {Rag.RED: "▲", Rag.AMBER: "◆", Rag.GREEN: "●", Rag.BLUE: "★", Rag.GREY: "○",
           Rag.CANCELLED: "✕"}
_COLOURS = {
    Rag.RED: ("C00000", "FFFFFF"),
    Rag.AMBER: ("FFC000", "000000"),
    Rag.GREEN: ("00B050", "000000"),
    Rag.BLUE: ("0070C0", "FFFFFF"),
    Rag.GREY: ("D9D9D9", "000000"),  # apart from Amber and Cancelled in greyscale print
    Rag.CANCELLED: ("F2F2F2", "595959"),
}
_WEB_FILLS = {Rag.RED: "C00000", Rag.AMBER: "B35C00", Rag.GREEN: "00703C",
              Rag.BLUE: "0B5CAD", Rag.GREY: "6B6B6B", Rag.CANCELLED: "8A8A8A"}


class Polarity(str, Enum):
    HIGHER = "higher"  # higher is better
    LOWER = "lower"  # lower is better

    def __str__(self) -> str:
        return self.value


class Comparator(str, Enum):
    PREVIOUS = "previous"  # previous period
    LAST_YEAR = "last-year"  # same period last year

    def __str__(self) -> str:
        return self.value


class Direction(str, Enum):
    IMPROVING = "improving"
    WORSENING = "worsening"
    NO_CHANGE = "no change"

    def __str__(self) -> str:
        return self.value

    @property
    def arrow(self) -> str:
        return {"improving": "▲", "worsening": "▼", "no change": "►"}[self.value]


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a record came from: file (relative to the workbooks folder), sheet, row, and
    the A1 reference of each field's cell."""

    file: str
    sheet: str
    row: int
    cells: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    def cell(self, field_name: str) -> str | None:
        return self.cells.get(field_name)


_ID_PARTS = re.compile(r"[^\W\d_]+|\d+")


def action_key(action_id: object) -> str:
    """The identity of an action ID (or KPI ID): compared without case, spaces, dashes or
    other punctuation, and without leading zeros in its numbers, so that 'O2-3', 'O2-03',
    'O2-003' and 'o2 03' are one action ('o-2-3'). The boundary between two numbers is
    kept: 'O2-3' is not 'O23' ('o-23'). An ID with no letter or digit is its stripped,
    case-folded text. The tracker's own spelling is what is shown; this key only
    matches."""
    text = unicodedata.normalize("NFKC", str(action_id)).casefold()
    parts = _ID_PARTS.findall(text)
    if not parts:
        return text.strip()
    return "-".join((p.lstrip("0") or "0") if p.isdigit() else p for p in parts)


@dataclass(frozen=True, slots=True)
class Action:
    """One validated tracker row. Dates are real dates; money in pounds (float, ≥ 0);
    ``percent_complete`` 0–100 or None; funding is a tuple of configured stream names."""

    action_id: str
    objective: int
    action: str
    lead_officer: str
    funding: tuple[str, ...]
    start: date
    end: date
    status: Status
    last_updated: date
    source: SourceRef
    desired_outcome: str = ""
    locality: str | None = None
    target_impact: str = ""
    percent_complete: float | None = None
    officer_rag: Rag | None = None
    commentary: str = ""
    corrective_action: str = ""
    budget: float | None = None
    spend_to_date: float | None = None
    forecast: float | None = None
    decision: str = ""  # what the tracker asks the Board to decide ("Yes", or in words)
    # each funding stream's share of the money as the tracker states it (fractions adding
    # to 1, in ``funding`` order); empty when not stated, and the money is split equally
    funding_shares: tuple[float, ...] = ()
    email: str = ""  # the lead officer's address, from an optional "Email" column
    # the IDs the action had in earlier periods, newest first, when it was renumbered
    # (set by the plan register, never read from a tracker), so it keeps its history
    former_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Kpi:
    """One indicator with its monthly series, oldest first: ((\"2018-04\", 72.5), …)."""

    kpi_id: str
    indicator: str
    polarity: Polarity
    source: SourceRef
    outcomes: tuple[int, ...] = ()
    unit: str = ""
    target: float | None = None
    tolerance: float | None = None
    comparator: Comparator = Comparator.PREVIOUS
    series: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class SourceFile:
    """Provenance of one file looked at in a run, read or refused."""

    path: str  # relative to the workbooks folder (or as given)
    size: int
    modified: datetime | None
    sha256: str
    kind: str  # "xlsx", "xlsm", "xls", "xlsb", "ods", or what it turned out to be
    sheets: tuple[str, ...] = ()  # sheets read as actions or KPIs
    rows_read: int = 0
    actions: int = 0
    kpis: int = 0
    refused: str | None = None  # Issue code when the file was refused as a whole
    # the lead officers its rows name, in the order first met: every row read, whether
    # or not it was used (a copy set aside, a rejected row), so that a note about the
    # file can go to the officers who keep it
    officers: tuple[str, ...] = ()


# --------------------------------------------------------------------------- ratings


@dataclass(frozen=True, slots=True)
class FinanceRating:
    """Budget vs forecast for one action or one funding stream.

    ``variance`` = forecast − budget (positive = overspend). ``rag`` is None when there
    is no budget to compare against."""

    budget: float | None
    spend_to_date: float | None
    forecast: float | None
    variance: float | None
    rag: Rag | None
    underspend: bool = False
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ActionRating:
    """The rating of one action for one period, with its reasons in words."""

    action_id: str
    computed: Rag
    reported: Rag
    officer: Rag | None = None
    expected_percent: float | None = None
    actual_percent: float | None = None
    slippage: float | None = None  # points behind plan, or actual÷expected (ratio model)
    dates_only: bool = False  # rated without % complete
    stale: bool = False  # update overdue
    challenge: bool = False  # officer and computed two or more steps apart
    reasons: tuple[str, ...] = ()
    finance: FinanceRating | None = None
    # Set when the action was not updated this month and its last stored rating is
    # carried forward (the plan register, DESIGN 4a): the period it comes from, and why.
    carried_from: str | None = None
    not_updated: str | None = None  # "tracker could not be read: ..." (plain words)

    @property
    def updated(self) -> bool:
        return self.carried_from is None


@dataclass(frozen=True, slots=True)
class Allocation:
    """One action's share of its money in one funding stream, in whole pennies (the
    leftover pennies to the first stream named): the share the tracker states, or an
    equal split. ``share`` is the share alone ("1 of 2", "60%"); ``basis`` is "stated",
    "assumed" (equal split across several streams) or "single" (one stream has all of
    it)."""

    action_id: str
    objective: int
    stream: str
    share: str  # "1 of 2", "60%"
    budget: float | None
    spend: float | None
    forecast: float | None
    basis: str = "assumed"

    @property
    def described(self) -> str:
        """The share with its basis in words: "60% stated", "1 of 2 (equal split,
        assumed)", "1 of 1"."""
        if self.basis == "stated":
            return f"{self.share} stated"
        if self.basis == "assumed":
            return f"{self.share} (equal split, assumed)"
        return self.share

    @property
    def variance(self) -> float | None:
        if self.budget is None or self.forecast is None:
            return None
        return round(self.forecast - self.budget, 2)


@dataclass(frozen=True, slots=True)
class StreamFinance:
    """Finance for one funding stream (or objective) across actions."""

    stream: str
    actions: int
    rating: FinanceRating


@dataclass(frozen=True, slots=True)
class SpcSignal:
    rule: str  # "beyond-limit", "run", "trend", "two-of-three"
    description: str  # in words, for the report
    periods: tuple[str, ...]  # the months in the signal, 'YYYY-MM'
    kind: str  # "improvement" or "concern", judged by polarity ("neutral" kept for old data)


@dataclass(frozen=True, slots=True)
class SpcPhase:
    """One stretch of the chart with its own mean and limits: the whole series, or the
    months before and from a month set in ``[spc.recalculate]``."""

    start: str
    end: str
    centre: float
    lower: float
    upper: float
    mean_moving_range: float
    points: int


@dataclass(frozen=True, slots=True)
class SpcResult:
    centre: float  # the mean and limits of the latest phase
    lower: float
    upper: float
    mean_moving_range: float
    points: int
    signals: tuple[SpcSignal, ...] = ()
    phases: tuple[SpcPhase, ...] = ()  # empty: one phase, the figures above
    recalculated_from: str | None = None  # 'YYYY-MM' when limits were recalculated

    @property
    def summary(self) -> str:
        text = ("; ".join(s.description for s in self.signals) if self.signals
                else "common-cause variation only (no signal)")
        if self.recalculated_from:
            text += (f"; limits recalculated from {Period.parse(self.recalculated_from).name} "
                     "(a change to the process)")
        return text


@dataclass(frozen=True, slots=True)
class KpiResult:
    kpi_id: str
    latest_period: str | None
    latest: float | None
    rag: Rag | None
    direction: Direction | None = None  # follows the SPC reading when there are limits
    compared_with: str | None = None  # the period the direction compares against
    previous: float | None = None
    spc: SpcResult | None = None
    reasons: tuple[str, ...] = ()
    variation: str | None = None  # "improvement", "concern", "common cause" (with limits)
    assurance: str | None = None  # "met", "not met", "hit and miss" (target and limits)
    sentence: str = ""  # the reading for board members, in words


@dataclass(frozen=True)
class Changes:
    """What changed since the previous stored period (all tuples of action IDs)."""

    previous_period: str | None = None
    newly_red: tuple[str, ...] = ()
    improved: tuple[str, ...] = ()
    worsened: tuple[str, ...] = ()
    newly_complete: tuple[str, ...] = ()
    new: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    # what the last stored period knew of each removed action: ID -> (action, lead officer)
    removed_names: Mapping[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NotUpdated:
    """The plan's actions from one tracker file that were not updated this month."""

    file: str  # the tracker file as shown to users ("" when no file is known)
    reason: str  # plain words: "the tracker could not be read (the file is damaged)"
    action_ids: tuple[str, ...]
    budget: float = 0.0  # their last known budgets added up


def repeat_key(action_id: str, repeats: Mapping[str, tuple[str, ...]]) -> str:
    """The one key of an action the plan repeats under several objectives (``repeats``:
    RatedRun.repeats, an action ID -> the other IDs of the same action): its smallest ID
    as plain text, the same for every occurrence; the action's own ID when it is not
    repeated. Every count of distinct actions groups rows by it."""
    return min((action_id, *repeats[action_id])) if action_id in repeats else action_id


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A tracker row (or a whole file) looked at this month that is in no count and no
    total: a row that could not be rated and whose action is not carried forward from
    an earlier period (a first run, or an action new this month), or a file that could
    not be read. ``budget`` is the money the row carries as far as its cells can be read
    (None when there is none or it cannot be known, as for a file not read)."""

    file: str
    reason: str  # plain words: "the objective '4' is not one configured in reportgen.toml"
    sheet: str | None = None
    row: int | None = None
    action_id: str | None = None  # as typed in the tracker
    budget: float | None = None
    code: str = ""  # the Issue code that says why

    @property
    def is_file(self) -> bool:
        return self.row is None


@dataclass(frozen=True)
class Coverage:
    """How much of the plan this month's data cover (DESIGN 4a)."""

    plan_actions: int  # every action of the plan: read this month + carried forward
    not_updated: tuple[NotUpdated, ...] = ()
    previous_period: str | None = None  # the last stored period before this one
    # the periods the carried ratings come from, oldest first (a tracker missing for two
    # months carries ratings older than previous_period)
    from_periods: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.not_updated

    @property
    def carried(self) -> int:
        return sum(len(n.action_ids) for n in self.not_updated)

    @property
    def updated(self) -> int:
        return self.plan_actions - self.carried

    @property
    def from_names(self) -> str:
        """The periods the carried ratings come from in words: "September 2018", or
        "August 2018 and September 2018" (the previous period when none is recorded)."""
        labels = self.from_periods or ((self.previous_period,) if self.previous_period
                                       else ())
        names = [Period.parse(label).name for label in labels] or ["the last stored period"]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    @property
    def carried_budget(self) -> float:
        return round(sum(n.budget for n in self.not_updated), 2)

    def distinct(self, repeats: Mapping[str, tuple[str, ...]]) -> tuple[int, int] | None:
        """(carried, plan) with an action the plan repeats under several objectives
        counted once (``repeats``: RatedRun.repeats); None when the plan repeats none, so
        that rows and actions are the same count."""
        if not repeats:
            return None

        def distinct_of(ids: set[str]) -> int:
            groups = {repeat_key(a, repeats) for a in ids if a in repeats}
            return sum(1 for a in ids if a not in repeats) + len(groups)

        carried = {a for n in self.not_updated for a in n.action_ids}
        all_groups = {repeat_key(a, repeats) for a in repeats}
        plan = self.plan_actions - len(repeats) + len(all_groups)
        return distinct_of(carried), plan


@dataclass(frozen=True)
class RatedRun:
    """Everything the renderers need for one period."""

    period: Period
    as_of: date
    actions: tuple[Action, ...]
    ratings: Mapping[str, ActionRating]
    kpis: tuple[Kpi, ...]
    kpi_results: Mapping[str, KpiResult]
    finance_by_stream: tuple[StreamFinance, ...]
    finance_by_objective: tuple[StreamFinance, ...]
    changes: Changes
    previous_rags: Mapping[str, Rag]  # last period's reported RAG per action
    trend: Mapping[str, tuple[tuple[str, Rag], ...]]  # action → ((period, RAG), …) oldest first
    issues: tuple[Issue, ...]
    sources: tuple[SourceFile, ...]
    slippage_model: str = "points"
    # every action x funding stream share of the money (cancelled actions left out)
    allocations: tuple[Allocation, ...] = ()
    finance_total: FinanceRating | None = None  # all streams together
    next_update: str = ""  # "the October 2018 report, due 07/11/2018 09:00"
    coverage: Coverage | None = None  # None: nothing to compare with (no stored period)
    # the same action repeated under several objectives (reportgen.rate.cross_cutting):
    # action ID -> the IDs of its other occurrences, in natural order; absent when single
    repeats: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # what was looked at this month but is in no count or total (DESIGN 4a), on a first
    # run as on later ones: rows that could not be rated and are not carried forward,
    # and files that could not be read; each with the budget it carries where known
    left_out: tuple[LeftOut, ...] = ()
    # the last stored period's records of the plan's actions (each under the ID this run
    # shows it by), for the money's movement since then; None when no earlier period is
    # stored, or it was stored without records (by an older reportgen)
    previous_actions: tuple[Action, ...] | None = None
