"""Issue 13, items 5 and 6: the upload page guides a clerk, and the history page reads like a log.

Pipeline checks on the tiny county (tests/tiny.py: 甲镇 with 甲一村 and 甲二社区, 乙镇 with 乙一村) and AppTest
pages from the entry point. Expected names, rows and columns are read off the tiny county and the ledgers below.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from governance.core import contract
from governance.ingest import templates
from governance.ingest.pipeline import ingest
from tests import tiny
from tests.conftest import run_page
from tests.test_ingest import GOOD, ledger

OTHER = {"regions": "petitions", "petitions": "regions", "disputes": "regions", "grid": "regions",
         "branches": "regions"}  # a wrong dataset to drop each template on


@pytest.fixture
def store(served_store):
    return served_store


def upload_page():
    at = run_page("pages/upload.py")
    assert not at.exception, at.exception
    return at


def drop(at, name: str, data: bytes):
    mime = "text/csv" if name.endswith(".csv") else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    at.file_uploader(key="upload_file_0").upload(name, data, mime)
    at.run()
    assert not at.exception, at.exception
    return at


def page_text(at) -> str:
    parts = [e.value for kind in ("error", "warning", "success", "info", "caption", "markdown")
             for e in getattr(at, kind)]
    parts += [t.value.to_string() for t in at.table]
    return "\n".join(parts)


# ---- which dataset is this file? ------------------------------------------------------------------------------


@pytest.mark.parametrize("dataset", list(contract.DATASETS))
def test_every_template_is_recognised_when_dropped_on_any_other_dataset(store, dataset):
    files = {"csv": templates.csv_bytes(dataset), "xlsx": templates.xlsx_bytes(dataset)}
    for chosen in contract.DATASETS:
        for kind, data in files.items():
            report = ingest(store, chosen, data, f"模板.{kind}", dry_run=True)
            assert not report.accepted
            if chosen == dataset:
                assert report.guess is None  # its own dataset: no second guess (only the sample-row error)
            else:
                assert report.guess is not None and report.guess.dataset == dataset, (chosen, kind)


@pytest.mark.parametrize("dataset", list(contract.DATASETS))
def test_the_upload_page_offers_to_switch_to_the_templates_dataset(store, dataset):
    at = upload_page()
    at.selectbox(key="upload_dataset").set_value(OTHER[dataset])
    at.run()
    drop(at, f"{dataset}_模板.xlsx", templates.xlsx_bytes(dataset))
    name = contract.dataset(dataset).zh
    (offer,) = [w.value for w in at.warning if "看起来是" in w.value]
    assert offer.startswith(f"这个文件看起来是{name}台账") and offer.endswith(f"切换到{name}？")
    at.button(key="upload_switch").click()
    at.run()
    assert not at.exception
    assert at.selectbox(key="upload_dataset").value == dataset
    # read now as its own dataset: what is left is the template's sample row, named as such
    assert not [w for w in at.warning if "看起来是" in w.value]
    assert "这是下载模板中的示例行" in page_text(at)


def test_a_petitions_ledger_dropped_on_regions_is_recognised_not_refused_for_its_header(store):
    at = upload_page()
    assert at.selectbox(key="upload_dataset").value == "petitions"  # never regions first
    at.selectbox(key="upload_dataset").set_value("regions")
    at.run()
    drop(at, "10月信访台账.csv", ledger(GOOD))  # GBK, two title rows, names for places, a 合计 row
    text = page_text(at)
    assert "这个文件看起来是信访事项台账" in text and "切换到信访事项？" in text
    assert "找不到表头行" not in text and "no header" not in text
    at.button(key="upload_switch").click()
    at.run()
    assert any("校验通过：3 行" in s.value for s in at.success)


def test_the_page_opens_on_the_dataset_this_session_used_last(store):
    at = upload_page()
    assert at.selectbox(key="upload_dataset").value == "petitions"
    # the region tree, then its map's shapes (issue 12), come after the ledgers
    assert at.selectbox(key="upload_dataset").options[-2:] == ["行政区划 (regions)", "行政区划边界 (boundaries, GeoJSON)"]
    at.selectbox(key="upload_dataset").set_value("grid")
    at.run()
    at.switch_page("pages/overview.py")
    at.run()
    at.switch_page("pages/upload.py")
    at.run()
    assert at.selectbox(key="upload_dataset").value == "grid"


# ---- messages a clerk can act on ------------------------------------------------------------------------------


def test_the_page_says_in_chinese_how_big_a_file_it_takes_and_where_a_bigger_one_goes(store, monkeypatch):
    """A file over the web cap never reaches the app: the browser marks it red with Streamlit's English
    "File must be 50.0MB or smaller." and the page stays as before a file. So the page itself says it."""
    at = upload_page()
    (note,) = [i.value for i in at.info if "上传只替换" in i.value]
    assert "网页上传的文件不超过 50 MB" in note and "python -m governance ingest" in note, note
    monkeypatch.setenv("GOVERNANCE_MAX_UPLOAD_MB", "20")  # the app's own cap, lower than Streamlit's
    at.run()
    assert any("不超过 20 MB" in i.value for i in at.info)


# Excel rows 4-8 (two title rows, the header on row 3); B is 乡镇(街道), C is 村(社区).
WRONG_PLACES = [
    "W1,甲镇,甲一,2024-10-08,来访,教育,是,,,,否",  # row 4: 甲一 -> 甲一村
    "W2,甲真,甲一村,2024-10-08,来访,教育,是,,,,否",  # row 5: the town is misspelt, the village is right
    "W3,甲镇,乙一村,2024-10-08,来访,教育,是,,,,否",  # row 6: 乙一村 is in 乙镇
    "W4,,甲二社区,2024-10-08,来访,教育,是,,,,否",  # row 7: no town
    "W5,乙镇,东萧楼,2024-10-08,来访,教育,是,,,,否",  # row 8: nothing like it in 乙镇
]


def test_each_wrong_place_is_reported_on_its_own_column_with_the_nearest_names(store):
    report = ingest(store, "petitions", ledger(WRONG_PLACES), "地名有误.csv", dry_run=True)
    found = {(p.row, p.column, p.key): p.text for p in report.errors}
    assert set(found) == {(4, "C", "unknown_place"), (5, "B", "unknown_place"), (6, "C", "unknown_place"),
                          (7, "B", "required"), (8, "C", "unknown_place")}
    assert found[(4, "C", "unknown_place")] == "村(社区)“甲一”：找不到该地区，是不是“甲一村”？"
    assert found[(5, "B", "unknown_place")] == "乡镇(街道)“甲真”：找不到该地区，是不是“甲镇”？"
    assert "乙一村”属于乙镇" in found[(6, "C", "unknown_place")]
    assert "“甲二社区”属于甲镇" in found[(7, "B", "required")]
    assert found[(8, "C", "unknown_place")] == "村(社区)“东萧楼”：找不到该地区，乙镇没有这个村(社区)"
    # the page's text is Chinese only; the English key stays in the command line's --json
    assert not any(re.search(r"[A-Za-z]", text) for text in found.values())
    assert all(e["message"].endswith(f"({e['key']})") for e in report.as_json()["errors"])


def test_a_misspelt_village_is_listed_whole_with_its_suggestion_on_the_page(store):
    at = upload_page()
    drop(at, "地名有误.csv", ledger(WRONG_PLACES[:2]))
    (problems,) = [t.value for t in at.table if "问题" in t.value.columns]
    rows = problems[["行", "列", "表头", "问题"]].values.tolist()
    assert rows == [["4", "C", "村(社区)", "村(社区)“甲一”：找不到该地区，是不是“甲一村”？"],
                    ["5", "B", "乡镇(街道)", "乡镇(街道)“甲真”：找不到该地区，是不是“甲镇”？"]]


def test_a_file_without_any_known_header_still_says_what_is_expected(store):
    report = ingest(store, "petitions", "甲,乙\n1,2\n".encode(), "x.csv", dry_run=True)
    (problem,) = report.errors
    assert report.guess is None and problem.key == "no_header"
    assert problem.text.startswith("前 30 行中找不到表头行，应有 信访件编号、区划代码") and "expected" not in problem.text


# ---- the template ---------------------------------------------------------------------------------------------

DROPDOWNS = {  # written out from SPEC's choices, not read from the code under test
    "regions": {"层级": "省,市,县,乡镇,村", "类型": "村,社区", "村改居阶段": "筹备期,过渡期,融合期,深度融合期"},
    "petitions": {"信访形式": "来信,来访,网上,电话", "是否初信初访": "是,否", "是否一次性化解": "是,否",
                  "满意度": "满意,基本满意,不满意", "是否重复信访": "是,否"},
    "disputes": {"化解状态": "已化解,化解中,调解不成,已移交", "化解层级": "网格,村(社区),乡镇(街道),县级及以上"},
    "grid": {},
    "branches": {"等次": "好,较好,一般,差", "是否软弱涣散": "是,否", "是否完成整顿": "是,否"},
}


@pytest.mark.parametrize("dataset", list(contract.DATASETS))
def test_the_xlsx_template_has_dropdowns_for_every_enumeration_and_a_sheet_of_rules(dataset):
    book = openpyxl.load_workbook(io.BytesIO(templates.xlsx_bytes(dataset)))
    assert book.sheetnames == ["数据", "填写说明"]
    data = book["数据"]
    header = {cell.column_letter: cell.value for cell in data[1]}
    lists = {}
    for rule in data.data_validations.dataValidation:
        (cells,) = str(rule.sqref).split()
        first, last = cells.split(":")
        assert rule.type == "list" and first[1:] == "2" and last[1:] == "1048576" and first[0] == last[0]
        lists[header[first[0]]] = rule.formula1.strip('"')
    assert lists == DROPDOWNS[dataset]
    notes = list(book["填写说明"].iter_rows(min_row=2, values_only=True))
    listed = [row[0] for row in notes if row[0] and row[0] != "说明"]
    names = [c.zh for c in contract.dataset(dataset).columns]
    assert listed == names + (["乡镇(街道)", "村(社区)"] if dataset != "regions" else [])
    rules = {row[0]: row[4] for row in notes}
    for column, values in DROPDOWNS[dataset].items():
        assert all(v in rules[column] for v in values.split(","))  # the rule lists what the dropdown offers


# ---- history ----------------------------------------------------------------------------------------------------


def test_history_is_newest_first_lists_restores_and_keeps_the_restore_message(store):
    second = ledger(GOOD)  # October again, for 甲镇 and 乙镇: version 2
    assert ingest(store, "petitions", second, "10月信访台账.csv", who="张三").committed
    at = run_page("pages/history.py")
    assert at.selectbox(key="history_dataset").value == "petitions"
    at.selectbox(key="history_period").set_value("2024-10")
    at.selectbox(key="history_scope").set_value(tiny.TOWN_B)
    at.run()
    options = at.selectbox(key="history_version").options
    now = dt.datetime.now(ZoneInfo("Asia/Shanghai"))
    label = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d) · 张三 · 上传 10月信访台账\.csv · 写入 3 行 · 甲镇、乙镇（第 2 版之后）$")
    match = label.match(options[0])
    assert match, options
    when = dt.datetime.strptime(match.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=now.tzinfo)
    assert abs((now - when).total_seconds()) < 600  # Beijing time, not UTC
    assert options[1].startswith(when.strftime("%Y-%m-%d")) and " · test · 上传 petitions.csv · 写入 9 行" in options[1]
    assert options[2] == "无数据（首次上传之前）"

    at.selectbox(key="history_version").set_value(1)
    at.run()
    at.checkbox(key="history_confirm").check()
    at.run()
    at.button(key="history_restore").click()
    at.run()
    assert not at.exception
    (done,) = [s.value for s in at.success if "已恢复" in s.value]  # shown after the restore's own rerun
    assert "乙镇 在 2024-10 的数据已恢复为" in done and "现为第 3 版" in done
    versions = at.dataframe[0].value
    assert versions["版本"].tolist() == [3, 2, 1]  # newest first
    assert versions[["方式", "范围", "期间"]].values.tolist()[0] == ["恢复为第 1 版", "乙镇", "2024-10"]
    at.run()
    assert not [s for s in at.success if "已恢复" in s.value]  # said once, not on every later run


def test_the_command_line_names_the_dataset_a_refused_file_looks_like(store, tmp_path, capsys):
    from governance.tools import cli

    path = tmp_path / "10月信访台账.csv"
    path.write_bytes(ledger(GOOD))
    assert cli.main(["ingest", "regions", str(path), "--store", str(store.root), "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "这个文件看起来是信访事项台账" in out and f"python -m governance ingest petitions {path}" in out
    assert cli.main(["ingest", "regions", str(path), "--store", str(store.root), "--json"]) == 1
    assert '"looks_like": "petitions"' in capsys.readouterr().out
