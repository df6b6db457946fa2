"""In the browser, on the demo county: no "None"/"nan" anywhere on the overview (cards, 预警, the places side by
side with their bases), and a view date given in the link reads the figures as of that day."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from governance.core import periods, settings
from tests.e2e.helpers import full_shot, main_caption, wait_for_app

BAD = re.compile(r"\b(None|nan|NaN|NaT)\b")
TOWN = "411122104000"  # a town of the demo county with 20 villages, some of them without a petition a month


def test_the_overview_of_a_town_read_at_last_months_end_shows_no_none(page: Page, demo_url):
    last = periods.shift_month(settings.today().isoformat()[:7], -1)
    day = periods.last_day(last).isoformat()
    page.goto(f"{demo_url}/?region={TOWN}&from={last}&to={last}&day={day}")
    expect(page.get_by_test_id("stMain").locator("h1").first).to_be_visible()
    wait_for_app(page)
    # the caption says which day the figures are read on
    expect(main_caption(page)).to_contain_text(f"数据截至{int(day[:4])}年{int(day[5:7])}月{int(day[8:])}日")
    # every table drawn (the 下级对比 is a canvas grid: its cells are checked through the CSV test in AppTest)
    text = page.get_by_test_id("stMain").inner_text()
    assert not BAD.search(text), BAD.search(text).group(0)
    assert "超期未办结" in text  # the overdue KPI is on the overview
    full_shot(page, "reading_day_town_overview")
