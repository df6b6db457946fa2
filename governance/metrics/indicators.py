"""Indicators for a place and a month range, with comparisons, breakdowns and series.

This module turns a question ("petitions in town X, 2024-10, against last
month") into the bound parameters of ``queries/<dataset>_indicators.sql``
and the SQL's columns back into the contract's indicator keys. All the
arithmetic, roll-ups included, happens in SQL as sums over sums.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from governance.core import contract, periods, regions, settings
from governance.core.settings import deadline_days
from queries import Engine

WINDOWS = ("current", "mom", "yoy")


@dataclass(frozen=True)
class View:
    """What a page or a command asks about: a place and an inclusive month range."""

    region: str | None  # a 12-digit code; None = everything in the store
    start: str  # YYYY-MM
    end: str  # YYYY-MM

    @property
    def prefix(self) -> str:
        return contract.code_prefix(self.region) if self.region else ""

    @property
    def code_range(self) -> tuple[int, int]:
        """Every village under the place has a code_num in this range."""
        return int(self.prefix.ljust(12, "0")), int(self.prefix.ljust(12, "9"))

    @property
    def child_len(self) -> int:
        if not self.region:
            return 0
        level = contract.level_of_code(self.region)
        child = contract.CHILD_LEVEL.get(level)
        return contract.LEVEL_PREFIX[child] if child else 12


def places(engine: Engine, region: str | None = None, *, version: int | None = None) -> pd.DataFrame:
    """The region tree under a place (itself included), or every region: names, levels, parents, sizes."""
    lo, hi = View(region, "2000-01", "2000-01").code_range if region else (0, 10**12 - 1)
    return engine.run("places", {"code_lo": lo, "code_hi": hi}, version=version)


def home_region(engine: Engine, *, version: int | None = None) -> str | None:
    """The store's home place (the county of a county's store)."""
    return regions.home_region(places(engine, version=version))


def data_periods(engine: Engine, version: int | None = None) -> dict[str, list[str]]:
    """The periods holding data per fact dataset (months; rating periods for branches), from the manifest."""
    out = {k: engine.store.periods(k, version) for k in contract.FACT_DATASETS}
    out["branches"] = sorted(out["branches"], key=periods.rating_sort_key)
    return out


def latest_month(engine: Engine, version: int | None = None) -> str | None:
    """The latest month any monthly dataset has data for."""
    found = data_periods(engine, version)
    months = found["petitions"][-1:] + found["disputes"][-1:] + found["grid"][-1:]
    return max(months) if months else None


def month_windows(view: View, by_month: bool, lag_days: int) -> dict[str, list]:
    """The windows a monthly dataset's SQL counts in, as parallel lists.

    A series has one window per month; otherwise current, mom (the same number
    of months just before) and yoy (twelve months earlier). Each window's
    status is read lag_days after its last day (see status_lag_days).
    """
    if by_month:
        spans = [("current", m, m, m) for m in periods.month_axis(view.start, view.end)]
    else:
        spans = [(w, None, lo, hi) for w, (lo, hi) in periods.comparison_spans(view.start, view.end).items()]
    lag = dt.timedelta(days=lag_days)
    return {
        "w_name": [s[0] for s in spans],
        "w_month": [s[1] for s in spans],
        "w_from": [periods.month_num(s[2]) for s in spans],
        "w_to": [periods.month_num(s[3]) for s in spans],
        "w_as_of": [periods.last_day(s[3]) + lag for s in spans],
    }


def latest_month_only(windows: dict[str, list], months_with_data: list[str]) -> dict[str, list]:
    """Grid figures are a stock: each window reads its latest month that has data."""
    have = sorted(periods.month_num(m) for m in months_with_data)
    out: dict[str, list] = {k: [] for k in windows}
    for i, (lo, hi) in enumerate(zip(windows["w_from"], windows["w_to"])):
        inside = [m for m in have if lo <= m <= hi]
        if not inside:
            continue
        for k in windows:
            out[k].append(windows[k][i])
        out["w_from"][-1] = out["w_to"][-1] = inside[-1]
    return out


def _rating_windows(view: View, available: list[str], by_month: bool) -> dict[str, str | None]:
    """Branches are rated half-yearly: 'current' is the latest rating that ended by
    the view's last month, 'mom' the rating before it, 'yoy' the same one a year earlier."""
    ended = periods.ratings_ended_by(available, view.end)
    none = {"cur_from": None, "cur_to": None, "mom_from": None, "mom_to": None, "yoy_from": None, "yoy_to": None}
    if not ended:
        return none
    if by_month:
        inside = [p for p in ended if periods.rating_end_month(p) >= view.start] or ended[-1:]
        return {**none, "cur_from": inside[0], "cur_to": inside[-1]}
    current = ended[-1]
    previous = ended[-2] if len(ended) > 1 else None
    return {
        "cur_from": current,
        "cur_to": current,
        "mom_from": previous,
        "mom_to": previous,
        "yoy_from": periods.rating_year_earlier(current),
        "yoy_to": periods.rating_year_earlier(current),
    }


def status_lag_days(end_month: str, today: dt.date | None = None) -> int:
    """How long after the view's last month the data's status is read: today.

    Every other window (last month, last year, each month of a series) is read
    at the same age, so a month whose cases are still being worked is not
    compared with one whose cases have had years to close.
    """
    today = today or settings.today()
    return (today - periods.last_day(end_month)).days


def query(
    engine: Engine,
    dataset: str,
    view: View,
    *,
    by: str = "place",
    version: int | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Run a dataset's indicator SQL.

    by = "place": the place itself, with current/mom/yoy windows;
    by = "child": one row per place one level below (towns of a county...), with windows;
    by = "village": one row per village under the place, with windows;
    by = "month": the place's monthly series (rating periods for branches), current window only;
    by = "child_month": the monthly series of every place one level below.
    """
    if dataset not in contract.FACT_DATASETS:
        raise KeyError(f"未知数据集 unknown dataset: {dataset!r}")
    by_month = by in ("month", "child_month")
    group_len = {"child": view.child_len, "child_month": view.child_len, "village": 12}.get(by, len(view.prefix))
    code_lo, code_hi = view.code_range
    params: dict = {"code_lo": code_lo, "code_hi": code_hi, "divisor": 10 ** (12 - group_len), "by_month": by_month}
    if contract.dataset(dataset).is_rating:
        # rating periods from the manifest: cheaper than scanning, and the same for every place
        available = data_periods(engine, version)["branches"]
        params.update(_rating_windows(view, available, by_month))
        if params["cur_from"] is None:
            return engine.run(f"{dataset}_indicators", {**params, "cur_from": "0000", "cur_to": "0000"}, version=version)
    else:
        windows = month_windows(view, by_month, status_lag_days(view.end, today))
        if contract.dataset(dataset).is_stock:
            windows = latest_month_only(windows, data_periods(engine, version)["grid"])
        params.update(windows)
        params["deadline_days"] = deadline_days()
    return engine.run(f"{dataset}_indicators", params, version=version)


def values_of(dataset: str, row: pd.Series | None, *, counted: bool = False) -> dict:
    """The contract's indicator keys from one result row (rates as fractions 0-1).

    No row with ``counted`` (the months have data, just none for this place): counts are 0, rates unknown.
    """
    out = {}
    for ind in contract.dataset(dataset).indicators:
        if row is None:
            out[ind.key] = {str(s): 0 for s in range(6)} if ind.kind == "distribution" else (
                0 if counted and ind.kind == "count" else None)
        elif ind.kind == "distribution":
            out[ind.key] = {str(s): int(row[f"stars_{s}"]) for s in range(6)}
        else:
            out[ind.key] = _clean(row[ind.key])
    return out


def _clean(value):
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return value.item() if hasattr(value, "item") else value


def headline(engine: Engine, dataset: str, view: View, *, version: int | None = None, today=None) -> dict[str, dict]:
    """{window: {indicator key: value}} for the place itself."""
    df = query(engine, dataset, view, by="place", version=version, today=today)
    return headline_of(dataset, df, view, data_periods(engine, version)[dataset])


def headline_of(dataset: str, df: pd.DataFrame, view: View, months_with_data: list[str]) -> dict[str, dict]:
    """headline() from a by="place" result: a window whose months have data elsewhere counts 0 here."""
    out = {}
    spans = periods.comparison_spans(view.start, view.end)
    have = set(months_with_data)
    flow = contract.dataset(dataset).is_flow
    for w in WINDOWS:
        rows = df[df["window_name"] == w]
        lo, hi = spans[w]
        if flow and w != "current" and not set(periods.month_axis(lo, hi)) <= have:
            # a comparison window the store only partly covers would compare a whole month with a part
            out[w] = values_of(dataset, None)
            continue
        # a flow counts 0 where a month with data has no case here; a stock (grid) or a rating
        # (branches) without a row here is unknown
        counted = flow and any(lo <= m <= hi for m in have)
        out[w] = values_of(dataset, rows.iloc[0] if len(rows) else None, counted=counted)
    return out


def change(current, previous, ind: contract.Indicator):
    """Rates change in percentage points (as a fraction), counts and means in relative terms."""
    if current is None or previous is None:
        return None
    if ind.is_rate and ind.unit == "%":
        return current - previous
    if previous == 0:
        return None
    return (current - previous) / previous
