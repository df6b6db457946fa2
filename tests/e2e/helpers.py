"""What the browser tests share: bounded, event-based waits on the Streamlit app and screenshots."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, expect

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
# The longest any single wait in the browser may take: E2E_TIMEOUT_S, default 60 s, so a loaded 2-core
# machine (a full test run beside other work) waits long enough; an idle one finishes in a fraction of it.
TIMEOUT_MS = int(float(os.environ.get("E2E_TIMEOUT_S", "60")) * 1000)

SKELETONS = ", ".join(f'[data-testid="{t}"]' for t in ("stSkeleton", "stSkeletonElement", "stAppSkeleton"))

expect.set_options(timeout=TIMEOUT_MS)


def wait_for_app(page: Page) -> None:
    """Wait (event-based, bounded) until the app is connected, no script run is in progress and nothing is
    still loading.

    Right after a click the rerun may not have started yet, so first expect something the new run draws
    (a heading, an alert), then call this to let the run finish.
    """
    app = page.locator('[data-testid="stApp"]')
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED")
    expect(app).to_have_attribute("data-test-script-state", "notRunning")
    expect(page.locator('[data-testid="stStatusWidget"] [data-testid="stStatusWidgetRunningIcon"]')).to_have_count(0)
    # Elements whose code is loaded lazily (dataframes, ...) show a skeleton until they are drawn.
    expect(page.locator(SKELETONS)).to_have_count(0)


def shot(page: Page, name: str) -> Path:
    """Save a screenshot of the viewport to tests/artifacts/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


MAX_SHOT_HEIGHT = 8_000  # px: a full-page screenshot taller than this is cut here


def main_caption(page: Page):
    """The first caption of the page itself (the sidebar has captions of its own), e.g. the place and months."""
    return page.get_by_test_id("stMain").get_by_test_id("stCaptionContainer").first


def nav_to(page: Page, link: str, drawn: str | None = None) -> None:
    """Click `link` in the sidebar navigation and wait until the new page has drawn and its run is done.

    `drawn` is a CSS selector for something only the new page draws; by default its title (the first h1 of
    the main block) must show and differ from the title of the page we leave, which stays on screen until
    the server answers.
    """
    target = page.get_by_test_id("stSidebarNav").get_by_role("link", name=link, exact=True)
    if target.get_attribute("aria-current") == "page":  # already there
        wait_for_app(page)
        return
    title = page.get_by_test_id("stMain").locator("h1").first
    before = title.text_content() if drawn is None and title.count() else None
    target.click()
    expect(target).to_have_attribute("aria-current", "page")
    if drawn is None:
        expect(title).to_be_visible()
        if before:
            expect(title).not_to_have_text(before)
    else:
        expect(page.get_by_test_id("stMain").locator(drawn).first).to_be_visible()
    wait_for_app(page)


def full_shot(page: Page, name: str) -> Path:
    """Screenshot the whole page at the current width.

    Streamlit scrolls inside its main container, not the document, so a full-page screenshot only
    shows the viewport: make the viewport as tall as the content instead, shoot, and put it back.
    """
    size = page.viewport_size
    height = page.evaluate(
        "() => Math.max(...['stMain', 'stSidebarContent'].map(id => "
        "document.querySelector(`[data-testid=${id}]`)?.scrollHeight || 0), window.innerHeight)")
    page.set_viewport_size({"width": size["width"], "height": min(height, MAX_SHOT_HEIGHT)})
    try:
        settle(page)
        return shot(page, name)
    finally:
        page.set_viewport_size(size)
        settle(page)


def settle(page: Page) -> None:
    """Let the browser lay out and paint after a resize (two animation frames), then the app be idle."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    wait_for_app(page)


def choose_dataset(page: Page, option: str) -> None:
    """On the upload page: pick a dataset in the picker and wait for the page to follow."""
    combo = page.get_by_role("combobox", name="数据集 Dataset")
    combo.click()
    page.get_by_role("option", name=option).click()
    expect(combo).to_have_value(option)
    combo.blur()
    wait_for_app(page)


def drop_file(page: Page, tmp_path, name: str, data: bytes) -> None:
    """On the upload page: give the file input a file of that name and wait until the uploader lists it."""
    path = tmp_path / name
    path.write_bytes(data)
    uploader = page.get_by_test_id("stFileUploader")
    uploader.locator('input[type="file"]').set_input_files(path)
    expect(uploader.get_by_text(name, exact=True)).to_be_visible()
