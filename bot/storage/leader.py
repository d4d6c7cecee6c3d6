"""Jobs that must run in one process at a time (watching folders), chosen by a database lock.

On PostgreSQL the lock is a session advisory lock held on a connection of its own: it is
released when the process stops or its connection drops, and another process, trying every
``retry`` seconds, takes the job over. SQLite serves one process, which always holds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage.database import is_sqlite

log = logging.getLogger("gridbot.storage")

Job = Callable[[], Coroutine[Any, Any, None]]


def lock_key(name: str) -> int:
    """A stable 64-bit advisory lock key for a job's name."""
    return int.from_bytes(hashlib.sha256(f"gridbot:{name}".encode()).digest()[:8], signed=True)


class JobLock:
    """Runs ``job`` whenever this process holds the lock named ``name``; see the module."""

    def __init__(self, engine: AsyncEngine, name: str, *, retry: float = 5.0) -> None:
        self.engine = engine
        self.name = name
        self.key = lock_key(name)
        self.retry = retry
        self.held = asyncio.Event()
        """Set while this process holds the lock (and runs the job)."""

    async def run(self, job: Job) -> None:
        """Hold the lock and run ``job`` until cancelled; try again after losing it."""
        if is_sqlite(self.engine.url):
            self.held.set()
            try:
                await job()
            finally:
                self.held.clear()
            return
        while True:
            try:
                await self._run_once(job)
            except (OSError, DBAPIError, InterfaceError, OperationalError) as error:
                log.warning("job %s: lost its database lock (%s); trying again", self.name, error)
            await asyncio.sleep(self.retry)

    async def _run_once(self, job: Job) -> None:
        async with self.engine.connect() as connection:
            query = text("SELECT pg_try_advisory_lock(:key)")
            while not (await connection.execute(query, {"key": self.key})).scalar_one():
                await connection.rollback()
                await asyncio.sleep(self.retry)
            await connection.commit()
            log.info("job %s: this process runs it", self.name)
            self.held.set()
            task = asyncio.create_task(job(), name=f"job {self.name}")
            try:
                await self._watch(connection, task)
            finally:
                self.held.clear()
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
                with contextlib.suppress(Exception):
                    await connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": self.key}
                    )
                    await connection.commit()

    async def _watch(self, connection: AsyncConnection, task: asyncio.Task[None]) -> None:
        """Until the job ends, check every ``retry`` seconds that the lock's connection lives:
        a dropped connection has lost the lock, and another process may take the job."""
        while not task.done():
            done, _ = await asyncio.wait({task}, timeout=self.retry)
            if done:
                break
            await connection.execute(text("SELECT 1"))
            await connection.commit()
        if not task.cancelled() and task.exception() is not None:
            log.error("job %s failed", self.name, exc_info=task.exception())
