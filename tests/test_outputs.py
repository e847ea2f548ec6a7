"""Staged outputs: all or nothing, previous generations, no escapes."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from reportgen.errors import OutputError
from reportgen.model import Period
from reportgen.outputs import Staging, clean_stale_staging, inside, period_dir
from reportgen.view.feedback import safe_file_stem


def test_commit_moves_current_set_to_previous(tmp_path):
    final = tmp_path / "2018-09"
    with Staging(final) as s:
        s.file("a.txt").write_text("one")
        s.file("feedback", "x.txt").write_text("fb1")
        s.commit()
    with Staging(final) as s:
        s.file("a.txt").write_text("two")
        s.commit()
    assert (final / "a.txt").read_text() == "two"
    assert (final / "previous" / "a.txt").read_text() == "one"
    assert (final / "previous" / "feedback" / "x.txt").read_text() == "fb1"
    assert not (final / "feedback").exists()
    assert not list(final.glob(".staging-*"))
    with Staging(final) as s:  # the older generation moves down one
        s.file("a.txt").write_text("three")
        s.commit()
    assert (final / "previous" / "a.txt").read_text() == "two"
    assert (final / "previous-2" / "a.txt").read_text() == "one"


def test_failure_before_commit_leaves_previous_outputs(tmp_path):
    final = tmp_path / "2018-09"
    with Staging(final) as s:
        s.file("a.txt").write_text("good")
        s.commit()
    with pytest.raises(RuntimeError):
        with Staging(final) as s:
            s.file("a.txt").write_text("half")
            raise RuntimeError("render failed")
    assert (final / "a.txt").read_text() == "good"
    assert not list(final.glob(".staging-*"))


def test_killed_run_leaves_whole_files_and_next_run_cleans_up(tmp_path):
    final = tmp_path / "2018-09"
    with Staging(final) as s:
        s.file("report.docx").write_text("old report")
        s.commit()
    script = textwrap.dedent(f"""
        import os, time
        from pathlib import Path
        from reportgen.outputs import Staging
        with Staging(Path({str(final)!r})) as s:
            with open(s.file("report.docx"), "w") as fh:
                fh.write("partial")
                fh.flush()
                print("writing", flush=True)
                time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()  # waits and closes the pipe
    assert (final / "report.docx").read_text() == "old report"
    assert len(list(final.glob(".staging-*"))) == 1  # left by the dead run
    clean_stale_staging(final)
    assert not list(final.glob(".staging-*"))


def test_paths_cannot_escape(tmp_path):
    with pytest.raises(OutputError):
        inside(tmp_path, "..", "elsewhere.txt")
    with Staging(tmp_path / "p") as s:
        with pytest.raises(OutputError):
            s.file("..", "..", "x.txt")
    assert period_dir(tmp_path, Period(2018, 9)) == (tmp_path / "2018-09").resolve()


@pytest.mark.parametrize("text, expected", [
    ("Objective 1 - M Elliot", "Objective 1 - M Elliot"),
    ("../../etc/passwd", "etc_passwd"),
    ("a/b\\c", "a_b_c"),
    ("..", "file"),
    ("Teviot & Liddesdale: Hawick?", "Teviot & Liddesdale_ Hawick"),
])
def test_safe_file_stem(text, expected):
    assert safe_file_stem(text) == expected


def test_one_artefact_replaced_keeps_the_rest_of_the_set(tmp_path):
    final = tmp_path / "2018-09"
    with Staging(final) as s:
        s.file("report.docx").write_text("report 1")
        s.file("book.xlsx").write_text("book 1")
        s.file("feedback", "a.xlsx").write_text("fb 1")
        s.commit()
    with Staging(final) as s:  # e.g. `reportgen report` alone
        s.file("report.docx").write_text("report 2")
        s.commit(whole_set=False)
    assert (final / "report.docx").read_text() == "report 2"
    assert (final / "book.xlsx").read_text() == "book 1"
    assert (final / "feedback" / "a.xlsx").read_text() == "fb 1"
    assert sorted(p.name for p in (final / "previous").iterdir()
                  if not p.name.startswith(".")) == ["report.docx"]
    assert (final / "previous" / "report.docx").read_text() == "report 1"
    with Staging(final) as s:  # a feedback folder replaced as a whole
        s.file("feedback", "b.xlsx").write_text("fb 2")
        s.commit(whole_set=False)
    assert sorted(p.name for p in (final / "feedback").iterdir()) == ["b.xlsx"]
    assert (final / "previous" / "feedback" / "a.xlsx").read_text() == "fb 1"
    assert (final / "previous" / "report.docx").read_text() == "report 1"
