"""Settled months: a month whose every case already reads as it will stay is counted from per-village counts
(queries/<dataset>_settled.sql) instead of case by case. The figures must be the same on every view date, for
every kind of window, place, account scope and group of villages; the reference is the same Engine with the
settled counts left empty (settle=False), which counts every month case by case."""

import datetime as dt

import pandas as pd
import pytest

from governance.core import periods
from governance.demo import generate as demo
from governance.metrics import indicators
from governance.metrics.indicators import View
from governance.store import Store
from queries import Engine
from tests import day, tiny

D = dt.date


def _month(num: int) -> str:
    return f"{num // 12:04d}-{num % 12 + 1:02d}"


def test_a_month_settles_the_day_after_its_last_deadline_or_its_last_closing(tmp_path):
    # tests/day.py, petitions, deadline 60 days. September: q7 in 10 Sep (closed 12 Sep) is past its deadline
    # from 10 Nov, q8 in 20 Sep (closed 15 Nov) from 20 Nov: settled 20 Nov. October: the latest case, q3 in 31
    # Oct and still open, is past its deadline from 31 Dec.
    engine = Engine(day.build(tmp_path))
    settled = {_month(m): d for m, d in engine.settled_on("petitions", 60).items()}
    assert settled == {"2024-09": D(2024, 11, 20), "2024-10": D(2024, 12, 31)}
    # a longer deadline settles later; both deadlines' counts sit side by side
    assert {_month(m): d for m, d in engine.settled_on("petitions", 90).items()} == {
        "2024-09": D(2024, 12, 20), "2024-10": D(2025, 1, 30)}
    assert engine.settled_on("petitions", 60)[periods.month_num("2024-10")] == D(2024, 12, 31)


@pytest.mark.parametrize("today", [D(2024, 12, 30), D(2024, 12, 31), D(2025, 6, 30)])
def test_october_read_before_and_after_it_settled_counts_by_hand(tmp_path, today):
    # October in tests/day.py: six petitions; q2, q4, q5, q6 closed within days; q1 (1 Oct) and q3 (31 Oct)
    # open. On 30 Dec q3 is not yet past its deadline (31 Oct + 60 = 30 Dec), so October is not mature and one
    # open case is overdue; from 31 Dec both are, and the month is settled.
    engine = Engine(day.build(tmp_path))
    h = indicators.headline(engine, "petitions", View(tiny.COUNTY, "2024-10", "2024-10"), today=today)
    cur = h["current"]
    assert cur["received"] == 6 and cur["closed"] == 4
    assert cur["overdue"] == (1 if today == D(2024, 12, 30) else 2)
    assert h["mature"]["current"] == (today > D(2024, 12, 30))
    assert cur["on_time_rate"] == pytest.approx(4 / (4 + cur["overdue"]))


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("settled") / "store")
    demo.write_demo(store, scale="county", today=D(2026, 11, 20))
    return store


def _views(engine):
    regions = indicators.places(engine)
    county = indicators.home_region(engine)
    town = sorted(regions[regions["level"] == "town"]["region_code"])[3]
    last = indicators.latest_month(engine)
    year_ago = periods.shift_month(last, -11)
    return [
        (View(county, last, last), "place"),
        (View(county, periods.shift_month(last, -6), periods.shift_month(last, -4)), "place"),  # three months
        (View(county, periods.shift_month(last, -5), periods.shift_month(last, -5)), "child"),
        (View(county, periods.shift_month(year_ago, -12), last), "month"),  # two years of months
        (View(county, year_ago, last), "child_month"),
        (View(town, periods.shift_month(last, -3), periods.shift_month(last, -3)), "child"),  # its villages
        (View(town, year_ago, last), "month"),
    ], town


@pytest.mark.parametrize("today", [D(2026, 11, 20), D(2026, 9, 14), D(2025, 12, 31), D(2031, 1, 1)])
def test_settled_counts_give_the_figures_of_counting_case_by_case(county, today):
    settled, by_case = Engine(county), Engine(county, settle=False)
    views, town = _views(settled)
    lo, hi = View(town, "2000-01", "2000-01").code_range
    engines = [(settled, by_case), (settled.scoped(lo, hi), by_case.scoped(lo, hi)),
               (settled.grouped("过渡期"), by_case.grouped("过渡期"))]
    used = 0
    for dataset in ("petitions", "disputes"):
        deadline = {"petitions": 60, "disputes": 30}[dataset]
        for a, b in engines:
            for view, by in views:
                got = indicators.query(a, dataset, view, by=by, today=today)
                want = indicators.query(b, dataset, view, by=by, today=today)
                pd.testing.assert_frame_equal(got, want, check_dtype=False)
        used += sum(d <= today for d in settled.settled_on(dataset, deadline).values())
    # not vacuous: on all but the earliest view date most months were read from their settled counts
    assert used > (0 if today < D(2026, 1, 1) else 20)


def test_a_changed_deadline_is_counted_with_that_deadline(county, monkeypatch):
    settled, by_case = Engine(county), Engine(county, settle=False)
    views, _ = _views(settled)
    for days in ("60", "15"):
        monkeypatch.setenv("GOVERNANCE_DEADLINE_DAYS", days)
        for view, by in views:
            got = indicators.query(settled, "petitions", view, by=by, today=D(2026, 11, 20))
            want = indicators.query(by_case, "petitions", view, by=by, today=D(2026, 11, 20))
            pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert settled.settled_on("petitions", 15) != settled.settled_on("petitions", 60)


def test_a_scoped_account_gets_no_settled_counts_from_outside_its_place(county):
    engine = Engine(county)
    views, town = _views(engine)
    lo, hi = View(town, "2000-01", "2000-01").code_range
    whole = indicators.query(engine, "petitions", views[3][0], by="month", today=D(2031, 1, 1))
    seen = indicators.query(engine.scoped(lo, hi), "petitions", views[3][0], by="month", today=D(2031, 1, 1))
    own = indicators.query(engine, "petitions", views[3][0].at(town), by="month", today=D(2031, 1, 1))
    # the county read through the town's account is the town's own figures, never the county's
    assert seen["received"].sum() == own["received"].sum() < whole["received"].sum()


def test_a_dataset_left_on_its_files_keeps_no_settled_counts(county, monkeypatch):
    # national scale: a dataset over GOVERNANCE_MATERIALIZE_ROWS stays a view over its Parquet files, and its
    # settled counts (millions of village-months) would cost more memory than they save time
    import queries

    assert len(Engine(county).settled_on("petitions", 60)) > 20  # held as a table, the county's months settle
    monkeypatch.setattr(queries, "MATERIALIZE_ROWS", 1000)
    engine = Engine(county)
    views, _ = _views(engine)
    got = indicators.query(engine, "petitions", views[3][0], by="month", today=D(2031, 1, 1))
    want = indicators.query(Engine(county, settle=False), "petitions", views[3][0], by="month", today=D(2031, 1, 1))
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert engine.settled_on("petitions", 60) == {}


def test_preparing_a_version_builds_its_settled_counts_without_a_query(tmp_path):
    # the server's warm-up (governance/web/warm.py) prepares each new version with the app's deadlines
    engine = Engine(day.build(tmp_path))
    assert engine.settled() == set()
    engine.prepare(settle={"petitions": 60, "disputes": 30})
    assert engine.settled() == {("petitions", 60), ("disputes", 30)}
    reference = Engine(day.build(tmp_path / "again"), settle=False)  # counts every month case by case
    reference.prepare(settle={"petitions": 60})
    assert reference.settled() == set()
