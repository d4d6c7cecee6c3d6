"""Results tables copied from web pages (Wikipedia and others): the most general table reader,
tried last.

Any table with one delimiter (tabs from a browser, ``|`` Markdown with or without outer pipes
and ``|---|``, ``;`` or ``,`` CSV) and either a header it knows or rows it can make sense of.

- Header words in English, French, German, Italian, Spanish, Portuguese and Dutch
  (:data:`bot.core.readers.tables.HEADER_WORDS`): ``Pos.``, ``No.``, ``#``, ``Car No.``,
  ``Entrant``, ``Chassis``, ``Qualifying Driver``, ``Lap Time``, ``Gap``, ``Grid``,
  ``Class``, ``Laps``, ``Time/Retired``, ``Pts`` (ignored); ``Pilote(s)``, ``Équipe``,
  ``Fahrer``, ``Tempo``, ``Écart``, ``Vueltas``... Footnote marks (``Time[1]``) are dropped.
- Columns whose header is unknown, or all columns of a table without a header, are inferred
  from their content: positions (``1``, ``1.``, ``1st``, ``P1`` running 1..n), lap times,
  gaps (``+0.112``), car numbers (short, unique), people's names (the drivers), classes
  (``LMP2``, ``GTE Am``), laps (whole numbers that never rise), other text (team and car).
- A car number written in the team or car cell (``No. 3 Team Peugeot Total``, ``#9 Patrón
  Highcroft Racing``, ``Toyota TS050 Hybrid #8``) is taken out of it. A table may have no car
  numbers at all.
- An entry may take two rows (the engine under the chassis, the rest of the drivers): a row
  that does not start with a position continues the entry above it. A cell broken over
  several lines by a copy from a browser (drivers one per line) is joined back.
- A race (a ``Time/Retired`` or status column, or laps with race times) gives laps, race
  time, the gap to the winner (``+20.886s``; ``+1 lap`` says laps down) and the status
  (``Ret``/``DNF``, ``NC``, ``DSQ``, ``DNS`` in the position column: those cars come last).
  Otherwise the kind is qualifying when the header or the title above the table says so,
  else the file name decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise

from bot.core.errors import GridFileError
from bot.core.model import QUALIFYING, RACE, Driver, Entry
from bot.core.parser import parse_drivers
from bot.core.readers import tables
from bot.core.readers.common import SESSION_NAMES, Session, Source, kind_of, make_entry
from bot.core.readers.tables import (
    BEST,
    CAR,
    CLASS,
    DRIVERS,
    ENGINE,
    GAP,
    GRID,
    INTERVAL,
    LAPS,
    NUMBER,
    PARTS,
    POSITION,
    RETIRED,
    STATUS,
    TEAM,
    TIME,
    TOTAL,
    Record,
    Table,
)
from bot.core.text import clip, fold
from bot.core.times import TimeFormatError

FORMAT = "results table"
FAMILY = "table"

EXTRA = "extra"
"""A column kept as it is, under its header's name."""

_LOOK = 200
"""Rows the content of unnamed columns is judged on."""
_RACE_TIME = 10 * 60 * 10_000
"""A time this long (10 minutes) is a race time, not a lap."""
_NUMBERED_DRIVER = re.compile(
    r"^(?:driver|pilote|fahrer|pilota|piloto|coureur|rijder|conductor)\s*\d$"
)


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_CLASS_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .\-]{0,14}$")
_PARTICLES = _set(
    """de da di do dos das du van von der den ter le la del della y e zu af bin al st mc"""
)
_TEAM_WORDS = _set(
    """racing team motorsport motorsports sport sports competition competicion corse
    engineering autosport gp grand prix scuderia performance works factory motors
    automobiles development rennsport squadra equipe ecurie garage by ltd inc gmbh srl llc
    bv ag sa racers squad course courses club crew equipo equipa escuderia auto automotive
    rally kart karting academy junior esports simracing"""
)
_MAKES = _set(
    """abarth acura alfa alpine aston audi bentley bmw brabham bugatti cadillac caterham
    chevrolet chrysler citroen corvette courage dallara dodge dome ferrari ford ginetta
    glickenhaus honda hyundai isotta jaguar lamborghini lancia lexus ligier lister lola
    lotus maserati mazda mclaren mercedes mg mitsubishi morgan nissan norma opel oreca
    pagani panoz peugeot porsche radical reynard renault riley saleen sauber seat skoda
    subaru tatuus toyota vanwall volkswagen volvo williams zytek"""
)
_CONSTRUCTOR = _set("constructor constructeur konstrukteur costruttore construtor")
_RUNNING = _set("running finished classified fin finish ok")


def accepts(source: Source) -> bool:
    """Lines that split into cells on one delimiter: tried last, this reader takes any table
    and says what is wrong with it when it cannot read it."""
    return tables.sniff(source.lines[:_LOOK]) is not None


def read(source: Source) -> list[Session]:
    """The table's one session."""
    table = tables.parse_table(source)
    layout = _Layout.of(table)
    records = tables.group(table, layout.starts_entry, joins=layout.joins)
    if not records:
        raise GridFileError(source.path, table.header_line, "the table has a header but no rows")
    race = layout.is_race(records)
    rows = [_Row.read(table, layout, record, race=race) for record in records]
    order = tables.assign_positions(table.path, [(row.position, row.line) for row in rows])
    entries = [
        replace(rows[index].entry, position=place, drivers=_marked(rows[index].entry))
        for place, index in enumerate(order, 1)
    ]
    if race:
        entries = _winner(entries)
    else:
        entries = _lap_times(table, entries, [rows[index] for index in order])
    kind, name = _kind(table, layout, race)
    return [
        Session(
            entries=tuple(entries),
            kind=kind,
            name=name,
            format=FORMAT,
            unique_numbers=False,
        )
    ]


def _marked(entry: Entry) -> tuple[Driver, ...]:
    """Drivers with the marker a table may put before a name (``*Romain Dumas``), as a Gridbot
    grid has them."""
    return tuple(parse_drivers(driver.name)[0] for driver in entry.drivers)


def _kind(table: Table, layout: _Layout, race: bool) -> tuple[str | None, str]:
    if race:
        return RACE, SESSION_NAMES[RACE]
    if tables.says_qualifying(table.header):
        return QUALIFYING, SESSION_NAMES[QUALIFYING]
    for line in reversed(table.preamble):
        kind = kind_of(line)
        if kind is not None:
            return kind, SESSION_NAMES[kind]
    return None, ""


def _winner(entries: list[Entry]) -> list[Entry]:
    """The winner is 0 behind when the table gives the others' gaps."""
    first = entries[0] if entries else None
    gaps = any(entry.behind is not None for entry in entries[1:])
    if first is not None and first.behind is None and not first.status and gaps:
        return [replace(first, behind=0), *entries[1:]]
    return entries


def _lap_times(table: Table, entries: list[Entry], rows: list[_Row]) -> list[Entry]:
    """Times given as gaps to the first car (``+0.243``) → that car's time plus the gap."""
    if all(row.behind_first is None for row in rows):
        return entries
    first = entries[0].time
    if first is None:
        raise GridFileError(
            table.path,
            entries[0].line,
            "the other rows give their time as a gap (+0.243) to this one, which has no time",
        )
    return [
        replace(entry, time=first + row.behind_first) if row.behind_first is not None else entry
        for entry, row in zip(entries, rows, strict=True)
    ]


# Columns.


@dataclass
class _Layout:
    """Each column's role, and where the roles are."""

    table: Table
    roles: list[str]
    names: list[str]
    """Each column's name for ``extra`` (the header's words, folded, or ``column N``)."""
    sub_roles: list[str] = field(default_factory=list)
    constructor: bool = False
    """Whether the car column is a constructor (F1), which is also the team."""

    @classmethod
    def of(cls, table: Table) -> _Layout:
        width = table.width
        header = table.header or [""] * width
        roles = _named_roles(header)
        sample = [
            line.cells
            for line in table.body[:_LOOK]
            if len(line.cells) == width and tables.is_entry_start(line.cells[0])
        ] or [line.cells for line in table.body[:_LOOK] if len(line.cells) == width]
        _infer(roles, sample)
        if POSITION not in roles and GRID in roles:
            roles[roles.index(GRID)] = POSITION
        names = [_column_name(cell, at) for at, cell in enumerate(header)]
        sub_roles = [tables.header_role(cell) or EXTRA for cell in table.sub_header]
        car = roles.index(CAR) if CAR in roles else None
        constructor = car is not None and fold(tables.strip_notes(header[car])) in _CONSTRUCTOR
        layout = cls(table, [role or EXTRA for role in roles], names, sub_roles, constructor)
        layout.check()
        return layout

    def check(self) -> None:
        if not {NUMBER, DRIVERS, TEAM, CAR} & set(self.roles):
            found = ", ".join(cell for cell in self.table.header if cell) or "none"
            raise GridFileError(
                self.table.path,
                self.table.header_line or self.table.body[0].number,
                "cannot tell which column holds the drivers, team or car number: name the "
                "columns in a header such as Pos, No, Driver, Team, Time "
                f"(columns found: {clip(found, 80)})",
            )

    def at(self, role: str) -> int | None:
        return self.roles.index(role) if role in self.roles else None

    def all(self, role: str) -> list[int]:
        return [at for at, found in enumerate(self.roles) if found == role]

    def starts_entry(self, cells: list[str]) -> bool:
        """Whether a row opens an entry: a position or status in the position column, or a
        full row (with a car number or a time) when that cell is empty."""
        position = self.at(POSITION)
        if position is None:
            return len(cells) >= 2 and bool(cells[0])
        if position < len(cells) and tables.is_entry_start(cells[position]):
            return True
        if position < len(cells) and cells[position] and len(cells) == self.table.width:
            return True  # a whole row: its position is read (and refused) as an entry's
        if position < len(cells) and not cells[position] and len(cells) == self.table.width:
            number = self.at(NUMBER)
            if number is not None:
                return bool(cells[number])
            timed = [self.at(TIME), self.at(BEST), self.at(LAPS)]
            return any(at is not None and cells[at] for at in timed)
        return False

    def joins(self, column: int) -> bool:
        """Whether a column's cell may be broken over lines: names and text."""
        return column < len(self.roles) and self.roles[column] in (DRIVERS, TEAM, CAR, EXTRA)

    def is_race(self, records: Sequence[Record]) -> bool:
        """A race: ``Time/Retired``, a race time or status column, or laps with race times
        (a time column whose first time is 10 minutes or more, or that says ``+1 lap``)."""
        roles = set(self.roles)
        if RETIRED in roles or TOTAL in roles:
            return True
        if LAPS not in roles:
            return False
        if STATUS in roles:
            return True
        position = self.at(POSITION)
        if position is not None and any(
            tables.status_of(record.cells[position]) in ("DNF", "NC") for record in records
        ):
            return True
        time = self.at(TIME)
        if time is None:
            return False
        values = [record.cells[time] for record in records if record.cells[time]]
        if not values:
            return False
        first = _time_or_none(values[0])
        if first is not None and first >= _RACE_TIME:
            return True
        return any(tables.laps_down(value) is not None for value in values[1:])


def _named_roles(header: list[str]) -> list[str | None]:
    roles: list[str | None] = []
    seen: set[str] = set()
    for cell in header:
        role = tables.header_role(cell)
        if role is None and _NUMBERED_DRIVER.match(fold(cell)):
            role = DRIVERS
        if role is None:
            roles.append(None)
            continue
        if role in seen and role != DRIVERS:
            roles.append(EXTRA)
            continue
        seen.add(role)
        roles.append(role)
    return roles


def _column_name(cell: str, at: int) -> str:
    return fold(tables.strip_notes(cell)) or f"column {at + 1}"


def _gap_or_none(text: str) -> int | None:
    try:
        return tables.gap_of(text)
    except TimeFormatError:
        return None


def _time_or_none(text: str) -> int | None:
    try:
        return tables.time_of(text)
    except TimeFormatError:
        return None


# Inferring columns from their content.


@dataclass
class _Column:
    at: int
    values: list[str]

    def share(self, test: Callable[[str], object]) -> float:
        return sum(1 for value in self.values if test(value)) / len(self.values)

    @property
    def unique(self) -> bool:
        return len(set(self.values)) == len(self.values)


def _infer(roles: list[str | None], rows: list[list[str]]) -> None:
    """Fill in the roles of unnamed columns (``None``) from what their cells hold."""
    columns = [
        _Column(at, [row[at] for row in rows if at < len(row) and row[at]])
        for at, role in enumerate(roles)
        if role is None
    ]
    columns = [column for column in columns if column.values]
    if not columns:
        for at, role in enumerate(roles):
            if role is None:
                roles[at] = EXTRA
        return

    def give(column: _Column, role: str) -> None:
        roles[column.at] = role
        columns.remove(column)

    if POSITION not in roles:
        found = next((c for c in columns if _positions(c)), None)
        if found is not None:
            give(found, POSITION)
    for column in list(columns):
        if column.share(tables.is_lap_time) >= 0.6 or _race_times(column):
            if _race_times(column) and not {RETIRED, TOTAL} & set(roles):
                give(column, RETIRED)
            elif not {TIME, BEST} & set(roles):
                give(column, TIME)
    for column in list(columns):
        if GAP not in roles and len(column.values) >= 2 and column.share(_is_gap) >= 0.6:
            give(column, GAP)
    whole = [c for c in columns if c.share(str.isdigit) == 1]
    if NUMBER not in roles:
        found = next((c for c in whole + columns if _numbers(c)), None)
        if found is not None:
            give(found, NUMBER)
            if found in whole:
                whole.remove(found)
    if LAPS not in roles:
        found = next((c for c in whole if _never_rises(c)), None)
        if found is not None:
            give(found, LAPS)
    if CLASS not in roles:
        found = next((c for c in columns if _classes(c)), None)
        if found is not None:
            give(found, CLASS)
    text = [c for c in columns if c.share(_has_letters) >= 0.8]
    if DRIVERS not in roles and text:
        best = max(text, key=_person_score)
        if _person_score(best) >= 0.5:
            give(best, DRIVERS)
            text.remove(best)
    free = [role for role in (TEAM, CAR) if role not in roles]
    if len(free) == 2 and len(text) >= 2:
        car = max(text[:2], key=_car_score)
        give(car, CAR)
        give(next(c for c in text[:2] if c is not car), TEAM)
    elif free and text:
        if len(free) == 2:
            give(text[0], CAR if _car_score(text[0]) >= 0.5 else TEAM)
        else:
            give(text[0], free[0])
    for at, role in enumerate(roles):
        if role is None:
            roles[at] = EXTRA


def _positions(column: _Column) -> bool:
    numbers = [tables.position_of(value) for value in column.values]
    if not all(
        n is not None or tables.status_of(v) for n, v in zip(numbers, column.values, strict=True)
    ):
        return False
    placed = [n for n in numbers if n is not None]
    return bool(placed) and placed[0] == 1 and placed == list(range(1, len(placed) + 1))


def _race_times(column: _Column) -> bool:
    first = _time_or_none(column.values[0])
    if first is None or first < _RACE_TIME or len(column.values) < 2:
        return False
    rest = column.values[1:]
    return sum(1 for v in rest if v.startswith("+") or _time_or_none(v) or tables.status_of(v)) >= (
        len(rest) * 0.6
    )


def _is_gap(text: str) -> bool:
    return text.startswith("+") and (
        _gap_or_none(text) is not None or tables.laps_down(text) is not None
    )


def _numbers(column: _Column) -> bool:
    return column.unique and column.share(tables.looks_like_number) == 1


def _never_rises(column: _Column) -> bool:
    laps = [int(value) for value in column.values]
    return len(laps) >= 2 and all(a >= b for a, b in pairwise(laps))


def _classes(column: _Column) -> bool:
    def looks(value: str) -> bool:
        letters = [ch for ch in value if ch.isalpha()]
        upper = sum(1 for ch in letters if ch.isupper())
        return bool(_CLASS_VALUE.match(value)) and bool(letters) and upper * 2 > len(letters)

    distinct = len(set(column.values))
    return column.share(looks) == 1 and distinct < len(column.values) and distinct <= 8


def _has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def _person(name: str) -> bool:
    words = name.split()
    if not 2 <= len(words) <= 5 or any(ch.isdigit() for ch in name):
        return False
    if set(fold(name).split()) & _TEAM_WORDS:
        return False
    for word in words:
        bare = word.strip(".,()")
        if not bare or bare.casefold() in _PARTICLES:
            continue
        if not bare[0].isupper() or not all(ch.isalpha() or ch in "-'’." for ch in bare):
            return False
    return True


def _person_score(column: _Column) -> float:
    def people(value: str) -> bool:
        names = tables.split_drivers(value)
        return bool(names) and all(_person(name) for name in names)

    several = column.share(lambda v: "/" in v or "\n" in v)
    return column.share(people) + 0.5 * several


def _car_score(column: _Column) -> float:
    def car(value: str) -> bool:
        return any(ch.isdigit() for ch in value) or bool(set(fold(value).split()) & _MAKES)

    return column.share(car)


# Rows.


@dataclass
class _Row:
    """An entry as read, before its place is known."""

    position: int | None
    line: int
    behind_first: int | None
    entry: Entry

    @classmethod
    def read(cls, table: Table, layout: _Layout, record: Record, *, race: bool) -> _Row:
        return _RowReader(table, layout, record, race).row()


@dataclass
class _Result:
    """What a row says of the car's session: best lap, parts, and a race's outcome."""

    time: int | None = None
    laps: int | None = None
    total: int | None = None
    behind: int | None = None
    status: str = ""
    parts: tuple[tuple[str, int | None], ...] = ()


@dataclass
class _RowReader:
    table: Table
    layout: _Layout
    record: Record
    race: bool
    drivers: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)
    behind_first: int | None = None
    """A time cell that gives the gap to the first car (``+0.243``) instead of a lap."""

    def error(self, problem: str, line: int | None = None) -> GridFileError:
        return GridFileError(self.table.path, line or self.record.line, problem)

    def cell(self, role: str) -> str:
        at = self.layout.at(role)
        return self.record.cells[at] if at is not None else ""

    def row(self) -> _Row:
        layout = self.layout
        cells = self.record.cells
        position_text = self.cell(POSITION)
        position = tables.position_of(position_text)
        status = "" if position is not None else (tables.status_of(position_text) or "")
        if position is None and position_text and not status:
            raise self.error(
                f"cannot read the position {clip(position_text, 20)!r}: use 5, 5., 5th or P5, "
                "or DNF, NC, DSQ"
            )
        number = self.number()
        for at in layout.all(DRIVERS):
            self.drivers.extend(tables.split_drivers(cells[at]))
        team, car = self.cell(TEAM), self.cell(CAR)
        number, team, car = _numbers_inside(number, team, car)
        for at, role in enumerate(layout.roles):
            if role in (EXTRA, INTERVAL, GRID, ENGINE) and cells[at]:
                name = "engine" if role == ENGINE else layout.names[at]
                self.extra[name] = " ".join(cells[at].split())
        team, car = self.continue_with(team, car)
        if layout.constructor and not team:
            team = car
        if not (number or self.drivers or team or car):
            raise self.error("found no car number, driver, team or car in this row")
        result = self.race_result(position) if self.race else self.qualifying_result()
        return _Row(
            position,
            self.record.line,
            self.behind_first,
            make_entry(
                0,
                number=number,
                drivers=self.drivers,
                car=car,
                team=team,
                time=result.time,
                line=self.record.line,
                klass=self.cell(CLASS),
                laps=result.laps,
                total=result.total,
                behind=result.behind,
                status=status or result.status,
                parts=result.parts,
                extra=self.extra,
            ),
        )

    def number(self) -> str:
        text = self.cell(NUMBER)
        if not text:
            return ""
        found = tables.car_number(text)
        if found is None:
            found, rest = tables.number_in(text)
            if not found or rest:
                raise self.error(f"cannot read the car number {clip(text, 20)!r}: use 7, #7 or 7B")
        return found

    def continue_with(self, team: str, car: str) -> tuple[str, str]:
        """Merge the rows that continue this entry: more drivers, the engine, the rest of a
        team's name."""
        layout = self.layout
        for line, cells in self.record.more:
            if layout.sub_roles and len(cells) == len(layout.sub_roles):
                pairs = list(zip(layout.sub_roles, cells, strict=True))
            elif (len(cells) >= 2 and not cells[0]) or len(cells) == self.table.width:
                pairs = list(zip(layout.roles, cells, strict=False))
            else:
                pairs = [(self.guess(cell), cell) for cell in cells]
            for role, text in pairs:
                if not text:
                    continue
                if role == DRIVERS:
                    self.drivers.extend(tables.split_drivers(text))
                elif role == TEAM:
                    team = f"{team} {text}".strip()
                elif role in (CAR, ENGINE):
                    key = "engine" if car or role == ENGINE else ""
                    if key:
                        old = self.extra.get(key, "")
                        self.extra[key] = f"{old} {text}".strip()
                    else:
                        car = text
                elif role == CLASS and not self.cell(CLASS):
                    self.extra["class"] = text
                else:
                    raise self.error(
                        f"this row continues the entry on line {self.record.line} but holds "
                        f"{clip(text, 30)!r} where a driver, engine or team was expected",
                        line,
                    )
        return team, car

    def guess(self, text: str) -> str:
        """What a cell of a continuation row without a header of its own holds."""
        names = tables.split_drivers(text)
        if DRIVERS in self.layout.roles and names and all(_person(name) for name in names):
            return DRIVERS
        if CAR in self.layout.roles:
            return ENGINE
        return TEAM

    def time(self, role: str) -> int | None:
        text = self.cell(role)
        if tables.no_time(text) or tables.status_of(text):
            return None
        if text.startswith("+") and not self.race:
            self.behind_first = self.gap(text)
            return None
        try:
            return tables.time_of(text)
        except TimeFormatError:
            raise self.error(
                f"cannot read the time {clip(text, 30)!r}: expected m:ss.fff, or empty for no time"
            ) from None

    def qualifying_result(self) -> _Result:
        layout = self.layout
        for role in (LAPS, GAP):
            at = layout.at(role)
            if at is not None and self.record.cells[at]:
                self.extra[layout.names[at]] = self.record.cells[at]
        parts = tuple((role.upper(), self.time(role)) for role in PARTS if role in layout.roles)
        best = next((t for _part, t in reversed(parts) if t is not None), None)
        if layout.at(BEST) is not None or layout.at(TIME) is not None or not parts:
            best = self.time(BEST if layout.at(BEST) is not None else TIME)
        return _Result(time=best, parts=parts)

    def race_result(self, position: int | None) -> _Result:
        layout = self.layout
        result = _Result(time=self.time(BEST))
        laps = self.cell(LAPS)
        if laps and not tables.no_time(laps):
            if not laps.isdigit():
                raise self.error(f"cannot read the laps {clip(laps, 20)!r}: expected a number")
            result.laps = int(laps)
        if layout.at(TOTAL) is not None:
            result.total = self.time(TOTAL)
        outcome = layout.at(RETIRED)
        if outcome is None:
            outcome = layout.at(TIME)
        if outcome is not None:
            self.outcome(self.record.cells[outcome], result, position)
        gap = self.cell(GAP)
        if gap and result.behind is None:
            result.behind = self.gap(gap)
        said = self.cell(STATUS)
        if said and fold(said) not in _RUNNING:
            result.status = tables.status_of(said) or " ".join(said.split())
        return result

    def outcome(self, text: str, result: _Result, position: int | None) -> None:
        """A ``Time/Retired`` cell: race time, gap, laps down, or why the car stopped."""
        if tables.no_time(text) or tables.laps_down(text) is not None:
            return
        if text.startswith("+"):
            result.behind = self.gap(text)
            return
        value = _time_or_none(text)
        if value is not None:
            if position is not None and position > 1 and value < _RACE_TIME // 2:
                result.behind = value
            else:
                result.total = value
            return
        word = tables.status_of(text)
        if word:
            result.status = word
            return
        self.extra["retired"] = " ".join(text.split())
        if position is None:
            result.status = "DNF"

    def gap(self, text: str) -> int | None:
        if tables.no_time(text) or tables.laps_down(text) is not None:
            return None
        value = _gap_or_none(text)
        if value is None:
            if fold(text) in ("leader", "winner", "interval", "gap"):
                return None
            raise self.error(f"cannot read the gap {clip(text, 30)!r}: expected +1.234 or +1 lap")
        return value


def _numbers_inside(number: str, team: str, car: str) -> tuple[str, str, str]:
    """Take a car number out of the team or car cell (``#9 Patrón Highcroft Racing``)."""
    for which in ("team", "car"):
        text = team if which == "team" else car
        found, rest = tables.number_in(text)
        if not found or not rest or (number and found != number):
            continue
        number = number or found
        if which == "team":
            team = rest
        else:
            car = rest
    return number, team, car
