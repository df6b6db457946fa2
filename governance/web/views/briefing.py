"""The briefing page's pieces: the pack for the view, its downloads, summary and attention list."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from governance.briefing import pack as briefing
from governance.briefing.summary import NoDataError
from governance.charts import images
from governance.core import settings
from governance.web import app_data
from governance.web.filters import Filters
from governance.web.i18n import t
from governance.core.text import md_escape

LABELS = {"pptx": ("演示文稿 PPTX", "Slides (PPTX)"), "pdf": ("PDF（A4横向）", "PDF (A4 landscape)"),
          "zip": ("图片与文字 ZIP", "Images + summary (ZIP)")}


@st.cache_data(ttl=app_data.TTL, max_entries=32, show_spinner=False)
def _pack(root: str, ver: int, region: str, month: str, day: str) -> briefing.Pack:
    return briefing.build(app_data._engine(root), region, month, version=ver, today=dt.date.fromisoformat(day),
                          render=False)


def pack(f: Filters) -> briefing.Pack | None:
    root, ver = app_data.store_key()
    try:
        return _pack(root, ver, f.region, f.end, settings.today().isoformat())
    except NoDataError as e:
        st.info(md_escape(str(e)))
        return None


@st.cache_data(ttl=app_data.TTL, max_entries=32, show_spinner=False)
def _export(root: str, ver: int, region: str, month: str, kind: str, day: str) -> tuple[str, bytes]:
    return briefing.export(app_data._engine(root), region, month, kind, version=ver,
                           today=dt.date.fromisoformat(day))


def downloads(f: Filters) -> None:
    """A button per output; the file is made on the first press and then served from the cache."""
    root, ver = app_data.store_key()
    day = settings.today().isoformat()
    cols = st.columns(len(LABELS))
    for col, (kind, label) in zip(cols, LABELS.items()):
        with col:
            ready = st.session_state.get(f"brief_{kind}") == (root, ver, f.region, f.end, day)
            if not ready and st.button(t("生成", "Make ") + t(*label), key=f"brief_make_{kind}", width="stretch"):
                with st.spinner(t("正在生成…（图表在服务器上绘制，约需十几秒）", "Drawing charts on the server…")):
                    try:
                        _export(root, ver, f.region, f.end, kind, day)
                    except (NoDataError, images.ExportError) as e:
                        st.error(md_escape(str(e)))
                        continue
                st.session_state[f"brief_{kind}"] = (root, ver, f.region, f.end, day)
                st.rerun()  # the button gives way to the download
            if ready:
                name, data = _export(root, ver, f.region, f.end, kind, day)
                st.download_button(t("下载", "Download ") + t(*label), data, name, briefing.MIME[kind],
                                   key=f"brief_download_{kind}", type="primary", width="stretch")


def summary(pack: briefing.Pack) -> None:
    for para in pack.paragraphs:
        st.markdown(f"**{para.heading}**　{md_escape(para.text)}")  # names from uploads, as text


def attention(pack: briefing.Pack) -> None:
    if not pack.attention:
        st.success(t("本月没有需要预警的地区。", "Nothing needs attention this month."))
        return
    st.dataframe(pd.DataFrame([{"地区": a.place, "数据": a.dataset_zh, "指标": a.indicator_zh, "本月": a.value_text,
                                "目标": a.target_text, "原因": a.reason} for a in pack.attention]),
                 hide_index=True, width="stretch")
