"""Shared test set-up."""

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import app_test


class _NavigationFirst(PagesManager):
    """AppTest starts every run in Streamlit's old pages/ mode, which runs a page file
    on its own, without app.py. A real server leaves that mode for good once app.py's
    st.navigation has run (governance/router.py sees to it on the first request), so
    the tests start where a real session is: with app.py in charge of every run."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@pytest.fixture(autouse=True)
def navigation_first(monkeypatch):
    monkeypatch.setattr(app_test, "PagesManager", _NavigationFirst)
