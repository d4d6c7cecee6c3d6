"""A server's settings, its presence (for the retention after the bot leaves) and its audit
log. Server-owned rows only through :class:`ServerScope`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.library import ServerSettings
from bot.storage.scope import ServerScope, departed
from bot.storage.tables import SERVER_OWNED, audit, servers


async def read_settings(connection: AsyncConnection, scope: ServerScope) -> ServerSettings:
    row = (await connection.execute(scope.select(servers))).one_or_none()
    if row is None:
        return ServerSettings()
    return ServerSettings(
        row.default_event, row.public_answers, row.announce_channel_id, row.announce_problem
    )


async def ensure(connection: AsyncConnection, scope: ServerScope) -> None:
    """The server's row exists (created with default settings)."""
    found = await connection.execute(scope.select(servers, servers.c.public_answers))
    if found.one_or_none() is None:
        try:
            async with connection.begin_nested():
                await connection.execute(scope.insert(servers).values(public_answers=True))
        except IntegrityError:  # another process made it first
            pass


async def write_settings(
    connection: AsyncConnection, scope: ServerScope, changes: dict[str, Any]
) -> None:
    await ensure(connection, scope)
    await connection.execute(scope.update(servers).values(**changes))


async def record(
    connection: AsyncConnection,
    scope: ServerScope,
    *,
    actor_id: int,
    action: str,
    target: str,
    detail: str,
    at: datetime,
) -> None:
    """One audit row: who did what to which file or setting, and when."""
    await connection.execute(
        scope.insert(audit).values(
            actor_id=actor_id, action=action, target=target[:200], detail=detail, at=at
        )
    )


async def count_since(
    connection: AsyncConnection, scope: ServerScope, actions: tuple[str, ...], since: datetime
) -> int:
    query = scope.select(audit, func.count()).where(
        audit.c.action.in_(actions), audit.c.at >= since
    )
    return int((await connection.execute(query)).scalar_one())


async def mark_left(connection: AsyncConnection, scope: ServerScope, at: datetime | None) -> None:
    """The bot left the server at ``at`` (``None``: it is back, or never left)."""
    await ensure(connection, scope)
    await connection.execute(scope.update(servers).values(left_at=at))


async def departed_before(connection: AsyncConnection, moment: datetime | None) -> list[int]:
    """Servers the bot left before ``moment`` (their retention is over), or at any time."""
    rows = await connection.execute(departed(moment))
    return [int(guild_id) for guild_id in rows.scalars()]


async def purge(connection: AsyncConnection, scope: ServerScope) -> None:
    """Every row of the server, its settings last."""
    for table in reversed(SERVER_OWNED):
        await connection.execute(scope.delete(table))
    await connection.execute(scope.delete(servers))
