"""Each period is a record (issue 18): kept inputs, re-runs that say what the board was
told, --refresh, a history that survives loss and damage, outputs that leave people's
files alone, and catch-up that does not invent the past."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from datetime import date, datetime
from pathlib import Path

import pytest

from builders import document_xml, good_row, write_tracker
from reportgen.cli import main
from reportgen.history import History, check_file
from reportgen.model import Period
from reportgen.pipeline import run_cycle
from reportgen.scheduler import catch_up, due_periods, run_schedule

TODAY = date(2018, 10, 5)
NOW = datetime(2018, 10, 5, 9, 0)


def rows(changed: bool = False) -> list[dict]:
    out = [good_row(i, **{"Last Updated": date(2018, 8, 20)}) for i in range(1, 7)]
    if changed:  # T-001 falls badly behind: its rating changes from Green
        out[0].update({"% Complete": 2, "RAG": "Red", "Corrective Action": "Recovery plan"})
    return out


@pytest.fixture
def setup(tmp_path, config):
    books = tmp_path / "workbooks"
    books.mkdir()
    write_tracker(books / "Objective 1 - M Elliot.xlsx", rows())
    out = tmp_path / "output"
    cfg = dataclasses.replace(config, paths=dataclasses.replace(
        config.paths, workbooks=books, output=out, history=out / "history.sqlite"))

    def cycle(label: str, now: datetime = NOW, **kw):
        return run_cycle(cfg, Period.parse(label), today=TODAY, now=now, **kw)

    return cfg, books, out, cycle


def reported(result) -> dict[str, str]:
    return {k: r.reported.value for k, r in result.run.ratings.items()}


def test_kept_inputs_are_content_addressed_read_only_and_listed(setup):
    cfg, books, out, cycle = setup
    cycle("2018-08")
    cycle("2018-09")
    blobs = [p for p in (out / "inputs").rglob("*") if p.is_file()]
    assert len(blobs) == 1  # the same tracker both months: kept once
    assert not os.stat(blobs[0]).st_mode & stat.S_IWUSR
    manifest = json.loads((out / "2018-09" / "manifest.json").read_text(encoding="utf-8"))
    (entry,) = manifest["inputs"]
    assert entry["path"] == "Objective 1 - M Elliot.xlsx"
    assert blobs[0].name == entry["sha256"] + ".xlsx" and entry["kept"] is True
    assert blobs[0].read_bytes() == (books / entry["path"]).read_bytes()


def test_rerun_uses_kept_inputs_and_refresh_lists_and_records_changes(setup):
    cfg, books, out, cycle = setup
    first = cycle("2018-08")
    first_xml = document_xml(out / "2018-08" / "board-report-2018-08.docx")
    assert first.kind == "live"
    write_tracker(books / "Objective 1 - M Elliot.xlsx", rows(changed=True))
    sept = cycle("2018-09")
    assert reported(sept)["T-001"] != reported(first)["T-001"]
    again = cycle("2018-08", now=datetime(2018, 10, 6, 9, 0))
    assert again.kind == "kept"
    assert reported(again) == reported(first)
    assert document_xml(out / "2018-08" / "board-report-2018-08.docx") == first_xml
    with History(out / "history.sqlite", clock=datetime.now) as h:
        assert {k: v.value for k, v in h.ratings_for(Period(2018, 8)).items()} == \
            reported(first)

    refreshed = cycle("2018-08", now=datetime(2018, 10, 7, 9, 0), refresh=True,
                      reason="officer corrected T-001")
    assert refreshed.kind == "refresh"
    assert [c[0] for c in refreshed.rating_changes] == ["T-001"]
    assert refreshed.rating_changes[0][1] == reported(first)["T-001"]
    with History(out / "history.sqlite", clock=datetime.now) as h:
        runs = [r for r in h.runs() if r["period"] == "2018-08"]
        assert [r["kind"] for r in runs] == ["live", "kept", "refresh"]
        assert runs[-1]["reason"] == "officer corrected T-001"
        assert runs[-1]["inputs"][0]["path"] == "Objective 1 - M Elliot.xlsx"
        assert h.ratings_for(Period(2018, 8))["T-001"].value == reported(sept)["T-001"]


def test_refresh_from_the_command_line_prints_the_changes(setup, capsys, monkeypatch):
    cfg, books, out, cycle = setup
    cycle("2018-08")
    write_tracker(books / "Objective 1 - M Elliot.xlsx", rows(changed=True))
    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    code = main(["run", "--period", "2018-08", "--workbooks", str(books), "--output",
                 str(out), "--refresh", "--reason", "late update"])
    text = capsys.readouterr().out
    assert code == 0, text
    assert "refreshed from the live trackers (reason: late update)" in text
    assert "T-001: Amber → Red" in text
    code = main(["history", "list", "--output", str(out)])
    text = capsys.readouterr().out
    assert code == 0 and "refresh, late update" in text and "2018-08 (August 2018)" in text


def test_lost_history_is_rebuilt_and_the_paper_compares_again(setup):
    cfg, books, out, cycle = setup
    first = cycle("2018-08")
    (out / "history.sqlite").unlink()
    for p in (out / "history-backups").iterdir():
        p.unlink()  # no backup either: rebuilt from the kept inputs
    sept = cycle("2018-09")
    assert sept.run.changes.previous_period == "2018-08"
    assert sept.run.previous_rags == {k: r.reported for k, r in first.run.ratings.items()}
    (note,) = sept.notes
    assert "was missing" in note and "rebuilt from the kept inputs of 2018-08" in note
    assert any(i.code == "history-recovered" for i in sept.run.issues)
    feedback = out / "2018-09" / "feedback"  # officers are not sent the history's news
    assert not [p for p in feedback.rglob("*") if "history" in p.name]


def test_lost_history_is_restored_from_the_newest_backup(setup):
    cfg, books, out, cycle = setup
    cycle("2018-08")
    cycle("2018-09", now=datetime(2018, 10, 5, 9, 1))
    assert len(list((out / "history-backups").iterdir())) == 2
    (out / "history.sqlite").unlink()
    again = cycle("2018-09", now=datetime(2018, 10, 5, 9, 2))
    assert "restored from the backup history-20181005-090100.sqlite" in again.notes[0]
    assert again.run.changes.previous_period == "2018-08"


def test_damaged_history_is_named_moved_aside_and_rebuilt(setup):
    cfg, books, out, cycle = setup
    cycle("2018-08")
    for p in (out / "history-backups").iterdir():
        p.write_bytes(b"not a database at all" * 100)  # the backups are damaged too
    history = out / "history.sqlite"
    for extra in ("-wal", "-shm"):
        history.with_name(history.name + extra).unlink(missing_ok=True)
    history.write_bytes(b"this is not SQLite" * 1000)
    assert check_file(history) is not None
    sept = cycle("2018-09")
    (note,) = sept.notes
    assert str(history) in note and "damaged" in note
    assert "rebuilt from the kept inputs of 2018-08" in note
    assert list(out.glob("history.sqlite.damaged-*"))
    assert check_file(history) is None
    assert sept.run.changes.previous_period == "2018-08"


def test_history_rebuild_command(setup, capsys):
    cfg, books, out, cycle = setup
    cycle("2018-08")
    cycle("2018-09")
    code = main(["history", "rebuild", "--output", str(out)])
    text = capsys.readouterr().out
    assert code == 0, text
    assert "from the kept inputs of 2018-08, 2018-09" in text
    with History(out / "history.sqlite", clock=datetime.now) as h:
        assert h.periods() == [Period(2018, 8), Period(2018, 9)]
    code = main(["history", "show", "--period", "2018-08", "--output", str(out)])
    shown = capsys.readouterr().out
    assert code == 0 and "T-001" in shown
    assert "(as of 31/08/2018)" in shown


def test_a_users_file_survives_three_reruns_and_generations_are_kept(setup):
    cfg, books, out, cycle = setup
    cycle("2018-08")
    folder = out / "2018-08"
    (folder / "board paper as sent.pdf").write_bytes(b"%PDF- a user's file")
    (folder / "export-2018-08.json").write_text("[]", encoding="utf-8")
    for n in range(3):
        cycle("2018-08", now=datetime(2018, 10, 6, 9, n))
    assert (folder / "board paper as sent.pdf").read_bytes() == b"%PDF- a user's file"
    assert (folder / "export-2018-08.json").exists()
    for name in ("previous", "previous-2", "previous-3"):
        assert (folder / name / "manifest.json").exists()
        assert (folder / name / "board-report-2018-08.docx").exists()
        assert not (folder / name / "board paper as sent.pdf").exists()
    assert not (folder / "previous-4").exists()
    stamps = [json.loads((folder / n / "manifest.json").read_text())["generated_at"]
              for n in ("previous-3", "previous-2", "previous", ".")]
    assert stamps == sorted(stamps) and len(set(stamps)) == 4


def test_catch_up_writes_one_paper_and_lists_the_missed_months(setup):
    cfg, books, out, cycle = setup
    cycle("2018-06")
    now = datetime(2018, 10, 31, 12, 0)
    history = out / "history.sqlite"

    def last_done():
        with History(history, clock=lambda: now) as h:
            return h.last_successful_period()

    from reportgen.periods import WorkingCalendar
    due = due_periods(last_done(), now, cfg.schedule, WorkingCalendar.from_config(cfg))
    assert [p.label for p in due] == ["2018-07", "2018-08", "2018-09"]
    produced, results = [], []

    def one(period):
        produced.append(period.label)
        results.append(run_cycle(cfg, period, today=TODAY, now=now))
        return True

    run_schedule(cfg, one, last_done, out / ".schedule.lock", clock=lambda: now,
                 sleep=lambda s: None, should_stop=lambda: "2018-09" in produced,
                 missed=catch_up(out, history, one, lambda: now))
    assert produced == ["2018-09"]
    assert not (out / "2018-07").exists() and not (out / "2018-08").exists()
    missed = [i for i in results[0].run.issues if i.code == "period-missed"]
    assert [i.message.split(":")[0] for i in missed] == [
        "No report was produced for July 2018", "No report was produced for August 2018"]
    xml = document_xml(out / "2018-09" / "board-report-2018-09.docx")
    assert b"Reporting period missed" in xml
    # the paper's body names each missed month, apart from the trackers' problems
    body = xml[:xml.index(b"Appendix A")]
    assert b"No report was produced for July 2018" in body
    assert b"No report was produced for August 2018" in body
    with History(history, clock=lambda: now) as h:
        assert h.missed() == ["2018-07", "2018-08"]
        assert [p.label for p in h.periods()] == ["2018-06", "2018-09"]


def test_kept_inputs_are_read_on_the_date_they_were_first_read(setup):
    """A 'Last updated' after the first run's date was refused then (update in the
    future); a re-run or a rebuild later must refuse it too, or the ratings change."""
    cfg, books, out, cycle = setup
    later = rows()
    later[0]["Last Updated"] = date(2018, 10, 8)  # after TODAY, before the re-run
    write_tracker(books / "Objective 1 - M Elliot.xlsx", later)
    first = cycle("2018-08")
    assert any(i.code == "update-in-future" for i in first.run.issues)
    manifest = json.loads((out / "2018-08" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["read_on"] == "2018-10-05"

    def rerun(when):
        return run_cycle(cfg, Period(2018, 8), today=when.date(), now=when)

    again = rerun(datetime(2018, 10, 20, 9, 0))
    assert again.kind == "kept" and reported(again) == reported(first)
    assert any(i.code == "update-in-future" for i in again.run.issues)
    manifest = json.loads((out / "2018-08" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["read_on"] == "2018-10-05"  # carried forward, not the re-run's date
    from reportgen.recovery import rebuild_history

    rebuild_history(cfg, out, out / "history.sqlite", today=date(2018, 10, 21),
                    now=datetime(2018, 10, 21, 9, 0))
    with History(out / "history.sqlite", clock=datetime.now) as h:
        assert {k: v.value for k, v in h.ratings_for(Period(2018, 8)).items()} == \
            reported(first)


def test_only_backups_up_to_the_newest_sound_one_are_checked(setup, monkeypatch):
    import reportgen.recovery as recovery

    cfg, books, out, cycle = setup
    cycle("2018-08")
    cycle("2018-09", now=datetime(2018, 10, 5, 9, 1))
    (out / "history.sqlite").unlink()
    checked = []

    def spy(path):
        checked.append(path.name)
        return check_file(path)

    monkeypatch.setattr(recovery, "check_file", spy)
    again = cycle("2018-09", now=datetime(2018, 10, 5, 9, 2))
    assert checked == ["history-20181005-090100.sqlite"]
    assert "restored from the backup history-20181005-090100.sqlite" in again.notes[0]
    assert not [p for p in (out / "history-backups").iterdir()
                if p.name.endswith(("-wal", "-shm"))]


def test_refresh_matches_actions_as_the_history_does_not_by_spelling():
    """`--refresh` lists what changed by the action, not by how its ID is typed: the
    history stored O2-03 and O2-04; the tracker now types O2-3 (the same action, the
    same rating) and O2-04 has changed. Only O2-04 is listed, by the ID the run shows."""
    from dataclasses import replace

    from factories import make_action, make_rating, make_run
    from reportgen.model import Rag
    from reportgen.pipeline import rating_changes

    retyped, changed = make_action(1, action_id="O2-3"), make_action(2, action_id="O2-04")
    run = make_run(actions=[retyped, changed])
    run = replace(run, ratings={"O2-3": make_rating(retyped, Rag.RED),
                                "O2-04": make_rating(changed, Rag.AMBER)})
    stored = {"O2-03": Rag.RED, "O2-04": Rag.GREEN, "O2-05": Rag.GREEN}
    assert rating_changes(stored, run) == [("O2-04", "Green", "Amber"),
                                           ("O2-05", "Green", None)]
