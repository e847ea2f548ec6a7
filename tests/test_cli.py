"""The command line as a new user meets it: help, wrong paths, broken files, exit codes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from builders import good_row, truncated, write_tracker
from reportgen.cli import ExitCode, cli, main

ROOT = Path(__file__).resolve().parents[1]


def run(*args, cwd=ROOT):
    """The installed entry point, as a person runs it."""
    proc = subprocess.run([sys.executable, "-m", "reportgen.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_COLOR": "1"})
    return proc.returncode, proc.stdout, proc.stderr


def test_every_command_has_help_with_an_example():
    for name, command in cli.commands.items():
        assert command.help and "Example:" in command.help, name
        code, out, err = run(name, "--help")
        assert code == 0 and "Example:" in out


def test_top_level_help_lists_exit_codes():
    code, out, _ = run("--help")
    assert code == 0 and "Exit codes:" in out and "4  another reportgen run" in out
    assert "6  --require-complete" in out


def test_one_exit_code_table_for_the_code_help_and_readme():
    """Every exit code is in the one table (reportgen.cli.exits), and ``--help`` and the
    README's table list exactly that table, word for word."""
    import re

    from reportgen.cli.exits import EXIT_CODES

    assert [int(code) for code, _ in EXIT_CODES] == sorted(int(c) for c in ExitCode)
    code, out, _ = run("--help")
    helped = " ".join(out[out.index("Exit codes:"):].split())
    for number, words in EXIT_CODES:
        assert f"{int(number)} {words}" in helped, number
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| (\d+) \| (.+?) \|$", readme, flags=re.M))
    assert table == {str(int(code)): words for code, words in EXIT_CODES}


def test_require_complete_is_offered_where_a_paper_is_written():
    for name in ("run", "report", "workbook"):
        code, out, _ = run(name, "--help")
        assert code == 0 and "--require-complete" in out, name


def test_validate_clean_folder_exits_0(tmp_path):
    write_tracker(tmp_path / "a.xlsx", [good_row(i, **{"% Complete": 80}) for i in (1, 2)])
    code, out, err = run("validate", str(tmp_path), "--as-of", "30/09/2018")
    assert code == ExitCode.OK, out + err
    assert "Checked 1 file: 2 actions, 0 KPIs; 0 errors, 0 warnings." in out


def test_validate_with_errors_exits_1_and_names_file_and_cell(tmp_path):
    write_tracker(tmp_path / "a.xlsx", [good_row(1, Status="Nearly")])
    truncated(write_tracker(tmp_path / "x.xlsx", [good_row(2)]), tmp_path / "broken.xlsx")
    (tmp_path / "x.xlsx").unlink()
    code, out, err = run("validate", str(tmp_path), "--as-of", "30/09/2018")
    assert code == ExitCode.VALIDATION_ERRORS
    assert "a.xlsx" in out and "Actions!K5" in out and "[unknown-status]" in out
    assert "broken.xlsx: refused" in out and "[file-corrupt]" in out
    assert "Traceback" not in out + err


def test_validate_json(tmp_path):
    write_tracker(tmp_path / "a.xlsx", [good_row(1, Status="Nearly")])
    code, out, _ = run("validate", str(tmp_path), "--json", "--as-of", "30/09/2018")
    data = json.loads(out)
    assert code == 1
    assert data == [{"code": "unknown-status", "severity": "error", "file": "a.xlsx",
                     "sheet": "Actions", "cell": "K5", "field": "status",
                     "message": data[0]["message"], "hint": data[0]["hint"],
                     "action_id": "T-001", "officer": "Morag Elliot"}]
    assert "'Nearly'" in data[0]["message"]


def test_wrong_path_is_usage_error(tmp_path):
    code, out, err = run("validate", str(tmp_path / "missing"))
    assert code == ExitCode.USAGE
    assert "missing" in err and "Traceback" not in err


def test_empty_folder_says_so(tmp_path):
    code, out, _ = run("validate", str(tmp_path))
    assert code == 0 and "No tracker files found" in out


def test_broken_config_exits_3_naming_the_key(tmp_path):
    cfg = tmp_path / "reportgen.toml"
    cfg.write_text((ROOT / "reportgen.toml").read_text() + "\nsurprise = 1\n")
    code, out, err = run("validate", "--config", str(cfg), str(tmp_path))
    assert code == ExitCode.CONFIG
    assert "surprise" in err and str(cfg) in err and "Traceback" not in err


def test_unknown_option_is_usage_error():
    assert main(["validate", "--frobnicate"]) == ExitCode.USAGE


def test_bad_as_of_is_usage_error(tmp_path):
    code, _, err = run("validate", str(tmp_path), "--as-of", "12/31/2018")
    assert code == ExitCode.USAGE and "dd/mm/yyyy" in err


def test_exit_codes_follow_the_exception_hierarchy():
    """A subclass of a fault exits with its parent's code, through main as well."""
    from reportgen.cli import exit_code_for
    from reportgen.errors import ConfigError, LockedError, OutputError, ReportgenError

    class DiskFull(OutputError):
        pass

    class WorseDiskFull(DiskFull):
        pass

    assert exit_code_for(WorseDiskFull("disk full")) == ExitCode.OUTPUT
    assert exit_code_for(type("BadKey", (ConfigError,), {})("x")) == ExitCode.CONFIG
    assert exit_code_for(type("Held", (LockedError,), {})("x")) == ExitCode.LOCKED
    assert exit_code_for(ReportgenError("x")) == ExitCode.INTERNAL
    from reportgen.errors import IncompleteError

    assert exit_code_for(IncompleteError("x")) == ExitCode.INCOMPLETE == 6
    assert exit_code_for(ValueError("x")) == ExitCode.INTERNAL

    @cli.command("fail-for-test")
    def fail_for_test():
        """Example: none."""
        raise WorseDiskFull("the disk is full")

    try:
        assert main(["fail-for-test"]) == ExitCode.OUTPUT
    finally:
        del cli.commands["fail-for-test"]
