"""The cases behind a figure (明细穿透): each list has as many rows as the card it is opened from, on two view
dates, and an account bound to a town lists only its town's cases, whatever place it asks for."""

import datetime as dt

import pandas as pd
import pytest

from governance.metrics import cases, indicators
from governance.metrics.indicators import View
from tests import tiny

LATER = dt.date(2026, 12, 1)  # long after: every tiny case is past its deadline


@pytest.mark.parametrize("day", [tiny.TODAY, LATER])
@pytest.mark.parametrize("region", [tiny.COUNTY, tiny.TOWN_A, tiny.B1])
@pytest.mark.parametrize("kind, view", [
    ("petitions_overdue", ("2024-08", "2024-10")),
    ("petitions_overdue", ("2024-10", "2024-10")),
    ("disputes_overdue", ("2023-01", "2023-12")),
    ("disputes_backlog", ("2023-06", "2023-12")),
    ("branches_weak", ("2024-12", "2024-12")),
    ("branches_weak", ("2024-07", "2024-07")),
])
def test_a_list_has_as_many_rows_as_its_card(tiny_engine, kind, view, region, day):
    k = cases.KINDS[kind]
    v = View(region, *view)
    card = indicators.headline(tiny_engine, k.dataset, v, today=day)["current"][k.indicator]
    rows = cases.cases(tiny_engine, kind, v, today=day)
    assert len(rows) == (card or 0), (kind, view, region, day)


def test_overdue_petitions_by_hand(tiny_engine):
    # tests/tiny.py, August-October 2024 with the 60-day deadline: on 31 Oct only p8 (received 1 Aug, open) is
    # past due; p3 (10 Oct) is open but not yet due; p9 closed on 15 Oct. On 1 Dec 2026 p3 is past due too.
    v = View(tiny.COUNTY, "2024-08", "2024-10")
    on_the_day = cases.cases(tiny_engine, "petitions_overdue", v, today=tiny.TODAY)
    assert list(on_the_day["case_id"]) == ["p8"]
    assert on_the_day.iloc[0]["days_open"] == (tiny.TODAY - dt.date(2024, 8, 1)).days == 91
    assert on_the_day.iloc[0]["village_name"] == "甲一村" and on_the_day.iloc[0]["town_name"] == "甲镇"
    later = cases.cases(tiny_engine, "petitions_overdue", v, today=LATER)
    assert list(later["case_id"]) == ["p8", "p3"]  # longest open first


def test_weak_branches_by_hand(tiny_engine):
    # 2024-H2: b3 at 乙一村 is weak and not rectified
    df = cases.cases(tiny_engine, "branches_weak", View(tiny.COUNTY, "2024-12", "2024-12"), today=LATER)
    assert list(df["branch_id"]) == ["b3"] and not df.iloc[0]["rectified"]
    # 2024-H1: b3 was weak and rectified; "not yet rectified" lists none
    h1 = View(tiny.COUNTY, "2024-07", "2024-07")
    assert list(cases.cases(tiny_engine, "branches_weak", h1, today=LATER)["rectified"]) == [True]
    assert cases.cases(tiny_engine, "branches_weak", h1, today=LATER, unrectified_only=True).empty


def test_villages_outside_the_grid_band_as_pandas_counts_them(tiny_engine, tmp_path, monkeypatch):
    targets = tmp_path / "targets.toml"
    targets.write_text("[grid.households_per_grid]\nband = [250, 350]\n", encoding="utf-8")
    monkeypatch.setenv("GOVERNANCE_TARGETS", str(targets))
    g = tiny.grid().to_pandas()
    g = g[g["period"] == "2024-10"]
    per_grid = g["households_covered"] / g["grids"]
    want = g[(per_grid < 250) | (per_grid > 350)]["region_code"].tolist()
    assert want == [tiny.A1]  # 950 households in 4 grids: 237.5
    df = cases.cases(tiny_engine, "grid_band", View(tiny.COUNTY, "2024-09", "2024-10"), today=LATER)
    assert df["region_code"].tolist() == want
    assert df.iloc[0]["households_per_grid"] == pytest.approx(237.5) and df.iloc[0]["side"] == "below"


def test_a_bound_account_lists_only_its_own_place(served_store, monkeypatch):
    from governance.web import app_data, auth

    monkeypatch.setattr(auth, "current_user", lambda: auth.User("jia", "analyst", tiny.TOWN_A))
    monkeypatch.setattr(app_data, "view_date", lambda: LATER)
    for region in (tiny.TOWN_B, tiny.B1, tiny.COUNTY):
        df = app_data.case_list("petitions_overdue", View(region, "2024-08", "2024-10"))
        assert not set(df["region_code"]) - {tiny.A1, tiny.A2}, region
    # asked for 乙镇 or its village: nothing; asked for the county: 甲镇's own (p8 and p3 at 甲一村)
    assert app_data.case_list("petitions_overdue", View(tiny.TOWN_B, "2024-08", "2024-10")).empty
    assert sorted(app_data.case_list("petitions_overdue", View(tiny.COUNTY, "2024-08", "2024-10"))["case_id"]) == ["p3", "p8"]
    assert app_data.case_list("branches_weak", View(tiny.COUNTY, "2024-12", "2024-12")).empty  # b3 is 乙一村's
    monkeypatch.setattr(auth, "current_user", lambda: auth.User("county", "analyst", None))
    assert list(app_data.case_list("branches_weak", View(tiny.COUNTY, "2024-12", "2024-12"))["branch_id"]) == ["b3"]


def test_the_list_shown_has_chinese_headers_and_values(tiny_engine):
    from governance.web.views.cases import shown

    df = cases.cases(tiny_engine, "petitions_overdue", View(tiny.COUNTY, "2024-08", "2024-10"), today=LATER)
    table = shown("petitions_overdue", df)
    assert list(table.columns[:6]) == ["信访件编号", "乡镇(街道)", "村(社区)", "受理日期", "期限日", "已过天数"]
    assert table.iloc[0]["信访形式"] == "来信" and table.iloc[0]["重复信访"] == "否"
    assert table.iloc[0]["受理日期"] == dt.date(2024, 8, 1)
    assert isinstance(table, pd.DataFrame)


def test_a_card_opens_its_list_with_as_many_rows_as_it_shows(served_store):
    from tests.conftest import run_app

    at = run_app(region=tiny.COUNTY, **{"from": "2024-08", "to": "2024-10"})
    card = {m.label: m.value for m in at.metric}["超期未办结"]
    at.button(key="cases_card_petitions_overdue").click().run()
    assert not at.exception, at.exception
    table = next(df.value for df in at.dataframe if "信访件编号" in df.value.columns)
    assert card == f"{len(table)}件" and len(table) > 0
    assert any(f"共 **{len(table)}** 条" in m.value for m in at.markdown)
    at.text_input(key="cases_filter").input("p8").run()
    table = next(df.value for df in at.dataframe if "信访件编号" in df.value.columns)
    assert list(table["信访件编号"]) == ["p8"]


def test_a_ranking_row_opens_that_places_list(served_store):
    from tests.conftest import run_page

    at = run_page("pages/petitions.py", region=tiny.COUNTY, **{"from": "2024-08", "to": "2024-10"})
    at.selectbox(key=f"petitions_rank_{tiny.COUNTY}_cases").set_value(tiny.TOWN_B).run()
    assert not at.exception, at.exception
    table = next(df.value for df in at.dataframe if "信访件编号" in df.value.columns)
    assert set(table["乡镇(街道)"]) <= {"乙镇"}


def test_a_side_by_side_cell_asks_for_that_rows_place_and_columns_list_in_the_tables_month(monkeypatch):
    import streamlit as st

    from governance.web.views import cases as cases_view
    from governance.web.views import overview

    state = {overview.SIDE_MAP: ([tiny.TOWN_A, tiny.TOWN_B], {"受理量(件)": "petitions", "网格覆盖率(%)": "grid"},
                                 "2024-10"),
             "side_by_side_table": {"selection": {"rows": [], "columns": [], "cells": [(1, "网格覆盖率(%)")]}}}
    monkeypatch.setattr(st, "session_state", state)
    overview._cell_picked()
    assert state[cases_view.REQUEST] == ("grid_band", tiny.TOWN_B, "", ("2024-10", "2024-10"))
    state.pop(cases_view.REQUEST)
    state["side_by_side_table"] = {"selection": {"cells": [(0, "名称")]}}  # the names: no list behind them
    overview._cell_picked()
    assert cases_view.REQUEST not in state
