"""A KPI card's sparkline as a small SVG picture: the last twelve months as one line.

st.metric's own sparkline (chart_data) is a Vega-Lite chart: each card starts a Vega view in the browser, and
with 5 cards on a dataset page and 16 on the overview that was a large share of a page change's browser time
(docs/benchmark.md, "In the browser"). A picture of a line is all a card shows, so the page sends one (st.image
draws an SVG string as an <img>): no chart library, no layout pass per card.
"""

from __future__ import annotations

import math

# the colours of Streamlit's delta badge, which the line takes (as st.metric's own sparkline did)
GOOD, BAD, FLAT = "#09AB3B", "#FF4B4B", "#808495"
WIDTH, HEIGHT, PAD = 240, 56, 3


def colour(delta: float | None, higher_is_better: bool | None) -> str:
    """The line's colour: green when the change against the comparison period is for the better, red when for
    the worse, grey without a direction (no change, no comparison, an indicator with no better side)."""
    if delta is None or higher_is_better is None or abs(delta) < 0.0005:
        return FLAT
    return GOOD if (delta > 0) == higher_is_better else BAD


def svg(values: list[float], stroke: str = FLAT) -> str | None:
    """The line through `values` (oldest first) as an SVG document, or None under two finite values. The
    picture stretches to the card's width; the stroke keeps its width (non-scaling-stroke)."""
    ys = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if len(ys) < 2:
        return None
    lo, hi = min(ys), max(ys)
    span = hi - lo
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    points = " ".join(
        f"{PAD + inner_w * i / (len(ys) - 1):.1f},{PAD + (inner_h / 2 if span == 0 else inner_h * (hi - y) / span):.1f}"
        for i, y in enumerate(ys))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" preserveAspectRatio="none">'
            f'<polyline points="{points}" fill="none" stroke="{stroke}" stroke-width="2" '
            f'stroke-linejoin="round" stroke-linecap="round" vector-effect="non-scaling-stroke"/></svg>')
