"""xlsx workbooks: sheets found from the package relationships, a declared size checked first, the cells
read by calamine in a child process under memory, CPU and wall-clock limits (xlsx_child.py)."""

from __future__ import annotations

import io
import itertools
import json
import posixpath
import re
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
import zlib
from pathlib import Path

import pyarrow as pa

from governance.core import settings
from governance.ingest.readers.table import HEAD_ROWS, Parsed, ReadError, column_number, find_header, finish
from governance.ingest.readers.xlsx_child import EXIT_MALFORMED

XLSX_MAX_CELLS = 5_000_000
XLSX_MEMORY_BYTES = 2 * 1024**3
XLSX_CPU_SECONDS = 30
XLSX_WALL_SECONDS = 60
XLSX_CHILD = Path(__file__).with_name("xlsx_child.py")
XML_PART_MAX_BYTES = 16 * 1024 * 1024  # workbook.xml and .rels parts; real ones are KBs
DIMENSION_PEEK = 64 * 1024
DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="(?:[^":]*:)?\$?([A-Z]{1,3})\$?(\d{1,7})"')
# What a damaged or odd zip package can raise while we look inside it: missing parts,
# corrupt deflate streams, compression methods or encryption zipfile cannot handle.
PACKAGE_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    StopIteration,
    ET.ParseError,
    ValueError,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
)


def read_xlsx(data: bytes, dataset: str, hmap: dict[str, str], sheet: str | None) -> Parsed:
    parts = _sheet_parts(data)
    names = [name for name, _ in parts]
    if sheet is None:
        sheet = names[0]
    elif sheet not in names:
        raise ReadError(
            "sheet",
            f"工作簿中没有名为“{sheet}”的工作表，现有：{'、'.join(names)}",
            f"no sheet named {sheet!r}; sheets: {', '.join(names)}",
        )
    _check_declared_size(data, dict(parts)[sheet], sheet)
    rows = _run_child(data, sheet)
    if not any(any(row) for row in rows):
        raise ReadError("empty", f"工作表“{sheet}”为空", f"sheet {sheet!r} is empty")
    header_at = find_header(rows[:HEAD_ROWS], dataset, hmap)
    body = rows[header_at + 1 :]
    width = max(map(len, rows))
    columns = [pa.chunked_array([list(col)], pa.string()) for col in itertools.zip_longest(*body)] or [
        pa.chunked_array([], pa.string()) for _ in range(width)
    ]
    return finish(columns, rows[header_at], header_at + 1, hmap, encoding=None, sheet=sheet, sheets=names,
                  head=rows[:HEAD_ROWS])


def _sheet_parts(data: bytes) -> list[tuple[str, str]]:
    """(sheet name, worksheet part) in workbook order, following the package relationships."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        book = next(
            rel.get("Target", "")
            for rel in _xml_part(package, "_rels/.rels")
            if rel.get("Type", "").endswith("/officeDocument")
        ).lstrip("/")
        folder, base = posixpath.split(book)
        targets = {rel.get("Id"): rel.get("Target", "") for rel in _xml_part(package, f"{folder}/_rels/{base}.rels")}
        parts = []
        for element in _xml_part(package, book).iter():
            if _local(element.tag) == "sheet":
                rel_id = next(v for k, v in element.attrib.items() if _local(k) == "id")
                target = targets[rel_id]
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"{folder}/{target}")
                parts.append((element.get("name", ""), path))
    except PACKAGE_ERRORS as exc:
        raise ReadError(
            "format", f"不是有效的 .xlsx 工作簿（{exc}）", f"not a valid .xlsx workbook ({type(exc).__name__}: {exc})"
        ) from None
    if not parts:
        raise ReadError("format", "工作簿中没有工作表", "the workbook has no sheets")
    return parts


def _xml_part(package: zipfile.ZipFile, name: str) -> ET.Element:
    if package.getinfo(name).file_size > XML_PART_MAX_BYTES:
        raise ValueError(f"{name} is implausibly large")
    return ET.fromstring(package.read(name))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _check_declared_size(data: bytes, part: str, sheet: str) -> None:
    """Refuse a sheet whose declared range is absurd before spending a process on it.

    Cheap and incomplete (the <dimension> element is optional and may lie);
    the limits on the child process are the real guard.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)).open(part) as stream:
            head = stream.read(DIMENSION_PEEK)
    except PACKAGE_ERRORS as exc:
        raise ReadError("format", f"工作表“{sheet}”无法读取：{exc}", f"sheet {sheet!r} is unreadable: {exc}") from None
    match = DIMENSION.search(head)  # ref="A1:F120" or ref="A1": the last cell is what counts
    if not match:
        return
    letters, last_row = match.group(1).decode(), int(match.group(2))
    last_column = column_number(letters)
    if last_column > settings.max_columns() or last_column * last_row > XLSX_MAX_CELLS:
        raise _xlsx_limits(f"A1:{letters}{last_row}")


def _run_child(data: bytes, sheet: str) -> list[list[str | None]]:
    """The sheet's cells as text, read by calamine in a child process that cannot take the server down."""
    limits = {
        "sheet": sheet,
        "memory_bytes": XLSX_MEMORY_BYTES,
        "cpu_seconds": XLSX_CPU_SECONDS,
        "max_cells": XLSX_MAX_CELLS,
        "max_columns": settings.max_columns(),
    }
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(XLSX_CHILD), json.dumps(limits)],
            input=data,
            capture_output=True,
            timeout=XLSX_WALL_SECONDS,
        )
    except subprocess.TimeoutExpired:
        raise _xlsx_limits(f"超过 {XLSX_WALL_SECONDS} 秒 over {XLSX_WALL_SECONDS} s") from None
    if done.returncode == 0:
        return json.loads(done.stdout)
    detail = _child_detail(done)
    if done.returncode == EXIT_MALFORMED:
        raise ReadError("format", f"无法读取工作表“{sheet}”：{detail}", f"cannot read sheet {sheet!r}: {detail}")
    raise _xlsx_limits(detail)


def _child_detail(done: subprocess.CompletedProcess) -> str:
    """One line on why the child failed: an abort's first line ("memory allocation of N bytes
    failed", then a Rust backtrace), otherwise the last (the exception under a traceback)."""
    lines = [line for line in done.stderr.decode("utf-8", "backslashreplace").splitlines() if line.strip()]
    rc = done.returncode
    if rc < 0:
        status = signal.Signals(-rc).name if -rc in signal.valid_signals() else f"signal {-rc}"
        return f"{lines[0]} ({status})" if lines else status
    return lines[-1] if lines else f"exit status {rc}"


def _xlsx_limits(detail: str) -> ReadError:
    limits = f"{settings.max_columns()} 列、{XLSX_MAX_CELLS:,} 个单元格"
    return ReadError(
        "xlsx_limits",
        f"工作簿过大或格式异常，已拒绝读取（上限 {limits}；{detail}）。请删除表格以外的多余单元格后另存，或另存为 CSV。",
        f"workbook too large or malformed, refused (limit {settings.max_columns()} columns, {XLSX_MAX_CELLS:,} cells; "
        f"{detail}); delete stray cells outside the table, or save as CSV",
    )

