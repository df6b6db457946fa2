"""预警: the places and indicators that need a leader's attention.

Two lists, both over the places one level below the one in view:
- red: an indicator whose status against its target is red this period;
- worsening: a headline rate that got worse three months running (four
  monthly values, each worse than the one before).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from governance.core import contract, periods, targets
from governance.metrics import indicators
from governance.metrics.indicators import View
from queries import Engine

RUN = 3  # months of worsening in a row
# A rate over fewer cases than this is not flagged: one dispute resolved at town level would put a
# village's 就地化解率 at 0% and on the list. (The denominator of each watched rate, in the SQL's columns.)
MIN_BASE = 5
BASE = {
    ("petitions", "closure_rate"): "received", ("petitions", "on_time_rate"): "closed",
    ("petitions", "first_attempt_rate"): "closed", ("disputes", "resolution_rate"): "found",
    ("disputes", "local_rate"): "resolved", ("grid", "coverage_rate"): "households",
    ("grid", "households_per_grid"): "grids", ("grid", "party_org_coverage"): "grids",
    ("branches", "five_star_share"): "branches", ("branches", "three_plus_share"): "branches",
}


def watched(dataset: str) -> list[contract.Indicator]:
    """Indicators with a target or a direction that a leader watches: the headline rates."""
    return [i for i in contract.dataset(dataset).indicators if i.headline and i.kind in ("rate", "mean")]


def red_places(children: pd.DataFrame, dataset: str, child_level: str) -> pd.DataFrame:
    """Rows of `children` (one per place, current window) whose watched indicators are red."""
    rows = []
    for ind in watched(dataset):
        for _, r in children.iterrows():
            value = r.get(ind.key)
            if value is None or pd.isna(value) or _too_few(r, dataset, ind.key):
                continue
            if targets.status(value, ind, child_level) == "red":
                rows.append({"place_code": r["place_code"], "place_name": r["place_name"], "dataset": dataset,
                             "indicator": ind.key, "indicator_zh": ind.zh, "value": value,
                             "target": targets.target_for(dataset, ind.key, child_level).text(ind),
                             "reason": "red"})
    return pd.DataFrame(rows)


def _too_few(row, dataset: str, key: str) -> bool:
    base = BASE.get((dataset, key))
    return base is not None and base in row and (pd.isna(row[base]) or row[base] < MIN_BASE)


def worsening_places(series: pd.DataFrame, dataset: str, end: str) -> pd.DataFrame:
    """Places whose watched rates worsened RUN months running up to `end` (series: by="child_month")."""
    months = [periods.shift_month(end, -i) for i in range(RUN, -1, -1)]
    data = series[series["month"].isin(months)]
    rows = []
    for ind in watched(dataset):
        if ind.higher_is_better is None:
            continue
        table = data.pivot_table(index=["place_code", "place_name"], columns="month", values=ind.key)
        if any(m not in table.columns for m in months):
            continue
        values = table[months]
        base = BASE.get((dataset, ind.key))
        if base:  # every month must rest on enough cases, or the run is noise
            enough = data.pivot_table(index=["place_code", "place_name"], columns="month", values=base)
            values = values[(enough.reindex(index=values.index, columns=months) >= MIN_BASE).all(axis=1)]
        steps = values.diff(axis=1).iloc[:, 1:]
        worse = (steps < 0) if ind.higher_is_better else (steps > 0)
        target = targets.target_for(dataset, ind.key).text(ind)
        for (code, name), row in values[worse.all(axis=1)].iterrows():
            rows.append({"place_code": code, "place_name": name, "dataset": dataset, "indicator": ind.key,
                         "indicator_zh": ind.zh, "value": row[months[-1]], "target": target,
                         "reason": "worsening", "from_value": row[months[0]]})
    return pd.DataFrame(rows)


def needs_attention(engine: Engine, region: str, end: str, *, version=None, today: dt.date | None = None
                    ) -> pd.DataFrame:
    """Both lists for every monthly dataset (and branches' red list), for the month `end`."""
    view = View(region, end, end)
    level = contract.level_of_code(region)
    child_level = contract.CHILD_LEVEL.get(level)
    if child_level is None:
        return pd.DataFrame()
    frames = []
    for dataset in contract.FACT_DATASETS:
        children = indicators.query(engine, dataset, view, by="child", version=version, today=today)
        frames.append(red_places(children[children["window_name"] == "current"], dataset, child_level))
        if not contract.dataset(dataset).is_rating:
            series = indicators.query(engine, dataset, View(region, periods.shift_month(end, -RUN), end),
                                      by="child_month", version=version, today=today)
            frames.append(worsening_places(series, dataset, end))
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["place_code", "place_name", "dataset", "indicator", "indicator_zh", "value", "target", "reason"])
