"""The branch page's star distribution and weak-branch list."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from governance.charts import figures as charts
from governance.core import contract, periods
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


def tiers(f: Filters, figures: dict) -> None:
    """等次分布 (好/较好/一般/差, and branches without a tier), now and in the comparison period."""
    current, previous = figures["current"]["tier_distribution"], figures[f.compare]["tier_distribution"]
    if not any(current.values()):
        st.caption(t("本评定周期没有等次数据。", "No tiers in this rating period."))
        return
    keys = list(contract.TIER_COLUMNS)
    df = pd.DataFrame({"等次": keys, "本期": [current[k] for k in keys], "对比期": [previous[k] for k in keys]})
    label = periods.period_label_zh(figures["rating_period"]) if figures.get("rating_period") else ""
    fig = charts.stacked(df, "等次", {"本期": f"本期 {label}", "对比期": f.compare_zh}, unit="个",
                         title=f"{f.name} · 等次分布（个）", subtitle=t("未定：未评定等次", "未定: no tier given"))
    fig.update_layout(barmode="group")
    ui.chart(fig, "branches_tiers_chart", filename="等次分布", stamp=(f.name, label, "branches"))
    ui.table_download(df, f"等次分布_{f.end}.csv", "branches_tiers_csv")


def early_note(figures: dict) -> None:
    """A rating shown before its period ends says so (SPEC: 预评, shown from its upload)."""
    if figures.get("early") and figures.get("rating_period"):
        label = periods.period_label_zh(figures["rating_period"])
        st.info(t(f"预评：{label}的评定在该周期结束前已上传，先行显示，以最终评定为准。",
                  f"Rated in advance: the {figures['rating_period']} rating, shown before its period ends."),
                icon=":material/schedule:")


def weak(f: Filters) -> None:
    df = app_data.branch_list(f.region, f.end, weak_only=True)
    if df.empty:
        st.success(t("本评定周期没有软弱涣散党组织。", "No weak branches in this rating period."))
        return
    shown = pd.DataFrame({
        "党组织": df["branch_name"], "乡镇(街道)": df["town_name"], "村(社区)": df["village_name"],
        "星级": df["stars"].astype("Int64"), "上期星级": df["previous_stars"].astype("Int64"), "得分": df["score"],
        "整顿": ["已完成" if r is True else "未完成" for r in df["rectified"]],
    })
    st.dataframe(ui.shown_table(shown), hide_index=True, width="stretch")
    ui.table_download(shown, f"软弱涣散党组织_{f.end}.csv", "branches_weak_csv")
