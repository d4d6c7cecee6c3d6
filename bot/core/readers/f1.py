"""Formula 1-style qualifying in parts: a table with ``Q1``, ``Q2`` and maybe ``Q3`` columns.

As a results page gives it, copied from a browser (tab-separated, a space before each tab,
empty cells for the parts a driver did not reach), or written as Markdown or CSV. The header
has ``Q1`` and ``Q2`` (``Q3`` optional), ``Pos``, ``No``, ``Driver``, ``Car`` / ``Constructor``
/ ``Team``, perhaps ``Laps`` or ``Final grid``; a Wikipedia-style header may spread over two
lines (``Qualifying times`` over ``Q1 Q2 Q3``). Lines under the table (``107% time: ...``,
``Source: ...``) end it.

- The classification is the order of the ``Pos`` column; rows without a position (blank,
  ``NC``, ``DNQ``, ``DSQ``) come last, in the order given, with that word as their status.
- Each part's best lap goes in ``parts`` (``None`` for a part without a time: empty, ``-``,
  ``N/A``, ``No time set``, ``DNF``...); the car's ``time`` is the one of the last part it set
  a time in.
- An F1 table's ``Car`` (or ``Constructor``) is the constructor, which is also the team: it
  fills both ``car`` and ``team`` unless the table has both columns.
- ``Laps`` and ``Final grid`` are kept as extra columns.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.errors import GridFileError
from bot.core.model import QUALIFYING, Entry
from bot.core.readers import tables
from bot.core.readers.common import SESSION_NAMES, Session, Source, make_entry
from bot.core.text import clip
from bot.core.times import TimeFormatError

FORMAT = "qualifying table with Q1/Q2/Q3"
FAMILY = "table"

_LOOK = 40
"""Lines ``accepts`` looks at for the header."""
_EXTRA_NAMES = {tables.LAPS: "laps", tables.GRID: "grid", tables.GAP: "gap"}


def accepts(source: Source) -> bool:
    """A header with ``Q1`` and ``Q2`` cells within the first lines."""
    lines = source.lines[:_LOOK]
    delimiter = tables.sniff(lines)
    if delimiter is None:
        return False
    found: set[str] = set()
    for line in lines:
        for cell in tables.cells_of(line, delimiter):
            role = tables.header_role(cell)
            if role in (tables.Q1, tables.Q2):
                found.add(role)
    return found == {tables.Q1, tables.Q2}


def read(source: Source) -> list[Session]:
    """The qualifying: one session."""
    table = tables.parse_table(source)
    path = source.path
    roles = [tables.header_role(cell) for cell in table.header]
    parts = [(role.upper(), at) for at, role in enumerate(roles) if role in tables.PARTS]
    if {name for name, _at in parts} < {"Q1", "Q2"} or not table.header_line:
        raise GridFileError(
            path,
            table.header_line or (table.body[0].number if table.body else None),
            "expected a header with Q1 and Q2 columns (Pos, No, Driver, Car, Q1, Q2, Q3)",
        )

    def column(*wanted: str) -> int | None:
        return next((at for at, role in enumerate(roles) if role in wanted), None)

    position_at = column(tables.POSITION, tables.GRID)
    number_at = column(tables.NUMBER)
    drivers_at = column(tables.DRIVERS)
    car_at = column(tables.CAR)
    team_at = column(tables.TEAM)
    if position_at is None or drivers_at is None:
        raise GridFileError(
            path, table.header_line, "the header has no position (Pos) or driver (Driver) column"
        )
    extras = [
        (at, _EXTRA_NAMES[role])
        for at, role in enumerate(roles)
        if role in _EXTRA_NAMES and at != position_at
    ]

    def starts(cells: list[str]) -> bool:
        if tables.is_entry_start(cells[position_at] if position_at < len(cells) else ""):
            return True
        return not cells[position_at] if position_at < len(cells) else False

    def joins(column: int) -> bool:
        return column < len(roles) and roles[column] in (tables.DRIVERS, tables.CAR, tables.TEAM)

    records = tables.group(table, starts, continuations=False, joins=joins)
    if not records:
        raise GridFileError(path, table.header_line, "the table has a header but no rows")
    built: list[Entry] = []
    rows: list[tuple[int | None, int]] = []
    for record in records:
        cells = record.cells
        line = record.line
        position_text = cells[position_at]
        position = tables.position_of(position_text)
        status = "" if position is not None else (tables.status_of(position_text) or "")
        if position is None and position_text and not status:
            raise GridFileError(
                path, line, f"cannot read the position {clip(position_text, 20)!r}: use 5 or NC"
            )
        number = ""
        if number_at is not None and cells[number_at]:
            found = tables.car_number(cells[number_at])
            if found is None:
                raise GridFileError(
                    path, line, f"cannot read the car number {clip(cells[number_at], 20)!r}"
                )
            number = found
        drivers = tables.split_drivers(cells[drivers_at])
        if not drivers:
            raise GridFileError(path, line, "the driver cell is empty")
        car = cells[car_at] if car_at is not None else ""
        team = cells[team_at] if team_at is not None else ""
        times = tuple((name, _part_time(source, line, cells[at], name)) for name, at in parts)
        best = next((t for _name, t in reversed(times) if t is not None), None)
        built.append(
            make_entry(
                0,
                number=number,
                drivers=drivers,
                car=car or team,
                team=team or car,
                time=best,
                line=line,
                status=status,
                parts=times,
                extra={name: cells[at] for at, name in extras if cells[at]},
            )
        )
        rows.append((position, line))
    tables.check_numbers(path, ((entry.number, entry.line) for entry in built))
    order = tables.assign_positions(path, rows)
    entries = tuple(_at(built[index], place) for place, index in enumerate(order, start=1))
    return [
        Session(
            entries=entries,
            kind=QUALIFYING,
            name=SESSION_NAMES[QUALIFYING],
            format=FORMAT,
            unique_numbers=True,
        )
    ]


def _part_time(source: Source, line: int, text: str, part: str) -> int | None:
    if tables.no_time(text) or tables.status_of(text):
        return None
    try:
        return tables.time_of(text)
    except TimeFormatError:
        raise GridFileError(
            source.path,
            line,
            f"cannot read the {part} time {clip(text, 30)!r}: expected m:ss.fff, or empty "
            "for no time",
        ) from None


def _at(entry: Entry, position: int) -> Entry:
    return replace(entry, position=position)
