"""Page 1 of the paper: key messages and specific recommendations (issue 17, item 1), on
the samples, on factory runs, and through a tracker's "Board decision needed" column."""

from __future__ import annotations

import dataclasses
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest

from builders import HEADERS, good_row, write_tracker
from factories import view_of, make_action, make_run
from reportgen.model import Period, Rag
from reportgen.pipeline import run_cycle
from reportgen.render.word import render_board_report
from reportgen.view.actions import decision_asked
from reportgen.view.prose import MAX_MESSAGES, NAMED_LIMIT, TO_BE_CONFIRMED
from test_word import all_text, body, needs_soffice, to_pdf

ROOT = Path(__file__).resolve().parents[1]


def words(rec) -> str:
    return "".join(text for text, _ in rec)


def page_one_text(docx: Path) -> str:
    """The document's text from the top to the Summary heading."""
    text = all_text(body(docx))
    return text.split("Summary", 1)[0]


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    from reportgen.config import load_config
    out = tmp_path_factory.mktemp("samples")
    cfg = load_config(ROOT / "reportgen.toml")
    cfg = dataclasses.replace(cfg, paths=dataclasses.replace(
        cfg.paths, output=out, history=out / "history.sqlite"))
    result = run_cycle(cfg, Period.parse("2018-09"), today=date(2018, 10, 5),
                       now=datetime(2018, 10, 5, 9, 0), workbooks=ROOT / "workbooks",
                       output=out, artefacts=())
    docx = render_board_report(result.view, cfg, out / "paper.docx")
    return {"run": result.run, "view": result.view, "config": cfg, "docx": docx}


def test_the_samples_ask_the_board_to_decide_o3_04s_extension(samples):
    recs = [words(r) for r in samples["view"].recommendations]
    decisions = [r for r in recs if r.startswith("decide on ")]
    assert len(decisions) == 1
    assert "O3-04" in decisions[0] and "O1-03" in decisions[0]  # one action, both IDs
    assert "extend the end date to March 2019" in decisions[0]
    assert recs.index(decisions[0]) == 0  # decisions before the notes
    assert all(r.startswith(("decide on ", "note ")) for r in recs)


def test_no_recommendation_asks_the_board_to_direct(samples):
    """The template's Direction table says none: no recommendation may say "direct"."""
    page1 = page_one_text(samples["docx"])
    recs = page1.split("Recommendations", 1)[1]
    assert "direct" not in recs.lower()
    assert "Direction required: none" in all_text(body(samples["docx"]))


def test_the_samples_key_messages_count_distinct_reds_and_name_the_bare_one(samples):
    run = samples["run"]
    red_rows = [a.action_id for a in run.actions
                if run.ratings[a.action_id].reported is Rag.RED]
    messages = samples["view"].key_messages
    assert 1 <= len(messages) <= MAX_MESSAGES
    assert messages[0].startswith("As at 30/09/2018 the plan has 35 distinct actions (64 "
                                  "tracker rows")
    assert "; 5 are Red (9 tracker rows)" in messages[0]
    assert len(red_rows) == 9
    bare = [m for m in messages if "no corrective action" in m]
    assert len(bare) == 1 and "O3-09" in bare[0] and "Iain Scott" in bare[0]
    assert any("RAG challenge" in m and "O3-09" in m for m in messages)
    assert any(m.startswith("Finance: forecast outturn £3,046k") for m in messages)


def test_page_one_of_the_samples_paper_holds_messages_then_recommendations(samples):
    page1 = page_one_text(samples["docx"])
    assert page1.index("Key messages") < page1.index("Purpose of the report") \
        < page1.index("Recommendations") < page1.index("decide on O1-03 and O3-04")
    assert TO_BE_CONFIRMED in page1  # the meeting date, never a blank cell
    assert "no meeting date is set" not in page1  # a note for the operator, not the Board


def test_a_missing_meeting_date_is_a_configuration_note_not_a_key_message(config, tmp_path):
    """The note goes to the console and the data-quality appendix (issue 25), never
    among the Key messages; a set date is printed."""
    blank = dataclasses.replace(config, report=dataclasses.replace(config.report,
                                                                   meeting_date=""))
    view = view_of(make_run(6), blank)
    assert any("meeting_date" in n and TO_BE_CONFIRMED in n for n in view.config_notes)
    assert not any("meeting" in m for m in view.key_messages)
    text = all_text(body(render_board_report(view, blank, tmp_path / "a.docx")))
    assert "no meeting date is set" not in page_one_text(tmp_path / "a.docx")
    appendix_d = text[text.index("Appendix D: Data quality in detail"):]
    assert "no meeting date is set" in appendix_d
    dated = dataclasses.replace(config, report=dataclasses.replace(config.report,
                                                                   meeting_date="25/10/2018"))
    view = view_of(make_run(6), dated)
    assert not any("meeting_date" in n for n in view.config_notes)
    out = render_board_report(view, dated, tmp_path / "b.docx")
    page1 = page_one_text(out)
    assert "25/10/2018" in page1 and TO_BE_CONFIRMED not in page1


@pytest.mark.parametrize("cell, corrective, expected", [
    ("Yes", "Ask the Board to approve a further £20,000.", "approve a further £20,000"),
    ("Yes", "Recovery plan in place.", ""),
    ("Agree the revised scope", "", "Agree the revised scope"),
    ("No", "Recovery plan in place.", None),
    ("", "We will seek the IJB's view.", None),
    ("", "Request that the IJB agree a new end date of June 2019.", "agree a new end date of June 2019"),
])
def test_what_a_tracker_asks_the_board_to_decide(cell, corrective, expected):
    action = make_action(1, decision=cell, corrective_action=corrective, commentary="")
    assert decision_asked(action) == expected


def test_a_factory_run_gets_a_recommendation_per_decision_and_five_messages_at_most():
    actions = [make_action(i) for i in range(1, 30)]
    actions[4] = dataclasses.replace(actions[4], decision="Yes",
                                     corrective_action="Ask the IJB to fund a second post.")
    actions[7] = dataclasses.replace(actions[7], decision="Approve the new site")
    run = make_run(actions=actions)
    view = view_of(run)
    recs = [words(r) for r in view.recommendations]
    decisions = [r for r in recs if r.startswith("decide on ")]
    assert len(decisions) == 2
    assert actions[4].action_id in decisions[0] and "fund a second post" in decisions[0]
    assert actions[7].action_id in decisions[1] and "Approve the new site" in decisions[1]
    assert len(view.key_messages) <= MAX_MESSAGES


def test_a_kpi_of_concern_is_a_key_message():
    run = make_run(6)
    kpi = run.kpis[0]
    results = dict(run.kpi_results)
    results[kpi.kpi_id] = dataclasses.replace(results[kpi.kpi_id], variation="concern")
    for other in run.kpis[1:]:
        results[other.kpi_id] = dataclasses.replace(results[other.kpi_id],
                                                    variation="common cause")
    run = dataclasses.replace(run, kpi_results=results)
    concern = [m for m in view_of(run).key_messages if "indicator" in m]
    assert len(concern) == 1 and concern[0].startswith("1 indicator shows")
    assert kpi.kpi_id in concern[0]


def test_the_decision_column_is_read_under_its_aliases(read, tmp_path):
    headers = HEADERS + ["IJB decision"]
    path = write_tracker(tmp_path / "t.xlsx", [
        good_row(1, **{"IJB decision": "Agree to extend to June 2019"}),
        good_row(2, **{"IJB decision": ""})], headers=headers)
    result = read(path)
    assert [a.decision for a in result.actions] == ["Agree to extend to June 2019", ""]


@needs_soffice
def test_pdf_page_one_shows_the_key_messages_and_the_decision(samples, tmp_path):
    pdf = to_pdf(samples["docx"], tmp_path)
    page1 = subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", "1", "-l", "1", str(pdf),
                            "-"], check=True, capture_output=True).stdout.decode("utf-8")
    page1 = " ".join(page1.split())
    assert "Key messages" in page1 and "the plan has 35 distinct actions (64 tracker rows" in page1
    assert "5 are Red (9 tracker rows)" in page1
    assert "decide on O1-03 and O3-04" in page1
    assert "extend the end date to March 2019" in page1


def _newly_red(message: str) -> tuple[int, list[str], int] | None:
    """(count said, IDs named, "and N more") of page 1's newly-Red clause."""
    import re

    if "none is newly Red since" in message:
        return 0, [], 0
    m = re.search(r"(\d[\d,]*) of (?:it|them) newly Red since \w+ \d{4}(.*)", message)
    if m is None:
        return None
    named = re.findall(r"(?:^: |; )(O\d-\d\d)\b", m.group(2))  # each "ID title (officer)"
    more = re.search(r"; and (\d[\d,]*) more", m.group(2))
    return int(m.group(1).replace(",", "")), named, int(more.group(1)) if more else 0


def test_page_one_never_names_more_newly_red_actions_than_it_counts(tmp_path, config):
    """The clean samples in September, then again in October: page 1 once said "0 are
    newly Red since September 2018: O1-03, O1-14, O3-09, O3-10" (the count and the list
    disagreeing). The count, the actions named and the change list are one fact."""
    out = tmp_path / "out"
    cfg = dataclasses.replace(config, paths=dataclasses.replace(
        config.paths, output=out, history=out / "history.sqlite"))
    results = [run_cycle(cfg, Period.parse(label), today=date(2018, 11, 5),
                         now=datetime(2018, 11, 5, 9, n), workbooks=ROOT / "workbooks",
                         output=out, artefacts=())
               for n, label in enumerate(("2018-09", "2018-10"))]
    october = results[1].view
    docx = render_board_report(october, cfg, tmp_path / "october.docx")
    first = page_one_text(docx).split("Key messages", 1)[1].split("\n", 2)[1]
    assert first == october.key_messages[0]
    said = _newly_red(first)
    newly = october.change("newly_red").actions
    assert said is not None, first
    count, named, more = said
    assert count == len(newly) == len(named) + more, first
    assert set(named) <= {a.id for a in newly}
    if not newly:  # nothing newly Red: no action is named beside the "none"
        assert "none is newly Red since September 2018" in first
