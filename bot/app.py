"""The Discord client: a sharded ``commands.Bot`` that loads the cogs and serves the grids.

One process runs the shards ``GRIDBOT_SHARD_IDS`` of ``GRIDBOT_SHARD_COUNT`` (by default every
shard, as many as Discord says) through discord.py's own sharding. Discord being unreachable at
start is waited out (:func:`backoff`); a stop lets the commands being answered finish first.

Processes sharing one PostgreSQL database hear each other's changes (``bot.storage.notify``),
queue their IDENTIFYs together (``bot.storage.identify``), and run a job such as watching
folders in one of them at a time (:meth:`GridBot.run_once`).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import pkgutil
import random
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from discord.ext import commands
from discord.utils import MISSING

import bot.cogs
from bot.announce.announcer import Announcer
from bot.announce.buttons import OpenButton
from bot.announce.post import DiscordPoster, invite_url
from bot.core.store import GridStore
from bot.kept import KeptMentions
from bot.reloading import reload_logged
from bot.settings import Address, Settings
from bot.storage import Libraries
from bot.storage.announcements import AnnouncementLog
from bot.storage.identify import IdentifyQueue
from bot.storage.leader import Job, JobLock
from bot.storage.notify import ChangeFeed, shares_changes
from bot.sync import sync_commands
from bot.tree import GridTree
from bot.views import PageButton

if TYPE_CHECKING:
    from bot.health import OpsServer
    from bot.metrics import Metrics
    from bot.watch.watcher import Watcher

log = logging.getLogger("gridbot")

PURGE_EVERY = 24 * 3600.0
"""Seconds between purges of the servers the bot left longer ago than the retention."""

CONNECTIONS_PER_HOST = 100
"""HTTP connections open at once to one host (Discord's API). discord.py sets no bound, so a
burst of N interactions opened N connections to answer them, where a few dozen kept open
carry them as fast; BENCHMARKS.md, "Connections in a burst"."""

YOUNG_COLLECTION = 20_000
"""Net allocations of container objects between two young garbage collections (Python's
default: 700); BENCHMARKS.md, "Garbage collection in a burst"."""

DRAIN_SECONDS = 5.0
"""On a stop, how long the commands being answered have to finish."""

UNREACHABLE = (
    OSError,
    TimeoutError,
    aiohttp.ClientError,
    discord.DiscordServerError,
    discord.GatewayNotFound,
)
"""Failures that mean Discord could not be reached, or answered 5xx: worth waiting out.
A rejected token (``discord.LoginFailure``) is none of them."""


def backoff(first: float = 1.0, cap: float = 60.0, jitter: float = 0.1) -> Iterator[float]:
    """Seconds to wait before each retry: ``first``, doubling up to ``cap``, each stretched by
    up to ``jitter`` (a tenth) so that processes started together do not retry together."""
    wait = first
    while True:
        yield wait * (1 + random.uniform(0, jitter))
        wait = min(wait * 2, cap)


def extensions() -> list[str]:
    """Every module in ``bot.cogs`` not starting with ``_``."""
    return [
        f"{bot.cogs.__name__}.{info.name}"
        for info in pkgutil.iter_modules(bot.cogs.__path__)
        if not info.name.startswith("_")
    ]


class GridBot(commands.AutoShardedBot):
    """Gridbot: no privileged intents, no mentions, slash commands only; an
    ``AutoShardedBot`` (one process runs every shard, or those its settings name)."""

    def __init__(self, settings: Settings, libraries: Libraries, *, sync: bool = True) -> None:
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # no voice here
        shards: dict[str, Any] = {"shard_count": settings.shard_count}
        if settings.shard_ids is not None:
            shards["shard_ids"] = list(settings.shard_ids)
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=discord.Intents(guilds=True),
            allowed_mentions=KeptMentions.none(),
            tree_cls=GridTree,
            **shards,
        )
        self.metrics: Metrics | None = None
        """What ``/metrics`` serves, kept only when it is served (``GRIDBOT_METRICS_ADDR``):
        prometheus_client is not even imported otherwise."""
        if settings.metrics_addr is not None:
            from bot.metrics import Metrics

            self.metrics = Metrics()
            self.metrics.observe(self, libraries)
            self.grid_tree.metrics = self.metrics
        self._ops: OpsServer | None = None
        self.ops_address: Address | None = None
        """Where ``/metrics`` and ``/healthz`` are served, once started (``GRIDBOT_METRICS_ADDR``
        with its port chosen, if it said 0)."""
        self._unwatch_database: list[Callable[[], None]] = []
        self._hooked = False
        """Whether setup_hook ran: a login that fails after it is not tried again."""
        self.settings = settings
        self.libraries = libraries
        self.store: GridStore = libraries.operator
        """The operator's library (the data folder), served in every server."""
        self.sync_on_start = sync
        self.started = time.monotonic()
        self.frozen = False
        """Whether start-up objects were moved out of the collector's sight (on_connect)."""
        self.data_lock = asyncio.Lock()
        """Held while /reload parses the data folder again."""
        self._purging: asyncio.Task[None] | None = None
        self.changes: ChangeFeed | None = None
        """What the other processes on this PostgreSQL database change (from :meth:`start`)."""
        self.identify_queue: IdentifyQueue | None = None
        """This process's place in the IDENTIFY queue of every process on the database, when
        it runs some of the shards (``GRIDBOT_SHARD_IDS``) on PostgreSQL."""
        if settings.shard_ids is not None and shares_changes(libraries.engine.url):
            self.identify_queue = IdentifyQueue(libraries.engine.url, self._max_concurrency)
        self._jobs: list[asyncio.Task[None]] = []
        self.watcher: Watcher | None = None
        """The watched results folders (``GRIDBOT_WATCH_DIRS``), once started."""

    @property
    def grid_tree(self) -> GridTree:
        """The command tree, as the class it is (``tree`` is typed as discord.py's)."""
        assert isinstance(self.tree, GridTree)
        return self.tree

    async def start(self, token: str, *, reconnect: bool = True) -> None:
        """Serve ``/metrics`` and ``/healthz`` if asked, log in (waiting out an unreachable
        Discord), then connect every shard of this process."""
        address = self.settings.metrics_addr
        if address is not None and self.metrics is not None:
            from bot.health import DatabaseProbe, Health, OpsError, OpsServer, shard_states

            self._unwatch_database.append(self.metrics.watch(self.libraries.engine))
            probe = DatabaseProbe(self.libraries.engine)

            async def health() -> Health:
                return Health(shard_states(self, self.settings.shard_ids), await probe.check())

            self._ops = OpsServer(self.metrics, health)
            try:
                bound = await self._ops.start(address)
            except OpsError as error:
                from bot.cli import EXIT_CONFIG, Abort

                raise Abort(f"Cannot start: {error}", EXIT_CONFIG) from None
            self.ops_address = bound
            log.info("serving /metrics and /healthz at http://%s", bound)
        if shares_changes(self.libraries.engine.url):
            self.changes = ChangeFeed(
                self.libraries.engine.url,
                self.libraries.origin,
                on_server=self.libraries.forget,
                on_reload=self._reload_as_another_did,
                on_missed=self._catch_up,
            )
            await self.changes.start()
        await self.login(token)
        self._watch()
        await self.connect(reconnect=reconnect)

    async def login(self, token: str) -> None:
        """Log in; while Discord cannot be reached (or answers 5xx), wait and try again."""
        waits = backoff()
        while True:
            if self.http.connector is MISSING:  # as discord.py would make it, but bounded
                self.http.connector = aiohttp.TCPConnector(
                    limit=0, limit_per_host=CONNECTIONS_PER_HOST
                )
            try:
                return await super().login(token)
            except UNREACHABLE as error:
                if self._hooked:  # setup_hook ran: the cogs are loaded, cannot start over
                    raise
                wait = next(waits)
                log.warning("cannot reach Discord (%s); trying again in %.0f s", _why(error), wait)
            # The next try opens a new HTTP session on a new connector: close this one.
            await self.http.close()
            self.http.connector = MISSING
            await asyncio.sleep(wait)

    async def launch_shards(self) -> None:
        """Ask Discord how many shards (unless set) and start them; while it cannot be asked,
        wait and try again. (Each shard's own connection is retried by discord.py.)"""
        waits = backoff()
        while True:
            try:
                return await super().launch_shards()
            except UNREACHABLE as error:
                wait = next(waits)
                log.warning(
                    "cannot ask Discord for the gateway (%s); trying again in %.0f s",
                    _why(error),
                    wait,
                )
            await asyncio.sleep(wait)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Wait for this shard's turn to IDENTIFY: in the queue of every process on the
        database when there is one, else as discord.py does (5 s after the previous one)."""
        if self.identify_queue is None:
            await super().before_identify_hook(shard_id, initial=initial)
        else:
            await self.identify_queue.wait_turn(shard_id, initial=initial)

    async def _max_concurrency(self) -> int:
        return (await self.fetch_session_start_limits()).max_concurrency

    async def _reload_as_another_did(self) -> None:
        await reload_logged(self.store, self.data_lock, "another process reloaded them")

    async def _catch_up(self) -> None:
        """The change feed was cut: whatever changed meanwhile, read it afresh."""
        self.libraries.forget_all()
        await reload_logged(self.store, self.data_lock, "changes elsewhere may have been missed")

    def run_once(self, name: str, job: Job) -> asyncio.Task[None]:
        """Run ``job`` in one process at a time among all those on this database, for as long
        as this one runs: the one holding the database lock ``name`` runs it, and when that
        process stops, another takes over within seconds (``JobLock``). With SQLite, at once.
        Watching folders is meant to run under ``run_once("watch", ...)``."""
        task = asyncio.create_task(JobLock(self.libraries.engine, name).run(job), name=name)
        self._jobs.append(task)
        return task

    def _watch(self) -> None:
        """Follow the watched folders (every process: the operator's grids are served by
        all), and in one process at a time import the servers' and announce new results."""
        if not self.settings.watch_dirs or self.watcher is not None:
            return
        assert self.user is not None  # logged in: the bot imports as itself
        from bot.watch.watcher import Watcher  # watchfiles, only when a folder is watched

        ledger = AnnouncementLog(self.libraries.engine)
        poster = DiscordPoster(self)
        self.watcher = Watcher(
            self.settings.watch_dirs,
            self.libraries,
            ledger,
            Announcer(ledger, poster),
            uploader_id=self.user.id,
            quiet=self.settings.watch_debounce,
            polling=self.settings.watch_polling,
        )
        self._jobs.append(asyncio.create_task(self.watcher.run(), name="watch folders"))
        # Announcements carry a chart: have its workers ready before the first new result.
        self._jobs.append(asyncio.create_task(poster.warm(self.store.catalog.default)))
        self.run_once("watch", self.watcher.lead)
        log.info(
            "announcements need View Channel, Send Messages, Embed Links and Attach Files in "
            "each server's channel; an invite link that grants them: %s",
            invite_url(self.application_id or self.user.id, announcing=True),
        )

    async def setup_hook(self) -> None:
        self._hooked = True
        # Buttons of any message, however old: page turns, and an announcement's grid and chart.
        self.add_dynamic_items(PageButton, OpenButton)
        for name in extensions():
            await self.load_extension(name)
        if self.sync_on_start:
            try:
                log.info(await sync_commands(self))
            except discord.HTTPException as error:
                # Serving with the commands Discord already has beats not serving at all.
                log.error("command sync failed (%s %s); serving anyway", error.status, error.text)

    async def on_connect(self) -> None:
        # Start-up made a few hundred thousand long-lived objects (discord.py, the grids);
        # moving them out of the collector's sight spares every later full collection a walk
        # over them (a 20 ms pause on the first command, measured by bench/e2e_bench).
        # Once: a reconnect would only pay the collection again.
        # And a young collection every YOUNG_COLLECTION allocations rather than 700: in a
        # burst every interaction in flight is alive, so Python's default scanned the same
        # objects some 70 times per 500 interactions (a fifth of a burst's time).
        if not self.frozen:
            gc.collect()
            gc.freeze()
            gc.set_threshold(YOUNG_COLLECTION, *gc.get_threshold()[1:])
            self.frozen = True

    async def on_ready(self) -> None:
        log.info("ready as %s; serving %s", self.user, self.store.catalog.default)
        await self.libraries.present([guild.id for guild in self.guilds])
        if self._purging is None:
            self._purging = asyncio.create_task(self._purge_daily())

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.libraries.present([guild.id])

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Removed from a server: its library and settings are kept for the retention period
        (``GRIDBOT_RETENTION_DAYS``), then purged; added back in time, they are back."""
        log.info("removed from server %s; keeping its library for now", guild.id)
        await self.libraries.left(guild.id)

    async def _purge_daily(self) -> None:
        while True:
            try:
                await self.libraries.purge_departed()
            except Exception:
                log.exception("purging departed servers failed; trying again tomorrow")
            await asyncio.sleep(PURGE_EVERY)

    async def close(self) -> None:
        """Let the commands being answered finish (at most :data:`DRAIN_SECONDS`), then
        close the gateway (code 1000), the HTTP session and ``/healthz``."""
        if self._purging is not None:
            self._purging.cancel()
        if not self.is_closed() and (left := await self.grid_tree.drain(DRAIN_SECONDS)):
            log.warning("stopping with %d command(s) still unanswered", left)
        if self._ops is not None:
            ops, self._ops = self._ops, None
            await ops.close()
        for job in self._jobs:
            job.cancel()
        await asyncio.gather(*self._jobs, return_exceptions=True)
        if self.changes is not None:
            await self.changes.close()
        if self.identify_queue is not None:
            await self.identify_queue.close()
        while self._unwatch_database:
            self._unwatch_database.pop()()
        await super().close()


def _why(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
