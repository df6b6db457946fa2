"""数据上传: pick a dataset, drop a ledger, see what was recognised and every problem, then commit."""

import streamlit as st

from governance.core import contract
from governance.web import auth, exports, router
from governance.web.views import upload as upload_view

router.entrypoint()  # a link straight to this page still goes through app.py

user = auth.require_analyst()
st.title("数据上传 Upload")

dataset = st.selectbox("数据集 Dataset", list(contract.DATASETS), key="upload_dataset",
                       format_func=lambda k: f"{contract.dataset(k).zh} ({k})")
upload_view.template_buttons(dataset)

upload_view.show_last_commit()
upload = st.file_uploader("台账文件（CSV 或 .xlsx，UTF-8 或 GBK）", type=["csv", "txt", "xlsx", "xlsm"],
                          key=f"upload_file_{st.session_state.get('upload_epoch', 0)}")
if upload is None:
    st.info("同一月份（评定周期）重新上传会替换该期数据；旧版本保留在“数据版本”页，可随时恢复。")
    st.stop()

data = upload.getvalue()
sheet = st.session_state.get("upload_sheet")
report = upload_view.dry_run(dataset, data, upload.name, sheet)
if report.parsed and len(report.parsed.sheets) > 1:
    st.selectbox("工作表 Sheet", report.parsed.sheets, key="upload_sheet")

if report.errors:
    st.error(f"文件未被接受：共 {len(report.errors)} 个错误，数据未作任何改变。请按下表修改后重新上传。")
    upload_view.show_problems(report)
    st.download_button("下载问题清单 (CSV)", exports.csv_bytes(upload_view.problems_frame(report)),
                       f"{upload.name}_问题清单.csv", key="problems_csv")
    upload_view.show_recognition(report)
    st.stop()

st.success(f"校验通过：{report.rows:,} 行，涉及期间 {', '.join(report.periods)}。确认后将替换这些期间的现有数据。")
if st.button("确认提交 Commit", type="primary", key="upload_commit"):
    upload_view.commit(dataset, data, upload.name, sheet, user.name)  # reruns with a fresh uploader
upload_view.show_problems(report)
upload_view.show_recognition(report)
