"""The PPTX deck on the tiny county: a title on every slide, native charts from the chart figures, 16-pt
tables. Bars and lines are drawn by PowerPoint, so this needs no browser."""

import io

import pytest
from pptx import Presentation
from pptx.util import Emu, Pt

from governance.briefing import pack as briefing
from governance.briefing import pptx as deck
from governance.store import Store
from queries import Engine
from tests import tiny


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    tiny.build(root)
    eng = Engine(Store(root))
    yield briefing.build(eng, tiny.COUNTY, "2024-10", today=tiny.TODAY, render=False)
    eng.close()


@pytest.fixture(scope="module")
def slides(pack):
    prs = Presentation(io.BytesIO(deck.to_pptx(pack)))
    assert (prs.slide_width, prs.slide_height) == (Emu(12191695), Emu(6858000))  # 16:9
    return list(prs.slides)


def text(slide):
    return "".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


def test_every_slide_has_a_title_and_the_deck_its_parts(pack, slides):
    assert all(s.shapes.title is not None and s.shapes.title.text for s in slides)
    assert slides[0].shapes.title.text == "示范县党建引领基层治理工作简报" and "2024年10月" in text(slides[0])
    kpi = [s for s in slides if s.shapes.title.text.startswith("主要指标")]
    assert [s.shapes.title.text for s in kpi] == [f"主要指标 · {d}（2024年10月）"
                                                  for d in ("信访事项", "矛盾纠纷", "网格化管理", "党支部评星定级")]
    n_summary = len(deck._summary_groups(pack.paragraphs))
    assert len(slides) == 1 + len(kpi) + len(pack.charts) + n_summary + 1 + 1
    # the 通报's problems and suggestions (one here: 乙镇's grid coverage, 90% against 98%)
    problems = next(s for s in slides if s.shapes.title.text.startswith("存在问题与下一步工作建议"))
    assert problems.shapes.title.text == "存在问题与下一步工作建议（共1项）"
    assert "1. 网格化管理：乙镇（90%）网格覆盖率未达到≥98.0%的目标。" in text(problems) and "建议：" in text(problems)
    summary_text = "".join(text(s) for s in slides if s.shapes.title.text.startswith("文字通报"))
    assert all(p.text in summary_text for p in pack.paragraphs)
    assert slides[-1].shapes.title.text.startswith("需要关注")
    # Chinese text carries an East Asian typeface, not only a Latin one
    assert f'<a:ea typeface="{deck.PPTX_FONT}"' in slides[0].shapes.title.text_frame.paragraphs[0].runs[0]._r.xml


def test_chart_slides_are_titled_native_charts_with_the_figures(pack, slides):
    by_title = {s.shapes.title.text: s for s in slides}
    for chart in pack.charts:
        slide = by_title[chart.title]  # the slide is titled with the chart's own title
        native = [s for s in slide.shapes if s.has_chart]
        assert len(native) == 1 and not [s for s in slide.shapes if s.shape_type == 13]  # no picture
        assert chart.takeaway in text(slide)
    # the petitions trend: received per month, from the rows (p7 in September, p1-p6 in October)
    trend = next(s for s in by_title[pack.charts[0].title].shapes if s.has_chart).chart
    assert trend.chart_type is not None and list(trend.plots[0].categories) == ["2024-08", "2024-09", "2024-10"]
    assert list(trend.series[0].values) == [2.0, 1.0, 6.0]  # p8 p9 in August
    # the branches ranking: a bar per town, five-star share of 2024-H1 (甲镇 b1 3★ b2 5★: 50%; 乙镇 b3: 0%)
    ranking = next(s for s in by_title[next(c.title for c in pack.charts if c.key == "branches-ranking")].shapes
                   if s.has_chart).chart
    assert dict(zip(ranking.plots[0].categories, ranking.series[0].values)) == {"甲镇": 50.0, "乙镇": 0.0}


def test_tables_are_at_least_16_pt(slides):
    sizes = [run.font.size for s in slides for shape in s.shapes if shape.has_table
             for row in shape.table.rows for cell in row.cells for p in cell.text_frame.paragraphs for run in p.runs]
    assert sizes and min(sizes) >= Pt(16)


def test_a_figure_python_pptx_cannot_draw_stays_a_picture(pack):
    import dataclasses

    import plotly.graph_objects as go

    pie = dataclasses.replace(pack.charts[0], figure=go.Figure(go.Pie(labels=["甲", "乙"], values=[1, 2])),
                              png=_tiny_png())
    slides = list(Presentation(io.BytesIO(deck.to_pptx(dataclasses.replace(pack, charts=[pie])))).slides)
    slide = next(s for s in slides if s.shapes.title.text == pie.title)
    assert [s.shape_type for s in slide.shapes if s.shape_type == 13] and not any(s.has_chart for s in slide.shapes)


def _tiny_png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (16, 9), "white").save(buf, format="PNG")
    return buf.getvalue()



def test_a_pack_from_the_page_cache_draws_the_same_charts(pack):
    import pickle

    # st.cache_data pickles the pack: Plotly then holds numeric arrays as base64 typed arrays
    cached = pickle.loads(pickle.dumps(pack))

    def values(p):
        prs = Presentation(io.BytesIO(deck.to_pptx(p)))
        return [list(s.chart.series[0].values) for slide in prs.slides for s in slide.shapes if s.has_chart]

    assert values(cached) == values(pack) and values(pack)
