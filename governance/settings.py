"""Where things live and the few knobs analysts may turn."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
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
