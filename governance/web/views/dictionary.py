"""指标说明's reading rules: how each figure is read on a given day, and its targets at every level."""

from __future__ import annotations

import pandas as pd

from governance.core import contract, settings, targets

LEVELS = (("county", "县级目标"), ("town", "乡镇(街道)目标"), ("village", "村(社区)目标"))


def rules_zh() -> str:
    """The three rules of SPEC "Reading figures on a given day", in plain Chinese (Markdown)."""
    n, p, d = settings.small_base(), settings.deadline_days(), settings.dispute_deadline_days()
    return (
        f"**数据截至哪一天。** 所有数字按侧栏的“查看日期”计算（默认今天），即“那一天看到的样子”：那天以后才办结、"
        f"化解或受理的件都不算。选上月最后一天，就能重现上月会议上的数字。\n\n"
        f"**办理期内。** 办结率、一次性化解率、满意率、平均办理天数（信访，期限{p}天）和化解率、就地化解率、"
        f"平均化解天数（矛盾纠纷，期限{d}天）要等件办完才定型。所选月份里只要还有件没满期限，这些数字就标“办理期内”："
        f"照常显示，但不按目标着色、不进预警；与上期比较时，上期按同样的天数读取（同龄比较）。近期月份是否拖延，"
        f"看“超期未办结”“超期未化解”（目标为0）。趋势图中办理期内的月份画空心点并加浅色底。\n\n"
        f"**件数少。** 比率的基数不足{n}件时，数字旁写明件数（如“0.0%（2件）”），灰色显示，不着色、不参与排名"
        f"（列在排名之后），也不进预警。排名和表格中的每个比率都带有件数。\n\n"
        f"**0 与无数据。** 某月有数据、但某地没有件：件数记0，万人信访量记0，比率无基数显示“—”。"
        f"某月完全没有上传数据：显示“无数据”，不记0。\n\n"
        f"**评星定级。** 读查看时已结束的最近一个评定周期；周期结束前就上传的评定，从上传之日起显示，标“预评”。"
    )


def how_read(ind: contract.Indicator) -> str:
    """One indicator's reading rule on a given day, in a sentence or two."""
    ds = contract.dataset(ind.dataset)
    n = settings.small_base()
    parts = []
    if ind.matures:
        days = settings.deadline_for(ind.dataset)
        parts.append(f"所选月份尚有件未满{days}天期限时标“办理期内”，不着色、不预警，与上期同龄比较；全部超过期限后定型")
    elif ind.key == "on_time_rate":
        parts.append("按查看日计算，已超期未办结的件计入分母，任何一天都可评达标")
    elif ind.key == "overdue":
        parts.append("按查看日计算，满期限次日起计入；近期月份看这一项")
    elif ind.key == "backlog":
        parts.append("截至所选最后一个月月底（不晚于查看日）仍未化解的件数")
    elif ds.is_stock:
        parts.append("读所选期间最后一个有数据的月份；该月没有上报的地方为“无数据”")
    elif ds.is_rating:
        parts.append("读已结束的最近一个评定周期；提前上传的评定标“预评”")
    if ind.is_ratio and ind.kind == "rate":
        parts.append(f"基数不足{n}件时带件数显示、灰色、不排名、不预警；基数为0显示“—”")
    elif ind.is_ratio:
        parts.append("基数为0显示“—”")
    elif ind.kind == "count" and ds.is_flow:
        parts.append("有数据的月份没有件记0；没有数据的月份为“无数据”")
    return "；".join(parts) + "。" if parts else "—"


def targets_by_level(ind: contract.Indicator) -> dict[str, str]:
    """{column: target text} for the county, a town and a village (a level without its own uses the county's)."""
    return {label: targets.target_for(ind.dataset, ind.key, level).text(ind) or "—" for level, label in LEVELS}


def table(dataset: str) -> pd.DataFrame:
    """One row per indicator of a dataset: what the page shows, in Chinese."""
    return pd.DataFrame([{
        "指标": i.zh, "key": i.key, "English": i.en, "定义": i.definition_zh, "公式": i.formula_zh, "单位": i.unit,
        "方向": {True: "越高越好", False: "越低越好", None: "规模指标"}[i.higher_is_better],
        "当日读法": how_read(i), **targets_by_level(i),
    } for i in contract.dataset(dataset).indicators])


def workbook_table() -> pd.DataFrame:
    """Every indicator of every dataset, the dataset first: the dictionary as one downloadable table."""
    return pd.concat([table(k).assign(数据=contract.dataset(k).zh) for k in contract.FACT_DATASETS],
                     ignore_index=True).pipe(lambda d: d[["数据", *[c for c in d.columns if c != "数据"]]])


def downloads() -> None:
    """The whole dictionary as .xlsx (titled with the day it was read: targets change) and CSV."""
    from governance.web import app_data, ui

    day = app_data.view_date()
    ui.downloads(workbook_table(), "指标说明", f"指标说明 · 全部数据集 · 目标值读于{day.year}年{day.month}月{day.day}日",
                 "dictionary")
