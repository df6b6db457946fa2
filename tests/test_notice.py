"""The 通报 (briefing/notice.py) and its Word form (briefing/word.py), on the tiny counties.

Expected figures are counted by hand from tests/tiny.py and tests/day.py (or with pandas from their rows),
never taken from the code under test. No chart is drawn: these tests need no browser.
"""

import dataclasses
import datetime as dt
import io

import docx
import pandas as pd
import pytest

from governance.briefing import files, notice, word
from governance.briefing import pack as briefing
from governance.core import settings
from governance.metrics import indicators
from governance.metrics.indicators import View
from governance.store import Store
from queries import Engine
from tests import day, tiny


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    tiny.build(root)
    eng = Engine(Store(root))
    yield eng
    eng.close()


@pytest.fixture(scope="module")
def day_engine(tmp_path_factory):
    eng = Engine(day.build(tmp_path_factory.mktemp("day")))
    yield eng
    eng.close()


@pytest.fixture(scope="module")
def pack(engine):
    return briefing.build(engine, tiny.COUNTY, "2024-10", today=tiny.TODAY, render=False)


def read_docx(data: bytes):
    d = docx.Document(io.BytesIO(data))
    headings = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    tables = [{row.cells[0].text: [c.text for c in row.cells[1:]] for row in t.rows} for t in d.tables]
    return d, headings, tables


def test_the_docx_has_the_sections_and_the_figures_of_the_indicators(pack, engine):
    d, headings, tables = read_docx(word.to_docx(notice.compose(pack)))
    for section in ("总体情况", "主要指标", "存在问题", "下一步工作建议"):
        assert any(section in h for h in headings), section
    assert "（一）信访工作" in headings and "（三）网格化管理" in headings
    text = "\n".join(p.text for p in d.paragraphs)
    assert "示范县党建引领基层治理工作通报" in text and "2024年第10期" in text
    assert "示范县党建引领基层治理工作领导小组办公室" in text
    # October petitions counted from the rows: p1-p6 received in October; closed by 31 October: p1 p2 p4 p6;
    # of those closed first time: p1 p4 p6 (p2 was not)
    rows = tiny.petitions().to_pandas()
    october = rows[pd.to_datetime(rows["received_on"]).dt.strftime("%Y-%m") == "2024-10"]
    closed = october[october["closed_on"].notna() & (pd.to_datetime(october["closed_on"]) <= "2024-10-31")]
    assert (len(october), len(closed), int(closed["resolved_first_time"].sum())) == (6, 4, 3)
    petitions = tables[0]
    assert petitions["指标"] == ["本月", "环比（上期）", "目标", "状态"]
    assert petitions["受理量"][0] == f"{len(october)}件"
    assert petitions["办结率"][0] == f"{len(closed) / len(october) * 100:.1f}%" == "66.7%"
    assert petitions["办结率"][3] == "办理期内"  # p5 is still within its 60 days on 31 October
    assert petitions["一次性化解率"][0] == "75.0%（4件）"  # 3 of 4 closed, a small base: shown with it
    assert petitions["超期未办结"][0] == "0件"
    # grid, October: covered over households, summed over the villages (950 + 3000 + 1800) / 6000
    g = tiny.grid().to_pandas()
    g = g[g["period"] == "2024-10"]
    grid = tables[1]
    assert grid["网格覆盖率"][0] == f"{g['households_covered'].sum() / g['households'].sum() * 100:.1f}%" == "95.8%"
    # and they are the dashboard's figures (metrics/indicators.headline on the same view date)
    head = indicators.headline(engine, "petitions", View(tiny.COUNTY, "2024-10", "2024-10"), today=tiny.TODAY)
    assert head["current"]["received"] == 6 and head["current"]["closure_rate"] == pytest.approx(4 / 6)


def test_the_docx_is_a4_with_chinese_fonts_and_page_numbers(pack):
    d, _, _ = read_docx(word.to_docx(notice.compose(pack)))
    section = d.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    body = d.styles["Normal"].element.rPr.rFonts
    h1 = d.styles["Heading 1"].element.rPr.rFonts
    qn = docx.oxml.ns.qn
    assert body.get(qn("w:eastAsia")) == "仿宋_GB2312" and h1.get(qn("w:eastAsia")) == "黑体"
    assert h1.get(qn("w:eastAsiaTheme")) is None  # a theme font would win over the name
    # a table's rows never split across pages and its header repeats
    assert "<w:tblHeader/>" in d.tables[0].rows[0]._tr.xml and "<w:cantSplit/>" in d.tables[0].rows[1]._tr.xml
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and 'w:fldCharType="begin"' in footer


def test_a_problem_is_raised_on_a_mature_figure_below_target_and_not_on_an_immature_one(day_engine):
    # tests/day.py, October: 6 petitions in 甲镇 (q1-q6), closed q2 q4 q5 q6; q1 (1 Oct) open, q3 (31 Oct) open.
    # On 1 December October is immature (q3 is due only after 30 December): 66.7% closed is not a problem,
    # but q1 is past its 60 days: one overdue case is.
    early = notice.compose(briefing.build(day_engine, day.COUNTY, "2024-10", today=dt.date(2024, 12, 1),
                                          render=False))
    kinds = {(p.kind, p.indicator): p for p in early.problems}
    assert ("below_target", "closure_rate") not in kinds
    assert kinds[("overdue", "overdue")].places == ("甲镇",)
    assert "超过60天期限仍未办结1件" in kinds[("overdue", "overdue")].text
    # On 31 December every October case is past its deadline: 4 of 6 closed is below 95% (county) and
    # below 92% (甲镇, the town target): named, with one suggestion line for it
    late = notice.compose(briefing.build(day_engine, day.COUNTY, "2024-10", today=dt.date(2024, 12, 31),
                                         render=False))
    closure = next(p for p in late.problems if p.indicator == "closure_rate")
    assert closure.places == ("甲镇",) and "全县办结率66.7%" in closure.text and "甲镇（66.7%）" in closure.text
    assert "甲镇" in closure.suggestion and "办结率" in closure.suggestion
    assert len([p.suggestion for p in late.problems]) == len(late.problems)


def test_a_rate_over_too_few_cases_is_not_a_problem(day_engine, monkeypatch):
    monkeypatch.setenv("GOVERNANCE_SMALL_BASE", "7")  # October's 6 cases are now a small base
    late = notice.compose(briefing.build(day_engine, day.COUNTY, "2024-10", today=dt.date(2024, 12, 31),
                                         render=False))
    assert not [p for p in late.problems if p.kind == "below_target"]
    assert [p.kind for p in late.problems] == ["overdue"]  # a count: q1 and q3 open past 60 days
    assert "仍未办结2件" in late.problems[0].text


def test_issue_number_is_per_month_and_settings_come_from_the_file(pack, tmp_path, monkeypatch):
    assert notice.issue_number("2026-11") == "2026年第11期"
    assert notice.issue_number("2027-01", "清治通") == "清治通2027年第1期"
    assert notice.compose(pack).issue == "2024年第10期"
    conf = tmp_path / "briefing.toml"
    conf.write_text('[notice]\noffice = "{place}委政法委"\nissue_prefix = "治理通报"\n'
                    '[suggestions]\nbelow_target = "请{places}整改{indicator}（{nonsense}）"\n', encoding="utf-8")
    monkeypatch.setenv("GOVERNANCE_BRIEFING", str(conf))
    n = notice.compose(pack)
    assert n.office == "示范县委政法委" and n.issue == "治理通报2024年第10期"
    below = [p for p in n.problems if p.kind == "below_target"]
    assert below and below[0].suggestion == f"请{'、'.join(below[0].places)}整改网格覆盖率（{{nonsense}}）"
    conf.write_text("[notice\nbroken", encoding="utf-8")  # a typo falls back to the defaults
    assert notice.compose(pack).office == "示范县党建引领基层治理工作领导小组办公室"


def test_the_notice_is_dated_in_beijing_time(pack):
    assert pack.generated.utcoffset() == dt.timedelta(hours=8)
    utc = dt.datetime.now(dt.timezone.utc)
    assert abs((pack.generated - utc).total_seconds()) < 600  # the same instant, told in Beijing
    n = notice.compose(pack)
    assert f"生成于{pack.generated.year}年{pack.generated.month}月{pack.generated.day}日 " \
           f"{pack.generated:%H:%M}（北京时间）" in n.footnote
    assert "数据读取日为2024年10月31日" in n.footnote and f"数据版本v{pack.version}" in n.footnote
    assert settings.now().tzinfo.key == "Asia/Shanghai"


def test_uploaded_names_are_escaped_in_markdown_and_plain_in_word(pack):
    evil = "![x](http://evil.example/p.png)村"
    frame = pack.attention_frame.copy()
    frame["place_name"] = evil
    n = notice.compose(dataclasses.replace(pack, attention_frame=frame))
    md = notice.markdown(n)
    assert "![x](" not in md and "\\!\\[x\\]" in md
    d = docx.Document(io.BytesIO(word.to_docx(n)))
    assert any(evil in p.text for p in d.paragraphs)  # Word shows the name as written, as text


def test_brief_writes_the_notice_as_docx_and_markdown(pack, tmp_path):
    pack = dataclasses.replace(pack, charts=[])  # the charts' attachment needs Chromium: tests/test_briefing.py
    files.write(pack, tmp_path / "通报.docx")
    _, headings, _ = read_docx((tmp_path / "通报.docx").read_bytes())
    assert "三、存在问题" in headings
    files.write(pack, tmp_path / "通报.md")
    md = (tmp_path / "通报.md").read_text(encoding="utf-8")
    assert md.startswith("# 示范县党建引领基层治理工作通报") and "## 四、下一步工作建议" in md


def test_weak_branches_not_rectified_are_named(tmp_path, monkeypatch):
    import pyarrow as pa

    store = tiny.build(tmp_path)
    rows = tiny.branches().to_pylist()
    for r in rows:
        if r["branch_id"] == "b3" and r["period"] == "2024-H1":
            r["rectified"] = False  # 乙一村's weak branch of the first half-year, not rectified
    store.commit("branches", pa.Table.from_pylist(rows, schema=tiny.branches().schema), source="b.csv", who="test")
    eng = Engine(Store(tmp_path))
    try:
        pack = briefing.build(eng, tiny.COUNTY, "2024-10", today=tiny.TODAY, render=False)
    finally:
        eng.close()
    n = notice.compose(pack)
    weak = [p for p in n.problems if p.kind == "weak_unrectified"]
    assert len(weak) == 1 and weak[0].places == ("乙镇",)
    assert "2024年上半年软弱涣散党支部中尚未完成整顿1个：乙镇乙一村b3党支部" in weak[0].text
    assert weak[0].suggestion.startswith("对乙镇尚未完成整顿的1个软弱涣散党支部")
    # more branches than are named: "等N个党支部" (the demo county's 7 read "等7个个党支部")
    monkeypatch.setattr(notice, "NAMED_AT_MOST", 0)
    weak = [p for p in notice.compose(pack).problems if p.kind == "weak_unrectified"]
    assert weak[0].text.endswith("尚未完成整顿1个：等1个党支部。"), weak[0].text


def test_a_place_worsening_three_months_gets_a_line_and_a_suggestion(pack):
    # the 预警 list's worsening rows, as attention.worsening_places returns them
    frame = pd.DataFrame([{"place_code": tiny.TOWN_A, "place_name": "甲镇", "dataset": "grid",
                           "indicator": "coverage_rate", "indicator_zh": "网格覆盖率", "value": 0.9,
                           "target": "≥98.0%", "reason": "worsening", "from_value": 0.99}])
    n = notice.compose(dataclasses.replace(pack, attention_frame=frame))
    worse = next(p for p in n.problems if p.kind == "worsening")
    assert worse.text == "网格化管理：甲镇（99%→90%）网格覆盖率连续3个月变差。"
    assert worse.suggestion.startswith("请甲镇查找网格化管理网格覆盖率连续下降的原因")


def test_a_branch_is_named_with_its_town_and_village_once():
    from types import SimpleNamespace as Row

    assert notice._branch_place(Row(branch_name="谭坡村党支部", village_name="谭坡村", town_name="杨湖镇")) == \
        "杨湖镇谭坡村党支部"
    assert notice._branch_place(Row(branch_name="b3党支部", village_name="乙一村", town_name="乙镇")) == \
        "乙镇乙一村b3党支部"
