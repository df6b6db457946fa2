"""python -m governance bench --browser: what a leader feels, in real Chromium, with many sessions at once.

For each replica count R the app is served as in production, ``python -m governance serve --replicas R``
(nginx in front), on the benchmark store; one untimed pass per replica warms it. Then S sessions (each its own
browser context: its own cookies, its own renderer process) start together and each does what a leader does:

    load 总览 → 信访 → a town in the filter → 矛盾纠纷 → 网格化管理 → 评星定级 → 总览

Each step is timed inside the page, from the click (the navigation's start for the load) to
- ``first``: the page's first chart drawn by this run (a Plotly chart; a KPI card on 总览): an element whose
  container is not stale, i.e. sent by the run the click started;
- ``done``: the script run finished and Streamlit's running indicator gone.
Percentiles are over every session's steps of a kind (load, nav, filter). The browsers run on the same
machine as the servers, so the figures are upper bounds: the CPU each side used is measured (psutil, per
process tree) and reported as a share of the machine, with the peak resident memory of the replicas.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from governance.core.settings import PROJECT_ROOT
from governance.tools import bench
from governance.tools.serve import free_port, healthy

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-renderer-backgrounding",
                 "--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows"]
STEP_TIMEOUT_S = 300  # one step of one session; a step that takes longer counts as an error
CHART = '[data-testid="stPlotlyChart"]'
KPI = '[data-testid="stMetric"]'
# (step, kind, what to click in the sidebar, the first element the new run draws)
STEPS = [
    ("总览 (load)", "load", None, KPI),
    ("信访", "nav", "信访 Petitions", CHART),
    ("乡镇 filter", "filter", None, CHART),
    ("矛盾纠纷", "nav", "矛盾纠纷 Disputes", CHART),
    ("网格化管理", "nav", "网格化管理 Grid", CHART),
    ("评星定级", "nav", "评星定级 Branches", CHART),
    ("总览", "nav", "总览 Overview", KPI),
]

# Timing inside the page: `first` and `done` in ms from the last click after arming (navigation start for the
# load). A run is "seen" once stApp's script state has been `running` (a MutationObserver, so a short run is
# not missed between two frames); elements of the previous run are marked data-stale until replaced.
PAGE_JS = """(() => {
  const rec = window.__bench = {t0: 0, sel: %s, seen: false, first: null, done: null};
  const app = () => document.querySelector('[data-testid="stApp"]');
  const state = () => app() && app().getAttribute('data-test-script-state');
  let watched = null;
  const watch = () => {
    const a = app();
    if (a && a !== watched) {
      watched = a;
      new MutationObserver(() => { if (state() === 'running') rec.seen = true; })
        .observe(a, {attributes: true, attributeFilter: ['data-test-script-state']});
    }
    if (state() === 'running') rec.seen = true;
  };
  document.addEventListener('click', () => { if (!rec.seen && rec.done === null) rec.t0 = performance.now(); }, true);
  // A starved browser may take a whole cached run's messages in one render, so `running` never reaches the DOM:
  // the page's title and caption changing (another page, another place) also show the run happened.
  const sig = () => [...document.querySelectorAll('[data-testid="stMain"] h1, [data-testid="stMain"] [data-testid="stCaptionContainer"]')]
    .slice(0, 2).map(e => e.textContent).join('|');
  const fresh = e => { const c = e.closest('[data-testid="stElementContainer"]');
    return (!c || c.getAttribute('data-stale') !== 'true') && e.getBoundingClientRect().height > 0; };
  const tick = () => {
    watch();
    if (!rec.seen && rec.sig !== undefined && sig() !== rec.sig) rec.seen = true;
    const now = performance.now() - rec.t0;
    if (rec.seen && rec.first === null && [...document.querySelectorAll(rec.sel)].some(fresh)) rec.first = now;
    // done: the run over, its first chart drawn (Plotly's code loads lazily: a skeleton until then)
    if (rec.seen && rec.first !== null && state() === 'notRunning'
        && app().getAttribute('data-test-connection-state') === 'CONNECTED'
        && !document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')
        && !document.querySelector('[data-testid="stSkeleton"], [data-testid="stAppSkeleton"]')) {
      rec.done = now; return; }
    requestAnimationFrame(tick);
  };
  window.__benchArm = sel => { Object.assign(rec, {t0: performance.now(), sel, seen: false, first: null, done: null, sig: sig()});
    requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
})();""" % json.dumps(KPI)


@dataclass
class Sample:
    step: str
    kind: str
    first_ms: float | None
    done_ms: float | None
    error: str = ""


@dataclass
class Level:
    replicas: int
    sessions: int
    samples: list[Sample] = field(default_factory=list)
    wall_s: float = 0.0
    cpu: dict = field(default_factory=dict)
    peak_rss_mb: float = 0.0
    load: tuple = ()
    spread: dict = field(default_factory=dict)


# ---- the processes: serve, and what CPU each side uses -----------------
class Served:
    """`python -m governance serve --replicas R` on a free port, stopped on exit."""

    def __init__(self, root: Path, replicas: int):
        self.run = Path(tempfile.mkdtemp(prefix="governance-bench-"))
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(self.run / "serve.out", "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "governance", "serve", "--replicas", str(replicas), "--port", str(self.port),
             "--store", str(root), "--run-dir", str(self.run)], cwd=PROJECT_ROOT, stdout=self.log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)

    def wait(self, timeout_s: float = 180) -> None:
        deadline = time.monotonic() + timeout_s
        while not ((self.run / "serve.json").exists() and healthy(f"{self.base}/_stcore/health")):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"serve did not start: {(self.run / 'serve.out').read_text(errors='replace')}")
            time.sleep(0.3)

    def replica_names(self) -> list[str]:
        return [r["name"] for r in json.loads((self.run / "serve.json").read_text())["replicas"]]

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=60)
        self.log.close()


class Meter(threading.Thread):
    """Samples the CPU time of the browsers (chromium under this process), the harness (this process and
    Playwright's driver) and the servers (serve's tree: replicas, nginx), and the replicas' resident memory."""

    def __init__(self, server_pid: int, interval_s: float = 0.5):
        super().__init__(daemon=True)
        self.server_pid, self.interval_s = server_pid, interval_s
        self.first: dict[int, float] = {}
        self.last: dict[int, tuple[str, float]] = {}
        self.peak_rss = 0
        self.stopping = threading.Event()

    def _groups(self) -> dict[str, list[psutil.Process]]:
        me = psutil.Process()
        mine = me.children(recursive=True)
        groups = {"browsers": [p for p in mine if _name(p).startswith("chrom")],
                  "harness": [me] + [p for p in mine if not _name(p).startswith("chrom")]}
        try:
            server = psutil.Process(self.server_pid)
            groups["servers"] = [server, *server.children(recursive=True)]
        except psutil.NoSuchProcess:
            groups["servers"] = []
        return groups

    def sample(self) -> None:
        rss = 0
        for group, procs in self._groups().items():
            for p in procs:
                try:
                    t = p.cpu_times()
                    used = t.user + t.system
                    if group == "servers" and "streamlit" in " ".join(p.cmdline()):
                        rss += p.memory_info().rss
                except psutil.Error:
                    continue
                self.first.setdefault(p.pid, used)
                self.last[p.pid] = (group, used)
        self.peak_rss = max(self.peak_rss, rss)

    def run(self) -> None:
        self.machine0 = psutil.cpu_times()
        while not self.stopping.is_set():
            self.sample()
            self.stopping.wait(self.interval_s)

    def finish(self) -> dict:
        self.sample()
        self.stopping.set()
        self.join()
        machine1 = psutil.cpu_times()
        out = {"browsers": 0.0, "harness": 0.0, "servers": 0.0}
        for pid, (group, used) in self.last.items():
            out[group] += used - self.first[pid]
        busy = lambda t: sum(t) - t.idle - getattr(t, "iowait", 0)  # noqa: E731
        out["machine_busy"] = busy(machine1) - busy(self.machine0)
        out["machine_total"] = sum(machine1) - sum(self.machine0)
        return out


def _name(p: psutil.Process) -> str:
    try:
        return p.name()
    except psutil.Error:
        return ""


# ---- one session -------------------------------------------------------
async def _wait_done(page, timeout_s: float) -> dict:
    handle = await page.wait_for_function("() => window.__bench.done !== null && window.__bench",
                                          polling=50, timeout=timeout_s * 1000)
    return await handle.json_value()


async def _where(page) -> str:
    """What a stuck step was waiting for: whether its run started, drew its chart, and the app's state."""
    try:
        return json.dumps(await page.evaluate("""() => { const a = document.querySelector('[data-testid="stApp"]');
            return {...window.__bench, state: a && a.getAttribute('data-test-script-state'),
                    conn: a && a.getAttribute('data-test-connection-state'), url: location.pathname}; }"""))
    except Exception as e:  # noqa: BLE001
        return type(e).__name__


async def _open(page, box, options, timeout_s: float) -> None:
    """Open the select's list. A rerun that lands meanwhile (the app is idle only between runs) redraws the
    sidebar and closes the list again, so: wait for an idle app, click, and try again if no option shows."""
    deadline = time.monotonic() + timeout_s
    while True:
        await page.wait_for_function("""() => { const a = document.querySelector('[data-testid="stApp"]');
            return a && a.getAttribute('data-test-script-state') === 'notRunning'; }""", polling=50,
                                     timeout=timeout_s * 1000)
        await box.click()
        try:
            await options.first.wait_for(timeout=10_000)
            return
        except Exception:  # noqa: BLE001 - the list closed under us: again, within the step's time
            if time.monotonic() > deadline:
                raise
            await page.keyboard.press("Escape")


async def session(browser, base: str, index: int, replica: str | None = None, timeout_s: float = STEP_TIMEOUT_S
                  ) -> tuple[list[Sample], str]:
    """One leader's visit; returns its samples and the replica nginx gave it."""
    context = await browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN",
                                        timezone_id="Asia/Shanghai")
    if replica:
        await context.add_cookies([{"name": "gov_replica", "value": replica, "url": base}])
    await context.add_init_script(PAGE_JS)
    page = await context.new_page()
    page.set_default_timeout(timeout_s * 1000)
    samples: list[Sample] = []
    try:
        for step, kind, link, first in STEPS:
            try:
                if kind == "load":
                    await page.goto(base)
                else:
                    sidebar = page.get_by_test_id("stSidebar")
                    if kind == "filter":  # a town (a different one per session), in the sidebar's first place filter
                        box = sidebar.get_by_role("combobox").first
                        options = page.get_by_role("option")
                        await _open(page, box, options, timeout_s)
                        choice = options.nth(1 + index % max(1, min(5, await options.count() - 1)))
                        await page.evaluate("sel => window.__benchArm(sel)", first)
                        await choice.click()
                    else:
                        await page.evaluate("sel => window.__benchArm(sel)", first)
                        await sidebar.get_by_test_id("stSidebarNav").get_by_role("link", name=link, exact=True).click()
                rec = await _wait_done(page, timeout_s)
                samples.append(Sample(step, kind, rec["first"], rec["done"]))
            except Exception as e:  # noqa: BLE001 - a stuck session is a result, not a crash of the benchmark
                samples.append(Sample(step, kind, None, None, f"{type(e).__name__} {await _where(page)}"))
                break
        cookies = {c["name"]: c["value"] for c in await context.cookies()}
        return samples, cookies.get("gov_replica", "?")
    finally:
        await context.close()


async def _level(root: Path, replicas: int, sessions_list: list[int]) -> list[Level]:
    from playwright.async_api import async_playwright

    served = Served(root, replicas)
    levels = []
    try:
        served.wait()
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                # warm every replica once (untimed): each process builds its schema and caches on first use
                await asyncio.gather(*[session(browser, served.base, i, name)
                                       for i, name in enumerate(served.replica_names())])
                for n in sessions_list:
                    level = Level(replicas, n)
                    meter = Meter(served.proc.pid)
                    meter.start()
                    t0 = time.perf_counter()
                    results = await asyncio.gather(*[session(browser, served.base, i) for i in range(n)])
                    level.wall_s = time.perf_counter() - t0
                    level.cpu = meter.finish()
                    level.peak_rss_mb = meter.peak_rss / 1024**2
                    level.load = os.getloadavg()
                    for samples, replica in results:
                        level.samples += samples
                        level.spread[replica] = level.spread.get(replica, 0) + 1
                    levels.append(level)
                    print(_level_line(level), flush=True)
            finally:
                await browser.close()
    finally:
        served.stop()
    return levels


# ---- the report ----------------------------------------------------------
def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _fmt_s(ms: float | None) -> str:
    return "—" if ms is None else f"{ms / 1000:.2f} s"


def summary(level: Level) -> dict:
    out = {}
    for kind in ("load", "nav", "filter"):
        ok = [s for s in level.samples if s.kind == kind and s.done_ms is not None]
        firsts = [s.first_ms for s in ok if s.first_ms is not None]
        dones = [s.done_ms for s in ok]
        out[kind] = {"first_p50": _pct(firsts, 50), "first_p95": _pct(firsts, 95),
                     "done_p50": _pct(dones, 50), "done_p95": _pct(dones, 95), "n": len(ok)}
    out["errors"] = [f"{s.step}: {s.error}" for s in level.samples if s.error]
    return out


def _share(level: Level, key: str) -> str:
    total = level.cpu.get("machine_total") or 1
    return f"{100 * level.cpu.get(key, 0) / total:.0f}%"


def _level_line(level: Level) -> str:
    s = summary(level)
    parts = [f"{k} done p50 {_fmt_s(s[k]['done_p50'])} p95 {_fmt_s(s[k]['done_p95'])}" for k in ("load", "nav", "filter")]
    return (f"replicas {level.replicas} sessions {level.sessions}: " + "; ".join(parts)
            + f"; errors {len(s['errors'])}; wall {level.wall_s:.0f} s; CPU browsers {_share(level, 'browsers')}"
              f" servers {_share(level, 'servers')}; peak server RSS {level.peak_rss_mb:,.0f} MB;"
              f" load {level.load[0]:.1f}" + (f"; failed: {'; '.join(s['errors'][:3])}" if s["errors"] else ""))


def table(levels: list[Level]) -> str:
    head = ("| replicas | sessions | load: first KPI p50 / p95 | load: done p50 / p95 | nav: first chart p50 / p95 "
            "| nav: done p50 / p95 | filter: first chart p50 / p95 | filter: done p50 / p95 | errors "
            "| CPU: browsers / servers / machine busy | peak server RSS | sessions per replica | load avg (1 min) |")
    rows = [head, "|" + "---|" * (head.count("|") - 1)]
    for lv in levels:
        s = summary(lv)
        pair = lambda k, a: f"{_fmt_s(s[k][a + '_p50'])} / {_fmt_s(s[k][a + '_p95'])}"  # noqa: E731
        spread = ", ".join(f"{k} {v}" for k, v in sorted(lv.spread.items()))
        rows.append(f"| {lv.replicas} | {lv.sessions} | {pair('load', 'first')} | {pair('load', 'done')} "
                    f"| {pair('nav', 'first')} | {pair('nav', 'done')} | {pair('filter', 'first')} "
                    f"| {pair('filter', 'done')} | {len(s['errors'])} "
                    f"| {_share(lv, 'browsers')} / {_share(lv, 'servers')} / {_share(lv, 'machine_busy')} "
                    f"| {lv.peak_rss_mb:,.0f} MB | {spread} | {lv.load[0]:.1f} |")
    return "\n".join(rows)


def main(scale: str = "county", store_dir: str | None = None, sessions: str = "1,10,20",
         replicas: str = "1,2") -> int:
    try:
        session_counts = [int(x) for x in sessions.split(",") if x.strip()]
        replica_counts = [int(x) for x in replicas.split(",") if x.strip()]
    except ValueError:
        print("--sessions / --replicas: comma-separated whole numbers, e.g. 1,10,20", file=sys.stderr)
        return 2
    if not Path(CHROMIUM).is_file():
        print(f"chromium not found at {CHROMIUM}: run `bash .ci/setup app`", file=sys.stderr)
        return 2
    root = bench.ensure_store(scale, store_dir)
    print(f"store {root} ({scale}); {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the start; "
          f"sessions {session_counts}, replicas {replica_counts}", flush=True)
    levels = []
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop `serve` on the way out
    try:
        for r in replica_counts:
            levels += asyncio.run(_level(root, r, session_counts))
    finally:
        signal.signal(signal.SIGTERM, previous)
    print("\n" + table(levels))
    errors = [e for lv in levels for e in summary(lv)["errors"]]
    if errors:
        print(f"\n{len(errors)} steps failed: " + "; ".join(sorted(set(errors))[:10]))
    out = bench.BENCH_ROOT / f"browser-{scale}-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps([{**lv.__dict__, "samples": [s.__dict__ for s in lv.samples], "summary": summary(lv)}
                               for lv in levels], ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print(f"samples: {out}")
    return 0
