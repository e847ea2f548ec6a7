"""The paper never misstates the plan (issue 16): two months with the real pipeline.

Month 1 (2018-09) runs on a clean copy of the samples; month 2 (2018-10) on the same copy
after the officers' everyday slips (:func:`slips.month_two`). Whatever month 2 could not
read is carried forward with September's ratings, marked, and said first.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest

from factories import view_of
from reportgen.cli import ExitCode
from reportgen.config import load_config
from reportgen.export import ACTION_COLUMNS, action_records, to_csv
from reportgen.history import History
from reportgen.issues import CATALOGUE
from reportgen.model import Period, Rag
from reportgen.pipeline import HistoryUse, run_cycle
from slips import OBJ2_COPY, OBJ3_COMMUNITY, month_two
from test_cycle import ROOT, SAMPLES, cli
from test_word import needs_soffice, pdf_text, to_pdf

SEP, OCT = Period(2018, 9), Period(2018, 10)


def _config(out: Path):
    cfg = load_config(ROOT / "reportgen.toml")
    return dataclasses.replace(
        cfg, paths=dataclasses.replace(cfg.paths, output=out, history=out / "history.sqlite"))


@pytest.fixture(scope="module")
def months(tmp_path_factory):
    """Month 1 through the pipeline; month 2 first with --require-complete, then as
    `reportgen run`, then read again as the export reads it."""
    base = tmp_path_factory.mktemp("truthful")
    wb, out = base / "workbooks", base / "output"
    shutil.copytree(SAMPLES, wb)
    cfg = _config(out)
    first = run_cycle(cfg, SEP, today=date(2018, 10, 5), now=datetime(2018, 10, 5, 9, 0),
                      workbooks=wb, output=out)
    slips = month_two(wb)
    strict = cli("run", "--period", "2018-10", "--workbooks", str(wb), "--output", str(out),
                 "--require-complete")
    strict_left = sorted(p.name for p in out.iterdir())
    with History(out / "history.sqlite", clock=datetime.now, read_only=True) as h:
        stored_after_strict = [p.label for p in h.periods()]
    lenient = cli("run", "--period", "2018-10", "--workbooks", str(wb), "--output", str(out))
    second = run_cycle(cfg, OCT, today=date(2018, 11, 5), now=datetime(2018, 11, 5, 9, 0),
                       workbooks=wb, output=out, artefacts=(), history=HistoryUse.READ)
    return dict(first=first.run, second=second.run, slips=slips, strict=strict,
                strict_left=strict_left, stored_after_strict=stored_after_strict,
                lenient=lenient, out=out)


def test_month_two_keeps_every_action_of_the_plan(months):
    first, second = months["first"], months["second"]
    assert len(first.actions) == 64
    assert {a.action_id for a in second.actions} >= {a.action_id for a in first.actions}
    assert len(second.actions) == len(second.ratings) == 64
    assert second.coverage.plan_actions == 64 and not second.coverage.complete


def test_the_truncated_trackers_actions_are_carried_and_marked(months):
    first, second = months["first"], months["second"]
    truncated = [a.action_id for a in first.actions if a.source.file == OBJ3_COMMUNITY]
    assert len(truncated) >= 12
    for action_id in truncated:
        r = second.ratings[action_id]
        assert not r.updated and r.carried_from == "2018-09"
        assert "the tracker could not be read" in r.not_updated
        assert r.reported is first.ratings[action_id].reported  # never a fresh RAG
    groups = [n for n in second.coverage.not_updated if n.file == OBJ3_COMMUNITY]
    assert sum(len(n.action_ids) for n in groups) == len(truncated)


def test_finance_totals_include_the_carried_budgets(months):
    first, second = months["first"], months["second"]
    carried = {k for k, r in second.ratings.items() if not r.updated}
    assert carried
    budgets = {a.action_id: a.budget or 0 for a in second.actions}
    assert second.finance_total.budget == pytest.approx(first.finance_total.budget, abs=1)
    assert second.coverage.carried_budget == pytest.approx(sum(budgets[k] for k in carried))
    assert second.finance_total.budget > 3_000_000  # the plan's £3.1 million, not a part


def test_carried_actions_are_not_listed_as_removed(months):
    second = months["second"]
    assert second.changes.previous_period == "2018-09"
    assert not set(second.changes.removed) & set(second.ratings)


def test_the_manifest_says_not_complete_with_reasons(months):
    manifest = json.loads((months["out"] / "2018-10" / "manifest.json").read_text("utf-8"))
    assert manifest["complete"] is False and manifest["plan_actions"] == 64
    # distinct actions, as the paper counts them, with the tracker rows beside
    assert manifest["counts"]["actions"] == 35 and manifest["counts"]["tracker_rows"] == 64
    files = {n["file"]: n for n in manifest["not_updated"]}
    assert "the tracker could not be read" in files[OBJ3_COMMUNITY]["reason"]
    assert all(n["reason"] and not n["reason"].startswith("Not updated") and n["actions"]
               for n in manifest["not_updated"])
    assert sum(len(n["actions"]) for n in manifest["not_updated"]) == \
        months["second"].coverage.carried


def test_the_console_summary_opens_with_the_statement(months):
    code, stdout, stderr = months["lenient"]
    assert code == ExitCode.VALIDATION_ERRORS, stdout + stderr  # the truncated tracker
    first = stdout.splitlines()[0]
    second = months["second"]
    carried = second.coverage.carried
    distinct, plan = second.coverage.distinct(second.repeats)  # the samples repeat actions
    # the paper's own statement, word for word (one coverage statement)
    assert first == view_of(second).coverage_statement
    assert first.startswith(f"This month's data are incomplete. {carried} of the plan's 64 "
                            f"tracker rows ({distinct} of its {plan} distinct actions) were "
                            "not updated this month")
    line = next(x for x in stdout.splitlines() if x.startswith("  ") and OBJ3_COMMUNITY in x)
    assert "the tracker could not be read" in line and "budget £" in line
    # the counts are the paper's: a repeated action once, the tracker rows beside
    assert f"; {plan} distinct actions (64 tracker rows)" in stdout


def test_the_export_lists_every_action_with_updated_yes_or_no(months):
    first, second = months["first"], months["second"]
    rows = list(csv.DictReader(io.StringIO(to_csv(action_records(view_of(second)), ACTION_COLUMNS))))
    by_id = {r["action_id"]: r for r in rows}
    assert set(by_id) >= {a.action_id for a in first.actions}
    assert {r["updated"] for r in rows} == {"yes", "no"}
    for action_id, r in by_id.items():
        rating = second.ratings[action_id]
        assert r["updated"] == ("yes" if rating.updated else "no")
        assert r["not_updated"] == (rating.not_updated or "")


def test_require_complete_stops_before_writing_anything(months):
    code, stdout, stderr = months["strict"]
    assert code == ExitCode.INCOMPLETE == 6, stdout + stderr
    assert "Traceback" not in stdout + stderr
    assert OBJ3_COMMUNITY in stderr and "could not be read" in stderr
    assert "2018-10" not in months["strict_left"]  # no period folder
    assert months["stored_after_strict"] == ["2018-09"]  # and nothing stored


@needs_soffice
def test_page_one_of_the_paper_states_the_whole_plan_and_what_was_not_updated(months,
                                                                              tmp_path):
    code, stdout, stderr = months["lenient"]
    report = months["out"] / "2018-10" / "board-report-2018-10.docx"
    pdf = to_pdf(report, tmp_path)
    page1 = subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", "1", "-l", "1", str(pdf), "-"],
                           check=True, capture_output=True).stdout.decode("utf-8")
    page1 = " ".join(page1.split())
    second = months["second"]
    carried = second.coverage.carried
    distinct, plan = second.coverage.distinct(second.repeats)
    assert "This month's data are incomplete." in page1
    assert (f"{carried} of the plan's 64 tracker rows ({distinct} of its {plan} distinct "
            "actions) were not updated this month") in page1
    assert OBJ3_COMMUNITY in page1 and "the tracker could not be read" in page1
    assert "64 tracker rows" in page1  # the plan repeats actions: counted once
    assert "from September 2018, are shown and marked ‡" in page1
    # the carried actions are marked in the body, never shown as a fresh rating
    assert "‡" in pdf_text(pdf).split("This month's data are incomplete.", 1)[1]


def test_the_newer_copys_values_win(months):
    slips, second = months["slips"], months["second"]
    a = {a.action_id: a for a in second.actions}[slips.copy_edited_id]
    assert a.percent_complete == slips.copy_percent and a.source.file == OBJ2_COPY
    assert second.ratings[slips.copy_edited_id].updated


def test_every_row_issue_has_a_cell_an_action_id_and_an_officer(months):
    row_issues = [i for i in months["second"].issues if CATALOGUE[i.code].level == "row"]
    assert len(row_issues) > 10
    for issue in row_issues:
        assert issue.cell and issue.action_id and issue.officer, issue
    slips = months["slips"]
    (missing,) = [i for i in row_issues if i.code == "missing-corrective-action"
                  and i.action_id == slips.no_corrective_id]
    assert missing.cell == slips.no_corrective_cell and missing.officer == "Craig Hume"


def test_an_action_gone_from_its_tracker_is_named_in_the_change_list(tmp_path):
    """A complete action's row deleted from a tracker that was read leaves the plan ("no
    longer reported"; an unfinished one would be carried forward); the paper names it as
    the last stored period knew it, not by its ID alone."""
    import openpyxl

    wb_dir, out = tmp_path / "workbooks", tmp_path / "output"
    shutil.copytree(SAMPLES, wb_dir)
    cfg = _config(out)
    first = run_cycle(cfg, SEP, today=date(2018, 10, 5), now=datetime(2018, 10, 5, 9, 0),
                      workbooks=wb_dir, output=out, artefacts=())
    done = next(a for a in first.run.actions
                if first.run.ratings[a.action_id].reported is Rag.BLUE)
    path = wb_dir / done.source.file
    book = openpyxl.load_workbook(path)
    sheet = book[done.source.sheet]
    sheet.delete_rows(done.source.row)
    book.save(path)
    second = run_cycle(cfg, OCT, today=date(2018, 11, 5), now=datetime(2018, 11, 5, 9, 0),
                       workbooks=wb_dir, output=out, artefacts=())
    assert done.action_id in second.run.changes.removed
    assert second.run.changes.removed_names[done.action_id] == (done.action,
                                                                 done.lead_officer)
