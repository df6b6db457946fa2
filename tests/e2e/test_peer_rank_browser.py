"""In a real browser, a town office signed in with GOVERNANCE_PEER_RANK=1: its petitions page shows where it stands
among its peers, each part whole on a line at desktop and phone width, naming no other town and not scrolling
sideways. Screenshots: tests/artifacts/peer_rank_desktop.png, peer_rank_phone.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from governance.core.passwords import hash_password
from tests import tiny
from tests.e2e.conftest import _serve
from tests.e2e.helpers import shot, wait_for_app


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    root = tmp_path_factory.mktemp("peer")
    tiny.build(root / "store")
    secrets = root / "secrets.toml"
    secrets.write_text(f'[users.jia]\npassword_hash = "{hash_password("s3cret", iterations=1000)}"\n'
                       f'role = "viewer"\nregion = "{tiny.TOWN_A}"\n', encoding="utf-8")
    # small base 1: the tiny towns' handful of cases are ranked
    with _serve(root / "store", args=("--secrets.files", str(secrets)),
                env={"GOVERNANCE_PEER_RANK": "1", "GOVERNANCE_SMALL_BASE": "1"}) as base:
        yield base


@pytest.mark.parametrize("size", [{"width": 1440, "height": 900}, {"width": 390, "height": 844}],
                         ids=["desktop", "phone"])
def test_a_town_sees_its_rank_whole_and_no_other_town(page: Page, url, size):
    page.set_viewport_size(size)
    page.goto(f"{url}/petitions?from=2024-10&to=2024-10")
    wait_for_app(page)
    if size["width"] < 600:
        page.get_by_test_id("stExpandSidebarButton").click()
    page.get_by_label("用户名 User").fill("jia")
    page.get_by_label("密码 Password").fill("s3cret")
    page.get_by_role("button", name="登录 Sign in").click()
    caption = page.get_by_test_id("stMain").get_by_test_id("stCaptionContainer").filter(has_text="中的名次")
    expect(caption).to_be_visible()
    wait_for_app(page)
    sidebar = page.get_by_test_id("stSidebar")
    if size["width"] < 600:  # the sign-in left the sidebar open over the page: close it to see the page
        sidebar.get_by_test_id("stSidebarCollapseButton").locator("button").click()
        expect(sidebar).to_have_attribute("data-collapsed", "true")
    # October 2024 read today: 甲镇 has p8 open past its deadline, 乙镇 none (tests/tiny.py): second of two
    expect(caption).to_contain_text(re.compile(r"在同级 2 个乡镇\(街道\)中的名次：.*超期未办结 第2/2"))
    # every part on one line: no part's box is taller than one line of the caption's text
    parts = caption.locator("span").evaluate_all(
        "els => els.map(e => [e.textContent, e.getBoundingClientRect().height, e.getBoundingClientRect().right])")
    line = caption.locator("span").first.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
    assert parts and all(h <= line * 1.5 and right <= size["width"] for _, h, right in parts), (parts, line)
    body = page.get_by_test_id("stMain").inner_text()
    assert "甲镇" in body and "乙镇" not in body and "乙一村" not in body
    assert page.evaluate("() => document.documentElement.scrollWidth - innerWidth") <= 0
    caption.scroll_into_view_if_needed()
    shot(page, f"peer_rank_{'phone' if size['width'] < 600 else 'desktop'}")
    assert not page.page_errors, page.page_errors
