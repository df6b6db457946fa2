"""An upload's scope: the places whose rows it replaces (SPEC, "Rules for every upload").

A scope is a set of 12-digit codes of any level. A code stands for itself and
everything under it, and under a statistical division code that is a
contiguous range of numbers (town 411102001000 holds 411102001000-411102001999),
so "is this row in scope" is a range test on the integer ``code_num`` every
stored row carries. By default an upload's scope is the towns whose rows it
holds; an uploader may name one wider (a county) or narrower (a village).

Everything here works on validated codes only: the predicates the store builds
never contain user text.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from governance.core import contract

# How many trailing digits a code of each level leaves free for what lies under it.
_FREE_DIGITS = {"province": 10, "city": 8, "county": 6, "town": 3, "village": 0}
EVERYWHERE = ("all",)  # the scope of a whole-table dataset (regions) and of a whole-period restore


class ScopeError(ValueError):
    """A scope code that is not a 12-digit division code; the message is for people."""


def check_code(code: str) -> str:
    code = (code or "").strip()
    if contract.level_of_code(code) is None:
        raise ScopeError(f"范围须为12位区划代码 scope must be a 12-digit division code: {code!r}")
    return code


def code_range(code: str) -> tuple[int, int]:
    """The code_num range a place covers: itself and everything under it."""
    free = _FREE_DIGITS[contract.level_of_code(check_code(code))]
    lo = int(code)
    return lo, lo + 10**free - 1


def town_of(code: str) -> str:
    """The town (乡镇/街道) a village code lies in; a town or higher code is its own."""
    level = contract.level_of_code(code)
    return code[:9] + "000" if level == "village" else code


def default_scope(region_codes: Iterable[str]) -> list[str]:
    """SPEC's default: the towns whose rows the file holds."""
    return sorted({town_of(c) for c in region_codes if c})


def normalise(codes: Iterable[str]) -> list[str]:
    """Validated, sorted, with codes inside another listed code dropped (a county covers its towns)."""
    codes = sorted({check_code(c) for c in codes})
    ranges = [code_range(c) for c in codes]
    keep = []
    for c, (lo, hi) in zip(codes, ranges):
        if not any((olo, ohi) != (lo, hi) and olo <= lo and hi <= ohi for olo, ohi in ranges):
            keep.append(c)
    return keep


def mask(code_num: pa.Array | pa.ChunkedArray, scope: list[str] | tuple[str, ...]) -> pa.Array:
    """True for rows whose code lies in the scope (EVERYWHERE: every row).

    One pass per level rather than per code: a province's default scope holds a thousand towns.
    """
    if isinstance(code_num, pa.ChunkedArray):
        code_num = code_num.combine_chunks()
    if tuple(scope) == EVERYWHERE:
        return pa.array(np.ones(len(code_num), dtype=bool))
    out = pa.array(np.zeros(len(code_num), dtype=bool))
    by_free: dict[int, list[int]] = {}
    for code in scope:
        by_free.setdefault(_FREE_DIGITS[contract.level_of_code(check_code(code))], []).append(int(code))
    for free, codes in by_free.items():
        unit = 10**free
        heads = pc.divide(code_num, pa.scalar(unit, pa.int64())) if free else code_num
        wanted = pa.array([c // unit for c in codes], pa.int64())
        out = pc.or_(out, pc.fill_null(pc.is_in(heads, value_set=wanted), False))
    return out


def overlaps(a: Iterable[str], b: Iterable[str]) -> bool:
    a, b = tuple(a), tuple(b)
    if a == EVERYWHERE or b == EVERYWHERE:
        return True
    return any(alo <= bhi and blo <= ahi for alo, ahi in map(code_range, a) for blo, bhi in map(code_range, b))


def predicate(periods: list[str], scope: list[str] | tuple[str, ...]) -> str:
    """The scope as a Delta/SQL predicate, for the commit log and for other engines that replay it.

    Built from validated period names and codes only: numbers and [0-9A-Z-] periods, nothing else.
    """
    for p in periods:
        if not all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in p):
            raise ScopeError(f"期间名称无效 invalid period name: {p!r}")
    where = "period in (" + ", ".join(f"'{p}'" for p in periods) + ")" if periods else "true"
    if tuple(scope) == EVERYWHERE:
        return where
    ranges = " or ".join(f"code_num between {lo} and {hi}" for lo, hi in map(code_range, scope))
    return f"{where} and ({ranges})"
