"""One box that finds a town or village by name or by pinyin (initials 'jyc' or syllables) and jumps there."""

from __future__ import annotations

import streamlit as st

from governance.core.text import md_escape
from governance.web import app_data
from governance.web.filters import go_to
from governance.web.i18n import t

LEVEL_ZH = {"province": "省", "city": "市", "county": "县(区)", "town": "乡镇(街道)", "village": "村(社区)"}
KEY = "place_search"


def _jump(code: str) -> None:
    # a callback: it runs before the script, so the place pickers take the place in this same run
    st.session_state[KEY] = ""
    go_to(code)


def box() -> None:
    """In the sidebar: the search box and, under it, up to eight places to jump to."""
    with st.sidebar:
        query = st.text_input(t("查找地区", "Find a place"), key=KEY, max_chars=30,
                              placeholder=t("名称或拼音首字母，如 qyz", "name or pinyin initials"),
                              help=t("输入村、社区或乡镇名称的一部分，或其拼音、拼音首字母，回车后点击结果跳转。",
                                     "Part of a name, its pinyin or pinyin initials; press Enter, then click."))
        if not query.strip():
            return
        found = app_data.find_places(query)
        if not found:
            st.caption(t("没有找到（只查找您有权查看的地区）。", "Nothing found among the places you may see."))
            return
        for e in found:
            where = f"{e.parent_name} · " if e.level == "village" and e.parent_name else ""
            # a button label is Markdown and the names come from an upload: escaped as text
            st.button(md_escape(f"{where}{e.name}（{LEVEL_ZH.get(e.level, e.level)}）"), key=f"{KEY}_{e.code}",
                      on_click=_jump, args=(e.code,), type="tertiary", icon=":material/place:")
