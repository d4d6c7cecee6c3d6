"""What one process tells Prometheus, in a registry of its own (``GRIDBOT_METRICS_ADDR``).

Counters are kept as things happen (commands, database errors); the rest is read from the bot
when Prometheus asks, on the event loop, so nothing here runs between scrapes.
"""

from __future__ import annotations

import math
from collections import Counter as Tally
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlalchemy import event

if TYPE_CHECKING:
    from discord import AutoShardedClient
    from sqlalchemy.engine import ExceptionContext
    from sqlalchemy.ext.asyncio import AsyncEngine

    from bot.storage import Libraries

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
"""Prometheus' text format, as :func:`prometheus_client.generate_latest` writes it."""

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Seconds; Discord wants an answer (or a deferral) within 3 s."""


class Metrics:
    """The process's metrics. :meth:`observe` adds what is read from a running bot."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.commands = Counter(
            "gridbot_commands",
            "Slash commands handled, by command and outcome: answered, refused (a mistake the "
            "asker can fix, or no right to it), out_of_date (Discord's definition differs from "
            "the bot's), failed (a bug, logged)",
            ["command", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "gridbot_command_seconds",
            "Seconds from a slash command's arrival to its answer having been sent",
            ["command"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.database_errors = Counter(
            "gridbot_database_errors",
            "Errors the database raised, by SQLAlchemy's kind (OperationalError, ...)",
            ["kind"],
            registry=self.registry,
        )
        self._state: _State | None = None

    def command(self, name: str, outcome: str, seconds: float) -> None:
        self.commands.labels(name, outcome).inc()
        self.latency.labels(name).observe(seconds)

    def observe(self, bot: AutoShardedClient, libraries: Libraries) -> None:
        """Read shards, servers and the grid cache from ``bot`` whenever metrics are asked."""
        if self._state is not None:
            self.registry.unregister(self._state)
        self._state = _State(bot, libraries)
        self.registry.register(self._state)

    def watch(self, engine: AsyncEngine) -> Callable[[], None]:
        """Count every error ``engine``'s database raises; returns what stops counting."""

        def count(context: ExceptionContext) -> None:
            self.database_errors.labels(type(context.sqlalchemy_exception).__name__).inc()

        target = engine.sync_engine
        event.listen(target, "handle_error", count)
        return lambda: event.remove(target, "handle_error", count)

    def render(self) -> bytes:
        """Every metric in Prometheus' text format (:data:`CONTENT_TYPE`)."""
        return generate_latest(self.registry)


class _State:
    """Gauges read from the bot at each scrape."""

    def __init__(self, bot: AutoShardedClient, libraries: Libraries) -> None:
        self.bot = bot
        self.libraries = libraries

    def collect(self) -> Iterator[Metric]:
        bot, libraries = self.bot, self.libraries
        latency = GaugeMetricFamily(
            "gridbot_gateway_latency_seconds",
            "Time between a heartbeat and its acknowledgement, per shard",
            labels=["shard"],
        )
        for shard, seconds in bot.latencies:
            if math.isfinite(seconds):
                latency.add_metric([str(shard)], seconds)
        yield latency
        up = GaugeMetricFamily(
            "gridbot_shard_connected",
            "1 while the shard's gateway connection is open",
            labels=["shard"],
        )
        for shard, info in sorted(bot.shards.items()):
            up.add_metric([str(shard)], 0.0 if info.is_closed() else 1.0)
        yield up
        servers = GaugeMetricFamily(
            "gridbot_servers", "Servers (guilds) the bot is in, per shard", labels=["shard"]
        )
        per_shard = Tally(guild.shard_id for guild in bot.guilds)
        for shard in sorted(set(per_shard) | set(bot.shards)):
            servers.add_metric([str(shard)], per_shard[shard])
        yield servers
        yield from _cache(libraries)


def _cache(libraries: Libraries) -> Iterator[Metric]:
    """The grid cache: Gridbot's own grids (always loaded), the servers' libraries held in
    memory and their size, and lookups that found a server's library cached or read it."""
    yield GaugeMetricFamily(
        "gridbot_grids_cached",
        "Gridbot's own grids, always held in memory",
        value=len(libraries.operator.catalog.grids),
    )
    # The facade has no public figures for its cache yet: its length and size are read
    # without touching the entries (reading one would count as a use and reorder the cache).
    cache: Any = getattr(libraries, "_cache", None)
    yield GaugeMetricFamily(
        "gridbot_cache_servers",
        "Servers whose library is held in the cache",
        value=len(cache) if cache is not None else 0,
    )
    yield GaugeMetricFamily(
        "gridbot_cache_bytes",
        "Estimated memory taken by the servers' libraries in the cache",
        value=getattr(cache, "currsize", 0),
    )
    yield CounterMetricFamily(
        "gridbot_cache_hits", "Lookups that found a server's library cached", value=libraries.hits
    )
    yield CounterMetricFamily(
        "gridbot_cache_misses",
        "Lookups that read a server's library from the database",
        value=libraries.misses,
    )
