"""Input hygiene (issue 10, item 9): dates before 2000 are errors, and a code Excel turned into a number is
named as such, with its row, instead of "unknown place"."""

import pytest

from governance.ingest.validate import KEY_ZH
from tests import tiny
from tests.test_validate import check, parsed, petitions, problems

EXCEL = "区划代码被 Excel 转成了科学计数法，请把该列设为文本后重新导出"


def test_a_date_before_2000_is_an_error_with_its_row():
    # Row 4 is a typo'd year, row 5 an Excel serial number: day 10000 after 1899-12-30 is 1927-05-18.
    r = check(petitions(received_on=["1900-10-08", "10000"], closed_on=["", ""], resolved_first_time=["", ""]))
    assert problems(r) == {(4, "C", "too_early"), (5, "C", "too_early")}
    assert r.table is None
    message = next(e.message for e in r.errors if e.row == 4)
    assert message.startswith("受理日期“1900-10-08”：日期过早，早于 2000-01-01")


def test_the_earliest_year_is_a_setting(monkeypatch):
    p = petitions(received_on=["2009-12-31", "2010-01-01"], closed_on=["", ""], resolved_first_time=["", ""])
    assert check(p).errors == []
    monkeypatch.setenv("GOVERNANCE_MIN_YEAR", "2010")
    assert problems(check(p)) == {(4, "C", "too_early")}


@pytest.mark.parametrize("written", ["4.11102E+11", "4.11102001201e11", f"{tiny.A1}.0"])
def test_a_code_in_scientific_notation_or_with_dot_zero_says_excel_did_it(written):
    r = check(petitions(region_code=[tiny.A1, written]))
    assert problems(r) == {(5, "B", "excel_number")}
    assert EXCEL in r.errors[0].message and f"“{written}”" in r.errors[0].message


def test_a_code_rounded_by_an_xlsx_number_cell_says_excel_did_it():
    # 4.1112E+11 in a number cell comes back as 411120000000: no place has it, and 6 zeros end it.
    r = check(petitions(region_code=["411120000000", "411102009999"]))
    assert problems(r) == {(4, "B", "excel_number"), (5, "B", "unknown_place")}


def test_the_regions_table_names_excel_numbers_too():
    r = check(parsed({"region_code": ["411102000000", "4.11102E+11"], "name": ["示范县", "甲镇"]}), "regions")
    assert (5, "A", "excel_number") in problems(r)
    assert KEY_ZH["excel_number"] == EXCEL
