"""Chinese first, with an English switch: t("中文", "English") picks by the sidebar's language."""

from __future__ import annotations

import streamlit as st

from governance.core import contract


def lang() -> str:
    return st.session_state.get("lang", st.session_state.get("keep_lang", "zh"))


def t(zh: str, en: str) -> str:
    return en if lang() == "en" else zh


def name(ind: contract.Indicator) -> str:
    return t(ind.zh, ind.en)


def dataset_name(key: str) -> str:
    return t(contract.dataset(key).zh, {"petitions": "Petitions", "disputes": "Disputes", "grid": "Grid management",
                                        "branches": "Branch ratings", "regions": "Regions"}[key])
