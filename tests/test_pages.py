"""AppTest: every page renders from the entry point on a tiny store, with the figures of the query layer."""


import pytest
from streamlit.testing.v1 import AppTest

from governance.core import contract, formatting
from tests import tiny
from tests.conftest import APP, run_app, run_page


@pytest.fixture(autouse=True)
def tiny_store(served_store):
    return served_store.root


def test_overview_shows_headline_cards_for_the_county_latest_month():
    at = run_app()
    assert "总览" in at.title[0].value
    assert "示范县" in at.caption[0].value and "2024年10月" in at.caption[0].value
    labels = {m.label: m.value for m in at.metric}
    headline = [i for d in contract.FACT_DATASETS for i in contract.dataset(d).indicators if i.headline]
    assert set(labels) == {i.zh for i in headline}
    # The tiny county's latest month with data is 2024-10 (petitions, grid).
    grid_cov = contract.INDICATORS[("grid", "coverage_rate")]
    assert labels["网格覆盖率"] == formatting.value(5750 / 6000, grid_cov)
    assert labels["受理量"] == "6件"


def test_empty_store_builds_the_demo(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVERNANCE_STORE", str(tmp_path / "empty"))
    at = run_app()
    assert len(at.metric) > 0
    assert "清源县" in at.caption[0].value


def test_upload_page_refuses_a_bad_file_and_commits_a_good_one(tiny_store):
    from tests.test_ingest import GOOD, ledger

    at = run_app()
    assert "单机模式" in " ".join(c.value for c in at.caption)  # no accounts configured: local mode banner
    at.switch_page("pages/upload.py")
    at.run()
    assert not at.exception
    at.selectbox(key="upload_dataset").set_value("petitions")
    at.run()
    bad = ledger(GOOD + ["N9,甲镇,甲一村,2024-10-10,来信,其他,也许,,,,否"])
    at.file_uploader(key="upload_file_0").upload("bad.csv", bad, "text/csv")
    at.run()
    assert not at.exception
    assert any("文件未被接受" in e.value for e in at.error)
    problems = next(t.value for t in at.table if "问题" in t.value.columns)  # a table that wraps its text
    assert list(problems["行"]) == ["7"] and list(problems["列"]) == ["G"] and list(problems["表头"]) == ["是否初信初访"]
    assert "(invalid_bool)" not in problems["问题"][0] and "是/否无法识别" in problems["问题"][0]
    assert "upload_commit" not in [b.key for b in at.button]

    at.file_uploader(key="upload_file_0").upload("good.csv", ledger(GOOD), "text/csv")
    at.run()
    assert not at.exception
    assert any("校验通过" in s.value for s in at.success)
    at.button(key="upload_commit").click()
    at.run()
    assert any("已提交" in s.value for s in at.success)
    # a fresh, empty uploader: the same file cannot be committed twice by a second click
    assert "upload_commit" not in [b.key for b in at.button]
    assert at.file_uploader(key="upload_file_1") is not None
    at.switch_page("pages/overview.py")
    at.run()
    labels = {m.label: m.value for m in at.metric}
    assert labels["受理量"] == "3件"  # October 2024 is now the uploaded ledger


def test_history_page_lists_versions_and_restores_within_a_scope(tiny_store):
    from governance.store import Store

    at = run_page("pages/history.py")
    at.selectbox(key="history_dataset").set_value("petitions")
    at.run()
    versions = at.dataframe[0].value
    # one upload (tests/tiny.py), newest first, with its scope: the two towns its rows hold
    assert versions[["版本", "当前", "方式", "期间", "范围", "写入行数"]].values.tolist() == [
        [1, "✓", "上传", "2024-08、2024-09、2024-10", "甲镇、乙镇", 9]]
    at.selectbox(key="history_period").set_value("2024-10")
    at.selectbox(key="history_scope").set_value(tiny.TOWN_B)
    at.run()
    assert at.selectbox(key="history_version").value is None  # nothing chosen until the analyst picks
    assert "history_restore" not in [b.key for b in at.button]
    at.selectbox(key="history_version").set_value(0)  # before the first upload: no rows
    at.run()
    at.checkbox(key="history_confirm").check()
    at.run()
    at.button(key="history_restore").click()
    at.run()
    assert not at.exception
    store = Store(tiny_store)
    october = store.read("petitions", periods=["2024-10"])
    # October had p1-p4 in town A and p5, p6 in town B: only town B's two are gone
    assert sorted(october.column("case_id").to_pylist()) == ["p1", "p2", "p3", "p4"]
    (restore, upload) = store.history("petitions")
    assert (restore["action"], restore["scope"], restore["restored_version"], restore["replaced"]) == (
        "restore", [tiny.TOWN_B], 0, 2)


def test_with_accounts_viewers_cannot_upload_or_restore():
    from governance.web.auth import hash_password, verify_password

    stored = hash_password("s3cret", iterations=1000)
    assert verify_password("s3cret", stored) and not verify_password("wrong", stored)
    at = AppTest.from_file(APP, default_timeout=30)
    at.secrets["users"] = {"wang": {"password_hash": stored, "role": "viewer"},
                           "li": {"password_hash": stored, "role": "analyst"}}
    at.run()
    assert not any("单机模式" in c.value for c in at.caption)
    # Anonymous visitors must sign in first: the sign-in note is the only page (no upload, no figures).
    assert any("请先在左侧登录" in w.value for w in at.warning)
    assert not at.get("file_uploader") and not at.metric
    at.session_state["auth_user"] = "wang"
    at.run()
    at.switch_page("pages/upload.py")
    at.run()
    assert any("只有数据管理员" in e.value for e in at.error)
    assert not at.get("file_uploader")
    at.switch_page("pages/history.py")
    at.run()
    assert "history_restore" not in [b.key for b in at.button]
    at.session_state["auth_user"] = "li"
    at.switch_page("pages/upload.py")
    at.run()
    assert not at.error and at.file_uploader(key="upload_file_0") is not None


def test_an_unreadable_secrets_file_closes_writing(tmp_path, monkeypatch):
    from governance.web import auth

    broken = tmp_path / "secrets.toml"
    broken.write_text("[users.li\npassword_hash = ", encoding="utf-8")
    monkeypatch.setattr(auth, "_secret_paths", lambda: [str(broken)])
    monkeypatch.setattr(auth.st, "secrets", type("S", (), {"to_dict": lambda self: (_ for _ in ()).throw(
        ValueError("bad toml"))})())
    assert auth.mode() == "broken"
    assert auth.current_user() is None and auth.access(None) == "closed"


def test_a_commit_during_a_page_run_never_mixes_versions(tiny_store, monkeypatch):
    """An upload lands between two queries of one run: the whole run still reads the version it started on."""
    import datetime as dt

    import pyarrow as pa

    from governance.store import Store
    from governance.web import app_data

    seen = []
    real = app_data._frame

    def frame(root, ver, *args):
        seen.append(ver)
        if len(seen) == 1:  # after the page's first query, an office commits 24 November petitions
            n = 24
            Store(root).commit("petitions", pa.table({
                "case_id": [f"mid-{i}" for i in range(n)], "region_code": [tiny.A1] * n,
                "received_on": pa.array([dt.date(2024, 11, 5)] * n, pa.date32()), "channel": ["visit"] * n,
                "category": ["x"] * n, "is_initial": [True] * n, "closed_on": pa.array([None] * n, pa.date32()),
                "resolved_first_time": pa.array([None] * n, pa.bool_()),
                "satisfaction": pa.array([None] * n, pa.string()), "is_repeat": [False] * n}), source="mid-run.csv")
        return real(root, ver, *args)

    monkeypatch.setattr(app_data, "_frame", frame)
    at = run_app()
    assert len(seen) > 3 and len(set(seen)) == 1, seen
    first = seen[0]
    labels = {m.label: m.value for m in at.metric}
    assert labels["受理量"] == "6件"  # October, as the version the run started on had it
    assert "2024年10月" in at.caption[0].value
    seen.clear()
    at.run()  # the next run reads the new version (the month picked stays October in this session)
    assert set(seen) != {first} and len(set(seen)) == 1


def test_upload_page_scope_picker_preview_and_the_second_confirmation_for_emptied_places(tiny_store):
    from governance.store import Store
    from tests.test_ingest import ledger

    at = run_page("pages/upload.py")
    at.selectbox(key="upload_dataset").set_value("petitions")
    at.run()
    at.selectbox(key="upload_scope").set_value(tiny.COUNTY)  # a county file that should also empty what it omits
    at.run()
    only_a1 = ledger(["N1,甲镇,甲一村,2024-10-08,来访,劳动社保,是,,,,否", "N2,甲镇,甲一村,2024-10-09,来访,教育,是,,,,否"])
    at.file_uploader(key="upload_file_0").upload("县10月.csv", only_a1, "text/csv")
    at.run()
    assert not at.exception
    # October now: A1 3, A2 1, B1 2 -> the file keeps A1 at 2 and empties A2 and B1
    (ok,) = [s.value for s in at.success if "校验通过" in s.value]
    assert "范围：示范县" in ok and "替换 3 个地点的 6 行现有数据" in ok and "写入 2 行" in ok
    emptied = [e.value for e in at.error if "上传后将没有数据" in e.value]
    assert len(emptied) == 2 and any("甲二社区" in e for e in emptied) and any("乙一村" in e for e in emptied)
    preview = next(d.value for d in at.dataframe if "上传后行数" in d.value.columns)
    assert preview[["地点", "现有行数", "上传后行数"]].values.tolist() == [["甲一村", 3, 2], ["甲二社区", 1, 0],
                                                                      ["乙一村", 2, 0]]
    assert at.button(key="upload_commit").disabled  # not until the emptied places are confirmed
    at.checkbox(key="upload_confirm_empty").check()
    at.run()
    at.button(key="upload_commit").click()
    at.run()
    assert any("已提交" in s.value for s in at.success)
    october = Store(tiny_store).read("petitions", periods=["2024-10"])
    assert sorted(october.column("case_id").to_pylist()) == ["N1", "N2"]
