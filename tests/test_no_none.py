"""No "None", "nan" or "NaN" reaches a page (SPEC: zero is not missing; one formatter), nor a count printed
as a float ("24.0件"): every page's text and every table scanned in AppTest, over views that hold places
without cases, months without data and rates without a base."""

import re

import pandas as pd
import pytest

from tests import tiny
from tests.conftest import run_page, shown_cells
from tests.test_dashboard_pages import PAGES

BAD = re.compile(r"\b(None|nan|NaN|NaT|<NA>)\b")
FLOAT_COUNT = re.compile(r"(?<![.\d])\d+\.0(件|个(?!百分点)|户)")


@pytest.fixture(autouse=True)
def store(served_store):
    return served_store


def open_tables(at) -> None:
    """Open every 数据表 (ui.table_download draws its grid only when opened) and run again: each one's expander key
    is its CSV button's key + "_table"."""
    for button in at.get("download_button"):
        key = getattr(button, "key", None)
        if key:
            at.session_state[f"{key}_table"] = True
    at.run()


def texts(at) -> list[str]:
    out = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success", "warning", "error",
                 "text", "code"):
        out += [str(e.value) for e in getattr(at, kind)]
    for m in at.metric:
        out += [str(m.label), str(m.value), str(m.delta or "")]
    return out


def cells(at) -> list[str]:
    out = []
    for d in [*at.dataframe, *at.table]:
        df = shown_cells(d) if d.type == "dataframe" else d.value
        out += [str(c) for c in df.columns]
        for col in df.columns:
            for v in df[col]:
                # a missing cell is drawn by the browser as "None"/empty: it must have been given "—" or a word
                assert not (v is None or v is pd.NA or isinstance(v, float) and v != v), (col, list(df[col]))
                out.append(str(v))
    return out


# September 2024: only village B1 has a petition (A1 and A2 have none, their rates no base);
# 2024-08..10 for town A: villages with and without cases; October for the county: disputes have no data
VIEWS = [
    {"from": "2024-09", "to": "2024-09"},
    {"region": tiny.TOWN_A, "from": "2024-08", "to": "2024-10"},
    {"from": "2024-10", "to": "2024-10", "cmp": "yoy"},
]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("view", VIEWS, ids=["county-sep", "town-a-range", "county-oct-yoy"])
def test_no_page_shows_none_nan_or_a_float_count(page, view):
    at = run_page(page, **view)
    open_tables(at)
    assert not at.exception, at.exception
    for text in texts(at) + cells(at):
        assert not BAD.search(text), (page, text)
        assert not FLOAT_COUNT.search(text), (page, text)


def test_a_rate_column_with_a_missing_rate_stays_numbers_so_it_sorts_as_numbers():
    # September 2024 for the county: 乙镇 closed 1 of 1 (100 %), 甲镇 had no case ("—"): the browser sorts
    # the column by its values, so they must still be numbers under the "—"
    at = run_page("pages/petitions.py", **VIEWS[0])
    assert not any("不排名原因" in d.value.columns for d in at.dataframe)  # a closed 数据表 draws no grid
    open_tables(at)
    ranking = next(d for d in at.dataframe if "不排名原因" in d.value.columns)
    assert pd.api.types.is_float_dtype(ranking.value["办结率(%)"])
    assert list(shown_cells(ranking)["办结率(%)"]) == ["100", "—"]
