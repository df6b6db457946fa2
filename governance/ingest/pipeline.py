"""Ingest: read an upload, validate it whole, and commit it through the store, or refuse it.

A refused file changes nothing: the store is only touched by ``Store.commit``,
which runs after every check has passed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq

from governance.core import contract
from governance.ingest.readers import Parsed, ReadError, read_upload
from governance.ingest.validate import HasProblems, Problem, validate
from governance.store.snapshots import Store, StoreError, read_current


@dataclass
class Report(HasProblems):
    dataset: str
    filename: str
    accepted: bool = False
    committed: bool = False
    rows: int = 0
    periods: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    truncated: int = 0
    parsed: Parsed | None = None
    version: int | None = None
    table: object = None  # the typed table, for previews

    def as_json(self) -> dict:
        """SPEC's report shape, plus warnings and where the store now stands."""
        errors = [p.as_json() for p in self.errors]
        if self.truncated:
            errors.append({"row": 0, "column": "", "message": f"另有 {self.truncated} 个问题未列出 "
                           f"(truncated: {self.truncated} more problems)", "key": "truncated"})
        return {
            "accepted": self.accepted,
            "dataset": self.dataset,
            "rows": self.rows,
            "periods": self.periods,
            "errors": errors,
            "warnings": [p.as_json() for p in self.warnings],
            "version": self.version,
        }


def periods_of(dataset_key: str, table) -> list[str]:
    ds = contract.dataset(dataset_key)
    if not ds.period_from:
        return [contract.WHOLE_TABLE_PERIOD]
    col = table.column(ds.period_from)
    if ds.column(ds.period_from).type == "date":
        col = pc.strftime(col, format="%Y-%m")
    return sorted(pc.unique(col).to_pylist())


def codes_in_facts(store: Store) -> set[str]:
    """Every region code the current fact data uses: a new regions table must keep them all."""
    codes: set[str] = set()
    for key in contract.FACT_DATASETS:
        for path in store.current_files(key):
            codes.update(pc.unique(pq.read_table(path, columns=["region_code"]).column("region_code")).to_pylist())
    return codes


def ids_kept_elsewhere(store: Store, dataset_key: str, table, periods: list[str], parsed) -> list[Problem]:
    """Case ids must be unique across the store, not only within the file: a ledger that moves a case to
    another month would otherwise count it twice (the months the file replaces are left out)."""
    ds = contract.dataset(dataset_key)
    if dataset_key not in ("petitions", "disputes"):
        return []
    key = ds.unique[0]
    manifest = store.manifest()
    ids = table.column(key)
    rows = np.asarray(parsed.rows, dtype=np.int64)
    problems = []
    for period, entry in sorted(manifest["datasets"].get(dataset_key, {}).items()):
        if period in periods:
            continue
        stored = pq.read_table(store.root / entry["file"], columns=[key]).column(key)
        hit = pc.is_in(ids, value_set=stored.combine_chunks())
        for i in pc.indices_nonzero(hit).to_pylist():
            problems.append(Problem(int(rows[i]), parsed.letters.get(key, ""), key, "duplicate",
                                    f"{ds.column(key).zh}“{ids[i].as_py()}”：已存在于 {period} 的数据中，"
                                    f"同一件不能出现在两个月份 (duplicate)", ids[i].as_py()))
    return problems


def ingest(
    store: Store,
    dataset_key: str,
    data: bytes,
    filename: str,
    *,
    who: str | None = None,
    dry_run: bool = False,
    sheet: str | None = None,
    today: dt.date | None = None,
) -> Report:
    contract.dataset(dataset_key)
    report = Report(dataset_key, filename)
    try:
        parsed = read_upload(data, filename, dataset_key, sheet=sheet)
    except ReadError as e:
        report.problems.append(Problem(0, "", "", e.key, e.message))
        return report
    report.parsed = parsed
    # what the file is checked against; the commit is refused if it changes before the commit lands
    checked_against = {"regions": store.manifest()["datasets"].get("regions", {})}
    regions = read_current(store, "regions") if dataset_key != "regions" else None
    result = validate(parsed, dataset_key, regions=regions, today=today)
    report.problems, report.truncated = result.problems, result.truncated
    report.rows = parsed.table.num_rows
    if result.table is None:
        return report
    if dataset_key == "regions":
        orphaned = codes_in_facts(store) - set(result.table.column("region_code").to_pylist())
        if orphaned:
            shown = "、".join(sorted(orphaned)[:10])
            report.problems.insert(0, Problem(
                0, "", "region_code", "orphaned_facts",
                f"已上传的信访、纠纷、网格或支部数据中有 {len(orphaned)} 个区划代码不在新的行政区划表中（如 {shown}），"
                f"请保留这些地区，或先恢复相应数据 (orphaned_facts: {len(orphaned)} codes used by facts are missing)"))
            return report
    report.table = result.table
    report.periods = periods_of(dataset_key, result.table)
    clashes = ids_kept_elsewhere(store, dataset_key, result.table, report.periods, parsed)
    if clashes:
        report.problems[:0] = clashes
        return report
    report.accepted = True
    if dry_run:
        return report
    try:
        commit = store.commit(dataset_key, result.table, source=filename, who=who,
                              checksum=hashlib.sha256(data).hexdigest(), action="ingest",
                              unchanged=checked_against if dataset_key != "regions" else None)
    except (StoreError, OSError) as e:
        report.accepted = False
        report.problems.insert(0, Problem(0, "", "", "commit", f"写入失败，数据未改变，请重试 commit failed, "
                                          f"nothing changed, retry: {e}"))
        return report
    report.committed = True
    report.version = commit.version
    return report
