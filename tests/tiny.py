"""A tiny county, small enough to compute every indicator by hand.

County 411102000000 has town A (411102001000: villages A1 pop 1000, A2 pop
3000) and town B (411102002000: village B1 pop 2000). The expected figures in
test_indicators.py are worked out from the rows below, in comments there.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from governance.store import Store

D = dt.date
COUNTY, TOWN_A, TOWN_B = "411102000000", "411102001000", "411102002000"
A1, A2, B1 = "411102001201", "411102001202", "411102002201"
TODAY = D(2024, 10, 31)  # status read at the end of October 2024


def regions() -> pa.Table:
    return pa.table(
        {
            "region_code": [COUNTY, TOWN_A, TOWN_B, A1, A2, B1],
            "name": ["示范县", "甲镇", "乙镇", "甲一村", "甲二社区", "乙一村"],
            "level": ["county", "town", "town", "village", "village", "village"],
            "parent_code": [None, COUNTY, COUNTY, TOWN_A, TOWN_A, TOWN_B],
            "kind": [None, None, None, "village", "community", "village"],
            "households": [2000, 1300, 700, 300, 1000, 700],
            "population": [6000, 4000, 2000, 1000, 3000, 2000],
            # 村改居: 甲一村 in transition, 甲二社区 a community in integration, 乙一村 a settled village
            "transition_stage": [None, None, None, "过渡期", "融合期", None],
        }
    )


def petitions() -> pa.Table:
    rows = [
        # case, place, received, closed, first-time, satisfaction, repeat
        ("p1", A1, D(2024, 10, 1), D(2024, 10, 11), True, "satisfied", False),
        ("p2", A1, D(2024, 10, 5), D(2024, 10, 25), False, "basic", True),
        ("p3", A1, D(2024, 10, 10), None, None, None, False),
        ("p4", A2, D(2024, 10, 2), D(2024, 10, 4), True, "unsatisfied", False),
        ("p5", B1, D(2024, 10, 3), D(2024, 11, 20), True, None, False),  # closed after October ends
        ("p6", B1, D(2024, 10, 20), D(2024, 10, 30), True, None, False),
        ("p7", B1, D(2024, 9, 15), D(2024, 9, 20), True, "satisfied", False),
        ("p8", A1, D(2024, 8, 1), None, None, None, False),  # open past the 60-day deadline by October
        ("p9", A2, D(2024, 8, 2), D(2024, 10, 15), False, None, False),  # closed after 74 days
    ]
    cols = list(zip(*rows))
    return pa.table(
        {
            "case_id": cols[0],
            "region_code": cols[1],
            "received_on": pa.array(cols[2], pa.date32()),
            "channel": ["letter", "visit", "online", "phone", "online", "online", "visit", "letter", "phone"],
            "category": ["劳动社保"] * 9,
            "is_initial": [True] * 9,
            "closed_on": pa.array(cols[3], pa.date32()),
            "resolved_first_time": pa.array(cols[4], pa.bool_()),
            "satisfaction": pa.array(cols[5], pa.string()),
            "is_repeat": cols[6],
        }
    )


def disputes_published_year() -> pa.Table:
    """SPEC's published county: 987 disputes found in a year, 938 resolved (95.0%).

    Of the 938, 900 are resolved at grid or village level and 38 at county
    level; of the other 49, 20 were referred and 29 are in progress.
    """
    n = 987
    ids, places, found, status, resolved_on, level = [], [], [], [], [], []
    for i in range(n):
        month = i % 12 + 1
        day = D(2023, month, 1 + i % 20)
        ids.append(f"JF{i:05d}")
        places.append((A1, A2, B1)[i % 3])
        found.append(day)
        if i < 938:
            status.append("resolved")
            resolved_on.append(day + dt.timedelta(days=5))
            level.append("grid" if i < 600 else "village" if i < 900 else "county")
        else:
            status.append("referred" if i < 958 else "in_progress")
            resolved_on.append(None)
            level.append(None)
    return pa.table(
        {
            "dispute_id": ids,
            "region_code": places,
            "found_on": pa.array(found, pa.date32()),
            "category": ["邻里"] * n,
            "status": status,
            "resolved_on": pa.array(resolved_on, pa.date32()),
            "resolved_level": pa.array(level, pa.string()),
        }
    )


def grid() -> pa.Table:
    rows = [
        # place, month, households, covered, grids, workers, party orgs, party-member households
        (A1, "2024-09", 1000, 900, 4, 4, 2, 30),
        (A2, "2024-09", 3000, 2900, 10, 10, 8, 80),
        (B1, "2024-09", 2000, 1700, 6, 5, 5, 50),
        (A1, "2024-10", 1000, 950, 4, 5, 3, 31),
        (A2, "2024-10", 3000, 3000, 10, 10, 9, 82),
        (B1, "2024-10", 2000, 1800, 6, 6, 6, 52),
    ]
    names = ["region_code", "period", "households", "households_covered", "grids", "grid_workers",
             "grid_party_orgs", "party_member_households"]
    return pa.table(dict(zip(names, map(list, zip(*rows)))))


def branches() -> pa.Table:
    rows = [
        # branch, place, period, stars, weak, rectified
        ("b1", A1, "2024-H1", 3, False, None),
        ("b2", A2, "2024-H1", 5, False, None),
        ("b3", B1, "2024-H1", 2, True, True),
        ("b1", A1, "2024-H2", 4, False, None),  # up one star
        ("b2", A2, "2024-H2", 5, False, None),
        ("b3", B1, "2024-H2", 1, True, False),  # down one star, weak again
        ("b4", B1, "2024-H2", 5, False, None),  # new branch: neither up nor down
    ]
    cols = list(zip(*rows))
    return pa.table(
        {
            "branch_id": cols[0],
            "branch_name": [f"{b}党支部" for b in cols[0]],
            "region_code": cols[1],
            "period": cols[2],
            "stars": cols[3],
            "score": [None] * len(rows),
            "tier": [None] * len(rows),
            "weak_lax": cols[4],
            "rectified": pa.array(cols[5], pa.bool_()),
        }
    )


def build(root) -> Store:
    store = Store(root)
    store.commit("regions", regions(), source="regions.csv", who="test")
    store.commit("petitions", petitions(), source="petitions.csv", who="test")
    store.commit("disputes", disputes_published_year(), source="disputes.csv", who="test")
    store.commit("grid", grid(), source="grid.csv", who="test")
    store.commit("branches", branches(), source="branches.csv", who="test")
    return store
