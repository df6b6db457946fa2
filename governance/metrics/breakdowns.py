"""Breakdowns behind the dataset pages' second row of charts, in the contract's Chinese labels."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from governance.core import contract, periods, settings
from governance.core.settings import deadline_days
from governance.metrics import indicators
from governance.metrics.indicators import View
from queries import Engine

DIMENSIONS = {
    "petitions": ("channel", "category"),
    "disputes": ("category", "resolved_level", "status"),
}
UNRESOLVED_ZH = "未化解"


def _span(view: View, today: dt.date | None) -> dict:
    lo, hi = view.code_range
    as_of = today or settings.today()  # read on the view date, as the indicators are
    return {"code_lo": lo, "code_hi": hi, "from_month": periods.month_num(view.start),
            "to_month": periods.month_num(view.end), "as_of": as_of}


def _labels(dataset: str, column: str) -> dict[str, str]:
    try:
        return {c.key: c.zh for c in contract.dataset(dataset).column(column).choices}
    except KeyError:
        return {}


def by_dimension(engine: Engine, dataset: str, view: View, dimension: str, *, version=None, today=None) -> pd.DataFrame:
    if dimension not in DIMENSIONS.get(dataset, ()):
        raise KeyError(f"no breakdown of {dataset} by {dimension!r}")  # an allow-list, never SQL text
    df = engine.run(f"{dataset}_breakdown", {**_span(view, today), "dimension": dimension}, version=version)
    labels = _labels(dataset, dimension) | {"unresolved": UNRESOLVED_ZH}
    df["label"] = [labels.get(v, v) for v in df["value"]]
    return df


def deadline(engine: Engine, view: View, *, version=None, today=None) -> pd.DataFrame:
    return engine.run("petitions_deadline", {**_span(view, today), "deadline_days": deadline_days()}, version=version)


def rating_period(engine: Engine, view: View, version=None, today: dt.date | None = None) -> str | None:
    """The rating shown for the view: the latest ended by its last month, or one rated in advance (预评)."""
    shown = indicators.shown_ratings(indicators.data_periods(engine, version)["branches"], view.end,
                                     indicators.uploaded_on(engine, "branches", version), today or settings.today())
    return shown[-1] if shown else None


def branches(engine: Engine, view: View, *, weak_only: bool = False, version=None, today=None) -> pd.DataFrame:
    period = rating_period(engine, view, version, today)
    lo, hi = view.code_range
    if period is None:
        return engine.run("branches_list", {"code_lo": 1, "code_hi": 0, "period": "", "weak_only": weak_only},
                          version=version)
    df = engine.run("branches_list", {"code_lo": lo, "code_hi": hi, "period": period, "weak_only": weak_only},
                    version=version)
    df.attrs["period"] = period
    return df
