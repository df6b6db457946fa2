"""The upload page's pieces: a cached dry run, the scope and its preview, what was recognised, the problems,
the commit."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from governance.core import contract
from governance.core.text import md_escape
from governance.ingest import templates
from governance.ingest.pipeline import Report
from governance.web import app_data

DROP_REASONS = {"title": "标题行", "blank": "空行", "total": "合计行", "footer": "表尾（填表人等）"}
# Petitions first: the ledger most often uploaded. Regions last: replacing the region tree is the upload
# that can do most harm, and it was what the page opened on (issue 13).
DATASETS = ("petitions", "disputes", "grid", "branches", "regions")
DEFAULT_DATASET = "petitions"
LAST_DATASET = "upload_last_dataset"  # not a widget key: it outlives the page's widgets when a clerk moves on
PROBLEMS_SHOWN = 200  # rows of the wrapped problem table; the download lists them all


def web_cap_mb() -> float:
    """The largest file this page takes: Streamlit's own cap (a bigger file is refused in the browser, before
    the app sees it, with an English line of Streamlit's) or the app's, whichever is lower."""
    from streamlit import config

    from governance.ingest.readers import max_upload_mb

    return min(float(config.get_option("server.maxUploadSize")), max_upload_mb())


def size_note() -> str:
    """What a clerk whose file is too big reads on the page (the uploader's own mark is English only)."""
    return (f"网页上传的文件不超过 {web_cap_mb():g} MB（更大的文件在上传框中标红，不会上传）；"
            "更大的台账请用命令行导入，没有大小限制：`python -m governance ingest 数据集 文件`。")


def choose_dataset() -> str:
    """The dataset picker, opening on the dataset this session used last (petitions at first)."""
    if "upload_dataset" not in st.session_state:
        st.session_state["upload_dataset"] = st.session_state.get(LAST_DATASET, DEFAULT_DATASET)
    from governance.web.views import boundaries  # the map's shapes are uploaded here too

    dataset = st.selectbox("数据集 Dataset", [*DATASETS, boundaries.KEY], key="upload_dataset",
                           format_func=lambda k: boundaries.LABEL if k == boundaries.KEY else
                           f"{contract.dataset(k).zh} ({k})")
    st.session_state[LAST_DATASET] = dataset
    return dataset


def _switch_to(dataset: str) -> None:
    st.session_state["upload_dataset"] = dataset  # a callback runs before the picker is drawn again


def show_guess(report: Report) -> bool:
    """When a refused file looks like another dataset, say which and offer the switch; True if shown."""
    found = report.guess
    if found is None:
        return False
    name = contract.dataset(found.dataset).zh
    seen = "、".join(f"“{h}”" for h in found.headers[:4])
    more = f"等 {len(found.headers)} 列" if len(found.headers) > 4 else ""
    st.warning(f"这个文件看起来是{name}台账（表头有 {md_escape(seen)}{more}），而不是"
               f"{contract.dataset(report.dataset).zh}。切换到{name}？", icon=":material/swap_horiz:")
    st.button(f"切换到{name} Switch to {found.dataset}", key="upload_switch", type="primary",
              on_click=_switch_to, args=(found.dataset,))
    return True


def template_buttons(dataset: str) -> None:
    with st.container(horizontal=True):
        st.download_button("下载模板 (.xlsx)", templates.xlsx_bytes(dataset), f"{dataset}_模板.xlsx", key="tpl_xlsx")
        st.download_button("下载模板 (CSV)", templates.csv_bytes(dataset), f"{dataset}_模板.csv", key="tpl_csv")


def scope_choices(within: str | None = None) -> list[str]:
    """'' (the default: the towns the file holds) and every place the uploader may replace, for the picker."""
    places = app_data.places(*app_data.store_key())
    codes = places["region_code"].tolist()
    if within:
        lo, hi = app_data.code_range(within)
        codes = [c for c in codes if lo <= int(c) <= hi]
    return [""] + codes


def scope_label(code: str) -> str:
    if not code:
        return "默认：文件中出现的乡镇（街道）"
    places = app_data.places(*app_data.store_key())
    names = dict(zip(places["region_code"], places["name"]))
    levels = dict(zip(places["region_code"], places["level"]))
    level = {"province": "省", "city": "市", "county": "县", "town": "乡镇", "village": "村/社区"}.get(levels.get(code), "")
    return f"{names.get(code, code)}（{level} {code}）"


def dry_run(dataset: str, data: bytes, filename: str, sheet: str | None, scope: str = "") -> Report:
    """Validate and preview once per (file, dataset, sheet, scope, store version); reruns reuse the report."""
    key = (hashlib.sha256(data).hexdigest(), dataset, sheet, scope, app_data.scope_region(), app_data.version())
    cached = st.session_state.get("upload_report")
    if cached and cached[0] == key:
        return cached[1]
    with st.spinner("正在读取和校验… validating"):
        report = app_data.upload(dataset, data, filename, sheet=sheet, dry_run=True, scope=scope)
    st.session_state["upload_report"] = (key, report)
    return report


def preview_frame(report: Report) -> pd.DataFrame:
    rows = [{"期间": p["period"], "乡镇": p["town"], "地点": p["name"], "区划代码": p["region_code"],
             "现有行数": p["rows_now"], "上传后行数": p["rows_after"],
             "变化": "将清空" if p["rows_now"] and not p["rows_after"] else
                     ("新增" if not p["rows_now"] else "")} for p in report.preview]
    return pd.DataFrame(rows, columns=["期间", "乡镇", "地点", "区划代码", "现有行数", "上传后行数", "变化"])


def confirmation_text(report: Report) -> str:
    """What the commit will do, in the words the analyst confirms."""
    scope = md_escape("、".join(s["name"] for s in report.scope) or "全部")  # names come from uploads: text
    return (f"校验通过：{report.rows:,} 行，期间 {', '.join(report.periods)}，范围：{scope}。"
            f"确认后将替换 {report.places_replaced} 个地点的 {report.rows_replaced:,} 行现有数据，"
            f"写入 {report.rows:,} 行；范围以外的地区不受影响。")


EMPTIED_SHOWN = 10  # each one loud; beyond that one line, and the table lists them all


def show_preview(report: Report) -> bool:
    """The per-place preview and a loud warning for each place the upload would empty; True when some are."""
    emptied = report.emptied
    for p in emptied[:EMPTIED_SHOWN]:
        st.error(f"{p['period']} {md_escape(p['town'])} {md_escape(p['name'])}（{p['region_code']}）现有 "
                 f"{p['rows_now']:,} 行，上传后将没有数据。", icon=":material/warning:")
    if len(emptied) > EMPTIED_SHOWN:
        st.error(f"另有 {len(emptied) - EMPTIED_SHOWN} 个地点·期间将被清空，见下方预览表中“将清空”的行。",
                 icon=":material/warning:")
    with st.expander(f"替换预览：{len(report.preview)} 个地点·期间", expanded=bool(emptied) or len(report.preview) <= 20):
        st.dataframe(preview_frame(report), hide_index=True, width="stretch")
    return bool(emptied)


def show_recognition(report: Report) -> None:
    p = report.parsed
    if p is None:
        return
    facts = [f"编码：{p.encoding or 'xlsx'}", f"表头在第 {p.header_row} 行", f"数据 {p.table.num_rows:,} 行"]
    if p.sheet:
        facts.insert(0, f"工作表：{md_escape(p.sheet)}")
    dropped = {}
    for _, reason in p.dropped:
        dropped[reason] = dropped.get(reason, 0) + 1
    if dropped:
        facts.append("已跳过 " + "、".join(f"{DROP_REASONS.get(r, r)} {n} 行" for r, n in dropped.items()))
    st.caption(" · ".join(facts))
    ds = contract.dataset(report.dataset)
    known = {c.name: c.zh for c in (*ds.columns, *contract.NAME_COLUMNS)}
    mapping = pd.DataFrame(
        [{"列": p.letters.get(name, ""), "文件表头": p.headers.get(name, name),
          "识别为": f"{known[name]} ({name})" if name in known else "未识别，将忽略"}
         for name in p.table.column_names]
    )
    with st.expander("列识别 Column mapping", expanded=bool(p.unknown)):
        st.dataframe(mapping, hide_index=True, width="stretch")
    # The rows as the analyst wrote them, under the file's own headers, with their Excel row numbers.
    preview = p.table.slice(0, 20).to_pandas()
    preview.columns = [f"{p.letters.get(c, '')} {p.headers.get(c, c)}".strip() for c in preview.columns]
    preview.insert(0, "行", p.rows[:20].to_pylist() if hasattr(p.rows, "to_pylist") else list(p.rows[:20]))
    st.caption("预览（前 20 行） Preview")
    st.dataframe(preview.fillna(""), hide_index=True, width="stretch")


def _column_name(report: Report, field: str) -> str:
    """The header the problem's column has in the file (else the contract's), so a clerk finds it."""
    if report.parsed is not None and field in report.parsed.headers:
        return report.parsed.headers[field]
    known = {c.name: c.zh for c in (*contract.dataset(report.dataset).columns, *contract.NAME_COLUMNS)}
    return known.get(field, "")


def problems_frame(report: Report) -> pd.DataFrame:
    """Every problem in Chinese (the English keys stay in the command line's --json; the download keeps
    them in a last column for whoever supports the clerks)."""
    rows = [
        {"行": p.row or "", "列": p.column, "表头": _column_name(report, p.field) if p.column else "",
         "级别": "错误" if p.severity == "error" else "提示", "问题": p.text, "原值": p.value or "", "key": p.key}
        for p in report.problems
    ]
    if report.truncated:
        rows.append({"行": "", "列": "", "表头": "", "级别": "错误", "问题": f"另有 {report.truncated} 个问题未列出",
                     "原值": "", "key": "truncated"})
    return pd.DataFrame(rows, columns=["行", "列", "表头", "级别", "问题", "原值", "key"])


def show_problems(report: Report) -> None:
    """A table whose cells wrap (st.table), so that a long message is read whole; values are text."""
    if report.problems or report.truncated:
        st.subheader(f"校验结果：{len(report.errors)} 个错误，{len(report.warnings)} 个提示")
        frame = problems_frame(report).drop(columns=["key"])
        shown = frame.head(PROBLEMS_SHOWN).astype(str).map(md_escape)  # st.table renders Markdown
        st.table(shown, hide_index=True)
        if len(frame) > PROBLEMS_SHOWN:
            st.caption(f"只列出前 {PROBLEMS_SHOWN} 个问题，全部 {len(frame):,} 个请点“下载问题清单”。")


def show_refused(report: Report) -> None:
    """Why the file was refused: first whether it is another dataset's file, then every problem."""
    if show_guess(report) and report.parsed is None:
        st.caption("文件未被接受，数据未作任何改变。")  # no header of this dataset: the guess is the message
        return
    st.error(f"文件未被接受：共 {len(report.errors)} 个错误，数据未作任何改变。请按下表修改后重新上传。")
    show_problems(report)


def commit(dataset: str, data: bytes, filename: str, sheet: str | None, who: str, scope: str = "") -> None:
    """Commit, then start over with an empty uploader so the same file cannot be committed twice."""
    report = app_data.upload(dataset, data, filename, sheet=sheet, who=who, scope=scope)
    st.session_state.pop("upload_report", None)
    st.session_state["upload_last"] = report
    st.session_state["upload_epoch"] = st.session_state.get("upload_epoch", 0) + 1
    st.rerun()


def show_last_commit() -> None:
    report = st.session_state.pop("upload_last", None)
    if report is None:
        return
    if report.committed:
        scope = "、".join(s["name"] for s in report.scope)
        st.success(f"已提交：{md_escape(report.filename)} 的 {report.rows:,} 行已生效（{', '.join(report.periods)}，"
                   f"范围：{md_escape(scope)}），各页面即显示新数据。如需撤销，可在“数据版本”页恢复（第 {report.version} 版）。")
    else:
        st.error("提交未成功，数据未作任何改变：" + md_escape("；".join(p.text for p in report.errors)))
