"""Uploaded file (bytes + name) -> a table of strings for the validator.

Ledgers (台账) arrive as CSV in UTF-8 or GBK/GB18030, or as .xlsx, often with
title rows above the header, blank rows and a closing 合计 row. This module
finds the header, names the columns after the contract, drops what is not
data, and normalises cell text (NFKC, trimmed, empty -> null). It does not
type anything: codes keep their leading zeros, and the validator reports
each row's problems by the row number Excel shows (``Parsed.rows``).

Every problem with the file itself is a ReadError whose message is Chinese
first, then English; bad input never produces a traceback.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import os
import posixpath
import re
import signal
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from governance.core import contract, settings
from governance.ingest import encodings
from governance.ingest.xlsx_child import EXIT_MALFORMED

HEAD_ROWS = 30  # the header must be among the first HEAD_ROWS rows
DEFAULT_MAX_UPLOAD_MB = 50
CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_DELIMITERS = (",", "\t", ";")  # comma wins ties
DECODE_CHUNK = 16 * 1024 * 1024
ARROW_BLOCK = 4 * 1024 * 1024  # a record longer than a block is a parse error

XLSX_MAX_CELLS = 5_000_000
XLSX_MEMORY_BYTES = 2 * 1024**3
XLSX_CPU_SECONDS = 30
XLSX_WALL_SECONDS = 60
XLSX_CHILD = Path(__file__).with_name("xlsx_child.py")
XML_PART_MAX_BYTES = 16 * 1024 * 1024  # workbook.xml and .rels parts; real ones are KBs
DIMENSION_PEEK = 64 * 1024

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls, and password-protected .xlsx
NEWLINE = re.compile(rb"\r\n|\r|\n")
HEADER_NOISE = re.compile(r"[\s*]+")  # spaces and the '*' marking required columns
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
TOTAL_ROW = "^(?:" + "|".join(map(re.escape, contract.TOTAL_LABELS)) + ")(?:$|[:(])"
GRAND_TOTAL_ROW = "^(?:合计|总计|总合计)(?:$|[:(])"  # not 小计: a town's subtotal is followed by more data
FOOTER_ROW = "^(?:填表人|填报人|制表人|审核人|负责人|单位负责人|联系人|联系电话|填表日期|填报日期|制表日期|备注|注)[:：]"


class ReadError(Exception):
    """A file that cannot be read as a table; ``message`` is for people (中文 then English)."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key
        self.message = message


@dataclass
class Parsed:
    table: pa.Table  # string columns, named by contract column name or header text
    rows: pa.Array  # int64: each table row's Excel row number
    letters: dict[str, str]  # column name -> Excel column letter
    headers: dict[str, str]  # column name -> header text as written
    unknown: list[str]  # columns not in the contract for this dataset
    encoding: str | None  # CSV only
    sheet: str | None  # xlsx only
    sheets: list[str]  # xlsx only
    header_row: int
    dropped: list[tuple[int, str]]  # (Excel row, "title" | "blank" | "total")


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
        return _read_xlsx(data, dataset, hmap, sheet)
    return _read_csv(data, dataset, hmap)


def header_map(dataset: str) -> dict[str, str]:
    """Normalised header text -> column name, for every way the contract lets a header be written."""
    ds = contract.dataset(dataset)
    columns = list(ds.columns)
    if dataset in contract.FACT_DATASETS:
        columns += contract.NAME_COLUMNS
    mapping: dict[str, str] = {}
    for col in columns:
        for text in (col.name, col.zh, *contract.HEADER_ALIASES.get(col.name, ())):
            # The first spelling wins, so an alias never takes over another column's own header.
            mapping.setdefault(_header_key(text), col.name)
    return mapping


# --- format and size -------------------------------------------------------


def _check_size(data: bytes, max_bytes: int | None) -> None:
    if max_bytes is None:
        max_bytes = int(float(os.environ.get("GOVERNANCE_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB)) * 1024**2)
    if len(data) > max_bytes:
        size, limit = len(data) / 1024**2, max_bytes / 1024**2
        raise ReadError(
            "too_large",
            f"文件过大（{size:.1f} MB，上限 {limit:g} MB）file too large ({size:.1f} MB, limit {limit:g} MB)",
        )
    if not data:
        raise ReadError("empty", "文件为空 the file is empty")


def _is_xlsx(data: bytes, filename: str) -> bool:
    """True for a workbook, False for CSV text; the content decides when it disagrees with the name."""
    suffix = Path(filename).suffix.lower()
    if data.startswith(ZIP_MAGIC):
        return True
    if data.startswith(OLE_MAGIC) or suffix == ".xls":
        raise ReadError(
            "format",
            "不支持旧版 .xls 或加密的工作簿，请在 Excel 中另存为 .xlsx 或 CSV（UTF-8）后再上传 "
            "old .xls or password-protected workbooks are not supported; save as .xlsx or CSV (UTF-8) in Excel",
        )
    if suffix in XLSX_SUFFIXES:
        raise ReadError("format", f"不是有效的 .xlsx 文件：{filename} is not a valid .xlsx file")
    if suffix in CSV_SUFFIXES:
        return False
    raise ReadError(
        "format",
        f"不支持的文件类型 {suffix or '（无扩展名）'}，请上传 .csv 或 .xlsx "
        f"unsupported file type {suffix or '(no extension)'}; upload .csv or .xlsx",
    )


# --- CSV -------------------------------------------------------------------


def _read_csv(data: bytes, dataset: str, hmap: dict[str, str]) -> Parsed:
    buf, start, encoding = _to_utf8(data)
    # Bounded work before any parsing (issue 10): a line of a million commas made the csv module and
    # Arrow build a million-field row and a million-column table (3.75 GB, 161 s).
    _check_line_lengths(buf, start)
    delimiter, records, ends, header_at = _sniff(buf, start, dataset, hmap)
    for index, record in enumerate(records):
        if len(record) > settings.max_columns():
            raise _too_wide(index + 1, len(record))
    # Some exports end every data line, but not the header, with a delimiter: size the
    # table by the widest record seen, so that such rows do not all need putting back.
    width = max(map(len, records[header_at:]))
    columns = _parse_body(buf, ends[header_at], width, delimiter, first_row=header_at + 2).columns
    del buf  # a GB18030 file's UTF-8 copy is as big as the file: free it before _finish copies columns
    return _finish(columns, records[header_at], header_at + 1, hmap, encoding=encoding, sheet=None, sheets=[])


def _to_utf8(data: bytes) -> tuple[bytes | bytearray, int, str]:
    """The text as UTF-8 bytes, the offset where it starts, and the encoding it came in.

    Strict all the way: a file that is neither UTF-8 nor GB18030 is refused,
    never decoded as latin-1 or with replacement characters.
    """
    try:
        if data.startswith(codecs.BOM_UTF8):
            _validate_utf8(data, len(codecs.BOM_UTF8))
            return data, len(codecs.BOM_UTF8), "utf-8-sig"
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16").encode("utf-8"), 0, "utf-16"
    except UnicodeDecodeError as exc:
        raise _encoding_error(exc) from None
    try:
        _validate_utf8(data, 0)
        return data, 0, "utf-8"
    except UnicodeDecodeError as exc:
        utf8_until = exc.start
    suspect = encodings.Suspect()
    try:
        text = _gb18030_to_utf8(data, suspect)
    except UnicodeDecodeError as exc:
        mixed = encodings.utf8_then_not(data, utf8_until) or encodings.gbk_then_utf8(data)
        raise ReadError("encoding", mixed or _encoding_error(exc).message) from None
    # GB18030 decodes nearly anything: refuse a reading that is not plausible Chinese (UTF-8 rows before
    # or after GBK ones, Big5) rather than store mojibake. Never a latin-1 fallback.
    mixed = encodings.utf8_then_not(data, utf8_until)
    if mixed:
        raise ReadError("encoding", mixed)
    if suspect.suspicious_at is not None:
        raise ReadError("encoding", encodings.diagnose(data, text, suspect.suspicious_at))
    # GB18030 has a BOM of its own (84 31 95 33); it decodes to U+FEFF like UTF-8's.
    return text, len(codecs.BOM_UTF8) if text.startswith(codecs.BOM_UTF8) else 0, "gb18030"


def _validate_utf8(data: bytes, start: int) -> None:
    """Raise UnicodeDecodeError unless data[start:] is UTF-8, without holding the whole text as str."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    view = memoryview(data)
    for pos in range(start, len(data), DECODE_CHUNK):
        decoder.decode(view[pos : pos + DECODE_CHUNK])
    decoder.decode(b"", final=True)


def _gb18030_to_utf8(data: bytes, suspect: encodings.Suspect) -> bytearray:
    decoder = codecs.getincrementaldecoder("gb18030")("strict")
    out = bytearray()
    view = memoryview(data)
    for pos in range(0, len(data) + 1, DECODE_CHUNK):
        final = pos + DECODE_CHUNK > len(data)
        chunk = decoder.decode(view[pos : pos + DECODE_CHUNK], final=final)
        suspect.feed(chunk, len(out))
        out += chunk.encode("utf-8")
    return out


def _encoding_error(exc: UnicodeDecodeError) -> ReadError:
    return ReadError(
        "encoding",
        f"无法识别文件编码（不是 UTF-8 或 GBK/GB18030，第 {exc.start} 字节起无法解码），{encodings.FIX_ZH} "
        f"unreadable encoding: neither UTF-8 nor GBK/GB18030 (undecodable bytes at offset {exc.start}); "
        f"{encodings.FIX_EN}",
    )


def _check_line_lengths(buf, start: int) -> None:
    """Refuse a line longer than settings.max_line_bytes() before the csv module or Arrow sees it.

    numpy over the bytes: the line breaks' positions are all that is held, a few MB for a big file.
    The line number is the text line (a record with a quoted line break spans two).
    """
    limit = settings.max_line_bytes()
    if len(buf) - start <= limit:
        return
    data = np.frombuffer(buf, dtype=np.uint8)[start:]
    breaks = np.flatnonzero(data == 0x0A)
    if not len(breaks):
        breaks = np.flatnonzero(data == 0x0D)  # old Mac line ends
    bounds = np.concatenate(([-1], breaks, [len(data)]))
    lengths = np.diff(bounds) - 1
    over = np.flatnonzero(lengths > limit)
    if not len(over):
        return
    index = int(over[0])
    line = bytes(data[bounds[index] + 1 : bounds[index + 1]])
    cells = max(line.count(d.encode()) for d in CSV_DELIMITERS) + 1
    if cells > settings.max_columns():
        raise _too_wide(index + 1, cells)
    raise ReadError(
        "too_long",
        f"第 {index + 1} 行过长（{len(line):,} 字节，每行上限 {limit // 1024} KB），请检查该行是否粘贴了大段内容 "
        f"line {index + 1} is too long ({len(line):,} bytes, limit {limit // 1024} KB)",
    )


def _too_wide(row: int, cells: int) -> ReadError:
    limit = settings.max_columns()
    return ReadError(
        "too_wide",
        f"第 {row} 行有 {cells:,} 列，超过上限 {limit} 列，已拒绝读取。请删除表格右侧多余的列或分隔符后重新上传 "
        f"row {row} has {cells:,} columns, more than the limit of {limit}: delete the stray columns or separators",
    )


def _sniff(buf, start: int, dataset: str, hmap: dict[str, str]) -> tuple[str, list[list[str]], list[int], int]:
    """Delimiter, first records, byte offset after each, and the header's index: the delimiter
    that yields the header with the most recognised cells."""
    best, hits = None, 0
    for delimiter in CSV_DELIMITERS:
        records, ends = _head(buf, start, delimiter)
        found = _locate_header(records, hmap)
        if found and found[1] > hits:
            best, hits = (delimiter, records, ends, found[0]), found[1]
    if best is None:
        raise _no_header(dataset, _head(buf, start, CSV_DELIMITERS[0])[0])
    return best


def _head(buf, start: int, delimiter: str) -> tuple[list[list[str]], list[int]]:
    """The first HEAD_ROWS records, parsed in Python, and the byte offset just after each."""
    line_ends: list[int] = []

    def lines():
        pos = start
        while pos < len(buf):
            match = NEWLINE.search(buf, pos)
            end = match.end() if match else len(buf)
            line_ends.append(end)
            yield buf[pos:end].decode("utf-8")
            pos = end

    reader = csv.reader(lines(), delimiter=delimiter)
    records, ends = [], []
    try:
        for record in itertools.islice(reader, HEAD_ROWS):
            if any("\x00" in cell for cell in record):
                raise ReadError(
                    "encoding",
                    "文件含有空字符，可能是二进制文件或无 BOM 的 UTF-16 文本，请另存为 CSV UTF-8 "
                    "the file contains NUL characters (binary, or UTF-16 without a BOM); save as CSV UTF-8",
                )
            records.append(record)
            # A record ends where the last line the reader consumed for it ends.
            ends.append(line_ends[reader.line_num - 1])
    except csv.Error as exc:
        raise ReadError(
            "format", f"CSV 格式错误（第 {reader.line_num} 行）：{exc} malformed CSV (line {reader.line_num}): {exc}"
        ) from None
    return records, ends


def _parse_body(buf, offset: int, width: int, delimiter: str, first_row: int) -> pa.Table:
    """Every record after the header as string columns c0.., one table row per CSV record,
    so that record i is Excel row header_row + 1 + i (first_row + i)."""
    names = [f"c{i}" for i in range(width)]
    if offset >= len(buf):
        return pa.table({name: pa.array([], pa.string()) for name in names})
    source = pa.py_buffer(buf).slice(offset)  # no copy of a 100 MB upload
    bad: list = []
    table = _arrow_csv(source, names, delimiter, bad, use_threads=True)
    if bad:
        # Records with another cell count are skipped by Arrow, and only a
        # single-threaded read says where they were; read again to put them back.
        bad.clear()
        table = _arrow_csv(source, names, delimiter, bad, use_threads=False)
        # Arrow only counted the cells of a too-wide record; putting it back would build it.
        wide = next((row for row in bad if row.actual_columns > settings.max_columns()), None)
        if wide is not None:
            raise _too_wide(first_row + wide.number - 1, wide.actual_columns)
        table = _put_back(table, bad, delimiter)
    return table


def _arrow_csv(source: pa.Buffer, names: list[str], delimiter: str, bad: list, use_threads: bool) -> pa.Table:
    def skip(row) -> str:
        bad.append(row)
        return "skip"

    try:
        return pacsv.read_csv(
            pa.BufferReader(source),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=use_threads, block_size=ARROW_BLOCK),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=True,
                ignore_empty_lines=False,  # an empty line is a row, or the row numbers drift
                invalid_row_handler=skip,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except pa.ArrowInvalid as exc:
        raise ReadError("format", f"CSV 格式错误：{exc} malformed CSV: {exc}") from None


def _put_back(table: pa.Table, bad: list, delimiter: str) -> pa.Table:
    """Insert the records Arrow skipped (too few or too many cells) at their places, padded with nulls."""
    bad.sort(key=lambda row: row.number)
    cells = [next(csv.reader(io.StringIO(row.text), delimiter=delimiter), []) for row in bad]
    width = max(table.num_columns, *(len(c) for c in cells))
    columns = {
        f"c{i}": pa.array([c[i] if i < len(c) and c[i] != "" else None for c in cells], pa.string())
        for i in range(width)
    }
    total = table.num_rows + len(bad)
    placed = np.array([row.number for row in bad], dtype=np.int64) - 1
    order = np.empty(total, dtype=np.int64)
    order[np.setdiff1d(np.arange(total), placed, assume_unique=True)] = np.arange(table.num_rows)
    order[placed] = table.num_rows + np.arange(len(bad))
    combined = pa.concat_tables([table, pa.table(columns)], promote_options="default")
    return combined.take(order)


# --- xlsx ------------------------------------------------------------------


def _read_xlsx(data: bytes, dataset: str, hmap: dict[str, str], sheet: str | None) -> Parsed:
    parts = _sheet_parts(data)
    names = [name for name, _ in parts]
    if sheet is None:
        sheet = names[0]
    elif sheet not in names:
        raise ReadError(
            "sheet",
            f"工作簿中没有名为“{sheet}”的工作表，现有：{'、'.join(names)} "
            f"no sheet named {sheet!r}; sheets: {', '.join(names)}",
        )
    _check_declared_size(data, dict(parts)[sheet], sheet)
    rows = _run_child(data, sheet)
    if not any(any(row) for row in rows):
        raise ReadError("empty", f"工作表“{sheet}”为空 sheet {sheet!r} is empty")
    header_at = _find_header(rows[:HEAD_ROWS], dataset, hmap)
    body = rows[header_at + 1 :]
    width = max(map(len, rows))
    columns = [pa.chunked_array([list(col)], pa.string()) for col in itertools.zip_longest(*body)] or [
        pa.chunked_array([], pa.string()) for _ in range(width)
    ]
    return _finish(columns, rows[header_at], header_at + 1, hmap, encoding=None, sheet=sheet, sheets=names)


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
            "format", f"不是有效的 .xlsx 工作簿（{exc}）not a valid .xlsx workbook ({type(exc).__name__}: {exc})"
        ) from None
    if not parts:
        raise ReadError("format", "工作簿中没有工作表 the workbook has no sheets")
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
        raise ReadError("format", f"工作表“{sheet}”无法读取 sheet {sheet!r} is unreadable: {exc}") from None
    match = DIMENSION.search(head)  # ref="A1:F120" or ref="A1": the last cell is what counts
    if not match:
        return
    letters, last_row = match.group(1).decode(), int(match.group(2))
    last_column = _column_number(letters)
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
        raise ReadError("format", f"无法读取工作表“{sheet}” cannot read sheet {sheet!r}: {detail}")
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
        f"工作簿过大或格式异常，已拒绝读取（上限 {limits}；{detail}）。请删除表格以外的多余单元格后另存，或另存为 CSV。"
        f"workbook too large or malformed, refused (limit {settings.max_columns()} columns, {XLSX_MAX_CELLS:,} cells; "
        f"{detail}); delete stray cells outside the table, or save as CSV",
    )


# --- shared: header, dropped rows, names -------------------------------------


def _header_key(text: str) -> str:
    """How headers are compared: NFKC (full-width brackets to ASCII), no spaces or '*', lower case."""
    return HEADER_NOISE.sub("", unicodedata.normalize("NFKC", text)).lower()


def _locate_header(rows: list[list], hmap: dict[str, str]) -> tuple[int, int] | None:
    """(index, recognised cells) of the first row with two recognised headers (or only recognised ones)."""
    for index, row in enumerate(rows):
        cells = [cell for cell in row if cell and cell.strip()]
        hits = sum(_header_key(cell) in hmap for cell in cells)
        if cells and hits >= min(2, len(cells)):
            return index, hits
    return None


def _find_header(rows: list[list], dataset: str, hmap: dict[str, str]) -> int:
    found = _locate_header(rows, hmap)
    if found is None:
        raise _no_header(dataset, rows)
    return found[0]


def _no_header(dataset: str, rows: list[list]) -> ReadError:
    if not any(cell and cell.strip() for row in rows for cell in row):
        return ReadError("empty", "文件没有内容 the file has no content")
    expected = [col.zh for col in contract.dataset(dataset).columns[:4]]
    return ReadError(
        "no_header",
        f"前 {HEAD_ROWS} 行中找不到表头行，应有 {'、'.join(expected)} 等列 "
        f"no header row in the first {HEAD_ROWS} rows; expected headers such as {', '.join(expected)}",
    )


def _finish(
    columns: list[pa.ChunkedArray],
    header: list[str | None],
    header_row: int,
    hmap: dict[str, str],
    *,
    encoding: str | None,
    sheet: str | None,
    sheets: list[str],
) -> Parsed:
    """Normalise, drop blank and total rows, name the columns: the same for CSV and xlsx.

    ``columns`` hold the rows below the header (at least one column per
    header cell); row i is Excel row header_row + 1 + i. The list is
    replaced column by column, so that a big upload is not held twice.
    """
    for index, column in enumerate(columns):
        columns[index] = _normalise(column)
    _check_cell_lengths(columns, header, header_row)
    first = pc.coalesce(*columns)
    blank = pc.is_null(first)
    squeezed = pc.replace_substring_regex(first, r"\s+", "")
    total = pc.fill_null(pc.match_substring_regex(squeezed, TOTAL_ROW), False)
    # Below a closing 合计/总计 come the signatures (填表人：…, 审核人：…): a footer, not data.
    grand = np.flatnonzero(_to_numpy(pc.fill_null(pc.match_substring_regex(squeezed, GRAND_TOTAL_ROW), False)))
    footer = np.zeros(len(first), dtype=bool)
    if len(grand):
        footer[grand[-1] + 1:] = True
    footer &= _to_numpy(pc.fill_null(pc.match_substring_regex(squeezed, FOOTER_ROW), False))
    keep = pc.and_(pc.invert(pc.or_(blank, total)), pa.array(~footer))
    kept = pc.indices_nonzero(keep)
    for index, column in enumerate(columns):
        columns[index] = _take(column, kept)

    dropped = [(row, "title") for row in range(1, header_row)]
    dropped += sorted(
        [(header_row + 1 + int(i), "blank") for i in np.flatnonzero(_to_numpy(blank))]
        + [(header_row + 1 + int(i), "total") for i in np.flatnonzero(_to_numpy(total))]
        + [(header_row + 1 + int(i), "footer") for i in np.flatnonzero(footer)]
    )

    known = set(hmap.values())
    names, arrays, letters, headers, unknown = [], [], {}, {}, []
    for index, column in enumerate(columns):
        text = (header[index] if index < len(header) else None) or ""
        written = text.strip()
        if not written and column.null_count == len(column):
            continue  # an empty column without a header: spacing, not data
        name = _unique(hmap.get(_header_key(written), written) or f"列{_column_letter(index)}", names)
        if name not in known:
            unknown.append(name)
        names.append(name)
        arrays.append(column)
        letters[name] = _column_letter(index)
        if written:  # a column without a header has no text to show, only its letter
            headers[name] = written

    return Parsed(
        table=pa.table(arrays, names=names),
        rows=pc.add(kept.cast(pa.int64()), header_row + 1),
        letters=letters,
        headers=headers,
        unknown=unknown,
        encoding=encoding,
        sheet=sheet,
        sheets=sheets,
        header_row=header_row,
        dropped=dropped,
    )


def _check_cell_lengths(columns: list[pa.ChunkedArray], header: list[str | None], header_row: int) -> None:
    """Refuse a cell longer than settings.max_cell_chars(), naming its row and column (issue 10: a 6 MB
    category was accepted, and the petitions page then never finished drawing in any browser)."""
    limit = settings.max_cell_chars()
    found: list[tuple[int, int, int]] = []  # (row, column index, length)
    for index, cell in enumerate(header):
        if cell and len(cell) > limit:
            found.append((header_row, index, len(cell)))
    for index, column in enumerate(columns):
        if not len(column):
            continue
        lengths = pc.fill_null(pc.utf8_length(column), 0)
        if pc.max(lengths).as_py() <= limit:
            continue
        over = np.flatnonzero(_to_numpy(pc.greater(lengths, limit)))[:5]
        values = _to_numpy(lengths)
        found += [(header_row + 1 + int(i), index, int(values[i])) for i in over]
    if not found:
        return
    found.sort()
    zh = "；".join(f"第 {r} 行 {_column_letter(c)} 列（{n:,} 个字符）" for r, c, n in found[:5])
    en = "; ".join(f"row {r} column {_column_letter(c)} ({n:,} characters)" for r, c, n in found[:5])
    raise ReadError(
        "too_long",
        f"单元格内容过长（每格上限 {limit} 个字符）：{zh}。请精简后重新上传 "
        f"cell text too long (limit {limit} characters): {en}",
    )


def _take(column: pa.ChunkedArray, kept: pa.Array) -> pa.ChunkedArray:
    """The kept rows; a zero-copy slice in the usual case of dropped rows only at the ends."""
    if len(kept) == 0:
        return column.slice(0, 0)
    start, stop = kept[0].as_py(), kept[-1].as_py() + 1
    if stop - start == len(kept):
        return column.slice(start, stop - start)
    return column.take(kept)


def _normalise(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Full-width digits, letters and brackets to ASCII (NFKC), outer spaces trimmed, empty -> null."""
    text = pc.utf8_trim_whitespace(pc.utf8_normalize(column, "NFKC"))
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


def _to_numpy(mask: pa.ChunkedArray) -> np.ndarray:
    return mask.to_numpy() if len(mask) else np.zeros(0, dtype=bool)


def _unique(name: str, taken: list[str]) -> str:
    """A repeated header keeps its column as name#2, name#3..."""
    if name not in taken:
        return name
    return next(f"{name}#{n}" for n in itertools.count(2) if f"{name}#{n}" not in taken)


def _column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _column_number(letters: str) -> int:
    """A -> 1, Z -> 26, AA -> 27."""
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - ord("A") + 1
    return number
