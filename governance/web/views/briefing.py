"""The briefing page's pieces: the pack for the view, its downloads, summary and attention list."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from governance.briefing import pack as briefing
from governance.briefing.summary import NoDataError
from governance.charts import images
from governance.core.text import md_escape
from governance.web import app_data, errors
from governance.web.filters import Filters
from governance.web.i18n import t

LABELS = {"pptx": ("演示文稿 PPTX", "Slides (PPTX)"), "pdf": ("PDF（A4横向）", "PDF (A4 landscape)"),
          "zip": ("图片与文字 ZIP", "Images + summary (ZIP)")}


def pack(f: Filters) -> briefing.Pack | None:
    try:
        return app_data.briefing_pack(f.region, f.end)
    except NoDataError as e:
        st.info(md_escape(str(e)))
        return None


def downloads(f: Filters) -> None:
    """A button per output; the file is made on the first press and then served from the cache."""
    made_for = app_data.export_key(f.region, f.end)
    cols = st.columns(len(LABELS))
    for col, (kind, label) in zip(cols, LABELS.items()):
        with col:
            ready = st.session_state.get(f"brief_{kind}") == made_for
            if not ready and st.button(t("生成", "Make ") + t(*label), key=f"brief_make_{kind}", width="stretch"):
                with st.spinner(t("正在生成…（图表在服务器上绘制，约需十几秒）", "Drawing charts on the server…")):
                    try:
                        app_data.briefing_file(f.region, f.end, kind)
                    except NoDataError as e:
                        st.error(md_escape(str(e)))  # written for the user: which place or month has no data
                        continue
                    except images.ExportError:
                        st.error(errors.logged(t("简报文件生成失败，请稍后重试；如仍失败，请把错误编号告诉系统管理员",
                                                 "The file could not be made; try again later"), f"briefing {kind}"))
                        continue
                st.session_state[f"brief_{kind}"] = made_for
                st.rerun()  # the button gives way to the download
            if ready:
                name, data = app_data.briefing_file(f.region, f.end, kind)
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
