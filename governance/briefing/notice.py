"""通报: the briefing's written notice in the form offices send it, from the pack's figures.

Its content comes from what the pack already read, so the notice, the deck and the dashboard never
disagree: the KPI cards (metrics/cards, on metrics/indicators' headline figures), the 预警 list
(metrics/attention.needs_attention, which already leaves out immature figures and rates over too few
cases: SPEC "Reading figures on a given day") and the weak branches of the rating shown.

Sections: title with the issuing office and 期号, 一、总体情况, 二、主要指标 (by dataset), 三、存在问题,
四、下一步工作建议 (one line per problem, from templates in data/briefing.toml), and a closing line
with the view date, the data's date, the store version and when it was made (Beijing time).

Everything here is plain text with names as uploaded; each format escapes them where it renders
(Markdown here, HTML in pdf.py; Word runs are plain text).
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from governance.briefing import summary
from governance.core import contract, settings
from governance.core.settings import PROJECT_ROOT
from governance.core.text import md_escape
from governance.metrics import attention

SETTINGS_FILE = PROJECT_ROOT / "data" / "briefing.toml"
SECTIONS = ("一、总体情况", "二、主要指标", "三、存在问题", "四、下一步工作建议")
INDICATOR_HEADER = ["指标", "本月", "环比（上期）", "目标", "状态"]
ACTION = {"petitions": "办结", "disputes": "化解"}
NO_PROBLEMS = "本期纳入评价的指标均达到目标，未发现超期未办结、未化解事项和未完成整顿的软弱涣散党支部。"
NO_PROBLEM_ADVICE = "继续保持，按月跟踪各项指标。"
NAMED_AT_MOST = 6  # places named in one problem before "等N个"
DEFAULTS = {
    "notice": {"office": "{place}党建引领基层治理工作领导小组办公室", "title": "{place}党建引领基层治理工作通报",
               "issue_prefix": ""},
    "suggestions": {
        "below_target": "督促{places}对照{target}的目标，分析{dataset}{indicator}偏低的原因，制定整改措施，下月通报整改情况。",
        "worsening": "请{places}查找{dataset}{indicator}连续下降的原因，明确分管领导跟踪，扭转下滑势头。",
        "overdue": "对超过{days}天期限仍未{action}的{count}件逐件明确责任人和办结时限，{places}限期清零。",
        "weak_unrectified": "对{places}尚未完成整顿的{count}个软弱涣散党支部，落实领导联系点，限期整顿到位。",
        "below_target_by_indicator": {},
    },
}


@dataclass(frozen=True)
class Problem:
    kind: str  # below_target / worsening / overdue / weak_unrectified
    dataset: str
    indicator: str | None  # the indicator's key (None for weak branches)
    places: tuple[str, ...]  # named places (as uploaded)
    text: str  # the 存在问题 line
    suggestion: str  # its 下一步工作建议 line


@dataclass(frozen=True)
class Section:
    """二、主要指标 for one dataset: the summary paragraph and the indicator table."""

    dataset: str
    heading: str  # （一）信访工作
    text: str
    rows: list[list[str]]  # INDICATOR_HEADER


@dataclass(frozen=True)
class Notice:
    office: str
    title: str
    issue: str  # 2026年第11期
    date: str  # the day it was made, as a notice dates itself: 2026年12月1日
    overall: str
    sections: list[Section]
    problems: list[Problem]
    footnote: str  # view date, data date, version, 生成于 (Beijing time)

    @property
    def no_problems(self) -> str:
        return NO_PROBLEMS


# ---- settings -------------------------------------------------------------------------------------

def settings_path() -> Path:
    """data/briefing.toml, or GOVERNANCE_BRIEFING (another file, e.g. per office)."""
    return Path(os.environ.get("GOVERNANCE_BRIEFING") or SETTINGS_FILE)


def load_settings() -> dict:
    """The file's settings over the defaults; a missing or broken file falls back to the defaults (a typo
    an analyst saved must not stop the month's notice)."""
    try:
        with open(settings_path(), "rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError):
        data = {}
    out = {k: dict(v) for k, v in DEFAULTS.items()}
    for section in out:
        if isinstance(data.get(section), dict):
            out[section].update(data[section])
    return out


class _Slots(dict):
    def __missing__(self, key):  # an unknown placeholder stays as the analyst wrote it
        return "{" + key + "}"


def fill(template: str, fallback: str, **values) -> str:
    """The template with its placeholders filled; the fallback when the template is malformed."""
    for text in (template, fallback):
        try:
            return str(text).format_map(_Slots(values))
        except (ValueError, IndexError, AttributeError, TypeError):
            continue
    return fallback


def issue_number(month: str, prefix: str = "") -> str:
    """期号: one issue a month, numbered by the month the figures are for (2026-11 -> 2026年第11期)."""
    return f"{prefix}{int(month[:4])}年第{int(month[5:])}期"


def day_text(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


# ---- the content ----------------------------------------------------------------------------------

def compose(pack) -> Notice:
    """The notice of a built pack (briefing.pack.Pack)."""
    conf = load_settings()
    place = pack.place
    problems = find_problems(pack, conf["suggestions"])
    return Notice(
        office=fill(conf["notice"]["office"], DEFAULTS["notice"]["office"], place=place.name),
        title=fill(conf["notice"]["title"], DEFAULTS["notice"]["title"], place=place.name),
        issue=issue_number(pack.month, str(conf["notice"].get("issue_prefix") or "")),
        date=day_text(pack.generated.date()),
        overall=overall(pack, len(problems)),
        sections=sections(pack),
        problems=problems,
        footnote=footnote(pack),
    )


def footnote(pack) -> str:
    parts = [f"本通报数据读取日为{day_text(pack.view_date)}"]
    if pack.as_of:
        parts.append(f"数据截至{day_text(pack.as_of)}")
    parts.append(f"数据版本v{pack.version}")
    parts.append(f"生成于{day_text(pack.generated.date())} {pack.generated:%H:%M}（北京时间）")
    return "，".join(parts) + "。"


LEAD = {"received": "受理信访事项", "found": "排查矛盾纠纷"}
RATE_SUBJECT = {"branches": "党支部"}


def _card(pack, dataset: str, key: str):
    return next((k for k in pack.kpis if k.dataset == dataset and k.indicator.key == key), None)


def _card_clause(card, subject: str = "") -> str | None:
    if card is None or card.value is None:
        return None
    text = f"{subject}{LEAD.get(card.indicator.key, card.indicator.zh)}{card.value_text()}"
    if card.note and card.note[0] in ("办理期内", "预评"):
        text += f"（{card.note[0]}）"
    return text


def overall(pack, n_problems: int) -> str:
    """总体情况: the month's volume and main rate per dataset, how many indicators met their targets,
    and how many problems follow."""
    clauses = []
    for key in contract.FACT_DATASETS:
        f = pack.facts.get(key)
        if f is None or not f.has_data:
            continue
        count = next((i for i in contract.dataset(key).indicators
                      if i.headline and i.kind == "count" and i.key in LEAD), None)
        parts = [_card_clause(_card(pack, key, count.key)) if count else None,
                 _card_clause(_card(pack, key, summary.main_rate(key).key), RATE_SUBJECT.get(key, ""))]
        parts = [p for p in parts if p]
        if parts:
            clauses.append("，".join(parts))
    lead = f"{pack.month_label}，{pack.place.whole}"
    text = lead + ("；".join(clauses) if clauses else "各项数据暂缺") + "。"
    rated = [k for k in pack.kpis if k.target_text and k.value is not None]
    by = {s: sum(1 for k in rated if k.status == s) for s in ("green", "amber", "red")}
    waiting = sum(1 for k in rated if k.status is None)
    text += (f"有目标值的{len(rated)}项主要指标中，达标{by['green']}项、接近目标{by['amber']}项、"
             f"未达标{by['red']}项")
    text += f"，{waiting}项因办理期内或样本较少暂不评价。" if waiting else "。"
    text += f"梳理存在问题{n_problems}项，提出下一步工作建议如下。" if n_problems else "本期未发现需要通报的问题。"
    return text


def indicator_rows(cards) -> list[list[str]]:
    return [[k.indicator.zh, k.value_text(), k.delta_text() or "—", k.target_text or "—", k.status_word()]
            for k in cards]


def sections(pack) -> list[Section]:
    out = []
    for i, para in enumerate(pack.paragraphs):
        cards = [k for k in pack.kpis if k.dataset == para.dataset]
        heading = f"（{summary.ORDINALS[i]}）{summary.HEADINGS[para.dataset]}"
        out.append(Section(para.dataset, heading, para.text,
                           indicator_rows(cards) if pack.facts[para.dataset].has_data else []))
    return out


def _named(names: list[str], term: str) -> str:
    if len(names) > NAMED_AT_MOST:
        return "、".join(names[:NAMED_AT_MOST]) + f"等{len(names)}个{term}"
    return "、".join(names)


def find_problems(pack, templates: dict) -> list[Problem]:
    """存在问题, in the order a leader reads them: below target, overdue, worsening, weak branches.

    Places and indicators come from the 预警 list as it is (attention.needs_attention): an immature figure or a
    rate over too few cases is never on it, so it is never a problem here either. The place as a whole adds
    its own red cards (cards leave those figures uncoloured for the same reasons).
    """
    f = _Finder(pack, templates)
    return [*f.below_target(), *f.overdue(), *f.worsening(), *f.weak_unrectified()]


class _Finder:
    def __init__(self, pack, templates: dict):
        self.pack, self.place, self.templates = pack, pack.place, templates
        self.term = summary.CHILD_TERM.get(self.place.level, "下级地区")
        frame = pack.attention_frame if pack.attention_frame is not None else pd.DataFrame()
        self.listed = {} if frame.empty else {
            key: rows for key, rows in frame.groupby(["dataset", "indicator", "reason"], sort=False)}

    def suggestion(self, kind: str, by_indicator: str | None = None, **values) -> str:
        template = self.templates.get(kind, DEFAULTS["suggestions"][kind])
        own = self.templates.get("below_target_by_indicator") or {}
        if by_indicator in own:
            template = own[by_indicator]
        return fill(template, DEFAULTS["suggestions"][kind], month=self.pack.month_label, **values)

    def named(self, names: list[str]) -> str:
        return _named(names, self.term) if names else self.place.whole

    def below_target(self):
        """Red figures of the place and of the places below it; not the overdue counts (their own line) nor
        the weak-branch count (weak_unrectified says which are still open)."""
        for ds in contract.FACT_DATASETS:
            ds_zh = contract.dataset(ds).zh
            for ind in contract.dataset(ds).indicators:
                if ind.key in ("overdue", "weak"):
                    continue
                card = _card(self.pack, ds, ind.key)
                whole_red = card is not None and card.status == "red"
                rows = self.listed.get((ds, ind.key, "red"))
                if not whole_red and rows is None:
                    continue
                parts, names = [], []
                if whole_red:
                    parts.append(f"{self.place.whole}{ind.zh}{card.value_text()}，未达到{card.target_text}的目标")
                if rows is not None:
                    names = [str(n) for n in rows["place_name"]]
                    values = [f"{r.place_name}（{_value(r.value, ind)}）" for r in rows.itertuples()]
                    parts.append(f"{_named(values, self.term)}{ind.zh}未达到{rows['target'].iloc[0]}的目标")
                target = str(rows["target"].iloc[0]) if rows is not None else card.target_text
                yield Problem("below_target", ds, ind.key, tuple(names or [self.place.name]),
                              f"{ds_zh}：" + "；".join(parts) + "。",
                              self.suggestion("below_target", f"{ds}.{ind.key}", places=self.named(names),
                                              indicator=ind.zh, dataset=ds_zh, target=target))

    def overdue(self):
        """Cases open past their deadline: the place's total, the places holding them named."""
        for ds in ("petitions", "disputes"):
            card = _card(self.pack, ds, "overdue")
            if card is None or not card.value:
                continue
            rows = self.listed.get((ds, "overdue", "red"))
            names = [] if rows is None else [str(n) for n in rows["place_name"]]
            counts = [] if rows is None else [f"{r.place_name}{int(r.value)}件" for r in rows.itertuples()]
            days, total = settings.deadline_for(ds), int(card.value)
            text = f"{contract.dataset(ds).zh}：{self.place.whole}超过{days}天期限仍未{ACTION[ds]}{total}件"
            text += f"，其中{_named(counts, self.term)}。" if counts else "。"
            yield Problem("overdue", ds, "overdue", tuple(names or [self.place.name]), text,
                          self.suggestion("overdue", places=self.named(names), indicator=card.indicator.zh,
                                          dataset=contract.dataset(ds).zh, count=total, days=days,
                                          action=ACTION[ds], target="0件"))

    def worsening(self):
        for (ds, key, reason), rows in self.listed.items():
            if reason != "worsening":
                continue
            ind, ds_zh = contract.dataset(ds).indicator(key), contract.dataset(ds).zh
            steps = [f"{r.place_name}（{_value(r.from_value, ind)}→{_value(r.value, ind)}）" for r in rows.itertuples()]
            names = [str(n) for n in rows["place_name"]]
            yield Problem("worsening", ds, key, tuple(names),
                          f"{ds_zh}：{_named(steps, self.term)}{ind.zh}连续{attention.RUN}个月变差。",
                          self.suggestion("worsening", places=self.named(names), indicator=ind.zh, dataset=ds_zh,
                                          target=str(rows["target"].iloc[0])))

    def weak_unrectified(self):
        """Weak and lax branches of the rating shown that are not yet rectified, by name."""
        weak = self.pack.weak_branches
        if weak is None or weak.empty:
            return
        still = weak[weak["weak_lax"].astype(bool) & ~weak["rectified"].fillna(False).astype(bool)]
        if still.empty:
            return
        branches = [_branch_place(r) for r in still.itertuples()]
        places = list(dict.fromkeys(_place_of(r) for r in still.itertuples()))
        period = self.pack.facts["branches"].period_label if "branches" in self.pack.facts else ""
        yield Problem("weak_unrectified", "branches", None, tuple(places),
                      f"党支部评星定级：{period}软弱涣散党支部中尚未完成整顿{len(still)}个：{_named(branches, '党支部')}。",
                      self.suggestion("weak_unrectified", places=self.named(places), count=len(still),
                                      dataset="党支部评星定级", indicator="整顿完成率", target=""))


def _value(v, ind) -> str:
    return summary.fmt(v, ind) if v is not None and v == v else "—"


def _place_of(r) -> str:
    return str(r.town_name) if isinstance(r.town_name, str) and r.town_name else str(r.village_name or "")


def _branch_place(r) -> str:
    """A branch with its town and village, each once: 杨湖镇谭坡村党支部, not 杨湖镇谭坡村谭坡村党支部."""
    name = str(r.branch_name)
    for part in (r.village_name, r.town_name):
        if isinstance(part, str) and part and not name.startswith(part):
            name = part + name
    return name


# ---- Markdown -------------------------------------------------------------------------------------

def markdown(n: Notice) -> str:
    """The notice as Markdown; every text carrying uploaded names is escaped (issue 10)."""
    e = md_escape
    lines = [f"# {e(n.title)}", "", f"**{e(n.issue)}**", "", f"{e(n.office)}　　{e(n.date)}", "", "---", "",
             f"## {SECTIONS[0]}", "", e(n.overall), "", f"## {SECTIONS[1]}", ""]
    for s in n.sections:
        lines += [f"### {s.heading}", "", e(s.text), ""]
        if s.rows:
            lines += _md_table(INDICATOR_HEADER, s.rows) + [""]
    lines += [f"## {SECTIONS[2]}", ""]
    lines += [f"{i}. {e(p.text)}" for i, p in enumerate(n.problems, 1)] or [e(n.no_problems)]
    lines += ["", f"## {SECTIONS[3]}", ""]
    lines += [f"{i}. {e(p.suggestion)}" for i, p in enumerate(n.problems, 1)] or [NO_PROBLEM_ADVICE]
    lines += ["", f"*{e(n.footnote)}*", ""]
    return "\n".join(lines)


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + [
        "| " + " | ".join(md_escape(v) for v in row) + " |" for row in rows]
