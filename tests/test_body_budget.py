"""The body of the paper (every page before the one headed "Appendix A") fits the page
budget ([report] body_pages, 8 by default) for the samples and for a plan of 1,000
actions, as LibreOffice lays it out. One conversion per size: LibreOffice is slow."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest

from factories import make_action, make_run
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
    docx = render_board_report(run, config, tmp_path / "big.docx")
    pdf = to_pdf(docx, tmp_path)
    pages = body_pages(pdf)
    assert 4 <= pages <= config.report.body_pages, pages
    body = " ".join(page_texts(pdf)[:pages])
    assert "listed in Appendix B" in body           # the capped exceptions say where
    assert "Red and Amber actions in full" in " ".join(page_texts(pdf)[pages:])


def test_a_render_works_out_page_one_and_the_budget_once(config, tmp_path, monkeypatch):
    """The key messages, the recommendations and the body's other parts are worked out
    once a render: page 1 prints what the page budget measured."""
    from reportgen.render.word import budget, page_one, render_board_report
    calls = {"key_messages": 0, "recommendations": 0, "other": 0}

    def counting(name, fn):
        def wrapped(*args, **kwargs):
            calls[name] += 1
            return fn(*args, **kwargs)
        return wrapped

    monkeypatch.setattr(page_one, "key_messages",
                        counting("key_messages", page_one.key_messages))
    monkeypatch.setattr(page_one, "recommendations",
                        counting("recommendations", page_one.recommendations))
    monkeypatch.setattr(budget, "_measure_other_cm",
                        counting("other", budget._measure_other_cm))
    render_board_report(make_run(60), config, tmp_path / "r.docx")
    assert calls == {"key_messages": 1, "recommendations": 1, "other": 1}


def test_a_render_orders_the_exceptions_once(config, tmp_path, monkeypatch):
    """The body's exceptions and Appendix B share one merging and ordering of the Red and
    Amber actions, and ask each once what it asks of the Board."""
    from reportgen.render.word import exceptions, render_board_report
    calls = {"merge": 0, "asked": 0}
    merge, asked = exceptions.merge_repeats, exceptions.decision_asked

    def counting_merge(*args):
        calls["merge"] += 1
        return merge(*args)

    def counting_asked(item):
        calls["asked"] += 1
        return asked(item)

    monkeypatch.setattr(exceptions, "merge_repeats", counting_merge)
    monkeypatch.setattr(exceptions, "decision_asked", counting_asked)
    run = make_run(60)
    render_board_report(run, config, tmp_path / "r.docx")
    red_amber = sum(1 for r in run.ratings.values() if r.reported.value in ("Red", "Amber"))
    assert calls["merge"] == 1
    assert 0 < calls["asked"] <= red_amber
