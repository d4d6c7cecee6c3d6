"""Assetto Corsa (the original game) dedicated-server results JSON.

``acServer`` writes ``results/YYYY_M_D_H_M_TYPE.json`` in UTF-8. One file is one session:

- ``Type`` (``PRACTICE`` / ``QUALIFY`` / ``RACE``) gives the kind, ``TrackName`` and
  ``TrackConfig`` the circuit; the file name, when it is still the server's own, the date.
- ``Result`` is the classification, in order: ``DriverName``, ``CarModel`` (an id such as
  ``ks_ferrari_488_gt3``, made readable), ``BestLap`` and ``TotalTime`` in milliseconds.
  ``BestLap`` 999999999 (or 0) means no lap. The cars have no numbers: entries are told apart
  by driver. The team, when set, comes from the car the driver sat in (``Cars``).
- A race's laps are counted from ``Laps``, driver by driver (``CarId`` is a car slot that
  several drivers may have used in turn, so it does not name a driver).

Two judgment calls, for entries the server lists but that are not results:

- an entry with no driver name and no lap, no lap time and no race time is an empty car slot
  that never drove: it is left out;
- a driver listed twice (someone who came back in another car slot) keeps the first, higher
  listing only.

The file says nothing about retirements or disqualifications: a race's laps tell a retired car
from the rest.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.errors import GridFileError
from bot.core.model import PRACTICE, QUALIFYING, RACE, Entry
from bot.core.readers.common import (
    SESSION_NAMES,
    Session,
    Source,
    kind_of,
    make_entry,
)
from bot.core.readers.jsonfields import JsonFields

FORMAT = "Assetto Corsa server JSON"
FAMILY = "json"

NO_LAP = 999_999_999
"""What the server writes for a driver without a lap time (and anything above it)."""

_TYPES = {"PRACTICE": PRACTICE, "QUALIFY": QUALIFYING, "QUALIFYING": QUALIFYING, "RACE": RACE}
_SPELLINGS = {
    word: word.upper()
    for word in ("amg", "bmw", "dtm", "gp", "gt", "gtr", "gte", "gtm", "ktm", "lms", "nsx", "rsr")
} | {"mclaren": "McLaren"}
"""Words of car and track ids not written as plain capitalised words (short words with digits
are written in capitals: ``gt3``, ``e30``)."""
_FILE_NAME = re.compile(r"^(\d{4})_(\d{1,2})_(\d{1,2})_\d{1,2}_\d{1,2}_")
_DATE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)")


def accepts(source: Source) -> bool:
    """A JSON object with a ``Result`` list and a ``Type`` or ``TrackName``."""
    if source.family != "json" or '"Result"' not in source.text:
        return False
    try:
        data = source.json
    except GridFileError:
        return False
    return (
        isinstance(data, dict)
        and isinstance(data.get("Result"), list)
        and ("Type" in data or "TrackName" in data)
    )


def read(source: Source) -> list[Session]:
    """The file's one session; a ``GridFileError`` naming the element at fault."""
    reader = _Reader(source)
    data = source.json
    if not isinstance(data, dict):
        raise reader.error("the file", "expected a JSON object")
    results = data.get("Result")
    if not isinstance(results, list):
        raise reader.error("Result", "expected the list of drivers' results")
    kind, name = session_of(data.get("Type"))
    race = kind == RACE
    laps = reader.laps(data.get("Laps")) if race else None
    teams = reader.teams(data.get("Cars"))
    rows: list[_Row] = []
    seen: set[str] = set()
    for index, result in enumerate(results):
        row = reader.row(result, index)
        if not row.name and row.time is None and not row.total and not laps_of(laps, row):
            continue  # an empty car slot that never drove
        if row.key in seen:
            continue  # the same driver again, in another car slot: the first listing counts
        seen.add(row.key)
        rows.append(row)
    if not rows:
        raise reader.error("Result", "no driver with a result: the session has no results")
    if not race:
        rows = [row for row in rows if row.time is not None] + [
            row for row in rows if row.time is None
        ]
    entries: list[Entry] = []
    for position, row in enumerate(rows, start=1):
        entries.append(
            make_entry(
                position,
                drivers=[row.name],
                car=row.car,
                team=row.team or teams.get(row.key, ""),
                time=row.time,
                laps=laps_of(laps, row) if race and laps is not None else None,
                total=row.total if race else None,
            )
        )
    date = reader.date(data.get("Date")) or date_from_name(source.path.name)
    return [
        Session(
            entries=tuple(entries),
            kind=kind,
            name=name,
            circuit=circuit_of(data.get("TrackName"), data.get("TrackConfig")),
            year=int(date[:4]) if date else None,
            date=date,
            format=FORMAT,
        )
    ]


def session_of(value: object) -> tuple[str | None, str]:
    """``"QUALIFY"`` → (qualifying, ``"Qualifying"``); another word → its kind, if it says
    one, and the word as written."""
    if not isinstance(value, str):
        return None, ""
    word = " ".join(value.split())
    kind = _TYPES.get(word.upper()) or kind_of(word)
    if kind is not None and word.upper() in _TYPES:
        return kind, SESSION_NAMES[kind]
    return kind, word


def readable(name: str) -> str:
    """An id as people write it: ``"ks_ferrari_488_gt3"`` → ``"Ferrari 488 GT3"``,
    ``"lotus_exos_125"`` → ``"Lotus Exos 125"``."""
    words = name.strip().removeprefix("ks_").replace("_", " ").split()
    return " ".join(_spelled(word) for word in words)


def _spelled(word: str) -> str:
    if word.casefold() in _SPELLINGS:
        return _SPELLINGS[word.casefold()]
    if len(word) <= 6 and any(ch.isdigit() for ch in word):
        return word.upper()
    return word[:1].upper() + word[1:]


def circuit_of(track: object, config: object) -> str:
    """``"monza"`` → ``"Monza"``; ``"ks_nordschleife"``, ``"endurance"`` →
    ``"Nordschleife (Endurance)"``."""
    if not isinstance(track, str) or not track.strip():
        return ""
    name = readable(track)
    if isinstance(config, str) and config.strip():
        return f"{name} ({readable(config)})"
    return name


def date_from_name(name: str) -> str:
    """``"2015_10_17_9_30_QUALIFY.json"`` (the server's own name) → ``"2015-10-17"``."""
    match = _FILE_NAME.match(name)
    return _iso(*match.groups()) if match else ""


def _iso(year: str, month: str, day: str) -> str:
    try:
        return datetime.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return ""


def laps_of(laps: Mapping[str, int] | None, row: _Row) -> int:
    return laps.get(row.key, 0) if laps is not None else 0


@dataclass(frozen=True, slots=True)
class _Row:
    """One ``Result`` element's values."""

    key: str
    """The driver's identity: the GUID, else the name (else the place in ``Result``)."""
    name: str
    car: str
    team: str
    time: int | None
    total: int | None


class _Reader(JsonFields):
    """Checks a file's values, with errors naming the element at fault."""

    def time(self, value: object, where: str) -> int | None:
        """Milliseconds → ticks; ``None`` for no time (0, negative or 999999999)."""
        return self.milliseconds(value, where, NO_LAP)

    def row(self, result: object, index: int) -> _Row:
        where = f"Result[{index}]"
        if not isinstance(result, dict):
            raise self.error(where, "expected an object with a driver's result")
        name = self.text(result.get("DriverName"), f"{where}.DriverName")
        guid = self.text(result.get("DriverGuid"), f"{where}.DriverGuid")
        return _Row(
            key=_key(guid, name) if guid or name else f"slot:{index}",
            name=name,
            car=readable(self.text(result.get("CarModel"), f"{where}.CarModel")),
            team=self.text(result.get("Team"), f"{where}.Team"),
            time=self.time(result.get("BestLap"), f"{where}.BestLap"),
            total=self.time(result.get("TotalTime"), f"{where}.TotalTime"),
        )

    def laps(self, value: object) -> Counter[str] | None:
        """Laps completed, driver by driver; ``None`` when the file has no ``Laps``."""
        if not isinstance(value, list):
            return None
        counts: Counter[str] = Counter()
        for index, lap in enumerate(value):
            where = f"Laps[{index}]"
            if not isinstance(lap, dict):
                raise self.error(where, "expected an object with a lap")
            name = self.text(lap.get("DriverName"), f"{where}.DriverName")
            guid = self.text(lap.get("DriverGuid"), f"{where}.DriverGuid")
            counts[_key(guid, name)] += 1
        return counts

    def teams(self, value: object) -> dict[str, str]:
        """Each driver's team, from the car slots (``Cars``) they are listed in."""
        found: dict[str, str] = {}
        if not isinstance(value, list):
            return found
        for car in value:
            driver: Any = car.get("Driver") if isinstance(car, dict) else None
            if not isinstance(driver, dict):
                continue
            name, guid, team = (driver.get(key) for key in ("Name", "Guid", "Team"))
            if isinstance(team, str) and team.strip():
                key = _key(
                    guid if isinstance(guid, str) else "",
                    " ".join(name.split()) if isinstance(name, str) else "",
                )
                found.setdefault(key, " ".join(team.split()))
        return found

    def date(self, value: object) -> str:
        """A ``Date`` some servers add (``2021-05-01T20:00:00Z``) → ``"2021-05-01"``."""
        match = _DATE.match(value) if isinstance(value, str) else None
        return _iso(*match.groups()) if match else ""


def _key(guid: str, name: str) -> str:
    return f"guid:{guid.strip()}" if guid.strip() else f"name:{name.casefold()}"
