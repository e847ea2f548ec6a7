"""Builders of model records for tests: valid by default, any field overridable.

``make_run()`` gives a RatedRun with every colour, KPIs with and without SPC, finance and
issues, without reading any file, so renderers can be tested on their own.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from reportgen.issues import make_issue
from reportgen.model import (
    Action, ActionRating, Changes, Comparator, Coverage, Direction, FinanceRating, Kpi,
    KpiResult, NotUpdated, Period, Polarity, Rag, RatedRun, SourceFile, SourceRef,
    SpcResult, SpcSignal, Status, StreamFinance,
)

STREAMS = ("Integrated Care Fund", "Transformation Programme", "Core Funding Investment")


def make_action(i: int = 1, **overrides) -> Action:
    values = dict(
        action_id=f"O{1 + i % 3}-{i:02d}",
        objective=1 + i % 3,
        action=f"We will deliver improvement number {i}.",
        lead_officer=("Morag Elliot", "Iain Scott", "Aileen Kerr", "Craig Hume")[i % 4],
        funding=(STREAMS[i % 3],) if i % 4 else (STREAMS[0], STREAMS[1]),
        start=date(2017, 4, 1),
        end=date(2019, 3, 31),
        status=Status.IN_PROGRESS,
        last_updated=date(2018, 9, 14),
        source=SourceRef(file=f"tracker-{i % 4}.xlsx", sheet="Actions", row=5 + i,
                         cells={"action_id": f"A{5 + i}", "commentary": f"P{5 + i}"}),
        desired_outcome="People will be informed and have access to the right support.",
        locality=("Berwickshire", "Cheviot", "Eildon", "Tweeddale")[i % 4],
        target_impact="Reduced demand on statutory services.",
        percent_complete=float(10 * (i % 10)),
        officer_rag=Rag.GREEN,
        commentary=f"Progress update for action {i}.",
        corrective_action="" if i % 2 else "Recovery plan agreed with the team.",
        budget=10000.0 * (1 + i % 5),
        spend_to_date=4000.0 * (1 + i % 5),
        forecast=10000.0 * (1 + i % 5) + (1500.0 if i % 6 == 0 else 0.0),
    )
    values.update(overrides)
    return Action(**values)


_CYCLE = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE, Rag.GREY, Rag.CANCELLED, Rag.GREEN)


def make_rating(action: Action, rag: Rag, **overrides) -> ActionRating:
    finance = FinanceRating(
        budget=action.budget, spend_to_date=action.spend_to_date, forecast=action.forecast,
        variance=(action.forecast or 0) - (action.budget or 0),
        rag=Rag.AMBER if (action.forecast or 0) > (action.budget or 0) else Rag.GREEN,
        reasons=(),
    )
    reasons = {
        Rag.RED: ("overdue since 31/03/2018",),
        Rag.AMBER: ("12 points behind plan",),
        Rag.GREEN: ("on track",),
        Rag.BLUE: ("complete",),
        Rag.GREY: ("not due to start until 01/01/2019",),
        Rag.CANCELLED: ("cancelled",),
    }[rag]
    values = dict(
        action_id=action.action_id, computed=rag, reported=rag, officer=action.officer_rag,
        expected_percent=60.0, actual_percent=action.percent_complete,
        slippage=12.0 if rag is Rag.AMBER else (30.0 if rag is Rag.RED else 0.0),
        reasons=reasons, finance=finance,
        challenge=rag is Rag.RED and action.officer_rag is Rag.GREEN,
    )
    values.update(overrides)
    return ActionRating(**values)


def make_kpi(i: int = 1, points: int = 18, **overrides) -> Kpi:
    series = []
    period = Period(2017, 4)
    for n in range(points):
        series.append((period.label, 60.0 + (n % 5) + i))
        period = period.shift(1)
    values = dict(
        kpi_id=f"KPI-{i}", indicator=f"Indicator number {i}", polarity=Polarity.HIGHER,
        source=SourceRef(file="kpis.xlsx", sheet="KPIs", row=4 + i),
        outcomes=(2, 3, 9), unit="%", target=65.0, tolerance=3.0,
        comparator=Comparator.PREVIOUS, series=tuple(series),
    )
    values.update(overrides)
    return Kpi(**values)


def make_kpi_result(kpi: Kpi, rag: Rag = Rag.AMBER) -> KpiResult:
    values = [v for _, v in kpi.series]
    spc = None
    if len(values) >= 12:
        centre = sum(values) / len(values)
        spc = SpcResult(centre=centre, lower=centre - 6, upper=centre + 6,
                        mean_moving_range=2.2, points=len(values),
                        signals=(SpcSignal("run", "7 points in a row above the centre line",
                                           tuple(p for p, _ in kpi.series[-7:]),
                                           "improvement"),))
    return KpiResult(kpi_id=kpi.kpi_id, latest_period=kpi.series[-1][0],
                     latest=values[-1], rag=rag, direction=Direction.IMPROVING,
                     compared_with=kpi.series[-2][0], previous=values[-2], spc=spc,
                     reasons=("2.0 below target",))


NOT_READ = ("Not updated this month: the tracker could not be read (the file is damaged "
            "or incomplete)")


def make_run(n_actions: int = 14, n_kpis: int = 3, period: Period = Period(2018, 9),
             actions: list[Action] | None = None, carried_files: tuple[str, ...] = ()
             ) -> RatedRun:
    """``carried_files``: the actions of these tracker files are carried forward from
    last period (ActionRating.carried_from, .not_updated), as the plan register does, and
    ``run.coverage`` says so; without them coverage is complete."""
    actions = actions if actions is not None else [make_action(i) for i in range(1, n_actions + 1)]
    ratings = {a.action_id: make_rating(a, _CYCLE[i % len(_CYCLE)])
               for i, a in enumerate(actions)}
    previous = period.previous().label
    groups = []
    for file in carried_files:
        ids = [a.action_id for a in actions if a.source.file == file]
        for action_id in ids:
            ratings[action_id] = dataclasses.replace(
                ratings[action_id], carried_from=previous, not_updated=NOT_READ)
        groups.append(NotUpdated(
            file=file, reason="the tracker could not be read (the file is damaged or "
                              "incomplete)",
            action_ids=tuple(ids),
            budget=sum(a.budget or 0 for a in actions if a.source.file == file)))
    coverage = Coverage(plan_actions=len(actions), not_updated=tuple(groups),
                        previous_period=previous)
    kpis = [make_kpi(i) for i in range(1, n_kpis + 1)]
    results = {k.kpi_id: make_kpi_result(k, (Rag.RED, Rag.AMBER, Rag.GREEN)[i % 3])
               for i, k in enumerate(kpis)}

    def roll(key):
        groups: dict[str, list[Action]] = {}
        for a in actions:
            for k in key(a):
                groups.setdefault(k, []).append(a)
        out = []
        for name, items in sorted(groups.items()):
            budget = sum(a.budget or 0 for a in items)
            forecast = sum(a.forecast or 0 for a in items)
            out.append(StreamFinance(name, len(items), FinanceRating(
                budget=budget, spend_to_date=sum(a.spend_to_date or 0 for a in items),
                forecast=forecast, variance=forecast - budget,
                rag=Rag.AMBER if forecast > budget else Rag.GREEN)))
        return tuple(out)

    ids = [a.action_id for a in actions]
    issues = (
        make_issue("end-before-start", file="tracker-1.xlsx", sheet="Actions", cell="H9",
                   field="end", value="01/01/2017", detail="01/04/2017"),
        make_issue("stale-update", file="tracker-2.xlsx", sheet="Actions", cell="N7",
                   field="last_updated", value="01/06/2018", detail=121,
                   as_of="30/09/2018", limit=45),
        make_issue("file-password-protected", file="locked.xlsx"),
    )
    sources = (
        SourceFile(path="tracker-1.xlsx", size=12000, modified=datetime(2018, 9, 20, 10, 0),
                   sha256="ab" * 32, kind="xlsx", sheets=("Actions",), rows_read=8,
                   actions=7),
        SourceFile(path="locked.xlsx", size=9000, modified=datetime(2018, 9, 21, 9, 0),
                   sha256="cd" * 32, kind="encrypted", refused="file-password-protected"),
    )
    from reportgen.config import Thresholds
    from reportgen.config import load_config
    from reportgen.pipeline import next_update
    from reportgen.rate import allocate, finance_total

    by_stream = roll(lambda a: a.funding)
    return RatedRun(
        period=period, as_of=period.as_of, actions=tuple(actions), ratings=ratings,
        kpis=tuple(kpis), kpi_results=results,
        finance_by_stream=by_stream,
        allocations=allocate(actions), finance_total=finance_total(by_stream, Thresholds()),
        next_update=next_update(period, load_config(ROOT / "reportgen.toml")),
        finance_by_objective=roll(lambda a: (f"Objective {a.objective}",)),
        changes=Changes(previous_period=period.previous().label, newly_red=ids[:1],
                        improved=ids[2:3], worsened=ids[1:2], newly_complete=ids[3:4],
                        new=ids[4:5], removed=("O9-99",)),
        previous_rags={a.action_id: Rag.GREEN for a in actions[:-1]},
        trend={a.action_id: ((period.shift(-2).label, Rag.GREEN),
                             (period.previous().label, Rag.AMBER),
                             (period.label, ratings[a.action_id].reported)) for a in actions},
        issues=issues, sources=sources, slippage_model="points", coverage=coverage,
    )


def view_of(run: RatedRun, config=None, workbooks: Path | None = None):
    """The view of ``run`` (reportgen.view.build_view), as the pipeline builds it: with
    the repository's configuration unless ``config`` is given, links into ``workbooks``
    (default: the samples' folder)."""
    from reportgen.config import load_config
    from reportgen.view import build_view

    return build_view(run, config or load_config(ROOT / "reportgen.toml"),
                      Path(workbooks) if workbooks is not None else ROOT / "workbooks")
