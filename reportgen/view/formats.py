"""How reportgen's outputs write dates, money, numbers and lists: UK conventions, in words a
board paper uses. One format per unit of money: :func:`money` (to the pound) and
:func:`thousands` (£000); :func:`largest_remainder` rounds the parts of a total so that
the printed parts add to the printed total; :func:`cell_position` and :func:`natural_key`
order cells and IDs as people read them. Each function returns text (or a sort key),
unescaped; none builds XML or HTML."""

from __future__ import annotations

import calendar
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Sequence

from reportgen.model import Period
from reportgen.text import clean


def uk_date(day: date | None) -> str:
    """31/03/2019; "–" for no date."""
    return "–" if day is None else f"{day:%d/%m/%Y}"


def round_half_up(value: float, unit: float = 1.0) -> int:
    """``value`` in whole ``unit``s, halves away from zero (as people round money)."""
    return int((Decimal(str(value)) / Decimal(str(unit))).quantize(
        Decimal(1), rounding=ROUND_HALF_UP))


def largest_remainder(parts: Sequence[float | None], unit: float = 1.0,
                      total: float | None = None) -> tuple[list[int | None], int]:
    """``parts`` and their ``total`` (their sum when not given) in whole ``unit``s, such
    that the rounded parts add to the rounded total: the total rounds half up, each part
    is cut down to a whole unit, and the units left over go to the parts with the largest
    remainders (ties to the first). None parts stay None and take no share. Parts that
    do not add up to ``total`` in the first place (beyond rounding, one unit a part) are
    each rounded alone: forcing them to add up would misstate them."""
    if total is None:
        total = sum(p for p in parts if p is not None)
    whole_total = round_half_up(total, unit)
    scaled = [None if p is None else Decimal(str(p)) / Decimal(str(unit)) for p in parts]
    floors = [None if s is None else int(s.to_integral_value(rounding="ROUND_FLOOR"))
              for s in scaled]
    left = whole_total - sum(f for f in floors if f is not None)
    order = sorted((i for i, s in enumerate(scaled) if s is not None),
                   key=lambda i: (-(scaled[i] - floors[i]), i))
    if not 0 <= left <= len(order):
        return [None if p is None else round_half_up(p, unit) for p in parts], whole_total
    out = list(floors)
    for i in order[:left]:
        out[i] += 1
    return out, whole_total


def money(value: float | None) -> str:
    """£1,234,567, to the nearest pound (halves up): no output shows pence."""
    if value is None:
        return "–"
    return pounds_text(round_half_up(value))


def pounds_text(pounds: int | None) -> str:
    """Whole pounds already rounded (a printed part of a total): "£1,234", "−£200"."""
    if pounds is None:
        return "–"
    return f"{'−' if pounds < 0 else ''}£{abs(pounds):,}"


def variance_text(value: float | None) -> str:
    """"£1,200 over", "£300 under" or "£0 (on budget)" for forecast minus budget."""
    if value is None:
        return "–"
    pounds = round_half_up(value)
    if pounds == 0:
        return "£0 (on budget)"
    return f"£{abs(pounds):,} {'over' if pounds > 0 else 'under'}"


def thousands(value: float | None) -> str:
    """£000 as the paper prints it, to the nearest £1,000: "£1,234k"; "–" for none."""
    if value is None:
        return "–"
    return k_text(round_half_up(value, 1000))


def k_text(k: int | None) -> str:
    """Whole thousands already rounded: "£1,234k", "−£2k"."""
    if k is None:
        return "–"
    return f"{'−' if k < 0 else ''}£{abs(k):,}k"


def variance_k(k: int | None) -> str:
    """A variance in whole £000: "£120k over", "£55k under", "£0k" (under £500 either
    way, to the nearest £1,000)."""
    if k is None:
        return "–"
    if k == 0:
        return "£0k"
    return f"£{abs(k):,}k {'over' if k > 0 else 'under'}"


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


def and_list(words: Sequence[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    words = list(words)
    if not words:
        return ""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


_DIGITS = re.compile(r"(\d+)")
_CELL = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")


def cell_position(cell: str | None) -> tuple[int, int]:
    """'H9' → (9, 8); no cell → (0, 0) so that file- and sheet-level issues come first."""
    m = _CELL.match(cell or "")
    if not m:
        return (0, 0)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return (int(m.group(2)), col)


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
