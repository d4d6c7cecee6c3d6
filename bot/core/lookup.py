"""Find entries by position, car number and team name, forgivingly."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from threading import Lock

from cachetools import LRUCache

from bot.core.complete import Suggestion, complete_car, complete_driver, complete_team
from bot.core.errors import QueryError
from bot.core.model import Entry, Grid, car_key
from bot.core.search import FUZZY_CUTOFF
from bot.core.text import clip, fold

MAX_NAME_LENGTH = 100
FUZZY_NAME = 2 * MAX_NAME_LENGTH
"""How much of a name fuzzy scoring looks at."""
REMEMBERED = 256
"""Answers (hits and misses) remembered per grid and kind of name."""
Matched = tuple[list[str], bool]
SUGGESTED = 3
"""Names a failed lookup suggests: the first few that autocomplete offers for the same text,
so that an answer never suggests what the option's own list would not (nonsense: nothing)."""


def entry_at(grid: Grid, position: object) -> Entry:
    """The entry at ``position``; a polite ``QueryError`` for anything out of range."""
    count = len(grid)
    if isinstance(position, bool) or not isinstance(position, int):
        raise QueryError(f"The position must be a whole number from 1 to {count}.")
    entry = grid.at(position)
    if entry is None:
        raise QueryError(f"The grid has {count} cars; pick 1–{count}.")
    return entry


def find_car(grid: Grid, number: str) -> Entry:
    """The entry for a car number: ``8`` and ``#8`` match car 8; ``08`` too when no car is 08.

    A car that its number does not find (a file without car numbers, or two cars on one
    number) is found by a driver's name instead."""
    wanted = car_key(number)
    if not wanted:
        if any(e.number for e in grid.entries):
            raise QueryError("Give a car number, such as 8 or #8.")
        raise QueryError("This grid has no car numbers: give a driver's name.")
    entry = grid.car(wanted)
    if entry is not None:
        return entry
    if wanted.isascii() and wanted.isdigit() and len(wanted) <= 20:
        same_value = [
            e
            for e in grid.entries
            if car_key(e.number).isascii()
            and car_key(e.number).isdigit()
            and int(car_key(e.number)) == int(wanted)
        ]
        if len(same_value) == 1:
            return same_value[0]
    shared = grid.sharing(wanted)
    if len(shared) > 1:
        raise QueryError(
            f"{len(shared)} cars are #{clip(shared[0].number, 20)} on this grid; give a "
            "driver's name to say which.",
            suggestions=[e.drivers[0].name for e in shared if e.drivers],
        )
    by_driver = _car_by_driver(grid, number)
    if by_driver is not None:
        return by_driver
    raise QueryError(
        f"No car #{clip(wanted, 20)} on this grid.", suggestions=nearest_numbers(grid, wanted)
    )


def _car_by_driver(grid: Grid, name: str) -> Entry | None:
    """The one car that a driver's name finds, if the name is a driver's (not a guess, unless
    the grid has no car numbers to go by); a ``QueryError`` when it finds several cars."""
    if not any(ch.isalpha() for ch in name) or len(name) > MAX_NAME_LENGTH:
        return None
    try:
        drivers, guessed = find_drivers(grid, name)
    except QueryError:
        return None
    if guessed and any(e.number for e in grid.entries):
        return None
    entries: list[Entry] = []
    for driver in drivers:
        entries += [e for e in grid.drivers[driver] if all(e is not seen for seen in entries)]
    if len(entries) == 1:
        return entries[0]
    raise QueryError(
        f"“{clip(name, 40)}” matches {len(entries)} cars; give more of the name or a car number.",
        suggestions=[d for d in drivers][:SUGGESTED],
    )


def nearest_numbers(grid: Grid, wanted: str, count: int = 5) -> list[str]:
    """The car numbers closest to ``wanted``: numerically if it is a number, else what
    autocomplete offers for it (by number, car or team; nothing for nonsense)."""
    if wanted.isascii() and wanted.isdigit() and len(wanted) <= 20:
        numeric = [e.number for e in grid.entries if e.number.isascii() and e.number.isdigit()]
        value = int(wanted)
        return [
            f"#{n}" for n in sorted(numeric, key=lambda n: (abs(int(n) - value), int(n)))[:count]
        ]
    return [f"#{number}" for number in offered(complete_car, grid, wanted)[:count]]


def offered(complete: Callable[[Grid, str], list[Suggestion]], grid: Grid, text: str) -> list[str]:
    """The values autocomplete offers for ``text``, best first."""
    return [str(suggestion.value) for suggestion in complete(grid, text)]


def match_names(
    folded: Mapping[str, tuple[str, ...]],
    text: str,
    kind: str,
    example: str,
    suggest: Callable[[str], list[str]] = lambda _text: [],
) -> tuple[list[str], bool]:
    """Names matching ``text`` and whether the match is a fuzzy guess.

    ``folded`` maps each folded form to the names that fold to it (see :func:`folded_names`):
    ``Courage Compétition`` and ``Courage Competition`` can be two teams.

    The name exactly as typed wins; then every name equal to it ignoring case, accents and
    punctuation; else every name that contains the query; else the best fuzzy matches (all of
    them when equally good); else a ``QueryError`` suggesting what ``suggest`` offers for the
    text (the option's autocomplete), which is nothing for nonsense.
    """
    query = fold(text)
    if not query:
        raise QueryError(f"Type at least part of a {kind} name, such as {example}.")
    if len(text) > MAX_NAME_LENGTH:
        raise QueryError(
            f"That is longer than any {kind} name ({MAX_NAME_LENGTH} characters at most)."
        )
    if query in folded:
        same = folded[query]
        typed = " ".join(text.split())
        return ([typed] if typed in same else list(same)), False
    containing = [name for key, names in folded.items() if query in key for name in names]
    if containing:
        return containing, False
    scored = sorted(((name_score(query, key), key) for key in folded), key=lambda s: -s[0])
    best = scored[0][0]
    if best >= FUZZY_CUTOFF:
        return [name for score, key in scored if score == best for name in folded[key]], True
    raise QueryError(
        f"No {kind} matches “{clip(text, 40)}”.", suggestions=suggest(text)[:SUGGESTED]
    )


def folded_names(names: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Folded form → the names with that form, in their order, for :func:`match_names`."""
    found: dict[str, list[str]] = {}
    for name in names:
        found.setdefault(fold(name), []).append(name)
    return {key: tuple(same) for key, same in found.items()}


def remembered(grid: Grid, kind: str, name: str, find: Callable[[], Matched]) -> Matched:
    """The answer of ``find`` for ``name`` on ``grid``, worked out once: a miss as well as a
    hit, since a miss costs the most (it is scored against every name)."""
    answers, lock = grid.memo(
        f"{kind}-answers", lambda: (LRUCache[str, Matched | QueryError](REMEMBERED), Lock())
    )
    with lock:  # a large grid's lookups run in worker threads
        found = answers.get(name)
    if found is None:
        try:
            found = find()
        except QueryError as error:
            found = error
        with lock:
            answers[name] = found
    if isinstance(found, QueryError):
        raise found
    names, guessed = found
    return list(names), guessed


def find_teams(grid: Grid, name: str) -> Matched:
    """Teams matching ``name`` (see :func:`match_names`)."""
    folded = grid.memo("folded-teams", lambda: folded_names(list(grid.teams)))
    return remembered(
        grid,
        "team",
        name,
        lambda: match_names(
            folded, name, "team", "Lister", lambda text: offered(complete_team, grid, text)
        ),
    )


def find_drivers(grid: Grid, name: str) -> Matched:
    """Drivers matching ``name`` (see :func:`match_names`)."""
    folded = grid.memo("folded-drivers", lambda: folded_names(list(grid.drivers)))
    return remembered(
        grid,
        "driver",
        name,
        lambda: match_names(
            folded,
            name,
            "driver",
            "Kristensen",
            lambda text: offered(complete_driver, grid, text),
        ),
    )


def name_score(query: str, key: str) -> float:
    """How well a folded query matches a folded name, 0-100, forgiving typos in any word.

    The best of rapidfuzz's WRatio over the name and an optimal-string-alignment similarity
    (a swap of two letters costs one) against each run of as many words as the query has.
    Only the first :data:`FUZZY_NAME` characters of a name are scored, so the work is bounded
    by the query's length whatever the names' (a typo is looked for where names differ).
    """
    from rapidfuzz import fuzz
    from rapidfuzz.distance import OSA

    key = key[:FUZZY_NAME]
    score = fuzz.WRatio(query, key)
    size = len(query.split())
    words = key.split()
    for start in range(max(1, len(words) - size + 1)):
        window = " ".join(words[start : start + size])
        score = max(score, OSA.normalized_similarity(query, window) * 100)
    return float(score)
