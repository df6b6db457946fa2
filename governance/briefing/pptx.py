"""The briefing pack as a 16:9 PowerPoint deck (python-pptx).

Every slide has a real title (the layout's title placeholder, so PowerPoint's outline, the accessibility
checker and a screen reader find it); bars and lines are native PowerPoint charts drawn from the same
figures as the PNGs, so staff can restyle them; anything else is the chart's picture. Tables are 16 pt
or larger, to be read from the back of a meeting room.
"""

from __future__ import annotations

import io

from governance.briefing import notice
from governance.briefing import pack as P
from governance.briefing.pack import Pack
from governance.briefing.summary import Paragraph
from governance.charts import figures as charts
from governance.core.text import plotly_unescape

PPTX_FONT = "微软雅黑"  # what Office in China has; elsewhere the viewer substitutes a CJK font
PPTX_FONT_PANOSE = "020B0503020204020204"
PROBLEMS_PER_SLIDE = 4  # each a line or two and its suggestion, at 18 and 16 pt
ATTENTION_ROWS_PER_SLIDE = 9  # 16-pt rows, some wrapping to two lines
SUMMARY_PT = 18


TABLE_PT = 16  # the smallest type on a slide: read from the back of a meeting room
TITLE_ONLY = 5  # the default template's "Title Only" layout: a real title placeholder on every slide
SLIDE_W, SLIDE_H = 13.333, 7.5


def to_pptx(pack: Pack) -> bytes:
    """A 16:9 deck: cover, the KPIs (a slide per dataset), one chart per slide with its title and takeaway,
    the summary, the needs-attention list. Every slide has a title."""
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    layout = prs.slide_layouts[TITLE_ONLY]

    def slide(title: str, **kw):
        s = prs.slides.add_slide(layout)
        _title(s, title, **kw)
        return s

    s = slide(pack.title, top=2.2, height=1.3, size=40, align="center")
    _band(s)
    _text(s, 0.8, 3.6, 11.7, 0.8, pack.month_label, 28, align="center")
    _text(s, 0.8, 6.5, 11.7, 0.5, P.subtitle(pack), 16, color="595959", align="center")

    rows, statuses = P.kpi_rows(pack), [k.status for k in pack.kpis]
    for key in dict.fromkeys(k.dataset for k in pack.kpis):
        idx = [i for i, k in enumerate(pack.kpis) if k.dataset == key]
        s = slide(f"主要指标 · {rows[idx[0]][0]}（{pack.month_label}）")
        _table(s, P.KPI_HEADER[1:], [rows[i][1:] for i in idx], [2.6, 2.9, 2.5, 2.2, 1.9], 1.3, TABLE_PT,
               status_col=4, statuses=[statuses[i] for i in idx])

    for chart in pack.charts:
        s = slide(chart.title, size=24)
        if not _native_chart(s, chart.figure):
            pack.render()  # a kind python-pptx cannot draw: the chart's picture (drawn once for the pack)
            height = 5.0
            s.shapes.add_picture(io.BytesIO(chart.png), Inches((SLIDE_W - height * 16 / 9) / 2), Inches(1.15),
                                 height=Inches(height))
        _text(s, 0.6, 6.3, 12.1, 1.1, chart.takeaway, 16, bold=True, color="1F3864")

    for group in _summary_groups(pack.paragraphs):
        s = slide(f"文字通报（{pack.month_label}）")
        box = _text(s, 0.6, 1.1, 12.1, 6.1, "", SUMMARY_PT)
        tf = box.text_frame
        first = True
        for p in group:
            para = tf.paragraphs[0] if first else tf.add_paragraph()
            first = False
            _run(para, p.heading + "　", SUMMARY_PT, bold=True, color="C00000")
            _run(para, p.text, SUMMARY_PT)
            para.space_after = _pt(12)
            para.line_spacing = 1.15

    problems = notice.compose(pack).problems
    groups = [problems[i:i + PROBLEMS_PER_SLIDE] for i in range(0, len(problems), PROBLEMS_PER_SLIDE)] or [[]]
    for i, group in enumerate(groups):
        more = f"（续 {i + 1}/{len(groups)}）" if len(groups) > 1 and i else ""
        s = slide(f"存在问题与下一步工作建议（共{len(problems)}项）{more}")
        box = _text(s, 0.6, 1.1, 12.1, 6.1, "" if group else notice.NO_PROBLEMS, SUMMARY_PT)
        first = True
        for k, problem in enumerate(group, i * PROBLEMS_PER_SLIDE + 1):
            para = box.text_frame.paragraphs[0] if first else box.text_frame.add_paragraph()
            first = False
            _run(para, f"{k}. {problem.text}", SUMMARY_PT, bold=True)
            advice = box.text_frame.add_paragraph()
            _run(advice, f"建议：{problem.suggestion}", SUMMARY_PT - 2, color="1F3864")
            advice.space_after = _pt(10)

    rows = P.attention_table(pack)
    chunks = [rows[i:i + ATTENTION_ROWS_PER_SLIDE] for i in range(0, len(rows), ATTENTION_ROWS_PER_SLIDE)] or [[]]
    for i, chunk in enumerate(chunks):
        more = f"（续 {i + 1}/{len(chunks)}）" if len(chunks) > 1 and i else ""
        s = slide(f"需要关注的地区与指标（共{len(rows)}项）{more}")
        if chunk:
            _table(s, P.ATTENTION_HEADER, chunk, [1.9, 1.7, 2.0, 1.6, 1.6, 3.3], 1.15, TABLE_PT)
        else:
            _text(s, 0.6, 1.3, 12.1, 1.0, P.no_attention(pack), 20)

    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def _title(slide, text: str, *, top: float = 0.25, height: float = 0.8, size: int = 26, align: str = "left"):
    """The slide's title placeholder, placed and styled like the rest of the deck."""
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Inches

    title = slide.shapes.title
    title.left, title.top, title.width, title.height = Inches(0.6), Inches(top), Inches(12.1), Inches(height)
    tf = title.text_frame
    tf.word_wrap = True
    tf.vertical_anchor = MSO_ANCHOR.MIDDLE
    p = tf.paragraphs[0]
    p.alignment = {"left": PP_ALIGN.LEFT, "center": PP_ALIGN.CENTER}[align]
    _run(p, text, size, bold=True, color="C00000")
    return title


def _number_format(fig) -> str:
    axis = fig.layout.xaxis if fig.data[0].orientation == "h" else fig.layout.yaxis
    if axis.ticksuffix == "%":
        return '0.0"%"'
    return "#,##0" if axis.tickformat in (",d", ",.0f") else "#,##0.0"


def _native_chart(slide, fig) -> bool:
    """Draw a bar or line figure as a PowerPoint chart (False for any other kind): the same categories and
    values as the picture, the bars' status colours, hollow markers for months still being worked, and the
    target as a dashed grey line on a trend."""
    from pptx.chart.data import CategoryChartData
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_MARKER_STYLE
    from pptx.util import Inches, Pt

    if not fig.data or fig.data[0].type not in ("bar", "scatter"):
        return False
    main = fig.data[0]
    horizontal = main.type == "bar" and main.orientation == "h"
    labels, values = map(_array, (main.y, main.x) if horizontal else (main.x, main.y))
    if labels is None or values is None:
        return False
    labels = [plotly_unescape(str(v)) for v in labels]
    values = [None if v is None or v != v else float(v) for v in values]
    data = CategoryChartData(number_format=_number_format(fig))
    data.categories = labels
    data.add_series(plotly_unescape(main.name or "数值"), values)
    target = None
    if main.type == "scatter":
        lines = [sh.y0 for sh in fig.layout.shapes if sh.y0 is not None and sh.y0 == sh.y1]
        target = lines[0] if len(lines) == 1 else None
        if target is not None:
            data.add_series("目标", [target] * len(labels))
        kind = XL_CHART_TYPE.LINE_MARKERS
    else:
        kind = XL_CHART_TYPE.BAR_CLUSTERED if horizontal else XL_CHART_TYPE.COLUMN_CLUSTERED
    frame = slide.shapes.add_chart(kind, Inches(0.6), Inches(1.15), Inches(12.1), Inches(5.1), data)
    chart = frame.chart
    chart.font.size = Pt(16)
    chart.font.name = PPTX_FONT
    chart.has_title = False
    chart.has_legend = target is not None
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.TOP
        chart.legend.include_in_layout = False
    plot = chart.plots[0]
    series = plot.series[0]
    if main.type == "bar":
        plot.gap_width = 60
        plot.has_data_labels = True
        plot.data_labels.number_format = _number_format(fig)
        plot.data_labels.number_format_is_linked = False
        plot.data_labels.font.size = Pt(_label_pt(len(labels)))
        colors = main.marker.color
        for i, color in enumerate(colors if isinstance(colors, (list, tuple)) else [colors] * len(labels)):
            if isinstance(color, str) and color.startswith("#"):
                point = series.points[i]
                point.format.fill.solid()
                point.format.fill.fore_color.rgb = RGBColor.from_string(color.lstrip("#"))
        if horizontal:
            chart.category_axis.reverse_order = True  # best first, at the top, as on the dashboard
        chart.category_axis.tick_labels.font.size = Pt(_label_pt(len(labels)))
    else:
        series.format.line.width = Pt(3)
        series.format.line.color.rgb = RGBColor.from_string(charts.SERIES[0].lstrip("#"))
        series.marker.style = XL_MARKER_STYLE.CIRCLE
        series.marker.size = 9
        symbols = main.marker.symbol
        for i, symbol in enumerate(symbols if isinstance(symbols, (list, tuple)) else []):
            if symbol == "circle-open":  # 办理期内: hollow, as in the picture
                series.points[i].marker.style = XL_MARKER_STYLE.CIRCLE
                series.points[i].marker.format.fill.solid()
                series.points[i].marker.format.fill.fore_color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        if target is not None:
            goal = plot.series[1]
            goal.format.line.color.rgb = RGBColor.from_string(charts.TARGET_COLOR.lstrip("#"))
            goal.format.line.dash_style = 4  # MSO_LINE_DASH_STYLE.DASH
            goal.format.line.width = Pt(2)
            goal.marker.style = XL_MARKER_STYLE.NONE
            goal.smooth = False
    _every_label(chart.category_axis)
    value_axis = chart.value_axis
    if main.type == "bar":
        value_axis.minimum_scale = 0  # a bar's length is its value: never a cut axis
        if _number_format(fig).endswith('"%"') and max((v for v in values if v is not None), default=0) <= 100:
            value_axis.maximum_scale = 100
    value_axis.has_major_gridlines = True
    value_axis.major_gridlines.format.line.color.rgb = RGBColor(0xE6, 0xE6, 0xE6)
    value_axis.tick_labels.number_format = _number_format(fig)
    value_axis.tick_labels.number_format_is_linked = False
    return True


def _array(values) -> list | None:
    """A trace's values as a list: a figure that went through a cache (pickled) holds numeric arrays in
    Plotly's typed-array form, {"dtype": "f8", "bdata": base64}."""
    if isinstance(values, dict) and "bdata" in values:
        import base64

        import numpy as np

        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return None if values is None else list(values)


def _label_pt(n: int) -> int:
    """Category and value labels: 16 pt for up to 12 bars, smaller for a long ranking so each keeps its line."""
    return max(9, min(16, int(200 / max(n, 1))))


def _every_label(axis) -> None:
    """Name every bar: without tickLblSkip a viewer may show only every other place of a ranking."""
    from pptx.oxml.ns import qn

    ax = axis._element
    for old in ax.findall(qn("c:tickLblSkip")):
        ax.remove(old)
    skip = ax.makeelement(qn("c:tickLblSkip"), {"val": "1"})
    # schema order: ... c:crosses/c:crossesAt, c:auto, c:lblAlgn, c:lblOffset, c:tickLblSkip, c:tickMarkSkip, c:noMultiLvlLbl
    anchor = ax.find(qn("c:lblOffset"))
    if anchor is not None:
        anchor.addnext(skip)
    else:
        follower = ax.find(qn("c:noMultiLvlLbl"))
        follower.addprevious(skip) if follower is not None else ax.append(skip)


def _summary_groups(paras: list[Paragraph], budget: int = 640) -> list[list[Paragraph]]:
    """Paragraphs packed onto slides by length, so 18-pt text never runs off a slide.

    A 12.1 in box holds about 48 characters of 18 pt per line and 15 lines: 720 characters,
    less the gaps between paragraphs. A paragraph longer than that gets a slide of its own.
    """
    groups: list[list[Paragraph]] = [[]]
    used = 0
    for p in paras:
        size = len(p.text) + 40
        if groups[-1] and used + size > budget:
            groups.append([])
            used = 0
        groups[-1].append(p)
        used += size
    return groups


def _pt(n):
    from pptx.util import Pt

    return Pt(n)


def _east_asian(run, bold: bool = False) -> None:
    """Set the run's Latin and East Asian typeface (python-pptx only sets Latin)."""
    from pptx.oxml.ns import qn

    run.font.name = PPTX_FONT
    rpr = run._r.get_or_add_rPr()
    for tag in ("a:ea", "a:cs"):
        for old in rpr.findall(qn(tag)):
            rpr.remove(old)
    latin = rpr.find(qn("a:latin"))
    latin.set("panose", PPTX_FONT_PANOSE)
    latin.set("charset", "-122")
    anchor = latin
    for tag in ("a:ea", "a:cs"):
        el = rpr.makeelement(qn(tag), {"typeface": PPTX_FONT, "panose": PPTX_FONT_PANOSE, "charset": "-122"})
        anchor.addnext(el)
        anchor = el
    if bold:
        run.font.bold = True


def _run(paragraph, text: str, size: int, *, bold: bool = False, color: str | None = None):
    from pptx.dml.color import RGBColor

    run = paragraph.add_run()
    run.text = text
    run.font.size = _pt(size)
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    _east_asian(run, bold)
    return run


def _text(slide, left, top, width, height, text, size, *, bold=False, color=None, align="left"):
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Inches

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    tf = box.text_frame
    tf.word_wrap = True
    tf.vertical_anchor = MSO_ANCHOR.TOP
    p = tf.paragraphs[0]
    p.alignment = {"left": PP_ALIGN.LEFT, "center": PP_ALIGN.CENTER}[align]
    if text:
        _run(p, text, size, bold=bold, color=color)
    return box


def _band(slide) -> None:
    from pptx.dml.color import RGBColor
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, Inches(1.6), Inches(13.333), Inches(0.12))
    bar.fill.solid()
    bar.fill.fore_color.rgb = RGBColor.from_string("C00000")
    bar.line.fill.background()


def _table(slide, header, rows, widths, top, size, *, status_col=None, statuses=None):
    from pptx.dml.color import RGBColor
    from pptx.util import Inches

    shape = slide.shapes.add_table(len(rows) + 1, len(header), Inches(0.6), Inches(top), Inches(sum(widths)),
                                   Inches(0.4 * (len(rows) + 1)))
    table = shape.table
    for i, w in enumerate(widths):
        table.columns[i].width = Inches(w)
    for r, values in enumerate([header, *rows]):
        table.rows[r].height = Inches(0.38)
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.fill.solid()
            cell.fill.fore_color.rgb = RGBColor.from_string("D9D9D9" if r == 0 else "FFFFFF" if r % 2 else "F5F5F5")
            cell.margin_top = cell.margin_bottom = Inches(0.03)
            tf = cell.text_frame
            tf.word_wrap = True
            color = "262730"
            if r and status_col is not None and c == status_col and statuses:
                color = charts.STATUS_COLOR[statuses[r - 1]].lstrip("#")
            _run(tf.paragraphs[0], str(value), size, bold=r == 0, color=color)
    return table
