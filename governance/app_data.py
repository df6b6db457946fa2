"""What the Streamlit pages call: one cached engine, cached query results.

Results are cached per manifest version, so a commit makes every page show the
new data on its next rerun without a restart, and old entries age out.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from governance import contract, indicators
from governance.regions import home_region  # noqa: F401  (pages call app_data.home_region)
from governance.settings import store_root
from governance.store import Store
from queries import Engine


@st.cache_resource
def _engine(root: str) -> Engine:
    return Engine(Store(root))


def engine() -> Engine:
    return _engine(str(store_root()))


def version() -> int:
    return engine().version()


def ensure_demo() -> None:
    """First start on an empty store: build the demo county so the app shows something real."""
    store = engine().store
    if store.is_empty():
        from governance import demo

        with st.spinner("首次启动，正在生成演示县数据… building the demo county"):
            demo.write_demo(store, scale="county")


@st.cache_data(ttl=3600, max_entries=64, show_spinner=False)
def places(root: str, ver: int) -> pd.DataFrame:
    return _engine(root).run("places", {"code_lo": 0, "code_hi": 999_999_999_999}, version=ver)


@st.cache_data(ttl=3600, max_entries=64, show_spinner=False)
def latest_month(root: str, ver: int) -> str | None:
    return indicators.latest_month(_engine(root), version=ver)


@st.cache_data(ttl=3600, max_entries=512, show_spinner=False)
def headline(root: str, ver: int, dataset: str, region: str | None, start: str, end: str) -> dict:
    return indicators.headline(_engine(root), dataset, indicators.View(region, start, end), version=ver)


def store_key() -> tuple[str, int]:
    return str(store_root()), version()


def indicator_help(ind: contract.Indicator) -> str:
    better = {True: "越高越好", False: "越低越好", None: "规模指标"}[ind.higher_is_better]
    return f"**{ind.zh}** ({ind.en})  \n{ind.definition_zh}  \n公式：{ind.formula_zh}  \n单位：{ind.unit}；{better}"
