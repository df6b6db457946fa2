"""The order places are ranked in, and which are not ranked at all (SPEC "Reading figures on a given day").

A rate over fewer cases than the small-number threshold is listed after the ranked places, greyed and
uncoloured; so is an immature maturing rate; a place whose rate has a zero base has no figure ("—") and comes
last. Every row keeps its base, so a ranking or table can show it beside the rate.
"""

from __future__ import annotations

import pandas as pd

from governance.core import contract, settings

# why a place is not ranked, shown beside it
UNRANKED = {"small": ("样本少", "few cases"), "immature": ("办理期内", "in progress"), "empty": ("无件", "none")}


def order(df: pd.DataFrame, ind: contract.Indicator) -> pd.DataFrame:
    """The rows of a by="child" result (one window), best first, with columns `base` (the rate's
    denominator, or None), `ranked` (bool), `unranked` (why not: small / immature / empty, or "")."""
    out = df.copy()
    if ind.denominator and ind.denominator in out:
        out["base"] = out[ind.denominator]
    else:
        out["base"] = None
    why = []
    for _, r in out.iterrows():
        value = r.get(ind.key)
        if value is None or pd.isna(value):
            why.append("empty")
        elif ind.matures and "mature" in r and not bool(r["mature"]):
            why.append("immature")
        elif ind.denominator and r["base"] is not None and not pd.isna(r["base"]) and r["base"] < settings.small_base():
            why.append("small")
        else:
            why.append("")
    out["unranked"] = why
    out["ranked"] = out["unranked"] == ""
    better_first = ind.higher_is_better is not False
    ranked = out[out["ranked"]].sort_values([ind.key, "place_code"], ascending=[not better_first, True])
    others = out[~out["ranked"]].assign(_k=lambda d: d["unranked"].map({"immature": 0, "small": 1, "empty": 2}))
    others = others.sort_values(["_k", "place_code"]).drop(columns="_k")
    return pd.concat([ranked, others], ignore_index=True)
