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

import numpy as np
import pyarrow as pa

from governance.core import contract
from governance.demo import boundaries as demo_boundaries
from governance.demo import facts
from governance.demo.facts import LATE_VILLAGES, MONTHS  # noqa: F401  (tests and tools name them here)
from governance.demo.geography import COUNTY_CODE, IMPROVING_TOWN, LAGGING_TOWN, SCALES  # noqa: F401

DATASET_ORDER = ("regions", *contract.FACT_DATASETS)


def _setup(scale: str, today: dt.date | None, seed: int) -> tuple[facts.World, dict[str, np.random.Generator]]:
    streams = dict(zip(DATASET_ORDER, np.random.default_rng(seed).spawn(len(DATASET_ORDER))))
    return facts.build_world(scale, today, streams["regions"]), streams


def generate(scale: str = "county", today: dt.date | None = None, seed: int = 42) -> dict[str, pa.Table]:
    """Every dataset for the 36 complete months before ``today``'s month, keyed by dataset."""
    world, streams = _setup(scale, today, seed)
    return {"regions": world.regions, **{key: build(world, streams[key]) for key, build in facts.BUILDERS.items()}}


def write_demo(store, scale: str = "county", today: dt.date | None = None, seed: int = 42) -> dict[str, int]:
    """Commit regions, then each fact dataset in one commit; returns rows per dataset.

    Datasets are built one at a time and dropped after their commit, so the
    national scale never holds more than one fact table.
    """
    world, streams = _setup(scale, today, seed)
    rows = {"regions": _commit(store, "regions", world.regions, scale)}
    for key, build in facts.BUILDERS.items():
        rows[key] = _commit(store, key, build(world, streams[key]), scale)
    demo_boundaries.write_demo(store, world.regions, scale)  # the map's shapes, beside the tables
    return rows


def _commit(store, key: str, table: pa.Table, scale: str) -> int:
    # the demo replaces every place it covers: scope everywhere, not a list of thousands of towns
    store.commit(key, table, source=f"demo-{scale}", who="demo", action="demo", scope=["all"])
    return table.num_rows

