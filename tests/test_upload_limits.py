"""Uploads that must be refused cheaply and clearly (issue 10, items 5 and 6): too wide, too long, and text in
an encoding that GB18030 "decodes" into mojibake. Every file is made here; row numbers are Excel's."""

from __future__ import annotations

import json
import time

import pytest

from governance.ingest.readers import ReadError, csv_reader, read_upload
from tests.test_ingest import GOOD, ledger
from tests.test_readers import workbook

HEADER = "信访件编号,区划代码,受理日期,信访形式,问题类别"


def csv(rows: list[str], encoding: str = "utf-8") -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode(encoding)


def data_rows(n: int) -> list[str]:
    return [f"XF{i:03d},411102001201,2024-10-08,来信,劳动社保" for i in range(1, n + 1)]


def refused(data: bytes, filename: str = "ledger.csv") -> ReadError:
    with pytest.raises(ReadError) as caught:
        read_upload(data, filename, "petitions")
    return caught.value


# ---- item 5: bounded work ---------------------------------------------------------------------

def test_a_megabyte_row_of_commas_is_refused_before_parsing_naming_its_row(monkeypatch):
    # The file: 40 rows, one of them after row 30 holding 1,000,000 commas (1 MB).
    rows = data_rows(39)
    rows.insert(33, "," * 1_000_000)  # Excel row 35: the header is row 1
    data = csv(rows)
    assert 1_000_000 < len(data) < 1_100_000
    # Neither the csv module nor Arrow may see it: they built the million-field row last time.
    monkeypatch.setattr(csv_reader, "_sniff", lambda *a: pytest.fail("parsed before the line check"))
    started = time.perf_counter()
    error = refused(data)
    elapsed = time.perf_counter() - started  # docs/security.md has the timing; here only a sanity bound
    assert error.key == "too_wide"
    assert error.message.startswith("第 35 行有 1,000,001 列，超过上限 200 列")
    assert elapsed < 30


def test_a_wide_row_within_the_line_limit_is_refused_by_arrow_with_its_row():
    rows = data_rows(39)
    rows.insert(33, "XF999," + "x," * 300)  # 302 cells in 907 bytes, row 35 (beyond the 30-row head)
    error = refused(csv(rows))
    assert error.key == "too_wide"
    assert error.message.startswith("第 35 行有 302 列")


def test_a_wide_row_in_the_head_is_refused_before_a_table_is_made():
    rows = data_rows(5)
    rows.insert(2, "x," * 250)  # row 4, among the first 30 rows the sniffer parses itself
    error = refused(csv(rows))
    assert error.key == "too_wide" and error.message.startswith("第 4 行有 251 列")


def test_long_text_is_refused_with_its_row_and_column_and_500_characters_pass():
    rows = data_rows(12)
    rows[10] = rows[10].replace("劳动社保", "劳" * 500)  # row 12: exactly the limit
    assert read_upload(csv(rows), "ledger.csv", "petitions").table.num_rows == 12
    rows[10] = rows[10].replace("劳" * 500, "劳" * 501)
    error = refused(csv(rows))
    assert error.key == "too_long"
    assert "第 12 行 E 列（501 个字符）" in error.message and "上限 500" in error.message


def test_the_cell_limit_is_a_setting_and_applies_to_xlsx(monkeypatch):
    monkeypatch.setenv("GOVERNANCE_MAX_CELL_CHARS", "20")
    book = workbook({"台账": [HEADER.split(","), ["XF001", "411102001201", "2024-10-08", "来信", "很" * 21]]})
    error = refused(book, "ledger.xlsx")
    assert error.key == "too_long" and "第 2 行 E 列（21 个字符）" in error.message


def test_a_long_line_without_separators_is_refused_as_too_long():
    rows = data_rows(3)
    rows[1] = "XF002,411102001201,2024-10-08,来信," + "长" * 30_000  # 90 KB in one line, row 3
    error = refused(csv(rows))
    assert error.key == "too_long" and error.message.startswith("第 3 行过长")


# ---- item 6: encodings ------------------------------------------------------------------------

TRADITIONAL = [
    "case_id,region_code,received_on,channel,category",
    "T1,411102001201,2024-10-08,來訪,勞動社保糾紛",
    "T2,411102001202,2024-10-09,網上,鄰里關係問題",
    "T3,411102002201,2024-10-10,電話,城鄉建設與環境",
]


def test_big5_is_named_not_stored_as_mojibake():
    data = ("\r\n".join(TRADITIONAL) + "\r\n").encode("big5")
    data.decode("gb18030")  # the trap: GB18030 decodes it without complaint (as 骋笆…)
    error = refused(data)
    assert error.key == "encoding"
    assert "看起来是繁体 Big5 编码" in error.message
    assert "请在 Excel 中另存为 UTF-8 或 GBK (CSV) 后重新上传" in error.message


def mixed(first: str, then: str) -> bytes:
    lines = ledger(GOOD).decode("gbk").split("\r\n")  # 2 title rows, the header, N1, N2, N3, 合计
    return ("\r\n".join(lines[:4]) + "\r\n").encode(first) + "\r\n".join(lines[4:]).encode(then)


def test_utf8_rows_then_gbk_rows_name_the_row_where_it_changes():
    error = refused(mixed("utf-8", "gbk"))
    assert error.key == "encoding"
    assert error.message.startswith("文件前后编码不一致，第 5 行起")  # N2, the first GBK row
    assert "请在 Excel 中另存为 UTF-8 或 GBK (CSV) 后重新上传" in error.message


def test_gbk_rows_then_utf8_rows_name_the_first_utf8_row():
    error = refused(mixed("gbk", "utf-8"))
    assert error.key == "encoding"
    assert error.message.startswith("文件前后编码不一致，第 5 行起是 UTF-8")


def test_a_gbk_ledger_with_rare_characters_in_names_still_passes():
    # 喆 and 堃 are outside GB2312 (GBK only) but real in names; a few of them are not mojibake.
    rows = [r.replace("甲一村", "喆堃村") for r in GOOD]
    parsed = read_upload(ledger(rows), "台账.csv", "petitions")
    assert parsed.encoding == "gb18030"
    assert parsed.table.column("village").to_pylist()[0] == "喆堃村"


# ---- the same through the command line: refused, exit 1, the store as it was --------------------

@pytest.mark.parametrize("name, data, key, message", [
    ("wide.csv", csv(data_rows(33) + ["," * 1_000_000]), "too_wide", "第 35 行有 1,000,001 列"),
    ("long.csv", csv(data_rows(2) + ["XF9,411102001201,2024-10-08,来信," + "长" * 600]), "too_long",
     "第 4 行 E 列（600 个字符）"),
    ("big5.csv", ("\r\n".join(TRADITIONAL) + "\r\n").encode("big5"), "encoding", "看起来是繁体 Big5 编码"),
    ("mixed.csv", mixed("utf-8", "gbk"), "encoding", "文件前后编码不一致，第 5 行起"),
    ("old.csv", ledger([GOOD[0].replace("2024年10月8日", "1900-10-08")]), "too_early", "早于 2000-01-01"),
    ("sci.csv", csv(["XF001,4.11102E+11,2024-10-08,来信,劳动社保"]), "excel_number",
     "区划代码被 Excel 转成了科学计数法，请把该列设为文本后重新导出"),
])
def test_the_command_line_refuses_them_and_changes_nothing(tiny_store, tmp_path, name, data, key, message):
    from tests.test_ingest import cli, snapshot

    path = tmp_path / name
    path.write_bytes(data)
    before = snapshot(tiny_store.root)
    done = cli("ingest", "petitions", str(path), "--json", store_dir=tiny_store.root)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["accepted"] is False
    assert [e["key"] for e in report["errors"]] == [key]
    assert message in report["errors"][0]["message"]
    assert snapshot(tiny_store.root) == before
