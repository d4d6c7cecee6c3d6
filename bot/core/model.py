"""The grid model: entries as published, with indexes for lookups."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

M = TypeVar("M")

OPERATOR = "operator"
"""The bot operator's grid files, served in every server and in DMs."""
SERVER = "server"
"""Grids imported in one server, served only there."""
LIBRARY_NAMES = {OPERATOR: "Gridbot library", SERVER: "this server's library"}

PRACTICE = "practice"
QUALIFYING = "qualifying"
RACE = "race"
KINDS = (PRACTICE, QUALIFYING, RACE)
"""What a session is: it decides how answers speak ("qualified 3rd", "finished 3rd")."""


@dataclass(frozen=True, slots=True)
class Driver:
    """A driver as listed; ``marker`` is a leading symbol from the source, such as ``*``."""

    name: str
    marker: str = ""


@dataclass(frozen=True, slots=True)
class Entry:
    """One car's result in a session: a grid row, a practice or a race classification row."""

    position: int
    number: str
    """The car number as published, or ``""`` when the source has none (Assetto Corsa)."""
    drivers: tuple[Driver, ...]
    car: str
    """The car's make and model, or ``""`` when the source does not say."""
    team: str
    """The team or entrant, or ``""`` when the source does not say."""
    time: int | None
    """Best lap in ten-thousandths of a second (see ``bot.core.times``), or ``None``."""
    line: int = 0
    """The line of the source file the row came from."""
    extra: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Further columns by folded name; ``class`` is the car's class."""
    laps: int | None = None
    """Laps completed (a race), or ``None`` when the source does not say."""
    total: int | None = None
    """Race time in ticks, when the source gives it."""
    behind: int | None = None
    """Time behind the winner at the finish in ticks, when the source gives that rather than
    (or besides) the race time; ``0`` for the winner."""
    status: str = ""
    """Why a car is not a classified finisher (``DNF``, ``DSQ``, ``Retired``…), else ``""``."""
    parts: tuple[tuple[str, int | None], ...] = ()
    """Qualifying in parts (``("Q1", t), ("Q2", t), ("Q3", None)``): each part's best lap."""

    @property
    def part(self) -> str:
        """The last part of a qualifying in parts that the car set a time in, else ``""``."""
        return next((name for name, time in reversed(self.parts) if time is not None), "")


@dataclass(frozen=True, slots=True)
class GridMeta:
    """What a grid is: event, year and session, and where it came from."""

    event: str
    session: str
    year: int | None = None
    circuit: str = ""
    date: str = ""
    legend: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    source: Path | None = None
    library: str = OPERATOR
    """Which library the grid is served from: :data:`OPERATOR` or :data:`SERVER`."""
    kind: str = QUALIFYING
    """:data:`PRACTICE`, :data:`QUALIFYING` or :data:`RACE`."""

    @property
    def title(self) -> str:
        """``"2003 1000 km of Le Mans · Qualifying"``."""
        event = f"{self.year} {self.event}" if self.year else self.event
        return f"{event} · {self.session}" if self.session else event

    @property
    def label(self) -> str:
        """The title and the library it comes from, as answers show it."""
        return f"{self.title} · {LIBRARY_NAMES[self.library]}"


def car_key(number: str) -> str:
    """The identity of a car number: ``"#8"`` and ``"8"`` are the same car; ``"08"`` is not."""
    return number.strip().lstrip("#").strip().casefold()


class Grid:
    """A parsed grid: entries ordered by position, indexed by car number and team."""

    __slots__ = ("_by_number", "_drivers", "_memo", "_teams", "digest", "entries", "meta")

    def __init__(self, meta: GridMeta, entries: tuple[Entry, ...], digest: str = "") -> None:
        self.meta = meta
        self.digest = digest
        """A stable identity of the source (SHA-256 of its bytes and name); see the loader."""
        self.entries = tuple(sorted(entries, key=lambda e: e.position))
        by_number: dict[str, Entry | None] = {}
        for entry in self.entries:
            key = car_key(entry.number)
            if key:
                by_number[key] = None if key in by_number else entry
        self._by_number = {key: e for key, e in by_number.items() if e is not None}
        """Car numbers that name one car; a number two cars share finds neither."""
        teams: dict[str, list[Entry]] = {}
        for entry in self.entries:
            teams.setdefault(entry.team, []).append(entry)
        self._teams = {name: tuple(rows) for name, rows in teams.items()}
        drivers: dict[str, list[Entry]] = {}
        for entry in self.entries:
            for driver in entry.drivers:
                drivers.setdefault(driver.name, []).append(entry)
        self._drivers = {name: tuple(rows) for name, rows in drivers.items()}
        self._memo: dict[str, Any] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        return f"Grid({self.meta.title!r}, {len(self)} cars)"

    @property
    def pole(self) -> Entry:
        """The car in first place."""
        return self.entries[0]

    def at(self, position: int) -> Entry | None:
        """The entry at a 1-based grid position, if there is one."""
        if 1 <= position <= len(self.entries):
            return self.entries[position - 1]
        return None

    def car(self, number: str) -> Entry | None:
        """The entry with exactly this car number (``#`` and case ignored), when one car has
        it: a number that several cars share (rFactor 2 allows it) finds none."""
        return self._by_number.get(car_key(number))

    def numbered(self, entry: Entry) -> bool:
        """Whether the entry's car number finds it (it has one, and no other car shares it)."""
        return self._by_number.get(car_key(entry.number)) is entry

    def sharing(self, number: str) -> tuple[Entry, ...]:
        """Every entry with this car number (more than one when cars share it)."""
        key = car_key(number)
        return tuple(e for e in self.entries if key and car_key(e.number) == key)

    @property
    def kind(self) -> str:
        """The session kind: practice, qualifying or race."""
        return self.meta.kind

    @property
    def numbers(self) -> tuple[str, ...]:
        """Every car number, in grid order."""
        return tuple(e.number for e in self.entries)

    @property
    def teams(self) -> Mapping[str, tuple[Entry, ...]]:
        """Each team's entries, in order of the team's best position."""
        return MappingProxyType(self._teams)

    @property
    def fastest(self) -> Entry | None:
        """The entry with the fastest time (the first of equals), or ``None`` if none set one."""

        def build() -> Entry | None:
            timed = [e for e in self.entries if e.time is not None]
            return min(timed, key=lambda e: (e.time or 0, e.position)) if timed else None

        return self.memo("fastest", build)

    @property
    def classes(self) -> Mapping[str, tuple[Entry, ...]]:
        """Each class's entries in grid order, when the grid has a ``class`` column."""

        def build() -> Mapping[str, tuple[Entry, ...]]:
            found: dict[str, list[Entry]] = {}
            for entry in self.entries:
                name = entry.extra.get("class", "").strip()
                if name:
                    found.setdefault(name, []).append(entry)
            return MappingProxyType({name: tuple(rows) for name, rows in found.items()})

        return self.memo("classes", build)

    @property
    def drivers(self) -> Mapping[str, tuple[Entry, ...]]:
        """Each driver's entries, in order of the driver's best position."""
        return MappingProxyType(self._drivers)

    def memo(self, key: str, build: Callable[[], M]) -> M:
        """A value derived from this grid (an index, say), built once on first use."""
        if key not in self._memo:
            self._memo[key] = build()
        value: M = self._memo[key]
        return value
