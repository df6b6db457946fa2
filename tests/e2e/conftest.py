"""Real-browser fixtures: the app served by `streamlit run` on a tiny store, driven by Debian's chromium.

- ``app_url`` (module scope): builds ``tests.tiny`` in a tmp dir, starts the server on a free loopback
  port with ``GOVERNANCE_STORE`` pointing at it, waits for ``/_stcore/health`` and stops the whole
  process group afterwards. One server per test module: a module's tests share one store.
- ``demo_url`` (module scope): the same on the demo county 清源县 (``governance.demo``, county scale,
  months up to last month), for drilling county → town → village; ``demo_store`` is its store path.
- ``browser`` (session scope): sync Playwright on ``/usr/bin/chromium`` (Playwright's own browser
  download is not used). A missing chromium fails the tests, it never skips them.
- ``page`` (per test): a fresh context (1440x900, zh-CN) whose requests may only go to loopback;
  on failure it saves ``tests/artifacts/FAILED_<test>.png``.

Helpers for the tests are in ``tests/e2e/helpers.py``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

from tests import tiny
from tests.e2e.helpers import ARTIFACTS, TIMEOUT_MS

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
STARTUP_TIMEOUT_S = 60
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    # No proxies: the health check must go straight to the loopback server.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=2) as r:
            return r.status == 200 and r.read().decode().strip() == "ok"
    except OSError:
        return False


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    for sig, wait_s in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)  # the server and anything it started (start_new_session)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def _serve(store: Path, *, address: str = "127.0.0.1", args: tuple[str, ...] = (),
           env: dict[str, str] | None = None) -> Iterator[str]:
    """Serve app.py on `store` (log next to it), yield the base URL, stop the server afterwards.
    `address` is where it listens (and the URL's host), `args` more `streamlit run` options, `env` more
    environment."""
    port = _free_port()
    env = {**os.environ, "GOVERNANCE_STORE": str(store), "PYTHONUNBUFFERED": "1", **(env or {})}
    log_path = store.parent / "streamlit.log"
    log = open(log_path, "wb")
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
           "--server.headless", "true", "--server.address", address, "--browser.gatherUsageStats", "false",
           # other people edit pages while tests run: no file watcher, no "source changed" reruns
           "--server.fileWatcherType", "none", *args]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    base = f"http://{address}:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not _healthy(f"{base}/_stcore/health"):
            if proc.poll() is not None or time.monotonic() > deadline:
                why = f"exited with {proc.returncode}" if proc.poll() is not None else \
                    f"not healthy after {STARTUP_TIMEOUT_S} s"
                pytest.fail(f"streamlit server {why}: {' '.join(cmd)}\n--- log ---\n"
                            f"{log_path.read_text(errors='replace')[-4000:]}", pytrace=False)
            time.sleep(0.2)  # polling interval of the health check, not a wait for the app
        yield base
    finally:
        _stop(proc)
        log.close()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """Base URL of a `streamlit run app.py` serving a fresh tiny store (shared by the module's tests)."""
    store = tmp_path_factory.mktemp("e2e") / "store"
    tiny.build(store)
    with _serve(store) as base:
        yield base


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Path:
    """A fresh demo county store, built once per module (under a second; served by ``demo_url``)."""
    from governance.demo import generate as demo
    from governance.store import Store

    store = tmp_path_factory.mktemp("e2e_demo") / "store"
    demo.write_demo(Store(store), scale="county")  # 清源县: 15 towns, ~300 villages, 36 months to last month
    return store


@pytest.fixture(scope="module")
def demo_url(demo_store):
    """Base URL of a `streamlit run app.py` serving the demo county (enough towns and villages to drill)."""
    with _serve(demo_store) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).is_file() or not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"chromium not found at {CHROMIUM}: run `bash .ci/setup` (apt-get install chromium)",
                    pytrace=False)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    if rep.when == "call":
        item.e2e_failed = rep.failed
    return rep


@pytest.fixture
def page(browser, request):
    """A fresh browser context per test; everything not on loopback is refused and recorded."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", accept_downloads=True)
    blocked: list[str] = []

    def only_loopback(route):
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOOPBACK:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    # st.dataframe's "Download as CSV" uses the File System Access picker when there is one, a dialog
    # headless chromium cannot answer; without it the grid falls back to an ordinary download.
    context.add_init_script("delete window.showSaveFilePicker;")
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    pg.blocked_requests = blocked
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.page_errors = errors
    yield pg
    if getattr(request.node, "e2e_failed", False):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        try:
            pg.screenshot(path=str(ARTIFACTS / f"FAILED_{request.node.name}.png"))
        except Exception:  # noqa: BLE001 - the failure itself is what matters
            pass
    context.close()
    if blocked:
        print(f"\n[e2e] refused non-loopback requests: {sorted(set(blocked))}")
