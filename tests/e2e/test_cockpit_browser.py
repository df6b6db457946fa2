"""In Chromium at 1600 px on the demo county: a KPI card opens the cases behind it, as many as it shows; the
compare page draws both places' figures and their trends in one chart each; the search box jumps to a village
typed by its pinyin initials. Screenshots in tests/artifacts/cockpit_*.png, for a person to look at."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.helpers import full_shot, main_caption, nav_to, settle, shot, wait_for_app

WIDE = {"width": 1600, "height": 1000}


def _open(page: Page, url: str) -> None:
    page.set_viewport_size(WIDE)
    page.goto(url)
    expect(page.get_by_test_id("stMain").locator("h1").first).to_be_visible()
    wait_for_app(page)


def test_a_card_opens_its_cases_as_many_as_it_shows(page: Page, demo_url):
    from governance.core import periods, settings

    # the half-year to last month: recent months are not past the deadline yet, older ones have late cases
    end = periods.shift_month(settings.today().isoformat()[:7], -1)
    _open(page, f"{demo_url}/?from={periods.shift_month(end, -5)}&to={end}")
    card = page.get_by_test_id("stMetric").filter(has_text="超期未办结").first
    shown = card.get_by_test_id("stMetricValue").text_content()
    count = int(re.sub(r"[^\d]", "", shown))
    assert count > 0, shown  # the demo county has petitions open past the deadline
    page.get_by_role("button", name="查看明细").first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_text(f"共 {count} 条")).to_be_visible()
    expect(dialog.get_by_test_id("stDataFrame")).to_be_visible()
    expect(dialog.get_by_role("button", name="下载 Excel")).to_be_visible()
    wait_for_app(page)
    settle(page)
    shot(page, "cockpit_cases")


def test_the_compare_page_draws_both_places(page: Page, demo_url):
    _open(page, demo_url)
    nav_to(page, "两地对比 Compare")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_test_id("stPlotlyChart").first).to_be_visible()
    expect(main.get_by_test_id("stDataFrame").first).to_be_visible()
    assert main.get_by_test_id("stPlotlyChart").count() >= 10  # a chart per headline indicator
    wait_for_app(page)
    full_shot(page, "cockpit_compare")


def test_search_by_initials_jumps_to_the_place(page: Page, demo_url, demo_store):
    from governance.core import search
    from governance.store import Store, read_current

    regions = read_current(Store(demo_store), "regions").to_pandas()
    village = regions[regions["level"] == "village"].iloc[5]
    initials = search.entry(village["region_code"], village["name"], "village").initials
    _open(page, demo_url)
    box = page.get_by_test_id("stSidebar").get_by_role("textbox", name="查找地区")
    box.fill(village["name"])
    box.press("Enter")
    wait_for_app(page)
    page.get_by_test_id("stSidebar").get_by_role("button", name=re.compile(re.escape(village["name"]))).first.click()
    expect(main_caption(page)).to_contain_text(village["name"])
    wait_for_app(page)
    box = page.get_by_test_id("stSidebar").get_by_role("textbox", name="查找地区")
    box.fill(initials)
    box.press("Enter")
    wait_for_app(page)
    expect(page.get_by_test_id("stSidebar").get_by_role("button", name=re.compile(re.escape(village["name"])))
           .first).to_be_visible()
    shot(page, "cockpit_search")


def test_a_cell_of_the_side_by_side_table_opens_that_places_cases(page: Page, demo_url):
    from governance.core import periods, settings

    end = periods.shift_month(settings.today().isoformat()[:7], -1)
    _open(page, f"{demo_url}/?from={periods.shift_month(end, -5)}&to={end}")
    heading = page.get_by_test_id("stMain").get_by_role("heading", name="下级对比")
    heading.scroll_into_view_if_needed()
    # the side-by-side table is the first dataframe under its heading
    frame = heading.locator("xpath=following::*[@data-testid='stDataFrame'][1]")
    frame.scroll_into_view_if_needed()
    wait_for_app(page)
    # the first town's row (under the header row), in a petitions column (right of the names)
    frame.click(position={"x": 260, "y": 35 + 17})
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_text("明细：超期未办结信访件")).to_be_visible()
    expect(dialog.get_by_test_id("stDataFrame")).to_be_visible()
    wait_for_app(page)
    settle(page)
    shot(page, "cockpit_cell_cases")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    heading = page.get_by_test_id("stMain").get_by_role("heading", name="村改居")
    heading.scroll_into_view_if_needed()
    wait_for_app(page)
    settle(page)
    shot(page, "cockpit_stage_panel")


def test_a_data_table_is_drawn_when_its_expander_opens(page: Page, demo_url):
    # issue 14: a closed 数据表 draws no grid (Streamlit would draw a closed expander's content all the same)
    _open(page, demo_url)
    nav_to(page, "信访 Petitions")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_test_id("stPlotlyChart").first).to_be_visible()
    wait_for_app(page)
    table = main.get_by_test_id("stExpander").filter(has_text="数据表").first
    expect(table.get_by_test_id("stDataFrame")).to_have_count(0)
    expect(table.get_by_test_id("stDownloadButton").first).to_be_attached()  # the downloads stay
    table.get_by_text("数据表").click()
    expect(table.get_by_test_id("stDataFrame")).to_be_visible()
    expect(table.get_by_test_id("stDataFrame")).to_contain_text("月份")  # the trend's table, month by month
    expect(page.get_by_test_id("stException")).to_have_count(0)
