"""文字通报: a paragraph per dataset in plain official Chinese, written from the figures.

Every number in the text comes from one set of query results (``gather``):
``indicators.headline`` for the place, ``indicators.query(by="child")`` for
the places one level down and ``indicators.query(by="month")`` for the trend.
The briefing draws its charts from the same frames, so text and charts agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from governance.core import contract, periods, ranking, settings, targets
from governance.core.formatting import prose as fmt
from governance.core.formatting import prose_count as count
from governance.core.formatting import prose_percent as pct
from governance.core.formatting import trim
from governance.core.text import md_escape
from governance.metrics import indicators
from governance.metrics.indicators import View
from queries import Engine

TREND_MONTHS = 12
CHILD_TERM = {"city": "县(市、区)", "county": "乡镇(街道)", "town": "村(社区)", "village": "村(社区)"}
SHORT_ZH = {"petitions": "信访", "disputes": "矛盾纠纷", "grid": "网格", "branches": "党支部评星定级"}
NAMED_AT_MOST = 3  # places named for a tie at the top or bottom before "等N个"


class NoDataError(LookupError):
    """The request names a place or a month the store has no data for. str() is the user's message."""


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    level: str
    child_level: str | None

    @property
    def whole(self) -> str:
        """How an official paper names the place as a whole: 全县, 全镇, 全街道; a village by its name."""
        if self.level == "village":
            return self.name
        if self.name.endswith("街道"):
            return "全街道"
        last = self.name[-1:]
        if last in "省市州盟县区旗镇乡":
            return "全" + last
        return self.name


@dataclass
class Facts:
    """One dataset's figures for a place and a month: what the text, the KPIs and the charts read."""

    dataset: str
    place: Place
    month: str
    has_data: bool
    head: dict  # indicators.headline: {window: {indicator key: value}}
    children: pd.DataFrame  # query(by="child"), current window only
    series: pd.DataFrame  # query(by="month") over the TREND_MONTHS months to `month`
    period: str | None = None  # branches: the rating period read; grid: the month read
    extra: dict = field(default_factory=dict)
    damaged: str | None = None  # the store's message when this dataset's files are damaged (read as no data)

    @property
    def current(self) -> dict:
        return self.head["current"]

    @property
    def mature(self) -> bool:
        """Whether the month's maturing rates are final on the view date (SPEC); not: 办理期内."""
        return self.head.get("mature", {}).get("current", True)

    def base(self, key: str):
        return self.head.get("bases", {}).get("current", {}).get(key)

    @property
    def period_label(self) -> str:
        return periods.period_label_zh(self.period or self.month)


def main_rate(dataset: str) -> contract.Indicator:
    """The rate a dataset's places are ranked by: its first headline rate (as on the 大屏)."""
    return next(i for i in contract.dataset(dataset).indicators if i.headline and i.kind == "rate")


def place(engine: Engine, region: str, *, version: int | None = None) -> Place:
    level = contract.level_of_code(region) if isinstance(region, str) else None
    if level is None:
        raise NoDataError(f"区划代码须为12位数字 region code must be 12 digits: {region!r}")
    rows = indicators.places(engine, region, version=version)
    row = rows[rows["region_code"] == region]
    if row.empty:
        raise NoDataError(f"未知地区：区划表中没有 {region} unknown region: {region} is not in the regions table")
    return Place(region, str(row["name"].iloc[0]), level, contract.CHILD_LEVEL.get(level))


def check_month(engine: Engine, month: str, *, version: int | None = None) -> None:
    """NoDataError unless some monthly dataset has data for the month."""
    if not periods.is_month(month or ""):
        raise NoDataError(f"月份格式应为 YYYY-MM month must be YYYY-MM: {month!r}")
    found = indicators.data_periods(engine, version)
    if not any(month in found[k] for k in contract.MONTHLY_DATASETS):
        monthly = sorted({m for k in contract.MONTHLY_DATASETS for m in found[k]})
        have = f"{monthly[0]} 至 {monthly[-1]}" if monthly else "无 none"
        raise NoDataError(f"{periods.month_label_zh(month)}没有任何数据 no data for {month} "
                          f"(有数据的月份 months with data: {have})")


def gather(engine: Engine, region: str, month: str, *, version: int | None = None,
           today: dt.date | None = None) -> dict[str, Facts]:
    """Run the queries a briefing needs, once, for every dataset."""
    where = place(engine, region, version=version)
    check_month(engine, month, version=version)
    found = indicators.data_periods(engine, version)
    view = View(region, month, month)
    trend_view = View(region, periods.shift_month(month, -(TREND_MONTHS - 1)), month)
    out = {}
    broken = engine.damaged(version)  # a damaged dataset reads as empty: never brief it as zero
    for key in contract.FACT_DATASETS:
        head = indicators.headline(engine, key, view, version=version, today=today)
        if where.child_level:
            children = indicators.query(engine, key, view, by="child", version=version, today=today)
            children = children[children["window_name"] == "current"].reset_index(drop=True)
        else:
            children = pd.DataFrame()
        series = indicators.query(engine, key, trend_view, by="month", version=version, today=today)
        if contract.dataset(key).is_rating:
            has_data = head["current"]["branches"] is not None
            period = head.get("rating_period") if has_data else None
        else:
            has_data = month in found[key]
            period = month
        out[key] = Facts(key, where, month, has_data and key not in broken, head, children, series, period,
                         damaged=broken.get(key))
    return out


# ---- numbers as an official paper writes them ---------------------------------------------------

def versus_previous(cur, prev, ind: contract.Indicator, word: str = "环比") -> str | None:
    """环比上升5.2% for counts; 较上月提高1.2个百分点 for rates; None without a previous figure."""
    delta = indicators.change(cur, prev, ind)
    if delta is None:
        return None
    if ind.unit == "%":
        shown = trim(abs(delta) * 100)
        against = {"环比": "上月", "同比": "去年同期", "上期": "上一评定周期"}.get(word, word)
        if shown == "0":
            return f"与{against}持平"
        return f"较{against}{'提高' if delta > 0 else '下降'}{shown}个百分点"
    shown = trim(abs(delta) * 100)
    if shown == "0":
        return f"{word}持平"
    return f"{word}{'上升' if delta > 0 else '下降'}{shown}%"


def versus_target(value, ind: contract.Indicator, level: str | None) -> str | None:
    """高于目标1.9个百分点 / 低于控制目标… / 处于200-350户合理区间; None without a target."""
    if value is None:
        return None
    t = targets.target_for(ind.dataset, ind.key, level)
    if t.band:
        lo, hi = t.band
        band = f"{trim(lo)}-{trim(hi)}{ind.unit}"
        if value < lo:
            return f"低于{band}的合理区间"
        if value > hi:
            return f"高于{band}的合理区间"
        return f"处于{band}的合理区间"
    if t.target is None:
        return None
    goal = "控制目标" if ind.higher_is_better is False else "目标"
    diff = value - t.target
    if ind.unit == "%":
        shown, unit = trim(abs(diff) * 100), "个百分点"
    else:
        shown, unit = trim(abs(diff), 2), ind.unit
    if shown == "0":
        return f"达到{goal}" if ind.higher_is_better is not False else f"与{goal}持平"
    return f"{'高于' if diff > 0 else '低于'}{goal}{shown}{unit}"


def clauses(text: str, *more: str | None) -> str:
    """Join a sentence's clauses with "，", leaving out the empty ones."""
    return "，".join([text, *[c for c in more if c]])


def _names(rows: pd.DataFrame, term: str) -> str:
    names = [str(n) for n in rows["place_name"]]
    if len(names) > NAMED_AT_MOST:
        return "、".join(names[:NAMED_AT_MOST]) + f"等{len(names)}个{term}"
    return "、".join(names)


def ranked(facts: Facts, ind: contract.Indicator | None = None) -> pd.DataFrame:
    """The places one level down that are ranked, best first (the ranking chart's order): not those whose
    rate rests on too few cases or is still 办理期内 (SPEC), nor those without a figure."""
    ind = ind or main_rate(facts.dataset)
    if facts.children.empty or ind.key not in facts.children:
        return pd.DataFrame(columns=["place_code", "place_name", ind.key])
    data = ranking.order(facts.children, ind)
    return data[data["ranked"]].reset_index(drop=True)


def charted(facts: Facts, ind: contract.Indicator | None = None) -> pd.DataFrame:
    """The places the ranking chart draws: every one with a figure (the unranked greyed after the ranked)."""
    ind = ind or main_rate(facts.dataset)
    if facts.children.empty or ind.key not in facts.children:
        return pd.DataFrame(columns=["place_code", "place_name", ind.key])
    return facts.children.dropna(subset=[ind.key])


def ranking_sentence(facts: Facts) -> str | None:
    """分乡镇(街道)看，办结率最高的是…（…），最低的是…（…）；N个未达到目标。"""
    ind = main_rate(facts.dataset)
    if ind.matures and not facts.mature:
        return None  # a month still being worked is not ranked: its places are compared by 超期 instead
    data = ranked(facts, ind)
    if len(data) < 2:
        return None
    term = CHILD_TERM.get(facts.place.level, "下级")
    top, bottom = data[ind.key].iloc[0], data[ind.key].iloc[-1]
    if fmt(top, ind) == fmt(bottom, ind):
        text = f"分{term}看，各{term}{ind.zh}均为{fmt(top, ind)}"
    else:
        best = data[data[ind.key].map(lambda v: fmt(v, ind)) == fmt(top, ind)]
        worst = data[data[ind.key].map(lambda v: fmt(v, ind)) == fmt(bottom, ind)]
        text = (f"分{term}看，{ind.zh}最高的是{_names(best, term)}（{fmt(top, ind)}），"
                f"最低的是{_names(worst, term)}（{fmt(bottom, ind)}）")
    red = [v for v in data[ind.key] if targets.status(v, ind, facts.place.child_level) == "red"]
    if red:
        text += f"；{len(red)}个{term}{ind.zh}未达标"
    return text + "。"


# ---- one paragraph per dataset ------------------------------------------------------------------

def _ind(dataset: str, key: str) -> contract.Indicator:
    return contract.dataset(dataset).indicator(key)


def _rate(facts: Facts, key: str, label: str | None = None) -> str | None:
    ind = _ind(facts.dataset, key)
    value = facts.current[key]
    if value is None:
        return None
    if ind.matures and not facts.mature:
        # SPEC: a month whose cases are not all due is not called failing; it is read as 办理期内
        return f"{label or ind.zh}{fmt(value, ind)}（办理期内，尚有件未到期限）"
    base = facts.base(key) if ind.is_ratio else None
    if base is not None and base < settings.small_base():
        return f"{label or ind.zh}{fmt(value, ind)}（仅{count(base, ind.base_unit)}，不作评价）"
    return clauses(f"{label or ind.zh}{fmt(value, ind)}", versus_target(value, ind, facts.place.level))


def _overdue(facts: Facts, what: str) -> str:
    """超期未办结 / 超期未化解 on the view date: what flags a recent month."""
    n = facts.current.get("overdue")
    days = settings.deadline_for(facts.dataset)
    if not n:
        return f"无超过{days}天期限仍未{what}的件"
    return f"超过{days}天期限仍未{what}{count(n, '件')}"


def _changes(facts: Facts, key: str) -> str | None:
    ind = _ind(facts.dataset, key)
    cur = facts.current[key]
    parts = [versus_previous(cur, facts.head["mom"][key], ind, "环比"),
             versus_previous(cur, facts.head["yoy"][key], ind, "同比")]
    parts = [p for p in parts if p]
    return "、".join(parts) if parts else None


def _sentences(parts: list[str | None]) -> str:
    return "；".join(p for p in parts if p) + "。"


def petitions_text(f: Facts) -> str:
    c = f.current
    lead = f"{f.period_label}，{f.place.whole}"
    if not c["received"]:
        return f"{lead}未受理信访事项。"
    first = clauses(f"{lead}共受理信访事项{count(c['received'], '件')}", _changes(f, "received"))
    closed = clauses(f"办结{count(c['closed'], '件')}", _rate(f, "closure_rate"))
    text = _sentences([first, closed, _overdue(f, "办结"), _rate(f, "on_time_rate"), _rate(f, "first_attempt_rate"),
                       _rate(f, "satisfaction_rate", "群众满意率"), _rate(f, "repeat_rate")])
    return text + (ranking_sentence(f) or "")


def disputes_text(f: Facts) -> str:
    c = f.current
    lead = f"{f.period_label}，{f.place.whole}"
    if not c["found"]:
        return f"{lead}未排查出矛盾纠纷。"
    first = clauses(f"{lead}共排查矛盾纠纷{count(c['found'], '件')}", _changes(f, "found"))
    resolved = clauses(f"化解{count(c['resolved'], '件')}", _rate(f, "resolution_rate"))
    backlog = f"尚有{count(c['backlog'], '件')}未化解" if c["backlog"] else "已全部化解"
    text = _sentences([first, resolved, _rate(f, "local_rate"), _rate(f, "escalation_rate"), backlog,
                       _overdue(f, "化解")])
    return text + (ranking_sentence(f) or "")


def grid_text(f: Facts) -> str:
    c = f.current
    lead = f"截至{f.period_label}，{f.place.whole}"
    first = clauses(f"{lead}常住{count(c['households'], '户')}，纳入网格管理{count(c['households_covered'], '户')}",
                  _rate(f, "coverage_rate", "网格覆盖率"))
    grids = f"共划分网格{count(c['grids'], '个')}"
    if c["households_per_grid"] is not None:
        grids = clauses(grids, _rate(f, "households_per_grid", "平均每格"))
    workers = _rate(f, "workers_per_grid", "每格配备网格员")
    text = _sentences([first, grids, workers, _rate(f, "party_org_coverage")])
    return text + (ranking_sentence(f) or "")


def branches_text(f: Facts) -> str:
    c = f.current
    stars = c["stars_distribution"]
    early = "（预评，该周期尚未结束）" if f.head.get("early") else ""
    lead = f"{f.period_label}评星定级{early}，{f.place.whole}参评党支部{count(c['branches'], '个')}"
    five = clauses(f"其中五星级{count(stars['5'], '个')}、占{pct(c['five_star_share'])}",
                 versus_target(c["five_star_share"], _ind("branches", "five_star_share"), f.place.level))
    three = clauses(f"三星级及以上占{pct(c['three_plus_share'])}",
                  versus_target(c["three_plus_share"], _ind("branches", "three_plus_share"), f.place.level),
                  versus_previous(c["three_plus_share"], f.head["mom"]["three_plus_share"],
                                  _ind("branches", "three_plus_share"), "上期"))
    moved = None
    if c["upgraded"] is not None and (c["upgraded"] or c["downgraded"]):
        moved = f"与上一评定周期相比升星{count(c['upgraded'], '个')}、降星{count(c['downgraded'], '个')}"
    if c["weak"]:
        weak = clauses(f"软弱涣散党支部{count(c['weak'], '个')}", _rate(f, "rectification_rate"))
    else:
        weak = "无软弱涣散党支部"
    tiers = c.get("tier_distribution") or {}
    tier = None
    if any(v for k, v in tiers.items() if k != "未定"):
        tier = clauses("等次评定" + "、".join(f"{k}{count(v, '个')}" for k, v in tiers.items() if v and k != "未定"),
                       f"“好”等次占{pct(c['good_share'])}" if c.get("good_share") is not None else None)
    text = _sentences([clauses(lead, five), three, tier, moved, weak])
    return text + (ranking_sentence(f) or "")


WRITERS = {"petitions": petitions_text, "disputes": disputes_text, "grid": grid_text, "branches": branches_text}


@dataclass(frozen=True)
class Paragraph:
    dataset: str
    heading: str  # 一、信访工作
    text: str
    has_data: bool


HEADINGS = {"petitions": "信访工作", "disputes": "矛盾纠纷排查化解", "grid": "网格化管理", "branches": "党支部评星定级"}
ORDINALS = "一二三四五六七八九十"


def paragraph(facts: Facts) -> str:
    if facts.damaged:  # the store's own words up to its English detail: dataset, periods and the repair
        return "本期暂不通报该项：" + facts.damaged.split(" (damaged ")[0]
    if not facts.has_data:
        if facts.dataset == "branches":
            return f"截至{periods.month_label_zh(facts.month)}暂无党支部评星定级结果。"
        return f"本月暂无{SHORT_ZH[facts.dataset]}数据。"
    return WRITERS[facts.dataset](facts)


def paragraphs(facts: dict[str, Facts]) -> list[Paragraph]:
    return [Paragraph(key, f"{ORDINALS[i]}、{HEADINGS[key]}", paragraph(facts[key]), facts[key].has_data)
            for i, key in enumerate(k for k in contract.FACT_DATASETS if k in facts)]


def summary(engine: Engine, region: str, month: str, *, version: int | None = None,
            today: dt.date | None = None) -> list[Paragraph]:
    """文字通报 for a place and a month: one paragraph per dataset. Raises NoDataError."""
    return paragraphs(gather(engine, region, month, version=version, today=today))


def markdown(place_name: str, month: str, paras: list[Paragraph]) -> str:
    """The 通报 as Markdown; the text holds place names from uploads, so it is escaped (issue 10)."""
    body = "\n\n".join(f"**{p.heading}**　{md_escape(p.text)}" for p in paras)
    return f"# {md_escape(place_name)}{periods.month_label_zh(month)}党建引领基层治理工作通报\n\n{body}\n"
