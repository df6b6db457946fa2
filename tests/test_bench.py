"""The benchmark's pandas baseline and the SQL answer every page's queries alike."""

from governance.tools import bench
from tests import tiny


def test_pandas_baseline_agrees_with_sql_on_every_page(tmp_path):
    tiny.build(tmp_path)
    duck = bench.run_duckdb(tmp_path, repeat=1, today=tiny.TODAY)
    pand = bench.run_pandas(tmp_path, repeat=1, today=tiny.TODAY)
    assert set(duck["pages"]) == {"overview", "petitions", "disputes", "grid", "branches"}
    assert duck["checks"] == pand["checks"]
    # the overview's petitions card: six received in October 2024, four closed by its end, none past the 60-day
    # deadline on 31 October (so not mature); September's one petition (p7, in 15th, closed 20th) read on
    # 30 September, the same age, is as closed as it is read today
    petitions = duck["checks"]["overview"][0]
    assert petitions["current"] == {"received": 6, "closed": 4, "overdue": 0, "rows": 1, "mature": 0}
    assert petitions["mom_same_age"] == petitions["mom"] == {"received": 1, "closed": 1, "overdue": 0, "rows": 1,
                                                              "mature": 0}
    # the grid is a stock: nothing in it matures, so it has no same-age readings to compute
    assert set(duck["checks"]["overview"][2]) == {"current", "mom"}
    for page in duck["pages"].values():
        assert page["median_ms"] > 0 and page["p95_ms"] >= page["median_ms"]
