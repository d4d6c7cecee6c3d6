"""The identify queue across processes: one IDENTIFY per bucket per hold, whichever process
asks, on one PostgreSQL database.

Each ``IdentifyQueue`` here stands for a process (its own connections); one test starts two
real processes. Times are compared only as "at least": a slow machine cannot fail them.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import parse_url
from bot.storage.identify import IdentifyQueue, bucket, bucket_key
from bot.storage.leader import lock_key
from tests.databases import fresh_postgres

REPO = Path(__file__).resolve().parent.parent

DEADLINE = 30.0


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    async with fresh_postgres() as url:
        yield url


def queue(url: str, concurrency: int = 1, hold: float = 0.5) -> IdentifyQueue:
    async def max_concurrency() -> int:
        return concurrency

    return IdentifyQueue(parse_url(url), max_concurrency, hold=hold)


def test_buckets_are_shard_ids_modulo_max_concurrency() -> None:
    assert [bucket(shard, 1) for shard in range(4)] == [0, 0, 0, 0]
    assert [bucket(shard, 2) for shard in range(4)] == [0, 1, 0, 1]
    assert [bucket(shard, 16) for shard in (0, 15, 16, 33)] == [0, 15, 0, 1]
    assert bucket(3, 0) == 0, "an absurd max_concurrency counts as 1"
    assert len({bucket_key(n) for n in range(16)}) == 16
    assert bucket_key(0) != lock_key("watch")


async def test_one_bucket_identifies_once_per_hold_across_processes(postgres_url: str) -> None:
    first, second = queue(postgres_url, hold=0.5), queue(postgres_url, hold=0.5)
    try:
        await first.wait_turn(0, initial=True)
        took = time.monotonic()
        await asyncio.wait_for(second.wait_turn(2, initial=True), DEADLINE)  # bucket 0 too
        assert time.monotonic() - took >= 0.5
    finally:
        await first.close()
        await second.close()


async def test_other_buckets_do_not_wait(postgres_url: str) -> None:
    first, second = queue(postgres_url, 2, hold=60), queue(postgres_url, 2, hold=60)
    try:
        await first.wait_turn(0, initial=True)
        await asyncio.wait_for(second.wait_turn(1, initial=False), DEADLINE)
        assert first.holding == 1, "shard 1 went while shard 0's bucket was still held"
    finally:
        await first.close()
        await second.close()


async def test_a_stopping_process_lets_its_bucket_go_at_once(postgres_url: str) -> None:
    first, second = queue(postgres_url, hold=600), queue(postgres_url, hold=600)
    try:
        await first.wait_turn(0, initial=True)
        waiting = asyncio.create_task(second.wait_turn(0, initial=False))
        await first.close()
        await asyncio.wait_for(waiting, DEADLINE)
        assert first.holding == 0 and second.holding == 1
    finally:
        await first.close()
        await second.close()


async def test_max_concurrency_is_asked_once_and_1_when_it_cannot_be(
    caplog: pytest.LogCaptureFixture,
) -> None:
    asked: list[int] = []

    async def flaky() -> int:
        asked.append(1)
        if len(asked) == 1:
            raise OSError("Discord unreachable")
        return 4

    identify = IdentifyQueue(parse_url("postgresql://nobody@127.0.0.1:1/none"), flaky)
    with caplog.at_level(logging.WARNING, logger="gridbot.storage"):
        assert await identify.max_concurrency() == 1
    assert "cannot ask Discord for max_concurrency" in caplog.text
    assert await identify.max_concurrency() == 4
    assert await identify.max_concurrency() == 4
    assert len(asked) == 2


async def test_without_the_database_a_shard_identifies_as_discord_py_would(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def one() -> int:
        return 1

    identify = IdentifyQueue(parse_url("postgresql://nobody@127.0.0.1:1/none"), one, hold=0.2)
    with caplog.at_level(logging.WARNING, logger="gridbot.storage"):
        await identify.wait_turn(0, initial=True)  # the first identifies at once
        began = time.monotonic()
        await identify.wait_turn(1, initial=False)  # the others wait the hold first
    assert time.monotonic() - began >= 0.2
    assert caplog.text.count("identifies as discord.py would") == 2
    assert identify.holding == 0


TAKE_TURN = """
import asyncio, sys, time
from bot.storage import parse_url
from bot.storage.identify import IdentifyQueue

async def main() -> None:
    async def one() -> int:
        return 1
    queue = IdentifyQueue(parse_url(sys.argv[1]), one, hold=float(sys.argv[3]))
    await queue.wait_turn(int(sys.argv[2]), initial=True)
    print(time.time(), flush=True)
    await asyncio.sleep(float(sys.argv[3]) * 2)
    await queue.close()

asyncio.run(main())
"""


async def test_two_processes_identify_one_after_the_other(postgres_url: str) -> None:
    """Two real processes, shards 0 and 1 with max_concurrency 1: one bucket, so the second
    IDENTIFY comes at least the hold after the first, whichever went first."""
    hold = "1.0"
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            TAKE_TURN,
            postgres_url,
            str(shard),
            hold,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for shard in (0, 1)
    ]
    turns = []
    for process in processes:
        out, err = await asyncio.wait_for(process.communicate(), DEADLINE)
        assert process.returncode == 0, err.decode()
        turns.append(float(out.decode()))
    assert abs(turns[0] - turns[1]) >= float(hold)
