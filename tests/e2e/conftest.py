"""Fixtures: a stand-in per test, a bot launcher, and one bot shared by the scenarios that can.

Every async fixture and test here runs on the session's event loop, because the shared
stand-in and bot outlive a single test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from .process import BotProcess, bot_env
from .standin import StandIn

GUILD_SYNC = "PUT /applications/{application_id}/guilds/{guild_id}/commands"
STARTUP_TIMEOUT = 20.0

StartBot = Callable[..., Awaitable[BotProcess]]


@dataclass(frozen=True)
class Running:
    standin: StandIn
    bot: BotProcess


async def until_serving(standin: StandIn, bot: BotProcess) -> None:
    """Wait until the bot has synced its guild commands and identified on the gateway."""
    try:
        await standin.wait_for_key(GUILD_SYNC, timeout=STARTUP_TIMEOUT)
        await standin.wait_for_key("WS IDENTIFY", timeout=STARTUP_TIMEOUT)
    except TimeoutError as exc:
        raise AssertionError(
            f"bot did not come up: {exc}\n--- bot output ---\n{bot.output}"
        ) from None


@pytest_asyncio.fixture(loop_scope="session")
async def standin() -> AsyncIterator[StandIn]:
    async with StandIn() as running:
        yield running


@pytest_asyncio.fixture(loop_scope="session")
async def start_bot(tmp_path: Path) -> AsyncIterator[StartBot]:
    """Start a bot against a stand-in; every bot started is stopped at teardown.

    ``token`` defaults to the stand-in's; ``without_token`` leaves DISCORD_TOKEN unset;
    ``dev_guild`` sets GRIDBOT_DEV_GUILD_ID; ``workdir`` reuses a previous bot's directory
    (and so its state); other keywords are extra environment variables.
    """
    started: list[BotProcess] = []

    async def start(
        standin: StandIn,
        module: str = "bot",
        *,
        token: str | None = None,
        without_token: bool = False,
        dev_guild: bool = True,
        workdir: Path | None = None,
        args: tuple[str, ...] = (),
        **settings: str,
    ) -> BotProcess:
        if workdir is None:
            workdir = tmp_path / f"bot{len(started)}"
            workdir.mkdir()
        if dev_guild:
            settings = {"GRIDBOT_DEV_GUILD_ID": str(standin.world.guild_id), **settings}
        secret = None if without_token else token or standin.world.token
        env = bot_env(standin.base_url, secret, workdir, **settings)
        bot = await BotProcess(env, workdir, module, args).start()
        started.append(bot)
        return bot

    yield start
    for bot in started:
        await bot.stop()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def shared(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Running]:
    """One stand-in and one real bot, shared by the start-up, bad-input and fault scenarios."""
    workdir = tmp_path_factory.mktemp("shared-bot")
    async with StandIn() as standin:
        env = bot_env(
            standin.base_url,
            standin.world.token,
            workdir,
            GRIDBOT_DEV_GUILD_ID=str(standin.world.guild_id),
        )
        async with BotProcess(env, workdir) as bot:
            await until_serving(standin, bot)
            yield Running(standin, bot)
