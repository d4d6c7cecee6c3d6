"""iRacing results JSON: a subsession's results as the data API and the results page's JSON
export give them.

The subsession (at the top level, or under ``data``) holds ``session_results``: one element per
simsession (practice, qualifying, race, heats…), each a Session here, in the order they were run
(``simsession_number`` counts up to 0, the main event). Empty simsessions are left out.

- ``simsession_name`` names the session: ``"QUALIFY"`` as ``"Qualifying"``, ``"HEAT 1"`` as
  ``"Heat 1"`` (``simsession_type_name``, such as ``"Open Qualifying"``, when it is missing);
  the type name, else the name, gives the kind.
- ``results`` are the cars, classified by ``finish_position`` (counted from 0). Times are
  already in 1/10,000 s: ``best_lap_time`` (``-1`` for none; outside a race the lap that
  counts for qualifying, ``best_qual_lap_time``, when there is one), and in a race
  ``interval`` (the gap to the winner, ``-1`` for a car laps down), ``laps_complete`` and
  ``reason_out`` (``"Running"`` for a finisher, else the reason, kept as the status).
- ``car_number`` (top level, or in the ``livery`` of older files), ``display_name``;
  ``car_name`` when the file has it; the class is ``car_class_short_name`` /
  ``car_class_name``, else the subsession's ``car_classes`` looked up by ``car_class_id``.
- In team events a result is a team (``display_name``) and its drivers are those of
  ``driver_results``.
- The event is the hosted session's name, else the league's, else the series'; the circuit is
  ``track.track_name`` (with its ``config_name``); the date comes from ``start_time``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.errors import GridFileError
from bot.core.model import RACE, Entry
from bot.core.readers.common import SESSION_NAMES, Session, Source, kind_of, make_entry
from bot.core.readers.jsonfields import JsonFields

FORMAT = "iRacing results JSON"
FAMILY = "json"

_DATE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)")
_HOSTED = "hosted iracing"
"""The series name of every hosted session: it names no event."""
_NO_CONFIG = frozenset({"", "n/a", "none"})
_PLAIN_NAMES = frozenset({"PRACTICE", "QUALIFY", "QUALIFYING", "RACE"})
"""Simsession names that only say the kind: the session is then named as people say it."""
_UNPLACED = 1 << 30
"""Where a result without a ``finish_position`` sorts: after the others, in file order."""


def accepts(source: Source) -> bool:
    """A JSON object with a ``session_results`` list, at the top level or under ``data``."""
    if source.family != "json" or '"session_results"' not in source.text:
        return False
    try:
        data = source.json
    except GridFileError:
        return False
    return subsession(data) is not None


def subsession(data: object) -> Mapping[str, Any] | None:
    """The object that holds ``session_results``: the file's, or its ``data``."""
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("session_results"), list):
        return data
    inner = data.get("data")
    if isinstance(inner, dict) and isinstance(inner.get("session_results"), list):
        return inner
    return None


def read(source: Source) -> list[Session]:
    """A session per simsession with results; a ``GridFileError`` naming the element at
    fault."""
    reader = _Reader(source)
    data = source.json
    root = subsession(data)
    if root is None:
        raise reader.error("the file", "expected an object with session_results")
    prefix = "session_results" if root is data else "data.session_results"
    classes = reader.classes(root.get("car_classes"))
    simsessions = []
    for index, value in enumerate(root["session_results"]):
        where = f"{prefix}[{index}]"
        if not isinstance(value, dict):
            raise reader.error(where, "expected an object with a session's results")
        simsessions.append((reader.order(value, where), index, where, value))
    simsessions.sort(key=lambda found: (found[0], found[1]))
    date = reader.date(root.get("start_time"))
    sessions = []
    for _, _, where, value in simsessions:
        results = value.get("results")
        if results is None or results == []:
            continue
        if not isinstance(results, list):
            raise reader.error(f"{where}.results", "expected the list of cars")
        kind, name = reader.session(value, where)
        entries = reader.entries(results, f"{where}.results", kind, classes)
        sessions.append(
            Session(
                entries=tuple(entries),
                kind=kind,
                name=name,
                event=event_of(root),
                circuit=circuit_of(root.get("track")),
                year=int(date[:4]) if date else None,
                date=date,
                format=FORMAT,
            )
        )
    if not sessions:
        raise reader.error(prefix, "no session has any car in it (every results list is empty)")
    return sessions


def event_of(root: Mapping[str, Any]) -> str:
    """The hosted session's name, else the league's, else the series' (not "Hosted
    iRacing")."""
    for key in ("session_name", "league_name", "series_name"):
        value = root.get(key)
        if isinstance(value, str) and value.strip() and value.strip().casefold() != _HOSTED:
            return " ".join(value.split())
    return ""


def circuit_of(track: object) -> str:
    """``{"track_name": "Mount Panorama Circuit", "config_name": "N/A"}`` → the track's name,
    with the configuration in brackets when there is one."""
    if not isinstance(track, dict):
        return ""
    name, config = track.get("track_name"), track.get("config_name")
    if not isinstance(name, str):
        return ""
    name = " ".join(name.split())
    if isinstance(config, str) and config.strip().casefold() not in _NO_CONFIG:
        return f"{name} ({' '.join(config.split())})"
    return name


@dataclass(frozen=True, slots=True)
class _Car:
    """One result's values, before its place is known."""

    order: tuple[int, int]
    """``finish_position``, then the place in ``results``."""
    number: str
    drivers: list[str]
    car: str
    team: str
    klass: str
    time: int | None
    laps: int | None
    behind: int | None
    status: str


class _Reader(JsonFields):
    """Checks a file's values, with errors naming the element at fault."""

    def time(self, value: object, where: str) -> int | None:
        """A time in 1/10,000 s (ticks already); ``None`` for none (``-1``, or 0)."""
        ticks = self.whole(value, where)
        return ticks if ticks is not None and ticks > 0 else None

    def order(self, simsession: Mapping[str, Any], where: str) -> int:
        number = self.whole(simsession.get("simsession_number"), f"{where}.simsession_number")
        return 0 if number is None else number

    def session(self, simsession: Mapping[str, Any], where: str) -> tuple[str | None, str]:
        """The kind (from the type name, else the name) and the name: ``"QUALIFY"`` →
        ``"Qualifying"``, ``"HEAT 1"`` → ``"Heat 1"``; the type name when there is no name."""
        name = self.text(simsession.get("simsession_name"), f"{where}.simsession_name")
        type_name = self.text(
            simsession.get("simsession_type_name"), f"{where}.simsession_type_name"
        )
        kind = kind_of(type_name) or kind_of(name)
        if name.upper() in _PLAIN_NAMES and kind is not None:
            return kind, SESSION_NAMES[kind]
        if name:
            return kind, name.title() if name.isupper() else name
        return kind, type_name

    def date(self, value: object) -> str:
        """``"2021-01-08T19:00:12Z"`` → ``"2021-01-08"``."""
        match = _DATE.match(value) if isinstance(value, str) else None
        if match is None:
            return ""
        try:
            return datetime.date(*(int(part) for part in match.groups())).isoformat()
        except ValueError:
            return ""

    def classes(self, value: object) -> dict[int, str]:
        """The subsession's classes by ``car_class_id``: the short name, else the name."""
        found: dict[int, str] = {}
        if not isinstance(value, list):
            return found
        for item in value:
            if not isinstance(item, dict):
                continue
            key = item.get("car_class_id")
            name = _first_text(item, "short_name", "name")
            if isinstance(key, int) and not isinstance(key, bool) and name:
                found[key] = name
        return found

    def entries(
        self, results: list[Any], where: str, kind: str | None, classes: Mapping[int, str]
    ) -> list[Entry]:
        race = kind == RACE
        cars = sorted(
            (
                self.car(value, f"{where}[{index}]", index, race, classes)
                for index, value in enumerate(results)
            ),
            key=lambda car: car.order,
        )
        if not race:
            cars = [car for car in cars if car.time is not None] + [
                car for car in cars if car.time is None
            ]
        return [
            make_entry(
                position,
                number=car.number,
                drivers=car.drivers,
                car=car.car,
                team=car.team,
                time=car.time,
                klass=car.klass,
                laps=car.laps,
                behind=car.behind,
                status=car.status,
            )
            for position, car in enumerate(cars, start=1)
        ]

    def car(
        self, value: object, where: str, index: int, race: bool, classes: Mapping[int, str]
    ) -> _Car:
        if not isinstance(value, dict):
            raise self.error(where, "expected an object with a car's result")
        finish = self.whole(value.get("finish_position"), f"{where}.finish_position")
        number = self.text(value.get("car_number"), f"{where}.car_number")
        livery = value.get("livery")
        if not number and isinstance(livery, dict):
            number = self.text(livery.get("car_number"), f"{where}.livery.car_number")
        name = self.text(value.get("display_name"), f"{where}.display_name")
        team, drivers = "", [name]
        members = value.get("driver_results")
        if isinstance(members, list) and members:
            team, drivers = name, []
            for place, member in enumerate(members):
                if not isinstance(member, dict):
                    raise self.error(f"{where}.driver_results[{place}]", "expected a driver")
                drivers.append(
                    self.text(
                        member.get("display_name"), f"{where}.driver_results[{place}].display_name"
                    )
                )
        klass = _first_text(value, "car_class_short_name", "car_class_name")
        class_id = value.get("car_class_id")
        if not klass and isinstance(class_id, int) and not isinstance(class_id, bool):
            klass = classes.get(class_id, "")
        time = self.time(value.get("best_lap_time"), f"{where}.best_lap_time")
        if not race:
            qualifying = self.time(value.get("best_qual_lap_time"), f"{where}.best_qual_lap_time")
            time = qualifying if qualifying is not None else time
        laps = self.whole(value.get("laps_complete"), f"{where}.laps_complete")
        interval = self.whole(value.get("interval"), f"{where}.interval")
        reason = self.text(value.get("reason_out"), f"{where}.reason_out")
        return _Car(
            order=(finish if finish is not None and finish >= 0 else _UNPLACED, index),
            number=number,
            drivers=drivers,
            car=self.text(value.get("car_name"), f"{where}.car_name"),
            team=team,
            klass=klass,
            time=time,
            laps=laps if race and laps is not None and laps >= 0 else None,
            behind=interval if race and interval is not None and interval >= 0 else None,
            status=reason if race and reason.casefold() != "running" else "",
        )


def _first_text(item: Mapping[str, Any], *keys: str) -> str:
    for key in keys:
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return ""
