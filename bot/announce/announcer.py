"""Posting new sessions in the channels that asked for them: claimed first, then posted, one
channel at a time, at most :data:`PER_MINUTE` a minute in each.

Knows nothing of Discord: a :class:`Poster` sends a post (``bot.announce.post`` is Discord's).
What a post may meet:

- :class:`Refused`: the bot may not post in that channel (403) or it is gone (404). The
  server's ``/settings`` says so and the log does, once; the posts waiting for that channel
  are dropped (marked failed), and the next new session tries again.
- :class:`Undeliverable`: this one post is refused (a body Discord will not take): marked
  failed and logged, the next is posted.
- anything else (a rate limit that outlasted discord.py's own retries, a 5xx, the network):
  the same post is tried again after a wait (1 s doubling to a minute), with the same nonce,
  so that Discord keeps one message however many tries reach it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from bot.core.catalog import key_token
from bot.core.model import OPERATOR, SERVER, Grid
from bot.storage.announcements import AnnouncementLog, Channel, Claim

log = logging.getLogger("gridbot.announce")

PER_MINUTE = 20
"""Announcements at most in one channel in any minute."""
RETRY_FIRST, RETRY_CAP = 1.0, 60.0
"""Seconds before a post that failed for a passing reason is tried again: doubling."""
REFUSED_PAUSE = 60.0
"""Seconds after a channel refused a post during which its new posts are dropped without a
request (a burst of files must not make a burst of refused requests); then one tries again."""
WINDOW = 60.0


@dataclass(frozen=True, slots=True)
class Session:
    """A session to announce: its grid, served under ``key`` in the operator's library
    (``guild_id`` ``None``) or in one server's."""

    grid: Grid
    key: str
    guild_id: int | None = None

    @property
    def library(self) -> str:
        return OPERATOR if self.guild_id is None else SERVER

    @property
    def digest(self) -> str:
        return self.grid.digest

    @property
    def token(self) -> str:
        """The grid as buttons name it (``Catalog.token_of``): found again after a restart."""
        return key_token(self.key) + self.digest[:12]


class Refused(Exception):
    """The bot cannot post in the channel at all; the message says why, for ``/settings``."""


class Undeliverable(Exception):
    """This post cannot be made (and trying again will not help)."""


class Poster(Protocol):
    async def post(self, guild_id: int, channel_id: int, session: Session, nonce: int) -> int:
        """Post ``session`` in the channel; the message's id. Raises :class:`Refused`,
        :class:`Undeliverable`, or anything else for a failure worth trying again."""
        ...


def nonce_of(channel_id: int, digest: str) -> int:
    """The same nonce for every try of one session's post in one channel (Discord keeps one
    message per nonce for a few minutes): 60 bits, at most 19 digits (Discord: 25)."""
    return int(hashlib.sha256(f"{channel_id}:{digest}".encode()).hexdigest()[:15], 16)


@dataclass(slots=True)
class _Job:
    claim: Claim
    session: Session


@dataclass(slots=True)
class _Line:
    """One channel's posts waiting, and the task posting them."""

    waiting: deque[_Job] = field(default_factory=deque)
    task: asyncio.Task[None] | None = None
    busy: bool = False
    """Posting (or recording a post) right now: let it finish on a stop."""


class Announcer:
    """Claims each post, then sends it through ``poster``; every channel has a line of its
    own, so a slow or rate-limited channel delays only its own posts."""

    def __init__(
        self,
        ledger: AnnouncementLog,
        poster: Poster,
        *,
        per_minute: int = PER_MINUTE,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.ledger = ledger
        self.poster = poster
        self.per_minute = per_minute
        self.clock = clock
        self.sleep = sleep
        self._lines: dict[int, _Line] = {}
        self._sent: dict[int, deque[float]] = {}
        """When each channel's posts of the last minute went out."""
        self._refused: dict[int, float] = {}
        """When each channel last refused a post."""
        self._idle = asyncio.Event()
        self._idle.set()
        self._stopping = False
        self.posted = 0
        """Posts made by this process."""

    async def offer(self, session: Session, channels: Iterable[Channel]) -> int:
        """Claim and queue the post of ``session`` in each channel where it was never claimed;
        how many were queued."""
        queued = 0
        for channel in channels:
            claim = await self.ledger.claim(
                channel.guild_id, channel.channel_id, session.digest, session.key, session.library
            )
            if claim is not None:
                self._queue(_Job(claim, session))
                queued += 1
        return queued

    async def resume(self, find: Callable[[Claim], Awaitable[Session | None]]) -> int:
        """Queue again the posts claimed and never made (a crash, a rate limit that outlasted
        every retry): ``find`` gives each one's session, or ``None`` when it is not served
        any more (then it is marked failed). How many were queued."""
        queued = 0
        for claim in await self.ledger.unfinished():
            session = await find(claim)
            if session is None:
                await self.ledger.failed(claim, "the session is no longer served")
                log.info(
                    "not posting %s in channel %s: no longer served", claim.key, claim.channel_id
                )
                continue
            self._queue(_Job(claim, session))
            queued += 1
        if queued:
            log.info("posting %d announcement(s) claimed before and never made", queued)
        return queued

    def _queue(self, job: _Job) -> None:
        line = self._lines.setdefault(job.claim.channel_id, _Line())
        line.waiting.append(job)
        self._idle.clear()
        if line.task is None:
            line.task = asyncio.create_task(
                self._serve(job.claim.channel_id, line), name=f"announce {job.claim.channel_id}"
            )

    @property
    def waiting(self) -> int:
        """Posts queued and not made yet."""
        return sum(len(line.waiting) for line in self._lines.values())

    async def idle(self) -> None:
        """Wait until every post queued has been made (or dropped)."""
        await self._idle.wait()

    async def close(self, grace: float = 5.0) -> None:
        """Stop posting: a post being made is finished (for at most ``grace`` seconds) and
        recorded; what is queued stays claimed, and is posted on the next start."""
        self._stopping = True
        lines = list(self._lines.values())
        busy = [line.task for line in lines if line.task is not None and line.busy]
        for line in lines:
            if line.task is not None and not line.busy:
                line.task.cancel()
        if busy:
            await asyncio.wait(busy, timeout=grace)
        tasks = [line.task for line in lines if line.task is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._lines.clear()
        self._idle.set()
        self._stopping = False

    async def _serve(self, channel_id: int, line: _Line) -> None:
        wait = RETRY_FIRST
        try:
            while line.waiting and not self._stopping:
                job = line.waiting[0]
                refused = self._refused.get(channel_id)
                if refused is not None and self.clock() - refused < REFUSED_PAUSE:
                    line.waiting.popleft()
                    await self._mark(self.ledger.failed(job.claim, "the channel refused posts"))
                    continue
                await self._room(channel_id)
                line.busy = True
                try:
                    message_id = await self.poster.post(
                        job.claim.guild_id,
                        channel_id,
                        job.session,
                        nonce_of(channel_id, job.claim.digest),
                    )
                except Refused as refusal:
                    await self._refusal(channel_id, line, job, str(refusal))
                    line.busy = False
                    continue
                except Undeliverable as error:
                    log.error("cannot post %s in channel %s: %s", job.claim.key, channel_id, error)
                    line.waiting.popleft()
                    await self._mark(self.ledger.failed(job.claim, str(error)))
                    line.busy = False
                    continue
                except asyncio.CancelledError:
                    raise
                except Exception as error:  # a rate limit, a 5xx, the network: try again
                    line.busy = False
                    log.warning(
                        "posting %s in channel %s failed (%s: %s); trying again in %.0f s",
                        job.claim.key,
                        channel_id,
                        type(error).__name__,
                        error,
                        wait,
                    )
                    await self.sleep(wait)
                    wait = min(wait * 2, RETRY_CAP)
                    continue
                wait = RETRY_FIRST
                self._sent.setdefault(channel_id, deque()).append(self.clock())
                self._refused.pop(channel_id, None)
                line.waiting.popleft()
                self.posted += 1
                log.info(
                    "announced %s in channel %s (server %s)",
                    job.session.grid.meta.title,
                    channel_id,
                    job.claim.guild_id,
                )
                await self._mark(self.ledger.posted(job.claim, message_id))
                line.busy = False
        finally:
            line.busy = False
            line.task = None
            if not line.waiting:
                self._lines.pop(channel_id, None)
            if not self._lines:
                self._idle.set()

    async def _room(self, channel_id: int) -> None:
        """Wait until a post in this channel keeps it within :attr:`per_minute` a minute."""
        sent = self._sent.setdefault(channel_id, deque())
        while sent:
            if self.clock() - sent[0] >= WINDOW:
                sent.popleft()
            elif len(sent) >= self.per_minute:
                await self.sleep(sent[0] + WINDOW - self.clock())
            else:
                break
        if not sent:
            del self._sent[channel_id]  # quiet for a minute: nothing to remember

    async def _refusal(self, channel_id: int, line: _Line, job: _Job, problem: str) -> None:
        """The channel takes no posts: say so in the server's settings (and the log, once),
        and drop every post waiting for it, and those that come within
        :data:`REFUSED_PAUSE`; the next one after tries again."""
        self._refused[channel_id] = self.clock()
        dropped = list(line.waiting)
        line.waiting.clear()
        try:
            news = await self.ledger.refused(job.claim.guild_id, channel_id, problem)
        except Exception:
            log.exception("could not record that channel %s refuses posts", channel_id)
            news = True
        if news:
            log.warning(
                "server %s: cannot post in its announcements channel %s: %s",
                job.claim.guild_id,
                channel_id,
                problem,
            )
        for waiting in dropped:
            await self._mark(self.ledger.failed(waiting.claim, problem))

    @staticmethod
    async def _mark(done: Awaitable[None]) -> None:
        """Record a post's outcome; when the database cannot, the claim stays and the post is
        made again on the next start, with the same nonce."""
        try:
            await done
        except Exception:
            log.exception("could not record an announcement's outcome")
