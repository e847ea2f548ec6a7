"""File-level failures: each becomes one Issue naming the file, and the run goes on."""

import dataclasses
import hashlib
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

import builders
from builders import (
    billion_laughs, empty_workbook, encrypt, good_row, huge_dimension, png_bytes, truncated,
    write_tracker, xxe, zip_bomb,
)
from conftest import codes
from reportgen.ingest import discover, isolate
from reportgen.ingest.reader import OLE_MAGIC, ReadFailure


@pytest.fixture
def good(tmp_path) -> Path:
    return write_tracker(tmp_path / "src" / "good.xlsx", [good_row(i) for i in range(1, 4)])


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _one(read, path):
    result = read(path)
    assert len(result.sources) == 1
    return result


@pytest.mark.parametrize("make, code", [
    (lambda g, d: _write(d / "empty.xlsx", b""), "file-empty"),
    (lambda g, d: truncated(g, d / "truncated.xlsx"), "file-corrupt"),
    (lambda g, d: encrypt(g, d / "locked.xlsx"), "file-password-protected"),
    (lambda g, d: billion_laughs(g, d / "laughs.xlsx"), "file-unsafe-xml"),
    (lambda g, d: xxe(g, d / "xxe.xlsx"), "file-unsafe-xml"),
    (lambda g, d: empty_workbook(g, d / "nosheets.xlsx"), "file-no-sheets"),
])
def test_file_level_failure(tmp_path, read, good, make, code):
    path = make(good, tmp_path)
    result = _one(read, path)
    assert codes(result) == [(code, None)]
    assert result.issues[0].file == path.name
    assert result.sources[0].refused == code
    assert not result.actions


@pytest.mark.parametrize("content, code, words", [
    (b"ID,Action,Status\nO1-01,Do it,In progress\n", "file-is-text", "CSV"),
    (png_bytes(), "file-not-spreadsheet", "picture"),
    (b"%PDF-1.4 fake", "file-not-spreadsheet", "PDF"),
    (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "file-not-spreadsheet",
     "web page"),
    (b"\x00\x01\x02\x03binary" * 10, "file-not-spreadsheet", "binary"),
])
def test_not_a_spreadsheet(tmp_path, read, content, code, words):
    path = tmp_path / "tracker.xlsx"
    path.write_bytes(content)
    result = _one(read, path)
    assert codes(result) == [(code, None)]
    assert words in result.issues[0].message


def test_word_document_named_xlsx(tmp_path, read):
    import docx

    path = tmp_path / "tracker.xlsx"
    docx.Document().save(path)
    result = _one(read, path)
    assert codes(result) == [("file-not-spreadsheet", None)]
    assert "Word document" in result.issues[0].message


def test_zip_bomb_is_refused_quickly_without_memory(tmp_path, read):
    import resource
    import time

    bomb = zip_bomb(tmp_path / "bomb.xlsx", gigabytes=1.0)
    assert bomb.stat().st_size < 5 * 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = _one(read, bomb)
    elapsed = time.perf_counter() - started
    grew_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert codes(result) == [("file-too-large", None)]
    assert "1,024 MB" in result.issues[0].message
    assert elapsed < 5 and grew_mb < 100  # generous bounds: it is refused before inflating


def test_huge_claimed_dimension_is_refused_before_iterating(tmp_path, read, good):
    path = huge_dimension(good, tmp_path / "huge.xlsx")
    result = _one(read, path)
    assert codes(result) == [("sheet-too-large", None)]
    assert result.issues[0].sheet == "Actions"


def test_no_tracker_sheet(tmp_path, read):
    path = write_tracker(tmp_path / "notes.xlsx", [], headers=["Notes", "Date"])
    result = _one(read, path)
    assert codes(result) == [("file-no-tracker-sheet", None)]
    assert "'Actions'" in result.issues[0].message


def test_skipped_names_and_other_files(tmp_path, read, good):
    folder = good.parent
    for name in ("~$good.xlsx", ".~lock.good.xlsx#", "._good.xlsx", ".hidden.xlsx",
                 "notes.txt", "report.pdf"):
        (folder / name).write_bytes(b"junk")
    (folder / ".git").mkdir()
    shutil.copy(good, folder / ".git" / "copy.xlsx")
    files, missing = discover([folder])
    assert [f.display for f in files] == ["good.xlsx", "notes.txt", "report.pdf"]
    assert missing == []
    result = read(folder)
    not_read = [(i.file, i.severity.value) for i in result.issues if i.code == "file-not-read"]
    assert not_read == [("notes.txt", "info"), ("report.pdf", "info")]
    assert result.errors == 0 and result.actions


def test_subfolders_are_read_with_relative_names(tmp_path, read):
    write_tracker(tmp_path / "wb" / "Eildon" / "a.xlsx", [good_row(1)])
    write_tracker(tmp_path / "wb" / "b.xlsx", [good_row(2)])
    result = read(tmp_path / "wb")
    assert [s.path for s in result.sources] == ["b.xlsx", "Eildon/a.xlsx"]


def _digest(folder: Path) -> dict[str, tuple[str, int]]:
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.iterdir()) if p.is_file()}


def test_mixed_folder_good_files_survive_bad_ones_and_sources_are_untouched(tmp_path, read, good):
    folder = good.parent
    write_tracker(folder / "second.xlsx", [good_row(i, ID=f"S-{i}") for i in range(1, 3)])
    truncated(good, folder / "broken.xlsx")
    encrypt(good, folder / "locked.xlsx")
    (folder / "empty.xlsx").write_bytes(b"")
    (folder / "export.xlsx").write_text("a,b,c\n1,2,3\n")
    before = _digest(folder)
    result = read(folder)
    assert _digest(folder) == before  # byte-identical, not even touched
    assert [s.path for s in result.sources] == ["broken.xlsx", "empty.xlsx", "export.xlsx",
                                                "good.xlsx", "locked.xlsx", "second.xlsx"]
    assert sorted(a.action_id for a in result.actions) == ["S-1", "S-2", "T-001", "T-002",
                                                           "T-003"]
    assert {(i.file, i.code) for i in result.issues} == {
        ("broken.xlsx", "file-corrupt"), ("empty.xlsx", "file-empty"),
        ("export.xlsx", "file-is-text"), ("locked.xlsx", "file-password-protected")}


def _legacy(path: Path) -> Path:
    """A file that sniffs as an .xls (an OLE file with a Workbook stream), so that its
    values are read in a child process."""
    return _write(path, OLE_MAGIC + bytes(504) + "Workbook".encode("utf-16-le") + bytes(512))


def _ods(path: Path) -> Path:
    """A minimal OpenDocument spreadsheet with one sheet and no tracker in it."""
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
               'office:version="1.2"><office:body><office:spreadsheet>'
               '<table:table table:name="Notes"><table:table-row><table:table-cell '
               'office:value-type="string"><text:p>notes</text:p></table:table-cell>'
               '</table:table-row></table:table></office:spreadsheet></office:body>'
               '</office:document-content>')
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                    compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content)
        zf.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest '
                    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
    return path


@pytest.mark.parametrize("make, kind, code", [
    (lambda d: _legacy(d / "old.xls"), "xls", "file-corrupt"),  # calamine cannot read the fake
    (lambda d: _ods(d / "old.ods"), "ods", "file-no-tracker-sheet"),
])
def test_files_without_a_pre_scan_are_read_in_a_child_process(tmp_path, read, monkeypatch,
                                                              make, kind, code):
    started = []
    real = isolate.call_isolated
    monkeypatch.setattr("reportgen.ingest.call_isolated",
                        lambda *a, **k: started.append(a[2]) or real(*a, **k))
    write_tracker(tmp_path / "a.xlsx", [good_row(1)])
    path = make(tmp_path)
    result = read(tmp_path)
    assert started == [kind]  # only that file; the .xlsx is read in this process
    # what the child found comes back as the Issue it would be in this process
    assert codes(result) == [(code, None)]
    assert result.issues[0].file == path.name and len(result.actions) == 1


def test_a_crashing_reader_costs_one_file(tmp_path, read, monkeypatch):
    monkeypatch.setattr("reportgen.ingest.read_values", builders.crash_on_legacy)
    for name in ("a.xlsx", "c.xlsx"):
        write_tracker(tmp_path / name, [good_row(1, ID=name)])
    _legacy(tmp_path / "b-crash.xls")
    result = read(tmp_path)
    assert [(i.file, i.code) for i in result.issues] == [("b-crash.xls", "file-reader-failed")]
    assert "crashed" in result.issues[0].message
    assert sorted(a.action_id for a in result.actions) == ["a.xlsx", "c.xlsx"]
    assert [s.refused for s in result.sources] == [None, "file-reader-failed", None]


def test_a_stalled_reader_is_stopped(tmp_path, config, read, monkeypatch):
    cfg = dataclasses.replace(config, limits=dataclasses.replace(config.limits,
                                                                 reader_timeout_s=2))
    monkeypatch.setattr("reportgen.ingest.read_values", builders.stall_on_legacy)
    write_tracker(tmp_path / "good.xlsx", [good_row(1)])
    _legacy(tmp_path / "slow.xls")
    result = read(tmp_path, cfg=cfg)
    assert [(i.file, i.code) for i in result.issues] == [("slow.xls", "file-reader-failed")]
    assert "longer than 2 seconds" in result.issues[0].message
    assert len(result.actions) == 1


def test_isolated_call_returns_the_result_or_a_failure():
    assert isolate.call_isolated(divmod, 7, 2, timeout=30) == (3, 1)
    with pytest.raises(ReadFailure) as failed:
        isolate.call_isolated(int, "not a number", timeout=30)
    assert failed.value.code == "file-reader-failed" and "ValueError" in failed.value.detail


@pytest.mark.skipif(sys.platform == "win32", reason="no address-space limit on Windows")
def test_an_isolated_reader_that_needs_too_much_memory_fails_alone():
    from reportgen.ingest.reader import ReadFailure

    with pytest.raises(ReadFailure) as caught:
        isolate.call_isolated(bytearray, 1024 * 1024 * 1024, timeout=60, memory_mb=300)
    assert caught.value.code == "file-reader-failed"
    assert "more memory" in caught.value.detail
    assert isolate.call_isolated(bytearray, 10, timeout=60, memory_mb=300) == bytearray(10)
