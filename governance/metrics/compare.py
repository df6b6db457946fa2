"""Two places side by side (any level: town vs town, a village vs its town, a town vs the county).

Each place's figures are its own headline() figures, read as its KPI cards read them: a town's is the sum over
its villages divided (SPEC), never an average of their rates, so "a village against its town's average" is the
village against the town. Status, maturity and small bases follow the cards (metrics/cards.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from governance.core import contract
from governance.metrics.cards import Card, cards


@dataclass(frozen=True)
class Pair:
    indicator: contract.Indicator
    a: Card
    b: Card

    @property
    def gap(self):
        """A minus B: percentage points (as a fraction) for rates in %, the plain difference otherwise."""
        if self.a.value is None or self.b.value is None:
            return None
        return self.a.value - self.b.value


def headline_indicators(dataset: str) -> list[contract.Indicator]:
    """What is compared: the dataset's headline indicators that are one figure (not a distribution)."""
    return [i for i in contract.dataset(dataset).indicators if i.headline and i.kind != "distribution"]


def pairs(dataset: str, figures_a: dict, figures_b: dict, *, level_a: str | None, level_b: str | None,
          months: int = 1) -> list[Pair]:
    """One pair of cards per headline indicator; each place's status against the targets of its own level."""
    keys = [i.key for i in headline_indicators(dataset)]
    a = cards(dataset, figures_a, level=level_a, months=months, keys=keys)
    b = cards(dataset, figures_b, level=level_b, months=months, keys=keys)
    return [Pair(x.indicator, x, y) for x, y in zip(a, b)]
