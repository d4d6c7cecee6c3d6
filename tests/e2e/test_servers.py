"""Every server its own grids, end to end: the real bot, two servers, a DM, a restart.

One bot syncing globally serves both of the stand-in's servers; each scenario imports grids
of its own names, so none depends on another's order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from . import expect
from .conftest import Running, StartBot, until_serving_globally
from .process import BotProcess, bot_env
from .standin import StandIn, payloads
from .standin.server import CallbackResult

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

MANAGER = payloads.MANAGER_PERMISSIONS
MEMBER = payloads.PLAIN_MEMBER_PERMISSIONS


def grid(team: str, rows: int = 3) -> bytes:
    """A small valid grid whose every team is ``team`` (to tell grids apart in answers)."""
    lines = [
        f"| {p} | {p + 10} | Driver {p} | Test Car | {team} | 1:3{p % 10}.{p:03d} |"
        for p in range(1, rows + 1)
    ]
    return ("\n".join(lines) + "\n").encode()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def servers(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Running]:
    workdir = tmp_path_factory.mktemp("servers-bot")
    async with StandIn() as standin:
        env = bot_env(standin.base_url, standin.world.token, workdir)
        async with BotProcess(env, workdir) as bot:
            await until_serving_globally(standin, bot)
            yield Running(standin, bot)


async def settled(standin: StandIn, interaction_id: str) -> CallbackResult:
    """The answer to an interaction, through its deferral when it deferred."""
    first = await standin.wait_for_response(interaction_id)
    return await standin.wait_for_followup(interaction_id) if first.type == 5 else first


async def upload(
    standin: StandIn,
    name: str,
    data: bytes,
    *,
    guild: int | None = None,
    permissions: str = MANAGER,
    **options: Any,
) -> CallbackResult:
    attachment = standin.attachment(name, data)
    asked = await standin.invoke(
        "import", file=attachment, guild=guild, permissions=permissions, **options
    )
    return await settled(standin, asked)


async def test_an_import_is_seen_only_in_its_own_server(servers: Running) -> None:
    standin = servers.standin
    other = standin.world.other_guild_id
    imported = await upload(standin, "2005-petit-le-mans-qualifying.md", grid("Home Racing"))
    assert imported.ephemeral and "Imported" in imported.text, imported.text

    here = await standin.ask("team", name="home", event="2005-petit-le-mans-qualifying")
    assert "Home Racing" in here.text and "this server's library" in here.text

    there = await standin.ask(
        "team", name="home", event="2005-petit-le-mans-qualifying", guild=other
    )
    assert there.ephemeral and "Home Racing" not in there.text, there.text
    events_here = await standin.ask("events")
    events_there = await standin.ask("events", guild=other)
    assert "2005 Petit Le Mans" in events_here.text
    assert "2005 Petit Le Mans" not in events_there.text
    assert "Gridbot library" in events_there.text

    offered_here = await standin.wait_for_response(
        await standin.autocomplete("grid", "event", event="petit")
    )
    offered_there = await standin.wait_for_response(
        await standin.autocomplete("grid", "event", event="petit", guild=other)
    )
    assert [c["value"] for c in offered_here.body["data"]["choices"]] == [
        "2005-petit-le-mans-qualifying"
    ]
    assert offered_there.body["data"]["choices"] == []
    expect.no_traceback(servers.bot.output)


async def test_replace_in_one_server_leaves_the_other_byte_identical(servers: Running) -> None:
    standin = servers.standin
    other = standin.world.other_guild_id
    seed_key = "2003-1000km-le-mans-qualifying"
    before = await standin.ask("grid", position=1, event=seed_key, guild=other)

    # The same name as the operator's seed grid: this server's own copy wins here only.
    first = await upload(standin, f"{seed_key}.md", grid("Shadow Racing"))
    assert "Imported" in first.text, first.text
    again = await upload(standin, f"{seed_key}.md", grid("Shadow Two"), replace=True)
    assert "Replaced" in again.text and "v2" in again.text, again.text

    here = await standin.ask("grid", position=1, event=seed_key)
    assert "Shadow Two" in here.text and "this server's library" in here.text
    after = await standin.ask("grid", position=1, event=seed_key, guild=other)
    assert after.data == before.data, "the other server's answer did not change at all"
    expect.grid_five(await standin.ask("grid", position=5, guild=other))


async def test_members_without_manage_server_are_refused(servers: Running) -> None:
    standin = servers.standin
    refused = await upload(standin, "2006-sebring-qualifying.md", grid("X"), permissions=MEMBER)
    assert refused.ephemeral and "Manage Server" in refused.text, refused.text
    cases: tuple[tuple[str, dict[str, Any]], ...] = (
        ("settings", {"answers": "private"}),
        ("remove", {"event": "2006-sebring-qualifying"}),
        ("history", {"event": "2006-sebring-qualifying"}),
        ("restore", {"event": "2006-sebring-qualifying"}),
    )
    for name, options in cases:
        answer = await standin.ask(name, permissions=MEMBER, **options)
        assert answer.ephemeral and "Not allowed" in answer.text, (name, answer.text)
    events = await standin.ask("events")
    assert "Sebring" not in events.text, "nothing was imported"


async def test_a_dm_answers_from_the_operator_library_and_changes_nothing(
    servers: Running,
) -> None:
    standin = servers.standin
    await upload(standin, "2007-spa-qualifying.md", grid("Spa Locals"))
    expect.grid_five(await standin.ask("grid", position=5, dm=True))
    events = await standin.ask("events", dm=True)
    assert "2007 Spa" not in events.text and "Gridbot library" in events.text
    owner_reload = await settled(
        standin, await standin.invoke("reload", dm=True, user_id=standin.world.owner_id)
    )
    assert "Reloaded" in owner_reload.text, owner_reload.text
    stranger_reload = await standin.ask("reload", dm=True)
    assert "Not allowed" in stranger_reload.text and "owner" in stranger_reload.text


async def test_settings_default_event_and_private_answers(servers: Running) -> None:
    standin = servers.standin
    other = standin.world.other_guild_id
    await upload(standin, "2099-future-qualifying.md", grid("Future Racing"), guild=other)
    newest = await standin.ask("grid", position=1, guild=other)
    assert "Future Racing" in newest.text, "the newest grid the server sees is its default"
    expect.grid_five(await standin.ask("grid", position=5, dm=True))  # not everyone's default

    unknown = await standin.ask(
        "settings", default_event="daytona 1966", guild=other, permissions=MANAGER
    )
    assert unknown.ephemeral and "No single event matches" in unknown.text, unknown.text
    changed = await standin.ask(
        "settings",
        default_event="le mans 2003",
        answers="private",
        guild=other,
        permissions=MANAGER,
    )
    assert "Changed" in changed.text and "private" in changed.text, changed.text
    answer = await standin.ask("grid", position=5, guild=other)
    assert "MG Lola EX257" in answer.text
    assert answer.ephemeral, "this server asked for private answers"
    await upload(standin, "2011-laguna-seca-qualifying.md", grid("Laguna Racing"))
    public_elsewhere = await standin.ask("grid", position=1, event="2011-laguna-seca-qualifying")
    assert "Laguna Racing" in public_elsewhere.text
    assert not public_elsewhere.ephemeral, "the other server's setting is its own"

    removed = await standin.ask(
        "remove", event="2099-future-qualifying", guild=other, permissions=MANAGER
    )
    assert "Removed" in removed.text, removed.text
    shown = await standin.ask("settings", guild=other, permissions=MANAGER)
    assert "this server's default" in shown.text, shown.text
    await standin.ask("settings", default_event="newest", guild=other, permissions=MANAGER)
    await standin.ask("settings", answers="public", guild=other, permissions=MANAGER)


async def test_a_restart_keeps_libraries_versions_and_settings(
    standin: StandIn, start_bot: StartBot
) -> None:
    first = await start_bot(standin, dev_guild=False)
    await until_serving_globally(standin, first)
    other = standin.world.other_guild_id
    await upload(standin, "2008-monza-qualifying.md", grid("Monza One"))
    await upload(standin, "2008-monza-qualifying.md", grid("Monza Two"), replace=True)
    await standin.ask("settings", answers="private", permissions=MANAGER)
    await upload(standin, "2009-imola-qualifying.md", grid("Imola Other"), guild=other)
    await first.stop()

    second = await start_bot(standin, dev_guild=False, workdir=first.cwd)
    await until_serving_globally(standin, second, identified=2)
    here = await standin.ask("team", name="monza", event="2008-monza-qualifying")
    assert "Monza Two" in here.text and here.ephemeral, here.text
    history = await standin.ask("history", event="2008-monza-qualifying", permissions=MANAGER)
    assert "v2" in history.text and "v1" in history.text and "in service" in history.text
    restored = await standin.ask("restore", event="2008-monza-qualifying", permissions=MANAGER)
    assert "Restored" in restored.text and "v1" in restored.text, restored.text
    back = await standin.ask("team", name="monza", event="2008-monza-qualifying")
    assert "Monza One" in back.text
    there = await standin.ask("team", name="imola", event="2009-imola-qualifying", guild=other)
    assert "Imola Other" in there.text and not there.ephemeral
    expect.no_traceback(second.output)


async def test_leaving_a_server_keeps_its_library_until_it_comes_back(
    servers: Running,
) -> None:
    standin = servers.standin
    await upload(standin, "2010-road-atlanta-qualifying.md", grid("Atlanta Racing"))
    await standin.remove_from_guild()
    await standin.add_to_guild()
    again = await standin.ask("team", name="atlanta", event="2010-road-atlanta-qualifying")
    assert "Atlanta Racing" in again.text, again.text
    assert "removed from server" in servers.bot.output
