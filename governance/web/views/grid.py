"""The grid page's band chart: each village's households per grid against the 200-350 band."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from governance.charts import figures as charts
from governance.core import contract, periods, targets
from governance.core.text import plotly_escape
from governance.web import app_data, memo, ui
from governance.web.filters import Filters
from governance.web.i18n import t


def band(f: Filters) -> None:
    parts = memo.made(_band_parts, f)
    if parts is None:
        ui.empty("grid")
        return
    fig, outside, t_band, table = parts
    ui.chart(fig, "grid_band_chart", filename="每网格户数分布", stamp=(f.name, periods.month_label_zh(f.end), "grid"))
    st.caption(t(f"{outside} 个村(社区)不在 {t_band[0]}-{t_band[1]} 户之间。",
                 f"{outside} places outside the band."))
    ui.table_download(table, f"网格户数超出范围_{f.end}.csv", "grid_band_csv")


def _band_parts(f: Filters):
    """The band chart, how many places are outside the band, the band, and their table: made once per view and
    store version (a province has 51k villages: their status is computed on whole arrays)."""
    ind = contract.GRID.indicator("households_per_grid")
    df = app_data.indicator_frame("grid", f.view.last_month, "village")
    df = df[df["window_name"] == "current"].dropna(subset=["households_per_grid"]).copy()
    if df.empty:
        return None
    df["status"] = targets.statuses(df["households_per_grid"], ind, "village")
    t_band = targets.target_for("grid", "households_per_grid", "village").band or contract.GRID_BAND
    edges = list(range(0, int(max(df["households_per_grid"].max(), t_band[1]) // 25 + 2) * 25, 25))
    df["bin"] = pd.cut(df["households_per_grid"], edges, right=False)
    counts = df.groupby(["bin", "status"], observed=True).size().reset_index(name="villages")
    fig = go.Figure()
    for status in ("green", "amber", "red"):
        part = counts[counts["status"] == status]
        fig.add_trace(go.Bar(x=[b.left + 12.5 for b in part["bin"]], y=part["villages"], width=24,
                             name=targets.STATUS_ZH[status], marker_color=charts.STATUS_COLOR[status],
                             hovertemplate="%{x:.0f}户/网格左右：%{y}个村(社区)<extra></extra>"))
    for edge in t_band:
        fig.add_vline(x=edge, line=dict(color=charts.TARGET_COLOR, dash="dash", width=2))
    fig.update_layout(barmode="stack", template=charts.template(), height=360,
                      title=dict(text=f"{plotly_escape(f.name)} · 各村(社区)每网格户数分布（个）<br><sup>"
                                      f"{plotly_escape(f.label)} · 虚线为 {t_band[0]}-{t_band[1]} 户</sup>"))
    fig.update_xaxes(title="户/网格")
    fig.update_yaxes(title=None, tickformat=",d")
    outside = df[df["status"] != "green"].sort_values("households_per_grid")
    table = outside[["place_code", "place_name", "households_covered", "grids", "households_per_grid"]].rename(
        columns={"place_code": "区划代码", "place_name": "名称", "households_covered": "纳入网格户数",
                 "grids": "网格数", "households_per_grid": "户/网格"})
    return fig, len(outside), t_band, table.round(1)
