"""Month two of the samples, with the officers' everyday slips (tests/slips.py), read and
validated: each slip costs what it must and no more."""

from __future__ import annotations

import shutil

import pytest

from conftest import AS_OF, ROOT
from reportgen.rate import rate_actions, rating_issues
from slips import OBJ1, OBJ2, OBJ2_COPY, OBJ3_CARERS, OBJ3_COMMUNITY, month_two


@pytest.fixture(scope="module")
def month(tmp_path_factory, request):
    folder = tmp_path_factory.mktemp("month2") / "workbooks"
    shutil.copytree(ROOT / "workbooks", folder)
    slips = month_two(folder)
    read = request.getfixturevalue("read")
    return slips, read(folder)


@pytest.fixture(scope="module")
def read(config):
    from conftest import TODAY
    from reportgen.validate import read_trackers

    def _read(*paths):
        return read_trackers(list(paths), config, today=TODAY, as_of=AS_OF)
    return _read


def test_reworded_header_keeps_objective_one(month):
    slips, result = month
    ones = [a for a in result.actions if a.source.file == OBJ1]
    assert len(ones) == 19 and all(a.lead_officer for a in ones)
    (issue,) = [i for i in result.issues if i.code == "header-taken-as"]
    assert issue.file == OBJ1 and issue.cell == slips.reworded_header
    assert "'Lead officer (name)' was taken as 'Lead Officer'" in issue.message


def test_save_as_copy_newer_values_win(month):
    slips, result = month
    o2 = {a.action_id: a for a in result.actions if a.action_id.startswith("O2-")}
    assert len(o2) == 10
    assert o2[slips.copy_edited_id].percent_complete == slips.copy_percent
    assert o2[slips.copy_edited_id].source.file == OBJ2_COPY
    (issue,) = [i for i in result.issues if i.code == "file-copy-newer-wins"]
    assert issue.file == OBJ2 and OBJ2_COPY in issue.message
    assert not [i for i in result.issues if i.code == "duplicate-action-id"]


def test_funding_typo_drops_only_the_stream(month):
    slips, result = month
    a = {a.action_id: a for a in result.actions}[slips.funding_typo_id]
    assert a.funding == () and a.budget == 30000 and a.forecast == 30000
    (issue,) = [i for i in result.issues if i.code == "unknown-funding-stream"]
    assert (issue.file, issue.cell, issue.action_id) == (
        OBJ3_CARERS, slips.funding_typo_cell, slips.funding_typo_id)
    assert issue.officer


def test_truncated_tracker_refused_and_only_it(month):
    _, result = month
    refused = {s.path: s.refused for s in result.sources if s.refused}
    assert list(refused) == [OBJ3_COMMUNITY]
    errors = [i for i in result.issues if i.is_error]
    assert errors and all(i.file == OBJ3_COMMUNITY for i in errors)


def test_missing_corrective_action_at_its_cell_with_action_and_officer(month, config):
    slips, result = month
    th = config.thresholds
    issues = rating_issues(result.actions, rate_actions(result.actions, th, AS_OF), th, AS_OF)
    found = [i for i in issues if i.code == "missing-corrective-action"
             and i.action_id == slips.no_corrective_id]
    assert len(found) == 1
    issue = found[0]
    assert (issue.file, issue.cell) == (OBJ3_CARERS, slips.no_corrective_cell)
    action = {a.action_id: a for a in result.actions}[slips.no_corrective_id]
    assert issue.officer == action.lead_officer and issue.officer
