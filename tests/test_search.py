"""Search: a town or village by name or by pinyin (initials, syllables), among the places the account may see."""

import pytest

from governance.core import search
from tests import tiny


def _entries():
    r = tiny.regions().to_pandas()
    names = r.set_index("region_code")["name"]
    return search.index(zip(r["region_code"], r["name"], r["level"], r["parent_code"].map(names)))


@pytest.mark.parametrize("query, first", [
    ("甲一村", tiny.A1),  # the name
    ("甲一", tiny.A1),  # its start: 甲一村 before nothing else
    ("社区", tiny.A2),  # part of a name
    ("jyc", tiny.A1),  # pinyin initials of 甲一村
    ("ＪＹＣ", tiny.A1),  # full-width, upper case
    ("yiyi", tiny.B1),  # syllables of 乙一村
    ("yz", tiny.TOWN_B),  # 乙镇
])
def test_finds_a_place_by_name_and_by_pinyin(query, first):
    found = search.find(_entries(), query)
    assert found and found[0].code == first, [e.name for e in found]


def test_a_town_comes_before_its_villages_and_nothing_matches_nothing():
    found = search.find(_entries(), "甲")
    assert [e.code for e in found[:1]] == [tiny.TOWN_A]
    assert {e.code for e in found} == {tiny.TOWN_A, tiny.A1, tiny.A2}
    assert search.find(_entries(), "xyz") == [] and search.find(_entries(), "  ") == []


def test_the_sidebar_box_jumps_and_a_bound_account_finds_only_its_own(served_store, monkeypatch):
    from governance.web import app_data, auth
    from tests.conftest import run_app

    at = run_app(**{"from": "2024-10", "to": "2024-10"})
    at.sidebar.text_input(key="place_search").input("yyc").run()
    at.button(key=f"place_search_{tiny.B1}").click().run()
    assert not at.exception, at.exception
    assert "乙一村" in at.caption[0].value  # the view is the village now
    assert at.query_params["region"] == [tiny.B1] or at.query_params["region"] == tiny.B1
    monkeypatch.setattr(auth, "current_user", lambda: auth.User("jia", "analyst", tiny.TOWN_A))
    assert [e.code for e in app_data.find_places("jyc")] == [tiny.A1]
    assert app_data.find_places("乙一村") == [] and app_data.find_places("yz") == []
