"""The demo county's figures, as the command line prints them, stay what they were before the layout change.

tests/fixtures/demo_indicators_2026-12-01.json was written by the code before the sub-packages (commit 4e48e8d)
with tests/fixtures/run_cli_on_day.py: the demo county built as of 2026-12-01, then `indicators DATASET --json`
for three places and three ranges per dataset. A change that moves code must leave every figure as it was;
a change that means to alter a definition (or the demo) regenerates the file and says why in its commit.
Regenerated once since: the demo county leaves two villages of 马营乡 without last month's grid row (for the
报送进度 page), which moves the two county-wide grid cases that read November 2026 and nothing else.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from governance.core import settings
from governance.tools import cli

pytestmark = pytest.mark.slow  # builds the demo county

GOLDEN = Path(__file__).parent / "fixtures" / "demo_indicators_2026-12-01.json"
DAY = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("golden")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(settings, "today", lambda: DAY)
        assert cli.main(["demo", "--store", str(root)]) == 0
    return root


@pytest.mark.parametrize("case", json.loads(GOLDEN.read_text(encoding="utf-8")), ids=lambda c: " ".join(c["args"][1:]))
def test_indicators_json_matches_the_figures_before_the_layout_change(case, demo_store, monkeypatch, capsys):
    monkeypatch.setattr(settings, "today", lambda: DAY)
    capsys.readouterr()
    assert cli.main([*case["args"], "--store", str(demo_store)]) == 0
    assert json.loads(capsys.readouterr().out) == case["result"]
