"""Uploaded file (bytes + name) -> a table of strings for the validator.

Ledgers (台账) arrive as CSV in UTF-8 or GBK/GB18030, or as .xlsx, often with
title rows above the header, blank rows and a closing 合计 row. This module
finds the header, names the columns after the contract, drops what is not
data, and normalises cell text (NFKC, trimmed, empty -> null). It does not
type anything: codes keep their leading zeros, and the validator reports
each row's problems by the row number Excel shows (``Parsed.rows``).

Every problem with the file itself is a ReadError whose message is Chinese
first, then English; bad input never produces a traceback.

Layout: ``table`` (the header, dropped rows, names and the Parsed result both formats share),
``csv_reader``, ``xlsx_reader`` (with ``xlsx_child``, the process that reads a sheet) and ``encodings``
(is a GB18030 reading plausible Chinese?). This module picks the format and checks the size.
"""

from __future__ import annotations

import os
from pathlib import Path

from governance.ingest.readers.csv_reader import read_csv
from governance.ingest.readers.table import HEAD_ROWS, Parsed, ReadError, header_map
from governance.ingest.readers.xlsx_reader import read_xlsx

__all__ = ["HEAD_ROWS", "Parsed", "ReadError", "header_map", "read_upload"]

DEFAULT_MAX_UPLOAD_MB = 50
CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls, and password-protected .xlsx


def read_upload(
    data: bytes,
    filename: str,
    dataset: str,
    *,
    sheet: str | None = None,
    max_bytes: int | None = None,
) -> Parsed:
    """Read an upload of ``dataset``; raise ReadError for anything unreadable."""
    _check_size(data, max_bytes)
    hmap = header_map(dataset)
    if _is_xlsx(data, filename):
        return read_xlsx(data, dataset, hmap, sheet)
    return read_csv(data, dataset, hmap)


# --- format and size -------------------------------------------------------


def max_upload_mb() -> float:
    """The web upload's cap (GOVERNANCE_MAX_UPLOAD_MB, 50); the command line has none."""
    return float(os.environ.get("GOVERNANCE_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB))


def _check_size(data: bytes, max_bytes: int | None) -> None:
    if max_bytes is None:
        max_bytes = int(max_upload_mb() * 1024**2)
    if len(data) > max_bytes:
        size, limit = len(data) / 1024**2, max_bytes / 1024**2
        raise ReadError(
            "too_large",
            f"文件过大（{size:.1f} MB，上限 {limit:g} MB）",
            f"file too large ({size:.1f} MB, limit {limit:g} MB)",
        )
    if not data:
        raise ReadError("empty", "文件为空", "the file is empty")


def _is_xlsx(data: bytes, filename: str) -> bool:
    """True for a workbook, False for CSV text; the content decides when it disagrees with the name."""
    suffix = Path(filename).suffix.lower()
    if data.startswith(ZIP_MAGIC):
        return True
    if data.startswith(OLE_MAGIC) or suffix == ".xls":
        raise ReadError(
            "format",
            "不支持旧版 .xls 或加密的工作簿，请在 Excel 中另存为 .xlsx 或 CSV（UTF-8）后再上传",
            "old .xls or password-protected workbooks are not supported; save as .xlsx or CSV (UTF-8) in Excel",
        )
    if suffix in XLSX_SUFFIXES:
        raise ReadError("format", f"不是有效的 .xlsx 文件：{filename}", f"{filename} is not a valid .xlsx file")
    if suffix in CSV_SUFFIXES:
        return False
    raise ReadError(
        "format",
        f"不支持的文件类型 {suffix or '（无扩展名）'}，请上传 .csv 或 .xlsx",
        f"unsupported file type {suffix or '(no extension)'}; upload .csv or .xlsx",
    )

