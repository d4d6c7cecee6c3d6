"""The storage facade: the library each server sees, its changes, and its settings.

Cogs ask this and nothing else; they hold no SQL and no file paths. A server's grids are read
from the database on first use, parsed by the same parser as the data folder, and kept in a
cache bounded by bytes (least recently used out first); the operator's library stays loaded.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from cachetools import LRUCache
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.answers import HistoryAnswer, LibraryChangeAnswer, SettingsAnswer
from bot.core.catalog import Catalog
from bot.core.complete import prepare_grid
from bot.core.errors import GridFileError, QueryError
from bot.core.imports import safe_name
from bot.core.lazy import Pending, Summary
from bot.core.library import (
    NEWEST,
    LibraryView,
    OwnFile,
    ServerSettings,
    Unavailable,
    find_own,
)
from bot.core.loader import PARSER_VERSION, mebibytes, parse_grids, session_keys
from bot.core.model import SERVER, Grid
from bot.core.store import GridStore
from bot.storage import notify, servers, sources
from bot.storage.database import create_engine, parse_url, writer
from bot.storage.scope import ServerScope

log = logging.getLogger("gridbot.storage")

# What the cache counts for a server: resident memory, as bench/server_bench.py measures it
# (allocations and the allocator's own overhead), not only the bytes the objects hold.
SERVER_BYTES = 24 * 1024
"""A server's view, settings, catalog and its indexes."""
GRID_BYTES = 2 * 1024
"""Each of its grids before parsing: summary, key, and the source kept compressed."""
PARSED_PER_SOURCE_BYTE = 24
"""Each parsed grid, per byte of its source (a 4 KiB, 40-car grid takes about 100 KiB)."""


@dataclass(frozen=True, slots=True)
class Limits:
    """What one server may store; ``README.md`` ("Limits") documents each."""

    file_bytes: int = 8 * 1024 * 1024
    server_grids: int = 200
    server_bytes: int = 20 * 1024 * 1024
    imports_per_minute: int = 10
    keep_versions: int = 10
    retention_days: int = 30
    cache_bytes: int = 64 * 1024 * 1024


@dataclass(slots=True)
class _Server:
    """A cached server: its grids (each parsed on first use), files, settings, and the view
    over the operator's catalog it was last combined with."""

    grids: dict[str, Pending]
    files: tuple[OwnFile, ...]
    unavailable: tuple[Unavailable, ...]
    settings: ServerSettings
    nbytes: int
    view: LibraryView | None = None
    base: Catalog | None = None


def utcnow() -> datetime:
    return datetime.now(UTC)


def _ready(grid: Grid) -> Grid:
    return grid


class Libraries:
    """Every server's library over one database, and the operator's files for all."""

    def __init__(
        self,
        engine: AsyncEngine,
        operator: GridStore,
        limits: Limits | None = None,
        *,
        configured_default: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.writer = writer(engine)
        """The same engine, for transactions that write."""
        self.operator = operator
        self.limits = limits or Limits()
        self.configured_default = configured_default
        self.clock = clock
        self._cache: LRUCache[int, _Server] = LRUCache(
            maxsize=self.limits.cache_bytes, getsizeof=lambda server: server.nbytes
        )
        self._loading: dict[int, asyncio.Task[_Server]] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._dm_view: LibraryView | None = None
        self.hits = self.misses = 0
        self.origin = notify.new_origin()
        """This process's name in the notifications of its changes (``bot.storage.notify``)."""

    @classmethod
    def offline(cls, operator: GridStore) -> Libraries:
        """The operator's library alone, with no database behind it (``python -m bot ask``
        builds the bot to answer /help and /about, and never asks a server's library)."""
        return cls(create_engine(parse_url("sqlite://")), operator)

    async def close(self) -> None:
        await self.engine.dispose()

    # Reading

    async def view(self, guild_id: int | None) -> LibraryView:
        """What a server (or, for ``None``, a DM) sees."""
        if guild_id is None:
            return self._dm()
        found = self.view_in_memory(guild_id)
        if found is None:
            self.misses += 1
            found = self._view_of(guild_id, await self._load(guild_id))
        return found

    def view_in_memory(self, guild_id: int | None) -> LibraryView | None:
        """What a server (or a DM) sees, if it is in memory: :meth:`view` without waiting
        (every command asks, and nearly always finds it)."""
        if guild_id is None:
            return self._dm()
        try:
            server = self._cache[guild_id]  # cachetools' get() takes two more calls
        except KeyError:
            return None
        self.hits += 1
        return self._view_of(guild_id, server)

    def _dm(self) -> LibraryView:
        catalog = self.operator.catalog
        if self._dm_view is None or self._dm_view.catalog is not catalog:
            self._dm_view = LibraryView(
                catalog,
                configured_default=self.configured_default,
                operator_loaded_at=self._loaded_at(),
            )
        return self._dm_view

    def _view_of(self, guild_id: int, server: _Server) -> LibraryView:
        catalog = self.operator.catalog
        if server.view is None or server.base is not catalog:
            server.view, server.base = self._combine(guild_id, server, catalog), catalog
        return server.view

    def cached(self, guild_id: int | None) -> bool:
        """Whether a server's library is in memory (the DM view always is)."""
        return guild_id is None or guild_id in self._cache

    def _combine(self, guild_id: int, server: _Server, catalog: Catalog) -> LibraryView:
        # The server's default is a key, matched exactly: when that grid is removed, the next
        # rule answers (a near name must not stand in for it).
        own = server.settings.default_event
        if own is not None and own not in server.grids and own not in catalog.grids:
            own = None
        defaults = tuple(d for d in (own, self.configured_default) if d)
        return LibraryView(
            catalog.overlaid(server.grids, defaults),  # indexes built on first use
            guild_id=guild_id,
            settings=server.settings,
            files=server.files,
            unavailable=server.unavailable,
            configured_default=self.configured_default,
            operator_loaded_at=self._loaded_at(),
        )

    def _loaded_at(self) -> datetime:
        return datetime.fromtimestamp(self.operator.loaded_at, UTC)

    async def _load(self, guild_id: int) -> _Server:
        """Read a server from the database once, however many ask at the same time."""
        task = self._loading.get(guild_id)
        if task is None:
            task = asyncio.create_task(self._read(guild_id))
            self._loading[guild_id] = task
            task.add_done_callback(partial(self._loaded, guild_id))
        return await asyncio.shield(task)

    def _loaded(self, guild_id: int, task: asyncio.Task[_Server]) -> None:
        if self._loading.get(guild_id) is task:
            del self._loading[guild_id]

    async def _read(self, guild_id: int) -> _Server:
        scope = ServerScope(guild_id)
        async with self.engine.connect() as connection:
            stored, listed = await sources.read_all(connection, scope)
            settings = await servers.read_settings(connection, scope)
        # Files this parser has not read yet are read now, so that one it refuses is listed as
        # unavailable; the others are parsed when first asked about.
        unread = [source for source in stored if source.summary is None]
        parsed, unavailable = (
            await asyncio.to_thread(self._parse_all, unread) if unread else ({}, [])
        )
        grids: dict[str, Pending] = {}
        size = SERVER_BYTES
        for source in stored:
            if source.key in parsed:
                for key, grid in session_keys(source.key, parsed[source.key]):
                    grids[key] = (Summary.of(grid), partial(_ready, grid))
                    size += GRID_BYTES
                size += len(source.data) * PARSED_PER_SOURCE_BYTE
            elif source.summary is not None:
                packed = zlib.compress(source.data, 1)
                parse = partial(self._parse_later, guild_id, packed, source.filename)
                grids[source.key] = (source.summary, parse)
                size += GRID_BYTES + len(packed)
        server = _Server(grids, tuple(listed), tuple(unavailable), settings, size)
        if self._loading.get(guild_id) is asyncio.current_task():
            self._keep(guild_id, server)
        # else the server changed while this was read (forget): answer with it, keep none of it
        return server

    def _keep(self, guild_id: int, server: _Server) -> None:
        """Cache a server under its size; one larger than the whole cache is served uncached."""
        try:
            self._cache[guild_id] = server
        except ValueError:
            self._cache.pop(guild_id, None)
            log.warning(
                "server %s's grids (%s) exceed the cache", guild_id, mebibytes(server.nbytes)
            )

    def _parse_later(self, guild_id: int, packed: bytes, filename: str) -> Grid:
        """Parse a grid on its first lookup, and count what it now takes in the cache.

        Lookups are synchronous, so this parse runs on the event loop (linear in the file,
        about 55 ms a MiB); a large grid's indexes, which take far longer, are built in a
        worker thread meanwhile (see ``prepare_grid``)."""
        data = zlib.decompress(packed)
        grids = self._parse(data, filename)
        if len(grids) != 1:  # stored as one session by a parser of the same version: not so
            raise GridFileError(filename, None, "the file now reads as several sessions")
        grid = grids[0]
        server = self._cache.get(guild_id)
        if server is not None:
            server.nbytes += len(data) * PARSED_PER_SOURCE_BYTE
            self._keep(guild_id, server)
        return grid

    def _parse_all(
        self, stored: list[sources.Source]
    ) -> tuple[dict[str, tuple[Grid, ...]], list[Unavailable]]:
        grids: dict[str, tuple[Grid, ...]] = {}
        unavailable: list[Unavailable] = []
        for source in stored:
            try:
                grids[source.key] = self._parse(source.data, source.filename)
            except GridFileError as error:
                where = f"line {error.line}: " if error.line else ""
                unavailable.append(
                    Unavailable(source.key, source.filename, source.version, where + error.problem)
                )
                log.warning("stored grid %s cannot be served: %s", source.filename, error)
        return grids, unavailable

    def _parse(self, data: bytes, filename: str) -> tuple[Grid, ...]:
        """Parse a stored file (a grid per session), and have a large grid's indexes built off
        the event loop."""
        path = Path(filename)
        grids = parse_grids(data, path, library=SERVER, max_bytes=self.limits.file_bytes)
        return tuple(prepare_grid(grid) for grid in grids)

    def forget(self, guild_id: int) -> None:
        """Drop a server from the cache: its next lookup reads the database again. A read of it
        under way may predate the change, so what it reads is not kept."""
        self._cache.pop(guild_id, None)
        self._loading.pop(guild_id, None)

    def forget_all(self) -> None:
        """Drop every server from the cache (changes elsewhere may have been missed)."""
        self._cache.clear()
        self._loading.clear()

    async def operator_reloaded(self) -> None:
        """Tell the other processes on this database to reload the operator's files too."""
        await notify.operator_reloaded(self.writer, self.origin)

    # Changing a server's library

    def _lock(self, guild_id: int) -> asyncio.Lock:
        return self._locks.setdefault(guild_id, asyncio.Lock())

    async def import_file(
        self,
        guild_id: int,
        uploader_id: int,
        filename: str,
        data: bytes,
        *,
        replace: bool,
        watched: bool = False,
    ) -> LibraryChangeAnswer:
        """Add an uploaded file to a server's library (a new version with ``replace``).

        Checked whole before anything is written: the name, the size, the parser, the rate
        and the server's limits. Raises ``QueryError`` or ``GridFileError`` (naming the file).
        ``watched``: a file from a folder mapped to the server (``GRIDBOT_WATCH_DIRS``), which
        the ``/import`` rate does not limit and which is audited as ``watch-import``.
        """
        name = safe_name(filename)
        self.check_size(len(data))
        grids = await asyncio.to_thread(self._parse, data, name)
        key, now = Path(name).stem, self.clock()
        digest = hashlib.sha256(data).hexdigest()
        scope = ServerScope(guild_id)
        async with self._lock(guild_id), self._changing(guild_id) as connection:
            await servers.ensure(connection, scope)
            recent = await servers.count_since(
                connection, scope, ("import", "replace"), now - timedelta(minutes=1)
            )
            if recent >= self.limits.imports_per_minute and not watched:
                raise QueryError(
                    f"This server has imported {recent} files in the last minute; the limit is "
                    f"{self.limits.imports_per_minute} a minute. Try again in a minute."
                )
            existing = await sources.find_file(connection, scope, key)
            if existing is not None and not replace:
                state = "a removed grid" if existing.removed else "a grid"
                raise QueryError(
                    f"This server already has {state} named {key}. Import it again with "
                    "replace: True to add this as its new version (the old one is kept)."
                )
            await self._check_room(connection, scope, existing, grids=len(grids), size=len(data))
            new = sources.NewVersion(
                key,
                name,
                uploader_id,
                now,
                data,
                digest,
                len(grids),
                Summary.of(grids[0]),
                PARSER_VERSION,
            )
            version = await sources.add_version(connection, scope, new, existing)
            file = await sources.find_file(connection, scope, key)
            await sources.prune(connection, scope, file.id, self.limits.keep_versions)
            action = "replace" if existing is not None else "import"
            if watched:
                action = f"watch-{action}"
            detail = f"v{version} {name} {len(data)} bytes sha256 {digest}"
            serving = await _done(connection, scope, uploader_id, action, key, detail, now)
        return LibraryChangeAnswer(
            action="Replaced" if existing is not None else "Imported",
            key=key,
            title=titles(grids),
            version=version,
            filename=name,
            size=len(data),
            sha256=digest,
            serving=serving,
        )

    def check_size(self, size: int) -> None:
        """Refuse a file over the per-file limit, before it is even downloaded."""
        if size > self.limits.file_bytes:
            raise QueryError(
                f"That file is {mebibytes(size)}; a grid file can be at most "
                f"{mebibytes(self.limits.file_bytes)}."
            )

    async def _check_room(
        self, connection: AsyncConnection, scope: ServerScope, existing: Any, grids: int, size: int
    ) -> None:
        """Refuse a change that would take the server over its grid or byte limit."""
        replaced = existing.id if existing is not None and not existing.removed else None
        used_grids, used_bytes = await sources.usage(connection, scope, excluding=replaced)
        if used_grids + grids > self.limits.server_grids:
            raise QueryError(
                f"This server has {used_grids} grids in service; the limit is "
                f"{self.limits.server_grids}. Remove one with /remove first."
            )
        if used_bytes + size > self.limits.server_bytes:
            raise QueryError(
                f"This server's grids take {mebibytes(used_bytes)}; with this file they would "
                f"pass the limit of {mebibytes(self.limits.server_bytes)}. Remove one with "
                "/remove first (old versions do not count)."
            )

    async def remove(self, guild_id: int, actor_id: int, event: str) -> LibraryChangeAnswer:
        """Take one of a server's files out of service; it stays restorable."""
        scope = ServerScope(guild_id)
        async with self._lock(guild_id):
            own = find_own((await self.view(guild_id)).files, event)
            async with self._changing(guild_id) as connection:
                file = await self._file(connection, scope, own.key)
                if file.removed:
                    raise QueryError(
                        f"{own.key} is already out of service. /restore brings it back."
                    )
                await sources.set_state(
                    connection, scope, file.id, version=file.current_version, removed=True
                )
                detail = f"v{file.current_version}"
                serving = await _done(
                    connection, scope, actor_id, "remove", own.key, detail, self.clock()
                )
        return LibraryChangeAnswer(
            action="Removed",
            key=own.key,
            title=own.title,
            version=file.current_version,
            serving=serving,
            note=f"/restore event:{own.key} brings it back.",
        )

    async def restore(
        self, guild_id: int, actor_id: int, event: str, wanted: int | None
    ) -> LibraryChangeAnswer:
        """Serve a stored version again: ``wanted``, else the one before the current one
        (for a removed file, the one it was serving)."""
        scope = ServerScope(guild_id)
        async with self._lock(guild_id):
            own = find_own((await self.view(guild_id)).files, event)
            async with self._changing(guild_id) as connection:
                file = await self._file(connection, scope, own.key)
                kept = await sources.history(connection, scope, file)
                version = _restorable(own.key, file, [v.version for v in kept], wanted)
                found = await sources.version_data(connection, scope, file.id, version)
                assert found is not None
                filename, data = found
                try:
                    grids = await asyncio.to_thread(self._parse, data, filename)
                except GridFileError as error:
                    raise QueryError(
                        f"v{version} of {own.key} cannot be served: {error.problem}"
                        + (f" (line {error.line})" if error.line else "")
                    ) from None
                await self._check_room(
                    connection,
                    scope,
                    None if file.removed else file,
                    grids=len(grids),
                    size=len(data),
                )
                await sources.set_state(connection, scope, file.id, version=version, removed=False)
                serving = await _done(
                    connection, scope, actor_id, "restore", own.key, f"v{version}", self.clock()
                )
        return LibraryChangeAnswer(
            action="Restored",
            key=own.key,
            title=titles(grids),
            version=version,
            filename=filename,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            serving=serving,
        )

    async def history(self, guild_id: int, event: str) -> HistoryAnswer:
        view = await self.view(guild_id)
        own = find_own(view.files, event)
        scope = ServerScope(guild_id)
        async with self.engine.connect() as connection:
            file = await self._file(connection, scope, own.key)
            kept = await sources.history(connection, scope, file)
        broken = next((u.error for u in view.unavailable if u.key == own.key), "")
        return HistoryAnswer(
            key=own.key,
            title=own.title,
            versions=tuple(kept),
            removed=bool(file.removed),
            keep=self.limits.keep_versions,
            unavailable=broken,
        )

    async def _file(self, connection: AsyncConnection, scope: ServerScope, key: str) -> Any:
        file = await sources.find_file(connection, scope, key)
        if file is None:  # removed by another process since the view was read
            raise QueryError(f"This server has no grid named {key} any more.")
        return file

    def _changing(self, guild_id: int) -> _Change:
        """A write transaction on a server's rows, after which its cached library is read
        again."""
        return _Change(self, guild_id)

    # Settings

    async def settings(self, guild_id: int, changed: tuple[str, ...] = ()) -> SettingsAnswer:
        view = await self.view(guild_id)
        reason, grid = view.default_reason()
        # Read afresh: whether the announcements channel takes posts is found out by the
        # process that posts, which may not be this one.
        async with self.engine.connect() as connection:
            settings = await servers.read_settings(connection, ServerScope(guild_id))
        return SettingsAnswer(
            settings=settings,
            default_reason=reason,
            default_title=grid.meta.label,
            missing_default=view.missing_default,
            changed=changed,
        )

    async def change_settings(
        self,
        guild_id: int,
        actor_id: int,
        *,
        default_event: str | None = None,
        public_answers: bool | None = None,
        announce_channel_id: int | None = None,
        stop_announcing: bool = False,
    ) -> SettingsAnswer:
        """Change what is given; a default event must name a grid the server can see (the
        closest names are suggested), and is stored as that grid's key."""
        changes: dict[str, Any] = {}
        said: list[str] = []
        if default_event is not None:
            if default_event.strip().lower() in (NEWEST, ""):
                changes["default_event"] = None
                said.append("default event: the newest grid")
            else:
                view = await self.view(guild_id)
                grid = view.catalog.find(default_event)
                key = next(k for k, g in view.catalog.grids.items() if g is grid)
                changes["default_event"] = key
                said.append(f"default event: {grid.meta.title}")
        if public_answers is not None:
            changes["public_answers"] = public_answers
            said.append("answers: " + ("public" if public_answers else "only the asker sees them"))
        # Set with the channel, not audited: a refusal to post is found out again in a new
        # channel, and files older than the setting are not announced there.
        along: dict[str, Any] = {}
        if stop_announcing:
            changes["announce_channel_id"] = along["announce_problem"] = None
            said.append("announcements: off")
        elif announce_channel_id is not None:
            changes["announce_channel_id"] = announce_channel_id
            along.update(announce_since=self.clock(), announce_problem=None)
            said.append(f"announcements: <#{announce_channel_id}>")
        if changes:
            scope = ServerScope(guild_id)
            async with self._lock(guild_id), self._changing(guild_id) as connection:
                await servers.write_settings(connection, scope, changes | along)
                await servers.record(
                    connection,
                    scope,
                    actor_id=actor_id,
                    action="settings",
                    target=",".join(changes),
                    detail="; ".join(said),
                    at=self.clock(),
                )
        return await self.settings(guild_id, tuple(said))

    # The bot leaving and coming back

    async def left(self, guild_id: int) -> None:
        """The bot was removed from a server: keep its rows for the retention period."""
        async with self.writer.begin() as connection:
            await servers.mark_left(connection, ServerScope(guild_id), self.clock())
            await notify.server_changed(connection, self.origin, guild_id)
        self.forget(guild_id)

    async def present(self, guild_ids: list[int]) -> None:
        """The bot is in these servers (start-up, or added back in time): nothing to purge."""
        async with self.writer.begin() as connection:
            back = set(await servers.departed_before(connection, None)) & set(guild_ids)
            for guild_id in back:
                await servers.mark_left(connection, ServerScope(guild_id), None)
                log.info("back in server %s: its library and settings are kept", guild_id)

    async def purge_departed(self) -> list[int]:
        """Delete every row of servers the bot left longer ago than the retention period."""
        moment = self.clock() - timedelta(days=self.limits.retention_days)
        async with self.writer.begin() as connection:
            gone = await servers.departed_before(connection, moment)
            for guild_id in gone:
                await servers.purge(connection, ServerScope(guild_id))
                await notify.server_changed(connection, self.origin, guild_id)
        for guild_id in gone:
            self.forget(guild_id)
            log.info(
                "purged server %s: the bot left it over %s days ago",
                guild_id,
                self.limits.retention_days,
            )
        return gone


async def _done(
    connection: AsyncConnection,
    scope: ServerScope,
    actor_id: int,
    action: str,
    key: str,
    detail: str,
    at: datetime,
) -> int:
    """After a change to a server's files: its audit row, and how many grids it now serves."""
    await servers.record(
        connection, scope, actor_id=actor_id, action=action, target=key, detail=detail, at=at
    )
    serving, _ = await sources.usage(connection, scope)
    return serving


def titles(grids: tuple[Grid, ...]) -> str:
    """What a file holds, as an answer names it: its grid's title, or the event's and each
    session's (``2021 Bathurst · Practice, Qualifying, Race``)."""
    if len(grids) == 1:
        return grids[0].meta.title
    first = dataclasses.replace(grids[0].meta, session="")
    return f"{first.title} · {', '.join(grid.meta.session for grid in grids)}"


def _restorable(key: str, file: Any, numbers: list[int], wanted: int | None) -> int:
    """The version ``/restore`` brings back: ``wanted``, else the one before the current one,
    else (for a removed file) the one it was serving."""
    if wanted is None:
        if file.removed:
            return int(file.current_version)
        earlier = [n for n in numbers if n < file.current_version]
        if not earlier:
            raise QueryError(
                f"{key} has no version before v{file.current_version} to restore.",
                suggestions=[f"v{n}" for n in numbers],
            )
        return max(earlier)
    if wanted not in numbers:
        kept = ", ".join(f"v{n}" for n in numbers)
        raise QueryError(f"{key} has no version {wanted}; the versions kept are {kept}.")
    if wanted == file.current_version and not file.removed:
        raise QueryError(f"v{wanted} of {key} is already the one in service.")
    return wanted


SQLITE_FULL, SQLITE_READONLY = 13, 8
"""SQLite's primary result codes for a full disk (or database) and a read-only database."""
POSTGRES_DISK_FULL, POSTGRES_READ_ONLY = "53100", "25006"
"""PostgreSQL's SQLSTATEs ``disk_full`` and ``read_only_sql_transaction``."""


def storage_problem(error: DBAPIError) -> str | None:
    """What a database error says about the storage itself, in words: ``"the disk is full"``,
    ``"the database is read-only"``; ``None`` for any other error."""
    code = getattr(error.orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        code &= 0xFF  # extended codes (SQLITE_READONLY_DBMOVED…) carry the primary code
    else:
        code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    if code in (SQLITE_FULL, POSTGRES_DISK_FULL):
        return "the disk is full"
    if code in (SQLITE_READONLY, POSTGRES_READ_ONLY):
        return "the database is read-only"
    return None


def _refuse(error: DBAPIError) -> None:
    """Raise the polite answer to an error that is not the asker's doing; return otherwise."""
    if isinstance(error, IntegrityError):
        raise QueryError(
            "Someone else changed this server's library at the same moment; please try again."
        ) from None
    problem = storage_problem(error)
    if problem is not None:
        log.error("a change was refused because %s: %s", problem, error.orig)
        raise QueryError(
            f"Nothing was changed: {problem}. The bot's operator has to fix that; "
            "this server's grids and settings are as they were."
        ) from None


class _Change:
    """A write transaction on a server's rows; the server's cached library is dropped after
    it, whether it committed or not. A unique-key clash (another process made the same
    change at once), a full disk or a read-only database becomes a polite refusal, whether
    it happens as the transaction begins, in it or as it commits; the transaction is rolled
    back, so nothing is half-written. On PostgreSQL the other processes are told of the change
    in the same transaction (``bot.storage.notify``): they hear of it once it commits."""

    def __init__(self, libraries: Libraries, guild_id: int) -> None:
        self.libraries = libraries
        self.guild_id = guild_id
        self._context: Any = None

    async def __aenter__(self) -> AsyncConnection:
        self._context = self.libraries.writer.begin()
        try:
            connection: AsyncConnection = await self._context.__aenter__()
        except DBAPIError as error:  # SQLite takes the write lock as it begins
            _refuse(error)
            raise
        try:
            # The other processes hear of the change when, and only if, this commits.
            await notify.server_changed(connection, self.libraries.origin, self.guild_id)
        except BaseException as error:
            await self._context.__aexit__(type(error), error, error.__traceback__)
            if isinstance(error, DBAPIError):
                _refuse(error)
            raise
        return connection

    async def __aexit__(self, kind: Any, error: Any, traceback: Any) -> bool:
        try:
            await self._context.__aexit__(kind, error, traceback)  # commits, or rolls back
        except DBAPIError as failed:  # the commit failed
            _refuse(failed)
            raise
        finally:
            self.libraries.forget(self.guild_id)
        if isinstance(error, DBAPIError):  # a statement failed: rolled back above
            _refuse(error)
        return False
