"""Actions the plan repeats under several objectives (issue 17, item 3): found in the
samples, one entry in the paper's exceptions with its other objectives, counted once in
the headline, each objective's table still listing its own row."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from lxml import etree

from builders import document_xml
from conftest import AS_OF, TODAY
from factories import view_of, make_action, make_run, make_rating
from reportgen.model import Period, Rag
from reportgen.pipeline import read, rate
from reportgen.render.word import render_board_report

ROOT = Path(__file__).resolve().parents[1]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# What the sample trackers repeat (workbooks/README.md): the six "resources" and four
# "health inequalities" actions under objectives 1, 2 and 3, and nine actions under 1 and 3.
SAMPLE_GROUPS = {
    *(frozenset({f"O1-{a:02d}", f"O3-{b:02d}"})
      for a, b in ((1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (12, 15), (13, 16), (14, 17),
                   (15, 18))),
    *(frozenset({f"O1-{a:02d}", f"O2-{b:02d}", f"O3-{c:02d}"})
      for a, b, c in ((6, 1, 23), (7, 2, 24), (8, 3, 25), (9, 4, 26), (10, 5, 27),
                      (11, 6, 28), (16, 7, 31), (17, 8, 32), (18, 9, 29), (19, 10, 30))),
}


def text(el) -> str:
    return "".join(t.text or "" if t.tag == W + "t" else "\n"
                   for t in el.iter(W + "t", W + "br"))


def table_after(root, caption: str):
    """The first table after the paragraph whose text ends with ``caption``."""
    seen = False
    for el in root.iter(W + "p", W + "tbl"):
        if el.tag == W + "p" and text(el).strip().endswith(caption):
            seen = True
        elif seen and el.tag == W + "tbl":
            return el
    raise AssertionError(f"no table after '{caption}'")


def rows(table) -> list[list[str]]:
    return [[text(tc) for tc in tr.findall(W + "tc")] for tr in table.findall(W + "tr")]


@pytest.fixture(scope="module")
def samples(config, tmp_path_factory):
    ingest = read(config, ROOT / "workbooks", today=TODAY, as_of=AS_OF)
    run = rate(ingest, config, Period(2018, 9), AS_OF)
    path = render_board_report(view_of(run, config), config, tmp_path_factory.mktemp("x") / "r.docx")
    return run, etree.fromstring(document_xml(path))


def test_the_samples_repeat_nineteen_actions(samples):
    run, _ = samples
    groups = {frozenset({a, *others}) for a, others in run.repeats.items()}
    assert groups == SAMPLE_GROUPS
    assert run.repeats["O1-08"] == ("O2-03", "O3-25")


def test_nine_red_rows_are_five_red_actions_in_the_exceptions(samples):
    run, root = samples
    red_rows = sorted(a for a, r in run.ratings.items() if r.reported is Rag.RED)
    assert red_rows == ["O1-03", "O1-08", "O1-14", "O2-03", "O3-04", "O3-09", "O3-10",
                        "O3-17", "O3-25"]
    entries = [r for r in rows(table_after(root, "Red and Amber actions"))
               if len(r) == 5 and r[0][:1] == "O"]
    leads = [r[0].split(" ", 1)[0] for r in entries]
    reds = [lead for lead, r in zip(leads, entries) if r[3].startswith("Red")]
    assert sorted(reds) == ["O1-03", "O1-08", "O1-14", "O3-09", "O3-10"]
    assert len(leads) == len(set(leads)) == 12  # 5 Red and 7 Amber actions, once each
    assert not {"O2-03", "O3-25", "O3-04", "O3-17"} & set(leads)
    by_id = dict(zip(leads, entries))
    assert "Also under Objectives 2 and 3 (O2-03, O3-25)" in by_id["O1-08"][0]
    assert "Also under Objective 3 (O3-04)" in by_id["O1-03"][0]
    assert "Also under" not in by_id["O3-09"][0]


def test_the_headline_counts_each_action_once(samples):
    _, root = samples
    doc = text(root)
    assert ("At 30/09/2018 the plan has 35 distinct actions (64 tracker rows: 19 actions "
            "appear under more than one objective, each counted once): 34 rated and 1 "
            "cancelled") in doc
    assert "5 are Red and 7 Amber; 7 are complete." in doc
    assert "note the 5 actions rated Red and the 7 rated Amber" in doc


def test_each_objective_still_lists_its_own_row(samples):
    _, root = samples
    tables: dict[int, list[str]] = {}  # the table under each "Objective N: …" heading
    heading = None
    for el in root.iter(W + "p", W + "tbl"):
        if el.tag == W + "p" and text(el).startswith("Objective ") and ":" in text(el):
            heading = int(text(el).split(":")[0].split()[1])
        elif el.tag == W + "tbl" and heading is not None:
            tables.setdefault(heading, [r[0] for r in rows(el)])
            heading = None
    assert "O1-08" in tables[1] and "O2-03" in tables[2] and "O3-25" in tables[3]
    assert "O1-03" in tables[1] and "O3-04" in tables[3]


def test_the_samples_hold_a_repeated_actions_money_once(samples):
    run, _ = samples
    assert not [i for i in run.issues if i.code == "repeated-action-money"]


def test_a_repeat_rated_differently_is_shown_by_its_worst_with_the_others_rating(config,
                                                                              tmp_path):
    base = make_action(1, officer_rag=None)
    actions = [dataclasses.replace(base, action_id="O1-03", objective=1),
               dataclasses.replace(base, action_id="O3-04", objective=3),
               make_action(2)]
    run = make_run(actions=actions)
    ratings = {**run.ratings, "O1-03": make_rating(actions[0], Rag.AMBER),
               "O3-04": make_rating(actions[1], Rag.RED),
               actions[2].action_id: make_rating(actions[2], Rag.GREEN)}
    run = dataclasses.replace(run, ratings=ratings,
                              repeats={"O1-03": ("O3-04",), "O3-04": ("O1-03",)})
    root = etree.fromstring(document_xml(render_board_report(view_of(run, config), config,
                                                             tmp_path / "r.docx")))
    entries = [r for r in rows(table_after(root, "Red and Amber actions")) if len(r) == 5
               and r[0][:1] == "O"]
    assert [r[0].split(" ", 1)[0] for r in entries] == ["O3-04"]
    assert "Also under Objective 1 (O1-03 Amber)" in entries[0][0]
    assert "1 is Red and 0 Amber" in text(root)
