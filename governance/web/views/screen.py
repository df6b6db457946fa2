"""The 大屏 page: dark styling, big KPI tiles, and the briefing's charts one per step."""

from __future__ import annotations

from html import escape

import plotly.graph_objects as go
import streamlit as st

from governance.charts import figures as charts
from governance.core import contract, periods
from governance.metrics.cards import cards
from governance.web import app_data
from governance.web.filters import Filters
from governance.web.ui import STATUS_ICON

CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"] {display: none;}
.stApp, [data-testid="stAppViewContainer"] {background: #0E1117; color: #F2F2F2;}
.block-container {padding-top: 1rem; max-width: 100%;}
.screen-title {font-size: 2.4rem; font-weight: 700; color: #F2F2F2; margin-bottom: .5rem;}
.screen-step {text-align: center; font-size: 1.4rem; color: #BBBBBB; padding-top: .4rem;}
.screen-takeaway {font-size: 1.6rem; color: #F2F2F2; margin: .3rem 0 .6rem 0;}
.tile {background: #1B2230; border-radius: 12px; padding: .5rem .9rem; margin-bottom: .5rem; min-height: 7.2rem;
       border-left: 10px solid var(--status);}
.tile .name {font-size: 1.2rem; color: #BBBBBB;}
.tile .value {font-size: 2.3rem; font-weight: 700; color: #FFFFFF; line-height: 1.15;}
.tile .delta {font-size: 1.1rem; color: #DDDDDD;}
.stButton button {background: #1B2230; color: #F2F2F2; border: 1px solid #3A4456;}
.stButton button p {font-size: 1.3rem;}
.stButton button:hover {background: #2A3446; color: #FFFFFF;}
</style>
"""


def style() -> None:
    st.markdown(CSS, unsafe_allow_html=True)


def tiles(f: Filters) -> None:
    months = periods.months_between(f.start, f.end)
    shown = [c for d in contract.FACT_DATASETS
             for c in cards(d, app_data.headline(d, f.view), compare=f.compare,
                            level=f.level, months=months)
             if c.indicator.kind != "count" or c.target_text]  # 超期未办结/未化解 (target 0) too
    for row in (shown[:5], shown[5:10], shown[10:]):
        for col, card in zip(st.columns(max(len(row), 1)), row):
            color = charts.STATUS_COLOR[card.status]
            col.markdown(
                f"<div class='tile' style='--status:{color}'><div class='name'>"
                f"<span style='color:{color}'>{STATUS_ICON[card.status]}</span> {escape(card.indicator.zh)}</div>"
                f"<div class='value'>{escape(card.value_text())}</div>"
                f"<div class='delta'>{escape(f.compare_zh)} {escape(card.delta_text() or '—')}"
                f"{' · ' + escape(card.status_word()) if card.status is None and card.value is not None else ''}"
                f"</div></div>",
                unsafe_allow_html=True)


def slides(f: Filters) -> list[tuple[go.Figure, str]]:
    """The briefing's charts, in its order, each with its one-line takeaway: the meeting steps through them."""
    from governance.web.views import briefing as briefing_view

    pack = briefing_view.pack(f)
    if pack is None or not pack.charts:
        return [(_big(go.Figure(layout=dict(template=charts.template(dark=True), title="暂无数据"))), "")]
    return [(_big(go.Figure(c.figure)), c.takeaway) for c in pack.charts]


def _big(fig: go.Figure) -> go.Figure:
    fig.update_layout(template=charts.template(dark=True, scale=1.5), height=520)
    return fig
