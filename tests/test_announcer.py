"""Announcements: claimed once per session and channel, posted within the rate, a refusal
shown in the server's settings and logged once, a failure that passes tried again with the
same nonce, a claim never posted posted on the next start. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.announce.announcer import (
    PER_MINUTE,
    Announcer,
    Refused,
    Session,
    Undeliverable,
    nonce_of,
)
from bot.core.loader import parse_grids
from bot.core.model import Grid
from bot.storage import Libraries
from bot.storage.announcements import AnnouncementLog, Claim
from tests.acc_files import QUALIFYING_CARS, acc_results
from tests.conftest import open_test_libraries

GUILD, OTHER = 111_111, 222_222
CHANNEL, OTHER_CHANNEL = 9_001, 9_002
ADMIN = 501


def grid(number: int = 0) -> Grid:
    cars = ((99 - number, "Extra", f"Car{number}", 150_000), *QUALIFYING_CARS)
    return parse_grids(acc_results(cars), Path(f"2510{number:02d}_201511_Q.json"))[0]


class FakePoster:
    """Records each post; ``failures`` are raised by the next posts, in order."""

    def __init__(self) -> None:
        self.posts: list[tuple[int, int, str, int]] = []
        self.tries: list[tuple[int, int]] = []
        self.failures: list[Exception] = []
        self.posted = asyncio.Event()

    async def post(self, guild_id: int, channel_id: int, session: Session, nonce: int) -> int:
        self.tries.append((channel_id, nonce))
        if self.failures:
            raise self.failures.pop(0)
        self.posts.append((guild_id, channel_id, session.key, nonce))
        self.posted.set()
        return 10_000 + len(self.posts)


class Clock:
    """Time that moves only when something sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
async def libraries(database_url: str) -> AsyncIterator[Libraries]:
    opened = await open_test_libraries(database_url)
    await opened.change_settings(GUILD, ADMIN, announce_channel_id=CHANNEL)
    await opened.change_settings(OTHER, ADMIN, announce_channel_id=OTHER_CHANNEL)
    yield opened
    await opened.close()


@pytest.fixture
def ledger(libraries: Libraries) -> AnnouncementLog:
    return AnnouncementLog(libraries.engine)


def announcer(ledger: AnnouncementLog, poster: FakePoster, clock: Clock) -> Announcer:
    return Announcer(ledger, poster, clock=clock, sleep=clock.sleep)


async def test_a_session_is_posted_once_per_channel(ledger: AnnouncementLog) -> None:
    poster, clock = FakePoster(), Clock()
    first = announcer(ledger, poster, clock)
    session = Session(grid(), "results/251000_201511_Q")
    channels = await ledger.channels()
    assert sorted(c.channel_id for c in channels) == [CHANNEL, OTHER_CHANNEL]
    assert await first.offer(session, channels) == 2
    await first.idle()
    assert sorted(p[1] for p in poster.posts) == [CHANNEL, OTHER_CHANNEL]
    # Offered again, by this process or another (a second announcer over the same database).
    again = announcer(ledger, poster, clock)
    assert await first.offer(session, channels) == 0
    assert await again.offer(session, channels) == 0
    await again.idle()
    assert len(poster.posts) == 2 and first.posted == 2
    assert await ledger.unfinished() == []


async def test_at_most_twenty_posts_a_minute_in_one_channel(ledger: AnnouncementLog) -> None:
    poster, clock = FakePoster(), Clock()
    posting = announcer(ledger, poster, clock)
    [channel] = [c for c in await ledger.channels() if c.channel_id == CHANNEL]
    for number in range(PER_MINUTE + 5):
        await posting.offer(Session(grid(number), f"results/{number}"), [channel])
    await posting.idle()
    assert len(poster.posts) == PER_MINUTE + 5
    assert clock.slept == [60.0], "the 21st waits until the first is a minute old"
    assert [p[2] for p in poster.posts] == [f"results/{n}" for n in range(PER_MINUTE + 5)]


async def test_a_refused_channel_is_shown_in_settings_and_logged_once(
    libraries: Libraries, ledger: AnnouncementLog, caplog: pytest.LogCaptureFixture
) -> None:
    poster, clock = FakePoster(), Clock()
    posting = announcer(ledger, poster, clock)
    [channel] = [c for c in await ledger.channels() if c.channel_id == CHANNEL]
    problem = "Discord refused the post (403: Missing Permissions)"
    poster.failures = [Refused(problem)]
    for number in range(3):
        await posting.offer(Session(grid(number), f"results/{number}"), [channel])
    await posting.idle()
    assert poster.tries == [(CHANNEL, nonce_of(CHANNEL, grid(0).digest))], "one request"
    assert poster.posts == []
    settings = (await libraries.settings(GUILD)).settings
    assert settings.announce_problem == problem
    assert (await libraries.settings(OTHER)).settings.announce_problem is None
    clock.now += 61  # a minute later: tried again, refused again, not logged again
    poster.failures = [Refused(problem)]
    await posting.offer(Session(grid(7), "results/7"), [channel])
    await posting.idle()
    assert len(poster.tries) == 2
    warnings = [
        r for r in caplog.records if "cannot post in its announcements channel" in r.message
    ]
    assert len(warnings) == 1, "logged once, not on every file"
    clock.now += 61  # the permission was given meanwhile
    await posting.offer(Session(grid(8), "results/8"), [channel])
    await posting.idle()
    assert [p[2] for p in poster.posts] == ["results/8"]
    assert (await libraries.settings(GUILD)).settings.announce_problem is None
    assert await ledger.unfinished() == []


async def test_choosing_the_channel_again_clears_the_problem(
    libraries: Libraries, ledger: AnnouncementLog
) -> None:
    assert await ledger.refused(GUILD, CHANNEL, "403") is True
    assert await ledger.refused(GUILD, CHANNEL, "403") is False
    assert await ledger.refused(GUILD, 1234, "403") is False, "not the server's channel"
    answer = await libraries.change_settings(GUILD, ADMIN, announce_channel_id=CHANNEL)
    assert answer.settings.announce_problem is None


async def test_a_passing_failure_is_tried_again_with_the_same_nonce(
    ledger: AnnouncementLog, caplog: pytest.LogCaptureFixture
) -> None:
    poster, clock = FakePoster(), Clock()
    posting = announcer(ledger, poster, clock)
    [channel] = [c for c in await ledger.channels() if c.channel_id == CHANNEL]
    poster.failures = [OSError("connection reset"), TimeoutError(), RuntimeError("429")]
    session = Session(grid(), "results/x")
    await posting.offer(session, [channel])
    await posting.idle()
    nonce = nonce_of(CHANNEL, session.digest)
    assert poster.tries == [(CHANNEL, nonce)] * 4
    assert clock.slept == [1.0, 2.0, 4.0]
    assert len(poster.posts) == 1
    assert "trying again in 1 s" in caplog.text


async def test_an_undeliverable_post_is_dropped_and_the_next_goes(
    ledger: AnnouncementLog,
) -> None:
    poster, clock = FakePoster(), Clock()
    posting = announcer(ledger, poster, clock)
    [channel] = [c for c in await ledger.channels() if c.channel_id == CHANNEL]
    poster.failures = [Undeliverable("400: Invalid Form Body")]
    await posting.offer(Session(grid(1), "results/1"), [channel])
    await posting.offer(Session(grid(2), "results/2"), [channel])
    await posting.idle()
    assert [p[2] for p in poster.posts] == ["results/2"]
    assert await posting.offer(Session(grid(1), "results/1"), [channel]) == 0


async def test_a_claim_never_posted_is_posted_on_the_next_start(ledger: AnnouncementLog) -> None:
    [channel] = [c for c in await ledger.channels() if c.channel_id == CHANNEL]
    session, gone = Session(grid(1), "results/1"), Session(grid(2), "results/2")
    for one in (session, gone):  # claimed, then the process died before posting
        assert await ledger.claim(GUILD, CHANNEL, one.digest, one.key, one.library)
    poster, clock = FakePoster(), Clock()
    posting = announcer(ledger, poster, clock)

    async def find(claim: Claim) -> Session | None:
        return session if claim.digest == session.digest else None

    assert await posting.resume(find) == 1
    await posting.idle()
    assert poster.posts == [(GUILD, CHANNEL, "results/1", nonce_of(CHANNEL, session.digest))]
    assert await ledger.unfinished() == []
    assert await posting.offer(gone, [channel]) == 0, "marked failed: not claimed again"


async def test_closing_keeps_what_is_queued_for_the_next_start(ledger: AnnouncementLog) -> None:
    poster, clock = FakePoster(), Clock()
    posting = announcer(ledger, poster, clock)
    [channel] = [c for c in await ledger.channels() if c.channel_id == CHANNEL]
    blocked = asyncio.Event()

    async def stuck(guild_id: int, channel_id: int, session: Session, nonce: int) -> int:
        await blocked.wait()
        return 1

    poster.post = stuck  # type: ignore[method-assign]  # a post that never ends
    await posting.offer(Session(grid(1), "results/1"), [channel])
    await asyncio.sleep(0)
    assert posting.waiting == 1
    await posting.close()
    [left] = await ledger.unfinished()
    assert left.key == "results/1"


def test_the_nonce_fits_discord_and_names_the_session_and_channel() -> None:
    nonce = nonce_of(CHANNEL, "a" * 64)
    assert len(str(nonce)) <= 25 and nonce == nonce_of(CHANNEL, "a" * 64)
    assert nonce != nonce_of(OTHER_CHANNEL, "a" * 64) != nonce_of(CHANNEL, "b" * 64)
