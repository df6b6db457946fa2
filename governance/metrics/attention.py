"""预警: the places and indicators that need a leader's attention.

Two lists, both over the places one level below the one in view:
- red: an indicator whose status against its target is red this period;
- worsening: a headline rate that got worse three months running (four
  monthly values, each worse than the one before).

Never on either list (SPEC "Reading figures on a given day"): an immature figure (cases not all past their
deadline on the view date: 超期未办结/超期未化解 is what flags a recent month), and a rate over fewer cases
than the small-number threshold.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from governance.core import contract, periods, settings, targets
from governance.metrics import indicators
from governance.metrics.indicators import View
from queries import Engine

RUN = 3  # months of worsening in a row


def watched(dataset: str) -> list[contract.Indicator]:
    """Indicators a leader watches: the headline rates and means, and the headline counts with a target
    (超期未办结, 超期未化解: target 0)."""
    return [i for i in contract.dataset(dataset).indicators if i.headline and (
        i.kind in ("rate", "mean") or i.kind == "count" and targets.target_for(dataset, i.key).target is not None)]


def red_places(children: pd.DataFrame, dataset: str, child_level: str) -> pd.DataFrame:
    """Rows of `children` (one per place, current window) whose watched indicators are red."""
    rows = []
    for ind in watched(dataset):
        for _, r in children.iterrows():
            value = r.get(ind.key)
            if value is None or pd.isna(value) or _too_few(r, ind) or _immature(r, ind):
                continue
            if targets.status(value, ind, child_level) == "red":
                rows.append({"place_code": r["place_code"], "place_name": r["place_name"], "dataset": dataset,
                             "indicator": ind.key, "indicator_zh": ind.zh, "value": value,
                             "target": targets.target_for(dataset, ind.key, child_level).text(ind),
                             "reason": "red", "base": r[ind.denominator] if ind.denominator in r else None})
    return pd.DataFrame(rows)


def _too_few(row, ind: contract.Indicator) -> bool:
    """A rate over fewer cases than the threshold: one dispute resolved at town level would put a
    village's 就地化解率 at 0% and on the list."""
    base = ind.denominator
    return base is not None and base in row and (pd.isna(row[base]) or row[base] < settings.small_base())


def _immature(row, ind: contract.Indicator) -> bool:
    return ind.matures and "mature" in row and not bool(row["mature"])


def worsening_places(series: pd.DataFrame, dataset: str, end: str) -> pd.DataFrame:
    """Places whose watched rates worsened RUN months running up to `end` (series: by="child_month")."""
    months = [periods.shift_month(end, -i) for i in range(RUN, -1, -1)]
    data = series[series["month"].isin(months)]
    rows = []
    if ind_mature := ("mature" in data):
        data = data.assign(mature=data["mature"].astype(bool))
    for ind in watched(dataset):
        if ind.higher_is_better is None or ind.kind == "count":
            continue
        shown = data
        if ind.matures and ind_mature:
            # an immature month's figure is not final: it cannot be a step of a run
            shown = data.assign(**{ind.key: data[ind.key].where(data["mature"])})
        table = shown.pivot_table(index=["place_code", "place_name"], columns="month", values=ind.key)
        if any(m not in table.columns for m in months):
            continue
        values = table[months]
        base = ind.denominator
        if base and base in data:  # every month must rest on enough cases, or the run is noise
            enough = data.pivot_table(index=["place_code", "place_name"], columns="month", values=base)
            values = values[(enough.reindex(index=values.index, columns=months) >= settings.small_base()).all(axis=1)]
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
