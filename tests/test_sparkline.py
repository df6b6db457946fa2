"""A KPI card's sparkline is a small SVG picture, not st.metric's Vega chart (issue 14: a Vega view per card was
a large share of a page change's time in the browser)."""

import base64
import re

from governance.charts import sparkline
from tests.conftest import run_page


def points(svg: str) -> str:
    return re.search(r'points="([^"]*)"', svg).group(1)


def test_the_line_spans_the_picture_highest_value_at_the_top():
    # 240 x 56 with 3 px padding: x from 3 to 237, y from 3 (the highest) to 53 (the lowest)
    assert points(sparkline.svg([1, 3, 2])) == "3.0,53.0 120.0,3.0 237.0,28.0"
    assert points(sparkline.svg([5, 5])) == "3.0,28.0 237.0,28.0"  # a flat line sits in the middle
    assert points(sparkline.svg([None, 2, float("nan"), 4])) == "3.0,53.0 237.0,3.0"  # gaps are left out
    assert sparkline.svg([7]) is None and sparkline.svg([]) is None


def test_the_colour_says_whether_the_change_is_for_the_better():
    assert sparkline.colour(0.05, True) == sparkline.GOOD and sparkline.colour(-0.05, True) == sparkline.BAD
    assert sparkline.colour(0.05, False) == sparkline.BAD and sparkline.colour(-2, False) == sparkline.GOOD
    assert sparkline.colour(0.0, True) == sparkline.colour(None, True) == sparkline.colour(3, None) == sparkline.FLAT


def test_the_cards_draw_their_line_as_a_picture_without_a_vega_chart(served_store):
    at = run_page("pages/petitions.py", **{"from": "2024-10", "to": "2024-10"})
    assert not at.exception, at.exception
    assert at.metric and not any(m.proto.chart_data for m in at.metric)  # no Vega view in any card
    lines = [base64.b64decode(img.url.split(",", 1)[1]).decode()
             for el in at.get("image") for img in el.proto.imgs if img.url.startswith("data:image/svg+xml")]
    # by hand from tests/tiny.py: the county received 2 petitions in August 2024, 1 in September, 6 in October
    # (the twelve months to October have no others); 受理量 has no better side: a grey line
    received = [s for s in lines if points(s) == "3.0,43.0 120.0,53.0 237.0,3.0"]
    assert len(received) == 1 and sparkline.FLAT in received[0]
