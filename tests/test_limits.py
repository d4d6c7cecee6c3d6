"""Issue 14, "Hard to break": Discord's limits, links in data, a corrupt sync marker, and a
database that cannot be written."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any

import discord
import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import GridBot
from bot.core import queries
from bot.core.complete import MAX_NAME, Suggestion, complete_car, complete_driver, complete_team
from bot.core.errors import GridFileError, QueryError
from bot.core.loader import load_grid
from bot.core.model import Driver, Entry, Grid, GridMeta
from bot.core.parser import MAX_NUMBER, parse_grid_text
from bot.render.cards import Card, Field, card_for, escape
from bot.render.embed import to_embed
from bot.render.text import plain, to_text
from bot.settings import Settings
from bot.storage import Libraries
from bot.storage.libraries import storage_problem
from bot.sync import hash_file, sync_commands
from tests.conftest import open_test_libraries, start_client
from tests.dispatch import RecordingAdapter, Sent, autocomplete, invoke

ZWSP = "\u200b"
LONG_NUMBER = "9" * MAX_NUMBER
"""The longest car number a grid may have."""


def discord_refuses(embed: Mapping[str, Any]) -> list[str]:
    """What Discord would refuse in an embed, counted as Discord counts (code points)."""
    fields = embed.get("fields", [])
    parts = {
        "title": (len(embed.get("title", "")), 256),
        "description": (len(embed.get("description", "")), 4096),
        "footer": (len(embed.get("footer", {}).get("text", "")), 2048),
        "author": (len(embed.get("author", {}).get("name", "")), 256),
        "fields": (len(fields), 25),
    }
    problems = [
        f"{name}: {size} > {limit}" for name, (size, limit) in parts.items() if size > limit
    ]
    for index, item in enumerate(fields):
        if not 1 <= len(item["name"]) <= 256 or not 1 <= len(item["value"]) <= 1024:
            problems.append(f"field {index}: {len(item['name'])}, {len(item['value'])}")
    total = sum(size for name, (size, _) in parts.items() if name != "fields")
    total += sum(len(item["name"]) + len(item["value"]) for item in fields)
    if total > 6000:
        problems.append(f"total: {total} > 6000")
    return problems


# A grid written to break every limit: a 2,000-character event, a team name of characters
# that double when escaped, long cars, drivers, classes and legend, and links everywhere.
HOSTILE_EVENT = "Grand Prix of Very Long Names " * 66
HOSTILE_TEAM = "*_Racing_* " * 400
HOSTILE_CAR = "Dome https://evil.example/win " * 12
HOSTILE_CLASS = "LMP~" * 80
HOSTILE_DRIVERS = " / ".join(f"*Driver{n} https://x.example/{n}" for n in range(40))


def hostile_text() -> str:
    legend = "see discord.gg/freecars or https://evil.example/legend " * 30
    rows = [
        ("1", "8", HOSTILE_DRIVERS, HOSTILE_CAR, HOSTILE_TEAM, "1:28.380", HOSTILE_CLASS),
        ("2", LONG_NUMBER, "A. Driver", "Lola", "Join discord.gg/abc now", "1:28.380", "GT"),
        ("3", "14", HOSTILE_DRIVERS, HOSTILE_CAR, HOSTILE_TEAM + "2", "1:29.533", HOSTILE_CLASS),
    ]
    lines = [
        "+++",
        f'event = "{HOSTILE_EVENT}"',
        f'session = "{"Qualifying " * 40}"',
        "[legend]",
        f'"*" = "{legend}"',
        "+++",
        "| Pos | No | Driver | Car | Team | Time | Class |",
        "|---|---|---|---|---|---|---|",
        *("| " + " | ".join(cells) + " |" for cells in rows),
    ]
    return "\n".join(lines) + "\n"


@pytest.fixture
def hostile_data(tmp_path: Path) -> Path:
    root = tmp_path / "hostile"
    root.mkdir()
    (root / "hostile.md").write_text(hostile_text(), encoding="utf-8")
    return root


@pytest.fixture
def hostile_grid(hostile_data: Path) -> Grid:
    return load_grid(hostile_data / "hostile.md")


def every_answer(grid: Grid) -> list[object]:
    return [
        queries.grid_slot(grid, 1),
        queries.grid_slot(grid, 2),
        queries.grid_slot(grid, 3),
        queries.car_entry(grid, LONG_NUMBER),
        queries.car_gap(grid, "8", "14"),
        queries.team_entries(grid, "racing"),
        queries.driver_entries(grid, "driver1"),
    ]


# The 6,000-character total, in the one place embeds are made.


def test_the_reviewers_grid_was_over_the_total(hostile_grid: Grid) -> None:
    card = card_for(queries.grid_slot(hostile_grid, 1))
    clipped = min(len(card.title), 256) + min(len(card.description), 4096)
    assert clipped + min(len(card.footer), 2048) > 6000, "each part's own limit is not enough"


def test_every_answer_about_a_hostile_grid_fits_every_limit(hostile_grid: Grid) -> None:
    for answer in every_answer(hostile_grid):
        embed = to_embed(card_for(answer))
        assert discord_refuses(embed.to_dict()) == [], type(answer).__name__
        assert len(embed) <= 6000


def long_card(description: int, fields: int, value: int = 500) -> Card:
    return Card(
        title="T" * 300,
        description="d" * description,
        fields=tuple(Field(f"field {n}", "v" * value) for n in range(fields)),
        footer="f" * 3000,
    )


def test_fields_go_first_last_ones_first() -> None:
    embed = to_embed(long_card(description=3000, fields=5))
    assert discord_refuses(embed.to_dict()) == []
    assert embed.description == "d" * 3000, "the description is whole"
    assert [f.name for f in embed.fields] == ["field 0", "…"]
    assert embed.fields[-1].value == "4 more not shown"


def test_then_the_description_is_cut() -> None:
    embed = to_embed(long_card(description=4096, fields=3))
    assert discord_refuses(embed.to_dict()) == []
    assert [f.value for f in embed.fields] == ["3 more not shown"]
    assert embed.description is not None
    assert embed.description.endswith("…")
    assert len(embed) == 6000, "it uses all the room there is"


def test_a_card_within_the_total_is_untouched() -> None:
    card = Card(title="P1", description="team", fields=(Field("a", "b"),), footer="event")
    embed = to_embed(card)
    assert (embed.title, embed.description, embed.footer.text) == ("P1", "team", "event")
    assert [(f.name, f.value) for f in embed.fields] == [("a", "b")]


def test_more_than_25_fields_keep_24_and_a_note() -> None:
    card = Card(title="T", fields=tuple(Field(str(n), "v") for n in range(40)))
    embed = to_embed(card)
    assert len(embed.fields) == 25
    assert embed.fields[-1].value == "16 more not shown"


def test_empty_field_names_and_values_are_not_sent_empty() -> None:
    embed = to_embed(Card(title="T", fields=(Field("", ""),)))
    assert discord_refuses(embed.to_dict()) == []


@pytest.fixture
async def hostile_bot(
    adapter: RecordingAdapter, hostile_data: Path, tmp_path: Path, gridbot: GridBot
) -> AsyncIterator[GridBot]:
    settings = Settings.load({"GRIDBOT_DATA_DIR": hostile_data, "GRIDBOT_STATE_DIR": tmp_path})
    libraries = await open_test_libraries(f"sqlite:///{tmp_path}/hostile.sqlite3", hostile_data)
    client = await start_client(settings, libraries)
    client._connection.user = gridbot._connection.user
    yield client
    await client.close()
    await libraries.close()


COMMANDS: list[tuple[str, dict[str, Any]]] = [
    ("grid", {"position": 1}),
    ("grid", {"position": 2}),
    ("car", {"number": "14"}),
    ("car", {"number": LONG_NUMBER}),
    ("gap", {"car_a": "8", "car_b": "14"}),
    ("team", {"name": "racing"}),
    ("driver", {"name": "driver1"}),
    ("driver", {"name": "driver"}),
]


async def test_discord_accepts_every_answer_about_a_hostile_grid(
    hostile_bot: GridBot, adapter: RecordingAdapter
) -> None:
    for command, options in COMMANDS:
        sent = await invoke(hostile_bot, adapter, command, **options)
        assert "something went wrong" not in sent.text, (command, options)
        assert discord_refuses(sent.embed) == [], (command, options)
        assert_no_links(sent)


# Car numbers: capped when the file is read; autocomplete within Discord's limits.


def grid_with_number(number: str) -> str:
    return f"| 1 | 8 | A | Car | Team | 1:00.000 |\n| 2 | {number} | B | Car | Team | 1:01.000 |\n"


def test_a_car_number_longer_than_the_commands_accept_is_refused_with_file_and_line() -> None:
    parse_grid_text(grid_with_number(LONG_NUMBER), "fine.md")
    with pytest.raises(GridFileError) as caught:
        parse_grid_text(grid_with_number("9" * 150), "long.md")
    assert (caught.value.path.name, caught.value.line) == ("long.md", 2)
    assert f"at most {MAX_NUMBER}" in caught.value.problem
    assert len(caught.value.problem) < 200, "the message does not repeat the whole cell"


def test_the_commands_accept_every_car_number_a_grid_may_have(gridbot: GridBot) -> None:
    for name, options in (("car", ["number"]), ("gap", ["car_a", "car_b"])):
        command = gridbot.tree.get_command(name)
        assert isinstance(command, discord.app_commands.Command)
        declared = {o["name"]: o for o in command.to_dict(gridbot.tree)["options"]}
        for option in options:
            assert declared[option]["max_length"] >= MAX_NUMBER, (name, option)


def entry(position: int, number: str, name: str) -> Entry:
    return Entry(position, number, (Driver(name),), name, name, 600_000 + position)


def test_autocomplete_stays_within_discords_limits_for_any_grid() -> None:
    """A grid made without the parser: nothing in the list may break the list."""
    grid = Grid(
        GridMeta(event="x", session=""),
        (entry(1, "8" * 150, "A" * 300), entry(2, "14", "B" * 300)),
    )
    for complete in (complete_car, complete_team, complete_driver):
        for typed in ("", "a", "b", "8", "14"):
            for choice in complete(grid, typed):
                assert 1 <= len(choice.name) <= MAX_NAME
                assert not isinstance(choice.value, str) or len(choice.value) <= MAX_NAME
    assert [s.value for s in complete_car(grid, "")] == ["14"], "no car it cannot ask for"


def test_a_suggestion_keeps_itself_within_the_limits() -> None:
    made = Suggestion("n" * 500, "v" * 500)
    assert (made.name, made.value) == ("n" * 99 + "…", "v" * MAX_NAME)
    assert Suggestion("P1", 1).value == 1


async def test_autocomplete_on_a_hostile_grid_is_accepted(
    hostile_bot: GridBot, adapter: RecordingAdapter
) -> None:
    for command, option, typed in (
        ("car", "number", ""),
        ("car", "number", "9"),
        ("gap", "car_a", "dome"),
        ("team", "name", "rac"),
        ("driver", "name", "dri"),
        ("grid", "position", ""),
    ):
        choices = await autocomplete(hostile_bot, adapter, command, option, **{option: typed})
        assert choices, (command, typed)
        for choice in choices:
            assert 1 <= len(choice["name"]) <= 100, choice
            assert len(str(choice["value"])) <= 100, choice
    choices = await autocomplete(hostile_bot, adapter, "car", "number", number="99")
    values = [c["value"] for c in choices]
    assert LONG_NUMBER in values
    sent = await invoke(hostile_bot, adapter, "car", number=LONG_NUMBER)
    assert sent.embed["title"].startswith(f"P2 · #{LONG_NUMBER}")


# Links in data are defused like mentions.

LINKS = [
    "https://evil.example/free",
    "http://evil.example",
    "HTTPS://EVIL.EXAMPLE",
    "steam://run/1",
    "discord.gg/abc",
    "Discord.GG/abc",
    "discord.com/invite/abc",
    "discordapp.com/invite/abc",
    "see <https://evil.example> or [here](https://evil.example)",
]


def assert_no_links(sent: Sent) -> None:
    text = sent.text.casefold()
    assert "://" not in text
    assert "discord.gg" not in text
    assert "discord.com" not in text


@pytest.mark.parametrize("text", LINKS)
def test_escape_defuses_links_and_reads_back(text: str) -> None:
    escaped = escape(text)
    assert "://" not in escaped
    assert re.search(r"discord(?:app)?\.", escaped, re.IGNORECASE) is None
    assert plain(escaped) == text


def test_text_that_is_no_link_is_left_alone() -> None:
    assert escape("Racing For Holland: 1:28.380 / team.example") == (
        "Racing For Holland: 1:28.380 / team.example"
    )


def test_links_in_a_grid_are_defused_in_every_card(hostile_grid: Grid) -> None:
    for answer in every_answer(hostile_grid):
        card = card_for(answer)
        shown = " ".join(
            [card.title, card.description, *card.notes]
            + [f"{f.name} {f.value}" for f in card.fields]
        )
        assert "://" not in shown
        assert "discord.gg" not in shown.casefold()
        assert ZWSP not in to_text(card)
    text = to_text(card_for(queries.grid_slot(hostile_grid, 2)))
    assert "Join discord.gg/abc now" in text, "the terminal shows the data as written"


# A corrupt sync marker is treated as absent.


@pytest.mark.parametrize(
    "corrupt", [b"\xff\xfe\x00\x9c not text", b"\xc3", "é".encode("latin-1") * 64]
)
async def test_a_corrupt_sync_marker_means_sync_again(
    gridbot: GridBot,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    corrupt: bytes,
) -> None:
    synced: list[object] = []

    async def record(*, guild: discord.abc.Snowflake | None = None) -> list[object]:
        synced.append(guild)
        return []

    monkeypatch.setattr(gridbot.tree, "sync", record)
    marker = hash_file(gridbot.settings.state_dir, gridbot.application_id)
    marker.write_bytes(corrupt)
    with caplog.at_level(logging.WARNING, "gridbot.sync"):
        assert "synced" in await sync_commands(gridbot)
    assert synced == [None]
    assert "syncing to be safe" in caplog.text
    assert "unchanged" in await sync_commands(gridbot), "the marker was written afresh"


# A full disk or a read-only database: a clear answer, and nothing half-written.

SPA = """\
| Pos | No. | Driver | Car | Team | Best lap |
|---|---|---|---|---|---|
| 1 | 7 | A. Driver | Test Car | Spa Racing | 2:15.1234 |
| 2 | 9 | C. Driver | Other Car | Other Team | 2:16.0000 |
"""
GUILD = 42


def big_grid_file(cars: int = 400) -> bytes:
    """A grid that needs fresh database pages: names that do not compress."""
    rows = [
        f"| {n} | {n} | D{hashlib.sha256(str(n).encode()).hexdigest()} | Car | "
        f"T{hashlib.sha256(str(-n).encode()).hexdigest()} | 2:{n % 60:02d}.000 |"
        for n in range(1, cars + 1)
    ]
    return ("\n".join(SPA.splitlines()[:2] + rows) + "\n").encode()


def on_connect(engine: AsyncEngine, statements: Callable[[Any], None]) -> Callable[[], None]:
    """Run ``statements`` on every new connection (after dropping the pooled ones); returns
    what undoes it."""

    def connected(connection: Any, _record: Any) -> None:
        statements(connection)

    event.listen(engine.sync_engine, "connect", connected)
    return lambda: event.remove(engine.sync_engine, "connect", connected)


def read_only(connection: Any, dialect: str) -> None:
    cursor = connection.cursor()
    if dialect == "sqlite":
        cursor.execute("PRAGMA query_only = ON")
    else:  # in a transaction of its own, which must commit for the setting to stay
        cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        connection.commit()
    cursor.close()


def disk_full(connection: Any) -> None:
    """SQLite refuses to grow the file past ``max_page_count`` with SQLITE_FULL, as on a
    full disk: cap it at its size now."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA page_count")
    pages = cursor.fetchone()[0]
    cursor.execute(f"PRAGMA max_page_count = {pages}")
    cursor.close()


async def nothing_stored(libraries: Libraries) -> None:
    libraries.forget(GUILD)
    view = await libraries.view(GUILD)
    assert view.files == ()


async def test_a_read_only_database_gives_a_clear_answer(database_url: str) -> None:
    libraries = await open_test_libraries(database_url)
    dialect = libraries.engine.dialect.name
    try:
        undo = on_connect(libraries.engine, lambda c: read_only(c, dialect))
        await libraries.engine.dispose()
        with pytest.raises(QueryError) as caught:
            await libraries.import_file(GUILD, 1, "spa.md", SPA.encode(), replace=False)
        assert "the database is read-only" in caught.value.message
        with pytest.raises(QueryError, match="the database is read-only"):
            await libraries.change_settings(GUILD, 1, public_answers=False)
        undo()
        await libraries.engine.dispose()
        await nothing_stored(libraries)
        done = await libraries.import_file(GUILD, 1, "spa.md", SPA.encode(), replace=False)
        assert done.version == 1
    finally:
        await libraries.close()


async def test_a_full_disk_gives_a_clear_answer_and_nothing_half_written(tmp_path: Path) -> None:
    libraries = await open_test_libraries(f"sqlite:///{tmp_path}/full.sqlite3")
    try:
        undo = on_connect(libraries.engine, disk_full)
        await libraries.engine.dispose()
        with pytest.raises(QueryError) as caught:
            await libraries.import_file(GUILD, 1, "big.md", big_grid_file(), replace=False)
        assert "the disk is full" in caught.value.message
        assert "Nothing was changed" in caught.value.message
        undo()
        await libraries.engine.dispose()
        await nothing_stored(libraries)
        done = await libraries.import_file(GUILD, 1, "big.md", big_grid_file(), replace=False)
        assert done.version == 1
    finally:
        await libraries.close()


class _PostgresError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("sqlstate", "expected"),
    [("53100", "the disk is full"), ("25006", "the database is read-only"), ("40001", None)],
)
def test_postgresql_storage_errors_are_named(sqlstate: str, expected: str | None) -> None:
    error = OperationalError("INSERT", None, _PostgresError(sqlstate))
    assert storage_problem(error) == expected
