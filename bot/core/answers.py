"""Answer objects: what the bot found, before any rendering."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from bot.core.library import ServerSettings, Unavailable, VersionInfo
from bot.core.model import Entry, Grid
from bot.core.times import percent


@dataclass(frozen=True, slots=True)
class Gap:
    """An exact gap between two timed entries: ``ticks`` ≥ 0, ``faster`` ahead of ``slower``."""

    faster: Entry
    slower: Entry
    ticks: int
    part: str = ""
    """The part of a qualifying in parts that the gap is measured in (``"Q2"``), else ``""``."""
    base: int | None = None
    """The faster lap the gap is measured on, when it is not the faster car's best lap."""

    @property
    def percent(self) -> Fraction:
        """The gap as a percentage of the faster lap."""
        base = self.base if self.base is not None else self.faster.time
        assert base is not None
        return percent(self.ticks, base)

    @property
    def level(self) -> bool:
        """Both cars set the same time."""
        return self.ticks == 0


@dataclass(frozen=True, slots=True)
class Finish:
    """Where one car finished a race against another that finished ahead of it.

    ``ticks`` is the time between them at the finish when both ran the same laps and the
    file gives their times; ``laps`` the laps between them when they differ."""

    ahead: Entry
    behind: Entry
    ticks: int | None = None
    laps: int | None = None


@dataclass(frozen=True, slots=True)
class ClassRank:
    """A car's place in its class: position, class size, and the gap to the class pole."""

    name: str
    position: int
    size: int
    pole: Entry
    to_pole: Gap | None
    finish: Finish | None = None
    """In a race: behind the class winner at the finish."""


@dataclass(frozen=True, slots=True)
class GridAnswer:
    """``/grid position``: one grid slot and its neighbours."""

    grid: Grid
    entry: Entry
    to_pole: Gap | None
    to_ahead: Gap | None
    to_behind: Gap | None
    level_with: tuple[Entry, ...]
    class_rank: ClassRank | None = None
    """Where the car stands in its class, when the grid has a class column."""
    to_winner: Finish | None = None
    finish_ahead: Finish | None = None
    finish_behind: Finish | None = None
    """In a race: the finish against the winner and the cars either side."""


@dataclass(frozen=True, slots=True)
class TeamMatch:
    """One team and its entries."""

    team: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class TeamAnswer:
    """``/team name``: the entries of every team the name matched."""

    grid: Grid
    query: str
    teams: tuple[TeamMatch, ...]
    guessed: bool
    """True when no team contains the query and the match is a fuzzy guess."""


@dataclass(frozen=True, slots=True)
class GapAnswer:
    """``/gap car_a car_b``: two entries and the gap between them."""

    grid: Grid
    first: Entry
    second: Entry
    gap: Gap | None
    """The gap between their best laps; ``None`` when either car set no time."""
    between: tuple[Entry, ...]
    """The cars classified between the two."""
    finish: Finish | None = None
    """In a race: the gap at the finish (the car ahead first)."""


@dataclass(frozen=True, slots=True)
class DriverMatch:
    """One driver and every entry they are listed in."""

    driver: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class DriverAnswer:
    """``/driver name``: the entries of every driver the name matched."""

    grid: Grid
    query: str
    drivers: tuple[DriverMatch, ...]
    guessed: bool


@dataclass(frozen=True, slots=True)
class TableAnswer:
    """``/grid`` with no position: the whole grid, to be shown in pages."""

    grid: Grid


@dataclass(frozen=True, slots=True)
class CommandHelp:
    """One command as ``/help`` lists it."""

    name: str
    description: str
    options: tuple[tuple[str, str, bool], ...]
    """(name, description, required) for each option."""
    example: str


@dataclass(frozen=True, slots=True)
class HelpAnswer:
    """``/help``: every command, generated from the command tree."""

    commands: tuple[CommandHelp, ...]


@dataclass(frozen=True, slots=True)
class AboutAnswer:
    """``/about``: what is running and what it serves."""

    version: str
    grids: tuple[tuple[str, Grid], ...]
    """(key, grid) for every grid loaded; the first is the one served by default."""
    loaded_at: float
    uptime: float
    latency: float | None
    """Gateway latency in seconds, when connected."""


@dataclass(frozen=True, slots=True)
class EventsAnswer:
    """``/events``: every grid loaded, most recent first."""

    grids: tuple[tuple[str, Grid], ...]
    default: Grid
    unavailable: tuple[Unavailable, ...] = ()
    """This server's stored files that cannot be served today, with why."""


@dataclass(frozen=True, slots=True)
class ReloadAnswer:
    """``/reload`` and ``/import``: what changed, or why nothing did."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    serving: int = 0
    """How many grids are serving afterwards."""
    error: str = ""
    """Why it failed (file and line); the grids that were serving keep serving."""
    title: str = "Reloaded"
    kept: str = ""
    """What stays as it was after a failure, when not "the grids loaded before"."""


@dataclass(frozen=True, slots=True)
class LibraryChangeAnswer:
    """``/import``, ``/remove`` and ``/restore``: what changed in this server's library."""

    action: str
    """"Imported", "Replaced", "Removed" or "Restored"."""
    key: str
    title: str
    version: int
    filename: str = ""
    size: int = 0
    sha256: str = ""
    serving: int = 0
    """How many of the server's own grids are in service afterwards."""
    note: str = ""


@dataclass(frozen=True, slots=True)
class HistoryAnswer:
    """``/history event``: a file's stored versions, newest first."""

    key: str
    title: str
    versions: tuple[VersionInfo, ...]
    removed: bool
    keep: int
    """How many versions are kept."""
    unavailable: str = ""
    """Why the version in service cannot be served today, if it cannot."""


@dataclass(frozen=True, slots=True)
class SettingsAnswer:
    """``/settings``: this server's settings, and which grid answers by default."""

    settings: ServerSettings
    default_reason: str
    default_title: str
    missing_default: bool
    """The server's default event is set but matches no grid it can see."""
    changed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Placing:
    """One of the first cars of a new session, as an announcement lists it."""

    entry: Entry
    gap: Gap | None = None
    """To the first car's lap (qualifying, practice); ``None`` for the first car, or when
    either car set no time."""
    finish: Finish | None = None
    """Against the winner at the finish (a race); ``None`` for the winner."""


@dataclass(frozen=True, slots=True)
class AnnouncementAnswer:
    """A new session, announced: the event and session, the pole (or winner, or fastest
    car) and the first cars with their gaps."""

    grid: Grid
    placings: tuple[Placing, ...]
    """The first cars, in order; the first is pole, the winner or P1 of practice."""
