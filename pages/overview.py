"""总览: where the place stands this month — KPI cards, needs-attention, towns side by side, freshness."""

import streamlit as st

from governance.core import contract
from governance.web import filters, router, ui
from governance.web.i18n import dataset_name, t
from governance.web.views import overview as overview_view
from governance.web.views import overview_top
from governance.web.views import stages as stages_view

router.entrypoint()  # a link straight to this page still goes through app.py

f = filters.page_filters()
ui.header("党建引领基层治理 · 总览", "Grassroots governance · Overview", f)
ui.up_button(f)

# a compact summary first (a phone's first screen): status counts and the 预警 list, then the map
overview_top.summary(f)
st.subheader(t("预警 · 需要关注", "Needs attention"))
overview_view.attention_list(f)
overview_top.map_panel(f)

for key in contract.FACT_DATASETS:
    st.subheader(dataset_name(key))
    figures = ui.kpi_cards(key, f)
    if key == "branches":
        overview_view.tier_line(figures)
    if not ui.has_data(f, key):
        ui.empty(key)

if f.child_level:
    st.subheader(t("下级对比", "Places side by side"))
    overview_view.side_by_side(f)

st.subheader(t("村改居", "Villages becoming communities"))
stages_view.panel(f)

st.subheader(t("数据新鲜度", "Data freshness"))
overview_view.freshness(f)
