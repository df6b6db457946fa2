"""The query layer: the only code that imports duckdb, and it imports nothing of governance/.

The store hands the Engine each version as plain data (``source.snapshot(version)``:
per dataset its Parquet files, row count and column types), so this package
depends on no other package of the project.

One in-memory DuckDB connection per store, a cursor per query (a connection
shared by threads raises ResourceInUseException), views over the Parquet
files of a manifest version, and one ``.sql`` file per result with values
bound as ``$name`` parameters.

Each store version (an opaque token, e.g. each Delta table's version) gets its
own schema, and a query runs with its cursor's search_path set to the version it
asked for. A commit that lands while a page is drawing therefore never mixes two
versions in one page, as long as the page asks for one version throughout.

Parquet is read with ``hive_partitioning=false`` and cast to the column types
the snapshot names, so a ``period=2025/`` folder is never taken for a BIGINT.
A dataset whose files the store found damaged, or that DuckDB cannot read, is
left empty in that version and named in ``damaged(version)``; the other
datasets answer as usual.

A run may carry a scope (the code range of the place an account is bound to):
it then reads a schema of views that hold only the rows under that place, for
every dataset and the region tree alike, so no SQL file, parameter or cached
result can reach past it (SPEC: accounts bound to a place).

A dataset of up to MATERIALIZE_ROWS rows (a province's petitions: about 3
million) is loaded into a DuckDB table once per version, which makes every
query about twice as fast as reading Parquet each time; a larger one stays a
view over its Parquet files, so memory stays bounded at national scale. Only
the two newest versions are kept in memory.
"""

from __future__ import annotations

import contextlib
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
# Per-village counts of a month as they will stay (queries/<dataset>_settled.sql), read by <dataset>_indicators in
# place of the case rows of every month its window reads after the month settled: at province scale a year's
# trend reads about a third of the rows, already counted. Built once per version and deadline, on the first query
# that names that deadline (the deadline is a setting of the app, not of this package).
# Only for a dataset held as a table (MATERIALIZE_ROWS): the settled counts of one left as a view would not fit.
SETTLED = {"petitions_indicators": "petitions", "disputes_indicators": "disputes"}
# Per-town sums of a dataset, one row per town and month (queries/<name>.sql), built with each version: a query
# whose places are towns or larger reads them instead of the village rows (grid_indicators.sql), at province scale
# a fifteenth of the rows. A town's row sums all its villages, so it serves a scoped view only when that view holds
# every village of each town it holds (a scope of whole towns, no group); any other scoped or grouped view gets the
# sums of the villages it holds, computed when read (_scoped_schema).
TOWN_SUMS = {"grid": "grid_towns"}
# Groups of villages a query can be limited to (Engine.grouped): the four 村改居 stages of SPEC's regions
# (transition_stage), and the villages and communities not in transition. Together they hold every village once.
GROUPS = {
    "筹备期": "transition_stage = '筹备期'",
    "过渡期": "transition_stage = '过渡期'",
    "融合期": "transition_stage = '融合期'",
    "深度融合期": "transition_stage = '深度融合期'",
    "settled_village": "transition_stage is null and kind is distinct from 'community'",
    "settled_community": "transition_stage is null and kind = 'community'",
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

    def __init__(self, source, *, settle: bool = True):
        """``source`` has ``version() -> int`` and ``snapshot(version) -> {dataset: {"files", "rows", "columns"}}``,
        columns as ``[(name, arrow type name)]`` (the store's own, e.g. ``date32[day]``).

        ``settle=False`` leaves the settled counts (SETTLED) empty, so every month is counted case by case: the
        reference the settled path is tested against."""
        self.store = source
        self.settle = settle
        self._con = duckdb.connect(":memory:")
        self._con.execute((SQL_DIR / "macros.sql").read_text(encoding="utf-8"))
        self._lock = threading.Lock()
        self._schemas: dict = {}  # version token -> schema name, oldest first
        self._damaged: dict = {}  # version token -> {dataset: message}
        self._made = 0
        self._in_use: dict = {}  # running queries per version: a schema in use is never dropped
        self._tables: dict = {}  # version token -> its datasets' names
        self._scoped: dict = {}  # version token -> {(lo, hi): schema of views limited to that code range}
        self._building: dict = {}  # version token -> the lock its builder holds while loading it
        self._settled: dict = {}  # (version token, dataset, deadline) -> the lock of its build while it runs
        self._settled_done: set = set()  # (version token, dataset, deadline) whose settled counts are built
        self._settles: dict = {}  # version token -> the datasets that get settled counts (those held as tables)

    def close(self) -> None:
        self._con.close()

    def version(self):
        return self.store.version()

    def prepare(self, version=None, settle: dict[str, int] | None = None):
        """Build a version's schema now, if it is not built or being built (the server does it at start and
        when it sees a commit, so no visitor waits for it), and the settled counts of each {dataset: deadline}
        in ``settle`` (the app's deadlines); returns the version."""
        version = self.version() if version is None else version
        with self._held(version):
            for dataset, deadline in (settle or {}).items():
                if self.settle and dataset in SETTLED.values():
                    self._ensure_settled(version, dataset, int(deadline))
        return version

    def settled(self, version=None) -> set[tuple[str, int]]:
        """The (dataset, deadline) pairs whose settled counts a version has built."""
        version = self.version() if version is None else version
        with self._lock:
            return {(d, days) for v, d, days in self._settled_done if v == version}

    def built(self) -> list:
        """The versions whose schema is in memory, oldest first."""
        with self._lock:
            return list(self._schemas)

    def damaged(self, version=None) -> dict[str, str]:
        """{dataset: message} for the datasets left empty in a version because their files are damaged."""
        version = self.version() if version is None else version
        self._ensure_schema(version)
        return dict(self._damaged.get(version, {}))

    def scoped(self, lo: int, hi: int) -> ScopedEngine:
        """This engine limited to the places whose code_num lies in lo..hi (an account's place)."""
        return ScopedEngine(self, (int(lo), int(hi)))

    def grouped(self, group: str) -> ScopedEngine:
        """This engine limited to one group of villages (GROUPS: a 村改居 stage, or the settled villages or
        communities): every query then answers for that group alone, with the very SQL of the whole."""
        return ScopedEngine(self, None, group)

    def run(self, name: str, params: dict | None = None, *, version=None,
            scope: tuple[int, int] | None = None, group: str | None = None) -> pd.DataFrame:
        """Run ``queries/<name>.sql`` with bound parameters and return a DataFrame.

        With a scope (lo, hi), every view the SQL reads holds only rows whose code_num is in lo..hi; with a
        group (a key of GROUPS), only rows of the villages in that group (and the places above them)."""
        version = self.version() if version is None else version
        wanted = sql_parameters(name)
        params = dict(params or {})
        missing = wanted - params.keys()
        if missing:
            raise ValueError(f"query {name} needs parameters {sorted(missing)}")
        with self._held(version, scope, group) as schema:
            if self.settle and name in SETTLED and params.get("deadline_days") is not None:
                self._ensure_settled(version, SETTLED[name], int(params["deadline_days"]))
            cur = self._con.cursor()
            try:
                cur.execute(f"set search_path = '{schema},main'")  # the version's views, then the macros
                return cur.execute(sql_text(name), {k: params[k] for k in wanted}).df()
            finally:
                cur.close()

    @contextlib.contextmanager
    def _held(self, version, scope: tuple[int, int] | None = None, group: str | None = None):
        """The version's schema (or its views for a scope or group), counted as in use for the block: a version
        being read is never dropped (KEEP_VERSIONS)."""
        schema = self._ensure_schema(version, hold=True, scope=scope, group=group)
        try:
            yield schema
        finally:
            with self._lock:
                self._in_use[version] -= 1

    def _ensure_schema(self, version, hold: bool = False, scope: tuple[int, int] | None = None,
                       group: str | None = None) -> str:
        """Create the version's schema (and its scoped views) if needed; with hold, count a query as using it
        until run() ends.

        Loading a version's tables takes seconds at province scale, so it happens outside the engine's lock,
        under a lock of that version's own: queries on a version already built go on meanwhile, and only
        those asking for the version being built wait for it (issue 14: every session used to wait)."""
        if group is not None and group not in GROUPS:
            raise KeyError(f"no such group of places: {group!r}")  # an allow-list, never text from a request
        while True:
            with self._lock:
                if version in self._schemas:
                    schema = self._schemas[version]
                    if scope is not None or group is not None:
                        schema = self._scoped_schema(version, schema, scope or (0, 10**12 - 1), group)
                    if hold:
                        self._in_use[version] = self._in_use.get(version, 0) + 1
                    return schema
                building = self._building.setdefault(version, threading.Lock())
            with building:
                with self._lock:
                    done = version in self._schemas
                if not done:
                    self._create_schema(version)
            with self._lock:
                self._building.pop(version, None)

    def settled_on(self, dataset: str, deadline: int, version=None) -> dict[int, object]:
        """{month number: the day its figures settled} of one dataset for one deadline (built if needed)."""
        if dataset not in SETTLED.values():
            raise KeyError(f"no settled counts for {dataset!r}")  # an allow-list: the name goes into the SQL
        version = self.version() if version is None else version
        with self._held(version) as schema:
            if self.settle:
                self._ensure_settled(version, dataset, int(deadline))
            cur = self._con.cursor()
            try:
                return dict(cur.execute(f"select month_num, settled_on from {schema}.{dataset}_settled_months "
                                        "where deadline_days = $deadline_days order by month_num",
                                        {"deadline_days": int(deadline)}).fetchall())
            finally:
                cur.close()

    def _ensure_settled(self, version, dataset: str, deadline: int) -> None:
        """Fill <dataset>_settled(_months) of a version for one deadline, once (the caller holds the version).

        Always from the whole version (its own schema, never an account's scoped views): the scoped views over
        these tables then limit them like the facts."""
        key = (version, dataset, deadline)
        with self._lock:
            if key in self._settled_done or dataset not in self._settles.get(version, ()):
                # a dataset too big to hold in memory (a view over its files, national scale) keeps no settled
                # counts either: at 13 million village-months they would take more memory than they save time
                return
            lock = self._settled.setdefault(key, threading.Lock())
            schema = self._schemas[version]
        with lock:
            with self._lock:
                if key in self._settled_done:
                    return
            cur = self._con.cursor()
            try:
                cur.execute(f"set search_path = '{schema},main'")
                months = [m for (m,) in cur.execute(f"select distinct month_num from {schema}.{dataset} order by 1")
                          .fetchall()]
                for month in months:
                    cur.execute(f"insert into {schema}.{dataset}_settled {sql_text(dataset + '_settled')}",
                                {"deadline_days": deadline, "month_num": month})
                cur.execute(f"insert into {schema}.{dataset}_settled_months "
                            f"select month_num, deadline_days, max(settled_on) as settled_on "
                            f"from {schema}.{dataset}_settled where deadline_days = $deadline_days group by all",
                            {"deadline_days": deadline})
            finally:
                cur.close()
            with self._lock:
                self._settled_done.add(key)
                self._settled.pop(key, None)

    def _scoped_schema(self, version, schema: str, scope: tuple[int, int], group: str | None = None) -> str:
        """Views of a version's datasets limited to a code range (and a group of villages); the caller holds
        the lock."""
        made = self._scoped.setdefault(version, {})
        if (scope, group) not in made:
            lo, hi = scope
            name = f"{schema}_s{lo}_{hi}" + (f"_g{list(GROUPS).index(group)}" if group else "")
            cur = self._con.cursor()
            try:
                cur.execute(f"create schema if not exists {name}")
                for key in self._tables[version]:
                    # lo and hi are ints (int() in scoped()), the group's predicate is ours (GROUPS), never text
                    # from a request
                    where = f"code_num between {lo:d} and {hi:d}"
                    if group and key == "regions":
                        where += f" and (level <> 'village' or ({GROUPS[group]}))"
                    elif group:
                        where += (f" and code_num in (select code_num from {schema}.regions "
                                  f"where level = 'village' and ({GROUPS[group]}))")
                    if key in TOWN_SUMS.values():
                        if group is None and lo % 1000 == 0 and hi % 1000 == 999:
                            # whole towns: each town's row is the sum of villages all inside the scope
                            source = f"select * from {schema}.{key} where {where}"
                        else:
                            # the views of this schema resolve the names in the SQL (a view binds to its own
                            # schema), so these are sums of the villages the scope and group let through; the
                            # facts' views come first in _tables
                            source = sql_text(key)
                        cur.execute(f"create or replace view {name}.{key} as {source}")
                        continue
                    if key.endswith("_settled_months"):
                        # no place in it, only the day each month settled (for the whole version: a month settled
                        # everywhere is settled in any part of it); it never reaches a result
                        where = "true"
                    cur.execute(f"create or replace view {name}.{key} as select * from {schema}.{key} where {where}")
            finally:
                cur.close()
            made[(scope, group)] = name
        return made[(scope, group)]

    def _create_schema(self, version) -> None:
        """Views or tables of one store version; the caller holds the version's building lock, not the engine's."""
        snapshot = self.store.snapshot(version)
        with self._lock:
            self._made += 1
            schema = f"v{self._made}"  # the token may be any text: the schema's name is ours
        damaged = {}
        cur = self._con.cursor()
        try:
            cur.execute(f"create schema if not exists {schema}")
            loaded = set()  # the datasets held as tables: only those get settled counts (see SETTLED)
            for key, table in snapshot.items():
                kind = "table" if table["rows"] <= MATERIALIZE_ROWS else "view"
                if kind == "table":
                    loaded.add(key)
                if table.get("damaged"):
                    damaged[key] = table["damaged"]["message"]
                    table = {**table, "files": [], "rows": 0}
                try:
                    if table["files"]:
                        table = {**table, "present": self._present(cur, table)}
                    cur.execute(f"create or replace {kind} {schema}.{key} as {self._relation(key, table)}")
                    if kind == "view" and table["files"]:
                        cur.execute(f"select count(*) from {schema}.{key}").fetchall()  # unreadable footers show now
                except duckdb.Error as e:
                    damaged[key] = self._left_empty(cur, schema, key, table, kind, e)
            settled = []
            for dataset in sorted(set(SETTLED.values()) & set(snapshot)):
                # empty until a query names its deadline (_ensure_settled); made now so that every scoped view
                # of the version has them
                cur.execute(f"set search_path = '{schema},main'")
                cur.execute(f"create table {schema}.{dataset}_settled as select * from "
                            f"({sql_text(dataset + '_settled')}) where false", {"deadline_days": 0, "month_num": 0})
                cur.execute(f"create table {schema}.{dataset}_settled_months as select month_num, deadline_days, "
                            f"settled_on from {schema}.{dataset}_settled")
                settled += [f"{dataset}_settled", f"{dataset}_settled_months"]
            sums = []
            for dataset, name in TOWN_SUMS.items():
                if dataset in snapshot:
                    # a table even when the dataset is a view over its files: a nation's towns are a few
                    # hundred thousand rows a year
                    cur.execute(f"set search_path = '{schema},main'")
                    try:
                        cur.execute(f"create table {schema}.{name} as {sql_text(name)}")
                    except duckdb.Error as e:
                        # the first read of every row of a dataset left a view: data pages DuckDB cannot decode
                        # behind a footer that reads leave this dataset empty with its message, as on loading
                        kind = "table" if dataset in loaded else "view"
                        damaged[dataset] = self._left_empty(cur, schema, dataset, snapshot[dataset], kind, e)
                        cur.execute(f"create table {schema}.{name} as {sql_text(name)}")
                    sums.append(name)
            with self._lock:
                self._schemas[version] = schema
                self._tables[version] = list(snapshot) + settled + sums
                self._settles[version] = loaded
                self._damaged[version] = damaged
                # Keep the newest versions, the one just asked for, and any a query is reading.
                for old in list(self._schemas)[:-KEEP_VERSIONS]:
                    if old != version and not self._in_use.get(old):
                        for scoped in self._scoped.pop(old, {}).values():
                            cur.execute(f"drop schema if exists {scoped} cascade")
                        cur.execute(f"drop schema if exists {self._schemas.pop(old)} cascade")
                        self._settled_done = {k for k in self._settled_done if k[0] != old}
                        self._settles.pop(old, None)
                        self._damaged.pop(old, None)
                        self._tables.pop(old, None)
        finally:
            cur.close()

    def _left_empty(self, cur, schema: str, key: str, table: dict, kind: str, error: Exception) -> str:
        """A dataset DuckDB cannot read, left as an empty table with its columns; returns its damage message."""
        message = self._unreadable(key, table, cur, error)
        if kind == "view":
            cur.execute(f"drop view if exists {schema}.{key}")  # DuckDB does not replace a view by a table
        cur.execute(f"create or replace table {schema}.{key} as {self._relation(key, {**table, 'files': []})}")
        return message

    def _unreadable(self, key: str, table: dict, cur, error: Exception) -> str:
        """Which periods' files DuckDB cannot read, in the store's words when it offers them."""
        bad = []
        for part in table.get("parts") or [{"file": f, "period": "?"} for f in table["files"]]:
            try:
                cur.sql(f"select * from {self._read(table, [part['file']])}").to_arrow_table()
            except duckdb.Error:
                bad.append(part["period"])
        explain = getattr(self.store, "damage_message", None)
        detail = type(error).__name__
        if explain is not None:
            return explain(key, sorted(set(bad)), detail)
        return f"{key} 数据文件损坏（期间 {'、'.join(sorted(set(bad)))}），该数据集暂不显示 (damaged: {detail})"

    @classmethod
    def _present(cls, cur, table: dict) -> set[str]:
        """The columns the files hold: a file written before the contract gained a column lacks it."""
        names = {row[0] for row in cur.execute(f"describe select * from {cls._read(table, table['files'], True)}")
                 .fetchall()}
        return names

    @staticmethod
    def _read(table: dict, files: list[str], by_name: bool = False) -> str:
        # Paths come from the store's own snapshot, never from user text.
        union = ", union_by_name = true" if by_name else ""
        return f"read_parquet([{', '.join(_quote(f) for f in files)}], hive_partitioning = false{union})"

    @classmethod
    def _relation(cls, key: str, table: dict) -> str:
        # The store's types, whatever a file or a folder name suggests; a column no file holds yet reads empty.
        present = table.get("present")
        cols = ", ".join(f"cast({name if present is None or name in present else 'null'} as {_DUCK_TYPES[t]}) "
                         f"as {name}" for name, t in table["columns"])
        if table["files"]:
            older = present is not None and any(name not in present for name, _ in table["columns"])
            source = f"select {cols} from {cls._read(table, table['files'], older)}"
        else:
            # An empty dataset still answers queries, with the contract's columns.
            source = "select " + ", ".join(f"cast(null as {_DUCK_TYPES[t]}) as {name}"
                                           for name, t in table["columns"]) + " where false"
        if key in DERIVED:
            source = f"select *, {DERIVED[key]} from ({source})"
        return source


class ScopedEngine:
    """An Engine seen from one place (Engine.scoped) or one group of villages (grouped): every query reads only
    rows under it."""

    def __init__(self, engine: Engine, scope: tuple[int, int] | None, group: str | None = None):
        self._engine = engine
        self.scope = scope
        self.group = group
        self.store = engine.store

    def version(self):
        return self._engine.version()

    def damaged(self, version=None) -> dict[str, str]:
        return self._engine.damaged(version)

    def grouped(self, group: str) -> ScopedEngine:
        """The same place, one group of its villages (an account bound to a town keeps its bounds)."""
        return ScopedEngine(self._engine, self.scope, group)

    def run(self, name: str, params: dict | None = None, *, version=None) -> pd.DataFrame:
        return self._engine.run(name, params, version=version, scope=self.scope, group=self.group)
