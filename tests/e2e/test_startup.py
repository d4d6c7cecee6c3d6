"""Start-up: the real bot logs in, syncs its commands deliberately, and answers the seed grid."""

from __future__ import annotations

from typing import Any

import pytest

from . import expect
from .conftest import GUILD_SYNC, Running, StartBot
from .standin import StandIn

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

GLOBAL_SYNC = "PUT /applications/{application_id}/commands"
PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message content
# The contract: (command, option) -> Discord option type, and the options that are required.
CONTRACT = {("grid", "position"): 4, ("team", "name"): 3, ("gap", "car_a"): 3, ("gap", "car_b"): 3}
REQUIRED = {("team", "name"), ("gap", "car_a"), ("gap", "car_b")}


def options(commands: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(c["name"], o["name"]): o for c in commands for o in c.get("options", [])}


def check_schema(commands: list[dict[str, Any]]) -> None:
    """The contract's commands and options, typed and described as Discord will show them."""
    declared = options(commands)
    assert {"grid", "team", "gap"} <= {c["name"] for c in commands}
    assert {key: declared[key]["type"] for key in CONTRACT if key in declared} == CONTRACT
    assert {key for key in CONTRACT if declared[key].get("required")} == REQUIRED
    assert all(c["type"] == 1 and 1 <= len(c["description"]) <= 100 for c in commands)
    assert all(1 <= len(o["description"]) <= 100 for o in declared.values())
    for key, option in declared.items():
        if option.get("autocomplete"):
            assert option["type"] in (3, 4, 10) and not option.get("choices"), key
    assert declared[("grid", "position")]["min_value"] == 1, "Discord refuses 0 and below"
    assert all(declared[key].get("min_length") == 1 for key in REQUIRED), "no empty names"


async def test_logs_in_then_identifies_without_privileged_intents(shared: Running) -> None:
    standin = shared.standin
    rest = [r for r in standin.records if r.method != "WS"]
    bot_routes = [r for r in rest if not r.route.startswith(("/interactions/", "/webhooks/"))]

    assert rest[0].key == "GET /users/@me" and rest[0].status == 200
    assert all(r.authorized for r in bot_routes)
    (identify, *_) = standin.requests("WS IDENTIFY")
    assert identify.json["d"]["intents"] & PRIVILEGED_INTENTS == 0
    assert identify.json["d"]["token"] == "<redacted>"
    assert standin.requests(GLOBAL_SYNC) == [], "a development guild is set: no global sync"


async def test_syncs_the_command_schema_to_the_development_guild(shared: Running) -> None:
    (sync,) = shared.standin.requests(GUILD_SYNC)

    assert sync.match["guild_id"] == str(shared.standin.world.guild_id)
    assert sync.status == 200, "Discord accepted it (the stand-in checks Discord's rules)"
    check_schema(sync.json)


async def test_answers_grid_team_and_gap_from_the_seed_data(shared: Running) -> None:
    standin = shared.standin

    grid = await standin.ask("grid", position=5)
    team = await standin.ask("team", name="Lister")
    gap = await standin.ask("gap", car_a="8", car_b="14")

    expect.grid_five(grid)
    assert "#4" in team.text and "Lister Storm LMP" in team.text, team.text
    assert "1.153" in gap.text, gap.text
    for answer in (team, gap):
        assert answer.type == 4 and not answer.ephemeral
        expect.pings_nobody(answer)


async def test_syncs_globally_only_when_the_commands_changed(
    standin: StandIn, start_bot: StartBot
) -> None:
    first = await start_bot(standin, dev_guild=False)
    await standin.wait_for_key("WS IDENTIFY", timeout=20)
    await first.stop()
    second = await start_bot(standin, dev_guild=False, workdir=first.cwd)
    await standin.wait_for_key("WS IDENTIFY", timeout=20, count=2)
    await second.stop()

    (sync,) = standin.requests(GLOBAL_SYNC)
    check_schema(sync.json)
    assert standin.requests(GUILD_SYNC) == []


async def test_sync_command_pushes_the_definitions_and_exits(
    standin: StandIn, start_bot: StartBot
) -> None:
    bot = await start_bot(standin, dev_guild=False, args=("sync",))

    assert await bot.wait(20) == 0, bot.output
    (sync,) = standin.requests(GLOBAL_SYNC)
    check_schema(sync.json)
    assert standin.requests("WS IDENTIFY") == [], "sync only: no gateway connection"
    assert "synced" in bot.output and "Traceback" not in bot.output


async def test_a_failed_sync_is_logged_and_the_bot_serves_anyway(
    standin: StandIn, start_bot: StartBot
) -> None:
    standin.fail(GLOBAL_SYNC, status=400)
    bot = await start_bot(standin, dev_guild=False)  # a fresh state directory: it must sync
    await standin.wait_for_key("WS IDENTIFY", timeout=20)

    assert "command sync failed (400" in bot.output
    assert "Traceback" not in bot.output and bot.proc is not None and bot.proc.returncode is None


async def test_sync_command_reports_a_refusal_and_exits_non_zero(
    standin: StandIn, start_bot: StartBot
) -> None:
    standin.fail(GLOBAL_SYNC, status=400)
    bot = await start_bot(standin, dev_guild=False, args=("sync",))

    assert await bot.wait(20) == 4
    assert "Discord refused the request: 400" in bot.output
    assert "Traceback" not in bot.output


async def test_an_unwritable_state_dir_is_not_a_network_failure(
    standin: StandIn, start_bot: StartBot
) -> None:
    bot = await start_bot(standin, dev_guild=False, args=("sync",), GRIDBOT_STATE_DIR="/dev/null/x")

    assert await bot.wait(20) == 0, bot.output
    assert "could not remember it" in bot.output and "will sync again" in bot.output
