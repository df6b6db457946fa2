"""KPI cards: one indicator's value, its change against the comparison window, its target and status.

Built here once, for the dashboard's cards, the 大屏's tiles and the briefing's KPI table alike, so the three
never disagree about a figure, its change or its colour.
"""

from __future__ import annotations

from dataclasses import dataclass

from governance.core import contract, formatting, targets
from governance.metrics.indicators import change


@dataclass(frozen=True)
class Card:
    indicator: contract.Indicator
    value: object  # the current window's figure (a fraction for rates), None when unknown
    previous: object  # the comparison window's figure
    status: str | None  # green / amber / red / None (no target, or no figure)
    target_text: str  # "" when the indicator has no target

    @property
    def dataset(self) -> str:
        return self.indicator.dataset

    @property
    def delta(self):
        """The change against the comparison window (percentage points as a fraction for rates)."""
        return change(self.value, self.previous, self.indicator)

    def value_text(self, lang: str = "zh") -> str:
        return formatting.value(self.value, self.indicator, lang)

    def delta_text(self, lang: str = "zh") -> str | None:
        """The change read aloud; None when there is nothing to compare."""
        return formatting.change(self.delta, self.indicator, lang)

    @property
    def compare_missing(self) -> bool:
        """A figure now and none in the comparison window (the store does not reach back that far)."""
        return self.value is not None and self.previous is None


def cards(dataset: str, figures: dict[str, dict], *, compare: str = "mom", level: str | None = None,
          months: int = 1, keys: list[str] | None = None) -> list[Card]:
    """The cards of a dataset's headline indicators (or of `keys`), from headline() figures
    ({window: {indicator key: value}}); `months` is the range's length, for per-month targets."""
    ds = contract.dataset(dataset)
    shown = [ds.indicator(k) for k in keys] if keys else [i for i in ds.indicators if i.headline]
    out = []
    for ind in shown:
        cur, prev = figures["current"][ind.key], figures[compare][ind.key]
        out.append(Card(ind, cur, prev, targets.status(cur, ind, level, months),
                        targets.target_for(dataset, ind.key, level).text(ind)))
    return out
