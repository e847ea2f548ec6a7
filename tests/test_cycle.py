"""The monthly cycle end to end, as people run it: `reportgen run` on the samples, the
single-artefact commands, a killed run, two runs at once, untouched sources."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import pytest

from builders import good_row, write_tracker
from reportgen.cli import ExitCode
from reportgen.history import History
from reportgen.lock import RunLock
from reportgen.model import Period

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "workbooks"


def cli(*args, cwd=ROOT, timeout=300):
    proc = subprocess.run([sys.executable, "-m", "reportgen.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "NO_COLOR": "1"})
    return proc.returncode, proc.stdout, proc.stderr


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    """One full cycle on the sample trackers (shared by the tests that only look)."""
    out = tmp_path_factory.mktemp("out")
    before = digest(SAMPLES)
    code, stdout, stderr = cli("run", "--period", "2018-09", "--output", str(out))
    return out, code, stdout, stderr, before


def test_run_on_samples_writes_every_output_and_says_where(sample_run):
    out, code, stdout, stderr, _ = sample_run
    assert code == ExitCode.OK, stdout + stderr
    assert "Traceback" not in stdout + stderr
    folder = out / "2018-09"
    for name in ("board-report-2018-09.docx", "consolidated-2018-09.xlsx", "manifest.json"):
        assert (folder / name).stat().st_size > 0
        assert str(folder / name) in stdout
    assert "September 2018" in stdout and "Done in" in stdout
    assert (out / "history.sqlite").exists() and (out / "reportgen.log").exists()
    assert not list(folder.glob(".staging-*"))


def test_manifest_records_inputs_counts_and_timings(sample_run):
    out = sample_run[0]
    manifest = json.loads((out / "2018-09" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["period"] == "2018-09" and manifest["as_of"] == "2018-09-30"
    inputs = {i["path"]: i for i in manifest["inputs"]}
    for path in SAMPLES.glob("*.xlsx"):
        assert inputs[path.name]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    # distinct actions (the plan repeats 19 of them under several objectives), with the
    # tracker rows beside
    assert manifest["counts"]["actions"] == 35 and manifest["counts"]["tracker_rows"] == 64
    assert manifest["counts"]["kpis"] == 7
    assert sum(manifest["ratings"].values()) == 35
    assert sum(manifest["ratings_tracker_rows"].values()) == 64
    assert set(manifest["issues"]) == {"error", "warning", "info", "records", "by_code"}
    assert {"read_validate", "rate_history", "render", "total"} <= set(manifest["timings_seconds"])
    assert manifest["reportgen_version"]


def test_sources_are_byte_identical_after_a_run(sample_run):
    assert digest(SAMPLES) == sample_run[4]


def test_rerun_keeps_one_previous_generation(sample_run):
    out = sample_run[0]
    code, stdout, stderr = cli("run", "--period", "2018-09", "--output", str(out))
    assert code == ExitCode.OK, stdout + stderr
    folder = out / "2018-09"
    assert (folder / "previous" / "board-report-2018-09.docx").exists()
    assert not (folder / "previous" / "previous").exists()
    code, _, err = cli("run", "--period", "2018-09", "--output", str(out))
    assert code == ExitCode.OK, err
    assert not (folder / "previous" / "previous").exists()


def test_single_artefact_commands_and_export(sample_run, tmp_path):
    out = sample_run[0]
    code, stdout, stderr = cli("report", "--period", "2018-09", "--output", str(tmp_path))
    assert code == ExitCode.OK, stderr
    assert (tmp_path / "2018-09" / "board-report-2018-09.docx").exists()
    assert not (tmp_path / "2018-09" / "consolidated-2018-09.xlsx").exists()
    code, stdout, stderr = cli("workbook", "--period", "2018-09", "--output", str(tmp_path))
    assert code == ExitCode.OK, stderr
    assert (tmp_path / "2018-09" / "consolidated-2018-09.xlsx").exists()
    assert (tmp_path / "2018-09" / "board-report-2018-09.docx").exists()
    code, stdout, stderr = cli("export", "--period", "2018-09", "--output", str(out))
    assert code == ExitCode.OK, stderr
    data = json.loads((out / "2018-09" / "export-2018-09.json").read_text(encoding="utf-8"))
    assert len(data["actions"]) == 64 and len(data["kpis"]) == 7
    assert data["changes"]["previous_period"] is None or data["changes"]["previous_period"] < "2018-09"
    code, stdout, stderr = cli("export", "--period", "2018-09", "--format", "csv", "--out",
                               str(tmp_path / "r.csv"), "--output", str(tmp_path))
    assert code == ExitCode.OK, stderr
    assert (tmp_path / "r.csv").exists() and (tmp_path / "r-kpis.csv").exists()


def test_history_changes_between_two_periods(tmp_path):
    code, _, err = cli("run", "--period", "2018-08", "--output", str(tmp_path))
    assert code == ExitCode.OK, err
    code, _, err = cli("export", "--period", "2018-09", "--output", str(tmp_path))
    assert code == ExitCode.OK, err
    data = json.loads((tmp_path / "2018-09" / "export-2018-09.json").read_text(encoding="utf-8"))
    assert data["changes"]["previous_period"] == "2018-08"
    assert all(a["previous_rag"] for a in data["actions"])
    # export compared with the history but saved nothing to it; report saves its period
    with History(tmp_path / "history.sqlite", clock=datetime.now) as history:
        assert history.periods() == [Period(2018, 8)]
        assert history.last_successful_period() == Period(2018, 8)
    code, _, err = cli("report", "--period", "2018-09", "--output", str(tmp_path))
    assert code == ExitCode.OK, err
    with History(tmp_path / "history.sqlite", clock=datetime.now) as history:
        assert history.periods() == [Period(2018, 8), Period(2018, 9)]
        assert history.last_successful_period() == Period(2018, 8)  # not a full cycle


def test_second_run_while_one_holds_the_lock_exits_4(tmp_path):
    with RunLock(tmp_path / ".reportgen.lock", now=datetime(2018, 10, 5, 9, 0),
                 command="reportgen run"):
        code, stdout, stderr = cli("run", "--period", "2018-09", "--output", str(tmp_path))
    assert code == ExitCode.LOCKED, stdout + stderr
    assert "another reportgen run (reportgen run, pid " in stderr
    assert "started 05/10/2018 09:00:00" in stderr and "Traceback" not in stdout + stderr
    assert not (tmp_path / "2018-09").exists()


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (Linux /proc; empty elsewhere)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_bytes()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pids: set[int]) -> set[int]:
    """Those of ``pids`` still running (zombies count as gone)."""
    out = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_bytes()
        except OSError:
            continue
        if state[state.rindex(b")") + 2:][:1] != b"Z":
            out.add(pid)
    return out


def test_killed_during_rendering_leaves_previous_outputs_whole(tmp_path):
    code, _, err = cli("run", "--period", "2018-09", "--output", str(tmp_path))
    assert code == ExitCode.OK, err
    folder = tmp_path / "2018-09"
    before = digest(folder)
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        import reportgen.render.workbook as wb
        real = wb.write_consolidated
        def slow(view, config, path):
            out = real(view, config, path)
            Path(path).write_bytes(Path(path).read_bytes()[:500])  # half-written
            print("RENDERING", flush=True)
            time.sleep(600)
            return out
        wb.write_consolidated = slow
        from reportgen.cli import main
        sys.exit(main(["run", "--period", "2018-09", "--output", {str(tmp_path)!r}]))
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 240
        line = ""
        while "RENDERING" not in line and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                pytest.fail("the run ended before rendering: " + proc.stderr.read())
        assert "RENDERING" in line
        helpers = descendants(proc.pid)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.communicate()  # waits and closes the pipes
    after = {k: v for k, v in digest(folder).items() if not k.startswith(".staging-")}
    assert after == before
    if sys.platform.startswith("linux"):
        # no helper process (a tracker reader, say) outlives the killed run
        deadline = time.monotonic() + 20
        while alive(helpers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not alive(helpers), [open(f"/proc/{p}/cmdline").read()[:200]
                                    for p in alive(helpers)]
    # the next run cleans the dead run's staging folder, and the lock it left is recovered
    code, _, err = cli("run", "--period", "2018-09", "--output", str(tmp_path))
    assert code == ExitCode.OK, err
    assert not list(folder.glob(".staging-*"))


def test_run_with_no_trackers_or_no_folder_says_so(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    code, stdout, stderr = cli("run", "--period", "2018-09", "--workbooks", str(empty),
                               "--output", str(tmp_path / "out"))
    assert code == ExitCode.USAGE
    assert "no tracker files found" in stderr and "Traceback" not in stderr
    assert not (tmp_path / "out" / "2018-09").exists()
    log = (tmp_path / "out" / "reportgen.log").read_text(encoding="utf-8")
    assert "ERROR reportgen.run: 2018-09 failed: no tracker files found" in log
    code, stdout, stderr = cli("run", "--workbooks", str(tmp_path / "nope"))
    assert code == ExitCode.USAGE and "does not exist" in stderr


def test_broken_tracker_is_reported_and_the_rest_goes_on(tmp_path):
    books = tmp_path / "books"
    books.mkdir()
    write_tracker(books / "good.xlsx", [good_row(1), good_row(2, Status="Nearly")])
    (books / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    code, stdout, stderr = cli("run", "--period", "2018-09", "--workbooks", str(books),
                               "--output", str(tmp_path / "out"))
    assert code == ExitCode.VALIDATION_ERRORS, stdout + stderr
    assert "1 refused" in stdout
    assert (tmp_path / "out" / "2018-09" / "board-report-2018-09.docx").exists()
    log = (tmp_path / "out" / "reportgen.log").read_text(encoding="utf-8")
    assert "WARNING reportgen.run: 2018-09: broken.xlsx was not read: " in log
    assert "good.xlsx was not read" not in log


def test_text_cut_for_the_workbook_reaches_the_feedback(tmp_path):
    """A cut the workbook makes (Excel holds 32,767 UTF-16 units; an emoji takes two)
    is in the officer's feedback and in the manifest, which are written after it."""
    from python_calamine import CalamineWorkbook

    books = tmp_path / "books"
    long_text = "\N{GRINNING FACE}" * 20_000
    write_tracker(books / "long.xlsx", [good_row(1, **{"Progress Update": long_text}),
                                        good_row(2)], engine="openpyxl")
    code, stdout, stderr = cli("run", "--period", "2018-09", "--workbooks", str(books),
                               "--output", str(tmp_path / "out"))
    assert code == ExitCode.OK, stdout + stderr
    folder = tmp_path / "out" / "2018-09"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["issues"]["by_code"].get("text-truncated") == 1

    def feedback_cells(folder):
        book = CalamineWorkbook.from_path(str(folder / "feedback" / "long.xlsx"))
        return [c for sheet in book.sheet_names
                for row in book.get_sheet_by_name(sheet).to_python() for c in row]

    assert "text-truncated" in feedback_cells(folder)
    # `reportgen workbook` alone writes the same feedback
    code, stdout, stderr = cli("workbook", "--period", "2018-09", "--workbooks", str(books),
                               "--output", str(tmp_path / "alone"))
    assert code == ExitCode.OK, stdout + stderr
    assert "text-truncated" in feedback_cells(tmp_path / "alone" / "2018-09")


def test_bad_period_and_as_of_are_usage_errors():
    code, _, err = cli("run", "--period", "2018-13")
    assert code == ExitCode.USAGE and "YYYY-MM" in err
    code, _, err = cli("report", "--as-of", "09/31/2018")
    assert code == ExitCode.USAGE and "dd/mm/yyyy" in err


def test_new_tracker_command(tmp_path):
    path = tmp_path / "Objective 2 - J Smith.xlsx"
    code, stdout, _ = cli("new-tracker", str(path), "--objective", "2")
    assert code == 0 and path.exists() and str(path) in stdout
    code, _, err = cli("new-tracker", str(path))
    assert code == ExitCode.USAGE and "already exists" in err
    code, _, err = cli("new-tracker", str(tmp_path / "x.xlsx"), "--objective", "9")
    assert code == ExitCode.USAGE and "--objective 9" in err


def test_schedule_dry_run_prints_what_is_due():
    code, stdout, err = cli("schedule", "--dry-run", "--now", "05/10/2018 08:00",
                            "--config", str(ROOT / "reportgen.toml"))
    assert code == ExitCode.OK, err
    assert "Scottish bank holidays" in stdout and "Last period done:" in stdout
    assert "Next:" in stdout
    code, _, err = cli("schedule", "--now", "05/10/2018 08:00")
    assert code == ExitCode.USAGE


def test_the_cycle_takes_its_time_from_the_caller(tmp_path):
    """The manifest and the run ledger carry the ``now`` given; export-style use (no
    artefacts, history read only) writes nothing at all."""
    import sqlite3
    from datetime import date

    from reportgen.config import load_config
    from reportgen.pipeline import HistoryUse, run_cycle

    config = load_config(ROOT / "reportgen.toml")
    now = datetime(2018, 10, 5, 9, 0, 0)
    result = run_cycle(config, Period(2018, 9), today=date(2018, 10, 5), now=now,
                       workbooks=SAMPLES, output=tmp_path / "out")
    assert result.errors == 0 and set(result.outputs) == {"report", "workbook", "feedback",
                                                          "dashboard", "manifest"}
    manifest = json.loads(result.outputs["manifest"].read_text(encoding="utf-8"))
    assert manifest["generated_at"] == "2018-10-05T09:00:00"
    db = sqlite3.connect(tmp_path / "out" / "history.sqlite")
    try:
        [(started, finished)] = db.execute("SELECT started, finished FROM runs").fetchall()
        [saved_at] = db.execute("SELECT saved_at FROM periods").fetchone()
    finally:
        db.close()
    assert started == saved_at == "2018-10-05T09:00:00"
    assert "2018-10-05T09:00:00" <= finished < "2018-10-05T09:10:00"

    bare = run_cycle(config, Period(2018, 9), today=date(2018, 10, 5), now=now,
                     workbooks=SAMPLES, output=tmp_path / "bare", artefacts=(),
                     history=HistoryUse.READ)
    assert bare.outputs == {} and len(bare.run.actions) == 64
    assert not (tmp_path / "bare").exists()
