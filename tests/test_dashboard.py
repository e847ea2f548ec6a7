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


def test_contents_in_the_order_a_board_member_reads(page):
    run = make_run(carried_files=("tracker-1.xlsx",))
    html, p = page(run)
    headings = [m for m in re.findall(r"<h2[^>]*>([^<]+)</h2>", html)]
    assert headings == ["This month's data are incomplete", "Actions by RAG", "RAG by objective",
                        "Exceptions: Red and Amber actions", "Key performance indicators",
                        "Finance by funding stream", "Data quality", "Every action"]
    words = p.words
    view = view_of(run)
    assert "This month's data are incomplete." in words
    newly = len(view.change("newly_red").actions)
    assert newly and f"Since August 2018: {newly} newly Red" in words
    # every action is in the full table, with its RAG as a word
    rows = re.findall(r'<th scope="row" data-sort="[^"]*">([^<]+)</th>', html)
    assert sorted(rows) == sorted(a.action_id for a in run.actions)
    # exceptions: each Red/Amber action once, in the order the paper lists them
    ids = re.findall(r'<h3 id="ex-\d+">([^:]+):', html)
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
    row = re.search(r"▲ </span>Red</span></th><td class=\"num\">(\d+)</td>"
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
        if tag == "svg":  # every chart has a text alternative
            assert attrs["role"] == "img" and attrs["aria-labelledby"]
    assert html.count("<svg") == html.count("<figure>") >= 3
    sort_headers = [a for t, a in p.tags if t == "th" and "data-type" in a]
    assert len(sort_headers) == 9
    assert "@media print" in html and "@media (max-width" in html
    # RAG in words and shapes, not colour alone
    assert 'aria-hidden="true">▲ </span>Red' in html


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
    assert words.index("September 2018") < words.index("August 2018")
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
    assert f"{len(result.run.actions)} actions, by objective" in p.words
    assert not list((tmp_path / "2018-09").glob(".staging-*"))
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
    ids = re.findall(r'<h3 id="ex-\d+">([^:]+):', html)
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
    row = re.search(r"▲ </span>Red</span></th><td class=\"num\">(\d+)</td>", html)
    assert row and int(row.group(1)) == reds - 1
    rated = sum(1 for r in run.ratings.values() if r.reported is not Rag.CANCELLED)
    assert f"{rated - 1} distinct actions rated ({rated} tracker rows" in p.words


def test_a_run_chart_with_recalculated_limits_draws_each_stretch():
    """Limits recalculated from a month: the earlier stretch keeps its own mean and limits,
    and a dotted line marks where the process changed."""
    from reportgen.render.dashboard import svg

    values = [50.0] * 6 + [70.0] * 6
    labels = [f"M{i}" for i in range(12)]
    chart = str(svg.run_chart("k", "t", "d", labels, values, centre=70.0, lower=65.0,
                              upper=75.0, phases=((0, 50.0, 45.0, 55.0),
                                                  (6, 70.0, 65.0, 75.0))))
    flat = str(svg.run_chart("k", "t", "d", labels, values, centre=70.0, lower=65.0,
                             upper=75.0))
    assert chart.count("<line") == flat.count("<line") + 4  # 3 earlier lines + the break
    assert 'stroke-dasharray="2 3"' in chart and 'stroke-dasharray="2 3"' not in flat
