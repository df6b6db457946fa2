"""The indicator a dataset page, the overview's map and the 大屏 open on: the dataset's main rate when it can be
read on the view date, and otherwise (the latest month, still 办理期内, grey for every place) one read the same
every day that tells places apart: never 按期办结率, green nearly everywhere in the demo."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from governance.charts import figures
from governance.core import contract, settings
from governance.core.ranking import order
from governance.metrics import indicators
from governance.metrics.indicators import View
from governance.store import boundaries as stored
from governance.web import ui
from tests import tiny
from tests.conftest import APP
from tests.test_boundaries import TINY_SHAPES

RED, SMALL = figures.STATUS_COLOR["red"], figures.UNRANKED_COLOR


def open_page(monkeypatch, page: str, today: dt.date, **query) -> AppTest:
    monkeypatch.setattr(settings, "today", lambda: today)
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params.update(query)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def store(served_store):
    stored.commit(served_store.root, TINY_SHAPES, source="t", who="t")
    return served_store


def map_fills(at: AppTest) -> dict[str, str]:
    """{town name: its fill} on the page's map."""
    spec = next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                if "地图" in json.loads(c.proto.spec)["layout"]["title"]["text"])
    # a corner only one town has: 甲镇's south-west, 乙镇's north-east
    corners = {"甲镇": TINY_SHAPES[tiny.TOWN_A]["coordinates"][0][0], "乙镇": TINY_SHAPES[tiny.TOWN_B]["coordinates"][0][2]}
    return {town: trace["fillcolor"] for trace in spec["data"] if trace.get("fill") == "toself"
            for town, corner in corners.items() if any([x, y] == corner for x, y in zip(trace["x"], trace["y"]))}


def test_an_immature_month_opens_on_the_repeat_rate_and_the_map_tells_the_towns_apart(store, monkeypatch):
    # August-October 2024 read on 31 October: October's petitions are not 60 days old, 办结率 is 办理期内.
    # 重复信访率 by hand: 甲镇 p1 p2 p3 p4 p8 p9, one repeat (p2): 1/6 = 16.7%, over the 12% amber line
    # (lower is better): red; 乙镇 p5 p6 p7, 3 cases, under 5: not ranked, light grey
    view = {"from": "2024-08", "to": "2024-10"}
    at = open_page(monkeypatch, "pages/petitions.py", tiny.TODAY, **view)
    assert at.selectbox(key="petitions_indicator").value == "repeat_rate"
    assert map_fills(at) == {"甲镇": RED, "乙镇": SMALL}
    overview = open_page(monkeypatch, "pages/overview.py", tiny.TODAY, **view)
    assert overview.selectbox(key="overview_map_indicator").value == "petitions:repeat_rate"
    assert map_fills(overview) == {"甲镇": RED, "乙镇": SMALL}


def test_a_mature_month_opens_on_the_closure_rate(store, monkeypatch):
    # the same months read on 1 December 2026: every case is past its deadline. 办结率 by hand: 甲镇 closed p1 p2
    # p4 p9 of six (66.7%, under the town's 85% amber line: red); 乙镇 3 cases: not ranked
    view = {"from": "2024-08", "to": "2024-10"}
    at = open_page(monkeypatch, "pages/petitions.py", dt.date(2026, 12, 1), **view)
    assert at.selectbox(key="petitions_indicator").value == "closure_rate"
    assert map_fills(at) == {"甲镇": RED, "乙镇": SMALL}
    overview = open_page(monkeypatch, "pages/overview.py", dt.date(2026, 12, 1), **view)
    assert overview.selectbox(key="overview_map_indicator").value == "petitions:closure_rate"


def test_disputes_open_on_the_escalation_rate_while_the_resolution_rate_matures(store, monkeypatch):
    # the tiny disputes are 2023's, the last found on 20 December: on 10 January 2024 they are not 30 days old
    view = {"from": "2023-12", "to": "2023-12"}
    assert open_page(monkeypatch, "pages/disputes.py", dt.date(2024, 1, 10), **view).selectbox(
        key="disputes_indicator").value == "escalation_rate"
    assert open_page(monkeypatch, "pages/disputes.py", dt.date(2024, 3, 1), **view).selectbox(
        key="disputes_indicator").value == "resolution_rate"


def test_a_page_never_opens_on_a_figure_that_waits_or_has_no_target():
    shipped = tomllib.loads((Path(__file__).parents[1] / "data" / "targets.toml").read_text(encoding="utf-8"))
    for dataset in contract.FACT_DATASETS:
        main = next(i for i in contract.dataset(dataset).indicators if i.headline and i.is_rate)
        opening = [main] + ([contract.dataset(dataset).indicator(ui.READABLE[dataset])] if main.matures else [])
        readable = opening[-1]
        assert readable.is_rate and not readable.matures, dataset
        assert all("target" in shipped[dataset][i.key] for i in opening), dataset


@pytest.mark.slow  # builds the demo county
def test_in_the_demo_the_latest_month_colours_the_towns_apart(tmp_path):
    from governance.demo import generate as demo
    from governance.store import Store
    from queries import Engine

    today = dt.date(2026, 12, 1)
    store = Store(tmp_path / "s")
    demo.write_demo(store, today=today)
    engine = Engine(store)
    county = indicators.home_region(engine)
    view = View(county, "2026-11", "2026-11")  # where every page opens: the latest month
    for dataset in contract.FACT_DATASETS:
        main = next(i for i in contract.dataset(dataset).indicators if i.headline and i.is_rate)
        mature = indicators.headline(engine, dataset, view, today=today)["mature"]["current"]
        ind = main if mature or not main.matures else contract.dataset(dataset).indicator(ui.READABLE[dataset])
        df = indicators.query(engine, dataset, view, by="child", today=today)
        df = order(df[df["window_name"] == "current"], ind)
        status, _, words = figures.place_status(df, ind, "town")
        assert len(df) == 15 and "办理期内，不排名" not in words, (dataset, ind.key, words)
        assert len({s for s, r in zip(status, df["ranked"]) if r}) >= 2, (dataset, ind.key, status)
    # and what the overview's map used to open on says nothing: every town green
    ind = contract.dataset("petitions").indicator("on_time_rate")
    df = indicators.query(engine, "petitions", view, by="child", today=today)
    assert set(figures.place_status(order(df[df["window_name"] == "current"], ind), ind, "town")[0]) == {"green"}
