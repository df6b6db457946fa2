"""The history page's data: every upload and restore from the Delta log (newest first), what can be restored
(each version named by when, who and how many rows), the restore and the message that outlives its rerun."""

from __future__ import annotations


import pandas as pd
import streamlit as st

from governance.core import formatting
from governance.core.text import md_escape
from governance.web import app_data, errors
from governance.web.views.upload import DATASETS

ACTIONS = {"ingest": "上传", "demo": "演示数据", "restore": "恢复"}
DONE = "history_done"  # the restore's message, shown on the run after the restore's own rerun
COLUMNS = ["版本", "当前", "时间（北京）", "方式", "上传人", "文件", "期间", "范围", "原有行数", "写入行数", "校验和"]


def beijing_time(stamp: str) -> str:
    """The store records times with their offset; people here read their office's time (Beijing)."""
    return formatting.office_time(stamp)


def _names() -> dict[str, str]:
    places = app_data.places(*app_data.store_key())
    return dict(zip(places["region_code"], places["name"]))


def scope_text(codes: list[str], names: dict[str, str]) -> str:
    if not codes or codes == ["all"]:
        return "全部地区"
    return "、".join(names.get(c, c) for c in codes)


def versions_frame(dataset: str) -> pd.DataFrame:
    """Newest first: who replaced what, where, when, and how many rows before and after."""
    rows = app_data.history(dataset)
    names = _names()
    out = []
    for r in rows:
        how = ACTIONS.get(r["action"], r["action"])
        if r["action"] == "restore":
            how = f"恢复为第 {r['restored_version']} 版" if r["restored_version"] else "恢复为无数据"
        out.append({"版本": r["version"], "当前": "✓" if r["current"] else "", "时间（北京）": beijing_time(r["at"]),
                    "方式": how, "上传人": r["who"], "文件": r["source"], "期间": "、".join(r["periods"]),
                    "范围": scope_text(r["scope"], names), "原有行数": r["replaced"], "写入行数": r["rows"],
                    "校验和": (r["source_sha256"] or "")[:16]})
    return pd.DataFrame(out, columns=COLUMNS)


def periods(dataset: str) -> list[str]:
    seen = {p for r in app_data.history(dataset) for p in r["periods"]}
    return sorted(seen, reverse=True)


def version_labels(dataset: str) -> dict[int, str]:
    """Each restore option as a log line: when (Beijing), who, what and how many rows, then the version."""
    names = _names()
    labels = {0: "无数据（首次上传之前）"}
    for row in app_data.history(dataset):
        how = ACTIONS.get(row["action"], row["action"])
        what = f"{how} {row['source']}" if row["action"] == "ingest" and row["source"] else how
        labels[row["version"]] = (f"{beijing_time(row['at'])[:16]} · {row['who'] or '未记录'} · {what} · "
                                  f"写入 {row['rows']:,} 行 · {scope_text(row['scope'], names)}"
                                  f"（第 {row['version']} 版之后）")
    return labels


def restorable(dataset: str, period: str) -> list[int]:
    """The versions whose state of this period can be brought back (0: before the first upload)."""
    versions = [r["version"] for r in app_data.history(dataset) if period in r["periods"]]
    return sorted(set(versions), reverse=True) + [0]


def scope_choices(within: str | None = None) -> list[str]:
    """Every place a restore may be limited to; '' means every place (not offered to an account bound to one)."""
    places = app_data.places(*app_data.store_key())
    codes = places["region_code"].tolist()
    within = within or app_data.scope_region()
    if within:  # an account bound to a place restores within it: no "every place"
        lo, hi = app_data.code_range(within)
        return [c for c in codes if lo <= int(c) <= hi]
    return [""] + codes


def restore(dataset: str, period: str, version: int, scope: str, who: str) -> tuple[int | None, str | None]:
    """(new version, None) or (None, the message saying why nothing changed)."""
    try:
        result = app_data.restore(dataset, period, version, scope, who)
    except app_data.StoreError as e:
        # the store's own message says whether anything changed (数据未改变 …): never twice
        return None, f"恢复未完成：{e}" if "未改变" in str(e) else f"恢复未完成，数据未改变：{e}"
    except OSError:  # a full or read-only disk: its errno and paths go to the log, not the page
        return None, errors.logged("恢复未完成，数据未改变：服务器存储出错，请联系系统管理员", "restore")
    return result.version, None


def remember_done(message: str) -> None:
    """Keep the restore's message for the next run: the page reruns at once to show the restored data."""
    st.session_state[DONE] = message


def show_done() -> None:
    message = st.session_state.pop(DONE, None)
    if message:
        st.success(md_escape(message), icon=":material/history:")
