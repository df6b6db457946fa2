"""Router: page config, the demo store on first start, who is signed in, the pages they may open.

Streamlit runs this file as ``__main__`` for every session's run. ``streamlit run app.py`` first imports it
under its own name, finds ``app`` (an st.App) and serves that: its lifespan builds the store's version when
the server starts and each new version as it appears (governance/web/warm.py), so no visitor waits for it.
"""

from pathlib import Path

import streamlit as st

if __name__ != "__main__":  # imported by `streamlit run` (or uvicorn app:app): the server, not a session
    from governance.web import warm

    app = st.App(__file__, lifespan=warm.lifespan)
else:
    from governance.web import app_data, auth, errors, phone

    # A local icon file: an emoji or :material: page icon makes browsers fetch it from a CDN,
    # which an intranet does not reach.
    st.set_page_config(page_title="党建引领基层治理 · 指标看板", page_icon=str(Path(__file__).parent / "governance" / "assets" / "icon.png"), layout="wide")
    phone.style()  # small screens: no chart toolbar on a title, wide tables scroll in their frame
    app_data.ensure_demo()
    app_data.pin_version()  # every query of this run reads this one version
    user = auth.sidebar()
    if user is not None and user.can_write:  # stray files in a Delta log: ignored, and said to those who keep the data
        for warning in app_data.store_warnings():
            st.toast(warning)

    dashboard = [
        st.Page("pages/overview.py", title="总览 Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/petitions.py", title="信访 Petitions", icon=":material/mail:"),
        st.Page("pages/disputes.py", title="矛盾纠纷 Disputes", icon=":material/handshake:"),
        st.Page("pages/grid.py", title="网格化管理 Grid", icon=":material/grid_view:"),
        st.Page("pages/branches.py", title="评星定级 Branches", icon=":material/star:"),
        st.Page("pages/compare.py", title="两地对比 Compare", icon=":material/compare_arrows:"),
        st.Page("pages/screen.py", title="大屏 Screen", icon=":material/tv:"),
        st.Page("pages/briefing.py", title="简报导出 Briefing", icon=":material/slideshow:"),
    ]
    data = [
        st.Page("pages/upload.py", title="数据上传 Upload", icon=":material/upload:"),
        st.Page("pages/history.py", title="数据版本 History", icon=":material/history:"),
        st.Page("pages/submissions.py", title="报送进度 Submissions", icon=":material/fact_check:"),
        st.Page("pages/dictionary.py", title="指标说明 Indicators", icon=":material/menu_book:"),
    ]
    # Visitors who may open nothing get the sign-in (or closed) note at every page's address, and no page list.
    access = auth.access(user)
    if access == "closed":
        addresses = [Path(script).stem for script in sorted((Path(__file__).parent / "pages").glob("*.py"))]
        page = st.navigation([st.Page(auth.closed_page, title="登录 Sign in", default=True),
                              *[st.Page(auth.closed_page, title="登录 Sign in", url_path=address)
                                for address in addresses]], position="hidden")
    elif access == "dashboards":  # GOVERNANCE_PUBLIC_DASHBOARDS: read-only, never history, upload or submissions
        page = st.navigation({"看板 Dashboard": dashboard, "数据 Data": [p for p in data if p.title.startswith("指标说明")]})
    else:
        page = st.navigation({"看板 Dashboard": dashboard, "数据 Data": data})
    errors.guarded(page.run, page.title)
