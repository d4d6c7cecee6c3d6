"""Grids parsed on first use. A server's library knows what the catalog needs of each grid
(title, year, date, cars) from the database, and parses a grid only when it is asked about:
a cold server's first answer parses one grid, not all of them, and memory holds only those."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from bot.core.errors import GridFileError, QueryError
from bot.core.model import Grid


@dataclass(frozen=True, slots=True)
class Summary:
    """What a catalog needs of a grid without parsing it."""

    title: str
    year: int | None
    date: str
    cars: int

    @classmethod
    def of(cls, grid: Grid) -> Summary:
        return cls(grid.meta.title, grid.meta.year, grid.meta.date, len(grid))


Pending = tuple[Summary, Callable[[], Grid]]
"""A grid not parsed yet: its summary, and how to parse it."""


class LazyGrids(Mapping[str, Grid]):
    """``base`` grids with ``pending`` ones over them (a pending grid wins over a base grid of
    the same key), each pending grid parsed the first time it is looked up.

    A pending grid that cannot be parsed any more answers with a ``QueryError`` naming its
    file and line.
    """

    __slots__ = ("_base", "_parsed", "_pending")

    def __init__(self, base: Mapping[str, Grid], pending: Mapping[str, Pending]) -> None:
        self._base = base
        self._pending = pending
        self._parsed: dict[str, Grid] = {}

    def __getitem__(self, key: str) -> Grid:
        if key not in self._pending:
            return self._base[key]
        grid = self._parsed.get(key)
        if grid is None:
            try:
                grid = self._pending[key][1]()
            except GridFileError as error:
                where = f", line {error.line}" if error.line else ""
                raise QueryError(
                    f"{self._pending[key][0].title} cannot be served: {error.path.name}"
                    f"{where}: {error.problem}"
                ) from None
            grid = self._parsed.setdefault(key, grid)
        return grid

    def __contains__(self, key: object) -> bool:
        return key in self._pending or key in self._base

    def __iter__(self) -> Iterator[str]:
        yield from (key for key in self._base if key not in self._pending)
        yield from self._pending

    def __len__(self) -> int:
        return len(self._pending) + sum(1 for key in self._base if key not in self._pending)

    def summary(self, key: str) -> Summary:
        pending = self._pending.get(key)
        return pending[0] if pending is not None else Summary.of(self._base[key])

    def all_parsed(self) -> bool:
        return len(self._parsed) == len(self._pending)

    def loaded(self) -> Iterator[tuple[str, Grid]]:
        """The grids parsed so far (the base grids count as parsed), without parsing more."""
        yield from ((k, g) for k, g in self._base.items() if k not in self._pending)
        yield from self._parsed.items()


def summary(grids: Mapping[str, Grid], key: str) -> Summary:
    """A grid's summary, without parsing it when ``grids`` is lazy."""
    return grids.summary(key) if isinstance(grids, LazyGrids) else Summary.of(grids[key])


def all_parsed(grids: Mapping[str, Grid]) -> bool:
    """Whether every grid is parsed already (looking one up then costs no parse)."""
    return not isinstance(grids, LazyGrids) or grids.all_parsed()


def loaded(grids: Mapping[str, Grid]) -> Iterator[tuple[str, Grid]]:
    """The grids already parsed."""
    return grids.loaded() if isinstance(grids, LazyGrids) else iter(grids.items())
