"""rFactor 2 / Le Mans Ultimate results XML: sessions, exact times, shared numbers, statuses,
and a parser that refuses entity tricks but takes rFactor 2's own DOCTYPE."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.core.errors import GridFileError
from bot.core.model import PRACTICE, QUALIFYING, RACE
from bot.core.readers import rfactor
from bot.core.readers.common import Session, Source, decode_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "results"
REAL = Path(__file__).resolve().parents[2].parent / "shared" / "real-results"
PATH = Path("results/test.xml")

PROLOGUE = '<?xml version="1.0" encoding="utf-8"?>\n'
RF_DOCTYPE = '<!DOCTYPE rF [\n<!ENTITY rFEnt "rFactor Entity">\n]>\n'


def fixture(name: str) -> Source:
    path = FIXTURES / name
    return Source(path, decode_text(path.read_bytes(), path))


def results(body: str, *, doctype: str = RF_DOCTYPE, head: str = "") -> str:
    """A small results file: the prologue, a DOCTYPE, ``head`` and ``body`` in RaceResults."""
    return (
        f'{PROLOGUE}{doctype}<rFactorXML version="1.0">\n<RaceResults>\n'
        f"<TrackVenue>Monza</TrackVenue>\n{head}{body}</RaceResults>\n</rFactorXML>\n"
    )


def one_driver(best: str = "95.1234") -> str:
    return (
        "<Qualify>\n<Driver>\n<Name>Ann</Name>\n<CarNumber>3</CarNumber>\n"
        f"<Position>1</Position>\n<BestLapTime>{best}</BestLapTime>\n</Driver>\n</Qualify>\n"
    )


def read_text(text: str) -> list[Session]:
    return rfactor.read(Source(PATH, text))


def failure(text: str) -> GridFileError:
    with pytest.raises(GridFileError) as caught:
        read_text(text)
    assert caught.value.path == PATH
    return caught.value


def names(session: Session) -> list[str]:
    return [", ".join(driver.name for driver in entry.drivers) for entry in session.entries]


# The qualifying fixture: CRLF, duplicate numbers, missing times, a bare "&".


def test_qualifying_reads_every_field_exactly() -> None:
    source = fixture("rf2-qualify.xml")
    assert rfactor.accepts(source)
    [session] = rfactor.read(source)
    assert session.kind == QUALIFYING
    assert session.name == "Qualifying"
    assert session.format == "rFactor 2 results XML"
    assert (session.event, session.circuit) == ("Gridbot Cup Round 3", "Spa-Francorchamps")
    assert (session.date, session.year) == ("2014-05-13", 2014)  # the Qualify's own TimeString
    assert session.unique_numbers is False
    first, second = session.entries[:2]
    assert (first.position, first.number, first.line) == (1, "07", 43)
    assert [d.name for d in first.drivers] == ["Bruno Senna Jr"]
    assert (first.car, first.team, first.time) == ("Lola T280 Bleu", "Équipe Rouge", 1184999)
    assert first.extra["class"] == "LolaT280"
    assert (first.laps, first.total, first.behind, first.status) == (7, None, None, "")
    assert (second.number, second.time, second.line) == ("07", 1185000, 26)  # "118.5"
    assert [d.name for d in second.drivers] == ["Anna Kovács"]


def test_qualifying_orders_by_best_lap_and_puts_cars_without_time_last() -> None:
    [session] = rfactor.read(fixture("rf2-qualify.xml"))
    assert [entry.position for entry in session.entries] == [1, 2, 3, 4, 5, 6, 7]
    # Bruno's 118.4999 beats Anna's 118.5 though the file says Position 1 for Anna; Dana's
    # Position -1 still has a time; Erik (no BestLapTime), Femi (-1.0000) and Gina (0.0000)
    # set none and come last in the file's order.
    assert names(session) == [
        "Bruno Senna Jr",
        "Anna Kovács",
        "Chen Wei",
        "Dana Ortiz",
        "Erik Lund",
        "Femi Adeyemi",
        "Gina Rossi",
    ]
    assert [entry.time for entry in session.entries] == [
        1184999,
        1185000,
        1190305,
        1201000,
        None,
        None,
        None,
    ]
    assert [entry.number for entry in session.entries] == ["07", "07", "12", "33", "5", "6", "8"]


def test_qualifying_statuses_keep_only_a_disqualification() -> None:
    [session] = rfactor.read(fixture("rf2-qualify.xml"))
    by_name = {entry.drivers[0].name: entry for entry in session.entries}
    assert by_name["Chen Wei"].status == ""  # FinishStatus None: still a qualifier
    assert by_name["Erik Lund"].status == ""
    assert by_name["Gina Rossi"].status == "DSQ"  # DQ
    assert by_name["Chen Wei"].team == "Team A&B"  # &amp; in the file
    assert by_name["Femi Adeyemi"].team == ""


# The weekend fixture: Practice1, an empty Warmup, a multiclass Race (Le Mans Ultimate).


def test_weekend_gives_one_session_per_section_with_drivers() -> None:
    source = fixture("rf2-lmu-weekend.xml")
    assert rfactor.accepts(source)
    sessions = rfactor.read(source)
    assert [(s.kind, s.name) for s in sessions] == [(PRACTICE, "Practice 1"), (RACE, "Race")]
    practice, race = sessions
    assert practice.date == "2024-06-14"
    assert race.date == "2024-06-15"
    # rFactor 2's internal entity is expanded where the file uses it.
    assert race.event == "rFactor Entity 6 Hours of Le Mans"
    assert race.circuit == "Circuit de la Sarthe"
    assert names(practice) == ["Kamui Kobayashi", "Lena Berg", "Marco Sorensen"]
    assert [e.time for e in practice.entries] == [2067010, 2070005, None]


def test_race_keeps_positions_finish_times_statuses_and_swaps() -> None:
    race = rfactor.read(fixture("rf2-lmu-weekend.xml"))[1]
    assert [e.number for e in race.entries] == ["7", "83", "22", "92", "50", "31", "23"]
    assert names(race) == [
        "Kamui Kobayashi, Nyck de Vries",
        "Lena Berg",
        "Olga Petrova",
        "Marco Sorensen",
        "Pierre Laval",
        "Quinn Baker",
        "Rui Costa",
    ]
    assert [e.status for e in race.entries] == ["", "", "", "", "DNF", "DNF", "DSQ"]
    # FinishTime only for cars that took the flag; no gap in the file, so behind stays None.
    assert [e.total for e in race.entries] == [
        216031234,
        216105000,
        216500001,
        217000000,
        None,
        None,
        None,
    ]
    assert all(e.behind is None for e in race.entries)
    assert [e.laps for e in race.entries] == [98, 98, 95, 88, 60, 40, 97]
    assert [e.extra["class"] for e in race.entries] == [
        "Hypercar",
        "Hypercar",
        "LMP2",
        "GT3",
        "Hypercar",
        "GT3",
        "LMP2",
    ]
    assert race.entries[0].time == 2075000
    assert race.entries[0].line == 67


def test_race_without_positions_keeps_the_file_order_after_the_placed_cars() -> None:
    body = (
        "<Race2>\n"
        "<Driver><Name>Late</Name><Position>-1</Position><Laps>1</Laps>"
        "<FinishStatus>None</FinishStatus></Driver>\n"
        "<Driver><Name>Second</Name><Position>2</Position><FinishTime>600.5</FinishTime>"
        "<FinishStatus>Finished Normally</FinishStatus></Driver>\n"
        "<Driver><Name>First</Name><Position>1</Position><FinishTime>599.25</FinishTime>"
        "<FinishStatus>Finished Normally</FinishStatus></Driver>\n"
        "<Driver><Name>Nowhere</Name><Laps>0</Laps></Driver>\n"
        "</Race2>\n"
    )
    [race] = read_text(results(body))
    assert (race.kind, race.name) == (RACE, "Race 2")
    assert names(race) == ["First", "Second", "Late", "Nowhere"]
    assert [e.total for e in race.entries] == [5992500, 6005000, None, None]
    assert [e.status for e in race.entries] == ["", "", "DNF", ""]
    assert [e.number for e in race.entries] == ["", "", "", ""]


def test_date_from_time_string_else_unix_date_time() -> None:
    head = "<DateTime>1364151698</DateTime>\n"
    [session] = read_text(results(one_driver(), head=head))
    assert (session.date, session.year) == ("2013-03-24", 2013)
    head = "<TimeString>2015/10/17 09:30:00</TimeString>\n<DateTime>1364151698</DateTime>\n"
    assert read_text(results(one_driver(), head=head))[0].date == "2015-10-17"
    assert read_text(results(one_driver()))[0].date == ""


def test_best_lap_keeps_four_decimals_and_cuts_more() -> None:
    [session] = read_text(results(one_driver("95.12349")))
    assert session.entries[0].time == 951234
    [session] = read_text(results(one_driver("95")))
    assert session.entries[0].time == 950000


def test_sections_without_drivers_are_dropped_but_a_file_without_any_fails() -> None:
    assert [s.name for s in read_text(results("<Warmup></Warmup>\n" + one_driver()))] == [
        "Qualifying"
    ]
    error = failure(results("<Practice1>\n<Laps>0</Laps>\n</Practice1>\n<Warmup/>\n"))
    assert "Practice1, Warmup" in error.problem
    assert "no Driver" in error.problem
    error = failure(results(""))
    assert "no session section" in error.problem


def test_a_driver_field_that_is_not_a_number_names_the_driver_line() -> None:
    error = failure(results(one_driver("1:35.123")))
    assert error.line == 9  # the <Driver> line
    assert "BestLapTime '1:35.123'" in error.problem
    body = "<Race>\n<Driver>\n<Name>A</Name>\n<Laps>ten</Laps>\n</Driver>\n</Race>\n"
    error = failure(results(body))
    assert (error.line, "Laps 'ten'" in error.problem) == (9, True)


def test_utf16_file_with_its_own_declaration() -> None:
    text = results(one_driver()).replace('encoding="utf-8"', 'encoding="utf-16"')
    data = text.encode("utf-16")
    source = Source(PATH, decode_text(data, PATH))
    assert rfactor.accepts(source)
    assert rfactor.read(source)[0].entries[0].time == 951234


def test_junk_after_the_root_is_ignored() -> None:
    [session] = read_text(results(one_driver()) + "\x00garbage")
    assert session.entries[0].drivers[0].name == "Ann"


# Malformed XML and what is refused.


def test_malformed_xml_names_the_line() -> None:
    text = results(one_driver()).replace("</Name>", "</Nam>")
    error = failure(text)
    assert error.line == 10
    assert error.problem.startswith("invalid XML: mismatched tag")
    assert str(error).startswith(f"{PATH}:10: ")


def test_another_root_element_is_refused() -> None:
    text = f"{PROLOGUE}<results><RaceResults/></results>\n"
    assert not rfactor.accepts(Source(PATH, text))
    error = failure(text)
    assert "not <rFactorXML>" in error.problem


def refused(text: str) -> GridFileError:
    started = time.perf_counter()
    error = failure(text)
    assert time.perf_counter() - started < 1.0
    assert error.problem.startswith("refused")
    return error


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ['<!ENTITY lol0 "lol">']
    lines += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    doctype = "<!DOCTYPE rF [\n" + "\n".join(lines) + "\n]>\n"
    error = refused(
        results(one_driver(), doctype=doctype, head="<TrackEvent>&lol9;</TrackEvent>\n")
    )
    assert "'lol1' refers to other entities" in error.problem
    assert error.line == 4


def test_quadratic_blowup_is_refused_quickly() -> None:
    doctype = f'<!DOCTYPE rF [\n<!ENTITY a "{"x" * 50_000}">\n]>\n'
    head = "<TrackEvent>" + "&a;" * 50_000 + "</TrackEvent>\n"
    error = refused(results(one_driver(), doctype=doctype, head=head))
    assert "holds 50000 characters" in error.problem


def test_many_references_to_a_short_entity_are_refused_before_expanding() -> None:
    doctype = f'<!DOCTYPE rF [\n<!ENTITY a "{"x" * 200}">\n]>\n'
    head = "<Season>" + "&a;" * 20_000 + "</Season>\n"
    error = refused(results(one_driver(), doctype=doctype, head=head))
    assert "expand past the file's own size" in error.problem


def test_external_entity_is_refused_and_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    for target in ("file:///etc/passwd", secret.as_uri()):
        doctype = f'<!DOCTYPE rF [\n<!ENTITY xxe SYSTEM "{target}">\n]>\n'
        text = results(one_driver(), doctype=doctype, head="<TrackEvent>&xxe;</TrackEvent>\n")
        error = refused(text)
        assert "is external" in error.problem
        assert target in error.problem
        assert "TOP-SECRET" not in str(error)
        assert "root:" not in str(error)


def test_external_dtd_and_parameter_entities_are_refused() -> None:
    error = refused(
        results(one_driver(), doctype='<!DOCTYPE rF SYSTEM "http://127.0.0.1:9/x.dtd">\n')
    )
    assert "external DTD" in error.problem
    doctype = '<!DOCTYPE rF [\n<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd">\n%p;\n]>\n'
    assert "is external" in refused(results(one_driver(), doctype=doctype)).problem
    doctype = '<!DOCTYPE rF [\n<!ENTITY % p "x">\n]>\n'
    assert "parameter entity" in refused(results(one_driver(), doctype=doctype)).problem
    doctype = '<!DOCTYPE rF [\n<!ATTLIST Driver x CDATA "y">\n]>\n'
    assert "ATTLIST" in refused(results(one_driver(), doctype=doctype)).problem


def test_rfactor_internal_entity_is_accepted() -> None:
    head = "<TrackEvent>&rFEnt;</TrackEvent>\n"
    [session] = read_text(results(one_driver(), head=head))
    assert session.event == "rFactor Entity"
    [session] = read_text(results(one_driver(), doctype=""))  # and no DOCTYPE at all
    assert session.entries[0].time == 951234


# Content, not extension.


def test_accepts_only_rfactor_results() -> None:
    others = [
        p for p in sorted(FIXTURES.iterdir()) if p.is_file() and not p.name.startswith("rf2-")
    ]
    assert others  # the other readers' fixtures
    for path in others:
        assert not rfactor.accepts(Source(path, decode_text(path.read_bytes(), path))), path
    assert not rfactor.accepts(Source(PATH, "<rFactorXML>"))
    assert not rfactor.accepts(Source(PATH, ""))


def test_real_rfactor2_sebring_qualifying() -> None:
    path = REAL / "2013-rf2-sebring-qualifying.xml"
    if not path.exists():
        pytest.skip(f"the real results files are not here ({REAL})")
    source = Source(path, decode_text(path.read_bytes(), path))
    assert rfactor.accepts(source)
    [session] = rfactor.read(source)
    assert session.kind == QUALIFYING
    assert len(session.entries) == 5
    pole, second = session.entries[:2]
    assert (pole.position, pole.number, pole.drivers[0].name) == (1, "01", "Jo Bonnier")
    assert pole.time == 1221243  # 122.1243 s, 2:02.124
    assert (second.position, second.team) == (2, "Noritake Takahara")
    assert second.time is not None
    assert second.time - pole.time == 21408  # +2.141 s
    numbers = [entry.number for entry in session.entries]
    assert (numbers.count("01"), numbers.count("31")) == (3, 2)
    assert session.date == "2013-03-24"
