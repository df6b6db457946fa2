"""Chart PNGs: real Chinese glyphs, the stamp, and one exporter shared safely by threads."""

import io
import subprocess
import threading

import plotly.graph_objects as go
import pytest
from PIL import Image

from governance.charts import figures as charts
from governance.charts import images

pytestmark = [pytest.mark.ocr, pytest.mark.slow]  # tesseract reads the drawn Chinese; Chromium draws


def ocr(image: Image.Image) -> str:
    """What tesseract's Simplified Chinese model reads in an image, without whitespace."""
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    out = subprocess.run(["tesseract", "stdin", "stdout", "-l", "chi_sim", "--psm", "6"], input=buf.getvalue(),
                         capture_output=True, check=True).stdout.decode("utf-8")
    return "".join(out.split())


def test_png_draws_the_chinese_title_and_the_stamp():
    fig = go.Figure(go.Bar(x=["甲镇", "乙镇"], y=[3, 5]))
    fig.update_layout(title="信访事项办结率排名")
    png = images.chart_png(fig, place="示范县", months="2024年10月", as_of="2024年10月31日")
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (images.WIDTH * images.SCALE, images.HEIGHT * images.SCALE)  # 16:9 at 2x
    # With no CJK font the title would be boxes (tofu), which OCR cannot read as these characters.
    assert "信访事项办结率排名" in ocr(image.crop((0, 0, image.width, image.height * 12 // 100)))
    footer = ocr(image.crop((0, image.height * 90 // 100, image.width, image.height)))
    assert "示范县" in footer and "2024年10月" in footer and "数据截至" in footer


def test_presentation_layout_names_the_font_and_stamps_the_filters():
    fig = go.Figure(go.Scatter(x=["2024-09", "2024-10"], y=[1, 2]), layout=dict(title="趋势", height=360))
    out = images.presentation(fig, place="示范县", months="2024年9月至2024年10月", as_of="2024年10月31日")
    assert (out.layout.width, out.layout.height) == (1600, 900)
    assert out.layout.font.family == charts.FONT and out.layout.font.family.startswith("Noto Sans CJK SC")
    stamp = out.layout.annotations[-1]
    assert stamp.text == "地区：示范县　　月份：2024年9月至2024年10月　　数据截至：2024年10月31日"
    assert stamp.font.family == charts.FONT
    assert fig.layout.height == 360 and not fig.layout.annotations  # the caller's figure is left alone


def test_concurrent_exports_each_get_their_own_chart():
    images.to_png(go.Figure(), width=200, height=120, scale=1)  # the exporter is up
    starts = images.exporter_starts()
    colours = ["#FF0000", "#00FF00", "#0000FF", "#FFFF00", "#FF00FF", "#00FFFF"]
    results: dict[int, bytes] = {}
    errors = []

    def export(i: int) -> None:
        fig = go.Figure(go.Bar(x=["甲", "乙"], y=[i + 1, 1]),
                        layout=dict(title=f"第{i}张图", paper_bgcolor=colours[i], plot_bgcolor=colours[i]))
        try:
            results[i] = images.to_png(fig, width=400 + 40 * i, height=240, scale=1)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=export, args=(i,)) for i in range(len(colours))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for i, colour in enumerate(colours):
        image = Image.open(io.BytesIO(results[i])).convert("RGB")
        assert image.size == (400 + 40 * i, 240)
        assert image.getpixel((2, 2)) == tuple(int(colour[k:k + 2], 16) for k in (1, 3, 5))
    assert images.exporter_starts() == starts  # one persistent browser, not one per image


def test_a_dead_browser_is_replaced_on_the_next_export():
    images.to_png(go.Figure(), width=200, height=120, scale=1)
    starts = images.exporter_starts()
    browser = images._EXPORTER.kaleido.subprocess  # the Chromium this test process started
    browser.kill()
    browser.wait()
    png = images.to_png(go.Figure(layout=dict(paper_bgcolor="#123456")), width=200, height=120, scale=1)
    assert Image.open(io.BytesIO(png)).convert("RGB").getpixel((1, 1)) == (0x12, 0x34, 0x56)
    assert images.exporter_starts() == starts + 1


def test_a_batch_of_charts_is_drawn_at_once_each_with_its_own_stamp():
    figs = [go.Figure(go.Bar(x=["甲", "乙"], y=[i + 1, 1]), layout=dict(title=f"第{i + 1}张图")) for i in range(3)]
    pngs = images.chart_pngs([(fig, {"place": f"{name}县", "months": "2024年10月", "as_of": None})
                              for fig, name in zip(figs, "甲乙丙")])
    for i, (png, name) in enumerate(zip(pngs, "甲乙丙")):
        image = Image.open(io.BytesIO(png))
        assert image.size == (3200, 1800)
        assert f"第{i + 1}张图" in ocr(image.crop((0, 0, image.width, image.height * 5 // 100)))
        assert f"{name}县" in ocr(image.crop((0, image.height * 90 // 100, image.width, image.height)))
