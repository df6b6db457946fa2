"""Synthetic demo data: a fictional county by default, a province or the nation for load tests.

Nothing here is real: 清源县 and its towns and villages are invented (only the
province code and name are real, so the codes look right). Every table follows
the contract exactly, so the demo goes through the same store, SQL and charts
as uploaded data.

Determinism: one seed gives one ``numpy`` generator, split into a child stream
per dataset. A dataset's rows therefore do not depend on which other datasets
were built before it, which lets ``write_demo`` build and commit one dataset at
a time (the national scale is several GB of Arrow data) and still produce
exactly what ``generate`` returns.

Speed and memory: rows are drawn month by month as numpy arrays and turned
into Arrow directly (codes, ids and names through Arrow compute kernels), never
through Python lists of rows or pandas object columns.

Realism: a latent *quality* per village (0 = typical, negative = worse) drives
every rate: petition closure and first-attempt resolution, repeats, dispute
resolution and escalation, grid coverage, branch scores. It drifts up a little
everywhere over the 36 months; ``LAGGING_TOWN`` stays poor throughout and
``IMPROVING_TOWN`` climbs from poor to good. A few branches stay weak (软弱涣散)
in every rating period whatever their town does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from governance.core import contract, settings
from governance.demo import boundaries as demo_boundaries

MONTHS = 36
COUNTY_CODE = "411122000000"
LAGGING_TOWN = "411122202000"  # 马营乡
IMPROVING_TOWN = "411122105000"  # 黄岗镇
# Two villages of the lagging town have not yet sent in last month's grid ledger: the 报送进度 page
# and the freshness panel have someone to chase (county scale only).
LATE_VILLAGES = 2
DATASET_ORDER = ("regions", *contract.FACT_DATASETS)

# Place values of the parts of a 12-digit code, as a number.
PROVINCE, CITY, COUNTY, TOWN = 10**10, 10**8, 10**6, 10**3


# ---------------------------------------------------------------- enums

def _enum(dataset: str, column: str, *keys: str) -> pa.Array:
    """The contract's keys in the order this module indexes them (fails at import if one is misspelt)."""
    allowed = {c.key for c in contract.dataset(dataset).column(column).choices}
    unknown = set(keys) - allowed
    if unknown:
        raise ValueError(f"{dataset}.{column}: not in the contract: {sorted(unknown)}")
    return pa.array(keys)


LEVELS = _enum("regions", "level", "province", "city", "county", "town", "village")
KINDS = _enum("regions", "kind", "village", "community")
CHANNELS = _enum("petitions", "channel", "letter", "visit", "online", "phone")
SATISFACTION = _enum("petitions", "satisfaction", "satisfied", "basic", "unsatisfied")
SATISFIED, BASIC, UNSATISFIED = range(3)
STATUS = _enum("disputes", "status", "resolved", "in_progress", "failed", "referred")
RESOLVED, IN_PROGRESS, FAILED, REFERRED = range(4)
RESOLVED_LEVELS = _enum("disputes", "resolved_level", "grid", "village", "town", "county")
AT_GRID, AT_VILLAGE, AT_TOWN, AT_COUNTY = range(4)
TIERS = _enum("branches", "tier", "差", "一般", "较好", "好")  # worst first, to match TIER_CUTS
TIER_CUTS = (62, 74, 83)
STAR_CUTS = (50, 60, 70, 80, 87)  # score needed for 1..5 stars

# Town kinds, with the town-code numbering and name suffix of each (统计用区划代码:
# 街道 001-099, 镇 100-199, 乡 200-399).
STREET, ZHEN, XIANG = range(3)
TOWN_NUMBER_BASE = np.array([1, 101, 201])
TOWN_SUFFIXES = pa.array(["街道", "镇", "乡"])


# ---------------------------------------------------------------- name pools

SURNAMES = (
    "张王李刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏"
    "卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯"
    "邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
DIRECTIONS = "前后东西南北大小"
VILLAGE_SUFFIXES = "庄楼营寨集屯店湾岗桥坡沟洼园台铺堂河口林寺岭坊圩"
NATURE = (
    "柳树 杏花 桃园 梨园 枣林 槐树 杨树 松林 竹园 荷花 石门 龙泉 凤凰 白果 青龙 黄土 红石 "
    "双井 三里 五里 七里 十里 花园 果园 清水 马鞍 卧龙 金沟 银杏 莲花"
).split()
COMMUNITY_STEMS = (
    "幸福 和平 建设 人民 解放 文化 光明 新华 红旗 胜利 友谊 团结 育才 振兴 健康 朝阳 滨河 "
    "花园 锦绣 春晖 安居 兴业 长青 民主 繁荣 南关 北关 东关 西关 翠竹 金桥 银河 龙湖 桂园 "
    "枫林 书院 府前 站前 中心 新城"
).split()
STREET_STEMS = (
    "城关 东城 西城 南城 北城 新华 人民 解放 建设 文化 中山 和平 向阳 城东 城西 城南 城北 "
    "东关 西关 南关 北关 新城 滨河 龙湖 花园 站前 府前 车站 工业 开发"
).split()
PLACE_FIRST = "清安平阳宁永丰兴华新长泰康乐昌庆福瑞金石龙凤云嵩汝洛淮颍商卫鹤临宜通武固内上西东"
PLACE_SECOND = "源城阳山河川丘陵原州泉溪台冈桥集店庄寨湖沟坡营口关渡堡坪林"


def _unique(names) -> pa.Array:
    return pa.array(list(dict.fromkeys(names)))


# Mostly 3-character names like 张庄村, some 大王庄村 / 前营村 / 柳树村.
VILLAGE_NAMES = _unique(
    [s + x + "村" for s in SURNAMES for x in VILLAGE_SUFFIXES]
    + [d + s + x + "村" for d in DIRECTIONS for s in SURNAMES[:30] for x in "庄楼营寨屯"]
    + [d + x + "村" for d in DIRECTIONS for x in VILLAGE_SUFFIXES]
    + [n + "村" for n in NATURE]
)
COMMUNITY_NAMES = _unique(s + x for x in ("社区", "路社区", "街社区", "苑社区", "里社区") for s in COMMUNITY_STEMS)
PLACE_STEMS = _unique(a + b for a in PLACE_FIRST for b in PLACE_SECOND if a != b)
# Town stems: 李集, 王店 ... then the general place stems; street stems after them.
TOWN_STEMS = _unique([s + x for s in SURNAMES for x in "集店桥庄寨营岗湖楼河口庙"] + PLACE_STEMS.to_pylist())
STREET_STEM_ARRAY = pa.array(STREET_STEMS)


# ---------------------------------------------------------------- scales

@dataclass(frozen=True)
class _Scale:
    name: str
    provinces: tuple[tuple[int, str], ...]
    petitions_per_village_year: float
    disputes_per_village_year: float
    # Per town kind (street, zhen, xiang): inclusive ranges of communities and of villages.
    villages_per_town: tuple[tuple[tuple[int, int], tuple[int, int]], ...]


_LARGE_TOWNS = (((5, 12), (0, 3)), ((1, 3), (11, 18)), ((0, 2), (10, 17)))
_SCALES = {
    # ~300 villages, ~5,000 petitions and ~1,250 disputes a year (the public figures in SPEC).
    "county": _Scale(
        "county", ((41, "河南省"),), 15.0, 4.2, (((7, 13), (0, 3)), ((1, 2), (18, 27)), ((0, 2), (16, 24)))
    ),
    # ~50,000 villages, ~3M petitions and ~3M disputes over 36 months (the brief's load targets).
    "province": _Scale("province", ((41, "河南省"),), 20.0, 20.0, _LARGE_TOWNS),
    "national": _Scale(
        "national",
        (
            (13, "河北省"), (32, "江苏省"), (34, "安徽省"), (36, "江西省"), (37, "山东省"),
            (41, "河南省"), (42, "湖北省"), (43, "湖南省"), (51, "四川省"), (61, "陕西省"),
        ),
        20.0,
        20.0,
        _LARGE_TOWNS,
    ),
}
SCALES = tuple(_SCALES)

# The hand-made county: (kind, name); codes are numbered per kind in this order,
# so 黄岗镇 is 411122105000 (IMPROVING_TOWN) and 马营乡 411122202000 (LAGGING_TOWN).
_COUNTY_TOWNS = (
    (STREET, "城关街道"), (STREET, "东城街道"), (STREET, "西城街道"), (STREET, "新华街道"),
    (ZHEN, "李集镇"), (ZHEN, "孙庄镇"), (ZHEN, "石桥镇"), (ZHEN, "柳河镇"),
    (ZHEN, "黄岗镇"), (ZHEN, "张寨镇"), (ZHEN, "龙泉镇"), (ZHEN, "杨湖镇"),
    (XIANG, "王店乡"), (XIANG, "马营乡"), (XIANG, "高庙乡"),
)


# ---------------------------------------------------------------- small helpers

def _normalised(weights) -> np.ndarray:
    """Weights rescaled to probabilities along the last axis."""
    w = np.asarray(weights, dtype=float)
    return w / w.sum(axis=-1, keepdims=True)


def _seasonal(factors) -> np.ndarray:
    """Month-of-year factors (January first) rescaled to average 1."""
    f = np.asarray(factors, dtype=float)
    return f / f.mean()


def _expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Children of parents with these many children each: (parent row, position among siblings)."""
    parent = np.repeat(np.arange(len(counts)), counts)
    return parent, _rank_within(parent)


def _rank_within(*keys: np.ndarray) -> np.ndarray:
    """0, 1, 2 ... along each run of equal keys (rows must already be grouped by the keys)."""
    n = len(keys[0])
    starts_run = np.zeros(n, dtype=bool)
    starts_run[:1] = True
    for key in keys:
        starts_run[1:] |= key[1:] != key[:-1]
    starts = np.flatnonzero(starts_run)
    return np.arange(n) - starts[np.cumsum(starts_run) - 1]


def _sibling_picks(rng: np.random.Generator, parent: np.ndarray, position: np.ndarray, pool_size: int) -> np.ndarray:
    """Rows of a name pool such that children of one parent never share a name.

    Each parent walks the pool from a random start with a random stride coprime
    to the pool size, so its first pool_size children all land on different names.
    """
    if position.max(initial=0) >= pool_size:
        raise ValueError("name pool too small for the number of siblings")
    candidates = np.arange(max(1, pool_size // 7), pool_size // 2 + 2)
    strides = candidates[np.gcd(candidates, pool_size) == 1]
    n_parents = parent.max(initial=-1) + 1
    start = rng.integers(0, pool_size, n_parents)
    stride = rng.choice(strides, n_parents)
    return (start[parent] + position * stride[parent]) % pool_size


def _join(*parts) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _codes(numbers: np.ndarray) -> pa.Array:
    """12-digit code strings, leading zeros kept."""
    return pc.utf8_lpad(pa.array(numbers).cast(pa.string()), width=12, padding="0")


def _ids(prefix: str, n: int, width: int) -> pa.Array:
    """prefix + a zero-padded running number 1..n."""
    seq = pa.array(np.arange(1, n + 1)).cast(pa.string())
    return _join(prefix, pc.utf8_lpad(seq, width=width, padding="0"))


def _labels(keys: pa.Array, index: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    return keys.take(pa.array(index, mask=None if valid is None else ~valid))


def _dates(days: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Days since 1970-01-01 as date32, null where not valid."""
    return pa.array(days.astype(np.int32), mask=None if valid is None else ~valid).cast(pa.date32())


def _bools(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    return pa.array(values, mask=None if valid is None else ~valid)


def _ints(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype(np.int64))


def _chance(rng: np.random.Generator, base: float, shift: np.ndarray) -> np.ndarray:
    """One draw per row: True with probability ``base`` moved by ``shift`` on the log-odds scale."""
    p = 1 / (1 + np.exp(-(np.log(base / (1 - base)) + shift)))
    return rng.random(len(p)) < p


def _schema(key: str) -> pa.Schema:
    return pa.schema([pa.field(c.name, pa.type_for_alias(c.arrow_type)) for c in contract.dataset(key).columns])


# ---------------------------------------------------------------- geography

@dataclass(frozen=True)
class _Level:
    code: np.ndarray  # int64: the 12-digit code as a number
    name: pa.Array
    parent: np.ndarray  # row in the level above; -1 at the top


@dataclass(frozen=True)
class _Geography:
    levels: dict[str, _Level]  # province, city, county, town, village
    is_community: np.ndarray  # per village
    households: np.ndarray
    population: np.ndarray


def _town_numbers(county: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """The 3 town digits: streets 001.., towns 101.., townships 201.. within each county."""
    return TOWN_NUMBER_BASE[kind] + _rank_within(county, kind)


def _county_geography(rng: np.random.Generator, scale: _Scale) -> _Geography:
    province_code, province_name = scale.provinces[0]
    county_code = int(COUNTY_CODE)
    kind = np.array([k for k, _ in _COUNTY_TOWNS])
    in_county = np.zeros(len(kind), dtype=np.int64)
    levels = {
        "province": _Level(np.array([province_code * PROVINCE]), pa.array([province_name]), np.array([-1])),
        "city": _Level(np.array([county_code // CITY * CITY]), pa.array(["清河市"]), np.array([0])),
        "county": _Level(np.array([county_code]), pa.array(["清源县"]), np.array([0])),
        "town": _Level(
            county_code + _town_numbers(in_county, kind) * TOWN,
            pa.array([name for _, name in _COUNTY_TOWNS]),
            in_county,
        ),
    }
    return _with_villages(rng, scale, levels, kind)


def _large_geography(rng: np.random.Generator, scale: _Scale) -> _Geography:
    """Provinces -> ~17 cities -> ~10 counties -> ~19 towns, all drawn at once per level."""
    province = _Level(
        np.array([code for code, _ in scale.provinces]) * PROVINCE,
        pa.array([name for _, name in scale.provinces]),
        np.full(len(scale.provinces), -1),
    )
    parent, pos = _expand(rng.integers(15, 19, len(scale.provinces), endpoint=True))
    city = _Level(
        province.code[parent] + (pos + 1) * CITY,
        _join(PLACE_STEMS.take(_sibling_picks(rng, parent, pos, len(PLACE_STEMS))), "市"),
        parent,
    )

    # Urban districts (市辖区) take county digits 02.., counties 21.. (统计用区划代码).
    n_counties = rng.integers(7, 13, len(city.code), endpoint=True)
    n_districts = rng.integers(1, 3, len(city.code), endpoint=True)
    parent, pos = _expand(n_counties)
    is_district = pos < n_districts[parent]
    county = _Level(
        city.code[parent] + np.where(is_district, 2 + pos, 21 + pos - n_districts[parent]) * COUNTY,
        _join(
            PLACE_STEMS.take(_sibling_picks(rng, parent, pos, len(PLACE_STEMS))),
            pa.array(["县", "区"]).take(is_district.astype(np.int8)),
        ),
        parent,
    )

    # Districts are mostly streets; counties have a few streets around the county seat.
    n_towns = rng.integers(14, 24, len(county.code), endpoint=True)
    n_streets = np.where(
        is_district,
        rng.integers(5, 10, len(county.code), endpoint=True),
        rng.integers(2, 4, len(county.code), endpoint=True),
    )
    n_xiang = rng.binomial(n_towns - n_streets, 0.25)
    parent, pos = _expand(n_towns)
    kind = np.where(pos < n_streets[parent], STREET, np.where(pos >= (n_towns - n_xiang)[parent], XIANG, ZHEN))
    # Streets draw from their own stems; 镇 and 乡 share one pool so 李集镇 and 李集乡 never meet.
    street_pick = _sibling_picks(rng, parent, pos, len(STREET_STEM_ARRAY))
    town_pick = _sibling_picks(rng, parent, pos - n_streets[parent], len(TOWN_STEMS))
    stems = pa.concat_arrays([TOWN_STEMS, STREET_STEM_ARRAY])
    stem_row = np.where(kind == STREET, len(TOWN_STEMS) + street_pick, town_pick)
    town = _Level(
        county.code[parent] + _town_numbers(parent, kind) * TOWN,
        _join(stems.take(stem_row), TOWN_SUFFIXES.take(kind)),
        parent,
    )
    levels = {"province": province, "city": city, "county": county, "town": town}
    return _with_villages(rng, scale, levels, kind)


def _with_villages(
    rng: np.random.Generator, scale: _Scale, levels: dict[str, _Level], town_kind: np.ndarray
) -> _Geography:
    """Communities (社区, codes 001..) then villages (村, codes 201..) under every town."""
    town = levels["town"]
    ranges = np.array(scale.villages_per_town)[town_kind]  # town x (community, village) x (lo, hi)
    n_comm = rng.integers(ranges[:, 0, 0], ranges[:, 0, 1], endpoint=True)
    n_vill = rng.integers(ranges[:, 1, 0], ranges[:, 1, 1], endpoint=True)
    parent, pos = _expand(n_comm + n_vill)
    is_community = pos < n_comm[parent]
    pos_in_kind = np.where(is_community, pos, pos - n_comm[parent])

    village_pick = _sibling_picks(rng, parent, pos_in_kind, len(VILLAGE_NAMES))
    community_pick = _sibling_picks(rng, parent, pos_in_kind, len(COMMUNITY_NAMES))
    names = pa.concat_arrays([VILLAGE_NAMES, COMMUNITY_NAMES])
    name = names.take(np.where(is_community, len(VILLAGE_NAMES) + community_pick, village_pick))
    code = town.code[parent] + np.where(is_community, 1 + pos_in_kind, 201 + pos_in_kind)

    # Urban communities run larger than villages; both stay within 200-1500 households.
    typical = np.where(is_community, 900.0, 520.0)
    households = np.rint(np.clip(typical * rng.lognormal(0, 0.38, len(code)), 200, 1500)).astype(np.int64)
    population = np.rint(households * rng.normal(2.8, 0.2, len(code))).astype(np.int64)
    levels = {**levels, "village": _Level(code, name, parent)}
    return _Geography(levels, is_community, households, population)


def _regions_table(geo: _Geography) -> pa.Table:
    """One row per place at every level, sorted by code; totals above a village are sums of its villages."""
    names = list(geo.levels)
    households, population = {"village": geo.households}, {"village": geo.population}
    for level, below in reversed(list(zip(names, names[1:]))):
        parent, size = geo.levels[below].parent, len(geo.levels[level].code)
        households[level] = np.bincount(parent, households[below], size).round().astype(np.int64)
        population[level] = np.bincount(parent, population[below], size).round().astype(np.int64)

    levels = list(geo.levels.values())
    code = np.concatenate([lv.code for lv in levels])
    parent_code = np.concatenate(
        [np.full(len(levels[0].code), -1)] + [up.code[lv.parent] for up, lv in zip(levels, levels[1:])]
    )
    level = np.repeat(np.arange(len(levels)), [len(lv.code) for lv in levels])
    is_village = level == len(levels) - 1
    kind = np.zeros(len(code), dtype=np.int8)
    kind[is_village] = geo.is_community
    table = pa.Table.from_arrays(
        [
            _codes(code),
            pa.concat_arrays([lv.name for lv in levels]),
            LEVELS.take(level),
            pc.if_else(pa.array(parent_code < 0), None, _codes(parent_code)),
            _labels(KINDS, kind, is_village),
            _ints(np.concatenate([households[name] for name in names])),
            _ints(np.concatenate([population[name] for name in names])),
        ],
        schema=_schema("regions"),
    )
    return table.take(np.argsort(code, kind="stable"))


# ---------------------------------------------------------------- the world

@dataclass(frozen=True)
class _World:
    """Everything the fact datasets share: places, months and how well each village is run."""

    scale: _Scale
    geo: _Geography
    regions: pa.Table
    village_code: pa.Array
    quality_start: np.ndarray  # per village, at the first month
    quality_end: np.ndarray  # per village, at the last month
    chronic_weak: np.ndarray  # branches weak in every rating period
    month: np.ndarray  # datetime64[M], oldest first
    extract_day: int  # days since 1970: the ledger was exported the day before `today`

    def quality(self, m: int) -> np.ndarray:
        return self.quality_start + (self.quality_end - self.quality_start) * (m / (MONTHS - 1))

    @property
    def month_start(self) -> np.ndarray:
        return self.month.astype("datetime64[D]").astype(np.int64)

    @property
    def month_days(self) -> np.ndarray:
        return (self.month + 1).astype("datetime64[D]").astype(np.int64) - self.month_start

    @property
    def last_day(self) -> int:
        """The last date any row may carry: the end of the last complete month."""
        return int((self.month[-1] + 1).astype("datetime64[D]").astype(np.int64)) - 1

    @property
    def calendar_month(self) -> np.ndarray:
        """0 = January."""
        return self.month.astype(np.int64) % 12

    def label(self, m: int) -> str:
        """YYYY-MM."""
        return str(self.month[m])


def _months(today: dt.date) -> np.ndarray:
    last = np.datetime64(today, "M") - 1
    return last - np.arange(MONTHS - 1, -1, -1)


def _quality(rng: np.random.Generator, scale: _Scale, geo: _Geography) -> tuple[np.ndarray, np.ndarray]:
    """Latent quality per village at the first and last month (0 typical, -1.5 poor)."""
    town = geo.levels["town"]
    n_towns = len(town.code)
    if scale.name == "county":
        lagging = town.code == int(LAGGING_TOWN)
        improving = town.code == int(IMPROVING_TOWN)
    else:
        lagging = rng.random(n_towns) < 0.02
        improving = ~lagging & (rng.random(n_towns) < 0.03)
    typical = rng.normal(0, 0.3, n_towns)
    start = np.where(lagging, -1.5, np.where(improving, -1.2, typical))
    # Everyone improves a little (campaigns, training); the improving town a lot.
    end = np.where(lagging, -1.5, np.where(improving, 0.6, typical + 0.3))
    village = geo.levels["village"]
    local = rng.normal(0, 0.2, len(village.code))
    return start[village.parent] + local, end[village.parent] + local


def _world(scale_name: str, today: dt.date | None, rng: np.random.Generator) -> _World:
    if scale_name not in _SCALES:
        raise ValueError(f"unknown scale {scale_name!r}; choose one of {', '.join(SCALES)}")
    scale = _SCALES[scale_name]
    geo = (_county_geography if scale_name == "county" else _large_geography)(rng, scale)
    start, end = _quality(rng, scale, geo)
    n = len(geo.households)
    # At least three, so even the county demo has branches that never get off the weak list.
    chronic_weak = np.zeros(n, dtype=bool)
    chronic_weak[rng.choice(n, max(3, round(n * 0.005)), replace=False)] = True
    return _World(
        scale=scale,
        geo=geo,
        regions=_regions_table(geo),
        village_code=_codes(geo.levels["village"].code),
        quality_start=start,
        quality_end=end,
        chronic_weak=chronic_weak,
        month=_months(today or settings.today()),
        extract_day=((today or settings.today()) - dt.date(1970, 1, 1)).days - 1,
    )


def _rows_in_month(
    world: _World, rng: np.random.Generator, m: int, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(village row, day number) for counts[v] events in each village, ordered by day so ids run with dates."""
    village = np.repeat(np.arange(len(counts)), counts)
    day = rng.integers(0, world.month_days[m], len(village), dtype=np.int16)
    order = np.argsort(day, kind="stable")
    return village[order], world.month_start[m] + day[order]


def _monthly_counts(world: _World, rng: np.random.Generator, yearly: np.ndarray, season: np.ndarray) -> np.ndarray:
    """Poisson events per month x village, with seasonality and a slow 3 %/year decline."""
    cal = world.calendar_month
    return np.stack(
        [rng.poisson(yearly / 12 * season[cal[m]] * (1 - 0.03 * m / 12)).astype(np.int32) for m in range(MONTHS)]
    )


def _id_width(counts: np.ndarray) -> int:
    """Digits of the running number in an id: 4 like XF2024100001, more when a month needs them."""
    return max(4, len(str(int(counts.sum(axis=1).max()))))


# ---------------------------------------------------------------- petitions

PETITION_SEASON = _seasonal([1.25, 1.15, 0.95, 0.95, 1.0, 1.1, 1.2, 1.15, 0.95, 0.7, 0.9, 1.1])
CHANNEL_MIX_START = _normalised([0.22, 0.26, 0.27, 0.25])  # letter, visit, online, phone
CHANNEL_MIX_END = _normalised([0.12, 0.18, 0.50, 0.20])
PETITION_CATEGORIES = pa.array(
    ["征地拆迁", "劳动社保", "涉法涉诉", "城乡建设", "农村农业", "环境保护", "医疗卫生", "教育", "民政", "其他"]
)


def _petition_category_mix() -> np.ndarray:
    """12 x categories: wage arrears before Spring Festival, farming at sowing and harvest, smells in summer."""
    mix = np.tile([12, 14, 10, 14, 13, 8, 6, 6, 9, 8], (12, 1)).astype(float)
    mix[[11, 0], 1] *= 1.8
    mix[[4, 5, 8, 9], 4] *= 1.3
    mix[[5, 6, 7], 5] *= 1.3
    return _normalised(mix)


PETITION_CATEGORY_MIX = _petition_category_mix()


def _petitions(world: _World, rng: np.random.Generator) -> pa.Table:
    pop = world.geo.population
    # Poorly run places produce more petitions.
    yearly = (
        world.scale.petitions_per_village_year * pop / pop.mean()
        * rng.lognormal(0, 0.35, len(pop)) * np.exp(-0.25 * world.quality_start)
    )
    counts = _monthly_counts(world, rng, yearly, PETITION_SEASON)
    width = _id_width(counts)
    batches = [_petition_month(world, rng, m, counts[m], width) for m in range(MONTHS)]
    return pa.Table.from_batches(batches, _schema("petitions"))


def _petition_month(world: _World, rng: np.random.Generator, m: int, counts: np.ndarray, width: int) -> pa.RecordBatch:
    village, received = _rows_in_month(world, rng, m, counts)
    n = len(village)
    q = world.quality(m)[village]
    t = m / (MONTHS - 1)
    channel = rng.choice(len(CHANNELS), n, p=CHANNEL_MIX_START + (CHANNEL_MIX_END - CHANNEL_MIX_START) * t)
    category = rng.choice(len(PETITION_CATEGORIES), n, p=PETITION_CATEGORY_MIX[world.calendar_month[m]])
    is_repeat = _chance(rng, 0.07, -0.6 * q)
    is_initial = ~is_repeat & (rng.random(n) < 0.9)
    # A few cases stall for good; most close within two or three weeks (a long tail past the 60-day
    # deadline), slower where run poorly.
    stalled = _chance(rng, 0.01, -1.2 * q)
    closed_on = received + np.rint(2 + rng.gamma(1.6, 7 * np.exp(-0.35 * q))).astype(np.int64)
    # Cases keep closing after their month ends, up to the day the ledger was exported.
    closed = ~stalled & (closed_on <= world.extract_day)
    first_time = _chance(rng, 0.95, 0.9 * q - 1.0 * is_repeat)
    rated = closed & (rng.random(n) < 0.75)
    unsatisfied = _chance(rng, 0.04, -0.7 * q + 1.5 * ~first_time)
    satisfaction = np.where(unsatisfied, UNSATISFIED, np.where(rng.random(n) < 0.78, SATISFIED, BASIC))
    return pa.RecordBatch.from_arrays(
        [
            _ids("XF" + world.label(m).replace("-", ""), n, width),
            world.village_code.take(village),
            _dates(received),
            _labels(CHANNELS, channel),
            _labels(PETITION_CATEGORIES, category),
            _bools(is_initial),
            _dates(closed_on, closed),
            _bools(first_time, closed),
            _labels(SATISFACTION, satisfaction, rated),
            _bools(is_repeat),
        ],
        schema=_schema("petitions"),
    )


# ---------------------------------------------------------------- disputes

DISPUTE_SEASON = _seasonal([1.3, 1.25, 1.05, 1.0, 0.95, 1.0, 0.95, 0.9, 0.95, 0.85, 0.9, 1.1])
DISPUTE_CATEGORIES = pa.array(["邻里", "婚姻家庭", "土地山林", "劳资", "物业", "债务", "其他"])
RESOLVE_MEAN_DAYS = np.array([3.0, 7.0, 15.0, 30.0])  # at grid, village, town, county


def _dispute_category_mix() -> np.ndarray:
    """(village, community) x 12 x categories: land in villages, property management in communities."""
    base = np.array([[28, 20, 18, 10, 1, 10, 13], [30, 18, 2, 12, 20, 10, 8]], dtype=float)
    mix = np.repeat(base[:, None, :], 12, axis=1)
    mix[:, [0, 1], 1] *= 1.5  # migrants home for Spring Festival
    mix[:, [11, 0], 3] *= 1.8  # wages owed before the new year
    mix[:, [2, 3, 9, 10], 2] *= 1.5  # sowing and harvest
    return _normalised(mix)


DISPUTE_CATEGORY_MIX = _dispute_category_mix()


def _disputes(world: _World, rng: np.random.Generator) -> pa.Table:
    hh = world.geo.households
    yearly = world.scale.disputes_per_village_year * hh / hh.mean() * rng.lognormal(0, 0.3, len(hh))
    counts = _monthly_counts(world, rng, yearly, DISPUTE_SEASON)
    width = _id_width(counts)
    batches = [_dispute_month(world, rng, m, counts[m], width) for m in range(MONTHS)]
    return pa.Table.from_batches(batches, _schema("disputes"))


def _dispute_month(world: _World, rng: np.random.Generator, m: int, counts: np.ndarray, width: int) -> pa.RecordBatch:
    village, found = _rows_in_month(world, rng, m, counts)
    n = len(village)
    q = world.quality(m)[village]
    community = world.geo.is_community[village]
    category = np.empty(n, dtype=np.int64)
    for kind in (False, True):
        rows = community == kind
        mix = DISPUTE_CATEGORY_MIX[int(kind), world.calendar_month[m]]
        category[rows] = rng.choice(len(DISPUTE_CATEGORIES), rows.sum(), p=mix)

    # Where it gets settled: mostly in the grid or village (小事不出村); poorly run places pass more up.
    local = _chance(rng, 0.82, 0.6 * q)
    u = rng.random(n)
    level = np.where(local, np.where(u < 0.55, AT_GRID, AT_VILLAGE), np.where(u < 0.75, AT_TOWN, AT_COUNTY))
    decided_on = found + np.rint(rng.gamma(1.5, RESOLVE_MEAN_DAYS[level] / 1.5)).astype(np.int64)
    settles = _chance(rng, 0.965, 0.8 * q)
    u = rng.random(n)
    otherwise = np.where(u < 0.45, FAILED, np.where(u < 0.85, REFERRED, IN_PROGRESS))
    # Nothing is decided after the data ends: those cases are still in progress.
    decided = decided_on <= world.extract_day
    status = np.where(decided, np.where(settles, RESOLVED, otherwise), IN_PROGRESS)
    resolved = status == RESOLVED
    return pa.RecordBatch.from_arrays(
        [
            _ids("JF" + world.label(m).replace("-", ""), n, width),
            world.village_code.take(village),
            _dates(found),
            _labels(DISPUTE_CATEGORIES, category),
            _labels(STATUS, status),
            _dates(decided_on, resolved),
            _labels(RESOLVED_LEVELS, level, resolved),
        ],
        schema=_schema("disputes"),
    )


# ---------------------------------------------------------------- grid

def _grid(world: _World, rng: np.random.Generator) -> pa.Table:
    """One row per village per month; households grow slowly up to the regions' figure at the last month."""
    households_now = world.geo.households
    n = len(households_now)
    growth = rng.uniform(0.003, 0.015, n)
    # Villages aim for grids of 220-330 households; a few deliberately cut them outside the band.
    u = rng.random(n)
    off_band = u < 0.05
    per_grid = np.where(
        u < 0.03, rng.uniform(140, 195, n), np.where(off_band, rng.uniform(360, 480, n), rng.uniform(220, 330, n))
    )
    coverage_base = rng.normal(0.978, 0.012, n)
    extra_workers = rng.uniform(0.0, 0.3, n)
    party_org_base = rng.uniform(0.80, 0.98, n)
    party_org_offset = rng.random(n)  # fixed per village, so the count does not flicker month to month
    centre_share = rng.uniform(0.02, 0.05, n)

    late = np.zeros(n, dtype=bool)
    if world.scale.name == "county":
        in_lagging = np.flatnonzero(np.asarray(world.village_code.to_pylist()).astype(np.int64) // 1000
                                    == int(LAGGING_TOWN) // 1000)
        late[in_lagging[-LATE_VILLAGES:]] = True
    batches = []
    for m in range(MONTHS):
        q = world.quality(m)
        t = m / (MONTHS - 1)
        households = np.rint(households_now * (1 + growth) ** ((m - MONTHS + 1) / 12))
        covered = np.floor(households * np.clip(coverage_base + 0.02 * q, 0.9, 1.0))
        grids = _grid_count(covered, per_grid, off_band)
        party_share = np.clip(party_org_base + 0.04 * q + 0.04 * t, 0.6, 1.0)
        party_orgs = np.minimum(grids, np.floor(grids * party_share + party_org_offset))
        batches.append(
            pa.RecordBatch.from_arrays(
                [
                    world.village_code,
                    pa.repeat(world.label(m), n),
                    _ints(households),
                    _ints(covered),
                    _ints(grids),
                    _ints(grids + np.rint(grids * extra_workers)),
                    _ints(party_orgs),
                    _ints(np.rint(households * centre_share)),
                ],
                schema=_schema("grid"),
            )
        )
        if m == MONTHS - 1 and late.any():
            batches[-1] = batches[-1].filter(pa.array(~late))
    return pa.Table.from_batches(batches, _schema("grid"))


def _grid_count(covered: np.ndarray, per_grid: np.ndarray, off_band: np.ndarray) -> np.ndarray:
    """Grids near each village's own target size, nudged into the contract's band where a whole number allows."""
    low, high = contract.GRID_BAND
    target = np.maximum(1, np.rint(covered / per_grid))
    fitted = np.clip(target, np.ceil(covered / high), np.maximum(1, np.floor(covered / low)))
    return np.where(off_band, target, fitted)


# ---------------------------------------------------------------- branches

def _rating_periods(world: _World) -> list[tuple[int, str]]:
    """(month row, YYYY-H1/H2) of each half-year that ends (June, December) inside the window."""
    years = world.month.astype(np.int64) // 12 + 1970
    return [
        (m, f"{years[m]}-H{1 if cal == 5 else 2}")
        for m, cal in enumerate(world.calendar_month)
        if cal in (5, 11)
    ]


def _branches(world: _World, rng: np.random.Generator) -> pa.Table:
    village = world.geo.levels["village"]
    n = len(village.code)
    branch_id = _join("DZB", world.village_code)
    branch_name = _join(village.name, "党支部")
    own_effect = rng.normal(0, 5, n)  # secretary, history: stable from period to period
    periods = _rating_periods(world)
    batches = []
    for i, (m, label) in enumerate(periods):
        score = 76 + 7 * world.quality(m) + own_effect + rng.normal(0, 3, n)
        score = np.where(world.chronic_weak, rng.uniform(46, 58, n), score)
        score = np.round(np.clip(score, 30, 99.5), 1)
        # Low scorers are usually named weak (软弱涣散); now and then a middling one for other reasons.
        weak_chance = np.select([score < 60, score < 66], [0.85, 0.25], 0.003)
        weak = world.chronic_weak | (rng.random(n) < weak_chance)
        # The committee's stars follow the score loosely; a weak branch gets at most two.
        stars = np.digitize(score + rng.normal(0, 1.5, n), STAR_CUTS)
        stars = np.where(weak, np.minimum(stars, 2), stars)
        # Rectification takes a while: older findings are mostly closed, the latest mostly open.
        age = len(periods) - 1 - i
        rectified = rng.random(n) < np.where(world.chronic_weak, 0.15, (0.35, 0.7, 0.9)[min(age, 2)])
        batches.append(
            pa.RecordBatch.from_arrays(
                [
                    branch_id,
                    branch_name,
                    world.village_code,
                    pa.repeat(label, n),
                    _ints(stars),
                    pa.array(score),
                    _labels(TIERS, np.digitize(score, TIER_CUTS)),
                    _bools(weak),
                    _bools(rectified, weak),
                ],
                schema=_schema("branches"),
            )
        )
    return pa.Table.from_batches(batches, _schema("branches"))


# ---------------------------------------------------------------- public API

_BUILDERS = {"petitions": _petitions, "disputes": _disputes, "grid": _grid, "branches": _branches}


def _setup(scale: str, today: dt.date | None, seed: int) -> tuple[_World, dict[str, np.random.Generator]]:
    streams = dict(zip(DATASET_ORDER, np.random.default_rng(seed).spawn(len(DATASET_ORDER))))
    return _world(scale, today, streams["regions"]), streams


def generate(scale: str = "county", today: dt.date | None = None, seed: int = 42) -> dict[str, pa.Table]:
    """Every dataset for the 36 complete months before ``today``'s month, keyed by dataset."""
    world, streams = _setup(scale, today, seed)
    return {"regions": world.regions, **{key: build(world, streams[key]) for key, build in _BUILDERS.items()}}


def write_demo(store, scale: str = "county", today: dt.date | None = None, seed: int = 42) -> dict[str, int]:
    """Commit regions, then each fact dataset in one commit; returns rows per dataset.

    Datasets are built one at a time and dropped after their commit, so the
    national scale never holds more than one fact table.
    """
    world, streams = _setup(scale, today, seed)
    rows = {"regions": _commit(store, "regions", world.regions, scale)}
    for key, build in _BUILDERS.items():
        rows[key] = _commit(store, key, build(world, streams[key]), scale)
    demo_boundaries.write_demo(store, world.regions, scale)  # the map's shapes, beside the tables
    return rows


def _commit(store, key: str, table: pa.Table, scale: str) -> int:
    # the demo replaces every place it covers: scope everywhere, not a list of thousands of towns
    store.commit(key, table, source=f"demo-{scale}", who="demo", action="demo", scope=["all"])
    return table.num_rows
