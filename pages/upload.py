"""数据上传: pick a dataset, drop a ledger, see what was recognised and every problem, then commit."""

import streamlit as st

from governance import app_data, auth, contract, exports, templates, upload_view

user = auth.require_analyst()
st.title("数据上传 Upload")

dataset = st.selectbox("数据集 Dataset", list(contract.DATASETS), key="upload_dataset",
                       format_func=lambda k: f"{contract.dataset(k).zh} ({k})")
left, right, _ = st.columns([1, 1, 3])
left.download_button("下载模板 (.xlsx)", templates.xlsx_bytes(dataset), f"{dataset}_模板.xlsx", key="tpl_xlsx")
right.download_button("下载模板 (CSV)", templates.csv_bytes(dataset), f"{dataset}_模板.csv", key="tpl_csv")

upload = st.file_uploader("台账文件（CSV 或 .xlsx，UTF-8 或 GBK）", type=["csv", "txt", "xlsx", "xlsm"], key="upload_file")
if upload is None:
    st.info("同一月份（评定周期）重新上传会替换该期数据；旧版本保留在“数据版本”页，可随时恢复。")
    st.stop()

data = upload.getvalue()
sheet = st.session_state.get("upload_sheet")
report = upload_view.dry_run(dataset, data, upload.name, sheet)
if report.parsed and len(report.parsed.sheets) > 1:
    st.selectbox("工作表 Sheet", report.parsed.sheets, key="upload_sheet")

upload_view.show_recognition(report)
upload_view.show_problems(report)
if report.errors:
    st.download_button("下载问题清单 (CSV)", exports.csv_bytes(upload_view.problems_frame(report)),
                       f"{upload.name}_问题清单.csv", key="problems_csv")
    st.error(f"文件未被接受：共 {len(report.errors)} 个错误，数据未作任何改变。请修改后重新上传。")
    st.stop()

st.success(f"校验通过：{report.rows:,} 行，涉及期间 {', '.join(report.periods)}。确认后将替换这些期间的现有数据。")
if st.button("确认提交 Commit", type="primary", key="upload_commit"):
    done = upload_view.commit(dataset, data, upload.name, sheet, user.name)
    if done.accepted:
        st.success(f"已提交：存储版本 v{done.version}。其他页面刷新后即显示新数据。")
    else:
        upload_view.show_problems(done)
