"""Migrations with Alembic, run on start and by ``python -m bot db upgrade``.

Processes that start together take a lock first, so only one migrates: a PostgreSQL advisory
lock, or a lock file beside a SQLite database. A database whose revision this code does not
know was migrated by a newer Gridbot, and is refused rather than touched.

Alembic (11 MiB of memory beside the rest of the bot) is imported only when a database is
not at :data:`HEAD` already: a bot starting on an up-to-date database reads one row and goes
on, taking no lock (nor importing filelock) to do so.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.database import redact, sqlite_path
from bot.storage.errors import DatabaseTooNew

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger("gridbot.storage")
logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)  # one line of ours says it

MIGRATIONS = Path(__file__).with_name("migrations")
LOCK_KEY = 0x6772_6964_626F_74  # "gridbot": the advisory lock every process migrates under
HEAD = "0003"
"""The newest revision in ``migrations/versions`` (a test holds it to Alembic's own answer)."""


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head() -> str:
    """The newest revision this code knows."""
    from alembic.script import ScriptDirectory

    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision


def current(connection: Connection) -> str | None:
    """The revision the database is at, or ``None`` for an empty database."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _at_head(connection: Connection) -> bool:
    """Whether the database is at :data:`HEAD`, read without Alembic."""
    if not inspect(connection).has_table("alembic_version"):
        return False
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return rows == [HEAD]


def _upgrade(connection: Connection, url: URL) -> tuple[str | None, str]:
    if _at_head(connection):
        return HEAD, HEAD
    from alembic import command
    from alembic.script import ScriptDirectory

    config = alembic_config()
    before = current(connection)
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    if before is not None and before not in known:
        raise DatabaseTooNew(
            f"the database at {redact(url)} is at revision {before}, which this Gridbot "
            f"does not know (it knows up to {head()}): it was upgraded by a newer Gridbot. "
            "Run that version, or restore a backup made before the upgrade."
        )
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
    return before, head()


async def upgrade(engine: AsyncEngine) -> tuple[str | None, str]:
    """Bring the database to the newest revision, under the migration lock; returns the
    revisions before and after."""
    url = engine.url
    if url.get_backend_name() == "postgresql":
        async with engine.connect() as connection:
            await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
            try:
                await connection.commit()
                async with connection.begin():
                    result = await connection.run_sync(_upgrade, url)
            finally:
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                await connection.commit()
    else:
        async with engine.connect() as connection:
            if await connection.run_sync(_at_head):  # the usual start: nothing to lock for
                return HEAD, HEAD
        from filelock import AsyncFileLock

        path = sqlite_path(url)
        lock = AsyncFileLock(str(path) + ".migrate-lock") if path is not None else None
        if lock is not None:
            await lock.acquire()
        try:
            async with engine.begin() as connection:
                result = await connection.run_sync(_upgrade, url)
        finally:
            if lock is not None:
                await lock.release()
    before, after = result
    if before != after:
        log.info("database %s migrated from %s to %s", redact(url), before or "empty", after)
    return result
