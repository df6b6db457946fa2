"""The 报送进度 page's pieces: who has sent which ledger, who has not sent the month, an .xlsx to chase them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from governance.core import contract, periods, settings
from governance.core.text import md_escape
from governance.web import app_data, exports
from governance.web.views.history import beijing_time

SENT = {True: "已报送", False: "未报送", None: "—（按评定周期）"}


def default_month(months: list[str]) -> str:
    """The month being reported: last month, the newest complete one (or the newest with data)."""
    last = periods.shift_month(settings.today().strftime("%Y-%m"), -1)
    return last if last in months else months[-1]


def table(status: pd.DataFrame, month: str) -> pd.DataFrame:
    label = periods.month_label_zh(month)
    return pd.DataFrame({
        "数据": [contract.dataset(d).zh for d in status["dataset"]],
        "地区": status["place_name"],
        "区划代码": status["place_code"],
        "最新期间": [periods.period_label_zh(p) if isinstance(p, str) else "无数据" for p in status["latest_period"]],
        f"{label}报送": [SENT[s] for s in status["sent"]],
        "未报送的村(社区)": ["、".join(v) for v in status["villages_missing"]],
        "最近上传（北京时间）": [beijing_time(a) if a else "" for a in status["last_at"]],
        "上传人": status["last_who"].fillna(""),
        "文件": status["last_source"].fillna(""),
    })


def show(places: list[str], month: str, place_name: str) -> None:
    status = app_data.submission_status(places, month)
    missing = status[status["sent"] == False]  # noqa: E712  (None means "not monthly", not missing)
    label = periods.month_label_zh(month)
    if missing.empty:
        st.success(f"{label}的台账各地区均已报送。")
    else:
        lines = [f"{contract.dataset(d).zh}：{md_escape(n)}" + (f"（{md_escape('、'.join(v))}）" if v else "")
                 for d, n, v in zip(missing["dataset"], missing["place_name"], missing["villages_missing"])]
        st.warning(f"{label}尚未报送（{len(missing)} 项）：\n\n" + "\n".join(f"- {line}" for line in lines))
    shown = table(status, month)
    st.dataframe(shown, hide_index=True, width="stretch")
    title = f"{place_name} 台账报送进度 · {label} · 截至 {settings.today():%Y年%m月%d日}"
    with st.container(horizontal=True):
        st.download_button("下载催报清单 (.xlsx)", exports.xlsx_bytes(table(missing, month), title, "未报送"),
                           f"未报送_{month}.xlsx", key="submissions_missing_xlsx", disabled=missing.empty)
        st.download_button("下载全部 (.xlsx)", exports.xlsx_bytes(shown, title, "报送进度"),
                           f"报送进度_{month}.xlsx", key="submissions_xlsx")
