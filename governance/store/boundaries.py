"""Boundaries (行政区划边界): one shape per 区划代码, kept beside the Delta tables, versioned.

Layout under the store root:

    boundaries/_log/00000000000000000003.json    one commit: who, when, source file, sha256, shapes
    boundaries/<txid>.json                       that commit's shapes: {"<code>": GeoJSON geometry, ...}

A commit writes its data file first (a temp name, then renamed), then its log entry by put-if-absent
(a hard link: two uploads racing for the same number cannot both win), so a killed upload leaves at most an
unreferenced file and readers keep the last committed version. The boundaries are replaced whole, like the
regions table (and, like it, only by an account over the whole tree: see ingest/boundaries.py); every
version stays and can be restored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import uuid
from pathlib import Path

from governance.store.schema import StoreError

FOLDER = "boundaries"
LOG = "_log"
LOG_FILE = re.compile(r"^(\d{20})\.json$")


def _folder(root: str | os.PathLike) -> Path:
    return Path(root) / FOLDER


def version(root: str | os.PathLike) -> int:
    """The latest committed version, 0 when boundaries were never uploaded."""
    try:
        names = os.listdir(_folder(root) / LOG)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    return max((int(m.group(1)) for m in map(LOG_FILE.match, names) if m), default=0)


def history(root: str | os.PathLike) -> list[dict]:
    """Every commit, newest first: version, who, when, source, sha256, shapes (count), action."""
    out = []
    log = _folder(root) / LOG
    for v in range(version(root), 0, -1):
        try:
            entry = json.loads((log / f"{v:020d}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        out.append({"version": v, **{k: entry.get(k) for k in ("who", "when", "source", "sha256", "shapes",
                                                                 "action", "restored_from")}})
    return out


def read(root: str | os.PathLike, at: int | None = None) -> dict[str, dict]:
    """{code: geometry} of a version (default: the latest); {} when there is none.

    A data file that is missing or not the bytes its commit recorded raises StoreError (the map then falls
    back to the ranking and says why)."""
    v = version(root) if at is None else at
    if v <= 0:
        return {}
    folder = _folder(root)
    try:
        entry = json.loads((folder / LOG / f"{v:020d}.json").read_text(encoding="utf-8"))
        data = (folder / entry["file"]).read_bytes()
    except (OSError, ValueError, KeyError) as e:
        raise StoreError(f"边界数据（第 {v} 版）无法读取，可在“数据上传”页重新上传或恢复旧版本 "
                         f"boundaries version {v} cannot be read") from e
    if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
        raise StoreError(f"边界数据（第 {v} 版）文件已损坏（校验和不符），可恢复旧版本 boundaries version {v} is damaged")
    return json.loads(data)


def commit(root: str | os.PathLike, shapes: dict[str, dict], *, source: str, who: str,
           action: str = "upload", restored_from: int | None = None) -> int:
    """Write a new version holding exactly `shapes`; returns its number. Nothing changes if it fails."""
    folder = _folder(root)
    data = json.dumps(shapes, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    txid = uuid.uuid4().hex
    name = f"{txid}.json"
    try:
        (folder / LOG).mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{txid}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, folder / name)
        entry = {"file": name, "sha256": hashlib.sha256(data).hexdigest(), "shapes": len(shapes), "who": who,
                 "source": source, "action": action, "restored_from": restored_from,
                 "when": dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")}
        staged = folder / LOG / f".{txid}.json"
        staged.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
    except OSError as e:
        raise StoreError("边界数据写入失败，数据未改变 writing the boundaries failed, nothing was changed") from e
    try:
        for _ in range(25):  # another upload took the number: take the next one
            v = version(root) + 1
            try:
                os.link(staged, folder / LOG / f"{v:020d}.json")
                return v
            except FileExistsError:
                continue
        raise StoreError("边界数据提交冲突，请重试 boundaries commit conflict, try again")
    finally:
        staged.unlink(missing_ok=True)


def restore(root: str | os.PathLike, at: int, who: str) -> int:
    """Make an earlier version current again, as a new version (history keeps both)."""
    return commit(root, read(root, at), source=f"第 {at} 版", who=who, action="restore", restored_from=at)
