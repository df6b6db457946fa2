"""KPI cards, built once for the dashboard, the 大屏 and the briefing."""

from governance.core import contract
from governance.metrics.cards import cards


def figures(current, previous):
    keys = [i.key for i in contract.PETITIONS.indicators]
    return {"current": dict.fromkeys(keys) | current, "mom": dict.fromkeys(keys) | previous,
            "yoy": dict.fromkeys(keys)}


def test_a_card_has_value_change_target_and_status():
    # 4 of 6 closed now against 9 of 10 last month: 66.7%, down 23.3 points; data/targets.toml (the fixture
    # copy) asks ≥95% of a county, so it is red
    by_key = {c.indicator.key: c for c in cards("petitions", figures({"closure_rate": 4 / 6, "received": 6},
                                                                     {"closure_rate": 0.9, "received": 10}),
                                                level="county")}
    card = by_key["closure_rate"]
    assert card.value_text() == "66.7%" and card.delta_text() == "-23.3个百分点"
    assert card.target_text == "≥95.0%" and card.status == "red"
    assert by_key["received"].delta_text() == "-40.0%" and by_key["received"].status is None
    assert [c.indicator.key for c in cards("petitions", figures({}, {}))] == \
        [i.key for i in contract.PETITIONS.indicators if i.headline]


def test_nothing_to_compare_is_said_not_computed():
    card = cards("petitions", figures({"closure_rate": 0.5}, {}), keys=["closure_rate"])[0]
    assert card.compare_missing and card.delta is None and card.delta_text() is None
    empty = cards("petitions", figures({}, {}), keys=["closure_rate"])[0]
    assert empty.value_text() == "—" and empty.status is None and not empty.compare_missing
