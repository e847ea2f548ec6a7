"""Page 1 of the paper after the coverage statement: the key messages and the specific
recommendations, as the view chose them (reportgen.view.prose: at most five messages,
at most five actions named, decisions the trackers ask of the Board first)."""

from __future__ import annotations

from reportgen.render.word.wordml import BOLD, Builder, runs_of, text_run


def key_messages_part(c: Builder) -> str:
    """The key messages as a bulleted list under a bold lead-in."""
    return "".join([c.p(text_run("Key messages", BOLD), keep_next=True),
                    c.bullets(text_run(m) for m in c.view.key_messages)])


def recommendations_part(c: Builder) -> str:
    """The recommendations as a bulleted list: decisions first, then notes."""
    return c.bullets(runs_of(rec) for rec in c.view.recommendations)


__all__ = ["key_messages_part", "recommendations_part"]
