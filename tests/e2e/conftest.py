"""Fixtures: a stand-in per test, a bot launcher, and one bot shared by the scenarios that can.

Every async fixture and test here runs on the session's event loop, because the shared
stand-in and bot outlive a single test. After every test, a body the bot sent that broke
Discord's OpenAPI description fails that test (see ``standin/openapi.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from .process import BotProcess, bot_env
from .standin import StandIn

GUILD_SYNC = "PUT /applications/{application_id}/guilds/{guild_id}/commands"
GLOBAL_SYNC = "PUT /applications/{application_id}/commands"
STARTUP_TIMEOUT = 20.0

StartBot = Callable[..., Awaitable[BotProcess]]


@dataclass(frozen=True)
class Running:
    standin: StandIn
    bot: BotProcess


async def until_serving(standin: StandIn, bot: BotProcess, *, identified: int = 1) -> None:
    """Wait until the bot has synced its guild commands, identified on the gateway and read
    READY and the GUILD_CREATE of both guilds.

    ``identified`` is how many IDENTIFYs the stand-in must have seen (2 for a restarted bot).
    """
    try:
        await standin.wait_for_key(GUILD_SYNC, timeout=STARTUP_TIMEOUT)
        await standin.wait_for_key("WS IDENTIFY", timeout=STARTUP_TIMEOUT, count=identified)
        await standin.gateway.caught_up(timeout=STARTUP_TIMEOUT)
    except (TimeoutError, RuntimeError) as exc:
        raise AssertionError(
            f"bot did not come up: {exc}\n--- bot output ---\n{bot.output}"
        ) from None


async def until_serving_globally(standin: StandIn, bot: BotProcess, *, identified: int = 1) -> None:
    """Wait until a bot that syncs globally (``start_bot(standin, dev_guild=False)``) serves.

    Such a bot syncs in ``setup_hook``, before it connects, and only when its command hash
    changed. The hash is kept in its state dir (``<workdir>/state``) per application id, and
    every stand-in has a new one: a fresh stand-in always gets a sync, and a bot restarted with
    the same workdir against the same stand-in skips it, finding its commands already there.
    So once it has read READY and the guilds, the stand-in holds its global commands; if not
    (a refused sync, or a development guild set), this fails saying which.
    Its commands can then be invoked in both guilds and, where allowed, in the bot's DM.
    """
    try:
        await standin.wait_for_key("WS IDENTIFY", timeout=STARTUP_TIMEOUT, count=identified)
        await standin.gateway.caught_up(timeout=STARTUP_TIMEOUT)
    except (TimeoutError, RuntimeError) as exc:
        raise AssertionError(
            f"bot did not come up: {exc}\n--- bot output ---\n{bot.output}"
        ) from None
    if not standin.rest.commands.get(None):
        syncs = [f"{r.status} {r.json}" for r in standin.requests(GLOBAL_SYNC)]
        if syncs:
            why = f"Discord refused its global sync: {syncs}"
        elif "GRIDBOT_DEV_GUILD_ID" in bot.env:
            why = "GRIDBOT_DEV_GUILD_ID is set, so it syncs to that guild (use until_serving)"
        else:
            why = f"it skipped the sync: {bot.env.get('GRIDBOT_STATE_DIR')} remembers one"
        raise AssertionError(
            f"bot serves no global commands: {why}\n--- bot output ---\n{bot.output}"
        )


@pytest.fixture(autouse=True)
def bodies_follow_discords_openapi(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test during which the bot sent a body Discord's OpenAPI description refuses.

    A test that sends one on purpose claims it with ``standin.take_invalid_bodies()``.
    """
    yield
    for value in list(request.node.funcargs.values()):
        standin = value.standin if isinstance(value, Running) else value
        if not isinstance(standin, StandIn):
            continue
        if refused := standin.take_invalid_bodies():
            lines = [f"{r.key} -> {r.status}: {r.invalid_detail}" for r in refused]
            pytest.fail(
                "the bot sent bodies that break Discord's OpenAPI description:\n"
                + "\n".join(lines),
                pytrace=False,
            )


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
