"""Ingest: read an upload, validate it whole, and commit it through the store, or refuse it.

A refused file changes nothing: the store is only touched by ``Store.commit``,
which runs after every check has passed. An accepted file replaces, per period,
only the rows of its scope (SPEC): the towns it holds, or the place named.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from governance.core import contract
from governance.ingest import templates
from governance.ingest.guess import Guess, guess
from governance.ingest.readers import Parsed, ReadError, read_upload
from governance.ingest.validate import HasProblems, Problem, chinese_part, validate
from governance.store import Store, StoreError
from governance.store import scope as scopes
from governance.store.delta import conform


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
    scope: list[dict] = field(default_factory=list)  # [{code, name}] the places this upload replaces
    preview: list[dict] = field(default_factory=list)  # per place and period: rows now -> after
    scope_named: bool = False
    guess: Guess | None = None  # a refused file that looks like another dataset: which one

    @property
    def emptied(self) -> list[dict]:
        """Places (and periods) that hold rows now and would hold none after: the loud warning."""
        return [p for p in self.preview if p["rows_now"] and not p["rows_after"]]

    @property
    def rows_replaced(self) -> int:
        return sum(p["rows_now"] for p in self.preview)

    @property
    def places_replaced(self) -> int:
        return len({p["region_code"] for p in self.preview if p["rows_now"]})

    def as_json(self) -> dict:
        """SPEC's report shape, plus warnings, the scope and preview, and where the store now stands."""
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
            "looks_like": self.guess.dataset if self.guess else None,  # a refused file's likelier dataset
            "scope": self.scope,
            "preview": {
                "places": self.preview,
                "emptied": self.emptied,
                "rows_now": self.rows_replaced,
                "rows_after": sum(p["rows_after"] for p in self.preview),
            },
        }


class Refused(Exception):
    """Raised inside a commit by a check that failed against the version being committed on."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(problems[0].message if problems else "refused")


def periods_of(dataset_key: str, table) -> list[str]:
    ds = contract.dataset(dataset_key)
    if not ds.period_from:
        return [contract.WHOLE_TABLE_PERIOD]
    if "period" in table.column_names and "code_num" in table.column_names:  # conformed: its period is there
        return sorted(pc.unique(table.column("period")).to_pylist())
    col = table.column(ds.period_from)
    if ds.column(ds.period_from).type == "date":
        col = pc.strftime(col, format="%Y-%m")
    return sorted(pc.unique(col).to_pylist())


def codes_in_facts(store: Store) -> set[str]:
    """Every region code the current fact data uses: a new regions table must keep them all (read through the
    store, so a damaged fact file refuses the upload with its message)."""
    codes: set[str] = set()
    for key in contract.FACT_DATASETS:
        used = store.read(key, columns=["region_code"])
        if used is not None:
            codes.update(pc.unique(used.column("region_code")).to_pylist())
    return codes


def unreadable(e: Exception) -> Problem:
    """The store could not be read for the checks (a damaged file, a disk error): say so, nothing changes. A
    damaged file's message names the dataset, the period and the rollback that repairs it; keep it whole."""
    return Problem(0, "", "", "store", f"无法读取现有数据 cannot read the store: {e}",
                   zh=f"无法读取现有数据，数据未改变：{chinese_part(str(e))}" if isinstance(e, StoreError)
                   else "无法读取现有数据，数据未改变，请稍后重试或联系系统管理员")


def ids_kept_elsewhere(store: Store, dataset_key: str, table, periods: list[str], parsed, scope: list[str],
                       version: str | None = None) -> list[Problem]:
    """Case ids must be unique across the store, not only within the file: a ledger that moves a case to
    another month, or a town that files another town's case, would otherwise count it twice. Checked against
    the rows the commit keeps: other periods, and this file's periods outside its scope."""
    ds = contract.dataset(dataset_key)
    if dataset_key not in ("petitions", "disputes"):
        return []
    key = ds.unique[0]
    stored = store.read(dataset_key, version, columns=[key, "period", "code_num"])
    if stored is None:
        return []
    replaced = pc.and_(pc.is_in(stored.column("period"), value_set=pa.array(periods, pa.string())),
                       scopes.mask(stored.column("code_num"), scope))
    kept = stored.filter(pc.invert(replaced))
    ids = table.column(key)
    hit = pc.is_in(ids, value_set=kept.column(key).combine_chunks())
    if not pc.any(hit).as_py():
        return []
    where = dict(zip(kept.column(key).to_pylist(), kept.column("period").to_pylist()))
    rows = np.asarray(parsed.rows, dtype=np.int64)
    problems = []
    for i in pc.indices_nonzero(hit).to_pylist():
        case = ids[i].as_py()
        problems.append(Problem(int(rows[i]), parsed.letters.get(key, ""), key, "duplicate",
                                f"{ds.column(key).zh}“{case}”：已存在于 {where.get(case)} 的数据中，"
                                f"同一件不能出现两次（不同月份或其他地区） (duplicate)", case))
    return problems


def template_rows(dataset_key: str, parsed) -> list[int]:
    """Excel rows that are the download template's sample row, left in: committing one would replace the
    sample's month (2024-10) for the sample's town with one invented row."""
    example = dict(zip([c.name for c in contract.dataset(dataset_key).columns], templates.EXAMPLES[dataset_key]))
    compare = [name for name, value in example.items() if value and name in parsed.table.column_names]
    if len(compare) < 3:
        return []
    same = None
    for name in compare:
        col = pc.utf8_trim_whitespace(parsed.table.column(name).cast(pa.string()))
        eq = pc.fill_null(pc.equal(col, example[name]), False)
        same = eq if same is None else pc.and_(same, eq)
    hits = pc.indices_nonzero(same).to_pylist()
    return [int(parsed.rows[i].as_py()) for i in hits]


PREVIEW_VILLAGES = 3000  # above this many village-periods (a province's file) the preview is by town


def preview_rows(changes, names: dict[str, str], by_town: bool) -> list[dict]:
    """Per village (or, for a file covering thousands of villages, per town) and period: rows now and after."""
    if by_town:
        totals: dict[tuple[str, str], list[int]] = {}
        for c in changes:
            town = c.region_code[:9] + "000"
            t = totals.setdefault((c.period, town), [0, 0])
            t[0] += c.rows_now
            t[1] += c.rows_after
        return [{"period": p, "region_code": town, "name": _named(names, town), "town": _named(names, town),
                 "rows_now": now, "rows_after": after} for (p, town), (now, after) in sorted(totals.items())]
    return [{"period": c.period, "region_code": c.region_code, "name": _named(names, c.region_code),
             "town": _named(names, c.region_code[:9] + "000") if c.region_code != "all" else "",
             "rows_now": c.rows_now, "rows_after": c.rows_after} for c in changes]


def _named(places: dict[str, str], code: str) -> str:
    return places.get(code) or code


def _scope_problems(parsed, table, scope: list[str], *, account: bool = False) -> list[Problem]:
    inside = scopes.mask(pc.cast(table.column("region_code"), pa.int64()), scope)
    bad = pc.indices_nonzero(pc.invert(inside)).to_pylist()
    rows = np.asarray(parsed.rows, dtype=np.int64)
    letter = parsed.letters.get("region_code") or parsed.letters.get("village", "")
    shown = "、".join(scope)
    where, key = ("您的账号所辖范围", "outside_account") if account else ("本次上传范围", "outside_scope")
    return [Problem(int(rows[i]), letter, "region_code", key,
                    f"该行地区（{table.column('region_code')[i].as_py()}）不在{where}（{shown}）内 "
                    f"({key})", table.column("region_code")[i].as_py()) for i in bad]


def _account_problems(store: Store, dataset_key: str, within: str, named: list[str]) -> list[Problem]:
    """What an account bound to a place may not do: name a scope wider than its place, or replace the
    region tree unless it holds the whole of it (SPEC: accounts bound to a place)."""
    if dataset_key == "regions":
        top = store.read("regions")
        tops = set() if top is None else {c for c, p in zip(top.column("region_code").to_pylist(),
                                                             top.column("parent_code").to_pylist()) if not p}
        if within not in tops:
            return [Problem(0, "", "", "outside_account", f"行政区划表只能由最高一级的账号上传，您的账号限于 {within} "
                                                          "(outside_account: only an account over the whole tree may upload regions)")]
        return []
    lo, hi = scopes.code_range(within)
    wider = [c for c in named if not (lo <= scopes.code_range(c)[0] and scopes.code_range(c)[1] <= hi)]
    return [Problem(0, "", "region_code", "outside_account",
                    f"范围 {c} 超出您的账号所辖范围 {within} (outside_account: scope wider than the account's place)")
            for c in wider]


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
    scope: str | list[str] | None = None,
    max_bytes: int | None = None,
    within: str | None = None,
) -> Report:
    """Read, validate, preview and (unless ``dry_run``) commit one upload within its scope.

    ``scope``: the place code(s) the upload replaces; default the towns its rows hold (SPEC).
    ``within``: the place the uploading account is bound to (None: not bound): rows outside it are errors,
    a named scope may not be wider, and a village's account replaces only its village by default.
    ``max_bytes``: the size cap (None: the web's default; the command line passes no cap).
    """
    ds = contract.dataset(dataset_key)
    report = Report(dataset_key, filename)
    named = [scope] if isinstance(scope, str) else list(scope or [])
    try:
        named = scopes.normalise(named) if named else []
    except scopes.ScopeError as e:
        report.problems.append(Problem(0, "", "region_code", "invalid_scope", str(e), zh=chinese_part(str(e))))
        return report
    if named and not ds.period_from:
        report.problems.append(Problem(0, "", "", "invalid_scope", "行政区划表整表替换，不能指定范围 "
                                       "the regions table is replaced whole: no scope", zh="行政区划表整表替换，不能指定范围"))
        return report
    if within:
        wider = _account_problems(store, dataset_key, within, named)
        if wider:
            report.problems.extend(wider)
            return report
        if not named and ds.period_from and contract.level_of_code(within) == "village":
            named = [within]  # by default a file replaces its towns: a village office may replace only itself
    report.scope_named = bool(named)
    try:
        parsed = read_upload(data, filename, dataset_key, sheet=sheet, max_bytes=max_bytes)
    except ReadError as e:
        report.problems.append(Problem(0, "", "", e.key, e.message, zh=e.zh))
        if e.head:
            report.guess = guess(e.head, dataset_key)
        return report
    report.parsed = parsed
    # what the file is checked against; the commit is refused if it changes before the commit lands
    regions_version = store.table_version("regions")
    try:
        regions = store.read("regions") if dataset_key != "regions" else None
    except (StoreError, OSError) as e:
        report.problems.insert(0, unreadable(e))
        return report
    result = validate(parsed, dataset_key, regions=regions, today=today)
    report.problems, report.truncated = result.problems, result.truncated
    report.rows = parsed.table.num_rows
    if result.table is None:
        report.guess = guess(parsed.head or [list(parsed.headers.values())], dataset_key)
    sample = template_rows(dataset_key, parsed)
    if sample:
        report.problems[:0] = [Problem(r, "", "", "template_row", "这是下载模板中的示例行，请删除后再上传 "
                                       "(template_row: the template's sample row)") for r in sample]
        return report
    if result.table is None:
        return report
    if dataset_key == "regions":
        try:
            used = codes_in_facts(store)
        except (StoreError, OSError) as e:
            report.problems.insert(0, unreadable(e))
            return report
        orphaned = used - set(result.table.column("region_code").to_pylist())
        if orphaned:
            shown = "、".join(sorted(orphaned)[:10])
            report.problems.insert(0, Problem(
                0, "", "region_code", "orphaned_facts",
                f"已上传的信访、纠纷、网格或支部数据中有 {len(orphaned)} 个区划代码不在新的行政区划表中（如 {shown}），"
                f"请保留这些地区，或先恢复相应数据 (orphaned_facts: {len(orphaned)} codes used by facts are missing)"))
            return report
    table = result.table
    if within and ds.period_from:
        outside = _scope_problems(parsed, table, [within], account=True)
        if outside:
            report.problems[:0] = outside
            return report
    if named:
        outside = _scope_problems(parsed, table, named)
        if outside:
            report.problems[:0] = outside
            return report
    table = conform(dataset_key, table)  # once: preview, checks and commit share it
    report.table = table
    report.periods = periods_of(dataset_key, table)
    try:
        scope_codes, changes = store.preview(dataset_key, table, named or None)
    except (StoreError, OSError) as e:
        report.problems.insert(0, unreadable(e))
        return report
    names = {}
    if regions is not None:
        names = dict(zip(regions.column("region_code").to_pylist(), regions.column("name").to_pylist()))
    elif dataset_key == "regions":
        names = dict(zip(table.column("region_code").to_pylist(), table.column("name").to_pylist()))
    report.scope = [{"code": c, "name": "全部" if c == "all" else _named(names, c)} for c in scope_codes]
    report.preview = preview_rows(changes, names, by_town=len(changes) > PREVIEW_VILLAGES and ds.period_from)
    try:
        clashes = ids_kept_elsewhere(store, dataset_key, table, report.periods, parsed, scope_codes)
    except (StoreError, OSError) as e:
        report.problems.insert(0, unreadable(e))
        return report
    if clashes:
        report.problems[:0] = clashes
        return report
    report.accepted = True
    if dry_run:
        return report

    def check(version: str) -> None:
        # run by the store against the very version this commit is built on
        found = ids_kept_elsewhere(store, dataset_key, table, report.periods, parsed, scope_codes, version)
        if found:
            raise Refused(found)

    try:
        commit = store.commit(dataset_key, table, source=filename, who=who,
                              checksum=hashlib.sha256(data).hexdigest(), action="ingest", scope=named or None,
                              unchanged={"regions": regions_version} if dataset_key != "regions" else None,
                              check=check)
    except Refused as e:
        report.accepted = False
        report.problems[:0] = e.problems
        return report
    except (StoreError, OSError) as e:
        report.accepted = False
        message = str(e) if isinstance(e, StoreError) else f"写入失败，数据未改变，请重试 commit failed, nothing changed: {e}"
        report.problems.insert(0, Problem(0, "", "", "commit", message, zh=chinese_part(message)))
        return report
    report.committed = True
    report.version = commit.version
    return report
