"""Tables leaving the app: CSV that opens cleanly in Chinese Excel and cannot run formulas."""

from __future__ import annotations

import datetime as dt

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _defuse(value):
    # A cell starting with = + - @ is run as a formula by Excel (CSV injection):
    # a leading apostrophe makes it text. Numbers are left alone.
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _cell(value):
    """A value as openpyxl writes it: missing is an empty cell, numpy numbers plain Python, text defused."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    return _defuse(value)


def number_format(series: pd.Series) -> str | None:
    """Excel's number format for a column: dates as dates, whole numbers with thousands, others one decimal."""
    if pd.api.types.is_bool_dtype(series):
        return None
    if pd.api.types.is_datetime64_any_dtype(series) or (
            series.dtype == object and len(series.dropna()) and all(isinstance(v, dt.date) for v in series.dropna())):
        return "yyyy-mm-dd"
    if pd.api.types.is_integer_dtype(series):
        return "#,##0"
    if pd.api.types.is_float_dtype(series):
        values = series.dropna()
        return "#,##0" if len(values) and (values == values.round()).all() else "#,##0.0"
    return None


def xlsx_bytes(df: pd.DataFrame, title: str, sheet: str = "数据", formats: dict[str, str] | None = None) -> bytes:
    """An .xlsx with a title row (place, period, view date), Chinese headers, a frozen header row, number
    formats (``formats`` by column, else from the column's type: dates, whole numbers, one decimal) and
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
        ws.append([_cell(v) for v in row])
    ws.freeze_panes = "A3"
    for i, col in enumerate(df.columns, start=1):
        fmt = (formats or {}).get(col) or number_format(df[col])
        if fmt:
            for (cell,) in ws.iter_rows(min_row=3, max_row=len(df) + 2, min_col=i, max_col=i):
                cell.number_format = fmt
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
