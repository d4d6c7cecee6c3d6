"""Assetto Corsa Competizione server results JSON.

The ACC dedicated server writes ``results/YYMMDD_HHMMSS_X.json`` (``X`` = ``FP``, ``Q`` or
``R``) in UTF-16LE without a byte-order mark; copies saved by other tools may carry a BOM or be
UTF-8 (:func:`~bot.core.readers.common.decode_text` reads all three). One file is one session:

- ``sessionType`` (``FP`` / ``Q`` / ``R``, numbered ``Q1``, ``R2``…; ``0`` / ``4`` / ``10`` in
  the game's own files) gives the kind, ``trackName`` the circuit, ``serverName`` (newer
  servers) the event; the file name, when it is still the server's own, gives the date.
- ``sessionResult.leaderBoardLines`` is the classification, in order. Each line has the car
  (``raceNumber``, ``teamName``, ``carModel`` as an id, ``cupCategory``, ``drivers`` with first
  and last names) and its ``timing``: ``bestLap``, ``lapCount``, ``totalTime`` in milliseconds;
  2147483647 (the largest 32-bit integer) or more means no lap.
- The class is the cup category (Pro, Pro-Am, Am, Silver, National); when the session mixes car
  groups (GT3 with GT4, say) the group comes first: ``"GT4 Am"``.
- A car the file's ``penalties`` (or ``post_race_penalties``) disqualify has the status
  ``DSQ``. The file says nothing else about finishing: laps tell a retired car from the rest.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
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

FORMAT = "ACC server JSON"
FAMILY = "json"

NO_LAP = 2_147_483_647
"""What the server writes for a car without a lap time (and anything above it)."""

_GT3, _GT4, _GT2, _GTC, _TCX = "GT3", "GT4", "GT2", "GTC", "TCX"

CAR_MODELS: Mapping[int, tuple[str, str]] = MappingProxyType(
    {
        0: ("Porsche 991 GT3 R", _GT3),
        1: ("Mercedes-AMG GT3", _GT3),
        2: ("Ferrari 488 GT3", _GT3),
        3: ("Audi R8 LMS", _GT3),
        4: ("Lamborghini Huracán GT3", _GT3),
        5: ("McLaren 650S GT3", _GT3),
        6: ("Nissan GT-R Nismo GT3 2018", _GT3),
        7: ("BMW M6 GT3", _GT3),
        8: ("Bentley Continental GT3 2018", _GT3),
        9: ("Porsche 991 II GT3 Cup", _GTC),
        10: ("Nissan GT-R Nismo GT3 2017", _GT3),
        11: ("Bentley Continental GT3 2016", _GT3),
        12: ("Aston Martin V12 Vantage GT3", _GT3),
        13: ("Lamborghini Gallardo R-EX", _GT3),
        14: ("Jaguar G3", _GT3),
        15: ("Lexus RC F GT3", _GT3),
        16: ("Lamborghini Huracán GT3 Evo", _GT3),
        17: ("Honda NSX GT3", _GT3),
        18: ("Lamborghini Huracán Super Trofeo", _GTC),
        19: ("Audi R8 LMS Evo", _GT3),
        20: ("Aston Martin V8 Vantage GT3", _GT3),
        21: ("Honda NSX GT3 Evo", _GT3),
        22: ("McLaren 720S GT3", _GT3),
        23: ("Porsche 991 II GT3 R", _GT3),
        24: ("Ferrari 488 GT3 Evo", _GT3),
        25: ("Mercedes-AMG GT3 2020", _GT3),
        26: ("Ferrari 488 Challenge Evo", _GTC),
        27: ("BMW M2 CS Racing", _TCX),
        28: ("Porsche 992 GT3 Cup", _GTC),
        29: ("Lamborghini Huracán Super Trofeo Evo2", _GTC),
        30: ("BMW M4 GT3", _GT3),
        31: ("Audi R8 LMS GT3 Evo II", _GT3),
        32: ("Ferrari 296 GT3", _GT3),
        33: ("Lamborghini Huracán GT3 Evo2", _GT3),
        34: ("Porsche 992 GT3 R", _GT3),
        35: ("McLaren 720S GT3 Evo", _GT3),
        36: ("Ford Mustang GT3", _GT3),
        50: ("Alpine A110 GT4", _GT4),
        51: ("Aston Martin Vantage GT4", _GT4),
        52: ("Audi R8 LMS GT4", _GT4),
        53: ("BMW M4 GT4", _GT4),
        55: ("Chevrolet Camaro GT4", _GT4),
        56: ("Ginetta G55 GT4", _GT4),
        57: ("KTM X-Bow GT4", _GT4),
        58: ("Maserati MC GT4", _GT4),
        59: ("McLaren 570S GT4", _GT4),
        60: ("Mercedes-AMG GT4", _GT4),
        61: ("Porsche 718 Cayman GT4 Clubsport", _GT4),
        80: ("Audi R8 LMS GT2", _GT2),
        82: ("KTM X-Bow GT2", _GT2),
        83: ("Maserati MC20 GT2", _GT2),
        84: ("Mercedes-AMG GT2", _GT2),
        85: ("Porsche 911 GT2 RS CS Evo", _GT2),
        86: ("Porsche 935", _GT2),
    }
)
"""ACC's ``carModel`` ids (server admin handbook, to 1.10): the model's name and its group."""

CUP_CATEGORIES: Mapping[int, str] = MappingProxyType(
    {0: "Pro", 1: "Pro-Am", 2: "Am", 3: "Silver", 4: "National"}
)
"""``cupCategory``: 0 is the overall (Pro) cup."""

TRACKS: Mapping[str, str] = MappingProxyType(
    {
        "barcelona": "Barcelona",
        "brands_hatch": "Brands Hatch",
        "cota": "Circuit of the Americas",
        "donington": "Donington Park",
        "hungaroring": "Hungaroring",
        "imola": "Imola",
        "indianapolis": "Indianapolis",
        "kyalami": "Kyalami",
        "laguna_seca": "Laguna Seca",
        "misano": "Misano",
        "monza": "Monza",
        "mount_panorama": "Mount Panorama",
        "nurburgring": "Nürburgring",
        "nurburgring_24h": "Nürburgring 24h",
        "oulton_park": "Oulton Park",
        "paul_ricard": "Paul Ricard",
        "red_bull_ring": "Red Bull Ring",
        "silverstone": "Silverstone",
        "snetterton": "Snetterton",
        "spa": "Spa-Francorchamps",
        "suzuka": "Suzuka",
        "valencia": "Valencia",
        "watkins_glen": "Watkins Glen",
        "zandvoort": "Zandvoort",
        "zolder": "Zolder",
    }
)
"""``trackName`` ids as people name the circuits; other ids are tidied (``_`` → space)."""

_CODES = {"P": PRACTICE, "FP": PRACTICE, "Q": QUALIFYING, "R": RACE}
_NUMERIC_TYPES = {0: PRACTICE, 4: QUALIFYING, 10: RACE}
_SESSION_CODE = re.compile(r"^([A-Za-z]+)\s*(\d*)$")
_FILE_NAME = re.compile(r"^(\d\d)(\d\d)(\d\d)_\d{6}_")
_YEAR_SUFFIX = re.compile(r"_20\d\d$")


def accepts(source: Source) -> bool:
    """A JSON object with a ``sessionResult`` object (and ``sessionType`` or the result's
    ``leaderBoardLines``)."""
    if source.family != "json" or '"sessionResult"' not in source.text:
        return False
    try:
        data = source.json
    except GridFileError:
        return False
    if not isinstance(data, dict):
        return False
    result = data.get("sessionResult")
    return isinstance(result, dict) and ("sessionType" in data or "leaderBoardLines" in result)


def read(source: Source) -> list[Session]:
    """The file's one session; a ``GridFileError`` naming the element at fault."""
    reader = _Reader(source)
    data = source.json
    if not isinstance(data, dict):
        raise reader.error("the file", "expected a JSON object")
    result = data.get("sessionResult")
    if not isinstance(result, dict):
        raise reader.error("sessionResult", "expected an object with the session's results")
    lines = result.get("leaderBoardLines")
    where = "sessionResult.leaderBoardLines"
    if not isinstance(lines, list):
        raise reader.error(where, "expected the list of cars (leaderBoardLines)")
    kind, name = session_of(data.get("sessionType"))
    disqualified = reader.disqualified(data)
    cars = [reader.car(line, f"{where}[{index}]", disqualified) for index, line in enumerate(lines)]
    if not cars:
        raise reader.error(where, "no cars: the session has no results")
    race = kind == RACE
    if not race:
        cars = [car for car in cars if car.time is not None] + [
            car for car in cars if car.time is None
        ]
    groups = {car.group for car in cars if car.group}
    entries: list[Entry] = []
    for position, car in enumerate(cars, start=1):
        klass = car.cup
        if len(groups) > 1 and car.group:
            klass = f"{car.group} {klass}".strip()
        entries.append(
            make_entry(
                position,
                number=car.number,
                drivers=car.drivers,
                car=car.car,
                team=car.team,
                time=car.time,
                klass=klass,
                laps=car.laps if race else None,
                total=car.total if race else None,
                status=car.status,
            )
        )
    track = data.get("trackName")
    server = data.get("serverName")
    date = date_from_name(source.path.name)
    return [
        Session(
            entries=tuple(entries),
            kind=kind,
            name=name,
            event=server.strip() if isinstance(server, str) else "",
            circuit=track_name(track) if isinstance(track, str) else "",
            year=int(date[:4]) if date else None,
            date=date,
            format=FORMAT,
        )
    ]


def session_of(value: object) -> tuple[str | None, str]:
    """``"Q"`` → (qualifying, ``"Qualifying"``); ``"R2"`` → (race, ``"Race 2"``); ``10`` →
    (race, ``"Race"``); a word → the kind it says, if any, and the word as written."""
    if isinstance(value, int) and not isinstance(value, bool):
        kind = _NUMERIC_TYPES.get(value)
        return kind, SESSION_NAMES[kind] if kind else str(value)
    if not isinstance(value, str):
        return None, ""
    match = _SESSION_CODE.match(value.strip())
    if match is not None:
        kind = _CODES.get(match.group(1).upper())
        if kind is not None:
            return kind, f"{SESSION_NAMES[kind]} {match.group(2)}".strip()
    word = " ".join(value.split())
    return kind_of(word), word


def track_name(track: str) -> str:
    """``"brands_hatch"`` → ``"Brands Hatch"``; ``"spa_2019"`` → ``"Spa-Francorchamps"``."""
    key = _YEAR_SUFFIX.sub("", track.strip().casefold())
    if key in TRACKS:
        return TRACKS[key]
    return " ".join(word[:1].upper() + word[1:] for word in key.replace("_", " ").split())


def car_model(model: int) -> tuple[str, str]:
    """The model's name and group for a ``carModel`` id; ``"car model 99"`` for ids not known
    yet."""
    return CAR_MODELS.get(model, (f"car model {model}", ""))


def date_from_name(name: str) -> str:
    """``"191003_225901_Q.json"`` (the server's own name) → ``"2019-10-03"``; else ``""``."""
    match = _FILE_NAME.match(name)
    if match is None:
        return ""
    year, month, day = (int(part) for part in match.groups())
    try:
        return datetime.date(2000 + year, month, day).isoformat()
    except ValueError:
        return ""


@dataclass(frozen=True, slots=True)
class _Car:
    """One leaderboard line's values, before its place is known."""

    number: str
    drivers: list[str]
    car: str
    group: str
    team: str
    cup: str
    time: int | None
    laps: int | None
    total: int | None
    status: str


class _Reader(JsonFields):
    """Checks a file's values, with errors naming the element at fault."""

    def time(self, value: object, where: str) -> int | None:
        """Milliseconds → ticks; ``None`` for no lap (0, negative or the server's 2147483647)."""
        return self.milliseconds(value, where, NO_LAP)

    def disqualified(self, data: Mapping[str, Any]) -> set[int]:
        """The ``carId`` of every car a penalty in the file disqualifies."""
        found: set[int] = set()
        for key in ("penalties", "post_race_penalties"):
            penalties = data.get(key)
            if not isinstance(penalties, list):
                continue
            for penalty in penalties:
                if not isinstance(penalty, dict):
                    continue
                kind = penalty.get("penalty")
                car = penalty.get("carId")
                if (
                    isinstance(kind, str)
                    and kind.casefold().startswith(("disqualif", "dsq"))
                    and isinstance(car, int)
                ):
                    found.add(car)
        return found

    def car(self, line: object, where: str, disqualified: set[int]) -> _Car:
        """One leaderboard line's values."""
        if not isinstance(line, dict):
            raise self.error(where, "expected an object with a car and its timing")
        car = line.get("car")
        if not isinstance(car, dict):
            raise self.error(f"{where}.car", "expected an object with the car's entry")
        timing = line.get("timing", {})
        if not isinstance(timing, dict):
            raise self.error(f"{where}.timing", "expected an object with the car's times")
        number = self.whole(car.get("raceNumber"), f"{where}.car.raceNumber")
        model = self.whole(car.get("carModel"), f"{where}.car.carModel")
        cup = self.whole(car.get("cupCategory"), f"{where}.car.cupCategory")
        name, group = car_model(model) if model is not None else ("", "")
        laps = self.whole(timing.get("lapCount"), f"{where}.timing.lapCount")
        car_id = car.get("carId")
        return _Car(
            number="" if number is None else str(number),
            drivers=self.drivers(car.get("drivers"), f"{where}.car.drivers"),
            car=name,
            group=group,
            team=self.text(car.get("teamName"), f"{where}.car.teamName"),
            cup=CUP_CATEGORIES.get(cup, f"cup {cup}") if cup is not None else "",
            time=self.time(timing.get("bestLap"), f"{where}.timing.bestLap"),
            laps=laps if laps is None or laps >= 0 else None,
            total=self.time(timing.get("totalTime"), f"{where}.timing.totalTime"),
            status="DSQ" if isinstance(car_id, int) and car_id in disqualified else "",
        )

    def drivers(self, value: object, where: str) -> list[str]:
        """Each driver's first and last name (the short name when both are empty)."""
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(where, "expected the list of the car's drivers")
        names = []
        for index, driver in enumerate(value):
            if not isinstance(driver, dict):
                raise self.error(f"{where}[{index}]", "expected a driver with first and last name")
            parts = [
                self.text(driver.get(key), f"{where}[{index}].{key}")
                for key in ("firstName", "lastName")
            ]
            name = " ".join(" ".join(parts).split())
            if not name:
                name = self.text(driver.get("shortName"), f"{where}[{index}].shortName").strip()
            if name:
                names.append(name)
        return names
