"""Answers that can take longer than Discord's 3 s defer first, then follow up: /chart, and any
command whose server's library is still being read 1.5 s after the command was made."""

from __future__ import annotations

import struct
import time

import pytest

from .conftest import Running, StartBot, until_serving
from .standin import StandIn
from .standin.snowflakes import DISCORD_EPOCH_MS

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def test_chart_defers_then_sends_the_png(shared: Running) -> None:
    standin = shared.standin
    asked = await standin.invoke("chart", top=10, highlight="14")
    deferred = await standin.wait_for_response(asked)
    followup = await standin.wait_for_followup(asked, timeout=20)

    assert deferred.type == 5 and not deferred.ephemeral, "a public 'thinking…' first"
    (upload,) = followup.record.files
    assert upload.filename == "chart.png" and upload.data.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", upload.data[16:24])
    assert width == 1200 and height > 300
    embed = followup.embeds[0]
    assert embed["image"]["url"] == "attachment://chart.png"
    assert "#14" in embed["description"] and "+1.635 s" in embed["description"]
    assert followup.allowed_mentions is not None
    assert followup.allowed_mentions.get("parse") == [], "pings nobody"


async def test_chart_with_a_bad_option_answers_at_once(shared: Running) -> None:
    standin = shared.standin
    answer = await standin.ask("chart", highlight="zzzz")
    assert answer.type == 4 and answer.ephemeral, "no public 'thinking…' for a mistake"


def made_ago(seconds: float) -> str:
    """An interaction id Discord would have made ``seconds`` ago (its snowflake layout)."""
    return str((int((time.time() - seconds) * 1000) - DISCORD_EPOCH_MS) << 22)


async def test_a_command_at_a_cold_server_late_on_arrival_is_deferred_then_answered(
    standin: StandIn, start_bot: StartBot
) -> None:
    # A command made 2 s before it reaches the bot (a burst queued in the gateway), at a
    # server whose library is not in memory yet: "thinking…" first, then the answer.
    bot = await start_bot(standin)
    await until_serving(standin, bot)
    payload = standin.build_interaction("grid", standin.typed_options("grid", {"position": 5}))
    payload["id"] = made_ago(2.0)

    asked = await standin.dispatch_interaction(payload)
    deferred = await standin.wait_for_response(asked)
    followup = await standin.wait_for_followup(asked)

    assert deferred.type == 5 and not deferred.ephemeral
    assert followup.embeds[0]["title"] == "P5 · #14 MG Lola EX257"

    # Its library in memory now, the next late one is answered at once: nothing waits on it.
    again = standin.build_interaction("grid", standin.typed_options("grid", {"position": 6}))
    again["id"] = made_ago(2.0)
    answer = await standin.wait_for_response(await standin.dispatch_interaction(again))
    assert answer.type == 4 and answer.embeds[0]["title"].startswith("P6 ")
