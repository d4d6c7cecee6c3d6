"""Shared fixtures: the seed grid and a GridBot wired to a recording webhook adapter."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from discord.user import ClientUser
from discord.webhook.async_ import async_context

from bot.app import GridBot
from bot.core.store import GridStore
from bot.rendered import rendered_answers
from bot.settings import Settings
from bot.storage import Libraries, Limits, open_libraries, parse_url
from tests.databases import database
from tests.dispatch import APPLICATION_ID, RecordingAdapter

OWNER_ID = 1
"""The bot's owner in the in-process tests."""

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


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database: SQLite, then PostgreSQL (see ``tests/databases.py``)."""
    async with database(request.param, tmp_path) as url:
        yield url


async def open_test_libraries(
    url: str, data: Path = DATA, default_event: str | None = None, **limits: Any
) -> Libraries:
    """The storage facade over ``url`` (migrated), serving ``data`` as the operator's."""
    return await open_libraries(
        parse_url(url),
        GridStore(data, default_event),
        Limits(**limits),
        configured_default=default_event,
        attempts=1,
    )


async def start_client(settings: Settings, libraries: Libraries) -> GridBot:
    """A GridBot set up as on start-up, with no connection to Discord."""
    client = GridBot(settings, libraries, sync=False)
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
    client.owner_id = OWNER_ID  # so that is_owner() needs no request to Discord
    await client._async_setup_hook()
    await client.setup_hook()
    return client


@pytest.fixture
async def gridbot(adapter: RecordingAdapter, tmp_path: Path) -> AsyncIterator[GridBot]:
    """A GridBot serving the seed grid from a fresh SQLite database, with no connection."""
    settings = Settings.load(
        {"GRIDBOT_DATA_DIR": DATA, "GRIDBOT_STATE_DIR": tmp_path, "DISCORD_TOKEN": None}
    )
    libraries = await open_test_libraries(f"sqlite:///{tmp_path}/gridbot.sqlite3")
    rendered_answers.clear()  # each test renders its answers afresh
    client = await start_client(settings, libraries)
    yield client
    await client.close()
    await libraries.close()
