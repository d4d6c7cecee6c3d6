"""Why the database cannot be used. Each message names the database without its password."""

from __future__ import annotations

from bot.core.errors import GridbotError


class DatabaseError(GridbotError):
    """The database cannot be used as configured."""


class BadDatabaseUrl(DatabaseError):
    """``GRIDBOT_DATABASE_URL`` is not a URL this bot can use."""


class DatabaseRefused(DatabaseError):
    """The server answered and refused: wrong credentials, no such database."""


class DatabaseUnreachable(DatabaseError):
    """Nothing answered; worth trying again."""


class DatabaseTooNew(DatabaseError):
    """The database was migrated by a newer Gridbot than this one."""
