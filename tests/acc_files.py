"""ACC server results files written for the tests: the shape the dedicated server writes
(``results/YYMMDD_HHMMSS_Q.json``, UTF-16LE without a BOM), with cars of our own."""

from __future__ import annotations

import json
from typing import Any

Car = tuple[int, str, str, int]
"""Race number, first name, last name, best lap in milliseconds."""

QUALIFYING_CARS: tuple[Car, ...] = (
    (7, "Zoe", "Kessler", 138_412),
    (23, "Marco", "Bellini", 138_530),
    (88, "Anna", "Larsen", 138_901),
    (4, "Tomas", "Novak", 139_002),
    (31, "Ines", "Duarte", 139_250),
    (12, "Karl", "Weber", 140_100),
)
"""Pole #7 2:18.412; #23 +0.118 s, #88 +0.489 s, #4 +0.590 s, #31 +0.838 s, #12 +1.688 s."""


def acc_results(
    cars: tuple[Car, ...] = QUALIFYING_CARS,
    *,
    session: str = "Q",
    track: str = "spa",
    server: str = "Gridbot Test League",
    race: bool = False,
    encoding: str = "utf-16-le",
) -> bytes:
    """An ACC results file of ``cars`` in that order (a race counts laps and total time)."""
    lines: list[dict[str, Any]] = []
    for index, (number, first, last, best) in enumerate(cars):
        driver = {"firstName": first, "lastName": last, "shortName": last[:3].upper()}
        lines.append(
            {
                "car": {
                    "carId": 1000 + index,
                    "raceNumber": number,
                    "carModel": 30 + index % 4,
                    "cupCategory": 0,
                    "teamName": f"{last} Racing",
                    "nationality": 0,
                    "drivers": [driver],
                },
                "currentDriver": driver,
                "currentDriverIndex": 0,
                "timing": {
                    "lastLap": best + 500,
                    "bestLap": best,
                    "totalTime": 2_700_000 + index * 1_234 if race else best * 8,
                    "lapCount": 20 if race else 8,
                    "lastSplits": [],
                    "bestSplits": [],
                    "lastSplitId": 2,
                },
                "missingMandatoryPitstop": 0,
                "driverTotalTimes": [],
            }
        )
    document = {
        "sessionType": session,
        "trackName": track,
        "sessionIndex": 1,
        "raceWeekendIndex": 0,
        "serverName": server,
        "sessionResult": {
            "bestlap": min(c[3] for c in cars),
            "bestSplits": [],
            "isWetSession": 0,
            "type": 1,
            "leaderBoardLines": lines,
        },
        "laps": [],
        "penalties": [],
        "post_race_penalties": [],
    }
    return json.dumps(document, indent=4, ensure_ascii=False).encode(encoding)


def broken_results() -> bytes:
    """An ACC file cut off in the middle of its JSON, as a half-copied file would be."""
    whole = acc_results(encoding="utf-8").decode().splitlines()
    return ("\n".join(whole[:9]) + '\n            "car": {"raceNumber": \n').encode()
