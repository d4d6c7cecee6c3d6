"""Storage: the database behind each server's library and settings, and the facade the cogs
ask (:class:`~bot.storage.libraries.Libraries`). Never imported by ``bot.core``."""

from __future__ import annotations

import logging

from sqlalchemy.engine import URL

from bot.core.store import GridStore
from bot.storage.database import connect, default_url, parse_url, redact
from bot.storage.libraries import Libraries, Limits
from bot.storage.migrate import upgrade

log = logging.getLogger("gridbot.storage")

__all__ = ["Libraries", "Limits", "default_url", "open_libraries", "parse_url", "redact"]


async def open_libraries(
    url: URL,
    operator: GridStore,
    limits: Limits,
    *,
    configured_default: str | None = None,
    attempts: int | None = None,
) -> Libraries:
    """Connect (retrying an unreachable server), migrate under the lock, and hand back the
    facade. Raises a :class:`~bot.storage.errors.DatabaseError` that names the URL without
    its password."""
    engine = await connect(url, attempts=attempts)
    try:
        await upgrade(engine)
    except BaseException:
        await engine.dispose()
        raise
    log.info("database: %s", redact(url))
    return Libraries(engine, operator, limits, configured_default=configured_default)
