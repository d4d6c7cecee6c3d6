"""Property tests for the parser: it never fails unexpectedly, and valid grids round-trip."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.errors import GridFileError
from bot.core.model import Driver, Grid
from bot.core.parser import COLUMNS, decode, parse_grid_text
from bot.core.text import fold

FRAGMENTS = (
    "|",
    " | ",
    "\\|",
    "||",
    "|---|",
    ":--:",
    "1st",
    "2nd",
    "P3",
    "5",
    "0",
    "9999",
    "1:2",
    "1:29.533",
    "58.1",
    "1:02:03.4",
    "1:60.000",
    "\n",
    "\r\n",
    " ",
    "\t",
    "-",
    "—",
    "NT",
    "no time",
    "*",
    "/",
    " / ",
    "#",
    "#8",
    "8",
    "08",
    "Pos",
    "No.",
    "Driver",
    "Chassis",
    "Entrant",
    "Best lap",
    "Team",
    "Stéphane",
    "\ufeff",
    "\x00",
    "٣",
    "²",
)

table_ish = st.lists(st.sampled_from(FRAGMENTS), max_size=60).map("".join)


def parse_or_reject(text: str) -> None:
    try:
        grid = parse_grid_text(text, "fuzz.md")
    except GridFileError as error:
        assert str(error).startswith("fuzz.md")
        assert error.problem
        return
    assert isinstance(grid, Grid)
    assert len(grid) >= 1
    assert [e.position for e in grid.entries] == list(range(1, len(grid) + 1))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_is_a_grid_or_a_grid_file_error(text: str) -> None:
    parse_or_reject(text)


@settings(max_examples=200, deadline=None)
@given(table_ish)
def test_table_ish_text_is_a_grid_or_a_grid_file_error(text: str) -> None:
    parse_or_reject(text)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_decode_or_raise_a_grid_file_error(data: bytes) -> None:
    try:
        text = decode(data, "fuzz.md")
    except GridFileError as error:
        assert error.line is not None
        assert 1 <= error.line <= data.count(b"\n") + 1
        return
    assert isinstance(text, str)


# Valid grids, generated with the values they must parse to.

HEADERS = {
    "position": ("Pos", "Position", "P", "Grid"),
    "number": ("No.", "#", "Number", "Car No"),
    "drivers": ("Driver", "Drivers"),
    "car": ("Car", "Chassis", "Vehicle"),
    "team": ("Team", "Entrant"),
    "time": ("Time", "Best lap", "Lap time", "Best time"),
}
NO_TIME = ("", "-", "—", "–", "NT", "no time", "No Time")
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéèëçñöüÉØå"


@dataclass(frozen=True)
class Row:
    position: int
    number: str
    number_cell: str
    drivers: tuple[Driver, ...]
    car: str
    team: str
    time: int | None
    time_cell: str
    extra: str


words = st.text(LETTERS, min_size=1, max_size=8)
names = st.lists(words, min_size=1, max_size=3).map(" ".join)
labels = st.lists(
    st.one_of(words, st.sampled_from(["-", "&", "2.0", "GT3-RS", "01Q", "Co."])),
    min_size=1,
    max_size=4,
).map(" ".join)
drivers = st.lists(
    st.builds(Driver, names, st.sampled_from(["", "", "*", "†"])), min_size=1, max_size=4
).map(tuple)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@st.composite
def lap_times(draw: st.DrawFn) -> tuple[int, str]:
    """Ticks and a cell that says exactly that many ticks, with 1-4 decimals."""
    decimals = draw(st.integers(1, 4))
    unit = 10 ** (4 - decimals)
    ticks = draw(st.integers(1, 3 * 3600 * 10_000 // unit)) * unit
    seconds, fraction = divmod(ticks, 10_000)
    digits = f"{fraction:04d}"[:decimals]
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return ticks, f"{hours}:{minutes:02d}:{secs:02d}.{digits}"
    if minutes or draw(st.booleans()):
        return ticks, f"{minutes}:{secs:02d}.{digits}"
    return ticks, f"{secs}.{digits}"


@st.composite
def rows(draw: st.DrawFn) -> list[Row]:
    count = draw(st.integers(1, 12))
    numbers = draw(
        st.lists(
            st.from_regex(r"[0-9]{1,3}|[0-9]{1,2}[A-Z]", fullmatch=True),
            min_size=count,
            max_size=count,
            unique_by=lambda n: n.casefold(),
        )
    )
    result = []
    for position, number in enumerate(numbers, start=1):
        if draw(st.integers(0, 5)) == 0:
            ticks: int | None = None
            time_cell = draw(st.sampled_from(NO_TIME))
        else:
            ticks, time_cell = draw(lap_times())
        result.append(
            Row(
                position=position,
                number=number,
                number_cell=draw(st.sampled_from([number, f"#{number}", f" # {number}"])),
                drivers=draw(drivers),
                car=draw(labels),
                team=draw(labels),
                time=ticks,
                time_cell=time_cell,
                extra=draw(st.one_of(st.just(""), labels)),
            )
        )
    return result


def position_cell(n: int, style: int) -> str:
    return (ordinal(n), str(n), f"P{n}")[style]


def cells_of(row: Row, style: int) -> dict[str, str]:
    return {
        "position": position_cell(row.position, style),
        "number": row.number_cell,
        "drivers": " / ".join(d.marker + d.name for d in row.drivers),
        "car": row.car,
        "team": row.team,
        "time": row.time_cell,
    }


def line_of(cells: list[str], padding: str) -> str:
    return "|" + "|".join(f"{padding}{c}{padding}" for c in cells) + "|"


@settings(max_examples=150, deadline=None)
@given(
    rows(),
    st.data(),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["", " ", "  "]),
)
def test_generated_grids_round_trip(
    generated: list[Row],
    data: st.DataObject,
    with_header: bool,
    with_separator: bool,
    with_extra: bool,
    padding: str,
) -> None:
    order = list(COLUMNS)
    header_cells: list[str] = []
    if with_header:
        order = data.draw(st.permutations(order))
        header_cells = [data.draw(st.sampled_from(HEADERS[c])) for c in order]
        if with_extra:
            order.insert(data.draw(st.integers(0, len(order))), "extra")
            header_cells.insert(order.index("extra"), "Class")

    lines: list[str] = []
    if header_cells:
        lines.append(line_of(header_cells, padding))
        if with_separator:
            lines.append(line_of(["---"] * len(header_cells), padding))
    line_numbers: dict[int, int] = {}
    for row in data.draw(st.permutations(generated)):
        if data.draw(st.integers(0, 4)) == 0:
            lines.append("")
        cells = cells_of(row, data.draw(st.integers(0, 2))) | {"extra": row.extra}
        lines.append(line_of([cells[c] for c in order], padding))
        line_numbers[row.position] = len(lines)
    text = "\n".join(lines) + data.draw(st.sampled_from(["", "\n", "\r\n"]))

    grid = parse_grid_text(text, "generated.md")

    assert len(grid) == len(generated)
    for row in generated:
        entry = grid.at(row.position)
        assert entry is not None
        assert entry.position == row.position
        assert entry.number == row.number
        assert entry.drivers == row.drivers
        assert entry.car == row.car
        assert entry.team == row.team
        assert entry.time == row.time
        assert entry.line == line_numbers[row.position]
        assert grid.car(row.number) is entry
        expected_extra = {"class": row.extra} if "extra" in order else {}
        assert {fold(k): v for k, v in entry.extra.items()} == expected_extra
