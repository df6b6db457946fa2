"""A town's rank among its peers without their figures (issue 10 item 1: a setting, off by default).

October 2024, read on 2026-12-01 (every case past its 60-day deadline), small base lowered to 1 so the tiny
towns are ranked. 按期办结率 by hand from tests/tiny.py: 甲镇 p1 (10 days), p2 (20), p4 (2) on time, p3 open
-> 3/4 = 75 %; 乙镇 p5 (48 days), p6 (10) -> 2/2 = 100 %. So 乙镇 is first of 2 and 甲镇 second.
"""

from __future__ import annotations

import datetime as dt

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
    assert "按期办结率 未排名（样本少）" in peer_caption(jia)


def test_off_by_default_and_never_for_the_county(peer_rank_on, monkeypatch):
    assert peer_caption(signed_in("county", "pages/petitions.py", **OCT)) is None
    monkeypatch.delenv("GOVERNANCE_PEER_RANK")
    assert peer_caption(signed_in("jia", "pages/petitions.py", **OCT)) is None
