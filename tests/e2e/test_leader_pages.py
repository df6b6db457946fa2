"""In a real browser, as a county leader uses the dashboard on the demo county 清源县 (conftest.demo_url):
every page of the sidebar renders its charts titled in Chinese, drill-down goes county → town → village and
back, the months and comparison survive page changes and a reload, English and back, phone width, and
screenshots of every page for a person to look at (tests/artifacts/leader_*.png).

The module's tests share one server and one store; none of them changes the store. The shared-link test comes
first on purpose: a server's very first request is then a link straight to a page, which must still go through
app.py's navigation (governance/router.py).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from governance.core import periods
from governance.store import Store, read_current
from tests.e2e.helpers import (
    full_shot,
    main_caption,
    nav_to,
    settle,
    shot,
    wait_for_app,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
UNIT = re.compile(r"（[^（）]+）|\([^()]+\)")  # every chart title ends with its unit: （%）, （件）, （个）...
COUNTY, COUNTY_CODE = "清源县", "411122000000"
OVERVIEW_TITLE = "党建引领基层治理 · 总览"

# sidebar link: (title the page draws, least number of Plotly charts it draws on the demo county).
# Every link of the sidebar is visited; a page not listed here must still render, with a title.
PAGES = {
    "总览 Overview": (OVERVIEW_TITLE, 0),
    "信访 Petitions": ("信访事项", 3),
    "矛盾纠纷 Disputes": ("矛盾纠纷排查化解", 3),
    "网格化管理 Grid": ("网格化管理", 3),
    "评星定级 Branches": ("党支部评星定级", 3),
    "简报导出 Briefing": ("简报导出", 0),
    "数据上传 Upload": ("数据上传 Upload", 0),
    "数据版本 History": ("数据版本 History", 0),
    "指标说明 Indicators": ("指标说明", 0),
}
REQUIRED = set(PAGES) - {"简报导出 Briefing"}  # the pages of issue 4 (the briefing page came later)
SCREEN_LINK = "大屏 Screen"  # the presentation page hides the sidebar, so it is visited last
SCREEN_TITLE = ".screen-title"


# ---------------------------------------------------------------------------------------------------- helpers

def slug(link: str) -> str:
    return link.split()[-1].lower()


def charts(page: Page):
    """Every Plotly chart the page itself draws."""
    return page.get_by_test_id("stMain").get_by_test_id("stPlotlyChart")


def ranking_chart(page: Page):
    """The ranking bar chart of the places one level down (its title says 排名)."""
    return charts(page).filter(has=page.locator(".gtitle", has_text="排名")).locator(".js-plotly-plot")


def expect_charts_drawn(page: Page, least: int, chinese: bool = True) -> list[str]:
    """Each chart has been drawn by Plotly: an SVG with at least one trace and a title with its unit,
    in Chinese unless the page is in English.

    Returns the titles (title and subtitle, as Plotly draws them)."""
    found = charts(page)
    if least:
        expect(found.nth(least - 1)).to_be_attached()
    titles = []
    for i in range(found.count()):
        chart = found.nth(i)
        title = chart.locator(".js-plotly-plot .gtitle").first
        expect(title).to_have_text(CJK if chinese else re.compile(r"\S"))
        expect(chart.locator(".js-plotly-plot g.trace").first).to_be_attached()
        text = title.text_content().replace("\u200b", " ").strip()
        assert UNIT.search(text), f"chart {i} has no unit in its title: {text!r}"
        titles.append(text)
    return titles


def bar_places(chart) -> list[tuple[str, str]]:
    """(code, name) of each bar of a ranking chart, in the order of its `.barlayer .point path` elements."""
    return chart.evaluate(
        """gd => [...gd.querySelectorAll('.barlayer .point path')].map(p => {
               const i = p.parentNode.__data__.i, trace = gd.data[p.closest('.trace').__data__[0].trace.index];
               return [trace.customdata[i][0], trace.y[i]];
           })""")


def click_bar(page: Page, index: int) -> tuple[str, str]:
    """Click the index-th bar of the ranking chart; returns the (code, name) of the place it stands for."""
    chart = ranking_chart(page)
    bars = chart.locator(".barlayer .point path")
    expect(bars.first).to_be_attached()
    places = bar_places(chart)
    assert len(places) > index, places
    bars.nth(index).click(force=True)  # a thin bar may sit under the chart's own hover layer
    return places[index]


def expect_place(page: Page, name: str, code: str) -> None:
    """The page now shows `name` (caption, sidebar) and the link says region=`code`."""
    expect(main_caption(page)).to_have_text(re.compile(rf"^{re.escape(name)} · "))
    wait_for_app(page)
    expect(page).to_have_url(re.compile(rf"[?&]region={code}(&|$)"))


def sidebar_select(page: Page, label: str):
    return page.get_by_test_id("stSidebar").get_by_role("combobox", name=label)


def no_outside_requests(page: Page) -> None:
    assert not page.blocked_requests, f"requests left loopback: {sorted(set(page.blocked_requests))}"
    assert not page.page_errors, page.page_errors


def store_months(demo_store) -> list[str]:
    return sorted(Store(demo_store).periods("petitions"))


def village_without(demo_store, dataset: str, month: str) -> tuple[str, str]:
    """(code, name) of the first village with no rows of `dataset` in `month`."""
    store = Store(demo_store)
    regions = read_current(store, "regions").to_pandas()
    rows = read_current(store, dataset).to_pandas()
    have = set(rows.loc[rows["period"] == month, "region_code"])  # the store's partition column
    villages = regions[(regions["level"] == "village") & ~regions["region_code"].isin(have)].sort_values("region_code")
    return villages.iloc[0]["region_code"], villages.iloc[0]["name"]


# ---------------------------------------------------------------------------------------------------- tests

def test_a_shared_link_keeps_its_months_and_comparison_across_pages_and_a_reload(page: Page, demo_url, demo_store):
    months = store_months(demo_store)
    m1, m2 = months[-4], months[-2]  # a range that is not the default (the latest month)
    label = f"{periods.month_label_zh(m1)}至{periods.month_label_zh(m2)}"
    view = re.compile(rf"[?&]from={m1}&to={m2}&cmp=yoy(&|$)")

    def expect_view() -> None:
        caption = main_caption(page)
        expect(caption).to_contain_text(f"{COUNTY} · {label}")
        expect(caption).to_contain_text("同比")
        wait_for_app(page)
        expect(page.get_by_test_id("stSidebar").get_by_role("radio", name="同比 YoY")).to_be_checked()
        expect(page).to_have_url(view)

    page.goto(f"{demo_url}/petitions?from={m1}&to={m2}&cmp=yoy")
    expect(page.get_by_role("heading", name="信访事项")).to_be_visible()
    wait_for_app(page)
    # The server's first request went through app.py: its page list (not the pages/ folder's) is drawn.
    expect(page.get_by_test_id("stSidebarNav").get_by_role("link", name="信访 Petitions")).to_be_visible()
    expect_view()

    nav_to(page, "矛盾纠纷 Disputes")
    expect(page.get_by_role("heading", name="矛盾纠纷排查化解")).to_be_visible()
    expect_view()
    nav_to(page, "总览 Overview")
    expect_view()
    url = page.url

    page.reload()
    expect(page.get_by_role("heading", name=OVERVIEW_TITLE)).to_be_visible()
    expect_view()
    assert page.url.split("?")[0] == url.split("?")[0]
    no_outside_requests(page)


def test_every_page_renders_its_charts_in_chinese_with_nothing_fetched_from_outside(page: Page, demo_url):
    page.goto(demo_url)
    expect(page.get_by_role("heading", name=OVERVIEW_TITLE)).to_be_visible()
    wait_for_app(page)
    exceptions = page.get_by_test_id("stException")
    links = [a.inner_text().split("\n")[-1].strip()
             for a in page.get_by_test_id("stSidebarNav").get_by_test_id("stSidebarNavLink").all()]
    assert REQUIRED | {SCREEN_LINK} <= set(links), links
    pages = [link for link in links if link != SCREEN_LINK]
    for link in pages:
        nav_to(page, link)
        title, least = PAGES.get(link, (None, 0))
        if title:
            expect(page.get_by_test_id("stMain").get_by_role("heading", name=title, exact=True)).to_be_visible()
        expect_charts_drawn(page, least)
        expect(exceptions).to_have_count(0)
        full_shot(page, f"leader_page_{slug(link)}")

    # 大屏: dark, no sidebar (so nothing to click afterwards), one chart per step with ◀ ▶.
    nav_to(page, SCREEN_LINK, drawn=SCREEN_TITLE)
    expect(page.locator(SCREEN_TITLE)).to_contain_text(f"{COUNTY} · 党建引领基层治理")
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()
    first = expect_charts_drawn(page, 1)
    expect(exceptions).to_have_count(0)
    full_shot(page, "leader_page_screen")
    page.set_viewport_size({"width": 1920, "height": 1080})
    settle(page)
    shot(page, "leader_screen_1920x1080")
    page.get_by_role("button", name="▶").click()
    expect(page.get_by_text("2 / ", exact=False)).to_be_visible()
    wait_for_app(page)
    second = expect_charts_drawn(page, 1)
    assert second != first, "▶ did not move to the next chart"
    expect(exceptions).to_have_count(0)
    shot(page, "leader_screen_1920x1080_step2")
    no_outside_requests(page)


def test_drill_from_the_county_to_a_town_to_a_village_and_back(page: Page, demo_url):
    page.goto(f"{demo_url}/petitions")
    expect(page.get_by_role("heading", name="信访事项")).to_be_visible()
    wait_for_app(page)
    expect_place(page, COUNTY, COUNTY_CODE)
    assert bar_places(ranking_chart(page))[0][0][6:9] != "000", "the county's ranking should list towns"

    town_code, town = click_bar(page, 2)  # not the first bar: the click must reach the bar it hits
    expect_place(page, town, town_code)
    expect(sidebar_select(page, "乡镇(街道)")).to_have_value(town)
    expect(page.get_by_role("button", name=f"↑ 返回 {COUNTY}")).to_be_visible()
    ranking_title = ranking_chart(page).locator(".gtitle")
    expect(ranking_title).to_contain_text("村(社区)")  # the town's ranking lists its villages
    full_shot(page, "leader_drill_1_town")

    village_code, village = click_bar(page, 1)
    expect_place(page, village, village_code)
    assert village_code[:9] == town_code[:9], (village_code, town_code)
    expect(sidebar_select(page, "村(社区)")).to_have_value(village)
    expect(page.get_by_text("已是村(社区)一级，没有下级排名。")).to_be_visible()
    expect(ranking_chart(page)).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    full_shot(page, "leader_drill_2_village")

    page.get_by_role("button", name=f"↑ 返回 {town}").click()
    expect_place(page, town, town_code)
    expect(sidebar_select(page, "村(社区)")).to_have_value("全部 all")

    # The same by the list under the ranking: 下钻到 another village of the town.
    others = [(c, n) for c, n in bar_places(ranking_chart(page)) if c != village_code]
    code, name = sorted(others)[0]  # the list is in code order
    pick = page.get_by_test_id("stMain").get_by_role("combobox", name="下钻到")
    pick.scroll_into_view_if_needed()  # a click while the main container still scrolls may not open the list
    pick.click()
    expect(pick).to_have_attribute("aria-expanded", "true")
    page.get_by_role("option", name=name, exact=True).click()
    expect_place(page, name, code)

    page.get_by_role("button", name=f"↑ 返回 {town}").click()
    expect_place(page, town, town_code)
    page.get_by_role("button", name=f"↑ 返回 {COUNTY}").click()
    expect_place(page, COUNTY, COUNTY_CODE)
    expect(sidebar_select(page, "乡镇(街道)")).to_have_value(f"{COUNTY}（全部 all）")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    no_outside_requests(page)


def switch_overview_to_english(page: Page, base: str):
    """Open the overview and switch the sidebar to English; returns the sidebar."""
    page.goto(base)
    expect(page.get_by_role("heading", name=OVERVIEW_TITLE)).to_be_visible()
    wait_for_app(page)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("English", exact=True).click()
    expect(page.get_by_role("heading", name="Grassroots governance · Overview")).to_be_visible()
    wait_for_app(page)
    return sidebar


def test_english_and_back(page: Page, demo_url):
    sidebar = switch_overview_to_english(page, demo_url)
    expect(page.get_by_test_id("stMetricLabel").get_by_text("Closure rate", exact=True).first).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]lang=en(&|$)"))
    full_shot(page, "leader_english_overview")

    nav_to(page, "信访 Petitions")  # the language is kept across pages
    expect(page.get_by_role("heading", name="Petitions", exact=True)).to_be_visible()
    expect_charts_drawn(page, 3, chinese=False)
    full_shot(page, "leader_english_petitions")

    sidebar.get_by_text("中文", exact=True).click()
    expect(page.get_by_role("heading", name="信访事项")).to_be_visible()
    wait_for_app(page)
    nav_to(page, "总览 Overview")
    expect(page.get_by_role("heading", name=OVERVIEW_TITLE)).to_be_visible()
    expect(page.get_by_test_id("stMetricLabel").get_by_text("办结率", exact=True).first).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]lang=zh(&|$)"))
    expect(page.get_by_test_id("stException")).to_have_count(0)
    no_outside_requests(page)


def test_a_village_without_disputes_this_month_shows_a_note_not_an_empty_chart(page: Page, demo_url, demo_store):
    month = store_months(demo_store)[-1]
    code, name = village_without(demo_store, "disputes", month)
    page.goto(f"{demo_url}/disputes?region={code}")
    expect(page.get_by_role("heading", name="矛盾纠纷排查化解")).to_be_visible()
    expect_place(page, name, code)
    # disputes were uploaded for this month, just none here: zero found, no rate, and a note under the charts
    found = page.get_by_test_id("stMetric").filter(has=page.get_by_test_id("stMetricLabel").get_by_text(
        "排查数", exact=True)).get_by_test_id("stMetricValue")
    expect(found).to_have_text("0件")
    expect(page.get_by_test_id("stMain").get_by_test_id("stAlert").first).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    full_shot(page, "leader_empty_disputes_village")
    no_outside_requests(page)


def test_the_sidebar_still_shows_its_choices_right_after_the_language_changes(page: Page, demo_url):
    sidebar = switch_overview_to_english(page, demo_url)
    # The run is over: what the sidebar shows now is what the leader sees (short waits, it will not change).
    # the choices read the same in both languages (governance/filters.py: CHOICE_LABEL)
    expect(sidebar.get_by_role("radio", name="环比 MoM")).to_be_checked(timeout=2_000)
    expect(sidebar_select(page, "Town")).to_have_value(f"{COUNTY}（全部 all）", timeout=2_000)


@pytest.mark.parametrize("path, name, title", [("", "overview", OVERVIEW_TITLE), ("/petitions", "petitions", "信访事项")],
                         ids=["overview", "petitions"])
def test_phone_width(page: Page, demo_url, path, name, title):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{demo_url}{path}")
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    wait_for_app(page)
    expect(page.get_by_test_id("stSidebar")).not_to_be_in_viewport()  # collapsed on a phone

    widths = page.evaluate("""() => {
        const main = document.querySelector('[data-testid=stMain]');
        return {doc: document.scrollingElement.scrollWidth, main: main.scrollWidth, mainClient: main.clientWidth,
                window: window.innerWidth};
    }""")
    assert widths["doc"] <= widths["window"] + 4, widths
    assert widths["main"] <= widths["mainClient"] + 4, widths

    values = page.get_by_test_id("stMetricValue")
    expect(values.first).to_be_visible()
    expect(values.first).to_have_text(re.compile(r"\d"))
    box = values.first.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= widths["window"], box
    if path:
        expect_charts_drawn(page, 3)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    full_shot(page, f"leader_phone_{name}")
    no_outside_requests(page)
