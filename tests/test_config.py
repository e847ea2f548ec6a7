"""Configuration: the shipped file loads; every wrong key or value is one clear line."""

from pathlib import Path

import pytest

from reportgen.config import load_config
from reportgen.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_configuration_loads():
    cfg = load_config(ROOT / "reportgen.toml")
    assert [o.number for o in cfg.objectives] == [1, 2, 3]
    streams = {s.name: s.aliases for s in cfg.funding_streams}
    assert "Core Fund Investment" in streams["Core Funding Investment"]
    assert "ICF" in streams["Integrated Care Fund"]
    assert cfg.thresholds.points_amber == 10 and cfg.thresholds.points_red == 25
    assert cfg.schedule.subdivision == "SCT"
    assert cfg.paths.workbooks == ROOT / "workbooks"
    assert cfg.run.require_complete is False


def test_require_complete_is_a_run_setting(tmp_path):
    path = tmp_path / "reportgen.toml"
    path.write_text(BASE + "[run]\nrequire_complete = true\n", encoding="utf-8")
    assert load_config(path).run.require_complete is True


def test_an_older_file_with_workers_still_loads(tmp_path):
    path = tmp_path / "reportgen.toml"
    path.write_text(BASE + "[limits]\nworkers = 2\nreader_memory_mb = 1024\n", encoding="utf-8")
    limits = load_config(path).limits
    assert limits.reader_memory_mb == 1024 and not hasattr(limits, "workers")


BASE = """
[[objectives]]
number = 1
text = "One"
[[funding_streams]]
name = "ICF"
"""


@pytest.mark.parametrize("extra, key, allowed", [
    ("colour = 'red'", "'colour'", "allowed top-level keys"),
    ("[thresholds]\npoints_amber = 'ten'", "'thresholds.points_amber'", "a number"),
    ("[thresholds]\nslippage_model = 'vibes'", "'thresholds.slippage_model'", '"points", "ratio"'),
    ("[thresholds]\npoints_amber = 30\npoints_red = 20", "'thresholds.points_amber'",
     "no more than"),
    ("[thresholds]\nstale_dayz = 4", "'thresholds.stale_dayz'", "allowed keys in [thresholds]"),
    ("[schedule]\ntime = '9am'", "'schedule.time'", "HH:MM"),
    ("[schedule]\nclosures = ['2018-12-27']", "'schedule.closures'", "dd/mm/yyyy"),
    ("[statuses]\n'Almost' = ['nearly']", "'statuses.Almost'", '"Not started"'),
    ("[spc]\nrun_length = true", "'spc.run_length'", "a whole number"),
    ("[run]\nrequire_complete = 'yes'", "'run.require_complete'", "true or false"),
    ("[run]\nrequire = true", "'run.require'", "allowed keys in [run]"),
    # review mend: the wording for a table is the KPI one only for spc.recalculate
    ("[spc]\nrecalculate = 3", "'spc.recalculate'", 'a table of KPI ID = "YYYY-MM"'),
    ("[email]\nofficers = 'x'", "'email.officers'", "a table of name = value lines"),
])
def test_wrong_key_or_value_names_file_key_and_what_is_allowed(tmp_path, extra, key, allowed):
    path = tmp_path / "reportgen.toml"
    path.write_text(extra + "\n" + BASE if not extra.startswith("[") else BASE + extra)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    text = str(info.value)
    assert str(path) in text and key in text and allowed in text
    assert "\n" not in text


def test_missing_and_broken_files(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("partnership = 'unterminated")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)


def test_objectives_and_streams_are_required(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text("partnership = 'X'\n")
    with pytest.raises(ConfigError, match="objectives"):
        load_config(path)


def test_paths_are_relative_to_the_file(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text(BASE + "[paths]\nworkbooks = 'trackers'\n")
    assert load_config(path).paths.workbooks == tmp_path / "trackers"
