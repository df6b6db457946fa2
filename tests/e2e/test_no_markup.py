"""In a real browser: names from uploads are shown as text, never as links, images or script (issue 10, item 4).

The tiny county is given, through the ingest pipeline as an upload would, place names, categories, branch names
and a file name made of Markdown and HTML that fetch or link to 10.0.0.1, plus one more petitions ledger uploaded
through the upload page under a file name of HTML. Then every page that shows them is opened: the `page`
fixture refuses and records every request that leaves loopback; here every request is recorded too (an
``<img src=x>`` would fetch /x from the app's own server), any dialog (``alert(1)``) is recorded, and the DOM,
HTML and SVG alike, is searched for links and images those names could have made. The names must also be on the
pages as written (so the test sees them rendered, not dropped).
"""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import Page, expect

from governance.ingest.pipeline import ingest
from governance.store import Store
from tests import tiny
from tests.e2e.conftest import _serve
from tests.e2e.helpers import shot, wait_for_app

IMAGE = "![x](http://10.0.0.1/p.png)"
ANCHOR = '<a href="http://10.0.0.1">x</a>'
IMG = "<img src=x onerror=alert(1)>"
SCRIPT_URL = "javascript:alert(1)"
LINK = "[link](http://10.0.0.1)"
NAMES = {tiny.COUNTY: f"示范县{IMAGE}", tiny.TOWN_A: f"甲镇{ANCHOR}", tiny.TOWN_B: f"乙镇{IMG}",
         tiny.A1: SCRIPT_URL, tiny.A2: LINK, tiny.B1: "乙一村 www.example.org http://10.0.0.1/q"}
CATEGORIES = [IMAGE, ANCHOR, IMG, SCRIPT_URL, LINK]
UPLOAD_NAME = f"{IMG}{LINK.replace('http://', '')}.csv"  # a file name cannot hold '/'

FIND_LINKS = """() => {
  const xlink = 'http://www.w3.org/1999/xlink';
  const links = [...document.querySelectorAll('a')].map(a =>
      a.getAttribute('href') || a.getAttributeNS(xlink, 'href') || a.getAttribute('xlink:href') || '');
  const images = [...document.querySelectorAll('img, image')].map(i =>
      i.getAttribute('src') || i.getAttribute('href') || i.getAttributeNS(xlink, 'href') || '');
  return {links, images};
}"""
SVG_TEXT = "() => [...document.querySelectorAll('svg text')].map(t => t.textContent).join('\\n')"
# What the page shows as text; Markdown text has an invisible word joiner in its URLs (core/text.md_escape).
MAIN_TEXT = "() => document.querySelector('[data-testid=stMain]').innerText"


def shown(page: Page) -> str:
    return page.evaluate(MAIN_TEXT).replace("\u2060", "")


def table(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def regions_csv() -> bytes:
    r = tiny.regions().to_pylist()
    return table([{**row, "name": NAMES[row["region_code"]]} for row in r])


def petitions_csv(prefix: str) -> bytes:
    places = [tiny.A1, tiny.A1, tiny.A2, tiny.B1, tiny.B1, tiny.A2]
    return table([{"case_id": f"{prefix}{i}", "region_code": code, "received_on": f"2024-10-{i + 1:02d}",
                   "channel": "来信", "category": CATEGORIES[i % len(CATEGORIES)], "is_initial": "是",
                   "closed_on": f"2024-10-{i + 11:02d}", "resolved_first_time": "是", "satisfaction": "满意",
                   "is_repeat": "否"} for i, code in enumerate(places)])


def branches_csv() -> bytes:
    return table([{"branch_id": f"e{i}", "branch_name": f"{name}党支部", "region_code": code, "period": "2024-H2",
                   "stars": "1", "score": "", "tier": "", "weak_lax": "是", "rectified": "否"}
                  for i, (code, name) in enumerate([(tiny.A1, IMAGE), (tiny.A2, ANCHOR), (tiny.B1, IMG)])])


@pytest.fixture(scope="module")
def evil_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e_markup") / "store"
    store = tiny.build(root)
    for dataset, data in (("regions", regions_csv()), ("petitions", petitions_csv("E")),
                          ("branches", branches_csv())):
        report = ingest(Store(root), dataset, data, UPLOAD_NAME, who=IMG)
        assert report.committed, report.as_json()
    del store
    with _serve(root) as base:
        yield base


@pytest.fixture
def watched(page: Page):
    """The page, with every request and every dialog recorded."""
    page.requests_seen = []
    page.dialogs_seen = []
    page.on("request", lambda r: page.requests_seen.append(r.url))

    def dialog(d):
        page.dialogs_seen.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    return page


def assert_inert(page: Page, where: str) -> None:
    wait_for_app(page)
    found = page.evaluate(FIND_LINKS)
    bad_links = [h for h in found["links"] if "10.0.0.1" in h or h.strip().lower().startswith("javascript")
                 or "example.org" in h]
    bad_images = [s for s in found["images"] if "10.0.0.1" in s or s == "x"]
    assert bad_links == [], (where, bad_links)
    assert bad_images == [], (where, bad_images)
    fetched = [u for u in page.requests_seen if "10.0.0.1" in u or u.rstrip("/").endswith("/x")]
    assert fetched == [], (where, fetched)
    assert page.blocked_requests == [], (where, page.blocked_requests)
    assert page.dialogs_seen == [], (where, page.dialogs_seen)


def test_names_from_uploads_are_text_on_every_page(watched: Page, evil_url, tmp_path):
    page = watched
    page.goto(evil_url)
    wait_for_app(page)
    expect(page.get_by_role("heading", name="党建引领基层治理 · 总览")).to_be_visible()
    assert f"示范县{IMAGE} · 2024年10月" in shown(page)  # the caption under the title (Markdown), as written
    assert_inert(page, "overview")

    page.goto(f"{evil_url}/petitions?region={tiny.COUNTY}&from=2024-10&to=2024-10")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="信访事项")).to_be_visible()
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible()
    wait_for_app(page)
    drawn = page.evaluate(SVG_TEXT)
    assert f"甲镇{ANCHOR}" in drawn and f"乙镇{IMG}" in drawn  # the ranking's tick labels, as written
    assert ANCHOR in drawn and LINK in drawn  # the categories' tick labels
    shot(page, "markup_petitions")
    assert_inert(page, "petitions (county)")

    page.goto(f"{evil_url}/petitions?region={tiny.TOWN_A}&from=2024-10&to=2024-10")
    wait_for_app(page)
    # The button back up is Markdown: the county's name in it is text, not an image.
    expect(page.get_by_role("button", name="↑ 返回", exact=False)).to_be_visible()
    assert f"↑ 返回 示范县{IMAGE}" in shown(page)
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible()
    wait_for_app(page)
    drawn = page.evaluate(SVG_TEXT)
    assert SCRIPT_URL in drawn and LINK in drawn  # the villages of town A
    assert_inert(page, "petitions (town)")

    for path, heading in (("branches", "党支部评星定级"), ("briefing", "简报导出"), ("history", "数据版本 History"),
                          ("grid", "网格化管理"), ("submissions", "报送进度 Submissions")):
        page.goto(f"{evil_url}/{path}?region={tiny.COUNTY}&from=2024-10&to=2024-10")
        wait_for_app(page)
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        wait_for_app(page)
        assert_inert(page, path)
    # the briefing's written summary names the towns: as text
    page.goto(f"{evil_url}/briefing?region={tiny.COUNTY}&from=2024-10&to=2024-10")
    wait_for_app(page)
    expect(page.get_by_text("一、信访工作", exact=False).first).to_be_visible()
    assert f"甲镇{ANCHOR}" in shown(page)
    assert_inert(page, "briefing summary")

    page.goto(f"{evil_url}/screen?region={tiny.COUNTY}&from=2024-10&to=2024-10")
    wait_for_app(page)
    expect(page.locator(".screen-title")).to_contain_text(f"示范县{IMAGE}")
    assert_inert(page, "screen")


def test_an_upload_named_with_html_is_reported_as_text(watched: Page, evil_url, tmp_path):
    page = watched
    page.goto(f"{evil_url}/upload")
    wait_for_app(page)
    combo = page.get_by_role("combobox", name="数据集 Dataset")
    combo.click()
    page.get_by_role("option", name="信访事项 (petitions)").click()
    expect(combo).to_have_value("信访事项 (petitions)")
    combo.blur()
    wait_for_app(page)
    path = tmp_path / UPLOAD_NAME
    path.write_bytes(petitions_csv("U"))
    page.get_by_test_id("stFileUploader").locator('input[type="file"]').set_input_files(path)
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="校验通过")).to_be_visible()
    wait_for_app(page)
    page.get_by_role("button", name="确认提交 Commit").click()
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="已提交")).to_be_visible()
    wait_for_app(page)
    assert UPLOAD_NAME in shown(page)  # the file name as written, in a Markdown alert
    shot(page, "markup_upload")
    assert_inert(page, "upload")
