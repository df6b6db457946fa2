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


def xlsx_bytes(df: pd.DataFrame, title: str, sheet: str = "数据") -> bytes:
    """An .xlsx with a title row (place, period, view date), Chinese headers, a frozen header row and
    widths that fit Chinese text; text cells are defused like the CSV's."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([_defuse(title)])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([_defuse(str(c)) for c in df.columns])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in df.itertuples(index=False):
        ws.append([_defuse(v) if not (isinstance(v, float) and pd.isna(v)) else None for v in row])
    ws.freeze_panes = "A3"
    for i, col in enumerate(df.columns, start=1):
        longest = max([len(str(col)), *(len(str(v)) for v in df[col].head(500))]) if len(df) else len(str(col))
        ws.column_dimensions[get_column_letter(i)].width = min(60, 2 + longest * 2)  # CJK glyphs are wide
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with BOM: Excel in China opens it without garbling the Chinese."""
    safe = df.copy()
    for col in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[col]):
            safe[col] = safe[col].map(_defuse)
    safe.columns = [_defuse(str(c)) for c in safe.columns]
    return safe.to_csv(index=False).encode("utf-8-sig")
