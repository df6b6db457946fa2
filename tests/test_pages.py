"""AppTest: every page renders from the entry point on a tiny store, with the figures of the query layer."""

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from governance import contract, formatting
from tests import tiny

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(autouse=True)
def tiny_store(tmp_path, monkeypatch):
    tiny.build(tmp_path / "store")
    monkeypatch.setenv("GOVERNANCE_STORE", str(tmp_path / "store"))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield tmp_path / "store"
    st.cache_data.clear()
    st.cache_resource.clear()


def run_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    return at


def test_overview_shows_headline_cards_for_the_county_latest_month():
    at = run_app()
    assert "总览" in at.title[0].value
    assert "示范县" in at.caption[0].value and "2024年10月" in at.caption[0].value
    labels = {m.label: m.value for m in at.metric}
    headline = [i for d in contract.FACT_DATASETS for i in contract.dataset(d).indicators if i.headline]
    assert set(labels) == {i.zh for i in headline}
    # The tiny county's latest month with data is 2024-10 (petitions, grid).
    grid_cov = contract.INDICATORS[("grid", "coverage_rate")]
    assert labels["网格覆盖率"] == formatting.value(5750 / 6000, grid_cov)
    assert labels["受理量"] == "6件"


def test_empty_store_builds_the_demo(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVERNANCE_STORE", str(tmp_path / "empty"))
    at = run_app()
    assert len(at.metric) > 0
    assert "清源县" in at.caption[0].value
