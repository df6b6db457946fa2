"""大屏: a dark, large-type view for the meeting-room screen, stepping through the briefing's charts (meeting mode)."""

from html import escape

import streamlit as st

from governance.web import filters, router, ui
from governance.web.i18n import t
from governance.web.views import screen as screen_view

router.entrypoint()  # a link straight to this page still goes through app.py

f = filters.page_filters()
screen_view.style()
st.markdown(f"<div class='screen-title'>{escape(f.name)} · 党建引领基层治理 · {escape(f.label.split(' · ')[1])}</div>",
            unsafe_allow_html=True)
screen_view.tiles(f)

slides = screen_view.slides(f)
step = st.session_state.setdefault("screen_step", 0) % len(slides)
prev, where, nxt, leave = st.columns([1, 5, 1, 1])
if prev.button("◀ 上一张", key="screen_prev", width="stretch"):
    st.session_state["screen_step"] = (step - 1) % len(slides)
    st.rerun()
if leave.button("退出大屏", key="screen_exit", width="stretch"):
    st.switch_page("pages/overview.py")
if nxt.button("下一张 ▶", key="screen_next", width="stretch"):
    st.session_state["screen_step"] = (step + 1) % len(slides)
    st.rerun()
where.markdown(f"<div class='screen-step'>{t('第', '')}{step + 1} / {len(slides)}</div>", unsafe_allow_html=True)
figure, takeaway = slides[step]
st.markdown(f"<div class='screen-takeaway'>{escape(takeaway)}</div>", unsafe_allow_html=True)
ui.chart(figure, f"screen_chart_{step}", filename=f"大屏_{step + 1}")
