"""In real processes and a real browser: `python -m governance serve --replicas 2`, two Streamlit replicas
behind Debian's nginx, on loopback ports, over one tiny store (issue 14, item 4).

The module's tests share one `serve` (started once: two replicas take a few seconds) and run in order: the
commit test changes the store; the kill test replaces a replica; the last test stops everything.
A browser is pinned to a replica by the routing cookie (gov_replica=r1 / r2), as nginx itself sets it on
the first answer; nginx says which replica answered in X-Governance-Replica.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest
from playwright.sync_api import Page, expect

from tests import tiny
from tests.e2e.conftest import ROOT, _free_port, _healthy
from tests.e2e.helpers import TIMEOUT_MS, shot, wait_for_app
from tests.e2e.test_upload_flow import metric_value, open_overview, upload_ledger
from tests.test_ingest import GOOD, ledger

STARTUP_S = 90


def _state(run: Path) -> dict:
    try:
        return json.loads((run / "serve.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`serve --replicas 2` on a fresh tiny store: (base URL, run folder, the serve process)."""
    tmp = tmp_path_factory.mktemp("replicas")
    store, run = tmp / "store", tmp / "run"
    tiny.build(store)
    port = _free_port()
    log = open(tmp / "serve.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "governance", "serve", "--replicas", "2", "--port", str(port),
                             "--store", str(store), "--run-dir", str(run)], cwd=ROOT, stdout=log,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_S
    while not (_state(run).get("nginx_pid") and _healthy(f"{base}/_stcore/health")):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"serve did not come up:\n{(tmp / 'serve.log').read_text(errors='replace')[-4000:]}",
                        pytrace=False)
        time.sleep(0.2)  # polling interval, not a wait for the app
    yield base, run, proc
    if proc.poll() is None:  # the last test stops it; a failure before that must not leave processes behind
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    log.close()


def _get(url: str, replica: str | None = None) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers={"Cookie": f"gov_replica={replica}"} if replica else {})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as r:
        return r.status, dict(r.headers), r.read().decode(errors="replace")


def _pinned(page: Page, base: str, replica: str) -> Page:
    page.context.add_cookies([{"name": "gov_replica", "value": replica, "url": base}])
    return page


@pytest.fixture
def second_page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    yield pg
    context.close()


def test_both_replicas_serve_the_same_figures_through_nginx(served, page: Page, second_page: Page):
    base, run, _ = served
    replicas = _state(run)["replicas"]
    assert [r["name"] for r in replicas] == ["r1", "r2"]
    for r in replicas:  # each replica itself, on loopback
        assert _healthy(f"http://127.0.0.1:{r['port']}/_stcore/health")
    # nginx routes by the cookie, and a first visit (no cookie) is given one naming the replica that answered
    for name in ("r1", "r2"):
        status, headers, body = _get(f"{base}/_stcore/health", name)
        assert (status, headers["X-Governance-Replica"], body) == (200, name, "ok")
    _, headers, _ = _get(f"{base}/")
    assert headers["Set-Cookie"].startswith(f"gov_replica={headers['X-Governance-Replica']};")

    for pg, name in ((page, "r1"), (second_page, "r2")):
        _pinned(pg, base, name)
        response = pg.goto(base)
        assert response.headers["x-governance-replica"] == name
        wait_for_app(pg)
        expect(pg.get_by_role("heading", name="党建引领基层治理 · 总览")).to_be_visible()
        expect(metric_value(pg, "受理量")).to_have_text("6件")  # tiny county, October 2024: p1-p6
        shot(pg, f"replicas_overview_{name}")
    assert not page.page_errors, page.page_errors


def test_a_commit_through_one_replica_shows_through_the_other(served, page: Page, second_page: Page, tmp_path):
    base, run, _ = served
    reader = _pinned(second_page, base, "r2")
    open_overview(reader, base)
    expect(metric_value(reader, "受理量")).to_have_text("6件")

    writer = _pinned(page, base, "r1")
    writer.goto(f"{base}/upload")
    wait_for_app(writer)
    # the file goes up over HTTP, beside the session's websocket: both must reach r1
    upload_ledger(writer, tmp_path, "信访台账.csv", ledger(GOOD))
    writer.get_by_role("button", name="确认提交 Commit").click()
    expect(writer.get_by_test_id("stAlertContentSuccess").filter(has_text="已提交")).to_be_visible()
    wait_for_app(writer)

    # r2's open session: its next rerun (the town filter's way round: another page and back) reads the commit
    reader.get_by_test_id("stSidebarNav").get_by_role("link", name="信访 Petitions").click()
    expect(reader.get_by_role("heading", name="信访事项")).to_be_visible()
    wait_for_app(reader)
    reader.get_by_test_id("stSidebarNav").get_by_role("link", name="总览 Overview").click()
    expect(metric_value(reader, "受理量")).to_have_text("3件")  # GOOD: three October cases replace p1-p6
    wait_for_app(reader)
    shot(reader, "replicas_commit_seen_on_r2")
    log = (run / "access.log").read_text(encoding="utf-8")
    uploads = [line for line in log.splitlines() if "/_stcore/upload_file/" in line]
    assert uploads and all("cookie=r1" in line and line.split("upstream=")[1].split(",")[-1].strip()
                           == f"127.0.0.1:{_state(run)['replicas'][0]['port']}" for line in uploads), uploads


def test_a_killed_replica_is_replaced_and_its_browser_reconnects(served, page: Page):
    base, run, _ = served
    pinned = _pinned(page, base, "r1")
    pinned.goto(base)
    wait_for_app(pinned)
    expect(metric_value(pinned, "受理量")).to_have_text("3件")  # the store as the commit test left it
    # every connection state the page goes through from now on
    pinned.evaluate("""() => { const app = document.querySelector('[data-testid="stApp"]');
        window.__states = [];
        new MutationObserver(() => window.__states.push(app.getAttribute('data-test-connection-state')))
            .observe(app, {attributes: true, attributeFilter: ['data-test-connection-state']}); }""")
    before = _state(run)["replicas"][0]
    os.killpg(before["pid"], signal.SIGKILL)  # mid-session, no goodbye

    deadline = time.monotonic() + STARTUP_S
    while True:  # the supervisor starts r1 again, on the same port
        now = _state(run)["replicas"][0]
        if now["pid"] and now["pid"] != before["pid"] and _healthy(f"http://127.0.0.1:{now['port']}/_stcore/health"):
            break
        assert time.monotonic() < deadline, f"r1 not replaced: {now}"
        time.sleep(0.2)
    assert (now["port"], now["starts"]) == (before["port"], before["starts"] + 1)

    app = pinned.get_by_test_id("stApp")
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED")
    states = pinned.evaluate("window.__states")
    assert any(s != "CONNECTED" for s in states), states  # the page did lose its replica, and came back
    # the session works: a rerun draws another page and its figures
    pinned.get_by_test_id("stSidebarNav").get_by_role("link", name="信访 Petitions").click()
    expect(pinned.get_by_role("heading", name="信访事项")).to_be_visible()
    wait_for_app(pinned)
    expect(metric_value(pinned, "受理量")).to_have_text("3件")
    shot(pinned, "replicas_reconnected")


def test_sigterm_stops_nginx_and_every_replica(served):
    _, run, proc = served
    state = _state(run)
    pids = [state["nginx_pid"], *[r["pid"] for r in state["replicas"]]]
    assert all(psutil.pid_exists(p) for p in pids)
    os.kill(proc.pid, signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    alive = [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
    assert not alive, alive
