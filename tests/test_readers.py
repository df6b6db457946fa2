"""Reading uploads: encodings, header detection, dropped rows, Excel row numbers, xlsx limits.

Every fixture is made here, in code. Row numbers are the ones Excel shows:
1-based, counting title rows and the header row.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import resource
import time
import zipfile

import openpyxl
import pytest

from governance.ingest import readers
from governance.ingest.readers import ReadError, header_map, read_upload
from governance.ingest.readers import xlsx_reader
from governance.ingest.readers.xlsx_child import cell_text

HEADER = "信访件编号,区划代码,受理日期,信访形式"
TITLED = (
    "清源县2024年10月信访台账\n"
    "填报单位：清源县信访局,,,\n"
    f"{HEADER}\n"
    "XF001,411102001201,2024-10-08,来信\n"
    "XF002,411102001202,2024-10-09,来访\n"
)


def read(text: str | bytes, filename: str = "ledger.csv", dataset: str = "petitions", **kwargs) -> readers.Parsed:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return read_upload(data, filename, dataset, **kwargs)


def refused(data: bytes, filename: str = "ledger.csv", dataset: str = "petitions", **kwargs) -> ReadError:
    with pytest.raises(ReadError) as caught:
        read_upload(data, filename, dataset, **kwargs)
    return caught.value


def column(parsed: readers.Parsed, name: str) -> list:
    return parsed.table.column(name).to_pylist()


def rows(parsed: readers.Parsed) -> list[int]:
    return parsed.rows.to_pylist()


def workbook(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, content in sheets.items():
        sheet = book.create_sheet(name)
        for row in content:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- encodings ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "encoding"), [(b"", "utf-8"), (b"\xef\xbb\xbf", "utf-8-sig")], ids=["no-bom", "bom"]
)
def test_utf8_with_and_without_bom(prefix, encoding):
    parsed = read(prefix + TITLED.encode("utf-8"))
    assert parsed.encoding == encoding
    assert parsed.table.column_names == ["case_id", "region_code", "received_on", "channel"]
    assert column(parsed, "channel") == ["来信", "来访"]
    assert parsed.headers["case_id"] == "信访件编号"  # the BOM is not part of the first header


@pytest.mark.parametrize("codec", ["gbk", "gb18030"])
def test_gbk_and_gb18030(codec):
    parsed = read(TITLED.encode(codec))
    assert parsed.encoding == "gb18030"
    assert column(parsed, "channel") == ["来信", "来访"]
    assert parsed.headers["region_code"] == "区划代码"


def test_gb18030_outside_gbk():
    text = "区划代码,受理日期,问题类别\n411102001201,2024-10-08,𠀀字问题\n"
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")  # the fixture really needs GB18030's four-byte sequences
    parsed = read(text.encode("gb18030"))
    assert parsed.encoding == "gb18030"
    assert column(parsed, "category") == ["𠀀字问题"]


def test_gb18030_bom():
    parsed = read(b"\x84\x31\x95\x33" + TITLED.encode("gb18030"))
    assert parsed.encoding == "gb18030"
    assert parsed.headers["case_id"] == "信访件编号"


def test_utf16_with_bom():
    parsed = read(TITLED.encode("utf-16"))
    assert parsed.encoding == "utf-16"
    assert column(parsed, "case_id") == ["XF001", "XF002"]


@pytest.mark.parametrize(
    "data",
    [
        "区划代码,受理日期\n".encode("utf-8") + b"\xff\xfa\xfb\x80\x81,2024-10-08\n",
        b"\xff\xfa\xfb\xfc\x80\x81\x82",
        random.Random(7).randbytes(4096),
    ],
    ids=["bad-row", "no-valid-bom", "random"],
)
def test_neither_utf8_nor_gb18030_is_refused(data):
    error = refused(data)
    assert error.key == "encoding"
    assert error.message.startswith("无法识别文件编码")
    assert "unreadable encoding" in error.message
    assert "ÿ" not in error.message  # never decoded as latin-1


def test_nul_characters_are_refused():
    # UTF-16 without its BOM: ASCII letters with NULs between, which is valid UTF-8.
    error = refused("region_code,received_on\n411102001201,2024-10-08\n".encode("utf-16-le"))
    assert error.key == "encoding"


# --- header, titles, dropped rows, row numbers --------------------------------


def test_title_rows_above_the_header():
    parsed = read(TITLED)
    assert parsed.header_row == 3
    assert parsed.dropped == [(1, "title"), (2, "title")]
    assert rows(parsed) == [4, 5]
    assert column(parsed, "case_id") == ["XF001", "XF002"]


def test_blank_rows_and_closing_total_dropped():
    text = (
        "清源县2024年10月信访台账\n"
        f"{HEADER}\n"
        "XF001,411102001201,2024-10-08,来信\n"
        "\n"  # an empty line
        ",,,\n"  # a row of empty cells
        "XF002,411102001202,2024-10-09,来访\n"
        " , ,　,\n"  # only spaces, one of them U+3000
        "XF003,411102001203,2024-10-10,网上\n"
        "合 计：,,,3\n"
    )
    parsed = read(text)
    assert column(parsed, "case_id") == ["XF001", "XF002", "XF003"]
    assert rows(parsed) == [3, 6, 8]
    assert parsed.dropped == [(1, "title"), (4, "blank"), (5, "blank"), (7, "blank"), (9, "total")]


@pytest.mark.parametrize("label", ["合计", "总计", "小计", "总合计", "合计:", "合计（城关镇）", "  小计(东城街道)  "])
def test_total_labels(label):
    parsed = read(f"{HEADER}\nXF001,411102001201,2024-10-08,来信\n{label},,,1\n")
    assert parsed.dropped == [(3, "total")]
    assert parsed.table.num_rows == 1


def test_total_in_first_non_empty_cell_and_lookalikes_kept():
    text = (
        f"序号,{HEADER}\n"
        "1,XF001,411102001201,2024-10-08,来信\n"
        ",合计,,,\n"  # the label need not be in column A
        "2,合计数,411102001202,2024-10-09,来访\n"  # not a total: the validator will judge it
    )
    parsed = read(text)
    assert parsed.dropped == [(3, "total")]
    assert column(parsed, "case_id") == ["XF001", "合计数"]
    assert rows(parsed) == [2, 4]


def test_english_headers_any_case():
    parsed = read("Case_ID,REGION_CODE,received_on,channel\nXF001,411102001201,2024-10-08,letter\n")
    assert parsed.table.column_names == ["case_id", "region_code", "received_on", "channel"]
    assert parsed.headers["region_code"] == "REGION_CODE"
    assert parsed.header_row == 1 and parsed.dropped == [] and parsed.unknown == []


def test_required_markers_full_width_brackets_and_place_names():
    text = "*信访件编号, ＊受理日期 ,信访形式,乡镇（街道）,村（社区）\nXF001,2024-10-08,来信,城关镇,东关社区\n"
    parsed = read(text)
    assert parsed.table.column_names == ["case_id", "received_on", "channel", "town", "village"]
    assert parsed.headers == {
        "case_id": "*信访件编号",
        "received_on": "＊受理日期",
        "channel": "信访形式",
        "town": "乡镇（街道）",
        "village": "村（社区）",
    }
    assert parsed.letters == {"case_id": "A", "received_on": "B", "channel": "C", "town": "D", "village": "E"}
    assert column(parsed, "village") == ["东关社区"]


def test_full_width_values_spaces_and_leading_zeros():
    text = f"{HEADER}\n　００１２３４ ,  ４１１１２２００１２０１\t,２０２４－１０－０８, 来信　\n"
    parsed = read(text)
    assert column(parsed, "case_id") == ["001234"]
    assert column(parsed, "region_code") == ["411122001201"]
    assert column(parsed, "received_on") == ["2024-10-08"]
    assert column(parsed, "channel") == ["来信"]


def test_codes_stay_strings():
    parsed = read("区划代码,受理日期,是否重复信访\n011102001201,20241008,1\n")
    assert all(str(t) == "string" for t in parsed.table.schema.types)
    assert column(parsed, "region_code") == ["011102001201"]
    assert column(parsed, "received_on") == ["20241008"]


def test_unknown_and_duplicate_columns():
    parsed = read("区划代码,受理日期,备注,区划代码\n411102001201,2024-10-08,电话回访,411102001202\n")
    assert parsed.table.column_names == ["region_code", "received_on", "备注", "region_code#2"]
    assert parsed.unknown == ["备注", "region_code#2"]
    assert parsed.letters["region_code#2"] == "D"
    assert parsed.headers["region_code#2"] == "区划代码"
    assert column(parsed, "region_code#2") == ["411102001202"]


def test_columns_without_header():
    # Column C has no header and no data (spacing); column E has data but no header.
    parsed = read("区划代码,受理日期,,信访形式,\n411102001201,2024-10-08,,来信,看这里\n")
    assert parsed.table.column_names == ["region_code", "received_on", "channel", "列E"]
    assert parsed.letters == {"region_code": "A", "received_on": "B", "channel": "D", "列E": "E"}
    assert parsed.unknown == ["列E"]


def test_letters_beyond_z():
    header = ["区划代码", "受理日期"] + [f"备注{i}" for i in range(25)] + ["信访形式"]
    parsed = read(",".join(header) + "\n" + ",".join(["x"] * len(header)) + "\n")
    assert parsed.letters["备注23"] == "Z"
    assert parsed.letters["备注24"] == "AA"
    assert parsed.letters["channel"] == "AB"


def test_header_map_follows_the_contract():
    petitions = header_map("petitions")
    assert petitions["受理日期"] == petitions["received_on"] == petitions["受理时间"] == "received_on"
    assert petitions["乡镇(街道)"] == "town" and petitions["村(社区)"] == "village"
    regions = header_map("regions")
    assert regions["区划代码"] == "region_code" and regions["名称"] == "name"
    assert "乡镇(街道)" not in regions  # place names stand in for codes only in fact datasets


def test_no_header_row():
    error = refused("清源县2024年10月信访台账\n甲,乙,丙\n1,2,3\n".encode("utf-8"))
    assert error.key == "no_header"
    assert error.message.startswith("前 30 行中找不到表头行")
    assert "信访件编号" in error.message and "区划代码" in error.message


def test_header_must_be_in_first_30_rows():
    assert refused(("说明\n" * 30 + f"{HEADER}\n").encode("utf-8")).key == "no_header"
    assert read("说明\n" * 29 + f"{HEADER}\n").header_row == 30


@pytest.mark.parametrize("data", [b"", b"\n\n  \n", b"\xef\xbb\xbf"])
def test_empty_files(data):
    assert refused(data).key == "empty"


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_tab_and_semicolon_delimiters(delimiter):
    text = f"台账,说明\n区划代码{delimiter}受理日期{delimiter}信访形式\n411102001201{delimiter}2024-10-08{delimiter}来信\n"
    parsed = read(text, "ledger.txt")
    assert parsed.table.column_names == ["region_code", "received_on", "channel"]
    assert column(parsed, "channel") == ["来信"] and parsed.header_row == 2


def test_crlf_line_endings():
    parsed = read(TITLED.replace("\n", "\r\n"))
    assert parsed.header_row == 3 and rows(parsed) == [4, 5]
    assert column(parsed, "channel") == ["来信", "来访"]


def test_quoted_newline_does_not_crash():
    text = f'{HEADER},问题类别\nXF001,411102001201,2024-10-08,来信,"土地\n征收"\nXF002,411102001202,2024-10-09,来访,其他\n'
    parsed = read(text)
    assert column(parsed, "category") == ["土地\n征收", "其他"]
    assert rows(parsed) == [2, 3]  # as Excel shows it: one row per record


def test_rows_with_too_few_or_too_many_cells_keep_their_place():
    text = (
        f"{HEADER}\n"
        "XF001,411102001201,2024-10-08,来信\n"
        "XF002,411102001202\n"  # short: padded with nulls
        "XF003,411102001203,2024-10-10,网上,多出来\n"  # long: the extra cell gets its own column
        "XF004,411102001204,2024-10-11,电话\n"
        "填表人：张三\n"  # a note below the table is kept for the validator to report
    )
    parsed = read(text)
    assert column(parsed, "case_id") == ["XF001", "XF002", "XF003", "XF004", "填表人:张三"]
    assert column(parsed, "received_on") == ["2024-10-08", None, "2024-10-10", "2024-10-11", None]
    assert column(parsed, "列E") == [None, None, "多出来", None, None]
    assert rows(parsed) == [2, 3, 4, 5, 6]


def test_row_numbers_exact_across_parse_blocks():
    """Enough rows for several of Arrow's blocks, with blank, ragged and total rows deep inside."""
    lines = ["清源县信访台账", HEADER]
    for i in range(300_000):
        lines.append(f"XF{i:06d},411102001201,2024-10-08,来信")
    lines[60_000] = ""
    lines[90_000] = "XF-SHORT,411102001201"
    lines[120_000] = "合计,,,"
    parsed = read("\n".join(lines) + "\n")
    assert parsed.dropped == [(1, "title"), (60_001, "blank"), (120_001, "total")]
    numbers = rows(parsed)
    cases = column(parsed, "case_id")
    assert len(numbers) == 300_000 - 2
    for n, case in zip(numbers, cases):
        expected = "XF-SHORT" if n == 90_001 else f"XF{n - 3:06d}"
        assert case == expected, n


# --- format and size -----------------------------------------------------------


def test_size_cap(monkeypatch):
    data = TITLED.encode("utf-8")
    error = refused(data, max_bytes=100)
    assert error.key == "too_large"
    assert error.message.startswith("文件过大") and "file too large" in error.message
    monkeypatch.setenv("GOVERNANCE_MAX_UPLOAD_MB", "0.0001")
    assert refused(data).key == "too_large"
    monkeypatch.setenv("GOVERNANCE_MAX_UPLOAD_MB", "1")
    assert read(data).table.num_rows == 2


def test_default_size_cap_is_50_mb(monkeypatch):
    monkeypatch.delenv("GOVERNANCE_MAX_UPLOAD_MB", raising=False)
    error = refused(b"x" * (50 * 1024 * 1024 + 1))
    assert error.key == "too_large" and "上限 50 MB" in error.message


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "ledger.xls"),  # a real old .xls
        (TITLED.encode("utf-8"), "ledger.xls"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "locked.xlsx"),  # password-protected
        (TITLED.encode("utf-8"), "ledger.xlsx"),  # not a zip
        (b"PK\x03\x04 not really a zip", "ledger.xlsx"),
        (TITLED.encode("utf-8"), "ledger.pdf"),
    ],
    ids=["xls", "csv-named-xls", "encrypted", "text-named-xlsx", "broken-zip", "pdf"],
)
def test_unsupported_formats(data, filename):
    error = refused(data, filename)
    assert error.key == "format"
    assert re.match(r"[\u4e00-\u9fff]", error.message)  # Chinese first


def test_xls_message_says_what_to_do():
    message = refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "ledger.xls").message
    assert ".xlsx" in message and "CSV" in message


# --- xlsx ----------------------------------------------------------------------


def test_xlsx_with_title_date_number_code_and_total():
    data = workbook(
        {
            "十月": [
                ["清源县2024年10月信访台账"],
                ["信访件编号", "区划代码", "受理日期", "信访形式", "是否重复信访", "得分"],
                ["XF001", 411102001201, dt.date(2024, 10, 8), "来信", True, 1.5],
                ["001234", "011102001202", dt.datetime(2024, 10, 9, 0, 0), "来访", False, None],
                [None, None, None, None, None, None],
                ["XF003", "411102001203", dt.datetime(2024, 10, 10, 14, 30), "网上", None, None],
                ["合计", None, None, 3, None, None],
            ]
        }
    )
    parsed = read(data, "ledger.xlsx")
    assert parsed.encoding is None and parsed.sheet == "十月" and parsed.sheets == ["十月"]
    assert parsed.header_row == 2
    assert parsed.dropped == [(1, "title"), (5, "blank"), (7, "total")]
    assert rows(parsed) == [3, 4, 6]
    assert column(parsed, "case_id") == ["XF001", "001234", "XF003"]
    assert column(parsed, "region_code") == ["411102001201", "011102001202", "411102001203"]
    assert column(parsed, "received_on") == ["2024-10-08", "2024-10-09", "2024-10-10 14:30:00"]
    assert column(parsed, "is_repeat") == ["true", "false", None]
    assert column(parsed, "得分") == ["1.5", None, None]
    assert parsed.letters == {
        "case_id": "A", "received_on": "C", "region_code": "B", "channel": "D", "is_repeat": "E", "得分": "F"
    }
    assert parsed.unknown == ["得分"]


def test_xlsx_table_not_at_a1():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["C4"], sheet["D4"] = "区划代码", "受理日期"
    sheet["C5"], sheet["D5"] = "４１１１０２００１２０１", "2024-10-08"
    out = io.BytesIO()
    book.save(out)
    parsed = read(out.getvalue(), "ledger.xlsx")
    assert parsed.header_row == 4 and rows(parsed) == [5]
    assert parsed.letters == {"region_code": "C", "received_on": "D"}
    assert column(parsed, "region_code") == ["411102001201"]
    assert parsed.dropped == [(1, "title"), (2, "title"), (3, "title")]


def test_xlsx_sheet_selection():
    data = workbook(
        {
            "说明": [["本表由乡镇填报"]],
            "十月": [["区划代码", "受理日期"], ["411102001201", "2024-10-08"]],
            "十一月": [["区划代码", "受理日期"], ["411102001202", "2024-11-08"]],
        }
    )
    assert refused(data, "ledger.xlsx").key == "no_header"  # the first sheet by default
    parsed = read(data, "ledger.xlsx", sheet="十一月")
    assert parsed.sheet == "十一月" and parsed.sheets == ["说明", "十月", "十一月"]
    assert column(parsed, "received_on") == ["2024-11-08"]
    error = refused(data, "ledger.xlsx", sheet="十二月")
    assert error.key == "sheet"
    assert "十二月" in error.message and "十一月" in error.message


def test_xlsx_named_as_csv_is_read_as_xlsx():
    data = workbook({"Sheet1": [["区划代码", "受理日期"], ["411102001201", "2024-10-08"]]})
    assert column(read(data, "ledger.csv"), "region_code") == ["411102001201"]


def test_xlsx_empty_sheet():
    assert refused(workbook({"Sheet1": []}), "ledger.xlsx").key == "empty"


def replace_part(data: bytes, prefix: str, edit) -> bytes:
    """The workbook with the parts whose names start with prefix rewritten by edit(bytes) -> bytes."""
    source, rebuilt = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            target.writestr(info, edit(body) if info.filename.startswith(prefix) else body)
    return rebuilt.getvalue()


def without_dimension(data: bytes) -> bytes:
    def edit(body: bytes) -> bytes:
        body, n = re.subn(rb"<dimension [^>]*/>", b"", body)
        assert n == 1
        return body

    return replace_part(data, "xl/worksheets/", edit)


SMALL = [["区划代码", "受理日期"], ["411102001201", "2024-10-08"], ["411102001202", "2024-10-09"]]


def sparse_huge(keep_dimension: bool) -> bytes:
    """A 5 KB workbook with one cell at XFD200000: a dense 3-billion-cell range to calamine."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["区划代码", "受理日期"])
    sheet["XFD200000"] = "x"
    out = io.BytesIO()
    book.save(out)
    if keep_dimension:
        return out.getvalue()
    # Without <dimension> the cheap pre-check has nothing to go on: the child's limits must hold.
    return without_dimension(out.getvalue())


@pytest.mark.parametrize("keep_dimension", [True, False], ids=["declared", "undeclared"])
def test_sparse_huge_xlsx_refused(keep_dimension):
    data = sparse_huge(keep_dimension)
    assert len(data) < 10_000
    started = time.monotonic()
    error = refused(data, "huge.xlsx")
    assert error.key == "xlsx_limits"
    assert error.message.startswith("工作簿过大或格式异常，已拒绝读取")
    assert time.monotonic() - started < 60
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 1024 * 1024  # KiB: under 1 GiB


def test_cell_text():
    assert cell_text(411102001201.0) == "411102001201"
    assert cell_text(0.1) == "0.1"
    assert cell_text(7) == "7"
    assert cell_text(True) == "true" and cell_text(False) == "false"
    assert cell_text(dt.date(2024, 10, 8)) == "2024-10-08"
    assert cell_text(dt.datetime(2024, 10, 8)) == "2024-10-08"
    assert cell_text(dt.datetime(2024, 10, 8, 9, 5, 3)) == "2024-10-08 09:05:03"
    assert cell_text("") is None and cell_text(None) is None
    assert cell_text(" 文字 ") == " 文字 "  # trimming is the shared step's job


def test_child_enforces_the_cell_limit_when_nothing_is_declared(monkeypatch):
    data = without_dimension(workbook({"Sheet1": SMALL}))
    monkeypatch.setattr(xlsx_reader, "XLSX_MAX_CELLS", 5)
    error = refused(data, "ledger.xlsx")
    assert error.key == "xlsx_limits" and "3 rows x 2 columns" in error.message


def test_child_wall_clock_timeout(monkeypatch):
    monkeypatch.setattr(xlsx_reader, "XLSX_WALL_SECONDS", 0.001)
    assert refused(workbook({"Sheet1": SMALL}), "ledger.xlsx").key == "xlsx_limits"


def test_malformed_sheet_xml():
    data = replace_part(workbook({"Sheet1": SMALL}), "xl/worksheets/", lambda b: b[: len(b) // 2])
    error = refused(data, "ledger.xlsx")
    assert error.key == "format"
    assert error.message.startswith("无法读取工作表“Sheet1”") and "XmlError" in error.message
