"""iRacing results CSV, as the iRacing website's "export CSV" writes it for one session.

Blocks of metadata come first, each a header line and a line of values (``"Start Time",
"Track","Series","Hosted Session Name"``, then ``"League Name",...`` for a league), separated
by blank lines; then the results: a header with ``"Fin Pos"``, ``"Car #"``, ``"Name"`` (older
exports: ``"Driver"``), ``"Interval"``, ``"Fastest Lap Time"``, ``"Laps Comp"``... and a row per
car. Lines end in CRLF, sometimes LF, and every cell is quoted.

- Kind: the export does not name its session. A classification with ``Fin Pos``, ``Laps Comp``
  and ``Interval`` is a race (the website exports the event's main session, the race); without
  those columns the kind is left to the file name.
- Time: ``Fastest Lap Time`` (``1:12.302``; empty or ``00.000`` = no lap). Class: ``Car Class``.
- Gap: ``Interval`` ``-02.991`` → 2.991 s behind the winner (``-00.000`` for the winner);
  ``-2 L`` → laps down, no time gap (the laps are ``Laps Comp``).
- Status: ``Out`` ``Running`` → classified (``""``), ``Disqualified`` → ``DSQ``, any other word
  (``Disconnected``...) kept as written.
- Team events: a team's row (its ``Cust ID`` is its ``Team ID``) is followed by its drivers'
  rows (same ``Team ID``, another ``Cust ID``, ``Interval`` ``-``); they become one entry, the
  team's, with its drivers.
- Meta: ``Track`` → circuit, ``Start Time`` → date and year, ``Hosted Session Name`` or else
  ``League Name`` or else ``Series`` (unless it is the generic ``Hosted iRacing``) → event.
"""

from __future__ import annotations

import csv
import itertools
import re
import sys
from dataclasses import dataclass, field

from bot.core.errors import GridFileError
from bot.core.model import RACE, Entry
from bot.core.readers.common import SESSION_NAMES, Session, Source, loose_time, make_entry
from bot.core.times import TimeFormatError

FORMAT = "iRacing results CSV"
FAMILY = "table"

_LOOK = 40
"""Lines ``accepts`` looks at for the results header."""
_DATE = re.compile(r"^\s*(\d{4})[./-](\d{1,2})[./-](\d{1,2})")
_LAPS_DOWN = re.compile(r"^[-+]?\s*(\d+)\s*(?:l|lap|laps)$", re.IGNORECASE)
_GENERIC_SERIES = frozenset({"hosted iracing", "league"})
_USED = frozenset(
    {
        "fin pos",
        "car",
        "car class",
        "team id",
        "cust id",
        "custid",
        "name",
        "driver",
        "car #",
        "out",
        "interval",
        "fastest lap time",
        "laps comp",
    }
)
"""The columns read; the others (incidents, points, iRating...) are not kept."""


@dataclass
class _Car:
    line: int
    fin: int
    cells: dict[str, str]
    team_id: str
    drivers: list[str] = field(default_factory=list)


def _key(cell: str) -> str:
    """A header or metadata name as compared: case and spacing ignored (``#`` kept: ``Car``
    and ``Car #`` are two columns)."""
    return " ".join(cell.replace("\ufeff", "").split()).casefold()


def _cells(line: str) -> list[str]:
    """One CSV line's cells (quotes removed); ``csv.Error`` for a broken line."""
    return next(csv.reader([line], strict=True), [])


def _is_header(cells: list[str]) -> bool:
    names = {_key(cell) for cell in cells}
    return "fin pos" in names and "car #" in names and ("name" in names or "driver" in names)


def accepts(source: Source) -> bool:
    """The results header (``Fin Pos``, ``Car #``, ``Name``) within the first lines, after the
    ``Start Time`` metadata block or as the first line."""
    try:
        lines = source.lines[:_LOOK]
        first = next((line for line in lines if line.strip()), "")
        if not first.lstrip("\ufeff").lstrip('"').startswith(("Start Time", "Fin Pos")):
            return False
        return any("Fin Pos" in line and _is_header(_cells(line)) for line in lines)
    except Exception:  # never raise from accepts
        return False


def read(source: Source) -> list[Session]:
    """The one session the export holds."""
    lines = source.lines
    meta: dict[str, str] = {}
    header_at = _metadata(source, meta)
    header = [_key(cell) for cell in _parse(source, lines[header_at], header_at + 1)]
    columns = {name: index for index, name in reversed(list(enumerate(header))) if name in _USED}
    name_column = "name" if "name" in columns else "driver"
    cust_column = "cust id" if "cust id" in columns else "custid"
    cars: list[_Car] = []
    team = None
    reader = csv.reader(itertools.islice(lines, header_at + 1, None), strict=True)
    while True:
        try:
            cells = next(reader, None)
        except csv.Error as error:
            number = header_at + 1 + reader.line_num
            raise GridFileError(
                source.path, number, f"cannot read this CSV line: {error}"
            ) from None
        if cells is None:
            break
        number = header_at + 1 + reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) < len(header):
            raise GridFileError(
                source.path,
                number,
                f"this row has {len(cells)} cells, the header on line {header_at + 1} has "
                f"{len(header)}",
            )
        row = {name: sys.intern(cells[at].strip()) for name, at in columns.items()}
        team_id, cust_id = row.get("team id", ""), row.get(cust_column, "")
        if team is not None and team_id and team_id == team.team_id and cust_id != team_id:
            team.drivers.append(row.get(name_column, ""))  # a driver of the team above
            continue
        car = _Car(number, _whole(source, row, "fin pos", number), row, team_id)
        cars.append(car)
        team = car if team_id and team_id == cust_id else None
    if not cars:
        raise GridFileError(
            source.path,
            header_at + 1,
            "iRacing results CSV without results: no rows after the header",
        )
    race = all(name in columns for name in ("fin pos", "laps comp", "interval"))
    kind = RACE if race else None
    date = _date(meta.get("start time", ""))
    entries = _entries(source, cars, name_column)
    return [
        Session(
            entries=entries,
            kind=kind,
            name=SESSION_NAMES[kind] if kind else "",
            event=_event(meta),
            circuit=meta.get("track", ""),
            year=int(date[:4]) if date else None,
            date=date,
            format=FORMAT,
        )
    ]


def _metadata(source: Source, meta: dict[str, str]) -> int:
    """Read the metadata blocks into ``meta`` (folded keys); the index of the results header."""
    lines = source.lines
    keys: list[str] | None = None
    for index, line in enumerate(lines):
        if not line.strip():
            keys = None
            continue
        cells = _parse(source, line, index + 1)
        if _is_header(cells):
            return index
        if keys is None:
            keys = [_key(cell) for cell in cells]
            continue
        for key, value in zip(keys, cells, strict=False):
            if key and value.strip():
                meta.setdefault(key, " ".join(value.split()))
        keys = None
    raise GridFileError(
        source.path,
        None,
        "iRacing results CSV without its results header: expected a line with "
        '"Fin Pos", "Car #" and "Name" after the metadata blocks',
    )


def _parse(source: Source, line: str, number: int) -> list[str]:
    try:
        return _cells(line.lstrip("\ufeff") if number == 1 else line)
    except csv.Error as error:
        raise GridFileError(source.path, number, f"cannot read this CSV line: {error}") from None


def _entries(source: Source, cars: list[_Car], name_column: str) -> tuple[Entry, ...]:
    cars.sort(key=lambda car: car.fin)
    entries = []
    for position, car in enumerate(cars, start=1):
        row = car.cells
        laps = row.get("laps comp", "")
        entries.append(
            make_entry(
                position,
                number=row.get("car #", ""),
                drivers=car.drivers or [row.get(name_column, "")],
                car=row.get("car", ""),
                team=row.get(name_column, "") if car.drivers else "",
                time=_time(source, row.get("fastest lap time", ""), car.line, "Fastest Lap Time"),
                line=car.line,
                klass=row.get("car class", ""),
                laps=_whole(source, row, "laps comp", car.line) if laps else None,
                behind=_behind(source, row.get("interval", ""), car.line),
                status=_status(row.get("out", "")),
            )
        )
    return tuple(entries)


def _whole(source: Source, row: dict[str, str], column: str, line: int) -> int:
    text = row.get(column, "")
    try:
        return int(text)
    except ValueError:
        raise GridFileError(
            source.path, line, f"cannot read the {column!r} cell {text[:40]!r}: expected a number"
        ) from None


def _time(source: Source, text: str, line: int, column: str) -> int | None:
    """A lap time cell → ticks; ``None`` for an empty cell or iRacing's ``00.000``."""
    text = text.strip()
    if not text or text in ("-", "--"):
        return None
    try:
        ticks = loose_time(text)
    except TimeFormatError:
        raise GridFileError(
            source.path,
            line,
            f"cannot read the {column} {text[:40]!r}: expected a time such as 1:12.302",
        ) from None
    return ticks or None


def _behind(source: Source, text: str, line: int) -> int | None:
    """``-02.991`` → 2.991 s in ticks; ``-2 L`` (laps down), ``-`` or empty → ``None``."""
    text = text.strip()
    if not text or text in ("-", "--") or _LAPS_DOWN.match(text):
        return None
    try:
        return loose_time(text.lstrip("-+").strip())
    except TimeFormatError:
        raise GridFileError(
            source.path,
            line,
            f"cannot read the Interval {text[:40]!r}: expected a gap such as -02.991 or laps "
            "down such as -2 L",
        ) from None


def _status(out: str) -> str:
    word = " ".join(out.split())
    folded = word.casefold()
    if folded in ("", "running"):
        return ""
    if folded in ("disqualified", "dq", "dsq"):
        return "DSQ"
    return word


def _event(meta: dict[str, str]) -> str:
    for key in ("hosted session name", "league name", "series"):
        value = meta.get(key, "")
        if value and value.casefold() not in _GENERIC_SERIES:
            return value
    return ""


def _date(text: str) -> str:
    match = _DATE.match(text)
    if match is None:
        return ""
    year, month, day = (int(group) for group in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return ""
    return f"{year:04d}-{month:02d}-{day:02d}"
