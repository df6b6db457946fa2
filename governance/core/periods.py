"""Month and rating-period arithmetic (YYYY-MM strings, YYYY / YYYY-H1 / YYYY-H2)."""

from __future__ import annotations

import datetime as dt
import re

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
RATING = re.compile(r"^\d{4}(-H[12])?$")


def is_month(text: str) -> bool:
    return bool(MONTH.match(text or ""))


def shift_month(month: str, n: int) -> str:
    y, m = int(month[:4]), int(month[5:7])
    k = y * 12 + (m - 1) + n
    return f"{k // 12:04d}-{k % 12 + 1:02d}"


def month_num(month: str) -> int:
    """2024-10 -> 2024*12+9: the store's integer month (governance/store.py)."""
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def months_between(start: str, end: str) -> int:
    """Number of months in the inclusive range start..end."""
    return (int(end[:4]) - int(start[:4])) * 12 + int(end[5:7]) - int(start[5:7]) + 1


def last_day(month: str) -> dt.date:
    first_of_next = shift_month(month, 1)
    return dt.date(int(first_of_next[:4]), int(first_of_next[5:7]), 1) - dt.timedelta(days=1)


def rating_end_month(period: str) -> str:
    """The month a rating period ends in: 2024-H1 -> 2024-06, 2024 and 2024-H2 -> 2024-12."""
    return period[:4] + ("-06" if period.endswith("-H1") else "-12")


def rating_sort_key(period: str) -> tuple[str, str]:
    return rating_end_month(period), period


def rating_year_earlier(period: str) -> str:
    return f"{int(period[:4]) - 1:04d}{period[4:]}"


def month_label_zh(month: str) -> str:
    return f"{int(month[:4])}年{int(month[5:7])}月"


def period_label_zh(period: str) -> str:
    if is_month(period):
        return month_label_zh(period)
    if period.endswith("-H1"):
        return f"{period[:4]}年上半年"
    if period.endswith("-H2"):
        return f"{period[:4]}年下半年"
    return f"{period}年度"


def range_label_zh(start: str, end: str) -> str:
    if start == end:
        return month_label_zh(start)
    return f"{month_label_zh(start)}至{month_label_zh(end)}"
