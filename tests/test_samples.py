"""The committed sample trackers in workbooks/: valid, complete, and reproducible by
scripts/make_samples.py."""

import dataclasses
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from reportgen.config import load_config
from reportgen.validate import read_trackers
from reportgen.model import Status
from reportgen.rate import rate_actions, rating_issues

ROOT = Path(__file__).resolve().parents[1]
WORKBOOKS = ROOT / "workbooks"
SCRIPT = ROOT / "scripts" / "make_samples.py"

# occurrences of actions transcribed from seed 003: objective → rows
SEED_OCCURRENCES = {1: 19, 2: 10, 3: 35}


@pytest.fixture(scope="module")
def result():
    cfg = load_config(ROOT / "reportgen.toml")
    return read_trackers([WORKBOOKS], cfg, today=date(2018, 10, 5), as_of=date(2018, 9, 30))


def action_files():
    return sorted(p for p in WORKBOOKS.glob("*.xlsx") if p.name != "KPIs.xlsx")


def test_at_least_four_action_trackers():
    assert len(action_files()) >= 4


def test_samples_read_without_errors(result):
    errors = [i for i in result.issues if i.is_error]
    assert result.errors == 0, errors
    assert not result.missing
    assert all(s.refused is None for s in result.sources)


def test_every_seed_action_occurrence_once(result):
    ids = [a.action_id for a in result.actions]
    assert len(ids) == len(set(ids))
    assert len(ids) == sum(SEED_OCCURRENCES.values())
    assert Counter(a.objective for a in result.actions) == SEED_OCCURRENCES
    for a in result.actions:
        assert a.action_id.startswith(f"O{a.objective}-")
    per_file = Counter(a.source.file for a in result.actions)
    assert len(per_file) >= 4 and all(n > 0 for n in per_file.values())


def test_hidden_rows_and_columns_are_read(result):
    by_id = {a.action_id: a for a in result.actions}
    assert "O3-12" in by_id and "O3-05" in by_id                     # hidden rows
    assert all(by_id[f"O1-{n:02d}"].locality for n in range(1, 20))  # hidden column


def test_layouts_give_the_same_meaning(result):
    by_id = {a.action_id: a for a in result.actions}
    # percent-formatted (0.9 shown as 90%) and plain (90) % complete read alike
    assert by_id["O1-01"].percent_complete == by_id["O3-02"].percent_complete == 90
    # Timescales text, real dates and typed UK dates give the same range
    for i in ("O1-06", "O2-01", "O3-23"):
        assert (by_id[i].start, by_id[i].end) == (date(2017, 4, 1), date(2019, 3, 31))
    assert by_id["O3-33"].funding == ("Other External Funding",)
    assert by_id["O1-11"].funding == ("Transformation Programme", "Integrated Care Fund",
                                      "Core Funding Investment")
    statuses = Counter(a.status for a in result.actions)
    assert statuses[Status.CANCELLED] >= 1 and statuses[Status.ON_HOLD] >= 1
    assert all(a.last_updated <= date(2018, 9, 30) for a in result.actions)


def test_kpis_seven_by_eighteen_months(result):
    kpis = {k.kpi_id: k for k in result.kpis}
    assert sorted(kpis) == [f"KPI-0{n}" for n in range(1, 8)]
    months = {label for k in kpis.values() for label, _ in k.series}
    assert len(months) >= 18
    assert min(months) == "2017-04" and max(months) == "2018-09"
    assert all(len(kpis[f"KPI-0{n}"].series) >= 18 for n in range(1, 7))
    assert len(kpis["KPI-07"].series) >= 4   # quarterly staff survey


def test_script_reproduces_committed_files(tmp_path):
    subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], check=True,
                   capture_output=True, cwd=tmp_path)
    made = sorted(p.name for p in tmp_path.glob("*.xlsx"))
    committed = sorted(p.name for p in WORKBOOKS.glob("*.xlsx"))
    assert made == committed
    for name in made:
        assert (tmp_path / name).read_bytes() == (WORKBOOKS / name).read_bytes(), name


def test_samples_are_small():
    assert sum(p.stat().st_size for p in WORKBOOKS.glob("*.xlsx")) < 500_000


def test_one_stale_update_warning_per_stale_action(result):
    cfg = load_config(ROOT / "reportgen.toml")
    as_of = date(2018, 9, 30)
    ratings = rate_actions(result.actions, cfg.thresholds, as_of)
    issues = rating_issues(result.actions, ratings, cfg.thresholds, as_of)
    stale = [i for i in result.issues + issues if i.code == "stale-update"]
    assert len(stale) == sum(r.stale for r in ratings.values()) > 0
    assert len({(i.file, i.cell) for i in stale}) == len(stale)
