"""The overview's opening: a compact summary (how many headline figures are on target, near, off, unrated)
read before the cards, so a phone shows where the place stands on its first screen; and the map."""

from __future__ import annotations

import streamlit as st

from governance.core import contract, periods
from governance.metrics.cards import cards
from governance.web import app_data, ui
from governance.web.filters import Filters
from governance.web.i18n import dataset_name, name, t

COUNTED = (("green", "达标", "on target"), ("amber", "接近", "near"), ("red", "未达标", "off target"),
           (None, "未评", "not rated"))


def status_counts(f: Filters) -> dict[str | None, int]:
    """How many headline cards of every dataset are green, amber, red, or shown without a colour (a figure
    that has no target, is 办理期内 or rests on too few cases); cards without a figure are not counted."""
    counts: dict[str | None, int] = {s: 0 for s, *_ in COUNTED}
    months = periods.months_between(f.start, f.end)
    for key in contract.FACT_DATASETS:
        for card in cards(key, app_data.headline(key, f.view), compare=f.compare,
                          level=f.level, months=months):
            if card.value is not None:
                counts[card.status] += 1
    return counts


def summary(f: Filters) -> None:
    counts = status_counts(f)
    parts = [f":{ui.STATUS_MD_COLOR[s]}[{ui.STATUS_ICON[s]} {t(zh, en)} **{counts[s]}**]" for s, zh, en in COUNTED]
    st.markdown(t("核心指标：", "Headline figures: ") + " · ".join(parts))
    ui.damage_notices()  # the counts and the 预警 list leave a damaged dataset out: say so on the first screen


def map_indicators() -> list[tuple[str, str]]:
    """(dataset, indicator) for every rate or mean the map can colour by: the headline ones first, and first of
    them those read the same every day (a maturing rate is grey, 办理期内, for the latest month)."""
    found = [(d, i) for d in contract.FACT_DATASETS for i in contract.dataset(d).indicators
             if i.kind in ("rate", "mean")]
    return [(d, i.key) for d, i in sorted(found, key=lambda p: (not p[1].headline, p[1].matures))]


def map_panel(f: Filters) -> None:
    if f.child_level is None:
        return
    options = [f"{d}:{k}" for d, k in map_indicators()]
    if st.session_state.get("overview_map_indicator") not in options:  # petitions' opening one (ui.opening_indicator)
        # unless its files are damaged (every place grey): the first dataset the map can colour
        first = next((d for d in contract.FACT_DATASETS if d not in app_data.damaged()), "petitions")
        st.session_state["overview_map_indicator"] = f"{first}:{ui.opening_indicator(first, f)}"
    chosen = st.selectbox(t("地图指标", "Map indicator"), options, key="overview_map_indicator",
                          format_func=lambda o: f"{dataset_name(o.split(':')[0])} · "
                                                f"{name(contract.dataset(o.split(':')[0]).indicator(o.split(':')[1]))}")
    dataset, key = chosen.split(":")
    ui.place_map(dataset, contract.dataset(dataset).indicator(key), f, f"overview_map_{f.region}")
