"""Is a GB18030 reading of a CSV plausible Chinese? Refuse Big5 and half-UTF-8 files instead of storing mojibake.

GB18030 decodes almost any byte string: a Big5 (Traditional Chinese) file and a file whose first rows are
UTF-8 and later rows GBK both "succeed" and were stored garbled (issue 10: 骋笆…, 鍔冲姩…). What tells
them apart from a real GBK ledger is which characters come out. Ledgers are written in the characters of
GB2312 (its 6,763 Hanzi cover everyday Chinese, place names included) and its common punctuation; a
misread file gives kana, Greek, Cyrillic, box drawing and the rare Hanzi of GBK's extension areas,
packed closely together. So:

- ``utf8_then_not``: the file is valid UTF-8 up to some byte, and that UTF-8 reads as Chinese while the
  GBK reading of the same bytes does not: the encoding changes on that line.
- ``Suspect``: while the GB18030 text is produced, count unusual characters and note the first place
  where three of them sit within five characters on one line, or a high share overall.
- ``diagnose``: for a suspicious line, say why: the line is valid UTF-8 (GBK first, UTF-8 later), the
  whole file reads as plausible Big5, or just that it is not GBK; always with the fix.
"""

from __future__ import annotations

import codecs
import re
from functools import cache

FIX_ZH = "请在 Excel 中另存为 UTF-8 或 GBK (CSV) 后重新上传"
FIX_EN = "save it again from Excel as CSV UTF-8 or GBK and upload that"
UNUSUAL_SHARE = 0.15  # a real GBK ledger has ~0 unusual characters; Big5 read as GBK has over half
UNUSUAL_MIN = 6  # ...but a name or two with a rare character must not refuse a small file
SAMPLE_CHARS = 24


@cache
def usual_chars() -> frozenset[str]:
    """GB2312's punctuation, numerals and full-width forms (rows 1-3) and all its Hanzi (rows 16-87)."""
    chars = {"\u3000", "\ufeff", "\ufffd"}
    for lead in [*range(0xA1, 0xA4), *range(0xB0, 0xF8)]:
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


def _class(chars: frozenset[str]) -> str:
    """A regex character class body for a set of characters, as ranges."""
    codes = sorted(ord(c) for c in chars)
    parts, start, prev = [], codes[0], codes[0]
    for code in [*codes[1:], None]:
        if code is not None and code == prev + 1:
            prev = code
            continue
        parts.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else ""))
        if code is not None:
            start = prev = code
    return "".join(parts)


@cache
def _patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    unusual = f"[^\\x00-\\x7f{_class(usual_chars())}]"
    return (re.compile(unusual), re.compile(unusual + "+"),
            re.compile(f"{unusual}[^\\n]{{0,2}}{unusual}[^\\n]{{0,2}}{unusual}"))


def unusual_count(text: str) -> tuple[int, int]:
    """(unusual characters, non-ASCII characters) in the text."""
    _, runs, _ = _patterns()
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    return len(text) - len(runs.sub("", text)), non_ascii


def plausible(text: str) -> bool:
    unusual, non_ascii = unusual_count(text)
    return non_ascii > 0 and unusual <= UNUSUAL_SHARE * non_ascii


class Suspect:
    """Fed the GB18030 text chunk by chunk (with the UTF-8 byte offset each chunk starts at): remembers
    the first suspicious spot and the totals, without holding the text."""

    def __init__(self):
        self.at: int | None = None  # UTF-8 byte offset of the first cluster (or first unusual character)
        self.first_unusual: int | None = None
        self.unusual = 0
        self.non_ascii = 0

    def feed(self, chunk: str, offset: int) -> None:
        one, _, cluster = _patterns()
        unusual, non_ascii = unusual_count(chunk)
        self.unusual += unusual
        self.non_ascii += non_ascii
        if not unusual:
            return
        if self.first_unusual is None:
            hit = one.search(chunk)
            self.first_unusual = offset + len(chunk[: hit.start()].encode("utf-8"))
        if self.at is None:
            hit = cluster.search(chunk)
            if hit:
                self.at = offset + len(chunk[: hit.start()].encode("utf-8"))

    @property
    def suspicious_at(self) -> int | None:
        if self.at is not None:
            return self.at
        if self.unusual >= UNUSUAL_MIN and self.unusual > UNUSUAL_SHARE * self.non_ascii:
            return self.first_unusual
        return None


def _line_of(data: bytes | bytearray, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _line_bytes(data: bytes | bytearray, number: int) -> bytes | bytearray:
    start = 0
    for _ in range(number - 1):
        start = data.find(b"\n", start) + 1
        if start == 0:
            return b""
    end = data.find(b"\n", start)
    return data[start: end if end >= 0 else len(data)]


def _sample(text: str) -> str:
    text = text.strip()
    return text if len(text) <= SAMPLE_CHARS else text[:SAMPLE_CHARS] + "…"


def utf8_then_not(data: bytes, bad_at: int) -> tuple[str, str] | None:
    """The message (Chinese, English) for a file that is UTF-8 Chinese up to byte ``bad_at`` and something else from there."""
    prefix = data[:bad_at]
    if prefix.isascii():
        return None
    as_utf8 = prefix.decode("utf-8", "ignore")  # valid up to bad_at by definition
    as_gbk = prefix.decode("gb18030", "replace")
    if not plausible(as_utf8) or plausible(as_gbk):
        return None  # a GBK file whose first bytes happen to be valid UTF-8 reads well as GBK
    line_start = data.rfind(b"\n", 0, bad_at) + 1
    try:
        rest = data[line_start:].decode("gb18030")
    except UnicodeDecodeError:
        return None  # UTF-8, then bytes that are no encoding at all: the generic message says so
    if not plausible(rest) and not rest.isascii():
        return None
    n = _line_of(data, bad_at)
    return (f"文件前后编码不一致，第 {n} 行起：前面是 UTF-8，从这一行起不是。{FIX_ZH}。",
            f"the file mixes encodings: UTF-8 up to line {n}, something else from there on; {FIX_EN}")


def diagnose(data: bytes, text_utf8: bytes | bytearray, at: int) -> tuple[str, str]:
    """Why the GB18030 reading is implausible at UTF-8 offset ``at`` of the decoded text, with the fix."""
    n = _line_of(text_utf8, at)
    mixed = gbk_then_utf8(data)
    if mixed:
        return mixed
    big5 = _as_big5(data)
    if big5 is not None and _plausible_big5(big5):
        return (f"文件看起来是繁体 Big5 编码（按 GBK 读出来是乱码，如第 {n} 行“{_sample(_line(text_utf8, n))}”）。"
                f"{FIX_ZH}。", f"the file looks like Big5 (Traditional Chinese), not GBK or UTF-8; {FIX_EN}")
    return (f"文件按 GBK 读出来不像正常的中文（如第 {n} 行“{_sample(_line(text_utf8, n))}”），可能是其他编码。"
            f"{FIX_ZH}。", f"the text does not read as Chinese in GBK (line {n}): another encoding?; {FIX_EN}")


def gbk_then_utf8(data: bytes) -> tuple[str, str] | None:
    """The message (Chinese, English) for a file with GBK lines first and UTF-8 lines later (GB18030 may or may not have
    decoded them: UTF-8 Chinese is mostly valid GBK mojibake), naming the first UTF-8 line."""
    seen_gbk = False
    for n, raw in enumerate(data.split(b"\n"), 1):
        if raw.isascii():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            seen_gbk = seen_gbk or plausible(raw.decode("gb18030", "replace"))
            continue
        if seen_gbk and plausible(line) and not plausible(raw.decode("gb18030", "replace")):
            return (f"文件前后编码不一致，第 {n} 行起是 UTF-8（前面是 GBK），如“{_sample(line)}”。{FIX_ZH}。",
                    f"the file mixes encodings: GBK first, UTF-8 from line {n} on; {FIX_EN}")
    return None


def _line(text_utf8: bytes | bytearray, n: int) -> str:
    return bytes(_line_bytes(text_utf8, n)).decode("utf-8", "replace")


def _as_big5(data: bytes) -> str | None:
    for name in ("big5", "cp950"):
        try:
            return codecs.decode(data, name)
        except UnicodeDecodeError:
            continue
    return None


def _plausible_big5(text: str) -> bool:
    """Big5's 5,401 frequent characters (A440-C67E) make up nearly all the Hanzi of real Traditional text."""
    han = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if not han:
        return False
    frequent = sum(1 for c in han if 0xA440 <= int.from_bytes(c.encode("cp950", "ignore")[:2] or b"\0", "big") <= 0xC67E)
    return frequent >= 0.8 * len(han)
