"""In a real browser: a petitions ledger dropped on the wrong dataset is recognised and the switch offered; a
misspelt village's message is shown whole, in a table that wraps, in Chinese only (issue 13, item 5)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.helpers import choose_dataset, drop_file, shot, wait_for_app
from tests.test_ingest import GOOD, ledger
from tests.test_upload_guidance import WRONG_PLACES


def open_upload(page: Page, base: str) -> None:
    page.goto(f"{base}/upload")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="数据上传 Upload")).to_be_visible()


def test_a_petitions_ledger_on_the_regions_picker_is_recognised_and_switched(page: Page, app_url, tmp_path):
    open_upload(page, app_url)
    expect(page.get_by_role("combobox", name="数据集 Dataset")).to_have_value("信访事项 (petitions)")  # not regions
    choose_dataset(page, "行政区划 (regions)")
    drop_file(page, tmp_path, "10月信访台账.csv", ledger(GOOD))
    offer = page.get_by_test_id("stAlertContentWarning").filter(has_text="这个文件看起来是信访事项台账")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("切换到信访事项？")
    wait_for_app(page)
    expect(page.get_by_text("找不到表头行")).to_have_count(0)
    offer.scroll_into_view_if_needed()
    shot(page, "upload_guess_petitions_on_regions")

    page.get_by_role("button", name="切换到信访事项 Switch to petitions").click()
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="校验通过：3 行")).to_be_visible()
    wait_for_app(page)
    expect(page.get_by_role("combobox", name="数据集 Dataset")).to_have_value("信访事项 (petitions)")
    assert not page.page_errors, page.page_errors


def test_a_misspelt_village_is_shown_whole_with_its_suggestion(page: Page, app_url, tmp_path):
    open_upload(page, app_url)
    drop_file(page, tmp_path, "地名有误.csv", ledger(WRONG_PLACES))
    expect(page.get_by_text("校验结果：5 个错误")).to_be_visible()
    wait_for_app(page)
    table = page.get_by_test_id("stTable").first
    header = [c.inner_text().strip() for c in table.locator("thead th").all()]
    rows = [dict(zip(header, (c.inner_text().strip() for c in tr.locator("th, td").all())))
            for tr in table.locator("tbody tr").all()]
    assert [(r["行"], r["列"], r["表头"]) for r in rows] == [
        ("4", "C", "村(社区)"), ("5", "B", "乡镇(街道)"), ("6", "C", "村(社区)"), ("7", "B", "乡镇(街道)"),
        ("8", "C", "村(社区)")], rows
    assert rows[0]["问题"] == "村(社区)“甲一”：找不到该地区，是不是“甲一村”？"
    assert "(unknown_place)" not in table.inner_text()
    # the longest message wraps inside its cell rather than being cut at the cell's edge
    cell = table.locator("tbody tr").nth(2).locator("td").filter(has_text="请核对乡镇(街道)")
    box = cell.bounding_box()
    assert cell.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), box
    table.scroll_into_view_if_needed()
    shot(page, "upload_wrong_places")
    assert not page.page_errors, page.page_errors
