"""预警 lists: red against targets, worsening three months running, and small numbers left out."""

import pandas as pd

from governance.metrics import attention


def child_rows(**cols):
    return pd.DataFrame({"place_code": ["411102001000", "411102002000"], "place_name": ["甲镇", "乙镇"], **cols})


def test_red_needs_a_rate_below_amber_and_enough_cases():
    children = child_rows(closure_rate=[0.50, 0.50], received=[20, 2], first_attempt_rate=[0.99, 0.99],
                          on_time_rate=[1.0, 1.0], closed=[10, 1])
    red = attention.red_places(children, "petitions", "town")
    # 乙镇 has the same rate on two petitions: too few to flag
    assert list(zip(red["place_name"], red["indicator"])) == [("甲镇", "closure_rate")]
    assert red["target"].iloc[0] == "≥92.0%"  # the town-level target of data/targets.toml


def test_worsening_three_months_running():
    months = ["2024-07", "2024-08", "2024-09", "2024-10"]
    rows = []
    for place, rates in (("甲镇", [0.99, 0.97, 0.95, 0.90]), ("乙镇", [0.99, 0.97, 0.98, 0.90])):
        for m, r in zip(months, rates):
            rows.append({"place_code": place, "place_name": place, "month": m, "closure_rate": r, "received": 30,
                         "first_attempt_rate": 0.95, "on_time_rate": 1.0, "closed": 30})
    worse = attention.worsening_places(pd.DataFrame(rows), "petitions", "2024-10")
    assert list(zip(worse["place_name"], worse["indicator"])) == [("甲镇", "closure_rate")]
    assert worse["from_value"].iloc[0] == 0.99 and worse["value"].iloc[0] == 0.90


def test_per_10k_targets_are_per_month():
    from governance.core import contract, targets

    ind = contract.INDICATORS[("petitions", "per_10k")]
    assert targets.status(60.0, ind, months=12) == "green"  # 5 a month against ≤8 a month
    assert targets.status(60.0, ind, months=1) == "red"
    assert targets.target_for("petitions", "per_10k").text(ind) == "≤8件/万人/月"
