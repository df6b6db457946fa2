"""Router: page config, the demo store on first start, the page list and who is signed in."""

import streamlit as st

from governance import app_data, auth

st.set_page_config(page_title="党建引领基层治理 · 指标看板", page_icon="🏛️", layout="wide")
app_data.ensure_demo()
auth.sidebar()

page = st.navigation(
    {
        "看板 Dashboard": [
            st.Page("pages/overview.py", title="总览 Overview", icon="📊", default=True),
        ],
        "数据 Data": [
            st.Page("pages/upload.py", title="数据上传 Upload", icon="📤"),
            st.Page("pages/history.py", title="数据版本 History", icon="🕘"),
        ],
    }
)
page.run()
