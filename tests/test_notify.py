"""Changes across processes: what one process changes, every other process on the same
PostgreSQL database hears of once it commits, and answers from on its next lookup.

Two processes are two ``Libraries`` over two engines here, each with its own change feed;
PostgreSQL cannot tell them from two processes. No test sleeps to wait: each waits on the
feed's callbacks, with a generous deadline (the 1 s figure is measured in ``bench/``).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event

from bot.core.errors import QueryError
from bot.reloading import reload_logged
from bot.storage import Libraries, notify, parse_url, servers
from bot.storage.notify import ChangeFeed, driver_dsn
from tests.conftest import DATA, SEED, open_test_libraries
from tests.databases import fresh_postgres
from tests.test_many_grids import SPA
from tests.test_storage import BROKEN, grid_text

GUILD, OTHER = 111_111, 222_222
ADMIN = 501
DEADLINE = 30.0


@dataclass
class Heard:
    """What a feed handed on, with an event per kind to wait on."""

    servers: list[int] = field(default_factory=list)
    server: asyncio.Event = field(default_factory=asyncio.Event)
    reloads: int = 0
    reloaded: asyncio.Event = field(default_factory=asyncio.Event)
    missed: int = 0
    caught_up: asyncio.Event = field(default_factory=asyncio.Event)

    async def next_server(self) -> int:
        await asyncio.wait_for(self.server.wait(), DEADLINE)
        self.server.clear()
        return self.servers[-1]


@dataclass
class Process:
    """One process's storage facade, its change feed, and what the feed heard."""

    libraries: Libraries
    feed: ChangeFeed
    heard: Heard
    lock: asyncio.Lock


Start = Callable[..., Awaitable[Process]]


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    async with fresh_postgres() as url:
        yield url


@pytest.fixture
async def start(postgres_url: str) -> AsyncIterator[Start]:
    """Starts a "process" over the test database: a facade and a listening change feed."""
    started: list[Process] = []

    async def process(data: Path = DATA, *, reload: bool = True) -> Process:
        libraries = await open_test_libraries(postgres_url, data, imports_per_minute=100)
        heard = Heard()
        lock = asyncio.Lock()

        def on_server(guild_id: int) -> None:
            libraries.forget(guild_id)
            heard.servers.append(guild_id)
            heard.server.set()

        async def on_reload() -> None:
            if reload:
                await reload_logged(libraries.operator, lock, "another process did")
            heard.reloads += 1
            heard.reloaded.set()

        async def on_missed() -> None:
            libraries.forget_all()
            heard.missed += 1
            heard.caught_up.set()

        feed = ChangeFeed(
            libraries.engine.url,
            libraries.origin,
            on_server=on_server,
            on_reload=on_reload,
            on_missed=on_missed,
            first_wait=0.05,
        )
        await feed.start(timeout=DEADLINE)
        assert feed.listening.is_set()
        found = Process(libraries, feed, heard, lock)
        started.append(found)
        return found

    yield process
    for found in started:
        await found.feed.close()
        await found.libraries.close()


async def import_grid(libraries: Libraries, key: str, team: str = "Spa Racing") -> None:
    await libraries.import_file(GUILD, ADMIN, f"{key}.md", grid_text(team), replace=True)


async def test_settings_changed_in_one_process_are_answered_by_the_other(start: Start) -> None:
    first, second = await start(), await start()
    assert (await second.libraries.view(GUILD)).settings.public_answers  # cached there now
    assert second.libraries.cached(GUILD)

    await first.libraries.change_settings(GUILD, ADMIN, public_answers=False)

    assert await second.heard.next_server() == GUILD
    assert not second.libraries.cached(GUILD), "dropped: the next lookup reads it again"
    assert not (await second.libraries.view(GUILD)).settings.public_answers


async def test_import_remove_and_restore_in_one_process_are_answered_by_the_other(
    start: Start,
) -> None:
    first, second = await start(), await start()
    assert "2004-spa" not in (await second.libraries.view(GUILD)).catalog.grids

    await import_grid(first.libraries, "2004-spa")
    await second.heard.next_server()
    assert "2004-spa" in (await second.libraries.view(GUILD)).catalog.grids

    await first.libraries.remove(GUILD, ADMIN, "2004-spa")
    await second.heard.next_server()
    assert "2004-spa" not in (await second.libraries.view(GUILD)).catalog.grids

    await first.libraries.restore(GUILD, ADMIN, "2004-spa", None)
    await second.heard.next_server()
    assert "2004-spa" in (await second.libraries.view(GUILD)).catalog.grids


async def test_a_change_is_heard_only_once_committed(start: Start, postgres_url: str) -> None:
    """A change refused half-way is rolled back: nobody hears of it. The next one, committed,
    is the first thing heard (notifications arrive in commit order)."""
    first = await start()
    payloads: list[str] = []
    arrived = asyncio.Event()
    listener = await asyncpg.connect(driver_dsn(first.libraries.engine.url))

    def heard(connection: Any, pid: int, channel: str, payload: str) -> None:
        payloads.append(payload)
        arrived.set()

    await listener.add_listener(notify.CHANNEL, heard)
    try:
        await import_grid(first.libraries, "2004-spa")
        await asyncio.wait_for(arrived.wait(), DEADLINE)
        arrived.clear()
        with pytest.raises(QueryError, match="already has a grid named 2004-spa"):
            await first.libraries.import_file(
                GUILD, ADMIN, "2004-spa.md", grid_text(), replace=False
            )
        await first.libraries.change_settings(OTHER, ADMIN, public_answers=False)
        await asyncio.wait_for(arrived.wait(), DEADLINE)
    finally:
        await listener.close()

    origin = first.libraries.origin
    assert payloads == [f"{origin} server {GUILD}", f"{origin} server {OTHER}"]


async def test_a_process_does_not_act_twice_on_its_own_change(start: Start) -> None:
    first, second = await start(), await start()

    await first.libraries.change_settings(GUILD, ADMIN, public_answers=False)  # its own
    await second.libraries.change_settings(OTHER, ADMIN, public_answers=False)

    assert await first.heard.next_server() == OTHER
    assert first.heard.servers == [OTHER], "its own change was not handed on"


async def test_a_cached_lookup_asks_the_database_nothing(start: Start) -> None:
    """The feed adds no query per command: a cached server is answered from memory."""
    second = await start()
    await second.libraries.view(GUILD)
    statements: list[str] = []

    def executed(*args: Any) -> None:
        statements.append(str(args[2]))

    engine = second.libraries.engine.sync_engine
    event.listen(engine, "before_cursor_execute", executed)
    try:
        for _ in range(5):
            await second.libraries.view(GUILD)
    finally:
        event.remove(engine, "before_cursor_execute", executed)
    assert statements == []


async def test_a_lost_feed_reconnects_and_drops_what_it_may_have_missed(
    start: Start, postgres_url: str
) -> None:
    first, second = await start(), await start()
    await second.libraries.view(GUILD)
    connection = second.feed._connection
    assert connection is not None
    admin = await asyncpg.connect(driver_dsn(second.libraries.engine.url))
    try:
        await admin.execute("SELECT pg_terminate_backend($1)", connection.get_server_pid())
    finally:
        await admin.close()

    await asyncio.wait_for(second.heard.caught_up.wait(), DEADLINE)
    assert second.heard.missed == 1
    assert not second.libraries.cached(GUILD), "a change made while cut off would be missed"

    await second.libraries.view(GUILD)
    await first.libraries.change_settings(GUILD, ADMIN, public_answers=False)
    assert await second.heard.next_server() == GUILD, "listening again"
    assert not (await second.libraries.view(GUILD)).settings.public_answers


async def test_a_feed_that_cannot_connect_keeps_trying(postgres_url: str) -> None:
    libraries = await open_test_libraries(postgres_url)
    attempts: list[str] = []
    caught_up = asyncio.Event()

    async def flaky(dsn: str) -> Any:
        attempts.append(dsn)
        if len(attempts) < 3:
            raise ConnectionRefusedError("not yet")
        return await asyncpg.connect(dsn)

    async def on_missed() -> None:
        caught_up.set()

    async def nothing() -> None:
        return None

    feed = ChangeFeed(
        libraries.engine.url,
        libraries.origin,
        on_server=libraries.forget,
        on_reload=nothing,
        on_missed=on_missed,
        first_wait=0.01,
        connect=flaky,
    )
    try:
        await feed.start(timeout=0)
        await asyncio.wait_for(caught_up.wait(), DEADLINE)
        assert len(attempts) == 3 and feed.listening.is_set()
    finally:
        await feed.close()
        await libraries.close()


@pytest.fixture
def shared_data(tmp_path: Path) -> Path:
    """The operator's folder, read by both processes (as on one machine)."""
    root = tmp_path / "data"
    root.mkdir()
    shutil.copy(SEED, root / SEED.name)
    shutil.copy(SEED.with_suffix(".toml"), root / SEED.with_suffix(".toml").name)
    return root


async def test_a_reload_in_one_process_reloads_every_other(start: Start, shared_data: Path) -> None:
    first, second = await start(shared_data), await start(shared_data)
    (shared_data / "2004-spa-qualifying.md").write_text(SPA, encoding="utf-8")
    first.libraries.operator.reload()

    await first.libraries.operator_reloaded()

    await asyncio.wait_for(second.heard.reloaded.wait(), DEADLINE)
    assert "2004-spa-qualifying" in second.libraries.operator.catalog.grids
    assert "2004-spa-qualifying" in (await second.libraries.view(GUILD)).catalog.grids
    assert first.heard.reloads == 0, "not its own"


async def test_a_reload_that_fails_in_another_process_keeps_its_grids_serving(
    start: Start, shared_data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first, second = await start(shared_data), await start(shared_data)
    serving = second.libraries.operator.catalog
    (shared_data / "2004-spa-qualifying.md").write_bytes(BROKEN)

    with caplog.at_level(logging.ERROR, logger="gridbot"):
        await first.libraries.operator_reloaded()
        await asyncio.wait_for(second.heard.reloaded.wait(), DEADLINE)

    assert second.libraries.operator.catalog is serving
    assert "the grids that were serving keep serving" in caplog.text
    assert "2004-spa-qualifying.md" in caplog.text


async def test_an_unreadable_notification_is_logged_and_ignored(
    caplog: pytest.LogCaptureFixture,
) -> None:
    forgotten: list[int] = []

    async def nothing() -> None:
        return None

    feed = ChangeFeed(
        parse_url("postgresql://nobody@127.0.0.1:1/none"),
        "me",
        on_server=forgotten.append,
        on_reload=nothing,
        on_missed=nothing,
    )
    with caplog.at_level(logging.WARNING, logger="gridbot.storage"):
        feed._heard(None, 1, notify.CHANNEL, "other server not-a-number")
        feed._heard(None, 1, notify.CHANNEL, "other shrug")
        feed._heard(None, 1, notify.CHANNEL, "me server 5")
        feed._heard(None, 1, notify.CHANNEL, "other server 7")
    assert forgotten == [7]
    assert caplog.text.count("cannot read") == 2


async def test_sqlite_sends_nothing_and_changes_as_before(tmp_path: Path) -> None:
    libraries = await open_test_libraries(f"sqlite:///{tmp_path / 'g.sqlite3'}")
    try:
        assert not notify.shares_changes(libraries.engine.url)
        await libraries.change_settings(GUILD, ADMIN, public_answers=False)
        await libraries.operator_reloaded()  # nobody to tell
        assert not (await libraries.view(GUILD)).settings.public_answers
    finally:
        await libraries.close()


async def test_a_read_under_way_when_a_change_lands_is_not_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server read from the database while another process changes it may be read from
    before the change: that lookup is answered with it, but it is not kept in the cache."""
    libraries = await open_test_libraries(f"sqlite:///{tmp_path / 'g.sqlite3'}")
    reading, release = asyncio.Event(), asyncio.Event()
    original = servers.read_settings

    async def slow(*args: Any) -> Any:
        reading.set()
        await release.wait()
        return await original(*args)

    monkeypatch.setattr(servers, "read_settings", slow)
    try:
        lookup = asyncio.create_task(libraries.view(GUILD))
        await asyncio.wait_for(reading.wait(), DEADLINE)
        libraries.forget(GUILD)  # the notification of a change arrives meanwhile
        release.set()
        assert (await lookup).guild_id == GUILD
        assert not libraries.cached(GUILD)
        monkeypatch.setattr(servers, "read_settings", original)
        await libraries.view(GUILD)
        assert libraries.cached(GUILD), "a read with no change meanwhile is kept"
    finally:
        await libraries.close()
