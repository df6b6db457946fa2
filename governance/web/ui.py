"""Pieces the dashboard pages are made of: KPI cards, charts with their tables, drill-down.

Pages stay short top-to-bottom scripts; anything two pages draw alike lives here.
"""

from __future__ import annotations

from html import escape

import pandas as pd
import streamlit as st

from governance.charts import figures as charts
from governance.charts import images, sparkline
from governance.core import contract, formatting, periods, settings, targets
from governance.core.ranking import UNRANKED as UNRANKED_WHY
from governance.core.text import md_escape, plotly_escape
from governance.metrics.cards import cards
from governance.web import app_data, exports, memo
from governance.web.filters import Filters, go_to
from governance.web.i18n import dataset_name, lang, name, t

# Shape and word as well as colour, for colour-blind readers; glyphs the CJK font has (no emoji font needed).
STATUS_ICON = {"green": "●", "amber": "▲", "red": "✕", None: "○"}
STATUS_MD_COLOR = {"green": "green", "amber": "orange", "red": "red", None: "gray"}
EMPTY_HINT = ("所选地区和月份没有{what}数据。可换一个月份，或在“数据上传”页上传{what}台账（模板可在该页下载）。",
              "No {what} data for this place and these months. Pick other months, or upload the ledger "
              "on the Upload page (templates are there).")


def chart(fig, key: str, *, filename: str = "chart", stamp: tuple[str, str, str] | None = None,
          still: tuple[str | None, str | None] | None = None, **kwargs):
    """Draw a figure with our own template (not Streamlit's theme), so the screen and the exported
    images look the same. With a stamp (place, months, dataset), a button under it saves the
    server-drawn 16:9 PNG with the place, months and as-of date on it, made only when pressed, the
    pack's look. The image's title names the place and the months (a page leaves them to its filters);
    still = (title, subtitle), plain text, replaces the figure's for the image, e.g. without a
    "click a bar" hint, which means nothing on a slide."""
    config = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "width": 1600, "height": 900,
                                                             "scale": 2, "filename": filename}}
    event = st.plotly_chart(fig, key=key, theme=None, config=config, **kwargs)
    if stamp:
        place, months, dataset = stamp
        as_of = app_data.loaded_on(dataset)
        title, subtitle = still or (None, None)
        title = images.slide_title(fig.layout.title.text if title is None else plotly_escape(title), place, months)
        subtitle = None if subtitle is None else plotly_escape(subtitle)
        st.download_button(t("下载图片 (PNG)", "Download PNG"),
                           lambda: images.chart_png(fig, place=place, months=months, as_of=as_of, title=title,
                                                    subtitle=subtitle),
                           f"{filename}.png", "image/png", key=f"{key}_png", on_click="ignore", type="tertiary",
                           icon=":material/image:")
    return event


def status_text(status: str | None) -> str:
    """Markdown: a coloured shape and the word, e.g. ':red[✕ 未达标]'."""
    return f":{STATUS_MD_COLOR[status]}[{STATUS_ICON[status]} {t(targets.STATUS_ZH[status], targets.STATUS_EN[status])}]"


def card_caption(card) -> str:
    """Under a card: its target and status, or why it is not coloured (办理期内, 样本少, 预评), or 无数据."""
    if card.value is None:
        if card.base == 0:
            return t("无件，比率为空", "no cases: no rate")
        return t("无数据", "no data")
    target = f"{t('目标', 'Target')} {card.target_text}" if card.target_text else t("无目标值", "no target")
    notes = []
    if card.note and card.note[0] != "预评":
        notes.append(card.note)
    if card.early:
        notes.append(("预评", "rated in advance"))
    if notes:
        why = " · ".join(t(*n) for n in notes)
        if card.small:
            why += f"（{formatting.count(card.base)}{card.indicator.base_unit}）" if lang() == "zh" else f" ({card.base})"
        extra = {"办理期内": t("（尚有件未到期限，不评达标，见超期未办结/未化解）", " (cases not yet due: not rated)"),
                 "样本少": t("（不足{n}{unit}，不评达标）", " (under {n} cases: not rated)")}
        # in the base's own unit: a village's 4 grids are 不足5个, not 不足5件
        hint = "".join(extra.get(n[0], "") for n in notes).format(n=settings.small_base(), unit=card.indicator.base_unit)
        return f":gray[◌ {why}]{hint} · {target}" if card.status is None else f"{why} · {target} · {status_text(card.status)}"
    return f"{target} · {status_text(card.status)}" if card.target_text else target


def header(title_zh: str, title_en: str, f: Filters) -> None:
    from governance.web.views import cases as cases_view

    st.title(t(title_zh, title_en))
    st.caption(f"{md_escape(f.label)} · {t('对比：', 'compared ')}{t(*_compare(f))}")
    st.session_state[VIEW_LABEL] = f.label
    cases_view.serve(f)  # the cases behind a figure, when a card, a ranking or a table cell asked for them
    from governance.web.views import search as search_view

    search_view.box()  # find a place by name or pinyin initials, in the sidebar


def _compare(f: Filters) -> tuple[str, str]:
    from governance.web.filters import COMPARE

    return COMPARE[f.compare]


def empty(dataset: str) -> None:
    if app_data.damaged().get(dataset):
        # the page already shows the damage message and its rollback (kpi_cards, damage_notices): "no data,
        # please upload" would contradict it, and a re-upload does not mend another month's file
        st.caption(t("数据文件损坏，此处暂不显示（见上方提示）。", "Damaged files: not shown here (see the message above)."))
        return
    what = dataset_name(dataset)
    st.info(t(EMPTY_HINT[0], EMPTY_HINT[1]).format(what=what))


def damage_notices() -> None:
    """The damage message of every dataset whose files are damaged in this run's version, on the pages that
    read several datasets without their cards (a damaged dataset reads as empty: never let it pass as zero)."""
    for message in app_data.damaged().values():
        st.error(message, icon=":material/broken_image:")


def kpi_cards(dataset: str, f: Filters, keys: list[str] | None = None) -> dict:
    """Value, change against the comparison period, target and status for each headline indicator."""
    damaged = app_data.damaged().get(dataset)
    if damaged:
        st.error(damaged, icon=":material/broken_image:")
    figures = app_data.headline(dataset, f.view)
    spark = app_data.indicator_frame(dataset, f.view.year_to_end, "month")
    shown = cards(dataset, figures, compare=f.compare, level=f.level,
                  months=periods.months_between(f.start, f.end), keys=keys)
    per_row = 4 if len(shown) > 4 else len(shown)
    cols = [c for i in range(0, len(shown), per_row) for c in st.columns(per_row)]
    for col, card in zip(cols, shown):
        ind = card.indicator
        line = spark[ind.key].dropna().tolist() if ind.key in spark and ind.kind != "distribution" else None
        shown_delta = t("对比期无数据", "no data to compare") if card.compare_missing else card.delta_text(lang())
        with col.container(border=True):
            st.metric(
                name(ind),
                formatting.value(card.value, ind, lang()),  # the base goes in the caption: a card cuts long values
                shown_delta,
                # no comparison, or no change (对比期无数据, 持平): grey, not the green of a gain
                delta_color="off" if ind.higher_is_better is None or card.compare_missing or card.delta is None
                or abs(card.delta) < 0.0005 else ("normal" if ind.higher_is_better else "inverse"),
                delta_arrow="off" if card.delta is None or abs(card.delta) < 0.0005 else "auto",
                delta_description=t(*_compare(f)).split("（")[0],
                help=app_data.indicator_help(ind),
            )
            # the last twelve months as a picture, not st.metric's Vega chart (a Vega view per card: issue 14)
            picture = sparkline.svg(line or [], sparkline.colour(
                None if card.compare_missing else card.delta, ind.higher_is_better))
            if picture:
                st.image(picture, width="stretch")
            st.caption(card_caption(card))
            if card.value:  # a count with cases behind it (超期未办结, 软弱涣散…): list them
                from governance.web.views import cases as cases_view

                cases_view.card_button(dataset, ind.key, f)
    return figures


LEVEL_PEERS = {"town": ("乡镇(街道)", "towns"), "village": ("村(社区)", "villages"), "county": ("县(区)", "counties"),
               "city": ("市", "cities")}


def peer_line(dataset: str, f: Filters) -> None:
    """Where the account's own place stands among its peers, rank only (a setting, off by default): the ranked
    indicators first ("按期办结率 并列第1/15"), then those not ranked, grouped by why ("办结率、一次性化解率
    办理期内，不排名"). Each part is kept whole on a line (a phone broke "未排名" in two)."""
    found = app_data.peer_ranks(dataset, f.view)
    if not found or not found[1]:
        return
    level, ranks = found
    peers_zh, peers_en = LEVEL_PEERS.get(level, ("同级地区", "peers"))
    parts = [t(f"{name(r.indicator)} {'并列' if r.tied else ''}第{r.rank}/{r.ranked}",
               f"{name(r.indicator)} {'tied ' if r.tied else ''}{r.rank} of {r.ranked}") for r in ranks if r.rank]
    for why in dict.fromkeys(r.unranked for r in ranks if not r.rank):
        why_zh, why_en = UNRANKED_WHY.get(why, ("", ""))
        names = [name(r.indicator) for r in ranks if not r.rank and r.unranked == why]
        parts.append(t(f"{'、'.join(names)} {why_zh}，不排名", f"{', '.join(names)}: {why_en}, not ranked"))
    # the parts are our indicator names and numbers (no uploaded text); inline-block keeps each whole
    whole = [f"<span style='display:inline-block'>{escape(p)}</span>" for p in parts]
    st.caption(t(f"在同级 {ranks[0].peers} 个{peers_zh}中的名次：", f"Rank among {ranks[0].peers} {peers_en}: ")
               + " · ".join(whole), unsafe_allow_html=True,
               help=t("只显示本地的名次，不显示其他地区的名称和数字；名次与上级看到的排名一致（样本少、办理期内的指标不排名），"
                      "数字相同的并列。",
                      "Your place's rank only, never another place's name or figure; the same order as the ranking "
                      "your superiors see (too few cases or still in progress: not ranked); equal figures tie."))


def dataset_page(dataset: str, title_zh: str, title_en: str, f: Filters, keys: list[str] | None = None) -> dict:
    """The opening every dataset page shares: title, the way back up, the KPI cards; the page stops here,
    with a hint, when the months in view have no data. Returns the cards' figures."""
    header(title_zh, title_en, f)
    up_button(f)
    figures = kpi_cards(dataset, f, keys)
    peer_line(dataset, f)
    early = contract.dataset(dataset).is_rating and figures.get("early")  # a rating shown as 预评
    if not has_data(f, dataset) and not early:
        empty(dataset)
        st.stop()
    return figures


def has_data(f: Filters, dataset: str) -> bool:
    """Whether the dataset has any data for the months in view (anywhere: a village without
    cases this month has zeros, not missing data)."""
    if dataset in app_data.damaged():
        return False
    found = app_data.periods_by_dataset(*app_data.store_key())[dataset]
    if contract.dataset(dataset).is_rating:
        return bool(periods.ratings_ended_by(found, f.end))
    return any(f.start <= m <= f.end for m in found)


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:,}" if isinstance(value, int) else str(value)


def shown_table(df: pd.DataFrame):
    """A table as the page shows it: an empty cell reads "—" (a rate with no base), never None or nan.

    A Styler, so the columns keep their numbers: a column of rates with a "—" in it would otherwise become
    text (Arrow cannot hold both), and sorting it in the browser would put 100 before 75.
    """
    return df.style.format(_cell, na_rep="—")


VIEW_LABEL = "_view_label"  # the page's place, months and view date (header() keeps it): an .xlsx's title row
# A Styler formats every cell in Python on every run: for a province's villages (the grid page's table) that
# was a third of the page's CPU. A longer table with no missing cell has no "—" to write: the browser formats it.
STYLED_ROWS = 1000


def table_download(df: pd.DataFrame, filename: str, key: str, title: str | None = None) -> None:
    """The table behind a chart, as .xlsx (a title row naming what, where, which months and on which day) and as
    a CSV that opens cleanly in Chinese Excel."""
    stem = filename.rsplit(".", 1)[0]
    title = title or " · ".join(x for x in (stem, st.session_state.get(VIEW_LABEL, "")) if x)
    # The grid is drawn once the expander is opened: Streamlit draws a closed expander's content all the same, and
    # a page's five tables cost a page change 0.1-0.15 s in the browser (issue 14); opening reruns the page (or
    # the fragment it is in). The downloads stay: buttons are cheap.
    box = st.expander(t("数据表", "Data table"), key=f"{key}_table", on_change="rerun")
    with box:
        if not box.open:
            pass
        elif len(df) > STYLED_ROWS and not df.isna().to_numpy().any():
            st.dataframe(df, hide_index=True, width="stretch", column_config={
                c: st.column_config.NumberColumn(format="localized") for c in df.select_dtypes("number").columns})
        else:
            st.dataframe(shown_table(df), hide_index=True, width="stretch")
        c1, c2, _ = st.columns([1, 1, 3])
        c1.download_button(t("下载 Excel", "Download .xlsx"), lambda: exports.xlsx_bytes(df, title), f"{stem}.xlsx",
                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
                           on_click="ignore", icon=":material/table:")
        # made when pressed, not on every run (a province's tables have thousands of rows)
        c2.download_button(t("下载 CSV", "Download CSV"), lambda: exports.csv_bytes(df), filename, "text/csv", key=key,
                           on_click="ignore")


def downloads(df: pd.DataFrame, stem: str, title: str, key: str) -> None:
    """A table as .xlsx (a title row naming place, months and view date; Chinese headers; frozen header; number
    formats) and as CSV, side by side."""
    c1, c2, _ = st.columns([1, 1, 3])
    c1.download_button(t("下载 Excel", "Download .xlsx"), lambda: exports.xlsx_bytes(df, title), f"{stem}.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
                       on_click="ignore", icon=":material/table:")
    c2.download_button(t("下载 CSV", "Download CSV"), exports.csv_bytes(df), f"{stem}.csv", "text/csv",
                       key=f"{key}_csv", on_click="ignore")


# What a page opens on when its main rate is still 办理期内: read the same every day, with a target, and telling
# places apart (按期办结率, the other petitions rate read the same every day, is green nearly everywhere)
READABLE = {"petitions": "repeat_rate", "disputes": "escalation_rate"}


def opening_indicator(dataset: str, f: Filters) -> str:
    """The indicator a dataset page (its trend, ranking and map), the overview's map and the 大屏's open on: the
    dataset's first headline rate, unless it waits on cases to finish and is still 办理期内 for the view (the
    latest month, where every page opens): then every place would be grey, so READABLE's instead (SPEC
    "Reading figures on a given day")."""
    main = next(i for i in contract.dataset(dataset).indicators if i.headline and i.kind == "rate")
    if not main.matures or app_data.headline(dataset, f.view)["mature"]["current"]:
        return main.key
    return READABLE[dataset]


def indicator_picker(dataset: str, key: str, f: Filters | None = None) -> contract.Indicator:
    ds = contract.dataset(dataset)
    options = [i.key for i in ds.indicators if i.kind in ("rate", "mean")]
    default = opening_indicator(dataset, f) if f else next(i.key for i in ds.indicators if i.headline and i.is_rate)
    if st.session_state.get(key) not in options:
        st.session_state[key] = default
    chosen = st.selectbox(t("指标", "Indicator"), options, key=key, format_func=lambda k: name(ds.indicator(k)))
    return ds.indicator(chosen)


def trend(dataset: str, ind: contract.Indicator, f: Filters, key: str) -> None:
    parts = memo.made(_trend_parts, dataset, ind.key, f)
    if parts is None:
        empty(dataset)
        return
    fig, table, start = parts
    chart(fig, f"{key}_chart", filename=f"{dataset}_{ind.key}_趋势", stamp=(f.name, _months_text(start, f.end), dataset))
    table_download(table, f"{dataset}_{ind.key}_趋势.csv", f"{key}_csv")


def _trend_parts(dataset: str, key: str, f: Filters):
    """The trend's figure and table (made once per view and store version: governance/web/memo.py)."""
    ind = contract.dataset(dataset).indicator(key)
    span = f.view.trend_span
    df = app_data.indicator_frame(dataset, span, "month")
    if df.empty:
        return None
    if contract.dataset(dataset).is_rating:
        df = df.assign(month=[periods.period_label_zh(p) for p in df["month"]])
        what = t("各评定周期", " by rating period")
    else:
        # every month on the axis, so a month without cases is a gap, not a month skipped
        df = df.set_index("month").reindex(periods.month_axis(span.start, span.end)).rename_axis("month").reset_index()
        if ind.kind == "count":
            df[ind.key] = df[ind.key].fillna(0)
        what = t("月度趋势", " by month")
    hollow = t("；空心点为办理期内（尚有件未到期限）", "; hollow: cases not yet due") if ind.matures else ""
    fig = charts.trend(df, ind, level=f.level, title=f"{f.name} · {name(ind)}{what}"
                       f"（{charts.axis_unit(ind)}）", subtitle=t("虚线为目标值", "dashed: target") + hollow)
    table = _columns(df, ["month", ind.key, *_base_cols(ind, df), *(["mature"] if ind.matures else [])])
    return fig, table, span.start


def _base_cols(ind: contract.Indicator, df: pd.DataFrame) -> list[str]:
    """The counts a rate rests on, shown beside it in every table (SPEC: every rate shows its base)."""
    return [c for c in (ind.numerator, ind.denominator) if c and c in df and c != ind.key]


def ranking(dataset: str, ind: contract.Indicator, f: Filters, key: str) -> None:
    """Places one level down, by status colour; clicking a bar (or the list below) drills into it."""
    if f.child_level is None:
        st.caption(t("已是村(社区)一级，没有下级排名。", "A village has no places below it."))
        return
    parts = memo.made(_ranking_parts, dataset, ind.key, f)
    if parts is None:
        empty(dataset)
        return
    fig, names, unranked, table, still = parts
    # Drill in the widgets' callbacks, which run before the script: one run per click, not two.
    chart(fig, f"{key}_chart", filename=f"{dataset}_{ind.key}_排名", on_select=lambda: _drill_clicked(f"{key}_chart"),
          selection_mode="points", stamp=(f.name, _months_text(f.start, f.end), dataset), still=still)
    st.selectbox(t("下钻到", "Drill into"), ["", *sorted(names)], key=f"{key}_drill",
                 on_change=_drill_picked, args=(f"{key}_drill",),
                 format_func=lambda c: t("（选择地区）", "(choose a place)") if c == "" else names[c])
    from governance.web.views import cases as cases_view

    cases_view.place_picker(dataset, names, f, f"{key}_cases")  # the row for a place: the cases behind it
    if unranked:
        st.caption(t(f"灰色：不足{settings.small_base()}件或办理期内，列在排名之后，不评达标；“—”为无件。",
                     f"Grey: under {settings.small_base()} cases or not yet due, listed after the ranked places."))
    table_download(table, f"{dataset}_{ind.key}_排名.csv", f"{key}_csv", title=f"{ind.zh}排名 · {f.label}")


def _ranking_parts(dataset: str, key: str, f: Filters):
    """The ranking's figure, the places it lists, whether some are unranked, and its table."""
    ind = contract.dataset(dataset).indicator(key)
    df = app_data.indicator_frame(dataset, f.view, "child")
    df = df[df["window_name"] == "current"]
    if df.empty:
        return None
    from governance.core.ranking import UNRANKED, order

    df = order(df, ind)
    level_zh = {"town": t("乡镇(街道)", "Towns: "), "village": t("村(社区)", "Villages: "),
                "county": t("县(区)", "Counties: "), "city": t("市", "Cities: ")}.get(f.child_level, "")
    fig = charts.ranking(df, ind, level=f.child_level, months=periods.months_between(f.start, f.end), title=f"{level_zh}{name(ind)}{t('排名', ' ranking')}"
                         f"（{charts.axis_unit(ind)}）", subtitle=t("点击条形下钻 · 颜色表示是否达标", "click a bar to drill down"))
    # the image names the place and leaves out the click hint: a slide cannot be clicked
    still = (t(f"{f.name}各{level_zh}{name(ind)}排名（{charts.axis_unit(ind)}）",
               f"{f.name} · {level_zh}{name(ind)} ranking ({charts.axis_unit(ind)})"),
             t("颜色表示是否达标；灰色为样本少或办理期内，不排名", "colour: status against target; grey: not ranked"))
    names = dict(zip(df["place_code"], df["place_name"]))
    table = df.assign(unranked=[t(*UNRANKED[w]) if w else "" for w in df["unranked"]])
    table = _columns(table, ["place_code", "place_name", ind.key, *_base_cols(ind, df), "unranked"])
    return fig, names, bool((~df["ranked"]).any()), table, still


def _drill_clicked(chart_key: str) -> None:
    event = st.session_state.get(chart_key)
    points = (event or {}).get("selection", {}).get("points", []) if isinstance(event, dict) else \
        getattr(getattr(event, "selection", None), "points", [])
    for point in points:  # the first point that names a place (a map's shapes carry none)
        code = point.get("legendgroup") or (point.get("customdata") or [None])[0]
        if code:
            go_to(code)
            return


def _drill_picked(key: str) -> None:
    code = st.session_state.get(key)
    if code:
        st.session_state[key] = ""
        go_to(code)


def trend_and_ranking(dataset: str, f: Filters) -> None:
    """A dataset page's main row: pick an indicator, see its trend and the places below ranked by it."""
    _trend_and_ranking(dataset, f)


@st.fragment
def _trend_and_ranking(dataset: str, f: Filters) -> None:
    # A fragment: picking another indicator reruns this row only, not the page (issue 14).
    if "drill_to" in st.session_state:  # a click on the ranking (its callback set where to go): the page changes
        st.rerun(scope="app")
    ind = indicator_picker(dataset, f"{dataset}_indicator", f)
    left, right = st.columns(2)
    with left:
        trend(dataset, ind, f, f"{dataset}_trend")
    with right:
        ranking(dataset, ind, f, f"{dataset}_rank_{f.region}")
    place_map(dataset, ind, f, f"{dataset}_map_{f.region}", fallback=False)


def map_figure(dataset: str, ind: contract.Indicator, f: Filters, *, dark: bool = False, height: int = 520):
    """(figure, names of the places below without a shape) for the map of the places one level down, or None
    when there are none below or no boundaries (read through the gateway: the account's place only). The 大屏
    shows it as a slide; place_map draws it with click-to-drill."""
    if f.child_level is None or not app_data.boundaries_below(f.region)[0]:
        return None
    # the figure made once per view, store version and boundaries version (governance/web/memo.py)
    return memo.made(_map_parts, dataset, ind.key, f, dark, height, app_data.boundaries_version())


def place_map(dataset: str, ind: contract.Indicator, f: Filters, key: str, *, fallback: bool = True,
              dark: bool = False, height: int = 520) -> None:
    """The places one level down on the map, coloured as in the ranking; a click on a shape drills into it.
    Without boundaries: the ranking (fallback) or, where the ranking is already on the page, a note."""
    if f.child_level is None:
        return
    shapes, problem = app_data.boundaries_below(f.region)
    if not shapes:  # (with shapes, map_figure below always makes a figure)
        st.caption(md_escape(problem) if problem else t(
            "未上传行政区划边界，地图暂不可用" + ("，以下为排名" if fallback else "，见上方排名")
            + "（可在“数据上传”页上传行政区划边界 GeoJSON）。",
            "No boundaries uploaded: no map" + (", the ranking instead." if fallback else "; see the ranking.")))
        if fallback:
            ranking(dataset, ind, f, key)
        return
    fig, without = map_figure(dataset, ind, f, dark=dark, height=height)
    # the drill in the click's callback, as the ranking's: one run per click (a code not in the tree is ignored)
    chart(fig, f"{key}_chart", filename=f"{dataset}_{ind.key}_地图", on_select=lambda: _drill_clicked(f"{key}_chart"),
          selection_mode="points", stamp=None if dark else (f.name, _months_text(f.start, f.end), dataset))
    if without:
        st.caption(t("没有边界、未画出：", "No shape: ") + md_escape("、".join(without)))


def _map_parts(dataset: str, key: str, f: Filters, dark: bool, height: int, boundaries_version: int):
    from governance.charts import maps
    from governance.core.ranking import order

    ind = contract.dataset(dataset).indicator(key)
    shapes, _ = app_data.boundaries_below(f.region)
    df = app_data.indicator_frame(dataset, f.view, "child")
    df = order(df[df["window_name"] == "current"], ind)
    regions = app_data.places(*app_data.store_key())
    below = regions[regions["parent_code"] == f.region]
    # every place below is drawn, a place without figures pale grey (无数据)
    df = below[["region_code", "name"]].rename(columns={"region_code": "place_code", "name": "place_name"}).merge(
        df.drop(columns=["place_name"], errors="ignore"), on="place_code", how="left")
    df["ranked"] = df["ranked"].astype("boolean").fillna(False).astype(bool)
    df["unranked"] = df["unranked"].fillna("empty")
    level_zh = {"town": t("乡镇(街道)", "Towns: "), "village": t("村(社区)", "Villages: "),
                "county": t("县(区)", "Counties: "), "city": t("市", "Cities: ")}.get(f.child_level, "")
    fig = maps.choropleth(df, shapes, ind, level=f.child_level, months=periods.months_between(f.start, f.end),
                          title=f"{f.name} · {level_zh}{name(ind)}{t('地图', ' map')}（{charts.axis_unit(ind)}）",
                          subtitle=t("点击地块下钻 · 颜色表示是否达标", "click a place to drill down"), dark=dark,
                          height=height)
    return fig, below.loc[~below["region_code"].isin(shapes), "name"].tolist()


def _months_text(start: str, end: str) -> str:
    return periods.range_label_zh(start, end)


def up_button(f: Filters) -> None:
    if f.region != f.home:
        tree = app_data.place_tree(*app_data.store_key())
        parent = tree.parent[f.region]
        up = md_escape(tree.names[parent])  # a button label is Markdown; the name is from an upload
        st.button(t(f"↑ 返回 {up}", f"↑ Back to {up}"), key="drill_up", on_click=go_to, args=(parent,))


# the count columns rates rest on that are not indicators themselves
BASE_LABELS = {"closed_on_time": "期限内办结数", "due": "应办结数", "first_attempt": "一次性化解数", "rated": "参评数",
               "satisfied": "满意数", "repeats": "重复信访数", "population": "常住人口", "days_to_close": "办理天数合计",
               "resolved_locally": "就地化解数", "escalated": "上交数", "days_to_resolve": "化解天数合计",
               "grid_workers": "网格员数", "grid_party_orgs": "网格党组织数", "stars_5": "五星支部数",
               "three_plus": "三星及以上支部数", "stars_sum": "星级合计", "rectified": "完成整顿数",
               "tier_good": "好等次数", "tier_rated": "评定等次数"}


def _columns(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """A chart's table with Chinese headers."""
    labels = {"month": "月份", "place_code": "区划代码", "place_name": "名称", "mature": "办理期内",
              "unranked": "不排名原因"}
    labels |= BASE_LABELS
    for ds in contract.FACT_DATASETS:
        for ind in contract.dataset(ds).indicators:
            labels.setdefault(ind.key, f"{ind.zh}({ind.unit})")
    out = df[cols].copy()
    for c in cols:
        ind = next((i for d in contract.FACT_DATASETS for i in contract.dataset(d).indicators if i.key == c), None)
        if ind is not None and ind.unit == "%":
            out[c] = formatting.display(out[c], ind).round(2)
        elif c == "mature":
            out[c] = ["" if m is None or m != m or bool(m) else "是" for m in out[c]]
        elif c in BASE_LABELS or ind is not None and ind.kind == "count":
            out[c] = out[c].astype("Int64")  # counts as whole numbers, never 24.0
    return out.rename(columns=labels)


def breakdown(dataset: str, f: Filters, dimension: str, value: str, title: str, key: str,
              horizontal: bool = False) -> None:
    """A count breakdown (by channel, category, level...) for the place and months in view."""
    parts = memo.made(_breakdown_parts, dataset, f, dimension, value, title, horizontal)
    if parts is None:
        empty(dataset)
        return
    fig, table = parts
    chart(fig, f"{key}_chart", filename=f"{dataset}_{dimension}", stamp=(f.name, _months_text(f.start, f.end), dataset))
    table_download(table, f"{dataset}_{dimension}.csv", f"{key}_csv")


def _breakdown_parts(dataset: str, f: Filters, dimension: str, value: str, title: str, horizontal: bool):
    df = app_data.breakdown(dataset, f.view, dimension)
    if df.empty:
        return None
    # enum values read as their English keys in English; free-text categories stay as written
    label = "value" if lang() == "en" and dimension in ("channel", "resolved_level", "status") else (
        "label" if "label" in df else "value")
    unit = t("件", "cases")
    fig = charts.bars(df, label, value, unit=unit, title=f"{title}（{unit}）", subtitle=f.label,
                      horizontal=horizontal)
    return fig, df.drop(columns=[c for c in ("value", "bucket") if c in df and label != c])
