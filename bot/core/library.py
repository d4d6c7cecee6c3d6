"""What one server sees: the operator's grids with the server's own over them, its settings,
and its files that cannot be served. Pure data; :mod:`bot.storage` fills it in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.catalog import Catalog
from bot.core.complete import MAX_CHOICES, MAX_NAME, Suggestion
from bot.core.errors import QueryError
from bot.core.model import SERVER, Grid
from bot.core.search import EXACT, NameIndex
from bot.core.text import clip

NEWEST = "newest"
"""The default event that is no fixed event: the newest grid a server can see answers."""


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """A server's own settings; the defaults are what a server that set nothing gets."""

    default_event: str | None = None
    public_answers: bool = True
    announce_channel_id: int | None = None
    announce_problem: str | None = None
    """Why the bot cannot post in the announcements channel, when a post was refused."""


@dataclass(frozen=True, slots=True)
class Unavailable:
    """A stored file that the parser refuses today: shown, with the error, never served."""

    key: str
    filename: str
    version: int
    error: str


@dataclass(frozen=True, slots=True)
class OwnFile:
    """One of the server's files: its key, what it holds, and whether it is in service."""

    key: str
    title: str
    version: int
    removed: bool
    since: datetime | None = None
    """When the version in service was imported."""


@dataclass(frozen=True, slots=True)
class LibraryView:
    """The grids a server (``guild_id``; ``None`` for a DM) can ask about, and how."""

    catalog: Catalog
    guild_id: int | None = None
    settings: ServerSettings = ServerSettings()
    files: tuple[OwnFile, ...] = ()
    unavailable: tuple[Unavailable, ...] = ()
    configured_default: str | None = None
    """The operator's ``GRIDBOT_DEFAULT_EVENT``, the second rule for the default event."""
    operator_loaded_at: datetime | None = None
    """When the operator's files were last (re)loaded."""

    def since(self, key: str) -> datetime | None:
        """Since when the grid of ``key`` has been served as it is now."""
        grid = self.catalog.grids.get(key)
        if grid is None:
            return None
        if grid.meta.library == SERVER:
            own = next((f for f in self.files if f.key == key), None)
            return own.since if own is not None else None
        return self.operator_loaded_at

    @property
    def private(self) -> bool:
        """Answers are shown only to the asker (the server's setting)."""
        return not self.settings.public_answers

    def default_reason(self) -> tuple[str, Grid]:
        """Which rule picks the default event, in words, and the grid it picks."""
        rule, grid = self.catalog.default_rule()
        if rule >= len(self.catalog.defaults):
            return "the newest grid", grid
        if self.catalog.defaults[rule] == self.settings.default_event:
            return "this server's default", grid
        return "the bot's configured default", grid

    @property
    def missing_default(self) -> bool:
        """The server's default event is set, but is no grid it can see (removed)."""
        wanted = self.settings.default_event
        return bool(wanted) and wanted not in self.catalog.grids


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """One stored version of a server's file, as ``/history`` lists it."""

    version: int
    filename: str
    uploader_id: int
    created_at: datetime
    size: int
    sha256: str
    title: str
    current: bool


def _own_index(files: tuple[OwnFile, ...]) -> NameIndex[OwnFile]:
    return NameIndex([pair for own in files for pair in ((own.key, own), (own.title, own))])


def find_own(files: tuple[OwnFile, ...], text: str) -> OwnFile:
    """The server's file that ``text`` names: its key or title (or the key of one of its
    sessions, ``round-3/race``), else the one clear match."""
    if not files:
        raise QueryError("This server has imported no grids. Add one with /import.")
    for own in files:
        if own.key == text or text.startswith(own.key + "/"):
            return own
    hits = _own_index(files).search(text, 5)
    if hits and (hits[0].tier == EXACT or len(hits) == 1 or hits[0].tier < hits[1].tier):
        return hits[0].item
    names = [hit.item.key for hit in hits] or [own.key for own in files[:5]]
    raise QueryError(
        f"None of this server's grids is clearly “{clip(text, 60)}”.", suggestions=names
    )


def complete_own(files: tuple[OwnFile, ...], text: str) -> list[Suggestion]:
    """The server's files for autocomplete (removed ones marked)."""
    return [
        Suggestion(
            clip(
                f"{hit.item.title} · v{hit.item.version}"
                + (" · removed" if hit.item.removed else ""),
                MAX_NAME,
            ),
            hit.item.key[:MAX_NAME],
        )
        for hit in _own_index(files).search(text, MAX_CHOICES)
    ]
