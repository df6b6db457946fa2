"""Boundaries beyond the upload page: `python -m governance ingest boundaries FILE` (dry run, JSON, refused with
every problem and nothing changed, no --scope: they are replaced whole) and `history boundaries`; and the 数据版本
page lists their versions, with a restore only for an analyst over the whole tree."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from governance.core import passwords
from governance.store import boundaries as stored
from governance.tools import cli
from tests import tiny
from tests.conftest import APP
from tests.test_boundaries import TINY_SHAPES, files, geojson

ROOT = Path(__file__).resolve().parents[1]
WITHOUT_B1 = {c: g for c, g in TINY_SHAPES.items() if c != tiny.B1}


def run_cli(capsys, *args) -> tuple[int, str]:
    code = cli.main(list(args))
    return code, capsys.readouterr().out


def test_a_dry_run_checks_and_writes_nothing_then_the_ingest_makes_a_version(tiny_store, tmp_path, capsys):
    path = tmp_path / "县边界.geojson"
    path.write_bytes(geojson(WITHOUT_B1, "区划代码"))
    before = files(tiny_store.root)
    code, out = run_cli(capsys, "ingest", "boundaries", str(path), "--store", str(tiny_store.root), "--dry-run",
                        "--json")
    assert code == 0
    assert json.loads(out) == {"accepted": True, "dataset": "boundaries", "rows": 5, "periods": [], "errors": [],
                               "version": None, "missing": [{"region_code": tiny.B1, "name": "乙一村"}]}
    assert files(tiny_store.root) == before and stored.version(tiny_store.root) == 0
    code, out = run_cli(capsys, "ingest", "boundaries", str(path), "--store", str(tiny_store.root))
    assert code == 0
    assert "已接受 accepted, 边界第 1 版" in out and "5 个地点的边界" in out and "乙一村(411102002201)" in out
    assert stored.read(tiny_store.root) == WITHOUT_B1
    assert stored.history(tiny_store.root)[0]["source"] == "县边界.geojson"


def test_a_broken_file_or_a_scope_is_refused_with_every_problem_and_nothing_changes(tiny_store, tmp_path, capsys):
    stored.commit(tiny_store.root, TINY_SHAPES, source="v1.geojson", who="t")
    before = files(tiny_store.root)
    bad = dict(TINY_SHAPES) | {"411102009201": TINY_SHAPES[tiny.A1],
                               tiny.A2: {"type": "Polygon", "coordinates": [[[113.0, 34.0], [113.1, 34.0], [113.0, 34.0]]]}}
    path = tmp_path / "坏.geojson"
    path.write_bytes(geojson(bad))
    code, out = run_cli(capsys, "ingest", "boundaries", str(path), "--store", str(tiny_store.root), "--json")
    assert code == 1
    report = json.loads(out)
    assert not report["accepted"] and report["version"] is None
    assert [e["message"] for e in report["errors"]] == ["第 5 个要素（区划代码 411102001202）：外边界的环少于 4 个点（首尾相同的闭合环至少 4 个点）",
                                                        "第 7 个要素（区划代码 411102009201）：区划代码不在行政区划表中"]
    code, out = run_cli(capsys, "ingest", "boundaries", str(path), "--store", str(tiny_store.root))
    assert code == 1 and "已拒绝 refused: 坏.geojson，共 2 个问题，边界数据未改变" in out
    good = tmp_path / "好.geojson"
    good.write_bytes(geojson(TINY_SHAPES))
    code, out = run_cli(capsys, "ingest", "boundaries", str(good), "--scope", tiny.TOWN_A, "--store",
                        str(tiny_store.root))
    assert code == 1 and "行政区划边界整体替换，不能指定范围" in out
    assert files(tiny_store.root) == before


def test_the_command_runs_as_a_program_and_history_lists_the_versions(tiny_store, tmp_path):
    path = tmp_path / "b.geojson"
    path.write_bytes(geojson(TINY_SHAPES))

    def run(*args):
        return subprocess.run([sys.executable, "-m", "governance", *args, "--store", str(tiny_store.root)],
                              cwd=ROOT, capture_output=True, text=True, check=False)

    done = run("ingest", "boundaries", str(path), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["version"] == 1
    stored.restore(tiny_store.root, 1, "li")
    listed = run("history", "boundaries", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [(r["version"], r["action"], r["source"], r["shapes"]) for r in json.loads(listed.stdout)] == [
        (2, "restore", "第 1 版", 6), (1, "upload", "b.geojson", 6)]
    clock, *text = run("history", "boundaries").stdout.splitlines()
    assert clock == "时间 times: Asia/Shanghai"
    assert text[0].startswith("* v2") and "恢复至第1版" in text[0] and "li" in text[0]
    assert text[1].startswith("  v1") and "b.geojson" in text[1]
    # in Beijing time, as on the page, not the stored UTC stamp
    when = dt.datetime.fromisoformat(json.loads(listed.stdout)[0]["when"])
    assert when.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S") in text[0]


# ---- the 数据版本 page ----------------------------------------------------------------------------------------

STORED = passwords.hash_password("s3cret", iterations=1000)
USERS = {"county": {"password_hash": STORED, "role": "analyst"},
         "jia": {"password_hash": STORED, "role": "analyst", "region": tiny.TOWN_A},
         "guest": {"password_hash": STORED, "role": "viewer"}}


@pytest.fixture
def two_versions(served_store):
    stored.commit(served_store.root, TINY_SHAPES, source="县边界.geojson", who="county")
    stored.commit(served_store.root, WITHOUT_B1, source="新边界.geojson", who="county")
    return served_store


def boundaries_on(page: str, picker: str, user: str) -> AppTest:
    """`page` signed in as `user`, with its dataset picker (`picker`) on the boundaries."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.secrets["users"] = USERS
    at.session_state["auth_user"] = user
    at.run()
    at.switch_page(page)
    at.run()
    at.selectbox(key=picker).set_value("boundaries").run()
    assert not at.exception, at.exception
    return at


def history_page(user: str) -> AppTest:
    return boundaries_on("pages/history.py", "history_dataset", user)


def test_the_history_page_lists_the_boundaries_versions_and_restores_one(two_versions):
    at = history_page("county")
    table = at.dataframe[0].value
    assert list(table["版本"]) == [2, 1] and list(table["文件"]) == ["新边界.geojson", "县边界.geojson"]
    assert list(table["边界数"]) == [5, 6]
    assert not [b for b in at.button if b.key == "boundaries_restore"]  # no version picked yet: nothing to press
    at.selectbox(key="boundaries_restore_pick").set_value(1).run()
    assert at.button(key="boundaries_restore").disabled  # not before the confirmation is ticked
    assert stored.version(two_versions.root) == 2
    at.checkbox(key="boundaries_restore_confirm").check().run()
    at.button(key="boundaries_restore").click().run()
    assert not at.exception, at.exception
    assert any("已恢复：边界已恢复为第 1 版的内容，现为第 3 版" in s.value for s in at.success)
    assert stored.read(two_versions.root) == TINY_SHAPES
    assert stored.history(two_versions.root)[0] | {"when": None, "sha256": None} == {
        "version": 3, "who": "county", "when": None, "source": "第 1 版", "sha256": None, "shapes": 6,
        "action": "restore", "restored_from": 1}


@pytest.mark.parametrize("user", ["jia", "guest"])
def test_a_town_account_or_a_viewer_sees_the_versions_but_cannot_restore(two_versions, user):
    at = history_page(user)
    assert list(at.dataframe[0].value["版本"]) == [2, 1]
    assert any("只有最高一级的数据管理员可以恢复边界" in c.value for c in at.caption)
    assert not [b for b in at.button if b.key == "boundaries_restore"]
    assert stored.version(two_versions.root) == 2


def test_a_town_analyst_is_told_on_the_upload_page_before_choosing_a_file(two_versions):
    at = boundaries_on("pages/upload.py", "upload_dataset", "jia")
    assert any("只能由最高一级的账号上传或恢复" in i.value for i in at.info)
    assert not at.get("file_uploader") and list(at.dataframe[0].value["版本"]) == [2, 1]
    # the county's analyst gets the uploader
    at = boundaries_on("pages/upload.py", "upload_dataset", "county")
    assert at.get("file_uploader") and not any("只能由最高一级" in i.value for i in at.info)
