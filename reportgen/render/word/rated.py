"""A rating in words, as the paper's tables write it: counts by RAG, progress against
plan, and the reasons given for it. Builds runs, not tables."""

from __future__ import annotations

from typing import Mapping

from reportgen.model import ActionRating, Rag
from reportgen.render.word.wordml import BOLD, text_run
from reportgen.view.formats import pct


def count_words(counts: Mapping[Rag, int]) -> str:
    """"3 Red, 1 Amber, 2 cancelled": the ratings present, worst first."""
    parts = [f"{counts[r]:,} {r.word}" for r in Rag.counted() if counts.get(r)]
    if counts.get(Rag.CANCELLED):
        parts.append(f"{counts[Rag.CANCELLED]:,} cancelled")
    return ", ".join(parts) if parts else "none rated"


def progress(r: ActionRating | None) -> str:
    """Actual % complete "of" the expected %, "–" when there is none, "– †" when the
    action was rated on dates alone."""
    if r is None:
        return "–"
    if r.dates_only:
        return "– †"
    if r.actual_percent is None:
        return "–"
    if r.expected_percent is None:
        return pct(r.actual_percent)
    return f"{pct(r.actual_percent)} of {pct(r.expected_percent)}"


def slippage_text(r: ActionRating | None, model: str) -> str:
    """The slippage in words under the slippage ``model`` ("points" or "ratio")."""
    if r is None:
        return "Not rated"
    if r.dates_only:
        return "No % complete given: rated on dates and status alone †"
    if r.slippage is None:
        return ""
    plan = ""
    if r.expected_percent is not None and r.actual_percent is not None:
        plan = f" (expected {pct(r.expected_percent)}, actual {pct(r.actual_percent)})"
    if model == "ratio":
        return f"Progress at {r.slippage:.2f} of plan{plan}"
    if r.slippage > 0.5:
        return f"{r.slippage:.0f} points behind plan{plan}"
    if r.slippage < -0.5:
        return f"{-r.slippage:.0f} points ahead of plan{plan}"
    return f"On plan{plan}"


def why_runs(r: ActionRating | None, model: str) -> list[str]:
    """The rating's reasons in the rater's words, one run each; the slippage in numbers
    when the rater gave none. A RAG challenge is bold."""
    reasons = list(r.reasons) if r else []
    slipped = "" if reasons else slippage_text(r, model)
    out = [text_run(slipped)] if slipped else []
    for reason in reasons:
        out.append(text_run(reason, BOLD if reason.startswith("RAG challenge") else ""))
    if r and r.challenge and not any(x.startswith("RAG challenge") for x in reasons):
        officer = r.officer.value if r.officer else "none"
        out.append(text_run(f"RAG challenge: officer {officer}, computed "
                            f"{r.computed.value}", BOLD))
    if r and r.dates_only and not any("% complete" in x for x in reasons):
        out.append(text_run("† no % complete given: rated on dates and status alone"))
    return out
