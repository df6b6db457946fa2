"""指标说明: every indicator's definition, formula, unit, direction and target, from the contract."""

import pandas as pd
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
for key in contract.FACT_DATASETS:
    st.subheader(dataset_name(key))
    rows = [{
        "指标": i.zh, "key": i.key, "English": i.en, "定义": i.definition_zh, "公式": i.formula_zh, "单位": i.unit,
        "方向": {True: "越高越好", False: "越低越好", None: "规模指标"}[i.higher_is_better],
        "当日读法": dictionary_view.how_read(i), **dictionary_view.targets_by_level(i),
    } for i in contract.dataset(key).indicators]
    st.table(pd.DataFrame(rows).set_index("指标"))  # a static table wraps long definitions instead of cutting them
