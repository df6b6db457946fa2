"""Two places side by side: each place's figures are `indicators` for that place (the CLI's figures), with
bases and statuses as its cards show them, for town vs town, a village vs its town, and a town vs the county."""

import datetime as dt
import json

import pytest

from governance.core import contract, formatting
from governance.metrics import compare, indicators
from governance.metrics.indicators import View
from queries import Engine
from tests import tiny
from tests.conftest import run_page


def _shown(value, ind, base):
    text = formatting.value(value, ind)
    return formatting.with_base(text, base, unit=ind.base_unit) if value is not None and base is not None else text


@pytest.mark.parametrize("a, b", [(tiny.TOWN_A, tiny.TOWN_B), (tiny.A1, tiny.TOWN_A), (tiny.TOWN_B, tiny.COUNTY)])
def test_the_compare_page_shows_each_places_own_figures(served_store, a, b):
    at = run_page("pages/compare.py", **{"from": "2024-10", "to": "2024-10"})
    at.selectbox(key="compare_a").set_value(a).run()
    at.selectbox(key="compare_b").set_value(b).run()
    assert not at.exception, at.exception
    tables = [d.value for d in at.dataframe if "指标" in d.value.columns]
    assert len(tables) == len(contract.FACT_DATASETS)
    engine = Engine(served_store)
    for dataset, table in zip(contract.FACT_DATASETS, tables):
        rows = table.set_index("指标")
        for ind in compare.headline_indicators(dataset):
            for col, code in ((0, a), (2, b)):
                h = indicators.headline(engine, dataset, View(code, "2024-10", "2024-10"), today=dt.date.today())
                want = _shown(h["current"][ind.key], ind, h["bases"]["current"].get(ind.key) if ind.is_ratio else None)
                assert rows.loc[ind.zh].iloc[col] == want, (dataset, ind.key, code)
    # 乙镇 against the county: the county's 受理量 is 6 (all of October), 乙镇's 2 (p5, p6)
    if (a, b) == (tiny.TOWN_B, tiny.COUNTY):
        petitions = tables[0].set_index("指标")
        assert petitions.loc["受理量"].iloc[0] == "2件" and petitions.loc["受理量"].iloc[2] == "6件"
        assert petitions.loc["受理量"].iloc[4] == "-4件"
    charts = [c for c in at.get("plotly_chart")]
    assert len(charts) == sum(len(compare.headline_indicators(d)) for d in contract.FACT_DATASETS)


def test_the_comparison_figures_are_the_command_lines(served_store, capsys):
    # `python -m governance indicators petitions --region X --json`, for both places of a comparison
    from governance.tools import cli

    engine = Engine(served_store)
    for code in (tiny.A1, tiny.TOWN_A):
        assert cli.main(["indicators", "petitions", "--region", code, "--from", "2024-10", "--to", "2024-10",
                         "--store", str(served_store.root), "--json"]) in (0, None)
        printed = json.loads(capsys.readouterr().out)
        h = indicators.headline(engine, "petitions", View(code, "2024-10", "2024-10"), today=dt.date.today())
        pair = compare.pairs("petitions", h, h, level_a="village", level_b="village")
        for p in pair:
            assert p.a.value == pytest.approx(printed[p.indicator.key]) if printed[p.indicator.key] is not None \
                else p.a.value is None, (code, p.indicator.key)
