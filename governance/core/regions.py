"""The region tree: which place a store is about."""

from __future__ import annotations

import pandas as pd


def home_region(regions: pd.DataFrame) -> str | None:
    """The smallest place that holds every village: the county for a county's store."""
    if regions.empty:
        return None
    parents = dict(zip(regions["region_code"], regions["parent_code"]))
    children: dict[str, list[str]] = {}
    for code, parent in parents.items():
        if isinstance(parent, str) and parent in parents:
            children.setdefault(parent, []).append(code)
    node = sorted(c for c, p in parents.items() if not isinstance(p, str) or p not in parents)[0]
    while len(children.get(node, [])) == 1:
        node = children[node][0]
    return node
