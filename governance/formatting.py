"""Numbers the Chinese way: 件, %, 万, 个百分点."""

from __future__ import annotations

from governance.contract import Indicator


def value(v, ind: Indicator) -> str:
    if v is None:
        return "—"
    if ind.unit == "%":
        return f"{v * 100:.1f}%"
    if ind.kind == "mean" or isinstance(v, float) and not float(v).is_integer():
        return f"{v:,.1f} {ind.unit}"
    v = int(v)
    if abs(v) >= 100_000:
        return f"{v / 10_000:,.1f}万{ind.unit}"
    return f"{v:,}{ind.unit}"


def change(delta, ind: Indicator) -> str | None:
    """A change as the comparison is read aloud: 个百分点 for rates, % for the rest."""
    if delta is None:
        return None
    if abs(delta) < 0.0005:
        return "持平"
    if ind.unit == "%":
        return f"{delta * 100:+.1f}个百分点"
    return f"{delta * 100:+.1f}%"
