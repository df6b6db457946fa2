"""The filters every dashboard page shares: place, months, comparison, language.

Every dashboard page draws them first thing. Streamlit forgets a widget's
value on a page that does not draw it, so each value is also kept under a
"keep_" key that outlives page changes, and they are mirrored in the URL
(?region=...&from=...&to=...&cmp=...&lang=...) so a shared link opens the
same view. Drill-down (a click on a ranking bar, or a pick from a list) asks
for a new place through ``drill``; the place widgets take it on the next run,
because a widget's value cannot change after it is drawn.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from governance.core import contract, periods, settings
from governance.core.text import md_escape
from governance.metrics.indicators import View
from governance.web import app_data
from governance.web.i18n import t

ALL = ""
# One place picker per level below home, top first: two under a county, four under a province. The first two
# keep their county-era names (links, tests and other pages name them).
PICKERS = ("f_town", "f_village", "f_level3", "f_level4", "f_level5")
KEPT = ("lang", *PICKERS, "f_cmp", "f_day")
COMPARE = {"mom": ("环比（上期）", "vs previous period"), "yoy": ("同比（去年同期）", "vs same period last year")}
# The sidebar's choices read the same in both languages: a widget whose option labels change
# under it comes back with nothing selected in the browser on the run that switches language.
CHOICE_LABEL = {"mom": "环比 MoM", "yoy": "同比 YoY"}


@dataclass(frozen=True)
class Filters:
    region: str  # 12-digit code of the place in view
    name: str
    level: str  # county / town / village (or city / province above a county)
    child_level: str | None
    home: str
    start: str
    end: str
    compare: str  # mom | yoy
    months: tuple[str, ...]
    day: dt.date | None = None  # the view date: figures are read as they stood on it

    @property
    def label(self) -> str:
        text = f"{self.name} · {periods.range_label_zh(self.start, self.end)}"
        return text + (f" · 数据截至{self.day.year}年{self.day.month}月{self.day.day}日" if self.day else "")

    @property
    def view(self) -> View:
        """The place and months in view, handed whole to app_data and on to the SQL."""
        return View(self.region, self.start, self.end)

    @property
    def compare_zh(self) -> str:
        return COMPARE[self.compare][0]


def go_to(code: str) -> None:
    """Go to a place from a widget's callback (on_click, on_change, on_select): callbacks run before the
    script, so the pickers take the place in this same run; a drill is one run, not two."""
    st.session_state["drill_to"] = code


def drill(code: str) -> None:
    """Go to a place from a page's body (the pickers are drawn already): on a second run. Prefer go_to."""
    go_to(code)
    st.rerun()


def _apply_drill(tree, home: str) -> None:
    code = st.session_state.pop("drill_to", None)
    if not code or code not in tree.names:
        return
    chain = [code]
    while chain[-1] != home and tree.parent.get(chain[-1]):
        chain.append(tree.parent[chain[-1]])
    chain = chain[::-1][1:]  # below home, top first
    for i, key in enumerate(PICKERS):
        st.session_state[key] = chain[i] if i < len(chain) else ALL


def _set_months(value: tuple[str, str]) -> None:
    # A range slider is only a range if drawn with a range `value`; a value set through
    # session state would turn it into a one-month slider. So the months live in
    # view_months, and the slider is drawn afresh (a new key) whenever code sets them.
    st.session_state["view_months"] = value
    st.session_state["months_epoch"] = st.session_state.get("months_epoch", 0) + 1


def _from_url(tree, months: list[str]) -> None:
    """On a session's first run, take the view from the link it was opened with."""
    if st.session_state.get("filters_ready"):
        return
    st.session_state["filters_ready"] = True
    q = st.query_params
    if q.get("region") in tree.names:
        st.session_state["drill_to"] = q["region"]
    start, end = q.get("from"), q.get("to")
    if start in months and end in months and start <= end:
        _set_months((start, end))
    if q.get("cmp") in COMPARE:
        st.session_state["f_cmp"] = q["cmp"]
    if q.get("lang") in ("zh", "en"):
        st.session_state["lang"] = q["lang"]
    try:
        day = dt.date.fromisoformat(q.get("day", ""))
    except ValueError:
        day = None
    if day is not None and day <= settings.today():
        st.session_state["f_day"] = day
        st.session_state[app_data.VIEW_DATE] = day


def page_filters() -> Filters:
    """What a dashboard page starts with: the filters, or a note and a stop when there is no data."""
    from governance.core import targets

    targets.load()
    if targets.load_error:
        st.warning(md_escape(targets.load_error))
    f = sidebar()
    if f is None:
        st.info(t("还没有数据。请在“数据上传”页上传台账，或运行 `python -m governance demo` 生成演示数据。",
                  "No data yet: upload a ledger on the Upload page, or run `python -m governance demo`."))
        st.stop()
    return f


LEVEL_LABEL = {"city": ("市", "City"), "county": ("县(区)", "County"), "town": ("乡镇(街道)", "Town"),
               "village": ("村(社区)", "Village")}


def sidebar() -> Filters | None:
    """Draw the shared filters; None when the store has no data yet."""
    root, ver = app_data.store_key()
    tree = app_data.place_tree(root, ver)
    months = app_data.months(root, ver)
    home = tree.home
    if home is None or not months:
        return None
    # Another page drew the widgets last: they start over there, so put the kept values back.
    page = get_script_run_ctx().page_script_hash
    if st.session_state.get("filters_page") != page:
        st.session_state["filters_page"] = page
        for key in KEPT:
            if f"keep_{key}" in st.session_state:
                st.session_state[key] = st.session_state[f"keep_{key}"]
    _from_url(tree, months)
    _apply_drill(tree, home)
    names = tree.names

    with st.sidebar:
        st.radio("语言 Language", ["zh", "en"], key="lang", horizontal=True,
                 format_func=lambda v: "中文" if v == "zh" else "English")
        st.markdown(f"**{t('查看范围', 'View')}**")
        # A picker per level below home, each listing the places under the one picked above it: towns and
        # villages under a county; cities, counties, towns and villages under a province. An account bound to a
        # town gets its villages only, one bound to a village no picker at all.
        chosen, above, drawn = [], home, 0
        for key in PICKERS:
            kids = tree.children.get(above, ())
            if not kids:
                break
            if st.session_state.get(key) not in (ALL, *kids):
                st.session_state[key] = ALL
            everything = f"{names[home]}（全部 all）" if above == home else "全部 all"
            pick = st.selectbox(t(*LEVEL_LABEL[contract.CHILD_LEVEL[contract.level_of_code(above)]]),
                                [ALL, *kids], key=key,
                                format_func=lambda c, e=everything: e if c == ALL else names.get(c, c))
            drawn += 1
            if pick == ALL:
                break
            chosen.append(pick)
            above = pick
        today = settings.today()
        if not isinstance(st.session_state.get("f_day"), dt.date) or st.session_state["f_day"] > today:
            st.session_state["f_day"] = today
        day = st.date_input(t("查看日期（数据截至当日）", "View date (figures as of)"), key="f_day",
                            max_value=today, format="YYYY-MM-DD",
                            help=t("各项数据按这一天的状态计算；选上月末即可重现上月会议上的数字。",
                                   "Figures as they stood on this day; pick last month's end to reproduce it."))
        st.session_state[app_data.VIEW_DATE] = day
        # months after the view date have no figures yet on that day
        months = [m for m in months if m <= day.isoformat()[:7]] or months[:1]
        kept = st.session_state.get("view_months", (None, None))
        if kept[0] not in months or kept[1] not in months:
            _set_months((months[-1], months[-1]))
        start, end = st.select_slider(t("月份（拖动两端选范围）", "Months"), months,
                                      value=st.session_state["view_months"],
                                      key=f"f_months_{st.session_state.get('months_epoch', 0)}",
                                      format_func=periods.month_label_zh)
        st.session_state["view_months"] = (start, end)
        compare = st.radio(t("对比", "Compare"), list(COMPARE), key="f_cmp", horizontal=True,
                           format_func=CHOICE_LABEL.get)

    for key in KEPT:
        if key in st.session_state:
            st.session_state[f"keep_{key}"] = st.session_state[key]
    for key in PICKERS[drawn:]:  # levels not shown now: a later page must not bring back a stale pick
        st.session_state.pop(f"keep_{key}", None)
    region = chosen[-1] if chosen else home
    level = contract.level_of_code(region)
    f = Filters(region, names.get(region, region), level, contract.CHILD_LEVEL.get(level), home, start, end,
                compare, tuple(months), day)
    st.query_params.update({"region": region, "from": start, "to": end, "cmp": compare,
                            "lang": st.session_state.get("lang", "zh")})
    if day != today:  # today is the default: a link without ?day= stays current
        st.query_params["day"] = day.isoformat()
    elif "day" in st.query_params:
        del st.query_params["day"]
    return f
