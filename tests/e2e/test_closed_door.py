"""In a real browser: a closed door (issue 10, items 3 and 5).

- Without accounts, a browser that is not on this computer gets a note and nothing else, and no page by URL.
  The browser here is on this computer, so it comes as a LAN client comes through a reverse proxy: with an
  X-Forwarded-For header (a client straight from another address is the AppTest in tests/test_access.py).
- With accounts, a visitor who has not signed in sees the sign-in note only: no figures, and a link straight
  to the history page (uploaders' names, file names) shows the same note.
- On this computer, the issue's million-comma CSV is refused on the upload page, naming its row.
"""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import Page, expect

from governance.core.passwords import hash_password
from tests import tiny
from tests.e2e.conftest import _serve
from tests.e2e.helpers import shot, wait_for_app

CLOSED_NOTE = "本看板未配置账号，只能在运行它的电脑上打开"
SIGN_IN_NOTE = "请先在左侧登录"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e_door") / "store"
    tiny.build(root)
    return root


@pytest.fixture
def other_page(page: Page):
    """The page fixture's browser, as a client on another machine behind a proxy on this one."""
    page.context.set_extra_http_headers({"X-Forwarded-For": "10.0.0.7"})
    return page


def test_without_accounts_another_address_gets_only_a_note(other_page: Page, store):
    with _serve(store) as base:
        for path in ("", "/upload", "/history", "/petitions"):
            other_page.goto(f"{base}{path}")
            wait_for_app(other_page)
            expect(other_page.get_by_text(CLOSED_NOTE, exact=False).first).to_be_visible()
            expect(other_page.get_by_test_id("stMetric")).to_have_count(0)
            expect(other_page.get_by_test_id("stFileUploader")).to_have_count(0)
            expect(other_page.get_by_test_id("stDataFrame")).to_have_count(0)
        shot(other_page, "door_other_address")


def test_with_accounts_visitors_must_sign_in_first(page: Page, store, tmp_path):
    secrets = tmp_path / "secrets.toml"
    stored = hash_password("s3cret", iterations=1000)
    secrets.write_text(f'[users.li]\npassword_hash = "{stored}"\nrole = "analyst"\n', encoding="utf-8")
    with _serve(store, args=("--secrets.files", str(secrets))) as base:
        for path in ("", "/history", "/upload"):
            page.goto(f"{base}{path}")
            wait_for_app(page)
            expect(page.get_by_text(SIGN_IN_NOTE, exact=False).first).to_be_visible()
            expect(page.get_by_test_id("stMetric")).to_have_count(0)
            expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
        page.get_by_label("用户名 User").fill("li")
        page.get_by_label("密码 Password").fill("s3cret")
        page.get_by_role("button", name="登录 Sign in").click()
        expect(page.get_by_text("当前用户：li", exact=False)).to_be_visible()
        expect(page.get_by_role("heading", name="数据上传 Upload")).to_be_visible()  # the page the link asked for
        wait_for_app(page)
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="总览 Overview").click()
        expect(page.get_by_test_id("stMetric").first).to_be_visible()
        shot(page, "door_signed_in")


def test_a_million_commas_are_refused_on_the_upload_page_naming_the_row(page: Page, store, tmp_path):
    rows = [f"XF{i:03d},411102001201,2024-10-08,来信,劳动社保" for i in range(1, 40)]
    rows.insert(33, "," * 1_000_000)  # Excel row 35
    path = tmp_path / "宽行.csv"
    path.write_bytes(("\n".join(["信访件编号,区划代码,受理日期,信访形式,问题类别", *rows]) + "\n").encode("utf-8"))
    with _serve(store) as base:
        page.goto(f"{base}/upload")
        wait_for_app(page)
        page.get_by_test_id("stFileUploader").locator('input[type="file"]').set_input_files(path)
        expect(page.get_by_test_id("stAlertContentError").filter(has_text="文件未被接受")).to_be_visible()
        wait_for_app(page)
        with page.expect_download() as dl:
            page.get_by_role("button", name="下载问题清单 (CSV)").click()
        problems = list(csv.DictReader(io.StringIO(dl.value.path().read_bytes().decode("utf-8-sig"))))
        assert [p["key"] for p in problems] == ["too_wide"]
        assert problems[0]["问题"].startswith("第 35 行有 1,000,001 列，超过上限 200 列")
        shot(page, "door_wide_row_refused")
