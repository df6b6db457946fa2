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
    tied: bool = False  # another ranked peer has the same figure (the rank is then shared: 并列)


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
        ranked = ordered[ordered["ranked"]]
        mine = ordered[ordered["place_code"] == place].iloc[0]
        rank, tied = None, False
        if mine["ranked"]:
            # places with the same figure share a rank (1 + how many are better), as in a sports table: the
            # ranking lists ties by code, and 100% shown as 第5 behind four other 100% would read as worse
            others = ranked[ranked["place_code"] != place][ind.key]
            better = others > mine[ind.key] if ind.higher_is_better else others < mine[ind.key]
            rank, tied = int(better.sum()) + 1, bool((others == mine[ind.key]).any())
        out.append(PeerRank(ind, rank, len(ranked), len(ordered), str(mine["unranked"]), tied))
    return out
