"""CSV ledgers: UTF-8 or GBK/GB18030 (never a latin-1 fallback), the delimiter sniffed from the header,
bounded work before any parsing, the body read by Arrow with each record's Excel row kept."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from governance.core import settings
from governance.ingest.readers import encodings
from governance.ingest.readers.table import HEAD_ROWS, Parsed, ReadError, finish, locate_header, no_header

CSV_DELIMITERS = (",", "\t", ";")  # comma wins ties
DECODE_CHUNK = 16 * 1024 * 1024
ARROW_BLOCK = 4 * 1024 * 1024  # a record longer than a block is a parse error
NEWLINE = re.compile(rb"\r\n|\r|\n")

def read_csv(data: bytes, dataset: str, hmap: dict[str, str]) -> Parsed:
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
    del buf  # a GB18030 file's UTF-8 copy is as big as the file: free it before finish copies columns
    return finish(columns, records[header_at], header_at + 1, hmap, encoding=encoding, sheet=None, sheets=[],
                  head=records)


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
        if mixed:
            raise ReadError("encoding", *mixed) from None
        raise _encoding_error(exc) from None
    # GB18030 decodes nearly anything: refuse a reading that is not plausible Chinese (UTF-8 rows before
    # or after GBK ones, Big5) rather than store mojibake. Never a latin-1 fallback.
    mixed = encodings.utf8_then_not(data, utf8_until)
    if mixed:
        raise ReadError("encoding", *mixed)
    if suspect.suspicious_at is not None:
        raise ReadError("encoding", *encodings.diagnose(data, text, suspect.suspicious_at))
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
        f"无法识别文件编码（不是 UTF-8 或 GBK/GB18030，第 {exc.start} 字节起无法解码），{encodings.FIX_ZH}",
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
        f"第 {index + 1} 行过长（{len(line):,} 字节，每行上限 {limit // 1024} KB），请检查该行是否粘贴了大段内容",
        f"line {index + 1} is too long ({len(line):,} bytes, limit {limit // 1024} KB)",
    )


def _too_wide(row: int, cells: int) -> ReadError:
    limit = settings.max_columns()
    return ReadError(
        "too_wide",
        f"第 {row} 行有 {cells:,} 列，超过上限 {limit} 列，已拒绝读取。请删除表格右侧多余的列或分隔符后重新上传",
        f"row {row} has {cells:,} columns, more than the limit of {limit}: delete the stray columns or separators",
    )


def _sniff(buf, start: int, dataset: str, hmap: dict[str, str]) -> tuple[str, list[list[str]], list[int], int]:
    """Delimiter, first records, byte offset after each, and the header's index: the delimiter
    that yields the header with the most recognised cells."""
    best, hits, widest = None, 0, []
    for delimiter in CSV_DELIMITERS:
        records, ends = _head(buf, start, delimiter)
        found = locate_header(records, hmap)
        if found and found[1] > hits:
            best, hits = (delimiter, records, ends, found[0]), found[1]
        if max(map(len, records), default=0) > max(map(len, widest), default=1):
            widest = records  # no header: the rows split the way that makes most cells, to guess the dataset from
    if best is None:
        raise no_header(dataset, widest or _head(buf, start, CSV_DELIMITERS[0])[0])
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
                    "文件含有空字符，可能是二进制文件或无 BOM 的 UTF-16 文本，请另存为 CSV UTF-8",
                    "the file contains NUL characters (binary, or UTF-16 without a BOM); save as CSV UTF-8",
                )
            records.append(record)
            # A record ends where the last line the reader consumed for it ends.
            ends.append(line_ends[reader.line_num - 1])
    except csv.Error as exc:
        raise ReadError(
            "format", f"CSV 格式错误（第 {reader.line_num} 行）：{exc}", f"malformed CSV (line {reader.line_num}): {exc}"
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
        raise ReadError("format", f"CSV 格式错误：{exc}", f"malformed CSV: {exc}") from None


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
