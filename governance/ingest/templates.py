"""Upload templates per dataset: Chinese headers, one example row, a dropdown (Excel data validation) on every
column with a fixed set of values, and a 填写说明 sheet stating each column's rule."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from governance.core import contract
from governance.ingest.validate import allowed_text

EXAMPLES = {
    "regions": ["411122101201", "张庄村", "村", "411122101000", "村", "520", "1460", "过渡期"],
    "petitions": ["XF2024100001", "411122101201", "2024-10-08", "来访", "劳动社保", "是", "2024-10-20", "是", "满意", "否"],
    "disputes": ["JF2024100001", "411122101201", "2024-10-08", "邻里", "已化解", "2024-10-12", "村(社区)"],
    "grid": ["411122101201", "2024-10", "520", "518", "2", "2", "2", "12"],
    "branches": ["DZB411122101201", "张庄村党支部", "411122101201", "2024-H1", "4", "88.5", "较好", "否", ""],
}


LAST_ROW = 1_048_576  # Excel's last row: the dropdowns reach every row a clerk may fill
YES_NO = ("是", "否")


def dropdown(column: contract.Column) -> tuple[str, ...]:
    """The values a column's dropdown offers, as clerks write them: an enumeration's Chinese names, 是/否;
    empty for a column of free values."""
    if column.choices:
        return tuple(c.zh for c in column.choices)
    return YES_NO if column.type == "bool" else ()


def headers(dataset_key: str) -> list[str]:
    return [c.zh for c in contract.dataset(dataset_key).columns]


def csv_bytes(dataset_key: str) -> bytes:
    """UTF-8 with BOM, which Excel in China opens without garbling."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(headers(dataset_key))
    w.writerow(EXAMPLES[dataset_key])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def xlsx_bytes(dataset_key: str) -> bytes:
    ds = contract.dataset(dataset_key)
    wb = Workbook()
    data = wb.active
    data.title = "数据"
    data.append(headers(dataset_key))
    data.append(EXAMPLES[dataset_key])
    bold = Font(bold=True)
    for cell in data[1]:
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for i, col in enumerate(ds.columns, start=1):
        letter = data.cell(row=1, column=i).column_letter
        data.column_dimensions[letter].width = max(12, len(col.zh) * 2 + 4)
        # Codes and ids as text, so Excel keeps leading zeros and long digits.
        if col.type in ("code", "string", "month", "rating_period"):
            for row in (2, 3, 4):
                data.cell(row=row, column=i).number_format = "@"
        values = dropdown(col)
        if values:
            # A warning, not a stop: the validator also takes the usual other spellings (信件, 走访, Y/N).
            rule = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
                                  showDropDown=False, showErrorMessage=True, errorStyle="warning",
                                  errorTitle=col.zh, error="请从下拉列表中选择：" + "、".join(values),
                                  showInputMessage=True, promptTitle=col.zh, prompt="可选：" + "、".join(values))
            rule.add(f"{letter}2:{letter}{LAST_ROW}")
            data.add_data_validation(rule)

    notes = wb.create_sheet("填写说明")
    notes.append(["列名（中文表头）", "英文列名", "是否必填", "类型", "规则与可填值"])
    notes.freeze_panes = "A2"
    for cell in notes[1]:
        cell.font = bold
    types = {"code": "文本（12位数字）", "string": "文本", "date": "日期", "bool": "是/否", "int": "整数",
             "number": "数字", "enum": "选项", "level": "选项", "month": "月份", "rating_period": "评定周期"}
    for col in ds.columns:
        rule = "；".join(x for x in (col.rule_zh, allowed_text(col)) if x) or "自由填写"
        notes.append([col.zh, col.name, "必填" if col.required else "选填", types[col.type], rule])
    if ds.key != "regions":
        for col in contract.NAME_COLUMNS:
            notes.append([col.zh, col.name, "可替代区划代码", "文本", col.rule_zh])
    notes.append([])
    notes.append(["说明", "", "", "", "表头可用中文或英文列名；表头上方可有标题行，末尾的合计行会被忽略。"
                  "有下拉箭头的列请从列表中选择。文件可为 .xlsx 或 CSV（UTF-8 或 GBK）。同一月份（评定周期）重新上传将替换该期数据，旧版本可在“数据版本”页恢复。"])
    for letter, width in zip("ABCDE", (20, 24, 14, 16, 80)):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2):
        row[4].alignment = Alignment(wrap_text=True)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
