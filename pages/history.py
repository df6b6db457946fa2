"""数据版本: every upload and restore, who made it, where (scope) and how many rows; restoring an earlier one."""

import streamlit as st

from governance.core import contract
from governance.core.text import md_escape
from governance.web import app_data, auth, router
from governance.web.views import boundaries as boundaries_view
from governance.web.views import history as history_view

router.entrypoint()  # a link straight to this page still goes through app.py

user = auth.require_user()  # uploaders' names and file names: never for visitors who have not signed in
st.title("数据版本 History")
history_view.show_done()  # a restore's message, kept across the rerun that shows the restored data
dataset = st.selectbox("数据集 Dataset", [*history_view.DATASETS, boundaries_view.KEY], key="history_dataset",
                       format_func=lambda k: boundaries_view.LABEL if k == boundaries_view.KEY
                       else f"{contract.dataset(k).zh} ({k})")
if dataset == boundaries_view.KEY:  # the map's shapes: versions of the whole, not of periods
    boundaries_view.history(user)
    st.stop()
if broken := app_data.log_damage(dataset):  # its history is unknown, not empty: say why and how to repair it
    st.error(md_escape(broken), icon=":material/broken_image:")
    st.stop()
versions = history_view.versions_frame(dataset)
if versions.empty:
    st.info("该数据集还没有任何版本。请在“数据上传”页上传。")
    st.stop()
st.dataframe(versions, hide_index=True, width="stretch")

st.subheader("恢复 Restore")
if not user.can_write:
    st.caption("只有数据管理员可以恢复数据。 Only analysts may restore data.")
    st.stop()
period = st.selectbox("期间 Period", history_view.periods(dataset), key="history_period")
names = dict(zip(*[app_data.places(*app_data.store_key())[c] for c in ("region_code", "name")]))
scope = st.selectbox("范围 Scope", history_view.scope_choices(user.region), key="history_scope",
                     format_func=lambda c: "全部地区" if not c else f"{names.get(c, c)} ({c})",
                     disabled=contract.dataset(dataset).period_from is None)
labels = history_view.version_labels(dataset)  # when, who, file and rows of each version
version = st.selectbox("恢复为 Restore to", history_view.restorable(dataset, period), key="history_version",
                       index=None, placeholder="请选择版本",
                       format_func=lambda v: labels.get(v, f"第 {v} 版"))
if version is None:
    st.stop()
where = "全部地区" if not scope else md_escape(names.get(scope, scope))  # a name from an upload: text
sure = st.checkbox(f"确认将 {where} 在 {period} 的数据恢复为所选版本（当前数据仍保留在历史中，可再次恢复）",
                   key="history_confirm")
if st.button("恢复 Restore", disabled=not sure, key="history_restore", type="primary"):
    new_version, problem = history_view.restore(dataset, period, version, scope, user.name)
    if problem:
        st.error(md_escape(problem))
    else:
        history_view.remember_done(f"已恢复：{names.get(scope, scope) if scope else '全部地区'} 在 {period} 的数据已恢复为"
                                   f"“{labels.get(version)}”，现为第 {new_version} 版。")
        st.rerun()
