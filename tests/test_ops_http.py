"""``/metrics`` and ``/healthz``: the real server on a free port, asked by a real HTTP client."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import aiohttp
import discord
import pytest
from discord import AutoShardedClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine

import bot.app
from bot.app import GridBot
from bot.cli import EXIT_CONFIG, Abort
from bot.core.store import GridStore
from bot.health import DatabaseProbe, Health, OpsError, OpsServer, shard_states
from bot.metrics import Metrics
from bot.settings import Address, Settings
from bot.storage import Libraries, parse_url
from bot.storage.database import create_engine
from tests.conftest import DATA, open_test_libraries, start_client
from tests.dispatch import RecordingAdapter, invoke

ANYWHERE = Address("127.0.0.1", 0)
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@dataclass
class FakeShard:
    closed: bool = False

    def is_closed(self) -> bool:
        return self.closed


@dataclass
class FakeGuild:
    shard_id: int


@dataclass
class FakeBot:
    """What the metrics and the health check read of an ``AutoShardedClient``."""

    shard_count: int | None
    shards: dict[int, FakeShard] = field(default_factory=dict)
    latencies: list[tuple[int, float]] = field(default_factory=list)
    guilds: list[FakeGuild] = field(default_factory=list)
    closed: bool = False

    def is_closed(self) -> bool:
        return self.closed


def two_shards(*, down: tuple[int, ...] = ()) -> AutoShardedClient:
    fake = FakeBot(
        shard_count=2,
        shards={0: FakeShard(0 in down), 1: FakeShard(1 in down)},
        latencies=[(0, 0.042), (1, math.inf)],  # shard 1 has not been acknowledged yet
        guilds=[FakeGuild(0), FakeGuild(1), FakeGuild(1)],
    )
    return cast(AutoShardedClient, fake)


def sqlite_engine(folder: Path) -> AsyncEngine:
    return create_engine(parse_url(f"sqlite:///{folder / 'health.sqlite3'}"))


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    made = sqlite_engine(tmp_path)
    yield made
    await made.dispose()


@pytest.fixture
async def libraries() -> AsyncIterator[Libraries]:
    made = Libraries.offline(GridStore(DATA))
    yield made
    await made.close()


Serve = Callable[[Metrics, Callable[[], Awaitable[Health]]], Awaitable[str]]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """Start an OpsServer on a free port; returns its base URL. Stopped at teardown."""
    servers: list[OpsServer] = []

    async def start(metrics: Metrics, health: Callable[[], Awaitable[Health]]) -> str:
        server = OpsServer(metrics, health)
        servers.append(server)
        bound = await server.start(ANYWHERE)
        assert bound.port != 0
        return f"http://{bound}"

    yield start
    for server in servers:
        await server.close()


async def get(url: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, response.headers["Content-Type"], await response.text()


def samples(text: str) -> Samples:
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def healthy(bot: AutoShardedClient, probe: DatabaseProbe) -> Callable[[], Awaitable[Health]]:
    async def check() -> Health:
        return Health(shard_states(bot, None), await probe.check())

    return check


async def test_metrics_are_served_in_prometheus_text_format(
    serve: Serve, libraries: Libraries, engine: AsyncEngine
) -> None:
    metrics = Metrics()
    metrics.observe(two_shards(down=(0, 1)), libraries)
    metrics.observe(two_shards(), libraries)  # observing anew replaces what was observed
    metrics.command("grid", "answered", 0.012)
    metrics.command("grid", "answered", 0.3)
    metrics.command("team", "refused", 0.02)
    libraries.hits, libraries.misses = 7, 3
    base = await serve(metrics, healthy(two_shards(), DatabaseProbe(engine)))

    status, content_type, text = await get(base + "/metrics")

    assert status == 200 and content_type.startswith("text/plain; version=0.0.4")
    found = samples(text)
    grid = (("command", "grid"), ("outcome", "answered"))
    assert found[("gridbot_commands_total", grid)] == 2
    assert found[("gridbot_commands_total", (("command", "team"), ("outcome", "refused")))] == 1
    assert found[("gridbot_command_seconds_count", (("command", "grid"),))] == 2
    assert found[("gridbot_command_seconds_bucket", (("command", "grid"), ("le", "0.025")))] == 1
    assert found[("gridbot_gateway_latency_seconds", (("shard", "0"),))] == 0.042
    assert ("gridbot_gateway_latency_seconds", (("shard", "1"),)) not in found, "no ack yet"
    assert found[("gridbot_shard_connected", (("shard", "0"),))] == 1
    assert found[("gridbot_shard_connected", (("shard", "1"),))] == 1
    assert text.count("gridbot_shard_connected{") == 2
    assert found[("gridbot_servers", (("shard", "0"),))] == 1
    assert found[("gridbot_servers", (("shard", "1"),))] == 2
    assert found[("gridbot_grids_cached", ())] == len(libraries.operator.catalog.grids) > 0
    assert found[("gridbot_cache_servers", ())] == 0
    assert found[("gridbot_cache_hits_total", ())] == 7
    assert found[("gridbot_cache_misses_total", ())] == 3


async def test_healthz_is_200_when_every_shard_is_connected_and_the_database_answers(
    serve: Serve, libraries: Libraries, engine: AsyncEngine
) -> None:
    base = await serve(Metrics(), healthy(two_shards(), DatabaseProbe(engine)))

    status, content_type, text = await get(base + "/healthz")

    assert (status, content_type) == (200, "application/json; charset=utf-8")
    assert _json(text) == {
        "status": "ok",
        "down": [],
        "shards": {"0": "connected", "1": "connected"},
        "database": "ok",
    }


async def test_healthz_is_503_naming_the_shard_that_is_down(
    serve: Serve, engine: AsyncEngine
) -> None:
    base = await serve(Metrics(), healthy(two_shards(down=(1,)), DatabaseProbe(engine)))

    status, _, text = await get(base + "/healthz")

    assert status == 503
    body = _json(text)
    assert body["status"] == "down" and body["down"] == ["shard 1"]
    assert body["shards"] == {"0": "connected", "1": "disconnected"}


async def test_healthz_counts_only_this_processs_shards(engine: AsyncEngine) -> None:
    """Shards 2 and 3 of 4 run elsewhere; this process runs 0 and 1, and 1 has not started."""
    fake = FakeBot(shard_count=4, shards={0: FakeShard()})
    report = Health(shard_states(cast(AutoShardedClient, fake), [0, 1]), "ok")
    assert report.shards == {0: "connected", 1: "not started"} and report.down == ["shard 1"]


async def test_healthz_is_503_before_any_shard_started_and_once_closed() -> None:
    before = Health(shard_states(cast(AutoShardedClient, FakeBot(shard_count=None)), None), "ok")
    assert not before.ok and before.down == ["gateway (no shard started yet)"]
    closing = FakeBot(shard_count=1, shards={0: FakeShard()}, closed=True)
    after = Health(shard_states(cast(AutoShardedClient, closing), None), "ok")
    assert after.shards == {0: "disconnected"}


async def test_healthz_is_503_when_the_database_fails(serve: Serve, tmp_path: Path) -> None:
    broken = sqlite_engine(tmp_path)
    (tmp_path / "health.sqlite3").mkdir()  # a folder where the database file should be
    try:
        base = await serve(Metrics(), healthy(two_shards(), DatabaseProbe(broken)))
        status, _, text = await get(base + "/healthz")
    finally:
        await broken.dispose()

    assert status == 503
    assert _json(text)["down"] == ["database"]
    assert _json(text)["database"] == "error: OperationalError"


class Hanging:
    """An engine whose connections never open, and how many were asked for."""

    def __init__(self) -> None:
        self.asked = 0
        self.release = asyncio.Event()

    @contextlib.asynccontextmanager
    async def connect(self) -> AsyncIterator[Any]:
        self.asked += 1
        await self.release.wait()
        raise ConnectionError("released")
        yield


async def test_a_database_that_hangs_is_waited_for_briefly_and_only_once(serve: Serve) -> None:
    hanging = Hanging()
    probe = DatabaseProbe(cast(AsyncEngine, hanging), timeout=0.05)
    base = await serve(Metrics(), healthy(two_shards(), probe))

    first = await get(base + "/healthz")
    second = await get(base + "/healthz")

    for status, _, text in (first, second):
        assert status == 503 and _json(text)["database"] == "no answer within 0.05 s"
    assert hanging.asked == 1, "the probe still waiting is waited on again, not doubled"
    hanging.release.set()
    assert await probe.check() == "error: ConnectionError"


async def test_only_the_two_paths_are_served(serve: Serve, engine: AsyncEngine) -> None:
    base = await serve(Metrics(), healthy(two_shards(), DatabaseProbe(engine)))
    for path in ("/", "/metrics/", "/debug", "/healthz/x"):
        status, _, _ = await get(base + path)
        assert status == 404, path


async def test_an_address_in_use_is_refused_with_the_setting_named(
    serve: Serve, engine: AsyncEngine
) -> None:
    taken = await serve(Metrics(), healthy(two_shards(), DatabaseProbe(engine)))
    port = int(taken.rsplit(":", 1)[1])
    second = OpsServer(Metrics(), healthy(two_shards(), DatabaseProbe(engine)))

    with pytest.raises(OpsError) as refused:
        await second.start(Address("127.0.0.1", port))

    assert str(refused.value).startswith(
        f"cannot serve /metrics and /healthz at GRIDBOT_METRICS_ADDR=127.0.0.1:{port}: "
    )
    assert "in use" in str(refused.value)


async def test_database_errors_are_counted_by_kind_until_unwatched(engine: AsyncEngine) -> None:
    metrics = Metrics()
    stop = metrics.watch(engine)

    for _ in range(2):
        with pytest.raises(Exception, match="no such table"):
            async with engine.connect() as connection:
                await connection.exec_driver_sql("SELECT * FROM missing")
    stop()
    with pytest.raises(Exception, match="no such table"):
        async with engine.connect() as connection:
            await connection.exec_driver_sql("SELECT * FROM missing")

    found = samples(metrics.render().decode())
    assert found[("gridbot_database_errors_total", (("kind", "OperationalError"),))] == 2


@pytest.fixture
async def counting(adapter: RecordingAdapter, tmp_path: Path) -> AsyncIterator[GridBot]:
    """A GridBot with a metrics address (not listening: no ``start``), with no connection."""
    settings = Settings.load(
        {
            "GRIDBOT_DATA_DIR": DATA,
            "GRIDBOT_STATE_DIR": tmp_path,
            "DISCORD_TOKEN": None,
            "GRIDBOT_METRICS_ADDR": "127.0.0.1:0",
        }
    )
    libraries = await open_test_libraries(f"sqlite:///{tmp_path}/gridbot.sqlite3")
    client = await start_client(settings, libraries)
    yield client
    await client.close()
    await libraries.close()


async def test_commands_are_counted_by_outcome_through_discord_dispatch(
    counting: GridBot, adapter: RecordingAdapter
) -> None:
    gridbot = counting
    await invoke(gridbot, adapter, "grid", position=5)
    await invoke(gridbot, adapter, "grid", position=99)
    await invoke(gridbot, adapter, "team", name="Lister")
    assert await gridbot.grid_tree.drain(3) == 0

    assert gridbot.metrics is not None
    found = samples(gridbot.metrics.render().decode())
    count = "gridbot_commands_total"
    assert found[(count, (("command", "grid"), ("outcome", "answered")))] == 1
    assert found[(count, (("command", "grid"), ("outcome", "refused")))] == 1
    assert found[(count, (("command", "team"), ("outcome", "answered")))] == 1
    assert found[("gridbot_command_seconds_count", (("command", "grid"),))] == 2
    assert gridbot.grid_tree.in_flight == 0


async def test_without_a_metrics_address_nothing_is_counted(
    gridbot: GridBot, adapter: RecordingAdapter
) -> None:
    await invoke(gridbot, adapter, "grid", position=5)

    assert gridbot.metrics is None and gridbot.grid_tree.metrics is None
    assert await gridbot.grid_tree.drain(3) == 0 and gridbot.grid_tree.in_flight == 0


def _json(text: str) -> dict[str, Any]:
    loaded = json.loads(text)
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture
async def started(
    no_settings: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Callable[[str], Awaitable[GridBot]]]:
    """``GridBot.start`` with ``GRIDBOT_METRICS_ADDR`` set; logging in and connecting are
    no-ops (the stand-in tests do those for real)."""
    made: list[tuple[GridBot, Libraries]] = []

    async def nothing(self: object, *args: object, **options: object) -> None:
        return None

    monkeypatch.setattr(discord.Client, "login", nothing)
    monkeypatch.setattr(discord.AutoShardedClient, "connect", nothing)

    async def start(address: str) -> GridBot:
        settings = Settings.load(
            {"GRIDBOT_DATA_DIR": str(DATA), "GRIDBOT_METRICS_ADDR": address}, env_file=None
        )
        libraries = Libraries.offline(GridStore(DATA))
        client = GridBot(settings, libraries, sync=False)
        made.append((client, libraries))
        await client._async_setup_hook()  # what logging in does first (the event loop)
        await client.start("not-a-real-token")
        return client

    yield start
    for client, libraries in made:
        await client.close()
        await libraries.close()


async def test_the_bot_serves_both_paths_from_its_start(
    started: Callable[[str], Awaitable[GridBot]],
) -> None:
    client = await started("127.0.0.1:0")
    assert client.ops_address is not None and client.ops_address.port != 0
    base = f"http://{client.ops_address}"

    status, _, text = await get(base + "/healthz")
    assert status == 503
    assert _json(text)["down"] == ["gateway (no shard started yet)"]
    assert _json(text)["database"] == "ok"
    status, _, text = await get(base + "/metrics")
    assert status == 200 and "gridbot_grids_cached " in text

    await client.close()
    with pytest.raises(aiohttp.ClientConnectionError):
        await get(base + "/healthz")


async def test_a_metrics_address_in_use_stops_the_start_as_bad_settings(
    started: Callable[[str], Awaitable[GridBot]],
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(Abort) as refused:
            await started(f"127.0.0.1:{port}")

    assert refused.value.code == EXIT_CONFIG
    assert str(refused.value).startswith(
        f"Cannot start: cannot serve /metrics and /healthz at GRIDBOT_METRICS_ADDR=127.0.0.1:{port}"
    )


async def test_a_stop_says_how_many_commands_it_could_not_wait_for(
    gridbot: GridBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    tree = gridbot.grid_tree
    tree.in_flight = 1  # a command that never finishes
    monkeypatch.setattr(bot.app, "DRAIN_SECONDS", 0.01)

    await gridbot.close()

    assert "stopping with 1 command(s) still unanswered" in caplog.text
    tree.in_flight = 0
