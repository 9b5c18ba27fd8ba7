"""In-memory customer lookup: credit code, full name, aliases, pinyin and initials, then fuzzy.

`/risk 华强` must answer in milliseconds with a million customers, so nothing here scans a
table per query: exact keys live in dicts, and substring search runs `str.find` over one
joined string per field (names, pinyin, initials), mapping hits back through sorted offsets.
Fuzzy matching (rapidfuzz) runs only when nothing else matched.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from threading import RLock

from pypinyin.phrases_dict import phrases_dict
from pypinyin.pinyin_dict import pinyin_dict
from rapidfuzz import fuzz, process

_SEP = "\x00"
_CODE = re.compile(r"^[0-9A-Z]{18}$")
_TONES = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ", "aaaaeeeeiiiioooouuuuvvvvvnnnm")


def normalise(text: str) -> str:
    """Full-width to half-width, case folded, without spaces: how names and queries compare."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


@lru_cache(maxsize=None)
def _readings(char: str) -> tuple[str, ...]:
    raw = pinyin_dict.get(ord(char))
    if raw is None:
        return (char if char.isascii() and char.isalnum() else "",)
    return tuple(dict.fromkeys(r.translate(_TONES) for r in raw.split(",")))


def pinyin_of(name: str) -> list[str]:
    """Syllables of a name. pypinyin's own converter segments phrases and costs ~90 µs a name;
    this reads its dictionaries directly (a few µs), using the phrase table only to settle
    characters with several readings (重庆 → chong qing, 银行 → yin hang)."""
    out: list[str] = []
    for i, char in enumerate(name):
        readings = _readings(char)
        reading = readings[0]
        if len(readings) > 1:
            for start in (i, i - 1):
                phrase = phrases_dict.get(name[start:start + 2]) if start >= 0 else None
                if phrase:
                    reading = phrase[i - start][0].translate(_TONES)
                    break
        if reading:
            out.append(reading)
    return out


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, str], dict[int, str], frozenset[str]]:
    """str.translate tables (character → pinyin, → initial) and the characters whose toneless
    readings differ, which alone need the phrase table. Translating runs at C speed, which is
    what makes indexing a million names take seconds rather than minutes."""
    full: dict[int, str] = {}
    initial: dict[int, str] = {}
    several: set[str] = set()
    for code in pinyin_dict:
        readings = _readings(chr(code))
        full[code] = readings[0]
        initial[code] = readings[0][:1]
        if len(readings) > 1:
            several.add(chr(code))
    return full, initial, frozenset(several)


def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a normalised name, e.g. 重庆长安 → ("chongqingchangan", "cqca")."""
    full, initial, several = _tables()
    if several.isdisjoint(name):
        return name.translate(full), name.translate(initial)
    syllables = pinyin_of(name)
    return "".join(syllables), "".join(s[0] for s in syllables)


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    name: str
    credit_code: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Match:
    id: int
    name: str
    how: str  # code | name | alias | prefix | contains | pinyin | initials | fuzzy
    score: float


@dataclass(frozen=True, slots=True)
class SearchResult:
    matches: tuple[Match, ...]
    certain: bool  # True when one customer is meant beyond doubt: show its card at once

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None


class _Blob:
    """One field of every entry joined into a string, for fast substring search."""

    def __init__(self, items: list[tuple[str, int]]) -> None:
        self.text = _SEP + _SEP.join(text for text, _ in items) + _SEP
        self.ids = [entry_id for _, entry_id in items]
        self.starts: list[int] = []
        pos = 1
        for text, _ in items:
            self.starts.append(pos)
            pos += len(text) + 1

    def find(self, needle: str, limit: int) -> list[tuple[int, bool]]:
        """(entry id, is prefix) for up to `limit` distinct entries containing `needle`."""
        found: dict[int, bool] = {}
        text, pos = self.text, 0
        while len(found) < limit:
            pos = text.find(needle, pos)
            if pos < 0:
                break
            slot = bisect_right(self.starts, pos) - 1
            entry_id = self.ids[slot]
            prefix = self.starts[slot] == pos
            found[entry_id] = found.get(entry_id, False) or prefix
            pos += 1
        return list(found.items())


class CustomerIndex:
    """Thread-safe; rebuilt lazily after changes so a bulk import costs one rebuild."""

    def __init__(self) -> None:
        self._lock = RLock()
        self._entries: dict[int, Entry] = {}
        self._dirty = True
        self._by_code: dict[str, int] = {}
        self._by_name: dict[str, list[int]] = {}
        self._by_alias: dict[str, list[int]] = {}
        self._names = self._pinyin = self._initials = _Blob([])
        self._choices: list[str] = []
        self._choice_ids: list[int] = []

    def __len__(self) -> int:
        return len(self._entries)

    def upsert(self, entries: Iterable[Entry]) -> None:
        """Take in new or changed entries; unchanged ones (a rescored customer) cost no rebuild."""
        with self._lock:
            for entry in entries:
                if self._entries.get(entry.id) != entry:
                    self._entries[entry.id] = entry
                    self._dirty = True

    def _rebuild(self) -> None:
        by_code: dict[str, int] = {}
        by_name: dict[str, list[int]] = {}
        by_alias: dict[str, list[int]] = {}
        names: list[tuple[str, int]] = []
        pinyin: list[tuple[str, int]] = []
        initials: list[tuple[str, int]] = []
        for entry in self._entries.values():
            by_code[entry.credit_code] = entry.id
            for label, table in ((entry.name, by_name), *((a, by_alias) for a in entry.aliases)):
                key = normalise(label)
                if not key:
                    continue
                table.setdefault(key, []).append(entry.id)
                names.append((key, entry.id))
                full, first = pinyin_keys(key)
                pinyin.append((full, entry.id))
                initials.append((first, entry.id))
        self._by_code, self._by_name, self._by_alias = by_code, by_name, by_alias
        self._names, self._pinyin, self._initials = _Blob(names), _Blob(pinyin), _Blob(initials)
        self._choices = [text for text, _ in names]
        self._choice_ids = [entry_id for _, entry_id in names]
        self._dirty = False

    def search(self, query: str, limit: int = 10) -> SearchResult:
        with self._lock:
            if self._dirty:
                self._rebuild()
        key = normalise(query)
        if not key:
            return SearchResult((), False)
        code = key.upper()
        if _CODE.match(code) and code in self._by_code:
            return self._result([(self._by_code[code], "code", 100.0)], certain=True)
        exact = self._by_name.get(key)
        if exact:
            return self._result([(i, "name", 100.0) for i in exact], certain=len(exact) == 1)
        alias = self._by_alias.get(key)
        if alias:
            ids = list(dict.fromkeys(alias))
            return self._result([(i, "alias", 99.0) for i in ids], certain=len(ids) == 1)
        scored: dict[int, tuple[str, float]] = {}

        def offer(hits: list[tuple[int, bool]], how: str, prefix_score: float, inner_score: float) -> None:
            for entry_id, prefix in hits:
                score = prefix_score if prefix else inner_score
                if entry_id not in scored or scored[entry_id][1] < score:
                    scored[entry_id] = ("prefix" if prefix and how == "contains" else how, score)

        offer(self._names.find(key, limit * 5), "contains", 90.0, 80.0)
        if key.isascii() and key.isalpha():
            offer(self._pinyin.find(key, limit * 5), "pinyin", 75.0, 70.0)
            offer(self._initials.find(key, limit * 5), "initials", 72.0, 65.0)
        if scored:
            ranked = sorted(scored.items(), key=lambda kv: (-kv[1][1], len(self._entries[kv[0]].name)))
            rows = [(i, how, score) for i, (how, score) in ranked[:limit]]
            return self._result(rows, certain=len(rows) == 1)
        hits = process.extract(key, self._choices, scorer=fuzz.partial_ratio, limit=limit * 3, score_cutoff=60)
        rows, seen = [], set()
        for _, score, index in hits:
            entry_id = self._choice_ids[index]
            if entry_id not in seen:
                seen.add(entry_id)
                rows.append((entry_id, "fuzzy", float(score)))
        return self._result(rows[:limit], certain=False)

    def _result(self, rows: list[tuple[int, str, float]], certain: bool) -> SearchResult:
        matches = tuple(Match(i, self._entries[i].name, how, score) for i, how, score in rows)
        return SearchResult(matches, certain)
