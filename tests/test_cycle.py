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
from pathlib import Path

import pytest

from builders import document_xml, good_row, write_tracker
from reportgen.cli import ExitCode
from reportgen.lock import RunLock

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
    assert code in (ExitCode.OK, ExitCode.VALIDATION_ERRORS), stdout + stderr
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
    assert manifest["counts"]["actions"] == 64 and manifest["counts"]["kpis"] == 7
    assert sum(manifest["ratings"].values()) == 64
    assert set(manifest["issues"]) == {"error", "warning", "by_code"}
    assert {"read_validate", "rate_history", "render", "total"} <= set(manifest["timings_seconds"])
    assert manifest["reportgen_version"]


def test_sources_are_byte_identical_after_a_run(sample_run):
    assert digest(SAMPLES) == sample_run[4]


def test_rerun_keeps_one_previous_generation(sample_run):
    out = sample_run[0]
    code, stdout, stderr = cli("run", "--period", "2018-09", "--output", str(out))
    assert code in (0, 1), stdout + stderr
    folder = out / "2018-09"
    assert (folder / "previous" / "board-report-2018-09.docx").exists()
    assert not (folder / "previous" / "previous").exists()
    code, *_ = cli("run", "--period", "2018-09", "--output", str(out))
    assert not (folder / "previous" / "previous").exists()


def test_single_artefact_commands_and_export(sample_run, tmp_path):
    out = sample_run[0]
    code, stdout, stderr = cli("report", "--period", "2018-09", "--output", str(tmp_path))
    assert code in (0, 1), stderr
    assert (tmp_path / "2018-09" / "board-report-2018-09.docx").exists()
    assert not (tmp_path / "2018-09" / "consolidated-2018-09.xlsx").exists()
    code, stdout, stderr = cli("workbook", "--period", "2018-09", "--output", str(tmp_path))
    assert code in (0, 1), stderr
    assert (tmp_path / "2018-09" / "consolidated-2018-09.xlsx").exists()
    assert (tmp_path / "2018-09" / "board-report-2018-09.docx").exists()
    code, stdout, stderr = cli("export", "--period", "2018-09", "--output", str(out))
    assert code == 0, stderr
    data = json.loads((out / "2018-09" / "export-2018-09.json").read_text(encoding="utf-8"))
    assert len(data["actions"]) == 64 and len(data["kpis"]) == 7
    assert data["changes"]["previous_period"] is None or data["changes"]["previous_period"] < "2018-09"
    code, stdout, stderr = cli("export", "--period", "2018-09", "--format", "csv", "--out",
                               str(tmp_path / "r.csv"), "--output", str(tmp_path))
    assert code == 0, stderr
    assert (tmp_path / "r.csv").exists() and (tmp_path / "r-kpis.csv").exists()


def test_history_changes_between_two_periods(tmp_path):
    code, _, err = cli("run", "--period", "2018-08", "--output", str(tmp_path))
    assert code in (0, 1), err
    code, _, err = cli("export", "--period", "2018-09", "--output", str(tmp_path))
    assert code == 0, err
    data = json.loads((tmp_path / "2018-09" / "export-2018-09.json").read_text(encoding="utf-8"))
    assert data["changes"]["previous_period"] == "2018-08"
    assert all(a["previous_rag"] for a in data["actions"])


def test_second_run_while_one_holds_the_lock_exits_4(tmp_path):
    with RunLock(tmp_path / ".reportgen.lock"):
        code, stdout, stderr = cli("run", "--period", "2018-09", "--output", str(tmp_path))
    assert code == ExitCode.LOCKED, stdout + stderr
    assert "lock" in (stdout + stderr).lower() and "Traceback" not in stdout + stderr
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
    assert code in (0, 1), err
    folder = tmp_path / "2018-09"
    before = digest(folder)
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        import reportgen.render.workbook as wb
        real = wb.write_consolidated
        def slow(run, config, path, workbooks):
            out = real(run, config, path, workbooks)
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
        # no worker, forkserver or resource tracker outlives the killed run
        assert helpers, "the run had started no helper processes"
        deadline = time.monotonic() + 20
        while alive(helpers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not alive(helpers), [open(f"/proc/{p}/cmdline").read()[:200]
                                    for p in alive(helpers)]
    # the next run cleans the dead run's staging folder, and the lock it left is recovered
    code, _, err = cli("run", "--period", "2018-09", "--output", str(tmp_path))
    assert code in (0, 1), err
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
    """The feedback is written in a second process while the workbook is written here;
    a cut the workbook makes (Excel holds 32,767 UTF-16 units; an emoji takes two) must
    still be in the officer's feedback and in the manifest."""
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
    assert code == 0, err
    assert "Scottish bank holidays" in stdout and "Last period done:" in stdout
    assert "Next:" in stdout
    code, _, err = cli("schedule", "--now", "05/10/2018 08:00")
    assert code == ExitCode.USAGE


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "sent-the-run"])
def test_two_processes_write_the_same_outputs_as_one(tmp_path, monkeypatch, fork):
    """With workers the rendering is shared with a second process (the Word report, the
    chase list and some tracker feedback there; the workbook and the rest here), forked
    with the run where the platform allows, else started early and sent the run. The
    report, feedback and workbook must be what one process writes alone."""
    from dataclasses import replace
    from datetime import date

    import reportgen.pipeline as pipeline
    from reportgen.config import load_config
    from reportgen.model import Period

    if fork and not pipeline._forks():
        pytest.skip("this platform does not fork the second process")
    config = load_config(ROOT / "reportgen.toml")
    results = {}
    for workers in (0, 2):
        cfg = replace(config, limits=replace(config.limits, workers=workers))
        monkeypatch.setattr(pipeline, "_forks", lambda: fork)
        result = pipeline.run_cycle(cfg, Period(2018, 9), today=date(2018, 10, 5),
                                    workbooks=SAMPLES, output=tmp_path / f"w{workers}")
        results[workers] = (digest(result.outputs["feedback"]),
                            result.outputs["workbook"].read_bytes(),
                            document_xml(result.outputs["report"]))
        assert ("feedback_here" in result.timings) == (workers > 0)
    assert len(results[0][0]) >= 2
    assert results[0] == results[2]
    assert pipeline._INHERITED is None  # the run is not kept alive after the render

