"""Pure parsers for the values officers type into trackers.

Each parser takes a cell value as a reader returns it (str, int, float, bool, date,
datetime, or None) and returns the clean value, or raises :class:`ValueError` whose text
says what was wrong. None of them looks at the clock, the configuration file or a file.

Dates are UK order, always: '04/05/2019' is 4 May 2019; '05/31/2019' is refused, never
read as US order.
"""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from datetime import date, datetime, timedelta
from functools import lru_cache

from reportgen.model import Rag
from reportgen.text import clean_text as text_clean

# Excel's serial day 1 is 1900-01-01 with the phantom 29/02/1900; the usual epoch that
# makes serials after February 1900 come out right is 1899-12-30.
_EXCEL_EPOCH = date(1899, 12, 30)
# Dates outside this window are almost certainly typing errors (or numbers that are not
# dates at all); callers report them rather than guess.
MIN_PLAUSIBLE = date(1990, 1, 1)
MAX_PLAUSIBLE = date(2100, 12, 31)

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH_RE = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
             r"aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")

_SPACES = re.compile(r"[\s\u00a0\u2007\u202f\u200b]+")


def clean_text(value: object) -> tuple[str, int]:
    """A cell value as text: ``(text, number of characters dropped)``.

    Whole-number floats lose their '.0' and dates are written dd/mm/yyyy; then
    :func:`reportgen.text.clean_text` (the one cleaner) normalises line breaks and drops
    what XML cannot hold; leading and trailing white space is stripped, inner line breaks
    kept."""
    if isinstance(value, float) and value.is_integer():
        value = str(int(value))
    elif isinstance(value, (date, datetime)):
        value = value.strftime("%d/%m/%Y")
    text, dropped = text_clean(value)
    return text.strip(), dropped


def squash(text: str) -> str:
    """Collapse every run of white space (incl. non-breaking) to one space, strip."""
    return _SPACES.sub(" ", text).strip()


_BLANKS = " \t\r\n\x0b\x0c\u00a0\u2007\u202f\u200b\ufeff"


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip(_BLANKS)
    if isinstance(value, float) and math.isnan(value):
        return True
    return False


# --------------------------------------------------------------------------- dates


def from_serial(serial: float) -> date:
    """Excel 1900-system serial → date. Raises ValueError outside 1..2958465."""
    if isinstance(serial, bool) or not 1 <= serial < 2958466:
        raise ValueError(f"{serial} is not an Excel date serial number")
    return _EXCEL_EPOCH + timedelta(days=int(serial))


def _check_window(d: date) -> date:
    if not MIN_PLAUSIBLE <= d <= MAX_PLAUSIBLE:
        raise ValueError(f"implausible: {d:%d/%m/%Y} is outside "
                         f"{MIN_PLAUSIBLE:%d/%m/%Y}–{MAX_PLAUSIBLE:%d/%m/%Y}")
    return d


def _year(text: str) -> int:
    y = int(text)
    if len(text) <= 2:
        y += 2000 if y < 70 else 1900
    return y


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


_NUMERIC_DATE = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_NAMED_DATE = re.compile(
    rf"(\d{{1,2}})(?:st|nd|rd|th)?[\s\-/.,]*({_MONTH_RE})\.?[\s\-/.,']*(\d{{4}}|\d{{2}})",
    re.I)
_MONTH_YEAR = re.compile(rf"({_MONTH_RE})\.?[\s\-/.,']*(\d{{4}}|'?\d{{2}})", re.I)


def _parse_date_text(text: str, *, end: bool) -> date:
    t = squash(text).strip(" .,")
    if m := _ISO_DATE.fullmatch(t):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := _NUMERIC_DATE.fullmatch(t):
        day, month, year = int(m[1]), int(m[2]), _year(m[3])
        if month > 12:
            raise ValueError(f"'{text}' has month {month}: dates must be day first "
                             "(dd/mm/yyyy)")
        return date(year, month, day)
    if m := _NAMED_DATE.fullmatch(t):
        return date(_year(m[3]), _MONTHS[m[2].lower().rstrip(".")], int(m[1]))
    if m := _MONTH_YEAR.fullmatch(t):
        year, month = _year(m[2].lstrip("'")), _MONTHS[m[1].lower().rstrip(".")]
        return _month_end(year, month) if end else date(year, month, 1)
    raise ValueError(f"'{text}' is not a date")


def parse_date(value: object, *, end: bool = False) -> date:
    """A real date, an Excel serial number, or UK text → date.

    Text forms: 31/03/2019, 31-03-19, 31.03.2019, 2019-03-31, 1-Oct-18, 1 October 2018,
    'March 2019' (the 1st, or the last day of the month when ``end`` is true).
    Raises ValueError (text starting 'implausible' for dates outside 1990–2100).
    Does not accept US order or bare years."""
    if isinstance(value, datetime):
        return _check_window(value.date())
    if isinstance(value, date):
        return _check_window(value)
    if isinstance(value, bool) or value is None:
        raise ValueError(f"'{value}' is not a date")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"'{value}' is not a date")
        return _check_window(from_serial(value))
    text = str(value)
    try:
        return _check_window(_parse_date_text(text, end=end))
    except ValueError as exc:
        if "day first" in str(exc) or str(exc).startswith("implausible"):
            raise
        # "31/02/2019" raises from date(); keep our wording
        raise ValueError(f"'{squash(text)}' is not a date") from None


_RANGE_SPLIT = re.compile(r"\s*(?:–|—|‒|―|−|-|to|until|till)\s*", re.I)


def parse_timescales(value: object) -> tuple[date, date]:
    """'April 2017 – March 2019' → (2017-04-01, 2019-03-31).

    Separators: en/em dash, hyphen, 'to', 'until'; month names may be abbreviated
    ('Apr 17 - Mar 19', 'Apr-17 to Mar-19'); full dates work too ('01/04/2017 –
    31/03/2019'); line breaks anywhere. Raises ValueError when there are not exactly two
    dates or the text holds anything else."""
    if isinstance(value, (date, datetime)):
        raise ValueError("a single date is not a start and an end")
    text = squash(str(value or ""))
    if not text:
        raise ValueError("blank")
    # Month-year and full-date tokens, found in order; everything between them must be a
    # separator. This copes with hyphens inside tokens ('1-Oct-18', 'Apr-17').
    token = re.compile(
        rf"{_NAMED_DATE.pattern}|{_ISO_DATE.pattern}|{_NUMERIC_DATE.pattern}|"
        rf"{_MONTH_YEAR.pattern}", re.I)
    found = list(token.finditer(text))
    if len(found) != 2:
        raise ValueError(f"'{text}' does not hold a start and an end")
    gap = text[found[0].end():found[1].start()]
    if text[:found[0].start()].strip() or text[found[1].end():].strip(" ."):
        raise ValueError(f"'{text}' holds more than two dates")
    if not _RANGE_SPLIT.fullmatch(gap) and gap.strip():
        raise ValueError(f"'{text}': '{gap.strip()}' is not a range separator")
    start = parse_date(found[0].group(0), end=False)
    end = parse_date(found[1].group(0), end=True)
    return start, end


# --------------------------------------------------------------------------- numbers


_MONEY = re.compile(r"(-)?\(?\s*(-)?£?\s*(-)?([\d,]*\.?\d+)\s*([km])?\s*\)?", re.I)


def parse_number(value: object) -> float:
    """A plain number, or text such as '1,234.5', '72.5%', ' 12 ' → float.

    A trailing '%' is dropped (the number is returned as written: '72.5%' → 72.5).
    Raises ValueError for anything else, including NaN and infinity."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"'{value}' is not a number")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError(f"'{value}' is not a number")
        return float(value)
    text = squash(str(value)).replace(",", "")
    text = text[:-1].strip() if text.endswith("%") else text
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"'{squash(str(value))}' is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"'{value}' is not a number")
    return number


def parse_money(value: object) -> float:
    """'£12,000', '12000', 12000.5, '£1.2m', '15k' → pounds as float (≥ 0).

    Raises ValueError for negative amounts (including accounting brackets '(1,200)')
    and for text that is not an amount."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"'{value}' is not an amount")
    if isinstance(value, (int, float)):
        amount = float(value)
        if not math.isfinite(amount):
            raise ValueError(f"'{value}' is not an amount")
    else:
        text = squash(str(value)).replace("GBP", "").replace("gbp", "").strip()
        m = _MONEY.fullmatch(text)
        if not m:
            raise ValueError(f"'{squash(str(value))}' is not an amount")
        amount = float(m[4].replace(",", ""))
        amount *= {"k": 1e3, "m": 1e6}.get((m[5] or "").lower(), 1)
        if m[1] or m[2] or m[3] or (text.startswith("(") and text.endswith(")")):
            amount = -amount
    if amount < 0:
        raise ValueError(f"'{value}' is negative")
    return round(amount, 2)


def parse_percent(value: object, *, percent_format: bool = False) -> float:
    """% complete → 0–100.

    ``percent_format`` says the cell is formatted as a percentage, so 0.35 means 35.
    Text '35%' and the number 35 mean 35. Raises ValueError outside 0–100."""
    if isinstance(value, str) and squash(value).endswith("%"):
        pct = parse_number(value)
    else:
        pct = parse_number(value)
        if percent_format:
            pct *= 100
    pct = round(pct, 6)
    if not 0 <= pct <= 100:
        raise ValueError(f"{pct:g} is outside 0–100")
    return pct


def excel_percent(value: float) -> str:
    """What Excel shows for ``value`` in a cell formatted as a percentage: 50 → '5000%'."""
    return f"{round(value * 100, 6):g}%"


def read_percent(value: object, *, percent_format: bool = False) -> tuple[float, str | None]:
    """% complete as the officer meant it → (0–100, what Excel shows or None).

    As :func:`parse_percent`, except for a number over 1 in a cell formatted as a
    percentage: Excel shows 50 typed there as 5000 %, but the officer typed 50, so a
    number over 1 and at most 100 is read as that percent, and what Excel shows is
    returned beside it ('5000%') for a warning. Raises ValueError otherwise; its text
    quotes what Excel shows when the cell is a percentage ('15000% (the cell holds 150)')."""
    if percent_format and isinstance(value, (int, float)) and not isinstance(value, bool):
        number = parse_number(value)
        if 1 < number <= 100:
            return round(number, 6), excel_percent(number)
        if not 0 <= number <= 1:
            raise ValueError(f"{excel_percent(number)} (the cell holds {number:g})")
    return parse_percent(value, percent_format=percent_format), None


# --------------------------------------------------------------------------- words


_NOT_WORD = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=8192)
def _word_key(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).casefold().replace("&", "and")
    return _NOT_WORD.sub("", s)


def word_key(text: object) -> str:
    """Case-, space- and punctuation-insensitive key for matching words."""
    return _word_key(text if isinstance(text, str) and len(text) <= 200 else str(text)[:200])


_RAG_WORDS = {
    "r": Rag.RED, "red": Rag.RED,
    "a": Rag.AMBER, "amber": Rag.AMBER, "y": Rag.AMBER, "yellow": Rag.AMBER,
    "g": Rag.GREEN, "green": Rag.GREEN,
    "b": Rag.BLUE, "blue": Rag.BLUE, "complete": Rag.BLUE, "completed": Rag.BLUE,
}


def parse_rag(value: object) -> Rag:
    """'Red', ' r ', 'AMBER', 'G', 'Blue' → Rag. Raises ValueError for anything else."""
    key = word_key(value)
    if key in _RAG_WORDS:
        return _RAG_WORDS[key]
    raise ValueError(f"'{value}' is not Red, Amber, Green or Blue")


def split_funding(text: str) -> list[str]:
    """'(Integrated Care Fund) (Transformation Programme)' → the two names.

    Bracketed names win; otherwise the text is split on commas, semicolons, slashes,
    plus signs, ' and ', ' & ' and line breaks. Empty parts are dropped."""
    text = text.strip()
    bracketed = re.findall(r"\(([^()]*)\)", text)
    if bracketed:
        rest = re.sub(r"\([^()]*\)", " ", text)
        parts = [b for b in bracketed] + ([rest] if squash(rest.strip(" ,;/+&")) else [])
    else:
        parts = [text]
    out: list[str] = []
    for part in parts:
        for piece in re.split(r"\s*(?:[,;/+\n]|\band\b|&)\s*", part, flags=re.I):
            piece = squash(piece).strip(" .-")
            if piece:
                out.append(piece)
    return out


def parse_int_list(value: object) -> tuple[int, ...]:
    """'2, 3, 7 and 9' or 2 → (2, 3, 7, 9). Raises ValueError when no number is found."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (int(value),)
    numbers = tuple(int(n) for n in re.findall(r"\d+", str(value)))
    if not numbers:
        raise ValueError(f"'{value}' holds no numbers")
    return numbers
