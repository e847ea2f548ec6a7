"""The dashboard page: what it shows, in order, and that tracker text stays text."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from factories import view_of, make_action, make_run
from reportgen.errors import TemplateError
from reportgen.model import Rag
from reportgen.pipeline import stored_periods
from reportgen.render.dashboard import render_dashboard, write_index
from reportgen.view.index import build_index
from reportgen.view.kpis import nice_axis

NOW = datetime(2018, 10, 5, 9, 0)


class Page(HTMLParser):
    """The page's elements (tag, attributes), script bodies and visible text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style", "title", "desc"):
            self._in.append(tag)

    def handle_endtag(self, tag):
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data):
        if self._in and self._in[-1] == "script":
            self.scripts.append(data)
        elif not self._in:
            self.text.append(data)

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


@pytest.fixture
def page(tmp_path, config):
    def _page(run) -> tuple[str, Page]:
        out = render_dashboard(view_of(run, config), config, tmp_path / "dashboard" / "index.html")
        html = out.read_text(encoding="utf-8")
        return html, Page(html)
    return _page


def exception_ids(html: str) -> list[str]:
    """The IDs of the exceptions the page lists, in its order."""
    return re.findall(r'<details class="exception">\s*<summary><span class="id">([^<]+)</span>',
                      html)


def test_contents_in_the_order_a_board_member_reads(page):
    run = make_run(carried_files=("tracker-1.xlsx",))
    html, p = page(run)
    headings = [re.sub(r"<[^>]+>", "", m) for m in re.findall(r"<h2[^>]*>(.*?)</h2>", html)]
    assert headings == ["This month's data are incomplete", "In brief",
                        "What the colours mean", "Actions by rating", "Ratings by objective",
                        "Exceptions: Red and Amber actions", "Key performance indicators (KPIs)",
                        "Finance by funding stream", "Data quality", "Every action"]
    words = p.words
    view = view_of(run)
    assert "This month's data are incomplete." in words
    newly = len(view.change("newly_red").actions)
    assert newly and f"Since August 2018: {newly} newly Red" in words
    # every action is in the full table, with its RAG as a word
    rows = re.findall(r'<th scope="row" data-sort="[^"]*"><span class="id">([^<]+)</span>',
                      html)
    assert sorted(rows) == sorted(a.action_id for a in run.actions)
    # exceptions: each Red/Amber action once, in the order the paper lists them
    ids = exception_ids(html)
    red_amber = [a.action_id for a in run.actions
                 if run.ratings[a.action_id].reported in (Rag.RED, Rag.AMBER)]
    assert sorted(ids) == sorted(red_amber) and ids == [a.id for a in view.exceptions]


def test_complete_month_has_no_incompleteness_statement(page):
    html, p = page(make_run())
    assert "incomplete" not in p.words


def test_counts_table_gives_change_since_last_period(page):
    run = make_run()
    html, p = page(run)
    reds = sum(1 for r in run.ratings.values() if r.reported is Rag.RED)
    reds_before = sum(1 for r in run.previous_rags.values() if r is Rag.RED)
    row = re.search(r"rag-red\">Red</span></th><td class=\"num\">(\d+)</td>"
                    r"<td class=\"num\">(\d+)</td><td class=\"num\">([^<]+)</td>", html)
    assert row and int(row.group(1)) == reds and int(row.group(2)) == reds_before
    change = reds - reds_before
    assert row.group(3) == ("0" if not change else f"{'+' if change > 0 else '−'}{abs(change)}")


def test_accessible_structure(page):
    html, p = page(make_run())
    assert '<html lang="en-GB">' in html
    tags = [t for t, _ in p.tags]
    for landmark in ("header", "nav", "main", "footer"):
        assert landmark in tags
    assert p.tags[tags.index("a")][1]["href"] == "#main"  # the skip link comes first
    for tag, attrs in p.tags:
        if tag == "th":
            assert attrs.get("scope") in ("col", "row")
        if "chart" in attrs.get("class", "").split():  # a text alternative for each chart
            assert attrs["role"] == "img" and attrs["aria-labelledby"]
    charts = [a for t, a in p.tags if "chart" in a.get("class", "").split()]
    assert len(charts) == html.count("<figure>") >= 3
    # the words and numbers of charts are HTML (a checker can measure their contrast)
    assert "<text" not in html
    sort_headers = [a for t, a in p.tags if t == "th" and "data-type" in a]
    assert len(sort_headers) == 9
    assert "@media print" in html and "@media (max-width" in html
    # RAG in words and shapes, not colour alone: the shape drawn before the word, in its
    # colours, and kept from screen readers (which read the word)
    assert '.rag-red::before { content: "▲ "; content: "▲ " / ""; }' in html
    assert '<span class="rag rag-red">Red</span>' in html


def test_page_is_self_contained_with_only_its_own_script(page):
    html, p = page(make_run())
    assert len(p.scripts) == 1
    for tag, attrs in p.tags:
        for name, value in attrs.items():
            if name in ("src", "href") and value:
                assert not re.match(r"(https?:)?//", value), (tag, name, value)
    assert "script-src 'sha256-" in html


HOSTILE = {
    "script": "<script>alert('x')</script>",
    "formula": "=cmd|' /C calc'!A0",
    "control": "before\x00\x07\x1b after",
    "long": "A" * 32_767,
    "emoji": "Carers 👩‍⚕️ support 🚑 — naïve “quotes” & <b>bold</b>",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_tracker_text_renders_as_text(page, name):
    text = HOSTILE[name]
    actions = [make_action(i, commentary=text, action=text, lead_officer=text,
                           corrective_action=text) for i in range(1, 8)]
    run = make_run(actions=actions)
    html, p = page(run)
    assert len(p.scripts) == 1 and "alert(" not in p.scripts[0]
    assert not any(t == "b" for t, _ in p.tags)
    assert "\x00" not in html and "\x07" not in html and "\x1b" not in html
    expected = {"control": "before after"}.get(name, text)
    assert expected in p.words
    if name == "long":
        assert html.count("A" * 32_767) >= len(actions)


def test_hostile_kpi_and_objective_text_in_charts_is_escaped(page, config):
    run = make_run()
    kpi = dataclasses.replace(run.kpis[0], indicator="</title><script>x()</script>")
    html, p = page(dataclasses.replace(run, kpis=(kpi, *run.kpis[1:])))
    assert "<script>x()" not in html
    assert "&lt;/title&gt;&lt;script&gt;x()" in html


def test_restyled_template_is_used_and_a_broken_one_is_one_line(tmp_path, config):
    folder = tmp_path / "templates" / "dashboard"
    folder.mkdir(parents=True)
    paths = dataclasses.replace(config.paths, template=tmp_path / "templates" / "board.docx")
    custom = dataclasses.replace(config, paths=paths)
    (folder / "style.css.j2").write_text("body { color: #111111; } /* ours */",
                                         encoding="utf-8")
    out = render_dashboard(view_of(make_run(), custom), custom, tmp_path / "a.html")
    assert "/* ours */" in out.read_text(encoding="utf-8")
    (folder / "period.html.j2").write_text("{% if %}", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"period\.html\.j2.*line 1"):
        render_dashboard(view_of(make_run(), custom), custom, tmp_path / "b.html")


def test_index_lists_every_stored_period_with_counts_and_links(tmp_path, config):
    from reportgen.history import History

    history_path = tmp_path / "history.sqlite"
    runs = [make_run(period=p) for p in (make_run().period.previous(), make_run().period)]
    with History(history_path, clock=lambda: NOW) as history:
        for run in runs:
            history.save_period(run)
    render_dashboard(view_of(runs[1], config), config,
                     tmp_path / runs[1].period.label / "dashboard" / "index.html")
    out = write_index(build_index(stored_periods(history_path, tmp_path, NOW)), tmp_path, config)
    assert out == tmp_path / "dashboard" / "index.html"
    html = out.read_text(encoding="utf-8")
    p = Page(html)
    words = p.words
    table = words[words.index("Every stored period"):]
    assert table.index("September 2018") < table.index("August 2018")  # newest first
    links = [a["href"] for t, a in p.tags if t == "a" and a["href"] != "#main"]
    assert links == ["../2018-09/dashboard/index.html"]
    assert (out.parent / links[0]).resolve().exists()
    assert "August 2018 (no dashboard page)" in words
    reds = sum(1 for r in runs[1].ratings.values() if r.reported is Rag.RED)
    assert re.search(rf'<td class="num" data-label="Red">{reds}</td>', html)
    assert not [p for p in out.parent.iterdir() if p.name != "index.html"]  # no temp left


def test_index_without_history(tmp_path, config):
    out = write_index(build_index(stored_periods(tmp_path / "none.sqlite", tmp_path, NOW)), tmp_path, config)
    assert "No period has been stored yet." in out.read_text(encoding="utf-8")
    assert not (tmp_path / "none.sqlite").exists()


def test_the_cycle_writes_the_page_with_the_outputs_and_the_index_after(tmp_path, config):
    from datetime import date

    from reportgen.model import Period
    from reportgen.pipeline import REPORT, run_cycle

    now = datetime(2018, 10, 5, 9, 0)
    samples = Path(__file__).resolve().parents[1] / "workbooks"
    run_cycle(config, Period(2018, 8), today=date(2018, 9, 5), now=now, workbooks=samples,
              output=tmp_path, artefacts={REPORT})
    result = run_cycle(config, Period(2018, 9), today=date(2018, 10, 5), now=now,
                       workbooks=samples, output=tmp_path)
    page = tmp_path / "2018-09" / "dashboard" / "index.html"
    html = page.read_text(encoding="utf-8")
    p = Page(html)
    assert "Action plan dashboard: September 2018" in p.words
    assert f"Show every action ({len(result.run.actions)}), by objective" in p.words
    assert not list((tmp_path / "2018-09").glob(".staging-*"))
    # the period's paper beside the page, by relative links within the output folder
    papers = [a["href"] for t, a in p.tags if t == "a" and "board-report" in a.get("href", "")]
    expected = ["../board-report-2018-09.docx"]
    if "pdf" in result.outputs:
        expected.insert(0, "../board-report-2018-09.pdf")
    assert papers == expected
    assert all((page.parent / href).resolve().is_file() for href in papers)
    assert "The full board paper: " in p.words
    index = Page((tmp_path / "dashboard" / "index.html").read_text(encoding="utf-8"))
    links = [a["href"] for t, a in index.tags if t == "a" and a["href"] != "#main"]
    assert links == ["../2018-09/dashboard/index.html", "../2018-08/dashboard/index.html"]
    red = result.rag_counts["Red"]
    assert f"September 2018 {red} " in index.words


def test_an_action_repeated_under_several_objectives_is_one_exception(page):
    run = make_run()
    red = [a for a in run.actions if run.ratings[a.action_id].reported is Rag.RED]
    first, second = red[0], red[1]
    assert first.objective != second.objective
    run = dataclasses.replace(run, repeats={first.action_id: (second.action_id,),
                                            second.action_id: (first.action_id,)})
    html, p = page(run)
    ids = exception_ids(html)
    assert (first.action_id in ids) != (second.action_id in ids)
    shown = first if first.action_id in ids else second
    other = second if shown is first else first
    assert f"{shown.objective} (Also under Objective {other.objective})" in p.words


def test_a_repeated_action_is_counted_once_as_the_paper_counts_it(page):
    """Two Red rows that are one action repeated under two objectives are one Red action
    on the page, as in the paper's summary, and the rows are named beside the count."""
    run = make_run()
    red = [a for a in run.actions if run.ratings[a.action_id].reported is Rag.RED]
    first, second = red[0], red[1]
    run = dataclasses.replace(run, repeats={first.action_id: (second.action_id,),
                                            second.action_id: (first.action_id,)})
    reds = sum(1 for r in run.ratings.values() if r.reported is Rag.RED)
    html, p = page(run)
    row = re.search(r"rag-red\">Red</span></th><td class=\"num\">(\d+)</td>", html)
    assert row and int(row.group(1)) == reds - 1
    rated = sum(1 for r in run.ratings.values() if r.reported is not Rag.CANCELLED)
    assert f"{rated - 1} distinct actions rated ({rated} tracker rows" in p.words


def test_a_run_chart_with_recalculated_limits_draws_each_stretch():
    """Limits recalculated from a month: the earlier stretch keeps its own mean and limits,
    and a dotted line marks where the process changed."""
    from reportgen.render.dashboard import svg

    values = [50.0] * 6 + [70.0] * 6
    labels = [f"M{i}" for i in range(12)]
    axis = nice_axis(values + [45.0, 75.0])
    chart = str(svg.run_chart("k", "t", "d", labels, values, axis, centre=70.0, lower=65.0,
                              upper=75.0, phases=((0, 50.0, 45.0, 55.0),
                                                  (6, 70.0, 65.0, 75.0))))
    flat = str(svg.run_chart("k", "t", "d", labels, values, axis, centre=70.0, lower=65.0,
                             upper=75.0))
    assert chart.count("<line") == flat.count("<line") + 4  # 3 earlier lines + the break
    assert 'stroke-dasharray="2 3"' in chart and 'stroke-dasharray="2 3"' not in flat


# --------------------------------------------------------------------------- the public


def _section(html: str, name: str) -> str:
    start = html.index(f'<section id="{name}"')
    return html[start:html.index("</section>", start)]


def test_the_page_opens_with_the_facts_in_plain_words_then_the_key(page):
    run = make_run(carried_files=("tracker-1.xlsx",))
    view = view_of(run)
    html, p = page(run)
    brief = Page(_section(html, "brief")).words
    now = view.counts.now
    assert (f"{now[Rag.RED]} are Red (overdue, or well behind plan), {now[Rag.AMBER]} Amber "
            f"(behind plan, or on hold)") in brief
    for word in ("RAG", "KPI", "tracker row", "£000", "k "):  # no jargon, no abbreviation
        assert word not in brief, word
    # the key spells out each colour before any colour is used on the page
    key = _section(html, "key")
    for rag in (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE):
        assert f'<dt><span class="rag rag-{rag.name.lower()}">{rag.word}</span></dt>' in key
    assert "25 points or more behind plan" in Page(key).words
    first_colour = html.index('<span class="rag ')
    assert html.index('<section id="key"') < first_colour < html.index("</section>",
                                                                     html.index('id="key"'))
    assert html.index('<section id="brief"') < html.index('<section id="key"')


def test_abbreviations_are_spelled_out_where_first_used(page):
    html, p = page(make_run())
    body = html[html.index("<main"):]
    for abbr in ("RAG", "KPI", "IJB", "ICF", "SPC"):
        first = re.search(rf"\b{abbr}s?\b", re.sub(r"<[^>]+>", lambda m: " " * len(m.group()),
                                                   body))
        assert first, abbr
        # the first use is an <abbr> with its meaning (in the glossary or in the text)
        opening = body.rfind("<abbr title=", 0, first.start())
        assert opening != -1 and body.find("</abbr>", opening) > first.start(), abbr
        title = re.match(r'<abbr title="([^"]+)"', body[opening:]).group(1)
        assert len(title) > len(abbr) + 10, (abbr, title)
    words = Page(_section(html, "key")).words
    for term in ("RAG challenge", "Points behind plan", "Upper and lower limits",
                 "In a signal"):
        assert term in words, term


def test_data_quality_is_counts_and_a_sentence_for_the_public(page):
    run = make_run()
    html, p = page(run)
    quality = Page(_section(html, "quality")).words
    view = view_of(run)
    q = view.quality
    assert f"{q.errors} error" in quality and f"{q.warnings} warning" in quality
    assert "Issues sheet" in quality
    for issue in view.issues:  # no cell, no instruction meant for an officer
        if issue.cell:
            assert f"!{issue.cell}" not in p.words
        assert issue.hint not in p.words


def test_filter_offers_objective_lead_officer_and_rating(page):
    run = make_run()
    html, p = page(run)
    options = {}
    for name in ("filter-objective", "filter-lead", "filter-rag"):
        block = re.search(rf'<select id="{name}">(.*?)</select>', html).group(1)
        options[name] = re.findall(r'<option value="([^"]*)">', block)
    assert options["filter-objective"][1:] == ["1", "2", "3"]
    assert options["filter-lead"][1:] == sorted({a.lead_officer for a in run.actions})
    assert set(options["filter-rag"][1:]) == {r.reported.value for r in run.ratings.values()}
    rows = re.findall(r'<tr data-objective="(\d+)" data-lead="([^"]*)" data-rag="(\w*)">', html)
    assert len(rows) == len(run.actions)
    assert {lead for _, lead, _ in rows} == set(options["filter-lead"][1:])


def test_ids_never_break_and_the_carried_key_is_said_once(page):
    html, p = page(make_run(carried_files=("tracker-1.xlsx",)))
    assert ".id { white-space: nowrap; }" in html
    assert re.search(r'<span class="id">O\d-\d\d</span>', html)
    assert "Not updated this month: Not updated this month" not in p.words
    assert p.words.count("‡ Not updated this month:") == 1
    html, p = page(make_run())  # every action updated: no key for a mark not used
    assert "Not updated this month" not in p.words


def test_long_lists_are_closed_until_opened(page):
    run = make_run(40)
    view = view_of(run)
    html, p = page(run)
    assert len(view.exceptions) > view.public.listed
    assert html.count('<details class="exception">') == len(view.exceptions)
    red, amber = view.exceptions_from(view.public.listed)
    assert f"{red} more Red and {amber} more Amber actions" in p.words
    assert re.search(r'<details id="all">\s*<summary>Show every action \(40\)', html)
    assert " open" not in re.sub(r"<(?!details)[^>]*>", "", html)  # nothing opened


def test_the_index_shows_the_trend_over_every_stored_month(tmp_path, config):
    from reportgen.history import History

    history_path = tmp_path / "history.sqlite"
    months = [make_run().period.shift(-k) for k in (2, 1, 0)]
    runs = [make_run(period=p, n_actions=10 + 2 * i) for i, p in enumerate(months)]
    with History(history_path, clock=lambda: NOW) as history:
        for run in runs:
            history.save_period(run)
    out = write_index(build_index(stored_periods(history_path, tmp_path, NOW)), tmp_path,
                      config)
    html = out.read_text(encoding="utf-8")
    trend = html[html.index('aria-labelledby="trend-h"'):html.index('aria-labelledby="periods-h"')]
    labels = re.findall(r'<span class="chart-label">([A-Z][a-z]+ \d{4})</span>', trend)
    assert labels == [p.name for p in months]  # oldest first
    totals = re.findall(r'<span class="chart-label">(\d+)</span>', trend)
    assert [int(t) for t in totals] == [
        sum(1 for r in run.ratings.values() if r.reported is not Rag.CANCELLED)
        for run in runs]
    assert 'role="img" aria-labelledby="trend-t trend-d"' in trend
    assert f"{months[0].name}: Red " in trend  # the text alternative
    assert "<table" in html[html.index('aria-labelledby="periods-h"'):]  # with its table


def test_run_chart_axis_numbers_are_round(config):
    """"1444.7 / 1084.6 / 724.5" was the axis of a chart of values from 724.5 to 1444.7:
    its ticks are now round steps (600, 800, … 1,600)."""
    from reportgen.render.dashboard.context import kpis_part

    run = make_run()
    values = (724.5, 1084.6, 1444.7, 900.2, 1000.0, 1200.3, 800.8, 950.0, 1100.0)
    kpi = dataclasses.replace(run.kpis[0], target=None, series=tuple(
        (f"2018-{m:02d}", v) for m, v in zip(range(1, 10), values)))
    view = view_of(dataclasses.replace(run, kpis=(kpi,), kpi_results={}), config)
    chart = str(kpis_part(view, config)[0]["chart"])
    ticks = re.findall(r'<div class="run-y">(.*?)</div>', chart)[0]
    numbers = re.findall(r">([^<]+)</span>", ticks)
    assert numbers == ["600", "800", "1,000", "1,200", "1,400", "1,600"]
