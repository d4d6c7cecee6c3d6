"""Issue 4 through discord.py's dispatch: autocomplete, /car, /driver, pages, /help, /about."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.app import GridBot
from bot.cogs.help import help_from_tree
from bot.settings import Settings
from tests.conftest import DATA, open_test_libraries, start_client
from tests.dispatch import (
    USER_ID,
    RecordingAdapter,
    Sent,
    autocomplete,
    invoke,
    press,
)


def buttons(sent: Sent) -> dict[str, dict[str, Any]]:
    rows = sent.data.get("components") or []
    return {b["label"]: b for row in rows for b in row["components"]}


async def test_team_autocomplete_ranks_and_counts(
    gridbot: GridBot, adapter: RecordingAdapter
) -> None:
    choices = await autocomplete(gridbot, adapter, "team", "name", name="inter")
    assert [c["name"] for c in choices] == [
        "Intersport Racing Field · 1 entry",
        "Intersport Racing · 1 entry",
    ]
    assert [c["value"] for c in choices] == ["Intersport Racing Field", "Intersport Racing"]


async def test_empty_team_field_lists_teams_by_best_position(
    gridbot: GridBot, adapter: RecordingAdapter
) -> None:
    choices = await autocomplete(gridbot, adapter, "team", "name", name="")
    assert len(choices) == 25
    assert [c["value"] for c in choices[:3]] == [
        "Audi Japan Team Goh",
        "Racing For Holland",
        "Lister Racing",
    ]
    assert choices[-1]["name"] == "Dewalt-Racesports Salesbury · 2 entries"


async def test_car_autocomplete_labels(gridbot: GridBot, adapter: RecordingAdapter) -> None:
    choices = await autocomplete(gridbot, adapter, "gap", "car_b", car_a="14", car_b="8")
    assert choices[0] == {"name": "#8 · Dome S101 Judd · Racing For Holland", "value": "8"}
    assert all(len(c["name"]) <= 100 for c in choices)


async def test_typo_autocomplete_and_no_absurd_guess(
    gridbot: GridBot, adapter: RecordingAdapter
) -> None:
    assert [
        c["value"] for c in await autocomplete(gridbot, adapter, "team", "name", name="lsiter")
    ] == ["Lister Racing"]
    assert await autocomplete(gridbot, adapter, "team", "name", name="zzzz") == []
    drivers = await autocomplete(gridbot, adapter, "driver", "name", name="noel")
    assert drivers[0]["value"] == "Sylvain Noël"


async def test_position_autocomplete_is_integer(
    gridbot: GridBot, adapter: RecordingAdapter
) -> None:
    choices = await autocomplete(gridbot, adapter, "grid", "position", position="5")
    assert choices[0] == {"name": "P5 · #14 MG Lola EX257 · RML · 1:29.533", "value": 5}


async def test_car_command(gridbot: GridBot, adapter: RecordingAdapter) -> None:
    sent = await invoke(gridbot, adapter, "car", number="#14")
    assert sent.embed["title"] == "P5 · #14 MG Lola EX257"


async def test_driver_command_explains_marker(gridbot: GridBot, adapter: RecordingAdapter) -> None:
    sent = await invoke(gridbot, adapter, "driver", name="romain dumas")
    embed = sent.embed
    assert embed["title"] == "Romain Dumas"
    assert "P19 · **#39** · Porsche 996 GT3-RS" in embed["fields"][0]["value"]
    assert "*\\* marked in the source table*" in embed["description"]


async def test_driver_typo_says_it_guessed(gridbot: GridBot, adapter: RecordingAdapter) -> None:
    sent = await invoke(gridbot, adapter, "driver", name="kristensn")
    assert "Showing **Tom Kristensen** for *kristensn*" in sent.embed["description"]


async def test_whole_grid_pages_only_for_the_asker(
    gridbot: GridBot, adapter: RecordingAdapter
) -> None:
    sent = await invoke(gridbot, adapter, "grid")
    assert not sent.ephemeral
    first = sent.embed
    assert first["description"].startswith("```\n  P Car Team ")
    assert "  1 #5  Audi Japan Team Goh      1:27.898    pole" in first["description"]
    assert "=12 #66 Konrad Motorsport " in first["description"], "level times are marked"
    assert first["footer"]["text"].endswith("page 1/2")
    controls = buttons(sent)
    assert controls["Previous"]["disabled"] is True
    assert controls["Next"].get("disabled", False) is False
    message = adapter.messages[-1]

    stranger = await press(
        gridbot, adapter, message, controls["Next"]["custom_id"], user_id=USER_ID + 1
    )
    assert stranger.ephemeral and "Only the person who asked" in stranger.data["content"]

    turned = await press(gridbot, adapter, message, controls["Next"]["custom_id"])
    assert turned.payload["type"] == 7, "the page turns in place (UPDATE_MESSAGE)"
    assert turned.embed["footer"]["text"].endswith("page 2/2")
    assert "34 #48" in turned.embed["description"]
    assert buttons(turned)["Next"]["disabled"] is True


async def test_pages_turn_after_a_restart(
    gridbot: GridBot, adapter: RecordingAdapter, tmp_path: Path
) -> None:
    """The buttons carry their state: a new bot process turns the page of an old message."""
    sent = await invoke(gridbot, adapter, "grid")
    message = adapter.messages[-1]
    next_id = buttons(sent)["Next"]["custom_id"]
    assert len(next_id) <= 100
    settings = Settings.load({"GRIDBOT_DATA_DIR": DATA, "DISCORD_TOKEN": None})
    libraries = await open_test_libraries(f"sqlite:///{tmp_path}/restarted.sqlite3")
    restarted = await start_client(settings, libraries)
    try:
        turned = await press(restarted, adapter, message, next_id)
        assert turned.payload["type"] == 7
        assert turned.embed["footer"]["text"].endswith("page 2/2")
        back = await press(restarted, adapter, message, buttons(turned)["Previous"]["custom_id"])
        assert back.embed["footer"]["text"].endswith("page 1/2")
    finally:
        await restarted.close()
        await libraries.close()


async def test_help_is_generated_from_the_tree(gridbot: GridBot, adapter: RecordingAdapter) -> None:
    sent = await invoke(gridbot, adapter, "help")
    names = [f["name"] for f in sent.embed["fields"]]
    tree_names = sorted(c.name for c in gridbot.tree.get_commands())
    assert [n.split()[0].lstrip("/") for n in names] == tree_names
    assert "/grid [position] [event]" in names and "/gap car_a car_b [event]" in names
    gap = sent.embed["fields"][names.index("/gap car_a car_b [event]")]["value"]
    assert "Example: `/gap 8 14`" in gap


async def test_help_follows_a_new_command(gridbot: GridBot) -> None:
    import discord

    @discord.app_commands.command(name="zeta", description="Added later")
    async def zeta(interaction: discord.Interaction) -> None:
        raise NotImplementedError

    gridbot.tree.add_command(zeta)
    assert help_from_tree(gridbot.tree).commands[-1].name == "zeta"


async def test_about(gridbot: GridBot, adapter: RecordingAdapter) -> None:
    embed = (await invoke(gridbot, adapter, "about")).embed
    assert embed["title"].startswith("Gridbot ")
    grids = embed["fields"][0]
    assert grids["name"] == "Grids loaded (1)"
    assert "2003 1000 km of Le Mans · Qualifying** · 34 cars" in grids["value"]
