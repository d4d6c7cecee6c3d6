"""The storage layer against SQLite and PostgreSQL: each server's library over the operator's,
its versions, limits, settings, audit log and retention, and the scope every query goes
through. Every test runs once per database (the ``database_url`` fixture)."""

from __future__ import annotations

import asyncio
import hashlib
import re
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, Row, Table, select, update

import bot
from bot.core.answers import LibraryChangeAnswer
from bot.core.errors import QueryError
from bot.core.library import LibraryView, ServerSettings
from bot.core.loader import PARSER_VERSION
from bot.core.model import OPERATOR, SERVER, Grid
from bot.storage import Libraries
from bot.storage.announcements import AnnouncementLog
from bot.storage.scope import ServerScope
from bot.storage.tables import announcements, audit, files, servers, versions
from tests.conftest import DATA, SEED, open_test_libraries
from tests.test_many_grids import SPA

GUILD, OTHER = 111_111, 222_222
ADMIN, HELPER = 501, 502
T0 = datetime(2026, 3, 1, 12, 0, 0, 500_000, tzinfo=UTC)
LE_MANS = "2003-1000km-le-mans-qualifying"
IMOLA = "2006-imola-qualifying"
MONZA = "2007-monza-qualifying"
TITLE = "2006 Imola · Qualifying"
TABLES = (servers, files, versions, audit, announcements)

Opener = Callable[..., Awaitable[Libraries]]


class Clock:
    """A clock that moves only when told to."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def open_with(database_url: str, clock: Clock) -> AsyncIterator[Opener]:
    """Opens the facade over the test database with the given limits, on the fake clock."""
    opened: list[Libraries] = []

    async def factory(
        data: Path = DATA, default_event: str | None = None, **limits: Any
    ) -> Libraries:
        libraries = await open_test_libraries(database_url, data, default_event, **limits)
        libraries.clock = clock
        opened.append(libraries)
        return libraries

    yield factory
    for libraries in opened:
        await libraries.close()


@pytest.fixture
async def libraries(open_with: Opener) -> Libraries:
    return await open_with(imports_per_minute=100)


@pytest.fixture
def operator_data(tmp_path: Path) -> Path:
    """The operator's folder: the seed grid (2003) and a newer one, 2004 Spa."""
    root = tmp_path / "data"
    root.mkdir()
    shutil.copy(SEED, root / SEED.name)
    shutil.copy(SEED.with_suffix(".toml"), root / SEED.with_suffix(".toml").name)
    (root / "2004-spa-qualifying.md").write_text(SPA, encoding="utf-8")
    return root


# Helpers


def grid_text(team: str = "Spa Racing") -> bytes:
    """A small valid grid file whose first car is entered by ``team``."""
    return SPA.replace("Spa Racing", team).encode()


BROKEN = SPA.replace("2:15.1234", "fast").encode()
"""A grid file the parser refuses at line 3."""


async def add(
    libraries: Libraries,
    key: str,
    team: str = "Spa Racing",
    *,
    guild: int = GUILD,
    replace: bool = False,
    uploader: int = ADMIN,
) -> LibraryChangeAnswer:
    return await libraries.import_file(
        guild, uploader, f"{key}.md", grid_text(team), replace=replace
    )


def listed(view: LibraryView) -> list[tuple[str, str, int, bool]]:
    """The server's files as the view lists them: key, title, version, removed."""
    return [(own.key, own.title, own.version, own.removed) for own in view.files]


def teams(grid: Grid) -> list[str]:
    return [entry.team for entry in grid.entries]


async def served_team(libraries: Libraries, guild: int | None, key: str) -> str:
    """The first team of the grid ``key`` as ``guild`` sees it."""
    return teams((await libraries.view(guild)).catalog.grids[key])[0]


async def everything(libraries: Libraries) -> dict[str, list[Row[Any]]]:
    """Every row of every table, in a stable order: to show that nothing was written."""
    found: dict[str, list[Row[Any]]] = {}
    async with libraries.engine.connect() as connection:
        for table in TABLES:
            query = select(table).order_by(*table.primary_key.columns)
            found[table.name] = list((await connection.execute(query)).all())
    return found


async def rows_of(libraries: Libraries, table: Table, guild: int) -> list[Row[Any]]:
    async with libraries.engine.connect() as connection:
        query = select(table).where(table.c.guild_id == guild)
        query = query.order_by(*table.primary_key.columns)
        return list((await connection.execute(query)).all())


async def audit_trail(libraries: Libraries) -> list[tuple[int, int, str, str]]:
    async with libraries.engine.connect() as connection:
        query = select(audit.c.guild_id, audit.c.actor_id, audit.c.action, audit.c.target)
        return [tuple(row) for row in await connection.execute(query.order_by(audit.c.id))]


async def version_numbers(libraries: Libraries, key: str, guild: int = GUILD) -> list[int]:
    return [v.version for v in (await libraries.history(guild, key)).versions]


async def refused(change: Awaitable[Any]) -> str:
    """The message of the ``QueryError`` a change is refused with."""
    with pytest.raises(QueryError) as caught:
        await change
    return caught.value.message


def aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; they were stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# 1. Each server sees its own library over the operator's, and no other server's


async def test_an_import_is_seen_in_its_server_only(libraries: Libraries) -> None:
    await add(libraries, IMOLA)
    own = await libraries.view(GUILD)
    assert IMOLA in own.catalog.grids
    assert own.catalog.grids[IMOLA].meta.library == SERVER
    assert listed(own) == [(IMOLA, TITLE, 1, False)]
    other = await libraries.view(OTHER)
    assert IMOLA not in other.catalog.grids
    assert other.files == ()
    direct = await libraries.view(None)
    assert set(direct.catalog.grids) == {LE_MANS}
    assert direct.files == ()


async def test_replacing_in_one_server_leaves_another_unchanged(libraries: Libraries) -> None:
    await add(libraries, IMOLA, "First Racing")
    await add(libraries, IMOLA, "Second Racing", guild=OTHER)
    before = await libraries.view(OTHER)
    await add(libraries, IMOLA, "Replaced Racing", replace=True)
    assert libraries.cached(OTHER), "a change in one server keeps another's cache"
    assert await libraries.view(OTHER) is before
    libraries.forget(OTHER)  # read the other server from the database again
    after = await libraries.view(OTHER)
    assert after.files == before.files
    assert listed(after) == [(IMOLA, TITLE, 1, False)]
    assert teams(after.catalog.grids[IMOLA]) == ["Second Racing", "Other Team"]
    assert await version_numbers(libraries, IMOLA, OTHER) == [1]
    assert await served_team(libraries, GUILD, IMOLA) == "Replaced Racing"


async def test_a_server_grid_wins_over_the_operator_grid_of_the_same_key_there_only(
    libraries: Libraries,
) -> None:
    await add(libraries, LE_MANS, "Local Racing")
    mine = (await libraries.view(GUILD)).catalog.grids[LE_MANS]
    assert mine.meta.library == SERVER
    assert teams(mine) == ["Local Racing", "Other Team"]
    for elsewhere in (OTHER, None):
        theirs = (await libraries.view(elsewhere)).catalog.grids[LE_MANS]
        assert theirs.meta.library == OPERATOR
        assert len(theirs) == 34


# 2. Versions


async def test_replace_serves_the_new_version_and_keeps_the_old(libraries: Libraries) -> None:
    await add(libraries, IMOLA, "First Racing")
    answer = await add(libraries, IMOLA, "Second Racing", replace=True)
    assert (answer.action, answer.version, answer.serving) == ("Replaced", 2, 1)
    assert await served_team(libraries, GUILD, IMOLA) == "Second Racing"
    assert listed(await libraries.view(GUILD)) == [(IMOLA, TITLE, 2, False)]
    assert await version_numbers(libraries, IMOLA) == [2, 1]


async def test_the_view_says_since_when_each_version_is_served(
    libraries: Libraries, clock: Clock
) -> None:
    await add(libraries, IMOLA, "First Racing")
    first_at = clock.now
    clock.advance(minutes=5)
    await add(libraries, IMOLA, "Second Racing", replace=True)
    assert [own.since for own in (await libraries.view(GUILD)).files] == [clock.now]
    assert (await libraries.view(GUILD)).since(IMOLA) == clock.now
    clock.advance(minutes=5)
    await libraries.restore(GUILD, ADMIN, IMOLA, 1)
    assert (await libraries.view(GUILD)).since(IMOLA) == first_at, "when v1 was imported"


async def test_importing_an_existing_name_without_replace_is_refused(
    libraries: Libraries,
) -> None:
    await add(libraries, IMOLA, "First Racing")
    before = await everything(libraries)
    message = await refused(add(libraries, IMOLA, "Second Racing"))
    assert f"already has a grid named {IMOLA}" in message
    assert "replace" in message
    assert await everything(libraries) == before
    assert await served_team(libraries, GUILD, IMOLA) == "First Racing"


async def test_history_lists_versions_newest_first_with_their_details(
    libraries: Libraries, clock: Clock
) -> None:
    await libraries.import_file(GUILD, ADMIN, f"{IMOLA}.md", grid_text("A"), replace=False)
    first_at = clock.now
    clock.advance(hours=1)
    await libraries.import_file(GUILD, HELPER, f"{IMOLA}.md", grid_text("Bb"), replace=True)
    answer = await libraries.history(GUILD, IMOLA)
    assert (answer.key, answer.title, answer.removed, answer.keep) == (
        IMOLA,
        TITLE,
        False,
        10,
    )
    assert answer.unavailable == ""
    newest, oldest = answer.versions
    expected = [
        (2, HELPER, grid_text("Bb"), first_at + timedelta(hours=1), True),
        (1, ADMIN, grid_text("A"), first_at, False),
    ]
    for version, (number, uploader, data, at, current) in zip(
        (newest, oldest), expected, strict=True
    ):
        assert version.version == number
        assert version.uploader_id == uploader
        assert version.size == len(data)
        assert version.sha256 == hashlib.sha256(data).hexdigest()
        assert version.filename == f"{IMOLA}.md"
        assert version.title == TITLE
        assert aware(version.created_at) == at
        assert version.current is current


async def test_restore_without_a_version_brings_back_the_previous_one(
    libraries: Libraries,
) -> None:
    await add(libraries, IMOLA, "First Racing")
    await add(libraries, IMOLA, "Second Racing", replace=True)
    answer = await libraries.restore(GUILD, ADMIN, IMOLA, None)
    assert (answer.action, answer.version) == ("Restored", 1)
    assert answer.sha256 == hashlib.sha256(grid_text("First Racing")).hexdigest()
    assert await served_team(libraries, GUILD, IMOLA) == "First Racing"
    current = [v.version for v in (await libraries.history(GUILD, IMOLA)).versions if v.current]
    assert current == [1]
    assert await version_numbers(libraries, IMOLA) == [2, 1], "restoring deletes nothing"


async def test_restoring_a_version_that_does_not_exist_names_the_kept_ones(
    libraries: Libraries,
) -> None:
    await add(libraries, IMOLA, "First Racing")
    await add(libraries, IMOLA, "Second Racing", replace=True)
    before = await everything(libraries)
    message = await refused(libraries.restore(GUILD, ADMIN, IMOLA, 7))
    assert "no version 7" in message
    assert "v2, v1" in message
    assert await everything(libraries) == before


async def test_restoring_the_version_in_service_is_refused(libraries: Libraries) -> None:
    await add(libraries, IMOLA, "First Racing")
    await add(libraries, IMOLA, "Second Racing", replace=True)
    before = await everything(libraries)
    message = await refused(libraries.restore(GUILD, ADMIN, IMOLA, 2))
    assert "already the one in service" in message
    assert await everything(libraries) == before


async def test_remove_takes_a_grid_out_of_service(libraries: Libraries) -> None:
    await add(libraries, IMOLA)
    await add(libraries, MONZA)
    answer = await libraries.remove(GUILD, ADMIN, IMOLA)
    assert (answer.action, answer.version, answer.serving) == ("Removed", 1, 1)
    view = await libraries.view(GUILD)
    assert IMOLA not in view.catalog.grids
    assert MONZA in view.catalog.grids
    assert (IMOLA, TITLE, 1, True) in listed(view)
    history = await libraries.history(GUILD, IMOLA)
    assert history.removed is True
    assert [v.current for v in history.versions] == [False]


async def test_restore_without_a_version_brings_a_removed_grid_back(
    libraries: Libraries,
) -> None:
    await add(libraries, IMOLA, "First Racing")
    await add(libraries, IMOLA, "Second Racing", replace=True)
    await libraries.remove(GUILD, ADMIN, IMOLA)
    answer = await libraries.restore(GUILD, ADMIN, IMOLA, None)
    assert answer.version == 2, "the version it was serving when removed"
    assert await served_team(libraries, GUILD, IMOLA) == "Second Racing"
    history = await libraries.history(GUILD, IMOLA)
    assert history.removed is False
    assert [v.current for v in history.versions] == [True, False]


async def test_removing_a_removed_grid_is_refused(libraries: Libraries) -> None:
    await add(libraries, IMOLA)
    await libraries.remove(GUILD, ADMIN, IMOLA)
    before = await everything(libraries)
    assert "already out of service" in await refused(libraries.remove(GUILD, ADMIN, IMOLA))
    assert await everything(libraries) == before


async def test_a_removed_grid_needs_replace_to_be_imported_again(libraries: Libraries) -> None:
    await add(libraries, IMOLA, "First Racing")
    await libraries.remove(GUILD, ADMIN, IMOLA)
    assert "already has a removed grid" in await refused(add(libraries, IMOLA, "Again"))
    answer = await add(libraries, IMOLA, "Again", replace=True)
    assert answer.version == 2
    assert await served_team(libraries, GUILD, IMOLA) == "Again"
    assert (await libraries.history(GUILD, IMOLA)).removed is False


# 3. Retention of old versions


async def test_only_the_newest_versions_are_kept(open_with: Opener) -> None:
    libraries = await open_with(keep_versions=3, imports_per_minute=100)
    await add(libraries, IMOLA, "Team 1")
    for n in range(2, 7):
        await add(libraries, IMOLA, f"Team {n}", replace=True)
    assert await version_numbers(libraries, IMOLA) == [6, 5, 4]
    assert len(await rows_of(libraries, versions, GUILD)) == 3
    assert await served_team(libraries, GUILD, IMOLA) == "Team 6"


async def test_retention_never_drops_the_version_in_service(open_with: Opener) -> None:
    libraries = await open_with(keep_versions=3, imports_per_minute=100)
    await add(libraries, IMOLA, "Team 1")
    for n in range(2, 7):
        await add(libraries, IMOLA, f"Team {n}", replace=True)
    await libraries.restore(GUILD, ADMIN, IMOLA, 4)
    assert await served_team(libraries, GUILD, IMOLA) == "Team 4"
    await add(libraries, IMOLA, "Team 7", replace=True)
    history = await libraries.history(GUILD, IMOLA)
    assert [(v.version, v.current) for v in history.versions] == [
        (7, True),
        (6, False),
        (5, False),
    ]
    assert await served_team(libraries, GUILD, IMOLA) == "Team 7"
    await libraries.restore(GUILD, ADMIN, IMOLA, 5)
    assert await served_team(libraries, GUILD, IMOLA) == "Team 5"


# 4. Limits: each refused with the limit named, and nothing written


async def test_a_file_over_the_size_limit_is_refused(open_with: Opener) -> None:
    libraries = await open_with(file_bytes=2048)
    before = await everything(libraries)
    data = SEED.read_bytes()
    assert len(data) > 2048
    message = await refused(libraries.import_file(GUILD, ADMIN, SEED.name, data, replace=False))
    assert "at most 2 KiB" in message
    assert await everything(libraries) == before
    assert (await libraries.view(GUILD)).files == ()


async def test_the_grid_limit_refuses_a_new_grid(open_with: Opener) -> None:
    libraries = await open_with(server_grids=2)
    await add(libraries, IMOLA)
    await add(libraries, MONZA)
    before = await everything(libraries)
    message = await refused(add(libraries, "2008-silverstone-qualifying"))
    assert "the limit is 2" in message
    assert await everything(libraries) == before
    assert [own.key for own in (await libraries.view(GUILD)).files] == [IMOLA, MONZA]


async def test_the_grid_limit_still_allows_a_replace(open_with: Opener) -> None:
    libraries = await open_with(server_grids=2)
    await add(libraries, IMOLA)
    await add(libraries, MONZA)
    answer = await add(libraries, IMOLA, "Replaced Racing", replace=True)
    assert (answer.version, answer.serving) == (2, 2)
    assert await served_team(libraries, GUILD, IMOLA) == "Replaced Racing"


async def test_the_grid_limit_applies_to_restoring_a_removed_grid(open_with: Opener) -> None:
    libraries = await open_with(server_grids=1)
    await add(libraries, IMOLA)
    await libraries.remove(GUILD, ADMIN, IMOLA)
    await add(libraries, MONZA)
    before = await everything(libraries)
    assert "the limit is 1" in await refused(libraries.restore(GUILD, ADMIN, IMOLA, None))
    assert await everything(libraries) == before


async def test_the_byte_limit_refuses_a_file_that_would_pass_it(open_with: Opener) -> None:
    size = len(grid_text())
    libraries = await open_with(server_bytes=2 * size + 100)
    await add(libraries, IMOLA)
    await add(libraries, MONZA)
    before = await everything(libraries)
    message = await refused(add(libraries, "2008-silverstone-qualifying"))
    assert "pass the limit of 1 KiB" in message
    assert await everything(libraries) == before


async def test_the_byte_limit_does_not_count_the_version_being_replaced(
    open_with: Opener,
) -> None:
    size = len(grid_text())
    libraries = await open_with(server_bytes=2 * size + 100)
    await add(libraries, IMOLA)
    await add(libraries, MONZA)
    answer = await add(libraries, IMOLA, "Spa Racinf", replace=True)  # the same size
    assert answer.version == 2


async def test_a_refused_first_import_writes_no_row_at_all(open_with: Opener) -> None:
    """Nothing of a refused import stays, not even the server's settings row."""
    libraries = await open_with(server_bytes=100)
    message = await refused(add(libraries, IMOLA))
    assert "pass the limit of" in message
    assert await everything(libraries) == {table.name: [] for table in TABLES}


async def test_the_import_rate_limit_refuses_until_a_minute_has_passed(
    open_with: Opener, clock: Clock
) -> None:
    libraries = await open_with(imports_per_minute=3)
    await add(libraries, IMOLA)
    await add(libraries, MONZA)
    await add(libraries, IMOLA, "Replaced Racing", replace=True)  # a replace counts too
    clock.advance(seconds=59)
    before = await everything(libraries)
    message = await refused(add(libraries, "2008-silverstone-qualifying"))
    assert "imported 3 files in the last minute; the limit is 3 a minute" in message
    assert await everything(libraries) == before
    clock.advance(seconds=2)  # 61 s after the three
    answer = await add(libraries, "2008-silverstone-qualifying")
    assert answer.action == "Imported"


async def test_the_import_rate_is_counted_per_server(open_with: Opener) -> None:
    libraries = await open_with(imports_per_minute=1)
    await add(libraries, IMOLA)
    answer = await add(libraries, IMOLA, guild=OTHER)
    assert answer.action == "Imported"


# 5. A stored file that today's parser refuses


async def corrupt(
    libraries: Libraries,
    key: str,
    version: int,
    data: bytes = BROKEN,
    parser: int = PARSER_VERSION - 1,
) -> None:
    """Overwrite a stored version's bytes in the database, behind the facade's back, as read
    by ``parser``: by default an older one, so that today's parser reads it again on load."""
    async with libraries.engine.begin() as connection:
        file_id = select(files.c.id).where(files.c.guild_id == GUILD, files.c.key == key)
        changed = await connection.execute(
            update(versions)
            .where(versions.c.file_id == file_id.scalar_subquery(), versions.c.version == version)
            .values(data=data, parser=parser)
        )
        assert changed.rowcount == 1
    libraries.forget(GUILD)


BROKEN_ERROR = "line 3: cannot read the lap time 'fast'"


async def test_a_cold_server_parses_only_the_grid_asked_about(
    libraries: Libraries, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add(libraries, IMOLA)
    await add(libraries, MONZA, "Monza Racing")
    libraries.forget(GUILD)
    parsed: list[str] = []
    real = libraries._parse

    def counting(data: bytes, filename: str) -> tuple[Grid, ...]:
        parsed.append(filename)
        return real(data, filename)

    monkeypatch.setattr(libraries, "_parse", counting)
    view = await libraries.view(GUILD)
    assert parsed == [], "reading a server parses nothing"
    assert sorted(view.catalog.grids) == sorted([SEED.stem, IMOLA, MONZA])
    offered = [s.value for s in view.catalog.complete("")]
    assert offered == [MONZA, IMOLA, SEED.stem], "most recent first"
    assert parsed == [], "listing and completing events use the stored summaries"
    view.catalog.find(IMOLA)
    assert parsed == [f"{IMOLA}.md"]


async def test_a_file_read_by_this_parser_that_fails_later_answers_politely(
    libraries: Libraries,
) -> None:
    await add(libraries, IMOLA)
    await corrupt(libraries, IMOLA, 1, parser=PARSER_VERSION)
    view = await libraries.view(GUILD)
    assert view.unavailable == (), "this parser read it once: it is parsed when asked"
    with pytest.raises(QueryError, match=f"{IMOLA}.md, line 3: cannot read the lap time"):
        view.catalog.find(IMOLA)


async def test_a_stored_file_the_parser_rejects_is_listed_and_the_rest_served(
    libraries: Libraries,
) -> None:
    await add(libraries, IMOLA)
    await add(libraries, MONZA, "Monza Racing")
    await corrupt(libraries, IMOLA, 1)
    view = await libraries.view(GUILD)
    [unavailable] = view.unavailable
    assert (unavailable.key, unavailable.filename, unavailable.version) == (IMOLA, f"{IMOLA}.md", 1)
    assert unavailable.error.startswith(BROKEN_ERROR)
    assert IMOLA not in view.catalog.grids
    assert teams(view.catalog.grids[MONZA])[0] == "Monza Racing"
    assert [own.key for own in view.files] == [IMOLA, MONZA], "still listed as the server's"


async def test_history_of_a_file_the_parser_rejects_says_why(libraries: Libraries) -> None:
    await add(libraries, IMOLA)
    await corrupt(libraries, IMOLA, 1)
    answer = await libraries.history(GUILD, IMOLA)
    assert answer.unavailable.startswith(BROKEN_ERROR)
    assert [(v.version, v.current) for v in answer.versions] == [(1, True)]


async def test_restoring_a_version_the_parser_rejects_is_refused(libraries: Libraries) -> None:
    await add(libraries, IMOLA, "First Racing")
    await add(libraries, IMOLA, "Second Racing", replace=True)
    await corrupt(libraries, IMOLA, 1)
    before = await everything(libraries)
    message = await refused(libraries.restore(GUILD, ADMIN, IMOLA, 1))
    assert "v1 of 2006-imola-qualifying cannot be served" in message
    assert "(line 3)" in message
    assert await everything(libraries) == before
    assert await served_team(libraries, GUILD, IMOLA) == "Second Racing"


# 6. Settings


async def test_a_new_server_has_the_default_settings(libraries: Libraries) -> None:
    answer = await libraries.settings(GUILD)
    assert answer.settings == ServerSettings(None, True, None)
    assert (answer.default_reason, answer.missing_default) == ("the newest grid", False)
    assert (await libraries.view(GUILD)).private is False
    assert await rows_of(libraries, servers, GUILD) == [], "reading settings writes nothing"


async def test_a_default_event_is_stored_as_the_grid_key(
    open_with: Opener, operator_data: Path
) -> None:
    libraries = await open_with(operator_data)
    answer = await libraries.change_settings(GUILD, ADMIN, default_event="le mans 2003")
    assert answer.settings.default_event == LE_MANS
    assert answer.default_reason == "this server's default"
    assert answer.changed == ("default event: 2003 1000 km of Le Mans · Qualifying",)
    view = await libraries.view(GUILD)
    assert view.catalog.default is view.catalog.grids[LE_MANS]
    newest = (await libraries.view(OTHER)).catalog.default
    assert newest.meta.event == "Spa", "another server still gets the newest grid"


async def test_a_default_event_that_matches_nothing_is_refused_with_suggestions(
    open_with: Opener, operator_data: Path
) -> None:
    libraries = await open_with(operator_data)
    before = await everything(libraries)
    with pytest.raises(QueryError) as caught:
        await libraries.change_settings(GUILD, ADMIN, default_event="Daytona 1999")
    assert "Daytona 1999" in caught.value.message
    assert set(caught.value.suggestions) <= {
        "2004 Spa · Qualifying",
        "2003 1000 km of Le Mans · Qualifying",
    }
    assert caught.value.suggestions
    assert await everything(libraries) == before


async def test_newest_clears_the_default_event(open_with: Opener, operator_data: Path) -> None:
    libraries = await open_with(operator_data)
    await libraries.change_settings(GUILD, ADMIN, default_event="le mans 2003")
    answer = await libraries.change_settings(GUILD, ADMIN, default_event="newest")
    assert answer.settings.default_event is None
    assert answer.default_reason == "the newest grid"
    assert (await libraries.view(GUILD)).catalog.default.meta.event == "Spa"


async def test_private_answers(libraries: Libraries) -> None:
    answer = await libraries.change_settings(GUILD, ADMIN, public_answers=False)
    assert answer.settings.public_answers is False
    assert (await libraries.view(GUILD)).private is True
    assert (await libraries.view(OTHER)).private is False


async def test_announcement_channel_is_set_and_stopped(libraries: Libraries) -> None:
    answer = await libraries.change_settings(GUILD, ADMIN, announce_channel_id=9_876)
    assert answer.settings.announce_channel_id == 9_876
    answer = await libraries.change_settings(GUILD, ADMIN, stop_announcing=True)
    assert answer.settings.announce_channel_id is None


async def test_a_server_default_beats_the_configured_default(
    open_with: Opener, operator_data: Path
) -> None:
    libraries = await open_with(operator_data, "1000 km of Le Mans", imports_per_minute=100)
    await add(libraries, IMOLA)
    await libraries.change_settings(GUILD, ADMIN, default_event="spa")
    answer = await libraries.settings(GUILD)
    assert (answer.default_reason, answer.default_title) == (
        "this server's default",
        "2004 Spa · Qualifying · Gridbot library",
    )


async def test_the_configured_default_beats_the_newest_grid(
    open_with: Opener, operator_data: Path
) -> None:
    libraries = await open_with(operator_data, "1000 km of Le Mans", imports_per_minute=100)
    await add(libraries, IMOLA)
    answer = await libraries.settings(GUILD)
    assert answer.default_reason == "the bot's configured default"
    assert answer.default_title == "2003 1000 km of Le Mans · Qualifying · Gridbot library"
    assert (await libraries.view(GUILD)).catalog.default.meta.year == 2003
    assert (await libraries.view(None)).catalog.default.meta.year == 2003


async def test_without_defaults_the_newest_grid_answers(
    open_with: Opener, operator_data: Path
) -> None:
    libraries = await open_with(operator_data, imports_per_minute=100)
    await add(libraries, IMOLA)
    answer = await libraries.settings(GUILD)
    assert answer.default_reason == "the newest grid"
    assert answer.default_title == "2006 Imola · Qualifying · this server's library"
    assert (await libraries.settings(OTHER)).default_title == (
        "2004 Spa · Qualifying · Gridbot library"
    )


async def test_a_removed_default_is_reported_missing_and_the_next_rule_answers(
    open_with: Opener, operator_data: Path
) -> None:
    libraries = await open_with(operator_data, "1000 km of Le Mans", imports_per_minute=100)
    await add(libraries, IMOLA)
    await libraries.change_settings(GUILD, ADMIN, default_event=IMOLA)
    assert (await libraries.settings(GUILD)).default_reason == "this server's default"
    await libraries.remove(GUILD, ADMIN, IMOLA)
    answer = await libraries.settings(GUILD)
    assert answer.settings.default_event == IMOLA, "the setting is kept for a restore"
    assert answer.missing_default is True
    assert answer.default_reason == "the bot's configured default"
    assert answer.default_title == "2003 1000 km of Le Mans · Qualifying · Gridbot library"


# 7. Audit


async def test_every_change_writes_one_audit_row(libraries: Libraries) -> None:
    await libraries.import_file(GUILD, 1, f"{IMOLA}.md", grid_text("A"), replace=False)
    await libraries.import_file(GUILD, 2, f"{IMOLA}.md", grid_text("B"), replace=True)
    await libraries.remove(GUILD, 3, IMOLA)
    await libraries.restore(GUILD, 4, IMOLA, None)
    await libraries.change_settings(GUILD, 5, public_answers=False)
    await libraries.import_file(OTHER, 6, f"{MONZA}.md", grid_text("C"), replace=False)
    assert await audit_trail(libraries) == [
        (GUILD, 1, "import", IMOLA),
        (GUILD, 2, "replace", IMOLA),
        (GUILD, 3, "remove", IMOLA),
        (GUILD, 4, "restore", IMOLA),
        (GUILD, 5, "settings", "public_answers"),
        (OTHER, 6, "import", MONZA),
    ]


async def test_the_audit_row_records_the_version_and_the_time(
    libraries: Libraries, clock: Clock
) -> None:
    await add(libraries, IMOLA)
    [row] = await rows_of(libraries, audit, GUILD)
    digest = hashlib.sha256(grid_text()).hexdigest()
    assert row.detail == f"v1 {IMOLA}.md {len(grid_text())} bytes sha256 {digest}"
    assert aware(row.at) == clock.now


async def test_changing_no_setting_writes_nothing(libraries: Libraries) -> None:
    answer = await libraries.change_settings(GUILD, ADMIN)
    assert answer.changed == ()
    assert await everything(libraries) == {table.name: [] for table in TABLES}


# 8. The bot leaving a server


async def fill(libraries: Libraries, guild: int) -> None:
    """Give a server a row in every table."""
    await add(libraries, IMOLA, guild=guild)
    await add(libraries, IMOLA, "Second Racing", guild=guild, replace=True)
    await libraries.change_settings(guild, ADMIN, public_answers=False)
    await AnnouncementLog(libraries.engine).claim(guild, 9_876, "d" * 64, IMOLA, "server")


async def test_purge_keeps_a_server_left_within_the_retention(
    libraries: Libraries, clock: Clock
) -> None:
    await fill(libraries, GUILD)
    await libraries.left(GUILD)
    before = await everything(libraries)
    clock.advance(days=29)
    assert await libraries.purge_departed() == []
    assert await everything(libraries) == before
    assert await served_team(libraries, GUILD, IMOLA) == "Second Racing"


async def test_coming_back_clears_the_departure(libraries: Libraries, clock: Clock) -> None:
    await fill(libraries, GUILD)
    await libraries.left(GUILD)
    clock.advance(days=29)
    await libraries.present([GUILD, OTHER])
    [row] = await rows_of(libraries, servers, GUILD)
    assert row.left_at is None
    assert await rows_of(libraries, servers, OTHER) == [], "present() creates no server"
    clock.advance(days=31)
    assert await libraries.purge_departed() == []
    assert await version_numbers(libraries, IMOLA) == [2, 1]


async def test_purge_deletes_every_row_of_a_server_gone_past_the_retention(
    libraries: Libraries, clock: Clock
) -> None:
    await fill(libraries, GUILD)
    await fill(libraries, OTHER)
    await libraries.left(GUILD)
    clock.advance(days=29)
    await libraries.present([GUILD])
    await libraries.left(GUILD)
    clock.advance(days=2)
    await libraries.left(OTHER)  # still within the retention when GUILD's is over
    others = {t.name: await rows_of(libraries, t, OTHER) for t in TABLES}
    clock.advance(days=29)  # GUILD left 31 days ago, OTHER 29
    assert await libraries.purge_departed() == [GUILD]
    for table in TABLES:
        assert await rows_of(libraries, table, GUILD) == [], table.name
        assert await rows_of(libraries, table, OTHER) == others[table.name], table.name
    assert all(others.values())


async def test_a_purged_server_starts_afresh(libraries: Libraries, clock: Clock) -> None:
    await fill(libraries, GUILD)
    await libraries.view(GUILD)  # cached
    await libraries.left(GUILD)
    clock.advance(days=31)
    await libraries.purge_departed()
    view = await libraries.view(GUILD)
    assert (view.files, view.settings) == ((), ServerSettings())
    assert set(view.catalog.grids) == {LE_MANS}


# 9. The scope every server-owned query goes through

QUERY_ON_GUILD = re.compile(
    r"\.c\.guild_id|\bc\[\s*[\"']guild_id[\"']\s*\]"
    r"|(?:filter_by|values|where)\([^)]*\bguild_id\s*(?:=|==)"
    r"|text\([^)]*guild_id"
)
SCOPE_MODULES = ("storage/scope.py", "storage/tables.py", "storage/migrations/")


def test_no_module_outside_the_scope_names_guild_id_in_a_query() -> None:
    root = Path(bot.__file__).parent
    modules = sorted(root.rglob("*.py"))
    assert root / "storage" / "sources.py" in modules
    offending = [
        f"{path.relative_to(root.parent)}:{number}: {line.strip()}"
        for path in modules
        if not path.relative_to(root).as_posix().startswith(SCOPE_MODULES)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if QUERY_ON_GUILD.search(line)
    ]
    assert offending == []


def test_the_guard_pattern_finds_what_it_must() -> None:
    for line in (
        "select(files).where(files.c.guild_id == guild)",
        "update(servers).values(guild_id=3)",
        'table.c["guild_id"]',
        'text("DELETE FROM audit WHERE guild_id = :g")',
    ):
        assert QUERY_ON_GUILD.search(line), line
    for line in ("self.guild_id = guild_id", "LibraryView(catalog, guild_id=guild_id)"):
        assert not QUERY_ON_GUILD.search(line), line


def test_a_scope_refuses_a_table_that_belongs_to_no_server() -> None:
    elsewhere = Table("elsewhere", MetaData(), Column("id", Integer, primary_key=True))
    scope = ServerScope(GUILD)
    with pytest.raises(ValueError, match="elsewhere has no rows that belong to a server"):
        scope.select(elsewhere)
    with pytest.raises(ValueError):
        scope.delete(elsewhere)
    with pytest.raises(ValueError):
        scope.update(elsewhere)


@pytest.mark.parametrize("guild", [0, -1, True, "111", 1.0, None])
def test_a_scope_needs_a_positive_server_id(guild: Any) -> None:
    with pytest.raises(ValueError, match="needs a server id"):
        ServerScope(guild)


def test_a_scope_filters_every_query_by_its_server() -> None:
    scope = ServerScope(GUILD)
    for query in (scope.select(files), scope.update(versions), scope.delete(audit)):
        compiled = query.compile()
        assert "guild_id = :guild_id_1" in str(compiled)
        assert compiled.params["guild_id_1"] == GUILD
    assert scope.insert(files).compile().params["guild_id"] == GUILD


# 10. Concurrency


async def test_concurrent_imports_into_one_server_all_land(libraries: Libraries) -> None:
    keys = [f"2010-round-{n:02d}-qualifying" for n in range(20)]
    answers = await asyncio.gather(*(add(libraries, key, f"Team {key}") for key in keys))
    assert sorted(a.key for a in answers) == keys
    assert sorted(a.serving for a in answers) == list(range(1, 21))
    view = await libraries.view(GUILD)
    assert [own.key for own in view.files] == keys
    for key in keys:
        assert teams(view.catalog.grids[key])[0] == f"Team {key}"
    assert len(await audit_trail(libraries)) == 20


async def test_concurrent_imports_into_two_servers_stay_apart(libraries: Libraries) -> None:
    keys = [f"2010-round-{n:02d}-qualifying" for n in range(10)]
    await asyncio.gather(
        *(
            add(libraries, key, f"{guild} racing", guild=guild)
            for key in keys
            for guild in (GUILD, OTHER)
        )
    )
    for guild in (GUILD, OTHER):
        view = await libraries.view(guild)
        assert [own.key for own in view.files] == keys
        assert {teams(view.catalog.grids[key])[0] for key in keys} == {f"{guild} racing"}


async def test_concurrent_views_of_a_cold_server_read_it_once(
    libraries: Libraries, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add(libraries, IMOLA)
    assert not libraries.cached(GUILD)
    reads: list[int] = []
    read = libraries._read

    async def counting(guild_id: int) -> Any:
        reads.append(guild_id)
        return await read(guild_id)

    monkeypatch.setattr(libraries, "_read", counting)
    misses, hits = libraries.misses, libraries.hits
    first, second = await asyncio.gather(libraries.view(GUILD), libraries.view(GUILD))
    assert reads == [GUILD]
    assert first is second
    assert (libraries.misses - misses, libraries.hits - hits) == (2, 0)
    assert await libraries.view(GUILD) is first
    assert (libraries.misses - misses, libraries.hits - hits, reads) == (2, 1, [GUILD])
