"""What a chart shows, as plain data: bars in grid order, labels, colours and notes.

Pure: no matplotlib, no discord. ``draw`` only lays out what is decided here, so tests check
a chart from this structure rather than from pixels.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.errors import QueryError
from bot.core.lookup import find_car, find_teams
from bot.core.model import Entry, Grid, car_key
from bot.core.text import clip
from bot.core.times import TICKS_PER_SECOND, format_gap, format_time

BAR_COLOUR = "#5865F2"
HIGHLIGHT_COLOUR = "#FEE75C"
CLASS_COLOURS = (
    "#4EA8FF",
    "#F5A623",
    "#43B581",
    "#F47B67",
    "#B892FF",
    "#2EC4B6",
    "#F47FFF",
    "#C9CDD3",
)
"""Colours for the classes, in order of each class's best position; distinct on a dark theme."""

MAX_BARS = 80
"""The most cars one chart shows; a longer grid is charted from the front."""
LEVEL_MARK = "="
NOTE_WIDTH = 90
"""Characters per line of the notes under the chart."""


@dataclass(frozen=True, slots=True)
class Bar:
    """One car: where it qualified and how far behind the fastest lap."""

    position: int
    number: str
    team: str
    car: str
    car_class: str
    time: int | None
    gap: int | None
    """Ticks behind the fastest lap of the session; ``None`` when the car set no time."""
    level: bool
    """Another car on the grid set exactly the same time."""
    highlighted: bool
    colour: str

    @property
    def seconds(self) -> float | None:
        """The gap as a bar length, in seconds (for drawing only; text uses ``gap``)."""
        return None if self.gap is None else self.gap / TICKS_PER_SECOND

    @property
    def place(self) -> str:
        """``P5``, or ``=P12`` when level with another car."""
        return f"{LEVEL_MARK if self.level else ''}P{self.position}"

    @property
    def value(self) -> str:
        """The text at the end of the bar: ``+1.635 s``, the lap for the fastest, or no time."""
        if self.time is None or self.gap is None:
            return "no time"
        if self.gap == 0 and not self.level:
            return format_time(self.time)
        return format_gap(self.gap, signed=True)


@dataclass(frozen=True, slots=True)
class ChartData:
    """Everything a ``/chart`` answer shows, in the picture and in words."""

    title: str
    """The session: ``grid.meta.title``."""
    label: str
    """The session and its library, as answers' footers show it: ``grid.meta.label``."""
    cars: int
    """Cars on the grid."""
    top: int
    """Cars charted: the first ``top`` positions."""
    bars: tuple[Bar, ...]
    fastest: Bar | None
    """The car the gaps are measured to (pole, normally); ``None`` when nobody set a time."""
    fastest_is_pole: bool
    highlight: str
    """What is highlighted, as found (``#14 RML``, ``Lister Racing``); empty for nothing."""
    highlight_query: str
    """What was asked for, as typed."""
    guessed: bool
    """The highlight is the closest team name to a query that matched none."""
    highlighted: tuple[Bar, ...]
    """Every highlighted car, charted or not."""
    legend: tuple[tuple[str, str], ...]
    """(class, colour) for each class charted; empty when the grid has no classes."""
    levels: tuple[tuple[Bar, ...], ...]
    """Cars on the same time, for each time shared by a charted car."""

    @property
    def key(self) -> tuple[int, tuple[str, ...], str]:
        """What makes one chart of a grid differ from another, the drawn label included."""
        return self.top, tuple(bar.number for bar in self.highlighted), self.highlight

    @property
    def timed(self) -> tuple[Bar, ...]:
        return tuple(bar for bar in self.bars if bar.gap is not None)

    @property
    def no_time(self) -> tuple[Bar, ...]:
        """Charted cars without a time: listed, never drawn as a zero gap."""
        return tuple(bar for bar in self.bars if bar.gap is None)

    @property
    def spread(self) -> tuple[Bar, Bar] | None:
        """The first and last charted cars by time, when two or more set one."""
        timed = sorted(self.timed, key=lambda bar: (bar.gap, bar.position))
        return (timed[0], timed[-1]) if len(timed) > 1 else None

    @property
    def outside(self) -> tuple[Bar, ...]:
        """Highlighted cars beyond the top ``top``."""
        return tuple(bar for bar in self.highlighted if bar.position > self.top)

    @property
    def notes(self) -> tuple[str, ...]:
        """Lines of text under the chart: level times, cars without a time, cars left out."""
        parts = []
        for group in self.levels:
            cars = " and ".join(f"#{bar.number} ({bar.place})" for bar in group)
            assert group[0].time is not None
            parts.append(f"{LEVEL_MARK} same time: {cars}, {format_time(group[0].time)}")
        if self.no_time:
            cars = ", ".join(f"P{bar.position} #{bar.number} {bar.team}" for bar in self.no_time)
            parts.append(f"No time: {cars}")
        for bar in self.outside:
            parts.append(
                f"Highlighted #{bar.number} {bar.team} is P{bar.position}, outside the top "
                f"{self.top}: {bar.value}"
            )
        return tuple(line for part in parts for line in textwrap.wrap(part, NOTE_WIDTH))


def chart_data(grid: Grid, top: int | None = None, highlight: str | None = None) -> ChartData:
    """The chart of ``grid``'s first ``top`` cars (all by default), ``highlight`` picked out.

    Gaps are measured to the fastest lap of the session, which is pole's on a grid set by
    qualifying; a ``QueryError`` explains a ``top`` out of range or a highlight not found.
    """
    cars = len(grid)
    most = min(cars, MAX_BARS)
    if top is None:
        top = most
    elif isinstance(top, bool) or not isinstance(top, int) or not 2 <= top <= most:
        why = f"the grid has {cars} cars" if most == cars else f"a chart shows {most} at most"
        raise QueryError(f"top must be a whole number from 2 to {most} ({why}).")
    query = (highlight or "").strip()
    picked, name, guessed = find_highlight(grid, query) if query else ((), "", False)
    timed = [e for e in grid.entries if e.time is not None]
    fastest = min(timed, key=lambda e: (e.time, e.position)) if timed else None
    best = fastest.time if fastest is not None and fastest.time is not None else 0
    shared = _shared_times(grid.entries)
    colours = _class_colours(grid.entries)
    numbers = {e.number for e in picked}

    def bar(entry: Entry) -> Bar:
        car_class = entry.extra.get("class", "").strip()
        if car_class:
            colour = colours[car_class]
        else:
            colour = HIGHLIGHT_COLOUR if entry.number in numbers else BAR_COLOUR
        return Bar(
            position=entry.position,
            number=entry.number,
            team=entry.team,
            car=entry.car,
            car_class=car_class,
            time=entry.time,
            gap=None if entry.time is None else entry.time - best,
            level=entry.time in shared,
            highlighted=entry.number in numbers,
            colour=colour,
        )

    bars = tuple(bar(e) for e in grid.entries[:top])
    charted_classes = {b.car_class for b in bars}
    levels = tuple(
        tuple(bar(e) for e in grid.entries if e.time == time)
        for time in sorted({b.time for b in bars if b.time in shared and b.time is not None})
    )
    return ChartData(
        title=grid.meta.title,
        label=grid.meta.label,
        cars=cars,
        top=top,
        bars=bars,
        fastest=bar(fastest) if fastest is not None else None,
        fastest_is_pole=fastest is grid.pole,
        highlight=name,
        highlight_query=query,
        guessed=guessed,
        highlighted=tuple(bar(e) for e in picked),
        legend=tuple((c, colour) for c, colour in colours.items() if c in charted_classes),
        levels=levels,
    )


def find_highlight(grid: Grid, text: str) -> tuple[tuple[Entry, ...], str, bool]:
    """The cars a highlight names: a car number (``14``, ``#14``) or a team, in grid order.

    Returns the entries, what they are called (``#14`` or the team names) and whether the
    team is a guess at a misspelling.
    """
    key = car_key(text)
    if text.lstrip().startswith("#") or key.isdigit() or grid.car(key) is not None:
        entry = find_car(grid, text)
        return (entry,), f"#{entry.number} {entry.team}", False
    try:
        teams, guessed = find_teams(grid, text)
    except QueryError as error:
        raise QueryError(
            f"Nothing to highlight: no car number or team matches “{clip(text, 40)}”.",
            error.suggestions,
        ) from None
    entries = sorted((e for team in teams for e in grid.teams[team]), key=lambda e: e.position)
    return tuple(entries), " and ".join(teams), guessed


def _shared_times(entries: Sequence[Entry]) -> set[int]:
    """Times set by more than one car."""
    seen: set[int] = set()
    shared: set[int] = set()
    for entry in entries:
        if entry.time is not None:
            (shared if entry.time in seen else seen).add(entry.time)
    return shared


def _class_colours(entries: Sequence[Entry]) -> dict[str, str]:
    """Each class's colour, given in order of the class's best position."""
    colours: dict[str, str] = {}
    for entry in entries:
        car_class = entry.extra.get("class", "").strip()
        if car_class and car_class not in colours:
            colours[car_class] = CLASS_COLOURS[len(colours) % len(CLASS_COLOURS)]
    return colours
