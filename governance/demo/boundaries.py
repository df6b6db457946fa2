"""Made-up boundaries for the demo county, so the map shows out of the box.

The county is a quadrilateral of about 45 x 45 km; it is cut into rows of cells, one cell per town, and each
town's cell again into rows of cells, one per village or community. Cuts run at slants drawn from a seeded
generator, so the shapes look like a map rather than a chessboard, and neighbours share their edges exactly
(every edge is a straight segment on a line both cells lie on), so the shapes tile the county without gaps.
Nothing here is real geography. Only the county scale gets boundaries (the benchmark scales need none).
"""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa

from governance.store import boundaries as stored

# roughly where 411122 would sit; a quadrilateral, corners counter-clockwise from south-west
COUNTY_QUAD = ((113.52, 33.74), (114.06, 33.78), (114.04, 34.16), (113.55, 34.13))


def _at(quad, u: float, v: float) -> tuple[float, float]:
    """The point at (u, v) of the unit square mapped bilinearly onto the quadrilateral."""
    (ax, ay), (bx, by), (cx, cy), (dx, dy) = quad
    x = (1 - u) * (1 - v) * ax + u * (1 - v) * bx + u * v * cx + (1 - u) * v * dx
    y = (1 - u) * (1 - v) * ay + u * (1 - v) * by + u * v * cy + (1 - u) * v * dy
    return round(x, 6), round(y, 6)


def split(quad, n: int, rng: np.random.Generator) -> list[tuple]:
    """n quadrilaterals that tile `quad`: rows at constant v, each cut into cells by slanted lines."""
    # about square cells: as many rows as the quadrilateral's height over its width asks for (km, not degrees)
    (ax, ay), (bx, by), (cx, cy), (dx, dy) = quad
    shrink = math.cos(math.radians((ay + cy) / 2))
    width = (math.dist((ax * shrink, ay), (bx * shrink, by)) + math.dist((dx * shrink, dy), (cx * shrink, cy))) / 2
    height = (math.dist((ax * shrink, ay), (dx * shrink, dy)) + math.dist((bx * shrink, by), (cx * shrink, cy))) / 2
    rows = min(n, max(1, round(math.sqrt(n * height / width))))
    per_row = np.full(rows, n // rows)
    per_row[: n % rows] += 1
    v = np.concatenate([[0.0], (np.arange(1, rows) + rng.uniform(-0.25, 0.25, rows - 1)) / rows, [1.0]])
    cells = []
    for r, k in enumerate(per_row):
        base = np.arange(1, k) / k
        jitter = 0.3 / k
        bottom = np.concatenate([[0.0], base + rng.uniform(-jitter, jitter, k - 1), [1.0]])
        top = np.concatenate([[0.0], base + rng.uniform(-jitter, jitter, k - 1), [1.0]])
        for c in range(k):
            cells.append((_at(quad, bottom[c], v[r]), _at(quad, bottom[c + 1], v[r]),
                          _at(quad, top[c + 1], v[r + 1]), _at(quad, top[c], v[r + 1])))
    return cells


def _polygon(quad) -> dict:
    ring = [list(p) for p in quad]
    return {"type": "Polygon", "coordinates": [ring + [ring[0]]]}


def shapes(regions: pa.Table, seed: int = 7) -> dict[str, dict]:
    """{code: GeoJSON Polygon} for the county, its towns and their villages."""
    rng = np.random.default_rng(seed)
    rows = regions.select(["region_code", "level", "parent_code"]).to_pylist()
    county = next(r["region_code"] for r in rows if r["level"] == "county")
    children: dict[str, list[str]] = {}
    for r in sorted(rows, key=lambda r: r["region_code"]):
        if r["parent_code"]:
            children.setdefault(r["parent_code"], []).append(r["region_code"])
    out = {county: _polygon(COUNTY_QUAD)}
    towns = children.get(county, [])
    for town, quad in zip(towns, split(COUNTY_QUAD, len(towns), rng)):
        out[town] = _polygon(quad)
        villages = children.get(town, [])
        for village, cell in zip(villages, split(quad, len(villages), rng)):
            out[village] = _polygon(cell)
    return out


def write_demo(store, regions: pa.Table, scale: str) -> int:
    """Commit the demo county's boundaries (county scale only); returns the number of shapes."""
    if scale != "county":
        return 0
    made = shapes(regions)
    stored.commit(store.root, made, source="demo-county", who="demo", action="demo")
    return len(made)
