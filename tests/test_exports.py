"""Files that leave the app: chart tables as CSV for Chinese Excel, and the upload templates."""

import csv
import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from governance.core import contract
from governance.demo import generate as demo
from governance.ingest import templates
from governance.ingest.pipeline import ingest
from governance.store import Store
from governance.web import exports

pytestmark = pytest.mark.slow  # builds the demo county


def test_csv_has_a_bom_and_defuses_formulas():
    df = pd.DataFrame({"名称": ["甲镇", "=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)", "-3 cmd"], "办结率(%)": [95.5, 1, 2, 3, -4]})
    data = exports.csv_bytes(df)
    assert data.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["名称", "办结率(%)"]
    assert [r[0] for r in rows[1:]] == ["甲镇", "'=HYPERLINK(\"http://x\")", "'+1", "'@SUM(A1)", "'-3 cmd"]
    assert rows[5][1] == "-4.0"  # numbers stay numbers, negative ones included


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("demo"))
    store.commit("regions", demo.generate("county")["regions"], source="demo")
    return store


@pytest.mark.parametrize("dataset", list(contract.DATASETS))
def test_templates_have_chinese_headers_an_example_and_notes_and_validate(dataset, demo_store):
    wb = load_workbook(io.BytesIO(templates.xlsx_bytes(dataset)))
    data, notes = wb["数据"], wb["填写说明"]
    headers = [c.value for c in data[1]]
    assert headers == [c.zh for c in contract.dataset(dataset).columns]
    assert any(v not in (None, "") for v in (c.value for c in data[2]))
    documented = {row[1].value for row in notes.iter_rows(min_row=2) if row[1].value}
    assert set(contract.dataset(dataset).column_names) <= documented
    # the example row is valid in every column, and refused only as the template's own sample (an unchanged
    # template uploaded by mistake must not replace a month), as .xlsx and as CSV
    for name, body in ((f"{dataset}.xlsx", templates.xlsx_bytes(dataset)), (f"{dataset}.csv", templates.csv_bytes(dataset))):
        report = ingest(demo_store, dataset, body, name, dry_run=True)
        # regions: one village alone is not a region tree either: its town must be in the same file
        expected = {"template_row", "unknown_parent"} if dataset == "regions" else {"template_row"}
        assert {e.key for e in report.errors} == expected, (name, report.as_json()["errors"])
