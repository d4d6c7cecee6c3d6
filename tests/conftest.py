"""Shared fixtures: the seed grid and a GridBot wired to a recording webhook adapter."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from discord.user import ClientUser
from discord.webhook.async_ import async_context

from bot.app import GridBot
from bot.core.store import GridStore
from bot.settings import Settings
from tests.dispatch import APPLICATION_ID, RecordingAdapter

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SEED = DATA / "2003-1000km-le-mans-qualifying.md"


@pytest.fixture
def no_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No settings but those a test sets, and no ``.env``: run from an empty folder."""
    for key in list(os.environ):
        if key.startswith(("GRIDBOT_", "DISCORD_")):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def adapter() -> RecordingAdapter:
    recording = RecordingAdapter()
    async_context.set(recording)
    return recording


@pytest.fixture
async def gridbot(adapter: RecordingAdapter, tmp_path: Path) -> AsyncIterator[GridBot]:
    """A GridBot serving the seed grid, set up as on start-up but with no connection."""
    settings = Settings.load(
        {"GRIDBOT_DATA_DIR": DATA, "GRIDBOT_STATE_DIR": tmp_path, "DISCORD_TOKEN": None}
    )
    client = GridBot(settings, GridStore(settings.data_dir), sync=False)
    client._connection.application_id = APPLICATION_ID
    client._connection.user = ClientUser(  # what logging in sets
        state=client._connection,
        data={
            "id": str(APPLICATION_ID),
            "username": "Gridbot",
            "discriminator": "0",
            "avatar": None,
            "global_name": None,
        },
    )
    await client._async_setup_hook()
    await client.setup_hook()
    yield client
    await client.close()
