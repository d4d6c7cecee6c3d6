"""The engine: SQLite under the state directory by default, any SQLAlchemy async URL else.

``GRIDBOT_DATABASE_URL`` accepts ``sqlite:///path`` and ``postgresql://user:pw@host/db`` as
people write them; the async driver (aiosqlite, asyncpg) is chosen here.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.storage.errors import BadDatabaseUrl, DatabaseRefused, DatabaseUnreachable

log = logging.getLogger("gridbot.storage")

DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
"""Each supported dialect and the async driver that serves it."""
SQLITE_FILE = "gridbot.sqlite3"


def default_url(state_dir: Path) -> str:
    """The embedded database: a SQLite file in the state directory."""
    return f"sqlite:///{(state_dir / SQLITE_FILE).as_posix()}"


def parse_url(text: str) -> URL:
    """A URL with its async driver; :class:`BadDatabaseUrl` names what is wrong."""
    try:
        url = make_url(text.strip())
    except (ArgumentError, ValueError):
        raise BadDatabaseUrl(
            f"GRIDBOT_DATABASE_URL is not a database URL: {redact_text(text)!r} "
            "(expected sqlite:///path or postgresql://user:password@host/database)"
        ) from None
    dialect = url.get_backend_name()
    if dialect == "postgres":
        dialect = "postgresql"
    if dialect not in DRIVERS:
        raise BadDatabaseUrl(
            f"GRIDBOT_DATABASE_URL names {dialect!r}; Gridbot supports SQLite and PostgreSQL "
            f"({redact(url)})"
        )
    return url.set(drivername=DRIVERS[dialect])


def redact(url: URL) -> str:
    """The URL as it may be shown: the password hidden."""
    return url.render_as_string(hide_password=True)


def redact_text(text: str) -> str:
    """Best effort for text that is not even a URL: whatever stands between the user name and
    the last ``@`` is hidden."""
    head, at, tail = text.rpartition("@")
    if not at:
        return text
    scheme, sep, rest = head.partition("://")
    if not sep:
        scheme, rest = "", head
    user = rest.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{tail}"


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def sqlite_path(url: URL) -> Path | None:
    """The database file of a SQLite URL; ``None`` for an in-memory one."""
    database = url.database
    return Path(database) if database and database != ":memory:" else None


def create_engine(url: URL) -> AsyncEngine:
    """An async engine for ``url``: SQLite in WAL mode with foreign keys on."""
    options: dict[str, Any] = {}
    if is_sqlite(url):
        path = sqlite_path(url)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise DatabaseRefused(
                    f"cannot create the folder of the database {path}: {error.strerror}"
                ) from None
        options["connect_args"] = {"timeout": 30}
    else:
        options.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
    engine = create_async_engine(url, **options)
    if is_sqlite(url):
        event.listen(engine.sync_engine, "connect", _sqlite_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(connection: Any, _record: Any) -> None:
    """WAL, foreign keys, and transactions SQLAlchemy controls: the sqlite3 driver would
    otherwise begin one only before a write, so reads and savepoints before it would run
    outside the transaction (SQLAlchemy's documented recipe for pysqlite and aiosqlite)."""
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # A transaction that will write takes the write lock at once (and so waits its turn);
    # one that reads first and writes later could be refused mid-way ("database is locked").
    writes = connection.get_execution_options().get(WRITES, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


WRITES = "gridbot_writes"
"""An execution option: the transactions of an engine made with it will write
(:func:`writer`)."""


def writer(engine: AsyncEngine) -> AsyncEngine:
    """The same engine (and pool) for transactions that write."""
    return engine.execution_options(**{WRITES: True})


def classify(error: BaseException, url: URL) -> Exception:
    """A connection failure as one of ours: unreachable (retry) or refused (stop)."""
    shown = redact(url)
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError | socket.gaierror | TimeoutError):
            return DatabaseUnreachable(f"cannot reach the database at {shown}: {cause}")
        if isinstance(cause, OSError) and not isinstance(cause, PermissionError):
            if is_sqlite(url):
                return DatabaseRefused(f"cannot open the database at {shown}: {cause}")
            return DatabaseUnreachable(f"cannot reach the database at {shown}: {cause}")
        name = type(cause).__name__
        if name in ("InvalidPasswordError", "InvalidAuthorizationSpecificationError"):
            return DatabaseRefused(f"the database at {shown} refused the credentials: {cause}")
        if name in ("InvalidCatalogNameError",):
            return DatabaseRefused(f"the database at {shown} does not exist: {cause}")
        if name in ("CannotConnectNowError", "TooManyConnectionsError"):
            return DatabaseUnreachable(f"the database at {shown} is not ready: {cause}")
        cause = cause.__cause__ or (cause.orig if isinstance(cause, DBAPIError) else None)
    if isinstance(error, OperationalError | InterfaceError):
        return DatabaseRefused(f"cannot use the database at {shown}: {error}")
    return DatabaseRefused(f"cannot use the database at {shown}: {type(error).__name__}: {error}")


async def connect(
    url: URL, *, attempts: int | None = None, first_wait: float = 1.0, max_wait: float = 30.0
) -> AsyncEngine:
    """An engine whose database answered ``SELECT 1``.

    An unreachable server is retried with capped exponential backoff (forever unless
    ``attempts`` is given), each try logged; refused credentials fail at once.
    """
    engine = create_engine(url)
    wait, tried = first_wait, 0
    while True:
        tried += 1
        try:
            async with engine.connect() as connection:
                await connection.exec_driver_sql("SELECT 1")
            return engine
        except Exception as error:
            problem = classify(error, url)
            if not isinstance(problem, DatabaseUnreachable) or (
                attempts is not None and tried >= attempts
            ):
                await engine.dispose()
                raise problem from None
            log.warning("%s; trying again in %.0f s", problem, wait)
            await asyncio.sleep(wait)
            wait = min(wait * 2, max_wait)
