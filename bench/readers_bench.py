"""Memory and time of parsing results files, format by format (issue 12, "Limits and tools").

Run: .venv/bin/python -m bench.readers_bench [--quick] [--only TEXT] [--top N] [--keep DIR]

The issue's limit: files up to 8 MiB, and parsing uses at most 10× the file's size in memory,
measured on the largest sample of each format. Every file below goes through
``bot.core.loader.parse_grids``, as ``/import``, ``check`` and the data folder parse it:

- the hand-written fixtures (``tests/fixtures/results``, and the seed for Gridbot's own
  Markdown);
- the real files of ``../shared/real-results`` when that folder is there (read in place);
- synthetic files in each format's own shape, written to a temporary folder: the largest
  samples, and the ones judged. JSON and XML grow to just under 8 MiB of valid results (laps,
  several sessions), in the producer's own layout and, for JSON, compact too (the densest JSON).
  A table holds at most 1,000 cars, so tables are measured at 1,000 cars (the largest valid
  file) and at just under 8 MiB, which is refused for its car count once the reader has read
  as much as it reads: in the format's own rows, and, where a line or row limit refuses those
  early, in long rows that stay under it (the most an 8 MiB upload of that format costs).

Each file is measured in a fresh interpreter (the small ones share one). A first parse gives
the time and the growth of peak RSS (VmHWM, reset through ``/proc/self/clear_refs``); then,
under tracemalloc, the peak of the parse's own allocations (the input bytes, in memory before
the parse, are not counted) and what the returned grids keep. The ratio is peak ÷ file size.
The target is judged on the synthetic files; on a small file the fixed cost of a parse
dominates, so its ratio is shown only.

``--quick`` leaves out the fixtures and the seed. ``--top N`` lists, for each synthetic file,
the N places holding most memory near the peak and after the parse (a third parse, traced 30
frames deep); ``--only TEXT`` keeps the files whose format or name has TEXT.

Exit status 0 when every judged file stays within 10× its size, 1 when one does not, 2 when a
synthetic file did not come out as meant (another format, or loaded when it should not have).
"""

from __future__ import annotations

import argparse
import gc
import json
import linecache
import math
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.core.loader import MAX_FILE_BYTES, grid_files
from bot.core.parser import MAX_CARS
from bot.core.readers import ac, acc, alkamel, f1, iracing_csv, iracing_json, rfactor, webtable
from bot.core.readers.tables import MAX_LINES as LINES

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "results"
SEED = REPO / "data"
REAL = REPO.parent / "shared" / "real-results"
TARGET_RATIO = 10.0
MIB = 1024 * 1024
ALLOWANCE = 4 * MIB
"""What any parse may use however small the file: a grid of 1,000 cars costs about 0.5-1.4 KiB
a car in Python objects (entries, drivers, indexes) against 66-163 bytes a row of text, so 10×
cannot hold for short rows; the target is the larger of 10× the file and this."""
FLOOR = 0.995
"""A grown file is at least this share of the 8 MiB limit (and never above it)."""
CHILD_TIMEOUT = 300.0

NATIVE_MD = "Gridbot Markdown"
NATIVE_CSV = "Gridbot CSV"
FORMATS = (
    acc.FORMAT,
    ac.FORMAT,
    iracing_json.FORMAT,
    rfactor.FORMAT,
    iracing_csv.FORMAT,
    alkamel.FORMAT,
    f1.FORMAT,
    webtable.FORMAT,
    NATIVE_MD,
    NATIVE_CSV,
)
"""In the order they are reported: the readers in the order they are tried, then Gridbot's own."""

FIRST = ["Kai", "Luca", "Ana", "Sébastien", "Jules", "Marta", "Noa", "Hana"]
FIRST += ["Rui", "Ivo", "Zoë", "Björn", "Ravi", "Chloé", "Tomás", "Inês"]
LAST = ["Berg", "Moretti", "Lima", "Buemi", "Fontaine", "Kovács", "Lind", "Ito"]
LAST += ["Sato", "Petrov", "Nyström", "Menon", "Dubois", "García", "Okafor", "Brandt"]
TEAM_WORDS = ["Racing", "Motorsport", "Sport", "Compétition", "Engineering", "Works", "Team"]
CARS = [
    ("Oreca 07 - Gibson", "LMP2"),
    ("Ligier JS P217 - Gibson", "LMP2"),
    ("Ferrari 488 GTE", "LMGTE"),
    ("Porsche 911 RSR", "LMGTE"),
    ("Aston Martin Vantage AMR", "LMGTE Am"),
]


def person(i: int) -> tuple[str, str]:
    """A first and last name, distinct for the first 4,096 people."""
    last = LAST[i // 16 % 16]
    if i >= 256:
        last += "-" + LAST[i // 256 % 16]
    return FIRST[i % 16], last


def name(i: int) -> str:
    return " ".join(person(i))


def team(i: int) -> str:
    return f"{LAST[i * 7 % 16]} {TEAM_WORDS[i % len(TEAM_WORDS)]}"


def padded(text: str, width: int, i: int) -> str:
    """``text`` lengthened with names to about ``width`` characters (a sponsor-laden entrant):
    the way to fill 8 MiB with few rows."""
    words = [text]
    size = len(text)
    while size < width:
        word = f"{LAST[i % 16]} {TEAM_WORDS[i % len(TEAM_WORDS)]}"
        words.append(word)
        size += len(word) + 1
        i += 5
    return " ".join(words)


def lap_text(ms: int, minute_mark: str = ":") -> str:
    """``97123`` → ``1:37.123`` (``1'37.123`` with ``minute_mark="'"``)."""
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes}{minute_mark}{seconds:02d}.{millis:03d}"


def race_text(ms: int, minute_mark: str = ":") -> str:
    """``14459046`` → ``4:00:59.046`` (``4:00'59.046`` with ``minute_mark="'"``)."""
    hours, rest = divmod(ms, 3_600_000)
    return f"{hours}:{lap_text(rest, minute_mark).rjust(9, '0')}"


# Growing a file to just under the limit.


class Lazy:
    """Items made on first use and kept: a file is assembled from its first n many times."""

    def __init__(self, make: Callable[[int], str]) -> None:
        self.make = make
        self.items: list[str] = []

    def first(self, count: int) -> list[str]:
        while len(self.items) < count:
            self.items.append(self.make(len(self.items)))
        return self.items[:count]


def grow(render: Callable[[int], bytes], limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``render(n)`` for an ``n`` that makes them just under ``limit`` (at least
    ``FLOOR`` of it): a secant through ``render(1)`` and the last try, as sizes grow about
    linearly with ``n``."""
    base = len(render(1))
    count, size = 64, len(render(64))
    for _ in range(30):
        per_item = max((size - base) / (count - 1), 1.0)
        guess = max(2, 1 + int((limit * (1 + FLOOR) / 2 - base) / per_item))
        data = render(guess)
        if limit * FLOOR <= len(data) <= limit:
            return data
        count, size = guess, len(data)
    raise RuntimeError(f"could not grow a file to just under {limit} bytes")


# JSON in a producer's layout: the document's text made once, bulk lists filled in.


@dataclass(frozen=True)
class Layout:
    indent: str | None
    """``"    "`` (ACC server), ``"\\t"`` (AC server, iRacing's export) or ``None``: compact."""

    def dumps(self, value: object, pad: str = "") -> str:
        """``value`` as JSON, its lines after the first indented by ``pad`` more."""
        if self.indent is None:
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return json.dumps(value, ensure_ascii=False, indent=self.indent).replace("\n", "\n" + pad)

    def separator(self, pad: str) -> str:
        return "," if self.indent is None else ",\n" + pad


SERVER = {"acc": Layout("    "), "ac": Layout("\t"), "iracing": Layout("\t")}
COMPACT = Layout(None)


def bulk(index: int) -> str:
    """A marker standing for the items of a list, where they go in a document's text."""
    return f"#bulk{index}#"


def split_at_bulks(text: str, count: int) -> tuple[list[str], str]:
    """The text around each of ``count`` bulk markers, and the indentation of the first."""
    pieces: list[str] = []
    pad = ""
    rest = text
    for index in range(count):
        marker = f'"{bulk(index)}"'
        at = rest.index(marker)
        line = rest[rest.rfind("\n", 0, at) + 1 : at]
        if index == 0 and not line.strip():
            pad = line
        pieces.append(rest[:at])
        rest = rest[at + len(marker) :]
    pieces.append(rest)
    return pieces, pad


def assemble(pieces: Sequence[str], bulks: Sequence[Sequence[str]], separator: str) -> str:
    out = [pieces[0]]
    for items, after in zip(bulks, pieces[1:], strict=True):
        out.append(separator.join(items))
        out.append(after)
    return "".join(out)


class Template:
    """A JSON value's text in a layout, made once, with a ``%(name)s`` slot for each ``"@name@"``
    string in it."""

    def __init__(self, value: object, layout: Layout, pad: str) -> None:
        text = layout.dumps(value, pad).replace("%", "%%")
        self.text = re.sub(r'"@(\w+)@"', r"%(\1)s", text)

    def __call__(self, **values: object) -> str:
        return self.text % {key: literal(value) for key, value in values.items()}


def literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def acc_file(layout: Layout, cars: int = 100) -> bytes:
    """An ACC server race: ``cars`` leaderboard lines (two or three drivers each), the laps
    of every car grown to just under 8 MiB. The server's layout is UTF-16LE without a BOM,
    indented by 4; compact is UTF-8."""
    lines = []
    for i in range(cars):
        drivers = [
            {
                "firstName": first,
                "lastName": last,
                "shortName": last[:3].upper(),
                "playerId": f"S7650000000{i:04d}{d}",
            }
            for d, (first, last) in enumerate(person(i * 3 + d) for d in range(2 + i % 2))
        ]
        best = 137_000 + i * 41
        lines.append(
            {
                "car": {
                    "carId": 1001 + i,
                    "raceNumber": i + 1,
                    "carModel": (31, 32, 30, 25, 34)[i % 5],
                    "cupCategory": i % 4,
                    "carGroup": "GT3",
                    "teamName": team(i),
                    "nationality": 0,
                    "drivers": drivers,
                },
                "currentDriver": drivers[-1],
                "currentDriverIndex": len(drivers) - 1,
                "timing": {
                    "lastLap": best + 900,
                    "lastSplits": [46_300, 52_100, best + 900 - 98_400],
                    "bestLap": best,
                    "bestSplits": [46_000, 51_900, best - 97_900],
                    "totalTime": 86_400_000 + i * 60_123,
                    "lapCount": 590 - i,
                    "lastSplitId": 2,
                },
                "missingMandatoryPitstop": 0,
                "driverTotalTimes": [43_200_000.5 + i, 43_199_000.5 - i][: len(drivers)],
            }
        )
    document = {
        "sessionType": "R",
        "trackName": "spa",
        "sessionIndex": 2,
        "raceWeekendIndex": 0,
        "metaData": "spa",
        "serverName": "Gridbot 24 Hours (synthetic)",
        "sessionResult": {
            "bestlap": 137_000,
            "bestSplits": [46_000, 51_900, 39_100],
            "isWetSession": 0,
            "type": 1,
            "leaderBoardLines": lines,
        },
        "laps": [bulk(0)],
        "penalties": [
            {
                "carId": 1002,
                "driverIndex": 0,
                "reason": "Cutting",
                "penalty": "DriveThrough",
                "penaltyValue": 3,
                "violationInLap": 4,
                "clearedInLap": 6,
            }
        ],
        "post_race_penalties": [],
    }
    pieces, pad = split_at_bulks(layout.dumps(document), 1)
    lap = Template(
        {
            "carId": "@car@",
            "driverIndex": "@driver@",
            "laptime": "@time@",
            "isValidForBest": "@valid@",
            "splits": ["@s1@", "@s2@", "@s3@"],
        },
        layout,
        pad,
    )
    rng = random.Random(1)

    def make(i: int) -> str:
        car = i % cars
        time_ms = 137_000 + car * 41 + rng.randrange(4_000)
        s1, s2 = 46_000 + rng.randrange(900), 51_900 + rng.randrange(900)
        return lap(
            car=1001 + car,
            driver=i // cars % 2,
            time=time_ms,
            valid=rng.random() > 0.05,
            s1=s1,
            s2=s2,
            s3=time_ms - s1 - s2,
        )

    laps = Lazy(make)
    codec = "utf-16-le" if layout.indent == "    " else "utf-8"
    separator = layout.separator(pad)
    return grow(lambda n: assemble(pieces, [laps.first(n)], separator).encode(codec))


def ac_file(layout: Layout, cars: int = 100) -> bytes:
    """An Assetto Corsa server race: ``cars`` drivers (no car numbers), the laps grown to just
    under 8 MiB; UTF-8, the server's layout indented by tabs."""
    model = "ks_porsche_911_gt3_r_2016"
    guid = [f"7656119800{i:07d}" for i in range(cars)]
    document = {
        "TrackName": "spa",
        "TrackConfig": "",
        "Type": "RACE",
        "DurationSecs": 0,
        "RaceLaps": 600,
        "Cars": [
            {
                "CarId": i,
                "Driver": {"Name": name(i), "Team": team(i), "Guid": guid[i]},
                "Model": model,
                "Skin": f"livery_{i % 12}",
                "BallastKG": 0,
            }
            for i in range(cars)
        ],
        "Result": [
            {
                "DriverName": name(i),
                "DriverGuid": guid[i],
                "CarId": i,
                "CarModel": model,
                "BestLap": 137_000 + i * 41,
                "TotalTime": 86_400_000 + i * 60_123,
                "BallastKG": 0,
            }
            for i in range(cars)
        ],
        "Laps": [bulk(0)],
        "Events": [],
    }
    pieces, pad = split_at_bulks(layout.dumps(document), 1)
    lap = Template(
        {
            "DriverName": "@name@",
            "DriverGuid": "@guid@",
            "CarId": "@car@",
            "CarModel": model,
            "Timestamp": "@stamp@",
            "LapTime": "@time@",
            "Sectors": ["@s1@", "@s2@", "@s3@"],
            "Cuts": "@cuts@",
            "BallastKG": 0,
        },
        layout,
        pad,
    )
    rng = random.Random(2)

    def make(i: int) -> str:
        car = i % cars
        time_ms = 137_000 + car * 41 + rng.randrange(4_000)
        s1, s2 = 46_000 + rng.randrange(900), 51_900 + rng.randrange(900)
        return lap(
            name=name(car),
            guid=guid[car],
            car=car,
            stamp=1_000_000 + i * 1_380,
            time=time_ms,
            s1=s1,
            s2=s2,
            s3=time_ms - s1 - s2,
            cuts=int(rng.random() < 0.03),
        )

    laps = Lazy(make)
    separator = layout.separator(pad)
    return grow(lambda n: assemble(pieces, [laps.first(n)], separator).encode())


IRACING_SESSIONS = [
    (-2, "PRACTICE", "Open Practice", 3),
    (-1, "QUALIFY", "Lone Qualifying", 4),
    (0, "RACE", "Race", 6),
]
"""``simsession_number``, ``simsession_name``, ``simsession_type_name``, ``simsession_type``;
heats are added after these when a file needs more sessions."""


def iracing_session(index: int) -> tuple[int, str, str, int]:
    if index < len(IRACING_SESSIONS):
        return IRACING_SESSIONS[index]
    heat = index - len(IRACING_SESSIONS) + 1
    return (-2 - heat, f"HEAT {heat}", "Heat Race", 6)


def iracing_json_file(layout: Layout) -> bytes:
    """An iRacing team event's results JSON: practice, qualifying and race (then heats) of up
    to 1,000 teams each, two drivers per team, grown to just under 8 MiB. The results page's
    export is indented by tabs; the data API's is compact."""
    livery = {
        "car_id": "@car_id@",
        "pattern": 1,
        "color1": "ffffff",
        "color2": "000000",
        "color3": "ff0000",
        "number_font": 0,
        "car_number": "@number@",
        "wheel_color": None,
        "wheel_chrome": -1,
        "rim_type": -1,
    }

    def result(prefix: str) -> dict[str, object]:
        return {
            "cust_id": f"@{prefix}cust@",
            "display_name": f"@{prefix}name@",
            "finish_position": "@position@",
            "finish_position_in_class": "@class_position@",
            "laps_lead": 0,
            "laps_complete": f"@{prefix}laps@",
            "opt_laps_complete": 0,
            "interval": "@interval@",
            "class_interval": "@interval@",
            "average_lap": f"@{prefix}average@",
            "best_lap_num": f"@{prefix}best_num@",
            "best_lap_time": f"@{prefix}best@",
            "best_nlaps_num": -1,
            "best_nlaps_time": -1,
            "best_qual_lap_at": "1970-01-01T00:00:00Z",
            "best_qual_lap_num": -1,
            "best_qual_lap_time": -1,
            "reason_out_id": 0,
            "reason_out": "Running",
            "champ_points": 0,
            "drop_race": False,
            "club_points": 0,
            "position": "@position@",
            "qual_lap_time": -1,
            "starting_position": "@position@",
            "car_class_id": "@class_id@",
            "car_class_name": "@class_name@",
            "car_class_short_name": "@class_short@",
            "incidents": f"@{prefix}incidents@",
            "car_id": "@car_id@",
            "car_name": "@car@",
            "car_number": "@number@",
            "livery": livery,
            "watched": False,
            "friend": False,
        }

    team_result = {"team_id": "@team_id@", **result("")}
    team_result["driver_results"] = [result("a_"), result("b_")]

    def document(sessions: int) -> dict[str, object]:
        return {
            "subsession_id": 70_000_001,
            "series_name": "Hosted iRacing",
            "session_name": "Gridbot 24 Hours (synthetic)",
            "league_id": 7001,
            "league_name": "Gridbot Endurance League",
            "start_time": "2025-06-14T14:00:05Z",
            "end_time": "2025-06-15T14:20:40Z",
            "event_type": 5,
            "event_type_name": "Race",
            "driver_changes": True,
            "track": {
                "track_id": 163,
                "track_name": "Circuit de Spa-Francorchamps",
                "config_name": "Endurance",
            },
            "session_results": [
                {
                    "simsession_number": number,
                    "simsession_type": kind,
                    "simsession_type_name": type_name,
                    "simsession_subtype": 0,
                    "simsession_name": session,
                    "results": [bulk(index)],
                }
                for index, (number, session, type_name, kind) in enumerate(
                    iracing_session(i) for i in range(sessions)
                )
            ],
            "car_classes": [
                {"car_class_id": 4000 + k, "short_name": klass, "name": f"{klass} Class"}
                for k, klass in enumerate(sorted({klass for _, klass in CARS}))
            ],
        }

    texts: dict[int, list[str]] = {}

    def pieces(sessions: int) -> list[str]:
        if sessions not in texts:
            texts[sessions] = split_at_bulks(layout.dumps(document(sessions)), sessions)[0]
        return texts[sessions]

    pad = split_at_bulks(layout.dumps(document(1)), 1)[1]
    template = Template(team_result, layout, pad)
    classes = {klass: 4000 + k for k, klass in enumerate(sorted({k for _, k in CARS}))}

    def maker(session: int) -> Callable[[int], str]:
        rng = random.Random(100 + session)

        def make(i: int) -> str:
            car, klass = CARS[i % len(CARS)]
            best = 1_370_000 + i * 413 + rng.randrange(20_000)
            values: dict[str, object] = {}
            for prefix, driver in (("", 0), ("a_", 1), ("b_", 2)):
                values |= {
                    f"{prefix}cust": 900_000 + i * 3 + driver,
                    f"{prefix}name": team(i) if not prefix else name(i * 2 + driver),
                    f"{prefix}laps": 590 - i // 4 if not prefix else 295 - i // 8,
                    f"{prefix}average": best + 21_000,
                    f"{prefix}best_num": 3 + rng.randrange(500),
                    f"{prefix}best": best + driver * rng.randrange(4_000),
                    f"{prefix}incidents": rng.randrange(12),
                }
            return template(
                team_id=-(500_000 + i),
                position=i,
                class_position=i // len(CARS),
                interval=-1 if i % 7 == 6 else i * 12_345,
                class_id=classes[klass],
                class_name=f"{klass} Class",
                class_short=klass,
                car_id=120 + i % len(CARS),
                car=car,
                number=str(i + 1),
                **values,
            )

        return make

    results: list[Lazy] = []

    def render(count: int) -> bytes:
        sessions = max(1, math.ceil(count / MAX_CARS))
        while len(results) < sessions:
            results.append(Lazy(maker(len(results))))
        sizes = [min(MAX_CARS, count - MAX_CARS * s) for s in range(sessions)]
        items = [results[s].first(size) for s, size in enumerate(sizes)]
        return assemble(pieces(sessions), items, layout.separator(pad)).encode()

    return grow(render)


def rfactor_file() -> bytes:
    """An rFactor 2 / Le Mans Ultimate weekend: practice, qualifying and race of 100 drivers
    (car numbers repeat, as they may), each driver's ``Lap`` elements and the ``Stream`` of
    sector scores as the game writes them, grown to just under 8 MiB."""
    drivers = 100
    head = (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE rF [\n'
        '<!ENTITY rFEnt "rFactor Entity">\n]>\n<rFactorXML version="1.0">\n<RaceResults>\n'
        "<Setting>Multiplayer</Setting>\n<ServerName>Gridbot_24h</ServerName>\n"
        "<DateTime>1718373600</DateTime>\n<TimeString>2024/06/14 14:00:00</TimeString>\n"
        "<Mod>LMU_SYNTHETIC.RFM</Mod>\n<TrackVenue>Circuit de la Sarthe</TrackVenue>\n"
        "<TrackCourse>Circuit de la Sarthe</TrackCourse>\n"
        "<TrackEvent>&rFEnt; 24 Hours (synthetic)</TrackEvent>\n"
        "<TrackLength>13626.0</TrackLength>\n"
        "<GameVersion>1.0</GameVersion>\n<Dedicated>1</Dedicated>\n"
    )
    tail = "</RaceResults>\n</rFactorXML>\n"
    sections = [("Practice1", "2024/06/13 10:00:00"), ("Qualify", "2024/06/13 19:00:00")]
    sections.append(("Race", "2024/06/14 14:00:00"))

    def render(laps: int) -> bytes:
        rng = random.Random(3)
        out = [head]
        for tag, when in sections:
            race = tag == "Race"
            out.append(f"<{tag}>\n<TimeString>{when}</TimeString>\n<Laps>2147483647</Laps>\n")
            out.append("<Minutes>1440</Minutes>\n<Stream>\n")
            elapsed = 0.0
            for lap in range(laps):
                for d in range(drivers):
                    for point in range(3):
                        elapsed += 0.7 + rng.random()
                        out.append(
                            f'<Score et="{elapsed:.1f}">{name(d)}({d % 60}) lap={lap} '
                            f"point={point} t={elapsed - 200:.3f} et={elapsed:.3f}</Score>\n"
                        )
            out.append("</Stream>\n")
            for d in range(drivers):
                car, klass = CARS[d % len(CARS)]
                out.append(
                    f"<Driver>\n<Name>{name(d)}</Name>\n<Connected>1</Connected>\n"
                    f"<VehFile>{klass.replace(' ', '_')}_{d}.VEH</VehFile>\n"
                    "<UpgradeCode>00000000 00000000</UpgradeCode>\n"
                    f"<VehName>{car}</VehName>\n<CarType>{klass}</CarType>\n"
                    f"<CarClass>{klass}</CarClass>\n<CarNumber>{d % 60 + 1:02d}</CarNumber>\n"
                    f"<TeamName>{team(d)}</TeamName>\n<isPlayer>0</isPlayer>\n"
                    f"<ServerScored>1</ServerScored>\n<Position>{d + 1}</Position>\n"
                    f"<ClassPosition>{d // len(CARS) + 1}</ClassPosition>\n<Points>0</Points>\n"
                    f"<ClassPoints>0</ClassPoints>\n"
                    f"<LapRankIncludingDiscos>{d + 1}</LapRankIncludingDiscos>\n"
                )
                best, et = 999.0, 0.0
                for lap in range(1, laps + 1):
                    s1, s2, s3 = 61 + rng.random(), 72 + rng.random(), 71 + rng.random()
                    time_s = s1 + s2 + s3
                    et += time_s
                    best = min(best, time_s)
                    out.append(
                        f'<Lap num="{lap}" p="{d + 1}" et="{et:.4f}" s1="{s1:.4f}" '
                        f's2="{s2:.4f}" s3="{s3:.4f}" fuel="0.{rng.randrange(100, 999)}">'
                        f"{time_s:.4f}</Lap>\n"
                    )
                out.append(f"<BestLapTime>{best:.4f}</BestLapTime>\n<Laps>{laps}</Laps>\n")
                if race:
                    out.append(f"<FinishTime>{et:.4f}</FinishTime>\n")
                    out.append(
                        f'<Swap startLap="1" endLap="{laps // 2}">{name(d)}</Swap>'
                        f'<Swap startLap="{laps // 2 + 1}" endLap="{laps}">'
                        f"{name(d + drivers)}</Swap>\n"
                    )
                out.append(
                    f"<Pitstops>{laps // 12}</Pitstops>\n"
                    "<FinishStatus>Finished Normally</FinishStatus>\n"
                    f'<ControlAndAids startLap="1" endLap="{laps}">PlayerControl</ControlAndAids>\n'
                    "</Driver>\n"
                )
            out.append(f"</{tag}>\n")
        out.append(tail)
        return "".join(out).encode()

    return grow(render)


# Tables: at most 1,000 cars each, so grown past that they are refused for it.


def table_file(head: str, row: Callable[[int], str], cars: int | None) -> bytes:
    """``head`` and the first ``cars`` rows, or as many as make just under 8 MiB."""
    rows = Lazy(row)

    def render(count: int) -> bytes:
        return (head + "".join(rows.first(count))).encode()

    return render(cars) if cars is not None else grow(render)


def alkamel_file(cars: int | None) -> bytes:
    """An Al Kamel classification CSV of a race (WEC, ELMS): BOM, ``;``, trailing ``;``, CRLF."""
    head = (
        "\ufeffPOSITION;NUMBER;TEAM;DRIVER_1;DRIVER_2;DRIVER_3;DRIVER_4;VEHICLE;TYRES;CLASS;"
        "GROUP;DIVISION;STATUS;LAPS;TOTAL_TIME;GAP_FIRST;GAP_PREVIOUS;FL_LAPNUM;FL_TIME;FL_KPH;"
        "\r\n"
    )

    def row(i: int) -> str:
        car, klass = CARS[i % len(CARS)]
        drivers = [
            f"{first} {last.upper()}" for first, last in map(person, range(i * 3, i * 3 + 3))
        ]
        if i % 4 == 3:
            drivers[2] = ""
        laps = 139 - i // 20
        total = 14_404_690 + i * 9_137
        gap = "" if i == 0 else (f"{i // 20} Laps" if i >= 20 else f"{i * 9.137:.3f}")
        best = 96_144 + i * 17
        return (
            f"{i + 1};{i + 1};{team(i)};{';'.join(drivers)};;{car};M;{klass};;;Classified;{laps};"
            f"{race_text(total, chr(39))};{gap};{gap};{20 + i % 100};{lap_text(best, chr(39))};"
            f"{183.8 - i * 0.01:.1f};\r\n"
        )

    return table_file(head, row, cars)


def iracing_csv_file(teams: int | None) -> bytes:
    """An iRacing results CSV of a team race: metadata blocks, then each team's row followed by
    its three drivers' rows; every cell quoted, CRLF."""
    head = (
        '"Start Time","Track","Series","Hosted Session Name"\r\n'
        '"2025.06.14 02:00 PM GMT","Circuit de Spa-Francorchamps","Hosted iRacing",'
        '"Gridbot 24 Hours (synthetic)"\r\n\r\n\r\n\r\n'
        '"League Name","League ID","League Season","League Season ID","Points System"\r\n'
        '"Gridbot Endurance League","7001","SEASON ONE","5678","None"\r\n\r\n'
        '"Fin Pos","Car ID","Car","Car Class ID","Car Class","Team ID","Cust ID","Name",'
        '"Start Pos","Car #","Out ID","Out","Interval","Laps Led","Qualify Time",'
        '"Average Lap Time","Fastest Lap Time","Fast Lap#","Laps Comp","Inc","Club ID","Club",'
        '"Max Fuel Fill%","Weight Penalty (KG)","Session Name","AI"\r\n'
    )

    def row(i: int) -> str:
        car, klass = CARS[i % len(CARS)]
        team_id = -(500 + i)
        laps = 590 - i // 4
        interval = "-00.000" if i == 0 else (f"-{i // 4} L" if i >= 4 else f"-{i * 3.217:06.3f}")
        best = 137_000 + i * 41

        def cells(cust: int, who: str, gap: str, lap_ms: int, done: int) -> str:
            values = [
                i + 1, 120 + i % len(CARS), car, 4000 + i % 3, klass, team_id, cust, who,
                i + 1, i + 1, 0, "Running", gap, 0, "", lap_text(best + 21_000),
                lap_text(lap_ms), 3 + i % 500, done, i % 12, 0, "", 100, 0,
                "Gridbot 24 Hours (synthetic)", 0,
            ]  # fmt: skip
            return ",".join(f'"{value}"' for value in values) + "\r\n"

        lines = [cells(team_id, team(i), interval, best, laps)]
        for d in range(3):
            lines.append(cells(900_000 + i * 3 + d, name(i * 3 + d), "-", best + d * 97, laps // 3))
        return "".join(lines)

    return table_file(head, row, teams)


def f1_file(cars: int | None, width: int = 0) -> bytes:
    """Formula 1-style qualifying pasted from a results page: tabs with a space before each,
    Q1 for everyone, Q2 for the best 15 %, Q3 for the best 10 %; car names ``width`` long."""
    head = "Pos \tNo \tDriver \tCar \tQ1 \tQ2 \tQ3 \tLaps\n"

    def row(i: int) -> str:
        count = cars or 10**9
        best = 79_486 + i * 11
        q2 = lap_text(best + 300) if i < max(15, count * 15 // 100) else ""
        q3 = lap_text(best) if i < max(10, count // 10) else ""
        car = padded(CARS[i % len(CARS)][0], width, i)
        q1 = lap_text(best + 800)
        return f"{i + 1} \t{i + 1} \t{name(i)} \t{car} \t{q1} \t{q2} \t{q3} \t{18 + i % 7}\n"

    return table_file(head, row, cars)


def webtable_file(cars: int | None, width: int = 0) -> bytes:
    """A race table copied from a results page (Wikipedia's Le Mans layout): tabs, an ``Engine``
    line under the header, each entry over four lines (drivers one per line, the engine
    under the chassis); team names ``width`` long."""
    head = "Pos\tClass\tNo\tTeam\tDrivers\tChassis\tTyre\tLaps\tTime/Retired\nEngine\n"

    def row(i: int) -> str:
        car, klass = CARS[i % len(CARS)]
        laps = 388 - i // 3
        if i == 0:
            result = race_text(86_459_046)
        elif i % 3:
            result = f"+{lap_text(i * 13_456)}"
        else:
            result = f"+{i // 3} Laps"
        first, second, third = (name(i * 3 + d) for d in range(3))
        return (
            f"{i + 1}\t{klass}\t{i + 1}\t{padded(team(i), width, i)}\t{first}\n{second}\n"
            f"{third}\t{car}\tM\t{laps}\t"
            f"{result}\n{car.split(' - ')[-1]} 4.2 L V8\n"
        )

    return table_file(head, row, cars)


def native_rows(i: int, width: int) -> tuple[str, ...]:
    car = CARS[i % len(CARS)][0]
    drivers = " / ".join(name(i * 3 + d) for d in range(1 + i % 3))
    team_name = padded(team(i), width, i)
    return (f"{i + 1}", f"{i + 1}", drivers, car, team_name, lap_text(87_898 + i * 13))


def native_md_file(cars: int | None, width: int = 0) -> bytes:
    """Gridbot's own Markdown grid: a header, the ``|---|`` line, a row per car; team names
    ``width`` long."""
    head = "| Pos | No | Drivers | Car | Team | Time |\n|---|---|---|---|---|---|\n"
    return table_file(head, lambda i: "| " + " | ".join(native_rows(i, width)) + " |\n", cars)


def native_csv_file(cars: int | None, width: int = 0) -> bytes:
    """Gridbot's own CSV grid: a header row, a row per car, CRLF; team names ``width`` long."""
    head = "Pos,No,Drivers,Car,Team,Time\r\n"
    return table_file(head, lambda i: ",".join(native_rows(i, width)) + "\r\n", cars)


@dataclass(frozen=True)
class Synthetic:
    format: str
    label: str
    file_name: str
    make: Callable[[], bytes]
    loads: bool


SYNTHETIC = [
    Synthetic(acc.FORMAT, "synthetic, server layout (UTF-16LE, indented)",
              "2024-acc-spa-race.json", lambda: acc_file(SERVER["acc"]), True),
    Synthetic(acc.FORMAT, "synthetic, compact UTF-8", "2024-acc-spa-compact-race.json",
              lambda: acc_file(COMPACT), True),
    Synthetic(ac.FORMAT, "synthetic, server layout (tabs)", "2024-ac-spa-race.json",
              lambda: ac_file(SERVER["ac"]), True),
    Synthetic(ac.FORMAT, "synthetic, compact", "2024-ac-spa-compact-race.json",
              lambda: ac_file(COMPACT), True),
    Synthetic(iracing_json.FORMAT, "synthetic, results page export (tabs)",
              "2025-iracing-spa-race.json", lambda: iracing_json_file(SERVER["iracing"]), True),
    Synthetic(iracing_json.FORMAT, "synthetic, data API (compact)",
              "2025-iracing-spa-api-race.json", lambda: iracing_json_file(COMPACT), True),
    Synthetic(rfactor.FORMAT, "synthetic, with Lap and Stream elements",
              "2024-lmu-le-mans-race.xml", rfactor_file, True),
    Synthetic(iracing_csv.FORMAT, "synthetic, 1,000 teams × 3 drivers",
              "2025-iracing-spa-race.csv", lambda: iracing_csv_file(MAX_CARS), True),
    Synthetic(iracing_csv.FORMAT, "synthetic, 8 MiB (over 1,000 cars)",
              "2025-iracing-spa-big-race.csv", lambda: iracing_csv_file(None), False),
    Synthetic(alkamel.FORMAT, "synthetic, 1,000 cars", "2024-elms-spa-race.csv",
              lambda: alkamel_file(MAX_CARS), True),
    Synthetic(alkamel.FORMAT, "synthetic, 8 MiB (over 1,000 cars)", "2024-elms-spa-big-race.csv",
              lambda: alkamel_file(None), False),
    Synthetic(f1.FORMAT, "synthetic, 1,000 cars", "2024-f1-qualifying.tsv",
              lambda: f1_file(MAX_CARS), True),
    Synthetic(f1.FORMAT, "synthetic, 8 MiB (over 1,000 cars)", "2024-f1-big-qualifying.tsv",
              lambda: f1_file(None), False),
    Synthetic(f1.FORMAT, f"synthetic, 8 MiB in under {LINES:,} lines (long car names)",
              "2024-f1-wide-qualifying.tsv", lambda: f1_file(None, 110), False),
    Synthetic(webtable.FORMAT, "synthetic, 1,000 cars, 4 lines each", "2024-le-mans-race.txt",
              lambda: webtable_file(MAX_CARS), True),
    Synthetic(webtable.FORMAT, "synthetic, 8 MiB (over 1,000 cars)", "2024-le-mans-big-race.txt",
              lambda: webtable_file(None), False),
    Synthetic(webtable.FORMAT, f"synthetic, 8 MiB in under {LINES:,} lines (long team names)",
              "2024-le-mans-wide-race.txt", lambda: webtable_file(None, 560), False),
    Synthetic(NATIVE_MD, "synthetic, 1,000 cars", "2024-grid-qualifying.md",
              lambda: native_md_file(MAX_CARS), True),
    Synthetic(NATIVE_MD, "synthetic, 8 MiB (over 1,000 cars)", "2024-grid-big-qualifying.md",
              lambda: native_md_file(None), False),
    Synthetic(NATIVE_MD, "synthetic, 8 MiB in under 10,000 rows (long team names)",
              "2024-grid-wide-qualifying.md", lambda: native_md_file(None, 800), False),
    Synthetic(NATIVE_CSV, "synthetic, 1,000 cars", "2024-grid-qualifying.csv",
              lambda: native_csv_file(MAX_CARS), True),
    Synthetic(NATIVE_CSV, "synthetic, 8 MiB (over 1,000 cars)", "2024-grid-big-qualifying.csv",
              lambda: native_csv_file(None), False),
    Synthetic(NATIVE_CSV, "synthetic, 8 MiB in under 10,000 rows (long team names)",
              "2024-grid-wide-qualifying.csv", lambda: native_csv_file(None, 800), False),
]  # fmt: skip


# Measuring, in a fresh interpreter (``--child``).


def _status() -> dict[str, int]:
    """VmRSS and VmHWM of this process, in bytes."""
    with Path("/proc/self/status").open(encoding="ascii") as status:
        fields = dict(line.split(":", 1) for line in status if line.startswith("Vm"))
    return {key: int(fields[key].split()[0]) * 1024 for key in ("VmRSS", "VmHWM")}


def _reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux 4.0+); ``False`` when it cannot be."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _parse(data: bytes, path: Path) -> tuple[object, str, bool]:
    """``parse_grids``'s grids (``None`` when it refused the file), what it made of the file,
    and whether it loaded."""
    from bot.core.errors import GridFileError
    from bot.core.loader import parse_grids

    try:
        grids = parse_grids(data, path)
    except GridFileError as error:
        return None, f"refused: {error}".replace(str(path), path.name), False
    cars = sum(len(grid.entries) for grid in grids)
    sessions = f"{len(grids)} sessions" if len(grids) > 1 else "1 session"
    return grids, f"{sessions}, {cars:,} cars", True


def _format_of(data: bytes, path: Path) -> str:
    from bot.core.loader import native
    from bot.core.readers import Source, decode_text, readers

    try:
        source = Source(path, decode_text(data, path))
        if native(source):
            return NATIVE_CSV if path.suffix.lower() == ".csv" else NATIVE_MD
        for reader in readers():
            if source.family == reader.FAMILY and reader.accepts(source):
                return str(reader.FORMAT)
    except Exception as error:  # report it, whatever it is
        return f"unreadable ({type(error).__name__})"
    return "none"


def _traced(data: bytes, path: Path) -> tuple[int, int, int]:
    """The peak of the traced allocations while parsing, what the grids hold after it, and
    what the parse left in reference cycles (freed only by the cyclic collector, which
    ``load_catalog`` pauses and then freezes what was made: such garbage is never freed)."""
    gc.collect()
    tracemalloc.start(1)
    grids = _parse(data, path)[0]
    left, peak = tracemalloc.get_traced_memory()
    unreachable = gc.collect()  # also empties the interpreter's free lists: ~0.1 MiB
    kept = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del grids
    return peak, kept, max(0, left - kept) if unreachable else 0


def _measure(path: Path, top: int) -> dict[str, Any]:
    from bot.core.readers import readers

    readers()  # every reader module imported, as in a bot that has read a file before
    data = path.read_bytes()
    gc.collect()
    rss_known = _reset_peak_rss()
    before = _status()["VmRSS"]
    started = time.perf_counter()
    grids, outcome, loaded = _parse(data, path)
    seconds = time.perf_counter() - started
    rss = _status()["VmHWM"] - before if rss_known else None
    del grids
    # A parse that interns new names resizes the interpreter's table of interned strings now
    # and then (0.9 MiB here, counted as new): the lesser of two parses leaves it out where it
    # would dominate; it seldom happens twice in a row.
    peak, kept, cycles = min(_traced(data, path) for _ in range(1 if len(data) >= MIB else 2))
    found: dict[str, Any] = {
        "path": str(path),
        "size": len(data),
        "format": _format_of(data, path),
        "outcome": outcome,
        "loaded": loaded,
        "seconds": seconds,
        "peak": peak,
        "kept": kept,
        "cycles": cycles,
        "rss": rss,
    }
    if top:
        found["top"] = _top(data, path, peak, top)
    return found


def _top(data: bytes, path: Path, peak: int, count: int) -> list[str]:
    """The ``count`` places holding most of the traced memory near its peak, and those holding
    what the grids keep after the parse. Near the peak: a thread takes a snapshot whenever the
    traced total passes 90 % of ``peak`` and its last snapshot."""
    snapshots: list[tracemalloc.Snapshot] = []
    done = threading.Event()

    def watch() -> None:
        taken = 0
        while not done.is_set():
            current = tracemalloc.get_traced_memory()[0]
            if current >= 0.9 * peak and current > taken * 1.02:
                snapshots[:] = [tracemalloc.take_snapshot()]
                taken = current
            time.sleep(0.001)

    gc.collect()
    tracemalloc.start(30)
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        grids = _parse(data, path)[0]
    finally:
        done.set()
        watcher.join()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    del grids
    if snapshots:
        lines = _places("near the peak", snapshots[0], count)
    else:
        lines = ["near the peak: not caught (it passed within one call into C)"]
    return lines + _places(
        "held after the parse (grids, and reference cycles if any)", after, count
    )


INTERNED = "(the interpreter's table of interned strings, resized as a new name came in)"
"""A block of 256 KiB or more allocated on a line calling ``sys.intern``: the interpreter's own
table growing (or being rebuilt) now and then, whoever adds the name that fills it."""


def _places(title: str, snapshot: tracemalloc.Snapshot, count: int) -> list[str]:
    """The largest places in ``snapshot`` (those holding at least 0.5 % of it): the innermost
    frame in ``bot/``, and the line that allocated when it is elsewhere."""
    ignored = [tracemalloc.__file__, __file__, "*/threading.py", "*/_weakrefset.py"]
    snapshot = snapshot.filter_traces([tracemalloc.Filter(False, name) for name in ignored])
    keys: dict[tracemalloc.Traceback, tuple[str, str]] = {}
    places: dict[tuple[str, str], int] = defaultdict(int)
    total = 0
    for trace in snapshot.traces:
        key = keys.get(trace.traceback)
        if key is None:
            frames = list(trace.traceback)  # oldest first
            allocated = _where(frames[-1])
            ours = next(
                (_where(f) for f in reversed(frames) if "/bot/" in f.filename), "(outside bot/)"
            )
            key = keys[trace.traceback] = (ours, allocated if allocated != ours else "")
        if trace.size >= 256 * 1024 and "intern(" in key[0] and not key[1]:
            places[(INTERNED, "")] += trace.size
        else:
            places[key] += trace.size
        total += trace.size
    ranked = sorted(places.items(), key=lambda item: -item[1])[:count]
    lines = [f"{title}: {total / MIB:.2f} MiB traced"]
    for (ours, allocated), size in ranked:
        if size >= max(total * 0.005, 16 * 1024):
            via = f"  ← allocated in {allocated}" if allocated else ""
            lines.append(f"{size / MIB:7.2f} MiB  {ours}{via}")
    return lines


def _where(frame: tracemalloc.Frame) -> str:
    text = linecache.getline(frame.filename, frame.lineno).strip()
    short = frame.filename.replace(str(REPO) + "/", "")
    if "/lib/python" in short:
        short = "…/" + short.split("/lib/python", 1)[1].split("/", 1)[1]
    return f"{short}:{frame.lineno} `{text[:70]}`"


def _child(paths: list[str], top: int) -> int:
    for path in paths:
        print(json.dumps(_measure(Path(path), top)), flush=True)
    return 0


# The samples, the runs and the table.


@dataclass(frozen=True)
class Sample:
    label: str
    path: Path
    judged: bool
    """The target applies: a synthetic file, the largest of its format."""
    format: str = ""
    """The format it is written in (synthetic files); others are told by their content."""
    loads: bool | None = None


@dataclass
class Measured:
    sample: Sample
    size: int
    format: str
    outcome: str
    loaded: bool
    seconds: float
    peak: int
    kept: int
    cycles: int
    rss: int | None
    top: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.peak / self.size if self.size else 0.0

    @property
    def unexpected(self) -> str:
        """Why a synthetic file did not come out as it should, or ``""``."""
        sample = self.sample
        if sample.format and self.format != sample.format:
            return f"read as {self.format}, not {sample.format}"
        if sample.loads is not None and self.loaded != sample.loads:
            return "did not load" if sample.loads else "loaded, though over 1,000 cars"
        return ""

    @property
    def verdict(self) -> str:
        if not self.sample.judged:
            return "—"
        return "PASS" if self.peak <= max(TARGET_RATIO * self.size, ALLOWANCE) else "FAIL"


def small_samples(quick: bool) -> list[Sample]:
    samples = []
    if not quick:
        for path in sorted(FIXTURES.iterdir()):
            if path.is_file():
                samples.append(Sample(f"fixture {path.name}", path, False))
        for path in sorted(SEED.glob("*.md")):
            samples.append(Sample(f"seed {path.name}", path, False))
    if REAL.is_dir():
        for path in grid_files(REAL):
            samples.append(Sample(f"real {path.name}", path, False))
    return samples


def write_synthetic(folder: Path, only: str) -> list[Sample]:
    samples = []
    for synthetic in SYNTHETIC:
        if only and not _matches(only, synthetic.format, synthetic.label, synthetic.file_name):
            continue
        started = time.perf_counter()
        data = synthetic.make()
        path = folder / synthetic.file_name
        path.write_bytes(data)
        took = time.perf_counter() - started
        print(f"  wrote {path.name}: {_size(len(data))} in {took:.1f} s", flush=True)
        samples.append(Sample(synthetic.label, path, True, synthetic.format, synthetic.loads))
    return samples


def _matches(only: str, *texts: str) -> bool:
    return any(only.casefold() in text.casefold() for text in texts)


def measure(samples: Sequence[Sample], top: int) -> list[Measured]:
    """``samples`` measured in a fresh interpreter each, or all in one when ``top`` is 0 and
    none is judged (small files)."""
    groups: list[list[Sample]]
    if any(s.judged for s in samples):
        groups = [[sample] for sample in samples]
    else:
        groups = [list(samples)] if samples else []
    found: list[Measured] = []
    for group in groups:
        command = [sys.executable, "-m", "bench.readers_bench", "--child"]
        command += [str(s.path) for s in group]
        if top and all(s.judged for s in group):
            command += ["--top", str(top)]
        done = subprocess.run(
            command, cwd=REPO, capture_output=True, text=True, timeout=CHILD_TIMEOUT, check=False
        )
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if done.returncode != 0 or len(lines) != len(group):
            sys.stderr.write(done.stderr)
            raise RuntimeError(f"measuring {[s.path.name for s in group]} failed")
        for sample, line in zip(group, lines, strict=True):
            value = json.loads(line)
            measured = Measured(
                sample,
                size=value["size"],
                format=value["format"],
                outcome=value["outcome"],
                loaded=value["loaded"],
                seconds=value["seconds"],
                peak=value["peak"],
                kept=value["kept"],
                cycles=value["cycles"],
                rss=value["rss"],
                top=value.get("top", []),
            )
            found.append(measured)
            if sample.judged:
                print(f"  {_line(measured)}", flush=True)
    return found


def _line(m: Measured) -> str:
    return (
        f"{m.format}, {m.sample.label}: {_size(m.size)}, peak {m.peak / MIB:.1f} MiB = "
        f"{m.ratio:.2f}×, {m.seconds:.2f} s, {m.verdict}"
    )


def _size(size: int) -> str:
    if size >= MIB:
        return f"{size / MIB:.2f} MiB"
    return f"{size / 1024:.1f} KiB"


def _order(m: Measured) -> tuple[int, int, int]:
    known = FORMATS.index(m.format) if m.format in FORMATS else len(FORMATS)
    return known, int(m.sample.judged), m.size


def table(results: Iterable[Measured]) -> str:
    lines = [
        "| format | sample | size | peak MiB | × size | kept MiB | in cycles MiB | RSS Δ MiB | s "
        f"| outcome | ≤ {TARGET_RATIO:g}× |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for m in sorted(results, key=_order):
        rss = "—" if m.rss is None else f"{m.rss / MIB:.1f}"
        outcome = m.outcome if len(m.outcome) <= 60 else m.outcome[:59] + "…"
        lines.append(
            f"| {m.format} | {m.sample.label} | {_size(m.size)} | {m.peak / MIB:.2f} | "
            f"{m.ratio:.2f} | {m.kept / MIB:.2f} | {m.cycles / MIB:.2f} | {rss} | "
            f"{m.seconds:.3f} | {outcome.replace('|', '/')} | {m.verdict} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.readers_bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="no fixtures: synthetic and real")
    parser.add_argument("--only", default="", help="samples whose format or name has this")
    parser.add_argument("--top", type=int, default=0, help="the N places holding most memory")
    parser.add_argument("--keep", type=Path, help="write the synthetic files here and keep them")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.child, args.top)

    started = time.perf_counter()
    print(
        f"parse_grids: peak of traced allocations per file, target ≤ {TARGET_RATIO:g}× the "
        f"file's size or {_size(ALLOWANCE)}, whichever is larger (files up to "
        f"{_size(MAX_FILE_BYTES)})"
    )
    if not REAL.is_dir():
        print(f"  {REAL} is not there: real files skipped")
    with tempfile.TemporaryDirectory(prefix="gridbot-readers-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        synthetic = write_synthetic(folder, args.only)
        small = [
            s for s in small_samples(args.quick) if not args.only or _matches(args.only, s.label)
        ]
        results = measure(small, 0) + measure(synthetic, args.top)
    if args.only:
        results = [m for m in results if _matches(args.only, m.format, m.sample.label)]
    files = f"{len(results)} file" + ("" if len(results) == 1 else "s")
    print(f"\n{files} in {time.perf_counter() - started:.0f} s:\n")
    print(table(results))
    judged = [m for m in results if m.sample.judged]
    print()
    for name in FORMATS:
        mine = [m for m in judged if m.sample.format == name]
        if not mine:
            continue
        worst = max(mine, key=lambda m: m.ratio)
        print(
            f"largest, {name}: {worst.ratio:.2f}× its size (peak {worst.peak / MIB:.1f} MiB, "
            f"{worst.sample.label}) target ≤ {TARGET_RATIO:g}× or {_size(ALLOWANCE)} "
            f"{worst.verdict}"
        )
    for m in judged:
        if m.top:
            print(f"\nwhere the memory is near the peak, {m.format}, {m.sample.label}:")
            print("\n".join("  " + line for line in m.top))
    for m in results:
        if m.cycles >= max(64 * 1024, m.size // 100):
            print(
                f"\nLEFT IN REFERENCE CYCLES: {m.format}, {m.sample.label}: "
                f"{m.cycles / MIB:.2f} MiB ({m.cycles / m.size:.2f}× the file) stays after "
                "parse_grids returns, until the cyclic collector runs; load_catalog pauses it "
                "and freezes what loading made, so there it is never freed"
            )
    wrong = [m for m in judged if m.unexpected]
    for m in wrong:
        print(f"UNEXPECTED: {m.sample.label} ({m.sample.path.name}): {m.unexpected}: {m.outcome}")
    failed = [m for m in judged if m.verdict == "FAIL"]
    print(f"\n{len(failed)} of {len(judged)} judged files over {TARGET_RATIO:g}× their size")
    if failed and not args.top:
        print("  (--top 12 --only FORMAT shows where the memory goes)")
    return 2 if wrong else (1 if failed else 0)


if __name__ == "__main__":
    raise SystemExit(main())
