"""Parse a qualifying grid from a Markdown pipe table.

Accepted: a table with or without a header row and ``|---|`` separator, blank lines, stray
spaces, no final newline, UTF-8 with or without a BOM. Without a header the columns are
position, car number, drivers, car, team, best lap. Anything that cannot be served whole is
rejected with a :class:`GridFileError` naming the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from bot.core.errors import GridFileError
from bot.core.model import Driver, Entry, Grid, GridMeta, car_key
from bot.core.text import fold
from bot.core.times import TimeFormatError, is_no_time, parse_time

COLUMNS = ("position", "number", "drivers", "car", "team", "time")
"""The columns every grid has, in the order a table without a header gives them."""

SYNONYMS: Mapping[str, str] = {
    "pos": "position",
    "position": "position",
    "p": "position",
    "grid": "position",
    "no": "number",
    "number": "number",
    "car no": "number",
    "car number": "number",
    "num": "number",
    "driver": "drivers",
    "drivers": "drivers",
    "car": "car",
    "chassis": "car",
    "vehicle": "car",
    "team": "team",
    "entrant": "team",
    "time": "time",
    "best lap": "time",
    "lap time": "time",
    "best time": "time",
    "qualifying time": "time",
}
"""Folded header text → column. ``#`` folds to nothing and is handled on its own."""

_POSITION = re.compile(r"^[Pp]?\s*(\d{1,4})(?:st|nd|rd|th|\.)?$", re.IGNORECASE)
_SEPARATOR = re.compile(r"^:?-{1,}:?$")
_MARKER = re.compile(r"^([*†‡§#+^]+)\s*(.+)$")
MAX_CARS = 1000


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
    cells = re.split(r"(?<!\\)\|", body)
    return [cell.replace("\\|", "|").strip() for cell in cells]


def parse_drivers(text: str) -> tuple[Driver, ...]:
    """``"A / *B"`` → (Driver("A"), Driver("B", marker="*"))."""
    drivers = []
    for part in text.split("/"):
        name = " ".join(part.split())
        if not name:
            continue
        match = _MARKER.match(name)
        if match:
            drivers.append(Driver(name=match.group(2), marker=match.group(1)))
        else:
            drivers.append(Driver(name=name))
    return tuple(drivers)


def _header_columns(cells: list[str]) -> dict[str, int] | None:
    """Map column → index if ``cells`` is a header row, else ``None``."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = "number" if cell.strip() in {"#", "No.", "no."} else SYNONYMS.get(fold(cell))
        if key and key not in found:
            found[key] = index
    if len(found) >= 3 and parse_position(cells[0]) is None:
        return found
    return None


def parse_grid_text(text: str, path: Path | str, meta: GridMeta | None = None) -> Grid:
    """Parse the text of one grid file; ``path`` names it in errors."""
    path = Path(path)
    rows: list[tuple[int, list[str]]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("|"):
            raise GridFileError(
                path, number, "expected a table row starting with '|' (see README: data files)"
            )
        rows.append((number, split_row(line)))
    if not rows:
        raise GridFileError(path, None, "no table rows found: the file is empty")

    columns: dict[str, int] = {name: i for i, name in enumerate(COLUMNS)}
    header = _header_columns(rows[0][1])
    width = len(COLUMNS)
    extra_names: dict[int, str] = {}
    if header is not None:
        missing = [name for name in COLUMNS if name not in header]
        if missing:
            raise GridFileError(
                path, rows[0][0], f"the header has no column for: {', '.join(missing)}"
            )
        columns, width = header, len(rows[0][1])
        used = set(header.values())
        extra_names = {
            i: fold(cell) or f"column {i + 1}" for i, cell in enumerate(rows[0][1]) if i not in used
        }
        rows = rows[1:]
        if rows and all(_SEPARATOR.match(cell) for cell in rows[0][1] if cell):
            rows = rows[1:]

    entries = [
        _parse_row(path, number, cells, columns, width, extra_names) for number, cells in rows
    ]
    return _check(path, entries, meta or GridMeta(event=path.stem, session=""))


def _parse_row(
    path: Path,
    number: int,
    cells: list[str],
    columns: Mapping[str, int],
    width: int,
    extra_names: Mapping[int, str],
) -> Entry:
    if len(cells) != width:
        raise GridFileError(
            path,
            number,
            f"expected {width} cells ({', '.join(COLUMNS)}), found {len(cells)}",
        )
    cell = {name: cells[index] for name, index in columns.items()}
    position = parse_position(cell["position"])
    if position is None:
        raise GridFileError(
            path, number, f"cannot read the position {cell['position']!r}: use 5, 5th or P5"
        )
    car_number = cell["number"].strip().lstrip("#").strip()
    if not car_number or not car_number.replace("-", "").isalnum():
        raise GridFileError(path, number, f"cannot read the car number {cell['number']!r}")
    time: int | None = None
    if not is_no_time(cell["time"]):
        try:
            time = parse_time(cell["time"])
        except TimeFormatError as error:
            raise GridFileError(path, number, str(error)) from None
    for name in ("car", "team"):
        if not cell[name]:
            raise GridFileError(path, number, f"the {name} cell is empty")
    return Entry(
        position=position,
        number=car_number,
        drivers=parse_drivers(cell["drivers"]),
        car=" ".join(cell["car"].split()),
        team=" ".join(cell["team"].split()),
        time=time,
        line=number,
        extra=MappingProxyType({extra_names[i]: cells[i] for i in extra_names}),
    )


def _check(path: Path, entries: list[Entry], meta: GridMeta) -> Grid:
    if not entries:
        raise GridFileError(path, None, "the table has a header but no rows")
    if len(entries) > MAX_CARS:
        raise GridFileError(path, entries[MAX_CARS].line, f"more than {MAX_CARS} cars")
    by_position: dict[int, Entry] = {}
    by_number: dict[str, Entry] = {}
    for entry in entries:
        if entry.position in by_position:
            first = by_position[entry.position]
            raise GridFileError(
                path,
                entry.line,
                f"duplicate position {entry.position} (already on line {first.line})",
            )
        by_position[entry.position] = entry
        key = car_key(entry.number)
        if key in by_number:
            first = by_number[key]
            raise GridFileError(
                path,
                entry.line,
                f"duplicate car number #{entry.number} (already on line {first.line})",
            )
        by_number[key] = entry
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
