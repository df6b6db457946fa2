"""总览: the four datasets' headline indicators for the home place and the latest month."""

import streamlit as st

from governance import app_data, contract, formatting, periods
from governance.indicators import change

root, ver = app_data.store_key()
regions = app_data.places(root, ver)
region = app_data.home_region(regions)
month = app_data.latest_month(root, ver)

st.title("党建引领基层治理 · 总览")
if month is None or region is None:
    st.info("还没有数据。请在“数据上传”页上传台账，或运行 `python -m governance demo` 生成演示数据。")
    st.stop()

name = regions.loc[regions["region_code"] == region, "name"].iloc[0]
st.caption(f"{name} · {periods.month_label_zh(month)} · 对比：环比（上月） · 数据版本 v{ver}")

for key in contract.FACT_DATASETS:
    ds = contract.dataset(key)
    figures = app_data.headline(root, ver, key, region, month, month)
    st.subheader(ds.zh)
    shown = [i for i in ds.indicators if i.headline]
    for col, ind in zip(st.columns(len(shown)), shown):
        cur, prev = figures["current"][ind.key], figures["mom"][ind.key]
        col.metric(
            ind.zh,
            formatting.value(cur, ind),
            formatting.change(change(cur, prev, ind), ind),
            delta_color="off" if ind.higher_is_better is None else ("normal" if ind.higher_is_better else "inverse"),
            help=app_data.indicator_help(ind),
            border=True,
        )
