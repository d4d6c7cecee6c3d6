"""Buttons that never die: the real bot's Previous/Next pages, clicked in the stand-in.

Each page button carries everything it needs in its custom id (``bot/views.py``), so a click
works for as long as the message exists: after the bot restarted, only for the person who
asked, and, once the grid was replaced, with an explanation and the current grid instead.
Every scenario syncs globally (``start_bot(standin, dev_guild=False)``) and clicks the message
as the stand-in last stored it (``standin.press``).
"""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from . import expect
from .conftest import GLOBAL_SYNC, StartBot, until_serving_globally
from .process import SEED_DATA, BotProcess
from .standin import CallbackResult, StandIn, payloads
from .standin.interactions import CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, UPDATE_MESSAGE
from .standin.server import CALLBACK, EDIT_ORIGINAL, FOLLOWUP
from .standin.snowflakes import snowflake

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

SEED_CARS = 34
CUSTOM_ID = re.compile(r"gb:\S+")
CUSTOM_ID_LIMIT = 100
CALLBACK_OPERATION = "POST /interactions/{interaction_id}/{interaction_token}/callback"
IMPORTED = "spa-test-qualifying"


def footer(result: CallbackResult | dict[str, object]) -> str:
    """The footer of the first embed of an answer, or of a stored message."""
    data = result.data if isinstance(result, CallbackResult) else result
    embeds = data.get("embeds") or []
    assert isinstance(embeds, list) and embeds, f"no embed: {data}"
    return str((embeds[0].get("footer") or {}).get("text") or "")


def thirty_rows(teams: str, *, seconds: int = 15) -> bytes:
    """A valid 30-row Markdown grid: positions 1..30, distinct car numbers, times increasing."""
    rows = [
        f"| {p} | {p + 6} | {chr(64 + (p - 1) % 26 + 1)}. Driver{p} | Test Car | "
        f"{teams} {p} | 2:{seconds + p:02d}.{1234 + p:04d} |"
        for p in range(1, 31)
    ]
    return ("\n".join(rows) + "\n").encode()


def custom_ids_sent(standin: StandIn) -> list[str]:
    """The custom id of every component the bot sent: responses, followups and edits."""
    found: list[str] = []
    for record in standin.records:
        if record.key not in (CALLBACK, FOLLOWUP, EDIT_ORIGINAL) or not record.json:
            continue
        body = record.json.get("data") if record.key == CALLBACK else record.json
        stack = list((body or {}).get("components") or [])
        while stack:
            component = stack.pop()
            stack += component.get("components") or []
            if component.get("custom_id") is not None:
                found.append(component["custom_id"])
    return found


def custom_ids_are_short_and_ours(standin: StandIn, *, at_least: int) -> None:
    """(e) Every button the bot sent has a custom id of at most 100 characters, ``gb:…``."""
    sent = custom_ids_sent(standin)
    assert len(sent) >= at_least, sent
    for custom_id in sent:
        assert len(custom_id) <= CUSTOM_ID_LIMIT, custom_id
        assert CUSTOM_ID.fullmatch(custom_id), custom_id


def turned_in_place(standin: StandIn, result: CallbackResult, shown: CallbackResult) -> None:
    """``result`` is an UPDATE_MESSAGE of the message ``shown`` made, validated as Discord
    would validate it."""
    assert result.type == UPDATE_MESSAGE, result.body
    assert result.message_id == shown.message_id
    if standin.checks_bodies:
        assert result.record.checked_against == CALLBACK_OPERATION
        assert result.record.invalid is None


async def serving_bot(standin: StandIn, start_bot: StartBot, **settings: str) -> BotProcess:
    bot = await start_bot(standin, dev_guild=False, **settings)
    await until_serving_globally(standin, bot)
    return bot


async def import_grid(standin: StandIn, name: str, data: bytes, **options: object) -> str:
    """``/import`` by a manager of the first guild; the followup's text."""
    asked = await standin.invoke(
        "import",
        file=standin.attachment(name, data),
        permissions=payloads.MANAGER_PERMISSIONS,
        **options,
    )
    first = await standin.wait_for_response(asked)
    assert first.type in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE), first.body
    if first.type == DEFERRED_CHANNEL_MESSAGE:
        return (await standin.wait_for_followup(asked)).text
    return first.text


# a) The whole grid, in two pages


async def test_the_whole_grid_turns_to_page_two_in_place(
    standin: StandIn, start_bot: StartBot
) -> None:
    bot = await serving_bot(standin, start_bot)

    first = await standin.ask("grid")
    before = first.buttons
    turned = await standin.press(first, before["Next"]["custom_id"])
    after = standin.buttons(first)

    assert first.type == CHANNEL_MESSAGE and not first.ephemeral, first.body
    assert f"{SEED_CARS} cars" in first.text and footer(first).endswith("page 1/2")
    assert (before["Previous"]["disabled"], before["Next"]["disabled"]) == (True, False)
    turned_in_place(standin, turned, first)
    assert footer(turned).endswith("page 2/2"), footer(turned)
    assert "#48" in turned.text and "#48" not in first.text, "car 34 is on page 2 only"
    shown = standin.message(first)
    assert footer(shown).endswith("page 2/2") and shown["edited_timestamp"] is not None
    assert (after["Previous"]["disabled"], after["Next"]["disabled"]) == (False, True)
    with pytest.raises(AssertionError, match="disabled"):
        await standin.click(first, after["Next"]["custom_id"])
    with pytest.raises(AssertionError, match="no component"):
        await standin.click(first, "gb:tn:0:1:2")
    expect.pings_nobody(turned)
    custom_ids_are_short_and_ours(standin, at_least=4)
    expect.no_traceback(bot.output)


# b) A restart forgets nothing the buttons need


async def test_a_page_turns_back_after_the_bot_restarted(
    standin: StandIn, start_bot: StartBot
) -> None:
    bot = await serving_bot(standin, start_bot)
    first = await standin.ask("grid")
    await standin.press(first, first.buttons["Next"]["custom_id"])

    await bot.stop()
    assert bot.returncode == 0, bot.output
    again = await start_bot(standin, dev_guild=False, workdir=bot.cwd)
    await until_serving_globally(standin, again, identified=2)
    back = await standin.press(first, standin.buttons(first)["Previous"]["custom_id"])

    assert [r.status for r in standin.requests(GLOBAL_SYNC)] == [200], "synced once"
    turned_in_place(standin, back, first)
    assert footer(back).endswith("page 1/2"), footer(back)
    assert footer(standin.message(first)).endswith("page 1/2")
    assert back.data["embeds"] == first.data["embeds"], "page 1 as first shown"
    interaction = standin.interactions.by_id[back.record.match["interaction_id"]].payload
    assert interaction["message"]["id"] == first.message_id
    assert footer(interaction["message"]).endswith("page 2/2"), "clicked as last shown"
    custom_ids_are_short_and_ours(standin, at_least=6)
    expect.no_traceback(bot.output + again.output)


# c) Only the person who asked turns the pages


async def test_someone_elses_click_is_refused_privately(
    standin: StandIn, start_bot: StartBot
) -> None:
    bot = await serving_bot(standin, start_bot)
    world = standin.world
    first = await standin.ask("grid")
    before = copy.deepcopy(standin.message(first))
    next_page = first.buttons["Next"]["custom_id"]

    refusals = [
        await standin.press(first, next_page, user_id=world.owner_id),
        await standin.press(first, next_page, user_id=snowflake(), guild=world.guild_id),
    ]

    for refused in refusals:
        assert refused.type == CHANNEL_MESSAGE and refused.ephemeral, refused.body
        assert "Only the person who asked" in refused.text, refused.text
        assert refused.message_id != first.message_id
        expect.pings_nobody(refused)
    assert standin.message(first) == before, "the message is not edited"
    assert not [r for r in standin.requests(CALLBACK) if r.json.get("type") == UPDATE_MESSAGE]
    assert not standin.requests(EDIT_ORIGINAL)
    mine = await standin.press(first, next_page)
    turned_in_place(standin, mine, first)
    custom_ids_are_short_and_ours(standin, at_least=4)
    expect.no_traceback(bot.output)


# d) A replaced grid says so, and shows the current one


async def test_a_click_on_a_replaced_grid_shows_the_current_one(
    standin: StandIn, start_bot: StartBot, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(SEED_DATA, data)
    bot = await serving_bot(standin, start_bot, GRIDBOT_DATA_DIR=str(data))
    name = IMPORTED + ".md"

    imported = await import_grid(standin, name, thirty_rows("Spa Racing"))
    first = await standin.ask("grid", event=IMPORTED)
    replaced = await import_grid(standin, name, thirty_rows("Eau Rouge", seconds=20), replace=True)
    stale = await standin.press(first, first.buttons["Next"]["custom_id"])
    turned = await standin.press(stale, stale.buttons["Next"]["custom_id"])

    assert IMPORTED in imported and IMPORTED in replaced, (imported, replaced)
    assert "30 cars" in first.text and footer(first).endswith("page 1/2"), first.text
    assert "Spa Racing" in first.text
    assert stale.type == CHANNEL_MESSAGE and stale.ephemeral, stale.body
    assert "This grid was replaced" in stale.text, stale.text
    assert "Eau Rouge" in stale.text and "Spa Racing" not in stale.text, stale.text
    assert footer(stale).endswith("page 1/2"), footer(stale)
    assert footer(standin.message(first)).endswith("page 1/2"), "the old message stays"
    assert standin.message(first)["edited_timestamp"] is None
    turned_in_place(standin, turned, stale)
    assert footer(turned).endswith("page 2/2") and "Eau Rouge 30" in turned.text, turned.text
    assert standin.buttons(stale)["Next"]["disabled"]
    expect.pings_nobody(stale)
    custom_ids_are_short_and_ours(standin, at_least=6)
    expect.no_traceback(bot.output)


# The stand-in on its own: what it stores, and the clicks it refuses as Discord would


LINK: dict[str, Any] = {
    "type": 2,
    "style": 5,
    "label": "Rules",
    "url": "https://example.invalid/rules",
}


def row(*buttons: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(buttons)}


def button(label: str, custom_id: str, *, disabled: bool = False) -> dict[str, Any]:
    return {"type": 2, "style": 2, "label": label, "custom_id": custom_id, "disabled": disabled}


async def answered(
    standin: StandIn, http: aiohttp.ClientSession, payload: dict[str, Any], body: dict[str, Any]
) -> tuple[int, Any]:
    """Answer ``payload`` (registered, not dispatched) with ``body`` as a bot would."""
    standin.interactions.add(payload)
    url = f"{standin.api_base}/interactions/{payload['id']}/{payload['token']}/callback"
    async with http.post(url, json=body, params={"with_response": "true"}) as response:
        return response.status, await response.json()


async def test_the_standin_keeps_answers_and_refuses_clicks_discord_would_not_send(
    standin: StandIn,
) -> None:
    world = standin.world
    command = {"id": str(snowflake()), "name": "pages", "type": 1}
    asked = payloads.interaction(world, kind=2, command=command, options=[])
    in_dm = payloads.interaction(world, kind=2, command=command, options=[], dm=True)
    shown = row(button("Previous", "gb:p", disabled=True), button("Next", "gb:n"), LINK)

    async with aiohttp.ClientSession() as http:
        status, created = await answered(
            standin, http, asked, {"type": 4, "data": {"content": "p1", "components": [shown]}}
        )
        _, private = await answered(
            standin,
            http,
            in_dm,
            {"type": 4, "data": {"content": "dm", "components": [shown], "flags": 64}},
        )
        message = created["resource"]["message"]
        click = standin.build_click(message, "gb:n")
        turned_status, turned = await answered(
            standin, http, click, {"type": 7, "data": {"content": "p2", "components": []}}
        )
        not_a_click = payloads.interaction(world, kind=2, command=command, options=[])
        refused_status, refused = await answered(
            standin, http, not_a_click, {"type": 7, "data": {"content": "no"}}
        )
        gone = payloads.interaction(world, kind=2, command=command, options=[])
        _, deleted = await answered(standin, http, gone, {"type": 4, "data": {"content": "x"}})
        hook = f"{standin.api_base}/webhooks/{world.application_id}/{gone['token']}"
        async with http.delete(hook + "/messages/@original") as response:
            assert response.status == 204

    assert status == 200 and turned_status == 200, (created, turned)
    assert [c["id"] for c in message["components"][0]["components"]] == [2, 3, 4]
    assert click["type"] == 3 and click["data"] == {"custom_id": "gb:n", "component_type": 2}
    assert click["message"]["id"] == message["id"] and click["guild_id"] == str(world.guild_id)
    assert click["message"]["interaction_metadata"]["name"] == "pages"
    assert turned["interaction"]["response_message_id"] == message["id"]
    assert turned["resource"] == {"type": 7, "message": standin.message(message["id"])}
    assert standin.message(message)["content"] == "p2" and not standin.buttons(message)
    assert (refused_status, refused["code"]) == (400, 50035), "type 7 answers only a click"
    with pytest.raises(AssertionError, match="no component 'gb:n'"):
        standin.build_click(message, "gb:n")  # the update took the buttons away
    dm_message = private["resource"]["message"]
    assert standin.buttons(dm_message) == {
        "Previous": {"custom_id": "gb:p", "disabled": True, "style": 2, "id": 2},
        "Next": {"custom_id": "gb:n", "disabled": False, "style": 2, "id": 3},
        "Rules": {"custom_id": None, "disabled": False, "style": 5, "id": 4},
    }
    dm_click = standin.build_click(dm_message, "gb:n")
    assert "guild_id" not in dm_click and dm_click["context"] == payloads.BOT_DM_CONTEXT
    assert dm_click["user"]["id"] == str(world.user_id)
    for custom_id, why in [("gb:p", "disabled"), ("gb:x", "no component"), (LINK["url"], "no")]:
        with pytest.raises(AssertionError, match=why):
            standin.build_click(dm_message, custom_id)
    with pytest.raises(AssertionError, match="ephemeral"):
        standin.build_click(dm_message, "gb:n", user_id=world.owner_id)
    with pytest.raises(ValueError, match="DM"):
        standin.build_click(dm_message, "gb:n", guild=world.guild_id)
    with pytest.raises(LookupError, match="made no message"):
        standin.message("1234")
    with pytest.raises(LookupError, match="deleted"):
        standin.message(deleted["resource"]["message"])
