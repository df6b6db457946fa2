"""The 大屏 (issue 12 item 7) in AppTest: the map is its first slide when boundaries are loaded, the interval comes
from GOVERNANCE_SCREEN_SECONDS and the page's picker, the view date and each dataset's freshness are shown, and
the target line of a ranking is labelled (the browser test sees it move on by itself)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from streamlit.testing.v1 import AppTest

from governance.charts import figures
from governance.core import contract, settings
from governance.store import boundaries as stored
from tests import tiny
from tests.conftest import APP
from tests.test_boundaries import TINY_SHAPES


@pytest.fixture(autouse=True)
def store(served_store, monkeypatch):
    monkeypatch.setattr(settings, "today", lambda: dt.date(2026, 12, 1))
    return served_store


def screen(**env) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params.update({"from": "2024-10", "to": "2024-10"})
    at.run()
    at.switch_page("pages/screen.py")
    at.run()
    assert not at.exception, at.exception
    return at


def slide_title(at: AppTest) -> str:
    return json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]


def test_the_map_is_the_first_slide_and_next_moves_on(store):
    stored.commit(store.root, TINY_SHAPES, source="t", who="t")
    at = screen()
    assert "地图" in slide_title(at) and "示范县" in slide_title(at)
    assert any("1 / " in m.value for m in at.markdown)
    at.button(key="screen_next").click().run()
    assert "地图" not in slide_title(at)
    assert any("2 / " in m.value for m in at.markdown)


def test_the_map_slide_says_how_the_places_stand_once_and_its_title_once(store):
    stored.commit(store.root, TINY_SHAPES, source="t", who="t")
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params.update({"from": "2024-08", "to": "2024-10"})
    at.run()
    at.switch_page("pages/screen.py")
    at.run()
    assert not at.exception, at.exception
    # 办结率 of August-October 2024, read on 1 December 2026, by hand: 甲镇 closed p1 p2 p4 p9 of its six (66.7%,
    # under the town's 85% amber line: 未达标); 乙镇 has three cases, under 5: 样本少
    line = next(m.value for m in at.markdown if "<div class='screen-takeaway'>" in m.value)
    assert "2个乡镇(街道)：未达标 1 个、样本少 1 个" in line
    # the figure's title names place, indicator and unit, once, with no subtitle (nothing drills on the screen)
    assert slide_title(at) == "示范县 · 乡镇(街道)办结率地图（%）"


def test_without_boundaries_the_slides_are_the_briefings_charts(store):
    assert "地图" not in slide_title(screen())


def test_the_interval_comes_from_the_setting_and_the_freshness_is_shown(store, monkeypatch):
    monkeypatch.setenv("GOVERNANCE_SCREEN_SECONDS", "7")
    at = screen()
    assert at.selectbox(key="screen_interval").value == 7
    assert any("每 7 秒自动翻页" in m.value for m in at.markdown)
    status = next(m.value for m in at.markdown if "<div class='screen-status'>" in m.value)
    # the view date, and per dataset its latest period (tiny: petitions to October 2024)
    assert "数据截至 2026年12月1日" in status and "信访至2024年10月" in status
    at.toggle(key="screen_paused").set_value(True).run()
    assert any("已暂停" in m.value for m in at.markdown)


def test_a_rankings_target_line_is_labelled():
    ind = contract.dataset("petitions").indicator("closure_rate")
    import pandas as pd

    df = pd.DataFrame({"place_code": [tiny.TOWN_A], "place_name": ["甲镇"], "closure_rate": [0.9]})
    fig = figures.ranking(df, ind, level="town", title="t")
    # fixture targets: closure rate ≥92.0% for a town
    assert [a.text for a in fig.layout.annotations] == ["目标 ≥92.0%"]
    # the label sits at the foot of the line, in an empty row under the last bar (row 0), not on its value
    label = fig.layout.annotations[0]
    assert (label.yref, label.y, label.yanchor) == ("y domain", 0, "bottom")
    assert tuple(fig.layout.yaxis.range) == (1.5, -0.5)  # reversed: row 0 on top, row 1 empty


def test_a_small_counts_axis_counts_in_whole_steps():
    """超期未办结 of 0 or 1 a month: Plotly's own ticks (0, 0.2, ... 1) printed as whole numbers read 0 0 0 1 1 1
    (seen on 两地对比 for a town and its village); under 5 the axis steps by one, a big count keeps its own ticks."""
    import pandas as pd

    from governance.charts.overlay import overlay

    ind = contract.dataset("petitions").indicator("overdue")
    small = pd.DataFrame({"month": ["2024-09", "2024-10"], "overdue": [0, 1]})
    big = pd.DataFrame({"month": ["2024-09", "2024-10"], "overdue": [40, 400]})
    for fig in (figures.trend(small, ind, level="town", title="t"),
                overlay([("甲镇", small), ("甲一村", small)], ind, level="town", title="t")):
        assert (fig.layout.yaxis.dtick, fig.layout.yaxis.tickformat) == (1, ",d")
    for fig in (figures.trend(big, ind, level="town", title="t"),
                overlay([("甲镇", big), ("甲一村", small)], ind, level="town", title="t")):
        assert fig.layout.yaxis.dtick is None and fig.layout.yaxis.tickformat == ",d"


def test_a_long_bars_label_goes_inside_it_and_a_short_ones_outside():
    """网格覆盖率 of 98.8 with its base printed after the bar ran past a phone's right edge: a bar at least 0.6 of
    the longest (or of the target) carries its label inside its end; a short one, or 0, keeps it outside."""
    import pandas as pd

    ind = contract.dataset("grid").indicator("coverage_rate")
    df = pd.DataFrame({"place_code": ["a", "b", "c"], "place_name": ["甲镇", "乙镇", "丙镇"],
                       "coverage_rate": [0.988, 0.5, 0.0]})
    fig = figures.ranking(df, ind, level="town", title="t")
    # 98.8 is the top (target 98.0 below it): 0.6 of it is 59.3, so 50.0 and 0.0 stay outside
    assert list(fig.data[0].textposition) == ["inside", "outside", "outside"]
    assert fig.data[0].insidetextanchor == "end"
