"""简报导出: the briefing pack for the place and month in view — summary, attention list, PPTX, PDF, images."""

import streamlit as st

from governance.core.text import md_escape
from governance.web import filters, router
from governance.web.i18n import t
from governance.web.views import briefing as briefing_view

router.entrypoint()  # a link straight to this page still goes through app.py

f = filters.page_filters()
st.title(t("简报导出", "Briefing pack"))
st.caption(t(f"{md_escape(f.name)} · {f.end[:4]}年{int(f.end[5:])}月（简报按所选范围的最后一个月） · 每个数字都来自看板同一查询",
             f"{md_escape(f.name)} · {f.end} (the briefing covers the last month in view)"))
pack = briefing_view.pack(f)
if pack is None:
    st.stop()

briefing_view.downloads(f)
st.subheader(t("存在问题与下一步工作建议", "Problems and next steps"))
briefing_view.problems(pack)
st.subheader(t("文字通报", "Written summary"))
briefing_view.summary(pack)
st.subheader(t("需要关注", "Needs attention"))
briefing_view.attention(pack)
