"""The identify queue across processes: a PostgreSQL advisory lock per ``max_concurrency`` bucket.

Discord lets a bot start ``max_concurrency`` sessions every 5 s: shard ``n`` is in bucket
``n % max_concurrency``, and each bucket may IDENTIFY once per 5 s. discord.py keeps to this
within one process only (it waits 5 s before every IDENTIFY but its first). Processes that share
shards across one database queue here instead: before a shard identifies, it takes the advisory
lock of its bucket on a connection of its own, and lets it go 5 s after the IDENTIFY. A process
that stops (or loses that connection) releases the lock with it, so the queue never jams.

``max_concurrency`` is Discord's (``GET /gateway/bot``), asked once. If the database cannot be
reached, a shard identifies as discord.py would have, and says so in the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.engine import URL

from bot.storage.leader import lock_key
from bot.storage.notify import Connect, asyncpg_connect, driver_dsn

log = logging.getLogger("gridbot.storage")

IDENTIFY_EVERY = 5.0
"""Seconds between two IDENTIFYs of one bucket (Discord's rule)."""
SEND_MARGIN = 0.5
"""Seconds added to a bucket's hold: the turn is given before the IDENTIFY leaves, and on a
busy process it leaves later than on an idle one (the next process's may not), so the hold
counts from the turn plus this. Measured at the stand-in with no margin, two IDENTIFYs came
5.001–5.008 s apart in tests/e2e/test_shards.py run alone, and 4.9996 s apart once in four
runs of the whole e2e suite."""


def bucket(shard_id: int, max_concurrency: int) -> int:
    """The identify bucket of a shard (Discord's ``rate_limit_key``)."""
    return shard_id % max(1, max_concurrency)


def bucket_key(number: int) -> int:
    """The advisory lock key of an identify bucket."""
    return lock_key(f"identify:{number}")


class IdentifyQueue:
    """Takes a shard's turn to IDENTIFY among every process on one database; see the module."""

    def __init__(
        self,
        url: URL,
        max_concurrency: Callable[[], Awaitable[int]],
        *,
        hold: float = IDENTIFY_EVERY + SEND_MARGIN,
        connect: Connect | None = None,
    ) -> None:
        self.url = url
        self._ask_concurrency = max_concurrency
        self.hold = hold
        self._connect: Connect = connect or asyncpg_connect
        self._concurrency: int | None = None
        self._holding: set[asyncio.Task[None]] = set()

    async def max_concurrency(self) -> int:
        """Discord's ``max_concurrency``, asked once; 1 (the strictest) if it cannot be."""
        if self._concurrency is None:
            try:
                self._concurrency = max(1, int(await self._ask_concurrency()))
            except Exception as error:  # not known: queue every shard in one bucket
                log.warning(
                    "identify queue: cannot ask Discord for max_concurrency (%s); using 1", error
                )
                return 1
        return self._concurrency

    async def wait_turn(self, shard_id: int | None, *, initial: bool) -> None:
        """Return when ``shard_id`` may IDENTIFY; its bucket stays locked for :attr:`hold`
        seconds afterwards (the IDENTIFY is sent as this returns)."""
        number = bucket(shard_id or 0, await self.max_concurrency())
        connection: Any = None
        try:
            connection = await self._connect(driver_dsn(self.url))
            await connection.execute("SELECT pg_advisory_lock($1)", bucket_key(number))
        except Exception as error:  # no queue to wait in: do as discord.py does alone
            log.warning(
                "identify queue: cannot lock bucket %s (%s: %s); shard %s identifies as "
                "discord.py would",
                number,
                type(error).__name__,
                error,
                shard_id,
            )
            await _close(connection)
            if not initial:
                await asyncio.sleep(self.hold)
            return
        except BaseException:  # cancelled while waiting: leave the queue
            await _close(connection)
            raise
        log.debug("identify queue: shard %s has bucket %s", shard_id, number)
        task = asyncio.create_task(self._release_later(connection), name=f"identify {number}")
        self._holding.add(task)
        task.add_done_callback(self._holding.discard)

    async def _release_later(self, connection: Any) -> None:
        try:
            await asyncio.sleep(self.hold)
        finally:
            await _close(connection)  # ends the session, and its lock with it

    @property
    def holding(self) -> int:
        """Buckets this process holds now."""
        return len(self._holding)

    async def close(self) -> None:
        """Let every bucket go now (the process is stopping)."""
        for task in list(self._holding):
            task.cancel()
        for task in list(self._holding):
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def _close(connection: Any) -> None:
    if connection is not None:
        with contextlib.suppress(Exception):
            await connection.close(timeout=2)
