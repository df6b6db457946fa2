"""The history page's data: every upload and restore from the Delta log, what can be restored, the restore."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd

from governance.web import app_data

ACTIONS = {"ingest": "上传", "demo": "演示数据", "restore": "恢复"}
BEIJING = ZoneInfo("Asia/Shanghai")
COLUMNS = ["版本", "当前", "时间（北京）", "方式", "上传人", "文件", "期间", "范围", "原有行数", "写入行数", "校验和"]


def beijing_time(stamp: str) -> str:
    """The store records times with their offset; people here read Beijing time."""
    try:
        return dt.datetime.fromisoformat(stamp).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        return stamp or ""


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
    except (app_data.StoreError, OSError) as e:
        return None, f"恢复未完成，数据未改变：{e}"
    return result.version, None
