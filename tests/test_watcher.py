"""The watcher in process, over real folders (watchfiles) and a real database, with a poster
that records: what is read, when, into which library, and what is announced where."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import watchfiles

from bot.announce.announcer import Announcer, Session
from bot.core.model import SERVER
from bot.storage import Libraries
from bot.storage.announcements import AnnouncementLog, Claim
from bot.watch.folders import WatchDir
from bot.watch.watcher import Watcher, operator_key
from tests.acc_files import QUALIFYING_CARS, acc_results, broken_results
from tests.conftest import open_test_libraries
from tests.databases import database

GUILD, OTHER, QUIET_GUILD = 111_111, 222_222, 333_333
CHANNEL, OTHER_CHANNEL = 9_001, 9_002
ADMIN, BOT = 501, 42
QUIET = 0.3
DEADLINE = 20.0
QUALIFYING = "251012_201511_Q.json"


class Poster:
    """Records posts; waits on them without sleeping."""

    def __init__(self) -> None:
        self.posts: list[tuple[int, int, Session]] = []
        self._changed = asyncio.Condition()

    async def post(self, guild_id: int, channel_id: int, session: Session, nonce: int) -> int:
        async with self._changed:
            self.posts.append((guild_id, channel_id, session))
            self._changed.notify_all()
        return len(self.posts)

    async def until(self, done: Callable[[], bool]) -> None:
        async with asyncio.timeout(DEADLINE), self._changed:
            await self._changed.wait_for(done)

    def keys(self, channel: int | None = None) -> list[str]:
        return [s.key for _, c, s in self.posts if channel is None or c == channel]


@dataclass
class Running:
    watcher: Watcher
    libraries: Libraries
    poster: Poster
    results: Path
    league: Path
    tasks: list[asyncio.Task[None]]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.libraries.close()


async def start(
    url: str, root: Path, *, lead: bool = True, channels: bool = True, **limits: Any
) -> Running:
    results, league = root / "results", root / "league"
    results.mkdir(exist_ok=True)
    league.mkdir(exist_ok=True)
    libraries = await open_test_libraries(url, **limits)
    if channels and not (await libraries.settings(GUILD)).settings.announce_channel_id:
        await libraries.change_settings(GUILD, ADMIN, announce_channel_id=CHANNEL)
        await libraries.change_settings(OTHER, ADMIN, announce_channel_id=OTHER_CHANNEL)
        await libraries.change_settings(QUIET_GUILD, ADMIN, public_answers=False)
    ledger = AnnouncementLog(libraries.engine)
    poster = Poster()
    announcer = Announcer(ledger, poster, per_minute=1000)
    watcher = Watcher(
        [WatchDir(results), WatchDir(league, GUILD)],
        libraries,
        ledger,
        announcer,
        uploader_id=BOT,
        quiet=QUIET,
        polling="off",
    )
    tasks = [asyncio.create_task(watcher.run())]
    if lead:
        tasks.append(asyncio.create_task(watcher.lead()))
    await asyncio.wait_for(watcher.loaded.wait(), DEADLINE)
    return Running(watcher, libraries, poster, results, league, tasks)


@pytest.fixture
async def url(tmp_path: Path) -> AsyncIterator[str]:
    async with database("sqlite", tmp_path) as found:
        yield found


@pytest.fixture
async def running(url: str, tmp_path: Path) -> AsyncIterator[Running]:
    started = await start(url, tmp_path)
    yield started
    await started.stop()


def served(running: Running, key: str) -> Callable[[], bool]:
    return lambda: key in running.libraries.operator.catalog.grids


async def test_a_file_in_the_operators_folder_is_served_and_announced_everywhere(
    running: Running,
) -> None:
    (running.results / QUALIFYING).write_bytes(acc_results())
    key = "results/251012_201511_Q"
    await running.watcher.until(served(running, key), DEADLINE)
    grid = running.libraries.operator.catalog.grids[key]
    assert (grid.pole.number, len(grid)) == ("7", len(QUALIFYING_CARS))
    await running.poster.until(lambda: len(running.poster.posts) == 2)
    assert sorted((g, c) for g, c, _ in running.poster.posts) == [
        (GUILD, CHANNEL),
        (OTHER, OTHER_CHANNEL),
    ]
    session = running.poster.posts[0][2]
    assert session.key == key and session.guild_id is None
    catalog = (await running.libraries.view(GUILD)).catalog
    assert catalog.token_of(key) == session.token, "the buttons find the grid"


async def test_a_mapped_folder_feeds_only_its_servers_library(running: Running) -> None:
    (running.league / QUALIFYING).write_bytes(acc_results())
    await running.poster.until(lambda: len(running.poster.posts) == 1)
    [(guild, channel, session)] = running.poster.posts
    assert (guild, channel, session.key, session.guild_id) == (
        GUILD,
        CHANNEL,
        "251012_201511_Q",
        GUILD,
    )
    view = await running.libraries.view(GUILD)
    assert view.catalog.grids["251012_201511_Q"].meta.library == SERVER
    assert "251012_201511_Q" not in (await running.libraries.view(OTHER)).catalog.grids
    assert "251012_201511_Q" not in running.libraries.operator.catalog.grids
    history = await running.libraries.history(GUILD, "251012_201511_Q")
    assert [(v.version, v.uploader_id) for v in history.versions] == [(1, BOT)]


async def test_a_file_written_in_chunks_is_read_once_when_complete(running: Running) -> None:
    data = acc_results()
    target = running.league / QUALIFYING
    with target.open("wb") as file:
        for start_at in range(0, len(data), len(data) // 5):
            file.write(data[start_at : start_at + len(data) // 5])
            file.flush()
            await asyncio.sleep(QUIET / 3)  # a slow writer, pausing shorter than the quiet time
    (running.league / "251012_211511_R.json").write_bytes(acc_results(session="R", race=True))
    await running.poster.until(lambda: len(running.poster.posts) == 2)
    assert running.poster.keys() == ["251012_201511_Q", "251012_211511_R"]
    history = await running.libraries.history(GUILD, "251012_201511_Q")
    assert [v.version for v in history.versions] == [1], "imported once, complete"
    grid = (await running.libraries.view(GUILD)).catalog.grids["251012_201511_Q"]
    assert len(grid) == len(QUALIFYING_CARS)


async def test_a_malformed_file_is_logged_and_the_next_one_is_read(
    running: Running, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "gridbot.watch")
    bad = running.results / "251012_190000_Q.json"
    bad.write_bytes(broken_results())
    (running.results / QUALIFYING).write_bytes(acc_results())
    await running.poster.until(lambda: len(running.poster.posts) == 2)
    assert set(running.poster.keys()) == {"results/251012_201511_Q"}
    [warning] = [r.getMessage() for r in caplog.records if "cannot read" in r.getMessage()]
    assert f"{bad}:11: invalid JSON" in warning and "the watcher goes on" in warning
    bad.write_bytes(acc_results(QUALIFYING_CARS[:3]))  # fixed
    await running.poster.until(lambda: len(running.poster.posts) == 4)
    assert running.poster.keys()[2:] == ["results/251012_190000_Q"] * 2


async def test_a_deleted_file_removes_nothing(
    running: Running, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "gridbot.watch")
    path = running.results / QUALIFYING
    path.write_bytes(acc_results())
    key = "results/251012_201511_Q"
    await running.watcher.until(served(running, key), DEADLINE)
    path.unlink()
    await running.watcher.until(lambda: "was deleted" in caplog.text, DEADLINE)
    assert key in running.libraries.operator.catalog.grids
    assert f"{path} was deleted; nothing is removed" in caplog.text


async def test_a_changed_file_is_a_new_version_announced_again(running: Running) -> None:
    path = running.league / QUALIFYING
    path.write_bytes(acc_results())
    await running.poster.until(lambda: len(running.poster.posts) == 1)
    path.write_bytes(acc_results(QUALIFYING_CARS[::-1]))
    await running.poster.until(lambda: len(running.poster.posts) == 2)
    history = await running.libraries.history(GUILD, "251012_201511_Q")
    assert [v.version for v in history.versions] == [2, 1]
    first, second = (s for _, _, s in running.poster.posts)
    assert first.digest != second.digest and second.grid.pole.number == "12"


async def test_the_same_content_again_is_neither_imported_nor_posted(running: Running) -> None:
    path = running.league / QUALIFYING
    path.write_bytes(acc_results())
    await running.poster.until(lambda: len(running.poster.posts) == 1)
    path.write_bytes(acc_results())  # touched, unchanged
    (running.league / "251012_211511_R.json").write_bytes(acc_results(session="R", race=True))
    await running.poster.until(lambda: len(running.poster.posts) == 2)
    history = await running.libraries.history(GUILD, "251012_201511_Q")
    assert [v.version for v in history.versions] == [1]
    assert running.poster.keys() == ["251012_201511_Q", "251012_211511_R"]


async def test_a_restart_posts_nothing_again(url: str, tmp_path: Path) -> None:
    first = await start(url, tmp_path)
    (first.results / QUALIFYING).write_bytes(acc_results())
    (first.league / QUALIFYING).write_bytes(acc_results())
    await first.poster.until(lambda: len(first.poster.posts) == 3)
    await first.stop()
    again = await start(url, tmp_path)
    try:
        assert "results/251012_201511_Q" in again.libraries.operator.catalog.grids
        (again.results / "251012_211511_R.json").write_bytes(acc_results(session="R", race=True))
        await again.poster.until(lambda: len(again.poster.posts) == 2)
        assert again.poster.keys() == ["results/251012_211511_R"] * 2
        history = await again.libraries.history(GUILD, "251012_201511_Q")
        assert [v.version for v in history.versions] == [1], "not imported again"
    finally:
        await again.stop()


async def test_files_found_at_start_are_announced_if_written_after_the_channel_was_chosen(
    url: str, tmp_path: Path
) -> None:
    first = await start(url, tmp_path, lead=False)  # channels chosen now
    await first.stop()
    old, new = first.results / "200101_120000_Q.json", first.results / QUALIFYING
    old.write_bytes(acc_results(QUALIFYING_CARS[:2]))
    long_ago = time.time() - 86_400
    os.utime(old, (long_ago, long_ago))
    new.write_bytes(acc_results())
    (first.league / QUALIFYING).write_bytes(acc_results(QUALIFYING_CARS[:4]))
    again = await start(url, tmp_path)
    try:
        await again.poster.until(lambda: len(again.poster.posts) == 3)
        assert sorted(again.poster.keys()) == [
            "251012_201511_Q",
            "results/251012_201511_Q",
            "results/251012_201511_Q",
        ]
        assert operator_key(again.watcher.dirs[0], again.watcher.dirs[0].path / old.name) in (
            again.libraries.operator.catalog.grids
        ), "served, though not announced"
    finally:
        await again.stop()


async def test_a_process_that_does_not_lead_serves_but_neither_imports_nor_posts(
    url: str, tmp_path: Path
) -> None:
    follower = await start(url, tmp_path, lead=False)
    try:
        (follower.league / QUALIFYING).write_bytes(acc_results())
        (follower.results / QUALIFYING).write_bytes(acc_results())
        await follower.watcher.until(served(follower, "results/251012_201511_Q"), DEADLINE)
        await follower.watcher.until(lambda: follower.watcher.read >= 2, DEADLINE)
        assert follower.poster.posts == []
        assert "251012_201511_Q" not in (await follower.libraries.view(GUILD)).catalog.grids
    finally:
        await follower.stop()


async def test_a_sidecar_changed_reads_its_grid_again(running: Running) -> None:
    path = running.results / QUALIFYING
    path.write_bytes(acc_results())
    await running.poster.until(lambda: len(running.poster.posts) == 2)
    path.with_suffix(".toml").write_text('event = "Spa Sprint Cup"\n', encoding="utf-8")
    await running.poster.until(lambda: len(running.poster.posts) == 4)
    grid = running.libraries.operator.catalog.grids["results/251012_201511_Q"]
    assert grid.meta.event == "Spa Sprint Cup"
    assert running.poster.posts[-1][2].grid.meta.title == "2025 Spa Sprint Cup · Qualifying"


async def test_a_folder_moved_in_is_read_whole(running: Running, tmp_path: Path) -> None:
    outside = tmp_path / "round-1"
    outside.mkdir()
    (outside / QUALIFYING).write_bytes(acc_results())
    (outside / ".hidden.json").write_bytes(acc_results())
    (outside / "notes.txt").write_text("not a results file")
    outside.rename(running.results / "round-1")
    key = "results/round-1/251012_201511_Q"
    await running.watcher.until(served(running, key), DEADLINE)
    assert [k for k in running.libraries.operator.catalog.grids if k.startswith("results/")] == [
        key
    ]


async def test_files_a_server_may_not_have_are_logged_and_skipped(
    url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "gridbot.watch")
    limited = await start(url, tmp_path, server_grids=1)
    try:
        (limited.league / "a name, with a comma.json").write_bytes(acc_results())
        (limited.league / QUALIFYING).write_bytes(acc_results())
        (limited.league / "251012_211511_R.json").write_bytes(acc_results(session="R", race=True))
        await limited.watcher.until(lambda: limited.watcher.read >= 3, DEADLINE)
        await limited.watcher.until(lambda: "limit is 1" in caplog.text, DEADLINE)
        assert "a name, with a comma.json is not imported into server" in caplog.text
        view = await limited.libraries.view(GUILD)
        assert len(view.files) == 1
    finally:
        await limited.stop()


async def test_a_file_over_the_size_limit_is_logged(
    url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "gridbot.watch")
    small = await start(url, tmp_path, file_bytes=1024)
    try:
        (small.league / QUALIFYING).write_bytes(acc_results())
        await small.watcher.until(lambda: "a grid file can be at most 1 KiB" in caplog.text)
        assert f"cannot read {small.league / QUALIFYING}: the file is" in caplog.text
    finally:
        await small.stop()


async def test_a_claim_names_its_session_while_it_is_served(running: Running) -> None:
    (running.results / QUALIFYING).write_bytes(acc_results())
    (running.league / QUALIFYING).write_bytes(acc_results(QUALIFYING_CARS[:3]))
    await running.poster.until(lambda: len(running.poster.posts) == 3)
    operator = next(s for _, _, s in running.poster.posts if s.guild_id is None)
    own = next(s for _, _, s in running.poster.posts if s.guild_id == GUILD)
    find = running.watcher.find
    for session in (operator, own):
        claim = Claim(1, GUILD, CHANNEL, session.digest, session.key, session.library)
        found = await find(claim)
        assert found is not None and found.token == session.token
        assert await find(replace(claim, digest="0" * 64)) is None, "replaced since"
        assert await find(replace(claim, key="results/gone")) is None


async def test_a_folder_that_cannot_be_watched_is_tried_again(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import bot.watch.watcher as watcher_module

    caplog.set_level(logging.INFO, "gridbot.watch")
    real = watchfiles.awatch
    failures = [OSError("unmounted")]

    def flaky(*paths: Any, **options: Any) -> Any:
        if failures:
            raise failures.pop()
        return real(*paths, **options)

    monkeypatch.setattr(watcher_module, "awatch", flaky)
    monkeypatch.setattr(watcher_module, "RETRY", 0.05)
    again = await start(url, tmp_path)
    try:
        # Written while the folder is not watched: found when the watch comes back.
        (again.results / QUALIFYING).write_bytes(acc_results())
        await again.poster.until(lambda: len(again.poster.posts) == 2)
        assert "cannot watch" in caplog.text and "OSError: unmounted" in caplog.text
    finally:
        await again.stop()


async def test_any_format_the_readers_know_is_served_and_a_session_each_announced(
    running: Running,
) -> None:
    fixtures = Path(__file__).parent / "fixtures" / "results"
    for name in ("rf2-qualify.xml", "ac-race.json", "iracing-league.json"):
        (running.results / name).write_bytes((fixtures / name).read_bytes())
    store = running.libraries.operator

    def every_format() -> bool:  # the catalog is replaced whole at each change
        return all(
            any(k.startswith(f"results/{stem}") for k in store.catalog.grids)
            for stem in ("rf2-qualify", "ac-race", "iracing-league/")
        )

    await running.watcher.until(every_format, DEADLINE)
    sessions = sorted(k for k in running.libraries.operator.catalog.grids if "iracing" in k)
    assert len(sessions) > 1, "a grid per session of the file"
    await running.poster.until(lambda: len(set(running.poster.keys(CHANNEL))) == 2 + len(sessions))
    assert set(running.poster.keys(CHANNEL)) == {
        "results/rf2-qualify",
        "results/ac-race",
        *sessions,
    }
