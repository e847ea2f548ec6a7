"""A tracker row's funding streams and each stream's stated share of the money: amounts
or percentages in the funding cell ("ICF £50,000; Core £30,000", "ICF 60% / Core 40%"),
or per-stream budget columns ("Budget: ICF"). Shares that do not add up to the budget
(or to 100 %) are a ``funding-shares-mismatch`` warning at the cell that states them.

``row`` is :mod:`reportgen.validate.records`' row collector (``issue``,
``required_text``, ``raw``), ``vocab`` its vocabulary; nothing here reads a file.
"""

from __future__ import annotations

import difflib
import re
from typing import Callable

from reportgen.ingest.values import split_funding, word_key


_SHARE = re.compile(r"£\s*\d[\d,]*(?:\.\d+)?\s*(?:k\b|m\b)?|\d+(?:\.\d+)?\s*%", re.I)
_SEPARATORS = " \t\n,;/+&:=-–—()[]"


def _share_amount(token: str) -> tuple[str, float]:
    """'£50,000' → ('£', 50000.0); '£1.2m' → ('£', 1200000.0); '60%' → ('%', 60.0)."""
    t = token.replace(" ", "").replace(",", "").lower()
    if t.endswith("%"):
        return "%", float(t[:-1])
    scale = {"k": 1_000.0, "m": 1_000_000.0}.get(t[-1], 1.0)
    return "£", float(t[1:].rstrip("km")) * scale


def _stated(text: str) -> list[tuple[str, str, float]] | None:
    """'ICF £50,000; Council £30,000' → [('ICF', '£', 50000.0), ('Council', '£', 30000.0)];
    'NHS 60% / SBC 40%' → percentages. None when the cell states no amounts, or when
    any amount has no name before it or text is left after the last one."""
    found = list(_SHARE.finditer(text))
    if not found:
        return None
    out, start = [], 0
    for m in found:
        name = re.sub(r"^(?:and\s+)+|\s+and$", "", text[start:m.start()].strip(_SEPARATORS),
                      flags=re.I).strip(_SEPARATORS)
        if not name:
            return None
        out.append((name, *_share_amount(m.group())))
        start = m.end()
    return out if not text[start:].strip(_SEPARATORS) else None


def funding_streams(row, vocab) -> tuple[tuple[str, ...] | None, list[float], str]:
    """The configured streams named, their amounts when the cell states them ("ICF
    £50,000; Council £30,000" or "NHS 60% / SBC 40%"; [] when not stated), and the kind
    of those amounts: "£", "%" or "" when none is stated. The streams
    are None when any part is not a configured stream (a warning: the action is still
    rated, and its money is counted under "No funding stream" so that no total shrinks)."""
    text = row.required_text("funding")
    if not text:
        return (), [], ""
    whole = vocab.streams.get(word_key(text))
    if whole:
        return (whole,), [], ""
    stated = _stated(text)
    parts = [p[0] for p in stated] if stated else split_funding(text)
    out: list[str] = []
    amounts: dict[str, float] = {}
    for i, part in enumerate(parts):
        name = vocab.streams.get(word_key(part))
        if name is None:
            close = difflib.get_close_matches(part, vocab.stream_names, n=1, cutoff=0.6)
            row.issue("unknown-funding-stream", "funding", value=part,
                      detail=f"did you mean '{close[0]}'?" if close else
                      "the streams are " + ", ".join(vocab.stream_names))
            return None, [], ""
        if name not in out:
            out.append(name)
        if stated:
            amounts[name] = amounts.get(name, 0.0) + stated[i][2]
    if stated and len({kind for _, kind, _ in stated}) > 1:
        row.issue("funding-shares-mismatch", "funding", value="a mix of £ and %",
                  detail="one or the other; the money is split equally instead")
        return tuple(out), [], ""
    if stated and stated[0][1] == "%":
        total = sum(amounts.values())
        if abs(total - 100) > 0.5:
            row.issue("funding-shares-mismatch", "funding", value=f"{total:g}%",
                      detail="100%")
        return tuple(out), [amounts[n] for n in out], "%"
    return (tuple(out), [amounts[n] for n in out], "£") if stated else (tuple(out), [], "")


def column_amounts(row, vocab, money: Callable) -> dict[str, float]:
    """The money in per-stream budget columns ("Budget: ICF", "Core Funding budget"),
    by configured stream; columns naming no configured stream are not read."""
    out: dict[str, float] = {}
    for key in row.raw.cells:
        if not key.startswith("$budget:"):
            continue
        stream = vocab.streams.get(word_key(key[len("$budget:"):]))
        if stream is None:
            continue
        amount = money(row, key, f"Budget for {stream}")
        if amount is not None:
            out[stream] = out.get(stream, 0.0) + amount
    return out


def stream_shares(row, funding: tuple[str, ...], stated: list[float], kind: str,
            columns: dict[str, float], budget: float | None
            ) -> tuple[tuple[str, ...], tuple[float, ...], float | None]:
    """(funding, each stream's share as a fraction, budget): the shares the funding cell
    states (``kind`` "%" or "£"), else those of the per-stream budget columns (streams they fund are added to
    the funding; a blank budget becomes their sum); () when none is stated. Shares whose
    sum is not the budget are a warning at the cell that states them."""
    if stated:
        if kind == "%":
            weights = list(stated)
        else:
            weights = stated
            total = sum(weights)
            if budget is not None and abs(total - budget) >= 0.5:
                row.issue("funding-shares-mismatch", "funding", value=f"£{total:,.2f}",
                          detail=f"the budget of £{budget:,.2f}")
    elif columns and sum(columns.values()) > 0:
        funding = tuple(dict.fromkeys([*funding, *(s for s, v in columns.items() if v)]))
        weights = [columns.get(s, 0.0) for s in funding]
        total = sum(weights)
        if budget is None:
            budget = round(total, 2)
        elif abs(total - budget) >= 0.5:
            row.issue("funding-shares-mismatch", "budget", value=f"£{total:,.2f}",
                      detail=f"the budget of £{budget:,.2f}")
    else:
        return funding, (), budget
    total = sum(weights)
    if total <= 0 or len(funding) < 2:
        return funding, (), budget
    return funding, tuple(w / total for w in weights), budget
