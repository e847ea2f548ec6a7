"""The view of the period: one immutable account of everything the outputs state, built
once a run after the history (DESIGN 4b, STYLE habit 13 "decide once, render many").

    rated run + configuration ─▶ build_view ─▶ PeriodView ─▶ every renderer

- :mod:`.period`: :class:`PeriodView` and :func:`build_view`;
- :mod:`.actions`: the plan's distinct actions, counts by RAG, changes, board order;
- :mod:`.finance`: totals, streams, objectives, exceptions, rounding that adds up, the
  share spent and the forecast's movement since the last stored period;
- :mod:`.officers`: the plan by lead officer;
- :mod:`.provenance`: the cells, links and kept copy each row's figures came from;
- :mod:`.public`: the period's page for the public (facts in plain words, the key, the
  glossary, the filter's choices);
- :mod:`.kpis`: readings with series cut at the period's end;
- :mod:`.quality`: problems by severity, overdue updates, RAG challenges, text cuts;
- :mod:`.feedback`: what each officer must fix, the chase list;
- :mod:`.prose`: the sentences chosen from the facts (page 1, implications, coverage);
- :mod:`.index`: the index of every stored period and the trend over them;
- :mod:`.formats`, :mod:`.words`, :mod:`.links`: one way to write money, dates, titles
  and links.

Imports the stages before it (model, config, issues, validate, rate), never a renderer.
"""

from reportgen.view.period import Change, PeriodView, build_view

__all__ = ["Change", "PeriodView", "build_view"]
