"""The cases behind a figure (明细穿透), opened from a KPI card, a ranking or a table cell.

The list opens in a dialog over the page: its own filters rerun only the dialog. Rows come from
app_data.case_list (the account's scoped engine), so a place outside the account's own lists nothing, whatever
a link or a replayed widget asks for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
import streamlit as st

from governance.core import contract, periods
from governance.core.text import md_escape
from governance.metrics.cases import KINDS
from governance.web import app_data, exports
from governance.web.filters import Filters
from governance.web.i18n import t

# The list a dataset's ranking and table cells open.
FOR_DATASET = {"petitions": "petitions_overdue", "disputes": "disputes_overdue", "branches": "branches_weak",
               "grid": "grid_band"}
REQUEST = "cases_request"


def _choices(dataset: str, column: str) -> dict[str, str]:
    return {c.key: c.zh for c in contract.dataset(dataset).column(column).choices}


COLUMNS = {
    "case_id": "信访件编号", "dispute_id": "纠纷编号", "branch_id": "党组织编号", "branch_name": "党组织名称",
    "town_name": "乡镇(街道)", "village_name": "村(社区)", "region_code": "区划代码",
    "received_on": "受理日期", "found_on": "排查日期", "due_on": "期限日", "days_open": "已过天数",
    "channel": "信访形式", "category": "类别", "is_repeat": "重复信访", "status": "化解状态",
    "period": "期间", "stars": "星级", "previous_stars": "上期星级", "score": "得分", "tier": "等次",
    "rectified": "完成整顿", "households": "常住户数", "households_covered": "纳入网格户数", "grids": "网格数",
    "households_per_grid": "户/网格", "side": "偏离",
}
ORDER = {
    "petitions_overdue": ["case_id", "town_name", "village_name", "received_on", "due_on", "days_open", "channel",
                          "category", "is_repeat", "region_code"],
    "disputes_overdue": ["dispute_id", "town_name", "village_name", "found_on", "due_on", "days_open", "category",
                         "status", "region_code"],
    "branches_weak": ["branch_id", "branch_name", "town_name", "village_name", "period", "stars", "previous_stars",
                      "score", "tier", "rectified", "region_code"],
    "grid_band": ["town_name", "village_name", "period", "households", "households_covered", "grids",
                  "households_per_grid", "side", "region_code"],
}
ORDER["disputes_backlog"] = ORDER["disputes_overdue"]


def shown(kind: str, df: pd.DataFrame) -> pd.DataFrame:
    """The list with Chinese headers and values: enums in Chinese, 是/否, dates without a time."""
    out = df[[c for c in ORDER[kind] if c in df]].copy()
    if "channel" in out:
        out["channel"] = out["channel"].map(_choices("petitions", "channel")).fillna(out["channel"])
    if "status" in out:
        out["status"] = out["status"].map(_choices("disputes", "status")).fillna(out["status"])
    for col in ("is_repeat", "rectified"):
        if col in out:
            out[col] = ["是" if v is True or v == 1 else "否" for v in out[col]]
    if "side" in out:
        out["side"] = out["side"].map({"below": "低于下限", "above": "高于上限"})
    for col in ("received_on", "found_on", "due_on"):
        if col in out:
            out[col] = [v.date() if isinstance(v, (pd.Timestamp, dt.datetime)) else v for v in out[col]]
    for col in ("days_open", "households", "households_covered", "grids", "stars", "previous_stars"):
        if col in out:
            out[col] = out[col].astype("Int64")
    if "households_per_grid" in out:
        out["households_per_grid"] = out["households_per_grid"].round(1)
    return out.rename(columns=COLUMNS)


def title(kind: str, place: str, f: Filters) -> str:
    """What the list is of, where, which months and on which day: the .xlsx's title row."""
    day = f.day or app_data.view_date()
    return (f"{KINDS[kind].zh} · {place} · {periods.range_label_zh(f.start, f.end)}"
            f" · 数据截至{day.year}年{day.month}月{day.day}日")


def _place_name(code: str) -> str:
    names = app_data.places(*app_data.store_key()).set_index("region_code")["name"]
    return str(names.get(code, code))


def _body(kind: str, region: str, f: Filters) -> None:
    place = _place_name(region)
    st.caption(md_escape(title(kind, place, f)))  # a place name comes from an upload: text, never markup
    unrectified = False
    if kind == "branches_weak":
        unrectified = st.toggle(t("只看未完成整顿", "Not yet rectified only"), key="cases_unrectified")
    df = app_data.case_list(kind, f.view.at(region), unrectified_only=unrectified)
    table = shown(kind, df)
    needle = st.text_input(t("筛选（编号、名称、类别）", "Filter (id, name, category)"), key="cases_filter",
                           max_chars=50).strip()
    if needle:
        text = table.astype(str).agg(" ".join, axis=1)
        table = table[text.str.contains(needle, regex=False)]
    st.markdown(t(f"共 **{len(table)}** 条", f"**{len(table)}** rows"))
    st.dataframe(table, hide_index=True, width="stretch", key="cases_table")
    name = f"{KINDS[kind].zh}_{place}_{f.end}"
    c1, c2, _ = st.columns([1, 1, 3])
    c1.download_button(t("下载 Excel", "Download .xlsx"), exports.xlsx_bytes(table, title(kind, place, f)),
                       f"{name}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="cases_xlsx", on_click="ignore", icon=":material/table:")
    c2.download_button(t("下载 CSV", "Download CSV"), exports.csv_bytes(table), f"{name}.csv", "text/csv",
                       key="cases_csv", on_click="ignore")


def _page() -> str:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.page_script_hash if ctx else ""


def request(kind: str, region: str, months: tuple[str, str] | None = None) -> None:
    """Open the list of `kind` for `region` (from a widget's callback, which runs before the script): it stays
    open over reruns of this page until closed. `months`: those of the figure it was opened from, when they are
    not the view's (下级对比 shows the last month in view)."""
    if kind in KINDS:
        st.session_state[REQUEST] = (kind, region, _page(), months)


def _closed() -> None:
    st.session_state.pop(REQUEST, None)
    st.session_state.pop("cases_filter", None)  # the next list opens unfiltered


def serve(f: Filters) -> None:
    """Show the list asked for on this page, if any (ui.header calls it once a run: one dialog at a time)."""
    asked = st.session_state.get(REQUEST)
    if not asked or asked[2] != _page():
        return
    kind, region, _, months = asked
    if months:
        f = replace(f, start=months[0], end=months[1])
    st.dialog(t(f"明细：{KINDS[kind].zh}", f"Cases: {KINDS[kind].en}"), width="large",
              on_dismiss=_closed)(_body)(kind, region, f)


def card_button(dataset: str, key: str, f: Filters) -> None:
    """Under a count card that has cases behind it: a button that lists them."""
    from governance.metrics.cases import FOR_INDICATOR

    kind = FOR_INDICATOR.get((dataset, key))
    if kind:
        st.button(t("查看明细", "List the cases"), key=f"cases_card_{dataset}_{key}", type="tertiary",
                  icon=":material/list:", on_click=request, args=(kind, f.region))


def place_picker(dataset: str, places: dict[str, str], f: Filters, key: str) -> None:
    """Beside a ranking: pick a place to list its cases (the row for that place)."""
    kind = FOR_DATASET.get(dataset)
    if not kind or not places:
        return

    def picked():
        code = st.session_state.get(key)
        if code:
            request(kind, code)
            st.session_state[key] = ""

    st.selectbox(t(f"查看明细（{KINDS[kind].zh}）", f"List the cases ({KINDS[kind].en})"), ["", *places], key=key,
                 format_func=lambda c: t("（选择地区）", "(choose a place)") if c == "" else places[c],
                 on_change=picked)
