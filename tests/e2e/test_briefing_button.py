"""In a real browser: the 简报导出 button makes the whole pack (Word, deck, PDF, images) for the place and month in view."""

from __future__ import annotations

import io

import docx
import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from pptx import Presentation

from tests.e2e.helpers import shot, wait_for_app
from tests.test_images import ocr


def test_one_button_makes_the_whole_pack_for_the_town_in_view(page: Page, app_url):
    page.goto(f"{app_url}/briefing?region=411102001000&from=2024-10&to=2024-10")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="简报导出")).to_be_visible()
    expect(page.get_by_text("一、信访工作", exact=False)).to_be_visible()
    expect(page.get_by_text("甲镇党建引领基层治理工作通报", exact=False)).to_be_visible()

    page.get_by_role("button", name="一键生成全套").click()
    word = page.get_by_role("button", name="下载Word 通报")
    expect(word).to_be_visible(timeout=90_000)
    for label in ("下载演示文稿 PPTX", "下载PDF（A4横向）", "下载图片与文字 ZIP", "下载全套 ZIP"):
        expect(page.get_by_role("button", name=label)).to_be_visible()
    shot(page, "06_briefing_ready")
    with page.expect_download() as dl:
        word.click()
    assert dl.value.suggested_filename == "甲镇_2024-10_通报.docx"
    notice = docx.Document(io.BytesIO(dl.value.path().read_bytes()))
    assert "三、存在问题" in [p.text for p in notice.paragraphs]

    with page.expect_download() as dl:
        page.get_by_role("button", name="下载演示文稿 PPTX").click()
    assert dl.value.suggested_filename == "甲镇_2024-10_简报.pptx"
    deck = Presentation(io.BytesIO(dl.value.path().read_bytes()))
    assert deck.slides[0].shapes.title.text == "甲镇党建引领基层治理工作简报"
    assert any(s.has_chart for slide in deck.slides for s in slide.shapes), "the deck has native charts"

    with page.expect_download() as dl:
        page.get_by_role("button", name="下载PDF（A4横向）").click()
    assert dl.value.path().read_bytes().startswith(b"%PDF")
    assert not page.page_errors, page.page_errors


def test_a_dashboard_chart_downloads_as_a_stamped_png(page: Page, app_url):
    page.goto(f"{app_url}/petitions?region=411102000000&from=2024-10&to=2024-10")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="信访事项")).to_be_visible()
    button = page.get_by_role("button", name="下载图片 (PNG)").first
    with page.expect_download(timeout=60_000) as dl:
        button.click()
    data = dl.value.path().read_bytes()
    assert data.startswith(b"\x89PNG")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (3200, 1800)  # 16:9 at twice 1600x900
    assert dl.value.suggested_filename.endswith(".png")


@pytest.mark.ocr
def test_a_ranking_png_download_is_titled_with_the_place_inside_its_top_5_percent(page: Page, app_url):
    page.goto(f"{app_url}/petitions?region=411102000000&from=2024-10&to=2024-10")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="信访事项")).to_be_visible()
    button = page.get_by_role("button", name="下载图片 (PNG)").nth(1)  # the trend's, then the ranking's
    with page.expect_download(timeout=60_000) as dl:
        button.click()
    assert "排名" in dl.value.suggested_filename
    image = Image.open(io.BytesIO(dl.value.path().read_bytes()))
    assert image.size == (3200, 1800)
    top = ocr(image.crop((0, 0, image.width, image.height * 5 // 100)))
    assert "示范县各乡镇(街道)" in top.replace("（", "(").replace("）", ")") and "2024年10月" in top
    assert "点击" not in ocr(image.crop((0, 0, image.width, image.height * 15 // 100)))  # no hint on a still
