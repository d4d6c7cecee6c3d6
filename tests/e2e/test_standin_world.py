"""The stand-in's world beyond one guild: two servers, who asks, DMs, attachments, leave/join.

Most scenarios use the witness bot (plain discord.py, syncing globally), which reports what
discord.py made of each interaction; the floor bot and the real bot show the same from outside.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from . import expect
from .conftest import (
    GLOBAL_SYNC,
    GUILD_SYNC,
    Running,
    StartBot,
    until_serving,
    until_serving_globally,
)
from .floor_bot import FLOOR_ANSWER
from .process import SEED_DATA, BotProcess, bot_env
from .standin import StandIn, payloads
from .standin.server import DOWNLOAD

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

GRID = (
    b"| 1st | 1 | Rinaldo Capello / Tom Kristensen / Jamie McNish | Audi R8 | Audi Sport Japan "
    b"Team Goh | 3:32.838 |\n"
    b"| 2nd | 88 | Allan McNish / Frank Biela / Pierre Kaffer | Audi R8 | Audi Sport UK Team "
    b"Veloqx | 3:33.297 |\n"
    b"| 3rd | 16 | Jan Lammers / Chris Dyson / Katsutomo Kaneishi | Dome S101 Judd | Racing "
    b"for Holland | 3:34.020 |\n"
)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def witness(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Running]:
    """One stand-in and the witness bot, synced globally, for this module."""
    workdir = tmp_path_factory.mktemp("witness-bot")
    async with StandIn() as standin:
        env = bot_env(standin.base_url, standin.world.token, workdir)
        async with BotProcess(env, workdir, "tests.e2e.witness_bot") as bot:
            await until_serving_globally(standin, bot)
            yield Running(standin, bot)


async def seen(standin: StandIn, **how: Any) -> dict[str, Any]:
    """What the witness bot saw of ``/witness`` invoked with ``how``."""
    answer = await standin.ask("witness", **how)
    assert answer.type == 4 and answer.ephemeral, answer.body
    facts: dict[str, Any] = json.loads(answer.data["content"])
    return facts


async def ready(standin: StandIn) -> None:
    """Wait until discord.py called the bot ready: a GUILD_CREATE after that is a join.

    The witness bot answers only once discord.py is ready (``wait_until_ready``), so one
    answer is the event: no polling."""
    assert (await seen(standin))["ready"], "the witness bot answered before it was ready"


# 1. Two servers


async def test_ready_lists_both_guilds_and_each_gets_a_guild_create(witness: Running) -> None:
    standin, world = witness.standin, witness.standin.world
    assert standin.gateway.current is not None
    frames = standin.gateway.current.history
    both = [str(world.guild_id), str(world.other_guild_id)]

    (ready_frame,) = [f for f in frames if f["t"] == "READY"]
    created = [f["d"] for f in frames if f["t"] == "GUILD_CREATE"][:2]

    assert ready_frame["d"]["guilds"] == [{"id": g, "unavailable": True} for g in both]
    assert [g["id"] for g in created] == both
    assert [g["channels"][0]["id"] for g in created] == [
        str(world.channel_id),
        str(world.other_channel_id),
    ]
    assert world.channel_id != world.other_channel_id
    assert sorted(both) == (await seen(standin))["guilds"]


async def test_a_globally_synced_command_answers_in_both_guilds(witness: Running) -> None:
    standin, world = witness.standin, witness.standin.world

    first = await seen(standin)
    second = await seen(standin, guild=world.other_guild_id)

    assert (first["guild"], first["channel"]) == (str(world.guild_id), str(world.channel_id))
    assert (second["guild"], second["channel"]) == (
        str(world.other_guild_id),
        str(world.other_channel_id),
    )
    assert first["context"] == second["context"] == "guild"
    assert [r.status for r in standin.requests(GLOBAL_SYNC)] == [200]
    assert standin.requests(GUILD_SYNC) == []


async def test_a_guild_command_answers_only_in_its_guild(
    standin: StandIn, start_bot: StartBot
) -> None:
    other = standin.world.other_guild_id
    bot = await start_bot(standin, "tests.e2e.floor_bot", GRIDBOT_DEV_GUILD_ID=str(other))
    await until_serving(standin, bot)

    answer = await standin.ask("floor", guild=other)

    assert answer.data["content"] == FLOOR_ANSWER
    (sync,) = standin.requests(GUILD_SYNC)
    assert sync.match["guild_id"] == str(other)
    with pytest.raises(LookupError, match="has not been synced"):
        await standin.invoke("floor")
    with pytest.raises(LookupError, match="not a global command"):
        await standin.invoke("floor", dm=True)


# 2. Who is asking


async def test_invoker_permissions_and_the_application_owner(witness: Running) -> None:
    standin, world = witness.standin, witness.standin.world

    plain = await seen(standin)
    manager = await seen(standin, permissions=payloads.MANAGER_PERMISSIONS)
    owner = await seen(standin, user_id=world.owner_id)
    stranger = await seen(standin, user_id=world.user_id + 1, guild=world.other_guild_id)

    assert payloads.PLAIN_MEMBER_PERMISSIONS == payloads.MEMBER_PERMISSIONS
    assert not int(payloads.MEMBER_PERMISSIONS) & payloads.MANAGE_GUILD
    assert (plain["user"], plain["member"]) == (str(world.user_id), True)
    assert (plain["manage_guild"], plain["owner"]) == (False, False)
    assert (manager["manage_guild"], manager["owner"]) == (True, False)
    assert (owner["user"], owner["manage_guild"], owner["owner"]) == (
        str(world.owner_id),
        False,
        True,
    )
    assert (stranger["user"], stranger["owner"]) == (str(world.user_id + 1), False)


# 3. Direct messages


async def test_a_dm_has_no_guild_and_no_member(witness: Running) -> None:
    standin, world = witness.standin, witness.standin.world

    interaction = await standin.invoke("witness", dm=True)
    answer = await standin.wait_for_response(interaction)
    facts = json.loads(answer.data["content"])
    owner = await seen(standin, dm=True, user_id=world.owner_id)

    assert facts["guild"] is None and facts["guild_id"] is None
    assert (facts["dm"], facts["channel_type"], facts["context"]) == (True, 1, "bot_dm")
    assert (facts["user"], facts["member"], facts["manage_guild"]) == (
        str(world.user_id),
        False,
        False,
    )
    assert owner["owner"] and owner["guild"] is None
    sent = standin.interactions.by_id[interaction].payload
    assert "guild_id" not in sent and "member" not in sent
    assert sent["user"]["id"] == str(world.user_id)
    assert (sent["context"], sent["channel"]["type"]) == (1, 1)
    assert sent["authorizing_integration_owners"] == {"0": "0"}
    with pytest.raises(ValueError, match="no guild"):
        standin.build_interaction("witness", [], dm=True, guild=world.guild_id)


# 4. Attachments


async def test_an_attachment_option_is_downloaded_from_its_url(witness: Running) -> None:
    standin = witness.standin
    upload = standin.attachment("le-mans-2004.md", GRID)

    interaction = await standin.invoke("witness", file=upload)
    answer = await standin.wait_for_response(interaction)
    in_dm = await seen(standin, dm=True, file=standin.attachment("grid.csv", b"pos,car\n1,5\n"))

    assert json.loads(answer.data["content"])["file"] == {
        "name": "le-mans-2004.md",
        "declared_size": len(GRID),
        "size": len(GRID),
        "sha256": hashlib.sha256(GRID).hexdigest(),
        "content_type": "text/markdown; charset=utf-8",
    }
    assert in_dm["file"]["size"] == 12 and in_dm["guild"] is None
    data = standin.interactions.by_id[interaction].payload["data"]
    assert data["options"] == [{"name": "file", "type": 11, "value": upload["id"]}]
    assert data["resolved"] == {"attachments": {upload["id"]: upload}}
    assert upload["url"].startswith(standin.base_url + "/attachments/" + upload["id"] + "/")
    downloads = [r for r in standin.requests(DOWNLOAD) if r.match["attachment_id"] == upload["id"]]
    assert [(r.status, r.authorized) for r in downloads] == [(200, False)]


async def test_an_attachment_url_is_signed_like_discords(standin: StandIn) -> None:
    upload = standin.attachment("notes.txt", b"pole\n")
    unsigned = upload["url"].split("?")[0]
    forged = upload["url"].replace("hm=", "hm=0")
    standin.fail(DOWNLOAD, status=500)

    async with aiohttp.ClientSession() as http:
        got = []
        for url in (upload["url"], unsigned, forged, upload["url"]):
            async with http.get(url) as response:
                got.append((response.status, await response.read()))
                kind = response.headers["Content-Type"]

    assert [status for status, _ in got] == [500, 404, 404, 200]
    assert (got[-1][1], kind) == (b"pole\n", "text/plain; charset=utf-8")


# 5. Leaving and joining a guild


async def test_the_bot_is_removed_from_a_guild_then_added_back(witness: Running) -> None:
    standin, world = witness.standin, witness.standin.world
    other = world.other_guild_id
    await ready(standin)

    await standin.remove_from_guild(other)
    after_removal = await seen(standin)
    with pytest.raises(LookupError, match="not in guild"):
        await standin.invoke("witness", guild=other)
    await standin.add_to_guild(other)
    after_return = await seen(standin, guild=other)

    assert standin.gateway.current is not None
    deleted = [f["d"] for f in standin.gateway.current.history if f["t"] == "GUILD_DELETE"]
    assert deleted == [{"id": str(other)}], "removed, not unavailable"
    assert f"remove {other}" in after_removal["events"]
    assert after_removal["guilds"] == [str(world.guild_id)]
    assert after_return["events"][-1] == f"join {other}"
    assert after_return["guilds"] == sorted([str(world.guild_id), str(other)])


async def test_a_new_session_lists_only_the_guilds_the_bot_is_in(standin: StandIn) -> None:
    world = standin.world
    await standin.remove_from_guild(world.other_guild_id)  # before any bot: membership only

    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(standin.gateway.url + "?v=10&encoding=json") as ws,
    ):
        hello = await ws.receive_json()
        await ws.send_json({"op": 2, "d": {"token": world.token, "intents": 1, "properties": {}}})
        frames = [await ws.receive_json() for _ in range(2)]
        await standin.add_to_guild(world.other_guild_id)
        joined = await ws.receive_json()

    assert hello["op"] == 10
    assert [f["t"] for f in frames] == ["READY", "GUILD_CREATE"]
    assert frames[0]["d"]["guilds"] == [{"id": str(world.guild_id), "unavailable": True}]
    assert frames[1]["d"]["id"] == str(world.guild_id)
    assert (joined["t"], joined["d"]["id"]) == ("GUILD_CREATE", str(world.other_guild_id))
    assert frames[1]["d"]["unavailable"] is False, "backfill of a guild READY listed"
    assert "unavailable" not in joined["d"], "a join, not a guild coming back"


# The real bot, syncing globally: both guilds, and /import with an attachment


async def test_the_real_bot_serves_both_guilds_and_imports_an_upload(
    standin: StandIn, start_bot: StartBot, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(SEED_DATA, data)  # /import writes into it
    bot = await start_bot(standin, dev_guild=False, GRIDBOT_DATA_DIR=str(data))
    await until_serving_globally(standin, bot)
    other = standin.world.other_guild_id

    expect.grid_five(await standin.ask("grid", position=5))
    expect.grid_five(await standin.ask("grid", position=5, guild=other))
    refused = await standin.ask("import", file=standin.attachment("refused.md", GRID))
    upload = standin.attachment("le-mans-2004.md", GRID)
    asked = await standin.invoke(
        "import", file=upload, guild=other, permissions=payloads.MANAGER_PERMISSIONS
    )
    first = await standin.wait_for_response(asked)
    imported = await standin.wait_for_followup(asked) if first.type == 5 else first

    assert refused.ephemeral and "Manage Server" in refused.text, refused.text
    downloads = [(r.match["attachment_id"], r.status) for r in standin.requests(DOWNLOAD)]
    assert downloads == [(upload["id"], 200)], "only the manager's upload is read"
    assert imported.ephemeral and "le-mans-2004" in imported.text, imported.text
    expect.pings_nobody(imported)
    expect.no_traceback(bot.output)
