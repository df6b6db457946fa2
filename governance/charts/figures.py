"""Plotly figures for pages and briefings: one look, Chinese fonts, status colours, titles with units.

The font family is set explicitly, with Noto Sans CJK SC first: server-side
image export has no fallback for CJK and would draw every character as a box.
Status colours are Okabe-Ito (readable with the common colour blindnesses),
and status is also written in the hover text, never carried by colour alone.

Titles, subtitles and labels are plain text: they may hold names from an
upload, so every one is escaped here (core/text.plotly_escape) and only the
markup these functions add themselves (<br>, <sup>) reaches Plotly as markup.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from governance.core import contract, formatting, targets
from governance.core.targets import STATUS_ZH
from governance.core.text import plotly_escape

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
# Green, yellow, dark red differ in lightness as well as hue, so they stay apart for red-green colour
# blindness too; the cards add a shape and a word (● 达标, ▲ 接近, ✕ 未达标).
STATUS_COLOR = {"green": "#1A9850", "amber": "#F1B82D", "red": "#B2182B", None: "#8C8C8C"}
SERIES = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
TARGET_COLOR = "#7F7F7F"
UNRANKED_COLOR = "#C8C8C8"  # a place not ranked (too few cases, or 办理期内): lighter than the no-target grey


def template(dark: bool = False, scale: float = 1.0) -> go.layout.Template:
    fg, bg, grid = ("#F2F2F2", "#0E1117", "#333A44") if dark else ("#262730", "#FFFFFF", "#E6E6E6")
    return go.layout.Template(
        layout=go.Layout(
            font=dict(family=FONT, size=14 * scale, color=fg),
            title=dict(font=dict(family=FONT, size=18 * scale, color=fg), x=0.0, xanchor="left"),
            paper_bgcolor=bg,
            plot_bgcolor=bg,
            # on a dark screen the first series is the lighter blue
            colorway=[SERIES[4], *SERIES[1:4], SERIES[0], *SERIES[5:]] if dark else SERIES,
            xaxis=dict(gridcolor=grid, zerolinecolor=grid, automargin=True),
            yaxis=dict(gridcolor=grid, zerolinecolor=grid, automargin=True),
            # under the plot: above it, a legend sits on the subtitle once a phone's width wraps it
            legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0.0),
            margin=dict(l=10, r=10, t=70, b=10),
            hoverlabel=dict(font=dict(family=FONT)),
        )
    )


def axis_unit(ind: contract.Indicator) -> str:
    return "%" if ind.unit == "%" else ind.unit


def _values(series: pd.Series, ind: contract.Indicator) -> pd.Series:
    return formatting.display(series, ind)


def _fmt(ind: contract.Indicator) -> str:
    return ".1f" if ind.unit == "%" or ind.kind == "mean" else ",.0f"


def _finish(fig: go.Figure, title: str, subtitle: str, dark: bool, height: int) -> go.Figure:
    title, subtitle = plotly_escape(title), plotly_escape(subtitle)
    text = f"{title}<br><sup>{subtitle}</sup>" if subtitle else title
    fig.update_layout(template=template(dark), title=dict(text=text), height=height)
    return fig


def trend(df: pd.DataFrame, ind: contract.Indicator, *, level: str | None, title: str, subtitle: str = "",
          dark: bool = False, height: int = 360) -> go.Figure:
    """A monthly line with the target drawn; df has `month` and the indicator's column."""
    fig = go.Figure()
    y = _values(df[ind.key], ind)
    # SPEC: each month as it stands on the view date, the immature ones (cases not all past their deadline)
    # drawn hollow and named in the legend, so a low recent month is not read as a failing one
    immature = [ind.matures and m is not None and m == m and not bool(m)
                for m in (df["mature"] if "mature" in df else [None] * len(df))]
    x = df["month"].map(plotly_escape)
    fig.add_trace(go.Scatter(
        x=x, y=y, mode="lines+markers", name=ind.zh, line=dict(width=3),
        marker=dict(size=9, symbol=["circle-open" if i else "circle" for i in immature],
                    line=dict(width=2)),
        hovertemplate=f"%{{x}}<br>{ind.zh}：%{{y:{_fmt(ind)}}}{axis_unit(ind)}<extra></extra>",
    ))
    if any(immature):
        pts = [i for i, flag in enumerate(immature) if flag]
        fig.add_trace(go.Scatter(
            x=x.iloc[pts], y=y.iloc[pts], mode="markers", name="办理期内（尚有件未到期限）",
            marker=dict(size=13, symbol="circle-open", color=TARGET_COLOR, line=dict(width=2)),
            hovertemplate=f"%{{x}}<br>{ind.zh}：%{{y:{_fmt(ind)}}}{axis_unit(ind)}（办理期内）<extra></extra>",
        ))
        fig.add_vrect(x0=x.iloc[pts[0]], x1=x.iloc[pts[-1]], fillcolor=TARGET_COLOR, opacity=0.08, line_width=0)
        # the legend names only the hollow points, under the plot, clear of the title and subtitle
        fig.data[0].showlegend = False
        fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.22, xanchor="left", x=0.0))
    t = targets.target_for(ind.dataset, ind.key, level)
    lines = list(t.band) if t.band else [t.target] if t.target is not None else []
    for value in lines:
        shown = formatting.display(value, ind)
        fig.add_hline(y=shown, line=dict(color=TARGET_COLOR, dash="dash", width=2),
                      annotation=dict(text=f"目标 {t.text(ind)}", bgcolor="rgba(255,255,255,0.7)",
                                      font=dict(color=TARGET_COLOR)),
                      annotation_position="top right")
    # month labels stay level (a phone turned them on their side): at most 5 of them, so 2026-02 and its neighbours fit a phone
    fig.update_xaxes(type="category", title=None, tickangle=0, nticks=5)
    # the unit is in the title and the tick labels: a rotated 件 or % beside the axis reads badly
    fig.update_yaxes(title=None, ticksuffix="%" if ind.unit == "%" else "")
    if ind.kind == "count":
        count_axis(fig, [*y.tolist(), *[formatting.display(v, ind) for v in lines]])
    return _finish(fig, title, subtitle, dark, height)


def count_axis(fig: go.Figure, values: list) -> None:
    """A count's y axis: whole numbers from zero. Under 5, one tick per unit: Plotly's own ticks (0, 0.2, ...)
    printed as whole numbers read 0, 0, 0, 1, 1, 1."""
    fig.update_yaxes(rangemode="tozero", tickformat=",d")
    if max([v for v in values if v is not None and v == v] or [0]) < 5:
        fig.update_yaxes(dtick=1)


def place_status(data: pd.DataFrame, ind: contract.Indicator, level: str | None, months: int = 1
                 ) -> tuple[list, list[str], list[str]]:
    """Per place of a ranking frame (governance.core.ranking.order): its status, its colour and the word for
    it. One function for the ranking bars and the map, so a place has the same colour on both."""
    status = [targets.status(v, ind, level, months) if ranked else None
              for v, ranked in zip(data[ind.key], data["ranked"])]
    colours = [STATUS_COLOR[s] if r else UNRANKED_COLOR for s, r in zip(status, data["ranked"])]
    words = [STATUS_ZH[s] if ranked else {"small": "样本少", "immature": "办理期内"}.get(why, "") + "，不排名"
             for s, ranked, why in zip(status, data["ranked"], data["unranked"])]
    return status, colours, words


LONG_BAR = 0.6  # of the longest bar or target: a bar this long carries its label inside


def ranking(df: pd.DataFrame, ind: contract.Indicator, *, level: str | None, title: str, subtitle: str = "",
            dark: bool = False, months: int = 1) -> go.Figure:
    """Places one level down, best first, coloured by status; customdata carries the code for drill-down.

    SPEC small numbers and maturity: `df` comes ordered by governance.core.ranking.order, whose `ranked`,
    `unranked` and `base` columns it reads: a place whose rate rests on too few cases, or is still 办理期内, is
    drawn grey after the ranked ones, with its base beside the value; a place without a figure is left out of
    the bars (the table lists it). Without those columns every place with a figure is ranked."""
    if "ranked" not in df:
        df = df.dropna(subset=[ind.key]).sort_values(ind.key, ascending=ind.higher_is_better is False).assign(
            ranked=True, unranked="", base=None)
    data = df[df[ind.key].notna()].copy()
    data["status"], colours, status_text = place_status(data, ind, level, months)
    texts = [formatting.with_base(f"{v:{_fmt(ind)}}", b, unit=ind.base_unit) if b is not None and b == b else f"{v:{_fmt(ind)}}"
             for v, b in zip(_values(data[ind.key], ind), data["base"])]
    t = targets.target_for(ind.dataset, ind.key, level)
    lines = list(t.band) if t.band else [t.target] if t.target is not None else []
    top = max([*_values(data[ind.key], ind).tolist(), *[formatting.display(v, ind) for v in lines], 0])
    # a long bar's value and base go inside its end: outside it they ran past a phone's edge ("98.8（12,676户）")
    where = ["inside" if top and v >= LONG_BAR * top else "outside" for v in _values(data[ind.key], ind)]
    fig = go.Figure(go.Bar(
        x=_values(data[ind.key], ind), y=data["place_name"].fillna(data["place_code"]).map(plotly_escape),
        orientation="h",
        marker_color=colours,
        customdata=list(zip(data["place_code"], status_text)),
        text=texts, textposition=where, insidetextanchor="end", cliponaxis=False,
        hovertemplate=f"%{{y}}<br>{ind.zh}：%{{x:{_fmt(ind)}}}{axis_unit(ind)}<br>%{{customdata[1]}}<extra></extra>",
    ))
    for i, value in enumerate(lines):
        # the line says what it is (once, for a band): a dashed line alone reads as a grid line on a wall screen
        fig.add_vline(x=formatting.display(value, ind), line=dict(color=TARGET_COLOR, dash="dash", width=2),
                      annotation=dict(text=f"目标 {t.text(ind)}", font=dict(color=TARGET_COLOR)) if i == 0 else None,
                      annotation_position="bottom right")
    fig.update_yaxes(autorange="reversed", title=None)
    if lines:  # one empty row under the last bar holds the line's label, clear of that bar's value
        fig.update_yaxes(autorange=False, range=[len(data) + 0.5, -0.5])
    # bars start at zero; the extra room keeps the value labels inside the chart
    fig.update_xaxes(title=None, ticksuffix="%" if ind.unit == "%" else "", range=[0, top * 1.4 or 1])
    height = max(320, 28 * (len(data) + bool(lines)) + 110)
    return _finish(fig, title, subtitle, dark, height)


def bars(df: pd.DataFrame, label: str, value: str, *, unit: str, title: str, subtitle: str = "",
         dark: bool = False, horizontal: bool = False, height: int = 340) -> go.Figure:
    """A plain count breakdown (by channel, by category, by star...)."""
    labels = df[label].map(plotly_escape)  # categories are free text from the ledgers
    kwargs = dict(x=df[value], y=labels, orientation="h") if horizontal else dict(x=labels, y=df[value])
    fig = go.Figure(go.Bar(**kwargs, marker_color=SERIES[0], text=df[value], textposition="outside", cliponaxis=False,
                           hovertemplate=f"%{{{'y' if horizontal else 'x'}}}：%{{{'x' if horizontal else 'y'}}}{unit}"
                                         "<extra></extra>"))
    counts = dict(rangemode="tozero", tickformat=",d", title=None, range=[0, max(df[value].max(), 1) * 1.15])
    if horizontal:
        fig.update_yaxes(autorange="reversed", title=None)
        fig.update_xaxes(**counts)
    else:
        fig.update_xaxes(type="category", title=None)
        fig.update_yaxes(**counts)
    if df[value].max() < 5:
        (fig.update_xaxes if horizontal else fig.update_yaxes)(dtick=1)
    return _finish(fig, title, subtitle, dark, height)


def stacked(df: pd.DataFrame, x: str, parts: dict[str, str], *, unit: str, title: str, subtitle: str = "",
            dark: bool = False, height: int = 360) -> go.Figure:
    """Columns made of parts, e.g. disputes by the level they were resolved at, month by month."""
    fig = go.Figure()
    for i, (column, name) in enumerate(parts.items()):
        name = plotly_escape(name)
        fig.add_trace(go.Bar(x=df[x].map(plotly_escape), y=df[column], name=name, marker_color=SERIES[i % len(SERIES)],
                             hovertemplate=f"%{{x}} {name}：%{{y}}{unit}<extra></extra>"))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category", title=None, tickangle=0, nticks=5)
    fig.update_yaxes(title=None, rangemode="tozero", tickformat=",d")
    return _finish(fig, title, subtitle, dark, height)
