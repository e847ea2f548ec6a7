"""Paths stay inside (issue 27): a link in the workbooks folder that leads outside it is
refused and named, never read and never kept, unless [paths] link_targets names the
folder it leads to; a link to a tracker inside is read once; loops, folders and odd file
names are accounted for, never followed out."""

import dataclasses
import hashlib
import os
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from builders import good_row, write_tracker
from conftest import TODAY, codes
from reportgen.ingest import discover
from reportgen.model import Period

SECRET = "OUTSIDE-SECRET-7d1e"


def _link(target: Path, link: Path, folder: bool = False) -> Path:
    try:
        os.symlink(target, link, target_is_directory=folder)
    except (OSError, NotImplementedError) as exc:  # Windows without the privilege
        pytest.skip(f"cannot make a symbolic link here: {exc}")
    return link


@pytest.fixture
def good(tmp_path) -> Path:
    return write_tracker(tmp_path / "src" / "good.xlsx", [good_row(i) for i in range(1, 4)])


@pytest.fixture
def layout(tmp_path):
    """workbooks/ with one tracker; outside/ beside it with a tracker and a text file
    that must never be read."""
    workbooks = tmp_path / "workbooks"
    write_tracker(workbooks / "mine.xlsx", [good_row(1)])
    outside = tmp_path / "outside"
    write_tracker(outside / "theirs.xlsx", [good_row(2, **{"Progress Update": SECRET})])
    (outside / "passwd").write_text(f"root:x:0:0:{SECRET}:/root:/bin/bash\n")
    return workbooks, outside


def test_a_link_to_a_file_outside_is_refused_and_named_never_read(layout, read):
    workbooks, outside = layout
    _link(outside / "theirs.xlsx", workbooks / "linked tracker.xlsx")
    _link(outside / "passwd", workbooks / "passwd.xlsx")
    result = read(workbooks)
    assert [(s.path, s.refused) for s in result.sources] == [
        ("linked tracker.xlsx", "file-link-outside"), ("mine.xlsx", None),
        ("passwd.xlsx", "file-link-outside")]
    (issue,) = [i for i in result.issues if i.file == "passwd.xlsx"]
    assert issue.severity.value == "error"
    assert str(outside / "passwd") in issue.message and "not read" in issue.message
    assert "[paths] link_targets" in issue.hint
    assert [a.action_id for a in result.actions] == ["T-001"]  # theirs.xlsx not read
    assert all(s.sha256 == "" and s.size == 0 for s in result.sources if s.refused)


def test_a_link_to_a_folder_outside_is_refused_and_named(layout, read):
    workbooks, outside = layout
    _link(outside, workbooks / "Eildon", folder=True)
    result = read(workbooks)
    assert [(s.path, s.refused) for s in result.sources] == [
        ("Eildon", "file-link-outside"), ("mine.xlsx", None)]
    assert f"the folder {outside}" in result.issues[0].message


def test_a_configured_link_target_is_read(layout, read, config):
    workbooks, outside = layout
    _link(outside / "theirs.xlsx", workbooks / "linked tracker.xlsx")
    _link(outside, workbooks / "Eildon", folder=True)
    cfg = dataclasses.replace(config, paths=dataclasses.replace(
        config.paths, link_targets=(outside,)))
    result = read(workbooks, cfg=cfg)
    # theirs.xlsx is reached twice (the file link, the folder link): read once
    assert [(s.path, s.refused) for s in result.sources] == [
        ("Eildon/passwd", "file-not-read"), ("Eildon/theirs.xlsx", None), ("mine.xlsx", None)]
    assert sorted(a.action_id for a in result.actions) == ["T-001", "T-002"]


def test_a_link_to_a_tracker_inside_is_read_once_under_its_own_name(layout, read):
    workbooks, _ = layout
    _link(workbooks / "mine.xlsx", workbooks / "a shortcut to mine.xlsx")
    (workbooks / "Eildon").mkdir()
    _link(workbooks, workbooks / "Eildon" / "back up", folder=True)  # a loop, inside
    result = read(workbooks)
    assert [s.path for s in result.sources] == ["mine.xlsx"]
    assert not [i for i in result.issues if i.code.startswith("file-copy")]


def test_link_loops_and_broken_links_are_named_not_followed(tmp_path, read):
    workbooks = tmp_path / "workbooks"
    write_tracker(workbooks / "mine.xlsx", [good_row(1)])
    _link(workbooks / "b.xlsx", workbooks / "a.xlsx")
    _link(workbooks / "a.xlsx", workbooks / "b.xlsx")
    _link(workbooks / "gone.xlsx", workbooks / "broken.xlsx")
    result = read(workbooks)
    assert {s.path: s.refused for s in result.sources} == {
        "a.xlsx": "file-unreadable", "b.xlsx": "file-unreadable",
        "broken.xlsx": "file-unreadable", "mine.xlsx": None}


def test_a_file_name_with_hidden_characters_is_refused_and_shown(tmp_path, read, good):
    workbooks = good.parent
    disguised = workbooks / "invoice\u202excod.xlsx"  # shows as "invoicedocx.xlsx"
    disguised.write_bytes(good.read_bytes())
    result = read(workbooks)
    refused = {s.path: s.refused for s in result.sources if s.refused}
    assert refused == {"invoice<U+202E>xcod.xlsx": "file-name-hidden-characters"}
    assert "U+202E" in [i for i in result.issues
                        if i.code == "file-name-hidden-characters"][0].message


def test_a_windows_shortcut_is_listed_not_followed(tmp_path, read, good):
    (good.parent / "Tracker - Shortcut.lnk").write_bytes(b"L\x00\x00\x00junk")
    result = read(good.parent)
    (issue,) = [i for i in result.issues if i.code == "file-not-read"]
    assert issue.file == "Tracker - Shortcut.lnk" and "a Windows shortcut" in issue.message


def test_discover_names_the_link_not_its_target(layout):
    workbooks, outside = layout
    _link(outside / "theirs.xlsx", workbooks / "linked.xlsx")
    files, missing = discover([workbooks])
    assert [(f.display, f.refusal.code if f.refusal else None) for f in files] == [
        ("linked.xlsx", "file-link-outside"), ("mine.xlsx", None)]


def _everything_under(folder: Path) -> bytes:
    """Every byte under ``folder``: files as stored, and every member of the zip files
    (xlsx, docx) decompressed."""
    chunks = []
    for p in folder.rglob("*"):
        if p.is_file() and not p.is_symlink():
            data = p.read_bytes()
            chunks.append(data)
            if data[:4] == b"PK\x03\x04":
                with zipfile.ZipFile(p) as z:
                    chunks += [z.read(n) for n in z.namelist()]
    return b"\n".join(chunks)


def test_a_linked_file_outside_leaves_no_byte_under_the_output_folder(layout, config):
    from reportgen.pipeline import ALL_ARTEFACTS, HistoryUse, run_cycle

    workbooks, outside = layout
    _link(outside / "theirs.xlsx", workbooks / "linked tracker.xlsx")
    _link(outside / "passwd", workbooks / "passwd.xlsx")
    output = workbooks.parent / "output"
    result = run_cycle(config, Period(2018, 9), today=TODAY, now=datetime(2018, 10, 5, 9),
                       workbooks=workbooks, output=output, artefacts=ALL_ARTEFACTS,
                       history=HistoryUse.SAVE)
    refused = {s.path for s in result.run.sources if s.refused == "file-link-outside"}
    assert refused == {"linked tracker.xlsx", "passwd.xlsx"}
    everything = _everything_under(output)
    assert SECRET.encode() not in everything
    for name in ("theirs.xlsx", "passwd"):
        digest = hashlib.sha256((outside / name).read_bytes()).hexdigest()
        assert not list((output / "inputs").rglob(f"{digest}*"))  # never kept
    manifest = (result.out_dir / "manifest.json").read_text(encoding="utf-8")
    assert "linked tracker.xlsx" in manifest  # named, as refused
