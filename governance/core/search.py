"""Finding a place by what people type: its name, part of it, or the pinyin of it (initials 'jyc' or
syllables 'jiayi' for 甲一村), as county staff type on a phone or a PC without a Chinese input method."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin


@dataclass(frozen=True)
class Entry:
    code: str
    name: str
    level: str
    parent_name: str
    initials: str  # 甲一村 -> jyc
    spelled: str  # 甲一村 -> jiayicun


def _fold(text: str) -> str:
    """Full-width to half-width, lower case, no spaces: ＪＹＣ, 'J Y C' and 'jyc' are the same query."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def entry(code: str, name: str, level: str, parent_name: str = "") -> Entry:
    syllables = lazy_pinyin(name, errors="ignore")
    return Entry(code, name, level, parent_name, "".join(s[:1] for s in syllables), "".join(syllables))


def index(rows) -> list[Entry]:
    """Entries from (code, name, level, parent's name) rows: the places an account may see."""
    return [entry(str(c), str(n), str(lv), "" if p is None or p != p else str(p)) for c, n, lv, p in rows]


def find(entries: list[Entry], query: str, limit: int = 8) -> list[Entry]:
    """The places matching a query, best first: the name itself, a name that starts with it, one that holds
    it, then pinyin initials and syllables (start, then anywhere); towns before villages within each."""
    q = _fold(query)
    if not q:
        return []
    order = {"province": 0, "city": 1, "county": 2, "town": 3, "village": 4}
    ranked = []
    for e in entries:
        name = _fold(e.name)
        if name == q:
            rank = 0
        elif name.startswith(q):
            rank = 1
        elif q in name:
            rank = 2
        elif e.initials.startswith(q):
            rank = 3
        elif e.spelled.startswith(q):
            rank = 4
        elif q in e.initials or q in e.spelled:
            rank = 5
        else:
            continue
        ranked.append((rank, order.get(e.level, 9), e.code, e))
    ranked.sort(key=lambda r: r[:3])
    return [r[3] for r in ranked[:limit]]
