"""The benchmark's pandas baseline and the SQL answer every page's queries alike."""

from governance.tools import bench
from tests import tiny


def test_pandas_baseline_agrees_with_sql_on_every_page(tmp_path):
    tiny.build(tmp_path)
    duck = bench.run_duckdb(tmp_path, repeat=1, today=tiny.TODAY)
    pand = bench.run_pandas(tmp_path, repeat=1, today=tiny.TODAY)
    assert set(duck["pages"]) == {"overview", "petitions", "disputes", "grid", "branches"}
    assert duck["checks"] == pand["checks"]
    # the overview's petitions card: six received in October 2024, four closed by its end
    assert duck["checks"]["overview"][0] == {"received": 6, "closed": 4, "rows": 1}
    for page in duck["pages"].values():
        assert page["median_ms"] > 0 and page["p95_ms"] >= page["median_ms"]
