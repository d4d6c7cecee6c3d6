"""iRacing results JSON: a session per simsession, in the order they were run; positions from 0;
times already in 1/10,000 s; car numbers in the livery or at the top; classes from the result
or from the subsession's ``car_classes``; team events; laps down, gaps and reasons out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.core.errors import GridFileError
from bot.core.model import PRACTICE, QUALIFYING, RACE, Driver
from bot.core.readers import iracing_json, read_sessions
from bot.core.readers.common import Session, Source, decode_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "results"
REAL = Path(__file__).resolve().parents[2].parent / "shared" / "real-results"
PATH = Path("results/test.json")


def source(name: str) -> Source:
    path = FIXTURES / name
    return Source(path, decode_text(path.read_bytes(), path))


def sessions(name: str) -> list[Session]:
    return iracing_json.read(source(name))


def result(name: str, finish: int, best: object = 1_000_000, **more: object) -> dict[str, Any]:
    return {
        "display_name": name,
        "finish_position": finish,
        "best_lap_time": best,
        "laps_complete": 3,
        "interval": 0,
        "reason_out": "Running",
        "car_number": str(finish + 1),
        **more,
    }


def text_of(*simsessions: dict[str, Any], wrap: bool = False) -> Source:
    data: dict[str, Any] = {"series_name": "Test Series", "session_results": list(simsessions)}
    return Source(PATH, json.dumps({"data": data} if wrap else data))


def simsession(name: str, results: list[Any], number: int = 0) -> dict[str, Any]:
    return {"simsession_number": number, "simsession_type_name": name, "results": results}


def failure(found: Source) -> GridFileError:
    with pytest.raises(GridFileError) as caught:
        iracing_json.read(found)
    assert caught.value.path == PATH
    assert caught.value.line is None
    return caught.value


def test_a_session_per_simsession_in_the_order_they_were_run_and_empty_ones_left_out() -> None:
    found = sessions("iracing-league.json")
    assert [(s.kind, s.name) for s in found] == [
        (QUALIFYING, "Qualifying"),  # "QUALIFY", of the type "Open Qualifying"
        (RACE, "Race"),
    ]  # the practice has no results
    for session in found:
        assert session.format == "iRacing results JSON"
        assert session.event == "Back Row League - Round 3"  # not "Hosted iRacing"
        assert session.circuit == "Circuit de Spa-Francorchamps (Grand Prix Pits)"
        assert (session.date, session.year) == ("2022-03-10", 2022)


def test_qualifying_with_numbers_from_the_livery_and_classes_from_car_classes() -> None:
    qualifying = sessions("iracing-league.json")[0]
    rows = [(e.position, e.number, e.drivers, e.time) for e in qualifying.entries]
    assert rows == [
        (1, "44", (Driver("Ben Ortiz"),), 1_372_222),
        (2, "3", (Driver("Ada Quinn"),), 1_378_002),
        (3, "07", (Driver("Dev Rao"),), 1_379_999),  # the leading zero kept
        (4, "117", (Driver("Cleo Park"),), 1_490_000),
        (5, "55", (Driver("Eli Stone"),), None),  # -1: no time
    ]
    assert [e.extra["class"] for e in qualifying.entries] == ["GT3", "GT3", "GT3", "GT4", "GT4"]
    assert all(e.car == "" and e.team == "" for e in qualifying.entries)  # the file has no name
    assert all(e.laps is None and e.behind is None for e in qualifying.entries)
    assert all(e.status == "" for e in qualifying.entries)


def test_the_race_gives_laps_gaps_and_reasons_out() -> None:
    race = sessions("iracing-league.json")[1]
    rows = [(e.position, e.number, e.laps, e.behind, e.status, e.time) for e in race.entries]
    assert rows == [
        (1, "3", 20, 0, "", 1_382_456),
        (2, "44", 20, 31_234, "", 1_380_001),
        (3, "117", 19, None, "", 1_501_234),  # a lap down: interval -1
        (4, "07", 12, None, "Disconnected", 1_390_000),
        (5, "55", 0, None, "Disconnected", None),
    ]
    assert all(e.total is None for e in race.entries)


def test_a_team_event_under_data() -> None:
    qualifying, race = sessions("iracing-team-race.json")
    assert (qualifying.kind, qualifying.name) == (QUALIFYING, "Qualifying")
    assert (race.kind, race.name) == (RACE, "Race")
    assert race.event == "IMSA Endurance Series"
    assert race.circuit == "Daytona International Speedway (Road Course)"
    assert race.date == "2023-02-18"
    first, second, third, fourth = race.entries
    assert (first.number, first.team, first.car) == ("9", "Night Owls Racing", "Porsche 963 GTP")
    assert first.drivers == (Driver("Rui Sato"), Driver("Jo Weiss"))
    assert second.drivers == (Driver("Noa Lind"), Driver("Ezra Cole"), Driver("Li Wen"))
    assert second.behind == 123_456
    assert [e.extra["class"] for e in race.entries] == ["GTP", "GTP", "GT3", "GT3"]
    assert (third.laps, third.behind, third.status) == (88, None, "")
    assert (fourth.laps, fourth.status) == (40, "Disconnected")
    assert [e.number for e in qualifying.entries] == ["60", "9", "77"]
    assert qualifying.entries[0].time == 1_012_345


def test_finish_positions_order_the_cars_whatever_the_file_s_order() -> None:
    results = [result("Cy", 2), result("Ann", 0), result("Bo", 1), result("Di", -1)]
    race = iracing_json.read(text_of(simsession("Race", results)))[0]
    assert [e.drivers[0].name for e in race.entries] == ["Ann", "Bo", "Cy", "Di"]
    assert [e.position for e in race.entries] == [1, 2, 3, 4]


def test_cars_without_a_time_come_last_outside_a_race() -> None:
    results = [result("Ann", 0, -1), result("Bo", 1, 1_010_000), result("Cy", 2, 0)]
    practice = iracing_json.read(text_of(simsession("Open Practice", results)))[0]
    assert (practice.kind, practice.name) == (PRACTICE, "Open Practice")  # no simsession_name
    assert [(e.drivers[0].name, e.time) for e in practice.entries] == [
        ("Bo", 1_010_000),
        ("Ann", None),
        ("Cy", None),
    ]


def test_the_lap_that_counts_for_qualifying_is_the_time_outside_a_race() -> None:
    results = [
        result("Ann", 0, -1, best_qual_lap_time=1_200_001),
        result("Bo", 1, 1_199_000, best_qual_lap_time=1_200_500),  # a faster lap that did not count
        result("Cy", 2, 1_210_000, best_qual_lap_time=-1),
    ]
    qualifying = iracing_json.read(text_of(simsession("Lone Qualifying", results)))[0]
    assert [e.time for e in qualifying.entries] == [1_200_001, 1_200_500, 1_210_000]
    race = iracing_json.read(text_of(simsession("Race", results)))[0]
    assert [e.time for e in race.entries] == [None, 1_199_000, 1_210_000]


def test_two_sessions_of_one_type_are_told_apart_by_their_names() -> None:
    heat = simsession("Race", [result("Ann", 0)], -1) | {"simsession_name": "HEAT 1"}
    feature = simsession("Race", [result("Bo", 0)], 0) | {"simsession_name": "FEATURE"}
    found = iracing_json.read(text_of(feature, heat))
    assert [(s.kind, s.name) for s in found] == [(RACE, "Heat 1"), (RACE, "Feature")]


def test_accepts_its_own_and_no_other_format() -> None:
    for name in ("iracing-league.json", "iracing-team-race.json"):
        assert iracing_json.accepts(source(name)), name
    others = [
        path
        for path in sorted(FIXTURES.iterdir())
        if not (path.name.startswith("iracing-") and path.suffix == ".json")
    ]
    assert others  # the other readers' fixtures
    for path in others:
        assert not iracing_json.accepts(source(path.name)), path.name
    assert not iracing_json.accepts(Source(PATH, '{"session_results": {}}'))
    assert not iracing_json.accepts(Source(PATH, '{"data": {"session_results": 3}}'))
    assert not iracing_json.accepts(Source(PATH, '{"session_results": ['))


def test_the_dispatcher_picks_this_reader() -> None:
    found = read_sessions(source("iracing-team-race.json"))
    assert [s.format for s in found] == ["iRacing results JSON"] * 2


def test_no_session_with_cars_is_an_error() -> None:
    error = failure(text_of(simsession("Race", []), simsession("Open Practice", []), wrap=True))
    assert error.problem.startswith("data.session_results: no session has any car in it")


def test_bad_values_name_the_element() -> None:
    error = failure(text_of(simsession("Race", [result("Ann", 0), result("Bo", 1, "2:01.5")])))
    assert error.problem.startswith("session_results[0].results[1].best_lap_time: ")
    assert "'2:01.5'" in error.problem
    error = failure(text_of(simsession("Race", [result("Ann", 0, 1_000_000.5)])))
    assert error.problem.startswith("session_results[0].results[0].best_lap_time: ")
    cars = {"simsession_type_name": "Open Qualifying", "results": "cars"}
    error = failure(text_of(simsession("Race", [result("Ann", 0)]), cars))
    assert error.problem.startswith("session_results[1].results: ")
    error = failure(text_of(simsession("Race", [result("Ann", 0, driver_results=["Ann"])])))
    assert error.problem.startswith("session_results[0].results[0].driver_results[0]: ")
    error = failure(text_of(simsession("Race", [result("Ann", 0, finish_position="first")])))
    assert error.problem.startswith("session_results[0].results[0].finish_position: ")


def test_the_real_bathurst_race() -> None:
    path = REAL / "2021-iracing-bathurst-race.json"
    if not path.is_file():
        pytest.skip(f"the real results files are not here ({REAL})")
    found = Source(path, decode_text(path.read_bytes(), path))
    assert iracing_json.accepts(found)
    practice, qualifying, race = iracing_json.read(found)
    assert (practice.kind, qualifying.kind, race.kind) == (PRACTICE, QUALIFYING, RACE)
    assert race.circuit == "Mount Panorama Circuit"
    assert (race.date, race.year) == ("2021-01-08", 2021)
    pole, second = qualifying.entries[:2]
    assert (pole.position, pole.number, pole.drivers) == (1, "8", (Driver("Dave N"),))
    assert pole.time == 1_277_582  # 2:07.758
    assert second.number == "88"
    assert second.time is not None and second.time - pole.time == 6_587  # 0.659 s
    winner = race.entries[0]
    assert (winner.position, winner.number, winner.drivers) == (1, "8", (Driver("Dave N"),))
    assert (winner.behind, winner.status) == (0, "")
    assert len(race.entries) == 17
