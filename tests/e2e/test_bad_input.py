"""Bad input: every refusal is an ephemeral embed, in time, with no traceback and no ping."""

from __future__ import annotations

from typing import Any

import pytest

from . import expect
from .conftest import Running
from .standin import payloads

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

STRING, INTEGER = 3, 4
MARKDOWN = "**Nobody** __at__ ~~all~~ `x` ||y|| [link](https://example.com) # h"

# (command, options exactly as sent: name, value, Discord type)
CASES: dict[str, tuple[str, list[tuple[str, Any, int]]]] = {
    "position 0": ("grid", [("position", 0, INTEGER)]),
    "position 35": ("grid", [("position", 35, INTEGER)]),
    "position -1": ("grid", [("position", -1, INTEGER)]),
    "position 2**53": ("grid", [("position", 2**53, INTEGER)]),
    "string value, integer type": ("grid", [("position", "five", INTEGER)]),
    "string type for an integer": ("grid", [("position", "five", STRING)]),
    "empty team": ("team", [("name", "", STRING)]),
    "5,000-char team": ("team", [("name", "L" * 5000, STRING)]),
    "@everyone team": ("team", [("name", "@everyone", STRING)]),
    "role mention team": ("team", [("name", "<@&1>", STRING)]),
    "markdown team": ("team", [("name", MARKDOWN, STRING)]),
    "same car twice": ("gap", [("car_a", "8", STRING), ("car_b", "8", STRING)]),
    "unknown car": ("gap", [("car_a", "8", STRING), ("car_b", "999", STRING)]),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_bad_input_is_refused_ephemerally_then_the_bot_carries_on(
    shared: Running, case: str
) -> None:
    standin, bot = shared.standin, shared.bot
    name, raw = CASES[case]
    options = [payloads.option(key, value, kind) for key, value, kind in raw]
    mark = bot.stderr_mark()

    refused = await standin.wait_for_response(
        await standin.dispatch_interaction(standin.build_interaction(name, options))
    )
    after = await standin.ask("grid", position=5)

    assert refused.type == 4 and refused.ephemeral, refused.body
    assert refused.embeds, refused.body
    expect.pings_nobody(refused)
    expect.no_traceback(refused.text)
    expect.no_traceback(bot.stderr_since(mark))
    expect.grid_five(after)


@pytest.mark.parametrize("mention", ["@everyone", "@here", "<@&1>"])
async def test_echoed_mentions_are_defused(shared: Running, mention: str) -> None:
    reply = await shared.standin.ask("team", name=mention)

    assert mention not in reply.text, reply.text


async def test_echoed_markdown_is_escaped(shared: Running) -> None:
    reply = await shared.standin.ask("team", name=MARKDOWN)

    for raw in ("**Nobody**", "[link](https://example.com)", "||y||", "`x`"):
        assert raw not in reply.text, reply.text
