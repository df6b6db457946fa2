"""报送进度: who has sent in which ledger, and who has not sent the month being reported.

A case ledger (petitions, disputes) counts as sent for a month when an upload for that month covered the
place (a town with no case that month still sends, and its upload says so) or rows for it are stored; the
grid ledger has a row per village a month, so a place has sent when every one of its villages has; ratings
come per rating period and are shown with their latest period only.
"""

from __future__ import annotations

import pandas as pd

from governance.core import contract, periods
from governance.metrics.indicators import View
from queries import Engine


def tracker(engine: Engine, places: list[str], month: str, history: dict[str, list[dict]], *,
            version=None) -> pd.DataFrame:
    """One row per dataset per place: latest period, sent for `month` or not, villages missing (grid), and the
    latest upload that reached the place (who, when, which file). `history` is each dataset's commits,
    newest first, with their periods and scope (the store's history())."""
    ranges = [View(code, month, month).code_range for code in places]
    df = engine.run("submissions", {"place_code": list(places), "place_lo": [lo for lo, _ in ranges],
                                    "place_hi": [hi for _, hi in ranges], "month_num": periods.month_num(month)},
                    version=version)
    rows = []
    for r in df.itertuples(index=False):
        lo, hi = View(r.place_code, month, month).code_range
        reached = [c for c in history.get(r.dataset, []) if _covers(c.get("scope"), lo, hi)]
        last = reached[0] if reached else None
        covered = any(month in c.get("periods", []) for c in reached)
        if contract.dataset(r.dataset).is_rating:
            sent = None
        elif r.dataset == "grid":
            sent = r.rows_in_month > 0 and not len(_names(r.villages_missing))
        else:
            sent = covered or r.rows_in_month > 0
        rows.append({
            "dataset": r.dataset, "place_code": r.place_code, "place_name": r.place_name,
            "latest_period": r.latest_period, "sent": sent,
            "villages_missing": _names(r.villages_missing),
            "last_at": last.get("at") if last else None, "last_who": last.get("who") if last else None,
            "last_source": last.get("source") if last else None,
        })
    return pd.DataFrame(rows, columns=["dataset", "place_code", "place_name", "latest_period", "sent",
                                       "villages_missing", "last_at", "last_who", "last_source"])


def _covers(scope, lo: int, hi: int) -> bool:
    """Whether a commit's scope reached any of lo..hi (a county-wide or whole-table commit reaches all)."""
    if not scope or list(scope) == ["all"]:
        return True
    for code in scope:
        clo, chi = View(code, "2000-01", "2000-01").code_range
        if clo <= hi and lo <= chi:
            return True
    return False


def _names(value) -> list[str]:
    # a list column: NULL for the datasets it does not apply to
    return [str(v) for v in value] if hasattr(value, "__len__") and not isinstance(value, str) else []
