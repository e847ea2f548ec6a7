"""The one text cleaner: what every stage does to text that came from a tracker.

Carriage returns (alone or before a line feed), vertical tabs, form feeds, NEL and the
Unicode line and paragraph separators become line feeds; the other characters XML 1.0
cannot hold (C0 controls but tab and line feed, DEL, U+FFFE, U+FFFF, lone surrogates),
the C1 controls (U+0080–U+009F: U+009B starts a terminal escape sequence) and the
bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069: they make text read
in another order than it is stored) are dropped. Nothing else changes: no stripping, no
escaping.

:func:`visible` is for names that must not be altered, only shown (a file or sheet name,
a value in a message): each such character is written as ``<U+202E>``.
"""

from __future__ import annotations

import re

_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_ILLEGAL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069"
                      r"\ufffe\uffff\ud800-\udfff]")
# every character either of the above changes, as one class: the usual text has none, and
# one scan of a class finds that out
_ODD = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                  r"\ufffe\uffff\ud800-\udfff]")
# what visible() shows: the above but tab and line feed, and the bidirectional marks
_HIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
                     r"\u202a-\u202e\u2066-\u2069\ufffe\uffff\ud800-\udfff]")


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


def has_hidden(text: str) -> bool:
    """Whether :func:`visible` would change ``text``."""
    return _HIDDEN.search(text) is not None


def visible(text: object) -> str:
    """``text`` with every control, bidirectional or line-separator character (but tab
    and line feed) written as ``<U+XXXX>``, so that a name is shown as it is without
    acting on the terminal or the page."""
    s = "" if text is None else (text if isinstance(text, str) else str(text))
    if not _HIDDEN.search(s):
        return s
    return _HIDDEN.sub(lambda m: f"<U+{ord(m.group()):04X}>", s)
