"""Results that announce themselves, end to end: the real bot watching real folders, posting
in the stand-in's channels.

Server A (``world.guild_id``) sets its announcements channel with ``/settings``; server B
(``world.other_guild_id``) sets none. Each scenario starts a bot of its own, watching
``results/`` (the operator's library) and ``league/`` (mapped to server A). Posts are waited
for with a generous deadline; the delay from file to post is measured in
``bench/watch_bench.py``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.acc_files import QUALIFYING_CARS, acc_results, broken_results

from . import expect
from .conftest import StartBot, until_serving_globally
from .process import BotProcess
from .standin import StandIn, payloads
from .standin.channels import POST_MESSAGE
from .standin.recorder import Recorded
from .standin.server import CallbackResult

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

DEADLINE = 30.0
QUIET = 0.3
QUALIFYING = "251012_201511_Q.json"
RACE = "251012_211511_R.json"
MANAGER = payloads.MANAGER_PERMISSIONS


@dataclass
class Watching:
    standin: StandIn
    bot: BotProcess
    results: Path
    league: Path

    @property
    def channel(self) -> int:
        return self.standin.world.channel_id

    @property
    def other_channel(self) -> int:
        return self.standin.world.other_channel_id


def watch_settings(root: Path, standin: StandIn) -> dict[str, str]:
    results, league = root / "results", root / "league"
    results.mkdir(exist_ok=True)
    league.mkdir(exist_ok=True)
    return {
        "GRIDBOT_WATCH_DIRS": f"{results};{standin.world.guild_id}={league}",
        "GRIDBOT_WATCH_DEBOUNCE": str(QUIET),
        "GRIDBOT_WATCH_POLLING": "off",
    }


async def watching(
    standin: StandIn, start_bot: StartBot, root: Path, *, channel: bool = True
) -> Watching:
    bot = await start_bot(standin, dev_guild=False, **watch_settings(root, standin))
    await until_serving_globally(standin, bot)
    running = Watching(standin, bot, root / "results", root / "league")
    if channel:
        chosen = await standin.ask(
            "settings", announcements=standin.world.channel_id, permissions=MANAGER
        )
        assert chosen.ephemeral and f"<#{standin.world.channel_id}>" in chosen.text, chosen.text
    return running


async def posts(running: Watching, count: int, channel: int | None = None) -> list[Recorded]:
    where = running.channel if channel is None else channel
    try:
        return await running.standin.wait_for_posts(where, count=count, timeout=DEADLINE)
    except TimeoutError:
        raise AssertionError(
            f"no post in channel {where}\n--- bot output ---\n{running.bot.output}"
        ) from None


def embed(record: Recorded) -> dict[str, Any]:
    [shown] = record.json["embeds"]
    assert isinstance(shown, dict)
    return shown


def labels(message: dict[str, Any]) -> dict[str, str]:
    return {
        button["label"]: button["custom_id"]
        for row in message["components"]
        for button in row["components"]
    }


async def deferred(standin: StandIn, interaction_id: str) -> CallbackResult:
    first = await standin.wait_for_response(interaction_id)
    return await standin.wait_for_followup(interaction_id) if first.type == 5 else first


async def test_a_results_file_is_posted_in_server_a_and_server_b_gets_nothing(
    standin: StandIn, start_bot: StartBot, tmp_path: Path
) -> None:
    running = await watching(standin, start_bot, tmp_path)
    (running.results / QUALIFYING).write_bytes(acc_results())
    [post] = await posts(running, 1)

    shown = embed(post)
    assert shown["title"] == "New results · 2025 Gridbot Test League · Qualifying"
    assert "**Pole**: #7 · Zoe Kessler" in shown["description"]
    assert "Spa-Francorchamps · 2025-10-12" in shown["description"]
    [top] = shown["fields"]
    lines = top["value"].splitlines()
    assert top["name"] == "Top 5" and len(lines) == 5
    assert lines[0].startswith("P1 · **#7** ") and "2:18.412" in lines[0]
    assert lines[1].endswith("· +0.118 s (+0.085 %)"), lines[1]
    assert lines[4].endswith("· +0.838 s (+0.605 %)"), lines[4]
    assert shown["footer"]["text"].endswith("· Gridbot library")
    assert shown["image"]["url"] == "attachment://chart.png"
    [chart] = post.files
    assert chart.filename == "chart.png" and chart.data.startswith(b"\x89PNG")
    assert post.json["allowed_mentions"] == {"parse": []}
    assert set(labels(post.json)) == {"Whole grid", "Chart"}

    # Served everywhere at once: the operator's library.
    answer = await standin.ask(
        "grid", position=2, event="251012_201511_Q", guild=standin.world.other_guild_id
    )
    assert "#23" in answer.text and "+0.118 s" in answer.text, answer.text

    # The buttons work for whoever clicks, and show it to them alone.
    [message] = standin.posts(running.channel)
    buttons = labels(message)
    whole = await standin.press(message, buttons["Whole grid"])
    assert whole.type == 4 and whole.ephemeral and "6 cars" in whole.text, whole.text
    clicked = await standin.click(message, buttons["Chart"])
    drawn = await deferred(standin, clicked)
    assert drawn.ephemeral and drawn.record.files[0].data.startswith(b"\x89PNG")

    assert standin.posts(running.other_channel) == [], "server B set no channel"
    assert not standin.requests(POST_MESSAGE)[1:], "one post only"
    expect.no_traceback(running.bot.output)


async def test_a_file_written_slowly_is_imported_and_posted_once(
    standin: StandIn, start_bot: StartBot, tmp_path: Path
) -> None:
    running = await watching(standin, start_bot, tmp_path)
    data = acc_results()
    chunk = len(data) // 6 + 1
    with (running.league / QUALIFYING).open("wb") as file:
        for start in range(0, len(data), chunk):
            file.write(data[start : start + chunk])
            file.flush()
            await asyncio.sleep(QUIET / 3)  # the writer pauses, shorter than the debounce
    (running.league / RACE).write_bytes(acc_results(session="R", race=True))
    first, second = await posts(running, 2)

    assert embed(first)["title"].endswith("· Qualifying")
    assert f"{len(QUALIFYING_CARS)} cars" in embed(first)["description"]
    assert embed(second)["title"].endswith("· Race")
    history = await standin.ask("history", event="251012_201511_Q", permissions=MANAGER)
    assert "v1" in history.text and "v2" not in history.text, history.text
    assert len(standin.posts(running.channel)) == 2
    expect.no_traceback(running.bot.output)


async def test_a_mapped_folder_feeds_only_its_servers_library(
    standin: StandIn, start_bot: StartBot, tmp_path: Path
) -> None:
    running = await watching(standin, start_bot, tmp_path)
    (running.league / QUALIFYING).write_bytes(acc_results())
    [post] = await posts(running, 1)
    assert embed(post)["footer"]["text"].endswith("· this server's library")

    here = await standin.ask("events")
    there = await standin.ask("events", guild=standin.world.other_guild_id)
    assert "Gridbot Test League" in here.text, here.text
    assert "Gridbot Test League" not in there.text, there.text
    refused = await standin.ask(
        "grid", position=1, event="251012_201511_Q", guild=standin.world.other_guild_id
    )
    assert refused.ephemeral and "Zoe Kessler" not in refused.text
    assert standin.posts(running.other_channel) == []
    expect.no_traceback(running.bot.output)


async def test_a_restart_does_not_post_again(
    standin: StandIn, start_bot: StartBot, tmp_path: Path
) -> None:
    running = await watching(standin, start_bot, tmp_path)
    (running.results / QUALIFYING).write_bytes(acc_results())
    (running.league / QUALIFYING).write_bytes(acc_results(QUALIFYING_CARS[:4]))
    await posts(running, 2)
    await running.bot.stop()
    assert running.bot.returncode == 0, running.bot.output

    again = await start_bot(
        standin, dev_guild=False, workdir=running.bot.cwd, **watch_settings(tmp_path, standin)
    )
    await until_serving_globally(standin, again, identified=2)
    (running.results / RACE).write_bytes(acc_results(session="R", race=True))
    *_, third = await posts(running, 3)
    assert embed(third)["title"].endswith("· Race")
    titles = [m["embeds"][0]["title"] for m in standin.posts(running.channel)]
    assert len(titles) == 3 and len(set(titles)) == 2, titles  # two qualifyings, one race
    footers = [m["embeds"][0]["footer"]["text"] for m in standin.posts(running.channel)]
    assert sorted(f.rsplit(" · ", 1)[1] for f in footers) == [
        "Gridbot library",
        "Gridbot library",
        "this server's library",
    ]
    expect.no_traceback(running.bot.output + again.output)


async def test_a_malformed_file_is_logged_and_the_next_good_file_is_posted(
    standin: StandIn, start_bot: StartBot, tmp_path: Path
) -> None:
    running = await watching(standin, start_bot, tmp_path)
    bad = running.results / "251012_190000_Q.json"
    bad.write_bytes(broken_results())
    (running.results / QUALIFYING).write_bytes(acc_results())
    [post] = await posts(running, 1)
    assert embed(post)["title"].endswith("· Qualifying")
    await running.bot.wait_for_output(f"{bad}:11: invalid JSON", timeout=DEADLINE)
    await running.bot.stop()
    assert "the watcher goes on" in running.bot.output
    assert len(standin.posts(running.channel)) == 1
    expect.no_traceback(running.bot.output)


async def test_a_403_on_the_channel_shows_in_settings(
    standin: StandIn, start_bot: StartBot, tmp_path: Path
) -> None:
    running = await watching(standin, start_bot, tmp_path)
    standin.forbid(running.channel)
    (running.results / QUALIFYING).write_bytes(acc_results())
    await standin.wait_for(lambda r: r.key == POST_MESSAGE and r.status == 403, timeout=DEADLINE)
    # Logged once the refusal is stored, where /settings reads it.
    await running.bot.wait_for_output("cannot post in its announcements channel", timeout=DEADLINE)
    shown = await standin.ask("settings", permissions=MANAGER)
    assert "cannot post there" in shown.text and "403" in shown.text, shown.text
    assert "View Channel, Send Messages, Embed Links and Attach Files" in shown.text
    await running.bot.stop()
    assert running.bot.output.count("cannot post in its announcements channel") == 1
    expect.no_traceback(running.bot.output)


async def test_a_429_on_a_post_neither_loses_it_nor_posts_it_twice(
    standin: StandIn, start_bot: StartBot, tmp_path: Path
) -> None:
    running = await watching(standin, start_bot, tmp_path)
    standin.fail(POST_MESSAGE, status=429, retry_after=0.5)
    (running.results / QUALIFYING).write_bytes(acc_results())
    [post] = await posts(running, 1)
    (running.results / RACE).write_bytes(acc_results(session="R", race=True))
    await posts(running, 2)

    tries = standin.requests(POST_MESSAGE)
    assert [r.status for r in tries] == [429, 200, 200]
    assert tries[0].json["nonce"] == tries[1].json["nonce"], "the same post, tried again"
    assert tries[1].at - tries[0].at >= 0.5, "after retry_after"
    assert len(standin.posts(running.channel)) == 2
    assert embed(post)["title"].endswith("· Qualifying")
    expect.no_traceback(running.bot.output)
