"""Which dataset is this file? Its header cells scored against every dataset's columns (core/contract.py).

A petitions ledger dropped on the regions picker found no header row and said only "前 30 行中找不到表头行"
(issue 13); a clerk should read "这个文件看起来是信访事项台账" and be offered the switch. A header cell counts
for each dataset that has a column written that way (its Chinese header, English name or an alias), weighted
by how telling it is: 区划代码 is in all five datasets and counts 1/5 for each, 信访件编号 only in petitions
and counts 1. The file's best row decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from governance.core import contract
from governance.ingest.readers import header_map
from governance.ingest.readers.table import header_key

MIN_SCORE = 2.0  # at least two telling headers before a file is said to look like a dataset
MARGIN = 2.0  # and twice what the chosen dataset scores on the same file


@dataclass(frozen=True)
class Guess:
    dataset: str
    score: float
    headers: tuple[str, ...]  # the recognised header cells, as written in the file


@cache
def _weights() -> dict[str, dict[str, tuple[str, float]]]:
    """dataset -> normalised header text -> (column name, weight)."""
    maps = {key: header_map(key) for key in contract.DATASETS}
    holders: dict[str, int] = {}
    for mapping in maps.values():
        for text in mapping:
            holders[text] = holders.get(text, 0) + 1
    return {key: {text: (column, 1 / holders[text]) for text, column in mapping.items()}
            for key, mapping in maps.items()}


def scores(rows: list[list]) -> dict[str, Guess]:
    """Each dataset's best score over the rows (a header row, or the first rows of a file)."""
    best: dict[str, Guess] = {}
    for key, weights in _weights().items():
        for row in rows:
            seen: dict[str, tuple[float, str]] = {}  # column -> (weight, cell): a column counts once
            for cell in row:
                if not cell or not str(cell).strip():
                    continue
                hit = weights.get(header_key(str(cell)))
                if hit and hit[0] not in seen:
                    seen[hit[0]] = (hit[1], str(cell).strip())
            score = sum(w for w, _ in seen.values())
            if key not in best or score > best[key].score:
                best[key] = Guess(key, score, tuple(cell for _, cell in seen.values()))
    return best


def guess(rows: list[list], chosen: str) -> Guess | None:
    """The dataset these rows look like, when that is clearly another one than ``chosen``; else None."""
    found = scores(rows)
    if not found:
        return None
    top = max(found.values(), key=lambda g: g.score)
    mine = found[chosen].score if chosen in found else 0.0
    if top.dataset == chosen or top.score < MIN_SCORE or top.score < MARGIN * mine:
        return None
    return top
