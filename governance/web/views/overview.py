"""The overview page's lower half: needs-attention, places side by side, data freshness."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from governance.core import contract, formatting, periods, settings, targets
from governance.web import app_data, ui
from governance.web.filters import Filters
from governance.web.i18n import dataset_name, name, t

REASON = {"red": ("未达标", "below target"), "worsening": ("连续3个月变差", "worse 3 months running")}


def attention_frame(f: Filters) -> pd.DataFrame:
    return app_data.needs_attention(f.region, f.end)


def attention_list(f: Filters) -> None:
    df = attention_frame(f)
    if df.empty:
        st.success(t("本期没有需要预警的地区。", "Nothing needs attention this period."))
        return
    shown = pd.DataFrame({
        t("地区", "Place"): df["place_name"],
        t("数据", "Dataset"): [dataset_name(d) for d in df["dataset"]],
        t("指标", "Indicator"): [name(contract.dataset(d).indicator(k)) for d, k in zip(df["dataset"], df["indicator"])],
        t("本期", "Value"): [_fmt(d, k, v) for d, k, v in zip(df["dataset"], df["indicator"], df["value"])],
        t("基数", "Base"): [formatting.count(b) if b is not None and b == b else "—" for b in df.get("base", [None] * len(df))],
        t("目标", "Target"): df["target"],
        t("原因", "Why"): [("✕ " if r == "red" else "↘ ") + t(*REASON[r]) for r in df["reason"]],
    })
    st.dataframe(shown, hide_index=True, width="stretch")
    # the list as shown, in Chinese, with each place's code
    ui.table_download(shown.assign(**{t("区划代码", "Code"): df["place_code"].values}), f"预警_{f.end}.csv",
                      "attention_csv", title=f"预警 · {f.label}")


def _fmt(dataset: str, key: str, value) -> str:
    from governance.core import formatting

    return formatting.value(value, contract.dataset(dataset).indicator(key))


TINT = {"green": "background-color: #DDF1E4", "amber": "background-color: #FCEFC7",
        "red": "background-color: #F6D5D9", None: ""}


def side_by_side(f: Filters) -> None:
    """One row per place one level down, the headline figures of every dataset across, tinted by status.

    Every rate carries its base ("66.7%（6件）"); one that is 办理期内 or rests on fewer cases than the
    small-number threshold is not tinted; a place without cases in a month with data shows 0件 and "—".
    """
    table, tints = None, None
    col_dataset: dict[str, str] = {}
    for key in contract.FACT_DATASETS:
        df = app_data.indicator_frame(key, f.view.last_month, "child")
        df = df[df["window_name"] == "current"]
        shown = [i for i in contract.dataset(key).indicators if i.headline]
        part = df[["place_code", "place_name"]].copy()
        tint = part[["place_code"]].copy()
        for i in shown:
            col = f"{i.zh}" + ("(%)" if i.unit == "%" else f"({i.unit})")
            cells, colours = [], []
            for _, r in df.iterrows():
                text, colour = side_cell(r, i, f.child_level)
                cells.append(text)
                colours.append(TINT[colour])
            part[col], tint[col] = cells, colours
            col_dataset[col] = key
        table = part if table is None else table.merge(part, on=["place_code", "place_name"], how="outer")
        tints = tint if tints is None else tints.merge(tint, on="place_code", how="outer")
    if table is None or table.empty:
        st.caption(t("暂无下级数据。", "No data for the places below."))
        return
    table = table.sort_values("place_code").reset_index(drop=True)
    # a dataset with no data this month for a place: 无数据, never 0 and never None
    table = table.astype(object).where(table.notna(), t("无数据", "no data"))
    tints = tints.set_index("place_code").reindex(table["place_code"]).astype(object).fillna("").reset_index(drop=True)
    shown = table.rename(columns={"place_name": "名称"}).drop(columns=["place_code"])
    styled = shown.style.apply(lambda _: tints.reindex(columns=shown.columns).astype(object).fillna(""), axis=None)
    # a cell opens the cases behind that place's figures (明细穿透), in the dialog of views/cases.py
    st.session_state[SIDE_MAP] = (list(table["place_code"]), col_dataset, f.end)
    st.dataframe(styled, hide_index=True, width="stretch", key="side_by_side_table", on_select=_cell_picked,
                 selection_mode="single-cell")
    st.caption(t("点击表格中的单元格，查看该地该项的明细（超期件、软弱涣散党组织、户数不在范围内的村）。",
                 "Click a cell to list the cases behind it."))
    st.caption(t(f"底色：绿色达标，黄色接近目标，红色未达标（目标见“指标说明”）；括号内为件数（基数），"
                 f"不足{settings.small_base()}件或办理期内的不着色；“—”为无件。",
                 "Tint: green on target, yellow near, red off target; bases in brackets; "
                 "no tint under the small-number threshold or while cases are not yet due."))
    ui.table_download(table.rename(columns={"place_code": "区划代码", "place_name": "名称"}),
                      f"下级对比_{f.end}.csv", "side_by_side_csv", title=f"下级对比 · {f.label}")


SIDE_MAP = "side_by_side_map"


def _cell_picked() -> None:
    """A cell of the side-by-side table picked: ask for the list of that row's place and that column's dataset."""
    from governance.web.views import cases as cases_view

    event = st.session_state.get("side_by_side_table")
    cells = getattr(getattr(event, "selection", None), "cells", None) or \
        ((event or {}).get("selection", {}).get("cells", []) if isinstance(event, dict) else [])
    codes, col_dataset, month = st.session_state.get(SIDE_MAP, ([], {}, None))
    if not cells:
        return
    row, col = cells[0][0], cells[0][1]
    dataset = col_dataset.get(col)
    if dataset and 0 <= int(row) < len(codes):
        # the table shows the last month in view: so does the list
        cases_view.request(cases_view.FOR_DATASET[dataset], codes[int(row)], (month, month) if month else None)


def side_cell(row, ind: contract.Indicator, level: str | None) -> tuple[str, str | None]:
    """One place's figure as the side-by-side table shows it, and its tint (None: untinted)."""
    value = row.get(ind.key)
    value = None if value is None or pd.isna(value) else value
    text = formatting.value(value, ind)
    if not ind.is_ratio:
        return text, targets.status(value, ind, level) if value is not None else None
    base = row.get(ind.denominator) if ind.denominator in row else None
    base = None if base is None or pd.isna(base) else base
    text = formatting.with_base(text, base, unit=ind.base_unit)
    immature = ind.matures and "mature" in row and not bool(row["mature"])
    if value is None or immature or base is not None and base < settings.small_base():
        return text + ("（办理期内）" if immature and value is not None else ""), None
    return text, targets.status(value, ind, level)


def tier_line(figures: dict) -> None:
    """The rating's 等次分布 in one line under the branch cards (and 预评 when rated in advance)."""
    tiers = figures["current"].get("tier_distribution") or {}
    if any(tiers.values()):
        early = t("（预评）", " (rated in advance)") if figures.get("early") else ""
        st.caption(t("等次分布：", "Tiers: ") + " · ".join(f"{k} {formatting.count(v)}" for k, v in tiers.items())
                   + early)


def freshness(f: Filters) -> None:
    root, ver = app_data.store_key()
    found = app_data.periods_by_dataset(root, ver)
    tree = app_data.place_tree(root, ver)  # shared, not a copy of every region per run
    children = tree.children.get(f.region, ())
    rows = []
    for key in contract.FACT_DATASETS:
        latest = found[key][-1] if found[key] else None
        gaps = "—"
        if contract.dataset(key).is_flow:
            # case ledgers: a place without a case that month has 0, not missing data
            gaps = t("按件统计，无件即为0", "counted by case: none means 0")
        elif latest and children:
            # grid has a row per village per month, branches one per branch per rating: a place without is a gap
            month = periods.rating_end_month(latest) if contract.dataset(key).is_rating else latest
            df = app_data.indicator_frame(key, f.view.months(month), "child")
            have = set(df.loc[df["window_name"] == "current", "place_code"])
            missing = [tree.names[c] for c in children if c not in have]
            gaps = "、".join(missing) if missing else "—"
        rows.append({
            t("数据", "Dataset"): dataset_name(key),
            t("最新期间", "Latest period"): periods.period_label_zh(latest) if latest else t("无数据", "none"),
            t("最新期无数据的下级", "Places without data in it"): gaps,
        })
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
