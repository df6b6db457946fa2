"""Issue 14: what a rerun no longer redoes. Figures and tables are made once per view and store version and
shared (governance/web/memo.py), but a new store version, another view date and another account's place each
get their own; a chart's own control reruns its fragment, not the page; the grid's per-village status is
computed on whole arrays with the same answers as one at a time."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json

import numpy as np
import pyarrow as pa
import pytest
from streamlit.runtime.scriptrunner import RerunData
from streamlit.testing.v1 import local_script_runner

from governance.charts import figures
from governance.core import contract, settings, targets
from tests import tiny
from tests.conftest import run_app, run_page
from tests.test_jurisdiction import signed_in

OCTOBER = {"from": "2024-10", "to": "2024-10"}


@pytest.fixture(autouse=True)
def store(served_store):
    return served_store


@pytest.fixture
def trend_builds(monkeypatch):
    """How many trend figures were built (not drawn: a cached figure is drawn without being built)."""
    count = [0]
    build = figures.trend

    def counted(*args, **kwargs):
        count[0] += 1
        return build(*args, **kwargs)

    monkeypatch.setattr(figures, "trend", counted)
    return count


def _array(v):
    if isinstance(v, dict) and "bdata" in v:  # plotly's typed arrays in JSON
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return list(v)


def chart(at, title_start: str) -> dict:
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return next(s for s in specs if s["layout"]["title"]["text"].startswith(title_start))


def points(spec: dict, trace: int = 0) -> dict:
    data = spec["data"][trace]
    return dict(zip(_array(data["x"]), _array(data["y"])))


def test_a_rerun_draws_the_cached_figures_and_a_new_store_version_makes_them_again(store, trend_builds):
    at = run_page("pages/petitions.py", **OCTOBER)
    # October 2024 by channel (tests/tiny.py): p1 letter, p2 visit, p3 online, p4 phone, p5 online, p6 online
    assert points(chart(at, "按信访形式")) == {"网上": 3, "来信": 1, "来访": 1, "来电": 1} or \
        sorted(points(chart(at, "按信访形式")).values()) == [1, 1, 1, 3]
    channels = points(chart(at, "按信访形式"))
    built = trend_builds[0]
    assert built == 1
    at.run()
    at.run()
    assert trend_builds[0] == built  # the same view and version: drawn from the cache, not built again
    # A commit through the store: one more October letter in 甲一村.
    p = tiny.petitions().to_pylist()
    p.append({**p[0], "case_id": "p10", "received_on": dt.date(2024, 10, 12), "channel": "letter"})
    store.commit("petitions", pa.Table.from_pylist(p, schema=tiny.petitions().schema), source="p10.csv", who="test")
    at.run()
    assert not at.exception
    letter = next(k for k, v in channels.items() if k in ("来信", "letter"))
    assert points(chart(at, "按信访形式"))[letter] == channels[letter] + 1
    assert trend_builds[0] == built + 1  # the new version's trend was built afresh


def test_the_view_date_is_part_of_the_figures_key(monkeypatch):
    monkeypatch.setattr(settings, "today", lambda: dt.date(2026, 12, 1))
    at = run_page("pages/petitions.py", **OCTOBER)
    # 办结率 of October 2024 read today: p1, p2, p4, p5, p6 closed of p1-p6 = 5/6; read on 31 October 2024, p5
    # (closed 20 November) was still open: 4/6, and the month is still maturing (hollow point, second trace), as
    # is September (p7, received 15 September, closed 5 days later: 1/1, but due only in mid-November).
    today = chart(at, "示范县 · 办结率")
    assert points(today)["2024-10"] == pytest.approx(500 / 6)
    assert len(today["data"]) == 1
    at.date_input(key="f_day").set_value(dt.date(2024, 10, 31)).run()
    assert not at.exception
    then = chart(at, "示范县 · 办结率")
    assert points(then)["2024-10"] == pytest.approx(400 / 6)
    assert points(then, 1) == {"2024-09": 100.0, "2024-10": pytest.approx(400 / 6)}  # drawn hollow: 办理期内
    at.date_input(key="f_day").set_value(dt.date(2026, 12, 1)).run()
    assert points(chart(at, "示范县 · 办结率"))["2024-10"] == pytest.approx(500 / 6)


def test_a_charts_own_control_reruns_its_fragment_not_the_page(runs, monkeypatch):
    at = run_app(**OCTOBER)
    at._fragment_storage.clear()
    at.switch_page("pages/petitions.py").run()
    assert len(at.metric) == 5 and chart(at, "示范县 · 办结率")
    fragment = next(iter(at._fragment_storage._fragments))  # the page's first: the indicator, trend and ranking
    # What the browser sends when a widget inside a fragment changes: a rerun of that fragment only.
    monkeypatch.setattr(local_script_runner, "RerunData",
                        functools.partial(RerunData, fragment_id_queue=[fragment], is_fragment_scoped_rerun=True))
    runs[0] = 0
    at.selectbox(key="petitions_indicator").set_value("on_time_rate").run()
    assert not at.exception, at.exception
    assert runs[0] == 0  # app.py did not run: no sidebar, no store version read, no cards
    assert len(at.metric) == 0
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert len(titles) == 2 and titles[0].startswith("示范县 · 按期办结率") and "按期办结率排名" in titles[1]


def test_a_town_accounts_cached_places_and_figures_do_not_reach_another_account():
    county = signed_in("county", "pages/petitions.py", **OCTOBER)
    assert county.selectbox(key="f_town").options == ["示范县（全部 all）", "甲镇", "乙镇"]
    jia = signed_in("jia", "pages/petitions.py", **OCTOBER)
    assert jia.selectbox(key="f_town").options == ["甲镇（全部 all）", "甲一村", "甲二社区"]
    assert jia.caption[0].value.startswith("甲镇")
    yi = signed_in("yi_viewer", "pages/petitions.py", **OCTOBER)
    # 乙镇 has one village, which is then the account's home (the smallest place holding all it may see): no picker
    assert [s.key for s in yi.sidebar.selectbox] == [] and yi.caption[0].value.startswith("乙一村")
    for at, own, other in ((jia, "甲", "乙"), (yi, "乙", "甲")):
        specs = " ".join(c.proto.spec for c in at.get("plotly_chart"))
        assert own in specs and other + "镇" not in specs and other + "一村" not in specs
    # the county, after the towns, still has the whole county
    county = signed_in("county", "pages/petitions.py", **OCTOBER)
    assert county.selectbox(key="f_town").options == ["示范县（全部 all）", "甲镇", "乙镇"]


@pytest.mark.parametrize("dataset, key, level, values, want", [
    # the fixture's band: 200-350 green, 150-400 amber, else red; no value, no status
    ("grid", "households_per_grid", "village", [100, 150, 199, 200, 350, 351, 400, 401, float("nan")],
     ["red", "amber", "amber", "green", "green", "amber", "amber", "red", None]),
    # lower is better: ≤8% green, ≤12% amber
    ("petitions", "repeat_rate", None, [0.05, 0.08, 0.1, 0.12, 0.2], ["green", "green", "amber", "amber", "red"]),
    # higher is better: ≥95% green, ≥90% amber
    ("petitions", "closure_rate", None, [1.0, 0.95, 0.92, 0.9, 0.5], ["green", "green", "amber", "amber", "red"]),
])
def test_statuses_of_many_values_are_those_of_one_at_a_time(dataset, key, level, values, want):
    ind = contract.INDICATORS[(dataset, key)]
    assert targets.statuses(values, ind, level) == want
    assert [targets.status(v, ind, level) for v in values if v == v] == [w for w in want if w]


def test_a_version_being_built_does_not_hold_up_queries_on_a_built_one(store, monkeypatch):
    import threading

    from queries import Engine

    everything = {"code_lo": 0, "code_hi": 10**12 - 1}
    eng = Engine(store)
    old = eng.version()
    assert len(eng.run("places", everything, version=old)) == 6
    store.commit("regions", tiny.regions(), source="regions again.csv", who="test")
    new = eng.version()
    assert new != old
    loading, release = threading.Event(), threading.Event()
    snapshot = store.snapshot

    def slow(version):  # the new version's tables load until released
        if version == new:
            loading.set()
            release.wait(30)
        return snapshot(version)

    monkeypatch.setattr(store, "snapshot", slow)
    results = {}
    builder = threading.Thread(target=lambda: results.setdefault("new", eng.run("places", everything, version=new)))
    builder.start()
    try:
        assert loading.wait(10)
        reader = threading.Thread(target=lambda: results.setdefault("old", eng.run("places", everything, version=old)))
        reader.start()
        reader.join(10)
        assert not reader.is_alive(), "a query on the built version waited for the other version's load"
        assert len(results["old"]) == 6 and "new" not in results
    finally:
        release.set()
        builder.join(30)
    assert len(results["new"]) == 6
    eng.close()
