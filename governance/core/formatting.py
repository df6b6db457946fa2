"""Numbers the Chinese way (件, %, 万, 个百分点), and the English way when the page is in English."""

from __future__ import annotations

from governance.core.contract import Indicator

UNIT_EN = {"件": "", "户": " households", "个": "", "人": "", "天": " days", "星": " stars", "件/万人": " per 10k"}


def value(v, ind: Indicator, lang: str = "zh") -> str:
    if v is None:
        return "—"
    if ind.unit == "%":
        return f"{v * 100:.1f}%"
    unit = UNIT_EN.get(ind.unit, "") if lang == "en" else ind.unit
    if ind.kind == "mean" or isinstance(v, float) and not float(v).is_integer():
        return f"{v:,.1f}{unit}" if lang == "en" else f"{v:,.1f} {unit}"
    v = int(v)
    if lang != "en" and abs(v) >= 100_000:
        return f"{v / 10_000:,.1f}万{unit}"
    return f"{v:,}{unit}"


def change(delta, ind: Indicator, lang: str = "zh") -> str | None:
    """A change as the comparison is read aloud: 个百分点 (pp) for rates, % for the rest."""
    if delta is None:
        return None
    if abs(delta) < 0.0005:
        return "no change" if lang == "en" else "持平"
    if ind.unit == "%":
        return f"{delta * 100:+.1f} pp" if lang == "en" else f"{delta * 100:+.1f}个百分点"
    return f"{delta * 100:+.1f}%"
