"""Assetto Corsa server JSON: no car numbers, drivers by name, ``BestLap`` in milliseconds with
999999999 for none, empty car slots and drivers listed twice, race laps counted from ``Laps``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.core.errors import GridFileError
from bot.core.model import PRACTICE, QUALIFYING, RACE, Driver
from bot.core.readers import ac, read_sessions
from bot.core.readers.common import Session, Source, decode_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "results"
REAL = Path(__file__).resolve().parents[2].parent / "shared" / "real-results"
PATH = Path("results/test.json")


def source(name: str) -> Source:
    path = FIXTURES / name
    return Source(path, decode_text(path.read_bytes(), path))


def only(name: str) -> Session:
    sessions = ac.read(source(name))
    assert len(sessions) == 1
    return sessions[0]


def result(name: str, best: object = 100000, total: object = 900000, **more: object) -> Any:
    guid = f"7650000{name.encode().hex()}" if name else ""
    return {
        "DriverName": name,
        "DriverGuid": guid,
        "CarId": 0,
        "CarModel": "ks_porsche_911_gt3_r_2016",
        "BestLap": best,
        "TotalTime": total,
        **more,
    }


def text_of(results: list[Any], kind: str = "QUALIFY", **extra: object) -> Source:
    data = {"TrackName": "imola", "TrackConfig": "", "Type": kind, "Result": results, **extra}
    return Source(PATH, json.dumps(data, indent="\t"))


def failure(found: Source) -> GridFileError:
    with pytest.raises(GridFileError) as caught:
        ac.read(found)
    assert caught.value.path == PATH
    assert caught.value.line is None
    return caught.value


def test_qualifying_without_car_numbers() -> None:
    session = only("ac-qualifying.json")
    assert session.kind == QUALIFYING
    assert session.name == "Qualifying"
    assert session.format == "Assetto Corsa server JSON"
    assert session.circuit == "Silverstone (GP)"
    names = [e.drivers for e in session.entries]
    assert names == [
        (Driver("Owen Price"),),
        (Driver("Lena Falk"),),
        (Driver("Rui Gomes"),),
        (Driver("Mia Kowalska"),),
    ]
    assert [e.position for e in session.entries] == [1, 2, 3, 4]
    assert all(e.number == "" for e in session.entries)
    assert [e.time for e in session.entries] == [1_182_040, 1_189_500, 1_200_010, None]
    assert [e.car for e in session.entries] == [
        "BMW Z4 GT3",
        "Ferrari 488 GT3",
        "McLaren 650 GT3",
        "BMW Z4 GT3",
    ]
    assert session.entries[1].team == "Falk Motorsport"  # from the car she sat in
    assert session.entries[0].team == ""
    assert all(e.laps is None and e.total is None for e in session.entries)


def test_an_empty_car_slot_is_left_out_and_a_second_listing_too() -> None:
    session = only("ac-qualifying.json")
    assert len(session.entries) == 4  # six listings: an empty slot, Owen Price twice
    assert sum(e.drivers == (Driver("Owen Price"),) for e in session.entries) == 1
    assert session.entries[0].time == 1_182_040  # the first listing, with his lap


def test_a_race_counts_laps_driver_by_driver() -> None:
    session = only("ac-race.json")
    assert session.kind == RACE
    assert session.name == "Race"
    assert session.circuit == "Monza"
    rows = [(e.position, e.drivers[0].name, e.laps, e.total, e.time) for e in session.entries]
    assert rows == [
        (1, "Bea Santos", 3, 4_301_250, 1_412_500),
        (2, "Aldo Ricci", 3, 4_310_040, 1_409_900),
        (3, "Cas de Vries", 2, 2_905_000, 1_440_010),
    ]
    assert session.entries[1].team == "Scuderia Ricci"
    assert session.entries[0].car == "Abarth500 Assetto Corse"
    assert all(e.status == "" and e.behind is None for e in session.entries)


def test_a_race_without_laps_says_nothing_of_them() -> None:
    session = ac.read(text_of([result("Ann"), result("Bo", total=950000)], "RACE"))[0]
    assert [(e.laps, e.total) for e in session.entries] == [(None, 9_000_000), (None, 9_500_000)]


def test_drivers_without_a_time_come_last_outside_a_race() -> None:
    results = [result("Ann", 999999999, 0), result("Bo", 101000), result("Cy", 0, 0)]
    results.append(result("Di", 100500))
    session = ac.read(text_of(results, "PRACTICE"))[0]
    assert session.kind == PRACTICE
    assert [(e.drivers[0].name, e.time) for e in session.entries] == [
        ("Bo", 1_010_000),
        ("Di", 1_005_000),
        ("Ann", None),
        ("Cy", None),
    ]


def test_an_unnamed_driver_with_a_time_stays() -> None:
    session = ac.read(text_of([result("Ann"), result("", 100500)]))[0]
    assert [e.drivers for e in session.entries] == [(Driver("Ann"),), ()]


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("ks_ferrari_488_gt3", "Ferrari 488 GT3"),
        ("bmw_m3_e30", "BMW M3 E30"),
        ("lotus_exos_125", "Lotus Exos 125"),
        ("ks_mercedes_amg_gt3", "Mercedes AMG GT3"),
        ("ks_mclaren_mp412c_gt3", "McLaren MP412C GT3"),
        ("tatuusfa1", "Tatuusfa1"),
    ],
)
def test_car_ids_made_readable(name: str, shown: str) -> None:
    assert ac.readable(name) == shown


def test_the_server_s_file_name_gives_the_date() -> None:
    found = Source(Path("results/2015_10_17_9_30_QUALIFY.json"), text_of([result("Ann")]).text)
    session = ac.read(found)[0]
    assert (session.date, session.year) == ("2015-10-17", 2015)
    assert ac.date_from_name("2015_13_40_9_30_RACE.json") == ""


def test_a_date_key_wins_over_the_file_name() -> None:
    found = Source(
        Path("results/2015_10_17_9_30_RACE.json"),
        text_of([result("Ann")], Date="2016-04-02T20:00:00Z").text,
    )
    assert ac.read(found)[0].date == "2016-04-02"


def test_accepts_its_own_and_no_other_format() -> None:
    for name in ("ac-qualifying.json", "ac-race.json"):
        assert ac.accepts(source(name)), name
    others = [path for path in sorted(FIXTURES.iterdir()) if not path.name.startswith("ac-")]
    assert others  # the other readers' fixtures
    for path in others:
        assert not ac.accepts(source(path.name)), path.name
    assert not ac.accepts(Source(PATH, '{"Result": [], "Other": 1}'))
    assert not ac.accepts(Source(PATH, '{"Result": {}, "Type": "RACE"}'))
    assert not ac.accepts(Source(PATH, '{"Result": [1, "Type"'))


def test_the_dispatcher_picks_this_reader() -> None:
    sessions = read_sessions(source("ac-race.json"))
    assert [s.format for s in sessions] == ["Assetto Corsa server JSON"]


def test_nothing_but_empty_slots_is_an_error() -> None:
    error = failure(text_of([result("", 999999999, 0), result("", 0, 0)]))
    assert error.problem == "Result: no driver with a result: the session has no results"


def test_a_result_that_is_not_a_list_names_it() -> None:
    error = failure(Source(PATH, '{"Type": "RACE", "Result": {"a": 1}}'))
    assert error.problem.startswith("Result: ")


def test_bad_values_name_the_element() -> None:
    error = failure(text_of([result("Ann"), result("Bo", "1:40.000")]))
    assert error.problem.startswith("Result[1].BestLap: expected a whole number")
    error = failure(text_of([result("Ann", 100000.5)]))  # never read through a float
    assert error.problem.startswith("Result[0].BestLap: ")
    error = failure(text_of([result("Ann"), 7]))
    assert error.problem.startswith("Result[1]: ")
    error = failure(text_of([result("Ann", DriverName=["Ann"])]))
    assert error.problem.startswith("Result[0].DriverName: ")
    error = failure(text_of([result("Ann")], "RACE", Laps=[{"DriverName": "Ann"}, "lap"]))
    assert error.problem.startswith("Laps[1]: ")


def test_the_real_monza_qualifying() -> None:
    path = REAL / "2015-ac-monza-qualifying.json"
    if not path.is_file():
        pytest.skip(f"the real results files are not here ({REAL})")
    found = Source(path, decode_text(path.read_bytes(), path))
    assert ac.accepts(found)
    (session,) = ac.read(found)
    assert session.kind == QUALIFYING
    assert session.circuit == "Monza"
    first, second = session.entries[:2]
    assert (first.position, first.number, first.drivers) == (1, "", (Driver("Timo Haapala"),))
    assert first.time == 974_350  # 1:37.435
    assert (second.position, second.drivers) == (2, (Driver("Andrea Sorlini"),))
    assert second.time is not None and second.time - first.time == 13_100  # +1.310 s
    assert first.car == "Lotus Exos 125"
    assert len(session.entries) == 17
    assert [e.time for e in session.entries[-4:]] == [None] * 4
