"""How reportgen's papers and pages write dates, money, numbers and lists: UK conventions,
in words a board paper uses. Shared by the Word report and the dashboard; each function
returns text, unescaped; none builds XML or HTML."""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Sequence

from reportgen.model import Period
from reportgen.text import clean


def uk_date(day: date | None) -> str:
    """31/03/2019; "–" for no date."""
    return "–" if day is None else f"{day:%d/%m/%Y}"


def money(value: float | None) -> str:
    """£1,234,567, to the nearest pound (halves up): board papers do not show pence."""
    if value is None:
        return "–"
    pounds = int(abs(value) + 0.5)
    return f"{'−' if value < 0 and pounds else ''}£{pounds:,}"


def variance_text(value: float | None) -> str:
    """"£1,200 over", "£300 under" or "£0 (on budget)" for forecast minus budget."""
    if value is None:
        return "–"
    if int(abs(value) + 0.5) == 0:
        return "£0 (on budget)"
    return f"{money(abs(value))} {'over' if value > 0 else 'under'}"


def pct(value: float | None) -> str:
    """45%, to the nearest whole per cent."""
    return "–" if value is None else f"{value:.0f}%"


def fmt_number(value: float) -> str:
    """1,234 when whole, else 1,234.5."""
    return f"{value:,.0f}" if abs(value - round(value)) < 1e-9 else f"{value:,.1f}"


def kpi_value(value: float | None, unit: str) -> str:
    """An indicator's value with its unit: "85%", "1,234" or "12.5 (days)"."""
    if value is None:
        return "–"
    unit = clean(unit).strip()
    if unit == "%":
        return f"{fmt_number(value)}%"
    if not unit or unit.lower() in ("number", "count", "n"):
        return fmt_number(value)
    return f"{fmt_number(value)} ({unit})"


def month_name(label: str | None, short: bool = False) -> str:
    """"September 2018" (or "Sep 2018") for the period label "2018-09"; an unreadable
    label as written."""
    if not label:
        return "–"
    try:
        p = Period.parse(label)
    except ValueError:
        return label
    return f"{calendar.month_abbr[p.month]} {p.year}" if short else p.name


def plural(n: int, word: str, plural: str | None = None) -> str:
    """"1 action", "1,200 actions"."""
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def signed(n: int) -> str:
    """+3, −2 (a minus sign, not a hyphen) or 0."""
    return "0" if n == 0 else (f"+{n:,}" if n > 0 else f"−{-n:,}")


_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """'O1-9' before 'O1-10'."""
    return tuple((0, int(t), "") if t.isdigit() else (1, 0, t.lower())
                 for t in _DIGITS.split(text) if t)


def brief(text: str, limit: int = 240) -> str:
    """``text`` cut at a word boundary near ``limit`` characters, marked with "…"."""
    s = clean(text).strip()
    if len(s) <= limit:
        return s
    cut = s.rfind(" ", limit // 2, limit)
    return s[:cut if cut > 0 else limit].rstrip(" ,;:.") + " …"


def id_list(ids: Sequence[str], limit: int = 15) -> str:
    """The first ``limit`` IDs in natural order, then "and N more"."""
    ids = sorted(ids, key=natural_key)
    shown = ", ".join(clean(i) for i in ids[:limit])
    return shown + (f" and {len(ids) - limit:,} more" if len(ids) > limit else "")


