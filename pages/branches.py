"""评星定级: star ratings of party branches, up and down grades, weak branches and their rectification."""

import streamlit as st

from governance.web import filters, router, ui
from governance.web.i18n import t
from governance.web.views import branches as branches_view
from governance.web.views import stages as stages_view

router.entrypoint()  # a link straight to this page still goes through app.py

f = filters.page_filters()
figures = ui.dataset_page("branches", "党支部评星定级", "Branch star ratings", f,
                          ["branches", "five_star_share", "three_plus_share", "good_share", "upgraded", "downgraded",
                           "weak", "rectification_rate"])
branches_view.early_note(figures)

ind = ui.indicator_picker("branches", "branches_indicator")
left, right = st.columns(2)
with left:
    branches_view.stars(f, figures)
with right:
    ui.ranking("branches", ind, f, f"branches_rank_{f.region}")
branches_view.tiers(f, figures)

st.subheader(t("评定周期趋势", "By rating period"))
ui.trend("branches", ind, f, "branches_trend")
st.subheader(t("软弱涣散党组织及整顿", "Weak and lax branches"))
branches_view.weak(f)

st.subheader(t("村改居", "Villages becoming communities"))
stages_view.breakdown("branches", f)
