"""The watcher: results files in watched folders, read once complete, served and announced.

Every process follows the operator's watched folders, read where they lie like the data
folder, so that each serves their grids (:meth:`Watcher.run`). The one process that holds the
``watch`` lock (:class:`~bot.storage.leader.JobLock`) also imports the files of the folders
mapped to a server, as ``/import`` does with the bot as uploader, and announces new sessions
(:meth:`Watcher.lead`).

- A file is read once it has stopped changing (:mod:`bot.watch.settle`), in a worker thread.
- A file that does not parse is logged with its file and line; the watcher goes on, and the
  file is read again when it changes. The grids it served before (if any) keep serving.
- A deleted file removes nothing: its grids stay served, and the deletion is logged.
- A session is announced when it is new or changed: seen changing while watched, or, for a
  file found when the watch (re)starts, written after the server chose its channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from watchfiles import Change, awatch

from bot.announce.announcer import Announcer, Session
from bot.core.complete import prepare_grid
from bot.core.errors import GridFileError, QueryError
from bot.core.imports import safe_name
from bot.core.loader import (
    GRID_SUFFIXES,
    SIDECAR,
    collector_paused,
    parse_grids,
    read_sidecar,
    session_keys,
    skipped_why,
    too_large,
)
from bot.core.model import OPERATOR, SERVER, Grid
from bot.storage.announcements import AnnouncementLog, Channel, Claim
from bot.storage.libraries import Libraries
from bot.watch.folders import Polling, WatchDir, needs_polling
from bot.watch.settle import Settler, Signature, signature

log = logging.getLogger("gridbot.watch")

QUIET = 1.0
"""Seconds a file must stay unchanged before it is read (``GRIDBOT_WATCH_DEBOUNCE``)."""
STEP_MS = 50
"""How long the file system must be quiet before watchfiles hands over what changed."""
POLL_MS = 500
"""Between two looks at a folder watched by polling."""
RETRY = 5.0
"""Seconds before a folder that cannot be watched (gone, unmounted) is tried again."""


@dataclass(frozen=True, slots=True)
class _Ready:
    """A file that stopped changing: ``live`` when seen changing, not only found at start."""

    folder: WatchDir
    path: Path
    live: bool


@dataclass(frozen=True, slots=True)
class _Served:
    """An operator file as served: what it looked like, when it was written, its grids."""

    signature: Signature | None
    written: datetime
    grids: tuple[tuple[str, Grid], ...]


@dataclass(frozen=True, slots=True)
class _Rescan:
    """Look at every file of ``folder`` (all folders: ``None``) as if just found."""

    folder: WatchDir | None = None
    announce: bool = False
    """Also announce the operator's sessions written since each server chose its channel."""


_Event = tuple[WatchDir, Change, Path]


def _written(found: Signature | None) -> datetime:
    return datetime.fromtimestamp((found[1] if found else time.time_ns()) / 1e9, UTC)


def _differs(before: Grid | None, after: Grid) -> bool:
    """Whether a session is new, or changed in what it says (entries, event, session)."""
    return before is None or before.entries != after.entries or before.meta != after.meta


class Watcher:
    """Follows ``dirs``; see the module."""

    def __init__(
        self,
        dirs: Iterable[WatchDir],
        libraries: Libraries,
        ledger: AnnouncementLog,
        announcer: Announcer | None = None,
        *,
        uploader_id: int = 0,
        quiet: float = QUIET,
        polling: Polling = "auto",
    ) -> None:
        self.dirs = tuple(replace(d, path=Path(os.path.realpath(d.path))) for d in dirs)
        self.libraries = libraries
        self.store = libraries.operator
        self.ledger = ledger
        self.announcer = announcer
        self.uploader_id = uploader_id
        """Who imports into servers' libraries: the bot's user id."""
        self.polling = polling
        self.settler = Settler(quiet)
        self.leading = False
        """Whether this process imports the mapped folders and announces (holds the lock)."""
        self.loaded = asyncio.Event()
        """Set once the operator's watched folders have been read at start."""
        self.read = 0
        """Files read so far (those that parsed and those that did not)."""
        self._events: asyncio.Queue[_Event | _Rescan] = asyncio.Queue()
        self._where: dict[Path, WatchDir] = {}
        self._served: dict[Path, _Served] = {}
        self._shadowed: set[str] = set()
        self._progress = asyncio.Condition()

    # Following the folders (every process)

    async def run(self) -> None:
        """Watch every folder until cancelled: read the operator's at once, then every file
        that changes, once it is complete."""
        watching = [
            asyncio.create_task(self._follow(folder), name=f"watch {folder.path}")
            for folder in self.dirs
        ]
        try:
            await asyncio.sleep(0)  # each watch starts now: nothing written from here is missed
            await self._load()
            await self._loop()
        finally:
            for task in watching:
                task.cancel()
            await asyncio.gather(*watching, return_exceptions=True)

    async def _follow(self, folder: WatchDir) -> None:
        polling = needs_polling(folder.path, self.polling)
        how = f"polling every {POLL_MS} ms" if polling else "with file system events"
        log.info("watching %s (%s) %s", folder.path, folder.feeds, how)
        while True:
            try:
                async for changes in awatch(
                    folder.path,
                    watch_filter=None,
                    step=STEP_MS,
                    force_polling=polling,
                    poll_delay_ms=POLL_MS,
                    ignore_permission_denied=True,
                ):
                    for change, raw in changes:
                        self._events.put_nowait((folder, change, Path(raw)))
                return
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning(
                    "cannot watch %s (%s: %s); trying again in %.0f s",
                    folder.path,
                    type(error).__name__,
                    error,
                    RETRY,
                )
            await asyncio.sleep(RETRY)
            self._events.put_nowait(_Rescan(folder))

    async def _load(self) -> None:
        """Read the operator's watched folders whole, as the data folder is read at start."""
        operator = [d for d in self.dirs if d.guild_id is None]
        found = await asyncio.to_thread(_listing, operator)
        await self._operator_files([_Ready(folder, path, False) for folder, path, _ in found])
        if operator:
            served = sum(len(s.grids) for s in self._served.values())
            log.info(
                "read %d file(s) of the operator's watched folders: %d grid(s) served",
                len(found),
                served,
            )
        self.loaded.set()

    async def _loop(self) -> None:
        while True:
            due_at = self.settler.next_due()
            timeout = None if due_at is None else max(0.0, due_at - self.settler.clock())
            items: list[_Event | _Rescan] = []
            with contextlib.suppress(TimeoutError):
                items.append(await asyncio.wait_for(self._events.get(), timeout))
            while not self._events.empty():
                items.append(self._events.get_nowait())
            try:
                if items:
                    await self._take(items)
                due = self.settler.due()
                if due:
                    looked = await asyncio.to_thread(_signatures, due)
                    ready = []
                    for path, found in looked:
                        live = self.settler.check(path, found)
                        if live is not None:
                            ready.append(_Ready(self._where[path], path, live))
                    if ready:
                        await self._process(ready)
            except Exception:  # the database, the disk: this round is lost, not the watcher
                log.exception("watching went wrong; the watcher goes on")
            async with self._progress:
                self._progress.notify_all()

    async def until(self, done: Callable[[], bool], timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Wait until ``done()`` is true, looked at after each round of the watcher's work."""
        async with asyncio.timeout(timeout), self._progress:
            await self._progress.wait_for(done)

    async def _take(self, items: list[_Event | _Rescan]) -> None:
        """Files that changed start (again) to wait until they are complete."""
        changed: list[tuple[WatchDir, Path]] = []
        for item in items:
            if isinstance(item, _Rescan):
                await self._rescan(item)
                continue
            folder, change, path = item
            if change == Change.deleted:
                self.settler.forget(path)
                if path in self._served or _results_file(folder, path, exists=False):
                    log.info("%s was deleted; nothing is removed: its grids stay served", path)
                continue
            changed.append((folder, path))
        if changed:
            found = await asyncio.to_thread(_expand, changed)
            for folder, path, seen in found:
                self._where[path] = folder
                self.settler.touched(path, seen, live=True)

    async def _rescan(self, rescan: _Rescan) -> None:
        folders = self.dirs if rescan.folder is None else (rescan.folder,)
        found = await asyncio.to_thread(_listing, folders)
        for folder, path, seen in found:
            served = self._served.get(path)
            if folder.guild_id is None and served is not None and served.signature == seen:
                continue  # read already, and unchanged since
            self._where[path] = folder
            self.settler.touched(path, seen, live=False)
        if rescan.announce:
            channels = await self.ledger.channels()
            for served in list(self._served.values()):
                for key, grid in served.grids:
                    await self._announce(Session(grid, key), False, served.written, channels)

    async def _process(self, ready: list[_Ready]) -> None:
        self.read += len(ready)
        operator = [r for r in ready if r.folder.guild_id is None]
        if operator:
            await self._operator_files(operator)
        mapped = [r for r in ready if r.folder.guild_id is not None]
        if mapped and self.leading:
            channels = await self.ledger.channels()
            for item in mapped:
                await self._server_file(item, channels)

    # The operator's folders: read in place

    async def _operator_files(self, ready: list[_Ready]) -> None:
        if not ready:
            return
        outcomes = await asyncio.to_thread(self._read_operator, ready)
        fresh: list[tuple[Session, bool, datetime]] = []
        changed = False
        for item, outcome in outcomes:
            if isinstance(outcome, GridFileError):
                _bad(item.path, outcome)
                continue
            before = self._served.get(item.path)
            self._served[item.path] = outcome
            old = dict(before.grids) if before is not None else {}
            for key, grid in outcome.grids:
                if _differs(old.get(key), grid):
                    fresh.append((Session(grid, key), item.live, outcome.written))
                    changed = True
            changed = changed or set(old) != {key for key, _ in outcome.grids}
        if changed:
            grids = {key: grid for s in self._served.values() for key, grid in s.grids}
            diff = await asyncio.to_thread(self.store.watched, grids)
            if diff.added or diff.changed:
                log.info(
                    "serving from the watched folders: %s",
                    ", ".join([*diff.added, *diff.changed][:10])
                    + (" …" if len(diff.added) + len(diff.changed) > 10 else ""),
                )
            for key in self.store.shadowed - self._shadowed:
                log.warning(
                    "the watched grid %s is not served: a grid of the data folder has its key",
                    key,
                )
            self._shadowed = self.store.shadowed
        if fresh and self.leading:
            channels = await self.ledger.channels()
            for session, live, written in fresh:
                await self._announce(session, live, written, channels)

    def _read_operator(self, ready: list[_Ready]) -> list[tuple[_Ready, _Served | GridFileError]]:
        """In a worker thread: read and parse each file (and its sidecar)."""
        outcomes: list[tuple[_Ready, _Served | GridFileError]] = []
        with collector_paused():
            for item in ready:
                try:
                    outcomes.append((item, self._parse_operator(item.folder, item.path)))
                except GridFileError as error:
                    outcomes.append((item, error))
        return outcomes

    def _parse_operator(self, folder: WatchDir, path: Path) -> _Served:
        seen = signature(path)
        data = _read(path, self.store.max_bytes)
        grids = parse_grids(
            data, path, sidecar=read_sidecar(path), library=OPERATOR, max_bytes=self.store.max_bytes
        )
        keyed = session_keys(operator_key(folder, path), grids)
        return _Served(seen, _written(seen), tuple((k, prepare_grid(g)) for k, g in keyed))

    # A server's folders: imported into its library (the lock holder only)

    async def _server_file(self, item: _Ready, channels: list[Channel]) -> None:
        guild_id = item.folder.guild_id
        assert guild_id is not None
        limit = self.libraries.limits.file_bytes
        try:
            name = safe_name(item.path.name)
        except QueryError as error:
            log.warning("%s is not imported into server %s: %s", item.path, guild_id, error)
            return
        try:
            data = await asyncio.to_thread(_read, item.path, limit)
            grids = await asyncio.to_thread(
                parse_grids, data, Path(name), library=SERVER, max_bytes=limit
            )
        except GridFileError as error:
            _bad(item.path, error)
            return
        written = _written(signature(item.path))
        key = Path(name).stem
        keyed = session_keys(key, grids)
        sha = hashlib.sha256(data).hexdigest()
        stored = await self.ledger.stored_sha256(guild_id, key)
        imported = sha not in stored
        if imported:
            # What the server served under these keys, to announce only what changed (a key
            # it never had needs no look: reading a server's library is not free).
            before = await self._own(guild_id, [k for k, _ in keyed]) if stored else {}
            try:
                answer = await self.libraries.import_file(
                    guild_id, self.uploader_id, name, data, replace=True, watched=True
                )
            except QueryError as error:
                log.warning("%s is not imported into server %s: %s", item.path, guild_id, error)
                return
            except GridFileError as error:
                _bad(item.path, error)
                return
            log.info(
                "%s: %s into server %s as %s v%d",
                item.path,
                answer.action.lower(),
                guild_id,
                answer.key,
                answer.version,
            )
            keyed = [(k, g) for k, g in keyed if _differs(before.get(k), g)]
        for session_key, grid in keyed:
            session = Session(grid, session_key, guild_id)
            await self._announce(session, item.live, written, channels, served=imported)

    async def _own(self, guild_id: int, keys: list[str]) -> dict[str, Grid]:
        """The grids a server serves now under ``keys`` (those it has)."""
        grids = (await self.libraries.view(guild_id)).catalog.grids
        found: dict[str, Grid] = {}
        for key in keys:
            try:
                if key in grids:
                    found[key] = grids[key]
            except QueryError:  # stored, but unreadable today: it changes
                continue
        return found

    # Announcing (the lock holder only)

    async def lead(self) -> None:
        """Import the mapped folders and announce, until cancelled: the job of the process
        that holds the ``watch`` lock. Posts claimed and never made are made first; then every
        folder is looked at again, for what changed while no process was watching."""
        await self.loaded.wait()
        self.leading = True
        log.info("this process imports the servers' watched folders and announces new results")
        try:
            if self.announcer is not None:
                try:
                    await self.announcer.resume(self.find)
                except Exception:  # the database: those posts wait for the next start
                    log.exception("could not look for posts claimed and never made")
            self._events.put_nowait(_Rescan(announce=True))
            await asyncio.Event().wait()
        finally:
            self.leading = False
            if self.announcer is not None:
                await self.announcer.close()

    async def find(self, claim: Claim) -> Session | None:
        """The session a claim names, if it is still served as it was."""
        try:
            if claim.library == OPERATOR:
                grid = self.store.catalog.grids.get(claim.key)
                guild_id = None
            else:
                grid = (await self.libraries.view(claim.guild_id)).catalog.grids.get(claim.key)
                guild_id = claim.guild_id
        except QueryError:
            return None
        if grid is None or grid.digest != claim.digest:
            return None
        return Session(grid, claim.key, guild_id)

    async def _announce(
        self,
        session: Session,
        live: bool,
        written: datetime,
        channels: list[Channel],
        *,
        served: bool = False,
    ) -> None:
        """Offer a new session to the channels of the servers that see it: every server for
        the operator's, its own server for a server's (``served``: it was imported just now).
        Found at start rather than seen changing, only where the channel was chosen before
        the file was written."""
        if not self.leading or self.announcer is None:
            return
        targets = []
        for channel in channels:
            if session.guild_id is not None and channel.guild_id != session.guild_id:
                continue
            if not live and (channel.since is None or written < channel.since):
                continue
            if served or await self._sees(channel.guild_id, session):
                targets.append(channel)
        if targets:
            await self.announcer.offer(session, targets)

    async def _sees(self, guild_id: int, session: Session) -> bool:
        """Whether the server is served this session under its key: the operator's unless a
        grid of its own has the key; its own while it is not removed (asked without parsing
        it: the digest is the one just read or imported)."""
        grids = (await self.libraries.view(guild_id)).catalog.grids
        if session.guild_id is not None:
            return session.key in grids
        try:
            grid = grids.get(session.key)
        except QueryError:
            return False
        return grid is not None and grid.digest == session.digest


def operator_key(folder: WatchDir, path: Path) -> str:
    """The key a file of an operator's watched folder is served under: the folder's name and
    the file's path in it, without suffix (``results/251012_201511_R``)."""
    inside = path.relative_to(folder.path).with_suffix("").as_posix()
    return f"{folder.path.name or 'watched'}/{inside}"


def _bad(path: Path, error: GridFileError) -> None:
    where = f"{path}:{error.line}" if error.line else str(path)
    log.warning(
        "cannot read %s: %s (the watcher goes on; the file is read again when it changes)",
        where,
        error.problem,
    )


def _read(path: Path, limit: int) -> bytes:
    """A file's bytes, refused over ``limit``; a ``GridFileError`` names it."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise GridFileError(path, None, too_large(size, limit))
        return path.read_bytes()
    except OSError as error:
        raise GridFileError(path, None, f"cannot read the file: {error.strerror}") from None


def _results_file(folder: WatchDir, path: Path, *, exists: bool = True) -> Path | None:
    """The results file a change in ``folder`` concerns: the file itself, or for a sidecar
    ``.toml`` of the operator's, the grid beside it; ``None`` for anything else (hidden
    files, other names, a server's sidecars, which ``/import`` does not read either)."""
    try:
        path.relative_to(folder.path)
    except ValueError:
        return None
    if not exists:
        if any(part.startswith(".") for part in path.relative_to(folder.path).parts):
            return None
        return path if path.suffix.lower() in GRID_SUFFIXES else None
    why = skipped_why(path, folder.path)
    if why == SIDECAR and folder.guild_id is None:
        return next((p for s in GRID_SUFFIXES if (p := path.with_suffix(s)).is_file()), None)
    return None if why else path


def _expand(changed: list[tuple[WatchDir, Path]]) -> list[tuple[WatchDir, Path, Signature]]:
    """In a worker thread: the results files that changed (every one inside a folder that
    appeared), each once, with its signature."""
    found: dict[Path, tuple[WatchDir, Signature]] = {}
    for folder, path in changed:
        if path.is_dir():
            for inner, seen in _files_of(folder, path):
                found[inner] = (folder, seen)
            continue
        target = _results_file(folder, path)
        if target is None:
            continue
        looked = signature(target)
        if looked is not None:
            found[target] = (folder, looked)
    return [(folder, path, seen) for path, (folder, seen) in found.items()]


def _files_of(folder: WatchDir, root: Path) -> list[tuple[Path, Signature]]:
    files = []
    for current, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in sorted(names):
            path = Path(current) / name
            if not skipped_why(path, folder.path):
                seen = signature(path)
                if seen is not None:
                    files.append((path, seen))
    return files


def _signatures(paths: list[Path]) -> list[tuple[Path, Signature | None]]:
    return [(path, signature(path)) for path in paths]


def _listing(folders: Iterable[WatchDir]) -> list[tuple[WatchDir, Path, Signature]]:
    """In a worker thread: every results file of ``folders``, with its signature."""
    return [
        (folder, path, seen)
        for folder in folders
        if folder.path.is_dir()
        for path, seen in _files_of(folder, folder.path)
    ]
