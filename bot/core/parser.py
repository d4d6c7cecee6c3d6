"""Parse a qualifying grid: Markdown pipe tables here, CSV in :mod:`bot.core.csvgrid`.

Both formats come down to rows of cells with their line numbers, which :func:`grid_from_rows`
reads and validates the same way. A Markdown table may have a header row (and ``|---|``
separator) or not; without one the columns are position, car number, drivers, car, team, best
lap. A Markdown file may start with TOML front matter between ``+++`` lines. Anything that
cannot be served whole is rejected with a :class:`GridFileError` naming the file and line.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bot.core.errors import GridFileError
from bot.core.model import Driver, Entry, Grid, GridMeta, car_key
from bot.core.text import clip, fold
from bot.core.times import TimeFormatError, is_no_time, parse_time

COLUMNS = ("position", "number", "drivers", "car", "team", "time")
"""The columns every grid has, in the order a table without a header gives them."""

SYNONYMS: Mapping[str, str] = {
    "pos": "position",
    "position": "position",
    "p": "position",
    "grid": "position",
    "no": "number",
    "nr": "number",
    "number": "number",
    "car no": "number",
    "car nr": "number",
    "car number": "number",
    "num": "number",
    "driver": "drivers",
    "drivers": "drivers",
    "driver s": "drivers",
    "car": "car",
    "chassis": "car",
    "vehicle": "car",
    "team": "team",
    "entrant": "team",
    "time": "time",
    "best lap": "time",
    "lap time": "time",
    "laptime": "time",
    "best time": "time",
    "qualifying time": "time",
}
"""Folded header text → column. ``#`` and ``Car #`` fold to ``""`` and ``"car"``: see
:func:`column_of`."""

Row = tuple[int, list[str]]
"""A table row: the line it starts on and its cells, stripped."""

_POSITION = re.compile(r"^[Pp]?\s*(\d{1,4})(?:st|nd|rd|th|\.)?$", re.IGNORECASE)
_SEPARATOR = re.compile(r"^:?-{1,}:?$")
_MARKER = re.compile(r"^([*†‡§#+^]+)\s*(.+)$")
_PIPE = re.compile(r"(?<!\\)\|")
_TOML_WHERE = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)$")
_NO_EXTRA: Mapping[str, str] = MappingProxyType({})
MAX_CARS = 1000
MAX_ROWS = MAX_CARS + 2
"""Rows read of a table at most (a header and its ``|---|`` line besides the cars): one car
more than a grid may have is enough to refuse it, without holding the rest in memory."""
MAX_NUMBER = 20
"""The longest car number: what ``/car`` and ``/gap`` accept, so every car can be asked for."""


def parse_position(text: str) -> int | None:
    """``5th``, ``5``, ``P5`` → 5; anything else → ``None``."""
    match = _POSITION.match(text.strip())
    return int(match.group(1)) if match else None


def split_row(line: str) -> list[str]:
    """The cells of a pipe-table row (outer pipes optional, ``\\|`` is a literal pipe)."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    if "\\" not in body:
        return [cell.strip() for cell in body.split("|")]
    return [cell.replace("\\|", "|").strip() for cell in _PIPE.split(body)]


@lru_cache(maxsize=1 << 16)
def parse_drivers(text: str) -> tuple[Driver, ...]:
    """``"A / *B"`` → (Driver("A"), Driver("B", marker="*")).

    Cached: the same line-up (and each driver) is one shared, immutable object across grids.
    """
    return tuple(_driver(name) for part in text.split("/") if (name := " ".join(part.split())))


@lru_cache(maxsize=1 << 16)
def _driver(name: str) -> Driver:
    match = _MARKER.match(name)
    if match:
        return Driver(name=sys.intern(match.group(2)), marker=match.group(1))
    return Driver(name=sys.intern(name))


# Front matter and sidecars: TOML, with errors on the file's own line numbers.


@dataclass(frozen=True, slots=True)
class TomlBlock:
    """Parsed TOML and where it sits: ``first_line`` is the file line of its first line."""

    data: Mapping[str, Any]
    lines: Sequence[str]
    first_line: int

    def line_of(self, key: str) -> int:
        """The file line where ``key`` is set (``key = ...`` or ``[key]``), else the first."""
        name = re.escape(key)
        pattern = re.compile(rf"""^\s*(?:(?:{name}|"{name}"|'{name}')\s*=|\[\s*{name}\s*\])""")
        for index, line in enumerate(self.lines):
            if pattern.match(line):
                return self.first_line + index
        return self.first_line


def file_lines(text: str) -> list[str]:
    """Lines as a file has them: split on newlines only (``str.splitlines`` would also split on
    U+2028, form feeds and the like inside cells, and throw line numbers off)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def read_toml(text: str, path: Path | str, first_line: int = 1) -> TomlBlock:
    """Parse TOML that starts on file line ``first_line``; errors name ``path`` and the line."""
    lines = file_lines(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        where = _TOML_WHERE.search(message)
        last = first_line + max(len(lines) - 1, 0)
        line = first_line + int(where.group(1)) - 1 if where and where.group(1) else last
        problem = message[: where.start()] if where else message
        raise GridFileError(path, line, f"invalid TOML: {problem}") from None
    except RecursionError:
        raise GridFileError(path, first_line, "invalid TOML: nested too deeply") from None
    return TomlBlock(data, tuple(lines), first_line)


def _front_matter(lines: list[str], path: Path) -> tuple[TomlBlock | None, int]:
    """TOML between ``+++`` lines at the top, and the index of the first line after it."""
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None:
        return None, 0
    opening = lines[start].strip()
    if opening == "---":
        raise GridFileError(
            path, start + 1, "front matter is TOML between '+++' lines, not YAML between '---'"
        )
    if opening != "+++":
        return None, start
    end = next((i for i in range(start + 1, len(lines)) if lines[i].strip() == "+++"), None)
    if end is None:
        raise GridFileError(
            path, start + 1, "the front matter opened here is never closed: end it with '+++'"
        )
    return read_toml("\n".join(lines[start + 1 : end]), path, first_line=start + 2), end + 1


# Markdown.


def markdown_rows(text: str, path: Path | str) -> tuple[TomlBlock | None, list[Row]]:
    """The front matter (if any) and the table rows of a Markdown grid, by file line."""
    path = Path(path)
    lines = file_lines(text)
    front, start = _front_matter(lines, path)
    rows: list[Row] = []
    for index in range(start, len(lines)):
        line = lines[index].strip()
        if not line:
            continue
        if not line.startswith("|"):
            raise GridFileError(
                path, index + 1, "expected a table row starting with '|' (see README: data files)"
            )
        rows.append((index + 1, split_row(line)))
        if len(rows) > MAX_ROWS:
            break  # enough to say the grid has too many cars; no need to split the rest
    if not rows:
        problem = " after the front matter" if front is not None else ": the file is empty"
        raise GridFileError(path, None, f"no table rows found{problem}")
    return front, rows


def parse_grid_text(text: str, path: Path | str, meta: GridMeta | None = None) -> Grid:
    """Parse the text of one Markdown grid; ``path`` names it in errors.

    Front matter is checked and skipped here; :func:`bot.core.loader.load_grid` also turns it
    into the grid's metadata.
    """
    _front, rows = markdown_rows(text, path)
    return grid_from_rows(rows, path, meta)


# Rows of cells → a grid, for every format.


def column_of(header_cell: str) -> str | None:
    """The standard column a header cell names (``No.``, ``#``, ``Car #``, ``Best lap``…)."""
    folded = fold(header_cell)
    if "#" in header_cell and folded in ("", "car"):
        return "number"
    return SYNONYMS.get(folded)


def column_names(cells: list[str]) -> dict[str, int]:
    """The standard columns a header row names, by cell index."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = column_of(cell)
        if key and key not in found:
            found[key] = index
    return found


def is_header(cells: list[str], found: Mapping[str, int]) -> bool:
    return len(found) >= 3 and parse_position(cells[0]) is None


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where each column is, how many cells a row has, and the extra columns' names."""

    width: int
    position: int
    number: int
    drivers: int
    car: int
    team: int
    time: int
    extras: tuple[tuple[int, str], ...] = ()
    header_line: int | None = None

    @classmethod
    def from_header(cls, path: Path, line: int, cells: list[str]) -> _Layout:
        found = column_names(cells)
        missing = [name for name in COLUMNS if name not in found]
        if missing:
            raise GridFileError(path, line, f"the header has no column for: {', '.join(missing)}")
        used = set(found.values())
        extras: list[tuple[int, str]] = []
        names: set[str] = set()
        for index, cell in enumerate(cells):
            if index in used:
                continue
            name = base = fold(cell) or f"column {index + 1}"
            copy = 1
            while name in names:
                copy += 1
                name = f"{base} {copy}"
            names.add(name)
            extras.append((index, sys.intern(name)))
        return cls(
            width=len(cells),
            position=found["position"],
            number=found["number"],
            drivers=found["drivers"],
            car=found["car"],
            team=found["team"],
            time=found["time"],
            extras=tuple(extras),
            header_line=line,
        )


_PLAIN = _Layout(len(COLUMNS), *range(len(COLUMNS)))


def grid_from_rows(
    rows: list[Row],
    path: Path | str,
    meta: GridMeta | None = None,
    *,
    header_required: bool = False,
) -> Grid:
    """Read the header (if any) and every row, then check the grid is whole and consistent."""
    path = Path(path)
    if not rows:
        raise GridFileError(path, None, "no table rows found: the file is empty")
    first_line, first = rows[0]
    layout = _PLAIN
    if is_header(first, column_names(first)):
        layout = _Layout.from_header(path, first_line, first)
        rows = rows[1:]
        if rows and all(_SEPARATOR.match(cell) for cell in rows[0][1] if cell):
            rows = rows[1:]
    elif header_required:
        raise GridFileError(
            path,
            first_line,
            "expected a header row naming the columns, such as "
            "Pos, No, Driver, Car, Team, Time (a CSV grid needs one)",
        )
    entries = [_parse_row(path, line, cells, layout) for line, cells in rows]
    return check_entries(path, entries, meta or GridMeta(event=path.stem, session=""))


def _parse_row(path: Path, line: int, cells: list[str], layout: _Layout) -> Entry:
    if len(cells) != layout.width:
        shape = (
            f"as in the header on line {layout.header_line}"
            if layout.header_line
            else f"({', '.join(COLUMNS)})"
        )
        raise GridFileError(
            path, line, f"expected {layout.width} cells {shape}, found {len(cells)}"
        )
    position_cell = cells[layout.position]
    position = parse_position(position_cell)
    if position is None:
        raise GridFileError(
            path, line, f"cannot read the position {position_cell!r}: use 5, 5th or P5"
        )
    number_cell = cells[layout.number]
    car_number = number_cell.strip().lstrip("#").strip()
    if not car_number or not car_number.replace("-", "").isalnum():
        raise GridFileError(path, line, f"cannot read the car number {clip(number_cell, 40)!r}")
    if len(car_number) > MAX_NUMBER:
        raise GridFileError(
            path,
            line,
            f"the car number {clip(car_number, 40)!r} is {len(car_number)} characters long; "
            f"a car number can have at most {MAX_NUMBER}",
        )
    time_cell = cells[layout.time]
    time: int | None
    try:
        time = parse_time(time_cell)
    except TimeFormatError as error:
        if not is_no_time(time_cell):
            raise GridFileError(path, line, str(error)) from None
        time = None
    car = " ".join(cells[layout.car].split())
    team = " ".join(cells[layout.team].split())
    for name, value in (("car", car), ("team", team)):
        if not value:
            raise GridFileError(path, line, f"the {name} cell is empty")
    return Entry(
        position=position,
        number=car_number,
        drivers=parse_drivers(cells[layout.drivers]),
        car=sys.intern(car),
        team=sys.intern(team),
        time=time,
        line=line,
        extra=MappingProxyType({name: cells[i] for i, name in layout.extras})
        if layout.extras
        else _NO_EXTRA,
    )


def check_entries(
    path: Path, entries: list[Entry], meta: GridMeta, *, unique_numbers: bool = True
) -> Grid:
    """A grid of ``entries`` once they are whole: positions 1..n, each once, and (unless the
    format allows cars to share one, as rFactor 2 does) each car number once."""
    if not entries:
        raise GridFileError(path, None, "the table has a header but no rows")
    if len(entries) > MAX_CARS:
        raise GridFileError(path, entries[MAX_CARS].line, f"more than {MAX_CARS} cars")
    by_position: dict[int, int] = {}
    by_number: dict[str, int] = {}
    for entry in entries:
        if entry.position in by_position:
            raise GridFileError(
                path,
                entry.line,
                f"duplicate position {entry.position} "
                f"(already on line {by_position[entry.position]})",
            )
        by_position[entry.position] = entry.line
        key = car_key(entry.number)
        if not unique_numbers or not key:
            continue
        if key in by_number:
            raise GridFileError(
                path,
                entry.line,
                f"duplicate car number #{entry.number} (already on line {by_number[key]})",
            )
        by_number[key] = entry.line
    count = len(entries)
    for entry in entries:
        if not 1 <= entry.position <= count:
            missing = min(set(range(1, count + 1)) - by_position.keys())
            raise GridFileError(
                path,
                entry.line,
                f"positions must run 1..{count} without gaps: "
                f"found {entry.position}, but {missing} is missing",
            )
    return Grid(meta, tuple(entries))


def decode(data: bytes, path: Path | str) -> str:
    """UTF-8 (with or without a BOM) → text; otherwise a ``GridFileError`` naming the line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        start = error.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)  # BOM not counted
        line = data[:start].count(b"\n") + 1
        raise GridFileError(path, line, "the file is not valid UTF-8") from None
