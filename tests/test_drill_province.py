"""Drill-down above county scale (issue 14): from a province's store down to a village, one script run per click.

The tiny county of tests/tiny.py put inside a tiny province: province 410000000000 → city 411100000000 →
the tiny county 411102000000 (its towns and villages, with their cases) and a second city 411200000000 with one
county, town and village of its own (no cases), so the store's home place is the province, four levels up from
the villages. Before the fix the sidebar had two pickers (the two levels below home), so a drill to a town
left the view on its county and no village could be reached.
"""

import pyarrow as pa
import pytest
import streamlit as st

from governance.store import Store
from tests import tiny
from tests.conftest import run_app

PROVINCE, CITY, CITY2 = "410000000000", "411100000000", "411200000000"
COUNTY2, TOWN2, VILLAGE2 = "411202000000", "411202001000", "411202001201"


def province_regions() -> pa.Table:
    county = tiny.regions().to_pylist()
    county[0]["parent_code"] = CITY
    extra = [
        (PROVINCE, "示范省", "province", None),
        (CITY, "示范市", "city", PROVINCE),
        (CITY2, "邻市", "city", PROVINCE),
        (COUNTY2, "邻县", "county", CITY2),
        (TOWN2, "邻镇", "town", COUNTY2),
        (VILLAGE2, "邻村", "village", TOWN2),
    ]
    rows = [{"region_code": c, "name": n, "level": lv, "parent_code": p, "kind": "village" if lv == "village" else None,
             "households": 100, "population": 300} for c, n, lv, p in extra] + county
    return pa.Table.from_pylist(rows, schema=tiny.regions().schema)


@pytest.fixture(autouse=True)
def province_store(tmp_path, monkeypatch):
    store = Store(tmp_path / "store")
    store.commit("regions", province_regions(), source="regions.csv", who="test")
    store.commit("petitions", tiny.petitions(), source="petitions.csv", who="test")
    store.commit("disputes", tiny.disputes_published_year(), source="disputes.csv", who="test")
    store.commit("grid", tiny.grid(), source="grid.csv", who="test")
    store.commit("branches", tiny.branches(), source="branches.csv", who="test")
    monkeypatch.setenv("GOVERNANCE_STORE", str(store.root))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield store
    st.cache_data.clear()
    st.cache_resource.clear()


def place_in_view(at) -> str:
    return at.caption[0].value.split(" · ")[0]


def drill_list(at):
    return next(s for s in at.selectbox if s.key and s.key.startswith("petitions_rank_") and s.key.endswith("_drill"))


def test_the_home_of_a_province_store_is_the_province_with_a_picker_per_level():
    at = run_app(**{"from": "2024-10", "to": "2024-10"})
    assert place_in_view(at) == "示范省"
    assert at.selectbox(key="f_town").options == ["示范省（全部 all）", "示范市", "邻市"]
    assert at.selectbox(key="f_town").label == "市"
    # the sidebar lists the places under the one picked above, down to the villages
    at.selectbox(key="f_town").set_value(CITY).run()
    assert at.selectbox(key="f_village").label == "县(区)"
    at.selectbox(key="f_village").set_value(tiny.COUNTY).run()
    assert at.selectbox(key="f_level3").options == ["全部 all", "甲镇", "乙镇"]
    at.selectbox(key="f_level3").set_value(tiny.TOWN_A).run()
    assert at.selectbox(key="f_level4").options == ["全部 all", "甲一村", "甲二社区"]
    at.selectbox(key="f_level4").set_value(tiny.A2).run()
    assert not at.exception
    assert place_in_view(at) == "甲二社区"


def test_drill_from_the_province_down_to_a_village_one_run_per_click_and_back_up(runs):
    at = run_app(**{"from": "2024-10", "to": "2024-10"})
    at.switch_page("pages/petitions.py").run()
    assert place_in_view(at) == "示范省"
    for code, name in [(CITY, "示范市"), (tiny.COUNTY, "示范县"), (tiny.TOWN_A, "甲镇"), (tiny.A1, "甲一村")]:
        runs[0] = 0
        drill_list(at).set_value(code).run()
        assert not at.exception, at.exception
        assert place_in_view(at) == name
        assert runs[0] == 1, (name, runs[0])  # the place is set in the list's callback: no second run
    # the village's petitions: p1, p2, p3 received in October 2024 (tests/tiny.py)
    assert dict((m.label, m.value) for m in at.metric)["受理量"] == "3件"
    assert [at.selectbox(key=k).value for k in ("f_town", "f_village", "f_level3", "f_level4")] == \
        [CITY, tiny.COUNTY, tiny.TOWN_A, tiny.A1]
    assert at.query_params["region"] == tiny.A1
    runs[0] = 0
    at.button(key="drill_up").click().run()
    assert place_in_view(at) == "甲镇" and runs[0] == 1
    # the place in view survives a page change, every level of it
    at.switch_page("pages/grid.py").run()
    assert place_in_view(at) == "甲镇"


def test_a_link_to_a_village_of_a_province_store_opens_that_village():
    at = run_app(region=tiny.B1, **{"from": "2024-10", "to": "2024-10"})
    assert place_in_view(at) == "乙一村"
    assert at.selectbox(key="f_level3").value == tiny.TOWN_B
