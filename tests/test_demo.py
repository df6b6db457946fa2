"""The county demo: deterministic, contract-shaped, and showing the differences it promises."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from governance.core import contract
from governance.demo import generate as demo
from governance.store import Store

pytestmark = pytest.mark.slow  # builds the demo county

TODAY = dt.date(2025, 11, 24)
FIRST_DAY = dt.date(2022, 11, 1)  # 36 complete months before TODAY's month
LAST_DAY = dt.date(2025, 10, 31)
EXTRACT_DAY = dt.date(2025, 11, 23)  # closures and resolutions run up to the day before TODAY


def _month(day: dt.date, add: int = 0) -> dt.date:
    """The first day of the month ``add`` months after ``day``'s."""
    n = day.year * 12 + day.month - 1 + add
    return dt.date(n // 12, n % 12 + 1, 1)


MONTHS = [_month(FIRST_DAY, i).strftime("%Y-%m") for i in range(36)]


@pytest.fixture(scope="module")
def county() -> dict[str, pa.Table]:
    return demo.generate("county", today=TODAY)


def _villages(county) -> set[str]:
    regions = county["regions"]
    return set(regions.filter(pc.equal(regions["level"], "village"))["region_code"].to_pylist())


def _set(column) -> set:
    return set(pc.unique(column.drop_null()).to_pylist())


def test_generate_is_deterministic(county):
    again = demo.generate("county", today=TODAY)
    assert county.keys() == again.keys()
    for key in county:
        assert county[key].equals(again[key]), key


def test_other_seed_gives_other_data(county):
    assert not demo.generate("county", today=TODAY, seed=7)["petitions"].equals(county["petitions"])


def test_unknown_scale_is_refused():
    with pytest.raises(ValueError, match="unknown scale"):
        demo.generate("planet", today=TODAY)


@pytest.mark.parametrize("key", demo.DATASET_ORDER)
def test_columns_and_types_follow_the_contract(county, key):
    ds = contract.dataset(key)
    table = county[key]
    assert table.column_names == ds.column_names
    for col in ds.columns:
        assert table.schema.field(col.name).type == pa.type_for_alias(col.arrow_type), col.name
        if col.required:
            assert table[col.name].null_count == 0, col.name
        if col.choices:
            assert _set(table[col.name]) <= {c.key for c in col.choices}, col.name
        if col.minimum is not None:
            assert pc.min(table[col.name]).as_py() >= col.minimum, col.name
        if col.maximum is not None:
            assert pc.max(table[col.name]).as_py() <= col.maximum, col.name
    assert table.group_by(list(ds.unique)).aggregate([]).num_rows == table.num_rows, ds.unique


def test_region_hierarchy(county):
    regions = county["regions"].to_pandas()
    assert regions.region_code.str.fullmatch(r"\d{12}").all()
    assert regions.region_code.is_unique
    assert (regions.region_code.map(contract.level_of_code) == regions.level).all()
    top = regions[regions.parent_code.isna()]
    assert top.region_code.tolist() == ["410000000000"]
    below = regions[regions.parent_code.notna()]
    assert (below.parent_code == below.region_code.map(contract.parent_of_code)).all()
    assert below.parent_code.isin(set(regions.region_code)).all()
    assert (regions.kind.notna() == (regions.level == "village")).all()
    assert demo.COUNTY_CODE in set(regions.region_code)
    assert {demo.LAGGING_TOWN, demo.IMPROVING_TOWN} <= set(regions[regions.level == "town"].region_code)


def test_totals_above_a_village_are_sums_of_its_villages(county):
    regions = county["regions"].to_pandas()
    villages = regions[regions.level == "village"]
    by_town = villages.groupby(villages.region_code.str[:9] + "000")[["households", "population"]].sum()
    towns = regions[regions.level == "town"].set_index("region_code")[["households", "population"]]
    assert by_town.sort_index().equals(towns.sort_index())
    county_row = regions[regions.region_code == demo.COUNTY_CODE].iloc[0]
    assert county_row.households == villages.households.sum()
    assert villages.households.between(200, 1500).all()
    assert (villages.population / villages.households).between(2, 3.6).all()


def test_county_size(county):
    levels = county["regions"]["level"].value_counts().to_pylist()
    counts = {d["values"]: d["counts"] for d in levels}
    assert 12 <= counts["town"] <= 18
    assert 250 <= counts["village"] <= 350
    for key, low, high in (("petitions", 4000, 6000), ("disputes", 1000, 1500)):
        dates = county[key].column(contract.dataset(key).period_from)
        for year in range(3):
            start, end = _month(FIRST_DAY, 12 * year), _month(FIRST_DAY, 12 * year + 12)
            in_year = pc.and_(pc.greater_equal(dates, start), pc.less(dates, end))
            assert low <= pc.sum(in_year).as_py() <= high, (key, year)


def test_facts_point_at_known_villages(county):
    villages = _villages(county)
    for key in contract.FACT_DATASETS:
        assert _set(county[key]["region_code"]) <= villages, key
    assert _set(county["grid"]["region_code"]) == villages
    assert _set(county["branches"]["region_code"]) == villages


def test_dates_stay_inside_the_36_months(county):
    for key, opened, done in (("petitions", "received_on", "closed_on"), ("disputes", "found_on", "resolved_on")):
        assert pc.min(county[key][opened]).as_py() >= FIRST_DAY, key
        assert pc.max(county[key][opened]).as_py() <= LAST_DAY, key
        assert pc.max(county[key][done]).as_py() <= EXTRACT_DAY, key
        assert pc.max(county[key][done]).as_py() > LAST_DAY, key  # cases keep closing after the month ends
    for key, name in (("petitions", "received_on"), ("disputes", "found_on")):
        assert sorted(_set(pc.strftime(county[key][name], format="%Y-%m"))) == MONTHS, key
    assert sorted(_set(county["grid"]["period"])) == MONTHS


def test_petition_rules(county):
    p = county["petitions"].to_pandas()
    closed = p.closed_on.notna()
    assert (p.closed_on[closed] >= p.received_on[closed]).all()
    assert (p.resolved_first_time.notna() == closed).all()
    assert p.satisfaction[~closed].isna().all()
    assert not (p.is_repeat & p.is_initial).any()
    assert 0.05 <= p.is_repeat.mean() <= 0.10
    assert p.case_id.str.fullmatch(r"XF\d{6}\d{4}").all()
    days = (p.closed_on[closed] - p.received_on[closed]).map(lambda d: d.days)
    assert (days <= 60).mean() > 0.9 and (days > 60).any()
    # Recent cases are still being handled.
    last_two = p.received_on >= _month(LAST_DAY, 0)  # last month: still being handled on the export day
    assert (~closed[last_two]).mean() > 3 * (~closed[~last_two]).mean()


def test_dispute_rules(county):
    d = county["disputes"].to_pandas()
    resolved = d.status == "resolved"
    assert (d.resolved_on.notna() == resolved).all()
    assert (d.resolved_level.notna() == resolved).all()
    assert (d.resolved_on[resolved] >= d.found_on[resolved]).all()
    assert 0.9 <= resolved.mean() <= 0.99
    assert d.resolved_level[resolved].isin(["grid", "village"]).mean() > 0.7
    assert d.dispute_id.str.fullmatch(r"JF\d{10}").all()


def test_grid_rules(county):
    g = county["grid"]
    # every village every month, but for two villages of 马营乡 that have not yet sent last month's ledger
    assert g.num_rows == 36 * len(_villages(county)) - 2
    last_month = set(g.filter(pc.equal(g["period"], MONTHS[-1]))["region_code"].to_pylist())
    missing = set(_villages(county)) - last_month
    assert len(missing) == 2 and all(c.startswith("411122202") for c in missing)
    assert pc.all(pc.less_equal(g["households_covered"], g["households"])).as_py()
    assert pc.all(pc.less_equal(g["grid_party_orgs"], g["grids"])).as_py()
    assert pc.all(pc.greater_equal(g["grids"], 1)).as_py()
    last = g.filter(pc.equal(g["period"], MONTHS[-1]))
    total = {name: pc.sum(last[name]).as_py() for name in last.column_names[2:]}
    assert 0.95 <= total["households_covered"] / total["households"] <= 1
    assert 200 <= total["households_covered"] / total["grids"] <= 350
    assert 1 <= total["grid_workers"] / total["grids"] <= 1.3
    assert 0.85 <= total["grid_party_orgs"] / total["grids"] <= 1
    regions = county["regions"]
    reported = pc.is_in(regions["region_code"], value_set=last["region_code"])
    village_households = pc.sum(regions.filter(reported)["households"]).as_py()
    assert total["households"] == village_households


def test_branch_rules(county):
    b = county["branches"].to_pandas()
    assert sorted(b.period.unique()) == ["2022-H2", "2023-H1", "2023-H2", "2024-H1", "2024-H2", "2025-H1"]
    assert b.stars.between(0, 5).all()
    assert (b.rectified.notna() == b.weak_lax).all()
    assert 0.02 <= b.weak_lax.mean() <= 0.06
    assert b[b.weak_lax].stars.max() <= 2
    assert b.stars.between(2, 4).mean() > 0.8 and (b.stars == 5).any()
    assert b.branch_id.str.fullmatch(r"DZB\d{12}").all()
    assert b.branch_name.str.endswith(("村党支部", "社区党支部")).all()
    always_weak = b.groupby("branch_id").weak_lax.all()
    assert always_weak.sum() >= 3


def test_rating_periods_follow_the_window():
    periods = _set(demo.generate("county", today=dt.date(2024, 1, 1))["branches"]["period"])
    assert sorted(periods) == ["2021-H1", "2021-H2", "2022-H1", "2022-H2", "2023-H1", "2023-H2"]


def _share(table: pa.Table, flags, town: str | None = None) -> float:
    """Share of rows (nulls left out) where flags hold, in one town's villages or everywhere."""
    if town is not None:
        flags = flags.filter(pc.starts_with(table["region_code"], town[:9]))
    return pc.mean(flags.cast(pa.float64())).as_py()


def test_lagging_town_lags(county):
    p, d, b = county["petitions"], county["disputes"], county["branches"]
    closed = pc.is_valid(p["closed_on"])
    assert _share(p, closed, demo.LAGGING_TOWN) < _share(p, closed) - 0.02
    assert _share(p, p["resolved_first_time"], demo.LAGGING_TOWN) < _share(p, p["resolved_first_time"])
    assert _share(p, p["is_repeat"], demo.LAGGING_TOWN) > _share(p, p["is_repeat"])
    resolved = pc.equal(d["status"], "resolved")
    assert _share(d, resolved, demo.LAGGING_TOWN) < _share(d, resolved)
    assert _share(b, b["weak_lax"], demo.LAGGING_TOWN) > 2 * _share(b, b["weak_lax"])


def test_improving_town_improves(county):
    p = county["petitions"].to_pandas()
    p = p[p.region_code.str.startswith(demo.IMPROVING_TOWN[:9])]
    first_year = p[p.received_on < _month(FIRST_DAY, 12)]
    last_year = p[p.received_on >= _month(FIRST_DAY, 24)]
    assert last_year.resolved_first_time.mean() > first_year.resolved_first_time.mean() + 0.03
    assert last_year.is_repeat.mean() < first_year.is_repeat.mean()


def test_write_demo_commits_each_dataset_once(tmp_path, county):
    store = Store(tmp_path)
    rows = demo.write_demo(store, today=TODAY)
    assert store.version() == "1.1.1.1.1"  # one commit per dataset table
    assert [entry["dataset"] for entry in store.log()] == list(demo.DATASET_ORDER)
    assert {entry["action"] for entry in store.log()} == {"demo"}
    assert {entry["source"] for entry in store.log()} == {"demo-county"}
    assert len(store.periods("petitions")) == 36
    assert len(store.periods("grid")) == 36
    assert store.periods("branches") == sorted(_set(county["branches"]["period"]))
    assert rows == {key: table.num_rows for key, table in county.items()}
