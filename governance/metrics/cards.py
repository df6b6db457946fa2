"""KPI cards: one indicator's value, its change against the comparison window, its target and status.

Built here once, for the dashboard's cards, the 大屏's tiles and the briefing's KPI table alike, so the three
never disagree about a figure, its change or its colour.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from governance.core import contract, formatting, settings, targets
from governance.metrics.indicators import change

IMMATURE_ZH, IMMATURE_EN = "办理期内", "in progress"
SMALL_ZH, SMALL_EN = "样本少", "few cases"
EARLY_ZH, EARLY_EN = "预评", "rated in advance"


@dataclass(frozen=True)
class Card:
    indicator: contract.Indicator
    value: object  # the current window's figure (a fraction for rates), None when unknown
    previous: object  # the comparison window's figure
    status: str | None  # green / amber / red / None (no target, no figure, immature, or too few cases)
    target_text: str  # "" when the indicator has no target
    mature: bool = True  # False: a maturing rate whose cases are not all past their deadline (办理期内)
    base: int | None = None  # a rate's denominator (its cases), None for counts or when unknown
    early: bool = False  # a rating shown before its period ends (预评)

    @property
    def small(self) -> bool:
        """A rate over fewer cases than the small-number threshold: shown with its base, greyed, uncoloured."""
        return self.base is not None and self.value is not None and self.base < settings.small_base()

    @property
    def note(self) -> tuple[str, str] | None:
        """Why the card is not coloured, in (zh, en): 办理期内, 样本少, or 预评."""
        if not self.mature:
            return IMMATURE_ZH, IMMATURE_EN
        if self.small:
            return SMALL_ZH, SMALL_EN
        if self.early:
            return EARLY_ZH, EARLY_EN
        return None

    @property
    def dataset(self) -> str:
        return self.indicator.dataset

    @property
    def delta(self):
        """The change against the comparison window (percentage points as a fraction for rates)."""
        return change(self.value, self.previous, self.indicator)

    def value_text(self, lang: str = "zh") -> str:
        text = formatting.value(self.value, self.indicator, lang)
        return formatting.with_base(text, self.base, lang, self.indicator.base_unit) if self.small else text

    def delta_text(self, lang: str = "zh") -> str | None:
        """The change read aloud; None when there is nothing to compare."""
        return formatting.change(self.delta, self.indicator, lang)

    def status_word(self, lang: str = "zh") -> str:
        """The status as a word: 达标/接近/未达标, or why there is none (办理期内, 样本少, 预评, 无数据)."""
        zh, en = ((IMMATURE_ZH, IMMATURE_EN) if not self.mature and self.value is not None else
                  ("无数据", "no data") if self.value is None else
                  self.note if self.note and self.status is None else
                  (targets.STATUS_ZH[self.status], targets.STATUS_EN[self.status]))
        return en if lang == "en" else zh

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
    mature = figures.get("mature", {}).get("current", True)
    bases = figures.get("bases", {}).get("current", {})
    early = bool(figures.get("early"))
    out = []
    for ind in shown:
        cur, prev = figures["current"][ind.key], figures[compare][ind.key]
        card = Card(ind, cur, prev, None, targets.target_for(dataset, ind.key, level).text(ind),
                    mature=mature or not ind.matures, base=bases.get(ind.key) if ind.is_ratio else None,
                    early=early)
        # SPEC: an immature figure or one over too few cases is never coloured against its target
        status = None if card.note in ((IMMATURE_ZH, IMMATURE_EN), (SMALL_ZH, SMALL_EN)) else \
            targets.status(cur, ind, level, months)
        out.append(replace(card, status=status))
    return out
