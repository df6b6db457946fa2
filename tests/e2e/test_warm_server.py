"""`streamlit run app.py` serves app.py's st.App: the store's version is built when the server starts, before
any browser connects, and a version committed by another process is built as soon as the server sees it
(governance/web/warm.py; issue 14)."""

from __future__ import annotations

import time

from governance.store import Store
from tests import tiny
from tests.e2e.conftest import _serve
from tests.e2e.helpers import TIMEOUT_MS


def _logged(log, text: str) -> bool:
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while text not in log.read_text(errors="replace"):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_the_served_app_builds_its_store_at_start_and_each_new_version_without_a_visitor(tmp_path):
    root = tmp_path / "store"
    store = tiny.build(root)
    log = tmp_path / "streamlit.log"  # where _serve writes the server's output
    first = store.version()
    with _serve(root, env={"GOVERNANCE_WARM_POLL_S": "0.2"}):
        # no browser has connected: only the server's warm-up can have built it
        assert _logged(log, f"warm-up: store version {first} built"), log.read_text()[-3000:]
        Store(root).commit("petitions", tiny.petitions(), source="again.csv", who="another replica")
        second = Store(root).version()
        assert second != first
        assert _logged(log, f"warm-up: store version {second} built"), log.read_text()[-3000:]
        assert "Traceback" not in log.read_text()
