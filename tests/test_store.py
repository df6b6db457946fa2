"""The snapshot store: partitioning, history, rollback, crashes and racing writers.

Crash and race tests run real child processes against a store in tmp_path and
stop them at the fault points store.py offers (GOVERNANCE_FAULT=step:exit or
step:wait=GATE). Test data is made here, in code, and is deterministic.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from governance.core.settings import PROJECT_ROOT
from governance.store.snapshots import (
    INTERNAL,
    ConcurrentCommitError,
    Store,
    StoreError,
    read_current,
)

VILLAGE = "411102001201"
CHANNELS = ("letter", "visit", "online", "phone")
SATISFACTION = ("satisfied", "basic", "unsatisfied", None)
HAS_CJK = re.compile(r"[\u4e00-\u9fff]")
HAS_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")

# The child commits a table the parent wrote to Parquet, and reports on stdout
# either "OK <version>" or the class name of the exception it got.
CHILD = """
import sys
import pyarrow.parquet as pq
from governance.store.snapshots import Store
root, dataset, src = sys.argv[1:4]
try:
    result = Store(root).commit(dataset, pq.read_table(src), source=src, who="child")
except Exception as exc:
    print(type(exc).__name__, flush=True)
    print(exc, flush=True)
    sys.exit(3)
print("OK", result.version, flush=True)
"""


@pytest.fixture(autouse=True)
def _no_inherited_fault(monkeypatch):
    # A fault spec left in the environment would os._exit() pytest itself.
    monkeypatch.delenv("GOVERNANCE_FAULT", raising=False)


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "store")


# ---- data made in code ---------------------------------------------------
def month_dates(months: list[str], per_month: int) -> list[dt.date]:
    """Dates spread over each month, always including its first and last day."""
    out = []
    for month in months:
        year, mon = map(int, month.split("-"))
        last = calendar.monthrange(year, mon)[1]
        days = [1, last] + [1 + (i * 7) % last for i in range(per_month - 2)]
        out += [dt.date(year, mon, d) for d in days[:per_month]]
    return out


def petitions(dates: list[dt.date], tag: str) -> pa.Table:
    """One row per date; ``tag`` marks which upload a row came from."""
    n = len(dates)
    closed = [d + dt.timedelta(days=5 + i % 50) if i % 3 else None for i, d in enumerate(dates)]
    return pa.table(
        {
            "case_id": [f"{tag}-{i:05d}" for i in range(n)],
            "region_code": [VILLAGE] * n,
            "received_on": pa.array(dates, pa.date32()),
            "channel": [CHANNELS[i % 4] for i in range(n)],
            "category": [tag] * n,
            "is_initial": [i % 2 == 0 for i in range(n)],
            "closed_on": pa.array(closed, pa.date32()),
            "resolved_first_time": [None if c is None else i % 5 != 0 for i, c in enumerate(closed)],
            "satisfaction": [None if c is None else SATISFACTION[i % 4] for i, c in enumerate(closed)],
            "is_repeat": [i % 7 == 0 for i in range(n)],
        }
    )


def grid(periods: list[str], households: int = 300) -> pa.Table:
    codes = ["411102001201", "411102001202"]
    rows = [(c, p) for p in periods for c in codes]
    n = len(rows)
    return pa.table(
        {
            "region_code": [r[0] for r in rows],
            "period": [r[1] for r in rows],
            "households": [households] * n,
            "households_covered": [households - 10] * n,
            "grids": [1] * n,
            "grid_workers": [2] * n,
            "grid_party_orgs": [1] * n,
            "party_member_households": [5] * n,
        }
    )


def branches(periods: list[str]) -> pa.Table:
    rows = [(f"B{i}", p) for p in periods for i in range(3)]
    n = len(rows)
    return pa.table(
        {
            "branch_id": [r[0] for r in rows],
            "branch_name": [f"第{r[0]}党支部" for r in rows],
            "region_code": [VILLAGE] * n,
            "period": [r[1] for r in rows],
            "stars": [i % 6 for i in range(n)],
            "score": [80.0 + i for i in range(n)],
            "tier": [("好", "较好", "一般")[i % 3] for i in range(n)],
            "weak_lax": [False] * n,
            "rectified": pa.array([None] * n, pa.bool_()),
        }
    )


def regions() -> pa.Table:
    return pa.table(
        {
            "region_code": ["411102000000", "411102001000", "411102001201", "411102001202"],
            "name": ["某县", "某镇", "甲村", "乙社区"],
            "level": ["county", "town", "village", "village"],
            "parent_code": [None, "411102000000", "411102001000", "411102001000"],
            "kind": [None, None, "village", "community"],
            "households": pa.array([None, None, 300, 300], pa.int64()),
            "population": pa.array([None, None, 900, 1000], pa.int64()),
        }
    )


# ---- helpers ---------------------------------------------------------------
def sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def rows_of(table: pa.Table) -> list[dict]:
    """Petition rows as dicts, without the store's own columns (period, month_num, code_num), by case_id."""
    table = table.drop_columns([c for c in INTERNAL if c in table.column_names])
    return sorted(table.to_pylist(), key=lambda r: r["case_id"])


def strip(table: pa.Table) -> pa.Table:
    """Without the integer columns the store adds for SQL (month_num, code_num)."""
    return table.drop_columns([c for c in ("month_num", "code_num") if c in table.column_names])


def only_month(table: pa.Table, month: str) -> pa.Table:
    keep = [d.strftime("%Y-%m") == month for d in table.column("received_on").to_pylist()]
    return table.filter(pa.array(keep))


def read_period(store: Store, dataset_key: str, period: str) -> pa.Table:
    entry = store.manifest()["datasets"][dataset_key][period]
    return pq.read_table(store.root / entry["file"])


def snapshot(store: Store) -> dict:
    """What readers can see, byte for byte, plus every data file's checksum."""
    manifest = store.manifest()
    current = {}
    for key in manifest["datasets"]:
        for f in store.current_files(key, manifest):
            current[f] = sha256(f)
    return {
        "version": store.version(),
        "manifest": manifest,
        "manifest_files": {p.name: p.read_bytes() for p in sorted(store.manifests.iterdir())},
        "current": current,
        "data_files": {str(p): sha256(p) for p in (store.root / "files").rglob("*.parquet")},
    }


def assert_unchanged(store: Store, before: dict) -> None:
    after = snapshot(store)
    assert after["version"] == before["version"]
    assert after["manifest"] == before["manifest"]
    # No new (or half-written) manifest appeared and none was touched.
    assert after["manifest_files"] == before["manifest_files"]
    assert after["current"] == before["current"]
    # Orphaned files of the dead commit may remain; every earlier file is intact.
    for path, digest in before["data_files"].items():
        assert after["data_files"].get(path) == digest, path
    for parts in after["manifest"]["datasets"].values():
        for entry in parts.values():
            assert sha256(store.root / entry["file"]) == entry["sha256"]
            assert pq.read_table(store.root / entry["file"]).num_rows == entry["rows"]


def write_source(tmp_path: Path, name: str, table: pa.Table) -> Path:
    path = tmp_path / f"{name}.parquet"
    pq.write_table(table, path)
    return path


def start_child(store: Store, dataset_key: str, src: Path, fault: str | None) -> subprocess.Popen:
    env = dict(os.environ)
    env.pop("GOVERNANCE_FAULT", None)
    if fault:
        env["GOVERNANCE_FAULT"] = fault
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(store.root), dataset_key, str(src)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen, timeout: float = 30) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def poll(condition, what: str, timeout: float = 20.0) -> None:
    """Wait for a condition the child makes true on disk (not a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


def staged_manifests(store: Store) -> list[Path]:
    return sorted(store.staging.glob("*/manifest.json")) if store.staging.exists() else []


def kill_all(procs) -> None:
    for p in procs:
        if p.poll() is None:
            os.kill(p.pid, signal.SIGKILL)
            p.wait(timeout=10)


# ---- 6. empty store ---------------------------------------------------------
def test_empty_store(store):
    assert store.version() == 0
    assert store.is_empty()
    assert store.manifest() == {"version": 0, "datasets": {}, "commit": None}
    assert store.current_files("petitions") == []
    assert store.periods("petitions") == []
    assert store.history("petitions") == []
    assert store.log() == []
    assert not store.root.exists() or list(store.root.rglob("*.parquet")) == []


def test_commit_of_no_rows_is_refused_and_changes_nothing(store):
    with pytest.raises(StoreError, match="no data rows"):
        store.commit("petitions", petitions([], "x"), source="empty.csv", who="alice")
    assert store.is_empty()
    assert not store.root.exists() or list(store.root.rglob("*.parquet")) == []


def test_rows_without_a_period_are_refused(store):
    t = petitions(month_dates(["2024-01"], 2), "x")
    t = t.set_column(2, "received_on", pa.array([dt.date(2024, 1, 1), None], pa.date32()))
    with pytest.raises(StoreError, match="no period"):
        store.commit("petitions", t, source="x.csv", who="alice")
    assert store.is_empty()


@pytest.mark.parametrize("bad", ["2024/01", "2024年1月", ".."])
def test_unsafe_period_names_are_refused(store, bad):
    table = grid(["2024-01"]).set_column(1, "period", pa.array([bad, bad]))
    with pytest.raises(StoreError):
        store.commit("grid", table, source="grid.csv", who="alice")
    assert store.is_empty()


# ---- 1. partitioning, layout, manifest versions ------------------------------
def test_commit_splits_by_period_into_ascii_folders(store):
    # Unsorted dates, month edges (first/last day) and a leap day.
    dates = month_dates(["2024-03", "2024-01", "2024-02"], 5) + [dt.date(2024, 2, 29)]
    p = petitions(dates, "up1")

    r1 = store.commit("petitions", p, source="信访台账.csv", who="alice")
    r2 = store.commit("grid", grid(["2024-01", "2024-02"]), source="网格.xlsx", who="alice")
    r3 = store.commit("branches", branches(["2023", "2024-H1"]), source="评星.csv", who="alice")
    r4 = store.commit("regions", regions(), source="区划.csv", who="alice")

    assert [r.version for r in (r1, r2, r3, r4)] == [1, 2, 3, 4]
    assert store.version() == 4
    assert sorted(p.name for p in store.manifests.iterdir()) == [
        "v000001.json", "v000002.json", "v000003.json", "v000004.json",
    ]
    for v in range(1, 5):
        m = store.manifest(v)
        assert (m["version"], m["parent"]) == (v, v - 1)
    assert [e["version"] for e in store.log()] == [1, 2, 3, 4]
    assert [e["dataset"] for e in store.log()] == ["petitions", "grid", "branches", "regions"]

    assert r1.periods == ["2024-01", "2024-02", "2024-03"]
    assert r1.rows == len(dates)
    assert store.periods("petitions") == ["2024-01", "2024-02", "2024-03"]
    assert store.periods("grid") == ["2024-01", "2024-02"]
    assert store.periods("branches") == ["2023", "2024-H1"]
    assert store.periods("regions") == ["all"]

    m = store.manifest()
    for key, parts in m["datasets"].items():
        for period, entry in parts.items():
            rel = entry["file"]
            assert re.fullmatch(rf"files/{key}/period={re.escape(period)}/[0-9a-f]+\.parquet", rel), rel
            assert (store.root / rel).is_file()

    # Every row sits in the partition of its received_on month, none lost.
    for period in store.periods("petitions"):
        part = read_period(store, "petitions", period)
        assert {d.strftime("%Y-%m") for d in part.column("received_on").to_pylist()} == {period}
        assert set(part.column("period").to_pylist()) == {period}
        assert part.num_rows == m["datasets"]["petitions"][period]["rows"]
        assert rows_of(part) == rows_of(only_month(p, period))
    assert rows_of(read_current(store, "petitions")) == rows_of(p)

    for period in ("2024-01", "2024-02"):
        assert read_period(store, "grid", period).column("period").to_pylist() == [period, period]
    for period in ("2023", "2024-H1"):
        assert set(read_period(store, "branches", period).column("period").to_pylist()) == {period}
    assert strip(read_period(store, "regions", "all")).to_pylist() == regions().to_pylist()

    # Chinese lives inside files and manifests, never in a path.
    for path in store.root.rglob("*"):
        assert str(path.relative_to(store.root)).isascii(), path


def test_regions_commit_replaces_the_whole_table(store):
    store.commit("regions", regions(), source="a.csv", who="alice")
    smaller = regions().slice(0, 2)
    r = store.commit("regions", smaller, source="b.csv", who="alice")
    assert r.periods == ["all"]
    assert strip(read_current(store, "regions")).to_pylist() == smaller.to_pylist()
    assert [(h["period"], h["version"], h["current"]) for h in store.history("regions")] == [
        ("all", 1, False), ("all", 2, True),
    ]


# ---- 2. re-commit replaces only its months; history and provenance ------------
def test_recommit_replaces_only_that_month(store):
    first = petitions(month_dates(["2024-01", "2024-02", "2024-03"], 4), "up1")
    second = petitions(month_dates(["2024-02"], 6), "up2")

    before_commit = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    store.commit("petitions", first, source="一月至三月.csv", who="alice", checksum="aa" * 32)
    v1 = store.manifest()
    files_v1 = {p: (store.root / e["file"], sha256(store.root / e["file"]))
                for p, e in v1["datasets"]["petitions"].items()}

    r = store.commit("petitions", second, source="二月更正.csv", who="bob", checksum="bb" * 32)
    after_commit = dt.datetime.now(dt.timezone.utc)
    assert (r.version, r.periods, r.rows) == (2, ["2024-02"], 6)
    v2 = store.manifest()
    p1, p2 = v1["datasets"]["petitions"], v2["datasets"]["petitions"]

    # January and March: the very same entries and untouched bytes.
    for month in ("2024-01", "2024-03"):
        assert p2[month] == p1[month]
        path, digest = files_v1[month]
        assert sha256(path) == digest
    # February: a new file; the old one is kept so it can be restored.
    assert p2["2024-02"]["file"] != p1["2024-02"]["file"]
    old_path, old_digest = files_v1["2024-02"]
    assert sha256(old_path) == old_digest

    assert rows_of(read_period(store, "petitions", "2024-02")) == rows_of(second)
    expected = pa.concat_tables([only_month(first, "2024-01"), second, only_month(first, "2024-03")])
    assert rows_of(read_current(store, "petitions")) == rows_of(expected)

    hist = store.history("petitions")
    assert [(h["period"], h["version"], h["current"]) for h in hist] == [
        ("2024-01", 1, True),
        ("2024-02", 1, False),
        ("2024-02", 2, True),
        ("2024-03", 1, True),
    ]
    by_key = {(h["period"], h["version"]): h for h in hist}
    feb1, feb2 = by_key[("2024-02", 1)], by_key[("2024-02", 2)]
    assert (feb1["who"], feb1["source"], feb1["rows"], feb1["source_sha256"]) == (
        "alice", "一月至三月.csv", 4, "aa" * 32)
    assert (feb2["who"], feb2["source"], feb2["rows"], feb2["source_sha256"]) == (
        "bob", "二月更正.csv", 6, "bb" * 32)
    for h in hist:
        assert h["sha256"] == sha256(store.root / h["file"])
        at = dt.datetime.fromisoformat(h["at"])
        assert at.tzinfo is not None
        assert before_commit <= at <= after_commit

    commit = v2["commit"]
    assert (commit["action"], commit["dataset"], commit["periods"], commit["rows"], commit["who"]) == (
        "ingest", "petitions", ["2024-02"], 6, "bob")
    assert commit["source"] == "二月更正.csv"


# ---- 3. rollback and restore --------------------------------------------------
def test_rollback_restores_previous_version_then_removes_first(store):
    first = petitions(month_dates(["2024-01", "2024-02"], 4), "up1")
    second = petitions(month_dates(["2024-02"], 3), "up2")
    store.commit("petitions", first, source="first.csv", who="alice")
    jan_entry = store.manifest()["datasets"]["petitions"]["2024-01"]
    store.commit("petitions", second, source="second.csv", who="bob")

    assert store.rollback("petitions", "2024-02", who="carol") == (3, 1)
    assert store.version() == 3
    m3 = store.manifest()
    assert m3["parent"] == 2
    assert m3["commit"]["action"] == "restore"
    assert m3["commit"]["who"] == "carol"
    assert m3["commit"]["restored_version"] == 1
    assert m3["datasets"]["petitions"]["2024-01"] == jan_entry
    assert rows_of(read_period(store, "petitions", "2024-02")) == rows_of(only_month(first, "2024-02"))
    assert rows_of(read_current(store, "petitions")) == rows_of(first)
    assert [(h["period"], h["version"], h["current"]) for h in store.history("petitions")] == [
        ("2024-01", 1, True), ("2024-02", 1, True), ("2024-02", 2, False),
    ]

    # Rolling back the period's first version removes the period.
    assert store.rollback("petitions", "2024-02") == (4, None)
    assert store.periods("petitions") == ["2024-01"]
    assert rows_of(read_current(store, "petitions")) == rows_of(only_month(first, "2024-01"))
    assert not any(h["current"] for h in store.history("petitions") if h["period"] == "2024-02")

    # Any recorded version can be made current again, as yet another version.
    assert store.restore("petitions", "2024-02", 2) == 5
    assert rows_of(read_period(store, "petitions", "2024-02")) == rows_of(second)
    assert store.manifest()["datasets"]["petitions"]["2024-02"]["version"] == 2

    # Versions of a period keep counting after a removal; numbers never repeat.
    again = petitions(month_dates(["2024-02"], 2), "up3")
    assert store.commit("petitions", again, source="third.csv", who="alice").version == 6
    assert store.manifest()["datasets"]["petitions"]["2024-02"]["version"] == 3
    assert [e["version"] for e in store.log()] == [1, 2, 3, 4, 5, 6]
    assert [e["action"] for e in store.log()] == ["ingest", "ingest", "restore", "restore", "restore", "ingest"]


def test_rollback_of_only_version_removes_period_and_restore_brings_it_back(store):
    t = petitions(month_dates(["2024-05"], 3), "only")
    store.commit("petitions", t, source="may.csv", who="alice")
    assert store.rollback("petitions", "2024-05") == (2, None)
    assert store.version() == 2
    assert store.periods("petitions") == []
    assert store.current_files("petitions") == []
    assert [(h["period"], h["version"], h["current"]) for h in store.history("petitions")] == [
        ("2024-05", 1, False),
    ]
    assert store.restore("petitions", "2024-05", 1) == 3
    assert rows_of(read_current(store, "petitions")) == rows_of(t)


def test_rollback_steps_back_one_version_at_a_time(store):
    uploads = [petitions(month_dates(["2024-07"], k), f"up{k}") for k in (2, 3, 4)]
    for i, t in enumerate(uploads):
        store.commit("petitions", t, source=f"july-{i}.csv", who="alice")

    assert store.rollback("petitions", "2024-07") == (4, 2)
    assert rows_of(read_current(store, "petitions")) == rows_of(uploads[1])
    assert store.rollback("petitions", "2024-07") == (5, 1)
    assert rows_of(read_current(store, "petitions")) == rows_of(uploads[0])
    assert store.rollback("petitions", "2024-07") == (6, None)
    assert store.periods("petitions") == []

    # An upload after the removal gets a fresh number: 1-3 stay distinct and restorable.
    fresh = petitions(month_dates(["2024-07"], 5), "up5")
    store.commit("petitions", fresh, source="july-new.csv", who="bob")
    assert [(h["version"], h["rows"], h["current"]) for h in store.history("petitions")] == [
        (1, 2, False), (2, 3, False), (3, 4, False), (4, 5, True),
    ]
    assert store.restore("petitions", "2024-07", 3) == 8
    assert rows_of(read_current(store, "petitions")) == rows_of(uploads[2])


def test_rollback_of_whole_table_dataset(store):
    store.commit("regions", regions(), source="a.csv", who="alice")
    store.commit("regions", regions().slice(0, 1), source="b.csv", who="alice")
    assert store.rollback("regions", "all") == (3, 1)
    assert strip(read_current(store, "regions")).to_pylist() == regions().to_pylist()


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.rollback("petitions", "2030-01"),
        lambda s: s.rollback("grid", "2024-01"),
        lambda s: s.restore("petitions", "2024-01", 9),
        lambda s: s.restore("petitions", "2030-01", 1),
        lambda s: s.restore("petitions", "2030-01", None),
    ],
    ids=["rollback-unknown-period", "rollback-unknown-dataset-period", "restore-unknown-version",
         "restore-unknown-period", "remove-unknown-period"],
)
def test_rollback_and_restore_errors(store, call):
    store.commit("petitions", petitions(month_dates(["2024-01"], 2), "x"), source="x.csv", who="alice")
    before = snapshot(store)
    with pytest.raises(StoreError) as info:
        call(store)
    message = str(info.value)
    assert HAS_CJK.search(message), message
    assert HAS_LATIN_WORD.search(message) and ("no data" in message or "no such version" in message), message
    assert_unchanged(store, before)
    assert snapshot(store)["data_files"] == before["data_files"]


# ---- 4. a writer killed mid-commit -----------------------------------------------
def _base_store(store: Store) -> tuple[pa.Table, pa.Table]:
    base = petitions(month_dates(["2024-01", "2024-02", "2024-03"], 4), "base")
    g = grid(["2024-01"])
    store.commit("petitions", base, source="base.csv", who="alice")
    store.commit("grid", g, source="grid.csv", who="alice")
    return base, g


def _assert_recovers(store: Store, base: pa.Table, g: pa.Table, before: dict) -> None:
    assert_unchanged(store, before)
    assert rows_of(read_current(store, "petitions")) == rows_of(base)
    assert strip(read_current(store, "grid")).to_pylist() == g.to_pylist()

    n = before["version"]
    nxt = petitions(month_dates(["2024-03", "2024-04"], 2), "next")
    r = store.commit("petitions", nxt, source="next.csv", who="bob")
    assert r.version == n + 1 == store.version()
    parts = store.manifest()["datasets"]["petitions"]
    # The dead commit's period versions were never published, so numbering continues.
    assert {p: e["version"] for p, e in parts.items()} == {
        "2024-01": 1, "2024-02": 1, "2024-03": 2, "2024-04": 1,
    }
    expected = pa.concat_tables([only_month(base, "2024-01"), only_month(base, "2024-02"), nxt])
    assert rows_of(read_current(store, "petitions")) == rows_of(expected)
    for e in parts.values():
        assert sha256(store.root / e["file"]) == e["sha256"]


@pytest.mark.parametrize("step", ["staged", "moved", "before_publish"])
def test_child_exiting_mid_commit_leaves_store_as_before(store, tmp_path, step):
    base, g = _base_store(store)
    before = snapshot(store)
    src = write_source(tmp_path, "crash", petitions(month_dates(["2024-02", "2024-03", "2024-06"], 5), "crash"))

    code, out, err = finish(start_child(store, "petitions", src, f"{step}:exit"))
    assert code == 17, (code, out, err)
    assert out == ""  # it died inside commit, before printing anything

    _assert_recovers(store, base, g, before)


@pytest.mark.parametrize("step", ["moved", "before_publish"])
def test_child_sigkilled_mid_commit_leaves_store_as_before(store, tmp_path, step):
    base, g = _base_store(store)
    before = snapshot(store)
    months = [f"2024-{m:02d}" for m in range(1, 13)]
    big = petitions(month_dates(months, 300), "big")  # 3,600 rows over 12 partitions
    src = write_source(tmp_path, "big", big)
    never = tmp_path / "gate-never-opened"
    old_files = set(before["data_files"])

    def moved_all() -> bool:
        now = {str(p) for p in (store.root / "files" / "petitions").rglob("*.parquet")}
        return len(now - old_files) == len(months)

    child = start_child(store, "petitions", src, f"{step}:wait={never}")
    try:
        if step == "moved":
            poll(moved_all, "all 12 partitions moved into files/")
        else:
            poll(lambda: len(staged_manifests(store)) == 1, "the staged manifest")
            assert moved_all()
        assert child.poll() is None, finish(child)
        assert store.version() == before["version"]
        os.kill(child.pid, signal.SIGKILL)
        code, out, _ = finish(child)
    finally:
        kill_all([child])
    assert code == -signal.SIGKILL
    assert out == ""

    _assert_recovers(store, base, g, before)


# ---- 5. two writers racing for the same version -----------------------------------
def test_concurrent_writers_exactly_one_wins(store, tmp_path):
    base = petitions(month_dates(["2024-01", "2024-02"], 3), "base")
    store.commit("petitions", base, source="base.csv", who="alice")
    before = snapshot(store)
    n = before["version"]

    # Overlapping (2024-02) and writer-only months (03 for a, 04 for b), so a
    # mix of the two would show.
    tables = {
        "a": petitions(month_dates(["2024-02", "2024-03"], 4), "writer-a"),
        "b": petitions(month_dates(["2024-02", "2024-04"], 5), "writer-b"),
    }
    srcs = {w: write_source(tmp_path, w, t) for w, t in tables.items()}
    gate = tmp_path / "gate"
    procs = {w: start_child(store, "petitions", srcs[w], f"before_publish:wait={gate}") for w in tables}
    try:
        # A staged manifest is written after the base was read: both are past
        # that point and neither has published.
        poll(lambda: len(staged_manifests(store)) == 2, "both writers at the publish gate")
        assert store.version() == n
        assert all(p.poll() is None for p in procs.values())
        gate.touch()
        results = {w: finish(p) for w, p in procs.items()}
    finally:
        kill_all(procs.values())

    winners = [w for w, (code, _, _) in results.items() if code == 0]
    losers = [w for w, (code, _, _) in results.items() if code != 0]
    assert len(winners) == 1 and len(losers) == 1, results
    winner, loser = winners[0], losers[0]
    assert results[winner][1].split() == ["OK", str(n + 1)]
    code, out, err = results[loser]
    assert code == 3, (code, out, err)
    assert out.splitlines()[0] == ConcurrentCommitError.__name__
    assert HAS_CJK.search(out) and "concurrent commit" in out

    # The store is the winner's state: base months it did not touch, plus its own.
    assert store.version() == n + 1
    assert sorted(p.name for p in store.manifests.iterdir()) == [f"v{v:06d}.json" for v in range(1, n + 2)]
    m = store.manifest()
    assert m["parent"] == n
    assert m["commit"]["source"] == str(srcs[winner])
    own = {"a": "2024-03", "b": "2024-04"}
    assert store.periods("petitions") == sorted(["2024-01", "2024-02", own[winner]])
    assert own[loser] not in store.periods("petitions")
    expected = pa.concat_tables([only_month(base, "2024-01"), tables[winner]])
    current = read_current(store, "petitions")
    assert rows_of(current) == rows_of(expected)
    assert set(current.column("category").to_pylist()) == {"base", f"writer-{winner}"}
    for e in m["datasets"]["petitions"].values():
        assert sha256(store.root / e["file"]) == e["sha256"]
    # Both commits cleaned their staging directories, the loser's included.
    assert list(store.staging.iterdir()) == []

    # The loser can simply retry on top of the winner.
    retry = store.commit("petitions", tables[loser], source="retry.csv", who="alice")
    assert retry.version == n + 2


def test_writer_with_a_stale_base_fails_instead_of_overwriting(store, tmp_path):
    # A reads version 1 and stalls; B commits version 2; A must not publish
    # a version 3 built on version 1, which would silently drop B's months.
    store.commit("petitions", petitions(month_dates(["2024-01"], 2), "base"), source="base.csv", who="alice")
    stale = petitions(month_dates(["2024-02"], 3), "stale")
    src = write_source(tmp_path, "stale", stale)
    gate = tmp_path / "gate"
    child = start_child(store, "petitions", src, f"staged:wait={gate}")
    try:
        poll(lambda: store.staging.exists() and any(store.staging.glob("*/*.parquet")), "the stale writer staging")
        b = petitions(month_dates(["2024-03"], 4), "b")
        assert store.commit("petitions", b, source="b.csv", who="bob").version == 2
        after_b = snapshot(store)
        gate.touch()
        code, out, err = finish(child)
    finally:
        kill_all([child])
    assert code == 3, (code, out, err)
    assert out.splitlines()[0] == ConcurrentCommitError.__name__
    assert_unchanged(store, after_b)
    assert store.periods("petitions") == ["2024-01", "2024-03"]


def test_the_regions_table_cannot_be_removed_while_facts_use_it(tmp_path):
    from tests import tiny

    store = tiny.build(tmp_path)
    with pytest.raises(StoreError, match="行政区划表不能删除"):
        store.rollback("regions", "all")
    assert store.periods("regions") == ["all"]


def test_a_commit_checked_against_data_that_changed_since_is_refused(tmp_path):
    from tests import tiny

    store = tiny.build(tmp_path)
    checked = store.manifest()["datasets"]["regions"]
    store.commit("regions", tiny.regions(), source="newer regions.csv")  # lands while a file is being checked
    before = store.version()
    with pytest.raises(ConcurrentCommitError, match="regions changed"):
        store.commit("petitions", tiny.petitions(), source="p.csv", unchanged={"regions": checked})
    assert store.version() == before
