"""Announcements of new results: which session was posted in which channel, and what keeps
the bot from posting in one.

A post is claimed (a row in ``claimed`` state, unique per server, channel and session)
before it is sent, and marked ``posted`` or ``failed`` after: a second claim of the same
session in the same channel, by this process after a restart or by another one, finds the
row and posts nothing. A claim never marked (a crash, a rate limit that outlasted discord.py's
retries) is posted again on the next start, with the same nonce, so that Discord keeps one.

Server-owned rows only through :class:`ServerScope`; the queries across servers are in
:mod:`bot.storage.scope`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.database import writer
from bot.storage.scope import ServerScope, announcements_in, announcing
from bot.storage.tables import announcements, files, servers, versions

log = logging.getLogger("gridbot.storage")

CLAIMED, POSTED, FAILED = "claimed", "posted", "failed"
"""The states of an announcement."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back what it was given, without the zone."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Channel:
    """A server's announcements channel, and since when it is set."""

    guild_id: int
    channel_id: int
    since: datetime | None


@dataclass(frozen=True, slots=True)
class Claim:
    """One session to be posted in one channel: the row that claims it."""

    id: int
    guild_id: int
    channel_id: int
    digest: str
    key: str
    library: str


class AnnouncementLog:
    """The announcements made, and the channels that asked for them, over one database."""

    def __init__(self, engine: AsyncEngine, clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.writer = writer(engine)
        self.clock = clock

    async def channels(self) -> list[Channel]:
        """Every server the bot is in that set an announcements channel."""
        async with self.engine.connect() as connection:
            rows = await connection.execute(announcing())
            return [Channel(int(r[0]), int(r[1]), _aware(r[2])) for r in rows]

    async def claim(
        self, guild_id: int, channel_id: int, digest: str, key: str, library: str
    ) -> Claim | None:
        """Claim the post of a session in a channel; ``None`` when it was claimed before (by
        this process or another, now or before a restart)."""
        scope = ServerScope(guild_id)
        try:
            async with self.writer.begin() as connection:
                inserted = await connection.execute(
                    scope.insert(announcements).values(
                        channel_id=channel_id,
                        digest=digest,
                        grid_key=key[:200],
                        library=library,
                        state=CLAIMED,
                        claimed_at=self.clock(),
                        detail="",
                    )
                )
        except IntegrityError:
            return None
        primary = inserted.inserted_primary_key
        assert primary is not None
        return Claim(int(primary[0]), guild_id, channel_id, digest, key, library)

    async def unfinished(self) -> list[Claim]:
        """Every claim never marked posted or failed, oldest first."""
        async with self.engine.connect() as connection:
            rows = await connection.execute(announcements_in(CLAIMED))
            return [
                Claim(
                    int(row.id),
                    int(row.guild_id),
                    int(row.channel_id),
                    row.digest,
                    row.grid_key,
                    row.library,
                )
                for row in rows
            ]

    async def posted(self, claim: Claim, message_id: int) -> None:
        """The post went out: so marked, and the channel is known to work."""
        scope = ServerScope(claim.guild_id)
        async with self.writer.begin() as connection:
            await connection.execute(
                scope.update(announcements)
                .where(announcements.c.id == claim.id)
                .values(state=POSTED, message_id=message_id, done_at=self.clock())
            )
            await connection.execute(
                scope.update(servers)
                .where(
                    servers.c.announce_channel_id == claim.channel_id,
                    servers.c.announce_problem.is_not(None),
                )
                .values(announce_problem=None)
            )

    async def failed(self, claim: Claim, why: str) -> None:
        """The post cannot be made (and is not tried again)."""
        scope = ServerScope(claim.guild_id)
        async with self.writer.begin() as connection:
            await connection.execute(
                scope.update(announcements)
                .where(announcements.c.id == claim.id)
                .values(state=FAILED, done_at=self.clock(), detail=why[:300])
            )

    async def refused(self, guild_id: int, channel_id: int, problem: str) -> bool:
        """Discord refused a post in the server's channel: say so in its settings. True when
        this is news (the first refusal, or another reason), so that it is logged once."""
        scope = ServerScope(guild_id)
        async with self.writer.begin() as connection:
            changed = await connection.execute(
                scope.update(servers)
                .where(
                    servers.c.announce_channel_id == channel_id,
                    or_(
                        servers.c.announce_problem.is_(None),
                        servers.c.announce_problem != problem[:300],
                    ),
                )
                .values(announce_problem=problem[:300])
            )
            return bool(changed.rowcount)

    async def stored_sha256(self, guild_id: int, key: str) -> set[str]:
        """The SHA-256 of every version of the server's file ``key`` still kept."""
        scope = ServerScope(guild_id)
        query = (
            scope.select(versions, versions.c.sha256)
            .join(files, versions.c.file_id == files.c.id)
            .where(files.c.key == key)
        )
        async with self.engine.connect() as connection:
            return set((await connection.execute(query)).scalars())
