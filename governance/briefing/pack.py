"""简报: the content of a briefing pack for a place and a month.

``build`` runs the queries once (``summary.gather``, ``attention.needs_attention`` and the weak
branches) and assembles everything the outputs show: a title, the headline KPIs with their change and
status, one chart per slide with a one-line takeaway, the written summary, the needs-attention list and
the figures the 通报 (notice.py) is written from. The formats only lay that content out (pptx.py,
pdf.py, word.py, files.py), so they always say the same thing; ``render`` draws each chart once and
every format reuses the PNG.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

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
from governance.core import contract, formatting, periods, ranking, settings
from governance.core.text import plotly_unescape
from governance.metrics import attention, breakdowns, indicators
from governance.metrics.indicators import View
from governance.metrics.cards import Card, cards
from queries import Engine

TITLE_SUFFIX = "党建引领基层治理工作简报"
STATUS_SHAPE = {"green": "●", "amber": "▲", "red": "✕", None: "○"}
REASON_ZH = {"red": "未达标", "worsening": f"连续{attention.RUN}个月变差"}


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
    view_date: dt.date | None = None  # the day the figures are read on (SPEC), in the offices' time zone
    attention_frame: pd.DataFrame | None = field(repr=False, default=None)  # attention.needs_attention as is
    weak_branches: pd.DataFrame | None = field(repr=False, default=None)  # the rating's weak branches

    @property
    def title(self) -> str:
        return f"{self.place.name}{TITLE_SUFFIX}"

    @property
    def month_label(self) -> str:
        return periods.month_label_zh(self.month)

    def render(self) -> Pack:
        """Draw every chart's PNG (once) through the process-wide exporter."""
        todo = [c for c in self.charts if c.png is None]
        pngs = images.chart_pngs([(c.figure, {"place": self.place.name, "months": c.months, "as_of": c.as_of})
                                  for c in todo]) if todo else []
        for chart, png in zip(todo, pngs):
            chart.png = png
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
    today = today or settings.today()
    facts = summary.gather(engine, region, month, version=version, today=today)
    place = next(iter(facts.values())).place
    manifest = engine.store.manifest(version)
    frame = attention.needs_attention(engine, place.code, month, version=version, today=today)
    pack = Pack(
        place=place,
        month=month,
        version=version,
        as_of=as_of(manifest, list(contract.FACT_DATASETS), None),
        generated=settings.now(),  # Beijing time, as the offices read it (not the server's UTC)
        kpis=kpis(facts),
        charts=[c for key in contract.FACT_DATASETS for c in dataset_charts(facts[key], manifest)],
        paragraphs=summary.paragraphs(facts),
        attention=attention_rows(frame),
        facts=facts,
        view_date=today,
        attention_frame=frame,
        weak_branches=breakdowns.branches(engine, View(place.code, month, month), weak_only=True, version=version,
                                          today=today),
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
    return dt.datetime.fromisoformat(max(stamps)).astimezone(settings.office_tz()).date()


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
                             title=f"{place.name}各{term}{name}排名（{f.period_label}，{unit}）")
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


def attention_rows(df: pd.DataFrame) -> list[AttentionRow]:
    """The overview's needs-attention list for the month (attention.needs_attention), worded for paper."""
    rows = []
    for r in df.itertuples(index=False):
        ind = contract.dataset(r.dataset).indicator(r.indicator)
        reason = REASON_ZH.get(r.reason, r.reason)
        if r.reason == "worsening" and "from_value" in df.columns and pd.notna(r.from_value):
            reason += f"（{summary.fmt(r.from_value, ind)}→{summary.fmt(r.value, ind)}）"
        rows.append(AttentionRow(str(r.place_name), contract.dataset(r.dataset).zh, ind.zh,
                                 formatting.value(r.value, ind), r.target or "—", reason))
    return rows


def subtitle(pack: Pack) -> str:
    as_of = f"数据截至{day_text(pack.as_of)}　" if pack.as_of else ""
    return f"{as_of}生成于{day_text(pack.generated.date())} {pack.generated:%H:%M}　数据版本 v{pack.version}"


def day_text(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def kpi_rows(pack: Pack) -> list[list[str]]:
    rows = []
    for k in pack.kpis:
        status = k.status_word()
        rows.append([contract.dataset(k.dataset).zh, k.indicator.zh, k.value_text(), k.delta_text() or "—",
                     k.target_text or "—",
                     f"{STATUS_SHAPE[k.status]} {status}"])
    return rows


KPI_HEADER = ["数据", "指标", "本月", "环比（上期）", "目标", "状态"]
ATTENTION_HEADER = ["地区", "数据", "指标", "本月", "目标", "原因"]


def no_attention(pack: Pack) -> str:
    if not pack.place.child_level:
        return "村(社区)没有下级地区，本表不适用；本村(社区)各项指标的状态见“主要指标”。"
    term = summary.CHILD_TERM.get(pack.place.level, "下级地区")
    return f"本月没有指标未达标或连续{attention.RUN}个月变差的{term}。"


def attention_table(pack: Pack) -> list[list[str]]:
    return [[a.place, a.dataset_zh, a.indicator_zh, a.value_text, a.target_text, a.reason] for a in pack.attention]
