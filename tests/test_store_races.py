"""Offices committing at the same moment, and writers killed at every step, in real child processes.

The children stop where the store lets a test hold them (GOVERNANCE_FAULT=step:wait=GATE, or step:exit):
``written`` is after a commit's Parquet files are on disk and before its Delta log entry; ``committed`` is
right after the log entry. Data is tiny and made in code (tests/tiny.py's county).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from governance.core.settings import PROJECT_ROOT
from governance.store import Store
from tests import tiny
from tests.test_ingest import ledger

D = dt.date

COMMIT_CHILD = """
import sys
import pyarrow.parquet as pq
from governance.store import Store
root, dataset, src, scope = sys.argv[1:5]
try:
    r = Store(root).commit(dataset, pq.read_table(src), source=src, who="child", scope=[scope] if scope else None)
except Exception as exc:
    print(type(exc).__name__, flush=True)
    print(exc, flush=True)
    sys.exit(3)
print("OK", r.version, r.attempts, flush=True)
"""

INGEST_CHILD = """
import sys, json, datetime as dt
from governance.store import Store
from governance.ingest.pipeline import ingest
root, path = sys.argv[1:3]
report = ingest(Store(root), "petitions", open(path, "rb").read(), path, today=dt.date(2024, 11, 15))
print(json.dumps(report.as_json(), ensure_ascii=False), flush=True)
"""


@pytest.fixture(autouse=True)
def _no_inherited_fault(monkeypatch):
    monkeypatch.delenv("GOVERNANCE_FAULT", raising=False)


def month_rows(village: str, month: str, n: int, tag: str) -> pa.Table:
    year, mon = map(int, month.split("-"))
    return pa.table({
        "case_id": [f"{tag}-{i:05d}" for i in range(n)],
        "region_code": [village] * n,
        "received_on": pa.array([D(year, mon, 1 + i % 28) for i in range(n)], pa.date32()),
        "channel": ["visit"] * n, "category": [tag] * n, "is_initial": [True] * n,
        "closed_on": pa.array([None] * n, pa.date32()), "resolved_first_time": pa.array([None] * n, pa.bool_()),
        "satisfaction": pa.array([None] * n, pa.string()), "is_repeat": [False] * n,
    })


def spawn(code: str, *args, fault: str | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "GOVERNANCE_FAULT"}
    if fault:
        env["GOVERNANCE_FAULT"] = fault
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen, timeout: float = 60) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def kill_all(procs) -> None:
    for p in procs:
        if p.poll() is None:
            os.kill(p.pid, signal.SIGKILL)
            p.wait(timeout=10)


def poll(condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


def data_files(store: Store, dataset: str = "petitions") -> set[str]:
    root = store.table_path(dataset)
    return {str(p) for p in root.rglob("*.parquet")} if root.exists() else set()


def by_place(store: Store, period: str) -> dict[str, int]:
    t = store.read("petitions", periods=[period])
    if t is None:
        return {}
    vc = pc.value_counts(t.column("region_code"))
    return {v.as_py(): c.as_py() for v, c in zip(vc.field("values"), vc.field("counts"))}


def state(store: Store) -> dict:
    """What readers see: the version and every period's rows, sorted."""
    fresh = Store(store.root)
    t = fresh.read("petitions")
    return {"version": fresh.version(), "rows": sorted(t.column("case_id").to_pylist()) if t is not None else []}


# ---- racing offices ------------------------------------------------------------------
def test_two_towns_committing_the_same_month_at_once_both_land(tiny_store, tmp_path):
    store = tiny_store
    srcs = {}
    for town, village in (("a", tiny.A1), ("b", tiny.B1)):
        srcs[town] = tmp_path / f"{town}.parquet"
        pq.write_table(month_rows(village, "2024-11", 4 if town == "a" else 3, town), srcs[town])
    for round_ in range(3):
        gate = tmp_path / f"gate{round_}"
        before = store.table_version("petitions")
        files_before = data_files(store)
        procs = {t: spawn(COMMIT_CHILD, store.root, "petitions", srcs[t], "", fault=f"written:wait={gate}")
                 for t in srcs}
        try:
            # both have written their files on the same base version and wait before the log
            poll(lambda: len(data_files(store) - files_before) >= 2, "both writers at the gate")
            assert store.table_version("petitions") == before
            gate.touch()
            results = {t: finish(p) for t, p in procs.items()}
        finally:
            kill_all(procs.values())
        for t, (code, out, err) in results.items():
            assert code == 0, (t, out, err)
        versions = sorted(int(out.split()[1]) for _, out, _ in results.values())
        attempts = sorted(int(out.split()[2]) for _, out, _ in results.values())
        assert versions == [before + 1, before + 2] and attempts[0] == 1 and attempts[1] >= 2
        # neither town's rows were lost: A1 4 and B1 3 in November, every round
        assert by_place(Store(store.root), "2024-11") == {tiny.A1: 4, tiny.B1: 3}


def test_overlapping_scopes_at_once_one_lands_and_the_other_is_told_clearly(tiny_store, tmp_path):
    store = tiny_store
    src_a = tmp_path / "a.parquet"
    src_a2 = tmp_path / "a2.parquet"
    pq.write_table(month_rows(tiny.A1, "2024-11", 4, "first"), src_a)
    pq.write_table(month_rows(tiny.A2, "2024-11", 2, "second"), src_a2)  # also town A
    gate = tmp_path / "gate"
    files_before = data_files(store)
    procs = [spawn(COMMIT_CHILD, store.root, "petitions", s, "", fault=f"written:wait={gate}") for s in (src_a, src_a2)]
    try:
        poll(lambda: len(data_files(store) - files_before) >= 2, "both writers at the gate")
        gate.touch()
        results = [finish(p) for p in procs]
    finally:
        kill_all(procs)
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 3], results
    _, out, _ = next(r for r in results if r[0] == 3)
    assert out.splitlines()[0] == "ConcurrentCommitError"
    assert "范围重叠" in out and "本次未写入" in out
    # the store holds the winner's town A rows only; the loser's files were removed
    after = by_place(Store(store.root), "2024-11")
    assert after in ({tiny.A1: 4}, {tiny.A2: 2})
    live = set(Store(store.root).files("petitions"))
    assert data_files(store) - files_before <= live | set()


def test_a_racing_cross_month_duplicate_is_refused_every_time(tiny_store, tmp_path):
    store = tiny_store
    for round_ in range(3):
        case = f"DUP{round_}"
        october = tmp_path / f"oct{round_}.csv"
        september = tmp_path / f"sep{round_}.csv"
        october.write_bytes(ledger([f"{case},甲镇,甲一村,2024-10-20,来访,劳动社保,是,,,,否"]))
        september.write_bytes(ledger([f"{case},乙镇,乙一村,2024-09-20,来访,劳动社保,是,,,,否"]))
        gate = tmp_path / f"gate{round_}"
        files_before = data_files(store)
        procs = [spawn(INGEST_CHILD, store.root, f, fault=f"written:wait={gate}") for f in (october, september)]
        try:
            # both passed every check on the same version and wrote their files
            poll(lambda: len(data_files(store) - files_before) >= 2, "both uploads at the gate")
            gate.touch()
            reports = [json.loads(finish(p)[1].splitlines()[-1]) for p in procs]
        finally:
            kill_all(procs)
        accepted = [r for r in reports if r["accepted"]]
        refused = [r for r in reports if not r["accepted"]]
        assert len(accepted) == 1 and len(refused) == 1, reports
        assert [e["key"] for e in refused[0]["errors"]] == ["duplicate"]
        stored = Store(store.root).read("petitions", columns=["case_id"]).column("case_id").to_pylist()
        assert stored.count(case) == 1


# ---- killed writers --------------------------------------------------------------------
def big_year(tag: str) -> pa.Table:
    months = [f"2023-{m:02d}" for m in range(1, 13)]
    return pa.concat_tables([month_rows(tiny.A1, m, 300, f"{tag}{m}") for m in months])


@pytest.mark.parametrize("how", ["sigkill_at_log_commit", "exit_at_log_commit", "sigkill_while_writing"])
def test_a_writer_killed_mid_commit_leaves_the_last_committed_state(tiny_store, tmp_path, how):
    store = tiny_store
    before = state(store)
    src = tmp_path / "big.parquet"
    pq.write_table(big_year("k"), src)  # 3,600 rows over 12 periods: 12 files to write
    files_before = data_files(store)
    never = tmp_path / "never-opened"
    fault = {"sigkill_at_log_commit": f"written:wait={never}", "exit_at_log_commit": "written:exit",
             "sigkill_while_writing": None}[how]
    child = spawn(COMMIT_CHILD, store.root, "petitions", src, "", fault=fault)
    try:
        if how == "sigkill_at_log_commit":
            poll(lambda: len(data_files(store) - files_before) == 12, "all 12 files written")
        elif how == "sigkill_while_writing":
            poll(lambda: len(data_files(store) - files_before) >= 1, "the first file written")
        if how != "exit_at_log_commit":
            os.kill(child.pid, signal.SIGKILL)
        code, out, _ = finish(child)
    finally:
        kill_all([child])
    assert out == "" and code in (-signal.SIGKILL, 17)
    # readers see exactly what they saw before; the dead commit's files are invisible orphans
    assert state(store) == before
    assert Store(store.root).snapshot(Store(store.root).version())["petitions"]["damaged"] is None
    done = Store(store.root).vacuum(grace_seconds=0)
    assert len(done["removed"]) >= 1 and data_files(store) == files_before
    # and the next commit simply lands
    r = Store(store.root).commit("petitions", month_rows(tiny.B1, "2024-11", 2, "next"), source="next.csv")
    assert r.version == store.table_version("petitions") and by_place(store, "2024-11") == {tiny.B1: 2}


def test_a_writer_killed_right_after_its_log_entry_has_committed_whole(tiny_store, tmp_path):
    store = tiny_store
    src = tmp_path / "nov.parquet"
    pq.write_table(month_rows(tiny.A1, "2024-11", 5, "k"), src)
    code, out, _ = finish(spawn(COMMIT_CHILD, store.root, "petitions", src, "", fault="committed:exit"))
    assert code == 17 and out == ""
    assert by_place(Store(store.root), "2024-11") == {tiny.A1: 5}


def test_kills_at_any_moment_never_show_half_a_commit(tiny_store, tmp_path):
    """SIGKILL after a sweep of delays across a commit's whole run: every time, readers see either the state
    before or the state after, never a mix, and the store takes the next commit."""
    store = tiny_store
    src = tmp_path / "big.parquet"
    table = big_year("s")
    pq.write_table(table, src)
    t0 = time.monotonic()
    code, out, err = finish(spawn(COMMIT_CHILD, store.root, "petitions", src, ""))
    took = time.monotonic() - t0
    assert code == 0, err
    after_state = state(store)
    store.rollback("petitions", "2023-01")  # something to replace again: January back to empty
    for i in range(6):
        before = state(store)
        child = spawn(COMMIT_CHILD, store.root, "petitions", src, "")
        time.sleep(took * i / 5)
        kill_all([child])
        child.communicate(timeout=10)
        now = state(store)
        expected_after = sorted(set(before["rows"]) | set(after_state["rows"]))
        assert now == before or now["rows"] == expected_after, i
        if now != before:
            store.rollback("petitions", "2023-01")
    assert Store(store.root).commit("petitions", month_rows(tiny.B1, "2024-11", 1, "z"), source="z").version > 0
