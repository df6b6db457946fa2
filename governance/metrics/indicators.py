"""Indicators for a place and a month range, with comparisons, breakdowns and series.

This module turns a question ("petitions in town X, 2024-10, against last
month") into the bound parameters of ``queries/<dataset>_indicators.sql``
and the SQL's columns back into the contract's indicator keys. All the
arithmetic, roll-ups included, happens in SQL as sums over sums.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace

import pandas as pd

from governance.core import contract, periods, regions, settings
from queries import Engine

WINDOWS = ("current", "mom", "yoy")
SAME_AGE = "_same_age"  # suffix of a comparison window read at the current window's age


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

    def at(self, region: str | None) -> View:
        """The same months for another place."""
        return replace(self, region=region)

    def months(self, start: str, end: str | None = None) -> View:
        """The same place over other months (end defaults to start)."""
        return replace(self, start=start, end=end or start)

    @property
    def last_month(self) -> View:
        """The view's last month alone (a stock such as the grid, or a ranking of the month)."""
        return self.months(self.end)

    @property
    def year_to_end(self) -> View:
        """The 12 months ending with the view's last month (a trend, a sparkline)."""
        return self.months(periods.year_to(self.end), self.end)

    @property
    def trend_span(self) -> View:
        """The months a trend shows: the view's, widened to 12 at least so a trend has a shape."""
        return self.months(min(self.start, periods.year_to(self.end)), self.end)

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


def month_windows(view: View, by_month: bool, view_date: dt.date, same_age: bool = True) -> dict[str, list]:
    """The windows a monthly dataset's SQL counts in, as parallel lists.

    A series has one window per month, each read as it stands on the view date. Otherwise current, mom (the
    same number of months just before) and yoy (twelve months earlier), all read on the view date, and
    mom/yoy once more "at the same age" (read as long after their last day as the view date is after the
    current window's): an immature figure is compared with those (SPEC "Reading figures on a given day").
    Without same_age (a stock such as the grid: nothing in it matures), those readings are left out.
    """
    if by_month:
        spans = [("current", m, m, m, view_date) for m in periods.month_axis(view.start, view.end)]
    else:
        lag = view_date - periods.last_day(view.end)
        spans = []
        for w, (lo, hi) in periods.comparison_spans(view.start, view.end).items():
            spans.append((w, None, lo, hi, view_date))
            if w != "current" and same_age:
                spans.append((f"{w}{SAME_AGE}", None, lo, hi, periods.last_day(hi) + lag))
    return {
        "w_name": [s[0] for s in spans],
        "w_month": [s[1] for s in spans],
        "w_from": [periods.month_num(s[2]) for s in spans],
        "w_to": [periods.month_num(s[3]) for s in spans],
        "w_as_of": [s[4] for s in spans],
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


def shown_ratings(available: list[str], end: str, uploaded: dict[str, dt.date], view_date: dt.date) -> list[str]:
    """The rating periods shown for a view ending in month `end`, oldest first: those ended by then, and
    a period rated in advance from the day it was uploaded (SPEC: shown as 预评, never hidden), if that day
    is on or before both the view date and the view's last day (a view of October 2024 read in 2026 shows what
    October 2024 had, not a rating uploaded since)."""
    seen_by = min(view_date, periods.last_day(end))
    shown = [p for p in available if periods.rating_end_month(p) <= end
             or (p in uploaded and uploaded[p] <= seen_by and _rating_start_month(p) <= end)]
    return sorted(shown, key=periods.rating_sort_key)


def _rating_start_month(period: str) -> str:
    return period[:4] + ("-07" if period.endswith("-H2") else "-01")


def is_early(period: str | None, end: str) -> bool:
    """A rating shown before its period ends (预评)."""
    return period is not None and periods.rating_end_month(period) > end


def _rating_windows(view: View, shown: list[str], by_month: bool) -> dict[str, str | None]:
    """Branches are rated half-yearly: 'current' is the latest rating shown by the view's last month, 'mom'
    the rating before it, 'yoy' the same one a year earlier."""
    ended = shown
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


def uploaded_on(engine: Engine, dataset: str, version=None) -> dict[str, dt.date]:
    """The day (in the offices' time zone) each period of a dataset was last loaded, from the manifest."""
    import os
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(os.environ.get("GOVERNANCE_TZ", "Asia/Shanghai"))
    out = {}
    for period, entry in engine.store.manifest(version)["datasets"].get(dataset, {}).items():
        at = entry.get("at") if isinstance(entry, dict) else None
        if at:
            stamp = dt.datetime.fromisoformat(at)
            out[period] = (stamp.astimezone(tz) if stamp.tzinfo else stamp).date()
    return out


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
    view_date = today or settings.today()
    if contract.dataset(dataset).is_rating:
        # rating periods from the manifest: cheaper than scanning, and the same for every place
        available = data_periods(engine, version)["branches"]
        shown = shown_ratings(available, view.end, uploaded_on(engine, dataset, version), view_date)
        params.update(_rating_windows(view, shown, by_month))
        if params["cur_from"] is None:
            df = engine.run(f"{dataset}_indicators", {**params, "cur_from": "0000", "cur_to": "0000"}, version=version)
            return df.assign(rating_period=pd.Series(dtype=object), early=pd.Series(dtype=bool))
        df = engine.run(f"{dataset}_indicators", params, version=version)
        period = {"current": params["cur_to"], "mom": params["mom_to"], "yoy": params["yoy_to"]}
        df["rating_period"] = df["month"] if by_month else [period.get(w) for w in df["window_name"]]
        df["early"] = [is_early(p, view.end) for p in df["rating_period"]]
        return df
    stock = contract.dataset(dataset).is_stock
    windows = month_windows(view, by_month, view_date, same_age=not stock)
    have = data_periods(engine, version)[dataset]
    if stock:
        windows = latest_month_only(windows, have)
    else:
        params["deadline_days"] = settings.deadline_for(dataset)
        params["data_months"] = [periods.month_num(m) for m in have]
    params.update(windows)
    return engine.run(f"{dataset}_indicators", params, version=version)


def _distribution(ind: contract.Indicator, row) -> dict:
    if ind.key == "tier_distribution":
        return {tier: (int(row[col]) if row is not None else 0) for tier, col in contract.TIER_COLUMNS.items()}
    return {str(s): (int(row[f"stars_{s}"]) if row is not None else 0) for s in range(6)}


def values_of(dataset: str, row: pd.Series | None, *, counted: bool = False) -> dict:
    """The contract's indicator keys from one result row (rates as fractions 0-1).

    No row with ``counted`` (the months have data, just none for this place): counts are 0, rates unknown.
    """
    out = {}
    for ind in contract.dataset(dataset).indicators:
        if ind.kind == "distribution":
            out[ind.key] = _distribution(ind, row)
        elif row is None:
            out[ind.key] = 0 if counted and ind.kind == "count" else None
        else:
            out[ind.key] = _clean(row[ind.key])
    return out


def bases_of(dataset: str, row: pd.Series | None) -> dict:
    """{indicator key: its denominator's count} for the rates and means of one result row (None: unknown)."""
    out = {}
    for ind in contract.dataset(dataset).indicators:
        if ind.is_ratio:
            out[ind.key] = _clean(row[ind.denominator]) if row is not None and ind.denominator in row else None
    return out


def is_mature(row: pd.Series | None) -> bool:
    """Whether a result row's maturing rates are final (every case past its deadline on the reading date);
    datasets without deadlines (grid, branches) always are."""
    if row is None or "mature" not in row or _clean(row["mature"]) is None:
        return True
    return bool(row["mature"])


def _clean(value):
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return value.item() if hasattr(value, "item") else value


def headline(engine: Engine, dataset: str, view: View, *, version: int | None = None, today=None) -> dict[str, dict]:
    """{window: {indicator key: value}} for the place itself (see headline_of)."""
    df = query(engine, dataset, view, by="place", version=version, today=today)
    return headline_of(dataset, df, view, data_periods(engine, version)[dataset])


def headline_of(dataset: str, df: pd.DataFrame, view: View, months_with_data: list[str]) -> dict[str, dict]:
    """headline() from a by="place" result: {window: {indicator key: value}} for current / mom / yoy, plus
    "mature" ({window: bool}: whether its maturing rates are final), "bases" ({window: {rate key: its
    denominator}}) and "early" (branches: the current rating is a 预评).

    When the current window is immature, its comparison windows' maturing rates are those read at the same
    age, so the change compares like with like.
    """
    out: dict = {"mature": {}, "bases": {}}
    spans = periods.comparison_spans(view.start, view.end)
    have = set(months_with_data)
    flow = contract.dataset(dataset).is_flow

    def row_of(name):
        rows = df[df["window_name"] == name]
        return rows.iloc[0] if len(rows) else None

    current_mature = is_mature(row_of("current"))
    for w in WINDOWS:
        row = row_of(w)
        lo, hi = spans[w]
        if flow and w != "current" and not set(periods.month_axis(lo, hi)) <= have:
            # a comparison window the store only partly covers would compare a whole month with a part
            row = None
            out[w] = values_of(dataset, None)
        else:
            # a flow counts 0 where a month with data has no case here; a stock (grid) or a rating
            # (branches) without a row here is unknown
            counted = flow and any(lo <= m <= hi for m in have)
            out[w] = values_of(dataset, row, counted=counted)
            if w != "current" and not current_mature:
                same_age = values_of(dataset, row_of(w + SAME_AGE), counted=counted)
                for ind in contract.dataset(dataset).indicators:
                    if ind.matures:
                        out[w][ind.key] = same_age[ind.key]
        out["mature"][w] = is_mature(row)
        out["bases"][w] = bases_of(dataset, row)
    cur = row_of("current")
    out["early"] = bool(cur["early"]) if cur is not None and "early" in cur else False
    out["rating_period"] = cur["rating_period"] if cur is not None and "rating_period" in cur else None
    return out


def change(current, previous, ind: contract.Indicator):
    """Rates change in percentage points (as a fraction), counts and means in relative terms."""
    if current is None or previous is None:
        return None
    if ind.is_rate and ind.unit == "%":
        return current - previous
    if previous == 0:  # 0 then 0 is no change (持平, as a rate's); 0 then 3 has no relative change
        return 0.0 if current == 0 else None
    return (current - previous) / previous
