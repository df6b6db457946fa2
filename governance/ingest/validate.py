"""Validation: a parsed upload's strings become the contract's types, or a list of problems.

Everything is columnar (pyarrow compute and numpy over whole columns), so a
million-row ledger is checked in seconds; Python only loops over the rows
that are wrong, to word their messages. Every problem carries the row number
and column letter Excel shows, a Chinese message with the English key, and
the value as written.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import dataclasses
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from governance.core import contract, settings

MAX_PROBLEMS = 20_000
EXCEL_EPOCH = np.datetime64("1899-12-30")

TRUE_WORDS = ("是", "y", "yes", "1", "true", "t", "√", "✓", "有", "已")
FALSE_WORDS = ("否", "n", "no", "0", "false", "f", "×", "✗", "无", "未")

KEY_ZH = {
    "required": "必填项为空",
    "missing_column": "缺少必填列",
    "unknown_column": "未识别的列",
    "invalid_code": "区划代码无效",
    "invalid_date": "日期无法识别",
    "invalid_month": "月份无法识别",
    "invalid_period": "评定周期无法识别",
    "invalid_bool": "是/否无法识别",
    "invalid_int": "不是整数",
    "invalid_number": "不是数字",
    "invalid_choice": "不是允许的取值",
    "out_of_range": "超出允许范围",
    "future_date": "日期晚于今天",
    "duplicate": "与前面的行重复",
    "unknown_place": "找不到该地区",
    "ambiguous_place": "地区名称对应多个地区",
    "not_village": "不是村(社区)级区划",
    "date_order": "日期先后不对",
    "required_when_resolved": "已化解时必填",
    "covered_exceeds": "纳入网格户数大于常住户数",
    "party_orgs_exceed": "网格党组织数大于网格数",
    "level_mismatch": "层级与区划代码不一致",
    "stage_not_village": "村改居阶段只适用于村(社区)",
    "parent_mismatch": "上级区划代码与区划代码不符",
    "several_tops": "有多个最高一级地区",
    "unknown_parent": "上级区划不存在",
    "no_regions": "尚未上传行政区划",
    "ignored_value": "该值不适用，已忽略",
    "too_early": "日期过早",
    "excel_number": "区划代码被 Excel 转成了科学计数法，请把该列设为文本后重新导出",
}
# A code Excel turned into a number: 4.11122E+11 (General format keeps 6 significant digits),
# 411102001201.0 (a number cell written out by another tool).
EXCEL_NUMBER = r"^\d+(\.\d+)?[eE]\+?\d+$|^\d+\.0+$"
EXCEL_SIGNIFICANT = 6
KEY_TAIL = re.compile(r"\s*\([a-z_]+(?::[^()]*)?\)\s*$")  # " (unknown_place)" or " (key: English detail)"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
SUGGESTIONS = 3  # "是不是“甲一村”？": at most this many names, the nearest first
SUGGEST_CUTOFF = 0.5  # difflib's similarity ratio; 东萧楼 -> 东萧楼村 is 0.86, 甲一村 -> 甲二社区 0.29
SUGGEST_LOOKUPS = 500  # distinct misspellings looked up per file; a province's bad file stays fast


@dataclass
class Problem:
    row: int
    column: str  # Excel column letter ("" when the problem is about the whole file)
    field: str  # contract column name
    key: str  # English key
    message: str  # Chinese first, then the English key
    value: str | None = None
    severity: str = "error"
    zh: str = ""  # the message without its English (from a read error); else derived from ``message``

    @property
    def text(self) -> str:
        """The message in Chinese only, for the page; the English key stays in ``--json``."""
        return self.zh or KEY_TAIL.sub("", self.message)

    def as_json(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message, "field": self.field,
                "key": self.key, "value": self.value, "severity": self.severity}


def chinese_part(message: str) -> str:
    """A "中文 English" message from elsewhere (the store, a scope) without its English: cut at the first
    space after which no Chinese is left."""
    for gap in re.finditer(r"\s+(?=[A-Za-z0-9'])", message):
        if not CJK.search(message, gap.end()):
            return message[: gap.start()]
    return message


class HasProblems:
    """Errors refuse a file; warnings are shown and the file is still accepted."""

    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


@dataclass
class Result(HasProblems):
    table: pa.Table | None  # typed, contract columns only; None when refused
    problems: list[Problem]
    truncated: int = 0  # problems beyond MAX_PROBLEMS, counted but not listed


class Checker:
    """Collects problems for one parsed file."""

    def __init__(self, parsed, dataset: contract.Dataset):
        self.parsed = parsed
        self.ds = dataset
        self.rows = np.asarray(parsed.rows, dtype=np.int64)
        self.problems: list[Problem] = []
        self.truncated = 0

    def letter(self, field: str) -> str:
        return self.parsed.letters.get(field, "")

    def header(self, field: str) -> str:
        try:
            return self.ds.column(field).zh
        except KeyError:
            return {c.name: c.zh for c in contract.NAME_COLUMNS}.get(field, field)

    def flag(self, mask, field: str, key: str, detail: str = "", *, values=None, severity="error", fmt=None):
        """Record a problem on every row where mask is true."""
        idx = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(idx):
            return
        room = MAX_PROBLEMS - len(self.problems)
        self.truncated += max(0, len(idx) - room)
        idx = idx[: max(room, 0)]
        vals = values.take(pa.array(idx)).to_pylist() if values is not None else [None] * len(idx)
        for i, v in zip(idx.tolist(), vals):
            text = fmt(i, v) if fmt else detail
            shown = f"“{v}”" if v not in (None, "") else ""
            self.problems.append(
                Problem(int(self.rows[i]), self.letter(field), field, key,
                        f"{self.header(field)}{shown}：{KEY_ZH[key]}{('，' + text) if text else ''} ({key})",
                        None if v is None else str(v), severity)
            )

    def one(self, i: int, field: str, key: str, detail: str, value: str | None, severity="error"):
        """Record a problem on table row ``i`` with a message of its own (a suggestion for that row)."""
        if len(self.problems) >= MAX_PROBLEMS:
            self.truncated += 1
            return
        shown = f"“{value}”" if value not in (None, "") else ""
        self.problems.append(
            Problem(int(self.rows[i]), self.letter(field), field, key,
                    f"{self.header(field)}{shown}：{KEY_ZH[key]}{('，' + detail) if detail else ''} ({key})",
                    value, severity)
        )

    def whole_file(self, field: str, key: str, detail: str = "", severity="error"):
        row = int(self.parsed.header_row)
        self.problems.append(
            Problem(row, self.letter(field), field, key,
                    f"{self.header(field)}：{KEY_ZH[key]}{('，' + detail) if detail else ''} ({key})", None, severity)
        )


# ---- column parsers: (typed array, bad mask) -------------------------------
def _blank(col: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(pc.equal(col, ""), True))


def parse_code(col):
    ok = pc.fill_null(pc.match_substring_regex(col, r"^\d{12}$"), False)
    return col, ~np.asarray(ok) & ~_blank(col)


def parse_string(col):
    return col, np.zeros(len(col), dtype=bool)


def _ymd(col):
    """Split date spellings into (year, month, day) int arrays; -1 where unreadable."""
    s = pc.replace_substring_regex(col, r"[年月/.]", "-")
    s = pc.replace_substring_regex(s, r"日", "")
    n = len(col)
    y = np.full(n, -1, dtype=np.int64)
    m = y.copy()
    d = y.copy()
    for pattern in (r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ T].*)?$", r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"):
        parts = pc.extract_regex(s, pattern)
        hit = np.asarray(pc.fill_null(pc.is_valid(parts), False)) & (y < 0)
        if hit.any():
            for arr, name in ((y, "y"), (m, "m"), (d, "d")):
                field = pc.struct_field(parts, name)
                vals = np.asarray(pc.cast(pc.if_else(pa.array(hit), field, "0"), pa.int64()))
                arr[hit] = vals[hit]
    return y, m, d, s


def _days_in_month(y, m):
    start = (y - 1970) * 12 + (m - 1)
    return (np.asarray(start + 1, dtype="datetime64[M]").astype("datetime64[D]")
            - np.asarray(start, dtype="datetime64[M]").astype("datetime64[D]")).astype(np.int64)


def parse_date(col):
    y, m, d, s = _ymd(col)
    n = len(col)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    ok = (y >= 1900) & (y <= 2100) & (m >= 1) & (m <= 12)
    safe_y, safe_m = np.where(ok, y, 2000), np.where(ok, m, 1)
    ok &= (d >= 1) & (d <= _days_in_month(safe_y, safe_m))
    months = ((safe_y - 1970) * 12 + safe_m - 1).astype("datetime64[M]").astype("datetime64[D]")
    out[ok] = months[ok] + (d[ok] - 1)
    # Excel serial numbers (days since 1899-12-30), as a date cell pasted into CSV gives.
    serial = np.asarray(pc.fill_null(pc.match_substring_regex(col, r"^\d{5}(\.0+)?$"), False)) & ~ok
    if serial.any():
        num = np.asarray(pc.cast(pc.if_else(pa.array(serial), pc.replace_substring_regex(col, r"\.0+$", ""), "0"),
                                 pa.int64()))
        in_range = serial & (num >= 1) & (num <= 73050)  # up to 2099
        out[in_range] = EXCEL_EPOCH + num[in_range].astype("timedelta64[D]")
        ok |= in_range
    bad = ~ok & ~_blank(col)
    return pa.array(out, type=pa.date32(), mask=~ok), bad




def parse_month(col):
    """2024-10, 2024/10, 2024年10月, 202410, or a whole date (Excel turns 2024-10 into 2024-10-01)."""
    s = pc.replace_substring_regex(col, r"[年/.]", "-")
    s = pc.replace_substring_regex(s, r"[月份日]", "")
    parts = pc.extract_regex(s, r"^(?P<y>\d{4})-?(?P<m>\d{1,2})(?:-(?P<d>\d{1,2})(?:[ T].*)?)?$")
    valid = np.asarray(pc.fill_null(pc.is_valid(parts), False))
    y = np.asarray(pc.cast(pc.if_else(pa.array(valid), pc.struct_field(parts, "y"), "0"), pa.int64()))
    m = np.asarray(pc.cast(pc.if_else(pa.array(valid), pc.struct_field(parts, "m"), "0"), pa.int64()))
    day = pc.struct_field(parts, "d")
    d = np.asarray(pc.cast(pc.if_else(pc.and_(pa.array(valid), pc.not_equal(pc.fill_null(day, ""), "")),
                                      day, "1"), pa.int64()))
    ok = valid & (y >= settings.min_year()) & (y <= 2100) & (m >= 1) & (m <= 12)
    ok &= (d >= 1) & (d <= _days_in_month(np.where(ok, y, 2000), np.where(ok, m, 1)))
    text = np.char.add(np.char.zfill(y.astype(str), 4), np.char.add("-", np.char.zfill(m.astype(str), 2)))
    return pa.array(text, mask=~ok), ~ok & ~_blank(col)


def parse_rating_period(col):
    s = pc.replace_substring_regex(col, r"[年度\s]", "")
    s = pc.replace_substring_regex(s, r"^(\d{4})-?(上半|H1|h1)$", r"\1-H1")
    s = pc.replace_substring_regex(s, r"^(\d{4})-?(下半|H2|h2)$", r"\1-H2")
    ok = np.asarray(pc.fill_null(pc.match_substring_regex(s, r"^(19|20|21)\d{2}(-H[12])?$"), False))
    year = np.asarray(pc.cast(pc.if_else(pa.array(ok), pc.utf8_slice_codeunits(s, 0, 4), "2000"), pa.int64()))
    ok &= year >= settings.min_year()
    return pc.if_else(pa.array(ok), s, pa.scalar(None, pa.string())), ~ok & ~_blank(col)


def parse_bool(col):
    low = pc.utf8_lower(col)
    t = np.asarray(pc.fill_null(pc.is_in(low, pa.array(TRUE_WORDS)), False))
    f = np.asarray(pc.fill_null(pc.is_in(low, pa.array(FALSE_WORDS)), False))
    return pa.array(t, mask=~(t | f)), ~(t | f) & ~_blank(col)


def parse_int(col):
    s = pc.replace_substring(col, ",", "")
    ok = np.asarray(pc.fill_null(pc.match_substring_regex(s, r"^-?\d{1,15}(\.0+)?$"), False))
    clean = pc.if_else(pa.array(ok), pc.replace_substring_regex(s, r"\.0+$", ""), "0")
    vals = np.asarray(pc.cast(clean, pa.int64()))
    return pa.array(vals, mask=~ok), ~ok & ~_blank(col)


def parse_number(col):
    s = pc.replace_substring(col, ",", "")
    ok = np.asarray(pc.fill_null(pc.match_substring_regex(s, r"^-?\d+(\.\d+)?$"), False))
    vals = np.asarray(pc.cast(pc.if_else(pa.array(ok), s, "0"), pa.float64()))
    return pa.array(vals, mask=~ok), ~ok & ~_blank(col)


def choice_lookup(column: contract.Column) -> dict[str, str]:
    out = {}
    for ch in column.choices:
        for spelling in (ch.key, ch.zh, *ch.aliases):
            out[spelling.lower()] = ch.key
    return out


def parse_enum(col, column: contract.Column):
    lookup = choice_lookup(column)
    low = pc.utf8_lower(col)
    keys = pa.array(list(lookup))
    idx = pc.index_in(low, keys)
    ok = np.asarray(pc.is_valid(idx))
    values = pa.array(list(lookup.values())).take(pc.fill_null(idx, 0))
    return pc.if_else(pa.array(ok), values, pa.scalar(None, pa.string())), ~ok & ~_blank(col)


PARSERS = {
    "code": parse_code,
    "string": parse_string,
    "date": parse_date,
    "month": parse_month,
    "rating_period": parse_rating_period,
    "bool": parse_bool,
    "int": parse_int,
    "number": parse_number,
}
BAD_KEY = {
    "code": "invalid_code", "date": "invalid_date", "month": "invalid_month", "rating_period": "invalid_period",
    "bool": "invalid_bool", "int": "invalid_int", "number": "invalid_number", "enum": "invalid_choice",
    "level": "invalid_choice",
}


def allowed_text(column: contract.Column) -> str:
    if column.choices:
        return "可填：" + "、".join(f"{c.zh}({c.key})" if c.zh != c.key else c.zh for c in column.choices)
    return {
        "code": "应为12位数字",
        "date": "如 2024-10-08、2024/10/8、2024年10月8日、20241008",
        "month": "如 2024-10 或 2024年10月",
        "rating_period": "如 2024、2024-H1、2024年上半年",
        "bool": "可填：是/否、Y/N、1/0、true/false",
        "int": "应为整数",
        "number": "应为数字",
    }.get(column.type, "")


def convert(checker: Checker, column: contract.Column, raw: pa.Array) -> pa.Array:
    """Type one column, flagging unreadable cells and empty required ones."""
    if column.type in ("enum", "level"):
        typed, bad = parse_enum(raw, column)
    else:
        typed, bad = PARSERS[column.type](raw)
    if column.type == "code" and bad.any():
        # Say what happened, not just "invalid": the fix is in Excel, not in the digits (issue 10).
        mangled = _mask(pc.match_substring_regex(raw, EXCEL_NUMBER)) & bad
        checker.flag(mangled, column.name, "excel_number", values=raw)
        bad = bad & ~mangled
    if bad.any():
        checker.flag(bad, column.name, BAD_KEY[column.type], allowed_text(column), values=raw)
    if column.required:
        checker.flag(_blank(raw), column.name, "required")
    if column.minimum is not None or column.maximum is not None:
        num = np.asarray(pc.fill_null(pc.cast(typed, pa.float64()), np.nan))
        out = np.zeros(len(num), dtype=bool)
        if column.minimum is not None:
            out |= num < column.minimum
        if column.maximum is not None:
            out |= num > column.maximum
        lo = "" if column.minimum is None else f"{column.minimum:g}"
        hi = "" if column.maximum is None else f"{column.maximum:g}"
        checker.flag(out, column.name, "out_of_range", f"应在 {lo}~{hi} 之间" if hi else f"不得小于 {lo}", values=raw)
    return typed


def column_or_empty(parsed, name: str) -> pa.Array:
    if name in parsed.table.column_names:
        return pc.cast(parsed.table.column(name).combine_chunks(), pa.string())
    return pa.nulls(parsed.table.num_rows, pa.string())


def first_of_duplicates(keys: list[pa.Array]) -> tuple[np.ndarray, np.ndarray]:
    """For rows whose key repeats an earlier row's: mask and the earlier row's index."""
    struct = pa.StructArray.from_arrays(keys, [f"k{i}" for i in range(len(keys))]) if len(keys) > 1 else keys[0]
    encoded = pc.dictionary_encode(struct if len(keys) == 1 else pc.binary_join_element_wise(
        *[pc.cast(k, pa.string()) for k in keys], "\x1f")).indices
    codes = np.asarray(pc.fill_null(encoded, -1))
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    first_pos = np.r_[0, np.flatnonzero(np.diff(sorted_codes)) + 1]
    first_index = np.empty_like(codes)
    group_first = np.repeat(order[first_pos], np.diff(np.r_[first_pos, len(codes)]))
    first_index[order] = group_first
    dup = (first_index != np.arange(len(codes))) & (codes >= 0)
    return dup, first_index


# ---- places ------------------------------------------------------------
def resolve_places(checker: Checker, parsed, regions: pa.Table | None) -> pa.Array:
    """The region_code column: given as codes, or resolved from town + village names."""
    n = parsed.table.num_rows
    has_code = "region_code" in parsed.table.column_names
    has_names = "village" in parsed.table.column_names
    if regions is None or regions.num_rows == 0:
        checker.whole_file("region_code", "no_regions", "请先上传行政区划表 upload the regions table first")
        return pa.nulls(n, pa.string())
    if not has_code and not has_names:
        checker.whole_file("region_code", "missing_column", "需要“区划代码”列，或“乡镇(街道)”和“村(社区)”名称列")
        return pa.nulls(n, pa.string())
    codes = regions.column("region_code").to_pylist()
    levels = dict(zip(codes, regions.column("level").to_pylist()))
    if has_code:
        raw = column_or_empty(parsed, "region_code")
        typed = convert(checker, contract.dataset(checker.ds.key).column("region_code"), raw)
        known = np.asarray(pc.fill_null(pc.is_in(typed, pa.array(codes)), False))
        villages = pa.array([c for c in codes if levels.get(c) == "village"])
        is_village = np.asarray(pc.fill_null(pc.is_in(typed, villages), False))
        well_formed = _mask(pc.match_substring_regex(typed, r"^\d{12}$"))
        # An .xlsx number cell keeps what Excel showed: 4.11122E+11 came back as 411122000000, a code no
        # place has, with at most 6 significant digits (a real village code ends in its own 3 digits).
        rounded = well_formed & ~known & _mask(pc.match_substring_regex(typed, r"0{%d}$" % (12 - EXCEL_SIGNIFICANT)))
        checker.flag(rounded, "region_code", "excel_number", "该代码像是被四舍五入后的数字", values=raw)
        checker.flag(well_formed & ~known & ~rounded, "region_code", "unknown_place", "行政区划表中没有该代码",
                     values=raw)
        checker.flag(known & ~is_village, "region_code", "not_village", "应填村(社区)级代码", values=raw)
        return typed
    return _resolve_names(checker, parsed, regions)


def _resolve_names(checker: Checker, parsed, regions: pa.Table) -> pa.Array:
    rows = regions.to_pylist()
    by_code = {r["region_code"]: r for r in rows}
    has_town = "town" in parsed.table.column_names
    index: dict[str, list[str]] = {}
    places = Places()
    for r in rows:
        if r["level"] == "town":
            places.towns.add(r["name"])
        if r["level"] != "village":
            continue
        town = by_code.get(r["parent_code"] or "", {}).get("name", "")
        key = f"{town}\x1f{r['name']}" if has_town else r["name"]
        index.setdefault(key, []).append(r["region_code"])
        places.villages_in.setdefault(town, []).append(r["name"])
        places.towns_of.setdefault(r["name"], []).append(town)
    village = column_or_empty(parsed, "village")
    key = pc.binary_join_element_wise(column_or_empty(parsed, "town"), village, "\x1f") if has_town else village
    unique_keys = [k for k, v in index.items() if len(v) == 1]
    ambiguous_keys = [k for k, v in index.items() if len(v) > 1]
    pos = pc.index_in(key, pa.array(unique_keys, pa.string()))
    resolved = pa.array([index[k][0] for k in unique_keys], pa.string()).take(pc.fill_null(pos, 0)) \
        if unique_keys else pa.nulls(len(key), pa.string())
    found = np.asarray(pc.is_valid(pos))
    ambiguous = np.asarray(pc.fill_null(pc.is_in(key, pa.array(ambiguous_keys, pa.string())), False))
    blank = _blank(village)
    checker.flag(blank, "village", "required", "未填区划代码时须填写村(社区)名称")
    shown = pc.binary_join_element_wise(column_or_empty(parsed, "town"), village, "/") if has_town else village
    checker.flag(ambiguous & ~blank, "village", "ambiguous_place", "请改填区划代码或同时填写乡镇(街道)", values=shown)
    # The rows whose place is not found, one by one (only the wrong rows): each on the column that is wrong,
    # with the nearest names, so that a clerk can fix the row from the message alone.
    towns = column_or_empty(parsed, "town").to_pylist() if has_town else None
    names = village.to_pylist()
    wrong = np.flatnonzero(~found & ~ambiguous & ~blank)
    room = max(MAX_PROBLEMS - len(checker.problems), 0)
    checker.truncated += max(len(wrong) - room, 0)
    for i in wrong[:room].tolist():
        _unknown_place(checker, places, i, towns[i] if has_town else None, names[i], has_town)
    return pc.if_else(pa.array(found), resolved, pa.scalar(None, pa.string()))


@dataclass
class Places:
    """The regions table's names, for saying what a wrong name should have been."""

    towns: set[str] = dataclasses.field(default_factory=set)
    villages_in: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # town -> its villages
    towns_of: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # village -> towns with one so named
    lookups: dict[tuple, list[str]] = dataclasses.field(default_factory=dict)  # (town, name) -> nearest names

    def nearest(self, name: str, among: list[str] | set[str], where: str) -> list[str]:
        key = (where, name)
        if key not in self.lookups:
            if len(self.lookups) >= SUGGEST_LOOKUPS:
                return []
            self.lookups[key] = difflib.get_close_matches(name, sorted(among), SUGGESTIONS, SUGGEST_CUTOFF)
        return self.lookups[key]


def _did_you_mean(names: list[str]) -> str:
    return "是不是" + "或".join(f"“{n}”" for n in names) + "？" if names else ""


def _unknown_place(checker: Checker, places: Places, i: int, town: str | None, village: str, has_town: bool) -> None:
    """Say which column of row ``i`` is wrong (the town, or the village within its town) and what it may be."""
    if has_town and not town:
        homes = sorted(set(places.towns_of.get(village, ())))
        hint = f"“{village}”属于{homes[0]}" if len(homes) == 1 else "填写村(社区)名称时须同时填写乡镇(街道)"
        checker.one(i, "town", "required", hint, None)
    elif has_town and town not in places.towns and town not in places.villages_in:
        near = places.nearest(town, places.towns, "")
        homes = sorted(set(places.towns_of.get(village, ())))
        hint = _did_you_mean(near) or (
            f"村(社区)“{village}”属于{homes[0]}" if len(homes) == 1 else "行政区划表中没有该乡镇(街道)")
        checker.one(i, "town", "unknown_place", hint, town)
    else:
        among = places.villages_in.get(town, []) if has_town else list(places.towns_of)
        near = places.nearest(village, among, town or "")
        homes = sorted(set(places.towns_of.get(village, ())))
        if has_town and homes:  # the name is right, the town may be wrong
            hint = f"{town}没有这个村(社区)，“{village}”属于{'、'.join(homes)}，请核对乡镇(街道)"
            hint += f"；或者{_did_you_mean(near)}" if near else ""
        elif has_town:
            hint = _did_you_mean(near) or f"{town}没有这个村(社区)"
        else:
            hint = _did_you_mean(near) or "行政区划表中没有该村(社区)"
        checker.one(i, "village", "unknown_place", hint, village)


# ---- rules across columns ---------------------------------------------
def _mask(arr) -> np.ndarray:
    return np.asarray(pc.fill_null(arr, False))


def check_rules(checker: Checker, t: dict[str, pa.Array], today: dt.date, regions: pa.Table | None) -> None:
    key = checker.ds.key
    this_month = f"{today.year:04d}-{today.month:02d}"
    earliest = dt.date(settings.min_year(), 1, 1)
    for col in checker.ds.columns:
        if col.type == "date" and col.name in t:
            # 1900 dates were accepted and stretched the month slider from 1900-01 (issue 10)
            early = _mask(pc.less(t[col.name], pa.scalar(earliest, pa.date32())))
            checker.flag(early, col.name, "too_early", f"早于 {earliest.isoformat()}，请检查是否录错"
                         "（最早年份可用 GOVERNANCE_MIN_YEAR 设置）", values=t[col.name])
            late = _mask(pc.greater(t[col.name], pa.scalar(today, pa.date32())))
            checker.flag(late, col.name, "future_date", f"今天是 {today.isoformat()}", values=t[col.name])
        elif col.type == "month" and col.name in t:
            late = _mask(pc.greater(t[col.name], this_month))
            checker.flag(late, col.name, "future_date", f"本月是 {this_month}", values=t[col.name])
        elif col.type == "rating_period" and col.name in t:
            # a rating period may be rated before it ends, not before it starts
            starts = pc.if_else(pc.ends_with(t[col.name], "-H2"),
                                pc.binary_join_element_wise(pc.utf8_slice_codeunits(t[col.name], 0, 4), "07", "-"),
                                pc.binary_join_element_wise(pc.utf8_slice_codeunits(t[col.name], 0, 4), "01", "-"))
            late = _mask(pc.greater(starts, this_month))
            checker.flag(late, col.name, "future_date", f"本月是 {this_month}", values=t[col.name])
    if key == "petitions":
        checker.flag(_mask(pc.less(t["closed_on"], t["received_on"])), "closed_on", "date_order",
                     "办结日期早于受理日期", values=t["closed_on"])
        meaningless = _mask(pc.and_(pc.is_null(t["closed_on"]), pc.is_valid(t["resolved_first_time"])))
        checker.flag(meaningless, "resolved_first_time", "ignored_value", "未办结的件不计一次性化解", severity="warning")
        t["resolved_first_time"] = pc.if_else(pa.array(meaningless), pa.scalar(None, pa.bool_()), t["resolved_first_time"])
    elif key == "disputes":
        resolved = _mask(pc.equal(t["status"], "resolved"))
        checker.flag(resolved & ~np.asarray(pc.is_valid(t["resolved_on"])), "resolved_on", "required_when_resolved")
        checker.flag(resolved & ~np.asarray(pc.is_valid(t["resolved_level"])), "resolved_level",
                     "required_when_resolved")
        checker.flag(_mask(pc.less(t["resolved_on"], t["found_on"])), "resolved_on", "date_order",
                     "化解日期早于排查日期", values=t["resolved_on"])
    elif key == "grid":
        checker.flag(_mask(pc.greater(t["households_covered"], t["households"])), "households_covered",
                     "covered_exceeds", values=t["households_covered"])
        checker.flag(_mask(pc.greater(t["grid_party_orgs"], t["grids"])), "grid_party_orgs", "party_orgs_exceed",
                     values=t["grid_party_orgs"])
    elif key == "branches":
        meaningless = _mask(pc.and_(pc.invert(pc.fill_null(t["weak_lax"], False)), pc.is_valid(t["rectified"])))
        checker.flag(meaningless, "rectified", "ignored_value", "非软弱涣散支部不计整顿", severity="warning")
        t["rectified"] = pc.if_else(pa.array(meaningless), pa.scalar(None, pa.bool_()), t["rectified"])
    elif key == "regions":
        _check_regions(checker, t)


def _check_regions(checker: Checker, t: dict[str, pa.Array]) -> None:
    codes = t["region_code"].to_pylist()
    derived = [contract.level_of_code(c) if c else None for c in codes]
    given = t["level"].to_pylist()
    mismatch = np.array([g is not None and d is not None and g != d for g, d in zip(given, derived)])
    checker.flag(mismatch, "level", "level_mismatch", "按区划代码应为 " + "/".join(c.zh for c in contract.LEVELS),
                 values=t["level"])
    t["level"] = pa.array(derived, pa.string())
    parents = t["parent_code"].to_pylist()
    # A parent left empty is the code's own parent when that place is in the file.
    known = set(c for c in codes if c)
    filled = [p if p else (contract.parent_of_code(c) if c and contract.parent_of_code(c) in known else None)
              for p, c in zip(parents, codes)]
    t["parent_code"] = pa.array(filled, pa.string())
    unknown = np.array([p is not None and p not in known for p in filled])
    checker.flag(unknown, "parent_code", "unknown_parent", "上级区划代码须在本表中", values=t["parent_code"])
    # Roll-ups go by the code's digits and pickers by parent_code: the two must agree.
    mismatch = np.array([p is not None and c is not None and contract.level_of_code(c) is not None
                         and p != contract.parent_of_code(c) for p, c in zip(filled, codes)])
    checker.flag(mismatch, "parent_code", "parent_mismatch", "应为区划代码所属的上一级", values=t["parent_code"])
    roots = np.array([p is None and c is not None for p, c in zip(filled, codes)])
    if roots.sum() > 1:
        checker.flag(roots, "parent_code", "several_tops",
                     f"全表只能有一个最高一级地区，现有 {int(roots.sum())} 个没有上级", values=t["region_code"])
    kinds = t["kind"].to_pylist()
    stray = np.array([k is not None and d != "village" for k, d in zip(kinds, derived)])
    checker.flag(stray, "kind", "ignored_value", "类型只对村(社区)级填写", severity="warning")
    t["kind"] = pa.array([k if d == "village" else None for k, d in zip(kinds, derived)], pa.string())
    # 村改居 is a village's (SPEC: transition_stage, village level only): a town's stage is an error, not a guess
    stages = t["transition_stage"].to_pylist()
    above = np.array([s is not None and d is not None and d != "village" for s, d in zip(stages, derived)])
    checker.flag(above, "transition_stage", "stage_not_village", "乡镇及以上请留空",
                 values=t["transition_stage"])


def check_duplicates(checker: Checker, t: dict[str, pa.Array]) -> None:
    keys = list(checker.ds.unique)
    if any(k not in t for k in keys):
        return
    dup, first = first_of_duplicates([t[k] for k in keys])
    label = "+".join(checker.header(k) for k in keys)
    rows = checker.rows
    checker.flag(dup, keys[0], "duplicate", fmt=lambda i, v: f"{label} 与第 {rows[first[i]]} 行相同",
                 values=t[keys[0]])


# ---- the whole file -----------------------------------------------------
def validate(parsed, dataset_key: str, *, regions: pa.Table | None, today: dt.date | None = None) -> Result:
    """Type and check a parsed upload against the contract; the table is None when refused."""
    ds = contract.dataset(dataset_key)
    today = today or settings.today()
    checker = Checker(parsed, ds)
    for name in parsed.unknown:
        checker.problems.append(Problem(int(parsed.header_row), parsed.letters.get(name, ""), name, "unknown_column",
                                        f"“{parsed.headers.get(name, name)}”：{KEY_ZH['unknown_column']}，将被忽略 "
                                        "(unknown_column)", None, "warning"))
    if parsed.table.num_rows == 0:
        checker.whole_file(ds.columns[0].name, "required", "文件中没有数据行 no data rows")
        return Result(None, checker.problems, 0)
    present = set(parsed.table.column_names)
    names_instead = ds.key != "regions" and "village" in present
    for col in ds.columns:
        if col.required and col.name not in present and not (col.name == "region_code" and names_instead):
            checker.whole_file(col.name, "missing_column", f"表头应有“{col.zh}”或“{col.name}”")
    typed: dict[str, pa.Array] = {}
    for col in ds.columns:
        if col.name == "region_code" and ds.key != "regions":
            typed[col.name] = resolve_places(checker, parsed, regions)
        elif col.name in present:
            typed[col.name] = convert(checker, col, column_or_empty(parsed, col.name))
        else:
            typed[col.name] = pa.nulls(parsed.table.num_rows, pa.type_for_alias(col.arrow_type))
    if not any(p.key == "missing_column" for p in checker.problems):
        check_rules(checker, typed, today, regions)
        check_duplicates(checker, typed)
    checker.problems.sort(key=lambda p: (p.severity != "error", p.row, p.column))
    refused = any(p.severity == "error" for p in checker.problems) or checker.truncated
    table = None if refused else pa.table(
        {c.name: pc.cast(typed[c.name], pa.type_for_alias(c.arrow_type)) for c in ds.columns}
    )
    return Result(table, checker.problems, checker.truncated)
