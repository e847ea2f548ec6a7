"""``reportgen export``: JSON and CSV that other tools can parse, with stable columns."""

from __future__ import annotations

import csv
import json
from dataclasses import replace

from factories import view_of, make_action, make_run
from reportgen.export import ACTION_COLUMNS, KPI_COLUMNS, write_export


def test_json_export_parses_with_every_action_and_kpi(tmp_path):
    run = make_run(14, 3)
    [path] = write_export(view_of(run), "json", tmp_path / "out.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["period"] == "2018-09" and doc["as_of"] == "2018-09-30"
    assert [a["action_id"] for a in doc["actions"]] == [a.action_id for a in run.actions]
    first = doc["actions"][0]
    assert set(first) == set(ACTION_COLUMNS)
    assert first["reported_rag"] == run.ratings[first["action_id"]].reported.value
    assert first["change"] == "newly red"
    assert doc["changes"]["removed"] == ["O9-99"]
    assert [k["kpi_id"] for k in doc["kpis"]] == ["KPI-1", "KPI-2", "KPI-3"]
    assert set(doc["kpis"][0]) == set(KPI_COLUMNS)
    assert doc["kpis"][0]["spc_signals"].startswith("7 points in a row")
    assert {s["stream"] for s in doc["finance_by_stream"]} >= {"Integrated Care Fund"}
    assert len(doc["issues"]) == len(run.issues)


def test_csv_export_columns_values_and_formula_guard(tmp_path):
    hostile = make_action(1, commentary="=cmd|' /C calc'!A0", action="+SUM(A1)",
                          lead_officer="Seumas MacDhòmhnaill", budget=-0.0 + 12345.5)
    run = make_run(actions=[hostile] + [make_action(i) for i in range(2, 6)])
    actions_csv, kpis_csv = write_export(view_of(run), "csv", tmp_path / "ratings.csv")
    assert kpis_csv.name == "ratings-kpis.csv"
    raw = actions_csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    with actions_csv.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == ACTION_COLUMNS
    assert len(rows) == 5
    row = rows[0]
    assert row["commentary"] == "'=cmd|' /C calc'!A0"
    assert row["action"] == "'+SUM(A1)"
    assert row["lead_officer"] == "Seumas MacDhòmhnaill"
    assert row["budget"] == "12345.5"
    assert row["start"] == "2017-04-01"
    assert row["stale"] in ("true", "false")
    with kpis_csv.open(encoding="utf-8-sig", newline="") as fh:
        kpis = list(csv.DictReader(fh))
    assert tuple(kpis[0]) == KPI_COLUMNS and len(kpis) == 3


def test_export_replaces_whole_file(tmp_path):
    out = tmp_path / "e.json"
    out.write_text("old", encoding="utf-8")
    write_export(view_of(make_run(4, 1)), "json", out)
    assert json.loads(out.read_text(encoding="utf-8"))["period"] == "2018-09"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.json"]


def test_unknown_change_when_no_previous_period(tmp_path):
    run = make_run(3, 1)
    from reportgen.model import Changes
    run = replace(run, changes=Changes(), previous_rags={})
    [path] = write_export(view_of(run), "json", tmp_path / "e.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert all(a["change"] == "" and a["previous_rag"] is None for a in doc["actions"])


def test_values_are_exported_at_full_precision(tmp_path):
    a = make_action(1, percent_complete=250 / 3, budget=1000 / 3)
    run = make_run(actions=[a])
    run = replace(run, ratings={a.action_id: replace(run.ratings[a.action_id],
                                                     expected_percent=200 / 3,
                                                     slippage=-50 / 3)})
    [path] = write_export(view_of(run), "json", tmp_path / "out.json")
    [row] = json.loads(path.read_text(encoding="utf-8"))["actions"]
    assert row["percent_complete"] == 250 / 3  # 83.333…, not 83.3: rounding is for display
    assert row["expected_percent"] == 200 / 3 and row["slippage"] == -50 / 3
    assert row["budget"] == 1000 / 3
    rows, _ = write_export(view_of(run), "csv", tmp_path / "out.csv")
    with rows.open(encoding="utf-8-sig", newline="") as fh:
        [line] = list(csv.DictReader(fh))
    assert float(line["percent_complete"]) == 250 / 3


def test_each_action_says_whether_it_was_updated_this_month(tmp_path):
    run = make_run(3, 1)
    carried = run.actions[1].action_id
    reason = "Not updated this month: the tracker was not found"
    run = replace(run, ratings={**run.ratings, carried: replace(
        run.ratings[carried], carried_from="2018-08", not_updated=reason)})
    rows, _ = write_export(view_of(run), "csv", tmp_path / "out.csv")
    with rows.open(encoding="utf-8-sig", newline="") as fh:
        got = {r["action_id"]: (r["updated"], r["not_updated"]) for r in csv.DictReader(fh)}
    assert got[carried] == ("no", reason)
    assert [v for k, v in got.items() if k != carried] == [("yes", "")] * 2
    [path] = write_export(view_of(run), "json", tmp_path / "out.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["coverage"]["complete"] is True  # no coverage worked out: nothing to compare


def test_kpi_signals_exported_as_data(tmp_path):
    """Each signal as data (rule, kind, months), beside the reading in words, in JSON and
    as JSON text in one CSV cell; rated from a real series, not a stub."""
    from factories import make_kpi
    from reportgen.config import Spc
    from reportgen.kpis import rate_kpi
    from reportgen.model import Period

    labels = [Period(2017, 4).shift(i).label for i in range(18)]
    values = [50.0, 50.5] * 6 + [60.0, 60.5] * 3  # a step up from April 2018
    kpi = make_kpi(1, series=tuple(zip(labels, values)), target=55.0, tolerance=None)
    spc = Spc(recalculate=(("KPI-1", "2018-04"),))
    run = replace(make_run(n_kpis=0), kpis=(kpi,),
                  kpi_results={kpi.kpi_id: rate_kpi(kpi, Period(2018, 9), spc)})
    [path] = write_export(view_of(run), "json", tmp_path / "out.json")
    [row] = json.loads(path.read_text(encoding="utf-8"))["kpis"]
    assert row["spc_recalculated_from"] == "2018-04"
    assert row["variation"] == "common cause" and row["assurance"] == "met"
    assert row["reading"].startswith("No significant change since the limits were "
                                     "recalculated from April 2018")
    assert row["signal_list"] == []  # each phase read against its own limits
    plain = replace(run, kpi_results={kpi.kpi_id: rate_kpi(kpi, Period(2018, 9), Spc())})
    _, kpis_csv = write_export(view_of(plain), "csv", tmp_path / "r.csv")
    with kpis_csv.open(encoding="utf-8-sig", newline="") as fh:
        [row] = list(csv.DictReader(fh))
    signals = json.loads(row["signal_list"])
    assert {(s["rule"], s["kind"]) for s in signals} >= {("run", "concern"),
                                                          ("beyond-limit", "concern")}
    early = next(s for s in signals if s["rule"] == "run" and s["kind"] == "concern")
    assert early["months"] == labels[:12]
    assert set(signals[0]) == {"rule", "kind", "months", "description"}


def test_a_repeated_action_names_its_other_rows(tmp_path):
    run = make_run(4, 1)
    a, b = run.actions[0].action_id, run.actions[2].action_id
    run = replace(run, repeats={a: (b,), b: (a,)})
    rows, _ = write_export(view_of(run), "csv", tmp_path / "out.csv")
    with rows.open(encoding="utf-8-sig", newline="") as fh:
        got = {r["action_id"]: r["also_under"] for r in csv.DictReader(fh)}
    assert got[a] == b and got[b] == a
    assert sorted(v for k, v in got.items() if k not in (a, b)) == ["", ""]
