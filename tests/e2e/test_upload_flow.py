"""In a real browser: the overview's figure, a refused ledger that changes nothing, a GBK ledger committed.

The module's tests share one server and one tiny store (conftest.app_url). Only the commit test changes
the store, and it expects the tiny county's original figures, so it runs last; the refused upload compares
the overview with what it showed before the upload.
"""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import Page, expect

from tests.e2e.helpers import choose_dataset, drop_file, shot, wait_for_app
from tests.test_ingest import GOOD, ledger

BAD_ROW = "N9,甲镇,甲一村,2024-10-10,来信,其他,也许,,,,否"  # 是否初信初访 (column G) is not a yes/no: row 7


def metric_value(page: Page, label: str):
    """The value element of the st.metric card whose label is exactly `label`."""
    card = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
    return card.get_by_test_id("stMetricValue")


def download_csv(page: Page, button) -> list[dict]:
    with page.expect_download() as dl:
        button.click()
    return list(csv.DictReader(io.StringIO(dl.value.path().read_bytes().decode("utf-8-sig"))))


def open_overview(page: Page, base: str) -> None:
    page.goto(base)
    wait_for_app(page)
    expect(page.get_by_role("heading", name="党建引领基层治理 · 总览")).to_be_visible()
    expect(page.get_by_text("示范县 · 2024年10月", exact=False)).to_be_visible()


def go_to(page: Page, title: str, heading: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    wait_for_app(page)


def upload_ledger(page: Page, tmp_path, name: str, data: bytes) -> None:
    """On the upload page: choose 信访事项 (petitions), then give the file input a GBK ledger."""
    choose_dataset(page, "信访事项 (petitions)")
    drop_file(page, tmp_path, name, data)


def test_a_refused_ledger_lists_its_problem_and_changes_nothing(page: Page, app_url, tmp_path):
    open_overview(page, app_url)
    before = metric_value(page, "受理量")
    expect(before).to_have_text(re.compile(r"^\d+件$"))  # 6件 in file order; only the commit test changes it
    figure = before.inner_text()

    go_to(page, "数据上传 Upload", "数据上传 Upload")
    upload_ledger(page, tmp_path, "信访台账_有误.csv", ledger(GOOD + [BAD_ROW]))
    refused = page.get_by_test_id("stAlertContentError").filter(has_text="文件未被接受")
    expect(refused).to_be_visible()
    expect(refused).to_contain_text("共 1 个错误")
    wait_for_app(page)
    expect(page.get_by_text("校验结果：1 个错误")).to_be_visible()
    expect(page.get_by_role("button", name="确认提交 Commit")).to_have_count(0)
    refused.scroll_into_view_if_needed()
    shot(page, "05_upload_refused")

    # The problem table is an HTML table that wraps its text: read it as the clerk sees it.
    problems = page.get_by_test_id("stTable").first
    header = [c.inner_text().strip() for c in problems.locator("thead th").all()]
    rows = [dict(zip(header, (c.inner_text().strip() for c in tr.locator("th, td").all())))
            for tr in problems.locator("tbody tr").all()]
    assert [(r["行"], r["列"], r["表头"], r["级别"], r["原值"]) for r in rows] == [
        ("7", "G", "是否初信初访", "错误", "也许")], rows
    assert rows[0]["问题"] == "是否初信初访“也许”：是/否无法识别，可填：是/否、Y/N、1/0、true/false"
    # and the page's own problem list says the same, with the English key of each problem
    listed = download_csv(page, page.get_by_role("button", name="下载问题清单 (CSV)"))
    assert [{k: v for k, v in r.items() if k != "key"} for r in listed] == rows
    assert [r["key"] for r in listed] == ["invalid_bool"]

    go_to(page, "总览 Overview", "党建引领基层治理 · 总览")
    expect(metric_value(page, "受理量")).to_have_text(figure)
    assert not page.page_errors, page.page_errors


def test_a_gbk_ledger_is_validated_committed_and_shown_on_the_overview(page: Page, app_url, tmp_path):
    open_overview(page, app_url)
    expect(metric_value(page, "受理量")).to_have_text("6件")  # tiny county, October 2024
    shot(page, "01_overview_before")

    go_to(page, "数据上传 Upload", "数据上传 Upload")
    upload_ledger(page, tmp_path, "信访台账.csv", ledger(GOOD))
    ok = page.get_by_test_id("stAlertContentSuccess").filter(has_text="校验通过")
    expect(ok).to_contain_text("3 行")
    expect(ok).to_contain_text("2024-10")
    wait_for_app(page)
    expect(page.get_by_text("编码：gb18030", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="确认提交 Commit")).to_be_visible()
    shot(page, "02_upload_validated")

    page.get_by_role("button", name="确认提交 Commit").click()
    done = page.get_by_test_id("stAlertContentSuccess").filter(has_text="已提交")
    expect(done).to_be_visible()
    wait_for_app(page)
    done.scroll_into_view_if_needed()
    shot(page, "03_upload_committed")

    go_to(page, "总览 Overview", "党建引领基层治理 · 总览")
    expect(metric_value(page, "受理量")).to_have_text("3件")  # October 2024 is now the uploaded ledger
    shot(page, "04_overview_after")
    assert not page.page_errors, page.page_errors


def commit_ledger(page: Page, tmp_path, name: str, data: bytes, scope_text: str) -> None:
    go_to(page, "数据上传 Upload", "数据上传 Upload")
    upload_ledger(page, tmp_path, name, data)
    ok = page.get_by_test_id("stAlertContentSuccess").filter(has_text="校验通过")
    expect(ok).to_contain_text(f"范围：{scope_text}")
    expect(ok).to_contain_text("范围以外的地区不受影响")
    wait_for_app(page)
    page.get_by_role("button", name="确认提交 Commit").click()
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="已提交")).to_be_visible()
    wait_for_app(page)


def test_town_a_and_town_b_november_uploads_both_show(page: Page, app_url, tmp_path):
    """The issue's case: one town's November upload must not wipe the other towns' November."""
    from tests.test_ingest import NOV_A, NOV_B

    open_overview(page, app_url)
    commit_ledger(page, tmp_path, "甲镇11月.csv", ledger(NOV_A), "甲镇")  # 2 cases, town A
    commit_ledger(page, tmp_path, "乙镇11月.csv", ledger(NOV_B), "乙镇")  # 1 case, town B
    shot(page, "06_upload_town_b")
    page.goto(app_url)  # a new session opens on the latest month: November
    wait_for_app(page)
    expect(page.get_by_text("示范县 · 2024年11月", exact=False)).to_be_visible()
    expect(metric_value(page, "受理量")).to_have_text("3件")  # both towns: 2 + 1, not 1
    assert not page.page_errors, page.page_errors
