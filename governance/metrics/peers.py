"""A place's rank among its peers, and nothing else of them (issue 10, item 1: an optional setting).

A town office bound to its town cannot read the other towns' figures; with the setting on it may still learn
where it stands. The ranks follow the rankings' own order (core/ranking.py: small bases and figures still in
their 办理期 are not ranked), so the rank it is told is the one the county sees on its ranking.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from governance.core import contract
from governance.core.ranking import order


@dataclass(frozen=True)
class PeerRank:
    indicator: contract.Indicator
    rank: int | None  # 1 = best; None: the place is not ranked on this indicator
    ranked: int  # how many peers (the place included) are ranked
    peers: int  # how many places share the parent
    unranked: str  # why not ranked: small / immature / empty, or ""


def ranked_indicators(dataset: str) -> list[contract.Indicator]:
    """The headline indicators that have a better direction (a size such as 受理量 has no rank worth telling)."""
    return [i for i in contract.dataset(dataset).indicators
            if i.headline and i.higher_is_better is not None and i.kind in ("rate", "mean", "count")]


def ranks(children: pd.DataFrame, dataset: str, place: str) -> list[PeerRank]:
    """`children`: one window of a by="child" result under the place's parent. Only `place`'s ranks come out."""
    out = []
    for ind in ranked_indicators(dataset):
        if ind.key not in children or place not in set(children["place_code"]):
            continue
        ordered = order(children, ind)
        ranked = ordered[ordered["ranked"]].reset_index(drop=True)
        mine = ordered[ordered["place_code"] == place].iloc[0]
        position = ranked.index[ranked["place_code"] == place]
        out.append(PeerRank(ind, int(position[0]) + 1 if len(position) else None, len(ranked), len(ordered),
                            str(mine["unranked"])))
    return out
