"""The boundaries upload: a GeoJSON FeatureCollection, one feature per 区划代码, checked whole before it lands.

Counties get these from their natural-resources office (自然资源局) as GeoJSON exported from their GIS. What goes
wrong in practice, and is caught here with the feature's number: projected coordinates (CGCS2000 Gauss-Krüger
metres, not degrees), rings left open, a code the regions table does not know, two features for one code.
Places of the regions table without a shape are listed, not refused: the map draws the others.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import pyarrow as pa

from governance.core.regions import home_region
from governance.store import boundaries as stored
from governance.store.scope import code_range

# China's extent with a margin: a coordinate outside it is almost always a projected one (metres)
LON, LAT = (70.0, 140.0), (0.0, 56.0)
MAX_PROBLEMS = 200
CODE_KEYS = ("code", "区划代码", "region_code")


@dataclass
class BoundaryReport:
    filename: str
    shapes: dict[str, dict] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (code, name) of places without a shape
    version: int | None = None  # set when committed

    @property
    def accepted(self) -> bool:
        return not self.errors


def _where(i: int, code: str | None) -> str:
    return f"第 {i + 1} 个要素" + (f"（区划代码 {code}）" if code else "")


def _ring_problem(ring, what: str) -> str | None:
    if not isinstance(ring, list) or len(ring) < 4:
        return f"{what}的环少于 4 个点（首尾相同的闭合环至少 4 个点）"
    for p in ring:
        if not (isinstance(p, list) and len(p) >= 2 and all(isinstance(c, (int, float)) and not isinstance(c, bool)
                                                             for c in p[:2])):
            return f"{what}有无效的坐标点：{str(p)[:40]}"
        x, y = p[0], p[1]
        if not (math.isfinite(x) and math.isfinite(y)):
            return f"{what}有非有限数值的坐标"
        if not (LON[0] <= x <= LON[1] and LAT[0] <= y <= LAT[1]):
            return (f"{what}的坐标 ({x:g}, {y:g}) 不是中国境内的经纬度；若为投影坐标（米），"
                    "请在 GIS 中另存为 WGS84/CGCS2000 经纬度（EPSG:4326/4490）")
    if ring[0][:2] != ring[-1][:2]:
        return f"{what}的环未闭合（首点与末点不同）"
    area = sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:]))
    if abs(area) < 1e-12:
        return f"{what}的环面积为零（点在一条线上）"
    return None


def _geometry_problem(geom) -> str | None:
    if not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon"):
        kind = geom.get("type") if isinstance(geom, dict) else None
        return f"几何类型为 {kind or '空'}，应为 Polygon 或 MultiPolygon"
    polys = [geom.get("coordinates")] if geom["type"] == "Polygon" else geom.get("coordinates")
    if not isinstance(polys, list) or not polys:
        return "没有坐标"
    for j, poly in enumerate(polys):
        if not isinstance(poly, list) or not poly:
            return f"第 {j + 1} 个多边形没有坐标"
        for k, ring in enumerate(poly):
            what = ("外" if k == 0 else f"第 {k} 个内") + "边界" + (f"（第 {j + 1} 个多边形）" if len(polys) > 1 else "")
            problem = _ring_problem(ring, what)
            if problem:
                return problem
    return None


def _code(props) -> str | None:
    if not isinstance(props, dict):
        return None
    for key in CODE_KEYS:
        value = props.get(key)
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            value = str(value)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def check(data: bytes, filename: str, regions: pa.Table | None) -> BoundaryReport:
    """Read and check a GeoJSON against the regions table; every problem is listed, in Chinese."""
    report = BoundaryReport(filename)
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as e:
        report.errors.append(f"文件不是有效的 GeoJSON（JSON 格式错误：{str(e)[:80]}）")
        return report
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        report.errors.append("文件应为 GeoJSON 的 FeatureCollection（含 features 列表）")
        return report
    if regions is None or regions.num_rows == 0:
        report.errors.append("还没有行政区划表：请先上传行政区划（regions），再上传边界")
        return report
    names = dict(zip(regions.column("region_code").to_pylist(), regions.column("name").to_pylist()))
    first: dict[str, int] = {}
    for i, feature in enumerate(doc["features"]):
        props = feature.get("properties") if isinstance(feature, dict) else None
        code = _code(props)
        if code is None:
            report.errors.append(f"{_where(i, None)}缺少区划代码（properties 中的 code 或 区划代码）")
        elif code not in names:
            report.errors.append(f"{_where(i, code)}：区划代码不在行政区划表中")
        elif code in first:
            report.errors.append(f"{_where(i, code)}：与第 {first[code] + 1} 个要素的区划代码重复")
        problem = _geometry_problem(feature.get("geometry") if isinstance(feature, dict) else None)
        if problem:
            report.errors.append(f"{_where(i, code)}：{problem}")
        if code is not None and code not in first:
            first[code] = i
            if code in names and not problem:
                report.shapes[code] = {"type": feature["geometry"]["type"],
                                       "coordinates": feature["geometry"]["coordinates"]}
        if len(report.errors) >= MAX_PROBLEMS:
            report.errors.append(f"问题过多，仅列出前 {MAX_PROBLEMS} 个")
            break
    if not doc["features"]:
        report.errors.append("文件中没有任何要素（features 为空）")
    # places of the store's own tree (the county and below), not the province and city above it
    home = home_region(regions.select(["region_code", "parent_code"]).to_pandas())
    lo, hi = code_range(home)
    report.missing = [(c, n) for c, n in sorted(names.items()) if c not in first and lo <= int(c) <= hi]
    if report.errors:
        report.shapes = {}
    return report


def is_top_account(regions: pa.Table | None, within: str | None) -> bool:
    """Boundaries, like the regions table, are replaced whole: only an account over the whole tree may."""
    if within is None:
        return True
    if regions is None:
        return False
    return within in {c for c, p in zip(regions.column("region_code").to_pylist(),
                                        regions.column("parent_code").to_pylist()) if not p}


def upload(root, data: bytes, filename: str, regions: pa.Table | None, *, who: str, within: str | None = None,
           dry_run: bool = False) -> BoundaryReport:
    """Check, and unless dry_run or refused, commit as the new version of the store's boundaries."""
    if not is_top_account(regions, within):
        report = BoundaryReport(filename)
        report.errors.append(f"行政区划边界只能由最高一级的账号上传，您的账号限于 {within}")
        return report
    report = check(data, filename, regions)
    if report.accepted and not dry_run:
        report.version = stored.commit(root, report.shapes, source=filename, who=who)
    return report
