"""A town's rank among its peers without their figures (issue 10 item 1: a setting, off by default).

October 2024, read on 2026-12-01 (every case past its 60-day deadline), small base lowered to 1 so the tiny
towns are ranked. 按期办结率 by hand from tests/tiny.py: 甲镇 p1 (10 days), p2 (20), p4 (2) on time, p3 open
-> 3/4 = 75 %; 乙镇 p5 (48 days), p6 (10) -> 2/2 = 100 %. So 乙镇 is first of 2 and 甲镇 second.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from governance.core import settings
from tests.conftest import page_text
from tests.test_jurisdiction import signed_in

OCT = {"from": "2024-10", "to": "2024-10"}


def peer_caption(at) -> str | None:
    found = [c.value for c in at.caption if "中的名次" in c.value]
    return found[0] if found else None


@pytest.fixture(autouse=True)
def store(served_store, monkeypatch):
    monkeypatch.setattr(settings, "today", lambda: dt.date(2026, 12, 1))
    return served_store


@pytest.fixture
def peer_rank_on(monkeypatch):
    monkeypatch.setenv("GOVERNANCE_PEER_RANK", "1")
    monkeypatch.setenv("GOVERNANCE_SMALL_BASE", "1")


def test_a_town_sees_its_rank_and_not_its_peers(peer_rank_on):
    jia = signed_in("jia", "pages/petitions.py", **OCT)
    line = peer_caption(jia)
    assert line and "2 个乡镇(街道)" in line and "按期办结率 第2/2" in line
    assert "乙镇" not in page_text(jia) and "乙一村" not in page_text(jia)
    # 乙镇's viewer opens on 乙一村 (its town's only village): a village view is not the bound place, no line
    assert peer_caption(signed_in("yi_viewer", "pages/petitions.py", **OCT)) is None


def test_a_small_base_is_told_as_unranked(monkeypatch):
    monkeypatch.setenv("GOVERNANCE_PEER_RANK", "1")  # small base stays 5: 甲镇's 4 due cases are too few
    jia = signed_in("jia", "pages/petitions.py", **OCT)
    # the ranked first (超期未办结, a count: 甲镇's p8 against 乙镇's none, second of two), then the rest by why
    assert re.sub(r"<[^>]+>", "", peer_caption(jia)).endswith(
        "名次：超期未办结 第2/2 · 办结率、按期办结率、一次性化解率 样本少，不排名")


def test_off_by_default_and_never_for_the_county(peer_rank_on, monkeypatch):
    assert peer_caption(signed_in("county", "pages/petitions.py", **OCT)) is None
    monkeypatch.delenv("GOVERNANCE_PEER_RANK")
    assert peer_caption(signed_in("jia", "pages/petitions.py", **OCT)) is None


def test_equal_figures_share_a_rank():
    import pandas as pd

    from governance.metrics import peers

    # three towns closed all their due cases on time, one 9 of 10; 超期未办结 0, 0, 0 and 2
    children = pd.DataFrame({"place_code": ["t1", "t2", "t3", "t4"], "on_time_rate": [1.0, 1.0, 0.9, 1.0],
                             "closed_on_time": [10, 10, 9, 10], "due": [10, 10, 10, 10], "overdue": [0, 0, 0, 2]})
    got = {p: {r.indicator.key: (r.rank, r.tied, r.ranked) for r in peers.ranks(children, "petitions", p)}
           for p in ("t3", "t4")}
    # t4 sorts last among the 100% by its code, yet shares the first place with t1 and t2
    assert got["t4"] == {"on_time_rate": (1, True, 4), "overdue": (4, False, 4)}
    assert got["t3"] == {"on_time_rate": (4, False, 4), "overdue": (1, True, 4)}
