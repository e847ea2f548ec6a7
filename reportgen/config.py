"""reportgen.toml → one frozen :class:`Config`.

The file is read once, with tomllib, and checked key by key against :data:`SCHEMA`.
Any wrong key or value raises :class:`~reportgen.errors.ConfigError` with a one-line
message naming the file, the key and what is allowed. Paths are resolved relative to the
file's folder. Nothing else in reportgen reads the file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from reportgen.address import AddressError, AddressProblem, parse_address
from reportgen.errors import ConfigError

DEFAULT_STATUSES: dict[str, tuple[str, ...]] = {
    "Not started": ("Not yet started", "Planned"),
    "In progress": ("Ongoing", "Underway", "On track", "Started"),
    "Complete": ("Completed", "Done", "Closed"),
    "On hold": ("Paused", "Suspended"),
    "Cancelled": ("Canceled", "Withdrawn"),
}


@dataclass(frozen=True)
class Objective:
    number: int
    text: str


@dataclass(frozen=True)
class FundingStream:
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Paths:
    workbooks: Path
    output: Path
    template: Path
    history: Path
    # folders outside the workbooks folder that a link in it may lead to; a link that
    # leads anywhere else is refused, never read ([paths] link_targets)
    link_targets: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Thresholds:
    slippage_model: str = "points"
    points_amber: float = 10.0
    points_red: float = 25.0
    ratio_amber: float = 0.90
    ratio_red: float = 0.70
    stale_days: int = 45
    reported_rag: str = "worse-of"
    challenge_steps: int = 2
    finance_red_percent: float = 5.0
    finance_red_pounds: float = 100_000.0
    underspend_percent: float = 10.0


@dataclass(frozen=True)
class Spc:
    min_points: int = 12
    run_length: int = 7
    trend_length: int = 6
    beyond_limit: bool = True
    two_of_three: bool = True
    # (KPI ID, 'YYYY-MM'): the mean and limits are worked out separately before and from
    # that month, for a known change to the process ([spc.recalculate] "KPI-03" = "2018-01")
    recalculate: tuple[tuple[str, str], ...] = ()

    def recalculate_from(self, kpi_id: str) -> str | None:
        """The month the KPI's limits are recalculated from, or None."""
        for key, month in self.recalculate:
            if key.strip().casefold() == kpi_id.strip().casefold():
                return month
        return None


@dataclass(frozen=True)
class Schedule:
    working_day: int = 5
    time: str = "09:00"
    subdivision: str = "SCT"
    closures: tuple[date, ...] = ()


@dataclass(frozen=True)
class Report:
    title: str = "Commissioning & Implementation Plan: Monitoring Report"
    report_by: str = ""
    author: str = ""
    contact: str = ""
    agenda_item: str = ""
    meeting_date: str = ""
    body_pages: int = 8  # the paper's body (before Appendix A) fits this many A4 pages
    pdf: bool = True  # also write the paper as a tagged PDF where LibreOffice is installed


@dataclass(frozen=True)
class Finance:
    """What the finance figures are: the budget period ("2018/19", "whole life") and
    where the figures come from. A missing period is a configuration warning, and the
    paper says "budget period not stated"."""

    period: str = ""
    source: str = ""


@dataclass(frozen=True)
class Email:
    """[email]: the relay and the address book (reportgen.mail). The password is never
    here: it comes from the environment variable REPORTGEN_SMTP_PASSWORD."""

    send: bool = False  # False: write the outbox only
    host: str = ""
    port: int = 587
    security: str = "starttls"  # "starttls", "ssl" or "none"
    username: str = ""
    sender: str = ""
    board: tuple[str, ...] = ()
    team: tuple[str, ...] = ()
    remind_days: int = 5
    officers: tuple[tuple[str, str], ...] = ()  # (name as in trackers, address)
    timeout_s: float = 30.0
    retries: int = 2
    # addresses in the file that are not exactly one valid address: not used (that person
    # gets no message), and said by the email step (console, team, delivery.json)
    address_problems: tuple[AddressProblem, ...] = ()


@dataclass(frozen=True)
class Links:
    """[links]: where feedback hyperlinks point. ``base`` (e.g. the SharePoint folder's
    address) + the tracker's file name; empty: the tracker's absolute path."""

    base: str = ""


@dataclass(frozen=True)
class Limits:
    """Safety limits for reading untrusted files."""

    max_file_mb: float = 100.0
    max_uncompressed_mb: float = 200.0
    max_compression_ratio: float = 100.0
    max_cells: int = 2_000_000
    max_rows: int = 100_000
    max_columns: int = 500
    reader_timeout_s: float = 60.0
    reader_memory_mb: int = 2048


@dataclass(frozen=True)
class RunSettings:
    """How the monthly cycle treats an incomplete month (DESIGN 4a)."""

    require_complete: bool = False  # stop before writing anything when not complete


@dataclass(frozen=True)
class OutputSettings:
    """How many earlier sets of a period's outputs to keep (previous/, previous-2/, …)."""

    keep_generations: int = 3


@dataclass(frozen=True)
class HistorySettings:
    """How many backups of the history file to keep (output/history-backups/)."""

    backups: int = 3


@dataclass(frozen=True)
class Config:
    partnership: str
    board: str
    objectives: tuple[Objective, ...]
    localities: tuple[str, ...]
    funding_streams: tuple[FundingStream, ...]
    statuses: dict[str, tuple[str, ...]]
    paths: Paths
    thresholds: Thresholds = field(default_factory=Thresholds)
    spc: Spc = field(default_factory=Spc)
    schedule: Schedule = field(default_factory=Schedule)
    report: Report = field(default_factory=Report)
    finance: Finance = field(default_factory=Finance)
    limits: Limits = field(default_factory=Limits)
    run: RunSettings = field(default_factory=RunSettings)
    output: OutputSettings = field(default_factory=OutputSettings)
    history: HistorySettings = field(default_factory=HistorySettings)
    email: Email = field(default_factory=Email)
    links: Links = field(default_factory=Links)
    source: Path | None = None

    def objective(self, number: int) -> Objective | None:
        for obj in self.objectives:
            if obj.number == number:
                return obj
        return None

    @property
    def stream_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.funding_streams)


# --------------------------------------------------------------------------- schema

# A key's spec: (type, default, check) where check(value) returns an error text or None.
def _one_of(*allowed: str):
    return lambda v: None if v in allowed else "one of " + ", ".join(f'"{a}"' for a in allowed)


def _between(lo: float, hi: float):
    return lambda v: None if lo <= v <= hi else f"a number from {lo:g} to {hi:g}"


def _positive(v: float) -> str | None:
    return None if v > 0 else "a number above 0"


def _hhmm(v: str) -> str | None:
    return None if re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", v) else 'a time "HH:MM", e.g. "09:00"'


_SECTIONS: dict[str, dict[str, tuple[type, Any]]] = {
    "paths": {**{k: (str, None) for k in ("workbooks", "output", "template", "history")},
              "link_targets": (list, None)},
    "thresholds": {
        "slippage_model": (str, _one_of("points", "ratio")),
        "points_amber": (float, _between(0, 100)),
        "points_red": (float, _between(0, 100)),
        "ratio_amber": (float, _between(0, 1)),
        "ratio_red": (float, _between(0, 1)),
        "stale_days": (int, _between(1, 3660)),
        "reported_rag": (str, _one_of("worse-of", "computed", "officer")),
        "challenge_steps": (int, _between(1, 3)),
        "finance_red_percent": (float, _between(0, 1000)),
        "finance_red_pounds": (float, _between(0, 1e12)),
        "underspend_percent": (float, _between(0, 100)),
    },
    "spc": {
        "min_points": (int, _between(4, 1000)),
        "run_length": (int, _between(3, 100)),
        "trend_length": (int, _between(3, 100)),
        "beyond_limit": (bool, None),
        "two_of_three": (bool, None),
        "recalculate": (dict, None),
    },
    "schedule": {
        "working_day": (int, _between(1, 20)),
        "time": (str, _hhmm),
        "subdivision": (str, _one_of("SCT", "ENG", "WLS", "NIR")),
        "closures": (list, None),
    },
    "report": {**{k: (str, None) for k in
                  ("title", "report_by", "author", "contact", "agenda_item",
                   "meeting_date")},
               "body_pages": (int, _between(4, 100)), "pdf": (bool, None)},
    "finance": {"period": (str, None), "source": (str, None)},
    "email": {
        "send": (bool, None),
        "host": (str, None),
        "port": (int, _between(1, 65535)),
        "security": (str, _one_of("starttls", "ssl", "none")),
        "username": (str, None),
        "sender": (str, None),
        "board": (list, None),
        "team": (list, None),
        "remind_days": (int, _between(0, 20)),
        "officers": (dict, None),
        "timeout_s": (float, _positive),
        "retries": (int, _between(0, 10)),
    },
    "links": {"base": (str, None)},
    "limits": {
        "max_file_mb": (float, _positive),
        "max_uncompressed_mb": (float, _positive),
        "max_compression_ratio": (float, _positive),
        "max_cells": (int, _positive),
        "max_rows": (int, _positive),
        "max_columns": (int, _positive),
        "reader_timeout_s": (float, _positive),
        "reader_memory_mb": (int, _between(256, 1 << 20)),
        "workers": (int, _between(0, 64)),
    },
    "run": {
        "require_complete": (bool, None),
    },
    "output": {"keep_generations": (int, _between(1, 100))},
    "history": {"backups": (int, _between(1, 1000))},
}

_TOP = {"partnership", "board", "localities", "objectives", "funding_streams", "statuses",
        *_SECTIONS}


class _Checker:
    def __init__(self, path: Path):
        self.path = path

    def fail(self, key: str, expected: str, got: Any = None) -> ConfigError:
        shown = "" if got is None else f", not {got!r}"
        return ConfigError(f"{self.path}: '{key}' must be {expected}{shown}")

    def typed(self, key: str, value: Any, kind: type) -> Any:
        names = {str: "text in quotes", int: "a whole number", float: "a number",
                 bool: "true or false", list: "a list [ … ]",
                 dict: "a table of name = value lines"}
        if kind is dict and key == "spc.recalculate":
            names[dict] = "a table of KPI ID = \"YYYY-MM\""
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, bool) and kind is not bool:
            raise self.fail(key, names[kind], value)
        if not isinstance(value, kind):
            raise self.fail(key, names[kind], value)
        return value

    def section(self, name: str, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(name, "a table [" + name + "]", data)
        spec = _SECTIONS[name]
        out: dict[str, Any] = {}
        for key, value in data.items():
            full = f"{name}.{key}"
            if key not in spec:
                raise ConfigError(f"{self.path}: unknown key '{full}'; allowed keys in "
                                  f"[{name}] are: {', '.join(spec)}")
            kind, check = spec[key]
            value = self.typed(full, value, kind)
            if check is not None:
                problem = check(value)
                if problem:
                    raise self.fail(full, problem, value)
            out[key] = value
        return out


def _text(checker: _Checker, key: str, value: Any) -> str:
    value = checker.typed(key, value, str)
    if not value.strip():
        raise checker.fail(key, "non-empty text", value)
    return value.strip()


def load_config(path: str | Path) -> Config:
    """Read and check ``path``; return the Config. Raises ConfigError on any problem."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found (run reportgen from the "
                          "project folder, or pass --config FILE)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the configuration file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return config_from_dict(raw, path)


def config_from_dict(raw: dict[str, Any], path: Path) -> Config:
    """Check a parsed TOML document; ``path`` names it in errors and anchors paths."""
    c = _Checker(path)
    for key in raw:
        if key not in _TOP:
            raise ConfigError(f"{path}: unknown key '{key}'; allowed top-level keys are: "
                              + ", ".join(sorted(_TOP)))
    base = path.parent

    partnership = _text(c, "partnership", raw.get("partnership", "Health & Social Care "
                                                                 "Partnership"))
    board = _text(c, "board", raw.get("board", "Integration Joint Board"))

    objectives = []
    raw_objectives = c.typed("objectives", raw.get("objectives", []), list)
    if not raw_objectives:
        raise c.fail("objectives", "at least one [[objectives]] table with number and text")
    seen: set[int] = set()
    for i, obj in enumerate(raw_objectives, 1):
        key = f"objectives[{i}]"
        if not isinstance(obj, dict):
            raise c.fail(key, "a table with number and text", obj)
        extra = set(obj) - {"number", "text"}
        if extra:
            raise ConfigError(f"{path}: unknown key '{key}.{sorted(extra)[0]}'; allowed: "
                              "number, text")
        number = c.typed(f"{key}.number", obj.get("number"), int)
        if number < 1 or number in seen:
            raise c.fail(f"{key}.number", "a whole number from 1, used once", number)
        seen.add(number)
        objectives.append(Objective(number, _text(c, f"{key}.text", obj.get("text"))))

    localities = tuple(_text(c, "localities", v)
                       for v in c.typed("localities", raw.get("localities", []), list))

    streams = []
    raw_streams = c.typed("funding_streams", raw.get("funding_streams", []), list)
    if not raw_streams:
        raise c.fail("funding_streams", "at least one [[funding_streams]] table with a name")
    for i, st in enumerate(raw_streams, 1):
        key = f"funding_streams[{i}]"
        if not isinstance(st, dict):
            raise c.fail(key, "a table with name and aliases", st)
        extra = set(st) - {"name", "aliases"}
        if extra:
            raise ConfigError(f"{path}: unknown key '{key}.{sorted(extra)[0]}'; allowed: "
                              "name, aliases")
        aliases = tuple(_text(c, f"{key}.aliases", a)
                        for a in c.typed(f"{key}.aliases", st.get("aliases", []), list))
        streams.append(FundingStream(_text(c, f"{key}.name", st.get("name")), aliases))

    statuses = dict(DEFAULT_STATUSES)
    if "statuses" in raw:
        table = raw["statuses"]
        if not isinstance(table, dict):
            raise c.fail("statuses", "a table [statuses]", table)
        for name, words in table.items():
            if name not in DEFAULT_STATUSES:
                raise ConfigError(f"{path}: unknown key 'statuses.{name}'; allowed: "
                                  + ", ".join(f'"{s}"' for s in DEFAULT_STATUSES))
            statuses[name] = tuple(_text(c, f"statuses.{name}", w)
                                   for w in c.typed(f"statuses.{name}", words, list))

    p = c.section("paths", raw.get("paths", {}))
    paths = Paths(
        workbooks=base / p.get("workbooks", "workbooks"),
        output=base / p.get("output", "output"),
        template=base / p.get("template", "templates/board_report.docx"),
        history=base / p.get("history", "output/history.sqlite"),
        link_targets=tuple(base / _text(c, "paths.link_targets", t)
                           for t in p.get("link_targets", [])),
    )

    th = Thresholds(**c.section("thresholds", raw.get("thresholds", {})))
    if th.points_amber > th.points_red:
        raise c.fail("thresholds.points_amber", "no more than thresholds.points_red",
                     th.points_amber)
    if th.ratio_amber < th.ratio_red:
        raise c.fail("thresholds.ratio_amber", "no less than thresholds.ratio_red",
                     th.ratio_amber)

    sched = c.section("schedule", raw.get("schedule", {}))
    closures = []
    for value in sched.pop("closures", []):
        if isinstance(value, date) and not isinstance(value, datetime):
            closures.append(value)
            continue
        try:
            closures.append(datetime.strptime(str(value), "%d/%m/%Y").date())
        except ValueError:
            raise c.fail("schedule.closures", 'a list of dates "dd/mm/yyyy"', value) from None

    return Config(
        partnership=partnership,
        board=board,
        objectives=tuple(objectives),
        localities=localities,
        funding_streams=tuple(streams),
        statuses=statuses,
        paths=paths,
        thresholds=th,
        spc=_spc(c, raw.get("spc", {})),
        schedule=Schedule(**sched, closures=tuple(closures)),
        report=Report(**c.section("report", raw.get("report", {}))),
        finance=Finance(**c.section("finance", raw.get("finance", {}))),
        limits=Limits(**{k: v for k, v in c.section("limits", raw.get("limits", {})).items()
                         if k != "workers"}),  # workers: accepted from older files, unused
        run=RunSettings(**c.section("run", raw.get("run", {}))),
        output=OutputSettings(**c.section("output", raw.get("output", {}))),
        history=HistorySettings(**c.section("history", raw.get("history", {}))),
        email=_email(c, raw.get("email", {})),
        links=Links(**c.section("links", raw.get("links", {}))),
        source=path,
    )


def _spc(c: _Checker, data: Any) -> Spc:
    spc = c.section("spc", data)
    months = []
    for kpi_id, month in spc.pop("recalculate", {}).items():
        key = f"spc.recalculate.{kpi_id}"
        month = c.typed(key, month, str).strip()
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise c.fail(key, 'a month "YYYY-MM", e.g. "2018-01"', month)
        months.append((_text(c, "spc.recalculate", kpi_id), month))
    return Spc(**spc, recalculate=tuple(months))


def _sender(c: _Checker, value: Any) -> str:
    """The sender: one ASCII address, or the configuration is wrong (every message would
    fail)."""
    value = c.typed("email.sender", value, str)
    try:
        address = parse_address(value)
    except AddressError as exc:
        raise c.fail("email.sender", f'one e-mail address such as "name@example.org" ({exc})',
                     value) from None
    if not address.isascii():
        raise c.fail("email.sender", "an address in ASCII letters", value)
    return address


def _addresses(c: _Checker, key: str, values: list, who: str,
               problems: list[AddressProblem]) -> tuple[str, ...]:
    """The valid addresses of a list (each once); each other entry is a problem."""
    out: list[str] = []
    for i, value in enumerate(values, 1):
        name = f"{key}[{i}]"
        if not isinstance(value, str):
            raise c.fail(name, "text in quotes", value)
        try:
            address = parse_address(value)
        except AddressError as exc:
            problems.append(AddressProblem(name, value, str(exc), who))
            continue
        if address not in out:
            out.append(address)
    return tuple(out)


def _email(c: _Checker, data: Any) -> Email:
    """[email]. An address that is not exactly one valid address is not an error that
    stops the run: it is left out, noted in ``address_problems``, and that person gets
    no message. The sender is the exception (without it nothing can be sent)."""
    mail = c.section("email", data)
    problems: list[AddressProblem] = []
    mail["board"] = _addresses(c, "email.board", mail.get("board", []), "the board list",
                               problems)
    mail["team"] = _addresses(c, "email.team", mail.get("team", []), "the team list",
                              problems)
    sender = mail.get("sender", "")
    mail["sender"] = _sender(c, sender) if sender.strip() else ""
    officers = []
    for name, address in mail.pop("officers", {}).items():
        name = _text(c, "email.officers", name)
        key = f"email.officers.{name}"
        address = c.typed(key, address, str)
        try:
            officers.append((name, parse_address(address)))
        except AddressError as exc:
            problems.append(AddressProblem(key, address, str(exc), name))
    mail["host"] = mail.get("host", "").strip()
    email = Email(**mail, officers=tuple(officers), address_problems=tuple(problems))
    if email.send and not (email.host and email.sender):
        raise c.fail("email.host", "set, with email.sender, when email.send is true")
    return email


def find_config(explicit: str | Path | None = None) -> Path:
    """The config path: ``explicit``, else ./reportgen.toml."""
    return Path(explicit) if explicit else Path.cwd() / "reportgen.toml"
