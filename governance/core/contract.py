"""The data contract of ../shared/SPEC.md, written down once.

Every other part (ingest, the store, the SQL, charts, templates, docs) reads
the datasets, columns, enum spellings and indicators from here; nothing else
re-types a header or an indicator name.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Choice:
    """One allowed value of an enum column: the stored key and how people write it."""

    key: str
    zh: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Column:
    name: str
    zh: str
    type: str  # code | string | date | bool | int | number | enum | month | rating_period | level
    required: bool = False
    choices: tuple[Choice, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    rule_zh: str = ""

    @property
    def arrow_type(self) -> str:
        return {
            "code": "string",
            "string": "string",
            "enum": "string",
            "level": "string",
            "month": "string",
            "rating_period": "string",
            "date": "date32",
            "bool": "bool",
            "int": "int64",
            "number": "float64",
        }[self.type]


@dataclass(frozen=True)
class Indicator:
    key: str
    dataset: str
    zh: str
    en: str
    unit: str  # 件 | % | 户 | 个 | 人 | 天 | 星 | 件/万人
    kind: str  # count | rate | mean | distribution
    higher_is_better: bool | None
    definition_zh: str
    formula_zh: str
    headline: bool = False
    # A rate or mean is numerator / denominator (× scale): the count columns the indicator SQL returns beside
    # it, so its base can be shown, checked for small numbers and rolled up as a sum over a sum anywhere.
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 1
    # SPEC "Reading figures on a given day": a rate that waits on cases to finish is mature for a window only
    # when every case in it is past its deadline on the view date; before that it is shown as 办理期内.
    matures: bool = False

    @property
    def is_rate(self) -> bool:
        return self.kind == "rate"

    @property
    def is_ratio(self) -> bool:
        return self.denominator is not None

    @property
    def base_unit(self) -> str:
        """What the denominator counts, as written beside a rate: 0.0%（2件）, 50.0%（4个）."""
        return {"branches": "个", "weak": "个", "tier_rated": "个", "grids": "个", "households": "户",
                "population": "人"}.get(self.denominator or "", "件")


@dataclass(frozen=True)
class Dataset:
    key: str
    zh: str
    grain_zh: str
    columns: tuple[Column, ...]
    unique: tuple[str, ...]
    # How a row finds its partition: a date column whose month it is, or a
    # column that already holds the period (grid month, rating period).
    period_from: str | None
    indicators: tuple[Indicator, ...] = field(default=())
    # How its figures add up over time:
    #   flow      cases counted by the month they arrived; a month with data and no case here counts 0
    #   stock     one row per place per month; a range reads its latest month
    #   rating    one row per branch per rating period; a range reads the latest period that has ended
    #   reference the region tree itself
    shape: str = "reference"

    @property
    def is_flow(self) -> bool:
        return self.shape == "flow"

    @property
    def is_rating(self) -> bool:
        return self.shape == "rating"

    @property
    def is_stock(self) -> bool:
        return self.shape == "stock"

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def indicator(self, key: str) -> Indicator:
        for ind in self.indicators:
            if ind.key == key:
                return ind
        raise KeyError(key)


YES_NO = "是/否"
DEFAULT_DEADLINE_DAYS = 60
DEFAULT_DISPUTE_DEADLINE_DAYS = 30
TIERS = ("好", "较好", "一般", "差")
# The SQL's column for each tier's count (tier_distribution), and the unrated branches'
TIER_COLUMNS = {"好": "tier_good", "较好": "tier_fair", "一般": "tier_average", "差": "tier_poor", "未定": "tier_unrated"}
GRID_BAND = (200, 350)

LEVELS = (
    Choice("province", "省", ("省级",)),
    Choice("city", "市", ("地级", "市级")),
    Choice("county", "县", ("县级", "区", "县(区)")),
    Choice("town", "乡镇", ("乡镇(街道)", "街道", "镇", "乡")),
    Choice("village", "村", ("村(社区)", "社区", "村级")),
)
# Digits of the 12-digit code that identify a place at each level.
LEVEL_PREFIX = {"province": 2, "city": 4, "county": 6, "town": 9, "village": 12}
CHILD_LEVEL = {"province": "city", "city": "county", "county": "town", "town": "village"}

REGIONS = Dataset(
    key="regions",
    zh="行政区划",
    grain_zh="每个地区一行",
    unique=("region_code",),
    period_from=None,
    columns=(
        Column("region_code", "区划代码", "code", True, rule_zh="12位统计用区划代码，唯一，保留前导零"),
        Column("name", "名称", "string", True),
        Column("level", "层级", "level", False, LEVELS, rule_zh="可由代码推出，须与代码一致"),
        Column("parent_code", "上级区划代码", "code", False, rule_zh="须存在（最高一级除外）"),
        Column(
            "kind",
            "类型",
            "enum",
            False,
            (Choice("village", "村", ("行政村",)), Choice("community", "社区", ("居委会",))),
            rule_zh="仅村级填写",
        ),
        Column("households", "户数", "int", False, minimum=0),
        Column("population", "常住人口", "int", False, minimum=0, rule_zh="用于计算万人比"),
        Column("transition_stage", "村改居阶段", "enum", False, (
            Choice("筹备期", "筹备期", ("筹备",)),
            Choice("过渡期", "过渡期", ("过渡",)),
            Choice("融合期", "融合期", ("融合",)),
            Choice("深度融合期", "深度融合期", ("深度融合",)),
        ), rule_zh="仅村级填写；不在村改居过程中的留空"),
    ),
)
# 村改居 (SPEC regions: transition_stage), in order; places not in transition are "settled" villages or communities.
TRANSITION_STAGES = ("筹备期", "过渡期", "融合期", "深度融合期")

PETITIONS = Dataset(
    key="petitions",
    zh="信访事项",
    grain_zh="每件信访一行",
    unique=("case_id",),
    period_from="received_on",
    columns=(
        Column("case_id", "信访件编号", "string", True, rule_zh="唯一"),
        Column("region_code", "区划代码", "code", True, rule_zh="已知的村(社区)"),
        Column("received_on", "受理日期", "date", True, rule_zh="不得晚于今天"),
        Column(
            "channel",
            "信访形式",
            "enum",
            True,
            (
                Choice("letter", "来信", ("信件",)),
                Choice("visit", "来访", ("走访",)),
                Choice("online", "网上", ("网上信访", "网信")),
                Choice("phone", "电话", ("来电",)),
            ),
        ),
        Column("category", "问题类别", "string", False),
        Column("is_initial", "是否初信初访", "bool", False),
        Column("closed_on", "办结日期", "date", False, rule_zh="不早于受理日期"),
        Column("resolved_first_time", "是否一次性化解", "bool", False, rule_zh="仅办结后有意义"),
        Column(
            "satisfaction",
            "满意度",
            "enum",
            False,
            (
                Choice("satisfied", "满意", ("非常满意",)),
                Choice("basic", "基本满意", ("较满意",)),
                Choice("unsatisfied", "不满意", ()),
            ),
        ),
        Column("is_repeat", "是否重复信访", "bool", False),
    ),
)

DISPUTES = Dataset(
    key="disputes",
    zh="矛盾纠纷",
    grain_zh="每起纠纷一行",
    unique=("dispute_id",),
    period_from="found_on",
    columns=(
        Column("dispute_id", "纠纷编号", "string", True, rule_zh="唯一"),
        Column("region_code", "区划代码", "code", True, rule_zh="已知的村(社区)"),
        Column("found_on", "排查日期", "date", True, rule_zh="不得晚于今天"),
        Column("category", "纠纷类型", "string", False, rule_zh="如 邻里、婚姻家庭、土地山林、劳资、物业、债务、其他"),
        Column(
            "status",
            "化解状态",
            "enum",
            True,
            (
                Choice("resolved", "已化解", ("化解", "已调解")),
                Choice("in_progress", "化解中", ("调解中", "正在化解")),
                Choice("failed", "调解不成", ("未化解", "调解不成功")),
                Choice("referred", "已移交", ("移交",)),
            ),
        ),
        Column("resolved_on", "化解日期", "date", False, rule_zh="已化解时必填；不早于排查日期"),
        Column(
            "resolved_level",
            "化解层级",
            "enum",
            False,
            (
                Choice("grid", "网格", ()),
                Choice("village", "村(社区)", ("村", "社区", "村级")),
                Choice("town", "乡镇(街道)", ("乡镇", "街道", "镇", "乡")),
                Choice("county", "县级及以上", ("县级", "县", "县及以上")),
            ),
            rule_zh="已化解时必填",
        ),
    ),
)

GRID = Dataset(
    key="grid",
    zh="网格化管理",
    grain_zh="每个村(社区)每月一行",
    unique=("region_code", "period"),
    period_from="period",
    columns=(
        Column("region_code", "区划代码", "code", True, rule_zh="已知的村(社区)"),
        Column("period", "统计月份", "month", True, rule_zh="YYYY-MM"),
        Column("households", "常住户数", "int", False, minimum=0),
        Column("households_covered", "纳入网格户数", "int", False, minimum=0, rule_zh="0 ≤ 纳入网格户数 ≤ 常住户数"),
        Column("grids", "网格数", "int", False, minimum=0),
        Column("grid_workers", "网格员数", "int", False, minimum=0),
        Column("grid_party_orgs", "网格党组织数", "int", False, minimum=0, rule_zh="不超过网格数"),
        Column("party_member_households", "党员中心户数", "int", False, minimum=0),
    ),
)

BRANCHES = Dataset(
    key="branches",
    zh="党支部评星定级",
    grain_zh="每个党支部每个评定周期一行",
    unique=("branch_id", "period"),
    period_from="period",
    columns=(
        Column("branch_id", "党组织编号", "string", True, rule_zh="同一周期内唯一"),
        Column("branch_name", "党组织名称", "string", False),
        Column("region_code", "区划代码", "code", True, rule_zh="已知的村(社区)"),
        Column("period", "评定周期", "rating_period", True, rule_zh="YYYY 或 YYYY-H1 / YYYY-H2"),
        Column("stars", "星级", "int", True, minimum=0, maximum=5),
        Column("score", "得分", "number", False, minimum=0, maximum=100),
        Column(
            "tier",
            "等次",
            "enum",
            False,
            (Choice("好", "好"), Choice("较好", "较好"), Choice("一般", "一般"), Choice("差", "差")),
        ),
        Column("weak_lax", "是否软弱涣散", "bool", False),
        Column("rectified", "是否完成整顿", "bool", False, rule_zh="仅软弱涣散时有意义"),
    ),
)


def _i(dataset, key, zh, en, unit, kind, better, definition, formula, headline=False, base=None, scale=1,
       matures=False):
    numerator, denominator = base or (None, None)
    return Indicator(key, dataset, zh, en, unit, kind, better, definition, formula, headline, numerator,
                     denominator, scale, matures)


PETITION_INDICATORS = (
    _i("petitions", "received", "受理量", "Petitions received", "件", "count", None,
       "所选地区、所选月份内受理的信访事项件数（按受理日期归月）。", "受理量 = 信访件数", True),
    _i("petitions", "closed", "办结量", "Petitions closed", "件", "count", True,
       "受理的信访事项中已办结的件数。", "办结量 = 有办结日期的件数"),
    _i("petitions", "closure_rate", "办结率", "Closure rate", "%", "rate", True,
       "已办结件数占受理件数的比例。", "办结率 = 办结量 ÷ 受理量", True, base=("closed", "received"), matures=True),
    _i("petitions", "on_time_rate", "按期办结率", "On-time closure rate", "%", "rate", True,
       "在办理期限（默认60天）内办结的件数，占已办结件数与超期未办结件数之和的比例。",
       "按期办结率 = 期限内办结数 ÷ (办结量 + 超期未办结数)", True, base=("closed_on_time", "due")),
    _i("petitions", "first_attempt_rate", "一次性化解率", "First-attempt resolution rate", "%", "rate", True,
       "已办结件中一次性化解的比例。", "一次性化解率 = 一次性化解数 ÷ 办结量", True, base=("first_attempt", "closed"), matures=True),
    _i("petitions", "satisfaction_rate", "满意率", "Satisfaction rate", "%", "rate", True,
       "作出评价的件（含尚未办结时的评价）中“满意”与“基本满意”的比例。", "满意率 = (满意 + 基本满意) ÷ 参评件数", base=("satisfied", "rated"),
       matures=True),
    _i("petitions", "repeat_rate", "重复信访率", "Repeat petition rate", "%", "rate", False,
       "重复信访件数占受理件数的比例，越低越好。", "重复信访率 = 重复信访数 ÷ 受理量", base=("repeats", "received")),
    _i("petitions", "per_10k", "万人信访量", "Petitions per 10,000 residents", "件/万人", "rate", False,
       "每一万常住人口的信访受理量，越低越好。", "万人信访量 = 受理量 ÷ 常住人口 × 10000", base=("received", "population"), scale=10000),
    _i("petitions", "mean_days_to_close", "平均办理天数", "Mean days to close", "天", "mean", False,
       "已办结件从受理到办结的平均天数。", "平均办理天数 = Σ(办结日期 − 受理日期) ÷ 办结量", base=("days_to_close", "closed"), matures=True),
    _i("petitions", "overdue", "超期未办结", "Open past the deadline", "件", "count", False,
       "到查看日仍未办结、且受理已超过办理期限（默认60天）的件数，目标为0。近期月份的办结率尚在办理期内，"
       "看这一项判断是否拖延。", "超期未办结 = 未办结且 受理日期 + 期限 < 查看日 的件数", True),
)

DISPUTE_INDICATORS = (
    _i("disputes", "found", "排查数", "Disputes found", "件", "count", None,
       "所选月份内排查发现的矛盾纠纷件数（按排查日期归月）。", "排查数 = 纠纷件数", True),
    _i("disputes", "resolved", "化解数", "Disputes resolved", "件", "count", True,
       "排查出的纠纷中状态为“已化解”的件数。", "化解数 = 已化解件数"),
    _i("disputes", "resolution_rate", "化解率", "Resolution rate", "%", "rate", True,
       "已化解件数占排查件数的比例。", "化解率 = 化解数 ÷ 排查数", True, base=("resolved", "found"), matures=True),
    _i("disputes", "local_rate", "就地化解率", "Local resolution rate", "%", "rate", True,
       "在网格或村(社区)一级化解的件数占化解数的比例（小事不出村）。",
       "就地化解率 = (网格化解 + 村级化解) ÷ 化解数", True, base=("resolved_locally", "resolved"), matures=True),
    _i("disputes", "escalation_rate", "上交率", "Escalation rate", "%", "rate", False,
       "在县级及以上化解或移交的件数占排查数的比例（矛盾不上交），越低越好。",
       "上交率 = (县级及以上化解 + 已移交) ÷ 排查数", base=("escalated", "found")),
    _i("disputes", "backlog", "未化解", "Backlog", "件", "count", False,
       "所选月份内排查的纠纷中，到所选最后一个月月底仍未化解的件数。",
       "未化解 = 排查数 − 截至所选最后一个月月底已化解数"),
    _i("disputes", "mean_days_to_resolve", "平均化解天数", "Mean days to resolve", "天", "mean", False,
       "已化解纠纷从排查到化解的平均天数。", "平均化解天数 = Σ(化解日期 − 排查日期) ÷ 化解数", base=("days_to_resolve", "resolved"), matures=True),
    _i("disputes", "overdue", "超期未化解", "Unresolved past the deadline", "件", "count", False,
       "到查看日仍未化解、且排查已超过化解期限（默认30天）的件数，目标为0。",
       "超期未化解 = 未化解且 排查日期 + 期限 < 查看日 的件数", True),
)

GRID_INDICATORS = (
    _i("grid", "households", "常住户数", "Households", "户", "count", None,
       "所选期间最后一个月的常住户数合计。", "常住户数 = Σ各村(社区)常住户数"),
    _i("grid", "households_covered", "纳入网格户数", "Households in a grid", "户", "count", True,
       "所选期间最后一个月纳入网格管理的户数合计。", "纳入网格户数 = Σ各村(社区)纳入网格户数"),
    _i("grid", "grids", "网格数", "Grids", "个", "count", None,
       "所选期间最后一个月的网格数合计。", "网格数 = Σ各村(社区)网格数"),
    _i("grid", "coverage_rate", "网格覆盖率", "Grid coverage", "%", "rate", True,
       "纳入网格户数占常住户数的比例（合计后相除，不是各地比例的平均）。",
       "网格覆盖率 = Σ纳入网格户数 ÷ Σ常住户数", True, base=("households_covered", "households")),
    _i("grid", "households_per_grid", "户/网格", "Households per grid", "户", "mean", None,
       "平均每个网格的户数，宜在200-350户之间。", "户/网格 = Σ纳入网格户数 ÷ Σ网格数", True, base=("households_covered", "grids")),
    _i("grid", "workers_per_grid", "网格员配备", "Grid workers per grid", "人", "mean", True,
       "平均每个网格配备的网格员人数。", "网格员配备 = Σ网格员数 ÷ Σ网格数", base=("grid_workers", "grids")),
    _i("grid", "party_org_coverage", "网格党组织覆盖率", "Party organisation coverage", "%", "rate", True,
       "建有党组织的网格占网格数的比例。", "网格党组织覆盖率 = Σ网格党组织数 ÷ Σ网格数", True, base=("grid_party_orgs", "grids")),
)

BRANCH_INDICATORS = (
    _i("branches", "branches", "党支部数", "Party branches", "个", "count", None,
       "所选期间最近一个评定周期参评的党支部数。", "党支部数 = 参评支部数"),
    _i("branches", "stars_distribution", "星级分布", "Stars distribution", "个", "distribution", None,
       "最近一个评定周期各星级（0-5星）的支部数。", "星级分布 = 各星级支部数"),
    _i("branches", "five_star_share", "五星占比", "Five-star share", "%", "rate", True,
       "五星支部占参评支部的比例。", "五星占比 = 五星支部数 ÷ 党支部数", True, base=("stars_5", "branches")),
    _i("branches", "three_plus_share", "三星及以上占比", "Three stars or more", "%", "rate", True,
       "三星及以上支部占参评支部的比例。", "三星及以上占比 = 三星及以上支部数 ÷ 党支部数", True, base=("three_plus", "branches")),
    _i("branches", "mean_stars", "平均星级", "Mean stars", "星", "mean", True,
       "参评支部的平均星级。", "平均星级 = Σ星级 ÷ 党支部数", base=("stars_sum", "branches")),
    _i("branches", "upgraded", "升星数", "Branches upgraded", "个", "count", True,
       "与本支部上一评定周期相比星级提高的支部数。", "升星数 = 星级高于上一周期的支部数"),
    _i("branches", "downgraded", "降星数", "Branches downgraded", "个", "count", False,
       "与本支部上一评定周期相比星级降低的支部数。", "降星数 = 星级低于上一周期的支部数"),
    _i("branches", "weak", "软弱涣散数", "Weak and lax branches", "个", "count", False,
       "被认定为软弱涣散的党支部数。", "软弱涣散数 = 软弱涣散支部数", True),
    _i("branches", "rectification_rate", "整顿完成率", "Rectification rate", "%", "rate", True,
       "软弱涣散支部中已完成整顿的比例。", "整顿完成率 = 完成整顿数 ÷ 软弱涣散数", base=("rectified", "weak")),
    _i("branches", "tier_distribution", "等次分布", "Tier distribution", "个", "distribution", None,
       "最近一个评定周期各等次（好/较好/一般/差）的支部数，以及未定等次的支部数。", "等次分布 = 各等次支部数"),
    _i("branches", "good_share", "好等次占比", "Share rated 好", "%", "rate", True,
       "评定了等次的支部中“好”等次的比例。", "好等次占比 = “好”等次支部数 ÷ 评定等次支部数", True,
       base=("tier_good", "tier_rated")),
)

PETITIONS = replace(PETITIONS, indicators=PETITION_INDICATORS, shape="flow")
DISPUTES = replace(DISPUTES, indicators=DISPUTE_INDICATORS, shape="flow")
GRID = replace(GRID, indicators=GRID_INDICATORS, shape="stock")
BRANCHES = replace(BRANCHES, indicators=BRANCH_INDICATORS, shape="rating")

DATASETS: dict[str, Dataset] = {d.key: d for d in (REGIONS, PETITIONS, DISPUTES, GRID, BRANCHES)}
FACT_DATASETS: tuple[str, ...] = ("petitions", "disputes", "grid", "branches")
# The fact datasets counted by month (flows and stocks): the month slider runs over their months.
MONTHLY_DATASETS: tuple[str, ...] = tuple(k for k in FACT_DATASETS if not DATASETS[k].is_rating)
INDICATORS: dict[tuple[str, str], Indicator] = {
    (i.dataset, i.key): i for d in DATASETS.values() for i in d.indicators
}

# The period key of the one partition a whole-table dataset (regions) lives in.
WHOLE_TABLE_PERIOD = "all"


def dataset(key: str) -> Dataset:
    try:
        return DATASETS[key]
    except KeyError:
        raise KeyError(f"未知数据集 unknown dataset: {key!r}; 可选 {', '.join(DATASETS)}") from None


def level_of_code(code: str) -> str | None:
    """The level a 12-digit code denotes by its trailing zeros, or None if malformed."""
    if len(code) != 12 or not code.isascii() or not code.isdigit():
        return None
    if code[2:] == "0" * 10:
        return "province"
    if code[4:] == "0" * 8:
        return "city"
    if code[6:] == "0" * 6:
        return "county"
    if code[9:] == "000":
        return "town"
    return "village"


def code_prefix(code: str) -> str:
    """The significant digits of a code: every place under it starts with them."""
    level = level_of_code(code)
    if level is None:
        raise ValueError(f"区划代码须为12位数字 region code must be 12 digits: {code!r}")
    return code[: LEVEL_PREFIX[level]]


def parent_of_code(code: str) -> str | None:
    level = level_of_code(code)
    if level in (None, "province"):
        return None
    order = list(LEVEL_PREFIX)
    parent_len = LEVEL_PREFIX[order[order.index(level) - 1]]
    return code[:parent_len].ljust(12, "0")


# Ledgers often name the place instead of coding it (SPEC "Places given by name").
NAME_COLUMNS = (
    Column("town", "乡镇(街道)", "string", False, rule_zh="乡镇或街道名称，与村(社区)名称一起代替区划代码"),
    Column("village", "村(社区)", "string", False, rule_zh="村或社区名称"),
)
# Other ways offices write the same headers; matched after NFKC and removing spaces and '*'.
HEADER_ALIASES = {
    "town": ("乡镇", "街道", "乡镇街道", "乡镇(街道)名称", "所属乡镇", "镇(街道)"),
    "village": ("村", "社区", "村社区", "村(社区)名称", "村名", "所属村(社区)", "村(居)"),
    "region_code": ("行政区划代码", "统计用区划代码", "区划编码", "村(社区)代码"),
    "case_id": ("信访编号", "信访件号", "编号"),
    "dispute_id": ("纠纷编号", "矛盾纠纷编号"),
    "received_on": ("受理时间", "登记日期"),
    "found_on": ("排查时间", "发现日期"),
    "closed_on": ("办结时间",),
    "resolved_on": ("化解时间",),
    "period": ("月份", "统计期", "评定期间"),
}
TOTAL_LABELS = ("合计", "总计", "小计", "总合计")
