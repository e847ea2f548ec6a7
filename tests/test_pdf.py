"""The paper as a tagged PDF (issue 19): LibreOffice headless, its own profile, a timeout,
and a run that goes on without it."""

import logging
import os
import re
import shutil
import subprocess
import sys
import zlib
from datetime import datetime
from pathlib import Path

import pytest

from conftest import ROOT, TODAY
from reportgen.config import load_config
from reportgen.model import Period
from reportgen.pdf import ENV, FILTER, find_soffice, write_pdf

needs_soffice = pytest.mark.skipif(
    not (shutil.which("soffice") or shutil.which("libreoffice")),
    reason="LibreOffice is not installed")
needs_posix = pytest.mark.skipif(sys.platform == "win32", reason="a shell-script soffice")


def fake_soffice(tmp_path, script):
    path = tmp_path / "soffice"
    path.write_text("#!/bin/sh\n" + script + "\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def pdf_text(path: Path) -> bytes:
    """The PDF's bytes with its compressed streams inflated (for /Lang, /Alt…)."""
    data = path.read_bytes()
    parts = [data]
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            parts.append(zlib.decompress(m.group(1)))
        except zlib.error:
            pass
    return b"\n".join(parts)


def test_none_means_no_pdf_and_the_reason_is_said_once(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv(ENV, "none")
    assert find_soffice() is None
    with caplog.at_level(logging.WARNING, logger="reportgen.pdf"):
        why = write_pdf(tmp_path / "paper.docx", tmp_path / "paper.pdf")
    assert why.startswith("LibreOffice is not installed, so no PDF of the paper was made")
    assert caplog.text.count("no PDF") == 1
    assert not (tmp_path / "paper.pdf").exists()


def test_the_filter_asks_for_a_tagged_pdf_with_bookmarks():
    assert FILTER.startswith("pdf:writer_pdf_Export:{")
    assert '"UseTaggedPDF":{"type":"boolean","value":"true"}' in FILTER
    assert '"ExportBookmarks":{"type":"boolean","value":"true"}' in FILTER


@needs_posix
def test_a_hung_libreoffice_is_stopped(tmp_path):
    soffice = fake_soffice(tmp_path, "sleep 30")
    why = write_pdf(tmp_path / "paper.docx", tmp_path / "paper.pdf", soffice=soffice,
                    timeout=1)
    assert why == "LibreOffice took more than 1 s, so no PDF was made"


@needs_posix
def test_a_failing_libreoffice_is_one_line(tmp_path):
    soffice = fake_soffice(tmp_path, 'echo "Error: source file could not be loaded" >&2\n'
                                     "exit 1")
    why = write_pdf(tmp_path / "paper.docx", tmp_path / "paper.pdf", soffice=soffice)
    assert why == ("LibreOffice could not convert the paper to PDF: Error: source file could "
                   "not be loaded")


@needs_posix
def test_the_profile_is_its_own_and_the_output_is_moved_into_place(tmp_path, monkeypatch):
    args = tmp_path / "args.txt"
    soffice = fake_soffice(tmp_path, f'printf "%s\\n" "$@" > "{args}"\n'
                           'out=""; prev=""\n'
                           'for a in "$@"; do [ "$prev" = "--outdir" ] && out="$a"; '
                           'prev="$a"; done\n'
                           'mkdir -p "$out"; echo "%PDF-1.6" > "$out/paper.pdf"')
    monkeypatch.setenv(ENV, str(soffice))
    assert find_soffice() == soffice
    assert write_pdf(tmp_path / "paper.docx", tmp_path / "final" / "paper.pdf") is None
    assert (tmp_path / "final" / "paper.pdf").read_text().startswith("%PDF")
    given = args.read_text().splitlines()
    assert given[0].startswith("-env:UserInstallation=file:///")
    assert "--headless" in given and FILTER in given


@needs_soffice
def test_the_paper_is_a_tagged_pdf_with_title_language_bookmarks_and_alt_text(
        tmp_path, monkeypatch):
    from reportgen.pipeline import HistoryUse, run_cycle

    monkeypatch.delenv(ENV, raising=False)
    cfg = load_config(ROOT / "reportgen.toml")
    assert cfg.report.pdf
    result = run_cycle(cfg, Period(2018, 9), today=TODAY, now=datetime(2018, 10, 5, 9),
                       workbooks=ROOT / "workbooks", output=tmp_path / "output",
                       history=HistoryUse.NONE)
    pdf = result.out_dir / "board-report-2018-09.pdf"
    assert pdf.is_file() and not list(result.out_dir.glob(".staging*"))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(r"^Title:\s+Commissioning & Implementation Plan: Monitoring Report: "
                     r"September 2018$", info, re.M)
    text = pdf_text(pdf)
    assert b"/Lang(en-GB)" in text
    assert b"/Outlines" in text  # the headings as bookmarks
    figures = len(re.findall(rb"/S\s*/Figure", text))
    assert figures >= 3 and len(re.findall(rb"/Alt\s*[(<]", text)) >= figures


@needs_soffice
def test_it_works_while_another_libreoffice_runs(tmp_path, monkeypatch):
    """A user's own LibreOffice (its default profile) does not stop the conversion."""
    import docx

    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    other = subprocess.Popen([str(find_soffice()), "--headless", "--norestore",
                              f"-env:UserInstallation={(tmp_path / 'theirs').as_uri()}"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=os.name != "nt")
    try:
        d = docx.Document()
        d.core_properties.title = "A paper"
        d.add_heading("Heading", 1)
        d.save(tmp_path / "paper.docx")
        assert write_pdf(tmp_path / "paper.docx", tmp_path / "paper.pdf") is None
        assert (tmp_path / "paper.pdf").read_bytes().startswith(b"%PDF")
    finally:
        if os.name != "nt":
            try:
                os.killpg(other.pid, 9)
            except ProcessLookupError:
                pass
        other.kill()
        other.wait()
