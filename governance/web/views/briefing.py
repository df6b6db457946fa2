"""The briefing page's pieces: the pack for the view, its downloads, summary and attention list."""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from governance.briefing import files as briefing_files
from governance.briefing import notice
from governance.briefing import pack as briefing
from governance.briefing.summary import NoDataError
from governance.charts import images
from governance.core.text import md_escape
from governance.web import app_data, errors, ui
from governance.web.filters import Filters
from governance.web.i18n import t

LABELS = {"docx": ("Word 通报", "Notice (Word)"), "pptx": ("演示文稿 PPTX", "Slides (PPTX)"),
          "pdf": ("PDF（A4横向）", "PDF (A4 landscape)"), "zip": ("图片与文字 ZIP", "Images + text (ZIP)"),
          "all": ("全套 ZIP", "Everything (ZIP)")}


def pack(f: Filters) -> briefing.Pack | None:
    ui.damage_notices()  # the 通报 leaves a damaged dataset out and says so; the page says why
    try:
        return app_data.briefing_pack(f.region, f.end)
    except NoDataError as e:
        st.info(md_escape(str(e)))
        return None


def downloads(f: Filters) -> None:
    """One button makes every format (charts drawn once), showing each step; then a download per format."""
    made_for = app_data.export_key(f.region, f.end)
    if st.session_state.get("brief_all") != made_for:
        if not st.button(t("一键生成全套：Word 通报、演示文稿、PDF、图片", "Make the whole pack: notice, slides, PDF, images"),
                         key="brief_make_all", type="primary", icon=":material/bolt:"):
            return
        with st.status(t("正在生成简报…", "Making the pack…"), expanded=True) as status:
            bar = st.progress(0.0)
            clock = {"t": time.monotonic(), "step": None}

            def progress(label: str, done: int, total: int) -> None:
                if clock["step"]:
                    st.write(f"✓ {clock['step']}（{time.monotonic() - clock['t']:.1f} 秒）")
                clock.update(t=time.monotonic(), step=label if done < total else None)
                bar.progress(done / total, text=f"{label}（{done}/{total}）")

            try:
                app_data.briefing_files_all(f.region, f.end, progress)
            except NoDataError as e:
                status.update(label=t("无法生成", "Cannot make the pack"), state="error")
                st.error(md_escape(str(e)))  # written for the user: which place or month has no data
                return
            except images.ExportError:
                status.update(label=t("生成失败", "Failed"), state="error")
                st.error(errors.logged(t("简报文件生成失败，请稍后重试；如仍失败，请把错误编号告诉系统管理员",
                                         "The files could not be made; try again later"), "briefing pack"))
                return
            status.update(label=t("已生成", "Ready"), state="complete", expanded=False)
        st.session_state["brief_all"] = made_for
        st.rerun()  # the button gives way to the downloads
    made = app_data.briefing_files_all(f.region, f.end)
    for col, (kind, label) in zip(st.columns(len(LABELS)), LABELS.items()):
        name, data = made[kind]
        col.download_button(t("下载", "Download ") + t(*label), data, name, briefing_files.MIME[kind],
                            key=f"brief_download_{kind}", type="primary" if kind == "docx" else "secondary",
                            width="stretch", on_click="ignore")


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


def problems(pack: briefing.Pack) -> None:
    """The 通报's 存在问题 and 下一步工作建议, as the Word document will say them."""
    n = notice.compose(pack)
    st.caption(md_escape(f"{n.title} · {n.issue} · {n.office}"))
    if not n.problems:
        st.success(md_escape(n.no_problems))
        return
    for i, p in enumerate(n.problems, 1):
        st.markdown(f"{i}\\. {md_escape(p.text)}  \n:gray[{t('建议', 'Next step')}：{md_escape(p.suggestion)}]")
