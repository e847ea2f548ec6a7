"""Finance the CFO can sign (issue 17 item 6): stated stream shares, the equal split named
as an assumption, £000 in the body, a Red part under a Green total, generated financial
implications and the per-action finance appendix."""

from __future__ import annotations

from dataclasses import replace

from builders import HEADERS, good_row, write_tracker
from factories import view_of, make_run
from reportgen.model import FinanceRating, Rag, StreamFinance
from reportgen.rate import allocate
from reportgen.render.word import render_board_report
from reportgen.view.formats import thousands
from test_word import all_text, body

ICF, CORE = "Integrated Care Fund", "Core Funding Investment"


def _shares(result):
    return {(al.stream, al.budget, al.basis) for al in allocate(result.actions)}


def test_amounts_in_the_funding_cell_are_used(tmp_path, read):
    path = write_tracker(tmp_path / "t.xlsx", [good_row(
        1, Funding="ICF £60,000; Core £20,000", **{"Budget (£)": 80000,
                                                   "Forecast Outturn": 80000})])
    result = read(path)
    assert not [i for i in result.issues if i.code == "funding-shares-mismatch"]
    assert _shares(result) == {(ICF, 60000.0, "stated"), (CORE, 20000.0, "stated")}


def test_percentages_in_the_funding_cell_are_used(tmp_path, read):
    path = write_tracker(tmp_path / "t.xlsx", [good_row(1, Funding="ICF 60% / Core 40%")])
    assert _shares(read(path)) == {(ICF, 6000.0, "stated"), (CORE, 4000.0, "stated")}


def test_a_zero_percentage_is_a_percentage(tmp_path, read):
    """Review mend: 'ICF 0% / Core 100%' was read as pounds (a -0.0 sign test): a false
    mismatch warning and an equal split."""
    result = read(write_tracker(tmp_path / "t.xlsx",
                                [good_row(1, Funding="ICF 0% / Core 100%")]))
    assert not [i for i in result.issues if i.code == "funding-shares-mismatch"]
    assert _shares(result) == {(ICF, 0.0, "stated"), (CORE, 10000.0, "stated")}


def test_shares_not_adding_to_the_budget_warn_at_the_cell(tmp_path, read):
    path = write_tracker(tmp_path / "t.xlsx", [good_row(
        1, Funding="ICF £6,000; Core £3,000")])  # budget £10,000
    result = read(path)
    found = [i for i in result.issues if i.code == "funding-shares-mismatch"]
    assert [i.cell for i in found] == ["G5"]  # the Funding cell of the row
    assert "£9,000.00" in found[0].message and "£10,000.00" in found[0].message
    assert _shares(result) == {(ICF, 6666.67, "stated"), (CORE, 3333.33, "stated")}


def test_per_stream_budget_columns_are_used(tmp_path, read):
    headers = HEADERS + ["Budget: ICF", "Core Funding budget"]
    path = write_tracker(tmp_path / "t.xlsx", [good_row(
        1, Funding="(ICF) (Core)", **{"Budget: ICF": 7500, "Core Funding budget": 2500})],
        headers=headers)
    result = read(path)
    assert not [i for i in result.issues if i.code == "funding-shares-mismatch"]
    assert _shares(result) == {(ICF, 7500.0, "stated"), (CORE, 2500.0, "stated")}


def test_no_stated_share_is_an_assumed_equal_split(tmp_path, read):
    path = write_tracker(tmp_path / "t.xlsx", [good_row(1, Funding="(ICF) (Core)")])
    assert _shares(read(path)) == {(ICF, 5000.0, "assumed"), (CORE, 5000.0, "assumed")}


def _run(red_objective: bool = False, overspend: bool = True):
    run = make_run(14)
    run = replace(run, allocations=allocate(run.actions),
                  finance_total=FinanceRating(1_234_400.0, 600_000.0, 1_200_000.0,
                                              -34_400.0, Rag.GREEN, False))
    if red_objective:
        run = replace(run, finance_by_objective=(
            StreamFinance("Objective 1", 5, FinanceRating(
                400_000.0, 1.0, 557_493.0, 157_493.0, Rag.RED)),
            StreamFinance("Objective 2", 5, FinanceRating(
                834_400.0, 1.0, 642_507.0, -191_893.0, Rag.GREEN, True))))
    return run


def _text(run, config, tmp_path, name="r.docx"):
    return all_text(body(render_board_report(view_of(run, config), config, tmp_path / name)))


def test_body_in_thousands_with_period_and_source(config, tmp_path):
    text = _text(_run(), config, tmp_path)
    section = text[text.index("Finance by funding stream (£000)") - 400:
                   text.index("Data quality")]
    assert "Budget period: 2018/19" in section and "Source: the lead officers'" in section
    assert "Budget £000" in section
    assert "k\n" in section and "£10,000\n" not in section  # no whole pounds in the body
    assert thousands(1_234_400.0) == "£1,234k" and thousands(157_493.0) == "£157k"


def test_equal_split_named_as_an_assumption(config, tmp_path):
    text = _text(_run(), config, tmp_path)
    assumed = sorted({al.action_id for al in _run().allocations if al.basis == "assumed"})
    assert assumed
    assert "split equally across their funding streams: an assumption, not a stated share" \
        in text
    assert assumed[0] in text


def test_green_total_over_a_red_objective_is_stated(config, tmp_path):
    text = _text(_run(red_objective=True), config, tmp_path)
    assert ("The plan total is Green, but Objective 1 is Red, £157k over its budget of "
            "£400k.") in text
    assert "Objective 1 is Red" not in _text(_run(), config, tmp_path, "b.docx")
    run = _run(red_objective=True)
    finance = [m for m in view_of(run).key_messages if m.startswith("Finance:")]
    assert finance and finance[0].startswith("Finance: forecast outturn £1,200k against a "
                                             "budget of £1,234k (£34k under)")
    assert finance[0].endswith("but Objective 1 is Red, £157k over its budget of £400k.")


def test_financial_implications_name_the_overspending_actions(config, tmp_path):
    run = _run()
    over = [a.action_id for a in run.actions if a.forecast and a.budget
            and a.forecast > a.budget]
    assert over
    text = _text(run, config, tmp_path)
    part = text[text.index("Financial\n"):text.index("Equalities")]
    assert "For 2018/19, the forecast outturn is £1,200k against a budget of £1,234k" in part
    for action_id in over[:5]:
        assert action_id in part
    assert "forecast an overspend totalling" in part


def test_missing_period_is_a_configuration_note_and_said(config, tmp_path):
    cfg = replace(config, finance=replace(config.finance, period=""))
    text = _text(_run(), cfg, tmp_path)
    assert "Budget period: budget period not stated" in text
    assert any("[finance] period" in n for n in view_of(_run(), cfg).config_notes)
    assert "[finance] period" in text[text.index("Appendix D:"):]


def test_appendix_has_each_action_to_the_pound_with_shares(config, tmp_path):
    run = _run()
    text = _text(run, config, tmp_path)
    appendix = text[text.index("Appendix F: Finance by action"):
                    text.index("Appendix G: Every action")]
    a = run.actions[3]  # O2-04: two streams, equal split assumed
    assert len(a.funding) == 2
    assert f"{a.action_id} " in appendix
    assert f"{a.funding[0]}: £{a.budget / 2:,.0f} (1 of 2, equal, assumed)" in appendix
    assert f"£{a.budget:,.0f}" in appendix


def test_a_stream_column_is_named_in_its_issues(tmp_path, read):
    headers = HEADERS + ["Budget: ICF", "Budget: Core"]
    path = write_tracker(tmp_path / "t.xlsx", [good_row(
        1, Funding="(ICF) (Core)", **{"Budget: ICF": "£7,500", "Budget: Core": 2500})],
        headers=headers)
    result = read(path)
    text = [i.message for i in result.issues if i.code == "money-as-text"]
    assert len(text) == 1 and text[0].startswith("Budget for Integrated Care Fund")
    assert _shares(result) == {(ICF, 7500.0, "stated"), (CORE, 2500.0, "stated")}


def test_pounds_and_percentages_mixed_fall_back_to_equal_with_a_warning(tmp_path, read):
    path = write_tracker(tmp_path / "t.xlsx", [good_row(1, Funding="ICF £6,000; Core 40%")])
    result = read(path)
    assert [i.cell for i in result.issues if i.code == "funding-shares-mismatch"] == ["G5"]
    assert _shares(result) == {(ICF, 5000.0, "assumed"), (CORE, 5000.0, "assumed")}
