"""A second tiny county for the rules of reading figures on a given day (SPEC), small enough to count by hand.

Same places as tests/tiny.py (county 411102000000; town A = villages A1, A2; town B = village B1), its own
cases, so the hand counts in tests/test_indicators.py stay as they are.

October 2024, petitions (deadline 60 days):
  q1 A1 received 1 Oct, open                     -> past its deadline from 1 Dec (1 Oct + 60 = 30 Nov)
  q2 A1 received 15 Oct, closed 20 Oct, 基本满意
  q3 A1 received 31 Oct, open, 不满意 (an answer given while still open)
  q4 A1 received 5 Oct, closed 6 Oct
  q5 A1 received 6 Oct, closed 8 Oct
  q6 A2 received 7 Oct, closed 9 Oct, 满意
September 2024:
  q7 B1 received 10 Sep, closed 12 Sep, 满意
  q8 B1 received 20 Sep, closed 15 Nov
Village B1 (town B) has no petition in October, a month with data.
"""

from __future__ import annotations

import pyarrow as pa

from governance.store import Store
from tests.tiny import A1, A2, B1, COUNTY, TOWN_A, TOWN_B, D, regions  # noqa: F401

CASES = [
    ("q1", A1, D(2024, 10, 1), None, None),
    ("q2", A1, D(2024, 10, 15), D(2024, 10, 20), "basic"),
    ("q3", A1, D(2024, 10, 31), None, "unsatisfied"),
    ("q4", A1, D(2024, 10, 5), D(2024, 10, 6), None),
    ("q5", A1, D(2024, 10, 6), D(2024, 10, 8), None),
    ("q6", A2, D(2024, 10, 7), D(2024, 10, 9), "satisfied"),
    ("q7", B1, D(2024, 9, 10), D(2024, 9, 12), "satisfied"),
    ("q8", B1, D(2024, 9, 20), D(2024, 11, 15), None),
]


def petitions() -> pa.Table:
    cols = list(zip(*CASES))
    n = len(CASES)
    return pa.table({
        "case_id": cols[0], "region_code": cols[1],
        "received_on": pa.array(cols[2], pa.date32()),
        "channel": ["letter"] * n, "category": ["劳动社保"] * n, "is_initial": [True] * n,
        "closed_on": pa.array(cols[3], pa.date32()),
        "resolved_first_time": pa.array([c is not None for c in cols[3]], pa.bool_()),
        "satisfaction": pa.array(cols[4], pa.string()),
        "is_repeat": [False] * n,
    })


def build(root) -> Store:
    store = Store(root)
    store.commit("regions", regions(), source="regions.csv", who="test")
    store.commit("petitions", petitions(), source="petitions.csv", who="test")
    return store
