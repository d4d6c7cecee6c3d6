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


@dataclass(frozen=True, slots=True)
class Driver:
    """A driver as listed; ``marker`` is a leading symbol from the source, such as ``*``."""

    name: str
    marker: str = ""


@dataclass(frozen=True, slots=True)
class Entry:
    """One row of a qualifying grid."""

    position: int
    number: str
    drivers: tuple[Driver, ...]
    car: str
    team: str
    time: int | None
    """Best lap in ten-thousandths of a second (see ``bot.core.times``), or ``None``."""
    line: int = 0
    """The line of the source file the row came from."""
    extra: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


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
        self._by_number = {car_key(e.number): e for e in self.entries}
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
        """The entry with exactly this car number (``#`` and case ignored)."""
        return self._by_number.get(car_key(number))

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
