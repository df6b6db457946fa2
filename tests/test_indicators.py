"""Every SPEC indicator against values worked out by hand from tests/tiny.py."""

import pandas as pd
import pytest

from governance.core import contract, formatting
from governance.metrics import indicators
from governance.metrics.indicators import View
from queries import Engine
from tests import tiny


@pytest.fixture(scope="module")
def engine(tiny_engine):
    return tiny_engine


def current(engine, dataset, region, start, end):
    return indicators.headline(engine, dataset, View(region, start, end), today=tiny.TODAY)["current"]


def test_petitions_county_october(engine):
    v = current(engine, "petitions", tiny.COUNTY, "2024-10", "2024-10")
    # received p1-p6; closed by 31 Oct: p1 p2 p4 p6 (p5 closed in November, p3 open)
    assert v["received"] == 6
    assert v["closed"] == 4
    assert v["closure_rate"] == pytest.approx(4 / 6)
    # all four closed within 60 days; p3 and p5 are not yet past the deadline on 31 Oct
    assert v["on_time_rate"] == pytest.approx(1.0)
    assert v["first_attempt_rate"] == pytest.approx(3 / 4)  # p1 p4 p6
    assert v["satisfaction_rate"] == pytest.approx(2 / 3)  # rated p1 p2 p4; p4 unsatisfied
    assert v["repeat_rate"] == pytest.approx(1 / 6)
    assert v["per_10k"] == pytest.approx(6 / 6000 * 10000)
    assert v["mean_days_to_close"] == pytest.approx((10 + 20 + 2 + 10) / 4)


def test_petitions_on_time_counts_open_cases_past_deadline(engine):
    v = current(engine, "petitions", tiny.COUNTY, "2024-08", "2024-10")
    # closed: p1 p2 p4 p6 p7 p9 (p9 after 74 days: late); open past deadline: p8
    assert v["received"] == 9
    assert v["closed"] == 6
    assert v["on_time_rate"] == pytest.approx(5 / 7)


def test_petition_rates_roll_up_as_sum_over_sum(engine):
    view = View(tiny.COUNTY, "2024-10", "2024-10")
    towns = indicators.query(engine, "petitions", view, by="child", today=tiny.TODAY)
    towns = towns[towns["window_name"] == "current"].set_index("place_code")
    assert towns.loc[tiny.TOWN_A, "closure_rate"] == pytest.approx(3 / 4)
    assert towns.loc[tiny.TOWN_B, "closure_rate"] == pytest.approx(1 / 2)
    assert towns.loc[tiny.TOWN_A, "place_name"] == "甲镇"
    county = current(engine, "petitions", tiny.COUNTY, "2024-10", "2024-10")["closure_rate"]
    # 4/6, not the mean of the towns' rates (0.625)
    assert county == pytest.approx(4 / 6)
    assert county != pytest.approx(towns["closure_rate"].mean())


def test_petitions_comparison_windows(engine):
    h = indicators.headline(engine, "petitions", View(tiny.COUNTY, "2024-10", "2024-10"), today=tiny.TODAY)
    assert h["mom"]["received"] == 1  # p7 in September
    assert h["yoy"]["received"] is None  # nothing in October 2023
    ind = contract.INDICATORS[("petitions", "closure_rate")]
    delta = indicators.change(h["current"]["closure_rate"], h["mom"]["closure_rate"], ind)
    assert delta == pytest.approx(4 / 6 - 1.0)  # a rate changes in percentage points, as a fraction
    received = contract.INDICATORS[("petitions", "received")]
    assert indicators.change(6, 1, received) == pytest.approx(5.0)  # a count changes relatively: +500%
    # 0 overdue then 0 is 持平, as a rate that stays put is (the cards showed nothing for it); 0 then 3 has no ratio
    overdue = contract.INDICATORS[("petitions", "overdue")]
    assert formatting.change(indicators.change(0, 0, overdue), overdue) == "持平"
    assert indicators.change(3, 0, overdue) is None


def test_village_view_uses_only_its_rows(engine):
    v = current(engine, "petitions", tiny.A2, "2024-10", "2024-10")
    assert v["received"] == 1 and v["closed"] == 1
    assert v["per_10k"] == pytest.approx(1 / 3000 * 10000)


def test_petitions_monthly_series(engine):
    s = indicators.query(engine, "petitions", View(tiny.COUNTY, "2024-08", "2024-10"), by="month", today=tiny.TODAY)
    assert list(s["month"]) == ["2024-08", "2024-09", "2024-10"]
    assert list(s["received"]) == [2, 1, 6]


def test_disputes_published_county_figure(engine):
    v = current(engine, "disputes", tiny.COUNTY, "2023-01", "2023-12")
    assert v["found"] == 987
    assert v["resolved"] == 938
    assert round(v["resolution_rate"] * 100, 1) == 95.0
    assert v["local_rate"] == pytest.approx(900 / 938)
    assert v["escalation_rate"] == pytest.approx((38 + 20) / 987)
    assert v["backlog"] == 49
    assert v["mean_days_to_resolve"] == pytest.approx(5.0)


def test_dispute_towns_add_up_to_the_county(engine):
    view = View(tiny.COUNTY, "2023-01", "2023-12")
    towns = indicators.query(engine, "disputes", view, by="child", today=tiny.TODAY)
    towns = towns[towns["window_name"] == "current"]
    assert set(towns["place_code"]) == {tiny.TOWN_A, tiny.TOWN_B}
    assert towns["found"].sum() == 987 and towns["resolved"].sum() == 938
    # town A holds villages A1 and A2: rows i % 3 in (0, 1)
    a = towns.set_index("place_code").loc[tiny.TOWN_A]
    a_rows = [i for i in range(987) if i % 3 in (0, 1)]
    assert a["found"] == len(a_rows)
    assert a["resolution_rate"] == pytest.approx(len([i for i in a_rows if i < 938]) / len(a_rows))


def test_grid_uses_latest_month_and_sums_before_dividing(engine):
    v = current(engine, "grid", tiny.COUNTY, "2024-09", "2024-10")
    assert v["households"] == 6000
    assert v["households_covered"] == 950 + 3000 + 1800
    assert v["grids"] == 20
    assert v["coverage_rate"] == pytest.approx(5750 / 6000)
    assert v["households_per_grid"] == pytest.approx(5750 / 20)
    assert v["workers_per_grid"] == pytest.approx(21 / 20)
    assert v["party_org_coverage"] == pytest.approx(18 / 20)
    september = current(engine, "grid", tiny.COUNTY, "2024-09", "2024-09")
    assert september["coverage_rate"] == pytest.approx(5500 / 6000)


def test_branches_latest_rating_period(engine):
    v = current(engine, "branches", tiny.COUNTY, "2024-12", "2024-12")
    assert v["branches"] == 4
    assert v["stars_distribution"] == {"0": 0, "1": 1, "2": 0, "3": 0, "4": 1, "5": 2}
    assert v["five_star_share"] == pytest.approx(2 / 4)
    assert v["three_plus_share"] == pytest.approx(3 / 4)
    assert v["mean_stars"] == pytest.approx(15 / 4)
    assert v["upgraded"] == 1 and v["downgraded"] == 1
    assert v["weak"] == 1
    assert v["rectification_rate"] == pytest.approx(0.0)
    # In October only the first half-year's rating has ended.
    earlier = current(engine, "branches", tiny.COUNTY, "2024-10", "2024-10")
    assert earlier["branches"] == 3
    assert earlier["rectification_rate"] == pytest.approx(1.0)


def test_every_spec_key_is_returned(engine):
    for dataset in contract.FACT_DATASETS:
        v = current(engine, dataset, tiny.COUNTY, "2024-10", "2024-12")
        assert set(v) == {i.key for i in contract.dataset(dataset).indicators}


def test_status_is_read_on_the_view_date(engine):
    # Reading October on 10 November: p5 (closed 20 November) is still open.
    early = indicators.headline(engine, "petitions", View(tiny.COUNTY, "2024-10", "2024-10"),
                                today=tiny.D(2024, 11, 10))
    assert early["current"]["closed"] == 4
    # Reading it on 25 November: p5 is closed; September's count too is read on 25 November.
    late = indicators.headline(engine, "petitions", View(tiny.COUNTY, "2024-10", "2024-10"),
                               today=tiny.D(2024, 11, 25))
    assert late["current"]["closed"] == 5
    assert late["mom"]["closed"] == 1


def test_each_month_of_a_series_is_read_as_it_stands_on_the_view_date(engine):
    s = indicators.query(engine, "petitions", View(tiny.COUNTY, "2024-08", "2024-10"), by="month", today=tiny.TODAY)
    by_month = s.set_index("month")
    # August read on 31 October (SPEC: as of the view date, not "at the same age"): p9 closed on
    # 15 October counts, p8 is still open
    assert by_month.loc["2024-08", "closed"] == 1
    assert by_month.loc["2024-10", "closed"] == 4


def test_a_store_with_only_regions_answers_with_no_figures(tmp_path):
    store = tiny.Store(tmp_path)
    store.commit("regions", tiny.regions(), source="regions.csv")
    eng = Engine(store)
    for dataset in contract.FACT_DATASETS:
        h = indicators.headline(eng, dataset, View(tiny.COUNTY, "2024-10", "2024-10"), today=tiny.TODAY)
        assert all(v is None or isinstance(v, dict) and not any(v.values()) for v in h["current"].values()), dataset
    assert indicators.latest_month(eng) is None


def test_a_place_without_cases_in_a_month_with_data_counts_zero(engine):
    # September 2024 has one petition (p7, village B1): village A2 had none
    v = current(engine, "petitions", tiny.A2, "2024-09", "2024-09")
    assert v["received"] == 0 and v["closed"] == 0
    assert v["closure_rate"] is None  # a rate of nothing is unknown, not 0%
    # a month with no data anywhere stays unknown
    assert current(engine, "petitions", tiny.A2, "2023-03", "2023-03")["received"] is None


def test_the_engine_answers_for_an_old_version_and_keeps_the_newest(tmp_path):
    store = tiny.Store(tmp_path)
    tokens = []
    store.commit("regions", tiny.regions(), source="regions.csv")
    for i in range(4):  # four more versions of the store: grid re-uploaded, each adding a row
        tokens.append(store.version())
        store.commit("grid", tiny.grid().slice(0, i + 1), source=f"grid{i}.csv")
    tokens.append(store.version())
    assert tokens[0] == "1.-.-.-.-" and tokens[-1] == "1.-.-.4.-"  # regions, petitions, disputes, grid, branches
    eng = Engine(store)
    for n, version in reversed(list(enumerate(tokens))):
        df = eng.run("places", {"code_lo": 0, "code_hi": 999_999_999_999}, version=version)
        assert len(df) == 6, version
        # grid version n holds rows 1..n (all in 2024-09, town A then town B: each upload is its towns' scope)
        assert eng.store.snapshot(version)["grid"]["rows"] == n, version
    assert set(tokens[:2]) <= set(eng._schemas) and len(eng._schemas) <= 3


def test_backlog_is_read_at_the_end_of_the_last_month_in_view(tmp_path):
    import pyarrow as pa

    store = tiny.Store(tmp_path)
    store.commit("regions", tiny.regions(), source="r")
    store.commit("disputes", pa.table({
        "dispute_id": ["d1", "d2"], "region_code": [tiny.A1, tiny.A1],
        "found_on": pa.array([tiny.D(2024, 10, 2), tiny.D(2024, 10, 28)], pa.date32()),
        "category": ["邻里", "邻里"], "status": ["resolved", "resolved"],
        "resolved_on": pa.array([tiny.D(2024, 10, 5), tiny.D(2024, 11, 3)], pa.date32()),
        "resolved_level": ["grid", "village"],
    }), source="d")
    v = indicators.headline(Engine(store), "disputes", View(tiny.COUNTY, "2024-10", "2024-10"),
                            today=tiny.D(2024, 11, 20))["current"]
    assert v["resolved"] == 2  # read today (20 November)
    assert v["backlog"] == 1  # SPEC: not resolved by 31 October


def test_a_comparison_window_the_store_only_partly_covers_is_not_compared(engine):
    # 2024-09..10 against 2024-07..08: the store has August but not July
    h = indicators.headline(engine, "petitions", View(tiny.COUNTY, "2024-09", "2024-10"), today=tiny.TODAY)
    assert h["current"]["received"] == 7
    assert h["mom"]["received"] is None


@pytest.mark.parametrize("dataset", contract.FACT_DATASETS)
@pytest.mark.parametrize("by", ["place", "child", "village", "month"])
def test_every_ratio_is_its_declared_numerator_over_its_denominator(engine, dataset, by):
    # The contract names each rate's base once; every result row must carry both counts and agree with them,
    # or a base shown beside a rate (and the small-number rule) would describe another figure.
    df = indicators.query(engine, dataset, View(tiny.COUNTY, "2023-01", "2024-12"), by=by, today=tiny.TODAY)
    ratios = [i for i in contract.dataset(dataset).indicators if i.is_ratio]
    assert ratios and not df.empty
    for ind in ratios:
        for _, row in df.iterrows():
            num, den = row[ind.numerator], row[ind.denominator]
            if den is None or pd.isna(den) or den == 0:
                assert pd.isna(row[ind.key]), (ind.key, row.to_dict())
            else:
                assert row[ind.key] == pytest.approx(num / den * ind.scale), (ind.key, row.to_dict())
