"""The store: one Delta Lake table per dataset (delta-rs), replaced scope by scope.

Layout under the store root (all names ASCII):

    tables/<dataset>/_delta_log/00000000000000000007.json   the table's commits
    tables/<dataset>/period=<P>/<txid>-<n>.parquet          facts, partitioned by period only
    tables/regions/<txid>-0.parquet                         regions, one whole-table file

Any Delta reader (Spark, Trino, Polars, DuckDB's delta extension, delta-rs) reads
these tables as they are. Partitioning is by period alone: by town it would make
hundreds of thousands of small files nationally. Every file also holds ``period``
as a real string column, so a reader that does not infer partitions from folder
names still sees it as text (``period=2025/`` once read as BIGINT broke every
branches query).

A commit replaces, for each period the new rows hold, the rows of its *scope*
(scope.py) and nothing else: the store reads that period's current files, keeps
the rows outside the scope, adds the new rows, writes one new file per period
and commits "add the new files, remove the old" as one Delta transaction. The
store writes the Parquet files itself (rather than through a predicate
overwrite) so that it knows each file's sha256, records it in the commit, and can
tell a damaged file when a version is opened.

Commits land exactly on the version they were built on: ``max_commit_retries=0``
makes delta-rs refuse rather than rebase. The store then looks at what landed in
between: if no commit there touched an overlapping scope in the same periods (two
towns uploading the same month), it rebuilds on the new version and tries again;
if one did, it stops with a message naming who replaced what. Checks that need the
table (case ids unique across months) run against the same base version inside
that loop, so no two racing uploads can both pass them.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import random
import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from deltalake import CommitProperties, DeltaTable
from deltalake.exceptions import CommitFailedError, DeltaError
from deltalake.transaction import AddAction, RemoveAction

from governance.core import contract
from governance.core.settings import store_root
from governance.store import scope as scopes
from governance.store.schema import (
    ConcurrentCommitError,
    StoreError,
    _fault,
    arrow_schema,
    fit,
    with_period,
)

TABLES = "tables"
LOG_FILE = re.compile(r"^(\d{20})\.json$")
MAX_ATTEMPTS = 25
# Files younger than this are never removed by vacuum: they may belong to a commit still being written.
GRACE_SECONDS = 3600
# History must outlive any checkpoint: keep every commit file of the log.
TABLE_CONFIG = {"delta.enableExpiredLogCleanup": "false"}
ABSENT = "-"


@dataclass(frozen=True)
class CommitResult:
    version: int  # the dataset table's new version
    dataset: str
    periods: list[str]
    rows: int  # rows written in scope
    scope: list[str] = field(default_factory=list)
    replaced: int = 0  # rows in scope before
    attempts: int = 1


@dataclass(frozen=True)
class PlaceChange:
    period: str
    region_code: str
    rows_now: int
    rows_after: int


def _default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return "unknown"


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")


def _write_error(e: BaseException) -> StoreError:
    """A write that failed on the disk: the message says what to do, not where in the code it failed."""
    import errno

    code = getattr(e, "errno", None)
    text = str(e)
    if code == errno.ENOSPC or "No space left" in text:
        return StoreError("磁盘已满，数据未改变；请清理空间（可运行 python -m governance vacuum）后重试 "
                          "disk full: nothing was changed")
    if code in (errno.EACCES, errno.EPERM, errno.EROFS) or "Permission denied" in text or "Read-only" in text:
        return StoreError("数据存储为只读（无写入权限），数据未改变；请联系管理员 "
                          "the store is read-only: nothing was changed")
    return StoreError(f"写入失败，数据未改变，请重试 write failed, nothing was changed: {_no_paths(text)[:200]}")


def _no_paths(text: str) -> str:
    """A message without the server's paths (they mean nothing to an office and tell an outsider too much)."""
    return re.sub(r"(?<![\w.])(?:[A-Za-z]:)?[/\\][^\s'\"]+", "…", text)


def parse_version(token: str) -> dict[str, int]:
    """'3.5.-.2.1' -> {regions: 3, petitions: 5, grid: 2, branches: 1} (absent tables left out)."""
    parts = str(token).split(".")
    return {k: int(p) for k, p in zip(contract.DATASETS, parts) if p != ABSENT}


class Store:
    """The store's one entry point: reading versions, committing, history, restore, vacuum."""

    def __init__(self, root: str | Path | None = None):
        self.root = Path(root) if root is not None else store_root()
        self.tables = self.root / TABLES
        self._lock = threading.Lock()
        self._parts: dict[tuple[str, int], list[dict]] = {}  # (dataset, version) -> live files
        self._history: dict[str, list[dict]] = {}  # dataset -> commits, oldest first
        self._verified: dict[tuple[str, int, int], str] = {}  # (path, size, mtime_ns) -> sha256 seen
        self.warnings: list[str] = []

    # ---- versions ------------------------------------------------------
    def table_path(self, dataset_key: str) -> Path:
        contract.dataset(dataset_key)
        return self.tables / dataset_key

    def table_version(self, dataset_key: str) -> int:
        """The table's latest committed version, -1 when it does not exist.

        Read from the log folder's names (a commit file appears whole, by put-if-absent, or not
        at all); anything else in the folder, a stray copy or a temp file of a killed commit, is
        ignored with a warning.
        """
        log = self.table_path(dataset_key) / "_delta_log"
        try:
            names = os.listdir(log)
        except (FileNotFoundError, NotADirectoryError):
            return -1
        versions = []
        for name in names:
            m = LOG_FILE.match(name)
            if m:
                versions.append(int(m.group(1)))
            elif not (name.endswith(".checkpoint.parquet") or name == "_last_checkpoint"
                      or name.startswith("_commit_") or name.endswith(".crc")):
                warning = f"已忽略日志目录中的无关文件 ignored a stray file in {dataset_key}/_delta_log: {name}"
                if warning not in self.warnings:
                    self.warnings.append(warning)
        return max(versions, default=-1)

    def version(self) -> str:
        """One token for the whole store: each table's version, in contract order ('-' for none)."""
        return ".".join(str(v) if v >= 0 else ABSENT for v in map(self.table_version, contract.DATASETS))

    def is_empty(self) -> bool:
        """No table holds a row (a table created but never written to counts as empty)."""
        for key in contract.DATASETS:
            try:
                if self._live(key, self.table_version(key)):
                    return False
            except DamagedError:
                return False
        return True

    def _versions(self, version: str | None) -> dict[str, int]:
        return parse_version(self.version() if version is None else version)

    # ---- reading --------------------------------------------------------
    def _live(self, dataset_key: str, version: int) -> list[dict]:
        """The files of one table version: path, period, rows, size (cached: a version never changes)."""
        if version < 0:
            return []
        key = (dataset_key, version)
        with self._lock:
            if key in self._parts:
                return self._parts[key]
        try:
            table = DeltaTable(str(self.table_path(dataset_key)), version=version)
            actions = pa.table(table.get_add_actions(flatten=True))
        except (DeltaError, OSError, ValueError) as e:
            first = _no_paths(str(e)).strip().splitlines()[0][:160] if str(e).strip() else type(e).__name__
            raise DamagedError(dataset_key, [], f"提交日志无法读取 the commit log cannot be read: {first}",
                               broken=self.broken_log_entries(dataset_key), latest=version) from e
        names = actions.column_names
        periods = actions.column("partition.period").to_pylist() if "partition.period" in names else None
        parts = []
        for i, (path, size, rows) in enumerate(zip(actions.column("path").to_pylist(),
                                                    actions.column("size_bytes").to_pylist(),
                                                    actions.column("num_records").to_pylist())):
            period = periods[i] if periods is not None else contract.WHOLE_TABLE_PERIOD
            parts.append({"file": str(self.table_path(dataset_key) / path), "path": path, "period": period,
                          "rows": int(rows or 0), "size": int(size)})
        parts.sort(key=lambda p: (p["period"], p["path"]))
        with self._lock:
            self._parts[key] = parts
        return parts

    def broken_log_entries(self, dataset_key: str) -> list[str]:
        """The log entries that are not whole JSON lines (a disk that cut one short), by name."""
        log = self.table_path(dataset_key) / "_delta_log"
        broken = []
        for name in sorted(os.listdir(log)) if log.is_dir() else []:
            if LOG_FILE.match(name):
                try:
                    for line in (log / name).read_text(encoding="utf-8").splitlines():
                        if line.strip():
                            json.loads(line)
                except (OSError, ValueError):
                    broken.append(name)
        return broken

    def log_damage(self, dataset_key: str) -> str | None:
        """The damage message when the table's commit log cannot be read (history and rollback then have
        nothing true to say but that), else None."""
        try:
            self._live(dataset_key, self.table_version(dataset_key))
        except DamagedError as e:
            return None if e.periods else e.message
        return None

    def files(self, dataset_key: str, version: str | None = None, periods: list[str] | None = None) -> list[str]:
        v = self._versions(version).get(dataset_key, -1)
        return [p["file"] for p in self._live(dataset_key, v) if periods is None or p["period"] in periods]

    current_files = files

    def periods(self, dataset_key: str, version: str | None = None) -> list[str]:
        v = self._versions(version).get(dataset_key, -1)
        try:
            return sorted({p["period"] for p in self._live(dataset_key, v)})
        except DamagedError:
            return []

    def read(self, dataset_key: str, version: str | None = None, *, periods: list[str] | None = None,
             columns: list[str] | None = None) -> pa.Table | None:
        """A dataset's rows at a store version (default: now), or None when it has none.

        Held to the checksums their commits recorded, like a page's snapshot: the writes that read the
        table (case ids unique across months, codes the facts use) refuse with the damage message rather
        than fail on a damaged file in a period they do not replace (checked once per file and state)."""
        v = self._versions(version).get(dataset_key, -1)
        parts = [p for p in self._live(dataset_key, v) if periods is None or p["period"] in periods]
        if not parts:
            return None
        bad = self._verify(dataset_key, v, parts)
        if bad:
            raise DamagedError(dataset_key, sorted(bad), "; ".join(f"{p}: {r}" for p, r in sorted(bad.items())))
        try:
            return pa.concat_tables([pq.read_table(p["file"], columns=columns) for p in parts])
        except (OSError, pa.ArrowException) as e:
            raise DamagedError(dataset_key, sorted({p["period"] for p in parts}), type(e).__name__) from e

    def snapshot(self, version: str) -> dict[str, dict]:
        """One store version as plain data for the query layer (queries/ imports nothing of ours).

        Per dataset: its files, rows, column types, and ``damaged``: the periods whose files are
        missing, cut short or not the bytes the commit recorded, with the message to show.
        """
        versions = self._versions(version)
        out = {}
        for key in contract.DATASETS:
            entry = {"files": [], "rows": 0, "columns": [(f.name, str(f.type)) for f in arrow_schema(key)],
                     "parts": [], "damaged": None}
            try:
                parts = self._live(key, versions.get(key, -1))
                bad = self._verify(key, versions.get(key, -1), parts)
                if bad:
                    raise DamagedError(key, sorted(bad), "; ".join(f"{p}: {r}" for p, r in sorted(bad.items())))
            except DamagedError as e:
                entry["damaged"] = {"periods": e.periods, "message": e.message}
                out[key] = entry
                continue
            entry["files"] = [p["file"] for p in parts]
            entry["rows"] = sum(p["rows"] for p in parts)
            entry["parts"] = [{"file": p["file"], "period": p["period"], "rows": p["rows"]} for p in parts]
            out[key] = entry
        return out

    def _verify(self, dataset_key: str, version: int, parts: list[dict]) -> dict[str, str]:
        """Periods whose files are not what the commit wrote (checked once per file and state)."""
        if not parts:
            return {}
        recorded = {}
        for c in self.commits(dataset_key):
            if c["version"] <= version:
                recorded.update(c.get("files") or {})
        bad = {}
        for p in parts:
            path = Path(p["file"])
            try:
                st = path.stat()
            except OSError:
                bad[p["period"]] = "文件缺失 file missing"
                continue
            if st.st_size != p["size"]:
                bad[p["period"]] = "文件大小不符 file size changed"
                continue
            want = recorded.get(p["path"])
            if want is None:
                continue  # written by another Delta writer: no checksum to hold it to
            key = (str(path), st.st_size, st.st_mtime_ns)
            seen = self._verified.get(key)
            if seen is None:
                try:
                    seen = _sha256_file(path)
                except OSError:
                    seen = ""
                self._verified[key] = seen
            if seen != want:
                bad[p["period"]] = "校验和不符 checksum mismatch"
        return bad

    def manifest(self, version: str | None = None) -> dict:
        """What each period holds and when it last changed, in the shape the briefing's 'as of' reads."""
        versions = self._versions(version)
        out: dict[str, dict] = {}
        for key, v in versions.items():
            changed: dict[str, str] = {}
            for c in self.commits(key):
                if 0 < c["version"] <= v:
                    for p in c.get("periods") or []:
                        changed[p] = c["at"]
            rows: dict[str, int] = {}
            try:
                for part in self._live(key, v):
                    rows[part["period"]] = rows.get(part["period"], 0) + part["rows"]
            except DamagedError:
                pass
            out[key] = {p: {"rows": n, "at": changed.get(p, "")} for p, n in rows.items()}
        return {"version": self.version() if version is None else version, "datasets": out}

    # ---- history ----------------------------------------------------------
    def commits(self, dataset_key: str) -> list[dict]:
        """Every commit of a table, oldest first, with what the store recorded in it."""
        latest = self.table_version(dataset_key)
        if latest < 0:
            return []
        with self._lock:
            cached = self._history.get(dataset_key)
        if cached and cached[-1]["version"] >= latest:
            return [c for c in cached if c["version"] <= latest]
        try:
            raw = DeltaTable(str(self.table_path(dataset_key)), version=latest).history()
        except (DeltaError, OSError, ValueError):
            return cached or []
        rows = []
        for h in sorted(raw, key=lambda h: h["version"]):
            at = dt.datetime.fromtimestamp(h["timestamp"] / 1000, dt.timezone.utc).astimezone()
            rows.append({
                "version": h["version"],
                "at": h.get("at") or at.isoformat(timespec="seconds"),
                "timestamp": h["timestamp"],
                "operation": h.get("operation"),
                "action": h.get("action") or ("create" if h.get("operation") == "CREATE TABLE" else "other"),
                "who": h.get("who") or h.get("userName") or "",
                "source": h.get("source") or "",
                "source_sha256": h.get("source_sha256") or "",
                "rows": h.get("rows", 0),
                "replaced": h.get("replaced", 0),
                "rows_after": h.get("rows_after"),
                "periods": list(h.get("periods") or []),
                "scope": list(h.get("scope") or []),
                "restored_version": h.get("restored_version"),
                "files": h.get("files") or {},
                "predicate": h.get("predicate") or (h.get("operationParameters") or {}).get("predicate"),
            })
        with self._lock:
            self._history[dataset_key] = rows
        return rows

    def history(self, dataset_key: str) -> list[dict]:
        """Uploads and restores of a dataset, newest first (the table's creation left out)."""
        commits = [c for c in self.commits(dataset_key) if c["action"] != "create"]
        latest = self.table_version(dataset_key)
        out = []
        for c in reversed(commits):
            row = {k: v for k, v in c.items() if k != "files"}
            row["current"] = c["version"] == latest
            out.append(row)
        return out

    def log(self) -> list[dict]:
        """Every upload and restore of every dataset, oldest first."""
        rows = [{"dataset": key, **{k: v for k, v in c.items() if k != "files"}}
                for key in contract.DATASETS for c in self.commits(key) if c["action"] != "create"]
        return sorted(rows, key=lambda r: (r["timestamp"], list(contract.DATASETS).index(r["dataset"])))

    # ---- writing ----------------------------------------------------------
    def preview(self, dataset_key: str, table: pa.Table, scope: list[str] | None = None,
                version: str | None = None) -> tuple[list[str], list[PlaceChange]]:
        """What a commit of ``table`` would do, per place (village) in scope and period: rows now and after.

        Computed by the same code the commit runs (``_plan``), on the given (default: current) version.
        """
        table = conform(dataset_key, table)
        periods = self._periods_of(dataset_key, table)
        scope_codes = self._scope_for(dataset_key, table, scope)
        base = self._versions(version).get(dataset_key, -1)
        plan = self._plan(dataset_key, table, periods, scope_codes, base, write=False)
        return scope_codes, plan["changes"]

    def commit(
        self,
        dataset_key: str,
        table: pa.Table,
        *,
        source: str,
        who: str | None = None,
        checksum: str | None = None,
        action: str = "ingest",
        scope: list[str] | None = None,
        unchanged: dict[str, int] | None = None,
        check: Callable[[str], None] | None = None,
    ) -> CommitResult:
        """Replace, for each period in ``table``, the rows of ``scope`` (default: the towns it holds).

        ``unchanged`` ({dataset: table version}) is what the caller checked the rows against (the regions
        table): if it moved, the commit is refused rather than built on data nobody checked. ``check``
        runs against each store version the commit is built on, inside the retry loop; it raises to refuse.
        """
        ds = contract.dataset(dataset_key)
        table = conform(dataset_key, table)
        if table.num_rows == 0:
            raise StoreError("文件没有数据行 no data rows: nothing to commit")
        periods = self._periods_of(dataset_key, table)
        scope_codes = self._scope_for(dataset_key, table, scope)
        outside = pc.sum(pc.invert(scopes.mask(table.column("code_num"), scope_codes))).as_py() or 0
        if outside:
            raise StoreError(f"有 {outside} 行不在上传范围内 {outside} rows lie outside the scope "
                             f"{', '.join(scope_codes)}")
        meta = {"action": action, "who": who or _default_user(), "source": source, "source_sha256": checksum,
                "rows": table.num_rows, "dataset": ds.key}
        return self._replace(dataset_key, table, periods, scope_codes, meta, unchanged=unchanged, check=check)

    def restore(self, dataset_key: str, period: str, version: int | None, *, scope: list[str] | None = None,
                who: str | None = None) -> CommitResult:
        """Make one period's rows within a scope (default: every place) what they were at table ``version``.

        ``version`` None or 0 means "no rows" (before the first upload). The restore is itself a new
        commit, so it shows in history and can be undone too.
        """
        ds = contract.dataset(dataset_key)
        latest = self.table_version(dataset_key)
        everywhere = scope is None or not ds.period_from or tuple(scope) == scopes.EVERYWHERE
        scope_codes = list(scopes.EVERYWHERE) if everywhere else scopes.normalise(scope)
        if ds.period_from is None:
            period = contract.WHOLE_TABLE_PERIOD
        if latest < 0:
            raise StoreError(f"{dataset_key} 没有期间 {period} 的数据 no data for this period")
        target = version or 0
        if not 0 <= target <= latest:
            raise StoreError(f"{dataset_key} {period} 没有第 {target} 版 no such version")
        has_now = any(p["period"] == period for p in self._live(dataset_key, latest))
        touched = any(period in c["periods"] for c in self.commits(dataset_key))
        if not has_now and not touched:
            raise StoreError(f"{dataset_key} 没有期间 {period} 的数据 no data for this period")
        schema = arrow_schema(dataset_key)
        try:
            parts = [p for p in self._live(dataset_key, target) if p["period"] == period]
            rows = self._read_parts(dataset_key, target, period, parts, schema)  # held to its checksums
        except (DamagedError, OSError) as e:
            raise StoreError(f"第 {target} 版的文件已被清理或损坏，无法恢复 version {target}'s files were vacuumed "
                             f"or are damaged ({dataset_key} {period})") from e
        if tuple(scope_codes) != scopes.EVERYWHERE:
            rows = rows.filter(scopes.mask(rows.column("code_num"), scope_codes))
        if dataset_key == "regions" and rows.num_rows == 0 and any(
                self.table_version(k) > 0 and self._live(k, self.table_version(k)) for k in contract.FACT_DATASETS):
            raise StoreError("行政区划表不能删除：已有数据引用它，只能替换为另一版本 "
                             "the regions table cannot be removed while facts use it; restore another version")
        meta = {"action": "restore", "who": who or _default_user(), "source": f"第 {target} 版 version {target}",
                "source_sha256": None, "rows": rows.num_rows, "restored_version": target, "dataset": ds.key}
        return self._replace(dataset_key, rows, [period], scope_codes, meta)

    def rollback(self, dataset_key: str, period: str, *, scope: list[str] | None = None,
                 who: str | None = None) -> tuple[CommitResult, int]:
        """Undo the latest change still in effect to one period within a scope; returns (commit, restored version).

        Rolling back again steps further back: a restore's own effect is followed to the version it restored.
        """
        ds = contract.dataset(dataset_key)
        if ds.period_from is None:
            period = contract.WHOLE_TABLE_PERIOD
        want = list(scopes.EVERYWHERE) if scope is None or not ds.period_from else scopes.normalise(scope)
        broken_log = self.log_damage(dataset_key)
        if broken_log:
            raise StoreError(broken_log)
        commits = [c for c in self.commits(dataset_key) if c["action"] != "create"]
        at = self.table_version(dataset_key)
        target = None
        while True:
            hit = next((c for c in reversed(commits) if c["version"] <= at and period in c["periods"]
                        and scopes.overlaps(c["scope"] or scopes.EVERYWHERE, want)), None)
            if hit is None:
                break
            covers = hit["action"] == "restore" and (
                tuple(hit["scope"]) == scopes.EVERYWHERE or tuple(want) != scopes.EVERYWHERE
                and all(any(scopes.code_range(s)[0] <= scopes.code_range(w)[0] and scopes.code_range(w)[1]
                            <= scopes.code_range(s)[1] for s in hit["scope"]) for w in want))
            if covers and hit.get("restored_version") is not None:
                at = hit["restored_version"]
                continue
            target = hit["version"] - 1
            break
        if target is None:
            raise StoreError(f"{dataset_key} {period} 没有可回滚的更早版本 no data for this period to roll back")
        return self.restore(dataset_key, period, target, scope=scope, who=who), target

    # ---- the commit itself -------------------------------------------------
    @staticmethod
    def _periods_of(dataset_key: str, table: pa.Table) -> list[str]:
        if not contract.dataset(dataset_key).period_from:
            return [contract.WHOLE_TABLE_PERIOD]
        return sorted(pc.unique(table.column("period")).to_pylist())

    @staticmethod
    def _scope_for(dataset_key: str, table: pa.Table, scope: list[str] | None) -> list[str]:
        if not contract.dataset(dataset_key).period_from or (scope and tuple(scope) == scopes.EVERYWHERE):
            return list(scopes.EVERYWHERE)  # regions: replaced whole; or a load that replaces every place
        if scope:
            return scopes.normalise(scope)
        return scopes.default_scope_of(table.column("region_code"))

    def _ensure_table(self, dataset_key: str) -> None:
        ds = contract.dataset(dataset_key)
        path = self.table_path(dataset_key)
        try:
            path.mkdir(parents=True, exist_ok=True)
            DeltaTable.create(str(path), arrow_schema(dataset_key), mode="ignore",
                              partition_by=["period"] if ds.period_from else None,
                              name=dataset_key, description=f"{ds.zh} ({dataset_key})", configuration=TABLE_CONFIG)
        except (DeltaError, OSError) as e:
            if self.table_version(dataset_key) < 0:  # not another writer creating it at the same moment
                raise _write_error(e) from e

    def _evolve(self, dataset_key: str) -> None:
        """A table made before the contract gained a column (regions' transition_stage) gets it as a nullable
        column, one commit of its own, so the next write may carry it; older files read it as empty."""
        table = DeltaTable(str(self.table_path(dataset_key)))
        have = {f.name for f in table.schema().fields}
        missing = [f for f in arrow_schema(dataset_key) if f.name not in have]
        if missing:
            from deltalake.schema import Field, PrimitiveType

            delta_type = {pa.string(): "string", pa.int64(): "long", pa.float64(): "double", pa.bool_(): "boolean",
                          pa.date32(): "date", pa.int32(): "integer"}
            try:
                table.alter.add_columns([Field(f.name, PrimitiveType(delta_type[f.type]), nullable=True)
                                         for f in missing])
            except DeltaError:
                if {f.name for f in DeltaTable(str(self.table_path(dataset_key))).schema().fields} < {
                        f.name for f in arrow_schema(dataset_key)}:
                    raise  # not another writer evolving it at the same moment

    def _plan(self, dataset_key: str, new: pa.Table, periods: list[str], scope_codes: list[str], base: int,
              *, write: bool, txid: str = "") -> dict:
        """Per period: the files to remove, the rows to keep, what each place has now and after; with
        ``write``, the new files themselves."""
        ds = contract.dataset(dataset_key)
        live = self._live(dataset_key, base)
        schema = arrow_schema(dataset_key)
        changes: list[PlaceChange] = []
        adds, removes, written, replaced, after_total = [], [], [], 0, 0
        new_period = new.column("period") if ds.period_from else None
        everywhere = tuple(scope_codes) == scopes.EVERYWHERE
        for n, period in enumerate(periods):
            old_parts = [p for p in live if p["period"] == period]
            try:
                old = self._read_parts(dataset_key, base, period, old_parts, schema)
            except DamagedError:
                if not everywhere:
                    raise  # the rows to keep cannot be read: repair the period first (the message says how)
                # replacing a whole period needs none of its rows: this is how a damaged period is repaired
                old = schema.empty_table()
                replaced += sum(p["rows"] for p in old_parts)
            inside = scopes.mask(old.column("code_num"), scope_codes)
            kept = old.filter(pc.invert(inside))
            fresh = new.filter(pc.equal(new_period, period)) if new_period is not None else new
            replaced += old.num_rows - kept.num_rows
            if not write:  # the preview's per-place counts; a commit needs only the totals
                now_counts = _counts(old.filter(inside).column("region_code"))
                after_counts = _counts(fresh.column("region_code"))
                for code in sorted(set(now_counts) | set(after_counts)):
                    changes.append(PlaceChange(period, code, now_counts.get(code, 0), after_counts.get(code, 0)))
            after = pa.concat_tables([kept, fresh.cast(schema)])
            after_total += after.num_rows
            removes += old_parts
            if write and after.num_rows:
                folder = f"period={period}/" if ds.period_from else ""
                rel = f"{folder}{txid}-{n}.parquet"
                path = self.table_path(dataset_key) / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                written.append(path)
                pq.write_table(after, path, compression="zstd")
                with open(path, "rb") as f:
                    os.fsync(f.fileno())
                code_num = after.column("code_num")  # the file's stats; the rows themselves are let go now
                adds.append((rel, path, period, after.num_rows, pc.min(code_num).as_py(), pc.max(code_num).as_py()))
            del old, kept, after
        return {"changes": changes, "adds": adds, "removes": removes, "written": written,
                "replaced": replaced, "rows_after": after_total}

    def _read_parts(self, dataset_key: str, version: int, period: str, parts: list[dict], schema: pa.Schema
                    ) -> pa.Table:
        """A period's current rows, held to the checksums their commits recorded."""
        if not parts:
            return schema.empty_table()
        bad = self._verify(dataset_key, version, parts)
        if bad:
            raise DamagedError(dataset_key, [period], "; ".join(bad.values()))
        try:
            return pa.concat_tables([fit(pq.read_table(p["file"]), schema) for p in parts])
        except (OSError, pa.ArrowException) as e:
            raise DamagedError(dataset_key, [period], type(e).__name__) from e

    def _replace(self, dataset_key: str, new: pa.Table, periods: list[str], scope_codes: list[str], meta: dict,
                 *, unchanged: dict[str, int] | None = None, check: Callable[[str], None] | None = None
                 ) -> CommitResult:
        ds = contract.dataset(dataset_key)
        try:
            scopes.predicate(periods, scope_codes)  # period names are checked before any file is written
        except scopes.ScopeError as e:
            raise StoreError(str(e)) from None
        if self.table_version(dataset_key) < 0:
            self._ensure_table(dataset_key)
        self._evolve(dataset_key)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            base = self.table_version(dataset_key)
            for key, seen in (unchanged or {}).items():
                if self.table_version(key) != seen:
                    raise ConcurrentCommitError(
                        f"校验期间{contract.dataset(key).zh}已被更新，本次未写入，请重新上传 "
                        f"{key} changed while this file was being checked; nothing was changed, upload it again")
            if check is not None:
                versions = self._versions(None)
                versions[dataset_key] = base
                check(".".join(str(versions.get(k, -1)) if versions.get(k, -1) >= 0 else ABSENT
                               for k in contract.DATASETS))
            txid = f"{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:12]}"
            plan = None
            try:
                plan = self._plan(dataset_key, new, periods, scope_codes, base, write=True, txid=txid)
                _fault("written")
                version = self._commit_log(dataset_key, base, plan, periods, scope_codes, meta)
            except _Lost:
                self._discard(plan)
                self._refuse_if_overlapping(dataset_key, base, periods, scope_codes)
                time.sleep(random.uniform(0.01, 0.05) * attempt)  # the other writer is mid-commit too
                continue
            except (OSError, DeltaError) as e:
                self._discard(plan)
                raise _write_error(e) from e
            except BaseException:
                self._discard(plan)
                raise
            _fault("committed")
            return CommitResult(version, dataset_key, periods, new.num_rows, list(scope_codes),
                                plan["replaced"], attempt)
        raise ConcurrentCommitError(f"{ds.zh}同时提交的上传太多，本次未写入，请稍后重试 "
                                    f"too many concurrent commits on {dataset_key}; nothing was changed, retry")

    def _commit_log(self, dataset_key: str, base: int, plan: dict, periods: list[str], scope_codes: list[str],
                    meta: dict) -> int:
        ds = contract.dataset(dataset_key)
        now_ms = int(time.time() * 1000)
        files = {}
        actions: list = []
        for rel, path, period, rows, lo, hi in plan["adds"]:
            files[rel] = _sha256_file(path)
            stats = {"numRecords": rows, "minValues": {"code_num": lo}, "maxValues": {"code_num": hi},
                     "nullCount": {"code_num": 0}}
            actions.append(AddAction(rel, path.stat().st_size, {"period": period} if ds.period_from else {},
                                     now_ms, True, json.dumps(stats)))
        for p in plan["removes"]:
            actions.append(RemoveAction(p["path"], True, now_ms, p["size"],
                                        {"period": p["period"]} if ds.period_from else None))
        custom = {"at": _now_iso(), "periods": periods, "scope": list(scope_codes), "replaced": plan["replaced"],
                  "rows_after": plan["rows_after"], "files": files, "userName": meta.get("who") or "",
                  "predicate": scopes.predicate(periods, scope_codes) if ds.period_from else None,
                  **{k: v for k, v in meta.items() if v is not None}}  # a migrated commit keeps its own time
        custom = {k: v for k, v in custom.items() if v is not None}
        table = DeltaTable(str(self.table_path(dataset_key)), version=base)
        try:
            table.create_write_transaction(
                # the table's own schema: a column added by _evolve sits last there, by name the same
                actions, "append", table.schema(), partition_by=["period"] if ds.period_from else None,
                commit_properties=CommitProperties(custom_metadata=custom, max_commit_retries=0))
        except CommitFailedError as e:
            if self.table_version(dataset_key) > base:
                raise _Lost() from e
            raise
        return base + 1

    def _refuse_if_overlapping(self, dataset_key: str, base: int, periods: list[str], scope_codes: list[str]) -> None:
        """A commit that landed since ``base`` on the same places and periods: stop, do not overwrite it."""
        for c in self.commits(dataset_key):
            if c["version"] <= base or c["action"] == "create":
                continue
            same = set(c["periods"]) & set(periods) if c["periods"] else set(periods)
            if same and scopes.overlaps(c["scope"] or scopes.EVERYWHERE, scope_codes):
                where = "、".join(c["scope"] or ["全部地区"])
                raise ConcurrentCommitError(
                    f"{where} 在 {'、'.join(sorted(same))} 的数据刚被另一次提交替换（{c['who']}，{c['source']}，"
                    f"第 {c['version']} 版），与本次上传的范围重叠，本次未写入；请刷新，核对预览后再提交 "
                    f"concurrent commit: version {c['version']} replaced an overlapping scope; nothing was changed, retry")

    @staticmethod
    def _discard(plan: dict | None) -> None:
        for path in (plan or {}).get("written", []):
            try:
                path.unlink()
            except OSError:
                pass

    # ---- housekeeping ----------------------------------------------------------
    def vacuum(self, keep_days: float = 30, *, grace_seconds: float = GRACE_SECONDS) -> dict:
        """Remove files no version worth keeping reads: those removed from every version committed in the
        last ``keep_days`` (and from the current one), files of commits that never landed, and temp files of
        killed commits. Files younger than ``grace_seconds`` are left alone: a commit may be writing them."""
        cutoff_ms = (time.time() - keep_days * 86400) * 1000
        grace = time.time() - grace_seconds
        removed, freed = [], 0
        for key in contract.DATASETS:
            latest = self.table_version(key)
            if latest < 0:
                continue
            kept = {c["version"] for c in self.commits(key) if c["timestamp"] >= cutoff_ms} | {latest}
            referenced = set()
            for v in kept:
                try:
                    referenced |= {p["path"] for p in self._live(key, v)}
                except DamagedError:
                    continue
            table_dir = self.table_path(key)
            for path in table_dir.rglob("*"):
                rel = path.relative_to(table_dir).as_posix()
                in_log = rel.startswith("_delta_log/")
                stale = path.is_file() and path.stat().st_mtime < grace
                if not stale:
                    continue
                if (in_log and path.name.startswith("_commit_") and path.name.endswith(".tmp")) or (
                        not in_log and path.suffix == ".parquet" and rel not in referenced):
                    freed += path.stat().st_size
                    try:
                        path.unlink()
                    except OSError as e:  # a read-only store: say so (only leftovers were ever removed)
                        raise _write_error(e) from e
                    removed.append(f"{key}/{rel}")
        legacy_staging = self.root / "staging"
        if legacy_staging.is_dir():
            shutil.rmtree(legacy_staging, ignore_errors=True)
            removed.append("staging/")
        for work in self.root.glob(".migrating-*"):  # a conversion killed halfway (migrate.py)
            if work.is_dir() and work.stat().st_mtime < grace:
                shutil.rmtree(work, ignore_errors=True)
                removed.append(f"{work.name}/")
        return {"removed": removed, "bytes": freed}


class DamagedError(StoreError):
    """A version's files (or log) are not what was committed; the message names dataset, periods and the fix."""

    def __init__(self, dataset_key: str, periods: list[str], detail: str, *, broken: list[str] | None = None,
                 latest: int = -1):
        self.dataset = dataset_key
        self.periods = periods
        self.detail = detail
        self.message = damage_message(dataset_key, periods, detail, broken=broken, latest=latest)
        super().__init__(self.message)


def damage_message(dataset_key: str, periods: list[str], detail: str = "", *, broken: list[str] | None = None,
                   latest: int = -1) -> str:
    ds = contract.dataset(dataset_key)
    if broken:  # entries cut short: the latest alone can be set aside (its commit undone); others need a backup
        where = f"tables/{dataset_key}/_delta_log/"
        names = "、".join(broken[:3])
        if broken == [f"{latest:020d}.json"]:
            fix = (f"修复：管理员将 {where}{broken[0]} 移出该目录（这一次提交随之撤销，之前的版本不受影响），"
                   f"再运行 python -m governance history {dataset_key} 核对。")
        else:
            fix = f"修复：请管理员从备份恢复 {where} 中的 {names}。"
        text = f"{ds.zh}的提交日志 {names} 不完整，该数据集暂不显示，其他数据不受影响。{fix}"
    elif periods:
        where = "、".join(periods)
        fix = "；".join(f"python -m governance rollback {dataset_key} {p}" for p in periods[:3])
        text = (f"{ds.zh}数据文件损坏（期间 {where}），该数据集暂不显示，其他数据不受影响。"
                f"修复：在“数据版本”页恢复该期间的较早版本，或运行 {fix}"
                # a period uploaded once has no earlier version: its rollback leaves it empty until re-uploaded
                f"（若该期间只上传过一次，恢复后为空，请重新上传该期间台账）。")
    else:
        text = f"{ds.zh}的提交日志无法读取，该数据集暂不显示，其他数据不受影响。请联系管理员。"
    return f"{text} (damaged {dataset_key}{': ' + detail if detail else ''})"


class _Lost(Exception):
    """Another commit took the version this one was built on."""


def _counts(codes: pa.ChunkedArray | pa.Array) -> dict[str, int]:
    if len(codes) == 0:
        return {}
    vc = pc.value_counts(codes)
    return dict(zip(vc.field("values").to_pylist(), vc.field("counts").to_pylist()))


def conform(dataset_key: str, table: pa.Table) -> pa.Table:
    """The table with the store's schema and its own columns; a table already conformed is passed through."""
    if table.schema.equals(arrow_schema(dataset_key)):
        return table
    return with_period(dataset_key, table)


def read_current(store: Store, dataset_key: str) -> pa.Table | None:
    """The current rows of a dataset, or None when it has none."""
    return store.read(dataset_key)
