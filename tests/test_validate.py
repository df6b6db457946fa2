"""Validation rules, each with the Excel row and column it reports."""

import datetime as dt
from types import SimpleNamespace

import pyarrow as pa
import pytest

from governance.core import contract
from governance.ingest.validate import validate
from tests import tiny

TODAY = dt.date(2024, 11, 15)


def parsed(columns: dict[str, list], header_row: int = 3, unknown=()):
    """What the readers hand over: strings, Excel rows and column letters."""
    names = list(columns)
    n = len(next(iter(columns.values())))
    return SimpleNamespace(
        table=pa.table({k: pa.array(v, pa.string()) for k, v in columns.items()}),
        rows=list(range(header_row + 1, header_row + 1 + n)),
        letters={k: chr(ord("A") + i) for i, k in enumerate(names)},
        headers={k: k for k in names},
        unknown=list(unknown),
        header_row=header_row,
    )


def petitions(**override):
    cols = {
        "case_id": ["x1", "x2"],
        "region_code": [tiny.A1, tiny.B1],
        "received_on": ["2024-10-08", "2024/10/9"],
        "channel": ["来信", "网上"],
        "category": ["劳动社保", "教育"],
        "is_initial": ["是", "否"],
        "closed_on": ["2024年10月20日", ""],
        "resolved_first_time": ["Y", ""],
        "satisfaction": ["满意", ""],
        "is_repeat": ["0", "1"],
    }
    cols.update(override)
    return parsed(cols)


def check(p, dataset="petitions"):
    return validate(p, dataset, regions=tiny.regions(), today=TODAY)


def problems(result):
    return {(e.row, e.column, e.key) for e in result.errors}


def test_a_clean_file_is_typed_to_the_contract():
    r = check(petitions())
    assert r.errors == []
    t = r.table
    assert t.schema.names == contract.PETITIONS.column_names
    assert t.column("received_on").to_pylist() == [dt.date(2024, 10, 8), dt.date(2024, 10, 9)]
    assert t.column("channel").to_pylist() == ["letter", "online"]
    assert t.column("closed_on").to_pylist() == [dt.date(2024, 10, 20), None]
    assert t.column("is_repeat").to_pylist() == [False, True]
    assert t.column("satisfaction").to_pylist() == ["satisfied", None]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-10-08", dt.date(2024, 10, 8)),
        ("2024/10/8", dt.date(2024, 10, 8)),
        ("2024年10月8日", dt.date(2024, 10, 8)),
        ("20241008", dt.date(2024, 10, 8)),
        ("45573", dt.date(2024, 10, 8)),  # Excel serial number
        ("45573.0", dt.date(2024, 10, 8)),
        ("2024.10.8", dt.date(2024, 10, 8)),
        ("2024-10-08 00:00:00", dt.date(2024, 10, 8)),
    ],
)
def test_every_date_spelling(text, expected):
    r = check(petitions(received_on=[text, "2024-10-09"]))
    assert r.errors == []
    assert r.table.column("received_on")[0].as_py() == expected


@pytest.mark.parametrize("text", ["2024-13-01", "2024-02-30", "下周一", "10/8/2024"])
def test_unreadable_dates_are_errors_at_their_cell(text):
    r = check(petitions(received_on=["2024-10-08", text]))
    assert problems(r) == {(5, "C", "invalid_date")}
    assert r.table is None
    assert text in r.errors[0].message and "invalid_date" in r.errors[0].message


def test_booleans_in_every_spelling():
    r = check(petitions(is_repeat=["true", "N"], is_initial=["1", "否"]))
    assert r.errors == []
    assert r.table.column("is_repeat").to_pylist() == [True, False]
    bad = check(petitions(is_repeat=["也许", "N"]))
    assert problems(bad) == {(4, "J", "invalid_bool")}


def test_required_missing_values_and_columns():
    r = check(petitions(channel=["来信", ""]))
    assert problems(r) == {(5, "D", "required")}
    cols = petitions().table.to_pydict()
    del cols["received_on"]
    missing = check(parsed(cols))
    assert ("missing_column", 3) in {(e.key, e.row) for e in missing.errors}


def test_unknown_enum_value_lists_what_is_allowed():
    r = check(petitions(channel=["来信", "微信"]))
    (err,) = r.errors
    assert (err.row, err.column, err.key) == (5, "D", "invalid_choice")
    assert "来访" in err.message


def test_future_dates_and_date_order():
    r = check(petitions(received_on=["2024-12-01", "2024-10-09"], closed_on=["", "2024-10-01"]))
    assert problems(r) == {(4, "C", "future_date"), (5, "G", "date_order")}


def test_duplicates_name_the_first_row():
    r = check(petitions(case_id=["x1", "x1"]))
    (err,) = r.errors
    assert (err.row, err.column, err.key) == (5, "A", "duplicate")
    assert "第 4 行" in err.message


def test_unknown_and_non_village_codes():
    r = check(petitions(region_code=["411102009201", tiny.TOWN_A]))
    assert problems(r) == {(4, "B", "unknown_place"), (5, "B", "not_village")}
    malformed = check(petitions(region_code=["41110200120", tiny.A1]))
    assert problems(malformed) == {(4, "B", "invalid_code")}


def test_places_given_by_name_resolve_and_report_unknown_and_ambiguous():
    cols = petitions().table.to_pydict()
    del cols["region_code"]
    cols["town"] = ["甲镇", "乙镇"]
    cols["village"] = ["甲二社区", "乙一村"]
    r = check(parsed(cols))
    assert r.errors == []
    assert r.table.column("region_code").to_pylist() == [tiny.A2, tiny.B1]

    cols["village"] = ["甲三村", "乙一村"]
    unknown = check(parsed(cols))
    assert {(e.row, e.key) for e in unknown.errors} == {(4, "unknown_place")}

    # Two villages of the same name in different towns: by village name alone it is ambiguous.
    regions = tiny.regions().to_pylist()
    regions.append({**regions[-1], "region_code": "411102001203", "parent_code": tiny.TOWN_A, "name": "乙一村"})
    del cols["town"]
    cols["village"] = ["甲二社区", "乙一村"]
    amb = validate(parsed(cols), "petitions", regions=pa.Table.from_pylist(regions), today=TODAY)
    assert {(e.row, e.key) for e in amb.errors} == {(5, "ambiguous_place")}


def test_grid_rules():
    cols = {
        "region_code": [tiny.A1, tiny.A2],
        "period": ["2024年10月", "2024-10"],
        "households": ["100", "200"],
        "households_covered": ["120", "200"],
        "grids": ["1", "2"],
        "grid_workers": ["1", "-1"],
        "grid_party_orgs": ["1", "3"],
        "party_member_households": ["5", "6"],
    }
    r = check(parsed(cols), "grid")
    assert problems(r) == {(4, "D", "covered_exceeds"), (5, "F", "out_of_range"), (5, "G", "party_orgs_exceed")}


def test_disputes_need_date_and_level_when_resolved():
    cols = {
        "dispute_id": ["d1", "d2", "d3"],
        "region_code": [tiny.A1, tiny.A1, tiny.B1],
        "found_on": ["2024-10-01", "2024-10-02", "2024-10-03"],
        "category": ["邻里", "物业", "债务"],
        "status": ["已化解", "已化解", "化解中"],
        "resolved_on": ["2024-10-05", "", ""],
        "resolved_level": ["网格", "村", ""],
    }
    r = check(parsed(cols), "disputes")
    assert problems(r) == {(5, "F", "required_when_resolved")}


def test_branch_stars_and_periods():
    cols = {
        "branch_id": ["b1", "b2"],
        "branch_name": ["甲一村党支部", "甲二社区党支部"],
        "region_code": [tiny.A1, tiny.A2],
        "period": ["2024年上半年", "2024-H3"],
        "stars": ["6", "4"],
        "score": ["88.5", ""],
        "tier": ["好", ""],
        "weak_lax": ["否", "否"],
        "rectified": ["", ""],
    }
    r = check(parsed(cols), "branches")
    assert problems(r) == {(4, "E", "out_of_range"), (5, "D", "invalid_period")}


def test_unknown_columns_warn_but_do_not_refuse():
    p = petitions()
    p.unknown.append("备注")
    r = check(p)
    assert r.errors == [] and r.table is not None
    assert [w.key for w in r.warnings] == ["unknown_column"]


def test_regions_levels_and_parents():
    cols = {
        "region_code": [tiny.COUNTY, tiny.TOWN_A, tiny.A1, "411102003201"],
        "name": ["示范县", "甲镇", "甲一村", "丙一村"],
        "level": ["县", "村", "", ""],
        "parent_code": ["", "", "", ""],
        "kind": ["", "", "村", "村"],
        "households": ["1", "1", "1", "1"],
        "population": ["1", "1", "1", "1"],
    }
    r = check(parsed(cols), "regions")
    # 甲镇 says village; 丙一村's town 411102003000 is not in the file, so it is a second top
    assert problems(r) == {(5, "C", "level_mismatch"), (4, "D", "several_tops"), (7, "D", "several_tops")}
    cols = {k: v[:3] for k, v in cols.items()}
    cols["level"] = ["县", "乡镇", ""]
    ok = check(parsed(cols), "regions")
    assert ok.errors == []
    assert ok.table.column("parent_code").to_pylist() == [None, tiny.COUNTY, tiny.TOWN_A]
    assert ok.table.column("level").to_pylist() == ["county", "town", "village"]


def test_months_and_rating_periods_in_the_future_or_impossible_are_errors():
    cols = {
        "region_code": [tiny.A1] * 5,
        "period": ["2024-11", "2099-12", "45566", "2024-10-45", "1024-10"],
        "households": ["100"] * 5, "households_covered": ["90"] * 5, "grids": ["1"] * 5,
        "grid_workers": ["1"] * 5, "grid_party_orgs": ["1"] * 5, "party_member_households": ["1"] * 5,
    }
    r = check(parsed(cols), "grid")
    assert problems(r) == {(5, "B", "future_date"), (6, "B", "invalid_month"), (7, "B", "invalid_month"),
                           (8, "B", "invalid_month")}
    branches = {
        "branch_id": ["b1", "b2", "b3"], "branch_name": ["x", "y", "z"], "region_code": [tiny.A1] * 3,
        "period": ["2024-H2", "2031年上半年", "0000-H2"], "stars": ["3"] * 3, "score": [""] * 3, "tier": [""] * 3,
        "weak_lax": ["否"] * 3, "rectified": [""] * 3,
    }
    r = check(parsed(branches), "branches")
    assert problems(r) == {(5, "D", "future_date"), (6, "D", "invalid_period")}


def test_a_file_with_headers_and_no_rows_is_refused_with_a_message():
    for dataset, cols in (("petitions", {c: [] for c in contract.PETITIONS.column_names}),
                          ("grid", {c: [] for c in contract.GRID.column_names})):
        r = check(parsed(cols), dataset)
        assert r.table is None
        assert [e.key for e in r.errors] == ["required"] and "没有数据行" in r.errors[0].message


def test_regions_parents_must_match_the_codes_and_there_is_one_top():
    cols = {
        "region_code": [tiny.COUNTY, tiny.TOWN_A, tiny.TOWN_B, tiny.A1, "411103000000"],
        "name": ["示范县", "甲镇", "乙镇", "甲一村", "另一县"],
        "level": ["", "", "", "", ""],
        "parent_code": ["", tiny.COUNTY, tiny.COUNTY, tiny.TOWN_B, ""],  # 甲一村 put under 乙镇
        "kind": ["", "", "", "村", ""],
        "households": ["1"] * 5,
        "population": ["1"] * 5,
    }
    r = check(parsed(cols), "regions")
    assert problems(r) == {(7, "D", "parent_mismatch"), (4, "D", "several_tops"), (8, "D", "several_tops")}


def test_today_is_the_offices_date_not_the_servers(monkeypatch):
    import datetime as dt

    from governance.core import settings

    monkeypatch.setenv("GOVERNANCE_TZ", "Pacific/Kiritimati")  # UTC+14
    ahead = settings.today()
    monkeypatch.setenv("GOVERNANCE_TZ", "Pacific/Pago_Pago")  # UTC-11: 25 hours behind, another date at any hour
    behind = settings.today()
    assert ahead - behind in (dt.timedelta(days=1), dt.timedelta(days=2))
