"""Numbers as people read them: the one place a fraction becomes a percent.

Two registers: `value`/`change` for cards, tables and charts (66.7%, 19.5万户, +1.2个百分点; English when the
page is), and `prose` for the written 通报 (96.9%, 19.47万户: trailing zeros trimmed, 万 from ten thousand).
"""

from __future__ import annotations

from governance.core.contract import Indicator

UNIT_EN = {"件": "", "户": " households", "个": "", "人": "", "天": " days", "星": " stars", "件/万人": " per 10k"}


def value(v, ind: Indicator, lang: str = "zh") -> str:
    if v is None or isinstance(v, float) and v != v:
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


def with_base(text: str, base, lang: str = "zh", unit: str = "件") -> str:
    """A rate with the cases it rests on, e.g. "0.0%（2件）" (SPEC: small numbers show their base)."""
    if base is None:
        return text
    n = count(base)
    return f"{text} ({n})" if lang == "en" else f"{text}（{n}{unit}）"


def count(v) -> str:
    """A count as an integer, never "24.0"; "—" when unknown."""
    if v is None or isinstance(v, float) and v != v:
        return "—"
    return f"{int(round(float(v))):,}"


def cell(v, ind: Indicator | None = None, lang: str = "zh") -> str:
    """Any figure bound for a page, image, CSV or slide: never "None", "nan" or "24.0"."""
    if v is None or isinstance(v, float) and v != v:
        return "—"
    try:
        import pandas as pd

        if v is pd.NA or v is pd.NaT:
            return "—"
    except ImportError:  # pragma: no cover
        pass
    if ind is not None:
        return value(v, ind, lang)
    if isinstance(v, float) and v.is_integer():
        return count(v)
    return str(v)


def change(delta, ind: Indicator, lang: str = "zh") -> str | None:
    """A change as the comparison is read aloud: 个百分点 (pp) for rates, % for the rest."""
    if delta is None:
        return None
    if abs(delta) < 0.0005:
        return "no change" if lang == "en" else "持平"
    if ind.unit == "%":
        return f"{delta * 100:+.1f} pp" if lang == "en" else f"{delta * 100:+.1f}个百分点"
    return f"{delta * 100:+.1f}%"


def display(v, ind: Indicator):
    """A figure (or a column of them) in the unit it is shown in: rates stored as fractions are drawn as percent."""
    return v * 100 if ind.unit == "%" else v


def trim(x: float, digits: int = 1) -> str:
    text = f"{x:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def prose_percent(v: float) -> str:
    """0.9688 -> 96.9%, 1.0 -> 100%."""
    return trim(v * 100) + "%"


def prose_count(v, unit: str = "") -> str:
    """287件; 194731户 -> 19.47万户."""
    v = int(v)
    if abs(v) >= 10_000:
        return trim(v / 10_000, 2) + "万" + unit
    return f"{v}{unit}"


def prose(v, ind: Indicator) -> str:
    if v is None:
        return "—"
    if ind.unit == "%":
        return prose_percent(v)
    if ind.kind == "mean" or ind.unit == "件/万人":
        return trim(v, 2 if ind.key == "workers_per_grid" else 1) + ind.unit
    return prose_count(v, ind.unit)


def office_time(stamp: str | None) -> str:
    """A stored timestamp (ISO with its offset) as the offices read it: their own time zone (GOVERNANCE_TZ,
    Beijing by default), to the second; an unreadable stamp as it was."""
    import datetime as dt

    from governance.core.settings import office_tz

    try:
        return dt.datetime.fromisoformat(stamp).astimezone(office_tz()).strftime("%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        return stamp or ""
