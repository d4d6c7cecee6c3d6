"""Two bot processes, one shard each, one PostgreSQL database, one stand-in serving two shards.

The stand-in routes each server's events to its shard, ``(guild_id >> 22) % 2``, and its world
has servers on both. Through the processes' own sockets: each receives only its shards'
servers, the two IDENTIFYs queue one after the other, a change through one process is answered
by the other once it hears of it, an import survives the shard ranges swapping, and
``/healthz`` follows a shard's connection.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from bot.storage.identify import IDENTIFY_EVERY
from tests.databases import fresh_postgres

from . import expect
from .process import BotProcess, bot_env
from .standin import StandIn, payloads
from .standin.gateway import shard_of
from .standin.server import CallbackResult
from .test_ops_lifecycle import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

SHARDS = 2
GUILDS = 6
"""Servers in the stand-in's world: three on each shard."""
STARTUP_TIMEOUT = 40.0
"""Two processes start, one waiting its turn to identify."""
HEARD_TIMEOUT = 30.0
"""Generous: the 1 s figure is measured in bench/shards_bench.py, not asserted here."""
MANAGER = payloads.MANAGER_PERMISSIONS
SPA = b"""\
| Pos | No. | Driver | Car | Team | Best lap |
|---|---|---|---|---|---|
| 1 | 7 | A. Driver | Test Car | Spa Racing | 2:15.1234 |
| 2 | 9 | C. Driver | Other Car | Other Team | 2:16.0000 |
"""


@dataclass
class Shard:
    """One bot process and the shards it runs."""

    bot: BotProcess
    ids: str
    port: int

    async def health(self) -> tuple[int, dict[str, Any]]:
        url = f"http://127.0.0.1:{self.port}/healthz"
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            body = json.loads(await response.text())
            assert isinstance(body, dict)
            return response.status, body

    async def metrics(self) -> set[str]:
        url = f"http://127.0.0.1:{self.port}/metrics"
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            return set((await response.text()).splitlines())


@dataclass
class Cluster:
    standin: StandIn
    url: str
    processes: list[Shard]


def shard_env(standin: StandIn, url: str, workdir: Path, ids: str, port: int) -> dict[str, str]:
    return bot_env(
        standin.base_url,
        standin.world.token,
        workdir,
        GRIDBOT_DATABASE_URL=url,
        GRIDBOT_SHARD_COUNT=str(SHARDS),
        GRIDBOT_SHARD_IDS=ids,
        GRIDBOT_METRICS_ADDR=f"127.0.0.1:{port}",
    )


async def until_shard_serves(
    standin: StandIn, process: Shard, shard: int, *, identified: int = 1
) -> None:
    """Wait until the process has identified as ``shard`` (``identified`` times in all) and
    read everything the stand-in sent that shard's session, and the stand-in holds the global
    commands it synced."""
    try:
        await standin.wait_for(
            lambda r: r.key == "WS IDENTIFY" and r.json["d"]["shard"] == [shard, SHARDS],
            timeout=STARTUP_TIMEOUT,
            count=identified,
        )
        await standin.gateway.caught_up(shard=shard, timeout=STARTUP_TIMEOUT)
    except (TimeoutError, RuntimeError) as exc:
        raise AssertionError(
            f"shard {shard} did not come up: {exc}\n--- bot output ---\n{process.bot.output}"
        ) from None
    assert standin.rest.commands.get(None), process.bot.output


def guilds_of(standin: StandIn, shard: int) -> set[int]:
    return {g for g in standin.world.guild_ids if shard_of(g, SHARDS) == shard}


async def settled(standin: StandIn, interaction_id: str) -> CallbackResult:
    first = await standin.wait_for_response(interaction_id)
    return await standin.wait_for_followup(interaction_id) if first.type == 5 else first


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def cluster(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Cluster]:
    """Process 0 runs shard 0, process 1 shard 1, both started at once."""
    async with StandIn(shards=SHARDS, guilds=GUILDS) as standin, fresh_postgres() as url:
        processes = []
        for number in range(SHARDS):
            workdir = tmp_path_factory.mktemp(f"shard-{number}")
            port = free_port()
            env = shard_env(standin, url, workdir, str(number), port)
            processes.append(Shard(await BotProcess(env, workdir).start(), str(number), port))
        try:
            for number, process in enumerate(processes):
                await until_shard_serves(standin, process, number)
            yield Cluster(standin, url, processes)
        finally:
            for process in processes:
                await process.bot.stop()
        for process in processes:
            assert process.bot.returncode == 0, process.bot.output
        # Process 1 logs discord.py's traceback of the refused reconnect (healthz test).
        expect.no_traceback(processes[0].bot.output)
        assert not standin.take_invalid_bodies()


async def test_each_process_receives_only_its_shards_servers(cluster: Cluster) -> None:
    standin = cluster.standin
    for number, process in enumerate(cluster.processes):
        mine = guilds_of(standin, number)
        assert len(mine) == GUILDS // SHARDS
        assert standin.gateway.sent_guilds(number) == mine
        lines = await process.metrics()
        assert f'gridbot_servers{{shard="{number}"}} {len(mine)}.0' in lines, sorted(lines)
        assert not any(f'shard="{1 - number}"' in line for line in lines), "not the other's"
    for guild in (standin.world.guild_id, standin.world.other_guild_id):
        expect.grid_five(await standin.ask("grid", position=5, guild=guild))


async def test_the_processes_identify_one_after_the_other(cluster: Cluster) -> None:
    """max_concurrency 1: both shards are in bucket 0, so one IDENTIFY per 5 s, across
    processes (the lock is taken before one and let go 5 s after it)."""
    first, second = sorted(r.at for r in cluster.standin.requests("WS IDENTIFY"))
    assert second - first >= IDENTIFY_EVERY
    for process in cluster.processes:
        assert "cannot lock bucket" not in process.bot.output, process.bot.output


async def test_a_settings_change_through_one_process_is_seen_by_the_other(
    cluster: Cluster,
) -> None:
    standin = cluster.standin
    guild = standin.world.guild_id  # on shard 0: process 0's
    other = cluster.processes[1].bot
    # Process 1 reads the server while Discord routes it there (a shard moving between
    # processes), and keeps it in its cache.
    before = await standin.ask("grid", position=5, guild=guild, via_shard=1)
    expect.grid_five(before)

    changed = await standin.ask("settings", answers="private", guild=guild, permissions=MANAGER)
    assert "only the asker sees them" in changed.text, changed.text

    await other.wait_for_output(f"server {guild} changed in another process", timeout=HEARD_TIMEOUT)
    after = await standin.ask("grid", position=5, guild=guild, via_shard=1)
    assert after.ephemeral, "answered from the change: only the asker sees it"
    again = await standin.ask("settings", answers="public", guild=guild, permissions=MANAGER)
    assert "answers: public" in again.text, again.text


async def test_the_owners_reload_reloads_every_process(cluster: Cluster) -> None:
    standin = cluster.standin
    asked = await standin.invoke("reload", user_id=standin.world.owner_id)  # via shard 0
    reloaded = await settled(standin, asked)
    assert "No grid changed" in reloaded.text, reloaded.text
    await cluster.processes[1].bot.wait_for_output(
        "reloaded the operator's files (another process reloaded them)", timeout=HEARD_TIMEOUT
    )
    assert "another process reloaded them" not in cluster.processes[0].bot.output


async def test_healthz_follows_a_shards_connection(cluster: Cluster) -> None:
    standin = cluster.standin
    zero, one = cluster.processes
    assert (await one.health())[0] == 200

    standin.gateway.refusing = True  # Discord's gateway out of reach for whoever reconnects
    dropped = asyncio.get_running_loop().time()
    await standin.gateway.drop(shard=1)
    await standin.wait_for_key("WS REFUSED", timeout=20)

    status, body = await one.health()
    assert status == 503, body
    assert body["down"] == ["shard 1"] and body["shards"] == {"1": "disconnected"}
    assert (await zero.health())[0] == 200, "the other process is not affected"

    standin.gateway.refusing = False
    await standin.wait_for(
        lambda r: r.key in ("WS IDENTIFY", "WS RESUME") and r.at > dropped, timeout=40
    )
    await standin.gateway.caught_up(shard=1, timeout=30)
    assert (await one.health())[0] == 200
    expect.grid_five(await standin.ask("grid", position=5, guild=standin.world.other_guild_id))


async def test_an_import_is_answered_by_the_other_process_after_the_ranges_swap(
    tmp_path: Path,
) -> None:
    # max_concurrency 2: the shards are in buckets of their own, so nobody waits to identify.
    sharded = StandIn(shards=SHARDS, guilds=GUILDS, max_concurrency=SHARDS)
    async with sharded as standin, fresh_postgres() as url:
        guild = standin.world.guild_id  # shard 0
        workdirs = [tmp_path / "p0", tmp_path / "p1"]
        for workdir in workdirs:
            workdir.mkdir()

        async def start(number: int, ids: str) -> Shard:
            port = free_port()
            env = shard_env(standin, url, workdirs[number], ids, port)
            return Shard(await BotProcess(env, workdirs[number]).start(), ids, port)

        first = [await start(0, "0"), await start(1, "1")]
        try:
            await until_shard_serves(standin, first[0], 0)
            await until_shard_serves(standin, first[1], 1)
            attachment = standin.attachment("2004-spa-qualifying.md", SPA)
            asked = await standin.invoke(
                "import", file=attachment, guild=guild, permissions=MANAGER
            )
            imported = await settled(standin, asked)
            assert "Imported" in imported.text, imported.text
        finally:
            for process in first:
                await process.bot.stop()
        assert [p.bot.returncode for p in first] == [0, 0], [p.bot.output for p in first]

        swapped = [await start(0, "1"), await start(1, "0")]
        try:
            await until_shard_serves(standin, swapped[1], 0, identified=2)
            await until_shard_serves(standin, swapped[0], 1, identified=2)
            answer = await standin.ask("grid", position=1, event="2004-spa-qualifying", guild=guild)
        finally:
            for process in swapped:
                await process.bot.stop()
        assert "Test Car" in answer.text and "this server's library" in answer.text, answer.text
        assert "Shard ID 0 has connected" in swapped[1].bot.output, "process 1 runs shard 0 now"
        assert "Shard ID 0 has connected" not in swapped[0].bot.output
        assert not standin.take_invalid_bodies()


async def identify_raw(standin: StandIn, shard: list[int] | None) -> tuple[int | None, list[Any]]:
    """IDENTIFY over a bare websocket; the close code and the dispatches received before it."""
    data: dict[str, Any] = {"token": standin.world.token, "intents": 1, "properties": {}}
    if shard is not None:
        data["shard"] = shard
    received: list[Any] = []
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(standin.gateway.url + "?v=10&encoding=json") as ws,
    ):
        await ws.receive_json()  # HELLO
        await ws.send_json({"op": 2, "d": data})
        async with asyncio.timeout(10):
            while True:
                message = await ws.receive()
                if message.type is not aiohttp.WSMsgType.TEXT:
                    break
                frame = json.loads(message.data)
                received.append(frame)
                if frame.get("t") == "GUILD_CREATE" and len(received) == 1 + GUILDS // SHARDS:
                    break
        return ws.close_code, received


async def test_the_standin_requires_and_checks_shards() -> None:
    async with StandIn(shards=SHARDS, guilds=GUILDS, check_bodies=False) as standin:
        assert (await identify_raw(standin, None))[0] == 4011, "sharding required"
        assert (await identify_raw(standin, [2, 2]))[0] == 4010, "invalid shard"
        _, frames = await identify_raw(standin, [1, 2])
    ready, *creates = frames
    assert ready["t"] == "READY" and ready["d"]["shard"] == [1, 2]
    assert {int(g["id"]) for g in ready["d"]["guilds"]} == guilds_of(standin, 1)
    assert {int(f["d"]["id"]) for f in creates} == guilds_of(standin, 1)
