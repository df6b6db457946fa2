"""Targets (目标值) and red/amber/green status, from the one editable file data/targets.toml."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import tomllib

from governance.core import contract, formatting
from governance.core.settings import PROJECT_ROOT

DEFAULT_FILE = PROJECT_ROOT / "data" / "targets.toml"
# Targets of these indicators are per month: over a range of months the value is the total, so it is
# compared as a monthly average (a 12-month 万人信访量 of 60 is 5 a month, not 60 against a target of 8).
PER_MONTH = {("petitions", "per_10k")}
STATUS_ZH = {"green": "达标", "amber": "接近", "red": "未达标", None: "无目标"}
STATUS_EN = {"green": "on target", "amber": "near", "red": "off target", None: "no target"}


@dataclass(frozen=True)
class Target:
    target: float | None = None
    amber: float | None = None
    band: tuple[float, float] | None = None
    amber_band: tuple[float, float] | None = None

    def text(self, ind: contract.Indicator) -> str:
        """目标 as a leader reads it: ≥95.0%, ≤8.0%, 200-350户."""
        if self.band:
            return f"{self.band[0]:g}-{self.band[1]:g}{ind.unit}"
        if self.target is None:
            return ""
        sign = "≥" if ind.higher_is_better is not False else "≤"
        value = f"{formatting.display(self.target, ind):.1f}%" if ind.unit == "%" else f"{self.target:g}{ind.unit}"
        return sign + value + ("/月" if (ind.dataset, ind.key) in PER_MONTH else "")


def targets_path() -> Path:
    return Path(os.environ.get("GOVERNANCE_TARGETS", DEFAULT_FILE))


def stamp() -> tuple[str, float | None]:
    """Which targets file is in use and when it changed: what a cached coloured figure depends on."""
    path = targets_path()
    try:
        return str(path), path.stat().st_mtime
    except OSError:
        return str(path), None


_last_good: dict[str, dict] = {}
load_error: str | None = None  # why the file on disk is not in use, for the pages to say


@lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> dict:
    with open(path, "rb") as f:
        return tomllib.load(f)


def load() -> dict:
    """The targets file, re-read when it changes (analysts edit it while the app runs).

    A file saved half-edited or with a typo does not take the dashboard down: the
    last good targets stay in use and ``load_error`` says what is wrong.
    """
    global load_error
    path = targets_path()
    if not path.exists():
        return {}
    try:
        data = _load(str(path), path.stat().st_mtime)
    except (tomllib.TOMLDecodeError, OSError) as e:
        load_error = f"{path.name} 有误，仍使用上次的目标值 {path.name} is invalid, using the last good targets: {e}"
        return _last_good.get(str(path), {})
    load_error = None
    _last_good[str(path)] = data
    return data


def target_for(dataset: str, key: str, level: str | None = None) -> Target:
    entry = load().get(dataset, {}).get(key, {})
    if level and isinstance(entry.get(level), dict):
        entry = {**{k: v for k, v in entry.items() if not isinstance(v, dict)}, **entry[level]}
    band = tuple(entry["band"]) if "band" in entry else None
    amber_band = tuple(entry["amber_band"]) if "amber_band" in entry else None
    return Target(entry.get("target"), entry.get("amber"), band, amber_band)


def status(value, ind: contract.Indicator, level: str | None = None, months: int = 1) -> str | None:
    """green / amber / red against the indicator's target for a place of this level; None without a target."""
    if value is None:
        return None
    if (ind.dataset, ind.key) in PER_MONTH:
        value = value / max(months, 1)
    t = target_for(ind.dataset, ind.key, level)
    if t.band:
        lo, hi = t.band
        if lo <= value <= hi:
            return "green"
        alo, ahi = t.amber_band or t.band
        return "amber" if alo <= value <= ahi else "red"
    if t.target is None:
        return None
    amber = t.amber if t.amber is not None else t.target
    if ind.higher_is_better is False:
        return "green" if value <= t.target else "amber" if value <= amber else "red"
    return "green" if value >= t.target else "amber" if value >= amber else "red"


def statuses(values, ind: contract.Indicator, level: str | None = None, months: int = 1) -> list[str | None]:
    """status() of many values at once (a province's 51k villages on the grid page): the target is looked up
    once, the comparisons made on whole arrays."""
    import numpy as np

    v = np.asarray(values, dtype=float)
    if (ind.dataset, ind.key) in PER_MONTH:
        v = v / max(months, 1)
    t = target_for(ind.dataset, ind.key, level)
    if t.band:
        (lo, hi), (alo, ahi) = t.band, t.amber_band or t.band
        out = np.where((lo <= v) & (v <= hi), "green", np.where((alo <= v) & (v <= ahi), "amber", "red"))
    elif t.target is None:
        out = np.full(len(v), None, dtype=object)
    else:
        amber = t.amber if t.amber is not None else t.target
        better, near = (v <= t.target, v <= amber) if ind.higher_is_better is False else (v >= t.target, v >= amber)
        out = np.where(better, "green", np.where(near, "amber", "red"))
    out = out.astype(object)
    out[np.isnan(v)] = None
    return out.tolist()
