"""Every grid being served, found by event, with the default and what changed on reload."""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import cast

from bot.core.complete import MAX_CHOICES, Suggestion
from bot.core.errors import QueryError
from bot.core.lazy import LazyGrids, Pending, Summary, loaded, summary
from bot.core.model import Grid
from bot.core.search import EXACT, NameIndex
from bot.core.text import clip, fold


@dataclass(frozen=True, slots=True)
class CatalogDiff:
    """What a reload changed, by grid key."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def key_token(key: str) -> str:
    """8 hex digits naming a grid key in a button's custom id."""
    return hashlib.sha256(key.encode()).hexdigest()[:8]


def _recency(key: str, about: Summary) -> tuple[int, str, str]:
    return (about.year or 0, about.date, key)


@dataclass(frozen=True, slots=True)
class Catalog:
    """Grids by key (the file's path under the data directory, without its suffix)."""

    grids: Mapping[str, Grid]
    defaults: tuple[str, ...] = ()
    """Configured defaults (key or name), first match wins; else the most recent grid."""
    _memo: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    def overlaid(self, own: Mapping[str, Pending], defaults: tuple[str, ...]) -> Catalog:
        """This catalog with ``own`` grids over it (an own grid wins over one of the same
        key; each parsed on first use), answering ``defaults`` first: what one server sees."""
        if not own and defaults == self.defaults:
            return self
        return Catalog(LazyGrids(self.grids, own), defaults)

    def summary(self, key: str) -> Summary:
        """Title, year, date and cars of a grid, without parsing it."""
        return summary(self.grids, key)

    @property
    def ordered_keys(self) -> list[str]:
        """Every grid's key, most recent first."""
        cached = self._memo.get("ordered")
        if not isinstance(cached, list):
            cached = sorted(self.grids, key=lambda k: _recency(k, self.summary(k)), reverse=True)
            self._memo["ordered"] = cached
        return cached

    @property
    def ordered(self) -> list[tuple[str, Grid]]:
        """Every grid, most recent first (parsing any not parsed yet)."""
        return [(key, self.grids[key]) for key in self.ordered_keys]

    @property
    def default(self) -> Grid:
        """The first configured default that is loaded, else the most recent grid."""
        cached = self._memo.get("default")
        if isinstance(cached, Grid):
            return cached
        grid = self.default_rule()[1]
        self._memo["default"] = grid
        return grid

    def default_rule(self) -> tuple[int, Grid]:
        """Which rule picks the default (an index into :attr:`defaults`, or
        ``len(defaults)`` for "the most recent grid") and the grid it picks."""
        for rule, wanted in enumerate(self.defaults):
            found = self._match(wanted) if wanted else None
            if found is not None:
                return rule, found
        return len(self.defaults), self.grids[self.ordered_keys[0]]

    def prepare(self) -> Catalog:
        """Build the event indexes now (off the event loop, during a reload) rather than on
        the first lookup."""
        self._index()
        self._words()
        return self

    def _index(self) -> NameIndex[str]:
        index = self._memo.get("index")
        if not isinstance(index, NameIndex):
            named: list[tuple[str, str]] = []
            for key in self.ordered_keys:
                named.append((self.summary(key).title, key))
                named.append((key, key))
            index = NameIndex(named)
            self._memo["index"] = index
        return index

    def _words(self) -> tuple[list[str], list[frozenset[str]]]:
        """Every word of every title and key, sorted, with the keys it appears in."""
        cached = self._memo.get("words")
        if cached is None:
            keys_by_word: dict[str, set[str]] = {}
            for key in self.grids:
                for word in fold(f"{self.summary(key).title} {key}").split():
                    keys_by_word.setdefault(word, set()).add(key)
            words = sorted(keys_by_word)
            cached = (words, [frozenset(keys_by_word[w]) for w in words])
            self._memo["words"] = cached
        return cast("tuple[list[str], list[frozenset[str]]]", cached)

    def _by_words(self, text: str, *, whole: bool) -> set[str]:
        """Keys whose title or key has each word of ``text`` (``whole``) or a word starting
        with it, in any order: ``le mans 2003`` finds ``2003 1000 km of Le Mans``."""
        words, keys = self._words()
        found: set[str] | None = None
        for query in fold(text).split():
            low = bisect_left(words, query)
            if whole:
                high = low + 1 if low < len(words) and words[low] == query else low
            else:
                high = bisect_left(words, query + "\U0010ffff", low)
            matching: set[str] = set().union(*keys[low:high])
            found = matching if found is None else found & matching
            if not found:
                return set()
        return found or set()

    def _match(self, text: str) -> Grid | None:
        """The grid a text names: its key, its title, the most recent grid matching every
        word, or the one clear best match."""
        if text in self.grids:
            return self.grids[text]
        exact = self._index().search(text, 1, fuzzy=False)
        if exact and exact[0].tier == EXACT:
            return self.grids[exact[0].item]
        # Whole words first: "spa" is Spa, not Spain.
        by_words = self._by_words(text, whole=True) or self._by_words(text, whole=False)
        if by_words:
            return self.grids[max(by_words, key=lambda k: _recency(k, self.summary(k)))]
        hits = self._index().search(text, 2, fuzzy=True)
        if hits and (hits[0].tier == EXACT or len(hits) == 1 or hits[0].tier < hits[1].tier):
            return self.grids[hits[0].item]
        return None

    def find(self, event: str | None) -> Grid:
        """The grid for an ``event`` option; ``None`` or blank means the default."""
        if event is None or not fold(event):
            return self.default
        found = self._match(event)
        if found is not None:
            return found
        hits = self._index().search(event, 5)
        names = [self.summary(h.item).title for h in hits] or [
            self.summary(key).title for key in self.ordered_keys[:5]
        ]
        more = "" if len(self.grids) <= 5 else f" ({len(self.grids)} grids loaded; see /events)"
        raise QueryError(f"No single event matches “{clip(event, 60)}”{more}.", suggestions=names)

    def complete(self, text: str) -> list[Suggestion]:
        """Events for autocomplete: most recent first with nothing typed."""
        found = []
        for hit in self._index().search(text, MAX_CHOICES):
            about = self.summary(hit.item)
            found.append(
                Suggestion(clip(f"{about.title} · {about.cars} cars", 100), hit.item[:100])
            )
        return found

    def token_of(self, key: str) -> str:
        """A short, stable name for a grid as served (its key and the digest of its source),
        for buttons that must find it again after a restart: 8 hex digits of the key's hash
        and the first 12 of the source's."""
        return key_token(key) + self.grids[key].digest[:12]

    def key_of(self, grid: Grid) -> str:
        """The key ``grid`` is served under here."""
        keys = self._memo.get("keys")
        if not isinstance(keys, dict):
            keys = {id(g): key for key, g in loaded(self.grids)}
            self._memo["keys"] = keys
        return str(keys[id(grid)])

    def by_token(self, token: str) -> tuple[str | None, Grid | None]:
        """The grid a :meth:`token_of` names: ``(key, grid)`` when that very source is still
        served; ``(key, None)`` when its key serves another source now (it was replaced);
        ``(None, None)`` when nothing of that key is served."""
        keys = self._memo.get("tokens")
        if not isinstance(keys, dict):
            keys = {key_token(key): key for key in self.grids}
            self._memo["tokens"] = keys
        key = keys.get(token[:8])
        if key is None:
            return None, None
        grid = self.grids[key]
        return key, grid if grid.digest and grid.digest.startswith(token[8:]) else None

    def diff(self, before: Catalog) -> CatalogDiff:
        """What changed from ``before`` to this catalog."""
        old, new = before.grids, self.grids
        return CatalogDiff(
            added=tuple(sorted(new.keys() - old.keys())),
            removed=tuple(sorted(old.keys() - new.keys())),
            changed=tuple(
                sorted(
                    key
                    for key in new.keys() & old.keys()
                    if new[key].entries != old[key].entries or new[key].meta != old[key].meta
                )
            ),
        )
