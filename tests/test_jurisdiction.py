"""Accounts bound to a place (SPEC, issue 10 item 1): a town office sees and uploads only its own town,
whatever the URL, the widgets or another session's cache say."""

from __future__ import annotations

import datetime as dt

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from governance.core import passwords, settings
from governance.web import app_data
from tests import tiny
from tests.conftest import APP, page_text

STORED = passwords.hash_password("s3cret", iterations=1000)
USERS = {"county": {"password_hash": STORED, "role": "analyst"},
         "jia": {"password_hash": STORED, "role": "analyst", "region": tiny.TOWN_A},
         "yi_viewer": {"password_hash": STORED, "role": "viewer", "region": tiny.TOWN_B}}


@pytest.fixture(autouse=True)
def store(served_store, monkeypatch):
    # October 2024 read long after, every case past due (tests/tiny.py)
    monkeypatch.setattr(settings, "today", lambda: dt.date(2026, 12, 1))
    return served_store


def signed_in(name: str, page: str | None = None, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.secrets["users"] = USERS
    at.session_state["auth_user"] = name
    at.query_params.update(query)
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, at.exception
    return at


def received(at: AppTest) -> str:
    return {m.label: m.value for m in at.metric}["受理量"]


def test_a_town_account_sees_its_town_as_home():
    # October 2024: 甲镇 received p1-p4 = 4; the county 6; 乙镇 p5, p6 = 2
    at = signed_in("jia", **{"from": "2024-10", "to": "2024-10"})
    assert received(at) == "4件"
    assert "甲镇" in at.caption[0].value
    county = signed_in("county", **{"from": "2024-10", "to": "2024-10"})
    assert received(county) == "6件"


def test_another_towns_code_in_the_url_shows_nothing_of_it():
    at = signed_in("jia", region=tiny.TOWN_B, **{"from": "2024-10", "to": "2024-10"})
    assert received(at) == "4件"  # back on its own town, not 乙镇's 2
    text = page_text(at)
    assert "乙镇" not in text and "乙一村" not in text


def test_a_cached_result_of_the_county_is_not_served_to_a_town():
    st.cache_data.clear()
    county = signed_in("county", region=tiny.TOWN_B, **{"from": "2024-10", "to": "2024-10"})
    assert received(county) == "2件"  # the county may look at 乙镇
    town = signed_in("jia", region=tiny.TOWN_B, **{"from": "2024-10", "to": "2024-10"})
    assert received(town) == "4件"


def test_a_town_analyst_cannot_upload_another_towns_rows():
    # Row 2 is 甲镇's own village, row 3 乙镇's: the file is refused with row 3 named, nothing is written.
    body = ("信访件编号,区划代码,受理日期,信访形式\n"
            f"x1,{tiny.A1},2024-10-09,来信\n"
            f"x2,{tiny.B1},2024-10-09,来信\n").encode("utf-8")
    with pytest.MonkeyPatch.context() as mp:
        from governance.web import auth

        mp.setattr(auth, "current_user", lambda: auth.User("jia", "analyst", tiny.TOWN_A))
        before = app_data.engine().store.version()
        report = app_data.upload("petitions", body, "x.csv", who="jia")
        assert not report.accepted
        assert [(p.row, p.key) for p in report.errors] == [(3, "outside_account")]
        wide = app_data.upload("petitions", body, "x.csv", who="jia", scope=tiny.COUNTY)
        assert [p.key for p in wide.errors] == ["outside_account"]
        assert app_data.engine().store.version() == before


def test_history_shows_a_town_only_what_reached_its_place():
    # The county uploads a file of 乙镇's rows only (default scope: 乙镇). 甲镇's office must not see that
    # commit (its file name and uploader), while the county and 乙镇 do.
    from governance.web import auth

    body = ("信访件编号,区划代码,受理日期,信访形式\n" f"y1,{tiny.B1},2024-11-05,来信\n").encode("utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(auth, "current_user", lambda: auth.User("county", "analyst"))
        assert app_data.upload("petitions", body, "乙镇11月.csv", who="county").accepted
        seen = {}
        for name, region in (("county", None), ("jia", tiny.TOWN_A), ("yi", tiny.TOWN_B)):
            mp.setattr(auth, "current_user", lambda n=name, r=region: auth.User(n, "analyst", r))
            seen[name] = [r["source"] for r in app_data.history("petitions")]
    assert "乙镇11月.csv" in seen["county"] and "乙镇11月.csv" in seen["yi"]
    assert "乙镇11月.csv" not in seen["jia"]
    pages = {}
    for name in ("county", "jia"):
        at = signed_in(name, "pages/history.py")
        at.selectbox(key="history_dataset").set_value("petitions").run()
        pages[name] = [f for d in at.dataframe if "文件" in d.value for f in d.value["文件"]]
    assert "乙镇11月.csv" in pages["county"] and "乙镇11月.csv" not in pages["jia"]


def test_the_briefing_of_another_town_is_not_made_for_a_town_account():
    from governance.briefing.summary import NoDataError
    from governance.web import auth

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(auth, "current_user", lambda: auth.User("jia", "analyst", tiny.TOWN_A))
        with pytest.raises(NoDataError):
            app_data.briefing_pack(tiny.TOWN_B, "2024-10")  # 乙镇 is not in 甲镇's region tree at all
        with pytest.raises(NoDataError):
            app_data.briefing_pack(tiny.COUNTY, "2024-10")  # nor the county above it
        own = app_data.briefing_pack(tiny.TOWN_A, "2024-10")
        assert {k.dataset: k.value for k in own.kpis if k.indicator.key == "received"}["petitions"] == 4
