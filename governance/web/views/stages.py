"""村改居 on the pages: a dataset's indicators by transition stage, and the overview's 村改居 panel."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from governance.core import contract
from governance.metrics import stages
from governance.web import app_data, ui
from governance.web.filters import Filters
from governance.web.i18n import dataset_name, name, t
from governance.web.views.overview import TINT, side_cell

# What the overview's panel compares, per dataset: volume, lateness and coverage.
PANEL = {"petitions": ("per_10k", "overdue", "on_time_rate"), "disputes": ("resolution_rate", "overdue"),
         "grid": ("coverage_rate",)}


def group_label(group: str) -> str:
    if group == stages.TOTAL:
        return t("合计", "Total")
    return t(stages.GROUP_ZH[group], stages.GROUP_EN[group])


def _counts(f: Filters) -> dict[str, int]:
    return app_data.stage_counts(f.region)


def stage_table(dataset: str, f: Filters, keys: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the table as shown: one row per group and a total, each rate with its base; its tints)."""
    df = app_data.stage_breakdown(dataset, f.view)
    counts = _counts(f)
    shown, tints = [], []
    ds = contract.dataset(dataset)
    for _, row in df.iterrows():
        line = {t("分组", "Group"): group_label(row["group"]),
                t("村(社区)数", "Places"): sum(counts.values()) if row["group"] == stages.TOTAL else counts[row["group"]]}
        tint = {}
        for key in keys:
            ind = ds.indicator(key)
            col = f"{name(ind)}" + ("(%)" if ind.unit == "%" else f"({ind.unit})")
            line[col], colour = side_cell(row, ind, "village")
            tint[col] = TINT[colour]
        shown.append(line)
        tints.append(tint)
    return pd.DataFrame(shown), pd.DataFrame(tints)


def breakdown(dataset: str, f: Filters) -> None:
    """A dataset page's headline indicators per 村改居 stage, drawn only when asked for (it runs one query a
    group)."""
    if not st.toggle(t("按村改居阶段分解", "Break down by 村改居 stage"), key=f"{dataset}_by_stage"):
        return
    counts = _counts(f)
    if not any(counts[s] for s in contract.TRANSITION_STAGES):
        st.caption(t("所选地区没有处在村改居阶段的村(社区)（行政区划表的“村改居阶段”列为空）。",
                     "No place here is in 村改居 (the regions table's transition_stage is empty)."))
        return
    keys = [i.key for i in contract.dataset(dataset).indicators if i.headline and i.kind != "distribution"]
    table, tints = stage_table(dataset, f, keys)
    styled = table.style.apply(lambda _: tints.reindex(columns=table.columns).astype(object).fillna(""), axis=None)
    st.dataframe(styled, hide_index=True, width="stretch")
    st.caption(t("每组按同一口径计算（组内合计后相除）；各阶段与未改居的村、社区合起来即为合计。",
                 "Each group by the same definitions (sums over sums); the groups add up to the total."))
    ui.table_download(table, f"{dataset}_村改居_{f.end}.csv", f"{dataset}_stage_csv")


def panel(f: Filters) -> None:
    """The overview's 村改居 panel: places at each stage, and how their petitions, disputes and grid coverage
    compare with the villages and communities not in transition."""
    counts = _counts(f)
    if not any(counts[s] for s in contract.TRANSITION_STAGES):
        st.caption(t("所选地区没有处在村改居阶段的村(社区)。", "No place here is in 村改居."))
        return
    # one line, not metric cards: the cards above are the indicators'
    st.markdown(t("**村(社区)数**：", "**Places**: ") + " · ".join(
        f"{group_label(g)} **{counts[g]}**{t('个', '')}" for g in stages.GROUPS))
    table = None
    for dataset, keys in PANEL.items():
        part, _ = stage_table(dataset, f, list(keys))
        if part.empty:
            continue
        part = part.rename(columns={c: f"{dataset_name(dataset)}·{c}" for c in part.columns[2:]})
        part = part.set_index(list(part.columns[:2]))
        table = part if table is None else pd.concat([table, part], axis=1)  # rows stay in GROUPS order
    if table is None:
        st.caption(t("所选月份没有数据。", "No data for these months."))
        return
    table = table.reset_index()
    table = table.astype(object).where(table.notna(), t("无数据", "no data"))
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(t("括号内为基数；“合计”为所选地区全部村(社区)。", "Bases in brackets; Total: every place here."))
    ui.table_download(table, f"村改居_{f.end}.csv", "stage_panel_csv")
