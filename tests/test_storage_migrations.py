"""Opening the database: migrating it under the lock, refusing one from a newer Gridbot, and
saying why a database cannot be used without ever showing its password. SQLite and
PostgreSQL each (the ``database_url`` fixture); the refusals only a server can give run on
PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli import EXIT_CONFIG, EXIT_DATABASE, main
from bot.core.store import GridStore
from bot.storage import Limits, open_libraries, parse_url, redact
from bot.storage.database import connect
from bot.storage.errors import (
    BadDatabaseUrl,
    DatabaseRefused,
    DatabaseTooNew,
    DatabaseUnreachable,
)
from bot.storage.migrate import alembic_config, current, head, upgrade
from bot.storage.tables import metadata
from tests.conftest import DATA
from tests.databases import fresh_postgres, postgres_base
from tests.test_many_grids import SPA

PASSWORD = "s3cret-Pa55word"
TABLES = {"servers", "files", "file_versions", "audit", "announcements", "alembic_version"}


def with_password(url: str) -> URL:
    """The URL with a password for a PostgreSQL one (the local server trusts any), so that
    messages can be checked for it."""
    parsed = parse_url(url)
    return parsed if parsed.get_backend_name() == "sqlite" else parsed.set(password=PASSWORD)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    connected = await connect(parse_url(database_url), attempts=1)
    yield connected
    await connected.dispose()


async def revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(current)


async def stamps(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        return list(
            (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalars()
        )


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def open_at(url: URL, attempts: int = 1) -> None:
    libraries = await open_libraries(url, GridStore(DATA), Limits(), attempts=attempts)
    await libraries.close()


def free_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# Migrating


async def test_a_fresh_database_is_migrated_to_head(engine: AsyncEngine) -> None:
    assert await revision(engine) is None
    assert await upgrade(engine) == (None, head())
    assert await revision(engine) == head() == "0003"
    assert await table_names(engine) == TABLES


async def test_the_migrations_build_exactly_the_tables_the_code_declares(
    engine: AsyncEngine,
) -> None:
    """A column added to tables.py without a migration (or the other way round) fails here."""
    await upgrade(engine)

    def differences(sync: Connection) -> list[Any]:
        return list(compare_metadata(MigrationContext.configure(sync), metadata))

    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []


async def test_grids_stored_before_the_summaries_are_read_on_load(database_url: str) -> None:
    """A database at 0001 with a server's grid in it: after the upgrade to 0002 that version
    has no summary, so it is parsed on load, and served."""
    engine = await connect(parse_url(database_url), attempts=1)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: _upgrade_to(sync, "0001"))
            await connection.execute(
                text(
                    "INSERT INTO files (id, guild_id, key, current_version, removed) "
                    "VALUES (1, 7, 'old-spa', 1, :no)"
                ),
                {"no": False},
            )
            await connection.execute(
                text(
                    "INSERT INTO file_versions (guild_id, file_id, version, filename, "
                    "uploader_id, created_at, size, sha256, title, grids, data) VALUES "
                    "(7, 1, 1, 'old-spa.md', 1, :at, 10, 'x', 'Old Spa', 1, :data)"
                ),
                {"at": datetime(2026, 1, 1, tzinfo=UTC), "data": SPA.encode()},
            )
    finally:
        await engine.dispose()
    libraries = await open_libraries(parse_url(database_url), GridStore(DATA), Limits())
    try:
        view = await libraries.view(7)
        assert view.unavailable == ()
        assert view.catalog.find("old-spa").entries[0].team == "Spa Racing"
    finally:
        await libraries.close()


def _upgrade_to(connection: Connection, target: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, target)


async def test_upgrading_twice_changes_nothing(engine: AsyncEngine) -> None:
    await upgrade(engine)
    assert await upgrade(engine) == (head(), head())
    assert await stamps(engine) == [head()]
    assert await table_names(engine) == TABLES


async def test_concurrent_upgrades_from_two_engines_both_succeed(database_url: str) -> None:
    first = await connect(parse_url(database_url), attempts=1)
    second = await connect(parse_url(database_url), attempts=1)
    try:
        async with asyncio.timeout(60):  # without the lock the two deadlock: fail, not hang
            results = await asyncio.gather(upgrade(first), upgrade(second))
        assert sorted(results, key=lambda result: result[0] or "") == [
            (None, head()),
            (head(), head()),
        ]
        assert await stamps(first) == [head()]
        assert await table_names(second) == TABLES
    finally:
        await first.dispose()
        await second.dispose()


async def test_open_libraries_migrates_an_empty_database(database_url: str) -> None:
    await open_at(parse_url(database_url))
    engine = await connect(parse_url(database_url), attempts=1)
    try:
        assert await revision(engine) == head()
    finally:
        await engine.dispose()


async def test_a_database_from_a_newer_gridbot_is_refused(
    database_url: str, engine: AsyncEngine
) -> None:
    await upgrade(engine)
    async with engine.begin() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    url = with_password(database_url)
    with pytest.raises(DatabaseTooNew) as caught:
        await open_at(url)
    message = str(caught.value)
    assert redact(url) in message
    assert "revision 9999" in message
    assert f"knows up to {head()}" in message
    assert PASSWORD not in message
    assert await stamps(engine) == ["9999"], "the database is left as it was"


# Refusals


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database (skipped outside CI when there is none)."""
    async with fresh_postgres() as url:
        yield url


async def test_an_unknown_role_is_refused_without_showing_the_password(
    postgres_url: str,
) -> None:
    url = parse_url(postgres_url).set(username="gridbot_no_such_role", password=PASSWORD)
    with pytest.raises(DatabaseRefused) as caught:
        await open_at(url, attempts=3)
    message = str(caught.value)
    assert "refused the credentials" in message
    assert "gridbot_no_such_role:***@" in message
    assert PASSWORD not in message


async def test_an_unknown_database_is_refused(postgres_url: str) -> None:
    url = parse_url(postgres_url).set(database="gridbot_no_such_database", password=PASSWORD)
    with pytest.raises(DatabaseRefused) as caught:
        await open_at(url, attempts=3)
    message = str(caught.value)
    assert "does not exist" in message
    assert "gridbot_no_such_database" in message
    assert PASSWORD not in message


def unreachable() -> URL:
    """A PostgreSQL URL whose port nothing listens on."""
    return parse_url(postgres_base()).set(host="127.0.0.1", port=free_port(), password=PASSWORD)


async def test_an_unreachable_server_is_tried_again_then_reported(
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = unreachable()
    with (
        caplog.at_level(logging.WARNING, logger="gridbot.storage"),
        pytest.raises(DatabaseUnreachable) as caught,
    ):
        await connect(url, attempts=2, first_wait=0.0)
    retries = [r.getMessage() for r in caplog.records if "trying again" in r.getMessage()]
    assert len(retries) == 1, "two attempts: one wait between them"
    message = str(caught.value)
    assert f"cannot reach the database at {redact(url)}" in message
    assert PASSWORD not in message + "".join(retries)


async def test_open_libraries_reports_an_unreachable_server(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with (
        caplog.at_level(logging.WARNING, logger="gridbot.storage"),
        pytest.raises(DatabaseUnreachable),
    ):
        await open_at(unreachable(), attempts=1)
    assert not [r for r in caplog.records if "trying again" in r.getMessage()]


# URLs as people write them


@pytest.mark.parametrize(
    "text_url",
    [
        "not a url",
        "",
        "mysql://gridbot:hunter2@db/gridbot",
        "postgresql//gridbot:hunter2@db/gridbot",
        "postgresql://gridbot:hunter2@db:notaport/gridbot",
    ],
)
def test_a_malformed_url_is_refused_without_its_password(text_url: str) -> None:
    with pytest.raises(BadDatabaseUrl) as caught:
        parse_url(text_url)
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    ("text_url", "driver"),
    [
        ("sqlite:///state/gridbot.sqlite3", "sqlite+aiosqlite"),
        ("  sqlite:///state/gridbot.sqlite3\n", "sqlite+aiosqlite"),
        ("postgresql://gridbot:pw@db/gridbot", "postgresql+asyncpg"),
        ("postgres://gridbot:pw@db/gridbot", "postgresql+asyncpg"),
    ],
)
def test_urls_get_their_async_driver(text_url: str, driver: str) -> None:
    url = parse_url(text_url)
    assert url.drivername == driver
    assert ":pw@" not in redact(url)


# python -m bot db


def test_cli_db_upgrade_and_current(
    no_settings: None,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GRIDBOT_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("GRIDBOT_DATABASE_URL", database_url)
    shown = redact(parse_url(database_url))
    assert main(["db", "current"]) == 0
    assert f"database {shown}: at revision none (empty)" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out == f"database {shown}: at revision {head()} (was empty)\n"
    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out == f"database {shown}: at revision {head()} (up to date)\n"
    assert main(["db", "current"]) == 0
    assert capsys.readouterr().out == (
        f"database {shown}: at revision {head()}; this Gridbot knows up to {head()}\n"
    )


def test_cli_db_upgrade_uses_the_state_directory_by_default(
    no_settings: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    state = tmp_path / "state"
    monkeypatch.setenv("GRIDBOT_STATE_DIR", str(state))
    assert main(["db", "upgrade"]) == 0
    assert f"at revision {head()} (was empty)" in capsys.readouterr().out
    assert (state / "gridbot.sqlite3").is_file()


def test_cli_db_refuses_a_bad_url(
    no_settings: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GRIDBOT_DATABASE_URL", "mysql://gridbot:hunter2@db/gridbot")
    assert main(["db", "upgrade"]) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert "Invalid settings" in err
    assert "hunter2" not in err


def test_cli_db_upgrade_refuses_a_database_from_a_newer_gridbot(
    no_settings: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GRIDBOT_STATE_DIR", str(tmp_path / "state"))
    assert main(["db", "upgrade"]) == 0
    url = parse_url(f"sqlite:///{(tmp_path / 'state' / 'gridbot.sqlite3').as_posix()}")

    async def stamp_newer() -> None:
        engine = await connect(url, attempts=1)
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        await engine.dispose()

    asyncio.run(stamp_newer())
    capsys.readouterr()
    assert main(["db", "upgrade"]) == EXIT_DATABASE
    assert "revision 9999" in capsys.readouterr().err
