"""Assetto Corsa Competizione server JSON: UTF-16LE with or without a BOM, or UTF-8; car model
ids, cup categories, sessions Q / FP / R, no-lap sentinels and disqualifications."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.core.errors import GridFileError
from bot.core.model import PRACTICE, QUALIFYING, RACE, Driver
from bot.core.readers import acc, read_sessions
from bot.core.readers.common import Session, Source, decode_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "results"
REAL = Path(__file__).resolve().parents[2].parent / "shared" / "real-results"
PATH = Path("results/test.json")


def source(name: str) -> Source:
    path = FIXTURES / name
    return Source(path, decode_text(path.read_bytes(), path))


def only(name: str) -> Session:
    sessions = acc.read(source(name))
    assert len(sessions) == 1
    return sessions[0]


def line(
    number: int = 7,
    best: object = 90123,
    *,
    model: object = 1,
    cup: object = 0,
    car_id: int = 1001,
    **timing: object,
) -> dict[str, Any]:
    """A leaderboard line as the server writes it."""
    return {
        "car": {
            "carId": car_id,
            "raceNumber": number,
            "carModel": model,
            "cupCategory": cup,
            "teamName": "",
            "drivers": [{"firstName": "Ann", "lastName": f"Car{number}", "shortName": "ANN"}],
        },
        "timing": {"bestLap": best, "lapCount": 5, "totalTime": 500000, **timing},
    }


def text_of(lines: list[Any], session_type: object = "Q", **extra: object) -> Source:
    data = {"sessionType": session_type, "trackName": "monza", **extra}
    data["sessionResult"] = {"leaderBoardLines": lines}
    return Source(PATH, json.dumps(data, indent=4))


def failure(found: Source) -> GridFileError:
    with pytest.raises(GridFileError) as caught:
        acc.read(found)
    assert caught.value.path == PATH
    assert caught.value.line is None
    return caught.value


def test_the_server_s_utf16le_without_a_bom_is_read() -> None:
    data = (FIXTURES / "acc-qualifying-utf16.json").read_bytes()
    assert data[:4] == b"{\x00\n\x00"  # the fixture is what it says: no BOM, UTF-16LE
    session = only("acc-qualifying-utf16.json")
    assert session.kind == QUALIFYING
    assert session.name == "Qualifying"
    assert session.circuit == "Spa-Francorchamps"
    assert session.format == "ACC server JSON"
    assert session.event == ""
    assert session.date == ""
    first, second, third, fourth = session.entries
    assert [e.position for e in session.entries] == [1, 2, 3, 4]
    assert [e.number for e in session.entries] == ["7", "991", "88", "12"]
    assert first.drivers == (Driver("Zoë Kessler"), Driver("Marc Dupont"))
    assert first.team == "Équipe Rossi"
    assert first.car == "BMW M4 GT3"
    assert first.time == 1_384_120
    assert second.drivers == (Driver("Jan Novák"),)
    assert second.car == "Porsche 992 GT3 R"
    assert second.time == 1_385_300
    assert second.team == ""
    assert third.drivers == (Driver("Okafor"),)  # a last name alone
    assert third.car == "car model 99"  # an id this reader does not know yet
    assert third.time == 1_410_070
    assert fourth.time is None  # 2147483647: no lap
    assert fourth.car == "BMW M4 GT4"
    # qualifying: neither laps nor race time nor a status
    assert all(e.laps is None and e.total is None and e.status == "" for e in session.entries)


def test_the_cup_category_is_the_class_with_the_car_group_when_groups_mix() -> None:
    session = only("acc-qualifying-utf16.json")
    assert [e.extra["class"] for e in session.entries] == [
        "GT3 Pro-Am",
        "GT3 Pro",
        "Am",  # an unknown model has no group
        "GT4 National",
    ]


def test_one_group_leaves_the_cup_alone() -> None:
    session = only("acc-race-bom.json")
    assert [e.extra["class"] for e in session.entries] == ["Pro", "Pro-Am", "Am", "Pro", "Pro"]


def test_a_race_with_a_bom_and_crlf_gives_laps_totals_and_a_disqualification() -> None:
    data = (FIXTURES / "acc-race-bom.json").read_bytes()
    assert data[:2] == b"\xff\xfe" and b"\r\x00\n\x00" in data
    session = only("acc-race-bom.json")
    assert session.kind == RACE
    assert session.name == "Race"
    assert session.event == "Sunday Endurance Cup"
    assert session.circuit == "Mount Panorama"
    numbers = [e.number for e in session.entries]
    assert numbers == ["23", "4", "61", "9", "33"]  # the leaderboard's order, kept
    winner, second, third, fourth, fifth = session.entries
    assert winner.drivers == (Driver("Kai Berg"), Driver("Luca Moretti"))
    assert winner.car == "Audi R8 LMS GT3 Evo II"
    assert (winner.laps, winner.total, winner.time) == (30, 37_204_560, 1_223_450)
    assert (second.laps, second.total, second.time) == (30, 37_257_890, 1_220_010)
    assert second.car == "Ferrari 296 GT3"
    assert second.status == ""  # a drive-through is not a disqualification
    assert (third.laps, third.total) == (29, 37_190_000)
    assert third.car == "Mercedes-AMG GT3 2020"
    assert fourth.status == "DSQ"
    assert fourth.car == "McLaren 720S GT3 Evo"
    assert (fifth.laps, fifth.total, fifth.time) == (0, None, None)
    assert fifth.car == "Lamborghini Huracán GT3 Evo2"
    assert all(e.behind is None for e in session.entries)  # the file gives no gaps


def test_utf8_practice() -> None:
    session = only("acc-practice-utf8.json")
    assert session.kind == PRACTICE
    assert session.name == "Practice"
    assert session.circuit == "Zandvoort"  # the old year suffix dropped
    assert [(e.number, e.car, e.time) for e in session.entries] == [
        ("6", "Ferrari 488 GT3 Evo", 958_760),
        ("5", "Mercedes-AMG GT3", 964_320),
    ]


@pytest.mark.parametrize(
    ("value", "kind", "name"),
    [
        ("Q", QUALIFYING, "Qualifying"),
        ("Q2", QUALIFYING, "Qualifying 2"),
        ("R", RACE, "Race"),
        ("R1", RACE, "Race 1"),
        ("FP", PRACTICE, "Practice"),
        ("P", PRACTICE, "Practice"),
        (10, RACE, "Race"),
        (4, QUALIFYING, "Qualifying"),
        (0, PRACTICE, "Practice"),
        ("Superpole", None, "Superpole"),
        ("Race", RACE, "Race"),
        ("Qualifying 3", QUALIFYING, "Qualifying 3"),
        (None, None, ""),
    ],
)
def test_session_types(value: object, kind: str | None, name: str) -> None:
    assert acc.session_of(value) == (kind, name)


def test_cars_without_a_lap_come_last_outside_a_race() -> None:
    lines = [line(1, 2147483647), line(2, 91000), line(3, 2147483648), line(4, 90500)]
    entries = acc.read(text_of(lines))[0].entries
    assert [(e.position, e.number, e.time) for e in entries] == [
        (1, "2", 910_000),
        (2, "4", 905_000),
        (3, "1", None),
        (4, "3", None),
    ]


def test_a_race_keeps_the_leaderboard_order_even_for_cars_without_a_lap() -> None:
    lines = [line(1, 2147483647, lapCount=0, totalTime=0), line(2, 91000)]
    entries = acc.read(text_of(lines, "R"))[0].entries
    assert [(e.number, e.laps, e.total) for e in entries] == [("1", 0, None), ("2", 5, 5_000_000)]


def test_the_server_s_file_name_gives_the_date() -> None:
    found = Source(Path("results/191003_225901_Q.json"), text_of([line()]).text)
    session = acc.read(found)[0]
    assert (session.date, session.year) == ("2019-10-03", 2019)
    assert acc.date_from_name("201399_000000_R.json") == ""  # no such day
    assert acc.date_from_name("qualifying.json") == ""


def test_post_race_penalties_disqualify_too() -> None:
    lines = [line(1, car_id=1), line(2, car_id=2)]
    penalties = [{"carId": 2, "penalty": "Disqualified", "reason": "Cutting"}]
    session = acc.read(text_of(lines, "R", post_race_penalties=penalties))[0]
    assert [e.status for e in session.entries] == ["", "DSQ"]


def test_accepts_its_own_and_no_other_format() -> None:
    for name in ("acc-qualifying-utf16.json", "acc-race-bom.json", "acc-practice-utf8.json"):
        assert acc.accepts(source(name)), name
    others = [path for path in sorted(FIXTURES.iterdir()) if not path.name.startswith("acc-")]
    assert others  # the other readers' fixtures
    for path in others:
        assert not acc.accepts(source(path.name)), path.name
    assert not acc.accepts(Source(PATH, '{"sessionResult": [1, 2]}'))
    assert not acc.accepts(Source(PATH, '{"sessionResult": '))  # broken JSON: not mine
    assert not acc.accepts(Source(PATH, "| 1 | 7 | sessionResult |"))


def test_the_dispatcher_picks_this_reader() -> None:
    sessions = read_sessions(source("acc-qualifying-utf16.json"))
    assert [s.format for s in sessions] == ["ACC server JSON"]


def test_no_leaderboard_names_what_is_missing() -> None:
    error = failure(Source(PATH, '{"sessionType": "Q", "sessionResult": {"bestlap": 1}}'))
    assert "sessionResult.leaderBoardLines" in error.problem


def test_an_empty_leaderboard_is_an_error() -> None:
    error = failure(text_of([]))
    assert error.problem == "sessionResult.leaderBoardLines: no cars: the session has no results"


def test_a_lap_time_that_is_not_whole_milliseconds_names_the_element() -> None:
    error = failure(text_of([line(), line(8, "fast")]))
    assert error.problem.startswith("sessionResult.leaderBoardLines[1].timing.bestLap: ")
    assert "'fast'" in error.problem
    error = failure(text_of([line(best=82.863)]))  # never read through a float
    assert "sessionResult.leaderBoardLines[0].timing.bestLap" in error.problem


def test_a_malformed_line_names_the_element() -> None:
    error = failure(text_of([line(), "car"]))
    assert error.problem.startswith("sessionResult.leaderBoardLines[1]: ")
    error = failure(text_of([line(model="Audi")]))
    assert error.problem.startswith("sessionResult.leaderBoardLines[0].car.carModel: ")
    broken = line()
    broken["car"]["drivers"] = "Ann"
    error = failure(text_of([broken]))
    assert error.problem.startswith("sessionResult.leaderBoardLines[0].car.drivers: ")


def test_the_real_brands_hatch_qualifying() -> None:
    path = REAL / "2019-acc-brands-hatch-qualifying.json"
    if not path.is_file():
        pytest.skip(f"the real results files are not here ({REAL})")
    found = Source(path, decode_text(path.read_bytes(), path))
    assert acc.accepts(found)
    (session,) = acc.read(found)
    assert session.kind == QUALIFYING
    assert session.circuit == "Brands Hatch"
    assert len(session.entries) == 3
    first, second = session.entries[:2]
    assert (first.position, first.number, first.time) == (1, "17", 828_630)  # 1:22.863
    assert second.number == "107"
    assert second.time is not None and first.time is not None
    assert second.time - first.time == 2_580  # 0.258 s
    assert first.car == "Audi R8 LMS"
