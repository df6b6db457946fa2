"""简报: a briefing pack for a place and a month, as a PPTX deck, a PDF, or a folder of PNGs.

``build`` runs the queries once (``summary.gather`` and ``attention.needs_attention``)
and assembles everything the outputs show: a title, the headline KPIs with their
change and status, one chart per slide with a one-line takeaway, the written
summary and the needs-attention list. ``to_pptx``, ``to_pdf`` and ``to_folder``
only lay that content out, so the three outputs always say the same thing.

The PDF is HTML printed by the system Chromium (Playwright): Chinese is drawn
with Noto Sans CJK SC, tables split across pages with their header repeated and
rows never cut, and every page carries its number.
"""

from __future__ import annotations

import base64
import concurrent.futures
import datetime as dt
import html
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from governance.briefing import summary
from governance.briefing.summary import (  # noqa: F401  (NoDataError is part of the API)
    Facts,
    NoDataError,
    Paragraph,
    Place,
)
from governance.charts import figures as charts
from governance.charts import images
from governance.core import contract, formatting, periods, ranking
from governance.core.text import md_escape, plotly_unescape
from governance.metrics import attention, indicators
from governance.metrics.cards import Card, cards
from queries import Engine

TITLE_SUFFIX = "党建引领基层治理工作简报"
PPTX_FONT = "微软雅黑"  # what Office in China has; elsewhere the viewer substitutes a CJK font
PPTX_FONT_PANOSE = "020B0503020204020204"
CSS_FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
STATUS_SHAPE = {"green": "●", "amber": "▲", "red": "✕", None: "○"}
REASON_ZH = {"red": "未达标", "worsening": f"连续{attention.RUN}个月变差"}
ATTENTION_ROWS_PER_SLIDE = 12
SUMMARY_PT = 18
PDF_TIMEOUT_S = 120


@dataclass
class Chart:
    key: str  # file-name safe: petitions-trend
    dataset: str
    title: str
    figure: go.Figure
    takeaway: str
    months: str  # the months it shows, as the stamp says them
    as_of: dt.date | None
    png: bytes | None = None


@dataclass(frozen=True)
class AttentionRow:
    place: str
    dataset_zh: str
    indicator_zh: str
    value_text: str
    target_text: str
    reason: str  # 未达标 / 连续3个月变差 (with the values)


@dataclass
class Pack:
    place: Place
    month: str
    version: int
    as_of: dt.date | None
    generated: dt.datetime
    kpis: list[Card]
    charts: list[Chart]
    paragraphs: list[Paragraph]
    attention: list[AttentionRow]
    facts: dict[str, Facts] = field(repr=False, default_factory=dict)

    @property
    def title(self) -> str:
        return f"{self.place.name}{TITLE_SUFFIX}"

    @property
    def month_label(self) -> str:
        return periods.month_label_zh(self.month)

    def render(self) -> Pack:
        """Draw every chart's PNG (once) through the process-wide exporter."""
        for chart in self.charts:
            if chart.png is None:
                chart.png = images.chart_png(chart.figure, place=self.place.name, months=chart.months,
                                             as_of=chart.as_of)
        return self


# ---- building the content ----------------------------------------------------------------------

def default_region(engine: Engine, *, version: int | None = None) -> str | None:
    """The store's home place (the county of a county's store)."""
    return indicators.home_region(engine, version=version)


def build(engine: Engine, region: str | None = None, month: str | None = None, *, version: int | None = None,
          today: dt.date | None = None, render: bool = True) -> Pack:
    """Everything the briefing shows for a place and a month (defaults: the home place, the latest month).

    Raises NoDataError (its message is for the user, Chinese and English) when the
    place is unknown or the month has no data; images.ExportError when charts cannot be drawn.
    """
    version = engine.version() if version is None else version
    region = region or default_region(engine, version=version)
    month = month or indicators.latest_month(engine, version)
    if region is None or month is None:
        raise NoDataError("存储中没有数据 the store has no data; 先上传台账或运行 run: python -m governance demo")
    facts = summary.gather(engine, region, month, version=version, today=today)
    place = next(iter(facts.values())).place
    manifest = engine.store.manifest(version)
    pack = Pack(
        place=place,
        month=month,
        version=version,
        as_of=as_of(manifest, list(contract.FACT_DATASETS), None),
        generated=dt.datetime.now().replace(microsecond=0),
        kpis=kpis(facts),
        charts=[c for key in contract.FACT_DATASETS for c in dataset_charts(facts[key], manifest)],
        paragraphs=summary.paragraphs(facts),
        attention=attention_rows(engine, place, month, version=version, today=today),
        facts=facts,
    )
    return pack.render() if render else pack


def kpis(facts: dict[str, Facts]) -> list[Card]:
    """Headline indicators: value, change against the previous period, target and status (the overview's cards)."""
    out = []
    for key in contract.FACT_DATASETS:
        f = facts[key]
        empty = {w: {i.key: None for i in contract.dataset(key).indicators} for w in ("current", "mom")}
        out += cards(key, f.head if f.has_data else empty, compare="mom", level=f.place.level)
    return out


def as_of(manifest: dict, datasets: list[str], wanted: set[str] | None = None) -> dt.date | None:
    """When the data shown was loaded: the latest upload among the partitions read."""
    stamps = [entry["at"] for key in datasets
              for period, entry in manifest["datasets"].get(key, {}).items()
              if wanted is None or period in wanted]
    if not stamps:
        return None
    return dt.datetime.fromisoformat(max(stamps)).astimezone().date()


def _trend_takeaway(f: Facts, ind: contract.Indicator) -> str:
    s = f.series.dropna(subset=[ind.key])
    if ind.matures and "mature" in s:
        # highs and lows over final months only: a month still being worked is not its lowest
        s = s[s["mature"].astype(bool)]
    word, now = ("上期", "本期") if f.dataset == "branches" else ("环比", "本月")
    cur = f.current[ind.key]
    if cur is None:
        parts = [f"{now}无{ind.zh}数据"]
    else:
        parts = [summary.clauses(f"{now}{ind.zh}{summary.fmt(cur, ind)}",
                                 "办理期内，尚有件未到期限" if ind.matures and not f.mature else None,
                                 summary.versus_previous(cur, f.head["mom"][ind.key], ind, word))]
    if len(s) >= 3:
        since = f"{periods.period_label_zh(s['month'].iloc[0])}以来" + ("已定型的各月中" if ind.matures else "")
        hi, lo = s.loc[s[ind.key].idxmax()], s.loc[s[ind.key].idxmin()]
        if summary.fmt(hi[ind.key], ind) == summary.fmt(lo[ind.key], ind):
            parts.append(f"{since}各期均为{summary.fmt(hi[ind.key], ind)}")
        else:
            parts.append(f"{since}最高{summary.fmt(hi[ind.key], ind)}（{periods.period_label_zh(hi['month'])}），"
                         f"最低{summary.fmt(lo[ind.key], ind)}（{periods.period_label_zh(lo['month'])}）")
    return "；".join(parts) + "。"


def _ranking_takeaway(f: Facts, ind: contract.Indicator) -> str:
    if ind.matures and not f.mature:
        return "办理期内：本月尚有件未到期限，暂不排名（图中灰色）；是否拖延看超期未办结/未化解。"
    text = summary.ranking_sentence(f) or ""
    return text.split("看，", 1)[-1] if "看，" in text else text


SUBJECT = {"petitions": "信访", "disputes": "矛盾纠纷", "grid": "", "branches": "党支部"}


def dataset_charts(f: Facts, manifest: dict) -> list[Chart]:
    """The charts of one dataset: its main rate's trend and ranking (and volume or stars where they say more)."""
    if not f.has_data:
        return []
    ind = summary.main_rate(f.dataset)
    ds = contract.dataset(f.dataset)
    place, level = f.place, f.place.level
    name = SUBJECT[f.dataset] + ind.zh
    unit = charts.axis_unit(ind)
    out: list[Chart] = []
    trend_as_of = as_of(manifest, [f.dataset], set(f.series["month"]) if not f.series.empty else None)
    month_as_of = as_of(manifest, [f.dataset], {f.period or f.month})
    if len(f.series) >= 2:  # one point is not a trend
        first, last = f.series["month"].iloc[0], f.series["month"].iloc[-1]
        if f.dataset == "branches":
            span = "、".join(periods.period_label_zh(p) for p in f.series["month"])
        else:
            span = periods.range_label_zh(first, last)
        if f.dataset == "petitions":
            received = ds.indicator("received")
            fig = charts.trend(f.series, received, level=level, title=f"{place.name}信访事项受理量月度趋势（件）")
            fig.update_yaxes(title_text="")  # the unit is in the title; a rotated 件 reads badly
            out.append(Chart("petitions-received-trend", f.dataset, "", fig, _volume_takeaway(f, received), span,
                             trend_as_of))
        word = "各评定周期" if f.dataset == "branches" else "月度"
        fig = charts.trend(f.series, ind, level=level, title=f"{place.name}{name}{word}趋势（{unit}）")
        out.append(Chart(f"{f.dataset}-trend", f.dataset, "", fig, _trend_takeaway(f, ind), span, trend_as_of))
    if place.child_level and len(summary.charted(f, ind)) >= 2:
        term = summary.CHILD_TERM.get(level, "下级")
        fig = charts.ranking(ranking.order(f.children, ind), ind, level=place.child_level,
                             title=f"各{term}{name}排名（{f.period_label}，{unit}）")
        out.append(Chart(f"{f.dataset}-ranking", f.dataset, "", fig, _ranking_takeaway(f, ind) or f"{ind.zh}见图。",
                         f.period_label, month_as_of))
    if f.dataset == "branches":
        stars = f.current["stars_distribution"]
        df = pd.DataFrame({"label": [f"{s}星" for s in range(5, -1, -1)],
                           "value": [int(stars[str(s)]) for s in range(5, -1, -1)]})
        fig = charts.bars(df, "label", "value", unit="个", title=f"{place.name}党支部星级分布（{f.period_label}，个）")
        fig.update_yaxes(title_text="")
        low = sum(int(stars[str(s)]) for s in range(3))
        takeaway = f"五星级{stars['5']}个、四星级{stars['4']}个、三星级{stars['3']}个，二星级及以下{low}个。"
        out.append(Chart("branches-stars", f.dataset, "", fig, takeaway, f.period_label, month_as_of))
    for c in out:
        c.title = _plain(c.figure.layout.title.text)
    return out


def _plain(title: str | None) -> str:
    """The figure's title as plain text again (charts escape names for Plotly)."""
    return plotly_unescape((title or "").split("<br>")[0])


def _volume_takeaway(f: Facts, ind: contract.Indicator) -> str:
    cur = f.current[ind.key] or 0
    text = summary.clauses(f"本月受理{summary.count(cur, '件')}",
                           summary.versus_previous(cur, f.head["mom"][ind.key], ind),
                           summary.versus_previous(cur, f.head["yoy"][ind.key], ind, "同比"))
    start = periods.shift_month(f.month, -(summary.TREND_MONTHS - 1))
    # months without a row had no petitions, so the sum (unlike a mean over the rows) is right as it is
    total = int(f.series[ind.key].fillna(0).sum())
    return text + f"；{periods.month_label_zh(start)}以来累计受理{summary.count(total, '件')}。"


def attention_rows(engine: Engine, place: Place, month: str, *, version=None, today=None) -> list[AttentionRow]:
    """The overview's needs-attention list for the month (attention.needs_attention), worded for paper."""
    df = attention.needs_attention(engine, place.code, month, version=version, today=today)
    rows = []
    for r in df.itertuples(index=False):
        ind = contract.dataset(r.dataset).indicator(r.indicator)
        reason = REASON_ZH.get(r.reason, r.reason)
        if r.reason == "worsening" and "from_value" in df.columns and pd.notna(r.from_value):
            reason += f"（{summary.fmt(r.from_value, ind)}→{summary.fmt(r.value, ind)}）"
        rows.append(AttentionRow(str(r.place_name), contract.dataset(r.dataset).zh, ind.zh,
                                 formatting.value(r.value, ind), r.target or "—", reason))
    return rows


# ---- where the pack goes --------------------------------------------------------------------------

def output_kind(out: str | Path) -> str:
    """pptx / pdf / folder, from the path the user gave; ValueError with a message otherwise."""
    path = Path(out)
    if path.suffix.lower() == ".pptx":
        return "pptx"
    if path.suffix.lower() == ".pdf":
        return "pdf"
    if path.is_dir():
        return "folder"
    raise ValueError(f"输出路径须以 .pptx 或 .pdf 结尾，或为已存在的文件夹 --out must end in .pptx or .pdf, "
                     f"or be an existing folder: {out}")


def write(pack: Pack, out: str | Path) -> list[Path]:
    """Write the deck (.pptx), the PDF (.pdf) or the folder of PNGs + summary.md; returns the files written."""
    kind = output_kind(out)
    path = Path(out)
    if kind == "folder":
        return to_folder(pack, path)
    data = to_pptx(pack) if kind == "pptx" else to_pdf(pack)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return [path]


MIME = {"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pdf": "application/pdf", "zip": "application/zip"}


def file_name(pack: Pack, kind: str) -> str:
    """A download name: 清源县_2026-10_简报.pptx."""
    return f"{pack.place.name}_{pack.month}_简报.{kind}"


def export(engine: Engine, region: str | None, month: str | None, kind: str, *, version: int | None = None,
           today: dt.date | None = None) -> tuple[str, bytes]:
    """(file name, bytes) of the deck (kind "pptx"), the PDF ("pdf") or the images + summary ("zip"):
    what a download button serves.

    Bytes and a string, so a page can keep the result in st.cache_data. Raises NoDataError
    (show str(e) to the user) and images.ExportError.
    """
    if kind not in MIME:
        raise ValueError(f"kind must be one of {sorted(MIME)}: {kind!r}")
    pack = build(engine, region, month, version=version, today=today)
    return file_name(pack, kind), {"pptx": to_pptx, "pdf": to_pdf, "zip": to_zip}[kind](pack)


def _subtitle(pack: Pack) -> str:
    as_of = f"数据截至{_day(pack.as_of)}　" if pack.as_of else ""
    return f"{as_of}生成于{_day(pack.generated.date())} {pack.generated:%H:%M}　数据版本 v{pack.version}"


def _day(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _kpi_rows(pack: Pack) -> list[list[str]]:
    rows = []
    for k in pack.kpis:
        status = k.status_word()
        rows.append([contract.dataset(k.dataset).zh, k.indicator.zh, k.value_text(), k.delta_text() or "—",
                     k.target_text or "—",
                     f"{STATUS_SHAPE[k.status]} {status}"])
    return rows


KPI_HEADER = ["数据", "指标", "本月", "环比（上期）", "目标", "状态"]
ATTENTION_HEADER = ["地区", "数据", "指标", "本月", "目标", "原因"]


def _no_attention(pack: Pack) -> str:
    if not pack.place.child_level:
        return "村(社区)没有下级地区，本表不适用；本村(社区)各项指标的状态见“主要指标”。"
    term = summary.CHILD_TERM.get(pack.place.level, "下级地区")
    return f"本月没有指标未达标或连续{attention.RUN}个月变差的{term}。"


def _attention_table(pack: Pack) -> list[list[str]]:
    return [[a.place, a.dataset_zh, a.indicator_zh, a.value_text, a.target_text, a.reason] for a in pack.attention]


# ---- PPTX -----------------------------------------------------------------------------------------

def to_pptx(pack: Pack) -> bytes:
    """A 16:9 deck: title, KPIs, one chart per slide with its takeaway, the summary, the needs-attention list."""
    from pptx import Presentation
    from pptx.util import Inches

    pack.render()
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    blank = prs.slide_layouts[6]

    s = prs.slides.add_slide(blank)
    _band(s)
    _text(s, 0.8, 2.3, 11.7, 1.2, pack.title, 40, bold=True, color="C00000", align="center")
    _text(s, 0.8, 3.6, 11.7, 0.8, pack.month_label, 28, align="center")
    _text(s, 0.8, 6.5, 11.7, 0.5, _subtitle(pack), 14, color="595959", align="center")

    s = prs.slides.add_slide(blank)
    _heading(s, f"主要指标（{pack.month_label}）")
    _table(s, KPI_HEADER, _kpi_rows(pack), [1.9, 2.4, 2.0, 2.3, 1.8, 1.6], 1.15, 12,
           status_col=5, statuses=[k.status for k in pack.kpis])

    for chart in pack.charts:
        s = prs.slides.add_slide(blank)
        width = 11.2  # 16:9: 6.3 in tall, leaving room for a three-line takeaway
        s.shapes.add_picture(io.BytesIO(chart.png), Inches((13.333 - width) / 2), Inches(0.1), width=Inches(width))
        _text(s, 0.6, 6.45, 12.1, 1.0, chart.takeaway, 16, bold=True, color="1F3864")

    for group in _summary_groups(pack.paragraphs):
        s = prs.slides.add_slide(blank)
        _heading(s, f"文字通报（{pack.month_label}）")
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

    rows = _attention_table(pack)
    chunks = [rows[i:i + ATTENTION_ROWS_PER_SLIDE] for i in range(0, len(rows), ATTENTION_ROWS_PER_SLIDE)] or [[]]
    for i, chunk in enumerate(chunks):
        s = prs.slides.add_slide(blank)
        more = f"（续 {i + 1}/{len(chunks)}）" if len(chunks) > 1 and i else ""
        _heading(s, f"需要关注的地区与指标（共{len(rows)}项）{more}")
        if chunk:
            _table(s, ATTENTION_HEADER, chunk, [1.8, 1.6, 1.7, 1.5, 1.7, 3.8], 1.15, 13)
        else:
            _text(s, 0.6, 1.3, 12.1, 1.0, _no_attention(pack), 20)

    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


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


def _heading(slide, text: str) -> None:
    _text(slide, 0.6, 0.3, 12.1, 0.7, text, 26, bold=True, color="C00000")


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


# ---- PDF ------------------------------------------------------------------------------------------

CSS = f"""
@page {{ size: A4 landscape; }}
html {{ font-family: {CSS_FONT}; font-size: 11pt; color: #262730; }}
body {{ margin: 0; }}
section {{ break-before: page; }}
section:first-child {{ break-before: auto; }}
.cover {{ height: 170mm; display: flex; flex-direction: column; justify-content: center; text-align: center; }}
.cover h1 {{ font-size: 30pt; color: #C00000; margin: 0 0 8mm; }}
.cover .month {{ font-size: 22pt; margin-bottom: 30mm; }}
.cover .meta {{ font-size: 11pt; color: #595959; }}
h2 {{ font-size: 16pt; color: #C00000; margin: 0 0 4mm; padding-left: 3mm; border-left: 5px solid #C00000; }}
figure {{ margin: 0; }}
figure img {{ display: block; width: 100%; height: 146mm; object-fit: contain; }}
.takeaway {{ font-size: 13pt; font-weight: bold; color: #1F3864; margin-top: 3mm; }}
table {{ width: 100%; border-collapse: collapse; font-size: 10.5pt; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; page-break-inside: avoid; }}
th, td {{ border: 1px solid #BFBFBF; padding: 1.5mm 2.5mm; text-align: left; vertical-align: top; }}
th {{ background: #E7E6E6; }}
tbody tr:nth-child(even) td {{ background: #F7F7F7; }}
.s-green {{ color: #009E73; }} .s-amber {{ color: #B07800; }} .s-red {{ color: #D55E00; font-weight: bold; }}
p.para {{ font-size: 12.5pt; line-height: 1.75; text-indent: 2em; margin: 0 0 3mm; text-align: justify; }}
p.para b {{ color: #C00000; }}
.empty {{ font-size: 14pt; }}
"""


def _e(text) -> str:
    return html.escape(str(text))


def _html_table(header: list[str], rows: list[list[str]], classes: list[str] | None = None) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = []
    for i, row in enumerate(rows):
        cells = []
        for j, v in enumerate(row):
            cls = f' class="{classes[i]}"' if classes and j == len(row) - 1 and classes[i] else ""
            cells.append(f"<td{cls}>{_e(v)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def to_html(pack: Pack) -> str:
    """The PDF's source: one section per page-opening part, charts embedded as base64 PNG."""
    pack.render()
    parts = [
        f"<section class='cover'><h1>{_e(pack.title)}</h1><div class='month'>{_e(pack.month_label)}</div>"
        f"<div class='meta'>{_e(_subtitle(pack))}</div></section>",
        f"<section><h2>主要指标（{_e(pack.month_label)}）</h2>"
        + _html_table(KPI_HEADER, _kpi_rows(pack), [f"s-{k.status}" if k.status else "" for k in pack.kpis])
        + "</section>",
    ]
    for i, chart in enumerate(pack.charts, 1):
        data = base64.b64encode(chart.png).decode("ascii")
        parts.append(f"<section><h2>图{i}　{_e(contract.dataset(chart.dataset).zh)}</h2>"
                     f"<figure><img alt='{_e(chart.title)}' src='data:image/png;base64,{data}'></figure>"
                     f"<div class='takeaway'>{_e(chart.takeaway)}</div></section>")
    paras = "".join(f"<p class='para'><b>{_e(p.heading)}</b>　{_e(p.text)}</p>" for p in pack.paragraphs)
    parts.append(f"<section><h2>文字通报（{_e(pack.month_label)}）</h2>{paras}</section>")
    rows = _attention_table(pack)
    table = _html_table(ATTENTION_HEADER, rows) if rows else f"<p class='empty'>{_e(_no_attention(pack))}</p>"
    parts.append(f"<section><h2>需要关注的地区与指标（共{len(rows)}项）</h2>{table}</section>")
    return (f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>{_e(pack.title)}</title>"
            f"<style>{CSS}</style></head><body>{''.join(parts)}</body></html>")


def _margin_template(text: str, align: str) -> str:
    return (f"<div style=\"font-family: {_e(CSS_FONT)}; font-size: 8pt; color: #7F7F7F; width: 100%; "
            f"margin: 0 12mm; text-align: {align};\">{text}</div>")


def html_to_pdf(source: str, *, header: str = "") -> bytes:
    """A4 landscape PDF of an HTML page, printed by the system Chromium, with 第 N 页 / 共 M 页 footers."""

    def run() -> bytes:
        from playwright.sync_api import sync_playwright

        path = images.browser_path()
        if path is None:
            raise images.ExportError("找不到 Chromium 浏览器，无法生成 PDF no Chromium found for the PDF")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
            try:
                page = browser.new_page()
                page.set_content(source, wait_until="load", timeout=PDF_TIMEOUT_S * 1000)
                page.evaluate("document.fonts.ready.then(() => true)")
                return page.pdf(
                    format="A4", landscape=True, print_background=True, display_header_footer=True,
                    header_template=_margin_template(_e(header), "right"),
                    footer_template=_margin_template(
                        "第 <span class='pageNumber'></span> 页 / 共 <span class='totalPages'></span> 页", "center"),
                    margin={"top": "14mm", "bottom": "14mm", "left": "12mm", "right": "12mm"},
                )
            finally:
                browser.close()

    # Playwright's sync API refuses to run on a thread with an asyncio loop (Streamlit's may have one):
    # a short-lived worker thread of its own never does.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="briefing-pdf") as pool:
        try:
            return pool.submit(run).result(PDF_TIMEOUT_S)
        except images.ExportError:
            raise
        except Exception as e:  # noqa: BLE001
            raise images.ExportError(f"PDF 生成失败 PDF export failed: {type(e).__name__}: {e}") from e


def to_pdf(pack: Pack) -> bytes:
    return html_to_pdf(to_html(pack), header=f"{pack.title} · {pack.month_label}")


# ---- folder ---------------------------------------------------------------------------------------

def to_markdown(pack: Pack, png_names: list[str] | None = None) -> str:
    # Names in the titles, text and tables come from uploads: Markdown-escaped, so a viewer of the
    # summary.md fetches no image and follows no link a village name carried (issue 10).
    lines = [f"# {md_escape(pack.title)}", "", f"**{pack.month_label}**　{_subtitle(pack)}", "", "## 主要指标", ""]
    lines += _md_table(KPI_HEADER, _kpi_rows(pack))
    lines += ["", "## 文字通报", ""]
    lines += [f"**{p.heading}**　{md_escape(p.text)}\n" for p in pack.paragraphs]
    lines += ["## 图表", ""]
    for i, chart in enumerate(pack.charts):
        name = png_names[i] if png_names else None
        lines.append(f"### 图{i + 1}　{md_escape(chart.title)}")
        lines.append("")
        if name:
            lines += [f"![{md_escape(chart.title)}]({name})", ""]
        lines += [md_escape(chart.takeaway), ""]
    lines += [f"## 需要关注的地区与指标（共{len(pack.attention)}项）", ""]
    rows = _attention_table(pack)
    lines += _md_table(ATTENTION_HEADER, rows) if rows else [_no_attention(pack)]
    return "\n".join(lines) + "\n"


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    def cell(v):
        return md_escape(v)  # escapes | too

    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + [
        "| " + " | ".join(cell(v) for v in row) + " |" for row in rows]


def folder_files(pack: Pack) -> dict[str, bytes]:
    """One PNG per chart (01-petitions-trend.png ...) and summary.md, by file name."""
    pack.render()
    files = {f"{i:02d}-{chart.key}.png": chart.png for i, chart in enumerate(pack.charts, 1)}
    files["summary.md"] = to_markdown(pack, list(files)).encode("utf-8")
    return files


def to_folder(pack: Pack, folder: str | Path) -> list[Path]:
    """The folder output: folder_files written into an existing folder."""
    written = []
    for name, data in folder_files(pack).items():
        (Path(folder) / name).write_bytes(data)
        written.append(Path(folder) / name)
    return written


def to_zip(pack: Pack) -> bytes:
    """The folder output as one .zip, for a download button."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in folder_files(pack).items():
            z.writestr(name, data)
    return buf.getvalue()
