"""A KPI card's change is coloured only when there is one: 对比期无数据 and 持平 are grey, never the green of a
gain (seen on the petitions page: "对比期无数据" in a green pill)."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.proto.Metric_pb2 import Metric

from governance.core import settings
from tests.conftest import run_page

GREY, RED = Metric.MetricColor.GRAY, Metric.MetricColor.RED


@pytest.fixture(autouse=True)
def store(served_store, monkeypatch):
    monkeypatch.setattr(settings, "today", lambda: dt.date(2026, 12, 1))
    return served_store


def closure_card(**view):
    at = run_page("pages/petitions.py", **view)
    assert not at.exception, at.exception
    return next(m for m in at.metric if m.label == "办结率")


def test_no_comparison_is_grey_and_a_drop_is_red():
    # August 2024 is the store's first month: July has no data to compare with
    august = closure_card(**{"from": "2024-08", "to": "2024-08"})
    assert august.delta == "对比期无数据" and august.proto.color == GREY
    # October against September, by hand (tests/tiny.py, read long after): 5 of 6 closed (83.3%) against 1 of 1
    october = closure_card(**{"from": "2024-10", "to": "2024-10"})
    assert october.delta.startswith("-16.7") and october.proto.color == RED
