"""Make sure app.py's st.navigation is in charge, even on a server's first request.

Streamlit still has the multipage mode of old, where every file in pages/
is a page run on its own. Until some session has run app.py's st.navigation,
a server that was just started serves a link straight to a page (say
/petitions?region=...) that old way: without app.py, so without its page
config, sign-in and page list. AppTest starts every run in that mode too.
Each page therefore calls ``entrypoint()`` first: in the old mode it switches
Streamlit to st.navigation and reruns, which lands on the same page via app.py.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def entrypoint() -> None:
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
