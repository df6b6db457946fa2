"""矛盾纠纷: disputes found and resolved locally (小事不出村、大事不出镇、矛盾不上交)."""

import streamlit as st

from governance.web import filters, router, ui
from governance.web.i18n import t
from governance.web.views import stages as stages_view

router.entrypoint()  # a link straight to this page still goes through app.py

f = filters.page_filters()
ui.dataset_page("disputes", "矛盾纠纷排查化解", "Disputes", f)
ui.trend_and_ranking("disputes", f)

st.subheader(t("构成与未化解", "Breakdowns and backlog"))
c1, c2, c3 = st.columns(3)
with c1:
    ui.breakdown("disputes", f, "category", "found", t("按纠纷类型", "By type"), "disputes_category", horizontal=True)
with c2:
    ui.breakdown("disputes", f, "resolved_level", "found", t("按化解层级", "By level resolved"), "disputes_level")
with c3:
    ui.breakdown("disputes", f, "category", "unresolved", t("未化解（按类型）", "Backlog by type"),
                 "disputes_backlog", horizontal=True)

st.subheader(t("村改居", "Villages becoming communities"))
stages_view.breakdown("disputes", f)
