"""The cases behind a figure (明细穿透): the rows a card, a ranking bar or a table cell counts.

Each list reads the same rows by the same rules as the indicator it backs (SPEC `overdue`, read on the view
date; the rating shown for the months in view; the grid's latest month in view), so its length is the figure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from governance.core import contract, periods, settings, targets
from governance.metrics import breakdowns, indicators
from governance.metrics.indicators import View
from queries import Engine


@dataclass(frozen=True)
class CaseKind:
    key: str
    dataset: str
    indicator: str | None  # the indicator whose count the list has as rows (None: a list with no count card)
    zh: str
    en: str


KINDS = {k.key: k for k in (
    CaseKind("petitions_overdue", "petitions", "overdue", "超期未办结信访件", "Petitions open past the deadline"),
    CaseKind("disputes_overdue", "disputes", "overdue", "超期未化解纠纷", "Disputes unresolved past the deadline"),
    CaseKind("disputes_backlog", "disputes", "backlog", "未化解纠纷", "Disputes not resolved"),
    CaseKind("branches_weak", "branches", "weak", "软弱涣散党组织", "Weak and lax branches"),
    CaseKind("grid_band", "grid", None, "每网格户数不在范围内的村(社区)", "Places outside the households-per-grid band"),
)}
# Which list a count card opens.
FOR_INDICATOR = {(k.dataset, k.indicator): k.key for k in KINDS.values() if k.indicator}


def grid_band() -> tuple[float, float]:
    return targets.target_for("grid", "households_per_grid", "village").band or contract.GRID_BAND


def cases(engine: Engine, kind: str, view: View, *, version=None, today: dt.date | None = None,
          unrectified_only: bool = False) -> pd.DataFrame:
    """The rows behind one figure for the place and months in view, read on `today` (the view date)."""
    if kind not in KINDS:
        raise KeyError(f"no such case list: {kind!r}")  # an allow-list, never SQL text
    as_of = today or settings.today()
    lo, hi = view.code_range
    span = {"code_lo": lo, "code_hi": hi, "from_month": periods.month_num(view.start),
            "to_month": periods.month_num(view.end)}
    if kind == "petitions_overdue":
        return engine.run("cases_petitions_overdue", {**span, "as_of": as_of,
                                                      "deadline_days": settings.deadline_for("petitions")},
                          version=version)
    if kind in ("disputes_overdue", "disputes_backlog"):
        return engine.run("cases_disputes_open", {**span, "as_of": as_of, "end_day": periods.last_day(view.end),
                                                  "deadline_days": settings.deadline_for("disputes"),
                                                  "overdue_only": kind == "disputes_overdue"}, version=version)
    if kind == "branches_weak":
        period = breakdowns.rating_period(engine, view, version, as_of)
        return engine.run("cases_branches_weak", {"code_lo": lo if period else 1, "code_hi": hi if period else 0,
                                                  "period": period or "", "unrectified_only": unrectified_only},
                          version=version)
    # grid: a stock, read in the latest month in view that has grid data (as the grid cards are)
    have = [m for m in indicators.data_periods(engine, version)["grid"] if view.start <= m <= view.end]
    band_lo, band_hi = grid_band()
    month = periods.month_num(have[-1]) if have else -1
    return engine.run("cases_grid_band", {"code_lo": lo, "code_hi": hi, "month_num": month, "band_lo": band_lo,
                                          "band_hi": band_hi}, version=version)
