"""Start-up failures and shutdown, each with a bot process of its own."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from . import expect
from .conftest import Running, StartBot, until_serving
from .standin import StandIn

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

WRONG_TOKEN = "XTAxMDEwMTAxMDEwMTAxMDEw.WrOnG0.this-token-is-wrong-and-must-stay-secret-0"


async def test_no_token_exits_naming_discord_token(standin: StandIn, start_bot: StartBot) -> None:
    bot = await start_bot(standin, without_token=True)

    assert await bot.wait(10) != 0
    assert "DISCORD_TOKEN" in bot.output
    expect.no_traceback(bot.output)
    assert standin.records == [], "nothing to connect with, so no connection"


async def test_rejected_token_exits_clearly_without_printing_it(
    standin: StandIn, start_bot: StartBot
) -> None:
    bot = await start_bot(standin, token=WRONG_TOKEN)

    assert await bot.wait(10) != 0
    assert [(r.key, r.status) for r in standin.records] == [("GET /users/@me", 401)]
    assert "401" in bot.output or "rejected" in bot.output.lower(), bot.output
    assert WRONG_TOKEN not in bot.output
    assert WRONG_TOKEN.split(".")[-1] not in bot.output, "not even the secret part"
    expect.no_traceback(bot.output)


async def test_malformed_data_file_exits_naming_file_and_line_before_connecting(
    standin: StandIn, start_bot: StartBot, tmp_path: Path
) -> None:
    data = tmp_path / "grids"
    data.mkdir()
    bad = data / "broken-qualifying.md"
    bad.write_text(
        "| 1st | 5 | Seiji Ara | Audi R8 | Audi Japan Team Goh | 1:27.8980 |\n"
        "| 2nd | 8 | Jan Lammers | Dome S101 Judd | Racing For Holland | 1:28.3800 |\n"
        "| 3rd | 4 | Tom Coronel | Lister Storm LMP | Lister Racing | 1:2x.0560 |\n",
        encoding="utf-8",
    )

    bot = await start_bot(standin, GRIDBOT_DATA_DIR=str(data))

    assert await bot.wait(10) != 0
    assert f"{bad.name}:3" in bot.output, bot.output
    expect.no_traceback(bot.output)
    assert standin.records == [], "no connection before the data is known good"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_signal_closes_the_gateway_with_1000_and_exits_0(
    standin: StandIn, start_bot: StartBot, sig: signal.Signals
) -> None:
    bot = await start_bot(standin)
    await until_serving(standin, bot)
    expect.grid_five(await standin.ask("grid", position=5))

    bot.send_signal(sig)

    assert await bot.wait(5) == 0, bot.output
    (closed,) = standin.requests("WS CLOSE")
    assert closed.json == {"code": 1000, "by": "client"}
    expect.no_traceback("".join(bot.stderr))
    assert standin.world.token not in bot.output


async def test_the_shared_bot_runs_on_uvloop_and_speaks_zstd(shared: Running) -> None:
    assert "event loop: uvloop 0." in shared.bot.output, shared.bot.output
    connect = shared.standin.requests("WS CONNECT")[0]
    assert connect.query["compress"] == "zstd-stream", "discord.py[speed] brings zstandard"


@pytest.mark.parametrize(
    ("environ", "logged", "compress"),
    [
        ({"GRIDBOT_UVLOOP": "off"}, "asyncio (uvloop turned off: GRIDBOT_UVLOOP=off)", "zstd"),
        ({"GRIDBOT_E2E_PLAIN": "1"}, "asyncio (uvloop is not installed)", "zlib"),
    ],
    ids=["uvloop-off", "plain-discord-py"],
)
async def test_serves_and_stops_cleanly_on_asyncios_own_loop(
    standin: StandIn, start_bot: StartBot, environ: dict[str, str], logged: str, compress: str
) -> None:
    """Turned off, or not installed at all (as on Windows, with no speed packages either)."""
    bot = await start_bot(standin, **environ)
    await until_serving(standin, bot)
    expect.grid_five(await standin.ask("grid", position=5))

    bot.send_signal(signal.SIGTERM)

    assert await bot.wait(5) == 0, bot.output
    assert f"event loop: {logged}" in bot.output, bot.output
    assert standin.requests("WS CONNECT")[0].query["compress"] == f"{compress}-stream"
    (closed,) = standin.requests("WS CLOSE")
    assert closed.json == {"code": 1000, "by": "client"}
    expect.no_traceback("".join(bot.stderr))


async def test_sync_command_stops_on_sigterm_even_while_rate_limited(
    standin: StandIn, start_bot: StartBot
) -> None:
    standin.fail("PUT /applications/{application_id}/commands", status=429, retry_after=30)
    bot = await start_bot(standin, dev_guild=False, args=("sync",))
    await standin.wait_for(lambda r: r.status == 429, timeout=20)

    bot.send_signal(signal.SIGTERM)

    assert await bot.wait(5) == 0, bot.output
    expect.no_traceback("".join(bot.stderr))


async def test_a_token_reset_while_running_exits_as_a_rejected_token(
    standin: StandIn, start_bot: StartBot
) -> None:
    bot = await start_bot(standin)
    await until_serving(standin, bot)

    await standin.gateway.close(4004)

    assert await bot.wait(10) == 3, bot.output
    assert "Discord rejected the token" in bot.output
    expect.no_traceback("".join(bot.stderr))
    assert standin.world.token not in bot.output
