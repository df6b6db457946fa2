"""Shared test set-up: the tiny county as a store and an engine, the AppTest entry point, a fixed targets file,
and the markers that let a developer run the fast layer alone (README: Test)."""

import os
import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest, app_test

from governance.store import Store
from queries import Engine
from tests import tiny

TESTS = Path(__file__).resolve().parent
APP = str(TESTS.parent / "app.py")
# Every test, and every server the browser tests start, reads this copy, never the analysts' data/targets.toml:
# editing the live targets must not move a test's expected colours.
os.environ["GOVERNANCE_TARGETS"] = str(TESTS / "fixtures" / "targets.toml")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in item.nodeid:
            item.add_marker(pytest.mark.e2e)


class _NavigationFirst(PagesManager):
    """AppTest starts every run in Streamlit's old pages/ mode, which runs a page file
    on its own, without app.py. A real server leaves that mode for good once app.py's
    st.navigation has run (governance/web/router.py sees to it on the first request), so
    the tests start where a real session is: with app.py in charge of every run."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@pytest.fixture(autouse=True)
def navigation_first(monkeypatch):
    monkeypatch.setattr(app_test, "PagesManager", _NavigationFirst)


@pytest.fixture(scope="session")
def tiny_template(tmp_path_factory) -> Path:
    """The tiny county built once (five commits); tests get copies of it, never this one."""
    return tiny.build(tmp_path_factory.mktemp("tiny_template") / "store").root


def tiny_copy(template: Path, root: Path) -> Store:
    """A store of its own at `root`, byte for byte the tiny county as tiny.build makes it (the Delta logs name
    their files relative to the table, so the copy is a store in its own right)."""
    shutil.copytree(template, root)
    return Store(root)


@pytest.fixture
def tiny_store(tmp_path, tiny_template):
    """A fresh tiny county store per test (tests/tiny.py), for tests that write."""
    return tiny_copy(tiny_template, tmp_path / "store")


@pytest.fixture(scope="module")
def tiny_engine(tmp_path_factory, tiny_template):
    """One engine over one tiny county store, shared by a module's read-only tests."""
    eng = Engine(tiny_copy(tiny_template, tmp_path_factory.mktemp("tiny") / "store"))
    yield eng
    eng.close()


@pytest.fixture
def served_store(tiny_store, monkeypatch):
    """The tiny store as the app's store (GOVERNANCE_STORE), with Streamlit's caches cleared around the test."""
    monkeypatch.setenv("GOVERNANCE_STORE", str(tiny_store.root))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield tiny_store
    st.cache_data.clear()
    st.cache_resource.clear()


def run_app(**query) -> AppTest:
    """The app from its entry point, as a browser's first request (with query parameters) would run it."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    return at


def run_page(page: str, **query) -> AppTest:
    """The app opened straight on `page` (e.g. "pages/petitions.py"), as a shared link to that page with those query
    parameters would open it: one run, where going through the overview first costs a whole overview run more."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params.update(query)
    at.switch_page(page)  # before the first run the page is known by its file name (its url_path here)
    at.run()
    assert not at.exception, at.exception
    # the run really was that page, not the default one: the hash asked for is the page st.navigation registered
    ran = at._registered_pages.get(at._page_hash, {}).get("script_path")
    assert ran and Path(ran).resolve() == (Path(APP).parent / page).resolve(), (page, ran)
    return at


def shown_cells(element):
    """An st.dataframe as the browser draws it: the Styler's display text where the page styled the table
    (ui.shown_table: a missing rate reads "—"), else the values."""
    import pyarrow as pa

    arrow = element.proto.arrow_data
    if arrow.HasField("styler") and arrow.styler.display_values:
        return pa.ipc.open_stream(arrow.styler.display_values).read_all().to_pandas()
    return element.value


def page_text(at) -> str:
    """Everything a page wrote as text, tables included, for 'this name must not appear' checks."""
    parts = [str(x.value) for x in [*at.caption, *at.markdown, *at.metric]]
    parts += [shown_cells(d).to_string() for d in at.dataframe]
    return " ".join(parts)


@pytest.fixture
def runs(monkeypatch):
    """How many times app.py ran in full: it pins the store version once at the top of every full run (a
    fragment's rerun does not), so a click that costs one run adds one."""
    from governance.web import app_data

    count = [0]
    pin = app_data.pin_version

    def counted():
        count[0] += 1
        return pin()

    monkeypatch.setattr(app_data, "pin_version", counted)
    return count
