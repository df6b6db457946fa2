"""Ingest end to end: files in, all or nothing, month replacement, rollback, the command line."""

import datetime as dt
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from governance.ingest.pipeline import ingest
from governance.metrics import indicators
from governance.metrics.indicators import View
from governance.store import Store
from queries import Engine
from tests import tiny

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2024, 11, 15)
HEADER = "信访件编号,乡镇(街道),村(社区),受理日期,信访形式,问题类别,是否初信初访,办结日期,是否一次性化解,满意度,是否重复信访"


def ledger(rows: list[str], encoding="gbk") -> bytes:
    """A county office's petitions ledger as Excel saves it: title rows, names for places, a total row."""
    lines = ["示范县2024年10月信访事项台账,,,,,,,,,,", "填报单位：示范县信访局,,,,,,,,,,", HEADER, *rows,
             "合计,,,,,,,,,,"]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


GOOD = [
    "N1,甲镇,甲一村,2024年10月8日,来访,劳动社保,是,2024/10/20,是,满意,否",
    "N2,乙镇,乙一村,2024-10-09,网上,教育,是,,,,否",
    "N3,甲镇,甲二社区,20241012,电话,城乡建设,否,2024-10-15,否,基本满意,是",
]


def snapshot(root: Path) -> dict:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def store(tiny_store):
    return tiny_store


def test_a_gbk_ledger_with_titles_names_and_totals_is_accepted(store):
    report = ingest(store, "petitions", ledger(GOOD), "信访台账.csv", who="analyst1", today=TODAY)
    assert report.accepted and report.committed, report.as_json()
    assert report.parsed.encoding == "gb18030"
    assert report.parsed.header_row == 3
    assert [r for _, r in report.parsed.dropped] == ["title", "title", "total"]
    assert report.rows == 3 and report.periods == ["2024-10"]
    latest = store.history("petitions")[0]  # newest first
    assert (latest["periods"], latest["version"], latest["who"], latest["source"], latest["rows"], latest["current"]) == (
        ["2024-10"], 2, "analyst1", "信访台账.csv", 3, True)
    # the file holds towns A (N1, N3) and B (N2): both towns' October is its scope; 6 rows were there
    assert (latest["scope"], latest["replaced"]) == ([tiny.TOWN_A, tiny.TOWN_B], 6)
    assert latest["source_sha256"] == hashlib.sha256(ledger(GOOD)).hexdigest()
    v = indicators.headline(Engine(store), "petitions", View(tiny.COUNTY, "2024-10", "2024-10"), today=TODAY)
    assert v["current"]["received"] == 3
    assert v["current"]["repeat_rate"] == pytest.approx(1 / 3)


def test_a_refused_file_lists_every_problem_and_leaves_the_store_byte_for_byte(store):
    before = snapshot(store.root)
    bad = GOOD + [
        "N4,甲镇,甲三村,2024-10-10,来信,其他,是,,,,否",  # unknown village (row 7)
        "N5,乙镇,乙一村,2024-10-40,来信,其他,是,,,,否",  # no such date (row 8)
        "N1,甲镇,甲一村,2024-10-11,微信,其他,是,,,,否",  # duplicate id and unknown channel (row 9)
    ]
    report = ingest(store, "petitions", ledger(bad), "bad.csv", today=TODAY)
    assert not report.accepted and not report.committed
    found = {(e["row"], e["column"], e["key"]) for e in report.as_json()["errors"]}
    assert found == {(7, "C", "unknown_place"), (8, "D", "invalid_date"), (9, "A", "duplicate"),
                     (9, "E", "invalid_choice")}
    assert snapshot(store.root) == before


def test_reuploading_one_month_replaces_only_it_and_rollback_restores_it(store):
    engine = Engine(store)
    sept_before = indicators.headline(engine, "petitions", View(tiny.COUNTY, "2024-09", "2024-09"), today=TODAY)
    ingest(store, "petitions", ledger(GOOD), "oct.csv", today=TODAY)
    oct_view = View(tiny.COUNTY, "2024-10", "2024-10")
    assert indicators.headline(engine, "petitions", oct_view, today=TODAY)["current"]["received"] == 3
    sept_after = indicators.headline(engine, "petitions", View(tiny.COUNTY, "2024-09", "2024-09"), today=TODAY)
    assert sept_after["current"] == sept_before["current"]
    store.rollback("petitions", "2024-10")
    assert indicators.headline(engine, "petitions", oct_view, today=TODAY)["current"]["received"] == 6


def test_xlsx_ledger_is_read_and_committed(store):
    wb = Workbook()
    ws = wb.active
    ws.append(["示范县网格化管理月报"])
    ws.append(["区划代码", "统计月份", "常住户数", "纳入网格户数", "网格数", "网格员数", "网格党组织数", "党员中心户数"])
    ws.append([int(tiny.A1), "2024-11", 1000, 990, 4, 4, 4, 30])
    ws.append([int(tiny.B1), "2024-11", 2000, 2000, 7, 7, 6, 50])
    ws.append(["合计", None, 3000, 2990, 11, 11, 10, 80])
    buf = io.BytesIO()
    wb.save(buf)
    report = ingest(store, "grid", buf.getvalue(), "网格.xlsx", today=TODAY)
    assert report.accepted and report.periods == ["2024-11"], report.as_json()
    v = indicators.headline(Engine(store), "grid", View(tiny.COUNTY, "2024-11", "2024-11"), today=TODAY)
    assert v["current"]["households_covered"] == 2990


def test_regions_upload_replaces_the_table(tmp_path):
    store = Store(tmp_path / "fresh")
    store.commit("regions", tiny.regions(), source="regions.csv")
    csv = "区划代码,名称,层级,上级区划代码,类型,户数,常住人口\n" \
          f"{tiny.COUNTY},示范县,县,,,,\n{tiny.TOWN_A},甲镇,乡镇,{tiny.COUNTY},,,\n{tiny.A1},甲一村,村,,村,300,1000\n"
    report = ingest(store, "regions", csv.encode("utf-8-sig"), "regions.csv", today=TODAY)
    assert report.accepted, report.as_json()
    assert report.periods == ["all"]
    assert store.history("regions")[0]["rows"] == 3  # newest first


def test_a_regions_upload_may_not_drop_places_the_facts_use(store):
    before = snapshot(store.root)
    csv = "区划代码,名称,层级,上级区划代码,类型,户数,常住人口\n" \
          f"{tiny.COUNTY},示范县,县,,,,\n{tiny.TOWN_A},甲镇,乡镇,{tiny.COUNTY},,,\n{tiny.A1},甲一村,村,,村,300,1000\n"
    report = ingest(store, "regions", csv.encode("utf-8-sig"), "regions.csv", today=TODAY)
    assert not report.accepted
    (err,) = report.errors
    assert err.key == "orphaned_facts" and tiny.A2 in err.message and tiny.B1 in err.message
    assert snapshot(store.root) == before


def cli(*args, store_dir: Path):
    return subprocess.run([sys.executable, "-m", "governance", *args, "--store", str(store_dir)],
                          cwd=ROOT, capture_output=True, text=True, check=False)


def test_cli_ingest_json_shape_and_exit_codes(store, tmp_path):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(ledger(GOOD))
    bad.write_bytes(ledger(GOOD + ["N9,甲镇,甲一村,2024-10-10,来信,其他,也许,,,,否"]))
    before = snapshot(store.root)

    dry = cli("ingest", "petitions", str(good), "--dry-run", "--json", store_dir=store.root)
    assert dry.returncode == 0, dry.stderr
    out = json.loads(dry.stdout)
    assert {k: out[k] for k in ("accepted", "dataset", "rows", "periods", "errors")} == {
        "accepted": True, "dataset": "petitions", "rows": 3, "periods": ["2024-10"], "errors": []}
    assert snapshot(store.root) == before

    refused = cli("ingest", "petitions", str(bad), "--json", store_dir=store.root)
    assert refused.returncode == 1
    out = json.loads(refused.stdout)
    assert out["accepted"] is False
    assert [(e["row"], e["column"]) for e in out["errors"]] == [(7, "G")]
    assert "是否初信初访" in out["errors"][0]["message"] and "invalid_bool" in out["errors"][0]["message"]
    assert "Traceback" not in refused.stderr
    assert snapshot(store.root) == before

    human = cli("ingest", "petitions", str(bad), store_dir=store.root)
    assert human.returncode == 1 and "第7行 G列" in human.stdout and "Traceback" not in human.stderr


def test_cli_refuses_unreadable_files_without_a_traceback(store, tmp_path):
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x80\xfa\x80\x7f" * 50)  # neither UTF-8 nor GB18030, and no BOM
    run = cli("ingest", "petitions", str(junk), "--json", store_dir=store.root)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    (err,) = json.loads(run.stdout)["errors"]
    assert "encoding" in err["message"] or "编码" in err["message"]


def test_cli_history_indicators_and_rollback(store, tmp_path):
    f = tmp_path / "oct.csv"
    f.write_bytes(ledger(GOOD))
    assert cli("ingest", "petitions", str(f), store_dir=store.root).returncode == 0
    hist = json.loads(cli("history", "petitions", "--json", store_dir=store.root).stdout)
    assert [(h["periods"], h["version"], h["current"], h["action"]) for h in hist] == [
        (["2024-10"], 2, True, "ingest"), (["2024-08", "2024-09", "2024-10"], 1, False, "ingest")]
    # the text lists the same versions in Beijing time (the offices' clock, as the page shows it)
    clock, newest, _ = cli("history", "petitions", store_dir=store.root).stdout.splitlines()
    at = dt.datetime.fromisoformat(hist[0]["at"]).astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert clock == "时间 times: Asia/Shanghai" and newest.startswith("* v2")
    assert at.strftime("%Y-%m-%d %H:%M:%S") in newest, newest
    ind = json.loads(cli("indicators", "petitions", "--region", tiny.COUNTY, "--from", "2024-10", "--to", "2024-10",
                         "--json", store_dir=store.root).stdout)
    assert ind["received"] == 3
    back = cli("rollback", "petitions", "2024-10", store_dir=store.root)
    assert back.returncode == 0 and "第 1 版" in back.stdout, back.stderr
    ind = json.loads(cli("indicators", "petitions", "--region", tiny.COUNTY, "--from", "2024-10", "--to", "2024-10",
                         "--json", store_dir=store.root).stdout)
    assert ind["received"] == 6
    nothing = cli("rollback", "petitions", "1999-01", store_dir=store.root)
    assert nothing.returncode == 1 and "Traceback" not in nothing.stderr


def test_indicators_json_has_every_spec_key_for_every_dataset(store):
    from governance.core import contract

    for dataset in contract.FACT_DATASETS:
        run = cli("indicators", dataset, "--json", store_dir=store.root)
        assert run.returncode == 0, run.stderr
        assert set(json.loads(run.stdout)) == {i.key for i in contract.dataset(dataset).indicators}


def test_a_case_id_already_stored_in_another_month_is_refused(store):
    before = snapshot(store.root)
    moved = ["p7,乙镇,乙一村,2024-10-09,网上,教育,是,,,,否"]  # p7 is September's case
    report = ingest(store, "petitions", ledger(GOOD + moved), "oct.csv", today=TODAY)
    assert not report.accepted
    (err,) = report.errors
    assert (err.row, err.column, err.key) == (7, "A", "duplicate") and "2024-09" in err.message
    assert snapshot(store.root) == before


def test_cli_refuses_bad_requests_clearly(store, tmp_path):
    unreadable = cli("ingest", "petitions", str(tmp_path / "missing.csv"), "--json", store_dir=store.root)
    assert unreadable.returncode == 1
    assert json.loads(unreadable.stdout)["accepted"] is False
    backwards = cli("indicators", "petitions", "--from", "2024-10", "--to", "2024-08", store_dir=store.root)
    assert backwards.returncode == 2 and "--from" in backwards.stderr
    nowhere = cli("indicators", "petitions", "--region", "999999999999", store_dir=store.root)
    assert nowhere.returncode == 1 and "unknown region" in nowhere.stderr
    for run in (unreadable, backwards, nowhere):
        assert "Traceback" not in run.stderr


def test_a_broken_targets_file_keeps_the_last_good_targets(tmp_path, monkeypatch):
    from governance.core import contract, targets

    path = tmp_path / "targets.toml"
    path.write_text("[petitions.closure_rate]\ntarget = 0.9\namber = 0.8\n", encoding="utf-8")
    monkeypatch.setenv("GOVERNANCE_TARGETS", str(path))
    ind = contract.INDICATORS[("petitions", "closure_rate")]
    assert targets.status(0.85, ind) == "amber" and targets.load_error is None
    path.write_text("[petitions.closure_rate\ntarget = ", encoding="utf-8")
    import os
    os.utime(path, (1, 1))  # a new mtime, so the file is read again
    assert targets.status(0.85, ind) == "amber"  # the last good targets
    assert targets.load_error and "last good targets" in targets.load_error


def test_signature_lines_below_the_closing_total_are_not_data(store):
    body = ledger(GOOD).decode("gbk") + "填表人：李四,,审核人：王五,,,,,,,,\r\n联系电话：12345,,,,,,,,,,\r\n"
    report = ingest(store, "petitions", body.encode("gbk"), "oct.csv", dry_run=True, today=TODAY)
    assert report.accepted, report.as_json()["errors"]
    assert [r for _, r in report.parsed.dropped][-3:] == ["total", "footer", "footer"]


# ---- scope, preview, template (SPEC: Rules for every upload) -------------------------------
NOV_A = ["A11,甲镇,甲一村,2024-11-03,来访,劳动社保,是,,,,否", "A12,甲镇,甲二社区,2024-11-04,来信,教育,是,,,,否"]
NOV_B = ["B11,乙镇,乙一村,2024-11-05,网上,教育,是,,,,否"]
NOV_TODAY = dt.date(2024, 12, 1)


def test_town_a_and_town_b_november_ledgers_both_stand(store):
    a = ingest(store, "petitions", ledger(NOV_A), "甲镇11月.csv", today=NOV_TODAY)
    b = ingest(store, "petitions", ledger(NOV_B), "乙镇11月.csv", today=NOV_TODAY)
    assert a.committed and b.committed, (a.as_json(), b.as_json())
    assert [s["code"] for s in a.scope] == [tiny.TOWN_A] and [s["code"] for s in b.scope] == [tiny.TOWN_B]
    v = indicators.headline(Engine(store), "petitions", View(tiny.COUNTY, "2024-11", "2024-11"),
                            today=NOV_TODAY)["current"]
    assert v["received"] == 3  # A's 2 and B's 1


def test_dry_run_preview_names_each_place_and_matches_the_commit(store):
    # October now: A1 3 (p1-p3), A2 1 (p4), B1 2 (p5 p6). A county-scoped file with only A1's two rows:
    rows = ["N1,甲镇,甲一村,2024-10-08,来访,劳动社保,是,,,,否", "N2,甲镇,甲一村,2024-10-09,来访,劳动社保,是,,,,否"]
    dry = ingest(store, "petitions", ledger(rows), "县10月.csv", dry_run=True, scope=tiny.COUNTY, today=TODAY)
    assert dry.accepted and not dry.committed
    out = dry.as_json()
    assert out["scope"] == [{"code": tiny.COUNTY, "name": "示范县"}]
    assert [(p["region_code"], p["name"], p["town"], p["rows_now"], p["rows_after"])
            for p in out["preview"]["places"]] == [
        (tiny.A1, "甲一村", "甲镇", 3, 2), (tiny.A2, "甲二社区", "甲镇", 1, 0), (tiny.B1, "乙一村", "乙镇", 2, 0)]
    assert [p["region_code"] for p in out["preview"]["emptied"]] == [tiny.A2, tiny.B1]
    assert (out["preview"]["rows_now"], out["preview"]["rows_after"]) == (6, 2)
    assert (dry.places_replaced, dry.rows_replaced) == (3, 6)
    done = ingest(store, "petitions", ledger(rows), "县10月.csv", scope=tiny.COUNTY, today=TODAY)
    assert done.committed
    latest = store.history("petitions")[0]
    assert (latest["replaced"], latest["rows"], latest["scope"]) == (6, 2, [tiny.COUNTY])
    # without the county named, the same file replaces town A only: B1's two stay
    store.rollback("petitions", "2024-10")
    ingest(store, "petitions", ledger(rows), "甲镇10月.csv", today=TODAY)
    october = store.read("petitions", periods=["2024-10"])
    assert sorted(october.column("case_id").to_pylist()) == ["N1", "N2", "p5", "p6"]


def test_rows_outside_a_named_scope_are_errors_with_their_excel_rows(store):
    before = snapshot(store.root)
    report = ingest(store, "petitions", ledger(NOV_A + NOV_B), "x.csv", scope=tiny.TOWN_A, today=NOV_TODAY)
    assert not report.accepted
    assert [(e.row, e.key) for e in report.errors] == [(6, "outside_scope")]  # title, title, header, A11, A12, B11
    bad_scope = ingest(store, "petitions", ledger(NOV_A), "x.csv", scope="4111", today=NOV_TODAY)
    assert [e.key for e in bad_scope.errors] == ["invalid_scope"]
    assert snapshot(store.root) == before


def test_the_download_template_with_its_sample_row_is_refused(store, capsys):
    from governance.ingest import templates
    from governance.tools import cli

    before = snapshot(store.root)
    for data, name in ((templates.csv_bytes("petitions"), "petitions_模板.csv"),
                       (templates.xlsx_bytes("petitions"), "petitions_模板.xlsx")):
        report = ingest(store, "petitions", data, name, today=TODAY)
        assert not report.accepted
        assert [(e.row, e.key) for e in report.errors][:1] == [(2, "template_row")], report.as_json()
        assert "示例行" in report.errors[0].message
    # the command line names the row alone (the whole row is the problem), not "第2行 列"
    path = store.root.parent / "petitions_模板.csv"
    path.write_bytes(templates.csv_bytes("petitions"))
    assert cli.main(["ingest", "petitions", str(path), "--store", str(store.root)]) == 1
    assert "错误 第2行: 这是下载模板中的示例行" in capsys.readouterr().out
    assert snapshot(store.root) == before


def test_a_case_filed_by_another_town_in_the_same_month_is_a_duplicate(store):
    report = ingest(store, "petitions", ledger(["p5,甲镇,甲一村,2024-10-09,网上,教育,是,,,,否"]), "甲镇.csv",
                    today=TODAY)  # p5 is town B's October case, which this town-A file keeps
    assert [(e.row, e.key) for e in report.errors] == [(4, "duplicate")]


def test_cli_scope_dry_run_json_and_scoped_rollback(store, tmp_path):
    f = tmp_path / "nov.csv"
    f.write_bytes(ledger(NOV_A + NOV_B))
    assert cli("ingest", "petitions", str(f), store_dir=store.root).returncode == 0  # towns A and B
    a_only = tmp_path / "a.csv"
    a_only.write_bytes(ledger(NOV_A[:1]))
    dry = cli("ingest", "petitions", str(a_only), "--scope", tiny.COUNTY, "--dry-run", "--json", store_dir=store.root)
    out = json.loads(dry.stdout)
    assert dry.returncode == 0 and out["accepted"] and set(out) >= {"accepted", "dataset", "rows", "periods",
                                                                      "errors", "preview"}
    assert [(p["region_code"], p["rows_now"], p["rows_after"]) for p in out["preview"]["emptied"]] == [
        (tiny.A2, 1, 0), (tiny.B1, 1, 0)]
    human = cli("ingest", "petitions", str(a_only), "--scope", tiny.COUNTY, store_dir=store.root)
    assert human.returncode == 0 and "将被清空" in human.stdout and "WARNING" in human.stderr
    back = cli("rollback", "petitions", "2024-11", "--scope", tiny.TOWN_B, store_dir=store.root)
    assert back.returncode == 0, back.stderr
    nov = store.read("petitions", periods=["2024-11"])
    # B's row is back (from the first upload); A keeps the county file's A11
    assert sorted(nov.column("case_id").to_pylist()) == ["A11", "B11"]
    hist = json.loads(cli("history", "petitions", "--json", store_dir=store.root).stdout)
    assert [(h["action"], h["scope"]) for h in hist[:2]] == [("restore", [tiny.TOWN_B]), ("ingest", [tiny.COUNTY])]


def test_cli_has_no_upload_size_cap(store, tmp_path, monkeypatch):
    f = tmp_path / "nov.csv"
    f.write_bytes(ledger(NOV_A))
    monkeypatch.setenv("GOVERNANCE_MAX_UPLOAD_MB", "0.0001")  # the web's cap, set absurdly low
    run = subprocess.run([sys.executable, "-m", "governance", "ingest", "petitions", str(f), "--dry-run", "--json",
                          "--store", str(store.root)], cwd=ROOT, capture_output=True, text=True, check=False,
                         env={**__import__("os").environ, "GOVERNANCE_MAX_UPLOAD_MB": "0.0001"})
    assert run.returncode == 0 and json.loads(run.stdout)["accepted"], run.stdout
    # the web path keeps its cap
    assert ingest(store, "petitions", ledger(NOV_A), "nov.csv", dry_run=True).errors[0].key == "too_large"


def test_indicators_branches_takes_rating_periods_and_a_ratings_only_store(tmp_path):
    import pyarrow as pa

    store = Store(tmp_path / "ratings")
    store.commit("regions", tiny.regions(), source="r.csv")
    yearly = tiny.branches().set_column(3, "period", pa.array(["2024"] * 7))
    yearly = yearly.set_column(0, "branch_id", pa.array([f"b{i}" for i in range(7)]))
    store.commit("branches", yearly, source="2024评星.csv")  # period=2024/ folders only
    run = cli("indicators", "branches", "--from", "2024", "--to", "2024", "--json", store_dir=store.root)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    # tiny ratings: stars 3 5 2 4 5 1 5 -> 7 branches, three five-star
    assert out["branches"] == 7 and out["five_star_share"] == pytest.approx(3 / 7)
    plain = cli("indicators", "branches", "--json", store_dir=store.root)  # no range: the latest rating
    assert plain.returncode == 0 and json.loads(plain.stdout)["branches"] == 7
    half = cli("indicators", "branches", "--from", "2024-H1", "--to", "2024-H2", "--json", store_dir=store.root)
    assert half.returncode == 0
    wrong = cli("indicators", "petitions", "--from", "2024", store_dir=store.root)
    assert wrong.returncode == 2 and "YYYY-MM" in wrong.stderr
    # petitions were never uploaded here: said so, not a row of dashes nor "no data in the store; run demo"
    none = cli("indicators", "petitions", store_dir=store.root)
    assert none.returncode == 1 and "该存储中没有信访事项数据" in none.stderr and "demo" not in none.stderr
    assert none.stdout == ""


def test_an_account_bound_to_a_place_uploads_only_inside_it(store):
    # a village office (A1): its file replaces its own village by default, not the whole town
    rows = ["N1,甲镇,甲一村,2024-10-08,来访,劳动社保,是,,,,否"]
    report = ingest(store, "petitions", ledger(rows), "甲一村.csv", today=TODAY, within=tiny.A1)
    assert report.committed and [s["code"] for s in report.scope] == [tiny.A1]
    october = store.read("petitions", periods=["2024-10"])
    # A1's p1-p3 replaced by N1; A2's p4 and B1's p5 p6 stand
    assert sorted(october.column("case_id").to_pylist()) == ["N1", "p4", "p5", "p6"]
    before = snapshot(store.root)
    other = ingest(store, "petitions", ledger(rows + ["N2,甲镇,甲二社区,2024-10-09,来访,教育,是,,,,否"]), "x.csv",
                   today=TODAY, within=tiny.A1)
    assert [(e.row, e.key) for e in other.errors] == [(5, "outside_account")]
    wider = ingest(store, "petitions", ledger(rows), "x.csv", today=TODAY, within=tiny.TOWN_A, scope=tiny.COUNTY)
    assert [e.key for e in wider.errors] == ["outside_account"]
    regions = ingest(store, "regions", b"region_code,name\n", "r.csv", today=TODAY, within=tiny.TOWN_A)
    assert [e.key for e in regions.errors] == ["outside_account"]
    # the county's own account holds the whole tree: it may replace the regions table
    county = ingest(store, "regions", b"region_code,name\n", "r.csv", today=TODAY, within=tiny.COUNTY, dry_run=True)
    assert "outside_account" not in [e.key for e in county.errors]
    assert snapshot(store.root) == before


def test_a_reader_that_stops_reading_is_not_a_store_fault(store):
    # `python -m governance history petitions | head -1`: the pipe closes before the output is written. That
    # said 无法访问存储或文件 … Broken pipe, as if the store had failed.
    read, write = os.pipe()
    os.close(read)
    with os.fdopen(write, "wb") as out:
        run = subprocess.run([sys.executable, "-m", "governance", "history", "petitions", "--store", str(store.root)],
                             cwd=ROOT, stdout=out, stderr=subprocess.PIPE, text=True, check=False)
    assert run.returncode == 141 and run.stderr == "", run.stderr
