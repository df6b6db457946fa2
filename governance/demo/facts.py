"""The demo's ledgers over its places: petitions, disputes, grid and branch ratings for 36 months, drawn from a
latent quality per village (see generate.py for the determinism and realism rules they follow)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from governance.core import contract, settings
from governance.demo import arrays, geography


MONTHS = 36
# Two villages of the lagging town have not yet sent in last month's grid ledger: the 报送进度 page
# and the freshness panel have someone to chase (county scale only).
LATE_VILLAGES = 2

CHANNELS = arrays.enum("petitions", "channel", "letter", "visit", "online", "phone")
SATISFACTION = arrays.enum("petitions", "satisfaction", "satisfied", "basic", "unsatisfied")
SATISFIED, BASIC, UNSATISFIED = range(3)
STATUS = arrays.enum("disputes", "status", "resolved", "in_progress", "failed", "referred")
RESOLVED, IN_PROGRESS, FAILED, REFERRED = range(4)
RESOLVED_LEVELS = arrays.enum("disputes", "resolved_level", "grid", "village", "town", "county")
AT_GRID, AT_VILLAGE, AT_TOWN, AT_COUNTY = range(4)
TIERS = arrays.enum("branches", "tier", "差", "一般", "较好", "好")  # worst first, to match TIER_CUTS
TIER_CUTS = (62, 74, 83)
STAR_CUTS = (50, 60, 70, 80, 87)  # score needed for 1..5 stars



# ---------------------------------------------------------------- the world

@dataclass(frozen=True)
class World:
    """Everything the fact datasets share: places, months and how well each village is run."""

    scale: geography.Scale
    geo: geography.Geography
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


def _quality(
    rng: np.random.Generator, scale: geography.Scale, geo: geography.Geography
) -> tuple[np.ndarray, np.ndarray]:
    """Latent quality per village at the first and last month (0 typical, -1.5 poor)."""
    town = geo.levels["town"]
    n_towns = len(town.code)
    if scale.name == "county":
        lagging = town.code == int(geography.LAGGING_TOWN)
        improving = town.code == int(geography.IMPROVING_TOWN)
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


def build_world(scale_name: str, today: dt.date | None, rng: np.random.Generator) -> World:
    if scale_name not in geography.SCALE_BY_NAME:
        raise ValueError(f"unknown scale {scale_name!r}; choose one of {', '.join(geography.SCALES)}")
    scale = geography.SCALE_BY_NAME[scale_name]
    geo = (geography.county_geography if scale_name == "county" else geography.large_geography)(rng, scale)
    start, end = _quality(rng, scale, geo)
    n = len(geo.households)
    # At least three, so even the county demo has branches that never get off the weak list.
    chronic_weak = np.zeros(n, dtype=bool)
    chronic_weak[rng.choice(n, max(3, round(n * 0.005)), replace=False)] = True
    return World(
        scale=scale,
        geo=geo,
        regions=geography.regions_table(geo),
        village_code=arrays.codes(geo.levels["village"].code),
        quality_start=start,
        quality_end=end,
        chronic_weak=chronic_weak,
        month=_months(today or settings.today()),
        extract_day=((today or settings.today()) - dt.date(1970, 1, 1)).days - 1,
    )


def _rows_in_month(
    world: World, rng: np.random.Generator, m: int, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(village row, day number) for counts[v] events in each village, ordered by day so ids run with dates."""
    village = np.repeat(np.arange(len(counts)), counts)
    day = rng.integers(0, world.month_days[m], len(village), dtype=np.int16)
    order = np.argsort(day, kind="stable")
    return village[order], world.month_start[m] + day[order]


def _monthly_counts(world: World, rng: np.random.Generator, yearly: np.ndarray, season: np.ndarray) -> np.ndarray:
    """Poisson events per month x village, with seasonality and a slow 3 %/year decline."""
    cal = world.calendar_month
    return np.stack(
        [rng.poisson(yearly / 12 * season[cal[m]] * (1 - 0.03 * m / 12)).astype(np.int32) for m in range(MONTHS)]
    )


def _id_width(counts: np.ndarray) -> int:
    """Digits of the running number in an id: 4 like XF2024100001, more when a month needs them."""
    return max(4, len(str(int(counts.sum(axis=1).max()))))


# ---------------------------------------------------------------- petitions

PETITION_SEASON = arrays.seasonal([1.25, 1.15, 0.95, 0.95, 1.0, 1.1, 1.2, 1.15, 0.95, 0.7, 0.9, 1.1])
CHANNEL_MIX_START = arrays.normalised([0.22, 0.26, 0.27, 0.25])  # letter, visit, online, phone
CHANNEL_MIX_END = arrays.normalised([0.12, 0.18, 0.50, 0.20])
PETITION_CATEGORIES = pa.array(
    ["征地拆迁", "劳动社保", "涉法涉诉", "城乡建设", "农村农业", "环境保护", "医疗卫生", "教育", "民政", "其他"]
)


def _petition_category_mix() -> np.ndarray:
    """12 x categories: wage arrears before Spring Festival, farming at sowing and harvest, smells in summer."""
    mix = np.tile([12, 14, 10, 14, 13, 8, 6, 6, 9, 8], (12, 1)).astype(float)
    mix[[11, 0], 1] *= 1.8
    mix[[4, 5, 8, 9], 4] *= 1.3
    mix[[5, 6, 7], 5] *= 1.3
    return arrays.normalised(mix)


PETITION_CATEGORY_MIX = _petition_category_mix()


def _petitions(world: World, rng: np.random.Generator) -> pa.Table:
    pop = world.geo.population
    # Poorly run places produce more petitions.
    yearly = (
        world.scale.petitions_per_village_year * pop / pop.mean()
        * rng.lognormal(0, 0.35, len(pop)) * np.exp(-0.25 * world.quality_start)
    )
    counts = _monthly_counts(world, rng, yearly, PETITION_SEASON)
    width = _id_width(counts)
    batches = [_petition_month(world, rng, m, counts[m], width) for m in range(MONTHS)]
    return pa.Table.from_batches(batches, arrays.schema("petitions"))


def _petition_month(world: World, rng: np.random.Generator, m: int, counts: np.ndarray, width: int) -> pa.RecordBatch:
    village, received = _rows_in_month(world, rng, m, counts)
    n = len(village)
    q = world.quality(m)[village]
    t = m / (MONTHS - 1)
    channel = rng.choice(len(CHANNELS), n, p=CHANNEL_MIX_START + (CHANNEL_MIX_END - CHANNEL_MIX_START) * t)
    category = rng.choice(len(PETITION_CATEGORIES), n, p=PETITION_CATEGORY_MIX[world.calendar_month[m]])
    is_repeat = arrays.chance(rng, 0.07, -0.6 * q)
    is_initial = ~is_repeat & (rng.random(n) < 0.9)
    # A few cases stall for good; most close within two or three weeks (a long tail past the 60-day
    # deadline), slower where run poorly.
    stalled = arrays.chance(rng, 0.01, -1.2 * q)
    closed_on = received + np.rint(2 + rng.gamma(1.6, 7 * np.exp(-0.35 * q))).astype(np.int64)
    # Cases keep closing after their month ends, up to the day the ledger was exported.
    closed = ~stalled & (closed_on <= world.extract_day)
    first_time = arrays.chance(rng, 0.95, 0.9 * q - 1.0 * is_repeat)
    rated = closed & (rng.random(n) < 0.75)
    unsatisfied = arrays.chance(rng, 0.04, -0.7 * q + 1.5 * ~first_time)
    satisfaction = np.where(unsatisfied, UNSATISFIED, np.where(rng.random(n) < 0.78, SATISFIED, BASIC))
    return pa.RecordBatch.from_arrays(
        [
            arrays.ids("XF" + world.label(m).replace("-", ""), n, width),
            world.village_code.take(village),
            arrays.dates(received),
            arrays.labels(CHANNELS, channel),
            arrays.labels(PETITION_CATEGORIES, category),
            arrays.bools(is_initial),
            arrays.dates(closed_on, closed),
            arrays.bools(first_time, closed),
            arrays.labels(SATISFACTION, satisfaction, rated),
            arrays.bools(is_repeat),
        ],
        schema=arrays.schema("petitions"),
    )


# ---------------------------------------------------------------- disputes

DISPUTE_SEASON = arrays.seasonal([1.3, 1.25, 1.05, 1.0, 0.95, 1.0, 0.95, 0.9, 0.95, 0.85, 0.9, 1.1])
DISPUTE_CATEGORIES = pa.array(["邻里", "婚姻家庭", "土地山林", "劳资", "物业", "债务", "其他"])
RESOLVE_MEAN_DAYS = np.array([3.0, 7.0, 15.0, 30.0])  # at grid, village, town, county


def _dispute_category_mix() -> np.ndarray:
    """(village, community) x 12 x categories: land in villages, property management in communities."""
    base = np.array([[28, 20, 18, 10, 1, 10, 13], [30, 18, 2, 12, 20, 10, 8]], dtype=float)
    mix = np.repeat(base[:, None, :], 12, axis=1)
    mix[:, [0, 1], 1] *= 1.5  # migrants home for Spring Festival
    mix[:, [11, 0], 3] *= 1.8  # wages owed before the new year
    mix[:, [2, 3, 9, 10], 2] *= 1.5  # sowing and harvest
    return arrays.normalised(mix)


DISPUTE_CATEGORY_MIX = _dispute_category_mix()


def _disputes(world: World, rng: np.random.Generator) -> pa.Table:
    hh = world.geo.households
    yearly = world.scale.disputes_per_village_year * hh / hh.mean() * rng.lognormal(0, 0.3, len(hh))
    counts = _monthly_counts(world, rng, yearly, DISPUTE_SEASON)
    width = _id_width(counts)
    batches = [_dispute_month(world, rng, m, counts[m], width) for m in range(MONTHS)]
    return pa.Table.from_batches(batches, arrays.schema("disputes"))


def _dispute_month(world: World, rng: np.random.Generator, m: int, counts: np.ndarray, width: int) -> pa.RecordBatch:
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
    local = arrays.chance(rng, 0.82, 0.6 * q)
    u = rng.random(n)
    level = np.where(local, np.where(u < 0.55, AT_GRID, AT_VILLAGE), np.where(u < 0.75, AT_TOWN, AT_COUNTY))
    decided_on = found + np.rint(rng.gamma(1.5, RESOLVE_MEAN_DAYS[level] / 1.5)).astype(np.int64)
    settles = arrays.chance(rng, 0.965, 0.8 * q)
    u = rng.random(n)
    otherwise = np.where(u < 0.45, FAILED, np.where(u < 0.85, REFERRED, IN_PROGRESS))
    # Nothing is decided after the data ends: those cases are still in progress.
    decided = decided_on <= world.extract_day
    status = np.where(decided, np.where(settles, RESOLVED, otherwise), IN_PROGRESS)
    resolved = status == RESOLVED
    return pa.RecordBatch.from_arrays(
        [
            arrays.ids("JF" + world.label(m).replace("-", ""), n, width),
            world.village_code.take(village),
            arrays.dates(found),
            arrays.labels(DISPUTE_CATEGORIES, category),
            arrays.labels(STATUS, status),
            arrays.dates(decided_on, resolved),
            arrays.labels(RESOLVED_LEVELS, level, resolved),
        ],
        schema=arrays.schema("disputes"),
    )


# ---------------------------------------------------------------- grid

def _grid(world: World, rng: np.random.Generator) -> pa.Table:
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
                                    == int(geography.LAGGING_TOWN) // 1000)
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
                    arrays.ints(households),
                    arrays.ints(covered),
                    arrays.ints(grids),
                    arrays.ints(grids + np.rint(grids * extra_workers)),
                    arrays.ints(party_orgs),
                    arrays.ints(np.rint(households * centre_share)),
                ],
                schema=arrays.schema("grid"),
            )
        )
        if m == MONTHS - 1 and late.any():
            batches[-1] = batches[-1].filter(pa.array(~late))
    return pa.Table.from_batches(batches, arrays.schema("grid"))


def _grid_count(covered: np.ndarray, per_grid: np.ndarray, off_band: np.ndarray) -> np.ndarray:
    """Grids near each village's own target size, nudged into the contract's band where a whole number allows."""
    low, high = contract.GRID_BAND
    target = np.maximum(1, np.rint(covered / per_grid))
    fitted = np.clip(target, np.ceil(covered / high), np.maximum(1, np.floor(covered / low)))
    return np.where(off_band, target, fitted)


# ---------------------------------------------------------------- branches

def _rating_periods(world: World) -> list[tuple[int, str]]:
    """(month row, YYYY-H1/H2) of each half-year that ends (June, December) inside the window."""
    years = world.month.astype(np.int64) // 12 + 1970
    return [
        (m, f"{years[m]}-H{1 if cal == 5 else 2}")
        for m, cal in enumerate(world.calendar_month)
        if cal in (5, 11)
    ]


def _branches(world: World, rng: np.random.Generator) -> pa.Table:
    village = world.geo.levels["village"]
    n = len(village.code)
    branch_id = arrays.join("DZB", world.village_code)
    branch_name = arrays.join(village.name, "党支部")
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
                    arrays.ints(stars),
                    pa.array(score),
                    arrays.labels(TIERS, np.digitize(score, TIER_CUTS)),
                    arrays.bools(weak),
                    arrays.bools(rectified, weak),
                ],
                schema=arrays.schema("branches"),
            )
        )
    return pa.Table.from_batches(batches, arrays.schema("branches"))


BUILDERS = {"petitions": _petitions, "disputes": _disputes, "grid": _grid, "branches": _branches}
