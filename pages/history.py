"""数据版本: every version of every period, who loaded it, and restoring an earlier one."""

import streamlit as st

from governance.core import contract
from governance.web import auth, router
from governance.web.views import history as history_view

router.entrypoint()  # a link straight to this page still goes through app.py

user = auth.require_user()  # uploaders' names and file names: never for visitors who have not signed in
st.title("数据版本 History")
dataset = st.selectbox("数据集 Dataset", list(contract.DATASETS), key="history_dataset",
                       format_func=lambda k: f"{contract.dataset(k).zh} ({k})")
versions = history_view.versions_frame(dataset)
if versions.empty:
    st.info("该数据集还没有任何版本。请在“数据上传”页上传。")
    st.stop()
st.dataframe(versions, hide_index=True, width="stretch")

st.subheader("恢复 Restore")
if not user.can_write:
    st.caption("只有数据管理员可以恢复数据。 Only analysts may restore data.")
    st.stop()
periods = sorted(versions["期间"].unique(), reverse=True)
period = st.selectbox("期间 Period", periods, key="history_period")
choices = history_view.restorable(versions, period)
if not choices:
    st.caption("该期间只有当前版本。")
    st.stop()
version = st.selectbox("恢复为 Restore to", choices, key="history_version", index=None, placeholder="请选择版本",
                       format_func=lambda v: "无数据（撤销首次上传）" if v == 0 else f"第 {v} 版")
if version is None:
    st.stop()
sure = st.checkbox(f"确认将 {period} 恢复为所选版本（当前版本仍会保留，可再次恢复）", key="history_confirm")
if st.button("恢复 Restore", disabled=not sure, key="history_restore", type="primary"):
    new_version = history_view.restore(dataset, period, version, user.name)
    st.success(f"已恢复：存储版本 v{new_version}。")
    st.rerun()
