"""Dashboard chart images laid out for a slide (charts/images.presentation, slide_title): no browser here,
the drawn result is read by OCR in tests/test_images.py and tests/e2e/test_briefing_button.py."""

import plotly.graph_objects as go

from governance.charts import images


def test_the_image_title_names_the_place_and_the_months():
    assert images.slide_title("乡镇(街道)办结率排名（%）", "清源县", "2026年10月") == \
        "清源县 · 乡镇(街道)办结率排名（2026年10月，%）"
    # already named: left as it is; a title without a unit gets the months in brackets
    assert images.slide_title("清源县 · 办结率月度趋势（2026年10月，%）", "清源县", "2026年10月") == \
        "清源县 · 办结率月度趋势（2026年10月，%）"
    assert images.slide_title("星级分布", "甲镇", "2024年上半年") == "甲镇 · 星级分布（2024年上半年）"
    # only the first line; names from uploads are escaped for Plotly
    assert images.slide_title("排名<br><sup>点击条形下钻</sup>", "<b>村</b>", "2026年10月") == \
        "&lt;b&gt;村&lt;/b&gt; · 排名（2026年10月）"


def test_presentation_moves_the_subtitle_under_the_title_and_can_replace_it():
    fig = go.Figure(go.Bar(x=[1, 2], y=["甲", "乙"], orientation="h"),
                    layout=dict(title="排名<br><sup>点击条形下钻 · 颜色表示是否达标</sup>"))
    out = images.presentation(fig, place="清源县", months="2026年10月")
    # one line of title, anchored inside the top of the frame, the subtitle as Plotly's own
    assert out.layout.title.text == "排名" and out.layout.title.subtitle.text == "点击条形下钻 · 颜色表示是否达标"
    assert out.layout.title.yref == "container" and out.layout.title.yanchor == "top"
    assert out.layout.title.y >= 0.99
    still = images.presentation(fig, place="清源县", months="2026年10月", title="清源县各乡镇排名",
                                subtitle="颜色表示是否达标")
    assert still.layout.title.text == "清源县各乡镇排名" and "点击" not in still.layout.title.subtitle.text
    assert "<br>" not in (still.layout.title.text or "")


def test_a_legend_under_the_plot_moves_clear_of_the_stamp():
    fig = go.Figure(go.Scatter(x=["2024-09", "2024-10"], y=[1, 2], name="办理期内"),
                    layout=dict(title="趋势", legend=dict(orientation="h", y=-0.22)))
    out = images.presentation(fig, place="示范县", months="2024年10月", as_of="2024年10月31日")
    assert out.layout.legend.y > 1 and out.layout.legend.yanchor == "bottom"
