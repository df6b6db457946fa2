"""Briefing packs on the tiny county: the deck, the PDF, the folder, and the brief command."""

import dataclasses
import io
import subprocess
import sys

import pytest
from pptx import Presentation

from governance.briefing import files, notice, pdf, summary
from governance.briefing import pack as briefing
from governance.core.settings import PROJECT_ROOT
from governance.metrics import indicators
from governance.metrics.indicators import View
from governance.store import Store
from governance.tools import cli
from queries import Engine
from tests import tiny

pytestmark = [pytest.mark.ocr, pytest.mark.slow]  # Chromium draws the charts; pdftotext reads the PDF


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    tiny.build(root)
    return root


@pytest.fixture(scope="module")
def engine(store_dir):
    eng = Engine(Store(store_dir))
    yield eng
    eng.close()


@pytest.fixture(scope="module")
def pack(engine):
    return briefing.build(engine, tiny.COUNTY, "2024-10", today=tiny.TODAY)


def pdf_pages(data: bytes, tmp_path) -> list[str]:
    """Each page's text in reading order (pdftotext -layout), whitespace removed: CJK lines wrap anywhere."""
    path = tmp_path / "pack.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    count = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    pages = []
    for n in range(1, count + 1):
        text = subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path), "-"], capture_output=True,
                              text=True, check=True).stdout
        pages.append("".join(text.split()))
    return pages


def squash(text: str) -> str:
    return "".join(text.split())


def test_pack_content_comes_from_the_query_layer(pack, engine):
    assert pack.title == "示范县党建引领基层治理工作简报" and pack.month_label == "2024年10月"
    current = indicators.headline(engine, "petitions", View(tiny.COUNTY, "2024-10", "2024-10"),
                                  today=tiny.TODAY)["current"]
    kpis = {(k.dataset, k.indicator.key): k for k in pack.kpis}
    assert kpis[("petitions", "received")].value == current["received"] == 6
    assert kpis[("petitions", "closure_rate")].value_text() == "66.7%"
    assert kpis[("disputes", "found")].value is None  # no disputes in October: shown as "—", not 0
    keys = [c.key for c in pack.charts]
    # trend and ranking for every dataset with data this month: disputes have none in October, and
    # branches have a single rating so far (2024-H1), which makes no trend
    assert keys == ["petitions-received-trend", "petitions-trend", "petitions-ranking", "grid-trend", "grid-ranking",
                    "branches-ranking", "branches-stars"]
    assert all(c.png.startswith(b"\x89PNG") for c in pack.charts)
    assert [p.text for p in pack.paragraphs] == [p.text for p in summary.summary(
        engine, tiny.COUNTY, "2024-10", today=tiny.TODAY)]
    ranking = next(c for c in pack.charts if c.key == "petitions-ranking")
    # read on 31 October, October's petitions are still being worked (p6 is due in December): not ranked
    assert ranking.takeaway.startswith("办理期内")
    assert ranking.months == "2024年10月"


def test_needs_attention_lists_red_places(engine, monkeypatch):
    # the tiny county's towns have a handful of cases: flag rates over any number of them here
    monkeypatch.setenv("GOVERNANCE_SMALL_BASE", "1")
    # On 31 October 乙镇 has closed 1 of 2 (p5 closes on 20 November), but October is still being worked:
    # not listed. Read on 31 January 2025, October is final: 甲镇 closed p1 p2 p4 of p1-p4 (75%, red against
    # the town target of 92%, amber 85%); 乙镇 both (100%).
    early = briefing.build(engine, tiny.COUNTY, "2024-10", today=tiny.TODAY, render=False)
    assert not any(a.indicator_zh == "办结率" for a in early.attention)
    pack = briefing.build(engine, tiny.COUNTY, "2024-10", today=tiny.D(2025, 1, 31), render=False)
    rows = {(a.place, a.indicator_zh) for a in pack.attention}
    assert ("甲镇", "办结率") in rows and ("乙镇", "办结率") not in rows


def test_needs_attention_leaves_out_rates_over_a_few_cases(pack):
    assert ("乙镇", "办结率") not in {(a.place, a.indicator_zh) for a in pack.attention}


def test_pdf_opens_with_the_notice_then_the_charts_with_page_numbers(pack, tmp_path):
    pages = pdf_pages(pdf.to_pdf(pack), tmp_path)
    n = notice.compose(pack)
    # the 通报 first (over a few pages), then one page per chart, then the needs-attention list
    first_chart = next(i for i, page in enumerate(pages) if squash(pack.charts[0].takeaway) in page)
    text = "".join(pages[:first_chart])
    assert pages[0].startswith("示范县党建引领基层治理工作简报") and "示范县党建引领基层治理工作通报" in pages[0]
    assert "2024年第10期" in pages[0] and "一、总体情况" in pages[0]
    order = [text.index(s) for s in ("一、总体情况", "二、主要指标", "三、存在问题", "四、下一步工作建议")]
    assert order == sorted(order)
    assert squash(pack.paragraphs[0].text) in text and "66.7%" in text
    assert all(squash(p.text) in text for p in n.problems) and "（北京时间）" in text
    for page, chart in zip(pages[first_chart:], pack.charts):
        assert squash(chart.takeaway) in page
    assert len(pages) == first_chart + len(pack.charts) + 1
    assert "需要关注" in pages[-1]
    for k, page in enumerate(pages, 1):
        assert f"第{k}页/共{len(pages)}页" in page


def test_long_table_continues_on_the_next_page_with_its_header(pack, tmp_path):
    reason = "未达标，已连续多月低于目标，需要乡镇(街道)党委专题研究并限期整改"  # wraps in its cell
    rows = [briefing.AttentionRow(f"第{i:02d}号地区", "信访事项", "办结率", "50.0%", "≥95.0%", reason)
            for i in range(1, 61)]
    long = dataclasses.replace(pack, attention=rows, charts=[])
    pages = pdf_pages(pdf.to_pdf(long), tmp_path)
    where = {i: [n for n, page in enumerate(pages) if f"第{i:02d}号地区" in page] for i in range(1, 61)}
    assert all(len(found) == 1 for found in where.values())  # every row drawn once, never cut in two
    first, last = where[1][0], where[60][0]
    assert last > first  # the table runs onto later pages
    assert "地区数据指标本月目标原因" in pages[last]  # with its header repeated there
    notice_pages = len(pdf_pages(pdf.to_pdf(dataclasses.replace(pack, charts=[], attention=[])), tmp_path)) - 1
    assert len(pages) == notice_pages + (last - first + 1)


def test_folder_has_one_png_per_chart_and_summary_md(pack, tmp_path):
    written = files.write(pack, tmp_path)
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    assert pngs == [f"{i:02d}-{c.key}.png" for i, c in enumerate(pack.charts, 1)]
    assert all((tmp_path / n).read_bytes().startswith(b"\x89PNG") for n in pngs)
    md = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert md.startswith("# 示范县党建引领基层治理工作简报")
    assert all(p.text in md for p in pack.paragraphs)
    assert f"![{pack.charts[0].title}]({pngs[0]})" in md
    assert len(written) == len(pngs) + 2
    assert (tmp_path / "notice.md").read_text(encoding="utf-8").startswith("# 示范县党建引领基层治理工作通报")


def test_build_refuses_a_request_without_data(engine):
    with pytest.raises(briefing.NoDataError, match="unknown region"):
        briefing.build(engine, "411102009000", "2024-10", render=False)
    with pytest.raises(briefing.NoDataError, match="no data for 2030-01"):
        briefing.build(engine, tiny.COUNTY, "2030-01", render=False)


def test_brief_command_writes_the_deck_with_defaults(store_dir, tmp_path, capsys):
    out = tmp_path / "简报.pptx"
    assert cli.main(["brief", "--store", str(store_dir), "--out", str(out)]) == 0
    assert "示范县党建引领基层治理工作简报" in capsys.readouterr().out
    prs = Presentation(str(out))
    # defaults: the home place (the county) and the latest month with data (October 2024)
    assert "2024年10月" in "".join(s.text_frame.text for s in prs.slides[0].shapes if s.has_text_frame)


def test_brief_command_writes_a_folder(store_dir, tmp_path):
    assert cli.main(["brief", "--store", str(store_dir), "--region", tiny.TOWN_A, "--period", "2024-10",
                     "--out", str(tmp_path)]) == 0
    assert (tmp_path / "summary.md").read_text(encoding="utf-8").startswith("# 甲镇党建引领基层治理工作简报")


@pytest.mark.parametrize("args, code, message", [
    (["--region", "411102009000"], 1, "unknown region"),
    (["--period", "2030-01"], 1, "no data for 2030-01"),
    (["--period", "2024-13"], 2, "month must be YYYY-MM"),
    (["--region", "4111"], 2, "region code must be 12 digits"),
])
def test_brief_command_refuses_clearly(store_dir, tmp_path, capsys, args, code, message):
    out = tmp_path / "x.pptx"
    assert cli.main(["brief", "--store", str(store_dir), *args, "--out", str(out)]) == code
    err = capsys.readouterr().err
    assert message in err and any("\u4e00" <= ch <= "\u9fff" for ch in err)  # Chinese and English
    assert not out.exists()


def test_brief_command_refuses_an_unknown_output_kind(store_dir, tmp_path, capsys):
    assert cli.main(["brief", "--store", str(store_dir), "--out", str(tmp_path / "x.odt")]) == 2
    assert "--out must end in .pptx, .pdf, .docx or .md" in capsys.readouterr().err


def test_brief_command_in_a_fresh_process_fails_without_a_traceback(store_dir, tmp_path):
    done = subprocess.run([sys.executable, "-m", "governance", "brief", "--store", str(store_dir),
                           "--region", "411102009000", "--out", str(tmp_path / "x.pdf")],
                          capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert done.returncode == 1
    assert "未知地区" in done.stderr and "unknown region" in done.stderr
    assert "Traceback" not in done.stderr


def test_export_serves_a_download(engine):
    name, data = files.export(engine, tiny.TOWN_B, "2024-10", "pptx", today=tiny.TODAY)
    assert name == "乙镇_2024-10_简报.pptx" and data.startswith(b"PK")
    assert files.MIME["pptx"].endswith("presentationml.presentation")


def test_one_click_makes_every_format_drawing_each_chart_once(engine, monkeypatch):
    fresh = briefing.build(engine, tiny.COUNTY, "2024-10", today=tiny.TODAY, render=False)
    drawn = []
    real = briefing.images.chart_pngs
    monkeypatch.setattr(briefing.images, "chart_pngs", lambda charts: drawn.extend(charts) or real(charts))
    steps = []
    made = files.make_all(fresh, lambda label, done, total: steps.append((label, done, total)))
    assert len(drawn) == len(fresh.charts)  # drawn once, reused by the PDF, the .docx and the images
    assert [s[0] for s in steps] == [label for _, label in files.STEPS] + ["完成"]
    assert steps[-1][1] == steps[-1][2]
    assert set(made) == {"pptx", "pdf", "docx", "zip", "all"}
    import zipfile
    names = zipfile.ZipFile(io.BytesIO(made["all"][1])).namelist()
    assert {"示范县_2024-10_通报.docx", "示范县_2024-10_简报.pdf", "示范县_2024-10_简报.pptx"} <= set(names)
    assert "图片与文字/notice.md" in names and sum(n.endswith(".png") for n in names) == len(fresh.charts)


def test_pdfs_are_printed_by_one_browser_kept_open(tmp_path):
    first = pdf.html_to_pdf("<p>第一份</p>")
    starts = pdf.printer_starts()
    second = pdf.html_to_pdf("<p>第二份</p>", header="页眉")
    assert first.startswith(b"%PDF") and second.startswith(b"%PDF")
    assert pdf.printer_starts() == starts  # no browser launched for the second PDF
    assert "第二份" in pdf_pages(second, tmp_path)[0]
