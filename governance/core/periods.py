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
    """2024-10 -> 2024*12+9: the integer month the store writes beside every row and the SQL joins on.

    This is its one definition in Python; the store computes the same vectorised over a column
    (governance/store, checked against this function in tests/test_store.py).
    """
    return int(month[:4]) * 12 + int(month[5:7]) - 1


YEAR = 12  # months: 同比 compares with the same months a year back; trends show a year at least


def month_axis(start: str, end: str) -> list[str]:
    """Every month from start to end inclusive: a chart's axis, so a month without data is a gap."""
    return [shift_month(start, i) for i in range(months_between(start, end))]


def year_to(end: str) -> str:
    """The first month of the twelve ending with `end` (a sparkline's, a trend's shortest span)."""
    return shift_month(end, 1 - YEAR)


def comparison_spans(start: str, end: str) -> dict[str, tuple[str, str]]:
    """The windows a range is compared with: itself, the same number of months just before (环比),
    and the same months a year earlier (同比)."""
    n = months_between(start, end)
    return {
        "current": (start, end),
        "mom": (shift_month(start, -n), shift_month(end, -n)),
        "yoy": (shift_month(start, -YEAR), shift_month(end, -YEAR)),
    }


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


def ratings_ended_by(available: list[str], end: str) -> list[str]:
    """The rating periods that had ended by month `end`, oldest first: the last is the current rating."""
    return sorted((p for p in available if rating_end_month(p) <= end), key=rating_sort_key)


def latest_rating(available: list[str], end: str) -> str | None:
    ended = ratings_ended_by(available, end)
    return ended[-1] if ended else None


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
