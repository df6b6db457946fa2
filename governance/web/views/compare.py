"""The compare page: any two places the account may see, every headline indicator with its base and status,
and each indicator's two trends in one chart."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from governance.charts.overlay import overlay
from governance.core import contract, formatting, periods
from governance.metrics import compare
from governance.web import app_data, ui
from governance.web.filters import Filters
from governance.web.i18n import dataset_name, lang, name, t

LEVEL_ZH = {"province": "省", "city": "市", "county": "县(区)", "town": "乡镇(街道)", "village": "村(社区)"}


def _labels(regions: pd.DataFrame) -> dict[str, str]:
    """Each place as the pickers show it: a village with its town (two villages may share a name)."""
    names = regions.set_index("region_code")["name"].to_dict()
    parent = regions.set_index("region_code")["parent_code"].to_dict()
    out = {}
    for code, level in zip(regions["region_code"], regions["level"]):
        text = names[code] if level != "village" else f"{names.get(parent.get(code), '')} · {names[code]}"
        out[code] = f"{text}（{LEVEL_ZH.get(level, level)}）"
    return out


def pickers(f: Filters) -> tuple[str, str, dict[str, str]]:
    """The two places: the view's place and, by default, the place above it (a village against its town's
    figure, which is its villages' sum over sum), or its first place below at the top."""
    regions = app_data.places(*app_data.store_key())  # the account's own tree only
    # the home place and below: the city above a county's store holds the same villages as the county
    regions = regions[regions["region_code"].str.startswith(contract.code_prefix(f.home))]
    labels = _labels(regions)
    codes = list(labels)
    parent = regions.set_index("region_code")["parent_code"].to_dict()
    if st.session_state.get("compare_a") not in labels:
        st.session_state["compare_a"] = f.region if f.region in labels else codes[0]
    if st.session_state.get("compare_b") not in labels:
        a = st.session_state["compare_a"]
        below = [c for c in codes if parent.get(c) == a]
        up = parent.get(a) if a != f.home else None
        st.session_state["compare_b"] = up if up in labels else (below or [c for c in codes if c != a] or codes)[0]
    left, right = st.columns(2)
    a = left.selectbox(t("地区一", "Place 1"), codes, key="compare_a", format_func=labels.get)
    b = right.selectbox(t("地区二", "Place 2"), codes, key="compare_b", format_func=labels.get)
    return a, b, labels


def _cell(card) -> str:
    text = formatting.value(card.value, card.indicator, lang())
    if card.base is not None and card.value is not None:
        text = formatting.with_base(text, card.base, lang(), card.indicator.base_unit)  # every rate shows its base
    return text


def _gap(pair: compare.Pair) -> str:
    if pair.gap is None:
        return "—"
    if pair.indicator.unit == "%":
        return formatting.change(pair.gap, pair.indicator, lang()) or "—"
    return formatting.value(pair.gap, pair.indicator, lang())


def table(dataset: str, a: str, b: str, f: Filters, labels: dict[str, str]) -> pd.DataFrame:
    """One row per headline indicator: each place's figure with its base and its status, and the gap."""
    fa = app_data.headline(dataset, f.view.at(a))
    fb = app_data.headline(dataset, f.view.at(b))
    rows = compare.pairs(dataset, fa, fb, level_a=contract.level_of_code(a), level_b=contract.level_of_code(b),
                         months=periods.months_between(f.start, f.end))
    one, two = f"① {labels[a]}", f"② {labels[b]}"
    return pd.DataFrame({
        t("指标", "Indicator"): [name(p.indicator) for p in rows],
        one: [_cell(p.a) for p in rows],
        f"① {t('状态', 'status')}": [p.a.status_word(lang()) for p in rows],
        two: [_cell(p.b) for p in rows],
        f"② {t('状态', 'status')}": [p.b.status_word(lang()) for p in rows],
        t("差（①−②）", "Gap (1−2)"): [_gap(p) for p in rows],
    })


def _series(dataset: str, view) -> pd.DataFrame:
    df = app_data.indicator_frame(dataset, view, "month")
    if contract.dataset(dataset).is_rating:
        return df.assign(month=[periods.period_label_zh(p) for p in df["month"]])
    return df.set_index("month").reindex(periods.month_axis(view.start, view.end)).rename_axis("month").reset_index()


def trends(dataset: str, a: str, b: str, f: Filters, labels: dict[str, str]) -> None:
    """Each headline indicator's two trends overlaid, two charts a row."""
    span = f.view.trend_span
    series = [(labels[a], _series(dataset, span.at(a))), (labels[b], _series(dataset, span.at(b)))]
    inds = compare.headline_indicators(dataset)
    for i in range(0, len(inds), 2):
        cols = st.columns(2)
        for col, ind in zip(cols, inds[i:i + 2]):
            with col:
                fig = overlay(series, ind, level=contract.level_of_code(a),
                              title=f"{name(ind)}（{'%' if ind.unit == '%' else ind.unit}）",
                              subtitle=f"{periods.range_label_zh(span.start, span.end)} · "
                                       + t("虚线为目标值", "dashed: target"))
                ui.chart(fig, f"compare_{dataset}_{ind.key}", filename=f"对比_{ind.zh}")


def page(f: Filters) -> None:
    ui.header("两地对比", "Two places side by side", f)
    ui.damage_notices()
    a, b, labels = pickers(f)
    if a == b:
        st.info(t("请选择两个不同的地区。", "Pick two different places."))
        return
    st.caption(t("乡镇、县的数字为所辖村(社区)合计后相除（不是各村比率的平均）；状态按各自层级的目标值评定。",
                 "A town's or county's figure is its villages' sum over sum; each status against its own level's "
                 "targets."))
    for dataset in contract.FACT_DATASETS:
        st.subheader(dataset_name(dataset))
        shown = table(dataset, a, b, f, labels)
        st.dataframe(shown, hide_index=True, width="stretch")
        title = f"两地对比 · {dataset_name(dataset)} · {labels[a]} / {labels[b]} · {f.label.split(' · ', 1)[1]}"
        ui.downloads(shown, f"对比_{dataset}_{f.end}", title, f"compare_{dataset}")
        trends(dataset, a, b, f, labels)
