"""The one place that ties a query to a server: every read, change and delete of a row that
belongs to a server goes through :class:`ServerScope`, which adds ``guild_id`` to it.

Nothing else in the bot builds a query on a server-owned table, so no command can forget the
filter (``tests/test_storage.py`` checks that the other modules never name ``guild_id``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Delete, Select, Table, Update, delete, insert, select, update
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import ColumnElement

from bot.storage.tables import SERVER_OWNED, announcements, servers


class ServerScope:
    """Queries on one server's rows."""

    __slots__ = ("guild_id",)

    def __init__(self, guild_id: int) -> None:
        if not isinstance(guild_id, int) or isinstance(guild_id, bool) or guild_id <= 0:
            raise ValueError(f"a server scope needs a server id, not {guild_id!r}")
        self.guild_id = guild_id

    def owns(self, table: Table) -> ColumnElement[bool]:
        """The condition that a row of ``table`` is this server's."""
        if table is not servers and table not in SERVER_OWNED:
            raise ValueError(f"{table.name} has no rows that belong to a server")
        column = table.c.guild_id
        return column == self.guild_id

    def select(self, table: Table, *columns: Any) -> Select[Any]:
        """``SELECT`` from ``table`` (its columns, or those given), this server's rows only."""
        query = select(*columns) if columns else select(table)
        return query.where(self.owns(table))

    def insert(self, table: Table) -> Insert:
        """``INSERT`` into ``table`` with this server's id set; pass the other values."""
        return insert(table).values(guild_id=self.guild_id)

    def update(self, table: Table) -> Update:
        return update(table).where(self.owns(table))

    def delete(self, table: Table) -> Delete:
        return delete(table).where(self.owns(table))


# The queries across servers: each names what it reads of every server, and nothing else.


def departed(before: datetime | None) -> Select[Any]:
    """The ids of the servers the bot left (before ``before``)."""
    query = select(servers.c.guild_id).where(servers.c.left_at.is_not(None))
    return query if before is None else query.where(servers.c.left_at < before)


def announcing() -> Select[Any]:
    """The servers the bot is in that set an announcements channel: id, channel, since when."""
    return select(
        servers.c.guild_id, servers.c.announce_channel_id, servers.c.announce_since
    ).where(servers.c.announce_channel_id.is_not(None), servers.c.left_at.is_(None))


def announcements_in(state: str) -> Select[Any]:
    """Every server's announcements in ``state`` (those claimed but never posted, after a
    crash), oldest first."""
    return (
        select(announcements)
        .where(announcements.c.state == state)
        .order_by(announcements.c.claimed_at, announcements.c.id)
    )
