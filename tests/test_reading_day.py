"""SPEC "Reading figures on a given day": maturity, overdue, small numbers, zero vs missing, ratings shown
early; every expected figure counted by hand from tests/day.py (or the rows written in the test)."""

import datetime as dt

import pytest

from governance.core import contract, ranking, settings
from governance.metrics import attention, indicators
from governance.metrics.cards import cards
from governance.metrics.indicators import View
from queries import Engine
from tests import day, tiny

D = dt.date
OCT = View(day.COUNTY, "2024-10", "2024-10")


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    eng = Engine(day.build(tmp_path_factory.mktemp("day")))
    yield eng
    eng.close()


def head(engine, view, on):
    return indicators.headline(engine, "petitions", view, today=on)


def test_a_month_whose_cases_are_not_all_due_is_immature_and_counts_overdue_from_day_61(engine):
    # 30 Nov is day 60 of q1 (received 1 Oct): not yet past its deadline; 1 Dec is day 61
    on_day_60, on_day_61 = head(engine, OCT, D(2024, 11, 30)), head(engine, OCT, D(2024, 12, 1))
    assert on_day_60["current"]["overdue"] == 0
    assert on_day_61["current"]["overdue"] == 1  # q1
    # q3 (31 Oct) is due only after 30 Dec: October is immature on both days
    assert not on_day_60["mature"]["current"] and not on_day_61["mature"]["current"]
    v = on_day_61["current"]
    assert v["received"] == 6 and v["closed"] == 4  # q2 q4 q5 q6
    assert v["closure_rate"] == pytest.approx(4 / 6)
    # satisfied + basic over rated, q3's answer on an open case included: (q6 + q2) / (q2 q3 q6)
    assert v["satisfaction_rate"] == pytest.approx(2 / 3)


def test_an_immature_figure_is_not_coloured_and_compared_at_the_same_age(engine):
    h = head(engine, OCT, D(2024, 12, 1))
    by_key = {c.indicator.key: c for c in cards("petitions", h, level="county")}
    closure = by_key["closure_rate"]
    # 66.7% would be red against ≥95%, but October's cases are still being worked
    assert closure.status is None and closure.note == ("办理期内", "in progress")
    assert closure.value_text() == "66.7%"  # 6 cases: not a small number
    # September read at October's age (31 days after its end: 31 October): q7 closed, q8 not yet -> 1/2;
    # read on 1 December both are closed (2/2), which is not what October is compared with
    assert h["mom"]["closure_rate"] == pytest.approx(0.5)
    assert closure.delta_text() == "+16.7个百分点"
    assert h["mom"]["received"] == 2  # counts are read on the view date
    # 超期未办结 is what flags the month: 1 against a target of 0
    assert by_key["overdue"].status == "red" and by_key["overdue"].value_text() == "1件"
    # on_time_rate needs no maturing: q1 is open past its deadline: 4 on time / (4 closed + 1) = 80%
    assert by_key["on_time_rate"].status == "red" and by_key["on_time_rate"].note is None


def test_a_mature_month_is_coloured_and_read_on_the_view_date(engine):
    sep = head(engine, View(day.COUNTY, "2024-09", "2024-09"), D(2024, 12, 1))
    # q8 (20 Sep) was due by 19 Nov: September is mature on 1 December, both cases closed
    assert sep["mature"]["current"] and sep["current"]["closure_rate"] == pytest.approx(1.0)
    card = next(c for c in cards("petitions", sep, level="county") if c.indicator.key == "closure_rate")
    # 2 cases only: shown with its base, greyed, not coloured
    assert card.value_text() == "100.0%（2件）" and card.status is None and card.note == ("样本少", "few cases")
    # October becomes mature once q3 is past its deadline (31 Oct + 60 = 30 Dec)
    assert head(engine, OCT, D(2024, 12, 31))["mature"]["current"]


def test_the_trends_months_equal_the_indicators_of_each_month_read_on_the_same_day(engine):
    on = D(2024, 12, 1)
    series = indicators.query(engine, "petitions", View(day.COUNTY, "2024-09", "2024-10"), by="month", today=on)
    series = series.set_index("month")
    for month in ("2024-09", "2024-10"):
        alone = head(engine, View(day.COUNTY, month, month), on)["current"]
        for ind in contract.PETITIONS.indicators:
            got = indicators.values_of("petitions", series.loc[month])[ind.key]
            assert got == pytest.approx(alone[ind.key]) if alone[ind.key] is not None else got is None, (month, ind.key)
    # and each month says whether it is final: September yes, October not yet
    assert bool(series.loc["2024-09", "mature"]) and not bool(series.loc["2024-10", "mature"])


def test_immature_rates_never_reach_the_attention_list_and_overdue_does(engine):
    df = attention.needs_attention(engine, day.COUNTY, "2024-10", today=D(2024, 12, 1))
    listed = set(zip(df["place_name"], df["indicator"]))
    # 甲镇 (A1 + A2): 4 of 6 closed (66.7%, below the town's 85% amber) but immature: not listed for it.
    # q1 is overdue: listed for 超期未办结; and 按期办结率, which waits on nothing, is honest on any day:
    # 4 closed on time / (4 closed + q1) = 80%, red against 95% with amber 90%
    assert listed == {("甲镇", "overdue"), ("甲镇", "on_time_rate")}
    # on 31 December October is mature: 甲镇 still has q1 and q3 open, 4/6 is red; both overdue
    late = attention.needs_attention(engine, day.COUNTY, "2024-10", today=D(2024, 12, 31))
    late_listed = set(zip(late["place_name"], late["indicator"], late["value"].round(4)))
    assert ("甲镇", "closure_rate", round(4 / 6, 4)) in late_listed
    assert ("甲镇", "overdue", 2) in late_listed
    assert not any(p == "乙镇" for p, *_ in late_listed)  # no October case at all


def test_a_zero_case_village_in_a_month_with_data_counts_zero(engine):
    # October has data; village B1 had no petition in it
    villages = indicators.query(engine, "petitions", View(day.TOWN_B, "2024-10", "2024-10"), by="child",
                                today=D(2024, 12, 1))
    b1 = villages[villages["window_name"] == "current"].set_index("place_code").loc[day.B1]
    assert b1["received"] == 0 and b1["closed"] == 0 and b1["overdue"] == 0
    assert b1["per_10k"] == 0.0  # 0 of 2,000 residents
    assert b1["closure_rate"] != b1["closure_rate"]  # NaN: a ratio of nothing is empty ("—")
    towns = indicators.query(engine, "petitions", OCT, by="child", today=D(2024, 12, 1))
    assert set(towns.loc[towns["window_name"] == "current", "place_code"]) == {day.TOWN_A, day.TOWN_B}
    # a month with no data at all has no row: 无数据, not 0
    assert head(engine, View(day.COUNTY, "2024-08", "2024-08"), D(2024, 12, 1))["current"]["received"] is None


def test_a_ranking_lists_places_on_few_cases_after_the_ranked_ones(engine):
    # September, read on 1 December (mature): villages of the county: A1 0 cases, A2 0 cases, B1 2 cases
    # (both closed: 100% on 2); October: A1 5 cases (3 closed, 60%), A2 1 case (100% on 1), B1 none
    df = indicators.query(engine, "petitions", View(day.COUNTY, "2024-10", "2024-10"), by="village",
                          today=D(2025, 3, 1))  # October long mature
    ind = contract.INDICATORS[("petitions", "closure_rate")]
    ordered = ranking.order(df[df["window_name"] == "current"], ind)
    assert list(ordered["place_code"]) == [day.A1, day.A2, day.B1]
    assert list(ordered["ranked"]) == [True, False, False]
    assert list(ordered["unranked"]) == ["", "small", "empty"]
    assert list(ordered["base"]) == [5, 1, 0]


def test_a_rating_uploaded_before_its_period_ends_is_shown_as_early(tmp_path, monkeypatch):
    store = tiny.Store(tmp_path)
    store.commit("regions", tiny.regions(), source="r")
    store.commit("branches", tiny.branches(), source="b")  # 2024-H1 (3 branches) and 2024-H2 (4)
    eng = Engine(store)
    # the second half-year was rated in advance and uploaded on 20 November 2024
    monkeypatch.setattr(indicators, "uploaded_on",
                        lambda *a, **k: {"2024-H1": D(2024, 7, 5), "2024-H2": D(2024, 11, 20)})
    nov = View(tiny.COUNTY, "2024-11", "2024-11")
    after = indicators.headline(eng, "branches", nov, today=D(2024, 11, 25))
    assert after["early"] and after["rating_period"] == "2024-H2" and after["current"]["branches"] == 4
    card = cards("branches", after, keys=["five_star_share"])[0]
    assert card.early  # shown as 预评 (and, over 4 branches, with its base: 50.0%（4个）)
    assert card.value_text() == "50.0%（4个）"
    before = indicators.headline(eng, "branches", nov, today=D(2024, 11, 10))
    assert not before["early"] and before["rating_period"] == "2024-H1" and before["current"]["branches"] == 3
    # a view of June 2024 read later does not show a rating uploaded after June
    june = indicators.headline(eng, "branches", View(tiny.COUNTY, "2024-06", "2024-06"), today=D(2024, 12, 1))
    assert june["rating_period"] == "2024-H1"


def test_the_manifest_says_when_a_rating_was_uploaded(tmp_path):
    store = tiny.Store(tmp_path)
    store.commit("regions", tiny.regions(), source="r")
    store.commit("branches", tiny.branches(), source="b")
    got = indicators.uploaded_on(Engine(store), "branches")
    assert set(got) == {"2024-H1", "2024-H2"}
    assert abs((got["2024-H2"] - settings.today()).days) <= 1


def _tier_extract(tmp_path):
    # The published district (SPEC): 183 villages rated 36 好, 92 较好; the other 55 here 45 一般 and 10 差.
    regions_csv = ["区划代码,名称,层级,上级区划代码,类型,户数,常住人口", "411102000000,示范县,county,,,,",
                   "411102001000,甲镇,town,411102000000,,,"]
    rows = ["党组织编号,党组织名称,区划代码,评定周期,星级,得分,等次,是否软弱涣散,是否完成整顿"]
    tiers = ["好"] * 36 + ["较好"] * 92 + ["一般"] * 45 + ["差"] * 10
    for i, tier in enumerate(tiers):
        code = f"411102001{i + 201:03d}"
        regions_csv.append(f"{code},村{i},village,411102001000,village,100,300")
        rows.append(f"DZB{i:03d},村{i}党支部,{code},2024,3,,{tier},否,")
    (tmp_path / "regions.csv").write_text("\n".join(regions_csv) + "\n", encoding="gbk")
    (tmp_path / "branches.csv").write_text("\n".join(rows) + "\n", encoding="gbk")


def test_the_tier_split_of_183_villages_is_read_from_an_extract_and_a_yearly_only_store(tmp_path):
    from governance.tools import cli

    _tier_extract(tmp_path)
    store = tmp_path / "store"
    assert cli.main(["ingest", "regions", str(tmp_path / "regions.csv"), "--store", str(store)]) == 0
    assert cli.main(["ingest", "branches", str(tmp_path / "branches.csv"), "--store", str(store)]) == 0
    # the store's only rating is yearly (2024): every branches query still answers
    eng = Engine(tiny.Store(store))
    v = indicators.headline(eng, "branches", View("411102000000", "2024-12", "2024-12"), today=D(2025, 1, 5))
    assert v["current"]["branches"] == 183
    assert v["current"]["tier_distribution"] == {"好": 36, "较好": 92, "一般": 45, "差": 10, "未定": 0}
    assert v["current"]["good_share"] == pytest.approx(36 / 183)
    towns = indicators.query(eng, "branches", View("411102000000", "2024-12", "2024-12"), by="child",
                             today=D(2025, 1, 5))
    assert towns.loc[towns["window_name"] == "current", "tier_good"].tolist() == [36]


def test_the_command_line_reads_figures_as_of_a_given_day(tmp_path, capsys):
    import json

    from governance.tools import cli

    day.build(tmp_path / "store")
    out = {}
    for on in ("2024-11-30", "2024-12-01"):
        capsys.readouterr()
        assert cli.main(["indicators", "petitions", "--from", "2024-10", "--to", "2024-10", "--as-of", on,
                         "--store", str(tmp_path / "store"), "--json"]) == 0
        out[on] = json.loads(capsys.readouterr().out)
    # q1 (1 October, open) is overdue from day 61 only
    assert out["2024-11-30"]["overdue"] == 0 and out["2024-12-01"]["overdue"] == 1
    assert out["2024-12-01"]["closed"] == 4 and out["2024-12-01"]["received"] == 6
    assert cli.main(["indicators", "petitions", "--as-of", "1 December", "--store", str(tmp_path / "store")]) == 2


def test_only_a_rating_loaded_by_the_views_last_day_is_an_early_one():
    D = dt.date
    # 2026-H2 rated in advance, loaded on 20 November: a 预评 from that day, in a view of November
    assert indicators.shown_ratings(["2025-H2", "2026-H2"], "2026-11", {"2026-H2": D(2026, 11, 20)},
                                    D(2026, 11, 25)) == ["2025-H2", "2026-H2"]
    assert indicators.shown_ratings(["2025-H2", "2026-H2"], "2026-11", {"2026-H2": D(2026, 11, 20)},
                                    D(2026, 11, 19)) == ["2025-H2"]
    # a back-filled history, all loaded on 1 December 2026: May 2026 shows the rating in force then (2025-H2),
    # not 2026-H1 (which ended in June and was loaded long after) as a 预评
    loaded = {"2025-H2": D(2026, 12, 1), "2026-H1": D(2026, 12, 1)}
    assert indicators.shown_ratings(["2025-H2", "2026-H1"], "2026-05", loaded, D(2026, 12, 1)) == ["2025-H2"]
