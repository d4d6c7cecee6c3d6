"""Ranked, forgiving name search for autocomplete and lookups.

Tiers, best first: exact, prefix, word start, substring, then fuzzy (rapidfuzz). The first
three come from sorted indexes (bisect), so a keystroke costs about the same over 10,000 names
as over 30; substring and fuzzy run only when the earlier tiers leave room.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.core.text import fold

T = TypeVar("T")

EXACT, PREFIX, WORD_START, SUBSTRING, FUZZY = range(5)
FUZZY_CUTOFF = 75.0
"""Minimum rapidfuzz ratio (0-100) for a typo to count: ``lsiter``/``lister`` scores 83,
``zzzz`` against any real name 0-40."""


@dataclass(frozen=True, slots=True)
class Hit(Generic[T]):
    """One match: the item, its tier (lower is better) and a score within the tier."""

    item: T
    tier: int
    score: float


class NameIndex(Generic[T]):
    """Items found by a name, in a fixed preferred order (e.g. best grid position first)."""

    __slots__ = (
        "_exact",
        "_haystack",
        "_items",
        "_keys",
        "_lines",
        "_owner",
        "_starts",
        "_vocab",
        "_words",
    )

    def __init__(self, named: Iterable[tuple[str, T]]) -> None:
        """``named`` gives (name, item) pairs; an item may come under several names."""
        pairs = [(fold(name), item) for name, item in named]
        self._keys = [key for key, _ in pairs]
        self._items = [item for _, item in pairs]
        first: dict[int, int] = {}
        self._owner = [first.setdefault(id(item), i) for i, item in enumerate(self._items)]
        self._exact: dict[str, list[int]] = {}
        prefixes: list[tuple[str, int]] = []
        words: list[tuple[str, int]] = []
        for index, key in enumerate(self._keys):
            self._exact.setdefault(key, []).append(index)
            prefixes.append((key, index))
            offset = 0
            for word in key.split(" ")[1:]:
                offset = key.index(word, offset + 1)
                words.append((key[offset:], index))
        prefixes.sort()
        words.sort()
        self._starts = ([k for k, _ in prefixes], [self._owner[i] for _, i in prefixes])
        self._words = ([k for k, _ in words], [self._owner[i] for _, i in words])
        self._haystack = "\n".join(self._keys)
        self._vocab: dict[str, list[int]] = {}
        for index, key in enumerate(self._keys):
            for word in set(key.split()):
                self._vocab.setdefault(word, []).append(self._owner[index])
        self._lines = [0]
        for key in self._keys[:-1]:
            self._lines.append(self._lines[-1] + len(key) + 1)

    def __len__(self) -> int:
        return len(set(self._owner))

    @property
    def items(self) -> Sequence[T]:
        """Each item once, in the index's order."""
        return [self._items[i] for i in sorted(set(self._owner))]

    @staticmethod
    def _range(sorted_keys: list[str], owners: list[int], query: str, limit: int) -> list[int]:
        """The ``limit`` best-placed items whose key starts with ``query`` (bisect, no scan)."""
        low = bisect_left(sorted_keys, query)
        high = bisect_left(sorted_keys, query + "\U0010ffff", low)
        return heapq.nsmallest(limit, set(owners[low:high]))

    def search(self, text: str, limit: int = 25, *, fuzzy: bool = True) -> list[Hit[T]]:
        """Up to ``limit`` hits, best first; each item at most once, at its best tier."""
        query = fold(text)
        if not query:
            return [Hit(item, PREFIX, 0.0) for item in self.items[:limit]]
        seen: dict[int, tuple[int, float]] = {}

        def add(indexes: Iterable[int], tier: int, score: float = 0.0) -> None:
            for index in indexes:
                owner = self._owner[index]
                if owner not in seen:
                    seen[owner] = (tier, score)

        add(self._exact.get(query, ()), EXACT)
        add(self._range(*self._starts, query, limit + len(seen)), PREFIX)
        if len(seen) < limit:
            add(self._range(*self._words, query, limit + len(seen)), WORD_START)
        if len(seen) < limit:
            add(self._substrings(query, limit * 2), SUBSTRING)
        if len(seen) < limit and fuzzy:
            self._fuzzy(query, limit, add)
        ranked = sorted(seen.items(), key=lambda kv: (kv[1][0], kv[1][1], kv[0]))
        return [Hit(self._items[i], tier, -score) for i, (tier, score) in ranked[:limit]]

    def _fuzzy(
        self, query: str, limit: int, add: Callable[[Iterable[int], int, float], None]
    ) -> None:
        """Typos: the last word typed against every distinct word (rapidfuzz, in C), and a
        query of several words against whole names. rapidfuzz is imported on the first typo,
        which keeps it out of the bot's start-up memory."""
        from rapidfuzz import fuzz, process

        last = query.rsplit(" ", 1)[-1]
        if len(last) >= 3:
            for word, score, _ in process.extract(
                last, list(self._vocab), scorer=fuzz.ratio, limit=limit, score_cutoff=FUZZY_CUTOFF
            ):
                add(heapq.nsmallest(limit, self._vocab[word]), FUZZY, -score)
        if " " in query:
            for _key, score, index in process.extract(
                query, self._keys, scorer=fuzz.QRatio, limit=limit, score_cutoff=FUZZY_CUTOFF
            ):
                add((index,), FUZZY, -score)

    def _substrings(self, query: str, limit: int) -> list[int]:
        found: list[int] = []
        haystack, start = self._haystack, 0
        while len(found) < limit:
            at = haystack.find(query, start)
            if at < 0:
                break
            found.append(bisect_right(self._lines, at) - 1)
            start = haystack.find("\n", at)
            if start < 0:
                break
        return found
