"""文字通报 on the tiny county: the wording, and every number equal to the query layer's."""

import pytest

from governance.briefing import summary
from governance.core import contract
from governance.metrics import indicators
from governance.metrics.indicators import View
from tests import tiny

# Fixed targets, so the "高于/低于目标" figures below do not move when data/targets.toml is edited.
TARGETS = """
[petitions.closure_rate]
target = 0.95
amber = 0.90
[petitions.on_time_rate]
target = 0.95
amber = 0.90
[petitions.first_attempt_rate]
target = 0.95
amber = 0.90
[petitions.satisfaction_rate]
target = 0.90
amber = 0.85
[petitions.repeat_rate]
target = 0.08
amber = 0.12
[grid.coverage_rate]
target = 0.98
amber = 0.95
[grid.households_per_grid]
band = [200, 350]
amber_band = [150, 400]
[grid.workers_per_grid]
target = 1.0
amber = 0.9
[grid.party_org_coverage]
target = 0.95
amber = 0.85
[branches.five_star_share]
target = 0.10
amber = 0.05
[branches.three_plus_share]
target = 0.85
amber = 0.75
[branches.rectification_rate]
target = 1.0
amber = 0.8
"""


@pytest.fixture(scope="module")
def engine(tiny_engine):
    return tiny_engine


@pytest.fixture(autouse=True)
def fixed_targets(tmp_path, monkeypatch):
    path = tmp_path / "targets.toml"
    path.write_text(TARGETS, encoding="utf-8")
    monkeypatch.setenv("GOVERNANCE_TARGETS", str(path))


def texts(engine, month="2024-10", region=tiny.COUNTY):
    return {p.dataset: p.text for p in summary.summary(engine, region, month, today=tiny.TODAY)}


def test_petitions_paragraph_reads_as_an_official_report(engine):
    # tiny.py, October: 6 received (September: 1), 4 closed, 3 of them at the first attempt,
    # 2 of 3 rated satisfied, 1 repeat; towns: 甲镇 3 of 4 closed, 乙镇 1 of 2.
    assert texts(engine)["petitions"] == (
        "2024年10月，全县共受理信访事项6件，环比上升500%；办结4件，办结率66.7%，低于目标28.3个百分点；"
        "按期办结率100%，高于目标5个百分点；一次性化解率75%，低于目标20个百分点；"
        "群众满意率66.7%，低于目标23.3个百分点；重复信访率16.7%，高于控制目标8.7个百分点。"
        "分乡镇(街道)看，办结率最高的是甲镇（75%），最低的是乙镇（50%）；2个乡镇(街道)办结率未达标。"
    )


def test_grid_and_branches_paragraphs(engine):
    t = texts(engine)
    # October grid: 5750 of 6000 households in 20 grids, 21 workers, 18 grids with a party organisation
    assert t["grid"] == (
        "截至2024年10月，全县常住6000户，纳入网格管理5750户，网格覆盖率95.8%，低于目标2.2个百分点；"
        "共划分网格20个，平均每格287.5户，处于200-350户的合理区间；每格配备网格员1.05人，高于目标0.05人；"
        "网格党组织覆盖率90%，低于目标5个百分点。"
        "分乡镇(街道)看，网格覆盖率最高的是甲镇（98.8%），最低的是乙镇（90%）；1个乡镇(街道)网格覆盖率未达标。"
    )
    # 2024-H2 ends in December, so October reads 2024-H1: stars 3, 5, 2; b3 weak and rectified
    assert t["branches"] == (
        "2024年上半年评星定级，全县参评党支部3个，其中五星级1个、占33.3%，高于目标23.3个百分点；"
        "三星级及以上占66.7%，低于目标18.3个百分点；软弱涣散党支部1个，整顿完成率100%，达到目标。"
        "分乡镇(街道)看，五星占比最高的是甲镇（50%），最低的是乙镇（0%）；1个乡镇(街道)五星占比未达标。"
    )


def test_missing_data_is_said_plainly(engine):
    assert texts(engine)["disputes"] == "本月暂无矛盾纠纷数据。"  # tiny's disputes are all in 2023
    august = texts(engine, "2024-08")
    assert august["grid"] == "本月暂无网格数据。"
    assert august["petitions"].startswith("2024年8月，全县共受理信访事项2件")


def test_every_number_comes_from_the_query_layer(engine):
    view = View(tiny.COUNTY, "2024-10", "2024-10")
    for dataset, keys in {"petitions": ["closure_rate", "on_time_rate", "first_attempt_rate", "repeat_rate"],
                          "grid": ["coverage_rate", "party_org_coverage"]}.items():
        text = texts(engine)[dataset]
        current = indicators.headline(engine, dataset, view, today=tiny.TODAY)["current"]
        for key in keys:
            assert summary.pct(current[key]) in text, key
        towns = indicators.query(engine, dataset, view, by="child", today=tiny.TODAY)
        towns = towns[towns["window_name"] == "current"]
        rate = summary.main_rate(dataset).key
        best = towns.loc[towns[rate].idxmax()]
        worst = towns.loc[towns[rate].idxmin()]
        assert f"最高的是{best['place_name']}（{summary.pct(best[rate])}）" in text
        assert f"最低的是{worst['place_name']}（{summary.pct(worst[rate])}）" in text
    current = indicators.headline(engine, "petitions", view, today=tiny.TODAY)["current"]
    assert f"受理信访事项{current['received']}件" in texts(engine)["petitions"]


def test_town_level_names_its_villages(engine):
    t = texts(engine, region=tiny.TOWN_A)
    # 甲镇: 甲一村 p1 p2 closed of p1 p2 p3; 甲二社区 p4 closed
    assert t["petitions"].startswith("2024年10月，全镇共受理信访事项4件")
    assert "办结率最高的是甲二社区（100%），最低的是甲一村（66.7%）" in t["petitions"]


def test_numbers_are_written_the_official_way():
    assert summary.pct(0.96875) == "96.9%"
    assert summary.pct(1.0) == "100%"
    assert summary.count(635, "件") == "635件"
    assert summary.count(194731, "户") == "19.47万户"
    ind = summary.main_rate("petitions")
    assert summary.versus_previous(0.95, 0.938, ind) == "较上月提高1.2个百分点"
    assert summary.versus_previous(600, 635, contract.dataset("petitions").indicator("received")) \
        == "环比下降5.5%"


def test_unknown_place_or_empty_month_is_an_error(engine):
    with pytest.raises(summary.NoDataError, match="unknown region"):
        summary.summary(engine, "411102009000", "2024-10")
    with pytest.raises(summary.NoDataError, match="no data for 2030-01"):
        summary.summary(engine, tiny.COUNTY, "2030-01")
