"""报送进度: the demo county leaves two villages of 马营乡 without November's grid ledger; a town that sends
its own month shows as sent, one that does not, as not (issue 10 item 2)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from governance.core import passwords, settings
from governance.demo import generate as demo
from governance.metrics import submissions
from governance.store import Store
from queries import Engine
from tests import tiny
from tests.conftest import APP

pytestmark = pytest.mark.slow  # builds the demo county

DAY = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("demo") / "store")
    demo.write_demo(store, scale="county", today=DAY)
    return store


def test_the_demo_county_misses_two_villages_of_maying_in_novembers_grid(demo_store):
    engine = Engine(demo_store)
    towns = engine.run("places", {"code_lo": 0, "code_hi": 10**12 - 1}).query("level == 'town'")["region_code"]
    history = {k: demo_store.history(k) for k in ("petitions", "disputes", "grid", "branches")}
    status = submissions.tracker(engine, list(towns), "2026-11", history)
    assert len(status) == 4 * 15
    missing = status[status["sent"] == False]  # noqa: E712
    assert list(zip(missing["dataset"], missing["place_name"])) == [("grid", "马营乡")]
    assert len(missing["villages_missing"].iloc[0]) == 2
    # the demo's single upload reached every town: who and which file are named
    assert set(status["last_who"]) == {"demo"}
    # ratings are not monthly
    assert status.loc[status["dataset"] == "branches", "sent"].isna().all()


def test_a_town_that_has_not_sent_its_month_is_listed_and_one_that_has_is_not(tiny_store):
    # tiny.py: petitions to October 2024, committed whole. 甲镇 sends November (one case); 乙镇 does not.
    body = ("信访件编号,区划代码,受理日期,信访形式\n" f"n1,{tiny.A1},2024-11-05,来信\n").encode("utf-8")
    from governance.ingest.pipeline import ingest

    assert ingest(tiny_store, "petitions", body, "甲镇11月.csv", who="jia", today=dt.date(2024, 12, 2)).committed
    history = {k: tiny_store.history(k) for k in ("petitions", "disputes", "grid", "branches")}
    status = submissions.tracker(Engine(tiny_store), [tiny.TOWN_A, tiny.TOWN_B], "2024-11", history)
    petitions = status[status["dataset"] == "petitions"].set_index("place_code")
    assert petitions.loc[tiny.TOWN_A, "sent"] is True or petitions.loc[tiny.TOWN_A, "sent"] == True  # noqa: E712
    assert petitions.loc[tiny.TOWN_A, "last_source"] == "甲镇11月.csv"
    assert petitions.loc[tiny.TOWN_B, "sent"] == False  # noqa: E712
    assert petitions.loc[tiny.TOWN_B, "latest_period"] == "2024-10"


def test_the_page_lists_the_missing_town_and_exports_the_chase_list(demo_store, monkeypatch):
    monkeypatch.setattr(settings, "today", lambda: DAY)
    monkeypatch.setenv("GOVERNANCE_STORE", str(demo_store.root))
    stored = passwords.hash_password("s3cret", iterations=1000)
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["users"] = {"county": {"password_hash": stored, "role": "viewer"}}
    at.session_state["auth_user"] = "county"
    at.run()
    at.switch_page("pages/submissions.py")
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="submissions_month").value == "2026-11"
    assert "马营乡" in at.warning[0].value and "2026年11月尚未报送（1 项）" in at.warning[0].value
    table = at.dataframe[0].value
    assert (table["2026年11月报送"] == "未报送").sum() == 1



def test_the_chase_list_opens_in_excel_with_a_title_row_and_frozen_headers():
    import pandas as pd

    from governance.web import exports

    df = pd.DataFrame({"地区": ["马营乡", "=cmd|calc"], "行数": [2, 0]})
    wb = load_workbook(io.BytesIO(exports.xlsx_bytes(df, "清源县 台账报送进度 · 2026年11月", "未报送")))
    ws = wb["未报送"]
    assert ws["A1"].value == "清源县 台账报送进度 · 2026年11月"
    assert [c.value for c in ws[2]] == ["地区", "行数"] and ws.freeze_panes == "A3"
    assert [c.value for c in ws[3]] == ["马营乡", 2]
    assert ws["A4"].value == "'=cmd|calc"  # a formula from an upload stays text
