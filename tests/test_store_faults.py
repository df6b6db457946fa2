"""Faults the store must survive: damaged data files, stray and broken log files, read-only and full disks,
and an old (manifest) store converted on first open.

Each damage is done to a real tiny-county store (tests/tiny.py) the way a bad disk or a careless copy would.
"""

from __future__ import annotations

import errno
import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from governance.metrics import indicators
from governance.metrics.indicators import View
from governance.store import Store, StoreError, damage_message, open_store
from governance.store.legacy import LegacyStore
from queries import Engine
from tests import tiny

ROOT = Path(__file__).resolve().parent.parent


def cli(*args, store_dir: Path):
    return subprocess.run([sys.executable, "-m", "governance", *args, "--store", str(store_dir)],
                          cwd=ROOT, capture_output=True, text=True, check=False)


class _Explaining(Store):
    damage_message = staticmethod(damage_message)


def october_file(store: Store) -> Path:
    (path,) = store.files("petitions", periods=["2024-10"])
    return Path(path)


def overwrite(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 200] = b"\x00" * min(200, len(data) - middle)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["overwritten", "truncated", "deleted"])
def test_a_damaged_file_degrades_one_dataset_with_a_message(tiny_store, damage):
    path = october_file(tiny_store)
    if damage == "overwritten":
        overwrite(path)
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:100])
    else:
        path.unlink()
    store = _Explaining(tiny_store.root)
    engine = Engine(store)
    damaged = engine.damaged()
    assert set(damaged) == {"petitions"}
    message = damaged["petitions"]
    assert "信访事项" in message and "2024-10" in message and "rollback petitions 2024-10" in message
    assert "重新上传" in message  # tiny's October was uploaded once: rolled back, it is empty until re-uploaded
    assert str(tiny_store.root) not in message  # no server paths in front of a user
    # the other datasets answer as before: October grid covered 950 + 3000 + 1800 = 5750
    grid = indicators.headline(engine, "grid", View(tiny.COUNTY, "2024-10", "2024-10"), today=tiny.TODAY)
    assert grid["current"]["households_covered"] == 5750
    # the command line says the same and exits 1, no traceback; other datasets still answer
    run = cli("indicators", "petitions", "--json", store_dir=tiny_store.root)
    assert run.returncode == 1 and "2024-10" in run.stderr and "Traceback" not in run.stderr
    ok = cli("indicators", "grid", "--json", store_dir=tiny_store.root)
    assert ok.returncode == 0 and json.loads(ok.stdout)["households_covered"] == 5750
    # the rollback the message names repairs it: October goes back to before the upload (no rows)
    fix = cli("rollback", "petitions", "2024-10", store_dir=tiny_store.root)
    assert fix.returncode == 0, fix.stderr
    assert Engine(_Explaining(tiny_store.root)).damaged() == {}


@pytest.mark.parametrize("damage", ["overwritten", "truncated"])
def test_an_upload_of_another_month_while_a_file_is_damaged_is_refused_with_the_message(tiny_store, damage):
    """The case-id check reads every month: a damaged October must refuse a September ledger with the damage
    message (dataset, period, the rollback that fixes it), not a traceback; so must a regions upload, which
    reads every fact file for the codes it must keep."""
    from governance.ingest.pipeline import ingest
    from tests.test_ingest import ledger

    path = october_file(tiny_store)
    if damage == "overwritten":
        overwrite(path)
    else:
        path.write_bytes(path.read_bytes()[:100])
    before = tree(tiny_store.root)
    september = ledger(["S1,甲镇,甲一村,2024-09-20,来访,劳动社保,是,,,,否"])
    report = ingest(Store(tiny_store.root), "petitions", september, "甲镇9月.csv", today=tiny.TODAY)
    assert not report.accepted
    (problem,) = report.errors
    for text in (problem.message, problem.zh):
        assert "信访事项" in text and "2024-10" in text and "rollback petitions 2024-10" in text, text
    regions = ingest(Store(tiny_store.root), "regions", tiny_regions_csv(), "regions.csv", today=tiny.TODAY)
    assert not regions.accepted and "2024-10" in regions.errors[0].zh, regions.errors
    assert tree(tiny_store.root) == before
    if damage == "overwritten":
        return  # the command line once is enough: it shares the pipeline
    (tiny_store.root.parent / "甲镇9月.csv").write_bytes(september)
    run = cli("ingest", "petitions", str(tiny_store.root.parent / "甲镇9月.csv"), store_dir=tiny_store.root)
    assert run.returncode == 1 and "rollback petitions 2024-10" in run.stdout and "Traceback" not in run.stderr
    assert tree(tiny_store.root) == before


def tiny_regions_csv() -> bytes:
    import io

    import pyarrow.csv as pacsv

    buf = io.BytesIO()
    pacsv.write_csv(tiny.regions(), buf)
    return buf.getvalue()


def test_a_damaged_dataset_shows_its_message_on_the_pages_and_the_rest_keep_working(served_store):
    from tests.conftest import run_app, run_page

    overwrite(october_file(served_store))
    at = run_app()  # the overview: every dataset's cards
    errors = [e.value for e in at.error]
    assert any("信访事项数据文件损坏" in e and "2024-10" in e for e in errors), errors
    # said on the first screen, above the status counts and the 预警 list that leave petitions out, and the
    # map opens on a dataset it can colour (it opened on petitions: every place grey, 无数据)
    shown = [(n.type, getattr(n, "value", "")) for n in at.main if n.type in ("error", "subheader")]
    assert shown[0][0] == "error" and "信访事项数据文件损坏" in shown[0][1], shown[:3]
    assert not at.selectbox(key="overview_map_indicator").value.startswith("petitions:")
    labels = {m.label: m.value for m in at.metric}
    assert labels["网格覆盖率"] != "—"  # grid unaffected
    # the petitions page names the damage and never asks for an upload instead ("没有信访事项数据…请上传")
    page = run_page("pages/petitions.py", **{"from": "2024-10", "to": "2024-10"})
    assert not page.exception, page.exception
    assert any("信访事项数据文件损坏" in e.value for e in page.error)
    assert not [i.value for i in page.info if "没有信访事项数据" in i.value]
    assert any("数据文件损坏，此处暂不显示" in c.value for c in page.caption)


def test_a_damaged_dataset_is_never_briefed_or_compared_as_zero(served_store):
    """A 通报 drafted while the petitions file is damaged said 全县受理信访事项0件 and 未受理信访事项 (the command line
    wrote it with exit 0), and 两地对比 showed 0件 with no word of the damage. The briefing now says the section is
    withheld for the damage; 两地对比, 大屏 and 简报导出 show the damage message like every other page."""
    from governance.briefing import notice
    from governance.briefing import pack as briefing
    from tests.conftest import run_page

    overwrite(october_file(served_store))
    pack = briefing.build(Engine(_Explaining(served_store.root)), tiny.COUNTY, "2024-10", today=tiny.TODAY,
                          render=False)
    (para,) = [p for p in pack.paragraphs if p.dataset == "petitions"]
    assert "信访事项数据文件损坏" in para.text and "2024-10" in para.text and "0件" not in para.text, para.text
    assert "信访" not in notice.overall(pack, 0)
    assert not [c for c in pack.charts if c.dataset == "petitions"]
    assert [p.text for p in pack.paragraphs if p.dataset == "grid"] != ["本月暂无网格数据。"]  # the rest as before
    for page in ("pages/compare.py", "pages/screen.py", "pages/briefing.py"):
        at = run_page(page, **{"from": "2024-10", "to": "2024-10"})
        assert not at.exception, (page, at.exception)
        assert any("信访事项数据文件损坏" in e.value and "2024-10" in e.value for e in at.error), page


def test_stray_files_in_the_log_folder_are_ignored_with_a_warning(tiny_store):
    log = tiny_store.table_path("petitions") / "_delta_log"
    (log / "00000000000000000005 (copy).json").write_text("{}")
    (log / "_commit_0badc0de.json.tmp").write_text('{"add":')  # a killed commit's temp file
    (log / "notes.txt").write_text("copied here by someone")
    store = Store(tiny_store.root)
    assert store.table_version("petitions") == 1
    assert any("(copy).json" in w for w in store.warnings) and any("notes.txt" in w for w in store.warnings)
    assert not any("_commit_" in w for w in store.warnings)
    assert store.read("petitions").num_rows == 9
    run = cli("indicators", "petitions", "--json", store_dir=tiny_store.root)
    assert run.returncode == 0 and "Traceback" not in run.stderr


def test_a_broken_latest_log_entry_degrades_that_dataset_only(tiny_store):
    log = tiny_store.table_path("grid") / "_delta_log"
    (log / "00000000000000000002.json").write_text('{"commitInfo": {"timestamp": 1')  # cut short
    engine = Engine(_Explaining(tiny_store.root))
    assert set(engine.damaged()) == {"grid"} and "网格" in engine.damaged()["grid"]
    v = indicators.headline(engine, "petitions", View(tiny.COUNTY, "2024-10", "2024-10"), today=tiny.TODAY)
    assert v["current"]["received"] == 6
    run = cli("indicators", "grid", store_dir=tiny_store.root)
    assert run.returncode == 1 and "Traceback" not in run.stderr


def test_a_broken_log_entry_is_named_with_its_repair_and_history_and_rollback_say_so(served_store, capsys):
    """The message named no entry and no repair and carried delta-rs's backtrace ('0: <unknown>' lines);
    history said 没有版本 and rollback 没有可回滚的更早版本, as if nothing had ever been uploaded."""
    from governance.tools import cli as command
    from tests.conftest import run_app

    tiny_store = served_store
    log = tiny_store.table_path("grid") / "_delta_log"
    entry = log / "00000000000000000002.json"
    entry.write_text('{"commitInfo": {"timestamp": 1')  # the latest entry, cut short by a bad disk
    message = Engine(_Explaining(tiny_store.root)).damaged()["grid"]
    assert "00000000000000000002.json" in message and "移出" in message, message
    assert "<unknown>" not in message and "\n" not in message and str(tiny_store.root) not in message
    for args in (["history", "grid"], ["rollback", "grid", "2024-10"]):
        assert command.main([*args, "--store", str(tiny_store.root)]) == 1, args
        said = capsys.readouterr()
        assert "提交日志" in said.err and "没有" not in said.out + said.err, (args, said)
    at = run_app()  # the overview too runs with the broken entry
    at.switch_page("pages/history.py").run()
    at.selectbox(key="history_dataset").set_value("grid").run()
    assert not at.exception and any("00000000000000000002.json" in e.value for e in at.error), at.error
    assert not [i.value for i in at.info if "还没有任何版本" in i.value]
    entry.rename(tiny_store.root / "grid-entry-2.json")  # the repair the message names
    assert Engine(_Explaining(tiny_store.root)).damaged() == {}
    assert Store(tiny_store.root).read("grid").num_rows == 6


# ---- read-only and full disks -------------------------------------------------------------
@pytest.fixture(params=[errno.EROFS, errno.ENOSPC], ids=["read-only", "disk-full"])
def failing_disk(request, monkeypatch):
    """Every file the store would write fails as a read-only or a full disk makes it fail (tests run as root,
    so permissions alone would not stop them)."""
    from governance.store import delta

    def refuse(*args, **kwargs):
        raise OSError(request.param, os_strerror(request.param))

    monkeypatch.setattr(delta.pq, "write_table", refuse)
    monkeypatch.setattr(delta.DeltaTable, "create", staticmethod(refuse))
    monkeypatch.setattr(delta.DeltaTable, "create_write_transaction", refuse)  # the log entry itself
    return request.param


def os_strerror(code: int) -> str:
    import os

    return os.strerror(code)


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_commit_rollback_and_restore_on_a_failing_disk_say_so_and_change_nothing(tiny_store, failing_disk,
                                                                               monkeypatch):
    from governance.tools import cli as cli_module

    orphan = tiny_store.table_path("petitions") / "period=2024-10" / "killed-commit-0.parquet"
    orphan.write_bytes(b"PAR1 left by a killed commit")  # vacuum would remove it, if the disk let it
    before = tree(tiny_store.root)
    word = "只读" if failing_disk == errno.EROFS else "磁盘已满"
    with pytest.raises(StoreError, match=word):
        tiny_store.commit("petitions", tiny.petitions().slice(0, 2), source="x.csv")
    with pytest.raises(StoreError, match=word):
        tiny_store.rollback("petitions", "2024-10")
    assert cli_module.main(["rollback", "petitions", "2024-10", "--store", str(tiny_store.root)]) == 1
    with pytest.raises(StoreError, match=word):
        Store(tiny_store.root.parent / "new").commit("regions", tiny.regions(), source="r.csv")

    if failing_disk == errno.EROFS:  # a full disk still lets files go; a read-only one does not
        def refuse(*args, **kwargs):
            raise OSError(failing_disk, os_strerror(failing_disk), str(orphan))

        monkeypatch.setattr(Path, "unlink", refuse)
        with pytest.raises(StoreError, match=word) as refused:  # it said "[Errno 30] Read-only file system: '/…'"
            Store(tiny_store.root).vacuum(grace_seconds=0)
        assert str(tiny_store.root) not in str(refused.value)
    assert tree(tiny_store.root) == before


def test_web_restore_and_first_start_on_a_failing_disk_show_a_message(tmp_path, monkeypatch, failing_disk):
    import streamlit as st

    from tests.conftest import run_app

    monkeypatch.setenv("GOVERNANCE_STORE", str(tmp_path / "empty"))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = run_app()  # first start: the demo cannot be written
    assert any("无法生成演示数据" in e.value for e in at.error)


def test_a_restore_from_the_history_page_on_a_failing_disk_is_a_message(served_store, failing_disk):
    from governance.web.views import history

    version, problem = history.restore("petitions", "2024-10", 0, "", "analyst")
    assert version is None and problem.startswith("恢复未完成") and problem.count("未改变") == 1, problem


# ---- an old store ----------------------------------------------------------------------------
def write_old_store(root: Path) -> LegacyStore:
    """A store exactly as the app before Delta Lake wrote it (governance/store/legacy.py)."""
    old = LegacyStore(root)
    old.commit("regions", tiny.regions(), source="regions.csv", who="admin")           # v1
    old.commit("petitions", tiny.petitions(), source="petitions.csv", who="alice",      # v2: 08, 09, 10
               checksum="aa" * 32)
    fix = tiny.petitions().slice(0, 2)  # p1 p2: October only
    old.commit("petitions", fix, source="十月更正.csv", who="bob")                      # v3: October -> 2 rows
    old.commit("grid", tiny.grid(), source="grid.csv", who="alice")                      # v4
    old.rollback("petitions", "2024-10", who="carol")                                   # v5: October back to 4 rows? see below
    return old


def test_an_old_store_is_converted_on_first_open_with_its_history(tmp_path):
    root = tmp_path / "old"
    old = write_old_store(root)
    # the old store's current state: October as first uploaded (p1-p6), August p8 p9, September p7
    expected = sorted(r["case_id"] for r in old.manifest()["datasets"] and
                      __import__("governance.store.legacy", fromlist=["read_current"]).read_current(
                          old, "petitions").to_pylist())
    assert expected == [f"p{i}" for i in range(1, 10)]
    store = open_store(root)  # converts on first open
    assert (root / "tables" / "petitions" / "_delta_log").is_dir()
    assert sorted(store.read("petitions").column("case_id").to_pylist()) == expected
    assert store.read("grid").num_rows == 6 and store.read("regions").num_rows == 6
    hist = store.history("petitions")  # newest first: the restore, the correction, the first upload
    assert [(h["action"], h["who"], h["periods"]) for h in hist] == [
        ("restore", "carol", ["2024-10"]), ("ingest", "bob", ["2024-10"]),
        ("ingest", "alice", ["2024-08", "2024-09", "2024-10"])]
    assert hist[2]["source"] == "petitions.csv" and hist[2]["source_sha256"] == "aa" * 32
    assert hist[2]["at"] == old.manifest(2)["commit"]["at"]  # the old time, not the conversion's
    assert hist[0]["restored_version"] == hist[2]["version"]
    # rollback reaches back past the conversion: undoing the restore's own effect goes before the upload
    result, target = store.rollback("petitions", "2024-10")
    assert target == 0 and store.periods("petitions") == ["2024-08", "2024-09"]
    # opening again converts nothing twice
    assert open_store(root).history("petitions")[0]["version"] == result.version


def test_migrate_command_converts_an_old_store(tmp_path):
    root = tmp_path / "old"
    write_old_store(root)
    run = cli("migrate", store_dir=root)
    assert run.returncode == 0 and "已转换" in run.stdout, run.stderr
    again = cli("migrate", store_dir=root)
    assert again.returncode == 0 and "无需转换" in again.stdout
    ind = cli("indicators", "petitions", "--from", "2024-10", "--to", "2024-10", "--json", store_dir=root)
    assert json.loads(ind.stdout)["received"] == 6


def test_an_old_store_with_only_yearly_ratings_answers_branches(tmp_path):
    root = tmp_path / "old"
    old = LegacyStore(root)
    old.commit("regions", tiny.regions(), source="r.csv")
    yearly = tiny.branches().set_column(3, "period", pa.array(["2025"] * 7))
    old.commit("branches", yearly.set_column(0, "branch_id", pa.array([f"b{i}" for i in range(7)])), source="b.csv")
    run = cli("indicators", "branches", "--json", store_dir=root)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["branches"] == 7
