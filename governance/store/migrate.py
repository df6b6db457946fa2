"""Convert a store an earlier version of the app left (numbered manifests) into Delta tables.

Every manifest version is replayed, oldest first, as one commit of the dataset it
changed, with its who, when, file name and checksum, so history and rollback reach
back past the conversion. The tables are built in a folder of their own and moved
into place with one rename: a conversion killed halfway leaves the old store as it
was, and is simply done again on the next start. The old manifests and files stay
where they were (nothing deletes data on its own); ``vacuum`` does not touch them.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from governance.core import contract
from governance.store import scope as scopes
from governance.store.delta import Store, _write_error
from governance.store.legacy import LegacyStore
from governance.store.schema import StoreError, arrow_schema, fit


def needed(root: Path) -> bool:
    return (root / "manifests").is_dir() and not (root / "tables").exists()


def migrate(store: Store) -> dict[str, int]:
    """Replay the old store under ``store.root`` into ``store.root/tables``; returns commits per dataset."""
    root = store.root
    old = LegacyStore(root)
    work = root / f".migrating-{uuid.uuid4().hex[:12]}"
    counts: dict[str, int] = {}
    try:
        target = Store(work)
        # (dataset, period, old period version) -> the Delta version that wrote it, for restores' targets
        landed: dict[tuple[str, str, int], int] = {}
        for v in range(1, old.version() + 1):
            try:
                manifest = old.manifest(v)
            except (FileNotFoundError, ValueError):
                continue  # a gap or a damaged manifest: the next one holds the full state again
            commit = manifest.get("commit") or {}
            key = commit.get("dataset")
            if key not in contract.DATASETS:
                continue
            entries = manifest["datasets"].get(key, {})
            periods = list(commit.get("periods") or [])
            tables = [pq.read_table(root / entries[p]["file"]) for p in periods if p in entries]
            schema = arrow_schema(key)
            rows = pa.concat_tables([fit(t, schema) for t in tables]) if tables else schema.empty_table()
            restored = None
            if commit.get("action") == "restore" and commit.get("restored_version") is not None:
                restored = landed.get((key, periods[0], commit["restored_version"])) if periods else None
            meta = {"action": commit.get("action", "ingest"), "who": commit.get("who") or "", "dataset": key,
                    "source": commit.get("source") or "", "source_sha256": commit.get("source_sha256"),
                    "rows": rows.num_rows, "at": commit.get("at"), "migrated_from": v, "restored_version": restored}
            result = target._replace(key, rows, periods, list(scopes.EVERYWHERE), meta)
            for p in periods:
                if p in entries:
                    landed[(key, p, entries[p]["version"])] = result.version
            counts[key] = counts.get(key, 0) + 1
        os.rename(work / "tables", root / "tables")
    except FileExistsError:
        pass  # another process converted it first: its tables stand
    except OSError as e:
        if not (root / "tables").exists():
            raise StoreError(f"旧格式存储转换失败，原数据未改变 converting the old store failed; it is unchanged: "
                             f"{_write_error(e)}") from e
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return counts
