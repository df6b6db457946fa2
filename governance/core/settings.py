"""Where things live and the few knobs analysts may turn."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STORE = PROJECT_ROOT / "data" / "store"


def store_root(explicit: str | os.PathLike | None = None) -> Path:
    """--store, else GOVERNANCE_STORE, else the project's data/ store."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("GOVERNANCE_STORE")
    return Path(env) if env else DEFAULT_STORE


def deadline_days() -> int:
    """Petition handling deadline for on_time_rate (SPEC default 60 days)."""
    return int(os.environ.get("GOVERNANCE_DEADLINE_DAYS", "60"))


def today() -> dt.date:
    """Today where the offices are (GOVERNANCE_TZ, default Asia/Shanghai), not on the server's clock:
    at 07:00 in Beijing a UTC server still thinks it is yesterday, and today's cases would be 'future'."""
    return dt.datetime.now(ZoneInfo(os.environ.get("GOVERNANCE_TZ", "Asia/Shanghai"))).date()
