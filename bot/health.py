"""``/healthz`` and ``/metrics`` on ``GRIDBOT_METRICS_ADDR``, served on the bot's event loop.

``/healthz`` answers 200 when every shard this process runs is connected and the database
answers ``SELECT 1`` within :data:`DATABASE_TIMEOUT`; else 503. Its JSON body says which part
is down: ``{"status": "down", "down": ["shard 1"], "shards": {"0": "connected", "1":
"disconnected"}, "database": "ok"}``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from bot.metrics import CONTENT_TYPE, Metrics
from bot.settings import Address

if TYPE_CHECKING:
    from discord import AutoShardedClient
    from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("gridbot.health")

DATABASE_TIMEOUT = 2.0
"""Seconds the database has to answer ``SELECT 1`` for ``/healthz``."""

CONNECTED = "connected"


@dataclass(frozen=True)
class Health:
    shards: dict[int, str]
    """Each shard this process runs: ``connected``, ``disconnected`` or ``not started``."""
    database: str
    """``ok``, or why not."""

    @property
    def down(self) -> list[str]:
        parts = [f"shard {shard}" for shard, state in self.shards.items() if state != CONNECTED]
        if not self.shards:
            parts.append("gateway (no shard started yet)")
        if self.database != "ok":
            parts.append("database")
        return parts

    @property
    def ok(self) -> bool:
        return not self.down

    def body(self) -> dict[str, object]:
        return {
            "status": "ok" if self.ok else "down",
            "down": self.down,
            "shards": {str(shard): state for shard, state in self.shards.items()},
            "database": self.database,
        }


def shard_states(bot: AutoShardedClient, wanted: Sequence[int] | None) -> dict[int, str]:
    """The state of each shard this process runs (``wanted``, else all of its count)."""
    running = bot.shards
    if wanted is None:
        wanted = range(bot.shard_count) if bot.shard_count else sorted(running)
    states = {}
    for shard in wanted:
        info = running.get(shard)
        if info is None:
            states[shard] = "not started"
        elif bot.is_closed() or info.is_closed():
            states[shard] = "disconnected"
        else:
            states[shard] = CONNECTED
    return states


class DatabaseProbe:
    """``SELECT 1`` with a deadline. A probe still waiting is waited on again, never doubled,
    so a database that hangs costs one connection however often ``/healthz`` is asked."""

    def __init__(self, engine: AsyncEngine, timeout: float = DATABASE_TIMEOUT) -> None:
        self.engine = engine
        self.timeout = timeout
        self._probe: asyncio.Task[None] | None = None
        self._was_ok = True

    async def check(self) -> str:
        """``ok``, or why not (the details go to the log, once per failure)."""
        if self._probe is None or self._probe.done():
            self._probe = asyncio.create_task(self._select())
            self._probe.add_done_callback(_retrieve)
        done, _ = await asyncio.wait({self._probe}, timeout=self.timeout)
        if not done:
            state = f"no answer within {self.timeout:g} s"
        elif (error := self._probe.exception()) is not None:
            state = f"error: {type(error).__name__}"
            if self._was_ok:
                log.warning("health: the database failed SELECT 1: %s", error)
        else:
            state = "ok"
        self._was_ok = state == "ok"
        return state

    async def _select(self) -> None:
        async with self.engine.connect() as connection:
            await connection.exec_driver_sql("SELECT 1")


def _retrieve(task: asyncio.Task[None]) -> None:
    """Mark a probe's failure as seen even when nobody waited for it to end."""
    if not task.cancelled():
        task.exception()


class OpsError(Exception):
    """The metrics address cannot be listened on."""


class OpsServer:
    """The HTTP server of ``/metrics`` and ``/healthz``; nothing else is served."""

    def __init__(self, metrics: Metrics, health: Callable[[], Awaitable[Health]]) -> None:
        self.metrics = metrics
        self.health = health
        self._runner: web.AppRunner | None = None

    async def start(self, address: Address) -> Address:
        """Listen on ``address``; returns where (port 0 picks a free one)."""
        app = web.Application()
        app.add_routes([web.get("/metrics", self._metrics), web.get("/healthz", self._healthz)])
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1)
        await runner.setup()
        try:
            await web.TCPSite(runner, address.host, address.port).start()
        except OSError as error:
            await runner.cleanup()
            raise OpsError(
                f"cannot serve /metrics and /healthz at GRIDBOT_METRICS_ADDR={address}: "
                f"{error.strerror or error}"
            ) from None
        self._runner = runner
        host, port = runner.addresses[0][:2]
        return Address(str(host), int(port))

    async def close(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def _metrics(self, request: web.Request) -> web.Response:
        return web.Response(body=self.metrics.render(), headers={"Content-Type": CONTENT_TYPE})

    async def _healthz(self, request: web.Request) -> web.Response:
        report = await self.health()
        return web.json_response(report.body(), status=200 if report.ok else 503)
