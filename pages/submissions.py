"""报送进度: per dataset and place, the latest ledger sent, when and by whom, and who has not sent the month."""

import streamlit as st

from governance.core import periods
from governance.web import app_data, auth, router
from governance.web.views import submissions as submissions_view

router.entrypoint()  # a link straight to this page still goes through app.py

auth.require_user()  # uploaders' names and file names: never for visitors who have not signed in
st.title("报送进度 Submissions")
root, ver = app_data.store_key()
regions, months = app_data.places(root, ver), app_data.months(root, ver)
home = app_data.home_region(regions)
if home is None or not months:
    st.info("还没有数据。")
    st.stop()
month = st.selectbox("报送月份 Month", months[::-1], index=months[::-1].index(submissions_view.default_month(months)),
                     key="submissions_month", format_func=periods.month_label_zh)
places = app_data.tracked_places(regions, home)
names = dict(zip(regions["region_code"], regions["name"]))
st.caption(f"{names.get(home, home)}：按各账号所辖地区（未设账号时按下一级地区）统计，共 {len(places)} 个地区。"
           "信访、纠纷台账按月报送（该月无件也须报送）；网格台账每个村(社区)每月一行；评星定级按评定周期。")
submissions_view.show(places, month, names.get(home, home))
