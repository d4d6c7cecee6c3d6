"""Shard and metrics settings: what they accept, what they refuse, and how a refusal reads."""

from __future__ import annotations

import discord
import pytest

from bot.app import GridBot
from bot.cli import main
from bot.core.store import GridStore
from bot.settings import Address, Settings, SettingsError
from bot.storage import Libraries
from tests.conftest import DATA

POSTGRES = "postgresql://gridbot:secret@127.0.0.1:5432/gridbot"
FAKE_TOKEN = "XTExMTExMTExMTExMTExMTEx.Gabcde.this-is-not-a-real-token-000000000000"


def load(**environ: str) -> Settings:
    return Settings.load(environ=environ, env_file=None)


def refusal(**environ: str) -> str:
    with pytest.raises(SettingsError) as refused:
        load(**environ)
    return str(refused.value)


def test_no_shard_settings_means_discord_picks_and_one_process_runs_all() -> None:
    settings = load()
    assert (settings.shard_count, settings.shard_ids, settings.metrics_addr) == (None, None, None)


@pytest.mark.parametrize(
    ("given", "ids"),
    [
        ("0-3", (0, 1, 2, 3)),
        ("0,1", (0, 1)),
        ("2", (2,)),
        (" 0 - 1 , 4 ", (0, 1, 4)),
        ("0-1,2-3", (0, 1, 2, 3)),
    ],
)
def test_shard_ids_take_ranges_and_lists(given: str, ids: tuple[int, ...]) -> None:
    settings = load(GRIDBOT_SHARD_COUNT="8", GRIDBOT_SHARD_IDS=given, GRIDBOT_DATABASE_URL=POSTGRES)
    assert (settings.shard_count, settings.shard_ids) == (8, ids)


@pytest.mark.parametrize(
    ("given", "why"),
    [
        ("a-b", "shard numbers like 0-3 or 0,1, not 'a-b'"),
        ("0-", "not '0-'"),
        ("-1", "not '-1'"),
        ("3-1", "(3-1 runs backwards)"),
        ("0,0", "(each shard once, in rising order)"),
        ("2,1", "(each shard once, in rising order)"),
        ("0-2,1", "(each shard once, in rising order)"),
        ("0;1", "not '0;1'"),
        ("0,,1", "not '0,,1'"),
    ],
)
def test_bad_shard_ids_are_named(given: str, why: str) -> None:
    problem = refusal(GRIDBOT_SHARD_COUNT="4", GRIDBOT_SHARD_IDS=given)
    assert problem.startswith("GRIDBOT_SHARD_IDS must be shard numbers like 0-3 or 0,1")
    assert why in problem


@pytest.mark.parametrize("given", ["0", "-2", "two", "1.5"])
def test_shard_count_is_a_whole_number_of_at_least_one(given: str) -> None:
    assert refusal(GRIDBOT_SHARD_COUNT=given).startswith(
        "GRIDBOT_SHARD_COUNT must be a whole number of at least 1"
    )


def test_shard_ids_need_the_count() -> None:
    problem = refusal(GRIDBOT_SHARD_IDS="0-1", GRIDBOT_DATABASE_URL=POSTGRES)
    assert problem == (
        "GRIDBOT_SHARD_IDS needs GRIDBOT_SHARD_COUNT, the number of shards across every process"
    )


def test_shard_ids_must_lie_within_the_count() -> None:
    problem = refusal(
        GRIDBOT_SHARD_COUNT="4", GRIDBOT_SHARD_IDS="2-4", GRIDBOT_DATABASE_URL=POSTGRES
    )
    assert problem == (
        "GRIDBOT_SHARD_IDS names shard 4, but with GRIDBOT_SHARD_COUNT=4 the shards are 0-3"
    )


@pytest.mark.parametrize(
    "database", [None, "sqlite:///var/lib/gridbot/gridbot.sqlite3", "SQLite+aiosqlite:///x.db"]
)
@pytest.mark.parametrize(
    ("shards", "named"),
    [
        ({"GRIDBOT_SHARD_COUNT": "2"}, "GRIDBOT_SHARD_COUNT: "),
        (
            {"GRIDBOT_SHARD_COUNT": "2", "GRIDBOT_SHARD_IDS": "0"},
            "GRIDBOT_SHARD_COUNT and GRIDBOT_SHARD_IDS: ",
        ),
    ],
)
def test_shard_settings_are_refused_with_sqlite(
    database: str | None, shards: dict[str, str], named: str
) -> None:
    environ = dict(shards)
    if database is not None:
        environ["GRIDBOT_DATABASE_URL"] = database
    problem = refusal(**environ)
    assert problem.startswith(named)
    assert "sharding needs PostgreSQL in GRIDBOT_DATABASE_URL" in problem
    assert "SQLite serves one process" in problem


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "postgresql+asyncpg"])
def test_shard_settings_with_postgresql_are_accepted(scheme: str) -> None:
    url = POSTGRES.replace("postgresql", scheme, 1)
    settings = load(GRIDBOT_SHARD_COUNT="2", GRIDBOT_SHARD_IDS="1", GRIDBOT_DATABASE_URL=url)
    assert (settings.shard_count, settings.shard_ids) == (2, (1,))


@pytest.mark.parametrize(
    ("given", "address", "shown"),
    [
        ("127.0.0.1:9108", Address("127.0.0.1", 9108), "127.0.0.1:9108"),
        ("localhost:9109", Address("localhost", 9109), "localhost:9109"),
        ("[::1]:9108", Address("::1", 9108), "[::1]:9108"),
        ("0.0.0.0:0", Address("0.0.0.0", 0), "0.0.0.0:0"),
    ],
)
def test_metrics_address(given: str, address: Address, shown: str) -> None:
    settings = load(GRIDBOT_METRICS_ADDR=given)
    assert settings.metrics_addr == address
    assert str(address) == shown


@pytest.mark.parametrize("given", ["9108", ":9108", "127.0.0.1", "127.0.0.1:http", "h:65536"])
def test_bad_metrics_address_is_named(given: str) -> None:
    assert refusal(GRIDBOT_METRICS_ADDR=given) == (
        f"GRIDBOT_METRICS_ADDR must be host:port, such as 127.0.0.1:9108, not {given!r}"
    )


def test_every_bad_setting_is_named_before_the_shards_are_weighed() -> None:
    problem = refusal(GRIDBOT_SHARD_IDS="x", GRIDBOT_METRICS_ADDR="nowhere")
    assert "GRIDBOT_SHARD_IDS must be" in problem and "GRIDBOT_METRICS_ADDR must be" in problem
    assert "needs GRIDBOT_SHARD_COUNT" not in problem


def test_the_bot_refuses_to_start_with_shards_on_sqlite(
    no_settings: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GRIDBOT_DATA_DIR", str(DATA))
    monkeypatch.setenv("DISCORD_TOKEN", FAKE_TOKEN)
    monkeypatch.setenv("GRIDBOT_SHARD_COUNT", "2")
    monkeypatch.setenv("GRIDBOT_SHARD_IDS", "0")

    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Invalid settings: GRIDBOT_SHARD_COUNT and GRIDBOT_SHARD_IDS: ")
    assert "SQLite serves one process" in err and "Traceback" not in err
    assert FAKE_TOKEN not in err


async def test_the_bot_runs_the_shards_the_settings_name() -> None:
    settings = load(GRIDBOT_SHARD_COUNT="4", GRIDBOT_SHARD_IDS="2-3", GRIDBOT_DATABASE_URL=POSTGRES)
    libraries = Libraries.offline(GridStore(DATA))
    try:
        sharded = GridBot(settings, libraries, sync=False)
        everything = GridBot(load(), libraries, sync=False)
    finally:
        await libraries.close()

    assert (sharded.shard_count, sharded.shard_ids) == (4, [2, 3])
    assert everything.shard_count is None, "Discord picks the count"
    assert everything.shard_ids is None, "and this process runs every shard"
    assert isinstance(sharded, discord.AutoShardedClient)
