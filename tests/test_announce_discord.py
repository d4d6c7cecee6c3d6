"""Announcements as Discord shows them, in process: the card (exact gaps), the post (embed,
chart, buttons, nonce) and what Discord's refusals become, the buttons' clicks through
discord.py's own dispatch, and /settings when the channel refuses posts."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import discord
import pytest
from discord.http import MultipartParameters
from discord.webhook.async_ import async_context

from bot.announce.announcer import Refused, Session, Undeliverable
from bot.announce.buttons import GONE, chart_cache, open_buttons
from bot.announce.post import PERMISSIONS, DiscordPoster, invite_url
from bot.app import GridBot
from bot.core.catalog import key_token
from bot.core.loader import parse_grids
from bot.core.queries import announcement
from bot.render.announce import announcement_card
from bot.render.embed import to_embed
from tests.acc_files import QUALIFYING_CARS, acc_results
from tests.dispatch import RecordingAdapter, message_payload, next_sent, press
from tests.test_chart import FileRecordingAdapter

SEED = "2003-1000km-le-mans-qualifying"
CHANNEL = 9_001


def qualifying(cars: tuple[tuple[int, str, str, int], ...] = QUALIFYING_CARS) -> Any:
    return parse_grids(acc_results(cars), Path("251012_201511_Q.json"))[0]


# The card


def test_the_card_names_event_session_pole_and_the_top_five_with_exact_gaps() -> None:
    card = announcement_card(announcement(qualifying()))
    assert card.title == "New results · 2025 Gridbot Test League · Qualifying"
    assert card.description.splitlines() == [
        "**Pole**: #7 · Zoe Kessler · BMW M4 GT3",
        "Spa-Francorchamps · 2025-10-12",
        "6 cars · /grid, /gap and /chart answer about it now",
    ]
    [top] = card.fields
    assert top.name == "Top 5"
    assert top.value.splitlines() == [
        "P1 · **#7** · BMW M4 GT3 · 2:18.412 · Zoe Kessler",
        "P2 · **#23** · Audi R8 LMS GT3 Evo II · 2:18.530 · Marco Bellini · +0.118 s (+0.085 %)",
        "P3 · **#88** · Ferrari 296 GT3 · 2:18.901 · Anna Larsen · +0.489 s (+0.353 %)",
        "P4 · **#4** · Lamborghini Huracán GT3 Evo2 · 2:19.002 · Tomas Novak · +0.590 s (+0.426 %)",
        "P5 · **#31** · BMW M4 GT3 · 2:19.250 · Ines Duarte · +0.838 s (+0.605 %)",
    ]
    assert card.footer == "2025 Gridbot Test League · Qualifying · Gridbot library"


def test_a_race_names_its_winner_and_how_each_car_finished() -> None:
    race = parse_grids(acc_results(session="R", race=True), Path("251012_211511_R.json"))[0]
    card = announcement_card(announcement(race))
    assert card.description.startswith("**Winner**: #7 · Zoe Kessler")
    lines = card.fields[0].value.splitlines()
    assert lines[0] == "P1 · **#7** · BMW M4 GT3 · Zoe Kessler · Won · 20 laps · 45:00.000"
    assert lines[1].endswith("· Finished 2nd · 1.234 s behind #7, P1")


def test_practice_names_the_fastest_car_and_level_or_missing_times_are_said() -> None:
    cars = (
        (1, "Al", "One", 100_000),
        (2, "Bo", "Two", 100_000),
        (3, "Cy", "Three", 2_147_483_647),
    )
    practice = parse_grids(acc_results(cars, session="FP"), Path("251012_101511_FP.json"))[0]
    card = announcement_card(announcement(practice))
    assert card.description.startswith("**Fastest**: #1")
    lines = card.fields[0].value.splitlines()
    assert lines[1].endswith("· level") and lines[2].endswith("· no time · Cy Three")


def test_a_car_faster_than_the_one_placed_first_is_shown_minus() -> None:
    text = "| 1 | 5 | A | Car | Team A | 1:30.000 |\n| 2 | 8 | B | Car | Team B | 1:29.500 |\n"
    grid = parse_grids(text.encode(), Path("2003-test-qualifying.md"))[0]
    lines = announcement_card(announcement(grid)).fields[0].value.splitlines()
    assert lines[1].endswith("· -0.500 s (-0.559 %)"), "of the faster lap, as /gap says"


# The post


class Recorded:
    def __init__(self) -> None:
        self.sent: list[tuple[int, dict[str, Any], list[discord.File]]] = []
        self.failure: Exception | None = None

    async def send_message(self, channel_id: int, *, params: MultipartParameters) -> Any:
        if self.failure is not None:
            raise self.failure
        payload = params.payload
        if payload is None:  # with files: the JSON part of the form
            part = next(p for p in params.multipart or [] if p["name"] == "payload_json")
            payload = json.loads(part["value"])
        self.sent.append((channel_id, payload, list(params.files or [])))
        return {**message_payload(payload), "channel_id": str(channel_id)}


def refusal(status: int, code: int, text: str) -> discord.HTTPException:
    response: Any = SimpleNamespace(status=status, reason=text)
    kind = {403: discord.Forbidden, 404: discord.NotFound}.get(status, discord.HTTPException)
    return kind(response, {"code": code, "message": text})


@pytest.fixture
def recorded(gridbot: GridBot, monkeypatch: pytest.MonkeyPatch) -> Recorded:
    recording = Recorded()
    monkeypatch.setattr(gridbot.http, "send_message", recording.send_message)
    return recording


async def test_a_post_carries_the_card_the_chart_the_buttons_and_the_nonce(
    gridbot: GridBot, recorded: Recorded
) -> None:
    grid = gridbot.store.catalog.grids[SEED]
    session = Session(grid, SEED)
    message_id = await DiscordPoster(gridbot).post(1, CHANNEL, session, nonce=123456789)
    [(channel, payload, files)] = recorded.sent
    assert channel == CHANNEL and int(message_id) > 0
    assert payload["nonce"] == "123456789" and payload["enforce_nonce"] is True
    [embed] = payload["embeds"]
    assert embed["title"] == "New results · 2003 1000 km of Le Mans · Qualifying"
    assert embed["image"]["url"] == "attachment://chart.png"
    assert "P2 · **#8**" in embed["fields"][0]["value"]
    [file] = files
    assert file.filename == "chart.png" and file.description
    buttons = [c for row in payload["components"] for c in row["components"]]
    token = gridbot.store.catalog.token_of(SEED)
    assert [(b["label"], b["custom_id"]) for b in buttons] == [
        ("Whole grid", f"gb:go:{token}"),
        ("Chart", f"gb:co:{token}"),
    ]
    assert payload["allowed_mentions"] == {"parse": []}


@pytest.mark.parametrize(
    ("error", "kind", "said"),
    [
        (refusal(403, 50013, "Missing Permissions"), Refused, "403: Missing Permissions"),
        (refusal(404, 10003, "Unknown Channel"), Refused, "no longer exists"),
        (refusal(404, 10008, "Unknown Message"), Undeliverable, "404"),
        (refusal(400, 50035, "Invalid Form Body"), Undeliverable, "400"),
        (refusal(503, 0, "Service Unavailable"), discord.HTTPException, "503"),
        (refusal(429, 0, "rate limited"), discord.HTTPException, "429"),
    ],
)
async def test_what_discords_refusals_become(
    gridbot: GridBot, recorded: Recorded, error: Exception, kind: type[Exception], said: str
) -> None:
    recorded.failure = error
    session = Session(gridbot.store.catalog.grids[SEED], SEED)
    with pytest.raises(kind, match=said) as raised:
        await DiscordPoster(gridbot).post(1, CHANNEL, session, nonce=1)
    if kind is Refused:
        assert raised.type is Refused


async def test_a_post_goes_without_its_chart_when_it_cannot_be_drawn(
    gridbot: GridBot, recorded: Recorded, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.core.errors import QueryError

    async def slow(*_: object) -> bytes:
        raise QueryError("The chart could not be drawn in time; please try again in a moment.")

    monkeypatch.setattr(chart_cache(gridbot), "png", slow)
    await DiscordPoster(gridbot).post(1, CHANNEL, Session(qualifying(), "results/q"), nonce=1)
    [(_, payload, files)] = recorded.sent
    assert files == [] and "image" not in payload["embeds"][0]


def test_the_invite_link_asks_for_what_posting_needs_and_only_then() -> None:
    assert PERMISSIONS.value == 1024 + 2048 + 16384 + 32768
    assert invite_url(42, announcing=True) == (
        "https://discord.com/oauth2/authorize?client_id=42"
        "&scope=bot+applications.commands&permissions=52224"
    )
    assert "permissions" not in invite_url(42, announcing=False)


# The buttons


@pytest.fixture
def adapter() -> FileRecordingAdapter:
    """Also reads the multipart followups (the chart's)."""
    recording = FileRecordingAdapter()
    async_context.set(recording)
    return recording


def announced(token: str) -> dict[str, Any]:
    """An announcement as the bot posted it: its buttons."""
    components = [item.to_component_dict() for item in open_buttons(token).children]
    return message_payload({"components": [{"type": 1, "components": components}]})


async def test_whole_grid_shows_the_pages_to_whoever_clicked(
    gridbot: GridBot, adapter: RecordingAdapter
) -> None:
    token = gridbot.store.catalog.token_of(SEED)
    sent = await press(gridbot, adapter, announced(token), f"gb:go:{token}")
    assert sent.payload["type"] == 4 and sent.ephemeral
    assert "34 cars" in sent.embed["title"] and "page 1/2" in sent.embed["footer"]["text"]
    labels = [c["label"] for row in sent.data["components"] for c in row["components"]]
    assert labels == ["Previous", "Next"]


async def test_chart_shows_the_chart_to_whoever_clicked(
    gridbot: GridBot, adapter: RecordingAdapter
) -> None:
    token = gridbot.store.catalog.token_of(SEED)
    deferred = await press(gridbot, adapter, announced(token), f"gb:co:{token}")
    assert deferred.payload["type"] == 5 and deferred.ephemeral
    index = adapter.sent.index(deferred) + 1
    followup = await next_sent(adapter, index)
    assert followup.ephemeral and followup.embed["image"]["url"] == "attachment://chart.png"
    assert isinstance(adapter, FileRecordingAdapter)
    [(name, png, _)] = adapter.files[index]
    assert name == "chart.png" and png.startswith(b"\x89PNG")


async def test_a_session_no_longer_served_is_explained(
    gridbot: GridBot, adapter: RecordingAdapter
) -> None:
    gone = key_token("results/nothing-of-that-name") + "0" * 12
    sent = await press(gridbot, adapter, announced(gone), f"gb:go:{gone}")
    assert sent.ephemeral and sent.data["content"] == GONE
    replaced = key_token(SEED) + "0" * 12
    sent = await press(gridbot, adapter, announced(replaced), f"gb:co:{replaced}")
    assert sent.ephemeral and "This grid was replaced" in sent.data["content"]


# /settings


async def test_settings_say_when_the_channel_refuses_posts(gridbot: GridBot) -> None:
    from bot.render.cards import card_for
    from bot.storage.announcements import AnnouncementLog

    libraries = gridbot.libraries
    await libraries.change_settings(7, 1, announce_channel_id=CHANNEL)
    assert await AnnouncementLog(libraries.engine).refused(7, CHANNEL, "Discord refused (403)")
    shown = to_embed(card_for(await libraries.settings(7)))
    [announcements] = [f for f in shown.fields if f.name == "Announcements"]
    assert announcements.value is not None
    assert "cannot post there: Discord refused (403)" in announcements.value
    assert "View Channel, Send Messages, Embed Links and Attach Files" in announcements.value
    again = await libraries.change_settings(7, 1, announce_channel_id=CHANNEL + 1)
    assert again.settings.announce_problem is None
    off = await libraries.change_settings(7, 1, stop_announcing=True)
    assert off.settings.announce_channel_id is None


# Wiring


async def test_the_bot_watches_its_folders_once_logged_in(
    tmp_path: Path, adapter: RecordingAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    import asyncio
    import logging

    from bot.settings import Settings
    from tests.conftest import DATA, open_test_libraries, start_client

    caplog.set_level(logging.INFO)
    results = tmp_path / "results"
    results.mkdir()
    settings = Settings.load(
        {
            "GRIDBOT_DATA_DIR": DATA,
            "GRIDBOT_STATE_DIR": tmp_path,
            "DISCORD_TOKEN": None,
            "GRIDBOT_WATCH_DIRS": str(results),
        }
    )
    libraries = await open_test_libraries(f"sqlite:///{tmp_path}/gridbot.sqlite3")
    client = await start_client(settings, libraries)
    try:
        client._watch()
        client._watch()  # once
        watcher = client.watcher
        assert watcher is not None and client.user is not None
        assert watcher.uploader_id == client.user.id
        await asyncio.wait_for(watcher.loaded.wait(), 20)
        (results / "251012_201511_Q.json").write_bytes(acc_results())
        await watcher.until(lambda: "results/251012_201511_Q" in client.store.catalog.grids, 20)
        assert "&permissions=52224" in caplog.text
    finally:
        await client.close()
        await libraries.close()
    assert all(job.done() for job in client._jobs)
