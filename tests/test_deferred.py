"""A server's library still being read from the database near Discord's 3 s: the answer is
deferred, then sent as a followup, never dropped (``bot.tenancy.DEFER_AFTER``)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from bot import tenancy
from bot.app import GridBot
from bot.storage.libraries import Libraries
from tests.dispatch import (
    RecordingAdapter,
    autocomplete,
    interaction_payload,
    invoke,
    invoke_payload,
    next_sent,
)

DISCORD_EPOCH_MS = 1_420_070_400_000

SLOW = 0.3
"""Seconds each server's library takes to read, in these tests."""


@pytest.fixture
def slow_reads(monkeypatch: pytest.MonkeyPatch, gridbot: GridBot) -> None:
    """Every server's library takes SLOW seconds to read, and the deferral comes after 0.05 s
    (rather than 2 s: the mechanism is the same, the test is shorter)."""
    real = Libraries._read

    async def slow(self: Libraries, guild_id: int) -> Any:
        await asyncio.sleep(SLOW)
        return await real(self, guild_id)

    monkeypatch.setattr(Libraries, "_read", slow)
    monkeypatch.setattr(tenancy, "DEFER_AFTER", 0.05)
    gridbot.libraries.forget_all()


@pytest.mark.usefixtures("slow_reads")
async def test_a_slow_library_defers_the_answer_then_sends_it(
    gridbot: GridBot, adapter: RecordingAdapter
) -> None:
    first = await invoke(gridbot, adapter, "grid", position=5)
    assert first.path.endswith("/callback")
    assert first.payload["type"] == 5, "deferred: Discord shows that the bot is thinking"

    answer = await next_sent(adapter, 1)
    assert answer.method == "POST" and "/webhooks/" in answer.path, "a followup"
    assert answer.embed["title"] == "P5 · #14 MG Lola EX257"


@pytest.mark.usefixtures("slow_reads")
async def test_a_refusal_after_a_deferral_is_a_followup_too(
    gridbot: GridBot, adapter: RecordingAdapter
) -> None:
    first = await invoke(gridbot, adapter, "grid", position=99)
    assert first.payload["type"] == 5

    answer = await next_sent(adapter, 1)
    assert "/webhooks/" in answer.path
    assert answer.embed["description"] == "The grid has 34 cars; pick 1–34."


@pytest.mark.usefixtures("slow_reads")
async def test_the_whole_grid_in_pages_after_a_deferral(
    gridbot: GridBot, adapter: RecordingAdapter
) -> None:
    first = await invoke(gridbot, adapter, "grid")
    assert first.payload["type"] == 5

    answer = await next_sent(adapter, 1)
    assert "/webhooks/" in answer.path
    assert answer.data["components"], "with its page buttons"


@pytest.mark.usefixtures("slow_reads")
async def test_an_autocomplete_is_never_deferred(
    gridbot: GridBot, adapter: RecordingAdapter
) -> None:
    choices = await autocomplete(gridbot, adapter, "team", "name", name="Lis")  # type 8
    assert any("Lister" in choice["name"] for choice in choices)
    assert [sent.payload["type"] for sent in adapter.sent] == [8], "nothing deferred"


async def test_a_library_read_in_time_is_answered_at_once(
    gridbot: GridBot, adapter: RecordingAdapter
) -> None:
    gridbot.libraries.forget_all()
    misses = gridbot.libraries.misses

    first = await invoke(gridbot, adapter, "grid", position=5)

    assert gridbot.libraries.misses == misses + 1, "the server's library was read"
    assert first.payload["type"] == 4
    assert first.embed["title"] == "P5 · #14 MG Lola EX257"


def made_ago(seconds: float) -> int:
    """An interaction id made ``seconds`` ago, by this clock (Discord's snowflake layout)."""
    ms = int((time.time() - seconds) * 1000) - DISCORD_EPOCH_MS
    return ms << 22


async def test_a_command_already_old_on_arrival_is_deferred_if_its_library_is_not_in_memory(
    gridbot: GridBot, adapter: RecordingAdapter
) -> None:
    gridbot.libraries.forget_all()
    payload = interaction_payload("grid", {"position": 5})
    payload["id"] = str(made_ago(tenancy.DEFER_AFTER + 0.2))

    first = await invoke_payload(gridbot, adapter, payload)

    assert first.payload["type"] == 5
    assert (await next_sent(adapter, 1)).embed["title"] == "P5 · #14 MG Lola EX257"


async def test_an_id_older_than_discords_deadline_says_more_of_the_clocks(
    gridbot: GridBot, adapter: RecordingAdapter
) -> None:
    gridbot.libraries.forget_all()
    payload = interaction_payload("grid", {"position": 5})
    payload["id"] = str(made_ago(60))

    first = await invoke_payload(gridbot, adapter, payload)

    assert first.payload["type"] == 4, "answered at once: the library was read in time"
