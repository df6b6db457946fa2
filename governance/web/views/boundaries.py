"""The upload page's boundaries part: a GeoJSON of the jurisdiction, checked, then committed as a new version."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from governance.core import formatting
from governance.core.text import md_escape
from governance.web import app_data

KEY = "boundaries"
LABEL = "行政区划边界 (boundaries, GeoJSON)"
MISSING_SHOWN = 30
ERRORS_LISTED = 20  # in the message itself; more go in a table below it


def _check(data: bytes, filename: str):
    key = (hashlib.sha256(data).hexdigest(), app_data.scope_region(), app_data.version())
    cached = st.session_state.get("boundaries_report")
    if cached and cached[0] == key:
        return cached[1]
    report = app_data.upload_boundaries(data, filename, who=None, dry_run=True)
    st.session_state["boundaries_report"] = (key, report)
    return report


def missing_text(missing: list[tuple[str, str]]) -> str:
    names = [f"{n}（{c}）" for c, n in missing[:MISSING_SHOWN]]
    more = f" 等，共 {len(missing)} 个" if len(missing) > MISSING_SHOWN else f"，共 {len(missing)} 个"
    return "以下地点没有边界，地图上不画出：" + "、".join(names) + more


def page(user) -> None:
    """Draw the boundaries upload (the page stops after it)."""
    last = st.session_state.pop("boundaries_last", None)
    if last:
        st.success(f"已提交：{md_escape(last[0])} 的 {last[1]:,} 个边界已生效（第 {last[2]} 版），地图即显示新边界。")
    if not app_data.may_replace_boundaries():  # a bound account: say so before a file is chosen, not after
        st.info("行政区划边界整体替换（与行政区划表相同），只能由最高一级的账号上传或恢复；"
                "您的账号可以查看下面的版本。")
        history(user)
        st.stop()
    st.info("上传本辖区的行政区划边界（GeoJSON FeatureCollection，每个要素的 properties 写明 code 或 区划代码，"
            "几何为 Polygon 或 MultiPolygon，经纬度坐标 WGS84/CGCS2000），通常可向自然资源部门索取。"
            "整体替换当前边界，旧版本保留，可在下方恢复。")
    upload = st.file_uploader("边界文件（.geojson 或 .json）", type=["geojson", "json"],
                              key=f"boundaries_file_{st.session_state.get('boundaries_epoch', 0)}")
    if upload is not None:
        data = upload.getvalue()
        report = _check(data, upload.name)
        if report.errors:
            listed = "".join(f"\n- {md_escape(e)}" for e in report.errors[:ERRORS_LISTED])
            st.error(f"文件未被接受：共 {len(report.errors)} 个问题，边界数据未作任何改变。请修改后重新上传。{listed}")
            if len(report.errors) > ERRORS_LISTED:
                st.dataframe(pd.DataFrame({"问题": report.errors}), hide_index=True, width="stretch")
        else:
            st.success(f"校验通过：{len(report.shapes):,} 个地点的边界。")
            if report.missing:
                st.warning(md_escape(missing_text(report.missing)))
            if st.button("确认提交 Commit", type="primary", key="boundaries_commit"):
                done = app_data.upload_boundaries(data, upload.name, who=user.name)
                st.session_state.pop("boundaries_report", None)
                st.session_state["boundaries_last"] = (upload.name, len(done.shapes), done.version)
                st.session_state["boundaries_epoch"] = st.session_state.get("boundaries_epoch", 0) + 1
                st.rerun()
    history(user)
    st.stop()


def history(user) -> None:
    """The versions, newest first, and (for an analyst over the whole tree) a restore of an older one; on the
    upload page under the upload, and on the 数据版本 page beside the tables' versions."""
    rows = app_data.boundaries_history()
    st.subheader("边界版本")
    done = st.session_state.pop("boundaries_restored", None)
    if done:
        st.success(f"已恢复：边界已恢复为第 {done[0]} 版的内容，现为第 {done[1]} 版，地图即显示恢复后的边界。")
    if not rows:
        st.caption("尚未上传边界：地图处显示排名。")
        return
    shown = pd.DataFrame([{"版本": r["version"], "时间（北京）": formatting.office_time(r["when"]), "上传人": r["who"], "文件": r["source"],
                           "边界数": r["shapes"], "操作": {"upload": "上传", "restore": "恢复", "demo": "演示数据"}.get(
                               r["action"], r["action"])} for r in rows])
    st.dataframe(shown, hide_index=True, width="stretch")
    if len(rows) > 1:
        if not (user.can_write and app_data.may_replace_boundaries()):
            # the boundaries are replaced whole, like the regions table: not by a viewer or a bound account
            st.caption("只有最高一级的数据管理员可以恢复边界。 Only an analyst over the whole tree may restore them.")
            return
        older = [r["version"] for r in rows[1:]]
        said = {r["version"]: f"第 {r['version']} 版 · {formatting.office_time(r['when'])[:16]} · {r['who']} · {r['source']}"
                for r in rows}
        pick = st.selectbox("恢复到版本", older, key="boundaries_restore_pick", format_func=said.get, index=None,
                            placeholder="请选择版本")
        if pick is None:
            return
        # the whole jurisdiction's map changes at once, for every account: asked once more, as a data restore is
        sure = st.checkbox("确认将全辖区的行政区划边界整体恢复为所选版本（当前边界仍保留在历史中，可再次恢复）",
                           key="boundaries_restore_confirm")
        if st.button("恢复", key="boundaries_restore", disabled=not sure, type="primary"):
            try:
                now = app_data.restore_boundaries(pick, user.name)
            except app_data.StoreError as e:
                st.error(md_escape(str(e)))
            else:
                st.session_state["boundaries_restored"] = (pick, now)
                st.rerun()
