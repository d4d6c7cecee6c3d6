"""Running it for real: a stop that finishes the answers in flight, /healthz as the gateway
drops and comes back, Discord out of reach at start, and the shard settings, each with a bot
process of its own."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
from typing import Any

import aiohttp
import pytest

from tests.databases import fresh_postgres

from . import expect
from .conftest import StartBot, until_serving
from .process import BotProcess, bot_env
from .standin import StandIn
from .standin.server import CALLBACK

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

GATEWAY_BOT = "GET /gateway/bot"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def health(port: int) -> tuple[int, dict[str, Any]]:
    status, text = await get(f"http://127.0.0.1:{port}/healthz")
    body = json.loads(text)
    assert isinstance(body, dict)
    return status, body


async def test_sigterm_lets_the_answer_in_flight_finish_then_exits_0(
    standin: StandIn, start_bot: StartBot
) -> None:
    bot = await start_bot(standin)
    await until_serving(standin, bot)
    # The answer is held up: Discord says "rate limited, retry in 1 s", and discord.py waits.
    standin.fail(CALLBACK, status=429, retry_after=1.0)
    interaction = await standin.invoke("grid", position=5)
    await standin.wait_for(lambda r: r.key == CALLBACK and r.status == 429)

    bot.send_signal(signal.SIGTERM)

    expect.grid_five(await standin.wait_for_response(interaction))
    assert await bot.wait(15) == 0, bot.output
    answered = next(r for r in standin.records if r.key == CALLBACK and r.status == 200)
    (closed,) = standin.requests("WS CLOSE")
    assert closed.json == {"code": 1000, "by": "client"}
    assert standin.records.index(answered) < standin.records.index(closed), "answer, then close"
    expect.no_traceback("".join(bot.stderr))


async def test_healthz_turns_503_when_the_gateway_drops_and_200_once_it_is_back(
    standin: StandIn, start_bot: StartBot
) -> None:
    port = free_port()
    bot = await start_bot(standin, GRIDBOT_METRICS_ADDR=f"127.0.0.1:{port}")
    await until_serving(standin, bot)
    assert await health(port) == (
        200,
        {"status": "ok", "down": [], "shards": {"0": "connected"}, "database": "ok"},
    )

    standin.gateway.refusing = True  # Discord's gateway out of reach: the bot cannot resume
    await standin.gateway.drop()
    await standin.wait_for_key("WS REFUSED", timeout=20)

    status, body = await health(port)
    assert status == 503, body
    assert body["down"] == ["shard 0"] and body["shards"] == {"0": "disconnected"}
    assert body["database"] == "ok"

    standin.gateway.refusing = False
    await standin.wait_for_key("WS IDENTIFY", count=2, timeout=30)  # a new session
    await standin.gateway.caught_up(timeout=20)
    assert (await health(port))[0] == 200
    expect.grid_five(await standin.ask("grid", position=5))


async def test_metrics_count_what_the_bot_answered(standin: StandIn, start_bot: StartBot) -> None:
    port = free_port()
    bot = await start_bot(standin, GRIDBOT_METRICS_ADDR=f"127.0.0.1:{port}")
    await until_serving(standin, bot)
    await standin.ask("grid", position=5)
    await standin.ask("grid", position=99)  # a mistake the asker can fix: refused
    await standin.ask("help")

    status, text = await get(f"http://127.0.0.1:{port}/metrics")

    assert status == 200
    lines = set(text.splitlines())
    assert 'gridbot_commands_total{command="grid",outcome="answered"} 1.0' in lines
    assert 'gridbot_commands_total{command="grid",outcome="refused"} 1.0' in lines
    assert 'gridbot_shard_connected{shard="0"} 1.0' in lines
    assert 'gridbot_servers{shard="0"} 2.0' in lines, "both of the stand-in's servers"
    assert any(line.startswith('gridbot_gateway_latency_seconds{shard="0"}') for line in lines)
    assert any(line.startswith("gridbot_cache_misses_total ") for line in lines)


async def test_discord_out_of_reach_at_start_is_waited_out(tmp_path: Any) -> None:
    port = free_port()
    tries: list[int] = []
    retried = asyncio.Event()

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tries.append(port)  # a connection, then nothing: Discord not answering
        writer.transport.abort()
        # aiohttp tries a GET twice at once; a third connection is the bot trying again.
        if len(tries) >= 3:
            retried.set()

    dead = await asyncio.start_server(hang_up, "127.0.0.1", port)
    standin = StandIn(port=port)  # started once the bot has found nothing there
    env = bot_env(
        f"http://127.0.0.1:{port}",
        standin.world.token,
        tmp_path,
        GRIDBOT_DEV_GUILD_ID=str(standin.world.guild_id),
    )
    bot = await BotProcess(env, tmp_path).start()
    try:
        async with asyncio.timeout(20):
            await retried.wait()
        dead.close()
        await dead.wait_closed()
        async with standin:
            await until_serving(standin, bot)

            assert bot.returncode is None, bot.output
            # The hang-up reads as a disconnect or a reset, as the machine's timing has it.
            assert "WARNING  gridbot: cannot reach Discord (" in bot.output, bot.output
            assert "trying again in 1 s" in bot.output, bot.output
            expect.grid_five(await standin.ask("grid", position=5))
            await bot.stop()
    finally:
        await bot.stop()
    assert bot.returncode == 0, bot.output


async def test_shard_settings_with_sqlite_stop_before_connecting(
    standin: StandIn, start_bot: StartBot
) -> None:
    bot = await start_bot(standin, GRIDBOT_SHARD_COUNT="2", GRIDBOT_SHARD_IDS="1")

    assert await bot.wait(10) == 2
    assert "SQLite serves one process" in bot.output, bot.output
    expect.no_traceback(bot.output)
    assert standin.records == [], "refused before any connection"


async def test_a_process_runs_the_shards_it_is_given(standin: StandIn, start_bot: StartBot) -> None:
    port = free_port()
    async with fresh_postgres() as url:
        bot = await start_bot(
            standin,
            GRIDBOT_DATABASE_URL=url,
            GRIDBOT_SHARD_COUNT="2",
            GRIDBOT_SHARD_IDS="1",
            GRIDBOT_METRICS_ADDR=f"127.0.0.1:{port}",
        )
        await until_serving(standin, bot)

        (identify,) = standin.requests("WS IDENTIFY")
        assert identify.json["d"]["shard"] == [1, 2], "shard 1 of 2, though Discord says 1"
        # Asked once, for max_concurrency (the identify queue across processes), not the count.
        assert len(standin.requests(GATEWAY_BOT)) == 1
        status, body = await health(port)
        assert (status, body["shards"]) == (200, {"1": "connected"}), body
        await bot.stop()
    assert bot.returncode == 0, bot.output
