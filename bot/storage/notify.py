"""Changes across processes: PostgreSQL ``LISTEN``/``NOTIFY`` on the channel ``gridbot``.

Every process sharing one database tells the others what it changed, and hears what they
changed, without a query per command:

- a change to a server's rows (import, replace, remove, restore, settings, leaving, purge)
  sends ``<origin> server <id>`` in the transaction that makes it. PostgreSQL holds a
  notification until its transaction commits and drops it on a rollback, so the others hear of
  a change only once it can be read. Each of them drops that server from its cache
  (``Libraries.forget``); its next lookup reads the database again.
- the owner's ``/reload`` sends ``<origin> reload`` once it has succeeded in its own process;
  each other process reloads the operator's files (a failure there keeps its grids serving).

``origin`` names the sending process, which ignores its own notifications: it has already
dropped what it changed. The listener holds a connection of its own (not one of the pool). When
that connection is lost, it connects again, waiting 0.5 s doubling up to 30 s; since
notifications sent meanwhile are lost, it then drops every cached server and reloads the
operator's files once (``on_missed``). SQLite serves one process: nothing is sent or heard.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage.database import is_sqlite, redact

log = logging.getLogger("gridbot.storage")

CHANNEL = "gridbot"
SERVER, RELOAD = "server", "reload"
"""The two kinds of notification."""

_NOTIFY = text("SELECT pg_notify(:channel, :payload)")

Connect = Callable[[str], Awaitable[Any]]
"""Opens a connection to a DSN (``asyncpg.connect``; tests substitute their own)."""


async def asyncpg_connect(dsn: str) -> Any:
    """``asyncpg.connect(dsn)``, asyncpg imported on first use: a bot on SQLite never loads
    it (3 MiB)."""
    import asyncpg

    return await asyncpg.connect(dsn)


def new_origin() -> str:
    """A name for this process in its notifications."""
    return secrets.token_hex(6)


def driver_dsn(url: URL) -> str:
    """``url`` as asyncpg itself takes it (``postgresql://…``, the password included)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def shares_changes(url: URL) -> bool:
    """Whether processes on this database tell each other their changes (PostgreSQL)."""
    return not is_sqlite(url)


async def server_changed(connection: AsyncConnection, origin: str, guild_id: int) -> None:
    """Tell the other processes, once this transaction commits, that a server's rows changed."""
    if shares_changes(connection.engine.url):
        payload = f"{origin} {SERVER} {guild_id}"
        await connection.execute(_NOTIFY, {"channel": CHANNEL, "payload": payload})


async def operator_reloaded(engine: AsyncEngine, origin: str) -> None:
    """Tell the other processes to reload the operator's files, as this one just did."""
    if shares_changes(engine.url):
        async with engine.begin() as connection:
            payload = f"{origin} {RELOAD}"
            await connection.execute(_NOTIFY, {"channel": CHANNEL, "payload": payload})


class ChangeFeed:
    """Hears the other processes' changes and hands each to a callback; see the module."""

    def __init__(
        self,
        url: URL,
        origin: str,
        *,
        on_server: Callable[[int], None],
        on_reload: Callable[[], Awaitable[None]],
        on_missed: Callable[[], Awaitable[None]],
        ping_every: float = 5.0,
        first_wait: float = 0.5,
        max_wait: float = 30.0,
        connect: Connect | None = None,
    ) -> None:
        self.url = url
        self.origin = origin
        self.on_server = on_server
        self.on_reload = on_reload
        self.on_missed = on_missed
        self.ping_every = ping_every
        self.first_wait = first_wait
        self.max_wait = max_wait
        self._connect: Connect = connect or asyncpg_connect
        self.listening = asyncio.Event()
        """Set while the connection is open and listening."""
        self.heard = 0
        """Notifications from other processes handled so far."""
        self._connection: Any = None
        self._lost = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self._caught_up = True
        """Whether nothing can have been missed: true until a connection is lost (or the first
        one fails), after which the next connection catches up (``on_missed``)."""

    async def start(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Start listening, waiting up to ``timeout`` seconds for the first connection; if it
        takes longer, it goes on trying in the background."""
        self._runner = asyncio.create_task(self._run(), name="gridbot change feed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self.listening.wait()), timeout)

    async def close(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
        for task in list(self._handlers):
            task.cancel()
        await self._disconnect()

    async def _run(self) -> None:
        wait = self.first_wait
        while True:
            try:
                await self._listen()
            except Exception as error:  # whatever broke, keep listening: log it and reconnect
                log.warning(
                    "change feed: cannot listen at %s (%s: %s); trying again in %.1f s",
                    redact(self.url),
                    type(error).__name__,
                    error,
                    wait,
                )
                self.listening.clear()
                self._caught_up = False
                await self._disconnect()
                await asyncio.sleep(wait)
                wait = min(wait * 2, self.max_wait)
            else:
                await self._disconnect()
                wait = self.first_wait

    async def _listen(self) -> None:
        """Connect, listen, catch up if anything may have been missed, then keep checking that
        the connection lives until it is lost (then return, or raise)."""
        self._lost.clear()
        connection = await self._connect(driver_dsn(self.url))
        self._connection = connection
        connection.add_termination_listener(self._terminated)
        await connection.add_listener(CHANNEL, self._heard)
        self.listening.set()
        if not self._caught_up:
            log.info("change feed: listening again; catching up on what was missed")
            await _logged(self.on_missed(), "catching up after the change feed was cut")
            self._caught_up = True
        while not self._lost.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._lost.wait(), self.ping_every)
            if not self._lost.is_set():
                await asyncio.wait_for(connection.fetchval("SELECT 1"), self.ping_every)
        self.listening.clear()
        self._caught_up = False
        log.warning("change feed: the connection to %s closed; reconnecting", redact(self.url))

    def _terminated(self, connection: Any) -> None:
        if connection is self._connection:
            self._lost.set()

    async def _disconnect(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close(timeout=2)

    def _heard(self, connection: Any, pid: int, channel: str, payload: str) -> None:
        origin, _, rest = payload.partition(" ")
        if origin == self.origin:
            return  # this process made the change and has already acted on it
        kind, _, argument = rest.partition(" ")
        if kind == SERVER and argument.isdigit():
            self.heard += 1
            log.info("change feed: server %s changed in another process", argument)
            self.on_server(int(argument))
        elif kind == RELOAD:
            self.heard += 1
            log.info("change feed: another process reloaded the operator's files")
            reload = _logged(self.on_reload(), "reloading as another process did")
            task = asyncio.create_task(reload, name="gridbot reload from elsewhere")
            self._handlers.add(task)
            task.add_done_callback(self._handlers.discard)
        else:
            log.warning("change feed: ignoring a notification it cannot read: %r", payload)


async def _logged(work: Awaitable[None], doing: str) -> None:
    """Run ``work``; a failure is logged with its traceback, never lost, never fatal."""
    try:
        await work
    except Exception:
        log.exception("change feed: %s failed", doing)
