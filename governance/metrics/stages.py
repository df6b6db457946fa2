"""村改居: every indicator broken down by transition stage (SPEC regions: transition_stage).

Each group of villages (a stage, or the villages and communities not in transition) is answered by the very
indicator SQL of the whole, run on views limited to that group (queries.Engine.grouped): the same definitions,
sums over sums within the group, and the groups' counts add up to the place's.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from governance.core import contract
from governance.metrics import indicators
from governance.metrics.indicators import View

# Every village is in exactly one group; keys are queries.GROUPS'.
GROUPS = (*contract.TRANSITION_STAGES, "settled_village", "settled_community")
GROUP_ZH = {**{s: s for s in contract.TRANSITION_STAGES}, "settled_village": "未改居·村",
            "settled_community": "未改居·社区"}
GROUP_EN = {"筹备期": "Preparation", "过渡期": "Transition", "融合期": "Integration", "深度融合期": "Deep integration",
            "settled_village": "Not in transition: villages", "settled_community": "Not in transition: communities"}
TOTAL = "total"


def group_of(stage, kind) -> str:
    """The group a village belongs to, from its regions row (the same rule as queries.GROUPS)."""
    if isinstance(stage, str) and stage:
        return stage
    return "settled_community" if kind == "community" else "settled_village"


def place_counts(regions: pd.DataFrame, region: str | None) -> dict[str, int]:
    """{group: villages and communities under the place in it}: group_of's rule on whole columns, never a
    filtered copy of the table (a national store has 480k villages; a row at a time was a third of a run)."""
    under = regions["level"] == "village"
    if region:
        under &= regions["region_code"].str.startswith(contract.code_prefix(region))
    stage = regions["transition_stage"] if "transition_stage" in regions else pd.Series(None, index=regions.index)
    staged = stage.notna() & (stage.astype("string").str.len() > 0)
    settled = (regions["kind"] == "community").map({True: "settled_community", False: "settled_village"})
    counts = stage.where(staged, settled)[under].value_counts()
    return {g: int(counts.get(g, 0)) for g in GROUPS}


def by_stage(engine, dataset: str, view: View, *, version=None, today: dt.date | None = None) -> pd.DataFrame:
    """One row per group (GROUPS order) and a last row for the whole place: the current window's indicator
    columns with their counts, as the dataset's indicator SQL returns them; a group without villages has no row."""
    rows = []
    for group in (*GROUPS, TOTAL):
        eng = engine if group == TOTAL else engine.grouped(group)
        df = indicators.query(eng, dataset, view, by="place", version=version, today=today)
        df = df[df["window_name"] == "current"]
        if group != TOTAL and df.empty:
            continue
        row = df.iloc[0].to_dict() if len(df) else {}
        rows.append({"group": group, **row})
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    return out.drop(columns=[c for c in ("window_name", "place_code", "place_name", "month") if c in out])
