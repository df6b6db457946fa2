"""Two places' trends of one indicator in one chart (the compare page), with the target line."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from governance.charts.figures import SERIES, TARGET_COLOR, _finish, _fmt, axis_unit, count_axis
from governance.core import contract, formatting, targets
from governance.core.text import plotly_escape


def overlay(series: list[tuple[str, pd.DataFrame]], ind: contract.Indicator, *, level: str | None, title: str,
            subtitle: str = "", height: int = 320) -> go.Figure:
    """One line per place (name, frame with `month` and the indicator's column); months 办理期内 hollow."""
    fig = go.Figure()
    for i, (name, df) in enumerate(series):
        label = plotly_escape(name)  # a place name comes from an upload
        immature = [ind.matures and m is not None and m == m and not bool(m)
                    for m in (df["mature"] if "mature" in df else [None] * len(df))]
        fig.add_trace(go.Scatter(
            x=df["month"].map(plotly_escape), y=formatting.display(df[ind.key], ind), mode="lines+markers",
            name=label, line=dict(width=3, color=SERIES[i % len(SERIES)], dash="solid" if i == 0 else "dot"),
            marker=dict(size=8, symbol=["circle-open" if flag else "circle" for flag in immature], line=dict(width=2)),
            hovertemplate=f"{label} %{{x}}<br>{ind.zh}：%{{y:{_fmt(ind)}}}{axis_unit(ind)}<extra></extra>"))
    t = targets.target_for(ind.dataset, ind.key, level)
    for n, value in enumerate(list(t.band) if t.band else [t.target] if t.target is not None else []):
        # a band's two lines, one label (on the upper line)
        label = dict(annotation=dict(text=f"目标 {t.text(ind)}", bgcolor="rgba(255,255,255,0.7)",
                                     font=dict(color=TARGET_COLOR)), annotation_position="top left") \
            if n == (1 if t.band else 0) else {}
        fig.add_hline(y=formatting.display(value, ind), line=dict(color=TARGET_COLOR, dash="dash", width=2), **label)
    # month labels stay horizontal: at most 5 of them, as on a trend, or 2025-12 and its neighbours run together on a phone
    fig.update_xaxes(type="category", title=None, tickangle=0, nticks=5)
    fig.update_yaxes(title=None, ticksuffix="%" if ind.unit == "%" else "")
    if ind.kind == "count":
        shown = [v for _, df in series for v in formatting.display(df[ind.key], ind).tolist()]
        count_axis(fig, shown + [formatting.display(v, ind) for v in list(t.band or []) + [t.target]
                                 if v is not None])
    # the legend (the two places) under the plot, clear of the title and subtitle
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.15, xanchor="left", x=0.0))
    return _finish(fig, title, subtitle, False, height)
