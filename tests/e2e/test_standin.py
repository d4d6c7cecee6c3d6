"""The stand-in against plain discord.py bots: the floor bot and the probe bot."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from .conftest import StartBot, until_serving
from .floor_bot import FLOOR_ANSWER
from .probe_bot import PNG
from .process import BotProcess, bot_env
from .same_floor import EMBED_ENV
from .standin import StandIn

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]


async def test_floor_bot_logs_in_syncs_and_answers(standin: StandIn, start_bot: StartBot) -> None:
    bot = await start_bot(standin, "tests.e2e.floor_bot")
    await until_serving(standin, bot)

    answer = await standin.ask("floor")

    assert answer.type == 4
    assert answer.data["content"] == FLOOR_ANSWER
    (sync,) = standin.requests("PUT /applications/{application_id}/guilds/{guild_id}/commands")
    assert [c["name"] for c in sync.json] == ["floor"]
    assert all(not r.headers.get("Authorization") for r in standin.records)
    connect = standin.requests("WS CONNECT")[0]
    # discord.py[speed] brings zstandard, and discord.py asks for zstd-stream with it.
    assert connect.query == {"v": "10", "encoding": "json", "compress": "zstd-stream"}


async def test_same_question_floor_answers_the_bots_question_with_the_embed_it_is_given(
    standin: StandIn, start_bot: StartBot
) -> None:
    from bench.e2e_bench import same_question

    ((_, embed),) = same_question().env
    bot = await start_bot(standin, "tests.e2e.same_floor", **{EMBED_ENV: embed})
    await until_serving(standin, bot)

    answer = await standin.ask("grid", position=5)

    assert answer.type == 4
    assert answer.data["embeds"] == [json.loads(embed)]
    assert json.loads(embed)["title"] == "P5 · #14 MG Lola EX257"
    (sync,) = standin.requests("PUT /applications/{application_id}/guilds/{guild_id}/commands")
    (grid,) = sync.json
    options = {
        o["name"]: (o["type"], o.get("min_value"), o.get("max_value")) for o in grid["options"]
    }
    assert options == {"position": (4, 1, 1000), "event": (3, None, None)}


async def test_floor_bot_as_plain_discord_py_speaks_zlib_on_asyncio(
    standin: StandIn, start_bot: StartBot
) -> None:
    """The benchmark's plain floor: no speed packages, no uvloop, as ``pip install discord.py``."""
    bot = await start_bot(standin, "tests.e2e.floor_bot", GRIDBOT_E2E_PLAIN="1")
    await until_serving(standin, bot)

    answer = await standin.ask("floor")

    assert answer.data["content"] == FLOOR_ANSWER
    connect = standin.requests("WS CONNECT")[0]
    assert connect.query == {"v": "10", "encoding": "json", "compress": "zlib-stream"}


async def test_floor_bot_resumes_after_close_and_replays(
    standin: StandIn, start_bot: StartBot
) -> None:
    bot = await start_bot(standin, "tests.e2e.floor_bot")
    await until_serving(standin, bot)

    await standin.gateway.close(4000)
    missed = await standin.invoke("floor")  # sent while the bot is away: must be replayed

    assert (await standin.wait_for_response(missed)).data["content"] == FLOOR_ANSWER
    (resume,) = await standin.wait_for_key("WS RESUME")
    assert resume.path == "/gateway-resume"
    assert resume.json["d"]["token"] == "<redacted>"


async def test_floor_bot_closes_with_1000_on_sigint(standin: StandIn, start_bot: StartBot) -> None:
    bot = await start_bot(standin, "tests.e2e.floor_bot")
    await until_serving(standin, bot)
    # Settled first: a SIGINT while discord.py is still inside its connect ``wait_for`` can be
    # lost on Python 3.11 (the cancellation races the connection completing).
    await standin.ask("floor")

    bot.send_signal(signal.SIGINT)

    assert await bot.wait(5) == 0
    (closed,) = standin.requests("WS CLOSE")
    assert closed.json == {"code": 1000, "by": "client"}


async def test_wrong_token_gets_discords_401(standin: StandIn, start_bot: StartBot) -> None:
    bot = await start_bot(standin, "tests.e2e.floor_bot", token="not.the.token")

    assert await bot.wait(10) != 0
    assert "LoginFailure" in bot.output
    assert [r.status for r in standin.records] == [401]


async def test_probe_defer_followup_file_and_autocomplete(
    standin: StandIn, start_bot: StartBot
) -> None:
    bot = await start_bot(standin, "tests.e2e.probe_bot")
    await until_serving(standin, bot)

    slow = await standin.invoke("slow")
    deferred = await standin.wait_for_response(slow)
    followup = await standin.wait_for_followup(slow)
    upload = await standin.ask("upload")
    picks = await standin.wait_for_response(await standin.autocomplete("track", "name", name="s"))

    assert (deferred.type, deferred.ephemeral) == (5, True)
    assert followup.data["content"] == "done slowly"
    assert followup.ephemeral and followup.record.query.get("wait") == "1"
    assert [(f.filename, f.data) for f in upload.record.files] == [("chart.png", PNG)]
    assert upload.embeds[0]["image"]["url"] == "attachment://chart.png"
    assert picks.type == 8
    assert [c["name"] for c in picks.data["choices"]] == [
        "Le Mans",
        "Sebring",
        "Spa",
        "Silverstone",
    ]


async def test_a_bot_process_writing_to_a_log_file_answers_and_its_output_is_read_there(
    standin: StandIn, tmp_path: Path
) -> None:
    # The benchmarks start their subjects so: a line per command is then no work for the
    # process that times them.
    guild = str(standin.world.guild_id)
    env = bot_env(standin.base_url, standin.world.token, tmp_path, GRIDBOT_DEV_GUILD_ID=guild)
    log = tmp_path / "output.log"
    async with BotProcess(env, tmp_path, "bot", log_file=log) as bot:
        await until_serving(standin, bot)
        answer = await standin.ask("grid", position=5)
        assert answer.type == 4
    assert bot.stdout == bot.stderr == [], "nothing read through pipes"
    assert "gridbot.commands: /grid position=5" in bot.output
    assert bot.output == log.read_text(encoding="utf-8")
