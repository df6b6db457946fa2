"""The history page's data: versions as a table, what can be restored, the restore itself."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd

from governance.web import app_data

ACTIONS = {"ingest": "上传", "demo": "演示数据", "restore": "恢复"}
BEIJING = ZoneInfo("Asia/Shanghai")


def _local(stamp: str) -> str:
    """The store records times with their offset; people here read Beijing time."""
    try:
        return dt.datetime.fromisoformat(stamp).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return stamp


def versions_frame(dataset: str) -> pd.DataFrame:
    rows = app_data.engine().store.history(dataset)
    return pd.DataFrame(
        [
            {"期间": r["period"], "版本": r["version"], "当前": "✓" if r["current"] else "",
             "方式": ACTIONS.get(r.get("action"), r.get("action")), "上传人": r["who"], "时间（北京）": _local(r["at"]),
             "文件": r["source"], "行数": r["rows"], "校验和": (r.get("source_sha256") or r["sha256"])[:16]}
            for r in rows
        ],
        columns=["期间", "版本", "当前", "方式", "上传人", "时间（北京）", "文件", "行数", "校验和"],
    )


def restorable(versions: pd.DataFrame, period: str) -> list[int]:
    """Versions of a period other than the current one; 0 means 'no data' (before the first upload)."""
    mine = versions[versions["期间"] == period]
    others = [int(v) for v, cur in zip(mine["版本"], mine["当前"]) if not cur]
    has_current = (mine["当前"] == "✓").any()
    return sorted(others, reverse=True) + ([0] if has_current else [])


def restore(dataset: str, period: str, version: int, who: str) -> int:
    return app_data.engine().store.restore(dataset, period, version or None, who=who)
