"""The old store (before Delta Lake): Parquet partitions committed through numbered manifests.

Kept only so that ``migrate.py`` can read a store an earlier version of the app
left behind, and so its test can write one exactly as that version did. Nothing
else reads or writes this format any more.

Layout under the store root (all names ASCII, see SPEC and the brief):

    manifests/v000007.json            one file per committed version
    files/<dataset>/period=<P>/<id>.parquet
    staging/<txid>/                   a commit's work in progress

A commit writes its Parquet files into staging, moves them into ``files/``
under names nobody else uses, and then publishes manifest ``v{N+1}`` with
``os.link``, which fails if the name exists. That link is the only step that
changes what readers see, so a process killed anywhere before it leaves the
previous version intact, and of two writers racing for ``N+1`` exactly one
wins. Files never get overwritten or deleted, which is what keeps every
earlier version restorable.
"""

from __future__ import annotations

import copy
import datetime as dt
import getpass
import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from governance.core import contract
from governance.core.settings import store_root
from governance.store.schema import (
    ConcurrentCommitError,
    StoreError,
    _fault,
    arrow_schema,
    with_period,
)

MANIFEST_DIGITS = 6


@dataclass(frozen=True)
class CommitResult:
    version: int
    dataset: str
    periods: list[str]
    rows: int


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class LegacyStore:
    def __init__(self, root: str | Path | None = None):
        self.root = Path(root) if root is not None else store_root()
        self.manifests = self.root / "manifests"
        self.files = self.root / "files"
        self.staging = self.root / "staging"
        self._manifests: dict[int, dict] = {}

    # ---- reading -----------------------------------------------------
    def version(self) -> int:
        """The latest committed version (0 for an empty store)."""
        try:
            names = os.listdir(self.manifests)
        except FileNotFoundError:
            return 0
        versions = [int(n[1:-5]) for n in names if n.startswith("v") and n.endswith(".json")]
        return max(versions, default=0)

    def manifest(self, version: int | None = None) -> dict:
        """A manifest version (default: the latest). Published manifests never change, so they are cached."""
        version = self.version() if version is None else version
        if version == 0:
            return {"version": 0, "datasets": {}, "commit": None}
        if version not in self._manifests:
            with open(self._manifest_path(version), encoding="utf-8") as f:
                self._manifests[version] = json.load(f)
        return copy.deepcopy(self._manifests[version])

    def current_files(self, dataset_key: str, manifest: dict | None = None) -> list[str]:
        manifest = manifest or self.manifest()
        parts = manifest["datasets"].get(dataset_key, {})
        return [str(self.root / parts[p]["file"]) for p in sorted(parts)]

    def snapshot(self, version: int) -> dict[str, dict]:
        """One version as plain data for the query layer: per dataset its files, rows and column types."""
        manifest = self.manifest(version)
        out = {}
        for key in contract.DATASETS:
            parts = manifest["datasets"].get(key, {})
            out[key] = {
                "files": self.current_files(key, manifest),
                "rows": sum(e["rows"] for e in parts.values()),
                "columns": [(f.name, str(f.type)) for f in arrow_schema(key)],
            }
        return out

    def periods(self, dataset_key: str, version: int | None = None) -> list[str]:
        return sorted(self.manifest(version)["datasets"].get(dataset_key, {}))

    def is_empty(self) -> bool:
        return self.version() == 0

    def history(self, dataset_key: str) -> list[dict]:
        """Every version of every period of a dataset, oldest first, with the current one marked."""
        contract.dataset(dataset_key)
        seen: dict[tuple[str, int], dict] = {}
        latest = self.manifest()
        for v in range(1, self.version() + 1):
            try:
                m = self.manifest(v)
            except FileNotFoundError:
                continue
            for period, entry in m["datasets"].get(dataset_key, {}).items():
                seen.setdefault((period, entry["version"]), {"period": period, **entry})
        current = latest["datasets"].get(dataset_key, {})
        rows = sorted(seen.values(), key=lambda e: (e["period"], e["version"]))
        for row in rows:
            row["current"] = current.get(row["period"], {}).get("version") == row["version"]
        return rows

    def log(self) -> list[dict]:
        """One line per committed version: what it did, who, when."""
        out = []
        for v in range(1, self.version() + 1):
            try:
                commit = self.manifest(v)["commit"]
            except FileNotFoundError:
                continue
            out.append({"version": v, **commit})
        return out

    # ---- writing -----------------------------------------------------
    def commit(
        self,
        dataset_key: str,
        table: pa.Table,
        *,
        source: str,
        who: str | None = None,
        checksum: str | None = None,
        action: str = "ingest",
        unchanged: dict[str, dict] | None = None,
    ) -> CommitResult:
        """Replace, for each period present in ``table``, that period's current data.

        ``regions`` is one whole-table partition: a commit replaces all of it.
        ``unchanged`` ({dataset: its manifest entries}) is what the caller checked the table against:
        if any of it has changed since, the commit is refused rather than built on data nobody checked.
        """
        ds = contract.dataset(dataset_key)
        who = who or _default_user()
        base = self.manifest()
        for key, entries in (unchanged or {}).items():
            if base["datasets"].get(key, {}) != entries:
                raise ConcurrentCommitError(
                    f"校验期间{contract.dataset(key).zh}已被更新，本次未写入，请重新上传 "
                    f"{key} changed while this file was being checked; nothing was changed, upload it again")
        table = with_period(dataset_key, table)
        if table.num_rows == 0:
            raise StoreError("文件没有数据行 no data rows: nothing to commit")
        periods = self._periods(ds, table)
        for period in periods:
            if not period.isascii() or "/" in period or period in ("", ".", ".."):
                raise StoreError(f"期间名称无效 invalid period name: {period!r}")

        txid = uuid.uuid4().hex
        stage = self.staging / txid
        stage.mkdir(parents=True, exist_ok=True)
        try:
            staged = {}
            # One period at a time, so a national-scale commit holds one slice, not a copy of everything.
            for period, part in self._slices(ds, table, periods):
                path = stage / f"{dataset_key}--{period}.parquet"
                pq.write_table(part, path, compression="zstd")
                with open(path, "rb") as f:
                    os.fsync(f.fileno())
                staged[period] = (path, part.num_rows)
                del part
            _fault("staged")

            now = dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")
            datasets = {k: dict(v) for k, v in base["datasets"].items()}
            entries = datasets.setdefault(dataset_key, {})
            max_versions = self._max_period_versions(dataset_key)
            for period, (path, rows) in staged.items():
                rel = Path("files") / dataset_key / f"period={period}" / f"{txid}.parquet"
                final = self.root / rel
                if not final.parent.exists():
                    final.parent.mkdir(parents=True, exist_ok=True)  # another writer may make it too
                    _fsync_dir(final.parent.parent)  # the new period folder survives a power cut
                digest = _sha256_file(path)
                os.rename(path, final)
                _fsync_dir(final.parent)
                entries[period] = {
                    "version": max_versions.get(period, 0) + 1,
                    "file": rel.as_posix(),
                    "rows": rows,
                    "sha256": digest,
                    "source": source,
                    "source_sha256": checksum,
                    "who": who,
                    "at": now,
                    "action": action,
                }
            _fault("moved")
            commit = {
                "action": action,
                "dataset": dataset_key,
                "periods": sorted(staged),
                "rows": table.num_rows,
                "source": source,
                "source_sha256": checksum,
                "who": who,
                "at": now,
            }
            version = self._publish(base["version"], datasets, commit, stage)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
        return CommitResult(version, dataset_key, sorted(periods), table.num_rows)

    def restore(self, dataset_key: str, period: str, version: int | None, *, who: str | None = None) -> int:
        """Make an earlier version of one period current again (None: remove the period).

        The restore is itself a new manifest version, so it can be undone too.
        """
        contract.dataset(dataset_key)
        who = who or _default_user()
        base = self.manifest()
        datasets = {k: dict(v) for k, v in base["datasets"].items()}
        entries = datasets.setdefault(dataset_key, {})
        if version is None:
            if period not in entries:
                raise StoreError(f"{dataset_key} 没有期间 {period} 的数据 no data for this period")
            if dataset_key == "regions" and any(base["datasets"].get(k) for k in contract.FACT_DATASETS):
                raise StoreError("行政区划表不能删除：已有数据引用它，只能替换为另一版本 "
                                 "the regions table cannot be removed while facts use it; restore another version")
            del entries[period]
        else:
            wanted = [h for h in self.history(dataset_key) if h["period"] == period and h["version"] == version]
            if not wanted:
                raise StoreError(f"{dataset_key} {period} 没有第 {version} 版 no such version")
            entry = {k: v for k, v in wanted[0].items() if k not in ("period", "current")}
            entries[period] = entry
        now = dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")
        commit = {
            "action": "restore",
            "dataset": dataset_key,
            "periods": [period],
            "restored_version": version,
            "who": who,
            "at": now,
            "rows": entries.get(period, {}).get("rows", 0),
            "source": entries.get(period, {}).get("source"),
        }
        stage = self.staging / uuid.uuid4().hex
        stage.mkdir(parents=True, exist_ok=True)
        try:
            return self._publish(base["version"], datasets, commit, stage)
        finally:
            shutil.rmtree(stage, ignore_errors=True)

    def rollback(self, dataset_key: str, period: str, *, who: str | None = None) -> tuple[int, int | None]:
        """Restore the version before the current one; returns (manifest version, period version or None)."""
        current = self.manifest()["datasets"].get(dataset_key, {}).get(period)
        if current is None:
            raise StoreError(f"{dataset_key} 没有期间 {period} 的数据 no data for this period")
        earlier = [
            h["version"]
            for h in self.history(dataset_key)
            if h["period"] == period and h["version"] < current["version"]
        ]
        target = max(earlier) if earlier else None
        return self.restore(dataset_key, period, target, who=who), target

    # ---- internals ---------------------------------------------------
    def _manifest_path(self, version: int) -> Path:
        return self.manifests / f"v{version:0{MANIFEST_DIGITS}d}.json"

    def _publish(self, base_version: int, datasets: dict, commit: dict, stage: Path) -> int:
        version = base_version + 1
        body = {"version": version, "parent": base_version, "commit": commit, "datasets": datasets}
        tmp = stage / "manifest.json"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(body, f, ensure_ascii=False, indent=1, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        _fault("before_publish")
        self.manifests.mkdir(parents=True, exist_ok=True)
        try:
            # link() is create-if-absent: the manifest appears whole or not at all.
            os.link(tmp, self._manifest_path(version))
        except FileExistsError:
            raise ConcurrentCommitError(
                f"另一次提交已先完成（版本 {version}），本次未写入，请重试 "
                f"concurrent commit: version {version} was published by another writer; nothing was changed, retry"
            ) from None
        _fsync_dir(self.manifests)
        return version

    def _max_period_versions(self, dataset_key: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for h in self.history(dataset_key):
            out[h["period"]] = max(out.get(h["period"], 0), h["version"])
        return out

    @staticmethod
    def _periods(ds: contract.Dataset, table: pa.Table) -> list[str]:
        if not ds.period_from:
            return [contract.WHOLE_TABLE_PERIOD]
        periods = table.column("period")
        if periods.null_count:
            raise StoreError("有行缺少期间 some rows have no period")
        return sorted(pc.unique(periods).to_pylist())

    @staticmethod
    def _slices(ds: contract.Dataset, table: pa.Table, periods: list[str]):
        if not ds.period_from:
            yield contract.WHOLE_TABLE_PERIOD, table
            return
        column = table.column("period")
        for period in periods:
            yield period, table.filter(pc.equal(column, period))


def _default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return "unknown"


def read_current(store: LegacyStore, dataset_key: str) -> pa.Table | None:
    """The current rows of a dataset, or None when it has none."""
    files = store.current_files(dataset_key)
    return pa.concat_tables([pq.read_table(f) for f in files]) if files else None
