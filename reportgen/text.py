"""The one text cleaner: what every stage does to text that came from a tracker.

Carriage returns (alone or before a line feed), vertical tabs, form feeds, NEL and the
Unicode line and paragraph separators become line feeds; the other characters XML 1.0
cannot hold (C0 controls but tab and line feed, DEL, U+FFFE, U+FFFF, lone surrogates) are
dropped. Nothing else changes: no stripping, no escaping.
"""

from __future__ import annotations

import re

_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_ILLEGAL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
# every character either of the above changes, as one class: the usual text has none, and
# one scan of a class finds that out
_ODD = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029\ufffe\uffff\ud800-\udfff]")


def clean_text(text: object) -> tuple[str, int]:
    """``(cleaned text, number of characters dropped)``; ``None`` is ``("", 0)``."""
    if text is None:
        return "", 0
    s = text if isinstance(text, str) else str(text)
    if not _ODD.search(s):
        return s, 0
    s = _BREAKS.sub("\n", s)
    s, dropped = _ILLEGAL.subn("", s)
    return s, dropped


def clean(text: object) -> str:
    """:func:`clean_text` without the count."""
    return clean_text(text)[0]
