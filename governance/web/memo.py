"""Finished figures and tables, made once and shared by every session (issue 14).

Query results were already cached, but every rerun still rebuilt each Plotly figure and table from them:
at province scale that was a third of a warm rerun's CPU. ``made(build, *args)`` keeps what ``build``
returns per (build, args, store version, account scope, view date, language, targets file, small-base
setting), so a new store version, another account's place, another view date (figures are read on it: SPEC
"Reading figures on a given day"), the other language or an edited targets file each make it afresh.

What comes back is shared: draw it, copy it, never change it. The cache is bounded (entries and age), and
holds figures and the small tables behind them, never a copy of the data.
"""

from __future__ import annotations

import streamlit as st

from governance.core import settings, targets
from governance.web import app_data
from governance.web.i18n import lang

TTL = 3600
MAX_ENTRIES = 512


@st.cache_resource(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _made(key: str, _build, _args: tuple):
    return _build(*_args)


def made(build, *args):
    """build(*args), made once per store version, scope, view date, language and targets. args must have a
    faithful repr (codes, keys, a Filters); build a named function, not a lambda."""
    root, ver = app_data.store_key()
    key = repr((build.__module__, build.__qualname__, args, root, ver, app_data.view_date().isoformat(), lang(),
                targets.stamp(), settings.small_base()))
    return _made(key, build, args)
