"""The branch page's star distribution and weak-branch list."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from governance.charts import figures as charts
from governance.core import periods
from governance.web import app_data, ui
from governance.web.filters import Filters
from governance.web.i18n import t


def stars(f: Filters, figures: dict) -> None:
    current, previous = figures["current"]["stars_distribution"], figures[f.compare]["stars_distribution"]
    df = pd.DataFrame({"星级": [f"{s}星" for s in range(6)], "本期": [current[str(s)] for s in range(6)],
                       "对比期": [previous[str(s)] for s in range(6)]})
    period = app_data.branch_list(f.region, f.end)["period"]
    label = periods.period_label_zh(period.iloc[0]) if len(period) else ""
    fig = charts.stacked(df, "星级", {"本期": f"本期 {label}", "对比期": f.compare_zh}, unit="个",
                         title=f"{f.name} · 星级分布（个）", subtitle=t("左右对比本期与对比期", "current vs comparison"))
    fig.update_layout(barmode="group")
    ui.chart(fig, "branches_stars_chart", filename="星级分布", stamp=(f.name, label, "branches"))
    ui.table_download(df, f"星级分布_{f.end}.csv", "branches_stars_csv")


def weak(f: Filters) -> None:
    df = app_data.branch_list(f.region, f.end, weak_only=True)
    if df.empty:
        st.success(t("本评定周期没有软弱涣散党组织。", "No weak branches in this rating period."))
        return
    shown = pd.DataFrame({
        "党组织": df["branch_name"], "乡镇(街道)": df["town_name"], "村(社区)": df["village_name"],
        "星级": df["stars"], "上期星级": df["previous_stars"], "得分": df["score"],
        "整顿": ["已完成" if r is True else "未完成" for r in df["rectified"]],
    })
    st.dataframe(shown, hide_index=True, width="stretch")
    ui.table_download(shown, f"软弱涣散党组织_{f.end}.csv", "branches_weak_csv")
