"""In a real browser on the demo county (issue 12 items 1, 7, 8): the map draws from the demo's boundaries and a
click on a shape drills into that place; the 大屏 fits 1920x1080 without a scrollbar, shows the clock and moves
to the next slide by itself (a short interval set by GOVERNANCE_SCREEN_SECONDS) until paused; at phone width
(390x844) every page draws with no chart toolbar or legend on a chart's title, no axis labels running
together and no bar label cut off, and the sidebar closes after a page is chosen. Screenshots: tests/artifacts/map_*.png, screen_*.png,
phone_*.png."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import _serve
from tests.e2e.helpers import full_shot, nav_to, settle, shot, wait_for_app

INTERVAL_S = 4  # short, so the wait for a slide to move on (and the paused test of two intervals) stays short
COUNTY, COUNTY_CODE = "清源县", "411122000000"
PHONE = {"width": 390, "height": 844}
# the overview (where the app opens) last, so every link is a change of page
PAGES = ["信访 Petitions", "两地对比 Compare", "矛盾纠纷 Disputes", "网格化管理 Grid", "评星定级 Branches",
         "简报导出 Briefing", "数据上传 Upload", "数据版本 History", "报送进度 Submissions", "指标说明 Indicators", "总览 Overview"]


@pytest.fixture(scope="module")
def url(demo_store):
    with _serve(demo_store, env={"GOVERNANCE_SCREEN_SECONDS": str(INTERVAL_S)}) as base:
        yield base


def map_chart(page: Page):
    return page.get_by_test_id("stMain").get_by_test_id("stPlotlyChart").filter(
        has=page.locator(".gtitle", has_text="地图")).locator(".js-plotly-plot")


def map_places(chart) -> dict[str, str]:
    """{name: code} of the places a map draws, read from its clickable points."""
    return chart.evaluate(
        """gd => Object.fromEntries(gd.data.filter(t => t.mode === 'markers').map(t => [t.meta[1], t.legendgroup]))""")


def test_the_map_draws_from_the_demo_boundaries_and_a_click_drills(page: Page, url):
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.goto(url)
    chart = map_chart(page)
    expect(chart.locator("g.trace.scatter").first).to_be_attached()
    wait_for_app(page)
    places = map_places(chart)
    assert len(places) == 15 and all(c.startswith("411122") and c.endswith("000") for c in places.values())
    chart.scroll_into_view_if_needed()
    settle(page)
    full_shot(page, "map_overview_1600")
    # the legend (达标 / 接近 / 未达标 ...) is one row under the map, not one entry a row
    rows = chart.evaluate("gd => new Set([...gd.querySelectorAll('.legend .traces')]"
                          ".map(e => Math.round(e.getBoundingClientRect().top))).size")
    assert rows == 1, f"the map's legend takes {rows} rows"
    label = chart.locator(".textpoint text").nth(6)  # a town's name, drawn inside its shape
    name = label.text_content()
    label.scroll_into_view_if_needed()
    settle(page)
    box = label.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.get_by_test_id("stMain").get_by_test_id("stCaptionContainer").first).to_have_text(
        re.compile(rf"^{re.escape(name)} · "))
    wait_for_app(page)
    expect(page).to_have_url(re.compile(rf"[?&]region={places[name]}(&|$)"))
    villages = map_places(map_chart(page))  # now the town's villages
    assert villages and all(c[:9] == places[name][:9] and not c.endswith("000") for c in villages.values())
    map_chart(page).scroll_into_view_if_needed()
    settle(page)
    shot(page, "map_town_1600")
    assert not page.blocked_requests, page.blocked_requests  # no tiles, no topojson, no CDN
    assert not page.page_errors, page.page_errors


def step_text(page: Page) -> str:
    return page.locator(".screen-step").text_content()


def test_the_screen_fits_1920x1080_and_advances_by_itself_until_paused(page: Page, url):
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{url}/screen")
    expect(page.locator(".screen-step")).to_contain_text("1 / ")
    wait_for_app(page)
    expect(page.locator("#screen-clock")).to_contain_text(re.compile(r"北京时间 .* \d\d:\d\d:\d\d"))
    expect(page.locator(".screen-status")).to_contain_text("数据截至")
    expect(page.locator(".screen-status")).to_contain_text("更新")
    # the step and its chart read together (the slide may move on while the test looks)
    step, first_title = page.evaluate("""() => [document.querySelector('.screen-step').textContent,
        document.querySelector('[data-testid=stPlotlyChart] .gtitle').textContent]""")
    if step.startswith("1 / "):
        assert "地图" in first_title  # the map is the first slide
    shot(page, "screen_1920x1080")  # (the map, unless the machine was slow enough for it to move on)
    overflow = page.evaluate("""() => { const m = document.querySelector('[data-testid=stMain]');
                                         return [m.scrollHeight - m.clientHeight, document.documentElement.scrollHeight - innerHeight]; }""")
    assert max(overflow) <= 0, f"the 大屏 scrolls at 1920x1080: {overflow}"
    # by itself, within a few intervals (a loaded machine may be late, never early)
    nxt = int(step.split(" / ")[0]) + 1
    expect(page.locator(".screen-step")).to_contain_text(f"{nxt} / ", timeout=INTERVAL_S * 1000 * 6)
    expect(page.get_by_test_id("stPlotlyChart").locator(".gtitle").first).not_to_have_text(first_title)
    wait_for_app(page)
    shot(page, "screen_1920x1080_step2")
    # the second slide is a chart with a target: its line is labelled
    page.get_by_text("暂停翻页").click()
    expect(page.locator(".screen-step")).to_contain_text("已暂停")
    wait_for_app(page)
    held = step_text(page)
    page.wait_for_timeout(INTERVAL_S * 2 * 1000)  # two intervals: paused, nothing may move
    assert step_text(page) == held
    assert not page.page_errors, page.page_errors


def overlaps(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and \
        a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


OVERLAPS = """root => [...root.querySelectorAll('[data-testid=stPlotlyChart]')].flatMap((chart, i) => {
  const box = el => { if (!el) return null; const r = el.getBoundingClientRect();
                      const s = getComputedStyle(el);
                      return r.width && r.height && s.display !== 'none' && s.visibility !== 'hidden'
                             ? {x: r.x, y: r.y, width: r.width, height: r.height} : null; };
  const hit = (a, b) => a && b && a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  const titles = [...chart.querySelectorAll('.gtitle, .gtitle tspan')].map(box).filter(Boolean);
  const others = [['modebar', chart.querySelector('.modebar')], ['legend', chart.querySelector('.legend')]];
  // level labels only: a turned label's box is wider than its text, so turned neighbours' boxes always meet
  const ticks = [...chart.querySelectorAll('.xtick text')].filter(t => !/rotate\\(\\s*-?[1-9]/.test(
    t.getAttribute('transform') || '')).map(box).filter(Boolean);
  const touching = ticks.slice(1).some((t, k) => hit(t, ticks[k]));
  const edge = chart.querySelector('.main-svg')?.getBoundingClientRect().right ?? Infinity;
  const cut = [...chart.querySelectorAll('.bartext')].map(box).filter(b => b && b.x + b.width > edge + 1);
  return [...others.flatMap(([what, el]) => titles.some(t => hit(t, box(el))) ? [`chart ${i}: ${what} on the title`] : []),
          ...(touching ? [`chart ${i}: axis labels run together`] : []),
          ...(cut.length ? [`chart ${i}: ${cut.length} bar labels cut off at the right edge`] : [])];
})"""


def test_every_page_at_phone_width_has_nothing_on_a_chart_title(page: Page, url):
    page.set_viewport_size(PHONE)
    page.goto(url)
    wait_for_app(page)
    sidebar = page.get_by_test_id("stSidebar")
    for link in PAGES:
        page.get_by_test_id("stExpandSidebarButton").click()
        expect(sidebar).to_have_attribute("data-collapsed", "false")
        nav_to(page, link)
        expect(sidebar).to_have_attribute("data-collapsed", "true")  # closed after choosing a page
        main = page.get_by_test_id("stMain")
        for i in range(main.get_by_test_id("stPlotlyChart").count()):
            expect(main.get_by_test_id("stPlotlyChart").nth(i).locator(".gtitle").first).to_be_attached()
        problems = main.evaluate(OVERLAPS)
        assert not problems, (link, problems)
        wide = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
        assert wide <= 0, f"{link}: the page scrolls sideways by {wide}px"
        full_shot(page, f"phone_{link.split()[-1].lower()}")
    assert not page.page_errors, page.page_errors


def test_a_broken_geojson_is_refused_on_the_upload_page_and_nothing_changes(page: Page, url, demo_store, tmp_path):
    from governance.store import boundaries as stored

    before = stored.history(demo_store)
    bad = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "411122999201"},
         "geometry": {"type": "Polygon", "coordinates": [[[113.6, 33.9], [113.7, 33.9], [113.7, 34.0], [113.6, 33.9]]]}},
        {"type": "Feature", "properties": {"区划代码": COUNTY_CODE},
         "geometry": {"type": "Polygon", "coordinates": [[[113.6, 33.9], [113.7, 33.9], [113.7, 34.0]]]}}]}
    path = tmp_path / "边界.geojson"
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.goto(f"{url}/upload")
    wait_for_app(page)
    page.get_by_test_id("stMain").get_by_role("combobox", name="数据集 Dataset").click()
    page.get_by_role("option", name="行政区划边界 (boundaries, GeoJSON)").click()
    expect(page.get_by_text("边界版本")).to_be_visible()
    wait_for_app(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    expect(page.get_by_text("文件未被接受：共 2 个问题，边界数据未作任何改变")).to_be_visible()
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text("第 1 个要素（区划代码 411122999201）：区划代码不在行政区划表中")
    expect(main).to_contain_text("第 2 个要素（区划代码 411122000000）：外边界的环少于 4 个点")
    expect(page.get_by_role("button", name="确认提交 Commit")).to_have_count(0)
    shot(page, "map_upload_refused_1600")
    assert stored.history(demo_store) == before
