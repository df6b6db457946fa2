"""Router: page config, the demo store on first start, and the page list."""

import streamlit as st

from governance import app_data

st.set_page_config(page_title="党建引领基层治理 · 指标看板", page_icon="🏛️", layout="wide")
app_data.ensure_demo()

page = st.navigation(
    [
        st.Page("pages/overview.py", title="总览 Overview", icon="📊", default=True),
    ]
)
page.run()
