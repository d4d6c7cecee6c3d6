"""The bot as one of several processes on a database: ``/reload`` tells the others, a job runs
in one process at a time with the app's own engine, and IDENTIFYs queue across processes when
this one runs some of the shards on PostgreSQL.

Through discord.py's dispatch where a command is involved (``tests/dispatch.py``); the
processes themselves, over real sockets, are in ``tests/e2e/test_shards.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.app import GridBot
from bot.settings import Settings
from bot.storage import notify, parse_url
from bot.storage.identify import IdentifyQueue
from bot.storage.notify import driver_dsn
from tests.conftest import open_test_libraries, start_client
from tests.databases import fresh_postgres
from tests.dispatch import RecordingAdapter
from tests.test_many_grids import SPA, reload, seed_and_spa, write

DEADLINE = 30.0


async def bot_on(url: str, data: Path, tmp_path: Path, **settings: Any) -> GridBot:
    config = Settings(data_dir=data, state_dir=tmp_path, **settings)
    return await start_client(config, await open_test_libraries(url, data))


async def stop(client: GridBot) -> None:
    await client.close()
    await client.libraries.close()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """The operator's folder: the seed grid and 2004 Spa."""
    return seed_and_spa(tmp_path)


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    async with fresh_postgres() as url:
        yield url


@pytest.fixture
async def listening(postgres_url: str) -> AsyncIterator[tuple[list[str], asyncio.Event]]:
    """Every notification on the database, as another process would hear it."""
    heard: list[str] = []
    arrived = asyncio.Event()
    connection = await asyncpg.connect(driver_dsn(parse_url(postgres_url)))

    def collect(_connection: Any, _pid: int, _channel: str, payload: str) -> None:
        heard.append(payload)
        arrived.set()

    await connection.add_listener(notify.CHANNEL, collect)
    yield heard, arrived
    await connection.close()


async def test_reload_tells_the_other_processes_once_it_succeeded(
    adapter: RecordingAdapter,
    data: Path,
    tmp_path: Path,
    postgres_url: str,
    listening: tuple[list[str], asyncio.Event],
) -> None:
    heard, arrived = listening
    client = await bot_on(postgres_url, data, tmp_path)
    try:
        spa = data / "2004-spa-qualifying.md"
        write(spa, SPA.replace("2:16.0000", "2:16,0"))
        failed = await reload(client, adapter)
        assert failed.embed["title"] == "Reload failed: nothing changed"

        write(spa, SPA.replace("Spa Racing", "Spa Racers"))
        await reload(client, adapter)
        await asyncio.wait_for(arrived.wait(), DEADLINE)
    finally:
        await stop(client)
    assert heard == [f"{client.libraries.origin} reload"], "the failed reload told nobody"


async def test_a_job_runs_with_the_apps_engine(
    adapter: RecordingAdapter, data: Path, tmp_path: Path, database_url: str
) -> None:
    client = await bot_on(database_url, data, tmp_path)
    ran = asyncio.Event()

    async def watch() -> None:
        ran.set()
        await asyncio.Event().wait()

    try:
        task = client.run_once("watch", watch)
        await asyncio.wait_for(ran.wait(), DEADLINE)
        assert not task.done()
    finally:
        await stop(client)
    assert task.cancelled(), "stopping the bot stops its job"


async def test_a_job_runs_in_one_process_and_moves_when_it_stops(
    adapter: RecordingAdapter, data: Path, tmp_path: Path, postgres_url: str
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = await bot_on(postgres_url, data, tmp_path / "a")
    second = await bot_on(postgres_url, data, tmp_path / "b")
    running: list[str] = []
    started = {"first": asyncio.Event(), "second": asyncio.Event()}

    def job(name: str) -> Any:
        async def watch() -> None:
            running.append(name)
            started[name].set()
            await asyncio.Event().wait()

        return watch

    try:
        first.run_once("watch", job("first"))
        await asyncio.wait_for(started["first"].wait(), DEADLINE)
        second.run_once("watch", job("second"))
        await asyncio.sleep(0.3)  # what would go wrong (a second runner) has had its chance
        assert running == ["first"]
        await stop(first)  # its lock goes with its connection
        await asyncio.wait_for(started["second"].wait(), DEADLINE)
        assert running == ["first", "second"]
    finally:
        with contextlib.suppress(Exception):
            await stop(first)
        await stop(second)


async def test_identify_queues_across_processes_only_for_some_shards_on_postgres(
    adapter: RecordingAdapter, data: Path, tmp_path: Path, postgres_url: str
) -> None:
    sqlite = f"sqlite:///{tmp_path}/one.sqlite3"
    alone = await bot_on(sqlite, data, tmp_path)
    everything = await bot_on(postgres_url, data, tmp_path, shard_count=2)
    some = await bot_on(postgres_url, data, tmp_path, shard_count=2, shard_ids=(1,))
    try:
        assert alone.identify_queue is None, "SQLite: one process"
        assert everything.identify_queue is None, "one process runs every shard"
        assert isinstance(some.identify_queue, IdentifyQueue)
    finally:
        for client in (alone, everything, some):
            await stop(client)


async def test_the_identify_hook_waits_for_the_queue(
    adapter: RecordingAdapter, data: Path, tmp_path: Path
) -> None:
    client = await bot_on(f"sqlite:///{tmp_path}/one.sqlite3", data, tmp_path)
    turns: list[tuple[int | None, bool]] = []

    class Queue:
        async def wait_turn(self, shard_id: int | None, *, initial: bool) -> None:
            turns.append((shard_id, initial))

        async def close(self) -> None:
            return None

    client.identify_queue = Queue()  # type: ignore[assignment]  # a stand-in with the same calls
    try:
        await client.before_identify_hook(3, initial=False)
        await client.before_identify_hook(0, initial=True)
    finally:
        await stop(client)
    assert turns == [(3, False), (0, True)]
