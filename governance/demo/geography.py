"""The demo's places: the hand-made county 清源县 (15 towns, about 300 villages and communities) or a synthetic
province or nation, with names, codes, sizes and 村改居 stages, as the regions table."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from governance.core import contract
from governance.demo import arrays


COUNTY_CODE = "411122000000"
LAGGING_TOWN = "411122202000"  # 马营乡
IMPROVING_TOWN = "411122105000"  # 黄岗镇

# Place values of the parts of a 12-digit code, as a number.
PROVINCE, CITY, COUNTY, TOWN = 10**10, 10**8, 10**6, 10**3

LEVELS = arrays.enum("regions", "level", "province", "city", "county", "town", "village")
KINDS = arrays.enum("regions", "kind", "village", "community")

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



# Mostly 3-character names like 张庄村, some 大王庄村 / 前营村 / 柳树村.
VILLAGE_NAMES = arrays.unique(
    [s + x + "村" for s in SURNAMES for x in VILLAGE_SUFFIXES]
    + [d + s + x + "村" for d in DIRECTIONS for s in SURNAMES[:30] for x in "庄楼营寨屯"]
    + [d + x + "村" for d in DIRECTIONS for x in VILLAGE_SUFFIXES]
    + [n + "村" for n in NATURE]
)
COMMUNITY_NAMES = arrays.unique(s + x for x in ("社区", "路社区", "街社区", "苑社区", "里社区") for s in COMMUNITY_STEMS)
PLACE_STEMS = arrays.unique(a + b for a in PLACE_FIRST for b in PLACE_SECOND if a != b)
# Town stems: 李集, 王店 ... then the general place stems; street stems after them.
TOWN_STEMS = arrays.unique([s + x for s in SURNAMES for x in "集店桥庄寨营岗湖楼河口庙"] + PLACE_STEMS.to_pylist())
STREET_STEM_ARRAY = pa.array(STREET_STEMS)


# ---------------------------------------------------------------- scales

@dataclass(frozen=True)
class Scale:
    name: str
    provinces: tuple[tuple[int, str], ...]
    petitions_per_village_year: float
    disputes_per_village_year: float
    # Per town kind (street, zhen, xiang): inclusive ranges of communities and of villages.
    villages_per_town: tuple[tuple[tuple[int, int], tuple[int, int]], ...]


_LARGE_TOWNS = (((5, 12), (0, 3)), ((1, 3), (11, 18)), ((0, 2), (10, 17)))
SCALE_BY_NAME = {
    # ~300 villages, ~5,000 petitions and ~1,250 disputes a year (the public figures in SPEC).
    "county": Scale(
        "county", ((41, "河南省"),), 15.0, 4.2, (((7, 13), (0, 3)), ((1, 2), (18, 27)), ((0, 2), (16, 24)))
    ),
    # ~50,000 villages, ~3M petitions and ~3M disputes over 36 months (the brief's load targets).
    "province": Scale("province", ((41, "河南省"),), 20.0, 20.0, _LARGE_TOWNS),
    "national": Scale(
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
SCALES = tuple(SCALE_BY_NAME)

# The hand-made county: (kind, name); codes are numbered per kind in this order,
# so 黄岗镇 is 411122105000 (IMPROVING_TOWN) and 马营乡 411122202000 (LAGGING_TOWN).
_COUNTY_TOWNS = (
    (STREET, "城关街道"), (STREET, "东城街道"), (STREET, "西城街道"), (STREET, "新华街道"),
    (ZHEN, "李集镇"), (ZHEN, "孙庄镇"), (ZHEN, "石桥镇"), (ZHEN, "柳河镇"),
    (ZHEN, "黄岗镇"), (ZHEN, "张寨镇"), (ZHEN, "龙泉镇"), (ZHEN, "杨湖镇"),
    (XIANG, "王店乡"), (XIANG, "马营乡"), (XIANG, "高庙乡"),
)


# ---------------------------------------------------------------- geography

@dataclass(frozen=True)
class Level:
    code: np.ndarray  # int64: the 12-digit code as a number
    name: pa.Array
    parent: np.ndarray  # row in the level above; -1 at the top


@dataclass(frozen=True)
class Geography:
    levels: dict[str, Level]  # province, city, county, town, village
    is_community: np.ndarray  # per village
    households: np.ndarray
    population: np.ndarray


def _town_numbers(county: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """The 3 town digits: streets 001.., towns 101.., townships 201.. within each county."""
    return TOWN_NUMBER_BASE[kind] + arrays.rank_within(county, kind)


def county_geography(rng: np.random.Generator, scale: Scale) -> Geography:
    province_code, province_name = scale.provinces[0]
    county_code = int(COUNTY_CODE)
    kind = np.array([k for k, _ in _COUNTY_TOWNS])
    in_county = np.zeros(len(kind), dtype=np.int64)
    levels = {
        "province": Level(np.array([province_code * PROVINCE]), pa.array([province_name]), np.array([-1])),
        "city": Level(np.array([county_code // CITY * CITY]), pa.array(["清河市"]), np.array([0])),
        "county": Level(np.array([county_code]), pa.array(["清源县"]), np.array([0])),
        "town": Level(
            county_code + _town_numbers(in_county, kind) * TOWN,
            pa.array([name for _, name in _COUNTY_TOWNS]),
            in_county,
        ),
    }
    return _with_villages(rng, scale, levels, kind)


def large_geography(rng: np.random.Generator, scale: Scale) -> Geography:
    """Provinces -> ~17 cities -> ~10 counties -> ~19 towns, all drawn at once per level."""
    province = Level(
        np.array([code for code, _ in scale.provinces]) * PROVINCE,
        pa.array([name for _, name in scale.provinces]),
        np.full(len(scale.provinces), -1),
    )
    parent, pos = arrays.expand(rng.integers(15, 19, len(scale.provinces), endpoint=True))
    city = Level(
        province.code[parent] + (pos + 1) * CITY,
        arrays.join(PLACE_STEMS.take(arrays.sibling_picks(rng, parent, pos, len(PLACE_STEMS))), "市"),
        parent,
    )

    # Urban districts (市辖区) take county digits 02.., counties 21.. (统计用区划代码).
    n_counties = rng.integers(7, 13, len(city.code), endpoint=True)
    n_districts = rng.integers(1, 3, len(city.code), endpoint=True)
    parent, pos = arrays.expand(n_counties)
    is_district = pos < n_districts[parent]
    county = Level(
        city.code[parent] + np.where(is_district, 2 + pos, 21 + pos - n_districts[parent]) * COUNTY,
        arrays.join(
            PLACE_STEMS.take(arrays.sibling_picks(rng, parent, pos, len(PLACE_STEMS))),
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
    parent, pos = arrays.expand(n_towns)
    kind = np.where(pos < n_streets[parent], STREET, np.where(pos >= (n_towns - n_xiang)[parent], XIANG, ZHEN))
    # Streets draw from their own stems; 镇 and 乡 share one pool so 李集镇 and 李集乡 never meet.
    street_pick = arrays.sibling_picks(rng, parent, pos, len(STREET_STEM_ARRAY))
    town_pick = arrays.sibling_picks(rng, parent, pos - n_streets[parent], len(TOWN_STEMS))
    stems = pa.concat_arrays([TOWN_STEMS, STREET_STEM_ARRAY])
    stem_row = np.where(kind == STREET, len(TOWN_STEMS) + street_pick, town_pick)
    town = Level(
        county.code[parent] + _town_numbers(parent, kind) * TOWN,
        arrays.join(stems.take(stem_row), TOWN_SUFFIXES.take(kind)),
        parent,
    )
    levels = {"province": province, "city": city, "county": county, "town": town}
    return _with_villages(rng, scale, levels, kind)


def _with_villages(
    rng: np.random.Generator, scale: Scale, levels: dict[str, Level], town_kind: np.ndarray
) -> Geography:
    """Communities (社区, codes 001..) then villages (村, codes 201..) under every town."""
    town = levels["town"]
    ranges = np.array(scale.villages_per_town)[town_kind]  # town x (community, village) x (lo, hi)
    n_comm = rng.integers(ranges[:, 0, 0], ranges[:, 0, 1], endpoint=True)
    n_vill = rng.integers(ranges[:, 1, 0], ranges[:, 1, 1], endpoint=True)
    parent, pos = arrays.expand(n_comm + n_vill)
    is_community = pos < n_comm[parent]
    pos_in_kind = np.where(is_community, pos, pos - n_comm[parent])

    village_pick = arrays.sibling_picks(rng, parent, pos_in_kind, len(VILLAGE_NAMES))
    community_pick = arrays.sibling_picks(rng, parent, pos_in_kind, len(COMMUNITY_NAMES))
    names = pa.concat_arrays([VILLAGE_NAMES, COMMUNITY_NAMES])
    name = names.take(np.where(is_community, len(VILLAGE_NAMES) + community_pick, village_pick))
    code = town.code[parent] + np.where(is_community, 1 + pos_in_kind, 201 + pos_in_kind)

    # Urban communities run larger than villages; both stay within 200-1500 households.
    typical = np.where(is_community, 900.0, 520.0)
    households = np.rint(np.clip(typical * rng.lognormal(0, 0.38, len(code)), 200, 1500)).astype(np.int64)
    population = np.rint(households * rng.normal(2.8, 0.2, len(code))).astype(np.int64)
    levels = {**levels, "village": Level(code, name, parent)}
    return Geography(levels, is_community, households, population)


def _stages(code: np.ndarray, is_village: np.ndarray, is_community: np.ndarray) -> pa.Array:
    """村改居 (SPEC transition_stage): a few villages in preparation or transition, a few communities chartered
    from villages (integration, deep integration); picked by code, not drawn, so every other figure of the demo
    stays as it was."""
    pick = np.full(len(code), -1)
    pick[is_village & (is_community == 0) & (code % 17 == 0)] = 0
    pick[is_village & (is_community == 0) & (code % 17 == 1)] = 1
    pick[is_village & (is_community == 1) & (code % 7 == 0)] = 2
    pick[is_village & (is_community == 1) & (code % 7 == 1)] = 3
    return pa.array([contract.TRANSITION_STAGES[i] if i >= 0 else None for i in pick], pa.string())


def regions_table(geo: Geography) -> pa.Table:
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
            arrays.codes(code),
            pa.concat_arrays([lv.name for lv in levels]),
            LEVELS.take(level),
            pc.if_else(pa.array(parent_code < 0), None, arrays.codes(parent_code)),
            arrays.labels(KINDS, kind, is_village),
            arrays.ints(np.concatenate([households[name] for name in names])),
            arrays.ints(np.concatenate([population[name] for name in names])),
            _stages(code, is_village, kind),
        ],
        schema=arrays.schema("regions"),
    )
    return table.take(np.argsort(code, kind="stable"))
