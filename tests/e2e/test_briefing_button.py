"""In a real browser: the 简报导出 button makes a deck and a PDF for the place and month in view."""

from __future__ import annotations

import io

from playwright.sync_api import Page, expect
from pptx import Presentation

from tests.e2e.helpers import shot, wait_for_app


def test_briefing_buttons_make_a_deck_and_a_pdf_for_the_town_in_view(page: Page, app_url):
    page.goto(f"{app_url}/briefing?region=411102001000&from=2024-10&to=2024-10")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="简报导出")).to_be_visible()
    expect(page.get_by_text("一、信访工作", exact=False)).to_be_visible()

    page.get_by_role("button", name="生成演示文稿 PPTX").click()
    download = page.get_by_role("button", name="下载演示文稿 PPTX")
    expect(download).to_be_visible(timeout=90_000)
    with page.expect_download() as dl:
        download.click()
    assert dl.value.suggested_filename == "甲镇_2024-10_简报.pptx"
    deck = Presentation(io.BytesIO(dl.value.path().read_bytes()))
    texts = [shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame]
    assert any("甲镇" in t and "简报" in t for t in texts)
    pictures = [s for slide in deck.slides for s in slide.shapes if s.shape_type == 13]
    assert pictures, "the deck has chart pictures"

    page.get_by_role("button", name="生成PDF（A4横向）").click()
    pdf = page.get_by_role("button", name="下载PDF（A4横向）")
    expect(pdf).to_be_visible(timeout=90_000)
    with page.expect_download() as dl:
        pdf.click()
    assert dl.value.path().read_bytes().startswith(b"%PDF")
    shot(page, "06_briefing_ready")
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
