"""The Delta store: scoped replacement, preview, history, rollback within a scope, vacuum, other readers.

Every test uses real Delta tables in tmp_path and the tiny county of tests/tiny.py:
town A (411102001000: villages A1, A2) and town B (411102002000: village B1).
Expected figures are worked out in the comments from the rows written here.
"""

from __future__ import annotations

import datetime as dt
import re

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from deltalake import DeltaTable

from governance.metrics import indicators
from governance.metrics.indicators import View
from governance.store import INTERNAL, Store, StoreError
from queries import Engine
from tests import tiny

D = dt.date
HAS_CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _no_inherited_fault(monkeypatch):
    monkeypatch.delenv("GOVERNANCE_FAULT", raising=False)


def november(places: dict[str, int], tag: str) -> pa.Table:
    """Petitions received in November 2024: ``places`` maps a village to its number of cases."""
    rows = [(code, i) for code, n in places.items() for i in range(n)]
    n = len(rows)
    return pa.table({
        "case_id": [f"{tag}-{code[-4:]}-{i}" for code, i in rows],
        "region_code": [code for code, _ in rows],
        "received_on": pa.array([D(2024, 11, 1 + i % 28) for _, i in rows], pa.date32()),
        "channel": ["visit"] * n, "category": [tag] * n, "is_initial": [True] * n,
        "closed_on": pa.array([None] * n, pa.date32()), "resolved_first_time": pa.array([None] * n, pa.bool_()),
        "satisfaction": pa.array([None] * n, pa.string()), "is_repeat": [False] * n,
    })


def by_place(store: Store, period: str) -> dict[str, int]:
    t = store.read("petitions", periods=[period])
    if t is None:
        return {}
    vc = pc.value_counts(t.column("region_code"))
    return {v.as_py(): c.as_py() for v, c in zip(vc.field("values"), vc.field("counts"))}


# ---- layout and the basic commit -------------------------------------------------
def test_empty_store(tmp_path):
    store = Store(tmp_path / "store")
    assert store.version() == "-.-.-.-.-"
    assert store.is_empty() and store.periods("petitions") == [] and store.history("petitions") == []
    assert store.read("petitions") is None and store.log() == []
    assert not (tmp_path / "store").exists()  # reading creates nothing


def test_each_dataset_is_a_delta_table_partitioned_by_period_with_ascii_paths(tiny_store):
    store = tiny_store
    assert store.version() == "1.1.1.1.1"  # regions, petitions, disputes, grid, branches: one upload each
    for key in ("petitions", "disputes", "grid", "branches"):
        table = DeltaTable(str(store.table_path(key)))
        assert table.metadata().partition_columns == ["period"]
        assert table.version() == 1  # 0 is the table's creation
    assert DeltaTable(str(store.table_path("regions"))).metadata().partition_columns == []
    assert store.periods("petitions") == ["2024-08", "2024-09", "2024-10"]
    assert store.periods("branches") == ["2024-H1", "2024-H2"]
    assert store.periods("regions") == ["all"]
    for path in store.root.rglob("*"):
        assert str(path.relative_to(store.root)).isascii(), path
    # period is a string column inside each file too, not only a folder name
    t = store.read("branches")
    assert t.schema.field("period").type == pa.string() and t.schema.field("code_num").type == pa.int64()


def test_deltas_own_reader_gives_the_same_totals_as_the_engine(tiny_store):
    # tiny petitions: 9 cases; October: p1-p6 (6), closed in October or later: p1 p2 p4 p5 p6 (5)
    own = DeltaTable(str(tiny_store.table_path("petitions"))).to_pyarrow_table()
    assert own.num_rows == 9
    october = own.filter(pc.equal(own.column("period"), "2024-10"))
    engine = Engine(tiny_store)
    v = indicators.headline(engine, "petitions", View(tiny.COUNTY, "2024-10", "2024-10"), today=tiny.TODAY)["current"]
    assert v["received"] == october.num_rows == 6
    grid = DeltaTable(str(tiny_store.table_path("grid"))).to_pyarrow_table()
    g = indicators.headline(engine, "grid", View(tiny.COUNTY, "2024-10", "2024-10"), today=tiny.TODAY)["current"]
    # October grid: covered 950 + 3000 + 1800 = 5750
    assert g["households_covered"] == pc.sum(grid.filter(pc.equal(grid.column("period"), "2024-10"))
                                             .column("households_covered")).as_py() == 5750


def test_commit_metadata_records_who_what_where_and_a_checksum(tiny_store):
    r = tiny_store.commit("petitions", november({tiny.A1: 2}, "a"), source="甲镇11月.csv", who="甲镇信访办",
                          checksum="ab" * 32)
    assert (r.version, r.periods, r.rows, r.scope, r.replaced) == (2, ["2024-11"], 2, [tiny.TOWN_A], 0)
    (latest, *_rest) = tiny_store.history("petitions")
    assert (latest["who"], latest["source"], latest["source_sha256"], latest["rows"], latest["scope"],
            latest["action"], latest["periods"], latest["current"]) == (
        "甲镇信访办", "甲镇11月.csv", "ab" * 32, 2, [tiny.TOWN_A], "ingest", ["2024-11"], True)
    assert "code_num between 411102001000 and 411102001999" in latest["predicate"]
    # the same, as any Delta reader sees the commit
    info = DeltaTable(str(tiny_store.table_path("petitions"))).history(1)[0]
    assert info["who"] == "甲镇信访办" and info["scope"] == [tiny.TOWN_A] and info["source_sha256"] == "ab" * 32


# ---- scoped replacement --------------------------------------------------------
def test_town_a_and_town_b_november_uploads_leave_both_towns_rows(tiny_store):
    store = tiny_store
    store.commit("petitions", november({tiny.A1: 20, tiny.A2: 4}, "a"), source="甲镇.csv")
    store.commit("petitions", november({tiny.B1: 7}, "b"), source="乙镇.csv")
    # town B's file replaced town B's November only: A keeps its 24
    assert by_place(store, "2024-11") == {tiny.A1: 20, tiny.A2: 4, tiny.B1: 7}
    v = indicators.headline(Engine(store), "petitions", View(tiny.COUNTY, "2024-11", "2024-11"),
                            today=D(2024, 12, 1))["current"]
    assert v["received"] == 31
    # and October, untouched by both: still the tiny county's 6
    assert sum(by_place(store, "2024-10").values()) == 6


def test_a_re_upload_replaces_only_its_own_town(tiny_store):
    store = tiny_store
    store.commit("petitions", november({tiny.A1: 5, tiny.B1: 3}, "first"), source="县汇总.csv")
    store.commit("petitions", november({tiny.A2: 2}, "fix"), source="甲镇更正.csv")
    # town A now has only A2's 2 (its file replaced A1's 5 too); town B's 3 stand
    assert by_place(store, "2024-11") == {tiny.A2: 2, tiny.B1: 3}


def test_a_county_file_empties_an_omitted_town_only_when_the_county_is_named(tiny_store):
    store = tiny_store
    store.commit("petitions", november({tiny.A1: 5, tiny.B1: 3}, "v1"), source="县.csv")
    county_file = november({tiny.A1: 6}, "v2")  # the county's file holds only town A
    store.commit("petitions", county_file, source="县2.csv")  # default scope: town A
    assert by_place(store, "2024-11") == {tiny.A1: 6, tiny.B1: 3}
    r = store.commit("petitions", county_file, source="县3.csv", scope=[tiny.COUNTY])
    assert r.scope == [tiny.COUNTY] and r.replaced == 9  # A1's 6 and B1's 3
    assert by_place(store, "2024-11") == {tiny.A1: 6}


def test_a_village_scope_replaces_that_village_alone_and_rows_outside_a_named_scope_are_refused(tiny_store):
    store = tiny_store
    store.commit("petitions", november({tiny.A1: 5, tiny.A2: 4}, "v1"), source="甲镇.csv")
    store.commit("petitions", november({tiny.A2: 1}, "v2"), source="甲二社区.csv", scope=[tiny.A2])
    assert by_place(store, "2024-11") == {tiny.A1: 5, tiny.A2: 1}
    before = store.version()
    with pytest.raises(StoreError, match="outside the scope"):
        store.commit("petitions", november({tiny.A1: 1}, "v3"), source="x.csv", scope=[tiny.A2])
    assert store.version() == before


def test_preview_counts_equal_what_the_commit_does(tiny_store):
    store = tiny_store
    # October now: A1 p1 p2 p3, A2 p4, B1 p5 p6. A county-scoped file with A1 x2 and B1 x1 for October:
    table = november({tiny.A1: 2, tiny.B1: 1}, "oct").set_column(
        2, "received_on", pa.array([D(2024, 10, 3)] * 3, pa.date32()))
    scope, changes = store.preview("petitions", table, [tiny.COUNTY])
    assert scope == [tiny.COUNTY]
    assert [(c.period, c.region_code, c.rows_now, c.rows_after) for c in changes] == [
        ("2024-10", tiny.A1, 3, 2), ("2024-10", tiny.A2, 1, 0), ("2024-10", tiny.B1, 2, 1)]
    r = store.commit("petitions", table, source="县10月.csv", scope=[tiny.COUNTY])
    assert r.replaced == sum(c.rows_now for c in changes) == 6
    assert by_place(store, "2024-10") == {c.region_code: c.rows_after for c in changes if c.rows_after}
    # default scope (towns A and B hold rows): the same here, since both towns appear
    assert [c.rows_after for c in store.preview("petitions", table)[1]] == [2, 1]


def test_regions_are_replaced_whole(tiny_store):
    store = tiny_store
    smaller = tiny.regions().slice(0, 3)
    r = store.commit("regions", smaller, source="区划.csv")
    assert r.scope == ["all"] and r.replaced == 6
    assert store.read("regions").num_rows == 3


def test_no_rows_and_bad_periods_are_refused(tmp_path):
    store = Store(tmp_path / "s")
    with pytest.raises(StoreError, match="no data rows"):
        store.commit("petitions", november({}, "x"), source="empty.csv")
    bad = tiny.grid().set_column(1, "period", pa.array(["2024/01"] * 6))
    with pytest.raises(StoreError):
        store.commit("grid", bad, source="grid.csv")
    assert store.is_empty()


# ---- history, rollback, restore ---------------------------------------------------
def test_rollback_within_a_scope_restores_one_town_and_shows_in_history(tiny_store):
    store = tiny_store
    store.commit("petitions", november({tiny.A1: 5, tiny.B1: 3}, "v2"), source="县.csv")       # v2
    store.commit("petitions", november({tiny.A1: 1}, "v3"), source="甲镇错.csv")              # v3: A -> 1
    store.commit("petitions", november({tiny.B1: 4}, "v4"), source="乙镇.csv")                # v4: B -> 4
    result, target = store.rollback("petitions", "2024-11", scope=[tiny.TOWN_A], who="审核员")
    # town A's last change was v3: back to v2's A rows (A1 x5); B keeps v4's 4
    assert (target, result.version) == (2, 5)
    assert by_place(store, "2024-11") == {tiny.A1: 5, tiny.B1: 4}
    latest = store.history("petitions")[0]
    assert (latest["action"], latest["scope"], latest["restored_version"], latest["who"]) == (
        "restore", [tiny.TOWN_A], 2, "审核员")
    # again: A's state came from v2 (restored), whose change was v2 itself: back to before it, nothing
    _, target = store.rollback("petitions", "2024-11", scope=[tiny.TOWN_A])
    assert target == 1 and by_place(store, "2024-11") == {tiny.B1: 4}
    with pytest.raises(StoreError) as info:
        store.rollback("petitions", "2024-11", scope=[tiny.TOWN_A])
    assert HAS_CJK.search(str(info.value))


def test_whole_period_rollback_steps_back_one_upload_at_a_time(tiny_store):
    store = tiny_store
    for n in (2, 3, 4):
        store.commit("petitions", november({tiny.A1: n}, f"u{n}"), source=f"u{n}.csv")  # v2, v3, v4
    assert store.rollback("petitions", "2024-11")[1] == 3
    assert by_place(store, "2024-11") == {tiny.A1: 3}
    assert store.rollback("petitions", "2024-11")[1] == 2
    assert by_place(store, "2024-11") == {tiny.A1: 2}
    assert store.rollback("petitions", "2024-11")[1] == 1  # before the first November upload
    assert by_place(store, "2024-11") == {}
    assert store.periods("petitions") == ["2024-08", "2024-09", "2024-10"]
    # any listed version can be brought back, as yet another version
    store.restore("petitions", "2024-11", 4)
    assert by_place(store, "2024-11") == {tiny.A1: 4}
    assert [h["action"] for h in store.history("petitions")][:4] == ["restore"] * 4


def test_the_regions_table_cannot_be_removed_while_facts_use_it(tiny_store):
    with pytest.raises(StoreError, match="行政区划表不能删除"):
        tiny_store.rollback("regions", "all")
    assert tiny_store.read("regions").num_rows == 6


def test_rollback_of_an_unknown_period_is_refused_and_changes_nothing(tiny_store):
    before = tiny_store.version()
    for call in (lambda s: s.rollback("petitions", "2030-01"), lambda s: s.restore("petitions", "2024-10", 99)):
        with pytest.raises(StoreError) as info:
            call(tiny_store)
        assert HAS_CJK.search(str(info.value))
    assert tiny_store.version() == before


# ---- vacuum ------------------------------------------------------------------------
def test_vacuum_keeps_listed_versions_and_removes_orphans(tiny_store):
    store = tiny_store
    store.commit("petitions", november({tiny.A1: 2}, "a"), source="a.csv")   # v2
    store.commit("petitions", november({tiny.A1: 3}, "b"), source="b.csv")   # v3: v2's November file removed
    orphan = store.table_path("petitions") / "period=2024-11" / "killed-commit-0.parquet"
    orphan.write_bytes(b"PAR1 left by a commit killed before its log entry")
    tmp = store.table_path("petitions") / "_delta_log" / "_commit_deadbeef.json.tmp"
    tmp.write_text("{")
    done = store.vacuum(keep_days=30, grace_seconds=0)
    assert {"petitions/period=2024-11/killed-commit-0.parquet",
            "petitions/_delta_log/_commit_deadbeef.json.tmp"} <= set(done["removed"])
    # every version of the last 30 days is still readable, v2's November included
    assert by_place_at(store, 2) == {tiny.A1: 2}
    store.restore("petitions", "2024-11", 2)
    assert by_place(store, "2024-11") == {tiny.A1: 2}
    # with no days kept, files only old versions read go; the current version stays whole
    done = store.vacuum(keep_days=0, grace_seconds=0)
    assert any("period=2024-11" in f for f in done["removed"])
    assert by_place(store, "2024-11") == {tiny.A1: 2} and sum(by_place(store, "2024-10").values()) == 6
    with pytest.raises(StoreError, match="vacuumed"):
        store.restore("petitions", "2024-11", 3)


def by_place_at(store: Store, version: int) -> dict[str, int]:
    t = DeltaTable(str(store.table_path("petitions")), version=version).to_pyarrow_table()
    t = t.filter(pc.equal(t.column("period"), "2024-11"))
    vc = pc.value_counts(t.column("region_code"))
    return {v.as_py(): c.as_py() for v, c in zip(vc.field("values"), vc.field("counts"))}


# ---- reading: internal columns, yearly ratings ----------------------------------------------
def test_a_yearly_only_ratings_store_is_read_with_period_as_text(tmp_path):
    store = Store(tmp_path / "s")
    store.commit("regions", tiny.regions(), source="r.csv")
    yearly = tiny.branches().set_column(3, "period", pa.array(["2025"] * 7))
    yearly = yearly.set_column(0, "branch_id", pa.array([f"b{i}" for i in range(7)]))
    store.commit("branches", yearly, source="2025评星.csv")
    assert (store.table_path("branches") / "period=2025").is_dir()
    engine = Engine(store)
    v = indicators.headline(engine, "branches", View(tiny.COUNTY, "2025-12", "2025-12"))["current"]
    assert v["branches"] == 7
    assert set(INTERNAL) <= set(store.read("branches").column_names)
