"""The grid's per-town sums (queries/grid_towns.sql, Engine TOWN_SUMS): places of a town or larger are summed
from one row per town and month. Every kind of account must still get exactly the sums of the villages it may
see; the expected figures are added up by hand from the rows of tests/tiny.py (quoted in the comments)."""

from pathlib import Path

import pyarrow as pa
import pytest

import queries
from governance.metrics import indicators
from governance.metrics.indicators import View
from governance.store import Store, damage_message
from queries import Engine
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


class _Unchecked(Store):
    """Files with no checksum in their commit (another Delta writer wrote them): only DuckDB can find damage."""

    damage_message = staticmethod(damage_message)

    def _verify(self, dataset_key, version, parts):
        return {}


@pytest.mark.parametrize("materialize", [0, 10_000_000], ids=["view over the files", "table"])
def test_grid_rows_duckdb_cannot_read_leave_only_the_grid_empty(tiny_store, monkeypatch, materialize):
    # the per-town sums read every grid row while the version is built: a data page DuckDB cannot decode (the
    # footer still reads, so a view passes its first check) must leave the grid empty with its message, not stop
    # every dataset of the version
    monkeypatch.setattr(queries, "MATERIALIZE_ROWS", materialize)
    (path,) = tiny_store.files("grid", periods=["2024-10"])
    data = bytearray(Path(path).read_bytes())
    data[4:300] = b"\x07" * 296  # the first data pages, after the magic bytes
    Path(path).write_bytes(bytes(data))
    engine = Engine(_Unchecked(tiny_store.root))
    damaged = engine.damaged()
    assert set(damaged) == {"grid"} and "rollback grid 2024-10" in damaged["grid"]
    october = View(tiny.COUNTY, "2024-10", "2024-10")
    # petitions still answer: p1-p6 were received in October
    assert indicators.headline(engine, "petitions", october, today=tiny.TODAY)["current"]["received"] == 6
    assert indicators.headline(engine, "grid", october, today=tiny.TODAY)["current"]["households_covered"] is None
    assert _current(engine.scoped(*_range(tiny.A1)), tiny.TOWN_A) == {}


def test_a_new_upload_of_one_town_is_summed_in_the_next_version_and_the_old_one_stays(tiny_store):
    engine = Engine(tiny_store)
    old = engine.version()
    village = engine.scoped(*_range(tiny.A1))
    assert _current(engine, tiny.COUNTY, "child")[tiny.TOWN_A] == (TOWN_A, 2)
    assert _current(village, tiny.TOWN_A) == {tiny.TOWN_A: (A1, 1)}
    # town A sends October again with 甲一村 alone, covered 990: 甲二社区's October row goes
    again = pa.table({"region_code": [tiny.A1], "period": ["2024-10"], "households": [1000],
                      "households_covered": [990], "grids": [4], "grid_workers": [5], "grid_party_orgs": [3],
                      "party_member_households": [31]})
    tiny_store.commit("grid", again, source="grid.csv", who="test", scope=[tiny.TOWN_A])
    a1 = (1000, 990) + A1[2:]
    assert _current(engine, tiny.COUNTY, "child") == {tiny.TOWN_A: (a1, 1), tiny.TOWN_B: (B1, 1)}
    assert _current(engine, tiny.COUNTY) == {tiny.COUNTY: (tuple(x + y for x, y in zip(a1, B1)), 2)}
    assert _current(engine.scoped(*_range(tiny.TOWN_A)), tiny.COUNTY) == {tiny.COUNTY: (a1, 1)}
    assert _current(village, tiny.TOWN_A) == {tiny.TOWN_A: (a1, 1)}
    # a page that pinned the old version still reads it whole
    df = indicators.query(engine, "grid", View(tiny.COUNTY, "2024-10", "2024-10"), version=old, today=tiny.TODAY)
    assert int(df.loc[df["window_name"] == "current", "households_covered"].iloc[0]) == COUNTY[1]


def test_a_grid_left_on_its_files_gets_the_same_sums(tiny_store, monkeypatch):
    # national scale: the grid stays a view over its Parquet files, its per-town sums are still a table
    monkeypatch.setattr(queries, "MATERIALIZE_ROWS", 0)
    engine = Engine(tiny_store)
    assert _current(engine, tiny.COUNTY, "child") == {tiny.TOWN_A: (TOWN_A, 2), tiny.TOWN_B: (B1, 1)}
    assert _current(engine.scoped(*_range(tiny.TOWN_B)), tiny.COUNTY) == {tiny.COUNTY: (B1, 1)}
    assert _current(engine.scoped(*_range(tiny.A2)), tiny.COUNTY) == {tiny.COUNTY: (A2, 1)}
