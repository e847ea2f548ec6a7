"""Issue 16 in the outputs: the paper and the workbooks never misstate the plan.

Actions carried forward from last period are marked wherever they appear; an incomplete
month is stated first (page 1 of the PDF, the top of the workbook's Summary) and never
when the month is complete; finance exceptions are listed by action; change lists name
actions; the chase list names the officer once per item; files not read are counted
apart."""

from __future__ import annotations

import dataclasses
import subprocess
from dataclasses import replace
from enum import Enum
from pathlib import Path

import openpyxl
import pytest

from factories import view_of, make_run
from reportgen.issues import Issue, make_issue
from reportgen.model import Coverage, FinanceRating, Rag
from reportgen.render.feedback import write_feedback
from reportgen.view.feedback import CHASE_LIST, UNKNOWN_OFFICER
from reportgen.view.prose import coverage_statement
from reportgen.view.words import short_title
from reportgen.render.word import render_board_report
from reportgen.render.workbook import write_consolidated
from test_word import all_text, body, edited_template, needs_soffice, pdf_text, to_pdf

CARRIED_FILE = "tracker-2.xlsx"  # actions 2, 6, 10, … of make_run: O2-22 is Red, O3-02 Amber
WORDS = ("Not updated this month: the tracker could not be read (the file is damaged or "
         "incomplete); rating from August 2018")
STATEMENT = "This month's data are incomplete. 8 of the plan's 30 actions were not updated"


@pytest.fixture(scope="module")
def carried_run():
    return make_run(30, carried_files=(CARRIED_FILE,))


@pytest.fixture(scope="module")
def carried_report(carried_run, config, tmp_path_factory) -> Path:
    return render_board_report(view_of(carried_run, config), config,
                               tmp_path_factory.mktemp("cov") / "board-report.docx")


@pytest.fixture(scope="module")
def carried_text(carried_report) -> str:
    return all_text(body(carried_report))


def sheet_rows(ws) -> list[list]:
    return [[c for c in r if c is not None] for r in ws.iter_rows(values_only=True)]


# --------------------------------------------------------------------------- statement


def test_statement_names_the_plan_files_reasons_budget_and_marker(carried_run):
    text = coverage_statement(carried_run.coverage)
    budget = sum(a.budget for a in carried_run.actions if a.source.file == CARRIED_FILE)
    assert text.startswith(STATEMENT)
    assert f"8 from {CARRIED_FILE} – the tracker could not be read" in text
    assert f"They carry £{budget:,.0f} of budget." in text
    assert text.endswith("Their last ratings, from August 2018, are shown and marked ‡.")


def test_statement_opens_the_paper_before_the_purpose(carried_text):
    assert carried_text.index(STATEMENT) < carried_text.index("Purpose of the report")
    assert carried_text.count(STATEMENT) == 1


@pytest.mark.parametrize("coverage", [None, Coverage(plan_actions=30)])
def test_no_statement_when_there_is_nothing_to_compare_or_it_is_complete(
        config, tmp_path, carried_run, coverage):
    run = replace(make_run(30), coverage=coverage)
    text = all_text(body(render_board_report(view_of(run, config), config, tmp_path / "r.docx")))
    assert "incomplete" not in text
    assert "‡ " not in text and "Red ‡" not in text


def test_a_template_without_the_coverage_part_opens_the_summary_with_it(
        config, tmp_path, carried_run, caplog):
    tpl = edited_template(tmp_path, "{{p coverage }}", "")
    text = all_text(body(render_board_report(view_of(carried_run, config), config, tmp_path / "r.docx",
                                             template=tpl)))
    summary = text.index("Summary\n")
    assert text.index(STATEMENT) > summary
    assert text.index(STATEMENT) < text.index("At 30/09/2018 the plan has")
    assert "no {{p coverage" not in caplog.text


def test_headline_states_the_full_plan_with_the_carried_counted(carried_text):
    assert ("At 30/09/2018 the plan has 30 actions" in carried_text)
    assert "These counts include 8 actions not updated this month" in carried_text


@needs_soffice
def test_statement_is_on_page_one_of_the_pdf(carried_report, tmp_path):
    pdf = to_pdf(carried_report, tmp_path)
    first = subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", "1", "-l", "1", str(pdf),
                            "-"], check=True, capture_output=True).stdout.decode("utf-8")
    first = " ".join(first.split())
    assert STATEMENT in first
    assert "marked ‡" in first
    assert "Red ‡" in pdf_text(pdf)


# --------------------------------------------------------------------------- marking


def test_carried_actions_are_marked_in_exceptions_objectives_and_appendix(carried_text):
    # O2-22 is Red and O3-02 Amber, both carried: their RAG cells carry the marker and
    # the words, in the exceptions, the objective tables and the appendix.
    assert carried_text.count("Red ‡") >= 3
    assert carried_text.count("Amber ‡") >= 3
    assert carried_text.count(WORDS) >= 3 * 2
    exceptions = carried_text[carried_text.index("Red and Amber actions"):]
    assert "O2-22" in exceptions[:exceptions.index(WORDS) + 400]
    # an action updated this month has a plain rating
    assert "Red\n" in carried_text


def test_the_key_explains_the_marker(carried_text):
    key = carried_text[carried_text.index("Colour or symbol"):]
    assert "‡\nNot updated this month: the action's tracker" in key


def test_workbook_actions_sheet_says_whether_each_action_was_updated(
        carried_run, config, tmp_path):
    path = tmp_path / "c.xlsx"
    write_consolidated(view_of(carried_run, config, tmp_path), config, path)
    ws = openpyxl.load_workbook(path)["Actions"]
    head = [c.value for c in ws[1]]
    col = head.index("Updated this month")
    ids = head.index("ID")
    values = {r[ids]: r[col] for r in ws.iter_rows(min_row=2, values_only=True)}
    carried = {a.action_id for a in carried_run.actions if a.source.file == CARRIED_FILE}
    assert len(values) == 30
    for action_id, value in values.items():
        if action_id in carried:
            assert value == ("No: the tracker could not be read (the file is damaged or "
                             "incomplete); rating from August 2018")
        else:
            assert value == "Yes"


def test_workbook_summary_opens_with_the_statement(carried_run, config, tmp_path):
    path = tmp_path / "c.xlsx"
    write_consolidated(view_of(carried_run, config, tmp_path), config, path)
    rows = sheet_rows(openpyxl.load_workbook(path)["Summary"])
    assert rows[2][0] == coverage_statement(carried_run.coverage)
    facts = {r[0]: r[1] for r in rows if len(r) == 2}
    assert facts["Actions in the plan"] == 30
    assert facts["Not updated this month"] == 8


def test_workbook_summary_says_nothing_when_complete(config, tmp_path):
    path = tmp_path / "c.xlsx"
    write_consolidated(view_of(make_run(30), config, tmp_path), config, path)
    rows = sheet_rows(openpyxl.load_workbook(path)["Summary"])
    assert not any("incomplete" in str(v) for r in rows for v in r)
    assert rows[3] == ["Period", "September 2018 (2018-09)"]


# --------------------------------------------------------------------------- finance


def with_overspend(run, action_id: str, budget: float, forecast: float):
    ratings = dict(run.ratings)
    r = ratings[action_id]
    ratings[action_id] = replace(r, finance=FinanceRating(
        budget=budget, spend_to_date=100.0, forecast=forecast,
        variance=forecast - budget, rag=Rag.RED))
    return replace(run, ratings=ratings)


def test_finance_exceptions_reach_the_paper(config, tmp_path):
    run = make_run(30)
    action = next(a for a in run.actions if a.action_id == "O2-07")
    run = with_overspend(run, "O2-07", 350000.0, 371500.0)
    text = all_text(body(render_board_report(view_of(run, config), config, tmp_path / "r.docx")))
    # the body: one line each, in £000, Red first; the appendix: to the pound
    part = text[text.index("Finance by funding stream (£000)"):text.index("Data quality")]
    assert "O2-07 " + short_title(action.action, 50) in part
    assert action.lead_officer in part
    assert "£22k over, finance Red" in part
    assert part.index("O2-07") < part.index("O1-06")
    appendix = text[text.index("Appendix F: Finance by action"):]
    assert "£350,000\n–\n£371,500\n£21,500 over\nRed" in appendix or \
        "£350,000\n£100\n£371,500\n£21,500 over\nRed" in appendix


def test_finance_exceptions_on_the_finance_sheet(config, tmp_path):
    run = with_overspend(make_run(30), "O2-07", 350000.0, 371500.0)
    path = tmp_path / "c.xlsx"
    write_consolidated(view_of(run, config, tmp_path), config, path)
    rows = sheet_rows(openpyxl.load_workbook(path)["Finance"])
    top = next(i for i, r in enumerate(rows) if r == ["Finance exceptions by action"])
    assert rows[top + 2] == ["Action", "Lead officer", "Budget", "Forecast", "Variance",
                             "Finance RAG"]
    first = rows[top + 3]
    assert first[0].startswith("O2-07: We will deliver")
    assert first[2:] == [350000, 371500, 21500, "Red"]
    assert rows[top + 4][0].startswith("Commentary: Progress update for action 7.")


def test_no_overspend_says_so(config, tmp_path):
    run = make_run(5)  # no action i % 6 == 0: none forecasts over budget
    text = all_text(body(render_board_report(view_of(run, config), config, tmp_path / "r.docx")))
    assert "No action forecasts an overspend" in text


# --------------------------------------------------------------------------- changes


def test_change_lists_name_each_action_by_id_title_and_officer(config, tmp_path):
    run = make_run(30)
    text = all_text(body(render_board_report(view_of(run, config), config, tmp_path / "r.docx")))
    changes = text[text.index("Changes since August 2018"):text.index("Ratings by objective")]
    view = view_of(run, config)
    for kind in ("newly_red", "improved", "new"):
        for a in view.change(kind).actions[:5]:
            assert f"{a.id} {short_title(a.action.action)} ({a.officer})" in changes
    assert "O9-99" in changes  # no longer reported, unknown to the last period: the ID alone
    known = replace(run.changes, removed_names={"O9-99": ("We will close the old day "
                                                           "service", "Jane Hope")})
    text = all_text(body(render_board_report(view_of(replace(run, changes=known), config), config,
                                             tmp_path / "r2.docx")))
    assert "O9-99 We will close the old day service (Jane Hope)" in text


def test_short_title_cuts_at_a_word():
    text = ("Develop and implement a new model of integrated community support for people "
            "with dementia and their carers")
    title = short_title(text)
    assert len(title) <= 61 and title.endswith("…")
    assert text.startswith(title[:-1])
    assert text[len(title) - 1] == " "


# --------------------------------------------------------------------------- data quality


class _Severity(str, Enum):  # another engineer adds "info" to Severity; handled generically
    INFO = "info"


def test_files_not_read_are_listed_and_counted_apart(config, tmp_path):
    run = make_run(10)
    note = dataclasses.replace(run.issues[0], code="file-not-read", severity=_Severity.INFO,
                               file="minutes.docx", sheet=None, cell=None,
                               message="minutes.docx is a Word document, not a tracker.",
                               hint="Save it as .xlsx if it is a tracker.")
    run = replace(run, issues=run.issues + (note,))
    text = all_text(body(render_board_report(view_of(run, config), config, tmp_path / "r.docx")))
    dq = text[text.index("Trackers not read\n"):text.index("Updates overdue")]
    assert ("Files that are not trackers\n1 file in the trackers folder is in a format "
            "reportgen does not read, so it is not read and not counted as a tracker") in dq
    assert dq.count("minutes.docx is a Word document, not a tracker.") == 1
    assert "2 errors (rows or files left out of the ratings) and 1 warning" in dq


# --------------------------------------------------------------------------- chase list


def chase_rows(out: Path) -> list[list]:
    ws = openpyxl.load_workbook(out / CHASE_LIST)["Chase list"]
    return [[c.value for c in r] for r in ws.iter_rows(min_row=5)]


def test_chase_list_names_the_officer_and_lists_each_item_once(config, tmp_path):
    run = make_run(8)
    a = run.actions[2]
    missing = make_issue("end-before-start", file="bad.xlsx", sheet="Actions", cell="I9",
                         field="end", value="01/01/2017", detail="01/04/2017")
    named = replace(missing, action_id="X-09", officer="Jane Hope")
    by_id = replace(run.issues[1], action_id=a.action_id, officer=None)
    run = replace(run, issues=(named, named, by_id, by_id, run.issues[2]))
    out = tmp_path / "feedback"
    write_feedback(view_of(run, config, tmp_path / "workbooks"), config, out)
    rows = chase_rows(out)
    officers = [(r[0], r[2]) for r in rows if r[6] != "update due"]
    assert ("Jane Hope", "X-09") in officers
    assert (a.lead_officer, a.action_id) in officers
    assert len(officers) == 3  # each duplicated issue once, plus the refused file
    assert sum(1 for o, _ in officers if o == UNKNOWN_OFFICER) == 1  # the refused file
    fix = openpyxl.load_workbook(out / "bad.xlsx")["What to fix"]
    assert sum(1 for r in fix.iter_rows(min_row=6, values_only=True) if r[5]) == 1


def test_the_statement_counts_a_repeated_action_once_beside_the_rows():
    """A plan that repeats actions under several objectives is counted as the summary
    counts it: 3 rows not updated are 2 distinct actions (O1-02 is O2-05 again), of a plan
    of 6 rows that are 5 distinct actions."""
    from reportgen.model import NotUpdated

    coverage = Coverage(plan_actions=6, not_updated=(NotUpdated(
        file="Objective1.xlsx", reason="the tracker could not be read",
        action_ids=("O1-01", "O1-02", "O2-05"), budget=0.0),), previous_period="2018-08")
    repeats = {"O1-02": ("O2-05",), "O2-05": ("O1-02",)}
    text = coverage_statement(coverage, repeats)
    assert "3 of the plan's 6 tracker rows (2 of its 5 distinct actions) were not " \
           "updated" in text
    # without repeats, rows and actions are one count
    assert "3 of the plan's 6 actions were not updated" in coverage_statement(coverage)
    assert "3 of the plan's 6 actions were not updated" in coverage_statement(coverage, {})


def test_one_grouping_of_a_repeated_action_everywhere():
    """Every occurrence of a repeated action is one action of the view, counted once at
    its worst rating, the grouping Coverage.distinct and the index of periods use too."""
    from dataclasses import replace
    from reportgen.view.actions import distinct_rags

    repeats = {"O1-10": ("O2-9", "O3-1"), "O2-9": ("O1-10", "O3-1"),
               "O3-1": ("O1-10", "O2-9")}
    assert distinct_rags({"O1-10": Rag.GREEN, "O2-9": Rag.RED, "O3-1": Rag.AMBER,
                          "O4-02": Rag.RED}, repeats) == {Rag.RED: 2}
    run = make_run(6)
    ids = [a.action_id for a in run.actions]
    twin = {ids[0]: (ids[3],), ids[3]: (ids[0],)}
    view = view_of(replace(run, repeats=twin))
    assert len(view.actions) == len(run.actions) - 1
    pair = [a for a in view.actions if len(a.ids) == 2]
    assert len(pair) == 1 and set(pair[0].ids) == {ids[0], ids[3]}
    assert pair[0].rag == max((run.ratings[i].reported for i in pair[0].ids),
                              key=lambda r: r.rank)
    assert view.counts.actions == 5 and view.counts.tracker_rows == 6
