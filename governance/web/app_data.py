"""What the Streamlit pages call: one cached engine, cached query results.

Results are cached per store version (and per day, since case status is
read as of today), so a commit makes every page show the new data on its next
rerun without a restart, and old entries age out.

One page run reads one version: ``pin_version()`` (app.py, at the top of every
run) reads the store's version once and every query of the run asks for that
one, so an upload that lands while a page draws cannot give its cards and its
charts different data (it did: 受理量 3,000件 on a card, 6,000 in the chart).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict

import pandas as pd
import streamlit as st

from governance.briefing import files as briefing_files
from governance.briefing import pack as briefing
from governance.core import contract, periods, settings
from governance.core import regions as region_tree
from governance.core.regions import (
    home_region,  # noqa: F401  (pages call app_data.home_region)
)
from governance.core.settings import store_root
from governance.core.text import md_escape
from governance.ingest.pipeline import Report, ingest
from governance.metrics import attention, breakdowns, cases, indicators, peers, stages, submissions
from governance.metrics.indicators import View
from governance.store import (  # noqa: F401  (views catch app_data.StoreError)
    Store,
    StoreError,
    damage_message,
    open_store,
)
from governance.store import scope as scopes
from governance.store.scope import (
    code_range,  # noqa: F401  (views: the places a scope covers)
)
from governance.web import errors
from queries import Engine

TTL = 3600


class _Store(Store):
    """The app's store: the query layer names damaged files in the store's own words."""

    @staticmethod
    def damage_message(dataset: str, periods: list[str], detail: str = "") -> str:
        return damage_message(dataset, periods, detail)


@st.cache_resource(show_spinner=False)  # also made by the server's warm-up thread, which has no page
def _base_engine(root: str) -> Engine:
    return Engine(open_store(root, _Store))


# The cached functions below take the store key's first part, the store root with the account's place after
# this mark: an account bound to a place gets results from an engine scoped to it (the query layer filters
# every view), and a result cached for one place is never served to an account of another.
SCOPE_MARK = "#scope="


def _engine(key: str):
    root, _, region = key.partition(SCOPE_MARK)
    engine = _base_engine(root)
    if region:
        return engine.scoped(*View(region, "2000-01", "2000-01").code_range)
    return engine


def engine() -> Engine:
    """The unscoped engine, for the store itself (uploads, history); reads go through store_key()."""
    return _base_engine(str(store_root()))


def scope_region() -> str | None:
    """The place the signed-in account is bound to; None: the whole store."""
    from governance.web import auth

    user = auth.current_user()
    return getattr(user, "region", None) if user else None


PIN = "_store_version"


def pin_version() -> str:
    """Read the store's version once for this script run (app.py calls it first thing)."""
    st.session_state[PIN] = (str(store_root()), engine().version())
    return st.session_state[PIN][1]


def version() -> str:
    """The version this run reads: the pinned one, else (a run that did not start in app.py) the latest."""
    pinned = st.session_state.get(PIN)
    if pinned and pinned[0] == str(store_root()):
        return pinned[1]
    return pin_version()


def store_key() -> tuple[str, str]:
    """(store root and scope, version): the first argument of every cached read."""
    region = scope_region()
    return str(store_root()) + (f"{SCOPE_MARK}{region}" if region else ""), version()


def damaged() -> dict[str, str]:
    """{dataset: message} for the datasets whose files are damaged in the version this run reads."""
    return engine().damaged(version())


def store_warnings() -> list[str]:
    return list(engine().store.warnings)


@st.cache_resource(show_spinner=False)
def _first_start_lock() -> threading.Lock:
    return threading.Lock()


def ensure_demo() -> None:
    """First start on an empty store: build the demo county so the app shows something real.

    Sessions are threads of one process: the lock makes the second browser tab that opens
    during the build wait for it instead of racing it to the same manifest versions.
    """
    store = engine().store
    if _first_start_lock().locked():  # the server's warm-up (build_demo) or another tab is building it
        with st.spinner("首次启动，正在生成演示县数据… building the demo county"), _first_start_lock():
            pass
    if not store.is_empty():
        return
    with _first_start_lock():
        if store.is_empty():
            from governance.demo import generate as demo

            try:
                with st.spinner("首次启动，正在生成演示县数据… building the demo county"):
                    demo.write_demo(store, scale="county")
            except StoreError as e:
                # a read-only or full disk: say so, and show the (empty) pages rather than a traceback
                st.error(f"无法生成演示数据：{md_escape(str(e))}")
            except OSError:  # its errno and paths go to the log, not the page
                st.error(errors.logged("无法生成演示数据：服务器存储出错（磁盘已满或只读？），请联系系统管理员", "demo"))


def build_demo() -> None:
    """ensure_demo without a page: the server's warm-up (governance/web/warm.py) builds the demo county into an
    empty store at start, under the same lock, so a visitor who arrives meanwhile waits for it."""
    store = engine().store
    with _first_start_lock():
        if store.is_empty():
            from governance.demo import generate as demo

            demo.write_demo(store, scale="county")


VIEW_DATE = "view_date"


def view_date() -> dt.date:
    """The day figures are read on (SPEC "Reading figures on a given day"): the date picked in the sidebar,
    else today where the offices are. Every cached result below takes it as part of its key."""
    picked = st.session_state.get(VIEW_DATE)
    return picked if isinstance(picked, dt.date) else settings.today()


def _today() -> str:
    return view_date().isoformat()


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def places(root: str, ver: int) -> pd.DataFrame:
    return indicators.places(_engine(root), version=ver)


@st.cache_resource(ttl=TTL, max_entries=16, show_spinner=False)
def place_tree(root: str, ver) -> region_tree.PlaceTree:
    """Home, names, parents and children of the places the account may see, built once per store version and
    scope (root carries the scope) and shared by every session: read it, never change it."""
    return region_tree.place_tree(places(root, ver))


def warm_places(ver) -> None:
    """The whole store's places and region tree for a version, made by the server's warm-up (warm.py) before a
    visitor's first run asks for them (0.45 s of CPU at province scale); an account bound to a place still gets
    its own on its first run."""
    place_tree(str(store_root()), ver)


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def periods_by_dataset(root: str, ver: int) -> dict[str, list[str]]:
    return indicators.data_periods(_engine(root), version=ver)


def months(root: str, ver: int) -> list[str]:
    """Every month from the first to the last with data in any monthly dataset."""
    found = periods_by_dataset(root, ver)
    have = sorted({m for k in contract.MONTHLY_DATASETS for m in found[k]})
    return periods.month_axis(have[0], have[-1]) if have else []


@st.cache_data(ttl=TTL, max_entries=1024, show_spinner=False)
def _frame(root: str, ver: int, dataset: str, view: View, by: str, day: str) -> pd.DataFrame:
    return indicators.query(_engine(root), dataset, view, by=by, version=ver, today=dt.date.fromisoformat(day))


def indicator_frame(dataset: str, view: View, by: str) -> pd.DataFrame:
    root, ver = store_key()
    return _frame(root, ver, dataset, view, by, _today())


def headline(dataset: str, view: View) -> dict:
    """The KPI cards' figures: each headline indicator for the view and its 环比/同比 windows."""
    root, ver = store_key()
    return _headline(root, ver, dataset, view, _today())


# the cards' figures, worked out of the cached frame once per view date, not on every rerun (issue 14)
@st.cache_data(ttl=TTL, max_entries=1024, show_spinner=False)
def _headline(root: str, ver: int, dataset: str, view: View, day: str) -> dict:
    df = _frame(root, ver, dataset, view, "place", day)
    return indicators.headline_of(dataset, df, view, periods_by_dataset(root, ver)[dataset])


@st.cache_data(ttl=TTL, max_entries=512, show_spinner=False)
def _breakdown(root: str, ver: int, dataset: str, view: View, dimension: str, day: str) -> pd.DataFrame:
    today = dt.date.fromisoformat(day)
    if dimension == "deadline":
        return breakdowns.deadline(_engine(root), view, version=ver, today=today)
    return breakdowns.by_dimension(_engine(root), dataset, view, dimension, version=ver, today=today)


def breakdown(dataset: str, view: View, dimension: str) -> pd.DataFrame:
    root, ver = store_key()
    return _breakdown(root, ver, dataset, view, dimension, _today())


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def _search_index(root: str, ver: int) -> list:
    from governance.core import search

    regions = places(root, ver)  # the account's own tree: a bound account cannot find a place outside it
    names = regions.set_index("region_code")["name"]
    return search.index(zip(regions["region_code"], regions["name"], regions["level"],
                            regions["parent_code"].map(names)))


def find_places(query: str, limit: int = 8) -> list:
    """Places the account may see whose name, or its pinyin (initials or syllables), matches the query."""
    from governance.core import search

    return search.find(_search_index(*store_key()), query, limit)


@st.cache_data(ttl=TTL, max_entries=256, show_spinner=False)
def _cases(root: str, ver: int, kind: str, view: View, day: str, unrectified_only: bool) -> pd.DataFrame:
    return cases.cases(_engine(root), kind, view, version=ver, today=dt.date.fromisoformat(day),
                       unrectified_only=unrectified_only)


def case_list(kind: str, view: View, *, unrectified_only: bool = False) -> pd.DataFrame:
    """The cases behind a figure (明细穿透), read on the view date through the account's scoped engine: a place
    outside the account's own gives no rows, whatever code a link or a widget asks for."""
    root, ver = store_key()
    return _cases(root, ver, kind, view, _today(), unrectified_only)


@st.cache_data(ttl=TTL, max_entries=256, show_spinner=False)
def _by_stage(root: str, ver: int, dataset: str, view: View, day: str) -> pd.DataFrame:
    return stages.by_stage(_engine(root), dataset, view, version=ver, today=dt.date.fromisoformat(day))


def stage_breakdown(dataset: str, view: View) -> pd.DataFrame:
    """村改居: the dataset's indicators per transition stage (and the places not in transition), then the whole."""
    root, ver = store_key()
    return _by_stage(root, ver, dataset, view, _today())


@st.cache_data(ttl=TTL, max_entries=256, show_spinner=False)
def _stage_counts(root: str, ver: int, region: str | None) -> dict[str, int]:
    return stages.place_counts(places(root, ver), region)


def stage_counts(region: str | None) -> dict[str, int]:
    """村改居: villages and communities under the place per group, counted once per store version and place (the
    overview asked four times a run; at national scale each count read a copy of 517k regions)."""
    return _stage_counts(*store_key(), region)


@st.cache_data(ttl=TTL, max_entries=256, show_spinner=False)
def _branch_list(root: str, ver: int, region: str, end: str, weak_only: bool, day: str) -> pd.DataFrame:
    df = breakdowns.branches(_engine(root), View(region, end, end), weak_only=weak_only, version=ver,
                             today=dt.date.fromisoformat(day))
    df["period"] = df.attrs.get("period")
    return df


def branch_list(region: str, end: str, weak_only: bool = False) -> pd.DataFrame:
    root, ver = store_key()
    return _branch_list(root, ver, region, end, weak_only, _today())


@st.cache_data(ttl=TTL, max_entries=256, show_spinner=False)
def _attention(root: str, ver: int, region: str, end: str, day: str) -> pd.DataFrame:
    return attention.needs_attention(_engine(root), region, end, version=ver, today=dt.date.fromisoformat(day))


def needs_attention(region: str, end: str) -> pd.DataFrame:
    root, ver = store_key()
    return _attention(root, ver, region, end, _today())


@st.cache_data(ttl=TTL, max_entries=256, show_spinner=False)
def _peer_ranks(root: str, ver: int, dataset: str, place: str, parent: View, day: str) -> list[peers.PeerRank]:
    # `root` is the unscoped store: the peers' rows are read here and only `place`'s ranks leave this function
    df = indicators.query(_engine(root), dataset, parent, by="child", version=ver, today=dt.date.fromisoformat(day))
    return peers.ranks(df[df["window_name"] == "current"], dataset, place)


def peer_ranks(dataset: str, view: View) -> tuple[str, list[peers.PeerRank]] | None:
    """(the peers' level, the bound place's ranks among them) when the setting allows it and the view is the
    account's own place; None otherwise (and always for an account that sees the whole store)."""
    home = scope_region()
    if not settings.peer_rank() or not home or view.region != home:
        return None
    root, ver = store_key()
    root = root.partition(SCOPE_MARK)[0]
    tree = places(root, ver)
    row = tree[tree["region_code"] == home]
    if row.empty or not row["parent_code"].iloc[0]:
        return None
    return str(row["level"].iloc[0]), _peer_ranks(root, ver, dataset, home, view.at(str(row["parent_code"].iloc[0])),
                                                   _today())


@st.cache_data(ttl=TTL, max_entries=32, show_spinner=False)
def _pack(root: str, ver: int, region: str, month: str, day: str) -> briefing.Pack:
    return briefing.build(_engine(root), region, month, version=ver, today=dt.date.fromisoformat(day), render=False)


def briefing_pack(region: str, month: str) -> briefing.Pack:
    """The briefing's content for a place and month (charts not yet drawn); raises NoDataError."""
    root, ver = store_key()
    return _pack(root, ver, region, month, _today())


PACKS_KEPT = 4  # made packs (a few MB each) kept per server


@st.cache_resource
def _made_packs() -> tuple[threading.Lock, OrderedDict]:
    # Not st.cache_data: the pack is made while the page shows each step, and a cached function may not
    # draw into the page (Streamlit would try to replay those elements). Keyed like every cached read.
    return threading.Lock(), OrderedDict()


def briefing_files_all(region: str, month: str, progress=None) -> dict[str, tuple[str, bytes]]:
    """Every briefing format for a place and month from one render of the charts ({kind: (name, bytes)}),
    made once per store version, scope and view date; progress(step, done, total) is told each step."""
    root, ver = store_key()
    key = (root, ver, region, month, _today())
    lock, made = _made_packs()
    with lock:
        if key in made:
            made.move_to_end(key)
            return made[key]
    files = briefing_files.make_all(_pack(*key), progress)
    with lock:
        made[key] = files
        while len(made) > PACKS_KEPT:
            made.popitem(last=False)
    return files


def export_key(region: str, month: str) -> tuple:
    """What a made briefing file depends on: a button is 'ready' while this stays the same."""
    return (*store_key(), region, month, _today())


def loaded_on(dataset: str) -> dt.date | None:
    """When the dataset's current data was loaded (a chart image's stamp)."""
    return briefing.as_of(engine().store.manifest(version()), [dataset])


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def _submissions(root: str, ver, places: tuple[str, ...], month: str) -> pd.DataFrame:
    eng = _engine(root)
    history = {key: eng.store.history(key) for key in contract.FACT_DATASETS}
    return submissions.tracker(eng, list(places), month, history, version=ver)


def tracked_places(regions: pd.DataFrame, home: str) -> list[str]:
    """Whose ledgers are expected: the places accounts are bound to under home, else the places one level down."""
    from governance.web import auth

    lo, hi = View(home, "2000-01", "2000-01").code_range
    known = set(regions["region_code"])
    bound = [c for c in auth.bound_places() if c in known and lo <= int(c) <= hi and c != home]
    if bound:
        return bound
    return sorted(regions.loc[regions["parent_code"] == home, "region_code"]) or [home]


def submission_status(places: list[str], month: str) -> pd.DataFrame:
    """Per dataset and place: latest period, sent for `month` or not, villages missing, the last upload."""
    root, ver = store_key()
    return _submissions(root, ver, tuple(places), month)


# ---- writing and the log, limited to the account's place ------------------------------------------------

def upload(dataset: str, data: bytes, filename: str, *, sheet: str | None = None, scope: str | None = None,
           who: str | None = None, dry_run: bool = False) -> Report:
    """Check (and unless dry_run commit) an upload; a bound account's rows and scope stay inside its place."""
    return ingest(engine().store, dataset, data, filename, sheet=sheet, dry_run=dry_run, scope=scope or None,
                  who=who, within=scope_region())


def history(dataset: str) -> list[dict]:
    """The dataset's commits, newest first; a bound account sees those whose scope reaches its place."""
    rows = engine().store.history(dataset)
    region = scope_region()
    if region:
        rows = [r for r in rows if scopes.overlaps(tuple(r.get("scope") or scopes.EVERYWHERE), [region])]
    return rows


def log_damage(dataset: str) -> str | None:
    """The damage message when the dataset's commit log cannot be read (its history is then unknown, not empty)."""
    return engine().store.log_damage(dataset)


def restore(dataset: str, period: str, version: int, scope: str | None, who: str):
    """Bring back an earlier state of a period within a scope; a bound account's scope is at most its place."""
    region = scope_region()
    if region:
        scope = scope or region
        lo, hi = scopes.code_range(region)
        slo, shi = scopes.code_range(scope)
        if not (lo <= slo and shi <= hi):
            raise StoreError(f"范围 {scope} 超出您的账号所辖范围 {region} (scope wider than the account's place)")
    return engine().store.restore(dataset, period, version, scope=[scope] if scope else None, who=who)


def indicator_help(ind: contract.Indicator) -> str:
    from governance.core import targets

    better = {True: "越高越好", False: "越低越好", None: "规模指标"}[ind.higher_is_better]
    target = targets.target_for(ind.dataset, ind.key).text(ind)
    return (f"**{ind.zh}** ({ind.en})  \n{ind.definition_zh}  \n公式：{ind.formula_zh}  \n单位：{ind.unit}；{better}"
            + (f"；目标 {target}" if target else ""))


# ---- boundaries (the map's shapes), limited to the account's place -----------------------------------------

# shared, not copied per call: a county's shapes are megabytes (issue 14); read them, never change them
@st.cache_resource(ttl=TTL, max_entries=16, show_spinner=False)
def _boundaries(key: str, bver: int) -> dict[str, dict]:
    from governance.store import boundaries as stored

    root, _, region = key.partition(SCOPE_MARK)
    shapes = stored.read(root, bver)
    if region:  # an account bound to a town gets its town's shapes and nothing else
        lo, hi = scopes.code_range(region)
        shapes = {c: g for c, g in shapes.items() if lo <= int(c) <= hi}
    return shapes


def boundaries_below(region: str) -> tuple[dict[str, dict], str | None]:
    """({code: geometry} of the places one level below `region` that have a shape, why none) for the map.
    The second item is a message when the boundaries cannot be read (damaged), else None."""
    from governance.store import boundaries as stored

    key, ver = store_key()
    try:
        shapes = _boundaries(key, stored.version(str(store_root())))
    except StoreError as e:
        return {}, str(e)
    children = place_tree(key, ver).children.get(region, ())
    return {c: shapes[c] for c in children if c in shapes}, None


def boundaries_version() -> int:
    """The boundaries' own version (they are stored beside the tables): part of a cached map's key."""
    from governance.store import boundaries as stored

    return stored.version(str(store_root()))


def upload_boundaries(data: bytes, filename: str, *, who: str | None, dry_run: bool = False):
    """Check (and unless dry_run commit) a boundaries GeoJSON; only an account over the whole tree may."""
    from governance.ingest import boundaries as boundary_upload

    store = engine().store
    return boundary_upload.upload(store.root, data, filename, store.read("regions"), who=who or "web",
                                  within=scope_region(), dry_run=dry_run)


def may_replace_boundaries() -> bool:
    """Whether this account may upload or restore the boundaries: only one over the whole tree (like regions)."""
    from governance.ingest import boundaries as boundary_upload

    return boundary_upload.is_top_account(engine().store.read("regions"), scope_region())


def boundaries_history() -> list[dict]:
    from governance.store import boundaries as stored

    return stored.history(str(store_root()))


def restore_boundaries(version: int, who: str) -> int:
    from governance.ingest import boundaries as boundary_upload
    from governance.store import boundaries as stored

    if not boundary_upload.is_top_account(engine().store.read("regions"), scope_region()):
        raise StoreError("行政区划边界只能由最高一级的账号恢复 (only an account over the whole tree)")
    return stored.restore(str(store_root()), version, who)
