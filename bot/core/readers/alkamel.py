"""Al Kamel Systems classification CSV, as WEC, ELMS, IMSA and the Asian Le Mans Series publish.

UTF-8 with a BOM, ``;`` between cells and one at the end of each line; a header naming the
columns: ``POSITION;NUMBER;TEAM;DRIVER_1;...;DRIVER_n;VEHICLE;TYRES;CLASS;...;STATUS;LAPS;
TOTAL_TIME;GAP_FIRST;GAP_PREVIOUS;FL_LAPNUM;FL_TIME;FL_KPH``. Qualifying and practice files
have other columns (``TIME`` or ``BEST_LAP_TIME`` for the best lap, no ``TOTAL_TIME``); IMSA
splits names (``DRIVER1_FIRSTNAME``, ``DRIVER1_SECONDNAME``). Columns are read by name.

- Kind: a race when the file has ``LAPS`` and ``TOTAL_TIME``; otherwise the file does not
  say, and its name decides.
- Times: ``1'36.144`` (best lap), ``4:00'04.690`` (race time, h:mm'ss.fff).
- ``FL_TIME`` (or ``TIME``, ``BEST_LAP_TIME``) → the best lap; ``TOTAL_TIME`` → the race time;
  ``GAP_FIRST`` ``28.869`` → behind the winner, ``1 Lap`` / ``3 Laps`` → no time gap (the laps
  tell); the winner, with an empty gap, is 0 behind.
- ``STATUS``: ``Classified`` → a classified finisher; ``Not classified`` → ``NC``,
  ``Retired`` → ``DNF``, ``Disqualified`` / ``Excluded`` → ``DSQ``, ``Did not start`` →
  ``DNS``; any other word is kept as written.
- Names stay as the file writes them (``Simon DOLAN``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.core.errors import GridFileError
from bot.core.model import RACE, Entry
from bot.core.parser import MAX_CARS
from bot.core.readers import tables
from bot.core.readers.common import SESSION_NAMES, Session, Source, make_entry
from bot.core.text import clip, fold
from bot.core.times import TimeFormatError

FORMAT = "Al Kamel Systems CSV"
FAMILY = "table"

_DRIVER = re.compile(r"^DRIVER_?(\d+)$")
_FIRST = re.compile(r"^DRIVER_?(\d+)_FIRSTNAME$")
_SECOND = re.compile(r"^DRIVER_?(\d+)_(?:SECONDNAME|SURNAME|LASTNAME)$")
_BEST = ("FL_TIME", "BEST_LAP_TIME", "BEST_TIME", "TIME", "BEST_LAP")
_EXTRAS = ("TYRES", "TIRES", "GROUP", "DIVISION", "SUBCLASS", "CLASS_POSITION")
_STATUS = {"classified": "", "running": "", "finished": ""}


def _name(cell: str) -> str:
    return cell.replace("\ufeff", "").strip().upper().replace(" ", "_")


def accepts(source: Source) -> bool:
    """A first line of ``;``-separated names with ``POSITION`` (or ``POS``), ``NUMBER`` and
    drivers (``DRIVER_1``, ``DRIVER1_FIRSTNAME``) or a ``TEAM``."""
    first = next((line for line in source.lines[:5] if line.strip()), "")
    if ";" not in first:
        return False
    names = {_name(cell) for cell in first.split(";")}
    drivers = any(_DRIVER.match(n) or _FIRST.match(n) for n in names)
    return (
        "NUMBER" in names
        and bool(names & {"POSITION", "POS"})
        and (drivers or "TEAM" in names or "DRIVER_NAME" in names)
    )


@dataclass(frozen=True, slots=True)
class _Columns:
    """Where each column is, by its name in the header."""

    index: dict[str, int]
    drivers: tuple[tuple[int, ...], ...]
    """Per driver, the cells that make the name (one, or first name and surname)."""

    @classmethod
    def of(cls, cells: list[str]) -> _Columns:
        index: dict[str, int] = {}
        single: dict[int, int] = {}
        first: dict[int, int] = {}
        second: dict[int, int] = {}
        for at, cell in enumerate(cells):
            name = _name(cell)
            if not name:
                continue
            index.setdefault(name, at)
            for pattern, found in ((_DRIVER, single), (_FIRST, first), (_SECOND, second)):
                match = pattern.match(name)
                if match:
                    found.setdefault(int(match.group(1)), at)
        drivers: list[tuple[int, ...]] = []
        for n in sorted(single.keys() | first.keys() | second.keys()):
            if n in single:
                drivers.append((single[n],))
            else:
                drivers.append(tuple(at for at in (first.get(n), second.get(n)) if at is not None))
        if not drivers:
            for name in ("DRIVER", "DRIVER_NAME", "DRIVERS"):
                if name in index:
                    drivers.append((index[name],))
                    break
        return cls(index, tuple(drivers))

    def at(self, *names: str) -> int | None:
        return next((self.index[name] for name in names if name in self.index), None)


def read(source: Source) -> list[Session]:
    """The classification: one session."""
    path = source.path
    filled = [number for number, line in enumerate(source.lines, 1) if line.strip(" ;\t")]
    if len(filled) - 1 > MAX_CARS:  # refused before any line is split into cells
        raise GridFileError(path, filled[MAX_CARS + 1], f"more than {MAX_CARS} cars")
    lines = [line for line in tables.split_lines(source, ";") if line.cells]
    if not lines:
        raise GridFileError(path, None, "the file is empty")
    header = lines[0]
    if len(lines) - 1 > MAX_CARS:
        raise GridFileError(path, lines[MAX_CARS + 1].number, f"more than {MAX_CARS} cars")
    columns = _Columns.of(header.cells)
    position_at = columns.at("POSITION", "POS")
    number_at = columns.at("NUMBER")
    if position_at is None or number_at is None:
        raise GridFileError(path, header.number, "the header has no POSITION or NUMBER column")
    race = columns.at("LAPS") is not None and columns.at("TOTAL_TIME") is not None
    width = len(header.cells)
    rows: list[tuple[int | None, int]] = []
    built: list[Entry] = []
    for line in lines[1:]:
        cells = line.cells
        if len(cells) > width:
            raise GridFileError(
                path,
                line.number,
                f"expected {width} cells as in the header on line {header.number}, "
                f"found {len(cells)}",
            )
        cells = cells + [""] * (width - len(cells))
        built.append(_entry(source, line.number, cells, columns, race=race))
        position = tables.position_of(cells[position_at])
        rows.append((position, line.number))
    if not built:
        raise GridFileError(path, header.number, "the file has a header but no rows")
    tables.check_numbers(path, ((entry.number, entry.line) for entry in built))
    order = tables.assign_positions(path, rows)
    entries = [_placed(built[index], place) for place, index in enumerate(order, start=1)]
    if race:
        entries = _winner_behind(entries)
    kind = RACE if race else None
    return [
        Session(
            entries=tuple(entries),
            kind=kind,
            name=SESSION_NAMES[RACE] if race else "",
            format=FORMAT,
            unique_numbers=True,
        )
    ]


def _entry(source: Source, line: int, cells: list[str], columns: _Columns, *, race: bool) -> Entry:
    path = source.path

    def cell(*names: str) -> str:
        at = columns.at(*names)
        return cells[at] if at is not None else ""

    def time(*names: str) -> int | None:
        text = cell(*names)
        if tables.no_time(text):
            return None
        try:
            return tables.time_of(text)
        except TimeFormatError:
            raise GridFileError(
                path, line, f"cannot read the time {clip(text, 30)!r} in {names[0]}"
            ) from None

    drivers = [" ".join(cells[at] for at in parts).strip() for parts in columns.drivers]
    status_text = cell("STATUS")
    status = _STATUS.get(fold(status_text))
    if status is None:
        status = tables.status_of(status_text) or status_text
    laps: int | None = None
    behind: int | None = None
    total: int | None = None
    if race:
        laps_text = cell("LAPS")
        if laps_text:
            if not laps_text.isdigit():
                raise GridFileError(path, line, f"cannot read the laps {clip(laps_text, 20)!r}")
            laps = int(laps_text)
        total = time("TOTAL_TIME")
        gap = cell("GAP_FIRST")
        if gap and gap != "-" and tables.laps_down(gap) is None:
            behind = time("GAP_FIRST")
    extra = {
        fold(name): cells[at]
        for name in _EXTRAS
        if (at := columns.at(name)) is not None and cells[at]
    }
    return make_entry(
        0,
        number=cell("NUMBER"),
        drivers=drivers,
        car=cell("VEHICLE", "CAR", "CAR_MODEL"),
        team=cell("TEAM"),
        time=time(*_BEST),
        line=line,
        klass=cell("CLASS"),
        laps=laps,
        total=total,
        behind=behind,
        status=status,
        extra=extra,
    )


def _placed(entry: Entry, position: int) -> Entry:
    return replace(entry, position=position)


def _winner_behind(entries: list[Entry]) -> list[Entry]:
    """The winner is 0 behind when the file gives gaps to the others."""
    if entries and entries[0].behind is None and any(e.behind is not None for e in entries):
        return [replace(entries[0], behind=0), *entries[1:]]
    return entries
