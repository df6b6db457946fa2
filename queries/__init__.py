"""The query layer: the only code that imports duckdb, and it imports nothing of governance/.

The store hands the Engine each version as plain data (``source.snapshot(version)``:
per dataset its Parquet files, row count and column types), so this package
depends on no other package of the project.

One in-memory DuckDB connection per store, a cursor per query (a connection
shared by threads raises ResourceInUseException), views over the Parquet
files of a manifest version, and one ``.sql`` file per result with values
bound as ``$name`` parameters.

Each manifest version gets its own schema ``v<N>``, and a query runs with its
cursor's search_path set to the version it asked for. A commit that lands
while a page is drawing therefore never mixes two versions in one page.

A dataset of up to MATERIALIZE_ROWS rows (a province's petitions: about 3
million) is loaded into a DuckDB table once per version, which makes every
query about twice as fast as reading Parquet each time; a larger one stays a
view over its Parquet files, so memory stays bounded at national scale. Only
the two newest versions are kept in memory.
"""

from __future__ import annotations

import os
import re
import threading
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

SQL_DIR = Path(__file__).resolve().parent
MATERIALIZE_ROWS = int(os.environ.get("GOVERNANCE_MATERIALIZE_ROWS", 10_000_000))
KEEP_VERSIONS = 2
# Derived columns a dataset's relation carries, computed once per version.
DERIVED = {
    # a branch's stars in its own previous rating, for upgraded / downgraded
    "branches": "lag(stars) over (partition by branch_id order by month_num, period) as previous_stars",
}
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
_DUCK_TYPES = {
    "string": "varchar",
    "date32[day]": "date",
    "bool": "boolean",
    "int32": "integer",
    "int64": "bigint",
    "double": "double",
}


@cache
def sql_text(name: str) -> str:
    path = SQL_DIR / f"{name}.sql"
    if not re.fullmatch(r"[a-z0-9_]+", name) or not path.exists():
        raise KeyError(f"no such query: {name!r}")
    return path.read_text(encoding="utf-8")


def sql_parameters(name: str) -> set[str]:
    body = "\n".join(line for line in sql_text(name).splitlines() if not line.lstrip().startswith("--"))
    return set(_PARAM.findall(body))


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class Engine:
    """Runs the named queries of ``queries/`` against one store."""

    def __init__(self, source):
        """``source`` has ``version() -> int`` and ``snapshot(version) -> {dataset: {"files", "rows", "columns"}}``,
        columns as ``[(name, arrow type name)]`` (the store's own, e.g. ``date32[day]``)."""
        self.store = source
        self._con = duckdb.connect(":memory:")
        self._con.execute((SQL_DIR / "macros.sql").read_text(encoding="utf-8"))
        self._lock = threading.Lock()
        self._schemas: set[int] = set()
        self._in_use: dict[int, int] = {}  # running queries per version: a schema in use is never dropped

    def close(self) -> None:
        self._con.close()

    def version(self) -> int:
        return self.store.version()

    def run(self, name: str, params: dict | None = None, *, version: int | None = None) -> pd.DataFrame:
        """Run ``queries/<name>.sql`` with bound parameters and return a DataFrame."""
        version = self.version() if version is None else version
        wanted = sql_parameters(name)
        params = dict(params or {})
        missing = wanted - params.keys()
        if missing:
            raise ValueError(f"query {name} needs parameters {sorted(missing)}")
        schema = self._ensure_schema(version, hold=True)
        cur = self._con.cursor()
        try:
            cur.execute(f"set search_path = '{schema},main'")  # the version's views, then the macros
            return cur.execute(sql_text(name), {k: params[k] for k in wanted}).df()
        finally:
            cur.close()
            with self._lock:
                self._in_use[version] -= 1

    def _ensure_schema(self, version: int, hold: bool = False) -> str:
        """Create the version's schema if needed; with hold, count a query as using it until run() ends."""
        schema = f"v{version}"
        with self._lock:
            if version not in self._schemas:
                self._create_schema(version, schema)
            if hold:
                self._in_use[version] = self._in_use.get(version, 0) + 1
        return schema

    def _create_schema(self, version: int, schema: str) -> None:
        """Views or tables of one manifest version; the caller holds the lock."""
        snapshot = self.store.snapshot(version)
        cur = self._con.cursor()
        try:
            cur.execute(f"create schema if not exists {schema}")
            for key, table in snapshot.items():
                kind = "table" if table["rows"] <= MATERIALIZE_ROWS else "view"
                source = self._source(table)
                if key in DERIVED:
                    source = f"select *, {DERIVED[key]} from ({source})"
                cur.execute(f"create or replace {kind} {schema}.{key} as {source}")
            self._schemas.add(version)
            # Keep the newest versions, the one just asked for, and any a query is reading.
            for old in sorted(self._schemas)[:-KEEP_VERSIONS]:
                if old != version and not self._in_use.get(old):
                    cur.execute(f"drop schema if exists v{old} cascade")
                    self._schemas.discard(old)
        finally:
            cur.close()

    @staticmethod
    def _source(table: dict) -> str:
        if table["files"]:
            # Paths come from the store's own snapshot, never from user text.
            return f"select * from read_parquet([{', '.join(_quote(f) for f in table['files'])}])"
        # An empty dataset still answers queries, with the contract's columns.
        cols = ", ".join(f"cast(null as {_DUCK_TYPES[t]}) as {name}" for name, t in table["columns"])
        return f"select {cols} where false"
