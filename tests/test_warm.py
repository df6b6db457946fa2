"""The server builds the store's version when it starts and each new version as it appears (governance/web/warm.py),
so no visitor waits for a schema to be built (issue 14)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

from governance.store import Store
from governance.web import app_data
from governance.web.warm import Warmer
from queries import Engine
from tests import tiny

ROOT = Path(__file__).resolve().parents[1]

# Serves app.py as `streamlit run app.py` does (uvicorn imports it as module `app` and serves its st.App), with
# the store's snapshot held back until the health check has been answered: the warm-up is then provably under
# way while the server answers. Prints what it saw as JSON.
PROBE = r"""
import json, socket, sys, threading, urllib.request
from governance.store import delta

entered, gate = threading.Event(), threading.Event()
original = delta.Store.snapshot

def held(self, version):
    entered.set()
    gate.wait(60)
    return original(self, version)

delta.Store.snapshot = held
import uvicorn
import app as server

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
uv = uvicorn.Server(uvicorn.Config(server.app, host="127.0.0.1", port=port, log_level="warning"))
thread = threading.Thread(target=uv.run, daemon=True)
thread.start()
out = {"building": entered.wait(60)}
warmer = server.app.state["warmer"]
with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=20) as r:
    out["health"] = [r.status, r.read().decode()]
out["built_while_held"] = warmer.engine.built()
gate.set()
out["ready"] = warmer.ready.wait(60)
from governance.web import app_data

out["same_engine"] = app_data.engine() is warmer.engine  # what every session's app_data call returns
out["built"] = warmer.engine.built()
from governance.core import regions, settings

made = []
regions.place_tree = lambda places: made.append(len(places))  # a tree made now would be a cache miss
out["tree_ready"] = app_data.place_tree(str(settings.store_root()), out["built"][-1]) is not None and made == []
out["builds"] = [v for v, _ in warmer.builds]
uv.should_exit = True
thread.join(20)
print("PROBE " + json.dumps(out))
"""


def _probe(store_root: Path) -> dict:
    env = {"GOVERNANCE_STORE": str(store_root), "PATH": "/usr/bin:/bin", "HOME": str(Path.home())}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    lines = [line for line in done.stdout.splitlines() if line.startswith("PROBE ")]
    assert done.returncode == 0 and lines, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(lines[-1][len("PROBE "):])


def test_the_server_builds_the_store_version_at_start_and_answers_its_health_check_meanwhile(tiny_store):
    seen = _probe(tiny_store.root)
    assert seen["building"] and seen["health"] == [200, "ok"]
    assert seen["built_while_held"] == []  # the health check was answered while the build was held back
    version = Store(tiny_store.root).version()
    assert seen["ready"] and seen["built"] == [version] and seen["builds"] == [version]
    assert seen["same_engine"]  # built in the engine the sessions use, not a copy
    assert seen["tree_ready"]  # and the region tree a first run reads, made for that version


def test_an_empty_store_gets_the_demo_county_at_start(tmp_path):
    seen = _probe(tmp_path / "empty")
    store = Store(tmp_path / "empty")
    assert not store.is_empty() and len(store.read("regions")) > 100  # the demo county's places
    assert seen["built"] == [store.version()]


def _commit_from_another_process(root: Path) -> None:
    """A commit as another replica or the command line makes it: petitions' October again, from its own
    process."""
    code = ("import sys; from governance.store import Store; from tests import tiny; "
            "Store(sys.argv[1]).commit('petitions', tiny.petitions(), source='again.csv', who='other')")
    subprocess.run([sys.executable, "-c", code, str(root)], cwd=ROOT, check=True, timeout=120)


def _until(condition, timeout_s: float = 30) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_version_committed_elsewhere_is_built_without_any_query(tiny_store, monkeypatch):
    engine = Engine(tiny_store)
    ran = []
    monkeypatch.setattr(engine, "run", lambda *a, **k: ran.append(a))
    first = tiny_store.version()
    warmer = Warmer(lambda: engine, poll_s=0.05).start()
    try:
        assert warmer.ready.wait(30) and engine.built() == [first]
        _commit_from_another_process(tiny_store.root)
        second = Store(tiny_store.root).version()
        assert second != first
        assert _until(lambda: second in engine.built()), engine.built()
        # a build is logged once its settled counts are made too, a moment after the schema
        assert _until(lambda: len(warmer.builds) == 2), warmer.builds
        assert [v for v, _ in warmer.builds] == [first, second]
        assert ran == []  # nobody asked: the watcher built it
    finally:
        warmer.stop()
        monkeypatch.undo()
    # a session asking for the new version now reads it at once: no schema is made for it
    made = engine._made
    frame = engine.run("places", {"code_lo": 0, "code_hi": 10**12 - 1}, version=second)
    assert set(frame["region_code"]) == {tiny.COUNTY, tiny.TOWN_A, tiny.TOWN_B, tiny.A1, tiny.A2, tiny.B1}
    assert engine._made == made
    engine.close()


def test_the_warmer_goes_on_when_the_store_cannot_be_prepared(tiny_store):
    engine = Engine(tiny_store)

    def read_only():
        raise OSError(30, "Read-only file system")

    calls = []

    def flaky():  # the engine cannot be made the first time (a store being moved), then can
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("store unreadable")
        return engine

    warmer = Warmer(flaky, poll_s=0.05, first=read_only).start()
    try:
        assert _until(lambda: engine.built() == [tiny_store.version()])
        assert warmer._thread.is_alive()
    finally:
        warmer.stop()
        engine.close()


def test_a_visitor_waits_for_the_demo_being_built_instead_of_reading_half_of_it(served_store, tmp_path,
                                                                                monkeypatch):
    """The warm-up builds the demo county under ensure_demo's lock; a visitor arriving meanwhile, when some
    tables are written and others not, waits for the lock rather than reading a store half written."""
    from tests.conftest import run_app

    empty = Store(tmp_path / "fresh")
    monkeypatch.setenv("GOVERNANCE_STORE", str(empty.root))
    lock = app_data._first_start_lock()
    lock.acquire()  # as build_demo holds it
    empty.commit("regions", tiny.regions(), source="regions.csv", who="demo")  # part of the store written
    seen = {}
    visitor = threading.Thread(target=lambda: seen.setdefault("at", run_app()))
    visitor.start()
    visitor.join(3)
    still_waiting = visitor.is_alive()
    for key, rows in (("petitions", tiny.petitions()), ("disputes", tiny.disputes_published_year()),
                      ("grid", tiny.grid()), ("branches", tiny.branches())):
        empty.commit(key, rows, source=f"{key}.csv", who="demo")
    lock.release()
    visitor.join(60)
    assert still_waiting
    at = seen["at"]
    # the visitor's run pinned the finished store, not the one with regions alone
    assert at.session_state[app_data.PIN][1] == Store(empty.root).version()
