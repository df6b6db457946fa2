"""The region tree: which place a store is about, and the lookups the sidebar and pages use."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


def home_region(regions: pd.DataFrame) -> str | None:
    """The smallest place that holds every village: the county for a county's store."""
    if regions.empty:
        return None
    codes = regions["region_code"]
    parents = regions["parent_code"]
    # a root: no parent, or a parent the table does not hold; with several, the smallest code
    is_root = parents.isna() | ~parents.isin(codes)
    node = codes[is_root].min()
    counts = parents[~is_root].value_counts()
    # walk down while the place has exactly one child (at most five levels: a handful of lookups)
    while counts.get(node, 0) == 1:
        node = codes[parents == node].iloc[0]
    return node


@dataclass(frozen=True)
class PlaceTree:
    """The region tree as plain lookups, built once per store version (55k places at province scale:
    building them on every script run was half a rerun's CPU)."""

    home: str | None
    names: dict[str, str]  # code -> name
    parent: dict[str, str | None]  # code -> parent code
    children: dict[str, tuple[str, ...]]  # code -> its children's codes, in code order


def place_tree(regions: pd.DataFrame) -> PlaceTree:
    codes = regions["region_code"].tolist()
    parents = regions["parent_code"].astype(object).where(regions["parent_code"].notna(), None).tolist()
    ordered = regions.loc[regions["parent_code"].notna(), ["parent_code", "region_code"]].sort_values(
        ["parent_code", "region_code"])
    children = {p: tuple(g) for p, g in ordered.groupby("parent_code", sort=False)["region_code"]}
    return PlaceTree(home_region(regions), dict(zip(codes, regions["name"].tolist())), dict(zip(codes, parents)),
                     children)
