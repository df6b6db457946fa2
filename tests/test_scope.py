"""An account bound to a place: the query layer itself keeps every result inside that place."""

import pytest

from governance.core import contract
from governance.metrics import indicators
from governance.metrics.indicators import View
from queries import SQL_DIR
from tests import tiny


@pytest.fixture(scope="module")
def town_a(tiny_engine):
    lo, hi = View(tiny.TOWN_A, "2024-10", "2024-10").code_range
    return tiny_engine.scoped(lo, hi)


def test_the_region_tree_seen_from_a_town_is_that_town(town_a):
    assert set(indicators.places(town_a)["region_code"]) == {tiny.TOWN_A, tiny.A1, tiny.A2}


def test_asking_for_the_county_from_a_town_gives_the_towns_figures(town_a):
    # tiny.py, October 2024 read on 31 Oct: 甲镇 received p1-p4 (4), closed p1, p2, p4 (3), its villages
    # hold 1000 + 3000 people; the county would be 6 received, 4 closed, 6000 people.
    v = indicators.headline(town_a, "petitions", View(tiny.COUNTY, "2024-10", "2024-10"), today=tiny.TODAY)
    assert v["current"]["received"] == 4 and v["current"]["closed"] == 3
    assert v["current"]["per_10k"] == pytest.approx(4 / 4000 * 10000)


def test_another_town_asked_by_code_shows_nothing(town_a):
    v = indicators.headline(town_a, "petitions", View(tiny.TOWN_B, "2024-10", "2024-10"), today=tiny.TODAY)
    assert v["current"]["received"] is None or v["current"]["received"] == 0
    for dataset in contract.FACT_DATASETS:
        for by in ("child", "village", "month"):
            df = indicators.query(town_a, dataset, View(tiny.COUNTY, "2023-01", "2024-12"), by=by, today=tiny.TODAY)
            codes = set(df["place_code"].dropna())
            assert codes <= {tiny.COUNTY, tiny.TOWN_A, tiny.A1, tiny.A2}, (dataset, by, codes)
            assert tiny.TOWN_B not in codes and tiny.B1 not in codes


def test_every_dataset_view_in_scope_holds_only_rows_under_the_place(tiny_engine, town_a):
    # A query written tomorrow cannot reach past the scope either: the views themselves are limited.
    # Through the unscoped engine the same views hold town B's rows too.
    lo, hi = town_a.scope
    for key in contract.DATASETS:
        sql = f"select count(*) filter (where code_num not between {lo} and {hi}) as outside, count(*) as n from {key}"
        scoped = _adhoc(tiny_engine, sql, scope=town_a.scope)
        whole = _adhoc(tiny_engine, sql)
        assert scoped["outside"] == 0, key
        assert whole["outside"] > 0, key  # the tiny county has rows of town B in every dataset


def _adhoc(engine, sql, scope=None):
    # an ad-hoc query file, as a new query would be; removed afterwards
    path = SQL_DIR / "zz_scope_probe.sql"
    path.write_text(sql, encoding="utf-8")
    from queries import sql_text

    sql_text.cache_clear()
    try:
        return engine.run("zz_scope_probe", {}, scope=scope).iloc[0].to_dict()
    finally:
        path.unlink()
        sql_text.cache_clear()
