"""The view-date picker: in the sidebar and the link, and every figure on the page read on that day."""

import datetime as dt

import pytest

from tests.conftest import run_app


@pytest.fixture(autouse=True)
def store(served_store):
    return served_store


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_a_view_date_in_the_link_reads_the_figures_on_that_day():
    # tiny.py, October's 6 petitions: on 10 November p1 p2 p4 p6 are closed (4 of 6); p5 closes on 20 November,
    # so on 25 November 5 of 6 are
    early = run_app(**{"from": "2024-10", "to": "2024-10", "day": "2024-11-10"})
    assert not early.exception
    assert early.date_input(key="f_day").value == dt.date(2024, 11, 10)
    assert metric(early, "办结率") == "66.7%"
    assert "数据截至2024年11月10日" in early.caption[0].value
    late = run_app(**{"from": "2024-10", "to": "2024-10", "day": "2024-11-25"})
    assert metric(late, "办结率") == "83.3%"
    assert late.query_params["day"] == ["2024-11-25"] or late.query_params["day"] == "2024-11-25"


def test_picking_a_day_rereads_the_page_and_keeps_it_in_the_link():
    at = run_app(**{"from": "2024-10", "to": "2024-10"})
    at.date_input(key="f_day").set_value(dt.date(2024, 11, 10)).run()
    assert not at.exception
    assert metric(at, "办结率") == "66.7%"
    assert at.query_params["day"] in ("2024-11-10", ["2024-11-10"])
    # months after the view date cannot be picked: read on 30 September, the slider ends at September
    at.date_input(key="f_day").set_value(dt.date(2024, 9, 30)).run()
    assert not at.exception
    assert at.select_slider[0].options[-1] == "2024年9月"
    assert at.select_slider[0].value == ("2024-09", "2024-09")
