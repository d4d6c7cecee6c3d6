"""One process at a time runs a job, and another takes it over when that one stops."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest

from bot.storage.database import connect, parse_url
from bot.storage.leader import JobLock, lock_key

DEADLINE = 30.0


def test_lock_keys_are_stable_and_distinct() -> None:
    assert lock_key("watch") == lock_key("watch")
    assert lock_key("watch") != lock_key("announce")
    assert -(2**63) <= lock_key("watch") < 2**63


@pytest.mark.asyncio
async def test_one_process_runs_the_job_and_another_takes_over(database_url: str) -> None:
    url = parse_url(database_url)
    first_engine, second_engine = await connect(url, attempts=1), await connect(url, attempts=1)
    running: list[str] = []

    def job(name: str) -> object:
        async def run() -> None:
            running.append(name)
            await asyncio.Event().wait()

        return run

    first = JobLock(first_engine, "watch", retry=0.05)
    second = JobLock(second_engine, "watch", retry=0.05)
    one = asyncio.create_task(first.run(job("first")))  # type: ignore[arg-type]
    await asyncio.wait_for(first.held.wait(), DEADLINE)
    two = asyncio.create_task(second.run(job("second")))  # type: ignore[arg-type]
    try:
        if url.get_backend_name() == "sqlite":
            # One process serves a SQLite database: it always holds the lock.
            await asyncio.wait_for(second.held.wait(), DEADLINE)
            return
        await asyncio.sleep(0.3)
        assert running == ["first"] and not second.held.is_set(), "only one runs it"
        one.cancel()  # the first process stops: its lock goes with its connection
        with contextlib.suppress(asyncio.CancelledError):
            await one
        await first_engine.dispose()
        await asyncio.wait_for(second.held.wait(), DEADLINE)
        assert running == ["first", "second"]
    finally:
        for task in (one, two):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await first_engine.dispose()
        await second_engine.dispose()


@pytest.mark.asyncio
async def test_sqlite_runs_the_job_at_once(tmp_path: Path) -> None:
    engine = await connect(parse_url(f"sqlite:///{tmp_path / 'x.sqlite3'}"), attempts=1)
    ran = asyncio.Event()

    async def job() -> None:
        ran.set()

    await JobLock(engine, "watch").run(job)
    assert ran.is_set()
    await engine.dispose()
