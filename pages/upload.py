"""数据上传: pick a dataset, drop a ledger, see what was recognised and every problem, then commit."""

import streamlit as st

from governance.core import contract
from governance.web import auth, exports, router
from governance.web.views import boundaries as boundaries_view
from governance.web.views import upload as upload_view

router.entrypoint()  # a link straight to this page still goes through app.py

user = auth.require_analyst()
st.title("数据上传 Upload")

dataset = upload_view.choose_dataset()  # petitions, or the one this session used last
if dataset == boundaries_view.KEY:
    boundaries_view.page(user)  # the map's shapes: a GeoJSON, not a ledger (stops here)
upload_view.template_buttons(dataset)

upload_view.show_last_commit()
scope = st.selectbox("范围 Scope（本次上传替换哪些地区的数据）", upload_view.scope_choices(user.region), key="upload_scope",
                     format_func=upload_view.scope_label, disabled=contract.dataset(dataset).period_from is None,
                     help="默认只替换文件中出现的乡镇（街道）的数据；县级汇总文件如需清空某个未出现的乡镇，请选择县。"
                          "选择村（社区）时，文件中该村以外的行会被拒绝。")
upload = st.file_uploader("台账文件（CSV 或 .xlsx，UTF-8 或 GBK）", type=["csv", "txt", "xlsx", "xlsm"],
                          key=f"upload_file_{st.session_state.get('upload_epoch', 0)}")
if upload is None:
    st.info("上传只替换所选范围（默认：文件中出现的乡镇）在文件所含月份（评定周期）的数据，其他地区不受影响；"
            "提交前会列出每个地点现有和上传后的行数。旧版本保留在“数据版本”页，可随时恢复。\n\n" + upload_view.size_note())
    st.stop()

data = upload.getvalue()
sheet = st.session_state.get("upload_sheet")
report = upload_view.dry_run(dataset, data, upload.name, sheet, scope)
if report.parsed and len(report.parsed.sheets) > 1:
    st.selectbox("工作表 Sheet", report.parsed.sheets, key="upload_sheet")

if report.errors:
    upload_view.show_refused(report)
    st.download_button("下载问题清单 (CSV)", exports.csv_bytes(upload_view.problems_frame(report)),
                       f"{upload.name}_问题清单.csv", key="problems_csv")
    upload_view.show_recognition(report)
    st.stop()

st.success(upload_view.confirmation_text(report))
empties = upload_view.show_preview(report)
sure = not empties or st.checkbox("我已核对：确认清空上面标红的地点在这些期间的数据", key="upload_confirm_empty")
if st.button("确认提交 Commit", type="primary", key="upload_commit", disabled=not sure):
    upload_view.commit(dataset, data, upload.name, sheet, user.name, scope)  # reruns with a fresh uploader
upload_view.show_problems(report)
upload_view.show_recognition(report)
