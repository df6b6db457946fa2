"""The grid's per-town sums (queries/grid_towns.sql, Engine TOWN_SUMS): places of a town or larger are summed
from one row per town and month. Every kind of account must still get exactly the sums of the villages it may
see; the expected figures are added up by hand from the rows of tests/tiny.py (quoted in the comments)."""

import pytest

from governance.metrics import indicators
from governance.metrics.indicators import View
from tests import tiny

# tiny.grid(), October 2024: households, covered, grids, workers, party orgs, party-member households
A1 = (1000, 950, 4, 5, 3, 31)
A2 = (3000, 3000, 10, 10, 9, 82)
B1 = (2000, 1800, 6, 6, 6, 52)
TOWN_A = (4000, 3950, 14, 15, 12, 113)  # A1 + A2
COUNTY = (6000, 5750, 20, 21, 18, 165)  # A1 + A2 + B1
COLS = ["households", "households_covered", "grids", "grid_workers", "grid_party_orgs", "party_member_households"]


def _current(engine, region, by="place"):
    df = indicators.query(engine, "grid", View(region, "2024-10", "2024-10"), by=by, today=tiny.TODAY)
    df = df[df["window_name"] == "current"]
    return {row["place_code"]: (tuple(int(row[c]) for c in COLS), int(row["villages_reporting"]))
            for _, row in df.iterrows()}


def _range(code):
    return View(code, "2024-10", "2024-10").code_range


def test_the_county_and_its_towns_are_the_sums_of_their_villages(tiny_engine):
    assert _current(tiny_engine, tiny.COUNTY) == {tiny.COUNTY: (COUNTY, 3)}
    assert _current(tiny_engine, tiny.COUNTY, "child") == {tiny.TOWN_A: (TOWN_A, 2), tiny.TOWN_B: (B1, 1)}
    assert _current(tiny_engine, tiny.TOWN_A) == {tiny.TOWN_A: (TOWN_A, 2)}
    # below a town the villages are read one by one
    assert _current(tiny_engine, tiny.TOWN_A, "child") == {tiny.A1: (A1, 1), tiny.A2: (A2, 1)}


def test_a_series_of_months_sums_each_month(tiny_engine):
    # September: covered 900 + 2900 + 1700, grids 4 + 10 + 6; October as above
    df = indicators.query(tiny_engine, "grid", View(tiny.COUNTY, "2024-09", "2024-10"), by="month",
                          today=tiny.TODAY)
    got = {m: (int(c), int(g)) for m, c, g in zip(df["month"], df["households_covered"], df["grids"])}
    assert got == {"2024-09": (5500, 20), "2024-10": (5750, 20)}


def test_a_town_account_sees_its_town_whole(tiny_engine):
    town = tiny_engine.scoped(*_range(tiny.TOWN_A))
    assert _current(town, tiny.TOWN_A) == {tiny.TOWN_A: (TOWN_A, 2)}
    # asked about the county, it still sees only its own town
    assert _current(town, tiny.COUNTY) == {tiny.COUNTY: (TOWN_A, 2)}
    assert _current(town, tiny.COUNTY, "child") == {tiny.TOWN_A: (TOWN_A, 2)}


def test_a_village_account_never_sees_its_towns_sums(tiny_engine):
    # a town's row sums 甲二社区 too; an account bound to 甲一村 must get 甲一村's figures at any level it asks for
    village = tiny_engine.scoped(*_range(tiny.A1))
    assert _current(village, tiny.A1) == {tiny.A1: (A1, 1)}
    assert _current(village, tiny.TOWN_A) == {tiny.TOWN_A: (A1, 1)}
    assert _current(village, tiny.COUNTY, "child") == {tiny.TOWN_A: (A1, 1)}


@pytest.mark.parametrize("group, county, towns", [
    ("过渡期", (A1, 1), {tiny.TOWN_A: (A1, 1)}),  # 甲一村 alone
    ("融合期", (A2, 1), {tiny.TOWN_A: (A2, 1)}),  # 甲二社区 alone
    ("settled_village", (B1, 1), {tiny.TOWN_B: (B1, 1)}),  # 乙一村 alone
])
def test_a_group_of_villages_sums_only_its_villages(tiny_engine, group, county, towns):
    grouped = tiny_engine.grouped(group)
    assert _current(grouped, tiny.COUNTY) == {tiny.COUNTY: county}
    assert _current(grouped, tiny.COUNTY, "child") == towns


def test_a_town_account_looking_at_one_group(tiny_engine):
    # town A's account, 融合期: 甲二社区 only, though the town's own sums hold 甲一村 as well
    grouped = tiny_engine.scoped(*_range(tiny.TOWN_A)).grouped("融合期")
    assert _current(grouped, tiny.TOWN_A) == {tiny.TOWN_A: (A2, 1)}
