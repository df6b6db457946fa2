"""信访: petitions closed on time and at the first attempt, by place and month."""

import streamlit as st

from governance.web import filters, router, ui
from governance.web.i18n import t
from governance.web.views import stages as stages_view

router.entrypoint()  # a link straight to this page still goes through app.py

f = filters.page_filters()
ui.dataset_page("petitions", "信访事项", "Petitions", f)
ui.trend_and_ranking("petitions", f)

st.subheader(t("构成与办理时限", "Breakdowns"))
c1, c2, c3 = st.columns(3)
with c1:
    ui.breakdown("petitions", f, "channel", "received", t("按信访形式", "By channel"), "petitions_channel")
with c2:
    ui.breakdown("petitions", f, "category", "received", t("按问题类别", "By category"), "petitions_category",
                 horizontal=True)
with c3:
    ui.breakdown("petitions", f, "deadline", "petitions", t("办理时长（期限60天）", "Time to close (60-day limit)"),
                 "petitions_deadline", horizontal=True)

st.subheader(t("村改居", "Villages becoming communities"))
stages_view.breakdown("petitions", f)
