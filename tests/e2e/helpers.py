"""What the browser tests share: bounded, event-based waits on the Streamlit app and screenshots."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
TIMEOUT_MS = 20_000  # the longest any single wait in the browser may take

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
