"""网格化管理: every household in a grid, with a grid worker and a party organisation."""

import streamlit as st

from governance.web import filters, router, ui
from governance.web.i18n import t
from governance.web.views import grid as grid_view
from governance.web.views import stages as stages_view

router.entrypoint()  # a link straight to this page still goes through app.py

f = filters.page_filters()
ui.dataset_page("grid", "网格化管理", "Grid management", f)
ui.trend_and_ranking("grid", f)

st.subheader(t("每网格户数（宜在200-350户）", "Households per grid (band 200-350)"))
grid_view.band(f)

st.subheader(t("村改居", "Villages becoming communities"))
stages_view.breakdown("grid", f)
