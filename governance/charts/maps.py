"""The map: places one level down, filled with the colour their status has in the ranking, click to drill.

Drawn on plain x/y axes (longitude, latitude, the y axis stretched by 1/cos(latitude) so shapes keep their
proportions), never as a Plotly geo or mapbox figure: those fetch a world topojson or map tiles from a CDN,
which an intranet does not reach (tried: geo's choropleth asks cdn.plot.ly for world_110m.json and draws
nothing). A filled polygon cannot be clicked in Plotly (a fill has no point to select), so each shape also
carries a lattice of invisible points inside it, one trace per place: a click anywhere in a shape selects one of
them, and the trace's legendgroup is the place's code (a ranking bar carries it in its customdata).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from governance.charts import figures
from governance.core import contract, formatting
from governance.core.text import plotly_escape

NO_DATA_COLOR = "#EFEFEF"
MAX_RING_POINTS = 400  # a drawn ring is thinned to this many points: the screen shows no finer detail
# Lattice points across the map's longer side, each an invisible marker of HIT_SIZE px: a hover or click within
# Plotly's hover distance (20 px) of a marker's edge finds it, so 24 steps of at most ~46 px (a map 1,100 px wide)
# leave no dead spot inside a shape. 48 steps of 14 px markers drew four times the SVG nodes (issue 14).
HIT_STEPS = 24
HIT_SIZE = 24
MAX_LABELS = 20


def outer_rings(geometry: dict) -> list[np.ndarray]:
    """The outer ring of each polygon of a Polygon or MultiPolygon, as (n, 2) arrays of lon, lat."""
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [np.asarray(p[0], dtype=float)[:, :2] for p in polys if p]


def _thin(ring: np.ndarray) -> np.ndarray:
    if len(ring) <= MAX_RING_POINTS:
        return ring
    step = math.ceil(len(ring) / MAX_RING_POINTS)
    return np.vstack([ring[::step], ring[:1]])


def inside(points: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """Which of the points lie inside the ring (even-odd rule)."""
    x, y = points[:, 0], points[:, 1]
    result = np.zeros(len(points), dtype=bool)
    for (x1, y1), (x2, y2) in zip(ring, np.roll(ring, -1, axis=0)):
        crosses = (y1 > y) != (y2 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        result ^= crosses & (x < at)
    return result


def _lattice(rings: dict[str, list[np.ndarray]], aspect: float) -> dict[str, np.ndarray]:
    """Per place, the lattice points inside its shape (at least one: its centre, for a sliver)."""
    allpts = np.vstack([r for rs in rings.values() for r in rs])
    (x0, y0), (x1, y1) = allpts.min(axis=0), allpts.max(axis=0)
    step = max((x1 - x0), (y1 - y0) * aspect) / HIT_STEPS
    xs = np.arange(x0 + step / 2, x1, step)
    ys = np.arange(y0 + step / aspect / 2, y1, step / aspect)
    grid = np.array([(x, y) for y in ys for x in xs]) if len(xs) and len(ys) else np.empty((0, 2))
    out = {}
    for code, rs in rings.items():
        hits = []
        for r in rs:
            lo, hi = r.min(axis=0), r.max(axis=0)
            near = grid[(grid[:, 0] >= lo[0]) & (grid[:, 0] <= hi[0]) & (grid[:, 1] >= lo[1]) & (grid[:, 1] <= hi[1])]
            hits.append(near[inside(near, r)] if len(near) else near)
        found = np.vstack(hits) if hits else np.empty((0, 2))
        out[code] = found if len(found) else np.array([rs[0][:-1].mean(axis=0)])
    return out


def _label_point(points: np.ndarray) -> tuple[float, float]:
    """Where the name goes: the lattice point nearest the middle of the shape's points (always inside)."""
    middle = points.mean(axis=0)
    return tuple(points[np.argmin(((points - middle) ** 2).sum(axis=1))])


def choropleth(df: pd.DataFrame, shapes: dict[str, dict], ind: contract.Indicator, *, level: str | None,
               title: str, subtitle: str = "", months: int = 1, dark: bool = False, height: int = 480,
               labels: bool = True) -> go.Figure:
    """df: the places (governance.core.ranking.order's frame, every row one place); shapes: {code: geometry}.

    A place without a figure is drawn pale grey (无数据); a place without a shape is not drawn (the page says
    which). One trace of hit points per place: legendgroup its code, meta (code, name, value text, status word)."""
    data = df[df["place_code"].isin(shapes)].copy()
    has = data[ind.key].notna()
    status, colours, words = figures.place_status(data[has], ind, level, months)
    colour = pd.Series(NO_DATA_COLOR, index=data.index, dtype=object)
    word = pd.Series("无数据", index=data.index, dtype=object)
    colour[has], word[has] = colours, words
    values = figures._values(data[ind.key], ind)
    texts = [formatting.with_base(f"{v:{figures._fmt(ind)}}", b, unit=ind.base_unit) if b is not None and b == b
             else f"{v:{figures._fmt(ind)}}" if v == v else "—"
             for v, b in zip(values, data["base"] if "base" in data else [None] * len(data))]
    rings = {c: [_thin(r) for r in outer_rings(shapes[c])] for c in data["place_code"]}
    mid_lat = float(np.mean([r[:, 1].mean() for rs in rings.values() for r in rs])) if rings else 0.0
    aspect = 1 / max(math.cos(math.radians(mid_lat)), 0.2)
    border = "#0E1117" if dark else "#FFFFFF"

    fig = go.Figure()
    # one filled trace per legend entry, its polygons separated by gaps (None)
    order = list(dict.fromkeys([*figures.STATUS_COLOR.values(), figures.UNRANKED_COLOR, NO_DATA_COLOR]))
    for fill in order:
        rows = data[colour == fill]
        if rows.empty:
            continue
        xs, ys = [], []
        for code in rows["place_code"]:
            for r in rings[code]:
                xs += [*r[:, 0], None]
                ys += [*r[:, 1], None]
        name = " / ".join(dict.fromkeys(word[colour == fill].map(lambda w: w.split("，")[0]))) + (
            "（不排名）" if fill == figures.UNRANKED_COLOR else "")
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor=fill, name=plotly_escape(name),
                                 line=dict(color=border, width=1.2), hoverinfo="skip"))
    hits = _lattice(rings, aspect) if rings else {}
    # One invisible trace of hit points per place: the place's code, name, figure and status are said once, in
    # the trace (legendgroup: what a click's selection carries; meta: the hover text), not on each point, which
    # made the county map 160 KB to send and parse, almost all of it the same four strings per point (issue 14).
    for code, name, text, w in zip(data["place_code"], data["place_name"].fillna(data["place_code"]), texts, word):
        pts = hits.get(code, np.empty((0, 2)))
        fig.add_trace(go.Scatter(
            x=pts[:, 0], y=pts[:, 1], mode="markers", showlegend=False, name="", legendgroup=code,
            meta=[code, plotly_escape(name), text, w], marker=dict(size=HIT_SIZE, color="rgba(0,0,0,0)"),
            selected=dict(marker=dict(opacity=0)), unselected=dict(marker=dict(opacity=0)),
            hovertemplate=f"%{{meta[1]}}<br>{ind.zh}：%{{meta[2]}}<br>%{{meta[3]}}<extra></extra>",
        ))
    if labels and hits and len(data) <= MAX_LABELS:  # more names than that overlap: hover names them
        at = [_label_point(hits[c]) for c in data["place_code"]]
        fig.add_trace(go.Scatter(
            x=[p[0] for p in at], y=[p[1] for p in at], mode="text", showlegend=False, hoverinfo="skip",
            text=[plotly_escape(n) for n in data["place_name"].fillna(data["place_code"])],
            textfont=dict(size=12, color="#F2F2F2" if dark else "#1F1F1F"),
        ))
    fig.update_xaxes(visible=False, fixedrange=True)
    fig.update_yaxes(visible=False, fixedrange=True, scaleanchor="x", scaleratio=aspect)
    fig = figures._finish(fig, title, subtitle, dark, height)
    # the legend under the map: above it, it would sit on the subtitle
    # traceorder "normal": the hit traces' legendgroups (their codes) would make it "grouped", one entry a row
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.02, xanchor="left", x=0.0, traceorder="normal"),
                      margin=dict(l=4, r=4, t=70, b=30), hovermode="closest", dragmode=False)
    return fig
