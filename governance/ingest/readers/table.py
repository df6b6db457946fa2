"""What CSV and xlsx reading share: the header row, the dropped rows, the column names, the result.

Both readers hand ``finish`` the header row's cells and the columns below it as strings; it normalises
cell text (NFKC, trimmed, empty -> null), drops blank, total and footer rows, and names the columns
after the contract. Every problem with the file itself is a ReadError whose message is Chinese first,
then English; bad input never produces a traceback.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from governance.core import contract, settings

HEAD_ROWS = 30  # the header must be among the first HEAD_ROWS rows
HEADER_NOISE = re.compile(r"[\s*]+")  # spaces and the '*' marking required columns
TOTAL_ROW = "^(?:" + "|".join(map(re.escape, contract.TOTAL_LABELS)) + ")(?:$|[:(])"
GRAND_TOTAL_ROW = "^(?:合计|总计|总合计)(?:$|[:(])"  # not 小计: a town's subtotal is followed by more data
FOOTER_ROW = "^(?:填表人|填报人|制表人|审核人|负责人|单位负责人|联系人|联系电话|填表日期|填报日期|制表日期|备注|注)[:：]"


class ReadError(Exception):
    """A file that cannot be read as a table: ``zh`` for the page, ``message`` (中文 then English) for the log
    and the command line; ``head`` holds the first rows when no header was found, to guess the dataset from."""

    def __init__(self, key: str, zh: str, en: str = "", head: list[list] | None = None):
        self.key, self.zh, self.en, self.head = key, zh, en, head
        self.message = f"{zh} {en}" if en else zh
        super().__init__(self.message)


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
    head: list[list] = field(default_factory=list)  # the first HEAD_ROWS rows as read, to guess the dataset from


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
            mapping.setdefault(header_key(text), col.name)
    return mapping


# --- shared: header, dropped rows, names -------------------------------------


def header_key(text: str) -> str:
    """How headers are compared: NFKC (full-width brackets to ASCII), no spaces or '*', lower case."""
    return HEADER_NOISE.sub("", unicodedata.normalize("NFKC", text)).lower()


def locate_header(rows: list[list], hmap: dict[str, str]) -> tuple[int, int] | None:
    """(index, recognised cells) of the first row with two recognised headers (or only recognised ones)."""
    for index, row in enumerate(rows):
        cells = [cell for cell in row if cell and cell.strip()]
        hits = sum(header_key(cell) in hmap for cell in cells)
        if cells and hits >= min(2, len(cells)):
            return index, hits
    return None


def find_header(rows: list[list], dataset: str, hmap: dict[str, str]) -> int:
    found = locate_header(rows, hmap)
    if found is None:
        raise no_header(dataset, rows)
    return found[0]


def no_header(dataset: str, rows: list[list]) -> ReadError:
    if not any(cell and cell.strip() for row in rows for cell in row):
        return ReadError("empty", "文件没有内容", "the file has no content")
    expected = [col.zh for col in contract.dataset(dataset).columns[:4]]
    return ReadError(
        "no_header",
        f"前 {HEAD_ROWS} 行中找不到表头行，应有 {'、'.join(expected)} 等列",
        f"no header row in the first {HEAD_ROWS} rows; expected headers such as {', '.join(expected)}",
        head=rows,
    )


def finish(
    columns: list[pa.ChunkedArray],
    header: list[str | None],
    header_row: int,
    hmap: dict[str, str],
    *,
    encoding: str | None,
    sheet: str | None,
    sheets: list[str],
    head: list[list] | None = None,
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
        name = _unique(hmap.get(header_key(written), written) or f"列{column_letter(index)}", names)
        if name not in known:
            unknown.append(name)
        names.append(name)
        arrays.append(column)
        letters[name] = column_letter(index)
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
        head=head or [],
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
    zh = "；".join(f"第 {r} 行 {column_letter(c)} 列（{n:,} 个字符）" for r, c, n in found[:5])
    en = "; ".join(f"row {r} column {column_letter(c)} ({n:,} characters)" for r, c, n in found[:5])
    raise ReadError(
        "too_long",
        f"单元格内容过长（每格上限 {limit} 个字符）：{zh}。请精简后重新上传",
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


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def column_number(letters: str) -> int:
    """A -> 1, Z -> 26, AA -> 27."""
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - ord("A") + 1
    return number
