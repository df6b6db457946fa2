"""村改居 (SPEC regions: transition_stage): the upload takes the stage, the demo has every stage, and every
indicator broken down by stage adds up to the whole; expected figures from the tiny rows with pandas."""

from dataclasses import replace

import pandas as pd
import pyarrow as pa
import pytest

from governance.core import contract
from governance.ingest.pipeline import ingest
from governance.metrics import indicators, stages
from governance.metrics.indicators import View
from queries import Engine
from tests import tiny
from tests.test_validate import check, parsed, problems

OCT = View(tiny.COUNTY, "2024-10", "2024-10")


def _group_of_village() -> dict[str, str]:
    r = tiny.regions().to_pandas()
    r = r[r["level"] == "village"]
    return {c: (s if isinstance(s, str) else ("settled_community" if k == "community" else "settled_village"))
            for c, s, k in zip(r["region_code"], r["transition_stage"], r["kind"])}


def test_petitions_by_stage_are_the_groups_own_figures_and_add_up(tiny_engine):
    df = stages.by_stage(tiny_engine, "petitions", OCT, today=tiny.TODAY).set_index("group")
    p = tiny.petitions().to_pandas()
    p = p[pd.to_datetime(p["received_on"]).dt.strftime("%Y-%m") == "2024-10"]
    p["group"] = p["region_code"].map(_group_of_village())
    closed = p["closed_on"].notna() & (pd.to_datetime(p["closed_on"]) <= pd.Timestamp(tiny.TODAY))
    want = p.assign(closed=closed).groupby("group").agg(received=("case_id", "size"), closed=("closed", "sum"))
    # 甲一村 (过渡期) p1-p3, 甲二社区 (融合期) p4, 乙一村 (not in transition) p5-p6; p5 closed only in November
    assert want["received"].to_dict() == {"过渡期": 3, "融合期": 1, "settled_village": 2}
    groups = [g for g in df.index if g != stages.TOTAL]
    assert groups == ["过渡期", "融合期", "settled_village"]  # GROUPS order; no settled community in the tiny county
    for g in groups:
        assert df.loc[g, "received"] == want.loc[g, "received"]
        assert df.loc[g, "closed"] == want.loc[g, "closed"]
        assert df.loc[g, "closure_rate"] == pytest.approx(want.loc[g, "closed"] / want.loc[g, "received"])
    whole = indicators.headline(tiny_engine, "petitions", OCT, today=tiny.TODAY)["current"]
    for key in ("received", "closed", "closed_on_time", "overdue", "repeats", "rated", "population"):
        assert df.loc[groups, key].sum() == df.loc[stages.TOTAL, key], key
    assert df.loc[stages.TOTAL, "received"] == whole["received"] == len(p)
    # the stage's per-10k rests on its own villages' people: 甲一村 3 cases over 1000 people
    assert df.loc["过渡期", "per_10k"] == pytest.approx(3 / 1000 * 10000)


def test_grid_by_stage_is_a_sum_over_sum_within_each_group(tiny_engine):
    df = stages.by_stage(tiny_engine, "grid", OCT, today=tiny.TODAY).set_index("group")
    g = tiny.grid().to_pandas()
    g = g[g["period"] == "2024-10"].assign(group=lambda x: x["region_code"].map(_group_of_village()))
    want = g.groupby("group")[["households", "households_covered", "grids"]].sum()
    for group, row in want.iterrows():
        assert df.loc[group, "coverage_rate"] == pytest.approx(row["households_covered"] / row["households"])
        assert df.loc[group, "households_per_grid"] == pytest.approx(row["households_covered"] / row["grids"])
    groups = [x for x in df.index if x != stages.TOTAL]
    for key in ("households", "households_covered", "grids", "grid_workers", "grid_party_orgs"):
        assert df.loc[groups, key].sum() == df.loc[stages.TOTAL, key] == g[key].sum(), key


def test_every_dataset_breaks_down_so_that_counts_add_up(tiny_engine):
    for dataset in contract.FACT_DATASETS:
        view = View(tiny.COUNTY, "2023-01", "2024-12")
        df = stages.by_stage(tiny_engine, dataset, view, today=tiny.TODAY).set_index("group")
        groups = [x for x in df.index if x != stages.TOTAL]
        assert groups, dataset
        for ind in contract.dataset(dataset).indicators:
            if ind.kind == "count" and ind.key in df:
                assert df.loc[groups, ind.key].sum() == df.loc[stages.TOTAL, ind.key], (dataset, ind.key)


def test_a_bound_account_breaks_down_its_own_place_only(tiny_engine):
    lo, hi = View(tiny.TOWN_B, "2024-10", "2024-10").code_range
    df = stages.by_stage(tiny_engine.scoped(lo, hi), "petitions", OCT, today=tiny.TODAY).set_index("group")
    # 乙镇 holds only 乙一村, not in transition: asking for the county from there gives 乙镇's two cases
    assert list(df.index) == ["settled_village", stages.TOTAL]
    assert df.loc[stages.TOTAL, "received"] == 2


def test_place_counts_per_stage():
    counts = stages.place_counts(tiny.regions().to_pandas(), tiny.COUNTY)
    assert counts == {"筹备期": 0, "过渡期": 1, "融合期": 1, "深度融合期": 0, "settled_village": 1,
                      "settled_community": 0}
    assert stages.place_counts(tiny.regions().to_pandas(), tiny.TOWN_B)["settled_village"] == 1


def test_place_counts_read_the_stage_column_whole_and_a_store_without_it():
    t1, t2 = "411102001000", "411102002000"
    regions = pd.DataFrame({
        "region_code": [tiny.COUNTY, t1, t2, "411102001201", "411102001202", "411102001203", "411102001204",
                        "411102002201"],
        "level": ["county", "town", "town", "village", "village", "village", "village", "village"],
        "kind": [None, None, None, "village", "community", "village", "community", "village"],
        # an empty stage is no stage: that community is settled (group_of)
        "transition_stage": [None, None, None, "过渡期", "", None, "融合期", None],
    })
    zero = dict.fromkeys(stages.GROUPS, 0)
    assert stages.place_counts(regions, t1) == {**zero, "过渡期": 1, "融合期": 1, "settled_village": 1,
                                                "settled_community": 1}
    assert stages.place_counts(regions, t2) == {**zero, "settled_village": 1}
    assert stages.place_counts(regions, None) == {**zero, "过渡期": 1, "融合期": 1, "settled_village": 2,
                                                  "settled_community": 1}
    # a regions table written before the contract had the column: every village is settled
    assert stages.place_counts(regions.drop(columns="transition_stage"), t1) == {
        **zero, "settled_village": 2, "settled_community": 2}


def test_the_overview_counts_places_per_stage_once_per_store_version(served_store, monkeypatch):
    from tests.conftest import run_app

    counted = [0]
    count = stages.place_counts

    def counting(*args, **kwargs):
        counted[0] += 1
        return count(*args, **kwargs)

    monkeypatch.setattr(stages, "place_counts", counting)
    at = run_app(region=tiny.COUNTY, **{"from": "2024-10", "to": "2024-10"})
    line = next(m.value for m in at.markdown if m.value.startswith("**村(社区)数**"))
    assert "筹备期 **0**个" in line and "未改居·村 **1**个" in line
    assert counted[0] == 1  # the panel and its three tables ask four times; counted once
    at.run()
    at.run()
    assert counted[0] == 1
    # a new regions version: 乙一村 enters 筹备期, and the panel counts afresh
    regions = tiny.regions().to_pylist()
    regions[-1]["transition_stage"] = "筹备期"
    served_store.commit("regions", pa.Table.from_pylist(regions, schema=tiny.regions().schema),
                        source="regions.csv", who="test")
    at.run()
    assert not at.exception, at.exception
    line = next(m.value for m in at.markdown if m.value.startswith("**村(社区)数**"))
    assert "筹备期 **1**个" in line and "未改居·村 **0**个" in line
    assert counted[0] == 2


def test_the_upload_takes_the_stage_and_refuses_it_above_a_village():
    cols = {
        "region_code": [tiny.COUNTY, tiny.TOWN_A, tiny.A1, tiny.A2],
        "name": ["示范县", "甲镇", "甲一村", "甲二社区"],
        "level": ["", "", "", ""],
        "parent_code": ["", "", "", ""],
        "kind": ["", "", "村", "社区"],
        "households": ["1", "1", "1", "1"],
        "population": ["1", "1", "1", "1"],
        "transition_stage": ["", "过渡期", "筹备", "深度融合期"],
    }
    r = check(parsed(cols), "regions")
    assert problems(r) == {(5, "H", "stage_not_village")}  # 甲镇 is a town: row 5 (header on row 3), column H
    assert "村改居阶段" in r.errors[0].message
    cols["transition_stage"] = ["", "", "筹备", "转型期"]
    bad = check(parsed(cols), "regions")
    assert problems(bad) == {(7, "H", "invalid_choice")}
    assert "深度融合期" in bad.errors[0].message  # the message lists what is allowed
    cols["transition_stage"] = ["", "", "筹备", ""]
    ok = check(parsed(cols), "regions")
    assert ok.errors == []
    assert ok.table.column("transition_stage").to_pylist() == [None, None, "筹备期", None]


def test_a_refused_stage_changes_nothing_in_the_store(tiny_store):
    before = tiny_store.version()
    text = ("区划代码,名称,上级区划代码,类型,村改居阶段\n"
            f"{tiny.COUNTY},示范县,,,\n{tiny.TOWN_A},甲镇,{tiny.COUNTY},,过渡期\n")
    report = ingest(tiny_store, "regions", text.encode("utf-8"), "regions.csv", today=tiny.TODAY)
    assert not report.accepted
    assert tiny_store.version() == before


def test_a_store_made_before_the_stage_column_still_reads_and_takes_one(tmp_path, monkeypatch):
    # A regions table written before the contract had transition_stage: its file lacks the column.
    old = replace(contract.REGIONS, columns=contract.REGIONS.columns[:-1])
    monkeypatch.setitem(contract.DATASETS, "regions", old)
    store = tiny.build(tmp_path / "old")
    monkeypatch.undo()
    engine = Engine(store)
    assert engine.damaged() == {}
    assert indicators.places(engine)["transition_stage"].isna().all()
    assert indicators.headline(engine, "petitions", OCT, today=tiny.TODAY)["current"]["received"] == 6
    store.commit("regions", tiny.regions(), source="regions.csv", who="test")  # the table gains the column
    engine = Engine(store)
    placed = indicators.places(engine).set_index("region_code")["transition_stage"]
    assert placed[tiny.A1] == "过渡期" and placed[tiny.A2] == "融合期"
    assert stages.by_stage(engine, "petitions", OCT, today=tiny.TODAY).set_index("group").loc["过渡期", "received"] == 3


@pytest.mark.slow
def test_the_demo_county_has_villages_at_every_stage(tmp_path):
    from governance.demo import generate as demo
    from governance.store import Store

    store = Store(tmp_path / "demo")
    demo.write_demo(store, scale="county")
    counts = stages.place_counts(indicators.places(Engine(store)), None)
    assert all(counts[s] > 0 for s in contract.TRANSITION_STAGES), counts
    assert counts["settled_village"] > 0 and counts["settled_community"] > 0


def test_the_pages_show_the_stage_breakdown_and_the_overview_panel(served_store):
    from tests.conftest import run_app

    at = run_app(region=tiny.COUNTY, **{"from": "2024-10", "to": "2024-10"})
    line = next(m.value for m in at.markdown if m.value.startswith("**村(社区)数**"))
    assert "过渡期 **1**个" in line and "融合期 **1**个" in line and "筹备期 **0**个" in line
    panel = next(df.value for df in at.dataframe if "分组" in df.value.columns)
    assert list(panel["分组"]) == ["过渡期", "融合期", "未改居·村", "合计"]
    at.switch_page("pages/petitions.py").run()
    at.toggle(key="petitions_by_stage").set_value(True).run()
    assert not at.exception, at.exception
    table = next(df.value for df in at.dataframe if "分组" in df.value.columns)
    rows = table.set_index("分组")
    assert rows.loc["过渡期", "受理量(件)"] == "3件" and rows.loc["合计", "受理量(件)"] == "6件"
    assert rows.loc["合计", "村(社区)数"] == 3
