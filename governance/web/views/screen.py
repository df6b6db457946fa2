"""The 大屏 page: dark styling, big KPI tiles, a clock and the data's freshness, and slides (the map, then the
briefing's charts) that advance by themselves."""

from __future__ import annotations

import datetime as dt
import time
from html import escape

import plotly.graph_objects as go
import streamlit as st

from governance.charts import figures as charts
from governance.core import contract, periods, settings
from governance.metrics.cards import cards
from governance.web import app_data, ui
from governance.web.filters import Filters
from governance.web.ui import STATUS_ICON

# Sized for a 1920x1080 meeting-room screen (16:9) with no scrollbar: the title bar, three rows of tiles,
# the slide's controls and takeaway, and the slide itself add up to the screen's height.
SLIDE_HEIGHT = 540
CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"] {display: none;}
.stApp, [data-testid="stAppViewContainer"] {background: #0E1117; color: #F2F2F2;}
.block-container {padding: .8rem 1.6rem 0 1.6rem; max-width: 100%;}
[data-testid="stMain"] [data-testid="stVerticalBlock"] {gap: .5rem;}
.screen-title {font-size: 2.1rem; font-weight: 700; color: #F2F2F2; line-height: 1.25; padding-bottom: .9rem;}
.screen-clock {font-size: 1.6rem; font-weight: 700; color: #F2F2F2; text-align: right; padding-bottom: .9rem;}
.screen-status {font-size: 1.05rem; color: #BBBBBB; line-height: 1.3; padding-bottom: 1rem;}
.screen-step {text-align: center; font-size: 1.3rem; color: #BBBBBB; padding-top: .3rem;}
.screen-takeaway {font-size: 1.4rem; color: #F2F2F2; line-height: 1.35; padding-bottom: 1rem;}
.tile {background: #1B2230; border-radius: 12px; padding: .35rem .9rem; min-height: 6.1rem; margin-bottom: 1rem;
       border-left: 10px solid var(--status);}
.tile .name {font-size: 1.1rem; color: #BBBBBB;}
.tile .value {font-size: 2.0rem; font-weight: 700; color: #FFFFFF; line-height: 1.15;}
.tile .delta {font-size: 1.0rem; color: #DDDDDD;}
.stButton button {background: #1B2230; color: #F2F2F2; border: 1px solid #3A4456; min-height: 2.4rem;}
.stButton button p {font-size: 1.2rem;}
.stButton button:hover {background: #2A3446; color: #FFFFFF;}
[data-testid="stMain"] label p {color: #DDDDDD; font-size: 1.1rem;}
[data-testid="stMain"] [data-testid="stSelectbox"] [data-baseweb="select"] div {background: #1B2230; color: #F2F2F2;}
</style>
"""
# Beijing time, ticking in the browser (a server rerun every second would be wasted work for a clock); one timer
# per browser tab, writing into whichever clock element the page shows now
CLOCK = """
<div id="screen-clock" class="screen-clock"></div>
<script>
(() => {
  const zone = "Asia/Shanghai";
  const time = new Intl.DateTimeFormat("zh-CN", {timeZone: zone, hour: "2-digit", minute: "2-digit",
                                                 second: "2-digit", hour12: false});
  const day = new Intl.DateTimeFormat("zh-CN", {timeZone: zone, month: "long", day: "numeric", weekday: "short"});
  const tick = () => { const now = new Date(), el = document.getElementById("screen-clock");
                       if (el) el.textContent = "北京时间 " + day.format(now) + " " + time.format(now); };
  tick();
  if (!window.__screenClock) window.__screenClock = setInterval(tick, 1000);
})();
</script>
"""
INTERVALS = (5, 10, 15, 20, 30, 60, 120)


def style() -> None:
    st.markdown(CSS, unsafe_allow_html=True)


def title_bar(f: Filters) -> tuple[int, bool]:
    """Title, clock, the slides' pace and pause, the way out; under them the view date and the data's freshness.
    Returns (seconds per slide, paused)."""
    title, clock, pause, pace, leave = st.columns([3.2, 1.5, .7, .6, .6], vertical_alignment="center")
    title.markdown(f"<div class='screen-title'>{escape(f.name)} · 党建引领基层治理 · "
                   f"{escape(periods.range_label_zh(f.start, f.end))}</div>", unsafe_allow_html=True)
    with clock:
        st.html(CLOCK.replace("Asia/Shanghai", settings.office_tz().key), unsafe_allow_javascript=True)
    # a click pauses the slides (a question in the meeting), another goes on
    paused = pause.toggle("暂停翻页", key="screen_paused")
    with pace:
        seconds = interval()
    if leave.button("退出大屏", key="screen_exit", width="stretch"):
        st.switch_page("pages/overview.py")
    st.markdown(f"<div class='screen-status'>{escape(freshness_text(f))}</div>", unsafe_allow_html=True)
    ui.damage_notices()
    return seconds, paused


def freshness_text(f: Filters) -> str:
    """The view date and, per dataset, the latest period and when it was loaded."""
    found = app_data.periods_by_dataset(*app_data.store_key())
    parts = []
    for key in contract.FACT_DATASETS:
        latest = found[key][-1] if found[key] else None
        loaded = app_data.loaded_on(key)
        parts.append(f"{contract.dataset(key).zh.replace('事项', '').replace('排查化解', '')}"
                     f"{'至' + periods.period_label_zh(latest) if latest else '无数据'}"
                     + (f"（{loaded.month}月{loaded.day}日更新）" if loaded else ""))
    day = f.day or settings.today()
    return f"数据截至 {day.year}年{day.month}月{day.day}日 · " + " · ".join(parts)


def tiles(f: Filters) -> None:
    months = periods.months_between(f.start, f.end)
    shown = [c for d in contract.FACT_DATASETS
             for c in cards(d, app_data.headline(d, f.view), compare=f.compare,
                            level=f.level, months=months)
             if c.indicator.kind != "count" or c.target_text]  # 超期未办结/未化解 (target 0) too
    per_row = max(5, -(-len(shown) // 3))
    for row in (shown[i:i + per_row] for i in range(0, len(shown), per_row)):
        for col, card in zip(st.columns(per_row), row):
            color = charts.STATUS_COLOR[card.status]
            col.markdown(
                f"<div class='tile' style='--status:{color}'><div class='name'>"
                f"<span style='color:{color}'>{STATUS_ICON[card.status]}</span> {escape(card.indicator.zh)}</div>"
                f"<div class='value'>{escape(card.value_text())}</div>"
                f"<div class='delta'>{escape(f.compare_zh)} {escape(card.delta_text() or '—')}"
                f"{' · ' + escape(card.status_word()) if card.status is None and card.value is not None else ''}"
                f"</div></div>",
                unsafe_allow_html=True)


def slides(f: Filters) -> list[tuple[go.Figure, str]]:
    """The map first, then the briefing's charts in its order, each with its one-line takeaway."""
    from governance.web.views import briefing as briefing_view

    out = []
    if f.child_level:
        dataset, key = "petitions", ui.opening_indicator("petitions", f)  # the overview's map
        made = ui.map_figure(dataset, contract.dataset(dataset).indicator(key), f, dark=True, height=SLIDE_HEIGHT)
        if made is not None:
            fig = go.Figure(made[0])
            # the figure's title names the place, indicator and unit; its subtitle (click to drill, colour =
            # status) goes: nothing drills on the screen, and the line above says how the places stand
            fig.update_layout(title_text=fig.layout.title.text.split("<br>")[0])
            out.append((_big(fig), map_takeaway(fig, f.child_level)))
    pack = briefing_view.pack(f)
    if pack is not None:
        out += [(_big(go.Figure(c.figure)), c.takeaway) for c in pack.charts]
    return out or [(_big(go.Figure(layout=dict(template=charts.template(dark=True), title="暂无数据"))), "")]


# the map's status words (governance.charts.figures.place_status, maps.choropleth) in the order a count reads
MAP_WORDS = ("达标", "接近", "未达标", "无目标", "样本少", "办理期内", "无数据")


def map_takeaway(fig: go.Figure, child_level: str) -> str:
    """The map slide's line, a finding like the other slides' (not its title again): how many places below
    are on target, near, off, not rated, e.g. "15个乡镇(街道)：达标 8 个、接近 3 个、未达标 4 个"."""
    # one trace of hit points per place, its meta (code, name, figure, status word): governance/charts/maps.py
    word = {t.meta[0]: t.meta[3].split("，")[0] for t in fig.data if t.mode == "markers" and t.meta}
    counts = {w: list(word.values()).count(w) for w in MAP_WORDS}
    level = {"town": "乡镇(街道)", "village": "村(社区)", "county": "县(区)", "city": "市"}.get(child_level, "地区")
    return f"{len(word)}个{level}：" + "、".join(f"{w} {n} 个" for w, n in counts.items() if n)


def _big(fig: go.Figure) -> go.Figure:
    fig.update_layout(template=charts.template(dark=True, scale=1.5), height=SLIDE_HEIGHT)
    return fig


def interval() -> int:
    """Seconds per slide: the page's picker, starting from the GOVERNANCE_SCREEN_SECONDS setting (20)."""
    default = settings.screen_seconds()
    options = sorted({*INTERVALS, default})
    if st.session_state.get("screen_interval") not in options:
        st.session_state["screen_interval"] = default
    return st.selectbox("每张停留", options, key="screen_interval", format_func=lambda s: f"{s} 秒",
                        label_visibility="collapsed")


def player(f: Filters, seconds: int, paused: bool) -> None:
    """The slide in view and its controls; runs again every `seconds` (unless paused) to move on by itself."""
    shown = slides(f)

    @st.fragment(run_every=None if paused else seconds)
    def show() -> None:
        now = time.monotonic()
        step = st.session_state.setdefault("screen_step", 0) % len(shown)
        since = st.session_state.setdefault("screen_since", now)
        if not paused and now - since >= seconds - 0.5:  # a timer run (not a click or a first draw): move on
            step = (step + 1) % len(shown)
            st.session_state["screen_since"] = now
        st.session_state["screen_step"] = step
        prev, where, nxt = st.columns([1, 4, 1])
        prev.button("◀ 上一张", key="screen_prev", width="stretch", on_click=_go, args=(-1, len(shown)))
        nxt.button("下一张 ▶", key="screen_next", width="stretch", on_click=_go, args=(1, len(shown)))
        where.markdown(f"<div class='screen-step'>{step + 1} / {len(shown)}"
                       f"{' · 已暂停' if paused else f' · 每 {seconds} 秒自动翻页'}</div>", unsafe_allow_html=True)
        figure, takeaway = shown[step]
        st.markdown(f"<div class='screen-takeaway'>{escape(takeaway)}</div>", unsafe_allow_html=True)
        ui.chart(figure, f"screen_chart_{step}", filename=f"大屏_{step + 1}")

    show()


def _go(delta: int, count: int) -> None:
    """◀ / ▶ (a callback, before the slide is drawn again); the slide then stays its full interval."""
    st.session_state["screen_step"] = (st.session_state.get("screen_step", 0) + delta) % count
    st.session_state["screen_since"] = time.monotonic()
