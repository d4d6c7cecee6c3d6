"""``/import`` downloads with a cap: a file is refused as soon as its body passes the limit,
whatever size it declared; and a database that cannot take it gives a clear answer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from discord.http import HTTPClient
from sqlalchemy import event

from bot.app import GridBot
from bot.core.errors import QueryError
from bot.download import read_capped
from bot.settings import Settings
from tests.conftest import DATA, open_test_libraries, start_client
from tests.dispatch import (
    RecordingAdapter,
    Sent,
    interaction_payload,
    invoke,
    invoke_payload,
    next_sent,
    with_attachment,
)

LIMIT = 64 * 1024
"""The per-file limit of the bot under test."""
ENDLESS = 256 * 1024 * 1024
"""What the lying upload would send if it were read to the end."""
CHUNK = 16 * 1024
GRID = b"""\
| Pos | No. | Driver | Car | Team | Best lap |
|---|---|---|---|---|---|
| 1 | 7 | A. Driver | Test Car | Download Racing | 2:15.1234 |
| 2 | 9 | C. Driver | Other Car | Other Team | 2:16.0000 |
"""
MANAGE_GUILD = 1 << 5


@dataclass
class Cdn:
    """A loopback stand-in for Discord's CDN that counts what it managed to send."""

    base: str
    files: dict[str, bytes] = field(default_factory=dict)
    sent: int = 0
    stopped: asyncio.Event = field(default_factory=asyncio.Event)


@pytest.fixture
async def cdn() -> AsyncIterator[Cdn]:
    served = Cdn("")

    async def endless(request: web.Request) -> web.StreamResponse:
        """A body with no declared length that goes on far past any limit."""
        response = web.StreamResponse()  # chunked: no Content-Length to refuse early
        await response.prepare(request)
        try:
            while served.sent < ENDLESS:
                await response.write(b"| 1 | 7 | x | y | z | 1:00.000 |\n" * (CHUNK // 32))
                served.sent += CHUNK
        except (ConnectionError, aiohttp.ClientConnectionResetError):
            pass  # the client hung up: what it was meant to do
        finally:
            served.stopped.set()
        return response

    async def big(_request: web.Request) -> web.Response:
        return web.Response(body=b"x" * (LIMIT * 4))  # with a Content-Length

    async def file(request: web.Request) -> web.Response:
        body = served.files.get(request.match_info["name"])
        return web.Response(body=body) if body is not None else web.Response(status=404)

    app = web.Application()
    app.router.add_get("/endless", endless)
    app.router.add_get("/big", big)
    app.router.add_get("/files/{name}", file)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    # Why mypy is silenced below: aiohttp's private server: started above, so not None
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    served.base = f"http://127.0.0.1:{port}"
    yield served
    await runner.cleanup()


@pytest.fixture
async def bot(
    adapter: RecordingAdapter, tmp_path: Path, gridbot: GridBot
) -> AsyncIterator[GridBot]:
    """A bot with a small per-file limit, and the HTTP session logging in would open."""
    settings = Settings.load({"GRIDBOT_DATA_DIR": DATA, "GRIDBOT_STATE_DIR": tmp_path})
    libraries = await open_test_libraries(
        f"sqlite:///{tmp_path}/downloads.sqlite3", file_bytes=LIMIT
    )
    client = await start_client(settings, libraries)
    client._connection.user = gridbot._connection.user
    session = aiohttp.ClientSession()
    client.http._HTTPClient__session = session  # type: ignore[attr-defined]  # discord.py's private session slot
    yield client
    await session.close()
    await client.close()
    await libraries.close()


async def upload(
    bot: GridBot, adapter: RecordingAdapter, url: str, *, size: int, filename: str = "dl.md"
) -> Sent:
    """``/import`` of an attachment that declares ``size`` and is served from ``url``."""
    payload = interaction_payload("import", {})
    payload["member"]["permissions"] = str(MANAGE_GUILD)
    with_attachment(payload, "file", filename=filename, size=size, url=url)
    before = len(adapter.sent)
    first = await invoke_payload(bot, adapter, payload)
    if first.payload.get("type") != 5:
        return first
    return await next_sent(adapter, before + 1)


async def nothing_imported(bot: GridBot, adapter: RecordingAdapter) -> None:
    events = await invoke(bot, adapter, "events")
    assert "this server's library" not in events.embed["description"]


async def test_a_body_larger_than_declared_is_refused_without_reading_it_all(
    bot: GridBot, adapter: RecordingAdapter, cdn: Cdn
) -> None:
    sent = await upload(bot, adapter, f"{cdn.base}/endless", size=100)
    assert sent.ephemeral
    assert "too big: a grid file can be at most 64 KiB" in sent.embed["description"]
    async with asyncio.timeout(10):  # the server notices the client hung up
        await cdn.stopped.wait()
    assert cdn.sent < ENDLESS // 8, f"the server sent {cdn.sent} bytes before the bot hung up"
    await nothing_imported(bot, adapter)


async def test_a_declared_length_over_the_limit_is_refused_at_once(
    bot: GridBot, adapter: RecordingAdapter, cdn: Cdn
) -> None:
    sent = await upload(bot, adapter, f"{cdn.base}/big", size=100)
    assert "at most 64 KiB" in sent.embed["description"]
    await nothing_imported(bot, adapter)


async def test_a_file_within_the_limit_is_imported_whole(
    bot: GridBot, adapter: RecordingAdapter, cdn: Cdn
) -> None:
    cdn.files["grid"] = GRID
    sent = await upload(bot, adapter, f"{cdn.base}/files/grid", size=len(GRID))
    assert sent.embed["title"].startswith("Imported:")
    served = await invoke(bot, adapter, "grid", position=1, event="dl")
    assert "Download Racing" in served.embed["description"]


async def test_a_missing_file_says_so(bot: GridBot, adapter: RecordingAdapter, cdn: Cdn) -> None:
    sent = await upload(bot, adapter, f"{cdn.base}/files/gone", size=10)
    assert "HTTP 404" in sent.embed["description"]
    assert "something went wrong" not in sent.text


@pytest.mark.parametrize(
    ("size", "accepted"), [(LIMIT - 1, True), (LIMIT, True), (LIMIT + 1, False)]
)
async def test_the_limit_is_exact(cdn: Cdn, size: int, accepted: bool) -> None:
    cdn.files["exact"] = b"a" * size
    async with aiohttp.ClientSession() as session:
        http = HTTPClient(asyncio.get_running_loop())
        http._HTTPClient__session = session  # type: ignore[attr-defined]  # discord.py's private session slot
        url = f"{cdn.base}/files/exact"
        if accepted:
            assert await read_capped(http, url, LIMIT) == b"a" * size
        else:
            with pytest.raises(QueryError, match="at most 64 KiB"):
                await read_capped(http, url, LIMIT)


def full_after_migrations(connection: Any, _record: Any) -> None:
    """SQLite answers SQLITE_FULL past ``max_page_count``, as on a full disk."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA page_count")
    cursor.execute(f"PRAGMA max_page_count = {cursor.fetchone()[0]}")
    cursor.close()


async def test_a_full_disk_during_import_gets_a_clear_answer(
    bot: GridBot, adapter: RecordingAdapter, cdn: Cdn
) -> None:
    engine = bot.libraries.engine
    listener: Callable[[Any, Any], None] = full_after_migrations
    event.listen(engine.sync_engine, "connect", listener)
    await engine.dispose()
    rows = (
        f"| {n} | {n + 100} | D {n * 7919:x} | C {n * 104729:x} | T {n * 1299709:x}"
        for n in range(3, 400)
    )
    body = GRID + "".join(f"{row} | 2:20.000 |\n" for row in rows).encode()
    cdn.files["grid"] = body
    sent = await upload(bot, adapter, f"{cdn.base}/files/grid", size=len(body))
    assert sent.ephemeral
    assert "the disk is full" in sent.embed["description"]
    assert "something went wrong" not in sent.text
    event.remove(engine.sync_engine, "connect", listener)
    await engine.dispose()
    await nothing_imported(bot, adapter)
