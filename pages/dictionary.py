"""指标说明: every indicator's definition, formula, unit, direction and target, from the contract."""

import streamlit as st

from governance.core import contract
from governance.web import router
from governance.web.i18n import dataset_name, t
from governance.web.views import dictionary as dictionary_view

router.entrypoint()  # a link straight to this page still goes through app.py

st.title(t("指标说明", "Indicator dictionary"))
st.caption(t("定义来自数据约定；目标值与红黄绿阈值来自 data/targets.toml，可由数据管理员修改。",
             "Definitions come from the data contract; targets from data/targets.toml."))
st.subheader(t("某一天的数字怎么读", "Reading figures on a given day"))
st.markdown(dictionary_view.rules_zh())
dictionary_view.downloads()
for key in contract.FACT_DATASETS:
    st.subheader(dataset_name(key))
    st.table(dictionary_view.table(key).set_index("指标"))  # a static table wraps long definitions, never cuts them
