"""Databases for the tests: a SQLite file always, and a fresh PostgreSQL database when one is
reachable (``GRIDBOT_TEST_DATABASE_URL``, by default the local server these machines run).

Elsewhere the PostgreSQL tests skip, saying why; under ``CI=true`` they fail instead, so that
CI can never pass without having run them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

POSTGRES_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_base() -> str:
    return os.environ.get("GRIDBOT_TEST_DATABASE_URL") or POSTGRES_DEFAULT


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(url: str) -> asyncpg.Connection:
    try:
        return await asyncpg.connect(_dsn(url), timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        shown = make_url(url).render_as_string(hide_password=True)
        reason = f"PostgreSQL at {shown} cannot be used ({type(error).__name__}: {error})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must run the PostgreSQL tests")
        pytest.skip(f"{reason}; set GRIDBOT_TEST_DATABASE_URL to run these tests")


@asynccontextmanager
async def fresh_postgres() -> AsyncIterator[str]:
    """The URL of a new, empty database on the test server, dropped afterwards."""
    base = postgres_base()
    admin = await _admin(base)
    name = f"gridbot_test_{uuid.uuid4().hex[:12]}"
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@asynccontextmanager
async def database(kind: str, folder: Path) -> AsyncIterator[str]:
    """A URL of an empty database of ``kind`` ("sqlite" or "postgresql")."""
    if kind == "sqlite":
        yield f"sqlite:///{(folder / 'gridbot.sqlite3').as_posix()}"
        return
    async with fresh_postgres() as url:
        yield url
