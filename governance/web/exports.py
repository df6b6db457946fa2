"""Tables leaving the app: CSV that opens cleanly in Chinese Excel and cannot run formulas."""

from __future__ import annotations

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _defuse(value):
    # A cell starting with = + - @ is run as a formula by Excel (CSV injection):
    # a leading apostrophe makes it text. Numbers are left alone.
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with BOM: Excel in China opens it without garbling the Chinese."""
    safe = df.copy()
    for col in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[col]):
            safe[col] = safe[col].map(_defuse)
    safe.columns = [_defuse(str(c)) for c in safe.columns]
    return safe.to_csv(index=False).encode("utf-8-sig")
