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


def dispute_deadline_days() -> int:
    """Dispute resolution deadline for 超期未化解 and the maturity of dispute rates
    (GOVERNANCE_DISPUTE_DEADLINE_DAYS, SPEC default 30 days)."""
    return _int_env("GOVERNANCE_DISPUTE_DEADLINE_DAYS", 30)


def deadline_for(dataset: str) -> int | None:
    """The deadline a case of the dataset has to be finished by (None for datasets without cases)."""
    return {"petitions": deadline_days, "disputes": dispute_deadline_days}.get(dataset, lambda: None)()


def small_base() -> int:
    """A rate over fewer cases than this is shown with its base, greyed, unranked and never on 预警
    (GOVERNANCE_SMALL_BASE, SPEC default 5)."""
    return _int_env("GOVERNANCE_SMALL_BASE", 5)


def today() -> dt.date:
    """Today where the offices are (GOVERNANCE_TZ, default Asia/Shanghai), not on the server's clock:
    at 07:00 in Beijing a UTC server still thinks it is yesterday, and today's cases would be 'future'."""
    return dt.datetime.now(ZoneInfo(os.environ.get("GOVERNANCE_TZ", "Asia/Shanghai"))).date()


def office_tz() -> ZoneInfo:
    """The offices' time zone (GOVERNANCE_TZ, default Asia/Shanghai): every date and time a user reads."""
    return ZoneInfo(os.environ.get("GOVERNANCE_TZ", "Asia/Shanghai"))


def now() -> dt.datetime:
    """The time where the offices are, to the second (a briefing's 生成于: 12:47 in Beijing, not 04:47 UTC)."""
    return dt.datetime.now(office_tz()).replace(microsecond=0)


def _int_env(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


# --- limits on an upload (issue 10: a 1 MB CSV with a million-comma row took the server to 3.75 GB) ---

def max_columns() -> int:
    """Columns a ledger may have (GOVERNANCE_MAX_COLUMNS, default 200; the widest template has 12)."""
    return _int_env("GOVERNANCE_MAX_COLUMNS", 200)


def max_cell_chars() -> int:
    """Characters in one cell (GOVERNANCE_MAX_CELL_CHARS, default 500): free text such as a category is
    a short phrase; a 6 MB category once froze every viewer's browser."""
    return _int_env("GOVERNANCE_MAX_CELL_CHARS", 500)


def max_line_bytes() -> int:
    """Bytes in one line of a CSV (GOVERNANCE_MAX_LINE_KB, default 64 KB), checked before any parsing."""
    return _int_env("GOVERNANCE_MAX_LINE_KB", 64) * 1024


def min_year() -> int:
    """The earliest year a date or period may have (GOVERNANCE_MIN_YEAR, default 2000): no ledger of
    this kind is older, and a 1900 date is a typo or an empty Excel date cell."""
    return _int_env("GOVERNANCE_MIN_YEAR", 2000)


# --- sign-in (issue 10, item 7) ---

def session_idle_minutes() -> int:
    """A signed-in session left idle this long is signed out (GOVERNANCE_SESSION_IDLE_MINUTES, default 30)."""
    return _int_env("GOVERNANCE_SESSION_IDLE_MINUTES", 30)


def public_dashboards() -> bool:
    """With accounts, whether visitors who have not signed in may see the dashboards read-only
    (GOVERNANCE_PUBLIC_DASHBOARDS=1; off by default). Never history or upload."""
    return os.environ.get("GOVERNANCE_PUBLIC_DASHBOARDS", "").strip().lower() in ("1", "true", "yes", "on")


def peer_rank() -> bool:
    """Whether an account bound to a place sees that place's rank among its peers, without the peers' names
    or figures (GOVERNANCE_PEER_RANK=1; off by default: a county decides whether towns see league tables)."""
    return os.environ.get("GOVERNANCE_PEER_RANK", "").strip().lower() in ("1", "true", "yes", "on")


def screen_seconds() -> int:
    """How long the 大屏 shows each slide before it moves on (GOVERNANCE_SCREEN_SECONDS, at least 3)."""
    return max(3, _int_env("GOVERNANCE_SCREEN_SECONDS", 20))
