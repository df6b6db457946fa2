"""python -m governance bench: each page's query set, DuckDB against plain pandas.

Each engine is measured in a child process of its own, so that its peak
memory (ru_maxrss) is its own, and warm: every page set runs once before the
timed rounds. The pandas baseline reads only the Parquet files of the months
a query needs (what a careful pandas user would do) and computes the same
figures; the two answers are compared, so the benchmark is also a check.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from governance.core import contract, periods, settings
from governance.core.regions import home_region
from governance.core.settings import PROJECT_ROOT, deadline_days, dispute_deadline_days
from governance.store import Store

BENCH_ROOT = PROJECT_ROOT / "data" / "bench"
DATASETS = contract.FACT_DATASETS


# ---- the page query sets ---------------------------------------------
def page_sets(region: str, month: str) -> dict[str, list[tuple[str, str, str, str]]]:
    """(dataset, by, start, end) per page: what each page asks for on first draw."""
    year_start = periods.shift_month(month, -11)
    sets = {"overview": [(d, "place", month, month) for d in DATASETS]}
    for d in DATASETS:
        sets[d] = [(d, "place", month, month), (d, "child", month, month), (d, "month", year_start, month)]
    return sets


def run_duckdb(root: Path, repeat: int, today: dt.date | None = None) -> dict:
    from governance.metrics import indicators
    from queries import Engine

    engine = Engine(Store(root))
    region = _home(engine.store)
    month = indicators.latest_month(engine)
    view = lambda s, e: indicators.View(region, s, e)  # noqa: E731
    today = today or settings.today()

    def page(items):
        version = engine.version()  # a page run reads one version, pinned once (app_data.pin_version)
        return [indicators.query(engine, d, view(s, e), by=by, version=version, today=today)
                for d, by, s, e in items]

    return _time_pages(page_sets(region, month), page, repeat, answers=True)


def run_pandas(root: Path, repeat: int, today: dt.date | None = None) -> dict:
    store = Store(root)
    version = store.version()
    regions = store.read("regions", version).to_pandas()
    region = _home(store)
    files = {d: {} for d in DATASETS}
    for d in DATASETS:
        for part in store.snapshot(version)[d]["parts"]:
            files[d].setdefault(part["period"], []).append(part["file"])
    month = max(max(files[d]) for d in ("petitions", "disputes", "grid"))
    base = PandasBaseline(files, regions, region, today or settings.today())
    return _time_pages(page_sets(region, month), lambda items: [base.query(*i) for i in items], repeat, answers=True)


def _time_pages(sets: dict, page, repeat: int, answers: bool) -> dict:
    results = {}
    first = {}
    for name, items in sets.items():
        first[name] = page(items)  # warm-up, and the answers compared across engines
        samples = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            page(items)
            samples.append((time.perf_counter() - t0) * 1000)
        results[name] = {
            "median_ms": statistics.median(samples),
            "p95_ms": float(np.percentile(samples, 95)),
        }
    checks = {name: [_digest(df) for df in dfs] for name, dfs in first.items()}
    return {"pages": results, "peak_mb": peak_mb(), "checks": checks if answers else {}}


def peak_mb() -> float:
    """This process's peak resident memory. Not ru_maxrss: Linux carries that over from the
    parent through fork and exec, so a child of a big process would report the parent's peak."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _digest(df: pd.DataFrame) -> dict:
    """A few totals of a result per window (the comparison windows and their same-age readings included), to
    compare the two engines' answers; rows only where a place has cases (the SQL also lists places with none)."""
    keys = [c for c in ("received", "found", "households_covered", "branches", "closed", "overdue", "resolved",
                        "backlog", "grids", "weak") if c in df]  # the count of cases (or grids, branches) first
    out = {}
    for name, w in (df.groupby("window_name", sort=True) if "window_name" in df and len(df) else []):
        counted = w[w[keys[0]].fillna(0) > 0] if keys else w
        out[str(name)] = {k: int(w[k].fillna(0).sum()) for k in keys} | {"rows": int(len(counted))}
        if "mature" in w:
            out[str(name)]["mature"] = int(counted["mature"].fillna(True).astype(bool).sum())
    return out


def _home(store: Store) -> str:
    regions = store.read("regions", columns=["region_code", "parent_code"]).to_pandas()
    return home_region(regions)


# ---- the pandas baseline -----------------------------------------------
class PandasBaseline:
    """The same indicators as queries/*.sql, written the straightforward pandas way."""

    def __init__(self, files, regions, region, today):
        self.files, self.regions, self.today = files, regions, today
        self.prefix = contract.code_prefix(region)
        level = contract.level_of_code(region)
        self.child_len = contract.LEVEL_PREFIX[contract.CHILD_LEVEL.get(level, "village")]

    def _read(self, dataset, wanted_periods):
        paths = [f for p in sorted(wanted_periods) if p in self.files[dataset] for f in self.files[dataset][p]]
        df = pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True) if paths else pd.DataFrame()
        return df[df["region_code"].str.startswith(self.prefix)] if len(df) else df

    def query(self, dataset, by, start, end):
        group_len = self.child_len if by == "child" else len(self.prefix)
        if dataset == "branches":
            return self._branches(by, start, end, group_len)
        n = periods.months_between(start, end)
        today = pd.Timestamp(self.today)
        # (first month, last month, reading date) per window, as queries/*.sql read them (SPEC "Reading figures on
        # a given day"): every window on the view date, and for a monthly flow with deadlines each comparison
        # window once more at the current window's age (indicators.month_windows), which the SQL always reads
        windows = {"current": (start, end, today)}
        if by != "month":
            lag = today - pd.Timestamp(periods.last_day(end))
            for name, k in (("mom", n), ("yoy", 12)):
                lo, hi = periods.shift_month(start, -k), periods.shift_month(end, -k)
                windows[name] = (lo, hi, today)
                if dataset != "grid":
                    windows[f"{name}_same_age"] = (lo, hi, pd.Timestamp(periods.last_day(hi)) + lag)
        months = {m for f, t, _ in windows.values() for m in _month_list(f, t)}
        df = self._read(dataset, months)
        frames = []
        for name, (f, t, as_of) in windows.items():
            w = df[(df["period"] >= f) & (df["period"] <= t)]
            if dataset != "grid":
                w = w[pd.to_datetime(w[self.DAY[dataset]]) <= as_of]  # a case not yet in on the reading day
            if w.empty:
                continue
            w = w.assign(place_code=w["region_code"].str[:group_len].str.ljust(12, "0"))
            keys = ["place_code"] + (["period"] if by == "month" else [])
            out = getattr(self, f"_{dataset}")(w, keys, pd.Series(as_of, index=w.index))
            out.insert(0, "window_name", name)
            frames.append(out)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({"window_name": []})

    DAY = {"petitions": "received_on", "disputes": "found_on"}

    @staticmethod
    def _petitions(w, keys, as_of):
        received = pd.to_datetime(w["received_on"])
        closed_on = pd.to_datetime(w["closed_on"]).where(lambda s: s <= as_of)
        days = (closed_on - received).dt.days
        deadline = deadline_days()
        w = w.assign(
            closed=closed_on.notna(),
            on_time=days <= deadline,
            overdue=closed_on.isna() & (received + pd.Timedelta(days=deadline) < as_of),
            first=closed_on.notna() & w["resolved_first_time"].fillna(False).astype(bool),
            rated=w["satisfaction"].notna(),
            satisfied=w["satisfaction"].isin(["satisfied", "basic"]),
            days=days,
            due=received + pd.Timedelta(days=deadline) < as_of,
        )
        g = w.groupby(keys).agg(
            received=("case_id", "size"), closed=("closed", "sum"), on_time=("on_time", "sum"),
            overdue=("overdue", "sum"), first=("first", "sum"), rated=("rated", "sum"),
            satisfied=("satisfied", "sum"), repeats=("is_repeat", "sum"), days=("days", "sum"),
            mature=("due", "all"),
        ).reset_index()
        g["closure_rate"] = g["closed"] / g["received"]
        g["on_time_rate"] = g["on_time"] / (g["closed"] + g["overdue"])
        g["first_attempt_rate"] = g["first"] / g["closed"]
        g["satisfaction_rate"] = g["satisfied"] / g["rated"]
        g["repeat_rate"] = g["repeats"] / g["received"]
        g["mean_days_to_close"] = g["days"] / g["closed"]
        return g

    @staticmethod
    def _disputes(w, keys, as_of):
        found = pd.to_datetime(w["found_on"])
        resolved_on = pd.to_datetime(w["resolved_on"]).where(lambda s: (s <= as_of) & (w["status"] == "resolved"))
        # backlog: not resolved by the end of the window's last month (or the reading day, if earlier)
        end_day = pd.to_datetime(w["period"] + "-01") + pd.offsets.MonthEnd(0)
        w = w.assign(
            resolved=resolved_on.notna(),
            local=resolved_on.notna() & w["resolved_level"].isin(["grid", "village"]),
            escalated=(resolved_on.notna() & (w["resolved_level"] == "county")) | (w["status"] == "referred"),
            days=(resolved_on - found).dt.days,
            open_at_end=~(resolved_on <= end_day.where(end_day < as_of, as_of)),
            overdue=resolved_on.isna() & (found + pd.Timedelta(days=dispute_deadline_days()) < as_of),
            due=found + pd.Timedelta(days=dispute_deadline_days()) < as_of,
        )
        g = w.groupby(keys).agg(
            found=("dispute_id", "size"), resolved=("resolved", "sum"), local=("local", "sum"),
            escalated=("escalated", "sum"), days=("days", "sum"), backlog=("open_at_end", "sum"),
            overdue=("overdue", "sum"), mature=("due", "all"),
        ).reset_index()
        g["resolution_rate"] = g["resolved"] / g["found"]
        g["local_rate"] = g["local"] / g["resolved"]
        g["escalation_rate"] = g["escalated"] / g["found"]
        return g

    @staticmethod
    def _grid(w, keys, as_of):
        if "period" not in keys:
            w = w[w["period"] == w["period"].max()]
        cols = ["households", "households_covered", "grids", "grid_workers", "grid_party_orgs"]
        g = w.groupby(keys)[cols].sum().reset_index()
        g["coverage_rate"] = g["households_covered"] / g["households"]
        g["households_per_grid"] = g["households_covered"] / g["grids"]
        g["party_org_coverage"] = g["grid_party_orgs"] / g["grids"]
        return g

    def _branches(self, by, start, end, group_len):
        available = sorted(self.files["branches"], key=periods.rating_sort_key)
        df = self._read("branches", available)
        df = df.assign(order=df["period"].map(periods.rating_end_month)).sort_values(["order", "period"])
        df["previous_stars"] = df.groupby("branch_id")["stars"].shift()
        ended = [p for p in available if periods.rating_end_month(p) <= end]
        if by == "month":
            wanted = {"current": [p for p in ended if periods.rating_end_month(p) >= start] or ended[-1:]}
        else:
            wanted = {"current": ended[-1:], "mom": ended[-2:-1], "yoy": [periods.rating_year_earlier(ended[-1])]}
        frames = []
        for name, ps in wanted.items():
            w = df[df["period"].isin(ps)].copy()
            if w.empty:
                continue
            w["place_code"] = w["region_code"].str[:group_len].str.ljust(12, "0")
            keys = ["place_code"] + (["period"] if by == "month" else [])
            w = w.assign(up=w["stars"] > w["previous_stars"], down=w["stars"] < w["previous_stars"],
                         five=w["stars"] == 5, three=w["stars"] >= 3,
                         fixed=w["weak_lax"].fillna(False) & w["rectified"].fillna(False))
            g = w.groupby(keys).agg(
                branches=("branch_id", "size"), five=("five", "sum"), three=("three", "sum"),
                stars=("stars", "sum"), upgraded=("up", "sum"), downgraded=("down", "sum"),
                weak=("weak_lax", "sum"), fixed=("fixed", "sum"),
            ).reset_index()
            g["five_star_share"] = g["five"] / g["branches"]
            g["three_plus_share"] = g["three"] / g["branches"]
            g["mean_stars"] = g["stars"] / g["branches"]
            g["rectification_rate"] = g["fixed"] / g["weak"]
            g.insert(0, "window_name", name)
            frames.append(g)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({"window_name": []})


def _month_list(start: str, end: str) -> list[str]:
    return [periods.shift_month(start, i) for i in range(periods.months_between(start, end))]


# ---- the command ------------------------------------------------------
def _child(engine: str, root: Path, arg) -> dict:
    code = (
        "import json, sys; from pathlib import Path; from governance.tools import bench; "
        f"print(json.dumps(bench.run_{engine}(Path(sys.argv[1]), {'Path' if engine == 'ingest' else 'int'}(sys.argv[2]))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(root), str(arg)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{engine} benchmark failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def ensure_store(scale: str, store_dir: str | None) -> Path:
    root = Path(store_dir) if store_dir else BENCH_ROOT / scale
    store = Store(root)
    if store.is_empty():
        from governance.demo import generate as demo

        t0 = time.perf_counter()
        print(f"building the {scale} store in {root} ...", flush=True)
        counts = demo.write_demo(store, scale=scale)
        print(f"built in {time.perf_counter() - t0:.1f} s: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return root


def main(scale: str = "province", store_dir: str | None = None, repeat: int = 15) -> int:
    root = ensure_store(scale, store_dir)
    print(f"store {root}, {repeat} timed rounds per page after one warm-up, {os.cpu_count()} cores")
    duck = _child("duckdb", root, repeat)
    pand = _child("pandas", root, max(3, repeat // 3))
    print(f"\n{'page':<10} {'duckdb median':>14} {'p95':>9} {'pandas median':>14} {'p95':>9} {'ratio':>7}")
    for page, d in duck["pages"].items():
        p = pand["pages"][page]
        ratio = p["median_ms"] / d["median_ms"]
        print(f"{page:<10} {d['median_ms']:>11.1f} ms {d['p95_ms']:>6.1f} ms "
              f"{p['median_ms']:>11.1f} ms {p['p95_ms']:>6.1f} ms {ratio:>6.1f}x")
    print(f"\npeak memory: duckdb process {duck['peak_mb']:,.0f} MB, pandas process {pand['peak_mb']:,.0f} MB")
    ledger = root.parent / f"{root.name}-ledger-gb18030.csv"
    if not ledger.exists():
        write_ledger_csv(Store(root), ledger)
    ing = _child("ingest", root, ledger)
    print(f"\ningest of a petitions ledger ({ing['rows']:,} rows, {ing['mb']:.0f} MB, GB18030, one title row): "
          f"{'accepted' if ing['accepted'] else 'REFUSED'} in {ing['seconds']:.1f} s (read, validate, commit), "
          f"peak memory {ing['peak_mb']:,.0f} MB")
    agree = duck["checks"] == pand["checks"]
    print(f"answers agree (totals of every result): {'yes' if agree else 'NO'}")
    if not agree:
        for page in duck["checks"]:
            if duck["checks"][page] != pand["checks"][page]:
                print(f"  {page}: duckdb {duck['checks'][page]}\n  {' ' * len(page)}  pandas {pand['checks'][page]}")
    return 0 if agree else 1


# ---- ingest of a large ledger ------------------------------------------
INGEST_ROWS = 1_000_000


def write_ledger_csv(store: Store, path: Path, rows: int = INGEST_ROWS) -> int:
    """A petitions ledger as an office would export it: Chinese headers and spellings, GB18030."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    table = pa.concat_tables([pq.read_table(f) for f in store.files("petitions")[-12:]]).slice(0, rows)
    zh = {c.name: c.zh for c in contract.PETITIONS.columns}
    out = {}
    for col in contract.PETITIONS.columns:
        values = table.column(col.name)
        if col.type == "enum":
            keys = pa.array([c.key for c in col.choices])
            values = pc.take(pa.array([c.zh for c in col.choices]), pc.index_in(values, keys))
        elif col.type == "bool":
            values = pc.if_else(values, "是", "否")
        out[zh[col.name]] = values
    buf = pa.BufferOutputStream()
    pacsv.write_csv(pa.table(out), buf)
    text = "清源省信访事项台账（基准测试）\n" + buf.getvalue().to_pybytes().decode("utf-8")
    path.write_bytes(text.encode("gb18030"))
    return table.num_rows


def run_ingest(root: Path, csv_path: Path) -> dict:
    """Validate and commit the ledger into a scratch store holding only the regions."""
    import shutil
    import tempfile

    from governance.ingest.pipeline import ingest
    from governance.store import read_current

    scratch = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    try:
        target = Store(scratch)
        target.commit("regions", read_current(Store(root), "regions"), source="bench")
        data = csv_path.read_bytes()
        t0 = time.perf_counter()
        report = ingest(target, "petitions", data, csv_path.name, who="bench", max_bytes=sys.maxsize)
        seconds = time.perf_counter() - t0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {"seconds": seconds, "accepted": report.accepted, "rows": report.rows, "errors": len(report.errors),
            "mb": len(data) / 1e6, "peak_mb": peak_mb()}


# ---- the briefing pack (python -m governance bench --briefing) ------------------------------------
def run_briefing(root: Path, repeat: int) -> dict:
    """Seconds to make the briefing pack of the home place's latest month, in this process, warm: the
    whole pack from one click (content, charts drawn once, every format), each format alone from a fresh
    pack (queries and its charts drawn for it, as `brief --out` makes it) and each format from a pack whose
    charts are drawn (the format's own cost). Medians of `repeat`."""
    from governance.briefing import files
    from governance.briefing import pack as briefing
    from queries import Engine

    engine = Engine(Store(root))
    region = briefing.default_region(engine)

    def fresh():
        return briefing.build(engine, region, None, render=False)

    files.make_all(fresh())  # warm: imports, the chart exporter's Chromium, the PDF printer
    samples: dict[str, list[float]] = {}

    def timed(name: str, fn) -> None:
        t0 = time.perf_counter()
        fn()
        samples.setdefault(name, []).append(time.perf_counter() - t0)

    for _ in range(repeat):
        steps: dict[str, float] = {}
        clock = {"t": time.perf_counter(), "step": None}

        def progress(label, done, total):
            now = time.perf_counter()
            if clock["step"]:
                steps[clock["step"]] = now - clock["t"]
            clock.update(t=now, step=label)

        t0 = time.perf_counter()
        pack = fresh()
        samples.setdefault("content (queries)", []).append(time.perf_counter() - t0)
        files.make_all(pack, progress)
        samples.setdefault("whole pack, one click", []).append(time.perf_counter() - t0)
        for label, seconds in steps.items():
            samples.setdefault(f"  step: {label}", []).append(seconds)
        for kind in ("docx", "pptx", "pdf", "zip"):
            timed(f"{kind} alone", lambda k=kind: files.make(fresh(), k))
            timed(f"{kind}, charts drawn", lambda k=kind: files.make(pack, k))
    charts = len(fresh().charts)
    engine.close()
    return {"median_s": {k: statistics.median(v) for k, v in samples.items()}, "charts": charts,
            "repeat": repeat, "peak_mb": peak_mb()}


def _order(name: str) -> tuple[bool, bool]:
    """The pack and its steps first, then each format alone, then each format from a drawn pack."""
    return name.startswith(("docx", "pptx", "pdf", "zip")), not name.endswith(" alone")


def briefing_main(scale: str = "county", store_dir: str | None = None, repeat: int = 3) -> int:
    root = ensure_store(scale, store_dir)
    load = os.getloadavg()
    print(f"store {root}, briefing of the home place's latest month, {repeat} timed rounds after one warm-up, "
          f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    out = _child("briefing", root, repeat)
    print(f"\n{'what':<28} {'median':>9}")
    for name, seconds in sorted(out["median_s"].items(), key=lambda kv: _order(kv[0])):
        print(f"{name:<28} {seconds:>7.2f} s")
    load = os.getloadavg()
    print(f"\n{out['charts']} charts; peak memory {out['peak_mb']:,.0f} MB; "
          f"load average after {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0
