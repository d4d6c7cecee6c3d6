"""Discord out of reach at start: waited out with capped exponential backoff, logged; a rejected
token still stops at once."""

from __future__ import annotations

import itertools
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import discord
import pytest

import bot.app
from bot.app import GridBot, backoff
from bot.core.store import GridStore
from bot.settings import Settings
from bot.storage import Libraries
from tests.conftest import DATA

TOKEN = "not-a-real-token"


def test_backoff_doubles_from_one_second_to_its_cap() -> None:
    waits = list(itertools.islice(backoff(jitter=0), 9))
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_backoff_cap_and_start_are_settings() -> None:
    assert list(itertools.islice(backoff(first=0.5, cap=3, jitter=0), 5)) == [0.5, 1, 2, 3, 3]


def test_backoff_jitter_only_stretches_each_wait_by_at_most_a_tenth() -> None:
    plain = list(itertools.islice(backoff(jitter=0), 200))
    stretched = list(itertools.islice(backoff(), 200))
    assert all(wait <= got <= wait * 1.1 for wait, got in zip(plain, stretched, strict=True))
    assert len(set(stretched[-50:])) > 1, "processes started together spread their retries"


@pytest.fixture
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The policy is tested above; here every wait is zero seconds."""
    monkeypatch.setattr(bot.app, "backoff", lambda: itertools.repeat(0.0))
    yield


@pytest.fixture
async def client(no_settings: None, tmp_path: Path) -> AsyncIterator[GridBot]:
    settings = Settings.load({"GRIDBOT_DATA_DIR": str(DATA), "GRIDBOT_STATE_DIR": str(tmp_path)})
    libraries = Libraries.offline(GridStore(DATA))
    made = GridBot(settings, libraries, sync=False)
    await made._async_setup_hook()  # what logging in does first (the event loop, the queue)
    yield made
    await made.close()
    await libraries.close()


def failing(monkeypatch: pytest.MonkeyPatch, name: str, errors: list[BaseException]) -> list[str]:
    """Make discord.py's ``name`` (``login`` or ``launch_shards``) raise ``errors`` one by one,
    then succeed; returns the list of calls it receives."""
    calls: list[str] = []
    owner = discord.Client if name == "login" else discord.AutoShardedClient

    async def fake(self: discord.Client, *args: object) -> None:
        calls.append(name)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]

    monkeypatch.setattr(owner, name, fake)
    return calls


UNREACHABLE = [
    aiohttp.ClientConnectionError("Cannot connect to host discord.com:443"),
    aiohttp.ServerDisconnectedError(),
    ConnectionRefusedError(111, "Connection refused"),
    TimeoutError(),
]


async def test_login_waits_out_an_unreachable_discord_logging_each_try(
    client: GridBot,
    monkeypatch: pytest.MonkeyPatch,
    no_waiting: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls = failing(monkeypatch, "login", list(UNREACHABLE))

    with caplog.at_level(logging.WARNING, logger="gridbot"):
        await client.login(TOKEN)

    assert len(calls) == len(UNREACHABLE) + 1
    tries = [r.getMessage() for r in caplog.records if "cannot reach Discord" in r.getMessage()]
    assert len(tries) == len(UNREACHABLE)
    assert tries[0].startswith("cannot reach Discord (ClientConnectionError: Cannot connect to")
    assert tries[0].endswith("trying again in 0 s")
    assert "ServerDisconnectedError" in tries[1] and "(TimeoutError)" in tries[3]


async def test_each_try_logs_in_on_a_new_connector_bounded_per_host(
    client: GridBot, monkeypatch: pytest.MonkeyPatch, no_waiting: None
) -> None:
    connectors: list[aiohttp.BaseConnector] = []

    async def fake(self: discord.Client, token: str) -> None:
        connectors.append(self.http.connector)
        if len(connectors) == 1:
            raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(discord.Client, "login", fake)
    await client.login(TOKEN)

    first, second = connectors
    assert first is not second
    assert isinstance(second, aiohttp.TCPConnector)
    assert (second.limit, second.limit_per_host) == (0, bot.app.CONNECTIONS_PER_HOST)


async def test_a_rejected_token_is_not_retried(
    client: GridBot, monkeypatch: pytest.MonkeyPatch, no_waiting: None
) -> None:
    calls = failing(monkeypatch, "login", [discord.LoginFailure("Improper token has been passed.")])

    with pytest.raises(discord.LoginFailure):
        await client.login(TOKEN)
    assert calls == ["login"]


async def test_a_failure_after_the_cogs_loaded_is_not_retried(
    client: GridBot, monkeypatch: pytest.MonkeyPatch, no_waiting: None
) -> None:
    async def fake(self: discord.Client, token: str) -> None:
        await self.setup_hook()  # logged in, cogs loaded; then the network goes
        raise aiohttp.ClientConnectionError("gone")

    monkeypatch.setattr(discord.Client, "login", fake)
    with pytest.raises(aiohttp.ClientConnectionError):
        await client.login(TOKEN)


async def test_asking_for_the_gateway_is_retried_too(
    client: GridBot,
    monkeypatch: pytest.MonkeyPatch,
    no_waiting: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Why mypy is silenced below: discord.py leaves GatewayNotFound.__init__ unannotated
    no_gateway = discord.GatewayNotFound()  # type: ignore[no-untyped-call]
    calls = failing(monkeypatch, "launch_shards", [no_gateway, aiohttp.ClientOSError()])

    with caplog.at_level(logging.WARNING, logger="gridbot"):
        await client.launch_shards()

    assert calls == ["launch_shards"] * 3
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == [
        "cannot ask Discord for the gateway"
    ] * 2


async def test_something_else_going_wrong_is_not_waited_out(
    client: GridBot, monkeypatch: pytest.MonkeyPatch, no_waiting: None
) -> None:
    calls = failing(monkeypatch, "launch_shards", [KeyError("shard")])
    with pytest.raises(KeyError):
        await client.launch_shards()
    assert calls == ["launch_shards"]
