"""The store's columns: the contract's, plus the integer and period columns every file carries.

Shared by the Delta store (delta.py) and the old manifest store (legacy.py), so a
migrated table has exactly the columns a new one has.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from governance.core import contract


class StoreError(Exception):
    """A commit or restore that cannot go ahead; the message is for people."""


class ConcurrentCommitError(StoreError):
    pass


# Columns the store adds to every file so that SQL filters and groups on
# integers instead of strings (about 4x faster at province scale):
#   code_num  = region_code as a number (a place's villages are a contiguous range)
#   month_num = year * 12 + month - 1 of the row's period (a rating period's end month)
#   period    = the partition key, for datasets whose period is a date's month
INTERNAL = ("period", "month_num", "code_num")


def arrow_schema(dataset_key: str) -> pa.Schema:
    ds = contract.dataset(dataset_key)
    fields = [pa.field(c.name, pa.type_for_alias(c.arrow_type)) for c in ds.columns]
    if ds.period_from and "period" not in ds.column_names:
        fields.append(pa.field("period", pa.string()))
    if ds.period_from:
        fields.append(pa.field("month_num", pa.int32()))
    fields.append(pa.field("code_num", pa.int64()))
    return pa.schema(fields)


def fit(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """A stored file's rows in today's schema: a column the contract gained since the file was written
    (regions' transition_stage) reads as empty, so older stores keep working without a rewrite."""
    cols = [table.column(f.name).cast(f.type) if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
            for f in schema]
    return pa.Table.from_arrays(cols, schema=schema)


def _month_num(period: pa.ChunkedArray) -> pa.Array:
    """2024-10 -> 2024*12+9; a rating period counts from its end month (2024-H1 -> June)."""
    text = period.combine_chunks() if isinstance(period, pa.ChunkedArray) else period
    year = pc.cast(pc.utf8_slice_codeunits(text, 0, 4), pa.int32())
    month_part = pc.utf8_slice_codeunits(text, 5, 7)
    month = pc.case_when(
        pc.make_struct(pc.equal(month_part, "H1"), pc.equal(month_part, "H2"), pc.equal(month_part, "")),
        pa.scalar(6, pa.int32()), pa.scalar(12, pa.int32()), pa.scalar(12, pa.int32()),
        pc.cast(pc.if_else(pc.match_substring_regex(month_part, r"^\d\d$"), month_part, "12"), pa.int32()),
    )
    return pc.subtract(pc.add(pc.multiply(year, 12), month), 1)


def with_period(dataset_key: str, table: pa.Table) -> pa.Table:
    """Conform a table to the contract's schema and add the store's own columns."""
    ds = contract.dataset(dataset_key)
    schema = arrow_schema(dataset_key)
    columns: dict[str, pa.Array] = {}
    for f in schema:
        if f.name in INTERNAL and f.name not in ds.column_names:
            continue
        if f.name in table.column_names:
            columns[f.name] = table.column(f.name).cast(f.type)
        else:
            columns[f.name] = pa.nulls(table.num_rows, f.type)
    if ds.period_from and "period" not in ds.column_names:
        columns["period"] = pc.strftime(columns[ds.period_from], format="%Y-%m").cast(pa.string())
    if ds.period_from:
        period = columns["period"]
        if period.null_count:
            raise StoreError("有行缺少期间 some rows have no period")
        bad = pc.invert(pc.match_substring_regex(period, r"^\d{4}(-(0[1-9]|1[0-2]|H[12]))?$"))
        if pc.any(bad).as_py():
            example = period.filter(bad)[0].as_py()
            raise StoreError(f"期间名称无效 invalid period name: {example!r}")
        columns["month_num"] = _month_num(period)
    columns["code_num"] = pc.cast(columns["region_code"], pa.int64())
    return pa.Table.from_arrays([columns[f.name] for f in schema], schema=schema)


def _fault(step: str) -> None:
    """Fault injection for the crash and race tests (GOVERNANCE_FAULT=step:exit|wait=PATH)."""
    spec = os.environ.get("GOVERNANCE_FAULT")
    if not spec:
        return
    want, _, action = spec.partition(":")
    if want != step:
        return
    if action == "exit":
        os._exit(17)
    if action.startswith("wait="):
        gate = Path(action[5:])
        deadline = time.monotonic() + 60
        while not gate.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
