"""The store's current version built when the server starts and whenever a commit is seen, not by a visitor.

A fresh server used to build the store version's DuckDB schema (at province scale 2-5 s of CPU: 8 million
rows loaded into tables) when its first visitor's script asked for it, and that visitor waited; after a
commit, the first session asking for the new version built it and waited (issue 14).

app.py is served as an ``st.App`` whose lifespan starts one ``Warmer`` per server process, before the first
visitor can arrive and without holding up the server (its health check answers meanwhile). The warmer's
thread takes the very engine the sessions use (app_data's cached one), builds the demo county into an empty
store exactly as the first visitor would (app_data.build_demo, under the same lock), builds the current
version, then reads the store's version every few seconds and builds a new one once it has held for one
look (a burst of commits, as an upload of several datasets makes, is built once, not once per commit).
Sessions still read the latest version on every run (never a stale one): they find it built, or wait for the
build already under way instead of starting their own. One builder: this thread, one version at a time; the
engine's own rules (two versions kept, none dropped while a query reads it) stay as they are.

Nothing here may stop the server: a store that is damaged, read-only or unreadable is logged and tried again
on its next version, and the pages say what is wrong as they always did.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable

from governance.core import settings

log = logging.getLogger("governance.warm")
if not log.handlers:  # Streamlit configures only its own loggers: say what was built in the server's log
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)


def poll_seconds() -> float:
    """How often the warmer reads the store's version (GOVERNANCE_WARM_POLL_S, 2 s): a Delta store's version is
    one directory listing per table, so this costs next to nothing."""
    try:
        return max(0.1, float(os.environ.get("GOVERNANCE_WARM_POLL_S", 2)))
    except ValueError:
        return 2.0


class Warmer:
    """A thread that keeps the engine's schema of the store's latest version built.

    ``engine()`` returns the engine to build in (called on the thread, so creating it does not hold up the
    server); ``first()``, if given, runs once before the first build (the demo county on an empty store);
    ``then(version)``, if given, after each build (what the app makes once per version: the region tree)."""

    def __init__(self, engine: Callable[[], object], poll_s: float | None = None,
                 first: Callable[[], object] | None = None, then: Callable[[object], object] | None = None):
        self._engine = engine
        self._first = first
        self._then = then
        self.poll_s = poll_seconds() if poll_s is None else poll_s
        self.engine = None  # the engine built in, once made
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="governance-warm", daemon=True)
        self.builds: list[tuple[object, float]] = []  # (version, seconds) of each build this thread made
        self.ready = threading.Event()  # set once the version current at start is built (or could not be)

    def start(self) -> Warmer:
        self._thread.start()
        return self

    def stop(self, wait_s: float = 5) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(wait_s)

    def _run(self) -> None:
        try:
            if self._first is not None:
                self._first()
        except Exception:  # a read-only or full disk: the first visitor's page says so
            log.exception("warm-up: could not prepare the store")
        failed = noticed = last_error = None
        while not self._stop.is_set():
            version = None
            try:
                engine = self.engine = self.engine or self._engine()
                version = engine.version()
                built = engine.built()
                if version != failed and version not in built and built and version != noticed:
                    # a commit just landed; more may follow at once (an upload of several datasets, a demo
                    # build): build the version that still holds one poll later, not every one in between
                    noticed = version
                elif version != failed and version not in built:
                    started = time.monotonic()
                    # the settled counts too (queries.SETTLED): the first trend or ranking would build them
                    engine.prepare(version, settle={d: settings.deadline_for(d) for d in ("petitions", "disputes")})
                    if self._then is not None:
                        self._then(version)
                    took = time.monotonic() - started
                    self.builds.append((version, took))
                    log.info("warm-up: store version %s built in %.1f s", version, took)
            except Exception as e:  # damaged or unreadable: logged once, and the pages say the rest
                if (version, repr(e)) != (failed, last_error):
                    log.exception("warm-up: could not build store version %s", version)
                failed, last_error = version, repr(e)
            self.ready.set()
            self._stop.wait(self.poll_s)


_started: list[Warmer] = []
_start_lock = threading.Lock()


def _app_engine():
    # imported on the warm-up thread: app_data pulls in pandas, Plotly and the metrics (a second or more), which
    # would otherwise hold up the server's start and its first health answer
    from governance.web import app_data  # the engine and the store only through the gateway

    return app_data.engine()


def _app_demo() -> None:
    from governance.web import app_data

    app_data.build_demo()


def _app_places(version) -> None:
    from governance.web import app_data

    app_data.warm_places(version)


def start() -> Warmer:
    """This process's warmer over the app's engine, started once."""
    with _start_lock:
        if not _started:
            _started.append(Warmer(_app_engine, first=_app_demo, then=_app_places).start())
        return _started[0]


@contextlib.asynccontextmanager
async def lifespan(app):
    """st.App's lifespan (app.py): start the warmer, never wait for it."""
    warmer = start()
    try:
        yield {"warmer": warmer}
    finally:
        warmer.stop()
