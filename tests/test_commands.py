"""Slash commands through discord.py's own dispatch, asserting on what would reach Discord."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import YOUNG_COLLECTION, GridBot
from tests.dispatch import RecordingAdapter, Sent, invoke


def assert_polite_error(sent: Sent, *expected: str) -> None:
    assert sent.payload["type"] == 4, "answered with a message, not deferred or dropped"
    assert sent.ephemeral, "errors are only shown to the person who asked"
    embed = sent.embed
    assert embed["title"] == "Sorry"
    for text in expected:
        assert text in embed["description"]
    assert "Traceback" not in sent.text
    assert sent.data["allowed_mentions"] == {"parse": []}


async def test_grid_5(gridbot: GridBot, adapter: RecordingAdapter) -> None:
    sent = await invoke(gridbot, adapter, "grid", position=5)
    assert sent.method == "POST" and sent.path.endswith("/callback")
    assert sent.payload["type"] == 4 and not sent.ephemeral
    embed = sent.embed
    assert embed["title"] == "P5 · #14 MG Lola EX257"
    assert "**RML**" in embed["description"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Best lap"] == "1:29.533"
    assert fields["Gap to pole"] == "+1.635 s (+1.860 %)"
    assert embed["footer"]["text"] == "2003 1000 km of Le Mans · Qualifying · Gridbot library"
    assert sent.data["allowed_mentions"] == {"parse": []}


async def test_grid_level_times(gridbot: GridBot, adapter: RecordingAdapter) -> None:
    sent = await invoke(gridbot, adapter, "grid", position=13)
    values = [f["value"] for f in sent.embed["fields"]]
    assert "same time as #66, P12 — order as published" in values


async def test_team_lister(gridbot: GridBot, adapter: RecordingAdapter) -> None:
    sent = await invoke(gridbot, adapter, "team", name="Lister")
    embed = sent.embed
    assert embed["title"] == "Lister Racing"
    assert "**#4** · Lister Storm LMP · 1:29.056" in embed["fields"][0]["value"]


async def test_team_partial_name_lists_both(gridbot: GridBot, adapter: RecordingAdapter) -> None:
    sent = await invoke(gridbot, adapter, "team", name="intersport")
    names = [f["name"] for f in sent.embed["fields"]]
    assert names == ["Intersport Racing Field · 1 entry", "Intersport Racing · 1 entry"]


async def test_gap_8_14_either_order(gridbot: GridBot, adapter: RecordingAdapter) -> None:
    for a, b in (("8", "14"), ("14", "8")):
        sent = await invoke(gridbot, adapter, "gap", car_a=a, car_b=b)
        embed = sent.embed
        assert embed["title"].endswith("· 1.153 s")
        assert "**#8** was faster by **1.153 s** (1.305 %)" in embed["description"]
        assert {
            "name": "Between them",
            "value": "2 cars (P3–P4) — #4 Lister Storm LMP, #9 Lola B2K/10B Judd",
            "inline": False,
        } in embed["fields"]


@pytest.mark.parametrize(
    ("name", "options", "expected"),
    [
        ("grid", {"position": 0}, ["The grid has 34 cars; pick 1–34."]),
        ("grid", {"position": 35}, ["The grid has 34 cars; pick 1–34."]),
        ("grid", {"position": -1}, ["pick 1–34"]),
        ("grid", {"position": 2**53}, ["pick 1–34"]),
        ("grid", {"position": "five"}, ["whole number from 1 to 34"]),
        ("team", {"name": ""}, ["part of a team name"]),
        ("team", {"name": "x" * 5000}, ["100 characters"]),
        ("team", {"name": "@everyone"}, ["@\u200beveryone"]),
        ("team", {"name": "<@&1>"}, ["\\<@\u200b&1\\>"]),
        ("team", {"name": "**bold** _it_ `code`"}, ["\\*\\*bold\\*\\*"]),
        ("gap", {"car_a": "8", "car_b": "#8"}, ["car #8 twice"]),
        ("gap", {"car_a": "8", "car_b": "99"}, ["No car #99", "#86"]),
    ],
)
async def test_bad_input_is_answered_politely(
    gridbot: GridBot,
    adapter: RecordingAdapter,
    name: str,
    options: dict[str, Any],
    expected: list[str],
) -> None:
    assert_polite_error(await invoke(gridbot, adapter, name, **options), *expected)
    after = await invoke(gridbot, adapter, "grid", position=5)
    assert after.embed["title"] == "P5 · #14 MG Lola EX257"


async def test_unexpected_failure_is_logged_not_shown(
    gridbot: GridBot, adapter: RecordingAdapter, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("bot.core.queries.grid_slot", broken)
    sent = await invoke(gridbot, adapter, "grid", position=5)
    assert sent.ephemeral
    assert "something went wrong" in sent.embed["title"]
    assert "disk on fire" not in sent.text
    assert "disk on fire" in caplog.text


async def test_the_same_question_is_rendered_once_per_grid(
    gridbot: GridBot, adapter: RecordingAdapter, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.core import queries

    calls: list[int] = []
    real = queries.grid_or_slot

    def counted(grid: Any, position: int | None = None) -> Any:
        calls.append(position or 0)
        return real(grid, position)

    monkeypatch.setattr("bot.core.queries.grid_or_slot", counted)
    first = await invoke(gridbot, adapter, "grid", position=7)
    second = await invoke(gridbot, adapter, "grid", position=7)
    assert first.payload == second.payload
    assert calls == [7]
    for _ in range(2):
        assert_polite_error(await invoke(gridbot, adapter, "grid", position=99), "pick 1–34")
    assert calls == [7, 99, 99], "errors are answered afresh, not cached"


async def test_start_up_objects_are_frozen_out_of_the_collector(gridbot: GridBot) -> None:
    import gc

    gc.unfreeze()
    thresholds = gc.get_threshold()
    try:
        await gridbot.on_connect()
        assert gc.get_freeze_count() > 10_000
        assert gc.get_threshold() == (YOUNG_COLLECTION, *thresholds[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
