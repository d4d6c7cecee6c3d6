"""Ranked, forgiving name search for autocomplete and lookups.

Tiers, best first: exact, prefix, word start, substring, then fuzzy (rapidfuzz). The first
three come from sorted indexes (bisect), so a keystroke costs about the same over 10,000 names
as over 30; substring and fuzzy run only when the earlier tiers leave room.
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.core.text import fold

T = TypeVar("T")

EXACT, PREFIX, WORD_START, SUBSTRING, FUZZY = range(5)
FUZZY_CUTOFF = 75.0
"""Minimum rapidfuzz ratio (0-100) for a typo to count: ``lsiter``/``lister`` scores 83,
``zzzz`` against any real name 0-40."""
MAX_QUERY = 100
"""The longest query searched (Discord's limit for an option's value); longer text is cut."""
WORD_KEY = 32
"""Characters of each word start the word index sorts by: a word start is kept as a position
in its name, never as a copy of the rest of the name, so the index grows with the names'
length, not with its square. Longer queries are checked against the names themselves."""
SORT_STEP = 4096
"""Word starts sorted in one go at most: one sort of 100,000 strings holds the GIL for about
50 ms, and indexes are built in worker threads while the event loop serves."""
REMEMBERED = 256
"""Searches that reached the fuzzy tier, remembered per index (least recently used out): a
name that matches nothing costs its rapidfuzz scoring once, not on every keystroke."""


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
        "_remembered",
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
        for index, key in enumerate(self._keys):
            self._exact.setdefault(key, []).append(index)
        prefixes = sorted((key, index) for index, key in enumerate(self._keys))
        self._starts = ([k for k, _ in prefixes], [self._owner[i] for _, i in prefixes])
        self._words = self._word_starts()
        self._haystack = "\n".join(self._keys)
        self._vocab: dict[str, list[int]] = {}
        for index, key in enumerate(self._keys):
            for word in set(key.split()):
                self._vocab.setdefault(word, []).append(self._owner[index])
        self._lines = [0]
        for key in self._keys[:-1]:
            self._lines.append(self._lines[-1] + len(key) + 1)
        self._remembered: OrderedDict[tuple[str, int, bool], list[Hit[T]]] = OrderedDict()

    def _word_starts(self) -> array[int]:
        """Where every word after a name's first starts, as ``offset * len(keys) + index``,
        sorted by the text from there (its first :data:`WORD_KEY` characters)."""
        keys, count = self._keys, len(self._keys)
        starts: list[int] = []
        for index, key in enumerate(keys):
            at = key.find(" ")
            while at >= 0:
                starts.append((at + 1) * count + index)
                at = key.find(" ", at + 1)
        return array("q", _sorted_in_steps(starts, lambda code: self._word_at(code, WORD_KEY)))

    def _word_at(self, code: int, length: int) -> str:
        offset, index = divmod(code, len(self._keys))
        return self._keys[index][offset : offset + length]

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

    def _word_range(self, query: str, limit: int) -> list[int]:
        """The ``limit`` best-placed items with a word (not the first) starting with ``query``."""
        head = query[:WORD_KEY]

        def word(code: int) -> str:
            return self._word_at(code, len(head))

        low = bisect_left(self._words, head, key=word)
        high = bisect_right(self._words, head, low, key=word)
        count = len(self._keys)
        found = {
            self._owner[code % count]
            for code in self._words[low:high]
            if len(query) <= WORD_KEY or self._keys[code % count].startswith(query, code // count)
        }
        return heapq.nsmallest(limit, found)

    def search(self, text: str, limit: int = 25, *, fuzzy: bool = True) -> list[Hit[T]]:
        """Up to ``limit`` hits, best first; each item at most once, at its best tier."""
        query = fold(text[: MAX_QUERY * 2])[:MAX_QUERY]
        if not query:
            return [Hit(item, PREFIX, 0.0) for item in self.items[:limit]]
        remembered = self._remembered.get((query, limit, fuzzy))
        if remembered is not None:
            self._remembered.move_to_end((query, limit, fuzzy))
            return remembered
        seen: dict[int, tuple[int, float]] = {}

        def add(indexes: Iterable[int], tier: int, score: float = 0.0) -> None:
            for index in indexes:
                owner = self._owner[index]
                if owner not in seen:
                    seen[owner] = (tier, score)

        add(self._exact.get(query, ()), EXACT)
        add(self._range(*self._starts, query, limit + len(seen)), PREFIX)
        if len(seen) < limit:
            add(self._word_range(query, limit + len(seen)), WORD_START)
        if len(seen) < limit:
            add(self._substrings(query, limit * 2), SUBSTRING)
        scored = len(seen) < limit and fuzzy
        if scored:
            self._fuzzy(query, limit, add)
        ranked = sorted(seen.items(), key=lambda kv: (kv[1][0], kv[1][1], kv[0]))
        hits = [Hit(self._items[i], tier, -score) for i, (tier, score) in ranked[:limit]]
        if scored:
            self._remember((query, limit, fuzzy), hits)
        return hits

    def _remember(self, key: tuple[str, int, bool], hits: list[Hit[T]]) -> None:
        self._remembered[key] = hits
        if len(self._remembered) > REMEMBERED:
            self._remembered.popitem(last=False)

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


def _sorted_in_steps(items: list[int], key: Callable[[int], str]) -> list[int]:
    """``sorted(items, key=key)``, in short sorts merged step by step (see :data:`SORT_STEP`)."""
    runs = [sorted(items[at : at + SORT_STEP], key=key) for at in range(0, len(items), SORT_STEP)]
    if len(runs) <= 1:
        return runs[0] if runs else []
    return list(heapq.merge(*runs, key=key))
