"""Excel out: every table downloads as .xlsx with a title row naming place, months and view date, Chinese
headers, a frozen header row and number formats; checked by opening the bytes with openpyxl."""

import datetime as dt
import io

import pandas as pd
from openpyxl import load_workbook

from governance.metrics import cases
from governance.metrics.indicators import View
from governance.web import exports
from tests import tiny


def _open(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def test_title_headers_frozen_header_and_number_formats():
    df = pd.DataFrame({
        "名称": ["甲镇", "=cmd"], "受理量(件)": pd.array([1234, 5], "Int64"), "办结率(%)": [66.667, 100.0],
        "受理日期": pd.to_datetime(["2024-10-01", "2024-10-02"]), "户/网格": [237.5, None],
    })
    ws = _open(exports.xlsx_bytes(df, "下级对比 · 示范县 · 2024年10月 · 数据截至2024年10月31日"))
    assert ws["A1"].value == "下级对比 · 示范县 · 2024年10月 · 数据截至2024年10月31日"
    assert [c.value for c in ws[2]] == list(df.columns)
    assert ws.freeze_panes == "A3"
    assert ws["A4"].value == "'=cmd"  # a formula from an upload stays text
    assert ws["B3"].value == 1234 and ws["B3"].number_format == "#,##0"
    assert ws["C3"].number_format == "#,##0.0"
    assert ws["D3"].number_format == "yyyy-mm-dd" and ws["D3"].value.date() == dt.date(2024, 10, 1)
    assert ws["E4"].value is None  # missing stays empty, never "nan"


def test_a_case_list_as_xlsx(tiny_engine):
    from governance.web.views.cases import shown

    df = cases.cases(tiny_engine, "petitions_overdue", View(tiny.COUNTY, "2024-08", "2024-10"),
                     today=dt.date(2026, 12, 1))
    table = shown("petitions_overdue", df)
    ws = _open(exports.xlsx_bytes(table, "超期未办结信访件 · 示范县 · 2024年8月—10月 · 数据截至2026年12月1日"))
    assert ws["A1"].value.startswith("超期未办结信访件 · 示范县")
    assert [c.value for c in ws[2]][:6] == ["信访件编号", "乡镇(街道)", "村(社区)", "受理日期", "期限日", "已过天数"]
    assert [ws.cell(row=r, column=1).value for r in (3, 4)] == ["p8", "p3"]
    assert ws["D3"].number_format == "yyyy-mm-dd" and ws["F3"].number_format == "#,##0"
    assert ws.freeze_panes == "A3"


def test_the_dictionary_as_one_table():
    from governance.web.views.dictionary import workbook_table

    table = workbook_table()
    ws = _open(exports.xlsx_bytes(table, "指标说明 · 全部数据集"))
    headers = [c.value for c in ws[2]]
    assert headers[:3] == ["数据", "指标", "key"] and "定义" in headers and "县级目标" in headers
    assert ws.max_row == 2 + len(table) and {ws.cell(row=r, column=1).value for r in range(3, ws.max_row + 1)} == {
        "信访事项", "矛盾纠纷", "网格化管理", "党支部评星定级"}


def test_every_table_on_the_overview_and_a_dataset_page_offers_xlsx(served_store):
    from tests.conftest import run_app

    at = run_app(region=tiny.COUNTY, **{"from": "2024-10", "to": "2024-10"})
    keys = {getattr(b, "key", None) for b in at.get("download_button")}
    assert {"attention_csv_xlsx", "side_by_side_csv_xlsx"} <= keys, keys
    at.switch_page("pages/petitions.py").run()
    keys = {getattr(b, "key", None) for b in at.get("download_button")}
    assert f"petitions_rank_{tiny.COUNTY}_csv_xlsx" in keys, keys
    at.switch_page("pages/dictionary.py").run()
    assert "dictionary_xlsx" in {getattr(b, "key", None) for b in at.get("download_button")}
