"""Errors without internals: a friendly message with a reference id in the page, the traceback in the server log.

Streamlit's own error box shows the exception and a traceback with server paths (issue 10);
.streamlit/config.toml turns that off (client.showErrorDetails = "none") and the router runs every page
through ``guarded``, so a user gets a short id to quote and the administrator finds it in the log.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

import streamlit as st

log = logging.getLogger("governance.web")


def reference() -> str:
    """A short id a user can read out on the phone: 6 hex digits."""
    return secrets.token_hex(3).upper()


def guarded(run: Callable[[], object], where: str) -> None:
    """Run a page; an exception becomes a logged traceback and a message with its reference id.
    st.stop and st.rerun are BaseExceptions, not Exceptions, and pass through untouched."""
    try:
        run()
    except Exception:
        ref = reference()
        log.exception("error %s on page %s", ref, where)
        st.error(f"页面出错了（错误编号 {ref}）。请刷新页面重试；如果仍然出错，请把错误编号告诉系统管理员。"
                 f" Something went wrong (reference {ref}); please reload, or give the reference to your administrator.")


def logged(message: str, where: str) -> str:
    """For an exception being handled where the page can go on: log it (traceback and all) under a new
    reference id, and return the user's message with that id. The exception's own text (a path, an errno)
    stays in the log."""
    ref = reference()
    log.exception("error %s in %s", ref, where)
    return f"{message}（错误编号 {ref}）"
