"""Command sync is deliberate: global only when definitions change, a dev guild at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import discord
import pytest

from bot.app import GridBot
from bot.sync import definitions_hash, sync_commands


@pytest.fixture
def syncs(gridbot: GridBot, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record the tree's sync calls instead of sending them (the e2e suite sends them)."""
    calls: list[Any] = []

    async def record(*, guild: discord.abc.Snowflake | None = None) -> list[object]:
        calls.append(guild.id if guild else None)
        return [object()] * len(gridbot.tree.get_commands(guild=guild))

    monkeypatch.setattr(gridbot.tree, "sync", record)
    return calls


async def test_global_sync_only_when_definitions_change(
    gridbot: GridBot, syncs: list[Any], tmp_path: Path
) -> None:
    assert gridbot.settings.state_dir == tmp_path
    count = len(gridbot.tree.get_commands())
    assert count >= 3
    assert f"synced {count} global commands" in await sync_commands(gridbot)
    assert "unchanged" in await sync_commands(gridbot)
    assert syncs == [None]

    @discord.app_commands.command(name="extra", description="A new command")
    async def extra(interaction: discord.Interaction) -> None:
        raise NotImplementedError

    gridbot.tree.add_command(extra)
    assert f"synced {count + 1} global commands" in await sync_commands(gridbot)
    assert syncs == [None, None]
    assert "synced" in await sync_commands(gridbot, force=True)
    assert syncs == [None, None, None]


async def test_dev_guild_syncs_there_and_not_globally(gridbot: GridBot, syncs: list[Any]) -> None:
    gridbot.settings.dev_guild_id = 123
    assert "development guild 123" in await sync_commands(gridbot)
    assert syncs == [123]
    names = {c.name for c in gridbot.tree.get_commands(guild=discord.Object(123))}
    assert {"grid", "team", "gap"} <= names


def test_hash_is_stable_and_sees_descriptions(gridbot: GridBot) -> None:
    first = definitions_hash(gridbot)
    assert first == definitions_hash(gridbot)
    command = gridbot.tree.get_command("grid")
    assert isinstance(command, discord.app_commands.Command)
    command.description = "Changed"
    assert definitions_hash(gridbot) != first
