"""The body of the paper (every page before the one headed "Appendix A") fits the page
budget ([report] body_pages, 8 by default) for the samples and for a plan of 1,000
actions, as LibreOffice lays it out. One conversion per size: LibreOffice is slow."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest

from factories import view_of, make_action, make_run
from test_word import needs_soffice, to_pdf

ROOT = Path(__file__).resolve().parents[1]
FIRST_APPENDIX = "Appendix A: Key to colours and symbols"


def page_texts(pdf: Path) -> list[str]:
    """The text of each page (pdftotext separates pages with a form feed)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                         capture_output=True).stdout.decode("utf-8")
    return [" ".join(page.split()) for page in out.split("\f")]


def body_pages(pdf: Path) -> int:
    """Pages before the one that holds the first appendix's heading."""
    pages = page_texts(pdf)
    for n, text in enumerate(pages):
        if FIRST_APPENDIX in text:
            return n
    raise AssertionError(f"no page holds {FIRST_APPENDIX!r}")


def big_plan(n: int = 1000):
    """A plan of ``n`` actions: a third of them Red or Amber, a long commentary and
    corrective action on each, eight indicators, a few decisions asked of the Board and a
    hundred actions forecast to overspend (the finance part stays bounded)."""
    actions = []
    for i in range(1, n + 1):
        a = make_action(i)
        actions.append(dataclasses.replace(
            a, action=("We will deliver improvement number %d by redesigning the pathway "
                       "with partners across the localities and reviewing the outcome." % i),
            commentary="Progress update: " + "the team met partners and agreed next "
                       "steps. " * 6,
            corrective_action="" if i % 2 else "Recovery plan agreed with the team; "
                              "report to the Strategic Planning Group next month.",
            decision="Yes" if i % 97 == 0 else "",
            forecast=(a.budget or 0) + (2500.0 if i % 10 == 0 else 0.0)))
    return make_run(actions=actions, n_kpis=8)


@needs_soffice
def test_the_samples_body_fits_the_budget(tmp_path):
    import sys
    sys.path.insert(0, str(ROOT / "scripts"))
    from golden import run_samples
    out_dir = run_samples(tmp_path / "out", tmp_path / "workbooks")
    docx = next(out_dir.glob("board-report-*.docx"))
    pdf = to_pdf(docx, tmp_path)
    pages = body_pages(pdf)
    assert 3 <= pages <= 8, pages
    text = " ".join(page_texts(pdf)[:pages])
    assert "Appendix D lists each" in text          # data quality: counts in the body


@needs_soffice
def test_a_1000_action_plan_body_fits_the_budget(config, tmp_path):
    from reportgen.render.word import render_board_report
    run = big_plan()
    docx = render_board_report(view_of(run, config), config, tmp_path / "big.docx")
    pdf = to_pdf(docx, tmp_path)
    pages = body_pages(pdf)
    assert 4 <= pages <= config.report.body_pages, pages
    body = " ".join(page_texts(pdf)[:pages])
    assert "listed in Appendix B" in body           # the capped exceptions say where
    assert "Red and Amber actions in full" in " ".join(page_texts(pdf)[pages:])


def test_a_render_measures_the_body_once(config, tmp_path, monkeypatch):
    """The page budget measures the body's other parts once a render (the run charts and
    the exceptions both ask); page 1 is the view's, worked out before any render."""
    from reportgen.render.word import budget, render_board_report
    calls = {"other": 0}
    measure = budget._measure_other_cm

    def counting(c):
        calls["other"] += 1
        return measure(c)

    monkeypatch.setattr(budget, "_measure_other_cm", counting)
    render_board_report(view_of(make_run(60), config), config, tmp_path / "r.docx")
    assert calls == {"other": 1}


def test_a_cycle_builds_the_view_once(config, tmp_path, monkeypatch):
    """One view of the period a run: every artefact renders the same one."""
    import reportgen.pipeline as pipeline
    from datetime import date, datetime
    from reportgen.model import Period

    built = []
    real = pipeline.build_view

    def counting(*args, **kwargs):
        built.append(real(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(pipeline, "build_view", counting)
    result = pipeline.run_cycle(config, Period(2018, 9), today=date(2018, 10, 5),
                                now=datetime(2018, 10, 5, 9, 0),
                                workbooks=ROOT / "workbooks", output=tmp_path / "out")
    assert len(built) == 1 and result.view is built[0]
